//! One serializable description of a run. CLI flags, the URL query and scenario `set`
//! lines all parse into this struct, through the same per-key parser.

use crate::algo::registry::{self, Algo};
use crate::algo::{Configure, Descriptor};
use crate::settings::{Settings, Setup};
use crate::sim::StorageMode;
use crate::sim::time::{parse_duration, parse_duration_range};
use crate::sim::{Human, MS, Micros, SEC};

pub use crate::settings::parse_bool;

/// The smallest cluster that survives a failure; every front end offers 3 to 25.
pub const MIN_NODES: u32 = 3;
pub const MAX_NODES: u32 = 25;
pub const MAX_DURATION: Micros = 24 * 3600 * SEC;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    pub algo: Algo,
    pub nodes: u32,
    pub seed: u64,
    pub duration: Micros,
    pub latency: (Micros, Micros),
    /// Message loss in parts per million.
    pub drop_ppm: u32,
    /// Shared storage the leaders write to, with or without fencing tokens.
    pub storage: StorageMode,
    /// Power off every other node that believes it leads before a node is promoted.
    pub stonith: bool,
    /// The algorithm's own settings (see [`Descriptor::settings`]).
    pub settings: Settings,
    /// A built-in scenario's name, or scenario text.
    pub scenario: Option<String>,
    /// A deliberately broken engine (`bug=raft-echo`), for tests that prove the
    /// kernel's guard in a page. Only `bug-injection` builds know the key.
    #[cfg(feature = "bug-injection")]
    pub bug: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            algo: Algo::first(),
            nodes: 5,
            seed: 1,
            duration: 10 * SEC,
            latency: (5 * MS, 15 * MS),
            drop_ppm: 0,
            storage: StorageMode::Off,
            stonith: false,
            settings: Settings::default(),
            scenario: None,
            #[cfg(feature = "bug-injection")]
            bug: None,
        }
    }
}

/// The keys of every run, whatever its algorithm, with what each expects.
pub const GENERAL_KEYS: &[(&str, &str)] = &[
    ("algo", "an algorithm (see `algo` in the list of keys)"),
    ("nodes", "a node count from 3 to 25"),
    ("seed", "a whole number (0 to 18446744073709551615)"),
    ("duration", "a virtual time like 10s"),
    ("latency", "a delay range like 5-15ms"),
    ("drop", "a loss rate like 10% (0% to 100%)"),
    (
        "storage",
        "off, unfenced or fenced (leaders write to a shared storage)",
    ),
    (
        "stonith",
        "on or off (power off the old leader before promoting a new one)",
    ),
    ("scenario", "a built-in scenario name"),
];

/// Every key a front end accepts, with what it expects: the general keys, then each
/// algorithm setting once (with the algorithms that read it), for errors and help.
pub fn keys() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = GENERAL_KEYS
        .iter()
        .map(|&(k, v)| match k {
            "algo" => (k, Algo::choices()),
            _ => (k, v.to_string()),
        })
        .collect();
    for setting in registry::settings() {
        out.push((
            setting.key,
            format!(
                "{} ({}: {})",
                setting.expects(),
                registry::readers(setting.key).join(", "),
                setting.about
            ),
        ));
    }
    out
}

/// `10%`, `0.5%` or `12.5%` as parts per million.
pub fn parse_percent(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let num = t
        .strip_suffix('%')
        .ok_or_else(|| format!("'{t}' needs a % sign, e.g. 10%"))?;
    let (int_part, frac) = num.split_once('.').unwrap_or((num, ""));
    if int_part.is_empty() && frac.is_empty() || frac.len() > 4 {
        return Err(format!("'{t}' is not a percentage with at most 4 decimals"));
    }
    let whole: u32 = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse()
            .map_err(|_| format!("'{t}' is not a percentage"))?
    };
    let frac_val: u32 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<4}");
        padded
            .parse()
            .map_err(|_| format!("'{t}' is not a percentage"))?
    };
    let ppm = whole.saturating_mul(10_000).saturating_add(frac_val);
    if ppm > 1_000_000 {
        return Err(format!("'{t}' is more than 100%"));
    }
    Ok(ppm)
}

impl SimConfig {
    /// Sets one key from text. The error names what was expected.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "algo" => self.algo = Algo::parse(value)?,
            "nodes" => {
                let n: u32 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("nodes: '{value}' is not a whole number"))?;
                if !(MIN_NODES..=MAX_NODES).contains(&n) {
                    return Err(format!("nodes: {n} is outside {MIN_NODES} to {MAX_NODES}"));
                }
                self.nodes = n;
            }
            "seed" => {
                self.seed = value.trim().parse().map_err(|_| {
                    format!("seed: '{value}' is not a whole number from 0 to 2^64-1")
                })?
            }
            "duration" => {
                let d = parse_duration(value).map_err(|e| format!("duration: {e}"))?;
                if d == 0 || d > MAX_DURATION {
                    return Err(format!("duration: {} is outside 1us to 24h", Human(d)));
                }
                self.duration = d;
            }
            "latency" => {
                self.latency = parse_duration_range(value).map_err(|e| format!("latency: {e}"))?;
                if self.latency.1 == 0 {
                    self.latency = (1, 1);
                }
            }
            "drop" => self.drop_ppm = parse_percent(value).map_err(|e| format!("drop: {e}"))?,
            "storage" => {
                self.storage = StorageMode::parse(value).map_err(|e| format!("storage: {e}"))?
            }
            "stonith" => self.stonith = parse_bool(value).map_err(|e| format!("stonith: {e}"))?,
            #[cfg(feature = "bug-injection")]
            "bug" => self.bug = Some(value.trim().to_string()),
            "scenario" => {
                let v = value.trim();
                self.scenario = if v.is_empty() {
                    None
                } else {
                    Some(v.to_string())
                };
            }
            other => match registry::setting(other) {
                // Any algorithm's setting is taken whichever algorithm is chosen, so
                // that the order of keys in a link does not matter.
                Some(setting) => {
                    let value = setting.parse(value)?;
                    self.settings.set(setting, value);
                }
                None => {
                    let known: Vec<&str> = keys().iter().map(|(k, _)| *k).collect();
                    return Err(format!(
                        "unknown setting '{other}' (known: {})",
                        known.join(", ")
                    ));
                }
            },
        }
        Ok(())
    }

    /// This configuration with one more key set: `SimConfig::default().with("prevote",
    /// "on")`.
    pub fn with(mut self, key: &str, value: &str) -> Result<SimConfig, String> {
        self.set(key, value)?;
        Ok(self)
    }

    /// Nodes a scenario may name: the candidates, and the coordination service after
    /// them (`n6` in a five-candidate cluster whose algorithm runs a service).
    pub fn addressable_nodes(&self) -> u32 {
        self.nodes + u32::from(self.algo.service.is_some())
    }

    /// Settings that work but defeat the algorithm, said aloud rather than refused:
    /// a teacher may want to show exactly that.
    pub fn warnings(&self) -> Vec<String> {
        (self.algo.warnings)(&self.setup())
    }

    /// What the algorithm builds its config from.
    pub fn setup(&self) -> Setup<'_> {
        Setup {
            settings: &self.settings,
            nodes: self.nodes,
            seed: self.seed,
            latency: self.latency,
            #[cfg(feature = "bug-injection")]
            bug: self.bug.as_deref(),
            #[cfg(not(feature = "bug-injection"))]
            bug: None,
        }
    }

    /// The algorithm's descriptor.
    pub fn descriptor(&self) -> &'static Descriptor {
        self.algo.descriptor()
    }

    /// The one precedence rule for every front end: the scenario comes first wherever
    /// it was named, its `set` lines act as defaults, explicit settings override them,
    /// and finally the scenario must still fit the cluster. Each problem goes to
    /// `on_problem`: an `Err` stops here (the CLI); `Ok` carries on without the bad
    /// part (the URL: the scenario is dropped, a bad setting keeps its default).
    pub fn apply(
        &mut self,
        overrides: &[(String, String)],
        mut on_problem: impl FnMut(Problem) -> Result<(), String>,
    ) -> Result<(), String> {
        if let Some((_, spec)) = overrides.iter().rev().find(|(k, _)| k == "scenario") {
            if let Err(e) = self.set("scenario", spec) {
                on_problem(Problem::Setting(e))?;
            }
        }
        if let Some(spec) = self.scenario.clone() {
            if let Err(e) = crate::scenario::load(&spec).and_then(|sc| sc.configure(self)) {
                self.scenario = None;
                on_problem(Problem::Scenario(format!("scenario: {e}")))?;
            }
        }
        for (k, v) in overrides.iter().filter(|(k, _)| k != "scenario") {
            if let Err(e) = self.set(k, v) {
                on_problem(Problem::Setting(e))?;
            }
        }
        if let Some(e) = self.drop_unfit_scenario() {
            on_problem(Problem::Scenario(e))?;
        }
        Ok(())
    }

    /// Drops the scenario if it names a node the cluster lacks (e.g. after the node
    /// count was lowered), saying why.
    pub fn drop_unfit_scenario(&mut self) -> Option<String> {
        let spec = self.scenario.clone()?;
        let e = crate::scenario::load(&spec)
            .and_then(|sc| sc.check_nodes(self.addressable_nodes()))
            .err()?;
        self.scenario = None;
        Some(format!("scenario: {e}"))
    }

    /// Parses a query strictly: the first bad value is an error naming it (the lab's
    /// runs, the compute worker's jobs), and the page's own keys are ignored.
    pub fn from_query_strict(query: &str) -> Result<SimConfig, String> {
        let mut cfg = SimConfig::default();
        let pairs: Vec<(String, String)> = query_pairs(query)
            .into_iter()
            .filter(|(k, _)| !FRONTEND_KEYS.contains(&k.as_str()))
            .collect();
        cfg.apply(&pairs, |problem| {
            Err(match problem {
                Problem::Scenario(e) | Problem::Setting(e) => e,
            })
        })?;
        Ok(cfg)
    }

    /// Parses a URL query (`?algo=raft&nodes=5`). Bad values fall back to defaults and
    /// each produces a notice naming the key, so the page always renders.
    pub fn from_query(query: &str) -> (SimConfig, Vec<String>) {
        let mut cfg = SimConfig::default();
        let mut notices = Vec::new();
        let pairs: Vec<(String, String)> = query_pairs(query)
            .into_iter()
            .filter(|(k, _)| !FRONTEND_KEYS.contains(&k.as_str()))
            .collect();
        let lenient = cfg.apply(&pairs, |problem| {
            notices.push(match problem {
                Problem::Scenario(e) => format!("{e}; running without it"),
                Problem::Setting(e) => format!("{e}; using the default"),
            });
            Ok(())
        });
        debug_assert!(lenient.is_ok());
        (cfg, notices)
    }

    /// The query string that reproduces this configuration, listing only non-defaults
    /// plus the essentials, so shared links stay short.
    pub fn to_query(&self) -> String {
        let d = SimConfig::default();
        let mut parts = vec![
            format!("algo={}", self.algo),
            format!("nodes={}", self.nodes),
            format!("seed={}", self.seed),
            format!("duration={}", Human(self.duration)),
        ];
        if self.latency != d.latency {
            parts.push(format!(
                "latency={}-{}",
                Human(self.latency.0),
                Human(self.latency.1)
            ));
        }
        if self.drop_ppm != d.drop_ppm {
            let drop = crate::sim::action::Percent(self.drop_ppm).to_string();
            parts.push(format!("drop={}", percent_encode(&drop)));
        }
        if self.storage != d.storage {
            parts.push(format!("storage={}", self.storage.name()));
        }
        if self.stonith {
            parts.push("stonith=on".into());
        }
        for setting in registry::settings() {
            if self.settings.is_set(setting.key) {
                let value = setting.format(self.settings.get(setting));
                parts.push(format!("{}={}", setting.key, percent_encode(&value)));
            }
        }
        if let Some(s) = &self.scenario {
            parts.push(format!("scenario={}", percent_encode(s)));
        }
        parts.join("&")
    }
}

/// What [`SimConfig::apply`] could not use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Scenario(String),
    Setting(String),
}

/// Query keys that belong to the page (embedding, playback), not to the simulation.
pub const FRONTEND_KEYS: &[&str] = &[
    "embed", "autoplay", "speed", "t", "caption", "scrubber", "loop", "theme", "lesson", "v", "sc",
    "acts", "h", "compare", "view",
];

/// The decoded `key=value` pairs of a query string, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How tests and tools build an algorithm's config from a whole run description.
pub trait FromSimConfig: Configure {
    fn algo_config(cfg: &SimConfig) -> Self::Config {
        Self::configure(&cfg.setup())
    }
}

impl<A: Configure> FromSimConfig for A {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips() {
        let mut c = SimConfig::default();
        c.set("nodes", "7").unwrap();
        c.set("seed", "42").unwrap();
        c.set("prevote", "on").unwrap();
        c.set("latency", "1-2ms").unwrap();
        c.set("drop", "2.5%").unwrap();
        c.set("scenario", "leader-crash").unwrap();
        c.set("finalize-wait", "50ms").unwrap();
        assert!(c.to_query().contains("finalize-wait=50ms"));
        let (back, notices) = SimConfig::from_query(&c.to_query());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, c);
    }

    #[test]
    fn bad_query_values_fall_back_with_a_notice() {
        let (c, notices) = SimConfig::from_query("?algo=paxos9&nodes=99&seed=x&embed=1&bogus=3");
        assert_eq!(c.algo, Algo::first());
        assert_eq!(c.nodes, 5);
        assert_eq!(notices.len(), 4, "{notices:?}");
        assert!(notices[0].contains("unknown algorithm 'paxos9'"));
        assert!(notices[1].contains("outside 3 to 25"));
        assert!(notices[2].contains("seed"));
        assert!(notices[3].contains("unknown setting 'bogus'"));
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("10%"), Ok(100_000));
        assert_eq!(parse_percent("0.5%"), Ok(5_000));
        assert_eq!(parse_percent("100%"), Ok(1_000_000));
        assert!(parse_percent("101%").is_err());
        assert!(parse_percent("10").is_err());
        assert!(parse_percent("%").is_err());
    }

    #[test]
    fn warns_about_self_defeating_settings() {
        let mut c = SimConfig::default();
        assert!(c.warnings().is_empty());
        c.set("heartbeat", "400ms").unwrap();
        assert_eq!(c.warnings().len(), 1);
    }
}
