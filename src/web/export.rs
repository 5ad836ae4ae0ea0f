//! Export for slides and tools: the cluster as a standalone SVG (styled as on screen,
//! the messages in flight drawn in: on the page they are on a canvas) or PNG; the
//! space-time diagram of a window and the trace, made by the compute worker
//! (`src/worker`) from the run's settings and actions; import of a trace file.

use super::jobs::field;
use super::state::{Model, Msg};
use electionscope::config::SimConfig;
use electionscope::link::{decode_actions, encode_actions};
use electionscope::sim::Micros;
use electionscope::viewmodel::MsgVm;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The cluster drawing as an SVG document: the page's SVG, the page's stylesheet
/// inside it (so the theme's colours resolve), and a dot per message in flight.
pub fn cluster_svg(msgs: &[MsgVm]) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let svg = document.query_selector("svg.cluster").ok()??;
    let copy: web_sys::Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")
        .ok()?;
    // Its size on screen, so that an image made from the file has one.
    let rect = svg.get_bounding_client_rect();
    copy.set_attribute("width", &format!("{:.0}", rect.width()))
        .ok()?;
    copy.set_attribute("height", &format!("{:.0}", rect.height()))
        .ok()?;
    let theme = document
        .document_element()
        .and_then(|root| root.get_attribute("data-theme"))
        .unwrap_or_else(|| "light".into());
    // The page's rules, with the drawing standing in for the page's root.
    let mut css =
        format!(":root, svg {{ color-scheme: {theme}; font-family: system-ui, sans-serif; }}\n");
    let sheets = document.style_sheets();
    for i in 0..sheets.length() {
        let Some(sheet) = sheets
            .item(i)
            .and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok())
        else {
            continue;
        };
        let Ok(rules) = sheet.css_rules() else {
            continue;
        };
        for j in 0..rules.length() {
            if let Some(rule) = rules.item(j) {
                css.push_str(&rule.css_text());
                css.push('\n');
            }
        }
    }
    let style = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "style")
        .ok()?;
    style.set_text_content(Some(&css));
    copy.insert_before(&style, copy.first_child().as_ref())
        .ok()?;
    let dots = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
        .ok()?;
    dots.set_attribute("class", "messages").ok()?;
    for m in msgs.iter().filter(|m| m.dying.is_none()) {
        let dot = document
            .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
            .ok()?;
        let class = m.class.as_str();
        dot.set_attribute("class", &format!("msg {class}")).ok()?;
        dot.set_attribute("transform", &format!("translate({:.1} {:.1})", m.x, m.y))
            .ok()?;
        dot.set_inner_html("<circle r=\"9\"></circle>");
        dots.append_child(&dot).ok()?;
    }
    copy.append_child(&dots).ok()?;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        copy.outer_html()
    ))
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    download_blob(name, &blob)
}

/// Offers `blob` as a file download named `name`.
fn download_blob(name: &str, blob: &web_sys::Blob) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).ok()
}

/// Draws `svg` at twice its size on a canvas and offers it as a PNG (slides want
/// pixels to spare); `failed` is told if the browser cannot.
pub fn download_png(svg: &str, name: String, failed: Callback<()>) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&svg.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let image = web_sys::HtmlImageElement::new().ok()?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").ok()?.dyn_into().ok()?;
    let loaded = image.clone();
    let on_load = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
        let (w, h) = (
            loaded.natural_width().max(1),
            loaded.natural_height().max(1),
        );
        canvas.set_width(w * 2);
        canvas.set_height(h * 2);
        let drawn = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
            .and_then(|g| {
                g.draw_image_with_html_image_element_and_dw_and_dh(
                    &loaded,
                    0.0,
                    0.0,
                    (w * 2) as f64,
                    (h * 2) as f64,
                )
                .ok()
            });
        let on_blob = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
            if blob.and_then(|b| download_blob(&name, &b)).is_none() {
                failed.emit(());
            }
        });
        if drawn.is_none() || canvas.to_blob(on_blob.unchecked_ref()).is_err() {
            // `on_blob` is never called: the failure is told here.
        }
    });
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_src(&web_sys::Url::create_object_url_with_blob(&blob).ok()?);
    Some(())
}

#[derive(Properties, PartialEq)]
pub struct ExportMenuProps {
    /// The newest model when dereferenced (read at a click, never redraws this menu).
    pub model: UseReducerHandle<Model>,
    /// The cluster drawing as an SVG document, as it stands.
    pub cluster: Callback<(), Option<String>>,
}

/// The value of the text input `id`, trimmed.
fn input_value(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.value().trim().to_string())
        .unwrap_or_default()
}

/// Export (the cluster and the space-time diagram as SVG or PNG, the trace as JSON
/// lines) and import of a trace. Files that need the run replayed are made by the
/// compute worker, with progress and a cancel button. One click handler serves every
/// button (by its `data-export`): a closure per button cost the page's bundle more
/// than the menu itself.
#[function_component]
pub fn ExportMenu(props: &ExportMenuProps) -> Html {
    let model = props.model.clone();
    let toast = {
        let model = model.clone();
        move |text: String| model.dispatch(Msg::Toast(Some(text)))
    };
    let jobs = super::jobs::use_jobs(Callback::from(toast.clone()));
    let job = jobs.progress.clone();
    let stop = {
        let jobs = jobs.clone();
        move || jobs.stop()
    };
    let start = {
        let jobs = jobs.clone();
        move |what: &'static str, message: JsValue, done: Box<dyn Fn(JsValue)>| {
            jobs.start(what, message, done)
        }
    };
    let onclick = {
        let (cluster, start, stop) = (props.cluster.clone(), start.clone(), stop.clone());
        let model = model.clone();
        move |e: MouseEvent| {
            let Some(action) = super::jobs::clicked_action(&e, "data-export") else {
                return;
            };
            let config = model.config();
            let (png, ext) = if action.ends_with("png") {
                (true, "png")
            } else {
                (false, "svg")
            };
            let name = |what: &str, ext: &str| {
                format!(
                    "electionscope-{}-seed{}-{what}.{ext}",
                    config.algo, config.seed
                )
            };
            let save: Box<dyn Fn(JsValue)> = {
                let toast = toast.clone();
                let name = name(
                    &match action.as_str() {
                        "trace" => "trace".to_string(),
                        a if a.starts_with("diagram") => {
                            format!(
                                "diagram-{}-{}",
                                input_value("diagram-from"),
                                input_value("diagram-to")
                            )
                        }
                        _ => format!("{}us", model.now()),
                    },
                    if action == "trace" { "jsonl" } else { ext },
                );
                Box::new(move |data: JsValue| {
                    let text = field(&data, "text").as_string().unwrap_or_default();
                    let failed = {
                        let toast = toast.clone();
                        Callback::from(move |_| {
                            toast("This browser could not save the file.".into())
                        })
                    };
                    let saved = if png {
                        download_png(&text, name.clone(), failed.clone())
                    } else {
                        let mime = if name.ends_with("jsonl") {
                            "application/jsonl"
                        } else {
                            "image/svg+xml"
                        };
                        download(&name, mime, &text)
                    };
                    if saved.is_none() {
                        failed.emit(());
                    }
                })
            };
            let run = model.pane().sim.0.borrow();
            let message = super::paint::object(&[
                (
                    "job",
                    if action == "trace" {
                        "trace"
                    } else {
                        "diagram"
                    }
                    .into(),
                ),
                ("query", config.to_query().into()),
                ("acts", encode_actions(run.actions()).into()),
            ]);
            match action.as_str() {
                "cluster-svg" | "cluster-png" => match cluster.emit(()) {
                    Some(svg) => save(super::paint::object(&[("text", svg.into())])),
                    None => toast("This browser could not export the drawing.".into()),
                },
                "trace" => start("Trace", message, save),
                "cancel" => stop(),
                _ => {
                    // The diagram's window as typed, else the one on screen.
                    let now = model.now();
                    let shown = (now.saturating_sub(model.lamport_window()), now.max(1_000));
                    let at = |id: &str, default: Micros| match input_value(id) {
                        t if t.is_empty() => Ok(default),
                        t => electionscope::sim::time::parse_duration(&t),
                    };
                    let window = at("diagram-from", shown.0).and_then(|from| {
                        let to = at("diagram-to", shown.1)?;
                        electionscope::diagram_svg::check_window(from, to, config.duration)?;
                        Ok((from, to))
                    });
                    match window {
                        Ok((from, to)) => {
                            let _ = js_sys::Reflect::set(
                                &message,
                                &"from".into(),
                                &(from as f64).into(),
                            );
                            let _ =
                                js_sys::Reflect::set(&message, &"to".into(), &(to as f64).into());
                            start("Diagram", message, save);
                        }
                        Err(e) => toast(format!("Diagram: {e}")),
                    }
                }
            }
        }
    };
    let onchange = {
        let model = model.clone();
        move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value(""); // the same file can be chosen again
            let name = file.name();
            let message = super::paint::object(&[("job", "import".into()), ("file", file.into())]);
            let model = model.clone();
            start(
                "Import",
                message,
                Box::new(move |data: JsValue| {
                    let (config, _) = SimConfig::from_query(
                        &field(&data, "query").as_string().unwrap_or_default(),
                    );
                    model.dispatch(Msg::Inspect {
                        config,
                        actions: decode_actions(&field(&data, "acts").as_string().unwrap_or_default())
                            .unwrap_or_default(),
                        at: field(&data, "at").as_f64().unwrap_or(0.0) as Micros,
                        note: format!(
                            "Inspecting {name}: {} events, made again by this version event for event; the slider, narration and diagram show them.",
                            field(&data, "events").as_f64().unwrap_or(0.0)
                        ),
                    })
                }),
            );
        }
    };
    html! {
        <details class="export-menu" id="export-menu">
            <summary title="Export the drawing, the space-time diagram or the trace; import a trace">{ "Export ▾" }</summary>
            <div class="menu" {onclick}>
                <div class="menu-row"><span>{ "Cluster" }</span>
                    <button id="export-svg" data-export="cluster-svg" title="The cluster as an SVG file, for slides">{ "SVG" }</button>
                    <button id="export-png" data-export="cluster-png" title="The cluster as a PNG image at twice its size">{ "PNG" }</button>
                </div>
                <div class="menu-row"><span>{ "Diagram" }</span>
                    <button id="export-diagram-svg" data-export="diagram-svg" title="The space-time diagram of the window as an SVG file">{ "SVG" }</button>
                    <button id="export-diagram-png" data-export="diagram-png" title="The space-time diagram of the window as a PNG image">{ "PNG" }</button>
                </div>
                <div class="menu-row window"><span>{ "window" }</span>
                    <input id="diagram-from" aria-label="Diagram window from (e.g. 1.5s)" placeholder="e.g. 1s" title="Empty: the window on screen" />
                    <span>{ "to" }</span>
                    <input id="diagram-to" aria-label="Diagram window to (e.g. 3s)" placeholder="e.g. 3s" title="Empty: now" />
                </div>
                <div class="menu-row"><span>{ "Trace" }</span>
                    <button id="export-trace" data-export="trace" title="The whole run as JSON lines, as electionscope run --trace writes it">{ "JSON lines" }</button>
                    <label class="button" for="import-trace" title="Open a trace file written by Export or the CLI to inspect it here">{ "Import…" }</label>
                    <input id="import-trace" type="file" accept=".jsonl,.json,.txt" class="visually-hidden" {onchange} />
                </div>
                if let Some((what, share)) = *job {
                    <p id="job-status" role="status">
                        { format!("{what}: {:.0}%", share * 100.0) }
                        <progress max="1" value={share.to_string()} />
                        <button id="job-cancel" data-export="cancel">{ "Cancel" }</button>
                    </p>
                }
            </div>
        </details>
    }
}
