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

/// Least wall time between redraws of the space-time diagram's newest tiles (those
/// with messages in flight) while playing a big cluster. The diagram still slides every
/// frame; arrows in flight grow in steps. Small clusters redraw them every frame.
const LAMPORT_LIVE_REFRESH_BIG_MS: f64 = 100.0;
/// Least wall time between narration refreshes while playing: the trace grows every
/// frame, and five updates a second read the same. Big clusters refresh twice a
/// second: there, relaying out the list was what still cost frames.
const NARRATION_REFRESH_MS: f64 = 200.0;
const NARRATION_REFRESH_BIG_MS: f64 = 500.0;
/// Narration lines rendered (the trace window holds far more).
const NARRATION_LINES: usize = 120;
/// While playing, fewer: nobody reads line 40 of a list that scrolls every frame, and
/// laying out 120 wrapped lines ten times a second costs frames at 25 nodes.
const NARRATION_LINES_PLAYING: usize = 40;

type FrameSlot = Rc<RefCell<Option<AnimationFrame>>>;
/// Wall time one slice of the fingerprint job may take before it yields to the page.
const FINGERPRINT_SLICE_MS: f64 = 8.0;
/// Events handled between checks of the slice's wall time.
const FINGERPRINT_STEP_EVENTS: u64 = 2_000;
/// The last space-time diagram drawn and the wall-clock instant its unfinished tiles
/// were last redrawn.
type LamportCache = Rc<RefCell<Option<(Rc<viewmodel::LamportVm>, f64)>>>;
/// The narration lines last built, the filter they were built for, and when.
type NarrationCache =
    Rc<RefCell<Option<(Rc<Vec<viewmodel::Line>>, Vec<viewmodel::Category>, f64)>>>;

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
    job: Rc<state::FingerprintJob>,
    duration: electionscope::sim::Micros,
    slot: Rc<RefCell<Option<gloo_timers::callback::Timeout>>>,
    dispatch: UseReducerDispatcher<Model>,
) {
    let started = wall_now();
    loop {
        let done = job
            .0
            .borrow_mut()
            .advance_within(duration, FINGERPRINT_STEP_EVENTS);
        if done {
            let hash = job.0.borrow().trace_hash();
            dispatch.dispatch(Msg::Fingerprint(job, hash));
            return;
        }
        if wall_now() - started > FINGERPRINT_SLICE_MS {
            break;
        }
    }
    let next_slot = slot.clone();
    let timeout = gloo_timers::callback::Timeout::new(0, move || {
        fingerprint_slice(job, duration, next_slot, dispatch);
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
        "End" => Msg::Seek(model.horizon),
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
            (id as usize <= model.view.nodes.len()).then_some(Msg::Select(Some(id)))?
        }
        "c" | "C" => {
            let n = selected?;
            match model.view.nodes.get(n as usize - 1)?.status {
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

    // The fingerprint is computed in slices between frames, never in one go: a long
    // `duration` in a link must not hold the page.
    let fingerprint_timer = use_mut_ref(|| None);
    {
        let job = model.fingerprint_job.clone();
        let (duration, dispatch) = (model.config.duration, model.dispatcher());
        let key = job.as_ref().map(|j| Rc::as_ptr(j) as usize);
        use_effect_with(key, move |_| {
            if let Some(job) = job {
                fingerprint_slice(job, duration, fingerprint_timer.clone(), dispatch);
            }
            move || {
                fingerprint_timer.borrow_mut().take();
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
            model.config.algo,
            model.config.nodes,
            model.config.settings.clone(),
            model.config.seed,
        ),
        |_| viewmodel::layout_for(&model.config),
    );
    // The built-in scenario's description, parsed once per scenario choice.
    let scenario_text = use_memo(model.config.scenario.clone(), |spec| {
        spec.as_deref()
            .and_then(electionscope::scenario::builtin)
            .and_then(|b| electionscope::scenario::Scenario::parse(b.text).ok())
            .map(|s| s.description)
    });
    let run = model.sim.0.borrow();
    let trace = run.trace();
    let view = &model.view;
    let nodes = Rc::new(viewmodel::nodes(view, &layout, model.config.algo));
    let msgs = Rc::new(viewmodel::messages(view, trace, &layout));
    let banner = viewmodel::banner(view, trace, model.config.algo);
    let on_node = {
        let d = model.dispatcher();
        let selected = model.selected;
        Callback::from(move |id| {
            d.dispatch(Msg::Select(if selected == Some(id) {
                None
            } else {
                Some(id)
            }))
        })
    };
    // Stable across renders, so memoised children are not re-rendered for a new closure.
    let on_seek = {
        let d = model.dispatcher();
        use_callback((), move |t, _| d.dispatch(Msg::Seek(t)))
    };
    let lamport_cache: LamportCache = use_mut_ref(|| None);
    let narration_cache: NarrationCache = use_mut_ref(|| None);
    let cluster = html! {
        <Cluster nodes={nodes} msgs={msgs} layout={layout.clone()} partition={view.partition.clone()} cuts={view.cuts.clone()}
            selected={model.selected} split={model.split.clone()} on_node={on_node}
            algo={model.config.algo} storage={view.storage.clone()} />
    };
    let fingerprint = html! {
        <span class="fingerprint" title={format!("Trace hash of this seed and scenario over {}: the CLI prints the same for `electionscope run --json` with these settings", electionscope::sim::Human(model.config.duration))}>
            { "fingerprint " }
            if let Some(hash) = &model.fingerprint {
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
                <h1 class="visually-hidden">{ format!("ElectionScope: {}", model.config.algo.title) }</h1>
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
                    <a class="open-full" href={url::full_link(&model.config, model.speed, false)} target="_blank" rel="noopener">{ "ElectionScope ↗" }</a>
                </div>
            </main>
        };
    }

    let wall_ms = wall_now();
    let cached_lines = narration_cache
        .borrow()
        .as_ref()
        .filter(|(_, shown, at)| {
            let every = if view.nodes.len() > 9 {
                NARRATION_REFRESH_BIG_MS
            } else {
                NARRATION_REFRESH_MS
            };
            model.playing && *shown == model.shown && wall_ms - at < every
        })
        .map(|(lines, _, _)| lines.clone());
    let lines = cached_lines.unwrap_or_else(|| {
        let limit = if model.playing {
            NARRATION_LINES_PLAYING
        } else {
            NARRATION_LINES
        };
        let lines = Rc::new(viewmodel::narration(trace, &model.shown, limit));
        *narration_cache.borrow_mut() = Some((lines.clone(), model.shown.clone(), wall_ms));
        lines
    });
    let window = viewmodel::lamport_window(view.nodes.len());
    // Finished tiles are kept from the last diagram; unfinished ones are redrawn every
    // frame in small clusters and ten times a second in big ones.
    let previous = lamport_cache.borrow().clone();
    let refresh = previous.as_ref().is_none_or(|(_, at)| {
        !model.playing || view.nodes.len() <= 9 || wall_ms - at >= LAMPORT_LIVE_REFRESH_BIG_MS
    });
    let drawn = viewmodel::lamport(
        view,
        trace,
        window,
        previous.as_ref().map(|(vm, _)| vm.as_ref()),
        refresh,
    );
    let at = match &previous {
        Some((_, at)) if !refresh => *at,
        _ => wall_ms,
    };
    let lamport = match previous {
        Some((vm, _)) if *vm == drawn => vm,
        _ => Rc::new(drawn),
    };
    *lamport_cache.borrow_mut() = Some((lamport.clone(), at));
    let stats = viewmodel::stats(view, run.stats(), model.config.algo);
    let copy = {
        let (cfg, speed, d) = (model.config.clone(), model.speed, model.dispatcher());
        Callback::from(move |_: MouseEvent| {
            let link = url::full_link(&cfg, speed, false);
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&link);
            }
            d.dispatch(Msg::Toast(Some(format!("Link copied: {link}"))));
        })
    };
    let new_seed = {
        let d = model.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::NewSeed(electionscope::fresh_seed())))
    };
    let close_help = {
        let d = model.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::Help(false)))
    };
    html! {
        <div class="app">
            <header>
                <h1>{ "ElectionScope" }</h1>
                <span class="algo" id="algo-title">{ model.config.algo.title }</span>
                <div class="header-actions">
                    { fingerprint }
                    <button id="new-seed" onclick={new_seed} title="New seed (N)">{ format!("New seed ({})", model.config.seed) }</button>
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
                    if let Some(n) = model.selected {
                        <NodeActions model={model.clone()} node={n} />
                    } else {
                        <p class="hint panel">{ "Click a node (or press 1–9) to crash, pause, isolate or write to it." }</p>
                    }
                    <Narration lines={lines} shown={model.shown.clone()} on_toggle={{ let d = model.dispatcher(); Callback::from(move |c| d.dispatch(Msg::ToggleCategory(c))) }} on_seek={on_seek.clone()} />
                </aside>
            </main>
            <Playback model={model.clone()} />
            <Stats stats={stats} />
            <Lamport vm={lamport} on_seek={on_seek} algo={model.config.algo} />
            <div class="panels">
                <NetworkPanel dispatch={model.dispatcher()} nodes={view.nodes.len()} service={view.nodes.iter().find(|n| n.service).map(|n| (n.id, n.name.clone()))} leader={view.leader.map(|(l, _)| l)}
                    split={model.split.clone()} partition={view.partition.clone()} cuts={view.cuts.len()}
                    latency={view.latency} drop_ppm={view.drop_ppm} />
                <SetupPanel dispatch={model.dispatcher()} config={model.config.clone()} />
            </div>
            <Legend algo={model.config.algo} storage={model.config.storage != electionscope::sim::StorageMode::Off} />
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
