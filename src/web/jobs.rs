//! Work too long for a frame runs in the compute worker (`src/worker`): a trace or
//! diagram file, checking an import, the lab's measurements. One job at a time per
//! hook; starting another or cancelling terminates the worker (the only way to stop a
//! computation in it), and the next job starts a fresh one.

use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Worker;
use yew::prelude::*;

/// Where Trunk puts the compute worker's loader (`index.html` names the worker).
const COMPUTE_WORKER_URL: &str = "electionscope-worker_loader.js";

/// What the running job makes and how far it got.
pub type Progress = Option<(&'static str, f64)>;

pub fn field(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &key.into()).unwrap_or_default()
}

/// A job runner: its progress (state, so the component redraws), start and stop.
#[derive(Clone)]
pub struct Jobs {
    pub progress: UseStateHandle<Progress>,
    worker: Rc<RefCell<Option<(Worker, EventListener)>>>,
    on_error: Callback<String>,
}

impl Jobs {
    pub fn stop(&self) {
        if let Some((w, _)) = self.worker.borrow_mut().take() {
            w.terminate();
        }
        self.progress.set(None);
    }

    /// Runs `message` in a fresh worker; `done` gets the worker's answer, errors go to
    /// the hook's `on_error` as "what: why".
    pub fn start(&self, what: &'static str, message: JsValue, done: Box<dyn Fn(JsValue)>) {
        self.stop();
        let jobs = self.clone();
        let started = spawn(message, move |kind, data| match kind {
            "progress" => jobs
                .progress
                .set(Some((what, field(&data, "share").as_f64().unwrap_or(0.0)))),
            "done" => {
                jobs.stop();
                done(data);
            }
            _ => {
                jobs.stop();
                let why = field(&data, "message").as_string();
                jobs.on_error.emit(format!(
                    "{what}: {}",
                    why.as_deref().unwrap_or("the worker stopped")
                ));
            }
        });
        match started {
            Some(job) => {
                self.progress.set(Some((what, 0.0)));
                *self.worker.borrow_mut() = Some(job);
            }
            None => self.on_error.emit(format!(
                "{what}: this browser cannot start the page's worker"
            )),
        }
    }
}

/// A job in its own compute worker: `message` is posted once the worker is ready, and
/// every later message goes to `on_message` with its kind (progress, done, error).
/// `None` if the browser cannot start the worker.
pub fn spawn(
    message: JsValue,
    mut on_message: impl FnMut(&str, JsValue) + 'static,
) -> Option<(Worker, EventListener)> {
    let w = Worker::new(COMPUTE_WORKER_URL).ok()?;
    let mut pending = Some(message);
    let sender = w.clone();
    let listener = EventListener::new(&w, "message", move |e| {
        let data = e
            .dyn_ref::<web_sys::MessageEvent>()
            .map(|m| m.data())
            .unwrap_or_default();
        match field(&data, "kind").as_string().as_deref() {
            Some("ready") => {
                if let Some(m) = pending.take() {
                    let _ = sender.post_message(&m);
                }
            }
            Some(kind) => on_message(kind, data),
            None => on_message("error", data),
        }
    });
    Some((w, listener))
}

/// The action a click asked for: the `attribute` of the clicked element or of the
/// nearest ancestor that has it (one delegated handler per panel: a closure per
/// button costs the page's bundle more than the markup).
pub fn clicked_action(e: &MouseEvent, attribute: &str) -> Option<String> {
    e.target_dyn_into::<web_sys::Element>()
        .and_then(|t| t.closest(&format!("[{attribute}]")).ok().flatten())
        .and_then(|b| b.get_attribute(attribute))
}

#[hook]
pub fn use_jobs(on_error: Callback<String>) -> Jobs {
    Jobs {
        progress: use_state(|| None),
        worker: use_mut_ref(|| None),
        on_error,
    }
}
