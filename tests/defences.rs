//! The kernel's defences against split brain, which every algorithm shares: a storage
//! node the leaders write to, fencing tokens, and STONITH. Each test drives the classic
//! hazard (a leader frozen mid-write while the cluster replaces it) and checks what
//! the storage and the monitor saw.

use electionscope::algo::raft::Raft;
use electionscope::config::SimConfig;
use electionscope::run::{resolve, simulation};
use electionscope::sim::{Fact, NodeStatus, SEC, Severity, Simulation, StorageView};

/// Raft, 5 nodes; the leader freezes for 1.5 s at 1 s, long enough to be replaced.
fn paused_leader(storage: &str, stonith: &str, seed: u64) -> Simulation<Raft> {
    let text = "set algo raft\nat 1s pause leader for 1500ms\n";
    let cfg = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let cfg = resolve(
        cfg,
        &[
            ("scenario".into(), text.into()),
            ("storage".into(), storage.into()),
            ("stonith".into(), stonith.into()),
        ],
    )
    .expect("valid settings");
    let mut sim = simulation::<Raft>(&cfg).expect("builds");
    sim.advance_to(4 * SEC);
    sim
}

fn lost_updates(sim: &Simulation<Raft>) -> Vec<String> {
    sim.stats()
        .findings
        .iter()
        .filter(|f| f.finding.invariant == "Lost update")
        .map(|f| {
            assert_eq!(f.finding.severity, Severity::Violation);
            f.finding.text.clone()
        })
        .collect()
}

fn storage(sim: &Simulation<Raft>) -> StorageView {
    sim.storage().expect("storage is on").clone()
}

#[test]
fn without_fencing_the_frozen_leaders_write_lands_and_is_reported_as_a_lost_update() {
    for seed in 1..=20 {
        let sim = paused_leader("unfenced", "off", seed);
        let s = storage(&sim);
        let lost = lost_updates(&sim);
        assert!(s.lost_updates >= 1, "seed {seed}: {s:?}");
        assert_eq!(lost.len() as u64, s.lost_updates, "seed {seed}");
        assert!(lost[0].contains("superseded"), "{}", lost[0]);
        assert_eq!(s.rejected, 0);
    }
}

#[test]
fn with_fencing_the_storage_rejects_the_stale_token_and_no_update_is_lost() {
    for seed in 1..=20 {
        let sim = paused_leader("fenced", "off", seed);
        let s = storage(&sim);
        assert!(
            s.rejected >= 1,
            "seed {seed}: the stale write must arrive: {s:?}"
        );
        assert_eq!(s.lost_updates, 0, "seed {seed}");
        assert!(lost_updates(&sim).is_empty());
        let rejected = s.recent.iter().find(|w| !w.accepted);
        if let (Some(w), Some(h)) = (rejected, s.highest_token) {
            assert!(w.token.unwrap() < h, "seed {seed}: {w:?} below {h}");
        }
    }
}

#[test]
fn with_stonith_the_old_leader_is_powered_off_before_the_new_one_leads() {
    for seed in 1..=20 {
        let sim = paused_leader("unfenced", "on", seed);
        let s = storage(&sim);
        assert_eq!(
            s.lost_updates, 0,
            "seed {seed}: the stale leader never wrote"
        );
        let view = sim.cluster_view();
        let down: Vec<_> = view
            .nodes
            .iter()
            .filter(|n| n.status == NodeStatus::Crashed)
            .map(|n| n.id)
            .collect();
        assert_eq!(down.len(), 1, "seed {seed}: exactly the old leader is off");
        let first = sim.stats().leaders[0].node;
        assert_eq!(down, vec![first], "seed {seed}");
        // The new leader is recorded after the power-off: STONITH comes first.
        let trace_has_stonith = sim.stats().leaders.len() >= 2;
        assert!(trace_has_stonith, "seed {seed}: a new leader took over");
    }
}

#[test]
fn a_stonith_line_precedes_the_new_leaders_promotion_in_the_narration() {
    let cfg = resolve(
        SimConfig::default(),
        &[
            (
                "scenario".into(),
                "set algo raft\nat 1s pause leader for 1500ms\n".into(),
            ),
            ("stonith".into(), "on".into()),
        ],
    )
    .unwrap();
    let mut sim = simulation::<Raft>(&cfg).unwrap();
    sim.advance_to(4 * SEC);
    let trace = sim.drain_trace();
    let second_leader = sim.stats().leaders[1].node;
    let stonith = trace
        .iter()
        .position(|e| {
            matches!(e.fact, Some(Fact::PoweredOff { successor, .. }) if successor == second_leader)
        })
        .expect("a STONITH power-off for the second leader");
    assert!(
        trace[stonith].text.starts_with("STONITH"),
        "{}",
        trace[stonith].text
    );
    let promoted = trace
        .iter()
        .position(|e| matches!(e.fact, Some(Fact::Won { node, .. }) if node == second_leader))
        .expect("the promotion");
    assert!(
        stonith < promoted,
        "STONITH at {stonith}, promotion at {promoted}"
    );
}

#[test]
fn storage_off_sends_no_writes() {
    let sim = paused_leader("off", "off", 1);
    assert!(sim.storage().is_none());
    assert_eq!(sim.stats().messages_by_kind.get("Write"), None);
}

mod common;

use electionscope::algo::Algo;
use electionscope::run::build;
use electionscope::sim::MS;
use electionscope::sim::rng::{SimRng, Stream};

/// A random schedule of the faults that make a leader stale: pauses of the leader
/// (long enough to be replaced), partitions, isolation, loss and heals.
fn stale_leader_schedule(seed: u64, nodes: u32) -> String {
    let mut r = SimRng::new(seed, Stream::Faults);
    let mut lines = Vec::new();
    let mut t = 0;
    for _ in 0..r.range(2, 8) {
        t += r.range(200, 900) * MS;
        lines.push(match r.range(0, 6) {
            0 | 1 => format!("at {t}us pause leader for {}ms", r.range(300, 2000)),
            2 => format!("at {t}us {}", common::random_partition(&mut r, nodes)),
            3 => format!("at {t}us isolate leader"),
            4 => format!("at {t}us drop {}%", r.range(0, 30)),
            _ => format!("at {t}us heal"),
        });
    }
    lines.join("\n") + "\n"
}

/// Every algorithm with leadership numbers, over random stale-leader schedules: with
/// fencing the storage never takes a write from a superseded leadership (no Lost
/// update), and without it the same checker does find lost updates, so it can fail.
#[test]
fn fencing_prevents_every_lost_update_that_the_checker_finds_without_it() {
    let per_algo = common::runs(300);
    for algo in Algo::all().filter(|a| a.leadership.is_some()) {
        let (mut lost_unfenced, mut refused_fenced, mut runs_with_loss) = (0, 0, 0);
        for seed in 0..per_algo {
            let nodes = 3 + (seed % 3) as u32 * 2;
            let script = stale_leader_schedule(seed, nodes);
            for mode in ["unfenced", "fenced"] {
                let cfg = resolve(
                    SimConfig {
                        seed,
                        nodes,
                        algo,
                        scenario: Some(script.clone()),
                        ..SimConfig::default()
                    },
                    &[("storage".into(), mode.into())],
                )
                .unwrap_or_else(|e| panic!("{algo} seed {seed}: {e}\n{script}"));
                let mut run = build(&cfg, 0).unwrap();
                run.advance(8 * SEC);
                let s = run.view().storage.expect("storage on");
                let lost_findings = run
                    .stats()
                    .findings
                    .iter()
                    .filter(|f| f.finding.invariant == "Lost update")
                    .count() as u64;
                assert_eq!(lost_findings, s.lost_updates, "{algo} seed {seed} {mode}");
                if mode == "fenced" {
                    assert_eq!(
                        s.lost_updates, 0,
                        "{algo} seed {seed}: fenced storage lost an update\n{script}"
                    );
                    refused_fenced += s.rejected;
                } else {
                    lost_unfenced += s.lost_updates;
                    runs_with_loss += (s.lost_updates > 0) as u64;
                }
            }
        }
        println!(
            "{algo}: {per_algo} schedules; unfenced: {lost_unfenced} lost updates in {runs_with_loss} runs; fenced: {refused_fenced} stale writes refused, none lost"
        );
        assert!(
            runs_with_loss > 0,
            "{algo}: the checker never fired without fencing"
        );
        assert!(
            refused_fenced > 0,
            "{algo}: fencing never had to refuse anything"
        );
    }
}
