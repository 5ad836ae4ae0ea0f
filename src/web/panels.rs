//! Narration, the monitor banner, the stats strip and the space-time diagram.

use super::cluster::px;
use super::glossary::Jargon;
use super::state::{Model, Msg};
use electionscope::algo::Algo;
use electionscope::sim::guard::Thousands;
use electionscope::sim::time::Rounded;
use electionscope::sim::{Micros, Severity};
use electionscope::viewmodel::{
    self, Category, LAMPORT_LEFT, LAMPORT_W, LamportTile, LamportVm, Line, StatsVm, msg_class_name,
};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub lines: Rc<Vec<Line>>,
    pub shown: Vec<Category>,
    pub on_toggle: Callback<Category>,
    pub on_seek: Callback<Micros>,
    /// Only the lines that tell a key moment.
    pub moments_only: bool,
    pub on_moments_only: Callback<()>,
}

/// Newest first; an aria-live region so screen readers hear what happens.
#[function_component(Narration)]
pub fn narration(p: &NarrationProps) -> Html {
    let chips = Category::ALL.iter().map(|&c| {
        let on = p.shown.contains(&c);
        let cb = p.on_toggle.clone();
        html! {
            <button class={classes!("chip", format!("cat-{}", c.name()), on.then_some("on"))}
                aria-pressed={on.to_string()} onclick={Callback::from(move |_| cb.emit(c))}>{ c.name() }</button>
        }
    });
    let moments_chip = {
        let cb = p.on_moments_only.clone();
        let on = p.moments_only;
        html! {
            <button id="moments-only" class={classes!("chip", "moments-chip", on.then_some("on"))} aria-pressed={on.to_string()}
                title="Show only the key moments: a leader elected, a split vote, a refused write…"
                onclick={Callback::from(move |_| cb.emit(()))}>{ "◆ key moments only" }</button>
        }
    };
    let lines = p.lines.iter().map(|l| {
        let t = l.time;
        let cb = p.on_seek.clone();
        html! {
            <li key={l.seq} class={classes!(format!("cat-{}", l.category.name()), l.violation.then_some("violation"), l.moment.map(|_| "moment"))}
                data-moment={l.moment.map(|m| m.key())}>
                <button class="when" title="Jump the timeline to this instant" onclick={Callback::from(move |_| cb.emit(t))}>
                    { Rounded(t).to_string() }
                </button>
                <span class="what">
                    if let Some(m) = l.moment {
                        <span class={classes!("moment-tag", m.is_trouble().then_some("trouble"))}>{ format!("◆ {}", m.label()) }</span>{ " " }
                    }
                    { &l.text }
                </span>
            </li>
        }
    });
    html! {
        <section class="narration" aria-label="Narration">
            <div class="chips" role="group" aria-label="Show kinds of events">{ for chips }{ moments_chip }</div>
            if p.lines.is_empty() && p.moments_only {
                <p class="hint narration-empty">{ "No key moment yet. Press ›◆ (or >) to run on to the next one." }</p>
            } else if p.lines.is_empty() {
                <p class="hint narration-empty">{ "Nothing has happened yet. Press ▶ Play (Space) or Step (→) to start: the first election comes within a fraction of a simulated second. Click a node to crash, pause or isolate it." }</p>
            }
            <ol class="lines" aria-live="polite" aria-relevant="additions">{ for lines }</ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    pub banner: Option<viewmodel::Banner>,
}

#[function_component(Banner)]
pub fn banner(p: &BannerProps) -> Html {
    match &p.banner {
        None => html! {
            <div id="monitor" class="monitor ok" role="status" data-state="ok">
                <span class="icon" aria-hidden="true">{ "✓" }</span>{ "Safety monitor: one leader at most, no invariant broken." }
            </div>
        },
        Some(b) => {
            let (class, icon) = match b.severity {
                _ if b.halted => ("halted", "■"),
                Severity::Violation => ("violation", "✖"),
                Severity::Warning => ("warning", "⚠"),
            };
            html! {
                <div id="monitor" class={classes!("monitor", class)} role="alert" data-state={class}>
                    <span class="icon" aria-hidden="true">{ icon }</span>{ &b.text }
                </div>
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct StatsProps {
    pub stats: StatsVm,
}

#[function_component(Stats)]
pub fn stats(p: &StatsProps) -> Html {
    let s = &p.stats;
    let item = |label: &str, value: String, id: &str| {
        html! { <div class="stat" id={id.to_string()}><span class="label">{ label.to_string() }</span><span class="value">{ value }</span></div> }
    };
    // A label that is a word of the glossary opens its meaning on a tap or a key.
    let defined = |word: &'static str, value: String, id: &str| {
        html! { <div class="stat" id={id.to_string()}><span class="label"><Jargon word={word} /></span><span class="value">{ value }</span></div> }
    };
    let msgs: Vec<String> = s.messages.iter().map(|(k, v)| format!("{k} {v}")).collect();
    html! {
        <section class="stats" aria-label="Statistics">
            { item("time", s.time.clone(), "stat-time") }
            if let Some((word, value)) = &s.term {
                <>{ defined(word, value.clone(), "stat-term") }</>
            }
            { item("leader", s.leader.clone(), "stat-leader") }
            { defined("leaderless", s.leaderless.clone(), "stat-leaderless") }
            { item("elections", s.elections.to_string(), "stat-elections") }
            { item("dropped", s.dropped.to_string(), "stat-dropped") }
            { item("violations", s.violations.to_string(), "stat-violations") }
            <div class="stat wide" id="stat-messages"><span class="label">{ "messages" }</span><span class="value">{ msgs.join(" · ") }</span></div>
        </section>
    }
}

#[derive(Properties)]
pub struct LamportProps {
    pub vm: Rc<LamportVm>,
    pub on_seek: Callback<Micros>,
    /// Zoom in (`Some(-1)`), out (`Some(1)`), or fit the whole run (`None`).
    pub on_zoom: Callback<Option<i8>>,
    pub zoom: i8,
    pub fit: bool,
    /// For naming terms in tooltips (`term 3`, `ballot 2.n5`, or nothing).
    pub algo: Algo,
}

/// The same diagram object means nothing to redraw; comparing 700 arrows each frame
/// would cost what memoising saves.
impl PartialEq for LamportProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.vm, &other.vm) && self.on_seek == other.on_seek && self.algo == other.algo
    }
}

/// One lane per node, time flowing right, messages as arrows from send to delivery:
/// the diagram teachers draw on the board, kept in sync with the cluster.
///
/// Lanes, labels and the `now` line are one still SVG; the arrows live in tiles laid
/// over it, each its own compositor layer, slid by a CSS transform. Sliding costs no
/// repaint, and a tile is redrawn only while its messages are still travelling.
#[function_component(Lamport)]
pub fn lamport(p: &LamportProps) -> Html {
    let vm = p.vm.clone();
    let svg_ref = use_node_ref();
    let plot_ref = use_node_ref();
    let onclick = {
        let (vm, cb, svg_ref) = (vm.clone(), p.on_seek.clone(), svg_ref.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(svg) = svg_ref.cast::<web_sys::Element>() {
                let rect = svg.get_bounding_client_rect();
                let x = (e.client_x() as f64 - rect.left()) / rect.width().max(1.0) * LAMPORT_W;
                cb.emit(viewmodel::lamport_time_at(&vm, x));
            }
        })
    };
    // Scrolling over the diagram scrolls the page, as everywhere else; it moves the
    // timeline only once the diagram has focus (a click on it gives it) or with Shift
    // or Alt held. That needs a non-passive listener (Yew's own wheel listeners are
    // passive).
    let latest = use_mut_ref(|| (vm.clone(), p.on_seek.clone()));
    *latest.borrow_mut() = (vm.clone(), p.on_seek.clone());
    {
        let (plot_ref, latest) = (plot_ref.clone(), latest.clone());
        use_effect_with((), move |_| {
            let listener = plot_ref.cast::<web_sys::Element>().map(|plot| {
                let options = gloo_events::EventListenerOptions::enable_prevent_default();
                gloo_events::EventListener::new_with_options(&plot, "wheel", options, move |e| {
                    let Some(e) = wasm_bindgen::JsCast::dyn_ref::<WheelEvent>(e) else {
                        return;
                    };
                    let focused = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.active_element())
                        .zip(e.current_target())
                        .is_some_and(|(active, target)| {
                            wasm_bindgen::JsValue::from(active)
                                == wasm_bindgen::JsValue::from(target)
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
    let lanes = vm.lanes.iter().map(|lane| {
        let y = lane.y;
        html! {
            <g key={lane.id} class={classes!("lane", lane.down.then_some("down"))}>
                <text x="6" y={px(y + 4.0)}>{ lane.name.clone() }</text>
                <line x1="40" x2={LAMPORT_W.to_string()} y1={px(y)} y2={px(y)} />
            </g>
        }
    });
    let plot_w = LAMPORT_W - LAMPORT_LEFT - 8.0;
    let strip_style = format!(
        "left:{:.4}%;width:{:.4}%",
        LAMPORT_LEFT / LAMPORT_W * 100.0,
        plot_w / LAMPORT_W * 100.0
    );
    let tiles = vm.tiles.iter().map(|tile| {
        let style = format!(
            "width:{:.4}%;transform:translateX({:.3}%)",
            tile.width / plot_w * 100.0,
            vm.tile_shift(tile) * 100.0
        );
        html! {
            <div key={tile.t0} class="lamport-tile" {style} data-t0={tile.t0.to_string()} data-settled={tile.settled.to_string()}>
                <LamportTileView tile={tile.clone()} height={vm.height} algo={p.algo} />
            </div>
        }
    });
    let zoom = |step: Option<i8>| {
        let cb = p.on_zoom.clone();
        Callback::from(move |_: MouseEvent| cb.emit(step))
    };
    let range = super::controls::clock(vm.end.saturating_sub(vm.start));
    let (min, max) = (
        *super::state::LAMPORT_ZOOM.start(),
        *super::state::LAMPORT_ZOOM.end(),
    );
    html! {
        <section class="lamport" aria-label="Space-time diagram" data-start={vm.start.to_string()} data-end={vm.end.to_string()}>
            <div class="lamport-bar" role="toolbar" aria-label="Space-time diagram zoom">
                <span class="lamport-range" aria-live="polite">{ format!("Showing {range}") }</span>
                <button id="lamport-in" title="Zoom in: a shorter stretch of time" aria-label="Zoom in" disabled={!p.fit && p.zoom <= min} onclick={zoom(Some(-1))}>{ "+" }</button>
                <button id="lamport-out" title="Zoom out: a longer stretch of time" aria-label="Zoom out" disabled={!p.fit && p.zoom >= max} onclick={zoom(Some(1))}>{ "−" }</button>
                <button id="lamport-fit" aria-pressed={p.fit.to_string()} title="Fit the whole run so far" onclick={zoom(None)}>{ "Whole run" }</button>
            </div>
            <div class="lamport-plot" ref={plot_ref} {onclick} tabindex="0" aria-label="Space-time diagram; once focused, scrolling moves in time">
                <svg ref={svg_ref} viewBox={format!("0 0 {LAMPORT_W} {:.1}", vm.height)} role="img"
                     aria-label="Space-time diagram: one lane per node, arrows from send to delivery. Click to jump there; then scroll, or Shift+scroll, to move in time.">
                    { for lanes }
                    if vm.thinned > 0 {
                        <text class="thinned" x={(LAMPORT_W - 10.0).to_string()} y="11">{ format!("{} arrows not drawn (routine heartbeats and replies first)", Thousands(vm.thinned as u64)) }</text>
                    }
                    <line class="now" x1={px(vm.now_x())} x2={px(vm.now_x())} y1="0" y2={px(vm.height - 14.0)} />
                </svg>
                <div class="lamport-strip" style={strip_style} aria-hidden="true">{ for tiles }</div>
            </div>
        </section>
    }
}

#[derive(Properties)]
struct LamportTileProps {
    tile: Rc<LamportTile>,
    height: f64,
    algo: Algo,
}

/// The same tile object means nothing to redraw: a finished tile keeps its pixels.
impl PartialEq for LamportTileProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tile, &other.tile)
            && self.height == other.height
            && self.algo == other.algo
    }
}

#[function_component(LamportTileView)]
fn lamport_tile_view(p: &LamportTileProps) -> Html {
    let tile = &p.tile;
    // Arrows as one path per style, heads as one filled path per colour: a few
    // elements to diff and paint instead of one <line> with a marker per arrow
    // (markers made this diagram the page's costliest paint at 25 nodes).
    let mut strokes: BTreeMap<(&'static str, bool, bool), String> = BTreeMap::new();
    let mut heads: BTreeMap<&'static str, String> = BTreeMap::new();
    for a in &tile.arrows {
        let class = msg_class_name(a.class);
        let d = strokes.entry((class, a.in_flight, a.dropped)).or_default();
        let _ = write!(d, "M{} {}L{} {}", px(a.x1), px(a.y1), px(a.x2), px(a.y2));
        let (dx, dy) = (a.x2 - a.x1, a.y2 - a.y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        if a.dropped {
            let d = heads.entry("dropped").or_default();
            let (x, y) = (a.x2, a.y2);
            let _ = write!(
                d,
                "M{} {}L{} {}M{} {}L{} {}",
                px(x - 3.5),
                px(y - 3.5),
                px(x + 3.5),
                px(y + 3.5),
                px(x + 3.5),
                px(y - 3.5),
                px(x - 3.5),
                px(y + 3.5)
            );
        } else if !a.in_flight {
            let d = heads.entry(class).or_default();
            let (bx, by) = (a.x2 - ux * 6.0, a.y2 - uy * 6.0);
            let _ = write!(
                d,
                "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
                a.x2,
                a.y2,
                bx - uy * 2.6,
                by + ux * 2.6,
                bx + uy * 2.6,
                by - ux * 2.6
            );
        }
    }
    let arrows = strokes.into_iter().map(|((class, in_flight, dropped), d)| {
        html! {
            <path class={classes!("arrow", class, in_flight.then_some("in-flight"), dropped.then_some("dropped"))} {d} />
        }
    });
    let arrow_heads = heads.into_iter().map(|(class, d)| {
        html! { <path class={classes!("arrow-head", class)} {d} /> }
    });
    let marks = tile.marks.iter().map(|m| {
        html! {
            <g key={m.seq} class={classes!("mark", viewmodel::role_class(p.algo, &m.role))}>
                <rect x={px(m.x - 3.0)} y={px(m.y - 9.0)} width="6" height="18" rx="2" />
                <title>{
                    match p.algo.leadership {
                        Some(_) => format!("n{} becomes {} ({})", m.node, m.role, (p.algo.term_label)(m.term)),
                        None => format!("n{} becomes {}", m.node, m.role),
                    }
                }</title>
            </g>
        }
    });
    let ticks = tile.ticks.iter().map(|(x, label)| {
        html! {
            <g class="tick">
                <line x1={px(*x)} x2={px(*x)} y1="4" y2={px(p.height - 14.0)} />
                <text x={px(*x)} y={px(p.height - 2.0)}>{ label }</text>
            </g>
        }
    });
    html! {
        <svg viewBox={format!("0 0 {} {:.1}", tile.width, p.height)} preserveAspectRatio="none">
            { for ticks }
            { for arrows }
            { for arrow_heads }
            { for marks }
        </svg>
    }
}

/// Convenience for components that only need to send one message.
pub fn send(
    model: &UseReducerHandle<Model>,
    msg: impl Fn() -> Msg + 'static,
) -> Callback<MouseEvent> {
    send_with(&model.dispatcher(), msg)
}

pub fn send_with(
    d: &UseReducerDispatcher<Model>,
    msg: impl Fn() -> Msg + 'static,
) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_| d.dispatch(msg()))
}
