//! The browser app. It reads only the run's view model and trace, never engine state.

use electionscope::config::SimConfig;
use electionscope::run::{self, Summary};
use electionscope::sim::Human;
use yew::prelude::*;

pub fn start() {
    yew::Renderer::<App>::new().render();
}

fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

struct Outcome {
    notices: Vec<String>,
    summary: Option<Summary>,
    error: Option<String>,
}

fn compute() -> Outcome {
    let q = query();
    let (mut cfg, notices): (SimConfig, Vec<String>) = SimConfig::from_query(&q);
    if !electionscope::config::query_pairs(&q)
        .iter()
        .any(|(k, _)| k == "seed")
    {
        cfg.seed = electionscope::fresh_seed();
    }
    match run::build(&cfg, 0) {
        Ok(mut r) => {
            r.advance(cfg.duration);
            Outcome {
                notices,
                summary: Some(Summary::of(r.as_ref())),
                error: None,
            }
        }
        Err(e) => Outcome {
            notices,
            summary: None,
            error: Some(e),
        },
    }
}

#[function_component(App)]
fn app() -> Html {
    let outcome = use_memo((), |_| compute());
    html! {
        <main class="placeholder">
            <h1>{ "ElectionScope" }</h1>
            { for outcome.notices.iter().map(|n| html! { <p class="notice" role="status">{ n }</p> }) }
            if let Some(e) = &outcome.error {
                <p class="notice" role="alert">{ e }</p>
            }
            if let Some(s) = &outcome.summary {
                <p>{ format!("{} with {} nodes, seed {}, {} of virtual time", s.algo, s.nodes, s.seed, Human(s.duration_us)) }</p>
                <p>{ "Run fingerprint: " }<code id="trace-hash">{ &s.trace_hash }</code></p>
                <pre id="summary">{ s.to_text() }</pre>
            }
        </main>
    }
}
