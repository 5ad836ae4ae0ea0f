//! The split-brain lab: built-in scenarios that cut off or freeze a leader, one per
//! algorithm and defence, run and tallied side by side. The README's comparison table
//! is this module's output (a test keeps the two equal), so every figure in it is
//! what the simulator produced, not what we expected it to produce.

use crate::config::SimConfig;
use crate::run::{build, resolve};
use crate::sim::{Fact, Human, Micros, SEC, Severity, StorageMode, StorageView};

pub use crate::algo::descriptor::SplitBrainCase as Case;

/// Every algorithm's cases, in registry order.
pub fn cases() -> impl Iterator<Item = &'static Case> {
    crate::algo::registry::ALGORITHMS
        .iter()
        .flat_map(|d| d.split_brain_cases.iter())
}

/// Virtual time each case runs for: long enough for every scenario to heal and settle.
pub const DURATION: Micros = 8 * SEC;

#[derive(Clone, Debug)]
pub struct Outcome {
    pub scenario: &'static str,
    pub shows: &'static str,
    pub algorithm: &'static str,
    pub defence: String,
    /// The most nodes that believed they led at one instant.
    pub most_leaders: usize,
    pub powered_off: usize,
    pub storage: Option<StorageView>,
    /// Invariants broken, by name, in order of first occurrence.
    pub violations: Vec<String>,
}

fn defence(cfg: &SimConfig) -> String {
    let mut parts = Vec::new();
    if cfg.algo.quorum {
        parts.push("quorum");
    }
    match cfg.storage {
        StorageMode::Off => {}
        StorageMode::Unfenced => parts.push("no fencing"),
        StorageMode::Fenced => parts.push("fencing tokens"),
    }
    if cfg.stonith {
        parts.push("STONITH");
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

pub fn run_case(case: &Case, seed: u64) -> Result<Outcome, String> {
    let cfg = resolve(
        SimConfig {
            seed,
            duration: DURATION,
            scenario: Some(case.scenario.into()),
            ..SimConfig::default()
        },
        &[],
    )?;
    let mut run = build(&cfg, usize::MAX)?;
    run.advance(DURATION);
    let stats = run.stats();
    let leaders_seen = !stats.leaders.is_empty();
    let most_leaders = stats
        .findings
        .iter()
        .filter(|f| matches!(f.finding.invariant.as_str(), "Split brain" | "Stale leader"))
        .map(|f| f.finding.nodes.len())
        .max()
        .unwrap_or(leaders_seen as usize);
    let mut violations: Vec<String> = Vec::new();
    for f in &stats.findings {
        if f.finding.severity == Severity::Violation && !violations.contains(&f.finding.invariant) {
            violations.push(f.finding.invariant.clone());
        }
    }
    let powered_off = run
        .trace()
        .iter()
        .filter(|e| matches!(e.fact, Some(Fact::PoweredOff { .. })))
        .count();
    Ok(Outcome {
        scenario: case.scenario,
        shows: case.shows,
        algorithm: cfg.algo.title,
        defence: defence(&cfg),
        most_leaders,
        powered_off,
        storage: run.view().storage,
        violations,
    })
}

pub fn run_all(seed: u64) -> Result<Vec<Outcome>, String> {
    cases().map(|c| run_case(c, seed)).collect()
}

/// The comparison as a Markdown table.
pub fn table(outcomes: &[Outcome], seed: u64) -> String {
    let mut out = format!(
        "Each scenario run for {} of virtual time with seed {seed} (`electionscope split-brain`).\n\n",
        Human(DURATION)
    );
    out.push_str("| scenario | algorithm | defence | what it shows | most leaders at once | powered off | storage writes: accepted / refused / lost | safety violations |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for o in outcomes {
        let storage = o.storage.as_ref().map_or("no storage".to_string(), |s| {
            format!("{} / {} / {}", s.accepted, s.rejected, s.lost_updates)
        });
        let violations = if o.violations.is_empty() {
            "none".to_string()
        } else {
            o.violations.join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            o.scenario,
            o.algorithm,
            o.defence,
            o.shows,
            o.most_leaders,
            o.powered_off,
            storage,
            violations
        ));
    }
    out
}
