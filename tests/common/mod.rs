//! What every property suite shares: running one generated fault schedule against an
//! engine and reporting what the monitor found, in a form a failing test can print.
//! Each suite keeps its own schedule generator, since each algorithm has its own faults
//! worth drawing (duels for Paxos, arrangements for rings, PreVote for Raft).

#![allow(dead_code)] // each suite uses its own subset

pub mod engine;

use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::rng::SimRng;
use electionscope::sim::{
    Algorithm, Human, KernelConfig, Micros, NodeStatus, SEC, Severity, Simulation,
};

/// Schedules per test: the default, or `ELECTIONSCOPE_PROPERTY_RUNS`.
pub fn runs(default: u64) -> u64 {
    std::env::var("ELECTIONSCOPE_PROPERTY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A scenario line splitting the cluster in two random, non-empty groups.
pub fn random_partition(r: &mut SimRng, nodes: u32) -> String {
    let mut ids: Vec<u64> = (1..=nodes as u64).collect();
    for i in (1..ids.len()).rev() {
        ids.swap(i, r.range(0, i as u64) as usize);
    }
    let cut = r.range(1, nodes as u64 - 1) as usize;
    let group = |s: &[u64]| {
        s.iter()
            .map(|n| format!("n{n}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("partition {} | {}", group(&ids[..cut]), group(&ids[cut..]))
}

pub struct Outcome<A: Algorithm> {
    /// Every Violation the monitor raised, as `invariant at time: text`.
    pub violations: Vec<String>,
    pub warnings: usize,
    /// Time from the end of the fault phase until `settled` first held.
    pub recovery: Option<Micros>,
    /// The simulation a second after recovery (or after giving up), for extra checks.
    pub sim: Simulation<A>,
}

/// Runs `script` until `fault_phase`, then steps until `settled` holds (giving up at
/// twice `bound`), then keeps checking safety for at least another second.
pub fn run_schedule<A: Algorithm>(
    cfg: &SimConfig,
    script: &str,
    algo: A::Config,
    fault_phase: Micros,
    bound: Micros,
    settled: impl Fn(&Simulation<A>) -> bool,
) -> Outcome<A> {
    let sc = Scenario::parse(script)
        .unwrap_or_else(|e| panic!("generated script does not parse: {e}\n{script}"));
    let kernel = KernelConfig {
        nodes: cfg.nodes,
        seed: cfg.seed,
        latency: cfg.latency,
        drop_ppm: cfg.drop_ppm,
        defences: electionscope::sim::Defences {
            storage: cfg.storage,
            stonith: cfg.stonith,
        },
    };
    let mut sim = Simulation::<A>::new(kernel, algo);
    sim.set_keep_trace(false);
    for step in sc.steps {
        sim.schedule(step.at, step.action);
    }
    sim.advance_to(fault_phase);
    let mut recovery = None;
    while let Some(t) = sim.next_event_time() {
        if sim.now() >= fault_phase && settled(&sim) {
            recovery = Some(sim.now() - fault_phase);
            break;
        }
        if t > fault_phase + 2 * bound {
            break;
        }
        sim.step();
    }
    // At least a second past recovery, and past the write some suites schedule shortly
    // after the faults end, so what happens after healing is checked too.
    sim.advance_to((sim.now() + SEC).max(fault_phase + 3 * SEC / 2));
    let findings = &sim.stats().findings;
    Outcome {
        violations: findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Violation)
            .map(|f| {
                format!(
                    "{} at {}: {}",
                    f.finding.invariant,
                    Human(f.at),
                    f.finding.text
                )
            })
            .collect(),
        warnings: findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Warning)
            .count(),
        recovery,
        sim,
    }
}

/// The settings and the script of a schedule: enough to rerun it from the CLI.
pub fn describe(cfg: &SimConfig, script: &str) -> String {
    format!("{}\n{script}", cfg.to_query())
}

impl<A: Algorithm> Outcome<A> {
    /// Panics with the schedule unless the monitor raised no Violation.
    pub fn assert_safe(&self, cfg: &SimConfig, script: &str) {
        assert!(
            self.violations.is_empty(),
            "safety violated:\n{}\n{}",
            self.violations.join("\n"),
            describe(cfg, script)
        );
    }

    /// Panics with the schedule unless the run was safe and settled within `bound` of
    /// the faults ending; returns how long settling took.
    pub fn assert_safe_and_settled(&self, cfg: &SimConfig, script: &str, bound: Micros) -> Micros {
        self.assert_safe(cfg, script);
        let took = self.recovery.unwrap_or_else(|| {
            panic!(
                "not settled within {} of the faults ending:\n{}",
                Human(2 * bound),
                describe(cfg, script)
            )
        });
        assert!(
            took <= bound,
            "settling took {} (bound {}):\n{}",
            Human(took),
            Human(bound),
            describe(cfg, script)
        );
        took
    }
}

/// What Bully and the ring elections promise once failures stop: the highest id leads
/// (as the kernel judges it), and every node is running, follows it, and is the leader
/// only if it is that node.
pub fn highest_leads_all_follow<A: Algorithm>(sim: &Simulation<A>) -> bool {
    let top = sim.config().nodes;
    sim.established_leader() == Some((top, 0))
        && sim
            .views()
            .iter()
            .zip(1..)
            .all(|(v, id)| v.leader == Some(top) && v.is_leader == (id == top))
        && sim
            .cluster_view()
            .nodes
            .iter()
            .all(|n| n.status == NodeStatus::Up)
}
