//! The space-time diagram: one lane per node, time flowing right, messages as arrows
//! from send to delivery (the diagram teachers draw on the board), kept in sync with
//! the cluster.
//!
//! Lane names, lane lines and the `now` line are a still SVG. Arrows, role marks and
//! ticks slide every frame, so they are painted on a canvas by the page's painter
//! (`web::paint`, `static/paint-worker.js`): each tile of virtual time is posted when
//! something in it starts, lands or dies, and each frame posts only where the window
//! starts and the arrows still in flight. As SVG, the sliding
//! tiles and their redraws cost about half of every frame at 25 nodes on a slow
//! laptop. What is drawn is decided here and in `viewmodel::lamport`; the worker
//! only executes it.

use super::cluster::px;
use super::message_layer::class_index;
use super::paint::{
    Hub, Painter, Transfer, object, use_frame_painter, use_paint_on_render, use_painted_canvas,
};
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
    /// The tiles the worker holds, with what it was sent of each.
    posted: Vec<PostedTile>,
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

/// A tile the worker holds: the view model's object it was last seen as, what of it
/// the worker drew into its bitmap, and when (wall ms) that was sent.
struct PostedTile {
    tile: Rc<LamportTile>,
    still: StillPart,
    sent_at: f64,
}

/// How long a tile's newly landed arrows are painted with each frame before the tile
/// goes to the worker again with them, unless it settles or they pile up first.
const TILE_RESEND_MS: f64 = 500.0;
const LIVE_ARROWS_MAX: usize = 64;

/// What of a tile the worker draws into its bitmap: the arrows that had arrived or
/// died (and their message ids), the role marks and the ticks. Arrows in flight grow
/// every frame, and those that land come several times in a tenth of a second: both
/// are painted with each frame (`live`) instead, and the tile goes again only every
/// half second, when it settles, or when a role changes. Sent with every frame, the
/// newest tile cost the worker a fresh bitmap sixty times a second, and on a 2-core
/// laptop that work took the cores the page's frames needed.
struct StillPart {
    ids: Vec<u64>,
    arrows: Vec<f32>,
    marks: Vec<f32>,
    ticks: Vec<f32>,
    labels: String,
}

/// Appends an arrow as the worker reads it: x1, y1, x2, y2, class, flags (1 in
/// flight, 2 dropped), x shifted by `dx`.
fn push_arrow(out: &mut Vec<f32>, a: &viewmodel::Arrow, dx: f64) {
    let flags = u8::from(a.in_flight) | (u8::from(a.dropped) << 1);
    out.extend_from_slice(&[
        (a.x1 + dx) as f32,
        a.y1 as f32,
        (a.x2 + dx) as f32,
        a.y2 as f32,
        class_index(a.class),
        f32::from(flags),
    ]);
}

impl StillPart {
    fn of(tile: &LamportTile, algo: Algo) -> StillPart {
        let mut ids = Vec::new();
        let mut arrows = Vec::new();
        for a in &tile.arrows {
            if !a.in_flight {
                ids.push(a.id);
                push_arrow(&mut arrows, a, 0.0);
            }
        }
        let mut marks = Vec::with_capacity(tile.marks.len() * 3);
        for m in &tile.marks {
            marks.extend_from_slice(&[m.x as f32, m.y as f32, role_index(algo, &m.role)]);
        }
        let mut ticks = Vec::with_capacity(tile.ticks.len());
        let mut labels = String::new();
        for (x, label) in &tile.ticks {
            ticks.push(*x as f32);
            if !labels.is_empty() {
                labels.push('\n');
            }
            labels.push_str(label);
        }
        StillPart {
            ids,
            arrows,
            marks,
            ticks,
            labels,
        }
    }

    fn arrow(&self, k: usize) -> Option<&[f32]> {
        self.arrows.get(k * 6..k * 6 + 6)
    }

    /// Everything `older` drew is still here, drawn the same: only arrows were added.
    /// (Not so after a rewind, a new run or a zoom, where the tile goes again at once.)
    fn extends(&self, older: &StillPart) -> bool {
        self.marks == older.marks
            && self.ticks == older.ticks
            && self.labels == older.labels
            && older.ids.iter().enumerate().all(|(k, id)| {
                // Arrows come in the order they were sent, and message ids grow with it.
                self.ids
                    .binary_search(id)
                    .is_ok_and(|j| self.arrow(j) == older.arrow(k))
            })
    }
}

impl DiagramPainter {
    fn post_tile(hub: &Hub, t0: Micros, still: &StillPart) {
        let mut buffers = Transfer::default();
        let msg = object(&[
            ("type", "tile".into()),
            ("t0", (t0 as f64).into()),
            ("arrows", buffers.floats(&still.arrows)),
            ("marks", buffers.floats(&still.marks)),
            ("ticks", buffers.floats(&still.ticks)),
            ("labels", still.labels.as_str().into()),
        ]);
        hub.send(msg, buffers);
    }

    /// What the worker should hold of `tile`, sending it again if it is due.
    fn keep_tile(
        &self,
        hub: &Hub,
        tile: &Rc<LamportTile>,
        before: Option<PostedTile>,
    ) -> PostedTile {
        let before = match before {
            Some(p) if Rc::ptr_eq(&p.tile, tile) => return p,
            other => other,
        };
        let now = super::effects::wall_now();
        let fresh = StillPart::of(tile, self.algo);
        if let Some(p) = before {
            let added = fresh.ids.len().saturating_sub(p.still.ids.len());
            let waits =
                !tile.settled && now - p.sent_at < TILE_RESEND_MS && added <= LIVE_ARROWS_MAX;
            if fresh.extends(&p.still) && (added == 0 || waits) {
                return PostedTile {
                    tile: tile.clone(),
                    ..p
                };
            }
        }
        Self::post_tile(hub, tile.t0, &fresh);
        PostedTile {
            tile: tile.clone(),
            still: fresh,
            sent_at: now,
        }
    }

    fn paint(&mut self, canvas: &HtmlCanvasElement, hub: &Hub) -> Option<()> {
        let vm = self.vm.clone()?;
        let mut before = std::mem::take(&mut self.posted);
        // The arrows the tiles sent lack, in plot units: painted with this frame.
        let mut live: Vec<f32> = Vec::new();
        for tile in &vm.tiles {
            let kept = before
                .iter()
                .position(|p| p.tile.t0 == tile.t0)
                .map(|i| before.swap_remove(i));
            let posted = self.keep_tile(hub, tile, kept);
            let dx = (tile.t0 as f64 - vm.start as f64) * vm.scale;
            if !tile.settled || posted.still.ids.len() < tile.arrows.len() {
                for a in &tile.arrows {
                    if a.in_flight || posted.still.ids.binary_search(&a.id).is_err() {
                        push_arrow(&mut live, a, dx);
                    }
                }
            }
            self.posted.push(posted);
        }
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
            ("live", buffers.floats(&live)),
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
    use_paint_on_render(&canvas_ref, &hub, &painter, live.0.playing);
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
