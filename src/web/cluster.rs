//! The cluster drawn as SVG: nodes on a circle, messages in flight, partitions, cuts.

use super::message_layer::MessageLayer;
use super::panels::kept;
use electionscope::algo::Algo;
use electionscope::algo::descriptor::RingKind;
use electionscope::fit::{self, Fit, service_box as service_geometry};
use electionscope::sim::VecSet;
use electionscope::sim::action::Percent;
use electionscope::sim::storage::WriteOutcome;
use electionscope::sim::{NodeId, StorageView};
use electionscope::viewmodel::{Layout, NodeVm, Stage};
use gloo_events::EventListener;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub nodes: Rc<Vec<NodeVm>>,
    pub layout: Rc<Layout>,
    pub partition: Option<Vec<Vec<NodeId>>>,
    pub cuts: Vec<(NodeId, NodeId)>,
    pub selected: Option<NodeId>,
    pub split: VecSet<NodeId>,
    pub on_node: Callback<NodeId>,
    /// Labels the leadership numbers on messages (through its descriptor).
    pub algo: Algo,
    /// The shared storage leaders write to, when the run has one.
    pub storage: Option<StorageView>,
    /// What of the nodes' text fits, and where captions go.
    pub fit: Rc<Fit>,
    /// The drawing's stage changed size (CSS pixels).
    pub on_stage: Callback<Stage>,
    /// The stage's height is the space the page gives it (the embed); otherwise it
    /// follows from its width and the window's height.
    pub fill: bool,
    /// Which of the model's panes this is (a column side by side): the first holds the
    /// page's ids and markers, the others point to them.
    #[prop_or_default]
    pub pane: usize,
}

/// Held for the component's life: dropping them would detach the callbacks.
type StageWatch = (
    web_sys::ResizeObserver,
    Closure<dyn FnMut(js_sys::Array)>,
    Option<EventListener>,
);

/// The stage for a wrapper of this size: a narrow one (a phone) gets a taller-than-wide
/// one (room for captions under the nodes), a wide
/// one the drawing's own proportions, and neither is taller than 72% of the window
/// (the 62% the projector layout leaves it, past 1000 px of height), so the controls
/// stay on screen.
fn stage_for(wrap: &web_sys::Element, fill: bool) -> Option<Stage> {
    let rect = wrap.get_bounding_client_rect();
    let w = rect.width().floor();
    if w < 50.0 {
        return None;
    }
    let h = if fill {
        rect.height().floor()
    } else {
        let window_h = web_sys::window()?.inner_height().ok()?.as_f64()?;
        let aspect = if w < 600.0 { 1.2 } else { 0.76 };
        let share = if window_h >= 1000.0 { 0.62 } else { 0.72 };
        (w * aspect).min(window_h * share).max(240.0).floor()
    };
    (h >= 50.0).then_some(Stage { w, h })
}

const GROUP_NAMES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

#[function_component(Cluster)]
pub fn cluster(p: &ClusterProps) -> Html {
    let wrap_ref = use_node_ref();
    {
        let (wrap_ref, on_stage, fill) = (wrap_ref.clone(), p.on_stage.clone(), p.fill);
        use_effect_with(fill, move |&fill| {
            let mut keep: Option<StageWatch> = None;
            if let Some(wrap) = wrap_ref.cast::<web_sys::Element>() {
                let last = Rc::new(std::cell::Cell::new(None::<Stage>));
                let report = Rc::new(move || {
                    if let Some(stage) = stage_for(&wrap, fill)
                        && last.get() != Some(stage)
                    {
                        last.set(Some(stage));
                        on_stage.emit(stage);
                    }
                });
                report();
                let on_resize = {
                    let report = report.clone();
                    Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| report())
                };
                // The window's height bounds the stage too, and a window grown only in
                // height does not resize the wrapper.
                let on_window = web_sys::window().map(|w| {
                    let report = report.clone();
                    EventListener::new(&w, "resize", move |_| report())
                });
                if let (Ok(observer), Some(el)) = (
                    web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()),
                    wrap_ref.cast::<web_sys::Element>(),
                ) {
                    observer.observe(&el);
                    keep = Some((observer, on_resize, on_window));
                }
            }
            move || {
                if let Some((observer, _, _)) = keep {
                    observer.disconnect();
                }
            }
        });
    }
    let fit = &p.fit;
    let (view_w, view_h) = p.layout.size;
    let group_of = |id: NodeId| -> Option<usize> {
        p.partition.as_ref()?.iter().position(|g| g.contains(&id))
    };
    let halos = p.nodes.iter().filter_map(|n| {
        let g = group_of(n.id)?;
        Some(html! {
            <g key={format!("halo{}", n.id)} class={format!("halo group-{g}")}>
                <circle cx={px(n.x)} cy={px(n.y)} r={px(n.r + 22.0)} />
                <text x={px(n.x + n.r + 8.0)} y={px(n.y - n.r - 4.0)} class="group-label">{ GROUP_NAMES[g % 6] }</text>
            </g>
        })
    });
    let cuts = p.cuts.iter().map(|&(a, b)| {
        let (x1, y1) = p.layout.pos(a);
        let (x2, y2) = p.layout.pos(b);
        let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        html! {
            <g key={format!("cut{a}-{b}")} class="cut">
                <line x1={px(x1)} y1={px(y1)} x2={px(x2)} y2={px(y2)} marker-end="url(#cut-arrow)" />
                <text x={px(mx)} y={px(my)} class="cut-x">{ "✕" }</text>
                <title>{ format!("link n{a}→n{b} cut (one way)") }</title>
            </g>
        }
    });
    // Ring algorithms: each link drawn with the direction messages take on it.
    let ring_links = p.layout.ring.iter().flat_map(|(order, kind)| {
        let both = *kind == RingKind::Bidirectional;
        let layout = p.layout.clone();
        (0..order.len()).map(move |k| {
            let (a, b) = (order[k], order[(k + 1) % order.len()]);
            let (x1, y1) = layout.pos(a);
            let (x2, y2) = layout.pos(b);
            let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
            let t = ((layout.node_r + 12.0) / len).min(0.45);
            let (sx, sy) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
            let (ex, ey) = (x2 - (x2 - x1) * t, y2 - (y2 - y1) * t);
            html! {
                <line key={format!("ring{a}-{b}")} class="ring-link" x1={px(sx)} y1={px(sy)} x2={px(ex)} y2={px(ey)}
                    marker-end="url(#ring-arrow)" marker-start={both.then_some("url(#ring-arrow)")} />
            }
        })
    });
    // Each node redraws only when its own props change (a role, a log entry), not
    // when another node's do.
    let nodes = p.nodes.iter().map(|n| {
        let props = NodeProps {
            vm: n.clone(),
            caption: fit.caption(n.id).cloned(),
            name_font: fit.name_font,
            short_name: fit.short_name,
            badge: fit.badge,
            layout: p.layout.clone(),
            selected: p.selected == Some(n.id),
            picked: p.split.contains(&n.id),
            on_select: p.on_node.clone(),
        };
        kept(props, node)
    });
    html! {
        <div class={classes!("cluster-wrap", p.fill.then_some("fill"))} ref={wrap_ref}
             data-hides-text={fit.hides_text().to_string()}>
        <svg class="cluster" viewBox={format!("0 0 {} {}", px(view_w), px(view_h))} role="group"
             aria-label="Cluster: nodes on a circle with the messages travelling between them">
            if p.pane == 0 {
            <defs>
                <marker id="cut-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="cut-head" />
                </marker>
                <marker id="ring-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="ring-head" />
                </marker>
            </defs>
            }
            <g class="halos">{ for halos }</g>
            <g class="ring">{ for ring_links }</g>
            <g class="cuts">{ for cuts }</g>
            <g class="nodes">{ for nodes }</g>
            if let Some(s) = p.storage.clone() {
                { storage_box(&StorageBoxProps { view: s, at: p.layout.storage_at, strip: p.layout.storage_strip.then_some(view_w), pane: p.pane }) }
            }
        </svg>
        <MessageLayer pane={p.pane} algo={p.algo} layout={p.layout.clone()} />
        </div>
    }
}

/// SVG coordinates as whole viewBox units (about a pixel each): integer formatting is
/// much cheaper than float formatting, and this runs thousands of times per frame.
pub fn px(v: f64) -> String {
    (v.round() as i64).to_string()
}

#[derive(PartialEq)]
pub struct NodeProps {
    pub vm: NodeVm,
    /// Where its caption goes, if it has room (see `electionscope::fit`).
    pub caption: Option<fit::Caption>,
    pub name_font: f64,
    pub short_name: bool,
    pub badge: bool,
    /// For a coordination service's box, which fits inside the circle.
    pub layout: Rc<Layout>,
    pub selected: bool,
    pub picked: bool,
    pub on_select: Callback<NodeId>,
}

/// One node. Role is shown by colour, outline style and a word, so it reads on a
/// projector and without colour vision.
pub fn node(p: &NodeProps) -> Html {
    let n = &p.vm;
    let id = n.id;
    let onclick = {
        let cb = p.on_select.clone();
        Callback::from(move |_: MouseEvent| cb.emit(id))
    };
    let onkeydown = {
        let cb = p.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                cb.emit(id);
            }
        })
    };
    let r = n.r;
    let paused = n.paused_until.is_some();
    // Drawn by category; `data-role` keeps the engine's word for tests and tools.
    let role_attr = if paused {
        "paused".to_string()
    } else {
        n.role.clone()
    };
    let role_class = match (paused, n.role.as_str()) {
        (true, _) => "paused",
        (false, "crashed") => "crashed",
        (false, _) => n.category.class(),
    }
    .to_string();
    let dense = r < fit::DENSE_R;
    let crown = fit::crown_at(&p.layout, n);
    let (strip_x, strip_y, cell_w) = fit::log_strip(n);
    let log = n.log.iter().enumerate().map(|(i, c)| {
        let class = classes!("entry", c.committed.then_some("committed"), c.noop.then_some("noop"), format!("term-{}", c.term % 8));
        html! {
            <g key={i}>
                <rect class={class} x={px(strip_x + i as f64 * cell_w)} y={px(strip_y)} width={px(cell_w - 1.5)} height={px(cell_w + 4.0)} rx="1.5" />
            </g>
        }
    });
    if n.service {
        return service_box(p, role_class);
    }
    let caption_lines: Vec<String> = p
        .caption
        .as_ref()
        .map(|c| c.lines.clone())
        .unwrap_or_default();
    // One text element a line, with a space between them outside any text (not drawn):
    // assistive technology then reads two lines as words, not run together.
    let term_text = p.caption.as_ref().map(|c| {
        let texts = c.lines.iter().enumerate().map(|(i, l)| {
            html! { <><text class="term" x={px(c.x)} y={px(c.y + c.line_height() * i as f64)}
                style={format!("text-anchor:{};font-size:{}px", c.anchor.css(), c.font)}>{ l.clone() }</text>{ " " }</> }
        });
        html! { <>{ for texts }</> }
    });
    let shown_name = if p.short_name {
        n.name.trim_start_matches('n').to_string()
    } else {
        n.name.clone()
    };
    // The name sits above the centre with the role word under it, or alone in the
    // middle when the word is left out.
    let name_y = if p.badge {
        n.y - 2.0
    } else {
        n.y + p.name_font * 0.36
    };
    let name_style = format!("font-size:{:.1}px", p.name_font);
    let badge = if paused {
        "PAUSED".to_string()
    } else {
        n.badge.clone()
    };
    let drift = (n.drift_ppm != 0 && n.role != "crashed").then(|| {
        format!(
            "clock {}{}",
            if n.drift_ppm < 0 { "−" } else { "+" },
            Percent(n.drift_ppm.unsigned_abs())
        )
    });
    // The accessible name starts with the words drawn, in the order drawn (WCAG 2.5.3,
    // label in name: a voice-control user says what they see), then what is not drawn.
    let drawn: Vec<String> = [shown_name.clone()]
        .into_iter()
        .chain(p.badge.then(|| badge.clone()))
        .chain(drift.clone())
        .chain(caption_lines.iter().filter(|l| !l.is_empty()).cloned())
        .chain((n.log_hidden > 0).then(|| format!("+{}", n.log_hidden)))
        .collect();
    let unsaid = [
        (p.short_name).then(|| n.name.clone()),
        p.caption
            .is_none()
            .then(|| {
                let (term, vote) = fit::caption_parts(n);
                [term, vote]
                    .into_iter()
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|l| !l.is_empty()),
        (!p.badge || !badge.eq_ignore_ascii_case(&n.role)).then(|| n.role.clone()),
        n.leads.then(|| "leads".to_string()),
        n.leader
            .filter(|l| *l != id)
            .map(|l| format!("follows n{l}")),
    ];
    let unsaid: Vec<String> = unsaid.into_iter().flatten().collect();
    let label = format!(
        "{}{}. Press Enter for actions.",
        drawn.join(" "),
        if unsaid.is_empty() {
            String::new()
        } else {
            format!(" ({})", unsaid.join(", "))
        }
    );
    // Spaces between the drawn words, so that assistive technology reading the
    // drawing (and axe's label-in-name check) sees words, not "n1FOLLOWERterm 2".
    let gap = || html! { {" "} };
    html! {
        <g class={classes!("node", role_class.clone(), dense.then_some("dense"), p.selected.then_some("selected"), n.alarm.then_some("alarm"), p.picked.then_some("picked"))}
           data-node-id={id.to_string()} data-role={role_attr} data-term={n.term.to_string()}
           tabindex="0" role="button" aria-label={label} {onclick} {onkeydown}>
            <circle class="body" cx={px(n.x)} cy={px(n.y)} r={px(r)} />
            if n.leads && !dense {
                <circle class="leader-ring" cx={px(n.x)} cy={px(n.y)} r={px(r - 5.0)} />
            }
            if n.leads {
                <text class="crown" x={px(crown.0)} y={px(crown.1 + fit::CROWN_TEXT * 0.36)} aria-hidden="true">{ "★" }</text>
            }
            <text class="name" x={px(n.x)} y={px(name_y)} style={name_style}>{ shown_name }</text>{ gap() }
            if p.badge {
                <text class="badge" x={px(n.x)} y={px(n.y + 16.0)}>{ badge }</text>{ gap() }
            }
            if n.role == "crashed" {
                <path class="dead" d={format!("M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}", n.x - r * 0.6, n.y - r * 0.6, n.x + r * 0.6, n.y + r * 0.6, n.x + r * 0.6, n.y - r * 0.6, n.x - r * 0.6, n.y + r * 0.6)} />
            }
            if paused {
                <text class="pause-icon" x={px(n.x + r * 0.7)} y={px(n.y - r * 0.7)} aria-hidden="true">{ "❚❚" }</text>
            }
            if let Some(drift) = drift {
                <text class="drift" x={px(n.x - r * 0.55)} y={px(n.y - r * 0.85)}>
                    <title>{ format!("{}'s clock runs {} {}: its timers and leases expire by this clock", n.name, Percent(n.drift_ppm.unsigned_abs()), if n.drift_ppm < 0 { "slow" } else { "fast" }) }</title>
                    { drift }
                </text>{ gap() }
            }
            { term_text }{ gap() }
            <g class="log">{ for log }</g>
            if n.log_hidden > 0 {
                <text class="log-more" x={px(strip_x - 4.0)} y={px(strip_y + cell_w)}>{ format!("+{}", n.log_hidden) }</text>
            }
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct StorageBoxProps {
    pub view: StorageView,
    pub at: (f64, f64),
    /// On a narrow stage: a strip this wide under the circle instead of a corner box.
    pub strip: Option<f64>,
    pub pane: usize,
}

/// The shared storage: whether it fences, the highest token it has accepted, whose
/// data it holds, and the verdict that matters: the last write it refused (fencing
/// at work) or the last lost update (its absence), each with a symbol as well as a
/// colour, kept on screen however many writes follow.
fn storage_box(p: &StorageBoxProps) -> Html {
    let v = &p.view;
    let highest = v
        .highest_token
        .map_or("no token yet".to_string(), |t| format!("highest token {t}"));
    let token = |t: Option<u64>| t.map_or("no token".to_string(), |t| format!("token {t}"));
    let below = |o: &WriteOutcome| match (o.token, v.highest_token) {
        (Some(t), Some(h)) => format!("token {t} < highest {h}"),
        _ => token(o.token),
    };
    // (class, first line, second line)
    let verdict: Option<(&str, String, String)> = if let Some(o) = &v.last_lost {
        Some((
            "lost",
            format!("⚠ #{} from n{} lost update", o.write, o.from),
            below(o),
        ))
    } else if let Some(o) = &v.last_refused {
        Some((
            "refused",
            format!("✕ #{} from n{} refused", o.write, o.from),
            below(o),
        ))
    } else {
        v.recent.last().map(|o| {
            (
                "ok",
                format!("✓ latest #{} from n{}", o.write, o.from),
                token(o.token),
            )
        })
    };
    let counts = if v.lost_updates > 0 {
        format!("{} taken · {} lost", v.accepted, v.lost_updates)
    } else {
        format!("{} taken · {} refused", v.accepted, v.rejected)
    };
    let mode = if v.fenced { "fencing on" } else { "no fencing" };
    let label = format!(
        "Storage, {mode}: {highest}, {} writes accepted, {} refused, {} lost updates{}",
        v.accepted,
        v.rejected,
        v.lost_updates,
        verdict
            .as_ref()
            .map(|(_, a, b)| format!("; {a}, {b}"))
            .unwrap_or_default()
    );
    let body = if let Some(width) = p.strip {
        let (w, h) = (width - 16.0, electionscope::viewmodel::STORAGE_STRIP_H);
        let (x, y) = (p.at.0 - w / 2.0, p.at.1 - h / 2.0);
        let second = verdict
            .as_ref()
            .map(|(class, a, b)| (*class, format!("{a}: {b}")))
            .unwrap_or(("ok", "no writes yet".to_string()));
        html! {
            <>
                <rect class="box" x={px(x)} y={px(y)} width={px(w)} height={px(h)} rx="8" />
                <text class="line" x={px(x + 8.0)} y={px(y + 19.0)}>
                    <tspan class="title">{ "STORAGE" }</tspan>{ format!(" {mode} · {highest}") }
                </text>
                <text class={classes!("verdict", second.0)} x={px(x + 8.0)} y={px(y + 39.0)}>{ second.1 }</text>
            </>
        }
    } else {
        let (w, h) = (196.0, 150.0);
        let (x, y) = (p.at.0 - w / 2.0, p.at.1 - h / 2.0);
        html! {
            <>
                <rect class="box" x={px(x)} y={px(y)} width={px(w)} height={px(h)} rx="8" />
                <text class="title" x={px(x + 10.0)} y={px(y + 20.0)}>{ "STORAGE" }</text>
                <text class="mode" x={px(x + w - 10.0)} y={px(y + 20.0)}>{ mode }</text>
                <text class="line" x={px(x + 10.0)} y={px(y + 41.0)}>{ highest }</text>
                <text class="line" x={px(x + 10.0)} y={px(y + 59.0)}>{
                    v.holds.as_ref().map_or("holds nothing yet".to_string(), |o| format!("holds #{} from n{}", o.write, o.from))
                }</text>
                <text class="verdict" x={px(x + 10.0)} y={px(y + 77.0)}>{ counts }</text>
                <line class="rule" x1={px(x + 8.0)} x2={px(x + w - 8.0)} y1={px(y + 87.0)} y2={px(y + 87.0)} />
                if let Some((class, first, second)) = verdict {
                    <text class={classes!("verdict", class)} x={px(x + 10.0)} y={px(y + 106.0)}>{ first }</text>
                    <text class={classes!("verdict", "why", class)} x={px(x + 10.0)} y={px(y + 124.0)}>{ second }</text>
                }
            </>
        }
    };
    html! {
        <g id={if p.pane == 0 { "storage".to_string() } else { format!("storage-{}", p.pane + 1) }} class={classes!("storage", v.fenced.then_some("fenced"), (v.lost_updates > 0).then_some("alarm"), p.strip.is_some().then_some("strip"))}
           data-highest-token={v.highest_token.map(|t| t.to_string())}
           data-accepted={v.accepted.to_string()} data-rejected={v.rejected.to_string()}
           data-lost-updates={v.lost_updates.to_string()}
           role="img" aria-label={label}>
            { body }
        </g>
    }
}

/// An algorithm's coordination service, in the middle of the circle: a box whose lines
/// are the engine's fields (what the service stores), so what every candidate talks to
/// is on screen.
fn service_box(p: &NodeProps, role_class: String) -> Html {
    let n = &p.vm;
    let id = n.id;
    let onclick = {
        let cb = p.on_select.clone();
        Callback::from(move |_: MouseEvent| cb.emit(id))
    };
    let onkeydown = {
        let cb = p.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                cb.emit(id);
            }
        })
    };
    let role_attr = role_class.clone();
    let status = fit::service_status(n);
    let all = fit::service_lines(n);
    let geometry = service_geometry(&p.layout, n, status);
    let fit::Rect(x, y, right, bottom) = geometry.rect;
    let (w, h) = (right - x, bottom - y);
    // Starts with the words drawn, as a node's does, then says in full what a small
    // box cut or left out.
    let drawn: Vec<String> = std::iter::once(n.name.clone())
        .chain(geometry.status.map(|(word, ..)| word.to_string()))
        .chain(geometry.lines.iter().cloned())
        .collect();
    let label = if geometry.lines == all {
        format!("{}. Press Enter for actions.", drawn.join(" "))
    } else {
        format!(
            "{} (in full: {status}; {}). Press Enter for actions.",
            drawn.join(" "),
            all.join("; ")
        )
    };
    html! {
        <g class={classes!("node", "service", role_class.clone(), p.selected.then_some("selected"))}
           data-node-id={id.to_string()} data-role={role_attr} data-term="0" data-service="true" tabindex="0" role="button" aria-label={label} {onclick} {onkeydown}>
            <rect class="body" x={px(x)} y={px(y)} width={px(w)} height={px(h)} rx="10" />
            <text class="service-name" x={px(geometry.name_at.0)} y={px(geometry.name_at.1)} style={format!("font-size:{}px", geometry.name_font)}>{ n.name.clone() }</text>{ " " }
            if let Some((word, sx, sy, right_aligned)) = geometry.status {
                <text class="service-status" x={px(sx)} y={px(sy)} style={(!right_aligned).then_some("text-anchor:start")}>{ word }</text>{ " " }
            }
            { for geometry.lines.iter().enumerate().map(|(k, line)| html! {
                // The trailing space separates the lines' words for assistive technology.
                <text key={k} class="service-line" x={px(x + 12.0)} y={px(geometry.lines_y + fit::SERVICE_LINE * k as f64)}>{ line.clone() }{ " " }</text>
            }) }
            if n.role == "crashed" {
                <path class="dead" d={format!("M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}", x, y, x + w, y + h, x + w, y, x, y + h)} />
            }
        </g>
    }
}
