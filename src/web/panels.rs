//! Narration, the monitor banner and the stats strip.

use super::glossary::Jargon;
use super::state::{Model, Msg};
use electionscope::sim::time::Rounded;
use electionscope::sim::{Micros, Severity};
use electionscope::viewmodel::{self, Category, Line, StatsVm};
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
    /// The page's column (side by side): ids past the first carry its number.
    #[prop_or_default]
    pub column: usize,
}

pub fn banner(p: &BannerProps) -> Html {
    let id = id_in_column("monitor", p.column);
    match &p.banner {
        None => html! {
            <div id={id} class="monitor ok" role="status" data-state="ok">
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
                <div id={id} class={classes!("monitor", class)} role="alert" data-state={class}>
                    <span class="icon" aria-hidden="true">{ icon }</span>{ &b.text }
                </div>
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct StatsProps {
    pub stats: StatsVm,
    #[prop_or_default]
    pub column: usize,
    /// Side by side: the column's algorithm, which names the statistics.
    #[prop_or_default]
    pub of: &'static str,
}

/// `id` in the first column, `id-2`.. in the others side by side.
pub fn id_in_column(id: &str, column: usize) -> String {
    match column {
        0 => id.to_string(),
        k => format!("{id}-{}", k + 1),
    }
}

pub fn stats(p: &StatsProps) -> Html {
    let s = &p.stats;
    let item = |label: &str, value: String, id: &str| {
        html! { <div class="stat" id={id_in_column(id, p.column)}><span class="label">{ label.to_string() }</span><span class="value">{ value }</span></div> }
    };
    // A label that is a word of the glossary opens its meaning on a tap or a key.
    let defined = |word: &'static str, value: String, id: &str| {
        html! { <div class="stat" id={id_in_column(id, p.column)}><span class="label"><Jargon word={word} /></span><span class="value">{ value }</span></div> }
    };
    let msgs: Vec<String> = s.messages.iter().map(|(k, v)| format!("{k} {v}")).collect();
    html! {
        <section class="stats" aria-label={if p.of.is_empty() { "Statistics".to_string() } else { format!("Statistics: {}", p.of) }}>
            { item("time", s.time.clone(), "stat-time") }
            if let Some((word, value)) = &s.term {
                <>{ defined(word, value.clone(), "stat-term") }</>
            }
            { item("leader", s.leader.clone(), "stat-leader") }
            { defined("leaderless", s.leaderless.clone(), "stat-leaderless") }
            { item("elections", s.elections.to_string(), "stat-elections") }
            { item("dropped", s.dropped.to_string(), "stat-dropped") }
            { item("violations", s.violations.to_string(), "stat-violations") }
            <div class="stat wide" id={id_in_column("stat-messages", p.column)}><span class="label">{ "messages" }</span><span class="value">{ msgs.join(" · ") }</span></div>
        </section>
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

/// A part of the page drawn by a plain function of its props.
trait Part {
    fn view(&self) -> Html;
    fn same(&self, other: &dyn std::any::Any) -> bool;
    fn any(&self) -> &dyn std::any::Any;
}

struct Drawn<P> {
    props: P,
    draw: fn(&P) -> Html,
}

impl<P: PartialEq + 'static> Part for Drawn<P> {
    fn view(&self) -> Html {
        (self.draw)(&self.props)
    }

    fn same(&self, other: &dyn std::any::Any) -> bool {
        other
            .downcast_ref::<Self>()
            .is_some_and(|o| std::ptr::fn_addr_eq(o.draw, self.draw) && o.props == self.props)
    }

    fn any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Properties, Clone)]
pub struct PartProps {
    part: Rc<dyn Part>,
}

impl PartialEq for PartProps {
    fn eq(&self, other: &Self) -> bool {
        self.part.same(other.part.any())
    }
}

#[function_component(Kept)]
fn kept_part(p: &PartProps) -> Html {
    p.part.view()
}

/// `draw(&props)`, redrawn only when `props` change. The page's redraw rebuilds and
/// compares its whole tree, which on a slow laptop costs a frame; parts that did not
/// change (the setup, the legend, the narration between lines) are skipped. One
/// component serves every such part, so each costs the bundle little.
pub fn kept<P: PartialEq + 'static>(props: P, draw: fn(&P) -> Html) -> Html {
    let part: Rc<dyn Part> = Rc::new(Drawn { props, draw });
    html! { <Kept {part} /> }
}
