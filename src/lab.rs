//! Batch experiments: one experiment repeated over consecutive seeds, reported as a
//! distribution. The reference is the Raft paper's Figure 16 (time to elect a new
//! leader after the old one crashes).

use crate::config::SimConfig;
use crate::sim::erased::AnySimulation;
use crate::sim::rng::{SimRng, Stream};
use crate::sim::{Action, Human, Micros, SEC, Target};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// Time from a cold start to the first established leader.
    None,
    /// Figure 16: once stable, crash the leader at a uniformly random instant within a
    /// heartbeat interval; time until a new leader is established.
    CrashLeader,
}

impl Fault {
    pub fn parse(text: &str) -> Result<Fault, String> {
        match text {
            "none" => Ok(Fault::None),
            "crash-leader" => Ok(Fault::CrashLeader),
            other => Err(format!(
                "unknown fault '{other}' (known: none, crash-leader)"
            )),
        }
    }
}

/// Virtual time a trial may take to reach each phase before it counts as failed.
pub const PHASE_LIMIT: Micros = 60 * SEC;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trial {
    pub seed: u64,
    /// `None` if no leader was established within the phase limit.
    pub recovery_us: Option<Micros>,
    pub messages: u64,
    pub elections: u64,
    pub violations: usize,
}

fn run_until(
    sim: &mut dyn AnySimulation,
    limit: Micros,
    done: impl Fn(&dyn AnySimulation) -> bool,
) -> bool {
    while !done(sim) {
        match sim.next_event_time() {
            Some(t) if t <= limit => {
                sim.step();
            }
            _ => return false,
        }
    }
    true
}

pub fn trial(cfg: &SimConfig, fault: Fault) -> Result<Trial, String> {
    let mut sim = crate::run::batch(cfg).map_err(|e| e.to_string())?;
    let sim = sim.as_mut();
    let (start, msgs0, elections0, old_leader) = match fault {
        Fault::None => (0, 0, 0, None),
        Fault::CrashLeader => {
            // Stable: an established leader that every candidate follows (a
            // coordination service follows nobody).
            let stable = run_until(sim, PHASE_LIMIT, |s| {
                s.established_leader().is_some_and(|(l, t)| {
                    s.headlines()
                        .iter()
                        .zip(1..)
                        .filter(|&(_, id)| Some(id) != s.service())
                        .all(|(v, _)| v.leader == Some(l) && v.term == t)
                })
            });
            if !stable {
                return Ok(Trial {
                    seed: cfg.seed,
                    recovery_us: None,
                    messages: sim.stats().messages_sent,
                    elections: sim.stats().elections,
                    violations: sim.stats().violations(),
                });
            }
            let mut rng = SimRng::new(cfg.seed, Stream::Faults);
            let heartbeat = crate::algo::timing::heartbeat(&cfg.settings);
            let offset = rng.range(0, heartbeat.saturating_sub(1));
            let at = sim.now() + offset;
            sim.advance_to(at);
            let old = sim.established_leader();
            sim.act(Action::Crash {
                target: Target::Leader,
            });
            (at, sim.stats().messages_sent, sim.stats().elections, old)
        }
    };
    let limit = start + PHASE_LIMIT;
    let ok = run_until(sim, limit, |s| {
        // Another node, or a higher term: algorithms without terms (Bully, rings)
        // recover when someone else is established.
        s.established_leader()
            .is_some_and(|(n, t)| old_leader.is_none_or(|(old_n, old_t)| n != old_n || t > old_t))
    });
    Ok(Trial {
        seed: cfg.seed,
        recovery_us: ok.then(|| sim.now() - start),
        messages: sim.stats().messages_sent - msgs0,
        elections: sim.stats().elections - elections0,
        violations: sim.stats().violations(),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Distribution {
    pub min: Micros,
    pub p50: Micros,
    pub p90: Micros,
    pub p99: Micros,
    pub max: Micros,
    pub mean: Micros,
}

impl Distribution {
    /// Nearest-rank percentiles; `None` for an empty sample.
    pub fn of(values: &[Micros]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_unstable();
        let rank = |p: u64| v[((p * v.len() as u64).div_ceil(100) as usize).clamp(1, v.len()) - 1];
        Some(Distribution {
            min: v[0],
            p50: rank(50),
            p90: rank(90),
            p99: rank(99),
            max: v[v.len() - 1],
            mean: v.iter().sum::<Micros>() / v.len() as Micros,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LabRow {
    pub nodes: u32,
    pub trials: u32,
    pub recovered: u32,
    pub time_to_leader_us: Option<Distribution>,
    pub messages: Option<Distribution>,
    pub elections: Option<Distribution>,
    pub runs_with_safety_violation: u32,
    pub first_seed: u64,
}

pub fn experiment(base: &SimConfig, fault: Fault, trials: u32) -> Result<LabRow, String> {
    let mut times = Vec::new();
    let mut messages = Vec::new();
    let mut elections = Vec::new();
    let mut unsafe_runs = 0;
    for k in 0..trials {
        let mut cfg = base.clone();
        cfg.seed = base.seed.wrapping_add(k as u64);
        let t = trial(&cfg, fault)?;
        if let Some(r) = t.recovery_us {
            times.push(r);
            messages.push(t.messages);
            elections.push(t.elections);
        }
        if t.violations > 0 {
            unsafe_runs += 1;
        }
    }
    Ok(LabRow {
        nodes: base.nodes,
        trials,
        recovered: times.len() as u32,
        time_to_leader_us: Distribution::of(&times),
        messages: Distribution::of(&messages),
        elections: Distribution::of(&elections),
        runs_with_safety_violation: unsafe_runs,
        first_seed: base.seed,
    })
}

pub fn rows_to_text(rows: &[LabRow], fault: Fault) -> String {
    let what = match fault {
        Fault::None => "time from cold start to an established leader",
        Fault::CrashLeader => "time from the leader's crash to a new established leader",
    };
    let mut out = format!("{what}\n");
    out.push_str(&format!(
        "{:>5} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8}\n",
        "nodes", "trials", "min", "p50", "p90", "p99", "max", "mean", "msgs p50", "unsafe"
    ));
    for r in rows {
        let d = |f: fn(&Distribution) -> Micros| {
            r.time_to_leader_us
                .as_ref()
                .map_or("-".to_string(), |x| Human(f(x)).to_string())
        };
        out.push_str(&format!(
            "{:>5} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8}\n",
            r.nodes,
            r.trials,
            d(|x| x.min),
            d(|x| x.p50),
            d(|x| x.p90),
            d(|x| x.p99),
            d(|x| x.max),
            d(|x| x.mean),
            r.messages
                .as_ref()
                .map_or("-".into(), |m| m.p50.to_string()),
            r.runs_with_safety_violation
        ));
        if r.recovered < r.trials {
            out.push_str(&format!(
                "      {} of {} trials found no leader within {}\n",
                r.trials - r.recovered,
                r.trials,
                Human(PHASE_LIMIT)
            ));
        }
    }
    out
}

/// The Raft paper's Figure 16 (top), as its section 9.3 describes it: five servers,
/// the leader crashed at a uniformly random instant within its heartbeat interval
/// (half the minimum election timeout), each election timeout range tried, and what
/// the paper's text states about some of them.
pub const FIGURE16: [(&str, &str); 6] = [
    (
        "150-150ms",
        "consistently longer than 10 s (many split votes)",
    ),
    ("150-151ms", ""),
    ("150-155ms", "median 287 ms"),
    ("150-175ms", ""),
    ("150-200ms", "worst case 513 ms over 1000 trials"),
    ("150-300ms", ""),
];

/// The preset's settings for one timeout range. The paper's "broadcast time of about
/// 15 ms" was a round trip plus a disk write on a LAN; the one-way wire delay was a few
/// milliseconds, so messages take 2-4 ms each way here. (At 5-10 ms, longer than the
/// 5 ms of randomness in 150-155, nearly every election splits: a median of 3.5 s.)
pub fn figure16_config(range: &str, seed: u64) -> Result<SimConfig, String> {
    SimConfig::default()
        .with("algo", "raft")
        .and_then(|c| c.with("nodes", "5"))
        .and_then(|c| c.with("election-timeout", range))
        .and_then(|c| c.with("heartbeat", "75ms"))
        .and_then(|c| c.with("latency", "2-4ms"))
        .map(|c| SimConfig { seed, ..c })
}

/// Figure 16's trials: each range a run of the recovery experiment, labelled by its
/// range, with what the paper states about it.
pub fn figure16(
    trials: u32,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<crate::experiment::Recovery>, String> {
    let runs = FIGURE16
        .iter()
        .map(|(range, _)| {
            figure16_config(range, seed).map(|config| crate::experiment::RunSpec {
                label: range.to_string(),
                config,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = crate::experiment::recovery(&runs, trials, seed, progress)?;
    for (row, (_, stated)) in rows.iter_mut().zip(FIGURE16) {
        row.stated = stated.to_string();
    }
    Ok(rows)
}

/// The plot, the paper's statements beside the measured percentiles, and the data.
pub fn figure16_report(
    rows: &[crate::experiment::Recovery],
    trials: u32,
) -> crate::experiment::Report {
    crate::experiment::recovery_report(
        rows,
        &format!("Time to a new leader after the leader crashes (5 servers, {trials} trials each)"),
        "figure16-table",
    )
}
