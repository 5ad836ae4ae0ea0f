//! Messages in flight, painted on a canvas laid over the cluster's SVG.
//!
//! At 25 nodes a few hundred messages move every frame. As SVG elements each one cost
//! a virtual-DOM diff, a `setAttribute` through the JS glue and a style pass, which
//! held the frame at 33 ms; painting them here costs a fraction of a millisecond.
//! The canvas maps the SVG's viewBox the same way the SVG does (`xMidYMid meet`), so
//! dots sit exactly on the lines between nodes.

use electionscope::algo::Algo;
use electionscope::sim::MsgClass;
use electionscope::viewmodel::MsgVm;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::f64::consts::TAU;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap, ResizeObserver};
use yew::prelude::*;

/// Term labels are unreadable in a crowd of dots.
const LABEL_LIMIT: usize = 120;
const DOT_RADIUS: f64 = 9.0;
/// Labels on dots are set at the cluster's smallest text size (user units, each at
/// least a CSS pixel).
const LABEL_TEXT: f64 = electionscope::fit::MIN_TEXT;

/// Colours come from the stylesheet's custom properties, so light and dark themes, a
/// theme the link asks for and any host-page override apply to the canvas too.
struct Palette {
    by_class: [String; 9],
    outline: String,
    dying: String,
    held: String,
    ink: String,
    /// Election-timer rings: follower, candidate, pre-candidate.
    rings: [String; 3],
}

impl Palette {
    fn read(canvas: &HtmlCanvasElement) -> Option<Palette> {
        let style = web_sys::window()?.get_computed_style(canvas).ok()??;
        // A property holds `light-dark(..)`, which a canvas cannot parse: the canvas's
        // own `color`, set to the property, is resolved by the browser for the theme
        // in force.
        let probe = canvas.style();
        let var = |name: &str| {
            let _ = probe.set_property("color", &format!("var({name})"));
            let v = style.get_property_value("color").unwrap_or_default();
            let v = v.trim();
            if v.is_empty() {
                "#888".to_string()
            } else {
                v.to_string()
            }
        };
        let palette = Palette {
            by_class: [
                var("--m-vote"),
                var("--m-grant"),
                var("--m-deny"),
                var("--m-hb"),
                var("--m-append"),
                var("--m-reply"),
                var("--m-announce"),
                var("--m-write"),
                var("--muted"),
            ],
            outline: var("--panel"),
            dying: var("--danger"),
            held: var("--paused"),
            ink: var("--ink"),
            rings: [var("--follower"), var("--candidate"), var("--pre")],
        };
        let _ = probe.remove_property("color");
        Some(palette)
    }
}

fn class_index(c: MsgClass) -> usize {
    match c {
        MsgClass::VoteRequest => 0,
        MsgClass::VoteGranted => 1,
        MsgClass::VoteDenied => 2,
        MsgClass::Heartbeat => 3,
        MsgClass::Append => 4,
        MsgClass::Reply => 5,
        MsgClass::Announce => 6,
        MsgClass::Write => 7,
        MsgClass::Other => 8,
    }
}

/// One cell per message class, then a dropped dot and a held (paused) outline, drawn
/// at the canvas's device scale so stamping them is a copy without resampling.
struct Sprites {
    canvas: HtmlCanvasElement,
    /// The same pixels as an ImageBitmap, once the browser has made one: drawing from
    /// a canvas snapshots it on every call (about half a millisecond a frame for 240
    /// dots), drawing from a bitmap does not.
    bitmap: Rc<RefCell<Option<ImageBitmap>>>,
    /// Device pixels per cluster unit the cells were drawn for.
    scale: f64,
    /// Side of one square cell, in device pixels.
    cell: f64,
}

impl Sprites {
    /// Cells after the nine message classes.
    const DYING: usize = 9;
    const HELD: usize = 10;

    fn draw(pal: &Palette, scale: f64) -> Option<Sprites> {
        let canvas: HtmlCanvasElement = web_sys::window()?
            .document()?
            .create_element("canvas")
            .ok()?
            .dyn_into()
            .ok()?;
        // The held outline (3 wide) reaches furthest: radius + 1.5, plus a pixel of
        // anti-aliasing on each side.
        let cell = ((DOT_RADIUS + 1.5) * 2.0 * scale + 2.0).ceil();
        canvas.set_width((cell * (Self::HELD + 1) as f64) as u32);
        canvas.set_height(cell as u32);
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        let centre = |i: usize| -> Option<()> {
            ctx.set_transform(
                scale,
                0.0,
                0.0,
                scale,
                cell * i as f64 + cell / 2.0,
                cell / 2.0,
            )
            .ok()?;
            ctx.begin_path();
            ctx.arc(0.0, 0.0, DOT_RADIUS, 0.0, TAU).ok()
        };
        ctx.set_line_width(2.0);
        ctx.set_stroke_style_str(&pal.outline);
        for (i, colour) in pal.by_class.iter().enumerate() {
            centre(i)?;
            ctx.set_fill_style_str(colour);
            ctx.fill();
            ctx.stroke();
        }
        centre(Self::DYING)?;
        ctx.set_fill_style_str(&pal.dying);
        ctx.fill();
        ctx.stroke();
        ctx.begin_path();
        ctx.move_to(-6.0, -6.0);
        ctx.line_to(6.0, 6.0);
        ctx.move_to(6.0, -6.0);
        ctx.line_to(-6.0, 6.0);
        ctx.set_stroke_style_str("#fff");
        ctx.set_line_width(2.5);
        ctx.stroke();
        centre(Self::HELD)?;
        ctx.set_stroke_style_str(&pal.held);
        ctx.set_line_width(3.0);
        ctx.stroke();
        let bitmap = Rc::new(RefCell::new(None));
        if let Ok(promise) =
            web_sys::window()?.create_image_bitmap_with_html_canvas_element(&canvas)
        {
            let slot = bitmap.clone();
            // A plain promise callback, not a future: an async executor would cost
            // the bundle several kilobytes for this one wait. It runs once per sheet
            // (a new scale or theme), so leaking the closure is fine.
            let made = Closure::once(move |made: wasm_bindgen::JsValue| {
                *slot.borrow_mut() = made.dyn_into::<ImageBitmap>().ok();
            });
            let _ = promise.then(&made);
            made.forget();
        }
        Some(Sprites {
            canvas,
            bitmap,
            scale,
            cell,
        })
    }
}

#[derive(Default)]
struct Painter {
    /// CSS pixels of the canvas box, kept by a ResizeObserver so painting never forces
    /// a layout.
    size: (f64, f64),
    palette: Option<Palette>,
    msgs: Rc<Vec<MsgVm>>,
    /// The algorithm, whose descriptor labels a message's leadership number.
    algo: Algo,
    rings: Rc<Vec<TimerRing>>,
    sprites: Option<Sprites>,
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
    fn paint(&mut self, canvas: &HtmlCanvasElement) -> Option<()> {
        let (w, h) = self.size;
        if w <= 0.0 || h <= 0.0 {
            return Some(());
        }
        let dpr = web_sys::window()?.device_pixel_ratio().max(1.0);
        let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        if self.palette.is_none() {
            self.palette = Palette::read(canvas);
        }
        let pal = self.palette.as_ref()?;
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok()?;
        ctx.clear_rect(0.0, 0.0, pw as f64, ph as f64);
        let (dw, dh) = self.drawing;
        if dw <= 0.0 || dh <= 0.0 {
            return Some(());
        }
        let s = (w / dw).min(h / dh);
        let (ox, oy) = ((w - dw * s) / 2.0, (h - dh * s) / 2.0);
        ctx.set_transform(dpr * s, 0.0, 0.0, dpr * s, dpr * ox, dpr * oy)
            .ok()?;
        ctx.set_global_alpha(0.55);
        ctx.set_line_width(4.0);
        ctx.set_line_cap("round");
        for ring in self.rings.iter().filter(|r| r.left > 0.0) {
            let tone = match ring.tone {
                RingTone::Follower => 0,
                RingTone::Candidate => 1,
                RingTone::PreCandidate => 2,
            };
            ctx.set_stroke_style_str(&pal.rings[tone]);
            ctx.begin_path();
            let start = -std::f64::consts::FRAC_PI_2;
            ctx.arc(ring.x, ring.y, ring.r, start, start + TAU * ring.left)
                .ok()?;
            ctx.stroke();
        }
        ctx.set_global_alpha(1.0);
        let labelled = self.msgs.len() <= LABEL_LIMIT;
        // Dots are stamped from a sprite sheet drawn once per scale and theme: one
        // bitmap copy each. Filling them as arcs made Skia scan-convert paths spanning
        // the whole canvas, about 5 ms a frame at 25 nodes in software raster.
        let k = dpr * s;
        if self.sprites.as_ref().is_none_or(|sheet| sheet.scale != k) {
            self.sprites = Sprites::draw(pal, k);
        }
        let sheet = self.sprites.as_ref()?;
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok()?;
        let bitmap = sheet.bitmap.borrow();
        let stamp = |cell: usize, m: &MsgVm| {
            let x = (dpr * (ox + s * m.x) - sheet.cell / 2.0).round();
            let y = (dpr * (oy + s * m.y) - sheet.cell / 2.0).round();
            let (c, sx) = (sheet.cell, cell as f64 * sheet.cell);
            let _ = match bitmap.as_ref() {
                Some(b) => ctx
                    .draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                        b, sx, 0.0, c, c, x, y, c, c,
                    ),
                None => ctx
                    .draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                        &sheet.canvas,
                        sx,
                        0.0,
                        c,
                        c,
                        x,
                        y,
                        c,
                        c,
                    ),
            };
        };
        let live = || self.msgs.iter().filter(|m| m.dying.is_none());
        for m in live() {
            stamp(class_index(m.class), m);
        }
        for m in live().filter(|m| m.held) {
            stamp(Sprites::HELD, m);
        }
        // Dying dots fade one by one (each has its own alpha); there are few of them.
        for m in self.msgs.iter().filter(|m| m.dying.is_some()) {
            ctx.set_global_alpha(m.dying.unwrap_or(1.0));
            stamp(Sprites::DYING, m);
        }
        ctx.set_global_alpha(1.0);
        if labelled {
            ctx.set_transform(dpr * s, 0.0, 0.0, dpr * s, dpr * ox, dpr * oy)
                .ok()?;
            ctx.set_font(&format!("700 {LABEL_TEXT}px system-ui, sans-serif"));
            ctx.set_text_align("center");
            for m in live() {
                let Some(term) = m.term else { continue };
                let text = (self.algo.message_label)(term);
                // A label wider than its dot (a Paxos ballot from round 10, `59.1`)
                // gets a pill of the dot's colour behind it, not a cut-off number.
                if let Some(wide) = electionscope::fit::label_pill(&text, LABEL_TEXT, DOT_RADIUS) {
                    ctx.set_fill_style_str(&pal.by_class[class_index(m.class)]);
                    ctx.begin_path();
                    let (l, t) = (m.x - wide / 2.0, m.y - DOT_RADIUS);
                    ctx.round_rect_with_f64(l, t, wide, 2.0 * DOT_RADIUS, DOT_RADIUS)
                        .ok()?;
                    ctx.fill();
                }
                let ink = if m.class == MsgClass::Reply {
                    pal.ink.as_str()
                } else {
                    "#fff"
                };
                ctx.set_fill_style_str(ink);
                ctx.fill_text(&text, m.x, m.y + LABEL_TEXT * 0.36).ok()?;
            }
        }
        ctx.set_global_alpha(1.0);
        Some(())
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
                            p.palette = None;
                            p.sprites = None;
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
