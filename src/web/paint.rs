//! One worker paints every canvas of the page (`static/paint-worker.js`): the
//! messages and timer rings over the cluster, and the space-time diagram's arrows.
//!
//! Components hand their canvas over once (`attach`), then stage their part of each
//! frame as plain numbers; the parts go to the worker in one message at the end of the
//! render. On a slow laptop every message to a sleeping worker cost the page about a
//! millisecond of waking it, so one message a frame rather than one per canvas.

use super::message_layer::palette;
use super::state::Model;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use web_sys::{HtmlCanvasElement, ResizeObserver, Worker};

/// Where Trunk copies the painter (`index.html` names it).
const WORKER_URL: &str = "paint-worker.js";

pub fn object(fields: &[(&'static str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &key(k), v);
    }
    o.into()
}

thread_local! {
    /// Field names already made JS strings, by the address of their text.
    static KEYS: RefCell<Vec<(*const u8, usize, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `k` as a JS string, made once: the frame's messages name the same few dozen
/// fields sixty times a second, and decoding each name anew was a tenth of a frame's
/// script on a slow laptop.
fn key(k: &'static str) -> JsValue {
    KEYS.with_borrow_mut(|keys| {
        let at = (k.as_ptr(), k.len());
        if let Some((.., v)) = keys.iter().find(|(p, n, _)| (*p, *n) == at) {
            return v.clone();
        }
        let v = JsValue::from_str(k);
        keys.push((at.0, at.1, v.clone()));
        v
    })
}

/// Typed arrays for a message to the worker, whose buffers move to it rather than
/// being copied.
#[derive(Default)]
pub struct Transfer(Vec<JsValue>);

impl Transfer {
    /// A Float32Array copy of `v` out of the wasm memory, handed over with the message.
    pub fn floats(&mut self, v: &[f32]) -> JsValue {
        let array = js_sys::Float32Array::from(v);
        self.0.push(array.buffer().into());
        array.into()
    }

    pub fn doubles(&mut self, v: &[f64]) -> JsValue {
        let array = js_sys::Float64Array::from(v);
        self.0.push(array.buffer().into());
        array.into()
    }
}

#[derive(Default)]
struct HubState {
    worker: Option<Worker>,
    /// The theme's colours have been sent.
    palette_sent: bool,
    /// This frame's parts, by canvas, and the buffers they carry.
    parts: Vec<(&'static str, JsValue)>,
    /// Messages that go with this frame, handled before its parts (new tiles).
    messages: Vec<JsValue>,
    buffers: Vec<JsValue>,
    flush_queued: bool,
    /// What each canvas component paints on every frame while playing, by its id.
    on_frame: Vec<(u64, FramePainter)>,
    next_id: u64,
}

/// A canvas component's per-frame painting: from the model a frame left, it works out
/// its picture and stages it.
pub type FramePainter = Rc<dyn Fn(&Model)>;

/// The page's painter: shared by the components that draw on canvases (a context).
#[derive(Clone, Default)]
pub struct Hub(Rc<RefCell<HubState>>);

impl PartialEq for Hub {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Hub {
    /// Starts the worker; without one (no OffscreenCanvas, or it cannot load) the
    /// canvases stay blank and everything else works.
    pub fn start() -> Hub {
        let hub = Hub::default();
        hub.0.borrow_mut().worker = Worker::new(WORKER_URL).ok();
        hub
    }

    /// Hands `canvas` to the worker as the one it paints `kind` on.
    pub fn attach(&self, kind: &str, canvas: &HtmlCanvasElement) -> Option<()> {
        let state = self.0.borrow();
        let worker = state.worker.as_ref()?;
        let offscreen = canvas.transfer_control_to_offscreen().ok()?;
        let init = object(&[
            ("type", "init".into()),
            ("kind", kind.into()),
            ("canvas", offscreen.clone().into()),
        ]);
        worker
            .post_message_with_transfer(&init, &js_sys::Array::of1(&offscreen))
            .ok()
    }

    /// Sends a message with this frame's parts (a tile of the diagram: once, not every
    /// frame), before them: each message to the worker costs the page the same
    /// whatever it carries, so a frame is one message.
    pub fn send(&self, message: JsValue, buffers: Transfer) {
        let mut state = self.0.borrow_mut();
        if state.worker.is_none() {
            return;
        }
        state.messages.push(message);
        state.buffers.extend(buffers.0);
        drop(state);
        self.queue_flush();
    }

    /// This frame's picture for the canvas `kind`, sent with the others' once the
    /// render is over. `canvas` lends its computed style for the theme's colours.
    pub fn stage(
        &self,
        kind: &'static str,
        canvas: &HtmlCanvasElement,
        part: JsValue,
        buffers: Transfer,
    ) {
        let mut state = self.0.borrow_mut();
        if state.worker.is_none() {
            return;
        }
        if !state.palette_sent
            && let Some(colours) = palette(canvas)
        {
            let msg = object(&[("type", "palette".into()), ("palette", colours)]);
            if let Some(worker) = &state.worker {
                let _ = worker.post_message(&msg);
            }
            state.palette_sent = true;
        }
        state.parts.retain(|(k, _)| *k != kind);
        state.parts.push((kind, part));
        state.buffers.extend(buffers.0);
        drop(state);
        self.queue_flush();
    }

    fn queue_flush(&self) {
        let mut state = self.0.borrow_mut();
        if !state.flush_queued {
            state.flush_queued = true;
            let hub = self.clone();
            let flush = Closure::once_into_js(move || hub.flush());
            if let Some(window) = web_sys::window() {
                window.queue_microtask(flush.unchecked_ref());
            }
        }
    }

    fn flush(&self) {
        let mut state = self.0.borrow_mut();
        state.flush_queued = false;
        let parts = std::mem::take(&mut state.parts);
        let transfer: js_sys::Array = std::mem::take(&mut state.buffers).into_iter().collect();
        let mut fields = vec![("type", JsValue::from("frame"))];
        if !state.messages.is_empty() {
            let messages: js_sys::Array = std::mem::take(&mut state.messages).into_iter().collect();
            fields.push(("messages", messages.into()));
        }
        fields.extend(parts);
        if let Some(worker) = &state.worker {
            let _ = worker.post_message_with_transfer(&object(&fields), &transfer);
        }
    }

    /// Paints every registered canvas from the model this frame left (called by the
    /// animation loop, not by a render).
    pub fn paint_frame(&self, model: &Model) {
        let painters: Vec<FramePainter> = self
            .0
            .borrow()
            .on_frame
            .iter()
            .map(|(_, p)| p.clone())
            .collect();
        for paint in painters {
            paint(model);
        }
    }

    /// The theme changed: the colours go again with the next frame.
    pub fn theme_changed(&self) {
        self.0.borrow_mut().palette_sent = false;
    }
}

/// Registers `paint` to run on every frame of the animation loop for the component's
/// life. It reads what it needs of the component's props from shared cells the
/// component keeps current, so it is registered once.
#[yew::hook]
pub fn use_frame_painter(hub: &Hub, paint: impl Fn(&Model) + 'static) {
    let hub = hub.clone();
    let paint: FramePainter = Rc::new(paint);
    yew::use_effect_with((), move |_| {
        let id = {
            let mut state = hub.0.borrow_mut();
            state.next_id += 1;
            let id = state.next_id;
            state.on_frame.push((id, paint));
            id
        };
        move || hub.0.borrow_mut().on_frame.retain(|(i, _)| *i != id)
    });
}

/// Held for a canvas component's life: dropping them detaches the callbacks.
pub struct Watchers(
    ResizeObserver,
    #[allow(dead_code)] Closure<dyn FnMut(js_sys::Array)>,
    #[allow(dead_code)] Option<EventListener>,
);

impl Drop for Watchers {
    fn drop(&mut self) {
        self.0.disconnect();
    }
}

/// Calls `repaint` with the canvas's CSS size whenever it changes, and whenever the
/// system theme does (after telling the hub): painting never has to measure, which
/// would force a layout.
pub fn watch(
    canvas: &HtmlCanvasElement,
    hub: &Hub,
    repaint: impl Fn(Option<(f64, f64)>) + 'static,
) -> Option<Watchers> {
    let repaint = Rc::new(repaint);
    let on_resize = {
        let repaint = repaint.clone();
        Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                let rect = entry.content_rect();
                repaint(Some((rect.width(), rect.height())));
            }
        })
    };
    let theme = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|mq| {
            let hub = hub.clone();
            EventListener::new(&mq, "change", move |_| {
                hub.theme_changed();
                repaint(None);
            })
        });
    let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
    observer.observe(canvas);
    Some(Watchers(observer, on_resize, theme))
}

/// A component's painter: it keeps its canvas's CSS size and sends its picture.
pub trait Painter {
    fn resize(&mut self, size: (f64, f64));
    fn paint(&mut self, canvas: &HtmlCanvasElement, hub: &Hub) -> Option<()>;
}

/// Hands the canvas behind `canvas_ref` to the worker as `kind` once, and repaints it
/// with `painter` whenever its size or the theme changes, for the component's life.
#[yew::hook]
pub fn use_painted_canvas<P: Painter + 'static>(
    kind: &'static str,
    canvas_ref: &yew::NodeRef,
    hub: &Hub,
    painter: &Rc<RefCell<P>>,
) {
    let (canvas_ref, painter, hub) = (canvas_ref.clone(), painter.clone(), hub.clone());
    yew::use_effect_with((), move |_| {
        let canvas: Option<HtmlCanvasElement> = canvas_ref.cast();
        let watchers = canvas.and_then(|canvas| {
            hub.attach(kind, &canvas)?;
            let repaint_hub = hub.clone();
            watch(&canvas.clone(), &hub, move |size| {
                let mut p = painter.borrow_mut();
                if let Some(size) = size {
                    p.resize(size);
                }
                p.paint(&canvas, &repaint_hub);
            })
        });
        move || drop(watchers)
    });
}

/// Paints the canvas with each render of its component while paused. While playing
/// the next frame paints it anyway: a redraw that painted too would send the worker
/// a second picture between frames, on a slow laptop the millisecond that makes the
/// redraw overrun the frame.
#[yew::hook]
pub fn use_paint_on_render<P: Painter + 'static>(
    canvas_ref: &yew::NodeRef,
    hub: &Hub,
    painter: &Rc<RefCell<P>>,
    playing: bool,
) {
    let (canvas_ref, painter, hub) = (canvas_ref.clone(), painter.clone(), hub.clone());
    yew::use_effect(move || {
        if !playing && let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
            painter.borrow_mut().paint(&canvas, &hub);
        }
    });
}
