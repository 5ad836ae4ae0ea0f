//! The browser app's entry point (built by Trunk). The UI lives in `web/`.

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
fn main() {
    web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "electionscope-web is the browser app: build it with `trunk build --release --offline`."
    );
    std::process::exit(2);
}
