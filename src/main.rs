//! The browser app's entry point (built by Trunk). The UI lives in `web/`.

#[cfg(target_arch = "wasm32")]
mod web;

// Talc instead of the default dlmalloc: the same work in less of the page's bundle.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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
