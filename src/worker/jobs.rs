use electionscope::config::SimConfig;
use electionscope::link::decode_actions;
use electionscope::sim::RecordedAction;
use electionscope::{diagram_svg, experiment, trace_file};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn get(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(data: &JsValue, key: &str) -> String {
    get(data, key).as_string().unwrap_or_default()
}

fn reply(scope: &DedicatedWorkerGlobalScope, fields: &[(&str, JsValue)]) {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    let _ = scope.post_message(&o);
}

fn reply_report(scope: &DedicatedWorkerGlobalScope, report: experiment::Report) {
    reply(
        scope,
        &[
            ("kind", "done".into()),
            ("html", report.html.into()),
            ("svg", report.svg.into()),
            ("csv", report.csv.into()),
        ],
    );
}

/// A lab job's trials (`default` if absent, at most `most`) and first seed.
fn trials_and_seed(data: &JsValue, default: f64, most: f64) -> (u32, u64) {
    let trials = get(data, "trials")
        .as_f64()
        .unwrap_or(default)
        .clamp(1.0, most) as u32;
    let seed = get(data, "seed").as_f64().unwrap_or(1.0).max(0.0) as u64;
    (trials, seed)
}

/// The run a job names: the page's settings (strict: a bad value is an error, not a
/// default) and the user's actions.
fn run_of(data: &JsValue) -> Result<(SimConfig, Vec<RecordedAction>), String> {
    let cfg = SimConfig::from_query_strict(&text(data, "query"))?;
    let actions = decode_actions(&text(data, "acts"))?;
    Ok((cfg, actions))
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) -> Result<(), String> {
    let mut progress = |share: f64| {
        reply(
            scope,
            &[("kind", "progress".into()), ("share", share.into())],
        )
    };
    match text(data, "job").as_str() {
        "trace" => {
            let (cfg, actions) = run_of(data)?;
            let file =
                trace_file::write(&cfg, &actions, trace_file::MAX_EXPORT_EVENTS, &mut progress)?;
            reply(scope, &[("kind", "done".into()), ("text", file.into())]);
        }
        "diagram" => {
            let (cfg, actions) = run_of(data)?;
            let at = |k: &str| get(data, k).as_f64().unwrap_or(0.0).max(0.0) as u64;
            let svg = diagram_svg::render(&cfg, &actions, at("from"), at("to"), &mut progress)?;
            reply(scope, &[("kind", "done".into()), ("text", svg.into())]);
        }
        "import" => {
            let file: web_sys::File = get(data, "file")
                .dyn_into()
                .map_err(|_| "no file was given".to_string())?;
            if file.size() > trace_file::MAX_TRACE_BYTES as f64 {
                return Err(format!(
                    "the file is {:.0} MB; the page reads trace files up to {} MB",
                    file.size() / 1048576.0,
                    trace_file::MAX_TRACE_BYTES >> 20
                ));
            }
            let reader = web_sys::FileReaderSync::new().map_err(|_| "cannot read files here")?;
            let contents = reader
                .read_as_text(&file)
                .map_err(|_| "the file could not be read as text".to_string())?;
            let parsed = trace_file::read(&contents)?;
            trace_file::verify(&parsed, &mut progress).map_err(|e| {
                format!("this version of ElectionScope does not make the run the file holds: {e}")
            })?;
            reply(
                scope,
                &[
                    ("kind", "done".into()),
                    ("query", parsed.config.to_query().into()),
                    (
                        "acts",
                        electionscope::link::encode_actions(&parsed.actions).into(),
                    ),
                    ("at", (parsed.last_time() as f64).into()),
                    ("events", (parsed.events.len() as f64).into()),
                ],
            );
        }
        "table" => {
            let (trials, seed) = trials_and_seed(data, 20.0, 1000.0);
            let algos: Vec<electionscope::algo::Algo> = electionscope::algo::Algo::all().collect();
            let count = algos.len() as f64;
            let mut rows = Vec::new();
            for (i, algo) in algos.into_iter().enumerate() {
                let row = electionscope::table::measure_with_progress(
                    algo,
                    trials,
                    seed,
                    &mut |share| progress((i as f64 + share) / count),
                )?;
                rows.push(row);
            }
            reply(
                scope,
                &[
                    ("kind", "done".into()),
                    (
                        "html",
                        electionscope::table::to_html(&rows, trials, seed).into(),
                    ),
                    (
                        "markdown",
                        electionscope::table::to_markdown(&rows, trials, seed).into(),
                    ),
                ],
            );
        }
        "fingerprint" => {
            // A long run's fingerprint, in this speed-built worker: the same hash as
            // the page's own slices and the CLI's.
            let (cfg, actions) = run_of(data)?;
            let hash = trace_file::fingerprint(&cfg, &actions, &mut progress)?;
            reply(scope, &[("kind", "done".into()), ("hash", hash.into())]);
        }
        "figure16" => {
            let (trials, seed) = trials_and_seed(data, 100.0, 10_000.0);
            let rows = electionscope::lab::figure16(trials, seed, &mut progress)?;
            reply_report(scope, electionscope::lab::figure16_report(&rows, trials));
        }
        "experiment" => {
            let (trials, seed) = trials_and_seed(data, 20.0, 1000.0);
            let kind = experiment::Kind::parse(&text(data, "experiment"))?;
            let runs = experiment::parse_runs(&text(data, "runs"))?;
            reply_report(
                scope,
                experiment::run(kind, &runs, trials, seed, &mut progress)?,
            );
        }
        other => return Err(format!("unknown job '{other}'")),
    }
    Ok(())
}

pub fn listen() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let answer = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        if let Err(message) = handle(&answer, &e.data()) {
            reply(
                &answer,
                &[("kind", "error".into()), ("message", message.into())],
            );
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Tells the page the worker is ready for jobs.
    reply(&scope, &[("kind", "ready".into())]);
}
