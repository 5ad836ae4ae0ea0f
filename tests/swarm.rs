//! The shared schedule generator does what the property suites rely on.

mod common;

use common::{Fault, Swarm};
use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::SEC;
use std::collections::BTreeSet;

/// The first word of each fault line (`crash`, `partition`, ...), before the heal.
fn kinds(script: &str, fault_phase: &str) -> BTreeSet<String> {
    script
        .lines()
        .filter(|l| !l.starts_with(&format!("at {fault_phase} ")))
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

#[test]
fn schedules_are_swarms_valid_for_their_cluster_and_end_healed() {
    use Fault::*;
    let swarm = Swarm {
        faults: &[
            CrashLeader,
            Crash,
            Restart,
            Partition,
            Heal,
            Loss,
            Write,
            Timeout,
        ],
        fault_phase: 4 * SEC,
        ..Swarm::default()
    };
    let base = SimConfig::default().with("algo", "zk-recipe").unwrap();
    let (mut narrow, mut broad) = (0, 0);
    let mut seen = BTreeSet::new();
    let word = |f: Fault| match f {
        CrashLeader | Crash | ServiceCrash => "crash",
        Restart | ServiceRestart => "restart",
        Pause | PauseLeader | ServicePause => "pause",
        Timeout | Duel => "timeout",
        Write | WriteLeader => "write",
        Partition => "partition",
        IsolateLeader | ServiceIsolate => "isolate",
        Heal => "heal",
        Loss => "drop",
        Cut => "cut",
        Drift => "drift",
        Latency => "latency",
    };
    let mut sizes = BTreeSet::new();
    for seed in 0..400 {
        let (cfg, script) = swarm.schedule(base.clone(), seed);
        let enabled = swarm.enabled(&base, seed);
        sizes.insert(enabled.len());
        let allowed: BTreeSet<&str> = enabled.iter().map(|f| word(*f)).collect();
        for kind in kinds(&script, "4s") {
            assert!(
                allowed.contains(kind.as_str()),
                "seed {seed}: {kind} is not among {enabled:?}\n{script}"
            );
        }
        let sc = Scenario::parse(&script).unwrap_or_else(|e| panic!("{e}\n{script}"));
        sc.check_nodes(cfg.addressable_nodes())
            .unwrap_or_else(|e| panic!("{e}\n{script}"));
        let used = kinds(&script, "4s");
        match used.len() {
            0..=2 => narrow += 1,
            n if n >= 5 => broad += 1,
            _ => {}
        }
        seen.extend(used);
        // Every schedule ends healed, at its own latency, with every node restarted.
        let last: Vec<&str> = script.lines().filter(|l| l.starts_with("at 4s ")).collect();
        assert!(
            last.contains(&"at 4s heal") && last.contains(&"at 4s drop 0%"),
            "{script}"
        );
        for n in 1..=cfg.nodes + 1 {
            assert!(
                last.contains(&format!("at 4s restart n{n}").as_str()),
                "{script}"
            );
        }
    }
    // A fixed mix would draw from all twelve kinds every time; a swarm leaves most
    // kinds out of some schedules and keeps many in others.
    assert!(
        narrow > 10 && broad > 20,
        "swarm: {narrow} narrow and {broad} broad schedules"
    );
    assert!(
        sizes.contains(&1) && sizes.iter().any(|&n| n >= 10),
        "subset sizes {sizes:?}"
    );
    for kind in [
        "crash",
        "restart",
        "partition",
        "heal",
        "drop",
        "write",
        "timeout",
        "latency",
        "pause",
        "cut",
        "drift",
    ] {
        assert!(seen.contains(kind), "no schedule drew {kind}: {seen:?}");
    }
    assert!(
        !seen.contains("isolate"),
        "a fault the suite did not name: {seen:?}"
    );
}
