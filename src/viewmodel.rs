//! The view model: everything the UI draws, computed from a [`ClusterView`] and the
//! trace window. Plain Rust with no web dependency, so it is tested natively; the
//! Yew components only turn these structs into SVG and HTML.

use crate::algo::Algo;
use crate::algo::descriptor::{RingKind, SplitBrain};
use crate::config::SimConfig;
use crate::sim::RoleCategory;
use crate::sim::VecMap;
use crate::sim::kernel::NodeStatus;
use crate::sim::storage::STORAGE;
use crate::sim::time::Rounded;
use crate::sim::trace::DropReason;
use crate::sim::{
    ClusterView, EventKind, Human, Micros, MsgClass, MsgRecord, NodeId, NodeState, NoteKind,
    Severity, TimedFinding, TraceEvent,
};
use std::collections::VecDeque;
use std::rc::Rc;

/// The cluster drawing's size, in user units, when its stage has room for it. On a
/// larger stage a user unit is more than a CSS pixel and everything grows with it; on
/// a smaller one it is exactly one CSS pixel and the circle shrinks instead, so text
/// set in user units never renders below its size in CSS pixels.
pub const CLUSTER_W: f64 = 1000.0;
pub const CLUSTER_H: f64 = 760.0;
/// Height of that strip, in user units: two lines of text.
pub const STORAGE_STRIP_H: f64 = 48.0;

/// Where the cluster is drawn on the page, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stage {
    pub w: f64,
    pub h: f64,
}

impl Default for Stage {
    fn default() -> Stage {
        Stage {
            w: CLUSTER_W,
            h: CLUSTER_H,
        }
    }
}

impl Stage {
    /// CSS pixels per user unit: at least one.
    pub fn unit(&self) -> f64 {
        (self.w / CLUSTER_W).min(self.h / CLUSTER_H).max(1.0)
    }

    /// The drawing's size in user units.
    pub fn drawing(&self) -> (f64, f64) {
        let u = self.unit();
        ((self.w / u).max(200.0), (self.h / u).max(160.0))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Centre of node `id` at index `id - 1`.
    pub centers: Vec<(f64, f64)>,
    pub node_r: f64,
    /// For ring algorithms: the ring order (clockwise) and which way messages travel.
    pub ring: Option<(Vec<NodeId>, RingKind)>,
    /// The drawing's width and height in user units (the SVG's viewBox).
    pub size: (f64, f64),
    /// Centre of the circle the candidates sit on; a coordination service sits here.
    pub centre: (f64, f64),
    /// Radii of that circle (an ellipse on a wide, short stage): across, down.
    pub radii: (f64, f64),
    /// Shortest distance between neighbours, centre to centre.
    pub spacing: f64,
    /// The lowest point text may reach (the storage strip's top, or the bottom).
    pub floor: f64,
    /// Where the shared storage is drawn.
    pub storage_at: (f64, f64),
    /// The storage is a strip along the bottom (a narrow stage), not a corner box.
    pub storage_strip: bool,
}

impl Layout {
    /// Where node `id` is drawn. The storage has its place; anything else without a
    /// seat on the circle (an algorithm's coordination service) sits in the middle.
    pub fn pos(&self, id: NodeId) -> (f64, f64) {
        if id == crate::sim::storage::STORAGE {
            return self.storage_at;
        }
        self.centers
            .get((id as usize).wrapping_sub(1))
            .copied()
            .unwrap_or(self.centre)
    }
}

/// Nodes on a circle, n1 at the top, clockwise; node size shrinks as the ring fills.
pub fn circle_layout(n: usize) -> Layout {
    let order: Vec<NodeId> = (1..=n as NodeId).collect();
    ordered_layout(&order, Stage::default(), false, false)
}

/// Nodes on a circle in the given clockwise order, the first at the top, fitted to
/// the stage: a large stage gets the full-size drawing scaled up, a small one a
/// smaller circle of smaller nodes with text at its full size. A wide, short stage
/// (an embed) stretches the circle into an ellipse up to half again as wide.
pub fn ordered_layout(order: &[NodeId], stage: Stage, storage: bool, service: bool) -> Layout {
    if !storage {
        return fitted(order, stage, false, false, service);
    }
    // The storage goes in a corner or in a strip along the bottom, whichever leaves
    // the nodes larger (the corner on a tie).
    let corner = fitted(order, stage, true, false, service);
    let strip = fitted(order, stage, true, true, service);
    // Larger nodes first, then more room between neighbours on average.
    let mean_gap =
        |l: &Layout| neighbour_gaps(order, &l.centers).sum::<f64>() / order.len().max(1) as f64;
    let size = |l: &Layout| (l.node_r, mean_gap(l));
    if size(&strip) > size(&corner) {
        strip
    } else {
        corner
    }
}

fn fitted(
    order: &[NodeId],
    stage: Stage,
    storage: bool,
    storage_strip: bool,
    service: bool,
) -> Layout {
    let n = order.len();
    let (w, h) = stage.drawing();
    // The circle's room: the strip, when there is one, sits below it.
    let room_h = if storage_strip {
        h - STORAGE_STRIP_H - 8.0
    } else {
        h
    };
    let centre = (
        w / 2.0,
        room_h / 2.0 + if room_h >= 600.0 { 10.0 } else { 0.0 },
    );
    let per_node = std::f64::consts::PI / n.max(3) as f64 * 0.62;
    // Room above a node for a leader's crown and below it for its log strip and a
    // caption line (46); beside it, for its caption, 60. A small stage sets two short
    // caption lines under a node: 52 below.
    let small = w < 600.0;
    let margin_v = |r: f64| if small { r + 52.0 } else { r + 46.0 };
    let margin_h = |r: f64| if small { r + 12.0 } else { 60.0 };
    // A corner box for the storage leaves no room to stretch into.
    let stretch = if storage && !storage_strip { 1.0 } else { 1.5 };
    let (mut rx, mut ry) = (300.0f64, 300.0f64);
    for _ in 0..6 {
        let r = (ry.min(rx) * per_node).clamp(22.0, 62.0);
        let (room_x, room_y) = (w / 2.0 - margin_h(r), room_h / 2.0 - margin_v(r));
        ry = 300.0f64.min(room_y).min(room_x * 1.15).max(40.0);
        // Stretched only as far as the full-size circle's 300 units, or further for a
        // crowded circle on a wide stage: its top and bottom neighbours then stand far
        // enough apart for their captions.
        let widest: f64 = if n >= 13 { 405.0 } else { 300.0 };
        rx = room_x.min(ry.max(widest.min(ry * stretch))).max(40.0);
    }
    let (cx, cy) = centre;
    let storage_at = if storage_strip {
        (w / 2.0, h - STORAGE_STRIP_H / 2.0 - 4.0)
    } else {
        (w - 108.0, h - 82.0)
    };
    let place = |rx: f64, ry: f64| {
        let mut centers = vec![(cx, cy); n];
        for (&id, (x, y)) in order.iter().zip(ellipse_points(n, rx, ry)) {
            if let Some(c) = centers.get_mut(id as usize - 1) {
                *c = (cx + x, cy + y);
            }
        }
        let spacing = neighbour_spacing(order, &centers);
        // Never wider than 42% of the distance between neighbours, so nodes never
        // touch; with a coordination service in the middle, small enough to leave it
        // room.
        let mut node_r = (ry.min(rx) * per_node)
            .clamp(22.0, 62.0)
            .min(spacing * 0.42);
        if service {
            node_r = node_r.min((ry.min(rx) - 65.0).max(16.0));
        }
        (centers, spacing, node_r)
    };
    // A corner box for the storage must not sit on a node: the circle shrinks until
    // it clears the box (a stage shorter than the full-size drawing).
    let (box_w, box_h) = crate::fit::STORAGE_BOX;
    let clear_of_box = |centers: &[(f64, f64)], r: f64| {
        let (bx, by) = (storage_at.0 - box_w / 2.0, storage_at.1 - box_h / 2.0);
        centers
            .iter()
            .all(|&(x, y)| x + r + 10.0 < bx || y + r + 10.0 < by)
    };
    let (mut centers, mut spacing, mut node_r) = place(rx, ry);
    if storage && !storage_strip {
        for _ in 0..20 {
            if clear_of_box(&centers, node_r) {
                break;
            }
            rx *= 0.96;
            ry *= 0.96;
            (centers, spacing, node_r) = place(rx, ry);
        }
    }
    Layout {
        centers,
        node_r,
        ring: None,
        size: (w, h),
        centre,
        radii: (rx, ry),
        spacing,
        storage_at,
        storage_strip,
        floor: if storage_strip {
            h - STORAGE_STRIP_H - 8.0
        } else {
            h
        },
    }
}

/// Sine and cosine for the layout's angles (a few turns at most). The standard
/// library's call libm, whose argument reduction for any angle costs the page's bundle
/// about 2 KB gzipped; here a quarter-turn reduction and Taylor series to the 17th
/// power (error below 1e-15 within a quarter turn) are enough.
pub fn sin_cos(a: f64) -> (f64, f64) {
    use std::f64::consts::FRAC_PI_2;
    let q = (a / FRAC_PI_2).round();
    let r = a - q * FRAC_PI_2;
    let r2 = r * r;
    let (mut sin, mut cos) = (0.0, 0.0);
    // Horner's rule over 1/(2k+1)! and 1/(2k)!, highest power first.
    for k in (0..=8).rev() {
        let (odd, even) = (
            (1..=2 * k + 1).map(|i| i as f64).product::<f64>(),
            (1..=2 * k).map(|i| i as f64).product::<f64>(),
        );
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        sin = sin * r2 + sign / odd;
        cos = cos * r2 + sign / even;
    }
    sin *= r;
    match (q as i64).rem_euclid(4) {
        0 => (sin, cos),
        1 => (cos, -sin),
        2 => (-sin, -cos),
        _ => (-cos, sin),
    }
}

/// `n` points spaced evenly along an ellipse (by length, not by angle: on a flat
/// ellipse equal angles crowd its ends), the first at the top, clockwise.
fn ellipse_points(n: usize, rx: f64, ry: f64) -> Vec<(f64, f64)> {
    const STEPS: usize = 720;
    let at = |i: usize| {
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / STEPS as f64;
        let (sin, cos) = sin_cos(a);
        (rx * cos, ry * sin)
    };
    let mut run = vec![0.0; STEPS + 1];
    for i in 1..=STEPS {
        let (a, b) = (at(i - 1), at(i));
        run[i] = run[i - 1] + (a.0 - b.0).hypot(a.1 - b.1);
    }
    let total = run[STEPS];
    let mut i = 0;
    (0..n)
        .map(|k| {
            let target = total * k as f64 / n as f64;
            while i < STEPS && run[i + 1] < target {
                i += 1;
            }
            let span = (run[i + 1] - run[i]).max(f64::EPSILON);
            let f = ((target - run[i]) / span).clamp(0.0, 1.0);
            let (a, b) = (at(i), at(i + 1));
            (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
        })
        .collect()
}

/// The shortest distance between neighbours on the ring.
fn neighbour_spacing(order: &[NodeId], centers: &[(f64, f64)]) -> f64 {
    if order.len() < 2 {
        return 600.0;
    }
    neighbour_gaps(order, centers).fold(f64::MAX, f64::min)
}

/// The distance from each node to the next one round the ring.
fn neighbour_gaps<'a>(
    order: &'a [NodeId],
    centers: &'a [(f64, f64)],
) -> impl Iterator<Item = f64> + 'a {
    let at = |id: NodeId| centers[id as usize - 1];
    (0..order.len()).map(move |k| {
        let (a, b) = (at(order[k]), at(order[(k + 1) % order.len()]));
        (a.0 - b.0).hypot(a.1 - b.1)
    })
}

/// The classic partition demonstrations, as the side of the split that holds the
/// leader: a minority (it cannot commit; the others elect a new leader) or a majority
/// (it carries on; the others cannot elect). Counted over the candidates, led by the
/// leader (or n1 when there is none); a coordination service stays with the
/// majority.
pub fn leader_side(
    nodes: NodeId,
    service: Option<NodeId>,
    leader: Option<NodeId>,
    majority: bool,
) -> Vec<NodeId> {
    let candidates: Vec<NodeId> = (1..=nodes).filter(|&x| Some(x) != service).collect();
    let c = candidates.len();
    let size = if majority {
        c / 2 + 1
    } else {
        (c.saturating_sub(1) / 2).max(1)
    };
    let mut ids: Vec<NodeId> = leader
        .into_iter()
        .filter(|l| candidates.contains(l))
        .collect();
    ids.extend(candidates.iter().copied().filter(|&x| Some(x) != leader));
    ids.truncate(size);
    if majority {
        ids.extend(service);
    }
    ids.sort_unstable();
    ids
}

/// The layout a run is drawn with on a stage: ring algorithms place nodes in ring
/// order, so the ring's direction and neighbours are what the eye sees.
// One copy for the page and the columns side by side (inlined at both, it cost the
// page's bundle a second copy).
#[inline(never)]
pub fn layout_for(cfg: &SimConfig, stage: Stage) -> Layout {
    let storage = cfg.storage != crate::sim::StorageMode::Off;
    let service = cfg.algo.service.is_some();
    match &cfg.algo.ring {
        Some(ring) => {
            let order = (ring.order)(&cfg.setup());
            let mut l = ordered_layout(&order, stage, storage, service);
            l.ring = Some((order, ring.kind));
            l
        }
        None => {
            let order: Vec<NodeId> = (1..=cfg.nodes).collect();
            ordered_layout(&order, stage, storage, service)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogCell {
    pub term: u64,
    pub committed: bool,
    pub noop: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeVm {
    pub id: NodeId,
    /// `n3`, or the coordination service's name.
    pub name: String,
    /// The algorithm's coordination service (drawn as a box in the middle, with its
    /// `fields` as lines), not a candidate.
    pub service: bool,
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// The engine's word: `leader`, `follower`, `looking`, ..., or `crashed`.
    pub role: String,
    /// What the role is, whatever the engine calls it: what CSS classes come from.
    pub category: RoleCategory,
    /// The caption stands where the vote is drawn (a proposal while looking for a
    /// leader; see `Descriptor::proposal_role`).
    pub shows_proposal: bool,
    /// The engine says it leads now (a node may have a leader's role before it leads,
    /// e.g. while a quorum has yet to accept it).
    pub leads: bool,
    /// Upper-case word drawn inside the node, so nothing depends on colour alone.
    pub badge: String,
    pub term: u64,
    pub voted_for: Option<NodeId>,
    pub leader: Option<NodeId>,
    pub log: Vec<LogCell>,
    /// Entries hidden to the left of the strip.
    pub log_hidden: usize,
    pub commit_index: u64,
    pub paused_until: Option<Micros>,
    /// Part of a split-brain or a violation right now.
    pub alarm: bool,
    pub fields: Vec<(String, String)>,
    /// `term 4`, `ballot 3.n2`, or empty where the algorithm has no terms.
    pub term_label: String,
    /// The engine's most telling decoration (its first field), e.g. `leader n5`.
    pub caption: Option<String>,
    /// `voted` or `promised`: what `voted_for` means here.
    pub vote_word: &'static str,
    pub drift_ppm: i32,
}

const TIMER_STEPS: f64 = 48.0;

/// Entries a node's strip shows (the newest ones).
pub const LOG_STRIP: usize = 8;

#[derive(Clone, Debug, PartialEq)]
pub struct MsgVm {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub class: MsgClass,
    pub kind: String,
    pub term: Option<u64>,
    /// `Some` while a dropped message fades out: 1.0 at the drop, 0.0 when gone.
    pub dying: Option<f64>,
    pub reason: Option<DropReason>,
    /// Waiting at a paused receiver.
    pub held: bool,
    pub from: NodeId,
    pub to: NodeId,
}

fn lerp(a: (f64, f64), b: (f64, f64), f: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
}

/// Where a message is drawn: on the segment between the two node rims.
fn along(layout: &Layout, from: NodeId, to: NodeId, f: f64) -> (f64, f64) {
    let a = layout.pos(from);
    let b = layout.pos(to);
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1.0);
    let rim = (layout.node_r / len).min(0.45);
    lerp(a, b, rim + (1.0 - 2.0 * rim) * f.clamp(0.0, 1.0))
}

/// The CSS class of a role name: its category's, or `crashed` for a node that is down.
pub fn role_class(algo: Algo, role: &str) -> &'static str {
    match role {
        "crashed" => "crashed",
        _ => algo.category(role).class(),
    }
}

/// How long (virtual time) a dropped message stays visible as it dies.
pub const DROP_FADE: Micros = 60_000;

/// Share of its countdown timer (`algo.countdown_timer`) a running node has left at
/// `now`, if it has that timer armed.
pub fn timer_left(n: &NodeState, now: Micros, algo: Algo) -> Option<f64> {
    n.timers
        .iter()
        .find(|t| t.label == algo.countdown_timer)
        .filter(|_| n.status == NodeStatus::Up)
        .map(|t| {
            let span = t.fires_at.saturating_sub(t.set_at).max(1) as f64;
            let left = (t.fires_at.saturating_sub(now) as f64 / span).clamp(0.0, 1.0);
            // In steps of 1/48 of a turn: the ring still drains smoothly, and the
            // painter's input changes only when a step does.
            (left * TIMER_STEPS).ceil() / TIMER_STEPS
        })
}

// One copy for the page and the columns side by side (inlined at both, it cost the
// page's bundle a second copy).
#[inline(never)]
pub fn nodes(view: &ClusterView, layout: &Layout, algo: Algo) -> Vec<NodeVm> {
    let claimants: Vec<NodeId> = view
        .nodes
        .iter()
        .filter(|n| n.view.is_leader && n.status != NodeStatus::Crashed)
        .map(|n| n.id)
        .collect();
    view.nodes
        .iter()
        .map(|n| {
            let (x, y) = layout.pos(n.id);
            let (role, paused_until) = match n.status {
                NodeStatus::Crashed => ("crashed".to_string(), None),
                NodeStatus::Paused { until } => (n.view.role.clone(), Some(until)),
                NodeStatus::Up => (n.view.role.clone(), None),
            };
            let skip = n.view.log.len().saturating_sub(LOG_STRIP);
            NodeVm {
                id: n.id,
                name: n.name.clone(),
                service: n.service,
                x,
                y,
                r: layout.node_r,
                badge: match role.as_str() {
                    "pre-candidate" => "PRE".into(),
                    "candidate" => "CAND".into(),
                    "crashed" => "DOWN".into(),
                    r => r.to_ascii_uppercase(),
                },
                leads: n.view.is_leader && n.status != NodeStatus::Crashed,
                category: algo.category(&n.view.role),
                shows_proposal: algo.proposal_role == Some(role.as_str()),
                role,
                term: n.view.term,
                voted_for: n.view.voted_for,
                leader: n.view.leader,
                log: n.view.log[skip..]
                    .iter()
                    .map(|e| LogCell {
                        term: e.term,
                        committed: e.committed,
                        noop: e.value.is_none(),
                    })
                    .collect(),
                log_hidden: skip,
                commit_index: n.view.commit_index,
                paused_until,
                alarm: claimants.len() >= 2 && claimants.contains(&n.id),
                fields: n.view.fields.clone(),
                term_label: (algo.term_label)(n.view.term),
                caption: n.view.fields.first().map(|(k, v)| format!("{k} {v}")),
                vote_word: algo.vote_word,
                drift_ppm: n.drift_ppm,
            }
        })
        .collect()
}

/// Messages in flight at `view.now`, plus recently dropped ones fading where they died.
pub fn messages(view: &ClusterView, trace: &VecDeque<TraceEvent>, layout: &Layout) -> Vec<MsgVm> {
    let now = view.now;
    let mut out: Vec<MsgVm> = view
        .in_flight
        .iter()
        .map(|m| {
            let held = m.deliver_at <= now;
            let span = m.deliver_at.saturating_sub(m.sent_at).max(1) as f64;
            let f = now.saturating_sub(m.sent_at) as f64 / span;
            let (x, y) = along(layout, m.from, m.to, f);
            msg_vm(m, x, y, None, None, held)
        })
        .collect();
    // Recent drops: find each one's send record in the window to know its path.
    let mut drops: Vec<(u64, Micros, DropReason)> = Vec::new();
    for e in trace.iter().rev() {
        if e.time + DROP_FADE < now {
            break;
        }
        if let EventKind::Drop { id, reason, .. } = e.kind {
            drops.push((id, e.time, reason));
        }
    }
    if !drops.is_empty() {
        let wanted: VecMap<u64, (Micros, DropReason)> =
            drops.iter().map(|&(id, t, r)| (id, (t, r))).collect();
        let oldest = wanted.keys().next().copied().unwrap_or(0);
        for e in trace.iter().rev() {
            if let EventKind::Send { msg } = &e.kind {
                if let Some(&(t, reason)) = wanted.get(&msg.id) {
                    // A partition stops a message midway; loss and dead receivers at the end.
                    let f = if reason == DropReason::Partitioned {
                        0.5
                    } else {
                        0.92
                    };
                    let (x, y) = along(layout, msg.from, msg.to, f);
                    let life = 1.0 - now.saturating_sub(t) as f64 / DROP_FADE as f64;
                    out.push(msg_vm(
                        msg,
                        x,
                        y,
                        Some(life.clamp(0.0, 1.0)),
                        Some(reason),
                        false,
                    ));
                }
                if msg.id < oldest {
                    break; // sends before the oldest dropped message cannot match
                }
            }
        }
    }
    out
}

fn msg_vm(
    m: &MsgRecord,
    x: f64,
    y: f64,
    dying: Option<f64>,
    reason: Option<DropReason>,
    held: bool,
) -> MsgVm {
    MsgVm {
        id: m.id,
        x,
        y,
        class: m.class,
        kind: m.kind.to_string(),
        term: m.term,
        dying,
        reason,
        held,
        from: m.from,
        to: m.to,
    }
}

/// What the safety monitor says right now.
#[derive(Clone, Debug, PartialEq)]
pub struct Banner {
    pub severity: Severity,
    pub text: String,
    pub nodes: Vec<NodeId>,
    /// The kernel stopped the run (a runaway engine): nothing moves any more.
    pub halted: bool,
}

/// The banner: a halted run first (nothing else moves), then the newest violation;
/// otherwise a live split-brain explained. Violations come from the run's findings
/// (state that follows seeks and branches), not from a scan of the trace window,
/// which this would otherwise repeat on every frame.
// One copy for the page and the columns side by side (inlined at both, it cost the
// page's bundle a second copy).
#[inline(never)]
pub fn banner(view: &ClusterView, findings: &[TimedFinding], algo: Algo) -> Option<Banner> {
    if let Some(why) = &view.halted {
        return Some(Banner {
            severity: Severity::Violation,
            text: format!(
                "Stopped at {}: {why}. Rewind, or reset with other settings.",
                Rounded(view.now)
            ),
            nodes: Vec::new(),
            halted: true,
        });
    }
    if let Some(f) = findings
        .iter()
        .rev()
        .find(|f| f.finding.severity == Severity::Violation)
    {
        return Some(Banner {
            severity: Severity::Violation,
            text: format!(
                "At {}: SAFETY VIOLATION ({}): {}",
                Rounded(f.at),
                f.finding.invariant,
                f.finding.text
            ),
            nodes: f.finding.nodes.clone(),
            halted: false,
        });
    }
    let leaders: Vec<(NodeId, u64)> = view
        .nodes
        .iter()
        .filter(|n| n.view.is_leader && n.status != NodeStatus::Crashed)
        .map(|n| (n.id, n.view.term))
        .collect();
    if leaders.len() < 2 {
        return None;
    }
    let newest = leaders.iter().map(|l| l.1).max().unwrap_or(0);
    let names: Vec<String> = leaders
        .iter()
        .map(|&(n, t)| match algo.leadership {
            Some(_) => format!("n{n} ({})", (algo.term_label)(t)),
            None => format!("n{n}"),
        })
        .collect();
    let stale: Vec<String> = leaders
        .iter()
        .filter(|l| l.1 < newest)
        .map(|l| format!("n{}", l.0))
        .collect();
    let joined = match names.len() {
        2 => format!("{} and {} both believe they lead", names[0], names[1]),
        _ => format!("{} all believe they lead", names.join(", ")),
    };
    let why = (algo.explain_split)(&SplitBrain {
        title: algo.title,
        stale: &stale,
        newest: (algo.term_label)(newest),
    });
    Some(Banner {
        severity: if stale.is_empty() && algo.quorum {
            Severity::Violation
        } else {
            Severity::Warning
        },
        text: format!("Split brain: {joined}{why}."),
        nodes: leaders.iter().map(|l| l.0).collect(),
        halted: false,
    })
}

/// Narration categories, for colour and filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Election,
    Vote,
    Leader,
    Replication,
    Fault,
    Monitor,
    Message,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Election,
        Category::Vote,
        Category::Leader,
        Category::Replication,
        Category::Fault,
        Category::Monitor,
        Category::Message,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Election => "elections",
            Category::Vote => "votes",
            Category::Leader => "leaders",
            Category::Replication => "log",
            Category::Fault => "faults",
            Category::Monitor => "monitor",
            Category::Message => "messages",
        }
    }

    /// Shown unless the user turns them on: per-message lines drown the story.
    pub fn on_by_default(self) -> bool {
        self != Category::Message
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub seq: u64,
    pub time: Micros,
    pub category: Category,
    pub text: String,
    pub violation: bool,
    /// The key moment this line tells, if any.
    pub moment: Option<crate::sim::Moment>,
}

pub fn category(e: &TraceEvent) -> Option<Category> {
    Some(match &e.kind {
        EventKind::Note { kind, .. } => match kind {
            NoteKind::ElectionStart => Category::Election,
            NoteKind::Vote => Category::Vote,
            NoteKind::Leader | NoteKind::StepDown => Category::Leader,
            NoteKind::Replication | NoteKind::Commit | NoteKind::Client => Category::Replication,
            NoteKind::Info => Category::Fault,
            NoteKind::Routine => Category::Message,
        },
        EventKind::Action { .. } | EventKind::Skipped { .. } | EventKind::Resume { .. } => {
            Category::Fault
        }
        EventKind::Finding { .. } | EventKind::Halted(_) => Category::Monitor,
        // What the storage did with a write is the point of fencing: shown with the
        // monitor's lines, not hidden among routine messages.
        EventKind::Drop {
            reason: DropReason::Fenced,
            ..
        } => Category::Monitor,
        EventKind::Deliver { to: STORAGE, .. } => Category::Message,
        EventKind::Send { .. } | EventKind::Drop { .. } => Category::Message,
        EventKind::Boot { .. }
        | EventKind::Deliver { .. }
        | EventKind::Timer { .. }
        | EventKind::Role { .. } => {
            return None;
        }
    })
}

/// The newest `limit` narration lines among `shown` categories, newest first; with
/// `moments_only`, the lines that tell a key moment, whatever their category (a
/// leader's election is told by its role change, which is otherwise not narrated).
pub fn narration(
    trace: &VecDeque<TraceEvent>,
    shown: &[Category],
    moments_only: bool,
    limit: usize,
) -> Vec<Line> {
    trace
        .iter()
        .rev()
        .filter_map(|e| {
            let c = match (category(e), moments_only) {
                (_, true) if e.moment.is_none() => return None,
                (c, true) => c.unwrap_or(Category::Leader),
                (c, false) => c?,
            };
            (moments_only || shown.contains(&c)).then(|| Line {
                seq: e.seq,
                time: e.time,
                category: c,
                text: e.text.clone(),
                violation: matches!(
                    &e.kind,
                    EventKind::Finding {
                        severity: Severity::Violation,
                        ..
                    } | EventKind::Halted(_)
                ),
                moment: e.moment,
            })
        })
        .take(limit)
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatsVm {
    pub time: String,
    /// The newest term (or ballot) any node has seen, with its word; `None` for
    /// algorithms without terms.
    pub term: Option<(&'static str, String)>,
    pub leader: String,
    pub leaderless: String,
    pub elections: u64,
    pub messages: Vec<(String, u64)>,
    pub dropped: u64,
    pub violations: usize,
}

// One copy for the page and the columns side by side (inlined at both, it cost the
// page's bundle a second copy).
#[inline(never)]
pub fn stats(view: &ClusterView, stats: &crate::sim::Stats, algo: Algo) -> StatsVm {
    let newest = view.nodes.iter().map(|n| n.view.term).max().unwrap_or(0);
    StatsVm {
        time: format!("{}", Rounded(view.now)),
        term: algo.leadership.map(|word| {
            let label = (algo.term_label)(newest);
            (word, label.trim_start_matches(word).trim().to_string())
        }),
        leader: match view.leader {
            Some((n, t)) if algo.leadership.is_some() => {
                format!("n{n} ({})", (algo.term_label)(t))
            }
            Some((n, _)) => format!("n{n}"),
            None => "none".into(),
        },
        leaderless: format!("{}", Rounded(stats.leaderless_us)),
        elections: stats.elections,
        messages: stats
            .messages_by_kind
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        dropped: stats.messages_dropped,
        violations: stats.violations(),
    }
}

// ----- the space-time (Lamport) diagram -----

pub const LAMPORT_W: f64 = 1000.0;
pub const LANE_H: f64 = 26.0;
pub const LAMPORT_LEFT: f64 = 44.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: u64,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub class: MsgClass,
    /// Still travelling (drawn up to `now`).
    pub in_flight: bool,
    pub dropped: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// Trace sequence number: a stable key.
    pub seq: u64,
    pub x: f64,
    pub y: f64,
    pub role: String,
    pub term: u64,
    pub node: NodeId,
}

/// Arrows drawn at most across the window; past this, heartbeats and replies are
/// thinned evenly so that elections and appends stay visible and the page stays smooth.
pub const LAMPORT_ARROW_BUDGET: usize = 700;
/// The window is cut into this many tiles of virtual time. A tile whose messages have
/// all arrived never changes again, so the browser keeps its pixels and slides them;
/// only the newest tiles are redrawn as time passes.
pub const LAMPORT_TILES: u64 = 4;

/// The space-time diagram: fixed lanes, and tiles of arrows that slide left as time
/// passes. Tile contents use coordinates relative to the tile's first instant, so a
/// tile is the same object (and the same pixels) for as long as it is visible.
#[derive(Clone, Debug, PartialEq)]
pub struct LamportVm {
    pub start: Micros,
    /// The window's right edge: `now`, or the window's length early on.
    pub end: Micros,
    /// Virtual time drawn up to.
    pub now: Micros,
    /// Diagram units per microsecond.
    pub scale: f64,
    /// Heartbeats and replies left out to stay within the arrow budget.
    pub thinned: usize,
    pub height: f64,
    pub lanes: Vec<Lane>,
    /// In time order; the first may start before `start` (its arrows reach into view).
    pub tiles: Vec<Rc<LamportTile>>,
}

impl LamportVm {
    /// Where the "now" line is drawn: at the right edge once a whole window has
    /// passed, and before that where `now` falls (the window starts at 0).
    pub fn now_x(&self) -> f64 {
        LAMPORT_LEFT + self.now.saturating_sub(self.start) as f64 * self.scale
    }

    /// Where a tile sits, as a share of its own width from the diagram's left edge
    /// (what a CSS `translateX` percentage means).
    pub fn tile_shift(&self, tile: &LamportTile) -> f64 {
        (tile.t0 as f64 - self.start as f64) / tile.span as f64
    }
}

/// One slice of virtual time, `[t0, t0 + span)`: the messages sent in it (drawn to
/// their delivery, possibly past the slice), the role changes and the tick marks.
#[derive(Clone, Debug, PartialEq)]
pub struct LamportTile {
    pub t0: Micros,
    pub span: Micros,
    /// Width in diagram units.
    pub width: f64,
    pub arrows: Vec<Arrow>,
    pub marks: Vec<Mark>,
    /// Tick marks: (x, label).
    pub ticks: Vec<(f64, String)>,
    pub thinned: usize,
    /// Its slice is over and every message sent in it has arrived or died: the tile
    /// will look the same forever.
    pub settled: bool,
}

/// One row of the space-time diagram: a node, the service, or the storage (last).
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub id: NodeId,
    pub name: String,
    pub y: f64,
    /// The node is down at the end of the window.
    pub down: bool,
}

/// Virtual time the space-time diagram shows: shorter for big clusters, where a second
/// holds thousands of messages.
pub fn lamport_window(nodes: usize) -> Micros {
    if nodes <= 9 { 1_000_000 } else { 500_000 }
}

/// The last `window` of virtual time as one lane per node, time left to right.
///
/// `previous` is the diagram drawn last: its settled tiles are kept as they are, and
/// with `refresh` false so are its unsettled ones (drawn a little earlier), so that a
/// caller can redraw the newest tiles less often than it slides them. Only a diagram of
/// the same shape and from no later an instant is reused: after a rewind or a reset
/// everything is drawn afresh.
pub fn lamport(
    view: &ClusterView,
    trace: &VecDeque<TraceEvent>,
    window: Micros,
    previous: Option<&LamportVm>,
    refresh: bool,
) -> LamportVm {
    let end = view.now.max(window);
    let start = end - window;
    let n = view.nodes.len();
    let height = 14.0 + (n + view.storage.is_some() as usize) as f64 * LANE_H + 18.0;
    let scale = (LAMPORT_W - LAMPORT_LEFT - 8.0) / window as f64;
    let span = (window / LAMPORT_TILES).max(1);
    let now = view.now;
    // Same height and scale means same lanes and same tiles (the span follows from
    // the scale's window).
    let previous = previous.filter(|p| p.height == height && p.scale == scale && p.now <= now);
    // Arrows reach into view from tiles left of the window, up to the slowest link's
    // latency back (and at most a window).
    let reach = view.latency.1.div_ceil(span).clamp(1, LAMPORT_TILES);
    let first = (start / span).saturating_sub(reach);
    let last = (end - 1) / span;
    let geometry = TileGeometry {
        n,
        span,
        scale,
        window,
    };
    let tiles: Vec<Rc<LamportTile>> = (first..=last)
        .map(|k| {
            let t0 = k * span;
            let kept = previous
                .and_then(|p| p.tiles.iter().find(|t| t.t0 == t0))
                .filter(|t| t.settled || !refresh);
            match kept {
                Some(t) => t.clone(),
                None => Rc::new(lamport_tile(trace, t0, now, &geometry)),
            }
        })
        .collect();
    LamportVm {
        start,
        end,
        now,
        scale,
        thinned: tiles
            .iter()
            .filter(|t| t.t0 + t.span > start)
            .map(|t| t.thinned)
            .sum(),
        height,
        lanes: view
            .nodes
            .iter()
            .map(|s| Lane {
                id: s.id,
                name: s.name.clone(),
                y: geometry.lane_y(s.id),
                down: s.status == NodeStatus::Crashed,
            })
            .chain(view.storage.as_ref().map(|_| Lane {
                id: crate::sim::storage::STORAGE,
                name: "storage".into(),
                y: geometry.lane_y(crate::sim::storage::STORAGE),
                down: false,
            }))
            .collect(),
        tiles,
    }
}

struct TileGeometry {
    n: usize,
    span: Micros,
    scale: f64,
    window: Micros,
}

impl TileGeometry {
    fn lane_y(&self, node: NodeId) -> f64 {
        // The storage, when there is one, gets the last lane.
        let row = match node {
            crate::sim::storage::STORAGE => self.n as f64 + 1.0,
            id => id as f64,
        };
        14.0 + (row - 0.5) * LANE_H
    }

    /// `t` as x within the tile starting at `t0`; quantised to 0.1 so that equal
    /// instants give equal attributes.
    fn x(&self, t0: Micros, t: Micros) -> f64 {
        (t.saturating_sub(t0) as f64 * self.scale * 10.0).round() / 10.0
    }
}

/// Keeps every `stride`-th of the arrows `thin` picks (the first, then every stride
/// later, in time order) and all others; returns how many it dropped. The same picks
/// give the same result on every redraw.
fn keep_every_kth(arrows: &mut Vec<Arrow>, stride: usize, thin: impl Fn(&Arrow) -> bool) -> usize {
    let stride = stride.max(1);
    let (mut ordinal, mut dropped) = (0, 0);
    arrows.retain(|a| {
        if !thin(a) {
            return true;
        }
        ordinal += 1;
        let keep = (ordinal - 1) % stride == 0;
        dropped += usize::from(!keep);
        keep
    });
    dropped
}

/// The tile `[t0, t0 + span)` as of `now`.
fn lamport_tile(
    trace: &VecDeque<TraceEvent>,
    t0: Micros,
    now: Micros,
    g: &TileGeometry,
) -> LamportTile {
    let t1 = t0 + g.span;
    let from = trace.partition_point(|e| e.time < t0);
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut sent: VecMap<u64, usize> = VecMap::new();
    let mut marks = Vec::new();
    // Per arrow: sent at, due at, and when it was delivered or dropped (and which).
    type Ended = Option<(Micros, bool)>;
    let mut times: Vec<(Micros, Micros, Ended)> = Vec::new();
    for e in trace.iter().skip(from) {
        if e.time > now {
            break;
        }
        match &e.kind {
            EventKind::Send { msg } if msg.sent_at >= t0 && msg.sent_at < t1 => {
                sent.insert(msg.id, arrows.len());
                times.push((msg.sent_at, msg.deliver_at, None));
                let y1 = g.lane_y(msg.from);
                arrows.push(Arrow {
                    id: msg.id,
                    x1: g.x(t0, msg.sent_at),
                    y1,
                    x2: 0.0,
                    y2: g.lane_y(msg.to),
                    class: msg.class,
                    in_flight: true,
                    dropped: false,
                });
            }
            EventKind::Deliver { id, .. } | EventKind::Drop { id, .. } => {
                if let Some(&i) = sent.get(id) {
                    times[i].2 = Some((e.time, matches!(e.kind, EventKind::Drop { .. })));
                }
            }
            EventKind::Role { node, role, term } if e.time < t1 => marks.push(Mark {
                seq: e.seq,
                x: g.x(t0, e.time),
                y: g.lane_y(*node),
                role: role.clone(),
                term: *term,
                node: *node,
            }),
            _ => {}
        }
    }
    // Fill in where each arrow ends: its delivery or drop, or `now` if still flying
    // (drawn part of the way, toward where it will land).
    for (a, &(sent_at, due, ended)) in arrows.iter_mut().zip(&times) {
        let (t_end, dropped, in_flight) = match ended {
            Some((t, d)) => (t, d, false),
            None => (now.min(due), false, true),
        };
        let full = due.saturating_sub(sent_at).max(1) as f64;
        let frac = (t_end.saturating_sub(sent_at) as f64 / full).min(1.0);
        a.x2 = g.x(t0, t_end);
        a.y2 = a.y1 + (a.y2 - a.y1) * frac;
        a.in_flight = in_flight;
        a.dropped = dropped;
    }
    // Past the tile's share of the budget, keep every k-th routine arrow: the thinning
    // is even across the tile and the same on every redraw of a finished tile.
    let budget = (LAMPORT_ARROW_BUDGET / LAMPORT_TILES as usize).max(1);
    let routine =
        |a: &Arrow| matches!(a.class, MsgClass::Heartbeat | MsgClass::Reply) && !a.dropped;
    let mut thinned = 0;
    if arrows.len() > budget {
        let count = arrows.iter().filter(|a| routine(a)).count();
        let room = budget.saturating_sub(arrows.len() - count).max(1);
        thinned += keep_every_kth(&mut arrows, count.div_ceil(room), routine);
    }
    // A storm's own messages can overflow the tile by themselves: then every k-th of
    // the rest too, or the diagram alone would cost the frame.
    if arrows.len() > budget {
        let stride = arrows.len().div_ceil(budget);
        thinned += keep_every_kth(&mut arrows, stride, |_| true);
    }
    // Ticks at round intervals: about eight across the window.
    let step = [
        1_000u64,
        5_000,
        10_000,
        20_000,
        50_000,
        100_000,
        200_000,
        500_000,
        1_000_000,
        2_000_000,
        5_000_000,
        10_000_000,
        30_000_000,
        60_000_000,
        300_000_000,
        600_000_000,
        1_800_000_000,
        3_600_000_000,
        10_800_000_000,
        21_600_000_000,
    ]
    .into_iter()
    .find(|s| g.window / s <= 8)
    .unwrap_or(g.window);
    let ticks = (t0.div_ceil(step)..t1.div_ceil(step))
        .map(|k| {
            let label = match k * step {
                0 => "0s".to_string(),
                t => Human(t).to_string(),
            };
            (g.x(t0, k * step), label)
        })
        .collect();
    let settled = now >= t1 && arrows.iter().all(|a| !a.in_flight);
    LamportTile {
        t0,
        span: g.span,
        width: g.span as f64 * g.scale,
        arrows,
        marks,
        ticks,
        thinned,
        settled,
    }
}

/// The virtual instant at horizontal position `x` of the space-time diagram.
pub fn lamport_time_at(vm: &LamportVm, x: f64) -> Micros {
    let f = ((x - LAMPORT_LEFT) / (LAMPORT_W - LAMPORT_LEFT - 8.0)).clamp(0.0, 1.0);
    vm.start + ((vm.end - vm.start) as f64 * f) as Micros
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_cos_agrees_with_the_standard_library_over_the_layouts_angles() {
        for i in -4000..=8000 {
            let a = i as f64 * 0.001 * std::f64::consts::PI;
            let (s, c) = sin_cos(a);
            assert!((s - a.sin()).abs() < 1e-12, "sin {a}: {s} vs {}", a.sin());
            assert!((c - a.cos()).abs() < 1e-12, "cos {a}: {c} vs {}", a.cos());
        }
    }
    use crate::config::SimConfig;
    use crate::run::build;
    use crate::sim::{Action, MS, SEC, Target};

    fn run_to(seed: u64, t: Micros, actions: &[(Micros, Action)]) -> Box<dyn crate::run::Run> {
        let cfg = SimConfig {
            seed,
            ..SimConfig::default()
        };
        let mut r = build(&cfg, 20_000).unwrap();
        for (at, a) in actions {
            r.advance(*at);
            r.act(a.clone());
        }
        r.advance(t);
        r
    }

    #[test]
    fn the_leaders_side_is_a_minority_or_a_majority_of_the_candidates() {
        assert_eq!(leader_side(5, None, Some(3), false), vec![1, 3]);
        assert_eq!(leader_side(5, None, Some(3), true), vec![1, 2, 3]);
        assert_eq!(leader_side(4, None, None, false), vec![1]);
        assert_eq!(leader_side(4, None, Some(4), true), vec![1, 2, 4]);
        // zk (n6) is no candidate and stays with the majority.
        assert_eq!(leader_side(6, Some(6), Some(5), false), vec![1, 5]);
        assert_eq!(leader_side(6, Some(6), Some(5), true), vec![1, 2, 5, 6]);
        for n in 3..=25 {
            for majority in [false, true] {
                let side = leader_side(n, None, Some(n), majority).len() as u32;
                assert_eq!(2 * side > n, majority, "n={n}: {side} on the leader's side");
            }
        }
    }

    #[test]
    fn layout_puts_n1_on_top_and_keeps_nodes_apart() {
        for n in [1usize, 3, 5, 25] {
            let l = circle_layout(n);
            assert_eq!(l.centers.len(), n);
            assert!(l.centers[0].1 < l.centers.get(1).map_or(f64::MAX, |c| c.1) || n == 1);
            for i in 0..n {
                for j in i + 1..n {
                    let (a, b) = (l.centers[i], l.centers[j]);
                    let d = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
                    assert!(d > 2.0 * l.node_r, "n={n}: nodes {i} and {j} overlap");
                }
            }
        }
    }

    #[test]
    fn messages_move_from_sender_to_receiver_with_virtual_time() {
        let mut r = run_to(7, 300 * MS, &[]);
        let l = circle_layout(5);
        let m = r
            .trace()
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Send { msg } if msg.deliver_at - msg.sent_at > 4 * MS => {
                    Some(msg.clone())
                }
                _ => None,
            })
            .expect("a message was sent");
        r.seek(m.sent_at);
        let at_send = messages(&r.view(), r.trace(), &l)
            .into_iter()
            .find(|v| v.id == m.id)
            .unwrap();
        r.seek((m.sent_at + m.deliver_at) / 2);
        let mid = messages(&r.view(), r.trace(), &l)
            .into_iter()
            .find(|v| v.id == m.id)
            .unwrap();
        let (a, b) = (l.centers[m.from as usize - 1], l.centers[m.to as usize - 1]);
        let dist =
            |p: (f64, f64), q: (f64, f64)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
        assert!(dist((at_send.x, at_send.y), a) < dist((at_send.x, at_send.y), b));
        let half = dist(a, b) / 2.0;
        assert!(
            (dist((mid.x, mid.y), a) - half).abs() < 15.0,
            "midway at mid-flight"
        );
    }

    #[test]
    fn dropped_messages_fade_out_where_they_died() {
        let r = run_to(
            7,
            2 * SEC + 20 * MS,
            &[(
                2 * SEC,
                Action::Isolate {
                    target: Target::Node(3),
                },
            )],
        );
        let v = messages(&r.view(), r.trace(), &circle_layout(5));
        let dying: Vec<&MsgVm> = v.iter().filter(|m| m.dying.is_some()).collect();
        assert!(
            !dying.is_empty(),
            "a heartbeat to or from n3 dies in the partition"
        );
        assert!(
            dying
                .iter()
                .all(|m| m.reason == Some(DropReason::Partitioned) && (m.from == 3 || m.to == 3))
        );
    }

    #[test]
    fn the_now_line_follows_the_clock_in_the_first_window_then_stays_at_the_edge() {
        let window = lamport_window(5);
        let right = LAMPORT_W - 8.0;
        for (t, expected) in [
            (0, LAMPORT_LEFT),
            (300 * MS, LAMPORT_LEFT + 0.3 * (right - LAMPORT_LEFT)),
            (SEC, right),
            (2_500 * MS, right),
        ] {
            let r = run_to(1, t, &[]);
            let vm = lamport(&r.view(), r.trace(), window, None, true);
            assert!(
                (vm.now_x() - expected).abs() < 1e-6,
                "at {t}us the now line is at {} not {expected}",
                vm.now_x()
            );
        }
        // The arrows of the first second sit left of the line, none right of it.
        let r = run_to(1, 300 * MS, &[]);
        let vm = lamport(&r.view(), r.trace(), window, None, true);
        for tile in &vm.tiles {
            let left = LAMPORT_LEFT + vm.tile_shift(tile) * tile.width;
            for a in &tile.arrows {
                assert!(
                    left + a.x1 <= vm.now_x() + 1e-6,
                    "an arrow starts after now"
                );
            }
        }
    }

    fn arrows(vm: &LamportVm) -> impl Iterator<Item = (&LamportTile, &Arrow)> {
        vm.tiles
            .iter()
            .flat_map(|t| t.arrows.iter().map(move |a| (t.as_ref(), a)))
    }

    #[test]
    fn lamport_diagram_spans_the_window_with_an_arrow_per_message() {
        let r = run_to(7, 2 * SEC, &[]);
        let vm = lamport(&r.view(), r.trace(), SEC, None, true);
        assert_eq!((vm.start, vm.end), (SEC, 2 * SEC));
        assert_eq!(vm.lanes.len(), 5);
        let (first, last) = (&vm.tiles[0], &vm.tiles[vm.tiles.len() - 1]);
        assert!(first.t0 <= vm.start && last.t0 + last.span >= vm.end);
        assert!(vm.tiles.windows(2).all(|w| w[0].t0 + w[0].span == w[1].t0));
        assert!(arrows(&vm).count() > 50);
        // In the diagram's units from its left edge: the tile's place plus the arrow's.
        let plot = |t: &LamportTile, x: f64| vm.tile_shift(t) * t.width + x;
        assert!(arrows(&vm).all(|(t, a)| a.x1 <= a.x2
            && a.x1 >= 0.0
            && a.x1 < t.width + 0.01
            && plot(t, a.x2) <= LAMPORT_W - LAMPORT_LEFT - 8.0 + 0.01));
        assert!(arrows(&vm).any(|(t, a)| plot(t, a.x2) >= 0.0));
        // Arrows keep their coordinates as time passes: only the tiles slide.
        let r2 = run_to(7, 2 * SEC + 50 * MS, &[]);
        let later = lamport(&r2.view(), r2.trace(), SEC, None, true);
        let same = arrows(&vm)
            .filter(|(_, a)| !a.in_flight)
            .find_map(|(t, a)| {
                arrows(&later)
                    .find(|(u, b)| b.id == a.id && u.t0 == t.t0)
                    .map(|(_, b)| (a, b))
            });
        let (a, b) = same.expect("an arrow present in both windows");
        assert_eq!((a.x1, a.x2), (b.x1, b.x2));
        assert!(later.tile_shift(&vm.tiles[1]) < vm.tile_shift(&vm.tiles[1]));
        assert_eq!(lamport_time_at(&vm, LAMPORT_LEFT), SEC);
        assert_eq!(lamport_time_at(&vm, LAMPORT_W), 2 * SEC);
        let early = run_to(7, 400 * MS, &[]);
        let vm = lamport(&early.view(), early.trace(), SEC, None, true);
        assert!(
            vm.tiles
                .iter()
                .flat_map(|t| &t.marks)
                .any(|m| m.role == "leader"),
            "the election shows as role marks"
        );
    }

    /// Drawing the diagram from the previous one must give exactly what drawing it
    /// afresh gives, while keeping finished tiles as the same objects.
    #[test]
    fn lamport_tiles_drawn_from_the_last_diagram_equal_tiles_drawn_afresh() {
        let cfg = SimConfig {
            seed: 3,
            nodes: 9,
            latency: (20 * MS, 300 * MS),
            drop_ppm: 50_000,
            ..SimConfig::default()
        };
        let mut r = build(&cfg, 50_000).unwrap();
        let window = lamport_window(9);
        let mut prev: Option<LamportVm> = None;
        let (mut reused, mut t) = (0, 0);
        while t < 4 * SEC {
            t += 37 * MS;
            r.advance(t);
            if t == 37 * MS * 40 {
                r.act(Action::Crash {
                    target: Target::Leader,
                });
            }
            let fresh = lamport(&r.view(), r.trace(), window, None, true);
            let drawn = lamport(&r.view(), r.trace(), window, prev.as_ref(), true);
            assert_eq!(drawn, fresh, "at {t}");
            if let Some(p) = &prev {
                reused += drawn
                    .tiles
                    .iter()
                    .filter(|d| p.tiles.iter().any(|q| Rc::ptr_eq(d, q)))
                    .count();
                // Without a refresh only tiles new to the window are drawn.
                let lazy = lamport(&r.view(), r.trace(), window, Some(p), false);
                for tile in &lazy.tiles {
                    let old = p.tiles.iter().find(|q| q.t0 == tile.t0);
                    assert!(old.is_none_or(|q| Rc::ptr_eq(q, tile)));
                }
            }
            prev = Some(drawn);
        }
        assert!(reused > 100, "finished tiles are kept: {reused}");
        // After a rewind nothing is kept: the history may have branched.
        let mut early = build(&cfg, 50_000).unwrap();
        early.advance(2 * SEC);
        let p = prev.unwrap();
        let rewound = lamport(&early.view(), early.trace(), window, Some(&p), true);
        assert_eq!(
            rewound,
            lamport(&early.view(), early.trace(), window, None, true)
        );
        assert!(
            !rewound
                .tiles
                .iter()
                .any(|d| p.tiles.iter().any(|q| Rc::ptr_eq(d, q)))
        );
    }

    #[test]
    #[cfg(feature = "bug-injection")]
    fn a_message_storm_is_thinned_to_the_budget_too() {
        // Raft nodes that repeat every message to every peer: thousands of vote
        // requests a tile, none of them routine.
        let cfg = SimConfig {
            seed: 7,
            bug: Some("raft-echo".into()),
            ..SimConfig::default()
        };
        let mut r = build(&cfg, 20_000).unwrap();
        let mut t = 0;
        while r.view().in_flight_total < 10_000 && r.view().halted.is_none() {
            t += MS;
            r.advance(t);
        }
        assert!(r.view().halted.is_none(), "a storm is under way at {t}");
        let vm = lamport(&r.view(), r.trace(), lamport_window(5), None, true);
        let per_tile = LAMPORT_ARROW_BUDGET / LAMPORT_TILES as usize;
        for t in &vm.tiles {
            assert!(
                t.arrows.len() <= per_tile,
                "{} arrows in a tile",
                t.arrows.len()
            );
        }
        assert!(vm.thinned > 10_000, "{} thinned", vm.thinned);
        // The view a front end gets carries the newest messages only.
        assert_eq!(r.view().in_flight.len(), crate::run::VIEW_IN_FLIGHT);
    }

    #[test]
    fn a_big_busy_cluster_thins_routine_arrows_to_the_budget() {
        let cfg = SimConfig {
            seed: 1,
            nodes: 25,
            latency: (150 * MS, 250 * MS),
            ..SimConfig::default()
        }
        .with("heartbeat", "20ms")
        .and_then(|c| c.with("election-timeout", "1-2s"))
        .unwrap();
        let mut r = build(&cfg, 50_000).unwrap();
        r.advance(6 * SEC);
        let vm = lamport(&r.view(), r.trace(), lamport_window(25), None, true);
        let visible: Vec<_> = vm
            .tiles
            .iter()
            .filter(|t| t.t0 + t.span > vm.start)
            .collect();
        let drawn: usize = visible.iter().map(|t| t.arrows.len()).sum();
        assert!(drawn <= LAMPORT_ARROW_BUDGET, "{drawn} arrows");
        assert!(vm.thinned > 0);
        // Thinned evenly: each tile keeps routine arrows from its whole slice.
        for t in visible.iter().filter(|t| t.settled) {
            let routine: Vec<f64> = t
                .arrows
                .iter()
                .filter(|a| a.class == MsgClass::Heartbeat)
                .map(|a| a.x1)
                .collect();
            let reach = routine.iter().cloned().fold(0.0, f64::max);
            assert!(
                reach > t.width * 0.8,
                "heartbeats up to {reach} of {}",
                t.width
            );
        }
    }
}
