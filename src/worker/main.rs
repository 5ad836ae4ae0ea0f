//! The page's compute worker: the work too long for a frame (a trace file, a diagram
//! file, checking an imported trace, the lab's measurements) runs here, in a Web
//! Worker Trunk builds from this binary, so the page never freezes. It holds the
//! engines (the page asks by the run's settings and actions, never by its state) and
//! is loaded only when a job first needs it, so its size does not count against the
//! page's first load.
//!
//! A job is a message `{job, query, acts, ...}`; the worker answers with any number of
//! `{kind: "progress", share}` then one `{kind: "done", ...}` or `{kind: "error",
//! message}`. The page cancels a job by terminating the worker.

#[cfg(target_arch = "wasm32")]
mod jobs;

fn main() {
    #[cfg(target_arch = "wasm32")]
    jobs::listen();
}
