//! The lab in the page (`?view=lab`): experiments measured in the compute worker, with
//! progress and a cancel button, while the page stays responsive. The worker renders
//! each result (tables as HTML, plots as SVG, data as CSV and Markdown); the page only
//! shows them, so none of that code is in the page's bundle. One state, one click
//! handler (by `data-lab`): each closure and state type of a component costs the
//! bundle more than the markup.

use super::effects::wall_now;
use super::jobs::{Jobs, field, use_jobs};
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// What the worker sent back for one experiment, and how long it took.
#[derive(Clone, Default, PartialEq)]
struct Measured {
    html: String,
    svg: String,
    text: String,
    trials: u32,
    seconds: f64,
}

#[derive(Clone, Default, PartialEq)]
struct LabState {
    table: Option<Measured>,
    figure16: Option<Measured>,
    problem: Option<String>,
    copied: bool,
}

/// The experiments: their job (which names their controls' ids), the trials offered
/// and the default.
type Experiment = (&'static str, &'static [u32], u32);
const EXPERIMENTS: [Experiment; 2] = [
    ("table", &[20, 50, 200], 50),
    ("figure16", &[100, 1000], 100),
];

fn select_value(id: &str) -> u32 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
        .and_then(|s| s.value().parse().ok())
        .unwrap_or(50)
}

fn start(jobs: &Jobs, job: &'static str, state: &UseStateHandle<LabState>) {
    let trials = select_value(&format!("{job}-trials"));
    let message = super::paint::object(&[
        ("job", job.into()),
        ("trials", f64::from(trials).into()),
        ("seed", 1.0.into()),
    ]);
    let started = wall_now();
    let state = state.clone();
    jobs.start(
        "Measuring",
        message,
        Box::new(move |data: JsValue| {
            let text = |k: &str| field(&data, k).as_string().unwrap_or_default();
            let result = Measured {
                html: text("html"),
                svg: text("svg"),
                text: if job == "table" {
                    text("markdown")
                } else {
                    text("csv")
                },
                trials,
                seconds: (wall_now() - started) / 1000.0,
            };
            let mut next = (*state).clone();
            if job == "table" {
                next.table = Some(result);
                next.copied = false;
            } else {
                next.figure16 = Some(result);
            }
            state.set(next);
        }),
    );
}

#[function_component(LabPage)]
pub fn lab_page() -> Html {
    let state = use_state(LabState::default);
    let on_error = {
        let state = state.clone();
        Callback::from(move |e| {
            state.set(LabState {
                problem: Some(e),
                ..(*state).clone()
            })
        })
    };
    let jobs = [use_jobs(on_error.clone()), use_jobs(on_error)];
    let onclick = {
        let (state, jobs) = (state.clone(), jobs.clone());
        move |e: MouseEvent| {
            let Some(action) = e
                .target_dyn_into::<web_sys::Element>()
                .and_then(|t| t.closest("[data-lab]").ok().flatten())
                .and_then(|b| b.get_attribute("data-lab"))
            else {
                return;
            };
            match action.as_str() {
                "table" => start(&jobs[0], "table", &state),
                "figure16" => start(&jobs[1], "figure16", &state),
                "table-cancel" => jobs[0].stop(),
                "figure16-cancel" => jobs[1].stop(),
                "copy" => {
                    if let (Some(r), Some(w)) = (&state.table, web_sys::window()) {
                        let _ = w.navigator().clipboard().write_text(&r.text);
                        state.set(LabState {
                            copied: true,
                            ..(*state).clone()
                        });
                    }
                }
                "svg" | "csv" => {
                    if let Some(r) = &state.figure16 {
                        let _ = if action == "svg" {
                            super::export::download(
                                "electionscope-figure16.svg",
                                "image/svg+xml",
                                &r.svg,
                            )
                        } else {
                            super::export::download(
                                "electionscope-figure16.csv",
                                "text/csv",
                                &r.text,
                            )
                        };
                    }
                }
                _ => {}
            }
        }
    };
    let raw = |text: &str| Html::from_html_unchecked(AttrValue::from(text.to_string()));
    let controls = |(job, trials, default): Experiment, jobs: &Jobs| {
        html! {
            <div class="buttons">
                <label for={format!("{job}-trials")}>{ "Trials" }</label>
                <select id={format!("{job}-trials")}>
                    { for trials.iter().map(|t| html! { <option value={t.to_string()} selected={*t == default}>{ t }</option> }) }
                </select>
                <button id={format!("{job}-run")} class="primary" data-lab={job} disabled={jobs.progress.is_some()}>{ "Measure" }</button>
                if let Some((what, share)) = *jobs.progress {
                    <span id={format!("{job}-progress")} class="lab-progress" role="status">
                        { format!("{what}: {:.0}%", share * 100.0) }
                        <progress max="1" value={share.to_string()} />
                    </span>
                    <button id={format!("{job}-cancel")} data-lab={format!("{job}-cancel")}>{ "Cancel" }</button>
                }
            </div>
        }
    };
    let elapsed = |id: &str, r: &Measured| {
        html! { <p id={id.to_string()} class="hint">{ format!("{} trials, measured in {:.1} s in a Web Worker.", r.trials, r.seconds) }</p> }
    };
    html! {
        <main class="app lab" {onclick}>
            <header>
                <h1>{ "ElectionScope lab" }</h1>
                <a href="?" class="open-full" id="lab-back">{ "← the simulator" }</a>
            </header>
            if let Some(p) = &state.problem {
                <p class="notice" role="alert">{ p }</p>
            }
            <section class="panel" aria-labelledby="table-title">
                <h2 id="table-title">{ "The comparison table, measured" }</h2>
                <p class="hint">{ "Primers compare leader-election algorithms in one table of claims. Here each claim stands beside what the simulator measures: messages to elect a leader from a cold start at 3 to 25 nodes (and the growth that fits them), time to a new leader after the leader crashes, and whether a partition gives two leaders. The same figures as " }<code>{ "electionscope table" }</code>{ " for the same trials and seed. Trials are per cluster size." }</p>
                { controls(EXPERIMENTS[0], &jobs[0]) }
                if let Some(r) = &state.table {
                    { elapsed("table-elapsed", r) }
                    <div class="lab-result">{ raw(&r.html) }</div>
                    <button id="table-copy" data-lab="copy">{ if state.copied { "Copied" } else { "Copy as Markdown" } }</button>
                }
            </section>
            <section class="panel" aria-labelledby="figure16-title">
                <h2 id="figure16-title">{ "The Raft paper's Figure 16" }</h2>
                <p class="hint">{ "Five servers; once all follow the leader, it crashes at a uniformly random instant within its heartbeat interval (75 ms, half the smallest timeout), and the time until a majority follows a new leader is measured for each range of election timeouts. The paper's \"broadcast time of about 15 ms\" was a round trip plus a disk write; here each message takes 2 to 4 ms one way (at 5 to 10 ms, longer than the 5 ms of randomness in 150-155, nearly every election splits). Trials are per range." }</p>
                { controls(EXPERIMENTS[1], &jobs[1]) }
                if let Some(r) = &state.figure16 {
                    { elapsed("figure16-elapsed", r) }
                    <div class="lab-plot">{ raw(&r.svg) }</div>
                    <div class="lab-result">{ raw(&r.html) }</div>
                    <div class="buttons">
                        <button id="figure16-svg" data-lab="svg">{ "Save the plot (SVG)" }</button>
                        <button id="figure16-csv" data-lab="csv">{ "Save the data (CSV)" }</button>
                    </div>
                }
            </section>
        </main>
    }
}
