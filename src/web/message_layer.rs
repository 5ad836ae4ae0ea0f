//! Messages in flight, painted on a canvas laid over the cluster's SVG.
//!
//! At 25 nodes a few hundred messages move every frame. As SVG elements each one cost
//! a virtual-DOM diff, a `setAttribute` through the JS glue and a style pass, which
//! held the frame at 33 ms. On a canvas painted by the page, clearing, blitting and
//! committing the bitmap still cost the main thread about 2 ms a frame. So the canvas
//! is handed to a worker (`static/paint-worker.js`): each frame this component posts
//! plain numbers (where each dot is, which sprite, its label and pill) and the worker
//! paints them. Everything drawn is decided here; the worker only executes it.
//! The canvas maps the SVG's viewBox the same way the SVG does (`xMidYMid meet`), so
//! dots sit exactly on the lines between nodes.

use electionscope::algo::Algo;
use electionscope::sim::MsgClass;
use electionscope::viewmodel::MsgVm;
use gloo_events::EventListener;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use web_sys::{HtmlCanvasElement, ResizeObserver, Worker};
use yew::prelude::*;

/// Term labels are unreadable in a crowd of dots.
const LABEL_LIMIT: usize = 120;
/// The dots' radius in user units (the worker draws its sprites at this size).
const DOT_RADIUS: f64 = 9.0;
/// Labels on dots are set at the cluster's smallest text size (user units, each at
/// least a CSS pixel).
const LABEL_TEXT: f64 = electionscope::fit::MIN_TEXT;
/// Where Trunk copies the painter (`index.html` names it).
const WORKER_URL: &str = "paint-worker.js";
/// Sprite cells after the nine message classes (the worker's sheet has the same).
const DYING: f32 = 9.0;
const HELD: f32 = 10.0;

/// Colours come from the stylesheet's custom properties, so light and dark themes, a
/// theme the link asks for and any host-page override apply to the canvas too.
fn palette(canvas: &HtmlCanvasElement) -> Option<JsValue> {
    let style = web_sys::window()?.get_computed_style(canvas).ok()??;
    // A property holds `light-dark(..)`, which a canvas cannot parse: the canvas's
    // own `color`, set to the property, is resolved by the browser for the theme in
    // force.
    let probe = canvas.style();
    let var = |name: &str| -> JsValue {
        let _ = probe.set_property("color", &format!("var({name})"));
        let v = style.get_property_value("color").unwrap_or_default();
        let v = v.trim();
        if v.is_empty() { "#888" } else { v }.into()
    };
    let list = |names: &[&str]| -> JsValue {
        names
            .iter()
            .map(|n| var(n))
            .collect::<js_sys::Array>()
            .into()
    };
    let palette = object(&[
        (
            "byClass",
            list(&[
                "--m-vote",
                "--m-grant",
                "--m-deny",
                "--m-hb",
                "--m-append",
                "--m-reply",
                "--m-announce",
                "--m-write",
                "--muted",
            ]),
        ),
        ("outline", var("--panel")),
        ("dying", var("--danger")),
        ("held", var("--paused")),
        ("ink", var("--ink")),
        // Election-timer rings: follower, candidate, pre-candidate.
        ("rings", list(&["--follower", "--candidate", "--pre"])),
    ]);
    let _ = probe.remove_property("color");
    Some(palette)
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn class_index(c: MsgClass) -> f32 {
    match c {
        MsgClass::VoteRequest => 0.0,
        MsgClass::VoteGranted => 1.0,
        MsgClass::VoteDenied => 2.0,
        MsgClass::Heartbeat => 3.0,
        MsgClass::Append => 4.0,
        MsgClass::Reply => 5.0,
        MsgClass::Announce => 6.0,
        MsgClass::Write => 7.0,
        MsgClass::Other => 8.0,
    }
}

#[derive(Default)]
struct Painter {
    worker: Option<Worker>,
    /// CSS pixels of the canvas box, kept by a ResizeObserver so painting never forces
    /// a layout.
    size: (f64, f64),
    /// The theme's colours have been sent to the worker.
    palette_sent: bool,
    msgs: Rc<Vec<MsgVm>>,
    /// The algorithm, whose descriptor labels a message's leadership number.
    algo: Algo,
    rings: Rc<Vec<TimerRing>>,
    /// The drawing's size in user units (the SVG's viewBox).
    drawing: (f64, f64),
}

/// A node's election timer, drawn as a ring that drains clockwise from the top. It
/// lives on the canvas rather than in the node's SVG, because it changes nearly every
/// frame: as SVG it forced each node to be re-rendered and repainted that often.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerRing {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Share of the timeout left, 1.0 just after reset.
    pub left: f64,
    pub tone: RingTone,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingTone {
    Follower,
    Candidate,
    PreCandidate,
}

impl Painter {
    /// Starts the worker and hands it the canvas; None where the browser has no
    /// OffscreenCanvas or cannot start the worker (the page then shows no dots).
    fn start(canvas: &HtmlCanvasElement) -> Option<Worker> {
        let worker = Worker::new(WORKER_URL).ok()?;
        let offscreen = canvas.transfer_control_to_offscreen().ok()?;
        let init = object(&[
            ("type", "init".into()),
            ("canvas", offscreen.clone().into()),
        ]);
        worker
            .post_message_with_transfer(&init, &js_sys::Array::of1(&offscreen))
            .ok()?;
        Some(worker)
    }

    fn paint(&mut self, canvas: &HtmlCanvasElement) -> Option<()> {
        let worker = self.worker.as_ref()?;
        if !self.palette_sent {
            let msg = object(&[("type", "palette".into()), ("palette", palette(canvas)?)]);
            worker.post_message(&msg).ok()?;
            self.palette_sent = true;
        }
        let dpr = web_sys::window()?.device_pixel_ratio().max(1.0);
        let mut rings = Vec::with_capacity(self.rings.len() * 5);
        for ring in self.rings.iter().filter(|r| r.left > 0.0) {
            let tone = match ring.tone {
                RingTone::Follower => 0.0,
                RingTone::Candidate => 1.0,
                RingTone::PreCandidate => 2.0,
            };
            rings.extend([ring.x, ring.y, ring.r, ring.left].map(|v| v as f32));
            rings.push(tone);
        }
        let live = || self.msgs.iter().filter(|m| m.dying.is_none());
        let mut dots = Vec::with_capacity(self.msgs.len() * 4);
        for m in live() {
            dots.extend([m.x as f32, m.y as f32, class_index(m.class), 1.0]);
        }
        for m in live().filter(|m| m.held) {
            dots.extend([m.x as f32, m.y as f32, HELD, 1.0]);
        }
        // Dying dots fade one by one (each has its own alpha); there are few of them.
        for m in self.msgs.iter() {
            if let Some(alpha) = m.dying {
                dots.extend([m.x as f32, m.y as f32, DYING, alpha as f32]);
            }
        }
        let mut labels = Vec::new();
        let mut texts = String::new();
        if self.msgs.len() <= LABEL_LIMIT {
            for m in live() {
                let Some(term) = m.term else { continue };
                let text = (self.algo.message_label)(term);
                // A label wider than its dot (a Paxos ballot from round 10, `59.1`)
                // gets a pill of the dot's colour behind it, not a cut-off number.
                let pill =
                    electionscope::fit::label_pill(&text, LABEL_TEXT, DOT_RADIUS).unwrap_or(0.0);
                let dark = if m.class == MsgClass::Reply { 1.0 } else { 0.0 };
                labels.extend([
                    m.x as f32,
                    m.y as f32,
                    pill as f32,
                    class_index(m.class),
                    dark,
                ]);
                if labels.len() > 5 {
                    texts.push('\n');
                }
                texts.push_str(&text);
            }
        }
        let floats = |v: &[f32]| -> JsValue { js_sys::Float32Array::from(v).into() };
        let frame = object(&[
            ("type", "frame".into()),
            ("w", self.size.0.into()),
            ("h", self.size.1.into()),
            ("dpr", dpr.into()),
            ("dw", self.drawing.0.into()),
            ("dh", self.drawing.1.into()),
            ("dots", floats(&dots)),
            ("rings", floats(&rings)),
            ("labels", floats(&labels)),
            ("texts", texts.into()),
            ("font", LABEL_TEXT.into()),
        ]);
        worker.post_message(&frame).ok()
    }
}

/// Held for the component's life: dropping them would detach the callbacks.
type Watchers = (
    ResizeObserver,
    Closure<dyn FnMut(js_sys::Array)>,
    Option<EventListener>,
);

#[derive(Properties, PartialEq)]
pub struct MessageLayerProps {
    pub msgs: Rc<Vec<MsgVm>>,
    pub algo: Algo,
    pub rings: Rc<Vec<TimerRing>>,
    /// The drawing's size in user units (the SVG's viewBox).
    pub size: (f64, f64),
}

#[function_component(MessageLayer)]
pub fn message_layer(p: &MessageLayerProps) -> Html {
    let canvas_ref = use_node_ref();
    let painter = use_mut_ref(Painter::default);
    // Size and theme watchers live as long as the component.
    {
        let canvas_ref = canvas_ref.clone();
        let painter = painter.clone();
        use_effect_with((), move |_| {
            let canvas: Option<HtmlCanvasElement> = canvas_ref.cast();
            let mut keep: Option<Watchers> = None;
            if let Some(canvas) = canvas {
                painter.borrow_mut().worker = Painter::start(&canvas);
                let on_resize = {
                    let painter = painter.clone();
                    let canvas = canvas.clone();
                    Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let Some(entry) = entries
                            .get(0)
                            .dyn_into::<web_sys::ResizeObserverEntry>()
                            .ok()
                        else {
                            return;
                        };
                        let rect = entry.content_rect();
                        let mut p = painter.borrow_mut();
                        p.size = (rect.width(), rect.height());
                        p.paint(&canvas);
                    })
                };
                let theme = web_sys::window()
                    .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                    .map(|mq| {
                        let painter = painter.clone();
                        let canvas = canvas.clone();
                        EventListener::new(&mq, "change", move |_| {
                            let mut p = painter.borrow_mut();
                            p.palette_sent = false;
                            p.paint(&canvas);
                        })
                    });
                if let Ok(observer) = ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
                    observer.observe(&canvas);
                    keep = Some((observer, on_resize, theme));
                }
            }
            move || {
                if let Some((observer, _, _)) = keep {
                    observer.disconnect();
                }
                if let Some(worker) = painter.borrow_mut().worker.take() {
                    worker.terminate();
                }
            }
        });
    }
    {
        let canvas_ref = canvas_ref.clone();
        let painter = painter.clone();
        use_effect_with(
            (p.msgs.clone(), p.algo, p.rings.clone(), p.size),
            move |(msgs, algo, rings, size)| {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    let mut p = painter.borrow_mut();
                    p.msgs = msgs.clone();
                    p.algo = *algo;
                    p.rings = rings.clone();
                    p.drawing = *size;
                    p.paint(&canvas);
                }
            },
        );
    }
    html! {
        <canvas ref={canvas_ref} class="msg-layer" aria-hidden="true" data-inflight={p.msgs.len().to_string()}
            data-label-font={LABEL_TEXT.to_string()} />
    }
}
