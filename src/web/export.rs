//! Export for slides: the cluster as a standalone SVG file, styled as on screen, with
//! the messages in flight drawn in (on the page they are on a canvas).

use electionscope::viewmodel::MsgVm;
use wasm_bindgen::JsCast;

/// The cluster drawing as an SVG document: the page's SVG, the page's stylesheet
/// inside it (so the theme's colours resolve), and a dot per message in flight.
pub fn cluster_svg(msgs: &[MsgVm]) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let svg = document.query_selector("svg.cluster").ok()??;
    let copy: web_sys::Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")
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
        let class = electionscope::viewmodel::msg_class_name(m.class);
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
    let document = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).ok()
}
