//! The address bar holds the run: algorithm, nodes, seed, options, scenario, speed.

use super::state::{DEFAULT_SPEED, SPEEDS};
use electionscope::config::{SimConfig, query_pairs};

pub struct Loaded {
    pub config: SimConfig,
    pub notices: Vec<String>,
    pub speed: usize,
    pub embed: bool,
    pub autoplay: bool,
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
    Loaded {
        config,
        notices,
        speed,
        embed: flag("embed"),
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

pub fn query(config: &SimConfig, speed: usize, embed: bool) -> String {
    let mut q = config.to_query();
    if speed != DEFAULT_SPEED {
        q.push_str(&format!("&speed={}", SPEEDS[speed]));
    }
    if embed {
        q.push_str("&embed=1");
    }
    q
}

/// Rewrites the address without reloading, so a copied or bookmarked link reproduces
/// the run.
pub fn replace(config: &SimConfig, speed: usize, embed: bool) {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(h) = w.history() {
        let url = format!("{path}?{}", query(config, speed, embed));
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

pub fn full_link(config: &SimConfig, speed: usize, embed: bool) -> String {
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let loc = w.location();
    format!(
        "{}{}?{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        query(config, speed, embed)
    )
}
