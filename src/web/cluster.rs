//! The cluster drawn as SVG: nodes on a circle, messages in flight, partitions, cuts.

use super::message_layer::{MessageLayer, RingTone, TimerRing};
use electionscope::algo::Algo;
use electionscope::algo::descriptor::RingKind;
use electionscope::sim::RoleCategory;
use electionscope::sim::action::Percent;
use electionscope::sim::storage::WriteOutcome;
use electionscope::sim::{NodeId, StorageView};
use electionscope::viewmodel::{
    CLUSTER_CENTRE, CLUSTER_H, CLUSTER_W, Layout, MsgVm, NodeVm, STORAGE_AT,
};

/// Node radius below which the circle is crowded (14 nodes and more): smaller
/// type, and captions set outward on two lines.
const DENSE_R: f64 = 42.0;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub nodes: Rc<Vec<NodeVm>>,
    pub msgs: Rc<Vec<MsgVm>>,
    pub layout: Rc<Layout>,
    pub partition: Option<Vec<Vec<NodeId>>>,
    pub cuts: Vec<(NodeId, NodeId)>,
    pub selected: Option<NodeId>,
    pub split: BTreeSet<NodeId>,
    pub on_node: Callback<NodeId>,
    /// Labels the leadership numbers on messages (through its descriptor).
    pub algo: Algo,
    /// The shared storage leaders write to, when the run has one.
    pub storage: Option<StorageView>,
}

const GROUP_NAMES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

#[function_component(Cluster)]
pub fn cluster(p: &ClusterProps) -> Html {
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
    // Timer rings are painted on the canvas; without them a node's props change only
    // when its state does, so Yew skips it on most frames.
    let rings: Vec<TimerRing> = p
        .nodes
        .iter()
        .filter_map(|n| {
            let left = n.timer_left?;
            Some(TimerRing {
                x: n.x,
                y: n.y,
                r: n.r + 7.0,
                left,
                tone: match n.category {
                    RoleCategory::Candidate => RingTone::Candidate,
                    RoleCategory::PreCandidate => RingTone::PreCandidate,
                    _ => RingTone::Follower,
                },
            })
        })
        .collect();
    let nodes = p.nodes.iter().map(|n| {
        let on_node = p.on_node.clone();
        let vm = NodeVm {
            timer_left: None,
            ..n.clone()
        };
        html! {
            <Node key={n.id} {vm} selected={p.selected == Some(n.id)} picked={p.split.contains(&n.id)} on_select={on_node} />
        }
    });
    html! {
        <div class="cluster-wrap">
        <svg class="cluster" viewBox={format!("0 0 {CLUSTER_W} {CLUSTER_H}")} role="group"
             aria-label="Cluster: nodes on a circle with the messages travelling between them">
            <defs>
                <marker id="cut-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="cut-head" />
                </marker>
                <marker id="ring-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="ring-head" />
                </marker>
            </defs>
            <g class="halos">{ for halos }</g>
            <g class="ring">{ for ring_links }</g>
            <g class="cuts">{ for cuts }</g>
            <g class="nodes">{ for nodes }</g>
            if let Some(s) = p.storage.clone() {
                <StorageBox view={s} />
            }
        </svg>
        <MessageLayer msgs={p.msgs.clone()} algo={p.algo} rings={Rc::new(rings)} />
        </div>
    }
}

/// SVG coordinates as whole viewBox units (about a pixel each): integer formatting is
/// much cheaper than float formatting, and this runs thousands of times per frame.
pub fn px(v: f64) -> String {
    (v.round() as i64).to_string()
}

#[derive(Properties, PartialEq)]
pub struct NodeProps {
    pub vm: NodeVm,
    pub selected: bool,
    pub picked: bool,
    pub on_select: Callback<NodeId>,
}

/// One node. Role is shown by colour, outline style and a word, so it reads on a
/// projector and without colour vision.
#[function_component(Node)]
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
    let dense = r < DENSE_R;
    let cell_w = (2.0 * r / 8.0).clamp(6.0, 12.0);
    let strip_x = n.x - cell_w * n.log.len() as f64 / 2.0;
    // Crowded, the log sits right under its node, clear of its neighbours' captions.
    let strip_y = n.y + r + if dense { 9.0 } else { 30.0 };
    let log = n.log.iter().enumerate().map(|(i, c)| {
        let class = classes!("entry", c.committed.then_some("committed"), c.noop.then_some("noop"), format!("term-{}", c.term % 8));
        html! {
            <g key={i}>
                <rect class={class} x={px(strip_x + i as f64 * cell_w)} y={px(strip_y)} width={px(cell_w - 1.5)} height={px(cell_w + 4.0)} rx="1.5" />
            </g>
        }
    });
    let vote = match (n.role.as_str(), n.voted_for) {
        ("crashed", _) => String::new(),
        (_, Some(v)) if v == id => format!("{} self", n.vote_word),
        (_, Some(v)) => format!("{} n{v}", n.vote_word),
        _ => String::new(),
    };
    if n.service {
        return service_box(p, role_class);
    }
    let (term, vote_line) = if n.term_label.is_empty() {
        let caption = if n.role == "crashed" {
            String::new()
        } else {
            n.caption.clone().unwrap_or_default()
        };
        (caption, String::new())
    } else {
        // A node looking for a leader shows its proposal where a vote would be.
        let proposal = n.caption.clone().filter(|_| n.shows_proposal);
        (
            n.term_label.clone(),
            proposal.unwrap_or_else(|| vote.clone()),
        )
    };
    // Beyond about 16 nodes neighbours sit closer than a one-line caption is wide:
    // the caption goes on two short lines above the top and bottom nodes (clear of
    // the log strip under them) and outward beside the others.
    let caption_lines: Vec<String> = if dense {
        [term, vote_line]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        vec![match (term.is_empty(), vote_line.is_empty()) {
            (_, true) => term.clone(),
            (true, false) => vote_line.clone(),
            (false, false) => format!("{term} · {vote_line}"),
        }]
    };
    let term_text = if dense {
        let (dx, dy) = (n.x - CLUSTER_CENTRE.0, n.y - CLUSTER_CENTRE.1);
        let d = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / d, dy / d);
        let shown = caption_lines.len() as f64;
        let (x, y, anchor) = if !(-0.55..=0.85).contains(&uy) {
            let top = n.y - r - if n.leads { 34.0 } else { 8.0 };
            (n.x, top - (shown - 1.0) * 13.0, "middle")
        } else {
            let x = n.x + ux.signum() * (r + 14.0);
            (
                x,
                n.y - (shown - 1.0) * 6.5 + 4.0,
                if ux > 0.0 { "start" } else { "end" },
            )
        };
        // One text element a line, with a space between them outside any text (not
        // drawn): assistive technology then reads two lines as words, not run together.
        let texts = caption_lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                html! { <><text class="term" x={px(x)} y={px(y + 13.0 * i as f64)} style={format!("text-anchor:{anchor}")}>{ l.clone() }</text>{ " " }</> }
            });
        html! { <>{ for texts }</> }
    } else {
        let text = caption_lines[0].clone();
        html! { <text class="term" x={px(n.x)} y={px(n.y + r + 20.0)}>{ text }</text> }
    };
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
    let drawn: Vec<String> = [n.name.clone(), badge.clone()]
        .into_iter()
        .chain(drift.clone())
        .chain(caption_lines.iter().filter(|l| !l.is_empty()).cloned())
        .chain((n.log_hidden > 0).then(|| format!("+{}", n.log_hidden)))
        .collect();
    let unsaid = [
        (!badge.eq_ignore_ascii_case(&n.role)).then(|| n.role.clone()),
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
                <text class="crown" x={px(n.x)} y={px(n.y - r - 12.0)} aria-hidden="true">{ "★" }</text>
            }
            <text class="name" x={px(n.x)} y={px(n.y - 2.0)}>{ n.name.clone() }</text>{ gap() }
            <text class="badge" x={px(n.x)} y={px(n.y + 16.0)}>{ badge }</text>{ gap() }
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
}

/// The shared storage in its corner: whether it fences, the highest token it has
/// accepted, whose data it holds, and its latest verdicts, a refused write in red and
/// a lost update flagged, each with a symbol as well as a colour.
#[function_component(StorageBox)]
fn storage_box(p: &StorageBoxProps) -> Html {
    let v = &p.view;
    let (w, h) = (196.0, 150.0);
    let (x, y) = (STORAGE_AT.0 - w / 2.0, STORAGE_AT.1 - h / 2.0);
    let token = |t: Option<u64>| t.map_or("no token".to_string(), |t| format!("token {t}"));
    let verdict = |o: &WriteOutcome| -> (&'static str, String) {
        let what = format!("#{} n{} {}", o.write, o.from, token(o.token));
        match (o.accepted, o.lost_update) {
            (false, _) => ("refused", format!("✕ {what} refused")),
            (true, true) => ("lost", format!("⚠ {what} stale")),
            (true, false) => ("ok", format!("✓ {what}")),
        }
    };
    let recent = v.recent.iter().rev().take(3).enumerate().map(|(k, o)| {
        let (class, text) = verdict(o);
        html! {
            <text key={o.write} class={classes!("verdict", class)} x={px(x + 10.0)} y={px(y + 92.0 + 17.0 * k as f64)}>{ text }</text>
        }
    });
    html! {
        <g id="storage" class={classes!("storage", v.fenced.then_some("fenced"), (v.lost_updates > 0).then_some("alarm"))}
           data-highest-token={v.highest_token.map(|t| t.to_string())}
           data-accepted={v.accepted.to_string()} data-rejected={v.rejected.to_string()}
           data-lost-updates={v.lost_updates.to_string()}
           role="img" aria-label={format!("Storage, {}: highest token {}, {} writes accepted, {} refused, {} lost updates",
               if v.fenced { "fencing on" } else { "no fencing" },
               v.highest_token.map_or("none".into(), |t| t.to_string()), v.accepted, v.rejected, v.lost_updates)}>
            <rect class="box" x={px(x)} y={px(y)} width={px(w)} height={px(h)} rx="8" />
            <text class="title" x={px(x + 10.0)} y={px(y + 20.0)}>{ "STORAGE" }</text>
            <text class="mode" x={px(x + w - 10.0)} y={px(y + 20.0)}>{ if v.fenced { "fencing on" } else { "no fencing" } }</text>
            <text class="line" x={px(x + 10.0)} y={px(y + 42.0)}>{ format!("highest {}", v.highest_token.map_or("token: none".into(), |t| format!("token {t}"))) }</text>
            <text class="line" x={px(x + 10.0)} y={px(y + 62.0)}>{
                v.holds.as_ref().map_or("holds nothing yet".to_string(), |o| format!("holds #{} from n{}", o.write, o.from))
            }</text>
            if v.lost_updates > 0 {
                <text class="verdict lost" x={px(x + w - 10.0)} y={px(y + 42.0)} text-anchor="end">{ format!("{} lost", v.lost_updates) }</text>
            } else if v.rejected > 0 {
                <text class="verdict refused" x={px(x + w - 10.0)} y={px(y + 42.0)} text-anchor="end">{ format!("{} refused", v.rejected) }</text>
            }
            <line class="rule" x1={px(x + 8.0)} x2={px(x + w - 8.0)} y1={px(y + 74.0)} y2={px(y + 74.0)} />
            { for recent }
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
    const MAX_LINES: usize = 14;
    let lines: Vec<String> = n
        .fields
        .iter()
        .take(MAX_LINES)
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}: {v}")
            }
        })
        .collect();
    let w = 350.0;
    let h = 44.0 + 16.0 * lines.len() as f64;
    let (x, y) = (n.x - w / 2.0, n.y - h / 2.0);
    let paused = n.paused_until.is_some();
    let role_attr = role_class.clone();
    let status = match (n.role.as_str(), paused) {
        ("crashed", _) => "DOWN",
        (_, true) => "PAUSED",
        _ => "SERVICE",
    };
    // Starts with the words drawn, as a node's does.
    let label = format!(
        "{} {status} {}. Press Enter for actions.",
        n.name,
        lines.join(" ")
    );
    html! {
        <g class={classes!("node", "service", role_class.clone(), p.selected.then_some("selected"))}
           data-node-id={id.to_string()} data-role={role_attr} data-term="0" data-service="true" tabindex="0" role="button" aria-label={label} {onclick} {onkeydown}>
            <rect class="body" x={px(x)} y={px(y)} width={px(w)} height={px(h)} rx="10" />
            <text class="service-name" x={px(x + 12.0)} y={px(y + 22.0)}>{ n.name.clone() }</text>{ " " }
            <text class="service-status" x={px(x + w - 12.0)} y={px(y + 22.0)}>{ status }</text>{ " " }
            { for lines.into_iter().enumerate().map(|(k, line)| html! {
                // The trailing space separates the lines' words for assistive technology.
                <text key={k} class="service-line" x={px(x + 12.0)} y={px(y + 44.0 + 16.0 * k as f64)}>{ line }{ " " }</text>
            }) }
            if n.role == "crashed" {
                <path class="dead" d={format!("M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}", x, y, x + w, y + h, x + w, y, x, y + h)} />
            }
        </g>
    }
}
