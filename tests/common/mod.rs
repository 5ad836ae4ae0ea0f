//! What every property suite shares: running one generated fault schedule against an
//! engine and reporting what the monitor found, in a form a failing test can print.
//! Schedules come from one swarm generator (`swarm.rs`), which each suite
//! parameterises with the faults that matter to its algorithm.

#![allow(dead_code)] // each suite uses its own subset

pub mod engine;
pub mod swarm;

#[allow(unused_imports)] // each suite uses its own subset
pub use swarm::{Fault, Swarm, random_partition};

use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::{Algorithm, Human, Micros, NodeStatus, SEC, Severity, Simulation};

/// Whether golden files should be rewritten rather than compared: the one reading of
/// `ELECTIONSCOPE_REWRITE=1` (stories, fingerprints, the README's lab table).
pub fn rewrite_requested() -> bool {
    std::env::var("ELECTIONSCOPE_REWRITE").is_ok_and(|v| v == "1")
}

/// Schedules per test: the default, or `ELECTIONSCOPE_PROPERTY_RUNS`.
pub fn runs(default: u64) -> u64 {
    std::env::var("ELECTIONSCOPE_PROPERTY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The most messages sent within any one second of virtual time, sampled every
/// 100 ms: what a bound on an algorithm's message rate is checked against.
#[derive(Clone, Debug, Default)]
pub struct MessageRate {
    /// Messages sent by the end of each 100 ms of virtual time.
    sent_by: Vec<u64>,
}

const RATE_STEP: Micros = SEC / 10;

impl MessageRate {
    fn observe(&mut self, now: Micros, sent: u64) {
        let bucket = (now / RATE_STEP) as usize;
        while self.sent_by.len() <= bucket {
            let last = self.sent_by.last().copied().unwrap_or(0);
            self.sent_by.push(last);
        }
        self.sent_by[bucket] = sent;
    }

    pub fn busiest_second(&self) -> u64 {
        let s = &self.sent_by;
        (0..s.len())
            .map(|k| s[(k + 10).min(s.len() - 1)] - if k == 0 { 0 } else { s[k - 1] })
            .max()
            .unwrap_or(0)
    }
}

/// Advances `sim` to `t` a 100 ms step at a time, recording its message count.
fn advance_observed<A: Algorithm>(sim: &mut Simulation<A>, t: Micros, rate: &mut MessageRate) {
    while sim.now() < t {
        let next = (sim.now() / RATE_STEP + 1) * RATE_STEP;
        sim.advance_to(next.min(t));
        rate.observe(sim.now(), sim.stats().messages_sent);
        if sim.halted().is_some() {
            return;
        }
    }
}

pub struct Outcome<A: Algorithm> {
    /// Every Violation the monitor raised, as `invariant at time: text`.
    pub violations: Vec<String>,
    pub warnings: usize,
    /// Time from the end of the fault phase until `settled` first held.
    pub recovery: Option<Micros>,
    /// The simulation a second after recovery (or after giving up), for extra checks.
    pub sim: Simulation<A>,
    pub rate: MessageRate,
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
    let kernel = electionscope::run::kernel_config(cfg);
    let mut sim = Simulation::<A>::new(kernel, algo);
    sim.set_keep_trace(false);
    for step in sc.steps {
        sim.schedule(step.at, step.action);
    }
    let mut rate = MessageRate::default();
    advance_observed(&mut sim, fault_phase, &mut rate);
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
        rate.observe(sim.now(), sim.stats().messages_sent);
    }
    // At least a second past recovery, and past the write some suites schedule shortly
    // after the faults end, so what happens after healing is checked too.
    let end = (sim.now() + SEC).max(fault_phase + 3 * SEC / 2);
    advance_observed(&mut sim, end, &mut rate);
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
        rate,
    }
}

/// The first of `seeds` whose schedule makes the monitor report one of `invariants`,
/// with that violation and the schedule that shows it: how every suite proves that
/// its checkers can fail, each against a deliberately broken variant.
pub fn first_caught<A: Algorithm>(
    seeds: std::ops::Range<u64>,
    invariants: &[&str],
    mut run: impl FnMut(u64) -> (SimConfig, String, Outcome<A>),
) -> Option<(u64, String)> {
    for seed in seeds {
        let (cfg, script, out) = run(seed);
        let caught = out
            .violations
            .iter()
            .find(|v| invariants.iter().any(|i| v.starts_with(i)));
        if let Some(v) = caught {
            return Some((seed, format!("{v}\n{}", describe(&cfg, &script))));
        }
    }
    None
}

/// The settings and the script of a schedule: enough to rerun it from the CLI.
pub fn describe(cfg: &SimConfig, script: &str) -> String {
    format!("{}\n{script}", cfg.to_query())
}

impl<A: Algorithm> Outcome<A> {
    /// Panics with the schedule unless the monitor raised no Violation (and the
    /// kernel's guard never had to stop the run).
    pub fn assert_safe(&self, cfg: &SimConfig, script: &str) {
        if let Some(why) = self.sim.halted() {
            panic!(
                "the kernel stopped the run: {why}\n{}",
                describe(cfg, script)
            );
        }
        assert!(
            self.violations.is_empty(),
            "safety violated:\n{}\n{}",
            self.violations.join("\n"),
            describe(cfg, script)
        );
    }

    /// Panics with the schedule unless no second of virtual time carried more than
    /// `bound` messages; returns the busiest second's count.
    pub fn assert_message_rate(&self, cfg: &SimConfig, script: &str, bound: u64) -> u64 {
        let busiest = self.rate.busiest_second();
        assert!(
            busiest <= bound,
            "{busiest} messages within one second (bound {bound}):\n{}",
            describe(cfg, script)
        );
        busiest
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

/// Checks that README.md holds `generated` between the markers `begin` and `end`, or
/// writes it there when a rewrite is requested (`ELECTIONSCOPE_REWRITE=1`).
pub fn readme_section_is(begin: &str, end: &str, generated: &str, what: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(begin)
        .unwrap_or_else(|| panic!("README has the {what}'s begin marker"))
        + begin.len();
    let stop = readme
        .find(end)
        .unwrap_or_else(|| panic!("README has the {what}'s end marker"));
    if rewrite_requested() {
        let updated = format!("{}{generated}{}", &readme[..start], &readme[stop..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..stop],
        generated,
        "README's {what} is stale: rerun with ELECTIONSCOPE_REWRITE=1"
    );
}
