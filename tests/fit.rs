//! What of the cluster's text fits the drawing (`electionscope::fit`), checked over
//! every algorithm, cluster size and screen the page is used on: no caption leaves
//! the drawing or lands on a node, a box or another caption, and on a roomy stage
//! every node keeps its caption. The browser tests measure the same drawing as
//! rendered (screens.test.mjs).

use electionscope::algo::Algo;
use electionscope::config::SimConfig;
use electionscope::fit::{Fit, Rect, caption_rect, service_box, service_status, storage_rect};
use electionscope::run::build;
use electionscope::sim::{MS, StorageMode};
use electionscope::viewmodel::{Stage, layout_for, nodes};

/// Stages as the page sizes them: a projector, a laptop, a phone, an embed.
const STAGES: [(&str, Stage); 4] = [
    ("1920x1080", Stage { w: 958.0, h: 670.0 }),
    ("1366x768", Stage { w: 780.0, h: 552.0 }),
    ("360x740", Stage { w: 338.0, h: 405.0 }),
    ("640x400", Stage { w: 628.0, h: 283.0 }),
];

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn check(algo: Algo, n: u32, storage: StorageMode, broken: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let cfg = SimConfig {
        algo,
        nodes: n,
        seed: 3,
        storage,
        ..SimConfig::default()
    };
    let mut run = build(&cfg, 20_000).unwrap();
    run.advance(600 * MS);
    for (name, stage) in STAGES {
        let mut layout = layout_for(&cfg, stage);
        if broken {
            // Nodes drawn larger than the layout planned for: the check must notice.
            layout.node_r *= 2.5;
        }
        let vms = nodes(&run.view(), &layout, algo);
        let fit = Fit::of(&layout, &vms, storage != StorageMode::Off);
        let (w, h) = layout.size;
        let mut solid: Vec<(String, Rect)> = Vec::new();
        for v in &vms {
            let r = if v.service {
                service_box(&layout, v, service_status(v)).rect
            } else {
                Rect(v.x - v.r, v.y - v.r, v.x + v.r, v.y + v.r)
            };
            solid.push((v.name.clone(), r));
        }
        // Circles against each other and against boxes, by distance.
        let circles: Vec<_> = vms.iter().filter(|v| !v.service).collect();
        for (i, a) in circles.iter().enumerate() {
            for b in &circles[i + 1..] {
                if (a.x - b.x).hypot(a.y - b.y) < a.r + b.r {
                    problems.push(format!(
                        "{} n={n} {name}: {} and {} overlap",
                        algo.name, a.name, b.name
                    ));
                }
            }
            let boxes = vms
                .iter()
                .filter(|v| v.service)
                .map(|v| {
                    (
                        v.name.clone(),
                        service_box(&layout, v, service_status(v)).rect,
                    )
                })
                .chain(
                    (storage != StorageMode::Off)
                        .then(|| ("storage".to_string(), storage_rect(&layout))),
                );
            for (what, b) in boxes {
                let (px, py) = (a.x.clamp(b.0, b.2), a.y.clamp(b.1, b.3));
                if (a.x - px).hypot(a.y - py) < a.r {
                    problems.push(format!(
                        "{} n={n} {name}: {} and {what} overlap",
                        algo.name, a.name
                    ));
                }
            }
        }
        if storage != StorageMode::Off {
            solid.push(("storage".into(), storage_rect(&layout)));
        }
        let captions: Vec<(String, Rect)> = vms
            .iter()
            .filter_map(|v| Some((v.name.clone(), caption_rect(fit.caption(v.id)?))))
            .collect();
        let at = format!("{} n={n} {name}", algo.name);
        for (who, c) in &captions {
            if c.0 < 0.0 || c.1 < 0.0 || c.2 > w || c.3 > h {
                problems.push(format!("{at}: {who}'s caption leaves the drawing: {c:?}"));
            }
            for (what, s) in &solid {
                if overlaps(c, s) {
                    problems.push(format!("{at}: {who}'s caption covers {what}"));
                }
            }
            for (other, o) in &captions {
                if other != who && overlaps(c, o) {
                    problems.push(format!("{at}: {who}'s caption covers {other}'s"));
                }
            }
        }
        // The projector and the laptop have room for every caption up to 25 nodes.
        // (A storage box in the corner may crowd out a few.)
        let allowed = if storage == StorageMode::Off {
            0
        } else {
            n as usize / 4
        };
        if name == "1920x1080" && fit.crowded_out.len() > allowed {
            problems.push(format!(
                "{at}: no room on a projector for the captions of {:?}",
                fit.crowded_out
            ));
        }
    }
    problems
}

#[test]
fn captions_fit_the_drawing_on_every_screen() {
    let mut problems = Vec::new();
    for algo in Algo::all() {
        for n in [3, 5, 7, 9, 13, 17, 25] {
            for storage in [StorageMode::Off, StorageMode::Fenced] {
                problems.extend(check(algo, n, storage, false));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems[..problems.len().min(40)].join("\n")
    );
}

#[test]
fn the_check_notices_nodes_drawn_larger_than_planned() {
    let raft = Algo::parse("raft").unwrap();
    let problems = check(raft, 9, StorageMode::Fenced, true);
    assert!(
        problems.iter().any(|p| p.contains("overlap")),
        "{problems:?}"
    );
}
