//! The space-time diagram: one lane per node, time flowing right, messages as arrows
//! from send to delivery (the diagram teachers draw on the board), kept in sync with
//! the cluster.
//!
//! Lane names, lane lines and the `now` line are a still SVG. Arrows, role marks and
//! ticks slide every frame, so they are painted on a canvas by the page's painter
//! (`web::paint`, `static/paint-worker.js`): each tile of virtual time is posted once when it is
//! drawn, then each frame posts only where the window starts. As SVG, the sliding
//! tiles and their redraws cost about half of every frame at 25 nodes on a slow
//! laptop. What is drawn is decided here and in `viewmodel::lamport`; the worker
//! only executes it.

use super::cluster::px;
use super::message_layer::class_index;
use super::paint::{Hub, Painter, Transfer, object, use_frame_painter, use_painted_canvas};
use electionscope::algo::Algo;
use electionscope::frame::DisplayCache;
use electionscope::sim::Micros;
use electionscope::sim::guard::Thousands;
use electionscope::viewmodel::{self, LAMPORT_LEFT, LAMPORT_W, LamportTile, LamportVm};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// The plot's width in diagram units: right of the lane names, short of the edge.
const PLOT_W: f64 = LAMPORT_W - LAMPORT_LEFT - 8.0;
/// How near (diagram units) the pointer must be to a role mark to name it.
const MARK_REACH: f64 = 6.0;

#[derive(Properties, PartialEq)]
pub struct LamportProps {
    pub on_seek: Callback<Micros>,
    /// Zoom in (`Some(-1)`), out (`Some(1)`), or fit the whole run (`None`).
    pub on_zoom: Callback<Option<i8>>,
    pub zoom: i8,
    pub fit: bool,
    /// For naming terms in tooltips (`term 3`, `ballot 2.n5`, or nothing).
    pub algo: Algo,
}

/// A role mark's colour in the worker's palette (`roles`).
fn role_index(algo: Algo, role: &str) -> f32 {
    match viewmodel::role_class(algo, role) {
        "leader" => 1.0,
        "candidate" => 2.0,
        "pre-candidate" => 3.0,
        "crashed" => 4.0,
        _ => 0.0,
    }
}

/// What the worker has been sent.
#[derive(Default)]
struct DiagramPainter {
    /// CSS pixels of the canvas box, kept by a ResizeObserver so painting never forces
    /// a layout.
    size: (f64, f64),
    /// The tiles the worker holds: a tile object not among them is posted.
    posted: Vec<Rc<LamportTile>>,
    /// The diagram last painted, repainted as it is on a resize or a theme change.
    vm: Option<Rc<LamportVm>>,
    algo: Algo,
}

impl Painter for DiagramPainter {
    fn resize(&mut self, size: (f64, f64)) {
        self.size = size;
    }
    fn paint(&mut self, canvas: &HtmlCanvasElement, hub: &Hub) -> Option<()> {
        DiagramPainter::paint(self, canvas, hub)
    }
}

impl DiagramPainter {
    fn post_tile(hub: &Hub, tile: &LamportTile, algo: Algo) {
        let mut arrows = Vec::with_capacity(tile.arrows.len() * 6);
        for a in &tile.arrows {
            let flags = u8::from(a.in_flight) | (u8::from(a.dropped) << 1);
            arrows.extend([a.x1, a.y1, a.x2, a.y2].map(|v| v as f32));
            arrows.extend([class_index(a.class), flags as f32]);
        }
        let mut marks = Vec::with_capacity(tile.marks.len() * 3);
        for m in &tile.marks {
            marks.extend([m.x as f32, m.y as f32, role_index(algo, &m.role)]);
        }
        let ticks: Vec<f32> = tile.ticks.iter().map(|(x, _)| *x as f32).collect();
        let labels: Vec<&str> = tile.ticks.iter().map(|(_, l)| l.as_str()).collect();
        let mut buffers = Transfer::default();
        let msg = object(&[
            ("type", "tile".into()),
            ("t0", (tile.t0 as f64).into()),
            ("arrows", buffers.floats(&arrows)),
            ("marks", buffers.floats(&marks)),
            ("ticks", buffers.floats(&ticks)),
            ("labels", labels.join("\n").into()),
        ]);
        hub.send(msg, buffers);
    }

    fn paint(&mut self, canvas: &HtmlCanvasElement, hub: &Hub) -> Option<()> {
        let vm = self.vm.clone()?;
        for tile in &vm.tiles {
            if !self.posted.iter().any(|t| Rc::ptr_eq(t, tile)) {
                Self::post_tile(hub, tile, self.algo);
            }
        }
        self.posted = vm.tiles.clone();
        let t0s: Vec<f64> = vm.tiles.iter().map(|t| t.t0 as f64).collect();
        let dpr = web_sys::window()?.device_pixel_ratio().max(1.0);
        let mut buffers = Transfer::default();
        let frame = object(&[
            ("w", self.size.0.into()),
            ("h", self.size.1.into()),
            ("dpr", dpr.into()),
            ("plotW", PLOT_W.into()),
            ("height", vm.height.into()),
            ("start", (vm.start as f64).into()),
            ("scale", vm.scale.into()),
            ("nowX", (vm.now_x() - LAMPORT_LEFT).into()),
            ("tiles", buffers.doubles(&t0s)),
        ]);
        hub.stage("diagram", canvas, frame, buffers);
        Some(())
    }
}

/// The diagram of the drawn pane as the model stands (rebuilt only where it changed).
fn follow(display: &RefCell<DisplayCache>, model: &super::state::Model) -> Rc<LamportVm> {
    let pane = model.pane();
    let run = pane.sim.0.borrow();
    display.borrow_mut().lamport(
        &pane.view,
        run.trace(),
        model.playing,
        super::effects::wall_now(),
        model.lamport_window(),
    )
}

/// What the canvas shows, for tests and assistive tools: the arrows drawn in the
/// window and the tick labels in view.
fn shown(vm: &LamportVm) -> (usize, String) {
    let in_view = |t: &LamportTile, x: f64| {
        let at = (t.t0 as f64 - vm.start as f64) * vm.scale + x;
        (-0.5..=PLOT_W + 0.5).contains(&at)
    };
    let arrows = vm
        .tiles
        .iter()
        .map(|t| t.arrows.iter().filter(|a| in_view(t, a.x2)).count())
        .sum();
    let ticks: Vec<&str> = vm
        .tiles
        .iter()
        .flat_map(|t| {
            t.ticks
                .iter()
                .filter(move |(x, _)| in_view(t, *x))
                .map(|(_, l)| l.as_str())
        })
        .collect();
    (arrows, ticks.join(" "))
}

/// The role change drawn nearest `(x, y)` (diagram units), as a sentence.
fn mark_at(vm: &LamportVm, algo: Algo, x: f64, y: f64) -> Option<String> {
    let x = x - LAMPORT_LEFT;
    vm.tiles
        .iter()
        .flat_map(|t| {
            let ox = (t.t0 as f64 - vm.start as f64) * vm.scale;
            t.marks.iter().map(move |m| (ox + m.x, m))
        })
        .filter(|(mx, m)| (mx - x).abs() <= MARK_REACH && (m.y - y).abs() <= 9.0)
        .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
        .map(|(_, m)| match algo.leadership {
            Some(_) => format!(
                "n{} becomes {} ({})",
                m.node,
                m.role,
                (algo.term_label)(m.term)
            ),
            None => format!("n{} becomes {}", m.node, m.role),
        })
}

#[function_component(Lamport)]
pub fn lamport(p: &LamportProps) -> Html {
    // The diagram slides every frame: the animation loop paints its canvas from the
    // model (see `use_frame_painter`); a render (with the page) paints it too and
    // states what it shows.
    let live = use_context::<super::Live>().expect("the app provides the live model");
    let display = use_mut_ref(DisplayCache::default);
    let vm = follow(&display, &live.0);
    let svg_ref = use_node_ref();
    let plot_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    let painter = use_mut_ref(DiagramPainter::default);
    let hub = live.2.clone();
    {
        let mut painter = painter.borrow_mut();
        if p.algo != painter.algo {
            painter.posted.clear(); // marks are coloured by the algorithm's roles
        }
        painter.algo = p.algo;
        painter.vm = Some(vm.clone());
    }
    // The canvas goes to the worker once; size and theme watchers live as long as the
    // component.
    use_painted_canvas("diagram", &canvas_ref, &hub, &painter);
    {
        let (canvas_ref, painter, hub) = (canvas_ref.clone(), painter.clone(), hub.clone());
        use_frame_painter(&live.2, move |model| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                let mut p = painter.borrow_mut();
                p.vm = Some(follow(&display, model));
                p.paint(&canvas, &hub);
            }
        });
    }
    {
        let (canvas_ref, painter) = (canvas_ref.clone(), painter.clone());
        use_effect(move || {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                painter.borrow_mut().paint(&canvas, &hub);
            }
        });
    }
    let to_diagram = {
        let svg_ref = svg_ref.clone();
        move |e: &MouseEvent| -> Option<(f64, f64)> {
            let svg = svg_ref.cast::<web_sys::Element>()?;
            let rect = svg.get_bounding_client_rect();
            let k = LAMPORT_W / rect.width().max(1.0);
            Some((
                (e.client_x() as f64 - rect.left()) * k,
                (e.client_y() as f64 - rect.top()) * k,
            ))
        }
    };
    // The latest diagram, for the listeners below (built once).
    let latest = use_mut_ref(|| (vm.clone(), p.on_seek.clone()));
    *latest.borrow_mut() = (vm.clone(), p.on_seek.clone());
    let onclick = {
        let (latest, to_diagram) = (latest.clone(), to_diagram.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some((x, _)) = to_diagram(&e) {
                let (vm, cb) = latest.borrow().clone();
                cb.emit(viewmodel::lamport_time_at(&vm, x));
            }
        })
    };
    // Role marks name themselves under the pointer (the plot's tooltip).
    let onmousemove = {
        let (latest, algo) = (latest.clone(), p.algo);
        Callback::from(move |e: MouseEvent| {
            let Some((x, y)) = to_diagram(&e) else { return };
            let Some(plot) = e
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let vm = latest.borrow().0.clone();
            let _ = match mark_at(&vm, algo, x, y) {
                Some(text) => plot.set_attribute("title", &text),
                None => plot.remove_attribute("title"),
            };
        })
    };
    // Scrolling over the diagram scrolls the page, as everywhere else; it moves the
    // timeline only once the diagram has focus (a click on it gives it) or with Shift
    // or Alt held. That needs a non-passive listener (Yew's own wheel listeners are
    // passive).
    {
        let (plot_ref, latest) = (plot_ref.clone(), latest.clone());
        use_effect_with((), move |_| {
            let listener = plot_ref.cast::<web_sys::Element>().map(|plot| {
                let options = gloo_events::EventListenerOptions::enable_prevent_default();
                gloo_events::EventListener::new_with_options(&plot, "wheel", options, move |e| {
                    let Some(e) = e.dyn_ref::<WheelEvent>() else {
                        return;
                    };
                    let focused = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.active_element())
                        .zip(e.current_target())
                        .is_some_and(|(active, target)| {
                            JsValue::from(active) == JsValue::from(target)
                        });
                    if !(focused || e.shift_key() || e.alt_key()) {
                        return;
                    }
                    e.prevent_default();
                    let (vm, cb) = latest.borrow().clone();
                    let span = (vm.end - vm.start) as f64;
                    let delta = (e.delta_y() + e.delta_x()) / 1000.0 * span / 4.0;
                    cb.emit((vm.now as f64 + delta).max(0.0) as Micros);
                })
            });
            move || drop(listener)
        });
    }
    let canvas_style = format!(
        "left:{:.4}%;width:{:.4}%",
        LAMPORT_LEFT / LAMPORT_W * 100.0,
        PLOT_W / LAMPORT_W * 100.0
    );
    let (arrows, ticks) = shown(&vm);
    // While playing the count changes with each redraw: a number nobody can read. It
    // is given once the run stops.
    let thinned = (vm.thinned > 0).then(|| {
        if live.0.playing {
            "Some routine heartbeats and replies are not drawn".to_string()
        } else {
            format!(
                "{} arrows not drawn (routine heartbeats and replies first)",
                Thousands(vm.thinned as u64)
            )
        }
    });
    let range = super::controls::clock(vm.end.saturating_sub(vm.start));
    let (start, end) = (vm.start, vm.end);
    let zoom = |step: Option<i8>| {
        let cb = p.on_zoom.clone();
        Callback::from(move |_: MouseEvent| cb.emit(step))
    };
    let (min, max) = (
        *super::state::LAMPORT_ZOOM.start(),
        *super::state::LAMPORT_ZOOM.end(),
    );
    html! {
        <section class="lamport" aria-label="Space-time diagram" data-start={start.to_string()} data-end={end.to_string()} data-now={vm.now.to_string()}>
            <div class="lamport-bar" role="toolbar" aria-label="Space-time diagram zoom">
                <span class="lamport-range" aria-live="polite">{ format!("Showing {range}") }</span>
                <button id="lamport-in" title="Zoom in: a shorter stretch of time" aria-label="Zoom in" disabled={!p.fit && p.zoom <= min} onclick={zoom(Some(-1))}>{ "+" }</button>
                <button id="lamport-out" title="Zoom out: a longer stretch of time" aria-label="Zoom out" disabled={!p.fit && p.zoom >= max} onclick={zoom(Some(1))}>{ "−" }</button>
                <button id="lamport-fit" aria-pressed={p.fit.to_string()} title="Fit the whole run so far" onclick={zoom(None)}>{ "Whole run" }</button>
            </div>
            <div class="lamport-plot" ref={plot_ref} {onclick} {onmousemove} tabindex="0" aria-label="Space-time diagram; once focused, scrolling moves in time">
                <svg ref={svg_ref} viewBox={format!("0 0 {LAMPORT_W} {:.1}", vm.height)} role="img"
                     aria-label="Space-time diagram: one lane per node, arrows from send to delivery. Click to jump there; then scroll, or Shift+scroll, to move in time.">
                    { super::panels::kept(LanesProps { vm: vm.clone() }, lanes) }
                    if let Some(thinned) = thinned {
                        <text class="thinned" x={(LAMPORT_W - 10.0).to_string()} y="11">{ thinned }</text>
                    }
                </svg>
                <canvas ref={canvas_ref} class="lamport-canvas" style={canvas_style} aria-hidden="true"
                    data-arrows={arrows.to_string()} data-ticks={ticks} />
            </div>
        </section>
    }
}

/// The lanes of a diagram: redrawn when a lane changes (a node goes down or comes
/// back, the cluster is resized), not on each frame the diagram slides.
struct LanesProps {
    vm: Rc<LamportVm>,
}

impl PartialEq for LanesProps {
    fn eq(&self, other: &Self) -> bool {
        self.vm.lanes == other.vm.lanes
    }
}

fn lanes(p: &LanesProps) -> Html {
    html! {
        { for p.vm.lanes.iter().map(|lane| html! {
            <g key={lane.id} class={classes!("lane", lane.down.then_some("down"))}>
                <text x="6" y={px(lane.y + 4.0)}>{ lane.name.clone() }</text>
                <line x1="40" x2={LAMPORT_W.to_string()} y1={px(lane.y)} y2={px(lane.y)} />
            </g>
        }) }
    }
}
