//! The address bar holds the run: algorithm, nodes, seed, options, scenario, speed.

use super::state::LessonSource;
use super::state::{DEFAULT_SPEED, SPEEDS};
use electionscope::config::Problem;
use electionscope::config::{SimConfig, query_pairs};
use electionscope::lesson::Lesson;
use electionscope::link::{
    HASH_FORMAT_SINCE, LINK_VERSION, decode_actions, decode_text, encode_actions, encode_text,
};
use electionscope::sim::{Micros, RecordedAction};

/// The latest instant a link may ask for: a day of virtual time.
const MAX_LINK_INSTANT: Micros = 24 * 3_600 * electionscope::sim::SEC;

pub struct Loaded {
    pub config: SimConfig,
    pub notices: Vec<String>,
    pub speed: usize,
    pub embed: bool,
    pub autoplay: bool,
    pub embed_options: EmbedOptions,
    /// `lesson=NAME` (a built-in lesson) or `sc=` holding a lesson's text: its own
    /// lines are applied to `config`.
    pub lesson: Option<LessonSource>,
    /// What the user did (`acts`), replayed as the run reaches each action.
    pub actions: Vec<RecordedAction>,
    /// `t` (and `h`): the instant the link was copied at, and the run's trace hash
    /// there, which the page checks once it has reached it.
    pub at: Option<(Micros, Option<String>)>,
    /// `compare=raft,bully`: the algorithms after the first, each run beside it on the
    /// same settings and fault schedule.
    pub compare: Vec<electionscope::algo::Algo>,
}

/// What a documentation author can ask of the embed, all in its link.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    /// `caption=1`: the scenario's description; any other text: that text.
    pub caption: Option<Caption>,
    /// `scrubber=1`: a time slider under the cluster.
    pub scrubber: bool,
    /// `loop=1`: start again at the end of `duration` (else stop there).
    pub loop_at_end: bool,
    /// `theme=light|dark`: the host page's theme, not the reader's system setting.
    pub theme: Option<Theme>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Caption {
    Scenario,
    Text(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

impl EmbedOptions {
    fn query(&self) -> String {
        let mut q = String::new();
        match &self.caption {
            Some(Caption::Scenario) => q.push_str("&caption=1"),
            Some(Caption::Text(t)) => {
                q.push_str("&caption=");
                q.push_str(&String::from(js_sys::encode_uri_component(t)));
            }
            None => {}
        }
        if self.scrubber {
            q.push_str("&scrubber=1");
        }
        if self.loop_at_end {
            q.push_str("&loop=1");
        }
        if let Some(t) = self.theme {
            q.push_str(&format!("&theme={}", t.name()));
        }
        q
    }
}

fn search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

pub fn load() -> Loaded {
    let q = search();
    let (mut config, mut notices) = SimConfig::from_query(&q);
    let pairs = query_pairs(&q);
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if get("seed").is_none() {
        config.seed = electionscope::fresh_seed();
    }
    // A lesson brings its own settings and scenario; the link adds the seed (and the
    // embed's options).
    let mut lesson = None;
    if let Some(name) = get("lesson")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
    {
        let source = LessonSource::Builtin(name);
        match source
            .text()
            .and_then(|(text, _)| Lesson::parse(text).map_err(|e| e.to_string()))
            .and_then(|l| l.config(&config))
        {
            Ok(with_lesson) => {
                config = with_lesson;
                lesson = Some(source);
            }
            Err(e) => notices.push(if e.starts_with("lesson:") {
                e
            } else {
                format!("lesson: {e}")
            }),
        }
    }
    // `sc=`: a scenario or lesson written in the editor, compressed.
    if let Some(packed) = get("sc").filter(|_| lesson.is_none()) {
        match decode_text(&packed).and_then(|text| {
            let parsed = Lesson::parse_written(&text).map_err(|e| e.to_string())?;
            Ok((text, parsed))
        }) {
            Ok((text, parsed)) if !parsed.checkpoints.is_empty() => match parsed.config(&config) {
                Ok(with_lesson) => {
                    config = with_lesson;
                    lesson = Some(LessonSource::Text(text));
                }
                Err(e) => notices.push(format!("sc: {e}; running without it")),
            },
            Ok((text, _)) => {
                let _ = config.apply(&[("scenario".to_string(), text)], |problem| {
                    notices.push(match problem {
                        Problem::Scenario(e) | Problem::Setting(e) => {
                            format!("sc: {e}; running without it")
                        }
                    });
                    Ok(())
                });
            }
            Err(e) => notices.push(format!("sc: {e}; running without it")),
        }
    }
    let flag =
        |k: &str| get(k).is_some_and(|v| matches!(v.as_str(), "" | "1" | "on" | "true" | "yes"));
    let speed = match get("speed") {
        None => DEFAULT_SPEED,
        Some(v) => {
            let parsed = hundredths(v.trim_end_matches('x'));
            match parsed.and_then(|s| SPEEDS.iter().position(|x| (x * 100.0).round() as u64 == s)) {
                Some(i) => i,
                None => {
                    let list: Vec<String> = SPEEDS.iter().map(|s| format!("{s}")).collect();
                    notices.push(format!(
                        "speed: '{v}' is not one of {}; using 0.1",
                        list.join(", ")
                    ));
                    DEFAULT_SPEED
                }
            }
        }
    };
    let theme = match get("theme").as_deref() {
        None | Some("") | Some("auto") => None,
        Some("light") => Some(Theme::Light),
        Some("dark") => Some(Theme::Dark),
        Some(other) => {
            notices.push(format!(
                "theme: '{other}' is not light or dark; following the system's"
            ));
            None
        }
    };
    let caption = get("caption").and_then(|c| match c.trim() {
        "" | "0" | "off" | "no" | "false" => None,
        "1" | "on" | "yes" | "true" => Some(Caption::Scenario),
        text => Some(Caption::Text(text.chars().take(300).collect())),
    });
    let embed_options = EmbedOptions {
        caption,
        scrubber: flag("scrubber"),
        loop_at_end: flag("loop"),
        theme,
    };
    // The link's format: a newer one may mean something this page cannot reproduce.
    let version = get("v").map(|v| v.trim().parse::<u32>().map_err(|_| v));
    let hash_comparable = matches!(version, Some(Ok(v)) if v >= HASH_FORMAT_SINCE);
    let readable = match version {
        None => true,
        Some(Ok(v)) if v <= LINK_VERSION => true,
        Some(Ok(v)) => {
            notices.push(format!(
                "This link was made in link format {v}; this page reads format {LINK_VERSION} and cannot reproduce what was done in it. Showing its settings only."
            ));
            false
        }
        Some(Err(v)) => {
            notices.push(format!(
                "v: '{}' is not a link format number; showing the link's settings only",
                v.chars().take(20).collect::<String>()
            ));
            false
        }
    };
    let actions = match get("acts").filter(|_| readable) {
        None => Vec::new(),
        Some(text) => decode_actions(&text).unwrap_or_else(|e| {
            notices.push(format!(
                "acts: {e}; showing the run without the link's actions"
            ));
            Vec::new()
        }),
    };
    let at = match get("t").filter(|_| readable) {
        None => None,
        Some(t) => match t.trim().parse::<Micros>() {
            Ok(t) if t <= config.duration.max(MAX_LINK_INSTANT) => {
                let hash = get("h").filter(|h| {
                    hash_comparable && h.len() <= 32 && h.chars().all(|c| c.is_ascii_hexdigit())
                });
                Some((t, hash))
            }
            _ => {
                notices.push(format!(
                    "t: '{}' is not an instant this page can reach (microseconds, at most a day)",
                    t.chars().take(20).collect::<String>()
                ));
                None
            }
        },
    };
    let compare = match get("compare").filter(|v| !v.trim().is_empty()) {
        None => Vec::new(),
        Some(list) => match electionscope::compare::parse_list(&list) {
            Ok(algos) => {
                config.algo = algos[0];
                algos[1..].to_vec()
            }
            Err(e) => {
                notices.push(format!("compare: {e}; showing one algorithm"));
                Vec::new()
            }
        },
    };
    Loaded {
        compare,
        actions,
        at,
        config,
        notices,
        speed,
        embed_options,
        embed: flag("embed"),
        lesson,
        // A first visit (the bare address) plays, as RaftScope does, so the first
        // election happens within seconds; a shared link keeps its own choice, and a
        // reader who asked for less motion presses Play.
        autoplay: flag("autoplay") || (q.trim_start_matches('?').is_empty() && !reduced_motion()),
    }
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|mq| mq.matches())
}

/// Everything a link holds.
#[derive(Clone, Copy)]
pub struct Link<'a> {
    pub config: &'a SimConfig,
    pub speed: usize,
    pub embed: Option<&'a EmbedOptions>,
    /// A lesson stands for its settings and scenario.
    pub lesson: Option<&'a LessonSource>,
    /// What the user did on this branch.
    pub actions: &'a [RecordedAction],
    /// The instant to open at, with the run's trace hash there.
    pub at: Option<(Micros, &'a str)>,
    /// The algorithms run beside the first.
    pub compare: &'a [electionscope::algo::Algo],
}

pub fn query(link: Link) -> String {
    let Link {
        config,
        speed,
        embed,
        lesson,
        actions,
        at,
        compare,
    } = link;
    // Text written in the editor travels compressed (`sc=`); a built-in scenario or
    // lesson by name.
    let custom = config
        .scenario
        .as_deref()
        .filter(|s| electionscope::scenario::builtin(s).is_none());
    let mut q = match (lesson, custom) {
        (Some(LessonSource::Builtin(name)), _) => format!("lesson={name}&seed={}", config.seed),
        (Some(LessonSource::Text(text)), _) => {
            format!("sc={}&seed={}", encode_text(text), config.seed)
        }
        (None, Some(text)) => {
            let without = SimConfig {
                scenario: None,
                ..config.clone()
            };
            format!("{}&sc={}", without.to_query(), encode_text(text))
        }
        (None, None) => config.to_query(),
    };
    if !compare.is_empty() {
        let names: Vec<&str> = std::iter::once(config.algo)
            .chain(compare.iter().copied())
            .map(|a| a.name)
            .collect();
        q.push_str(&format!("&compare={}", names.join(",")));
    }
    q.push_str(&format!("&v={LINK_VERSION}"));
    if !actions.is_empty() {
        q.push_str("&acts=");
        q.push_str(&String::from(js_sys::encode_uri_component(
            &encode_actions(actions),
        )));
    }
    if let Some((t, hash)) = at {
        q.push_str(&format!("&t={t}&h={hash}"));
    }
    if speed != DEFAULT_SPEED {
        q.push_str(&format!("&speed={}", SPEEDS[speed]));
    }
    if let Some(options) = embed {
        q.push_str("&embed=1");
        q.push_str(&options.query());
    }
    q
}

/// Rewrites the address without reloading, so a copied or bookmarked link reproduces
/// the run.
pub fn replace(link: Link) {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(h) = w.history() {
        let url = format!("{path}?{}", query(link));
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

pub fn full_link(link: Link) -> String {
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let loc = w.location();
    format!(
        "{}{}?{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        query(link)
    )
}

/// `0.05`, `1`, `2.50` as hundredths (5, 100, 250): parsing it as a float would link
/// the float parser and its tables (about 4 KB of the page's gzipped bundle).
fn hundredths(text: &str) -> Option<u64> {
    let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let cents: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

/// `view=lab`: the page shows the lab instead of the simulator.
pub fn wants_lab() -> bool {
    query_pairs(&search())
        .iter()
        .any(|(k, v)| k == "view" && v == "lab")
}
