//! The lab in the page (`?view=lab`): experiments measured in the compute worker, with
//! progress and a cancel button, while the page stays responsive. The worker renders
//! each result (tables as HTML, plots as SVG, data as CSV and Markdown); the page only
//! shows them, so none of that code is in the page's bundle. One state, one click
//! handler (by `data-lab`), one job runner per section.

use super::effects::wall_now;
use super::jobs::{Jobs, clicked_action, field, use_jobs};
use electionscope::algo::Algo;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// What the worker sent back for one experiment, and how long it took.
#[derive(Clone, Default, PartialEq)]
struct Measured {
    html: String,
    svg: String,
    /// The data to save or copy: Markdown for the table, CSV for the others.
    text: String,
    /// The saved files' name: `electionscope-{stem}.svg`.
    stem: String,
    trials: u32,
    seconds: f64,
}

#[derive(Clone, Default, PartialEq)]
struct LabState {
    results: [Option<Measured>; 3],
    problem: Option<String>,
    copied: bool,
}

/// The sections: their job (which names their controls' ids), the trials offered and
/// the default.
type Experiment = (&'static str, &'static [u32], u32);
const EXPERIMENTS: [Experiment; 3] = [
    ("table", &[20, 50, 200], 50),
    ("figure16", &[100, 1000], 100),
    ("experiment", &[10, 20, 50, 200], 20),
];

/// The value of the form control `id` (a select or the runs' textarea).
fn control_value(id: &str) -> String {
    let Some(e) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return String::new();
    };
    match e.dyn_into::<web_sys::HtmlSelectElement>() {
        Ok(s) => s.value(),
        Err(e) => e
            .dyn_into::<web_sys::HtmlTextAreaElement>()
            .map(|t| t.value())
            .unwrap_or_default(),
    }
}

fn start(jobs: &Jobs, index: usize, state: &UseStateHandle<LabState>) {
    let job = EXPERIMENTS[index].0;
    let trials: u32 = control_value(&format!("{job}-trials"))
        .parse()
        .unwrap_or(EXPERIMENTS[index].2);
    let kind = control_value("experiment-kind");
    let message = super::paint::object(&[
        ("job", job.into()),
        ("trials", f64::from(trials).into()),
        ("seed", 1.0.into()),
        ("experiment", kind.as_str().into()),
        ("runs", control_value("experiment-runs").into()),
    ]);
    let stem = if index == 2 { kind } else { job.to_string() };
    let started = wall_now();
    let state = state.clone();
    jobs.start(
        "Measuring",
        message,
        Box::new(move |data: JsValue| {
            let text = |k: &str| field(&data, k).as_string().unwrap_or_default();
            let mut next = (*state).clone();
            next.results[index] = Some(Measured {
                html: text("html"),
                svg: text("svg"),
                text: text(if index == 0 { "markdown" } else { "csv" }),
                stem: stem.clone(),
                trials,
                seconds: (wall_now() - started) / 1000.0,
            });
            next.copied &= index != 0;
            next.problem = None;
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
    let jobs = [
        use_jobs(on_error.clone()),
        use_jobs(on_error.clone()),
        use_jobs(on_error),
    ];
    let onclick = {
        let (state, jobs) = (state.clone(), jobs.clone());
        move |e: MouseEvent| {
            let Some(action) = clicked_action(&e, "data-lab") else {
                return;
            };
            let (job, what) = action.split_once('-').unwrap_or((&action, ""));
            let Some(index) = EXPERIMENTS.iter().position(|x| x.0 == job) else {
                return;
            };
            let result = state.results[index].as_ref();
            match (what, result) {
                ("", _) => start(&jobs[index], index, &state),
                ("cancel", _) => jobs[index].stop(),
                ("copy", Some(r)) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&r.text);
                        state.set(LabState {
                            copied: true,
                            ..(*state).clone()
                        });
                    }
                }
                ("svg", Some(r)) => {
                    let name = format!("electionscope-{}.svg", r.stem);
                    super::export::download(&name, "image/svg+xml", &r.svg);
                }
                ("csv", Some(r)) => {
                    let name = format!("electionscope-{}.csv", r.stem);
                    super::export::download(&name, "text/csv", &r.text);
                }
                _ => {}
            }
        }
    };
    let raw = |text: &str| Html::from_html_unchecked(AttrValue::from(text.to_string()));

    // The static parts are HTML text: as `html!` each element and text node costs the
    // page's bundle code, as text only its bytes.
    let section = |index: usize, title: &str, hint: &str, inputs: &str| {
        let (job, trials, default) = EXPERIMENTS[index];
        let jobs = &jobs[index];
        html! {
            <section class="panel" aria-labelledby={format!("{job}-title")}>
                <h2 id={format!("{job}-title")}>{ title }</h2>
                <p class="hint">{ raw(hint) }</p>
                { raw(inputs) }
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
                if let Some(r) = &state.results[index] {
                    <p id={format!("{job}-elapsed")} class="hint">{ format!("{} trials, measured in {:.1} s in a Web Worker.", r.trials, r.seconds) }</p>
                    if !r.svg.is_empty() {
                        <div class="lab-plot">{ raw(&r.svg) }</div>
                    }
                    <div class="lab-result">{ raw(&r.html) }</div>
                    <div class="buttons">
                        if index == 0 {
                            <button id="table-copy" data-lab="table-copy">{ if state.copied { "Copied" } else { "Copy as Markdown" } }</button>
                        } else {
                            if !r.svg.is_empty() {
                                <button id={format!("{job}-svg")} data-lab={format!("{job}-svg")}>{ "Save the plot (SVG)" }</button>
                            }
                            <button id={format!("{job}-csv")} data-lab={format!("{job}-csv")}>{ "Save the data (CSV)" }</button>
                        }
                    </div>
                }
            </section>
        }
    };
    let runs = Algo::all()
        .map(|a| format!("algo={}", a.name))
        .collect::<Vec<_>>()
        .join("\n");
    html! {
        <main class="app lab" {onclick}>
            <header>
                <h1>{ "ElectionScope lab" }</h1>
                <a href="?" class="open-full" id="lab-back">{ "← the simulator" }</a>
            </header>
            if let Some(p) = &state.problem {
                <p class="notice" role="alert">{ p }</p>
            }
            { section(0, "The comparison table, measured", "Primers compare leader-election algorithms in one table of claims. Here each claim stands beside what the simulator measures: messages to elect a leader from a cold start at 3 to 25 nodes (and the growth that fits them), time to a new leader after the leader crashes, whether a partition gives two leaders and how often two believe they lead under random partitions and pauses; each property links to the scenario that shows it. The same figures as <code>electionscope table</code> for the same trials and seed. Trials are per cluster size.", "") }
            { section(1, "The Raft paper's Figure 16", "Five servers; once all follow the leader, it crashes at a uniformly random instant within its heartbeat interval (75 ms, half the smallest timeout), and the time until a majority follows a new leader is measured for each range of election timeouts. The paper's \"broadcast time of about 15 ms\" was a round trip plus a disk write; here each message takes 2 to 4 ms one way (at 5 to 10 ms, longer than the 5 ms of randomness in 150-155, nearly every election splits). Trials are per range.", "") }
            { section(2, "Your experiment", "Any algorithms and settings, one run per line as in the simulator's address (<code>algo=raft&amp;election-timeout=150-155ms</code>; at most 8), each measured over the same seeds. The same figures as <code>electionscope lab --experiment NAME --run QUERY</code>. Trials are per run (and per cluster size).", &format!("<div class=\"lab-inputs\"><label for=\"experiment-kind\">Experiment</label><select id=\"experiment-kind\"><option value=\"recovery\">Time to a new leader after the leader crashes: CDF and percentiles</option><option value=\"messages\">Messages per election against cluster size (3 to 25), cold start and after a crash</option><option value=\"faults\">Random partitions and pauses for 60 s: two leaders, lost updates with and without fencing, no leader</option></select><label for=\"experiment-runs\">Runs</label><textarea id=\"experiment-runs\" rows=\"8\" spellcheck=\"false\">{runs}</textarea></div>")) }
        </main>
    }
}
