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

use super::paint::{
    Hub, Transfer, object, use_frame_painter, use_paint_on_render, use_painted_canvas,
};
use electionscope::algo::Algo;
use electionscope::sim::MsgClass;
use electionscope::sim::{ClusterView, RoleCategory};
use electionscope::viewmodel::{self, Layout, MsgVm};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Term labels are unreadable in a crowd of dots.
const LABEL_LIMIT: usize = 120;
/// The dots' radius in user units (the worker draws its sprites at this size).
const DOT_RADIUS: f64 = 9.0;
/// Labels on dots are set at the cluster's smallest text size (user units, each at
/// least a CSS pixel).
const LABEL_TEXT: f64 = electionscope::fit::MIN_TEXT;
/// Sprite cells after the nine message classes (the worker's sheet has the same).
const DYING: f32 = 9.0;
const HELD: f32 = 10.0;

/// Colours come from the stylesheet's custom properties, so light and dark themes, a
/// theme the link asks for and any host-page override apply to the canvas too.
pub(super) fn palette(canvas: &HtmlCanvasElement) -> Option<JsValue> {
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
        // The space-time diagram's role marks, ticks and dropped messages.
        (
            "roles",
            list(&[
                "--follower",
                "--leader",
                "--candidate",
                "--pre",
                "--crashed",
            ]),
        ),
        ("muted", var("--muted")),
        ("accent", var("--accent")),
        ("tick", var("--line")),
        ("danger", var("--danger")),
    ]);
    let _ = probe.remove_property("color");
    Some(palette)
}

pub(super) fn class_index(c: MsgClass) -> f32 {
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
struct MessagePainter {
    /// CSS pixels of the canvas box, kept by a ResizeObserver so painting never forces
    /// a layout.
    size: (f64, f64),
    msgs: Rc<Vec<MsgVm>>,
    /// The algorithm, whose descriptor labels a message's leadership number.
    algo: Algo,
    rings: Rc<Vec<TimerRing>>,
    /// The drawing's size in user units (the SVG's viewBox).
    drawing: (f64, f64),
    /// The worker's name for this canvas (one per column side by side).
    kind: &'static str,
    /// Which pane it draws, and where that pane's nodes sit (kept current by renders).
    pane: usize,
    layout: Option<Rc<Layout>>,
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

impl super::paint::Painter for MessagePainter {
    fn resize(&mut self, size: (f64, f64)) {
        self.size = size;
    }
    fn paint(&mut self, canvas: &HtmlCanvasElement, hub: &Hub) -> Option<()> {
        MessagePainter::paint(self, canvas, hub)
    }
}

impl MessagePainter {
    /// The messages and rings of its pane as the model stands.
    fn follow(&mut self, model: &super::state::Model) {
        let Some(layout) = &self.layout else { return };
        let pane = model.panes.get(self.pane).unwrap_or(model.pane());
        let run = pane.sim.0.borrow();
        self.msgs = Rc::new(viewmodel::messages(&pane.view, run.trace(), layout));
        self.rings = Rc::new(timer_rings(&pane.view, layout, self.algo));
        self.drawing = layout.size;
    }

    fn paint(&self, canvas: &HtmlCanvasElement, hub: &Hub) -> Option<()> {
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
        let mut buffers = Transfer::default();
        let frame = object(&[
            ("w", self.size.0.into()),
            ("h", self.size.1.into()),
            ("dpr", dpr.into()),
            ("dw", self.drawing.0.into()),
            ("dh", self.drawing.1.into()),
            ("dots", buffers.floats(&dots)),
            ("rings", buffers.floats(&rings)),
            ("labels", buffers.floats(&labels)),
            ("texts", texts.into()),
            ("font", LABEL_TEXT.into()),
        ]);
        hub.stage(self.kind, canvas, frame, buffers);
        Some(())
    }
}

#[derive(Properties, PartialEq)]
pub struct MessageLayerProps {
    /// Which of the model's panes (columns side by side) it draws.
    pub pane: usize,
    pub algo: Algo,
    /// Where nodes sit; its size is the drawing's in user units (the SVG's viewBox).
    pub layout: Rc<Layout>,
}

/// The timer rings of the running nodes at the live model's instant.
fn timer_rings(view: &ClusterView, layout: &Layout, algo: Algo) -> Vec<TimerRing> {
    view.nodes
        .iter()
        .filter_map(|n| {
            let left = viewmodel::timer_left(n, view.now, algo)?;
            let (x, y) = layout.pos(n.id);
            Some(TimerRing {
                x,
                y,
                r: layout.node_r + 7.0,
                left,
                tone: match algo.category(&n.view.role) {
                    RoleCategory::Candidate => RingTone::Candidate,
                    RoleCategory::PreCandidate => RingTone::PreCandidate,
                    _ => RingTone::Follower,
                },
            })
        })
        .collect()
}

/// The worker's names for the message canvases of each column.
const CANVAS_KINDS: [&str; electionscope::compare::MAX_COLUMNS] =
    ["cluster", "cluster1", "cluster2", "cluster3"];

#[function_component(MessageLayer)]
pub fn message_layer(p: &MessageLayerProps) -> Html {
    // Messages and rings move every frame: the animation loop paints them from the
    // model (see `use_frame_painter`); a render (with the page) paints them too, for
    // a pause, a step or a seek, and states the count.
    let live = use_context::<super::Live>().expect("the app provides the live model");
    let hub = live.2.clone();
    let canvas_ref = use_node_ref();
    let kind = CANVAS_KINDS[p.pane.min(CANVAS_KINDS.len() - 1)];
    let painter = use_mut_ref(|| MessagePainter {
        kind,
        ..Default::default()
    });
    let inflight = {
        let mut painter = painter.borrow_mut();
        painter.pane = p.pane;
        painter.algo = p.algo;
        painter.layout = Some(p.layout.clone());
        painter.follow(&live.0);
        painter.msgs.len()
    };
    // The canvas goes to the worker once; size and theme watchers live as long as the
    // component.
    use_painted_canvas(kind, &canvas_ref, &hub, &painter);
    {
        let (canvas_ref, painter, hub) = (canvas_ref.clone(), painter.clone(), hub.clone());
        use_frame_painter(&live.2, move |model| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                let mut p = painter.borrow_mut();
                p.follow(model);
                p.paint(&canvas, &hub);
            }
        });
    }
    use_paint_on_render(&canvas_ref, &hub, &painter, live.0.playing);
    html! {
        <canvas ref={canvas_ref} class="msg-layer" aria-hidden="true" data-inflight={inflight.to_string()}
            data-label-font={LABEL_TEXT.to_string()} />
    }
}
