//! Settings an algorithm declares: a schema entry per key (what it means, its default,
//! how its text parses) and one store of the values a run was given. The schema alone
//! drives the URL, scenario `set` lines, the CLI's flags and help, and the setup panel;
//! each algorithm reads its typed config from the store (see `algo::Configure`).

use crate::sim::VecMap;
use crate::sim::time::{Human, parse_duration, parse_duration_range};
use crate::sim::{Micros, SEC};

/// The longest duration any setting takes.
pub const MAX_SETTING: Micros = 24 * 3600 * SEC;

/// One choice of a [`SettingKind::Choice`]: the name written in links, the words the
/// setup panel shows, and other spellings it accepts.
#[derive(Debug)]
pub struct Choice {
    pub name: &'static str,
    pub label: &'static str,
    pub aliases: &'static [&'static str],
}

#[derive(Debug)]
pub enum SettingKind {
    /// A duration from `min` to `max`; `presets` are what the setup panel offers.
    Duration {
        min: Micros,
        max: Micros,
        presets: &'static [&'static str],
    },
    /// A range like `150-300ms` whose low end is above zero.
    Range {
        presets: &'static [&'static str],
    },
    /// On or off, written as `on` and `off` (other spellings: true/false, yes/no, 1/0).
    Switch {
        on: &'static str,
        off: &'static str,
    },
    Choice(&'static [Choice]),
}

/// A setting's value, already checked against its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Duration(Micros),
    Range(Micros, Micros),
    Switch(bool),
    /// The chosen [`Choice::name`].
    Choice(&'static str),
}

/// A key an algorithm reads, with everything a front end needs to offer it.
#[derive(Debug)]
pub struct Setting {
    /// As written in links, scenario `set` lines and CLI flags: `election-timeout`.
    pub key: &'static str,
    /// What the setup panel calls it: `Election timeout`.
    pub label: &'static str,
    /// What it does, for the CLI's help and the setup panel's tooltip.
    pub about: &'static str,
    pub default: Value,
    pub kind: SettingKind,
}

impl Setting {
    /// What the key expects, for error messages and help: `a range like 150-300ms`.
    pub fn expects(&self) -> String {
        match &self.kind {
            SettingKind::Duration { .. } => {
                format!("a duration like {}", self.format(self.default))
            }
            SettingKind::Range { .. } => format!("a range like {}", self.format(self.default)),
            SettingKind::Switch { on, off } => format!("{on} or {off}"),
            SettingKind::Choice(choices) => {
                let names: Vec<&str> = choices.iter().map(|c| c.name).collect();
                one_of(&names)
            }
        }
    }

    /// Parses text into a value of this setting; the error names the key.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let key = self.key;
        let t = text.trim();
        match &self.kind {
            SettingKind::Duration { min, max, .. } => {
                let d = parse_duration(t).map_err(|e| format!("{key}: {e}"))?;
                if d < *min && *min == 1 {
                    Err(format!("{key}: must be above zero"))
                } else if d < *min {
                    Err(format!("{key}: must be at least {}", Human(*min)))
                } else if d > *max {
                    Err(format!(
                        "{key}: {} is outside {} to {}",
                        Human(d),
                        Human(*min),
                        Human(*max)
                    ))
                } else {
                    Ok(Value::Duration(d))
                }
            }
            SettingKind::Range { .. } => {
                let (lo, hi) = parse_duration_range(t).map_err(|e| format!("{key}: {e}"))?;
                if lo == 0 {
                    return Err(format!("{key}: must be above zero"));
                }
                if hi > MAX_SETTING {
                    return Err(format!("{key}: {} is above 24h", Human(hi)));
                }
                Ok(Value::Range(lo, hi))
            }
            SettingKind::Switch { on, off } => {
                let word = t.to_ascii_lowercase();
                if word == *on {
                    return Ok(Value::Switch(true));
                }
                if word == *off {
                    return Ok(Value::Switch(false));
                }
                parse_bool(&word)
                    .map(Value::Switch)
                    .map_err(|_| format!("{key}: '{word}' is not {on} or {off}"))
            }
            SettingKind::Choice(choices) => {
                let word = t.to_ascii_lowercase();
                choices
                    .iter()
                    .find(|c| c.name == word || c.aliases.contains(&word.as_str()))
                    .map(|c| Value::Choice(c.name))
                    .ok_or_else(|| format!("{key}: '{word}' is not {}", self.expects()))
            }
        }
    }

    /// The text that parses back to `value`, as links and scenario lines write it.
    pub fn format(&self, value: Value) -> String {
        match (value, &self.kind) {
            (Value::Duration(d), _) => Human(d).to_string(),
            (Value::Range(lo, hi), _) => format!("{}-{}", Human(lo), Human(hi)),
            (Value::Switch(b), SettingKind::Switch { on, off }) => {
                (if b { *on } else { *off }).to_string()
            }
            (Value::Switch(b), _) => (if b { "on" } else { "off" }).to_string(),
            (Value::Choice(name), _) => name.to_string(),
        }
    }
}

/// `a, b or c`.
pub fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        other => Err(format!("'{other}' is not on or off")),
    }
}

/// The values a run was given for algorithm settings, keyed by [`Setting::key`]. Only
/// values that differ from the default are kept, so two stores that mean the same run
/// are equal and a link lists only what was changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    values: VecMap<&'static str, Value>,
}

impl Settings {
    pub fn set(&mut self, setting: &'static Setting, value: Value) {
        if value == setting.default {
            self.values.remove(setting.key);
        } else {
            self.values.insert(setting.key, value);
        }
    }

    /// The value of `setting`: the one given, or its default.
    pub fn get(&self, setting: &Setting) -> Value {
        self.values
            .get(setting.key)
            .copied()
            .unwrap_or(setting.default)
    }

    /// Whether `key` was given a value other than its default.
    pub fn is_set(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    pub fn duration(&self, setting: &Setting) -> Micros {
        match (self.get(setting), setting.default) {
            (Value::Duration(d), _) | (_, Value::Duration(d)) => d,
            _ => 0,
        }
    }

    pub fn range(&self, setting: &Setting) -> (Micros, Micros) {
        match (self.get(setting), setting.default) {
            (Value::Range(lo, hi), _) | (_, Value::Range(lo, hi)) => (lo, hi),
            _ => (0, 0),
        }
    }

    pub fn switch(&self, setting: &Setting) -> bool {
        match (self.get(setting), setting.default) {
            (Value::Switch(b), _) | (_, Value::Switch(b)) => b,
            _ => false,
        }
    }

    pub fn choice(&self, setting: &Setting) -> &'static str {
        match (self.get(setting), setting.default) {
            (Value::Choice(c), _) | (_, Value::Choice(c)) => c,
            _ => "",
        }
    }
}

/// What an algorithm's config is built from: its settings and the run's shape.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    pub settings: &'a Settings,
    pub nodes: u32,
    pub seed: u64,
    /// One-way message delay, lowest and highest.
    pub latency: (Micros, Micros),
    /// A deliberately broken engine named in a test build's URL (`bug=raft-echo`).
    pub bug: Option<&'a str>,
}

impl Setup<'_> {
    /// Default settings for a cluster of `nodes` with the default network.
    pub fn defaults(nodes: u32) -> Setup<'static> {
        static DEFAULTS: Settings = Settings {
            values: VecMap::new(),
        };
        Setup {
            settings: &DEFAULTS,
            nodes,
            seed: 1,
            latency: (5 * crate::sim::MS, 15 * crate::sim::MS),
            bug: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Setting = Setting {
        key: "wait",
        label: "Wait",
        about: "how long",
        default: Value::Duration(200 * crate::sim::MS),
        kind: SettingKind::Duration {
            min: 3,
            max: MAX_SETTING,
            presets: &[],
        },
    };
    const MODE: Setting = Setting {
        key: "mode",
        label: "Mode",
        about: "which",
        default: Value::Choice("a"),
        kind: SettingKind::Choice(&[
            Choice {
                name: "a",
                label: "A",
                aliases: &["on"],
            },
            Choice {
                name: "b",
                label: "B",
                aliases: &[],
            },
        ]),
    };

    #[test]
    fn parse_names_the_key_and_what_it_expects() {
        assert_eq!(WAIT.parse("2us").unwrap_err(), "wait: must be at least 3us");
        assert!(
            WAIT.parse("1500m")
                .unwrap_err()
                .contains("is outside 3us to")
        );
        assert_eq!(MODE.parse("c").unwrap_err(), "mode: 'c' is not a or b");
        assert_eq!(MODE.parse(" ON ").unwrap(), Value::Choice("a"));
        assert_eq!(WAIT.format(WAIT.parse("1.5s").unwrap()), "1.5s");
    }

    #[test]
    fn a_store_keeps_only_what_differs_from_the_default() {
        static W: Setting = WAIT;
        let mut s = Settings::default();
        s.set(&W, Value::Duration(5));
        assert!(s.is_set("wait") && s.duration(&W) == 5);
        s.set(&W, W.default);
        assert_eq!(s, Settings::default());
        assert_eq!(s.duration(&W), 200 * crate::sim::MS);
    }
}
