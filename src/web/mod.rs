//! The browser app. Data flows one way: the reducer's run produces a ClusterView and
//! a trace window; `electionscope::viewmodel` turns them into drawables; components
//! draw them and dispatch actions. Nothing here reaches into an engine.

mod cluster;
mod controls;
mod message_layer;
mod panels;
mod state;
mod url;

use cluster::Cluster;
use controls::{Help, NetworkPanel, NodeActions, Playback, SetupPanel};
use electionscope::algo::Algo;
use electionscope::frame::DisplayCache;
use electionscope::sim::{Action, NodeStatus, Target};
use electionscope::viewmodel;
use gloo_render::{AnimationFrame, request_animation_frame};
use panels::{Banner, Lamport, Narration, Stats, send};
use state::{Model, Msg, NUDGE};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

pub fn start() {
    yew::Renderer::<App>::new().render();
}

type FrameSlot = Rc<RefCell<Option<AnimationFrame>>>;
/// Wall time one slice of the fingerprint job may take before it yields to the page.
const FINGERPRINT_SLICE_MS: f64 = 8.0;
/// Events handled between checks of the slice's wall time.
const FINGERPRINT_STEP_EVENTS: u64 = 2_000;
/// Requests one frame that dispatches and requests the next: the loop lives exactly as
/// long as the handle in `slot`. Dropping the handle cancels it.
fn schedule_frames(slot: FrameSlot, dispatch: UseReducerDispatcher<Model>) {
    let next_slot = slot.clone();
    let handle = request_animation_frame(move |ts| {
        dispatch.dispatch(Msg::Frame(ts));
        schedule_frames(next_slot, dispatch);
    });
    *slot.borrow_mut() = Some(handle);
}

fn wall_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Advances the fingerprint job for one slice of wall time, then either reports the
/// hash or yields to the page with a zero-delay timeout and carries on. The loop lives
/// as long as the timeout handle in `slot`: dropping it (new settings) cancels it.
fn fingerprint_slice(
    mut job: Box<dyn electionscope::run::Run>,
    generation: u64,
    duration: electionscope::sim::Micros,
    slot: Rc<RefCell<Option<gloo_timers::callback::Timeout>>>,
    dispatch: UseReducerDispatcher<Model>,
) {
    let started = wall_now();
    loop {
        if job.advance_within(duration, FINGERPRINT_STEP_EVENTS) {
            dispatch.dispatch(Msg::Fingerprint(generation, job.trace_hash()));
            return;
        }
        if wall_now() - started > FINGERPRINT_SLICE_MS {
            break;
        }
    }
    let next_slot = slot.clone();
    let timeout = gloo_timers::callback::Timeout::new(0, move || {
        fingerprint_slice(job, generation, duration, next_slot, dispatch);
    });
    *slot.borrow_mut() = Some(timeout);
}

fn keyboard(model: &UseReducerHandle<Model>, e: &KeyboardEvent) -> Option<Msg> {
    let selected = model.selected;
    let shift = e.shift_key();
    let sel_or_leader = selected.map(Target::Node).unwrap_or(Target::Leader);
    Some(match e.key().as_str() {
        " " | "k" => Msg::TogglePlay,
        "ArrowRight" if shift => Msg::SeekBy(10 * NUDGE),
        "ArrowRight" | "." => Msg::Step,
        "ArrowLeft" => Msg::SeekBy(if shift { -10 * NUDGE } else { -NUDGE }),
        "Home" => Msg::Seek(0),
        "End" => Msg::Seek(model.horizon()),
        "+" | "=" | "]" => Msg::Faster,
        "-" | "[" => Msg::Slower,
        "r" | "R" => Msg::Reset,
        "n" | "N" => Msg::NewSeed(electionscope::fresh_seed()),
        "?" => Msg::Help(!model.help),
        "Escape" => {
            if model.help {
                Msg::Help(false)
            } else {
                Msg::Select(None)
            }
        }
        "h" | "H" => Msg::Act(Action::Heal),
        "w" | "W" => Msg::Act(Action::Write {
            target: sel_or_leader,
        }),
        k if k.len() == 1 && k.chars().all(|c| c.is_ascii_digit() && c != '0') => {
            let id: u32 = k.parse().ok()?;
            (id as usize <= model.view().nodes.len()).then_some(Msg::Select(Some(id)))?
        }
        "c" | "C" => {
            let n = selected?;
            match model.view().nodes.get(n as usize - 1)?.status {
                NodeStatus::Crashed => Msg::Act(Action::Restart {
                    target: Target::Node(n),
                }),
                _ => Msg::Act(Action::Crash {
                    target: Target::Node(n),
                }),
            }
        }
        "p" | "P" => Msg::Act(Action::Pause {
            target: Target::Node(selected?),
            duration: 1_000_000,
        }),
        "t" | "T" => Msg::Act(Action::Timeout {
            target: Target::Node(selected?),
        }),
        "i" | "I" => Msg::Act(Action::Isolate {
            target: Target::Node(selected?),
        }),
        _ => return None,
    })
}

#[function_component(App)]
pub fn app() -> Html {
    let model = use_reducer(|| {
        let loaded = url::load();
        Model::new(
            loaded.config,
            loaded.notices,
            loaded.speed,
            loaded.embed,
            loaded.autoplay,
        )
    });

    // The animation loop runs only while playing and visible, so an idle or background
    // page costs nothing. Browsers throttle frames in hidden tabs anyway; dropping the
    // handle makes it certain and does not depend on the browser's policy.
    let visible = use_state(|| !gloo_utils_document().hidden());
    {
        let visible = visible.clone();
        use_effect_with((), move |_| {
            let doc = gloo_utils_document();
            let listener = gloo_events::EventListener::new(&doc, "visibilitychange", move |_| {
                visible.set(!gloo_utils_document().hidden());
            });
            move || drop(listener)
        });
    }
    let frames: FrameSlot = use_mut_ref(|| None);
    {
        let (frames, dispatch) = (frames.clone(), model.dispatcher());
        use_effect_with(model.playing && *visible, move |run_loop| {
            if *run_loop {
                schedule_frames(frames.clone(), dispatch);
            }
            move || {
                frames.borrow_mut().take();
            }
        });
    }

    // Effects of a new run: the fingerprint, computed in slices between frames (a
    // long `duration` in a link must not hold the page), and nothing else.
    let fingerprint_timer = use_mut_ref(|| None);
    {
        let (config, dispatch) = (model.config().clone(), model.dispatcher());
        use_effect_with(model.generation, move |&generation| {
            match electionscope::run::build(&config, 0) {
                Ok(job) => fingerprint_slice(
                    job,
                    generation,
                    config.duration,
                    fingerprint_timer.clone(),
                    dispatch,
                ),
                Err(e) => dispatch.dispatch(Msg::Fingerprint(generation, format!("error: {e}"))),
            }
            move || {
                fingerprint_timer.borrow_mut().take();
            }
        });
    }
    // The address bar follows the settings and the speed, so a reload or a copied
    // address reproduces the run. Not on the first render: the page keeps the link it
    // was opened with (with its autoplay and time) until the user changes something.
    let written = use_mut_ref(|| None);
    {
        let key = (model.config().clone(), model.speed, model.embed);
        use_effect_with(key, move |key| {
            let first = written.borrow().is_none();
            *written.borrow_mut() = Some(());
            if !first {
                url::replace(&key.0, key.1, key.2);
            }
        });
    }

    // Keyboard shortcuts, except while typing in a form field. One listener for the
    // page's life; it reads the newest model through `latest` rather than being
    // re-registered on every frame.
    let latest = use_mut_ref(|| model.clone());
    *latest.borrow_mut() = model.clone();
    {
        let latest = latest.clone();
        use_effect_with((), move |_| {
            let doc = gloo_utils_document();
            let options = gloo_events::EventListenerOptions::enable_prevent_default();
            let listener =
                gloo_events::EventListener::new_with_options(&doc, "keydown", options, move |e| {
                    let Some(e) = wasm_bindgen::JsCast::dyn_ref::<KeyboardEvent>(e) else {
                        return;
                    };
                    if e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    let tag = e
                        .target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        .map(|el| el.tag_name())
                        .unwrap_or_default();
                    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
                        return;
                    }
                    if tag == "BUTTON" && (e.key() == " " || e.key() == "Enter") {
                        return; // let buttons handle their own activation
                    }
                    // Cloned out so no borrow is held while dispatch re-renders.
                    let model = latest.borrow().clone();
                    if let Some(msg) = keyboard(&model, e) {
                        e.prevent_default();
                        model.dispatch(msg);
                    }
                });
            move || drop(listener)
        });
    }

    let layout = use_memo(
        (
            model.config().algo,
            model.config().nodes,
            model.config().settings.clone(),
            model.config().seed,
        ),
        |_| viewmodel::layout_for(model.config()),
    );
    // The built-in scenario's description, parsed once per scenario choice.
    let scenario_text = use_memo(model.config().scenario.clone(), |spec| {
        spec.as_deref()
            .and_then(electionscope::scenario::builtin)
            .and_then(|b| electionscope::scenario::Scenario::parse(b.text).ok())
            .map(|s| s.description)
    });
    // Callbacks are built once, so components whose props did not change are not
    // re-rendered for a new closure.
    let on_node = {
        let d = model.dispatcher();
        use_callback((), move |id, _| d.dispatch(Msg::ToggleSelect(id)))
    };
    let on_seek = {
        let d = model.dispatcher();
        use_callback((), move |t, _| d.dispatch(Msg::Seek(t)))
    };
    let on_toggle_category = {
        let d = model.dispatcher();
        use_callback((), move |c, _| d.dispatch(Msg::ToggleCategory(c)))
    };
    let new_seed = {
        let d = model.dispatcher();
        use_callback((), move |_: MouseEvent, _| {
            d.dispatch(Msg::NewSeed(electionscope::fresh_seed()))
        })
    };
    let close_help = {
        let d = model.dispatcher();
        use_callback((), move |_: MouseEvent, _| d.dispatch(Msg::Help(false)))
    };
    let copy = {
        let d = model.dispatcher();
        let key = (model.config().clone(), model.speed);
        use_callback(key, move |_: MouseEvent, (cfg, speed)| {
            let link = url::full_link(cfg, *speed, false);
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&link);
            }
            d.dispatch(Msg::Toast(Some(format!("Link copied: {link}"))));
        })
    };
    let display: Rc<RefCell<DisplayCache>> = use_mut_ref(DisplayCache::default);
    let pane = model.pane();
    let run = pane.sim.0.borrow();
    let trace = run.trace();
    let view = &pane.view;
    let algo = pane.config.algo;
    let nodes = Rc::new(viewmodel::nodes(view, &layout, algo));
    let msgs = Rc::new(viewmodel::messages(view, trace, &layout));
    let banner = viewmodel::banner(view, trace, algo);
    let cluster = html! {
        <Cluster nodes={nodes} msgs={msgs} layout={layout.clone()} partition={view.partition.clone()} cuts={view.cuts.clone()}
            selected={model.selected} split={model.split.clone()} on_node={on_node}
            algo={algo} storage={view.storage.clone()} />
    };
    let fingerprint = html! {
        <span class="fingerprint" title={format!("Trace hash of this seed and scenario over {}: the CLI prints the same for `electionscope run --json` with these settings", electionscope::sim::Human(pane.config.duration))}>
            { "fingerprint " }
            if let Some(hash) = &pane.fingerprint {
                <code id="trace-hash">{ hash }</code>
            } else {
                <code class="computing" aria-busy="true">{ "computing…" }</code>
            }
        </span>
    };
    let notices = model
        .notices
        .iter()
        .map(|n| html! { <p class="notice" role="status">{ n }</p> });

    if model.embed {
        let latest = viewmodel::narration(trace, &model.shown, 1);
        return html! {
            <main class="app embed">
                <h1 class="visually-hidden">{ format!("ElectionScope: {}", algo.title) }</h1>
                { for notices }
                <Banner banner={banner} />
                <div class="stage">{ cluster }</div>
                <p class="embed-line" aria-live="polite">{ latest.first().map(|l| l.text.clone()).unwrap_or_else(|| "Press play.".into()) }</p>
                <div class="embed-bar">
                    <button id="play" class="primary" onclick={send(&model, || Msg::TogglePlay)}>{ if model.playing { "❚❚" } else { "▶" } }</button>
                    <button id="step" onclick={send(&model, || Msg::Step)} aria-label="Step">{ "›" }</button>
                    <button id="reset" onclick={send(&model, || Msg::Reset)} aria-label="Reset">{ "⟲" }</button>
                    <span class="clock">{ electionscope::sim::time::Rounded(view.now).to_string() }</span>
                    { fingerprint }
                    <a class="open-full" href={url::full_link(&pane.config, model.speed, false)} target="_blank" rel="noopener">{ "ElectionScope ↗" }</a>
                </div>
            </main>
        };
    }

    let wall_ms = wall_now();
    let lines = display.borrow_mut().narration(
        trace,
        &model.shown,
        model.playing,
        view.nodes.len(),
        wall_ms,
    );
    let lamport = display
        .borrow_mut()
        .lamport(view, trace, model.playing, wall_ms);
    let stats = viewmodel::stats(view, run.stats(), algo);
    html! {
        <div class="app">
            <header>
                <h1>{ "ElectionScope" }</h1>
                <span class="algo" id="algo-title">{ algo.title }</span>
                <div class="header-actions">
                    { fingerprint }
                    <button id="new-seed" onclick={new_seed} title="New seed (N)">{ format!("New seed ({})", pane.config.seed) }</button>
                    <button id="copy-link" onclick={copy}>{ "Copy link" }</button>
                    <button id="help" onclick={send(&model, || Msg::Help(true))} aria-keyshortcuts="?">{ "? Help" }</button>
                </div>
            </header>
            { for notices }
            if let Some(t) = &model.toast {
                <p class="toast" role="status" onclick={send(&model, || Msg::Toast(None))}>{ t }</p>
            }
            if let Some(text) = (*scenario_text).clone() {
                <section class="scenario-text" aria-label="Scenario">{ text }</section>
            }
            <Banner banner={banner} />
            <main>
                <div class="stage">{ cluster }</div>
                <aside class="side">
                    if let Some(state) = model.selected.and_then(|n| view.nodes.get(n as usize - 1)) {
                        <NodeActions dispatch={model.dispatcher()} state={state.clone()} nodes={view.nodes.len()} {algo} />
                    } else {
                        <p class="hint panel">{ "Click a node (or press 1–9) to crash, pause, isolate or write to it." }</p>
                    }
                    <Narration lines={lines} shown={model.shown.clone()} on_toggle={on_toggle_category} on_seek={on_seek.clone()} />
                </aside>
            </main>
            <Playback dispatch={model.dispatcher()} playing={model.playing} speed={model.speed} now={pane.now()} horizon={pane.horizon} />
            <Stats stats={stats} />
            <Lamport vm={lamport} on_seek={on_seek} {algo} />
            <div class="panels">
                <NetworkPanel dispatch={model.dispatcher()} nodes={view.nodes.len()} service={view.nodes.iter().find(|n| n.service).map(|n| (n.id, n.name.clone()))} leader={view.leader.map(|(l, _)| l)}
                    split={model.split.clone()} partition={view.partition.clone()} cuts={view.cuts.len()}
                    latency={view.latency} drop_ppm={view.drop_ppm} />
                <SetupPanel dispatch={model.dispatcher()} config={pane.config.clone()} />
            </div>
            <Legend {algo} storage={pane.config.storage != electionscope::sim::StorageMode::Off} />
            if model.help {
                <Help on_close={close_help} />
            }
        </div>
    }
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    algo: Algo,
    storage: bool,
}

#[function_component(Legend)]
fn legend(p: &LegendProps) -> Html {
    let item = |class: &str, text: &str| html! { <li><svg viewBox="-10 -10 20 20" class={classes!("msg", class.to_string())}><circle r="8" /></svg>{ text.to_string() }</li> };
    html! {
        <section class="legend" aria-label="Legend">
            <ul>
                { item("vote-request", "vote request") }
                { item("vote-granted", "vote granted") }
                { item("vote-denied", "vote denied") }
                { item("heartbeat", "heartbeat") }
                { item("append", "append with entries") }
                { item("reply", "reply") }
                { item("announce", "leader announcement") }
                { item("write", "write to the storage") }
            </ul>
            <p>{ "The ring around a node drains until its election timeout. The strip under a node is its log: filled = committed, outlined = not yet, striped = a leader's no-op. " }{ p.algo.legend }</p>
            if p.storage {
                <p>{ "Leaders write to the shared storage (bottom right) with their leadership number as a fencing token; with fencing on it refuses any token below the highest it has taken." }</p>
            }
        </section>
    }
}
