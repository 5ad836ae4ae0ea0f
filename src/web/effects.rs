//! The page's effects: everything that reaches outside the reducer (animation
//! frames, the fingerprint's background run, the address bar, keyboard shortcuts),
//! each a hook that `App` calls once.

use super::paint::Hub;
use super::state::{Model, Msg, NUDGE};
use super::url;
use electionscope::sim::{Action, NodeStatus, Target};
use gloo_render::{AnimationFrame, request_animation_frame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

type FrameSlot = Rc<RefCell<Option<AnimationFrame>>>;
/// Wall time one slice of the fingerprint job may take before it yields to the page.
const FINGERPRINT_SLICE_MS: f64 = 8.0;
/// Wall time between progress reports: each one re-renders the page.
const FINGERPRINT_REPORT_MS: f64 = 250.0;
/// Events handled between checks of the slice's wall time.
const FINGERPRINT_STEP_EVENTS: u64 = 2_000;
/// The newest handle on the model, renewed on each render of the app. A handle keeps
/// every state it has been read in until it is dropped, so the loop must not hold one
/// for the page's life: renewed with the page's redraws, it holds a few frames' worth.
type ModelSlot = Rc<RefCell<Option<UseReducerHandle<Model>>>>;

/// Requests one frame that advances the model, paints the canvases and requests the
/// next: the loop lives exactly as long as the handle in `slot`. Dropping the handle
/// cancels it.
fn schedule_frames(slot: FrameSlot, model: ModelSlot, hub: Hub, redraw_ms: Rc<Cell<f64>>) {
    let next_slot = slot.clone();
    let handle = request_animation_frame(move |ts| {
        let newest = model.borrow().clone();
        if let Some(newest) = newest {
            newest.dispatch(Msg::Frame(ts, redraw_ms.get()));
            // What moves every frame is painted here, from the model the frame left,
            // without a render of the app.
            hub.paint_frame(&newest);
            // The page's redraw, when due, runs in a task after this frame: the frame
            // stays short, and the redraw's own work lands between frames. What it
            // costs sets how soon the next one comes.
            if newest.redraw_due {
                let dispatch = newest.dispatcher();
                let redraw_ms = redraw_ms.clone();
                gloo_timers::callback::Timeout::new(0, move || {
                    let start = wall_now();
                    dispatch.dispatch(Msg::Redraw);
                    // Yew renders in a microtask queued by the dispatch; this one runs
                    // after it.
                    let done = wasm_bindgen::closure::Closure::once_into_js(move || {
                        // The new text is laid out now, between frames, rather than in
                        // the next frame on top of its own work (reading a laid-out
                        // size makes the browser restyle and lay out at once), and what
                        // that costs counts with the render.
                        if let Some(body) = gloo_utils_document().body() {
                            let _ = body.offset_height();
                        }
                        let cost = wall_now() - start;
                        redraw_ms.set(electionscope::frame::redraw_cost(redraw_ms.get(), cost));
                    });
                    if let Some(window) = web_sys::window() {
                        window.queue_microtask(wasm_bindgen::JsCast::unchecked_ref(&done));
                    }
                })
                .forget();
            }
        }
        schedule_frames(next_slot, model, hub, redraw_ms);
    });
    *slot.borrow_mut() = Some(handle);
}

pub fn wall_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs at least this long (virtual time) are fingerprinted in the compute worker,
/// which is built for speed (an hour of Raft in about half the time of the page's own
/// slices) but is a second download; shorter ones in slices here.
const WORKER_FINGERPRINT_FROM: electionscope::sim::Micros = 10 * 60 * electionscope::sim::SEC;

/// The fingerprint job: in slices here (the listener of the message port it wakes
/// itself with) or in the compute worker. Dropping it (new settings) removes the
/// listener, so a slice already posted never runs, and stops the worker.
enum FingerprintLoop {
    Slices {
        _wake: gloo_events::EventListener,
    },
    Worker {
        worker: web_sys::Worker,
        _listener: gloo_events::EventListener,
    },
}

impl Drop for FingerprintLoop {
    fn drop(&mut self) {
        if let FingerprintLoop::Worker { worker, .. } = self {
            worker.terminate();
        }
    }
}

/// The fingerprint computed in the compute worker; `None` if it cannot start.
fn start_worker_fingerprint(
    config: &electionscope::config::SimConfig,
    actions: &[electionscope::sim::RecordedAction],
    generation: u64,
    dispatch: UseReducerDispatcher<Model>,
) -> Option<FingerprintLoop> {
    let message = super::paint::object(&[
        ("job", "fingerprint".into()),
        ("query", config.to_query().into()),
        ("acts", electionscope::link::encode_actions(actions).into()),
    ]);
    let (worker, listener) = super::jobs::spawn(message, move |kind, data| {
        let field = |k| super::jobs::field(&data, k);
        match kind {
            "progress" => {
                let share = field("share").as_f64().unwrap_or(0.0);
                dispatch.dispatch(Msg::FingerprintProgress(
                    generation,
                    (share * 100.0).min(99.0) as u8,
                ));
            }
            "done" => dispatch.dispatch(Msg::Fingerprint(
                generation,
                field("hash").as_string().unwrap_or_default(),
            )),
            _ => dispatch.dispatch(Msg::Fingerprint(
                generation,
                format!(
                    "error: {}",
                    field("message")
                        .as_string()
                        .unwrap_or_else(|| "the worker stopped".into())
                ),
            )),
        }
    })?;
    Some(FingerprintLoop::Worker {
        worker,
        _listener: listener,
    })
}

/// Advances the fingerprint job for one slice of wall time, then reports the hash or
/// yields to the page and carries on. It yields by posting itself a message, not with
/// `setTimeout(0)`, which browsers clamp to 4 ms once timeouts nest: a third of the
/// page's fingerprint time went to waiting.
fn start_fingerprint(
    job: Box<dyn electionscope::run::Run>,
    generation: u64,
    duration: electionscope::sim::Micros,
    dispatch: UseReducerDispatcher<Model>,
) -> Option<FingerprintLoop> {
    let channel = web_sys::MessageChannel::new().ok()?;
    let (wake_port, post_port) = (channel.port1(), channel.port2());
    let job = RefCell::new((job, wall_now()));
    let poster = post_port.clone();
    let wake = gloo_events::EventListener::new(&wake_port, "message", move |_| {
        let (job, reported) = &mut *job.borrow_mut();
        let started = wall_now();
        if started - *reported > FINGERPRINT_REPORT_MS {
            *reported = started;
            let percent = (job.now() as f64 / duration.max(1) as f64 * 100.0).min(99.0) as u8;
            dispatch.dispatch(Msg::FingerprintProgress(generation, percent));
        }
        loop {
            if job.advance_within(duration, FINGERPRINT_STEP_EVENTS) {
                dispatch.dispatch(Msg::Fingerprint(generation, job.trace_hash()));
                return;
            }
            if wall_now() - started > FINGERPRINT_SLICE_MS {
                break;
            }
        }
        let _ = poster.post_message(&JsValue::NULL);
    });
    // A port listened to with addEventListener delivers nothing until started.
    wake_port.start();
    post_port.post_message(&JsValue::NULL).ok()?;
    Some(FingerprintLoop::Slices { _wake: wake })
}

fn keyboard(model: &UseReducerHandle<Model>, e: &KeyboardEvent) -> Option<Msg> {
    let selected = model.selected;
    let shift = e.shift_key();
    let sel_or_leader = selected.map(Target::Node).unwrap_or(Target::Leader);
    Some(match e.key().as_str() {
        "z" | "Z" if e.ctrl_key() || e.meta_key() => Msg::Undo,
        " " | "k" => Msg::TogglePlay,
        "ArrowRight" if shift => Msg::SeekBy(10 * NUDGE),
        "ArrowRight" | "." => Msg::Step,
        "ArrowLeft" => Msg::SeekBy(if shift { -10 * NUDGE } else { -NUDGE }),
        ">" => Msg::NextMoment,
        "<" => Msg::PrevMoment,
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
        "l" | "L" => Msg::Act(Action::Isolate {
            target: Target::Leader,
        }),
        "m" | "M" => {
            let view = model.view();
            let service = view.nodes.iter().find(|n| n.service).map(|n| n.id);
            let side = electionscope::viewmodel::leader_side(
                view.nodes.len() as u32,
                service,
                view.leader.map(|(l, _)| l),
                shift,
            );
            Msg::Act(Action::Partition { groups: vec![side] })
        }
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

/// The animation loop runs only while playing and visible, so an idle or background
/// page costs nothing. Browsers throttle frames in hidden tabs anyway; dropping the
/// handle makes it certain and does not depend on the browser's policy.
#[hook]
pub fn use_animation(model: &UseReducerHandle<Model>, hub: &Hub) {
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
    let newest: ModelSlot = use_mut_ref(|| None);
    *newest.borrow_mut() = Some(model.clone());
    let frames: FrameSlot = use_mut_ref(|| None);
    // What the page's redraws cost (their render, averaged), for the loop's lifetime.
    let redraw_ms = use_memo((), |_| Rc::new(Cell::new(0.0)));
    {
        let (frames, hub, redraw_ms) = (frames.clone(), hub.clone(), (*redraw_ms).clone());
        use_effect_with(
            model.playing && *visible && model.in_view,
            move |run_loop| {
                if *run_loop {
                    schedule_frames(frames.clone(), newest, hub, redraw_ms);
                }
                move || {
                    frames.borrow_mut().take();
                }
            },
        );
    }
}

/// The fingerprint of a new run, computed in slices between frames or, for a long
/// run, in the compute worker (a long `duration` in a link must not hold the page).
#[hook]
pub fn use_fingerprint(model: &UseReducerHandle<Model>) {
    let fingerprint_loop = use_mut_ref(|| None::<FingerprintLoop>);
    {
        let (config, dispatch) = (model.config().clone(), model.dispatcher());
        // What the user did is part of the run: the fingerprint follows each action.
        let actions = model.pane().sim.0.borrow().actions().to_vec();
        use_effect_with((model.generation, actions), move |(generation, actions)| {
            let generation = *generation;
            let in_worker = if config.duration >= WORKER_FINGERPRINT_FROM {
                start_worker_fingerprint(&config, actions, generation, dispatch.clone())
            } else {
                None
            };
            *fingerprint_loop.borrow_mut() = match in_worker {
                Some(job) => Some(job),
                None => match electionscope::run::build_forward(&config).and_then(|mut job| {
                    job.load_actions(actions.clone())?;
                    Ok(job)
                }) {
                    Ok(job) => start_fingerprint(job, generation, config.duration, dispatch),
                    Err(e) => {
                        dispatch.dispatch(Msg::Fingerprint(generation, format!("error: {e}")));
                        None
                    }
                },
            };
            move || {
                fingerprint_loop.borrow_mut().take();
            }
        });
    }
}

/// The address bar follows the settings and the speed, so a reload or a copied
/// address reproduces the run. Not on the first render: the page keeps the link it was
/// opened with (with its autoplay and time) until the user changes something.
#[hook]
pub fn use_address_bar(model: &UseReducerHandle<Model>) {
    let written = use_mut_ref(|| None);
    {
        let key = (
            model.config().clone(),
            model.speed,
            model.embed.then(|| model.embed_options.clone()),
            model.lesson.as_ref().map(|l| l.source.clone()),
            // What the user did: a reload replays it.
            model.pane().sim.0.borrow().actions().to_vec(),
            model.compare.clone(),
        );
        use_effect_with(key, move |key| {
            let first = written.borrow().is_none();
            *written.borrow_mut() = Some(());
            if !first {
                url::replace(url::Link {
                    config: &key.0,
                    speed: key.1,
                    embed: key.2.as_ref(),
                    lesson: key.3.as_ref(),
                    actions: &key.4,
                    at: None,
                    compare: &key.5,
                });
            }
        });
    }
}

/// An embed plays only while at least half of it is on screen: scrolled into view it
/// starts (with `autoplay`), scrolled away it pauses, so the reader sees the moment
/// the author linked. The observer's implicit root is the top-level viewport, so
/// this holds inside an iframe on another site too.
#[hook]
pub fn use_in_view(model: &UseReducerHandle<Model>) {
    let embed = model.embed;
    let dispatch = model.dispatcher();
    use_effect_with(embed, move |&embed| {
        let mut keep = None;
        if embed
            && let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
        {
            let on_change = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
                move |entries: js_sys::Array| {
                    let seen = entries.iter().any(|e| {
                        wasm_bindgen::JsCast::dyn_into::<web_sys::IntersectionObserverEntry>(e)
                            .is_ok_and(|e| e.intersection_ratio() >= 0.5)
                    });
                    dispatch.dispatch(Msg::InView(seen));
                },
            );
            let options = web_sys::IntersectionObserverInit::new();
            options.set_threshold(&js_sys::Array::of2(&0.0.into(), &0.5.into()));
            if let Ok(observer) = web_sys::IntersectionObserver::new_with_options(
                wasm_bindgen::JsCast::unchecked_ref(on_change.as_ref()),
                &options,
            ) {
                observer.observe(&root);
                keep = Some((observer, on_change));
            }
        }
        move || {
            if let Some((observer, _)) = keep {
                observer.disconnect();
            }
        }
    });
}

/// Keyboard shortcuts, except while typing in a form field. One listener for the
/// page's life; it reads the newest model through `latest` rather than being
/// re-registered on every frame.
#[hook]
pub fn use_shortcuts(model: &UseReducerHandle<Model>) {
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
                    // Browser and system shortcuts stay theirs, except undo.
                    let undo = (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("z");
                    if (e.ctrl_key() || e.meta_key() || e.alt_key()) && !undo {
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
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}
