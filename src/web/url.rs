//! The address bar holds the run: algorithm, nodes, seed, options, scenario, speed.

use super::state::{DEFAULT_SPEED, SPEEDS};
use electionscope::config::{SimConfig, query_pairs};

pub struct Loaded {
    pub config: SimConfig,
    pub notices: Vec<String>,
    pub speed: usize,
    pub embed: bool,
    pub autoplay: bool,
    pub embed_options: EmbedOptions,
    /// `lesson=NAME`: a built-in lesson, whose own lines are applied to `config`.
    pub lesson: Option<String>,
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
        let parsed = match electionscope::lesson::builtin(&name) {
            Some(b) => electionscope::lesson::Lesson::parse(b.text).map_err(|e| e.to_string()),
            None => {
                let names: Vec<&str> = electionscope::lesson::BUILTINS
                    .iter()
                    .map(|l| l.name)
                    .collect();
                Err(format!(
                    "there is no lesson '{}'; the lessons are {}",
                    name.chars().take(40).collect::<String>(),
                    names.join(", ")
                ))
            }
        };
        match parsed.and_then(|l| l.config(&config)) {
            Ok(with_lesson) => {
                config = with_lesson;
                lesson = Some(name);
            }
            Err(e) => notices.push(format!("lesson: {e}")),
        }
    }
    let flag =
        |k: &str| get(k).is_some_and(|v| matches!(v.as_str(), "" | "1" | "on" | "true" | "yes"));
    let speed = match get("speed") {
        None => DEFAULT_SPEED,
        Some(v) => {
            let parsed = v.trim_end_matches('x').parse::<f64>().ok();
            match parsed.and_then(|s| SPEEDS.iter().position(|x| (x - s).abs() < 1e-9)) {
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
    Loaded {
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
    /// A lesson's name stands for its settings and scenario.
    pub lesson: Option<&'a str>,
}

pub fn query(link: Link) -> String {
    let Link {
        config,
        speed,
        embed,
        lesson,
    } = link;
    let mut q = match lesson {
        Some(name) => format!("lesson={name}&seed={}", config.seed),
        None => config.to_query(),
    };
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
