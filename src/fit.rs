//! What of the cluster's text fits the drawing, and where it goes.
//!
//! Text is set in user units, and a user unit is at least one CSS pixel
//! ([`Stage::unit`](crate::viewmodel::Stage::unit)), so nothing renders below
//! [`MIN_TEXT`] CSS pixels. Where a word would not fit at its size it is left out
//! rather than shrunk, and the node's panel (a tap or Enter away) says it in full.
//! Captions are placed one node at a time at the first spot, from a list of
//! candidates, that stays inside the drawing and clear of every node, crown, log
//! strip, box and caption already placed.

use crate::sim::NodeId;
use crate::viewmodel::{Layout, NodeVm, STORAGE_STRIP_H};

/// The smallest text drawn anywhere in the cluster, in user units.
pub const MIN_TEXT: f64 = 11.0;
pub const NAME_TEXT: f64 = 22.0;
pub const DENSE_NAME_TEXT: f64 = 17.0;
pub const BADGE_TEXT: f64 = 12.0;
pub const CAPTION_TEXT: f64 = 14.0;
/// Node radius below which the circle is crowded: a smaller name.
pub const DENSE_R: f64 = 42.0;
/// A coordination service's field lines: size and spacing.
pub const SERVICE_TEXT: f64 = 12.0;
pub const SERVICE_LINE: f64 = 16.0;
const SERVICE_LINES_MAX: usize = 14;
/// The storage's corner box.
pub const STORAGE_BOX: (f64, f64) = (196.0, 150.0);

/// Rough width of `s` set at `font` units: `em` is the average advance of its glyphs
/// (about 0.56 for lower case, 0.62 for bold, 0.78 for spaced capitals). Estimates
/// decide what to leave out; the browser tests measure what is actually drawn.
pub fn text_w(s: &str, font: f64, em: f64) -> f64 {
    s.chars().count() as f64 * font * em
}

/// An axis-aligned box: left, top, right, bottom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect(pub f64, pub f64, pub f64, pub f64);

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.0 < o.2 && o.0 < self.2 && self.1 < o.3 && o.1 < self.3
    }

    fn inside(&self, o: &Rect) -> bool {
        self.0 >= o.0 && self.1 >= o.1 && self.2 <= o.2 && self.3 <= o.3
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn css(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A node's caption as placed: its lines, the first line's baseline and anchor.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    pub lines: Vec<String>,
    pub x: f64,
    pub y: f64,
    pub anchor: Anchor,
    pub font: f64,
}

impl Caption {
    pub fn line_height(&self) -> f64 {
        self.font + 2.0
    }
}

/// The caption of a node, as (leadership number, vote or proposal).
pub fn caption_parts(n: &NodeVm) -> (String, String) {
    let vote = match (n.role.as_str(), n.voted_for) {
        ("crashed", _) => String::new(),
        (_, Some(v)) if v == n.id => format!("{} self", n.vote_word),
        (_, Some(v)) => format!("{} n{v}", n.vote_word),
        _ => String::new(),
    };
    if n.term_label.is_empty() {
        let caption = if n.role == "crashed" {
            String::new()
        } else {
            n.caption.clone().unwrap_or_default()
        };
        (caption, String::new())
    } else {
        // A node looking for a leader shows its proposal where a vote would be.
        let proposal = n.caption.clone().filter(|_| n.shows_proposal);
        (n.term_label.clone(), proposal.unwrap_or(vote))
    }
}

fn one_line(term: &str, vote: &str) -> String {
    match (term.is_empty(), vote.is_empty()) {
        (_, true) => term.to_string(),
        (true, false) => vote.to_string(),
        (false, false) => format!("{term} · {vote}"),
    }
}

/// A label on a message dot of this radius, set at `font`: the width of the pill
/// drawn behind it when it is wider than the dot (a Paxos ballot from round 10 on,
/// `59.1`), so no digit is cut off.
pub fn label_pill(label: &str, font: f64, dot_r: f64) -> Option<f64> {
    let wide = text_w(label, font, 0.6) + 4.0;
    (wide > 2.0 * dot_r).then_some(wide)
}

/// Size of a leader's star.
pub const CROWN_TEXT: f64 = 20.0;

/// The centre of a leader's star: just outside its timer ring, away from the
/// circle's centre (above the top node, beside a side node, where no neighbour is),
/// or toward the centre where the drawing's edge is too close.
pub fn crown_at(layout: &Layout, n: &NodeVm) -> (f64, f64) {
    let (dx, dy) = (n.x - layout.centre.0, n.y - layout.centre.1);
    let d = dx.hypot(dy);
    let (ux, uy) = if d < 1.0 {
        (0.0, -1.0)
    } else {
        (dx / d, dy / d)
    };
    let reach = n.r + 9.0 + CROWN_TEXT / 2.0;
    let (w, _) = layout.size;
    let out = (n.x + ux * reach, n.y + uy * reach);
    let half = CROWN_TEXT / 2.0;
    let inside = out.0 - half >= 0.0
        && out.0 + half <= w
        && out.1 - half >= 0.0
        && out.1 + half <= layout.floor;
    if inside {
        out
    } else {
        (n.x - ux * reach, n.y - uy * reach)
    }
}

/// The strip of log cells under a node: left, top, cell width.
pub fn log_strip(n: &NodeVm) -> (f64, f64, f64) {
    let cell_w = (2.0 * n.r / 8.0).clamp(6.0, 12.0);
    (
        n.x - cell_w * n.log.len() as f64 / 2.0,
        n.y + n.r + 9.0,
        cell_w,
    )
}

/// A coordination service's box in the middle of the circle. It fits inside the
/// circle: on a small stage it is narrower and shorter, its lines cut with an ellipsis
/// and the rest counted; on a tiny one it is a tag with the service's name (and its
/// status when it is down or paused).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceBox {
    pub rect: Rect,
    pub name_at: (f64, f64),
    pub name_font: f64,
    /// The status word, where it goes, and whether it hangs from its right end.
    pub status: Option<(&'static str, f64, f64, bool)>,
    pub lines: Vec<String>,
    pub lines_y: f64,
}

pub fn service_box(layout: &Layout, n: &NodeVm, status: &'static str) -> ServiceBox {
    // A box of this size around the service is clear of every node's timer ring.
    let clear = |w: f64, h: f64| {
        let (l, t, r, b) = (n.x - w / 2.0, n.y - h / 2.0, n.x + w / 2.0, n.y + h / 2.0);
        layout.centers.iter().all(|&(x, y)| {
            let (px, py) = (x.clamp(l, r), y.clamp(t, b));
            (x - px).hypot(y - py) >= layout.node_r + 12.0
        })
    };
    // The widest box of height `h` that is clear, up to `want`.
    let widest = |h: f64, want: f64| {
        if clear(want, h) {
            return want;
        }
        let (mut lo, mut hi) = (0.0, want);
        for _ in 0..12 {
            let mid = (lo + hi) / 2.0;
            if clear(mid, h) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let name_w = text_w(&n.name, 18.0, 0.62);
    let status_w = text_w(status, BADGE_TEXT, 0.78);
    let all = service_lines(n);
    let line_w = |l: &String| text_w(l, SERVICE_TEXT, 0.61);
    let want = (all.iter().map(line_w).fold(0.0, f64::max) + 24.0)
        .max(name_w + status_w + 36.0)
        .min(400.0);
    // As many lines as fit at a useful width, cut with an ellipsis if they must be.
    for shown in (1..=all.len().min(SERVICE_LINES_MAX)).rev() {
        let h = 44.0 + SERVICE_LINE * shown as f64;
        let w = widest(h, want);
        if w < want.min(200.0) {
            continue;
        }
        let beside = w >= name_w + status_w + 36.0;
        if !beside && !clear(w, h + 18.0) {
            continue;
        }
        let h = h + if beside { 0.0 } else { 18.0 };
        let chars = ((w - 24.0) / (SERVICE_TEXT * 0.61)).floor().max(4.0) as usize;
        let cut = |l: &String| {
            if l.chars().count() > chars {
                format!("{}…", l.chars().take(chars - 1).collect::<String>())
            } else {
                l.clone()
            }
        };
        let lines: Vec<String> = if all.len() > shown {
            all.iter()
                .take(shown - 1)
                .map(cut)
                .chain(std::iter::once(format!(
                    "+{} more",
                    all.len() - (shown - 1)
                )))
                .collect()
        } else {
            all.iter().map(cut).collect()
        };
        let (x, y) = (n.x - w / 2.0, n.y - h / 2.0);
        let (status_at, lines_y) = if beside {
            ((status, x + w - 12.0, y + 22.0, true), y + 44.0)
        } else {
            ((status, x + 12.0, y + 40.0, false), y + 62.0)
        };
        return ServiceBox {
            rect: Rect(x, y, x + w, y + h),
            name_at: (x + 12.0, y + 22.0),
            name_font: 18.0,
            status: Some(status_at),
            lines,
            lines_y,
        };
    }
    // No room for lines: a tag with the name, and the status when it matters.
    let font = 14.0;
    let shown = (status != "SERVICE").then_some(status);
    let w = text_w(&n.name, font, 0.62)
        + shown.map_or(0.0, |s| text_w(s, BADGE_TEXT, 0.78) + 10.0)
        + 20.0;
    let h = 28.0;
    let (x, y) = (n.x - w / 2.0, n.y - h / 2.0);
    ServiceBox {
        rect: Rect(x, y, x + w, y + h),
        name_at: (x + 10.0, y + 19.0),
        name_font: font,
        status: shown.map(|s| (s, x + w - 10.0, y + 19.0, true)),
        lines: Vec::new(),
        lines_y: 0.0,
    }
}

/// The word in a coordination service's box corner.
pub fn service_status(n: &NodeVm) -> &'static str {
    match (n.role.as_str(), n.paused_until.is_some()) {
        ("crashed", _) => "DOWN",
        (_, true) => "PAUSED",
        _ => "SERVICE",
    }
}

/// A coordination service's fields, one line each.
pub fn service_lines(n: &NodeVm) -> Vec<String> {
    n.fields
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}: {v}")
            }
        })
        .collect()
}

/// Where the storage is drawn.
pub fn storage_rect(layout: &Layout) -> Rect {
    let (x, y) = layout.storage_at;
    if layout.storage_strip {
        let w = layout.size.0 - 16.0;
        Rect(
            x - w / 2.0,
            y - STORAGE_STRIP_H / 2.0,
            x + w / 2.0,
            y + STORAGE_STRIP_H / 2.0,
        )
    } else {
        let (w, h) = STORAGE_BOX;
        Rect(x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0)
    }
}

/// What of the nodes' text fits, for this layout and these nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub name_font: f64,
    /// Names as their number alone (`12` for `n12`).
    pub short_name: bool,
    /// The role word inside the circle.
    pub badge: bool,
    /// Each node's caption (index `id - 1`), `None` where there was no room.
    pub captions: Vec<Option<Caption>>,
    /// Nodes whose caption had no room.
    pub crowded_out: Vec<NodeId>,
}

impl Fit {
    /// Something a node would say is not drawn.
    pub fn hides_text(&self) -> bool {
        self.short_name || !self.badge || !self.crowded_out.is_empty()
    }

    pub fn caption(&self, id: NodeId) -> Option<&Caption> {
        self.captions.get((id as usize).wrapping_sub(1))?.as_ref()
    }

    /// Kept out of line: one copy serves the page and each column side by side.
    #[inline(never)]
    pub fn of(layout: &Layout, nodes: &[NodeVm], storage: bool) -> Fit {
        let r = layout.node_r;
        let on_circle: Vec<&NodeVm> = nodes.iter().filter(|n| !n.service).collect();
        let widest =
            |f: &dyn Fn(&NodeVm) -> f64| on_circle.iter().map(|n| f(n)).fold(0.0, f64::max);
        let nominal = if r < DENSE_R {
            DENSE_NAME_TEXT
        } else {
            NAME_TEXT
        };
        // The largest size up to the nominal one at which every name fits its circle.
        let name_at_one = widest(&|n| text_w(&n.name, 1.0, 0.62)).max(0.1);
        let fitting = (1.7 * r / name_at_one).min(nominal);
        let (name_font, short_name) = if fitting >= MIN_TEXT {
            (fitting, false)
        } else {
            let digits = widest(&|n| text_w(n.name.trim_start_matches('n'), 1.0, 0.62));
            ((1.7 * r / digits.max(0.1)).clamp(MIN_TEXT, nominal), true)
        };
        // The role word sits under the name: it needs the circle's width and room
        // below the name's baseline.
        let badge = r >= 28.0
            && widest(&|n| text_w(&n.badge, BADGE_TEXT, 0.78))
                .max(text_w("PAUSED", BADGE_TEXT, 0.78))
                <= 1.8 * r;

        let (w, _) = layout.size;
        let bounds = Rect(2.0, 2.0, w - 2.0, layout.floor - 2.0);
        let mut taken: Vec<Rect> = Vec::new();
        for n in nodes {
            let ring = r + 9.0;
            if n.service {
                taken.push(service_box(layout, n, service_status(n)).rect);
                continue;
            }
            taken.push(Rect(n.x - ring, n.y - ring, n.x + ring, n.y + ring));
            if n.leads {
                let (x, y) = crown_at(layout, n);
                let half = CROWN_TEXT / 2.0 + 1.0;
                taken.push(Rect(x - half, y - half, x + half, y + half));
            }
            let (sx, sy, cell) = log_strip(n);
            if !n.log.is_empty() {
                taken.push(Rect(
                    sx,
                    sy,
                    sx + cell * n.log.len() as f64,
                    sy + cell + 4.0,
                ));
            }
        }
        if storage {
            taken.push(storage_rect(layout));
        }
        let mut captions = vec![None; nodes.len()];
        let mut crowded_out = Vec::new();
        for n in &on_circle {
            let (term, vote) = caption_parts(n);
            let two: Vec<String> = [term.clone(), vote.clone()]
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect();
            if two.is_empty() {
                continue;
            }
            let placed = candidates(layout, n, &one_line(&term, &vote), &two)
                .into_iter()
                .find(|c| {
                    let b = caption_rect(c);
                    b.inside(&bounds) && !taken.iter().any(|t| t.overlaps(&b))
                });
            match placed {
                Some(c) => {
                    taken.push(caption_rect(&c));
                    if let Some(slot) = captions.get_mut(n.id as usize - 1) {
                        *slot = Some(c);
                    }
                }
                None => crowded_out.push(n.id),
            }
        }
        // A crowded circle with captions on only some nodes reads as if the others
        // had none: past a quarter of them, none.
        if r < DENSE_R && crowded_out.len() * 4 > on_circle.len() {
            captions.iter_mut().for_each(|c| *c = None);
        }
        Fit {
            name_font,
            short_name,
            badge,
            captions,
            crowded_out,
        }
    }
}

/// Places to try for a node's caption, best first: one line under it, two lines
/// under it, two small lines beside it (outward, then inward), above it.
fn candidates(layout: &Layout, n: &NodeVm, one: &str, two: &[String]) -> Vec<Caption> {
    let r = n.r;
    let (_, strip_y, cell) = log_strip(n);
    let under = strip_y + cell + 4.0;
    let (dx, dy) = (n.x - layout.centre.0, n.y - layout.centre.1);
    let d = (dx * dx + dy * dy).sqrt().max(1.0);
    let out = if dx.abs() / d < 0.2 { 1.0 } else { dx.signum() };
    let caption = |lines: Vec<String>, x: f64, y: f64, anchor: Anchor, font: f64| Caption {
        lines,
        x,
        y,
        anchor,
        font,
    };
    let side = |dir: f64, font: f64| {
        let lines = two.len() as f64;
        caption(
            two.to_vec(),
            n.x + dir * (r + 12.0),
            n.y - (lines - 1.0) * (font + 2.0) / 2.0 + font * 0.35,
            if dir > 0.0 {
                Anchor::Start
            } else {
                Anchor::End
            },
            font,
        )
    };
    // Clear of the timer ring (r + 7); a leader's crown is among the obstacles.
    let above_top = n.y - r - 12.0;
    let under_one = caption(
        vec![one.to_string()],
        n.x,
        under + CAPTION_TEXT,
        Anchor::Middle,
        CAPTION_TEXT,
    );
    let under_two = caption(
        two.to_vec(),
        n.x,
        under + CAPTION_TEXT,
        Anchor::Middle,
        CAPTION_TEXT,
    );
    let above = caption(
        two.to_vec(),
        n.x,
        above_top - (two.len() as f64 - 1.0) * (MIN_TEXT + 2.0),
        Anchor::Middle,
        MIN_TEXT,
    );
    let under_small = caption(
        two.to_vec(),
        n.x,
        under + MIN_TEXT,
        Anchor::Middle,
        MIN_TEXT,
    );
    // Outward first: the space outside the circle is the node's own, the inside is
    // shared by everyone.
    // A roomy circle sets every caption on one line under its node, in full size.
    // Otherwise outward first: the space outside the circle is the node's own, the
    // inside is shared by everyone.
    let mut list = if r >= DENSE_R {
        vec![under_one, side(out, 12.0), under_two]
    } else if dy / d > 0.3 {
        vec![under_two, side(out, 12.0)]
    } else {
        vec![side(out, 12.0), under_two]
    };
    list.extend([
        side(-out, 12.0),
        above,
        under_small,
        side(out, MIN_TEXT),
        side(-out, MIN_TEXT),
    ]);
    list
}

/// The box a caption covers, from its lines' estimated widths.
pub fn caption_rect(c: &Caption) -> Rect {
    let w = c
        .lines
        .iter()
        .map(|l| text_w(l, c.font, 0.56))
        .fold(0.0, f64::max);
    let (l, rgt) = match c.anchor {
        Anchor::Start => (c.x, c.x + w),
        Anchor::Middle => (c.x - w / 2.0, c.x + w / 2.0),
        Anchor::End => (c.x - w, c.x),
    };
    let top = c.y - c.font * 0.8;
    let bottom = c.y + (c.lines.len() as f64 - 1.0) * c.line_height() + c.font * 0.25;
    Rect(l - 2.0, top, rgt + 2.0, bottom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_wider_than_its_dot_gets_a_pill_that_holds_it() {
        assert_eq!(label_pill("7", MIN_TEXT, 9.0), None);
        assert_eq!(label_pill("12", MIN_TEXT, 9.0), None);
        for ballot in ["59.1", "10.25", "123.4"] {
            let w = label_pill(ballot, MIN_TEXT, 9.0).expect("a pill");
            assert!(w >= text_w(ballot, MIN_TEXT, 0.6), "{ballot}: {w}");
        }
    }
}
