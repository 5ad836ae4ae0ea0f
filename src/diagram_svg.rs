//! The space-time diagram of a chosen window of a run as a standalone SVG file, for
//! slides: the same lanes, arrows, role marks and ticks the page paints, in the light
//! theme's colours, with a title naming the run. The CLI (`run --diagram`) and the
//! page's export write the same file for the same run and window.

use crate::config::SimConfig;
use crate::plot::escape;
use crate::run;
use crate::sim::{Human, Micros, RecordedAction, TraceEvent};
use crate::viewmodel::{self, LAMPORT_LEFT, LAMPORT_W, LamportVm};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Write;
use std::rc::Rc;

/// The shortest and the longest window a file shows.
pub const MIN_WINDOW: Micros = 1_000;
pub const MAX_WINDOW: Micros = 600 * crate::sim::SEC;

/// Room above the lanes for the title.
const TITLE_H: f64 = 26.0;

/// The page's light-theme colours, by the classes the drawing uses.
const STYLE: &str = "text { font-family: system-ui, sans-serif; fill: #1d2330; }
.title { font-size: 13px; font-weight: 600; }
.note, .tick text { font-size: 10px; fill: #5d6677; }
.lane-name { font-size: 11px; text-anchor: end; dominant-baseline: middle; }
.lane { stroke: #d6d9e0; stroke-width: 1; }
.lane.down { stroke-dasharray: 4 3; }
.tick line { stroke: #b7bec9; stroke-width: 1; opacity: 0.6; }
.tick text { text-anchor: middle; }
.m { stroke-width: 1.3; fill: none; }
.m.in-flight { stroke-dasharray: 4 3; }
.m.vote-request, .m.vote-granted, .m.vote-denied, .m.append { stroke-width: 1.8; }
.vote-request { stroke: #7b3fe4; fill: #7b3fe4; }
.vote-granted { stroke: #1f9d55; fill: #1f9d55; }
.vote-denied { stroke: #d6338a; fill: #d6338a; }
.heartbeat { stroke: #7f8b99; fill: #7f8b99; }
.append { stroke: #2457d6; fill: #2457d6; }
.reply { stroke: #b7bec9; fill: #b7bec9; }
.announce { stroke: #d98a00; fill: #d98a00; }
.write { stroke: #0f8f86; fill: #0f8f86; }
.other { stroke: #5d6677; fill: #5d6677; }
.m.dropped, .drop { stroke: #c62828; }
.drop { stroke-width: 2; }
path.head { stroke: none; }
.mark.leader { fill: #d98a00; } .mark.candidate { fill: #7b3fe4; }
.mark.pre-candidate { fill: #a77be8; } .mark.follower { fill: #3a7d5c; }
.mark.service { fill: #2457d6; } .mark.crashed { fill: #8a8f98; }";

/// Parses a window such as `2s..5s` (or `2s-5s`) against a run of `duration`.
pub fn parse_window(text: &str, duration: Micros) -> Result<(Micros, Micros), String> {
    let (a, b) = text
        .split_once("..")
        .or_else(|| text.split_once('-'))
        .ok_or_else(|| format!("window '{text}' is not FROM..TO, e.g. 2s..5s"))?;
    let from = crate::sim::time::parse_duration(a.trim())?;
    let to = crate::sim::time::parse_duration(b.trim())?;
    check_window(from, to, duration)?;
    Ok((from, to))
}

pub fn check_window(from: Micros, to: Micros, duration: Micros) -> Result<(), String> {
    if to <= from {
        return Err(format!(
            "window {}..{} ends before it starts",
            Human(from),
            Human(to)
        ));
    }
    if to > duration {
        return Err(format!(
            "window ends at {}, after the run's end ({})",
            Human(to),
            Human(duration)
        ));
    }
    if to - from < MIN_WINDOW || to - from > MAX_WINDOW {
        return Err(format!(
            "window of {} is outside {} to {}",
            Human(to - from),
            Human(MIN_WINDOW),
            Human(MAX_WINDOW)
        ));
    }
    Ok(())
}

/// The diagram of `[from, to]` of the run `config` and `actions` describe.
pub fn render(
    config: &SimConfig,
    actions: &[RecordedAction],
    from: Micros,
    to: Micros,
    progress: &mut dyn FnMut(f64),
) -> Result<String, String> {
    check_window(from, to, config.duration)?;
    let mut run = run::build(config, 0)?;
    run.load_actions(actions.to_vec())?;
    // Only the window's events (and those of messages reaching into it) are kept.
    let keep_from = from.saturating_sub(config.latency.1 + (to - from));
    let events: Rc<RefCell<VecDeque<TraceEvent>>> = Rc::default();
    let sink_events = events.clone();
    run.set_sink(Some(Box::new(move |e| {
        if e.time >= keep_from {
            sink_events.borrow_mut().push_back(e.clone());
        }
    })));
    crate::trace_file::advance_in_steps(run.as_mut(), to, progress, || true);
    run.set_sink(None);
    let view = run.view();
    let vm = viewmodel::lamport(&view, &events.borrow(), to - from, None, true);
    let title = format!(
        "{}, {} nodes, seed {}: {} to {}",
        config.algo.title,
        config.nodes,
        config.seed,
        Instant(vm.start),
        Instant(vm.end)
    );
    Ok(svg(&vm, config, &title))
}

/// An instant as the diagram's ticks write it: `0s` rather than `0us` at the start.
struct Instant(Micros);

impl std::fmt::Display for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            0 => f.write_str("0s"),
            t => Human(t).fmt(f),
        }
    }
}

fn svg(vm: &LamportVm, config: &SimConfig, title: &str) -> String {
    let right = LAMPORT_W - 8.0;
    let height = vm.height + TITLE_H;
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {vw} {height:.1}\" width=\"{w}\" height=\"{h:.0}\" font-family=\"system-ui, sans-serif\">\n<title>{t}</title>\n<style>{STYLE}</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n<text class=\"title\" x=\"{LAMPORT_LEFT}\" y=\"17\">{t}</text>\n<clipPath id=\"plot\"><rect x=\"{LAMPORT_LEFT}\" y=\"0\" width=\"{pw}\" height=\"{ph:.1}\"/></clipPath>\n<g transform=\"translate(0 {TITLE_H})\">\n",
        vw = LAMPORT_W + 16.0,
        w = (LAMPORT_W + 16.0) * 1.6,
        h = height * 1.6,
        t = escape(title),
        pw = right - LAMPORT_LEFT,
        ph = vm.height,
    );
    for lane in &vm.lanes {
        let _ = writeln!(
            out,
            "<g data-lane=\"{id}\"><text class=\"lane-name\" x=\"{x:.1}\" y=\"{y:.1}\">{name}</text><line class=\"lane{down}\" x1=\"{LAMPORT_LEFT}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\"/></g>",
            id = lane.id,
            x = LAMPORT_LEFT - 6.0,
            y = lane.y,
            name = escape(&lane.name),
            down = if lane.down { " down" } else { "" },
        );
    }
    // Ticks first, outside the clip, so that a label at the edge is whole.
    for tile in &vm.tiles {
        let offset = LAMPORT_LEFT + (tile.t0 as f64 - vm.start as f64) * vm.scale;
        for (x, label) in &tile.ticks {
            let x = offset + x;
            if !(LAMPORT_LEFT..=right + 0.05).contains(&x) {
                continue;
            }
            let _ = writeln!(
                out,
                "<g class=\"tick\"><line x1=\"{x:.1}\" y1=\"4\" x2=\"{x:.1}\" y2=\"{y2:.1}\"/><text x=\"{x:.1}\" y=\"{ty:.1}\">{label}</text></g>",
                y2 = vm.height - 14.0,
                ty = vm.height - 2.0,
            );
        }
    }
    out.push_str("<g clip-path=\"url(#plot)\">\n");
    let mut arrows = 0;
    for tile in &vm.tiles {
        let offset = LAMPORT_LEFT + (tile.t0 as f64 - vm.start as f64) * vm.scale;
        for a in &tile.arrows {
            let (x1, x2) = (offset + a.x1, offset + a.x2);
            if x2 < LAMPORT_LEFT || x1 > right {
                continue;
            }
            arrows += 1;
            let class = a.class.as_str();
            let state = match (a.dropped, a.in_flight) {
                (true, _) => " dropped",
                (false, true) => " in-flight",
                _ => "",
            };
            let _ = write!(
                out,
                "<line class=\"m {class}{state}\" data-msg=\"{id}\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"/>",
                id = a.id,
                y1 = a.y1,
                y2 = a.y2,
            );
            if a.dropped {
                let r = 3.5;
                let _ = write!(
                    out,
                    "<path class=\"drop\" d=\"M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}\"/>",
                    x2 - r,
                    a.y2 - r,
                    x2 + r,
                    a.y2 + r,
                    x2 + r,
                    a.y2 - r,
                    x2 - r,
                    a.y2 + r
                );
            } else if !a.in_flight {
                let (dx, dy) = (x2 - x1, a.y2 - a.y1);
                let len = dx.hypot(dy).max(1.0);
                let (ux, uy) = (dx / len, dy / len);
                let (bx, by) = (x2 - ux * 6.0, a.y2 - uy * 6.0);
                let w = 2.6;
                let _ = write!(
                    out,
                    "<path class=\"head {class}\" d=\"M{x2:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z\"/>",
                    a.y2,
                    bx - uy * w,
                    by + ux * w,
                    bx + uy * w,
                    by - ux * w
                );
            }
            out.push('\n');
        }
        for m in &tile.marks {
            let x = offset + m.x;
            if !(LAMPORT_LEFT - 3.0..=right).contains(&x) {
                continue;
            }
            let _ = writeln!(
                out,
                "<rect class=\"mark {class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"18\" rx=\"2\"><title>n{} becomes {} (term {})</title></rect>",
                x - 3.0,
                m.y - 9.0,
                m.node,
                escape(&m.role),
                m.term,
                class = viewmodel::role_class(config.algo, &m.role),
            );
        }
    }
    out.push_str("</g>\n");
    if vm.thinned > 0 {
        let _ = writeln!(
            out,
            "<text class=\"note\" x=\"{right}\" y=\"{:.1}\" text-anchor=\"end\">{} heartbeats and replies left out of {} arrows</text>",
            -TITLE_H + 17.0,
            vm.thinned,
            arrows + vm.thinned
        );
    }
    out.push_str("</g>\n</svg>\n");
    out
}
