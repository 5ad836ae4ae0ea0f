//! The lab's experiments for any runs the user lists (one per line, settings as in a
//! page address: `algo=raft&election-timeout=150-155ms`), each over consecutive seeds:
//!
//! - **recovery**: time from a leader's crash to a new established leader, as a CDF
//!   and percentiles (Figure 16 is this experiment with the paper's six runs);
//! - **messages**: messages per election against cluster size, from a cold start and
//!   after a leader's crash, beside the textbook formula and the growth that fits;
//! - **faults**: one random schedule of partitions and pauses per seed, the same for
//!   every run, each run twice (storage without and with fencing): the share of time
//!   with two leaders, lost updates, writes refused, the share without a leader.
//!
//! The page's lab (in the compute worker) and `electionscope lab --experiment` call
//! the same functions, so the same seeds give the same figures.

use crate::config::SimConfig;
use crate::lab::{self, Distribution, Fault};
use crate::plot::escape;
use crate::plot::{self, Panel, PanelLine, Series};
use crate::sim::rng::{SimRng, Stream};
use crate::sim::time::Rounded;
use crate::sim::{Action, MS, Micros, SEC, StorageMode, Target};
use crate::table::{Growth, formula};
use serde::Serialize;
use std::fmt::Write;

/// The most runs one experiment compares (a plot stays readable).
pub const MAX_RUNS: usize = 8;

/// One run to measure: its settings and the line that named them.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub label: String,
    pub config: SimConfig,
}

/// The runs a text lists, one per line (`#` starts a comment); a problem names its line.
pub fn parse_runs(text: &str) -> Result<Vec<RunSpec>, String> {
    let mut runs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('?');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let config =
            SimConfig::from_query_strict(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        runs.push(RunSpec {
            label: line.to_string(),
            config,
        });
    }
    if runs.is_empty() {
        return Err("list at least one run, one per line, such as algo=raft".into());
    }
    if runs.len() > MAX_RUNS {
        return Err(format!(
            "{} runs are listed; an experiment compares at most {MAX_RUNS}",
            runs.len()
        ));
    }
    Ok(runs)
}

/// Which experiment, by the name the page and the CLI use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Recovery,
    Messages,
    Faults,
}

impl Kind {
    pub fn parse(text: &str) -> Result<Kind, String> {
        match text {
            "recovery" => Ok(Kind::Recovery),
            "messages" => Ok(Kind::Messages),
            "faults" => Ok(Kind::Faults),
            other => Err(format!(
                "unknown experiment '{other}' (known: recovery, messages, faults)"
            )),
        }
    }
}

/// The id of the page's table of an experiment's results.
const TABLE_ID: &str = "experiment-table";

/// An experiment's result in every form the front ends show or save.
pub struct Report {
    /// Plain text for a terminal.
    pub text: String,
    pub html: String,
    /// Empty when the experiment draws no plot.
    pub svg: String,
    pub csv: String,
    pub json: serde_json::Value,
}

/// Runs an experiment, telling `progress` the share done now and then.
pub fn run(
    kind: Kind,
    runs: &[RunSpec],
    trials: u32,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<Report, String> {
    match kind {
        Kind::Recovery => {
            let rows = recovery(runs, trials, seed, progress)?;
            Ok(recovery_report(
                &rows,
                &format!("Time to a new leader after the leader crashes ({trials} trials each)"),
                TABLE_ID,
            ))
        }
        Kind::Messages => Ok(messages_report(&messages(runs, trials, seed, progress)?)),
        Kind::Faults => Ok(faults_report(&faults(runs, trials, seed, progress)?)),
    }
}

// --- Recovery: time to a new leader after a crash ---------------------------------

/// One run's trials: each time to a new leader, and how many found none within the
/// lab's limit.
#[derive(Clone, Debug, Serialize)]
pub struct Recovery {
    pub label: String,
    /// What a source states about this run (Figure 16's paper), or empty.
    pub stated: String,
    pub recoveries_us: Vec<Micros>,
    pub failed: u32,
}

pub fn recovery(
    runs: &[RunSpec],
    trials: u32,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Recovery>, String> {
    let mut rows = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let mut row = Recovery {
            label: run.label.clone(),
            stated: String::new(),
            recoveries_us: Vec::new(),
            failed: 0,
        };
        for k in 0..trials {
            let cfg = SimConfig {
                seed: seed + u64::from(k),
                ..run.config.clone()
            };
            match lab::trial(&cfg, Fault::CrashLeader)?.recovery_us {
                Some(t) => row.recoveries_us.push(t),
                None => row.failed += 1,
            }
            if k % 25 == 24 {
                progress((i as f64 + f64::from(k + 1) / f64::from(trials)) / runs.len() as f64);
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The CDF's series in milliseconds (a trial without a leader counts at the limit).
pub fn recovery_series(rows: &[Recovery]) -> Vec<Series> {
    rows.iter()
        .map(|r| Series {
            label: r.label.clone(),
            values: r
                .recoveries_us
                .iter()
                .map(|&t| t as f64 / 1000.0)
                .chain((0..r.failed).map(|_| lab::PHASE_LIMIT as f64 / 1000.0))
                .collect(),
        })
        .collect()
}

pub fn recovery_report(rows: &[Recovery], title: &str, table_id: &str) -> Report {
    let series = recovery_series(rows);
    let stated = rows.iter().any(|r| !r.stated.is_empty());
    let mut html = format!(
        "<table class=\"lab-table\" id=\"{table_id}\" data-experiment=\"recovery\"><thead><tr><th scope=\"col\">Run</th>"
    );
    if stated {
        html.push_str("<th scope=\"col\">The paper says</th>");
    }
    html.push_str("<th scope=\"col\">Median</th><th scope=\"col\">p90</th><th scope=\"col\">p99</th><th scope=\"col\">Worst</th><th scope=\"col\">No leader within 60 s</th></tr></thead><tbody>");
    let mut text = format!(
        "time from the leader's crash to a new established leader\n{:<40} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
        "run", "p50", "p90", "p99", "max", "no leader"
    );
    for r in rows {
        let d = Distribution::of(&r.recoveries_us);
        let cell = |f: fn(&Distribution) -> Micros| {
            d.as_ref()
                .map_or("-".to_string(), |d| Rounded(f(d)).to_string())
        };
        let _ = write!(
            html,
            "<tr data-run=\"{label}\"><th scope=\"row\">{label}</th>",
            label = escape(&r.label)
        );
        if stated {
            let _ = write!(
                html,
                "<td>{}</td>",
                if r.stated.is_empty() { "-" } else { &r.stated }
            );
        }
        let _ = write!(
            html,
            "<td data-cell=\"p50\">{}</td><td>{}</td><td>{}</td><td data-cell=\"max\">{}</td><td data-cell=\"failed\">{}</td></tr>",
            cell(|d| d.p50),
            cell(|d| d.p90),
            cell(|d| d.p99),
            cell(|d| d.max),
            r.failed
        );
        let _ = writeln!(
            text,
            "{:<40} {:>9} {:>9} {:>9} {:>9} {:>9}",
            r.label,
            cell(|d| d.p50),
            cell(|d| d.p90),
            cell(|d| d.p99),
            cell(|d| d.max),
            r.failed
        );
    }
    html.push_str("</tbody></table>");
    let json = serde_json::json!({
        "experiment": "recovery",
        "runs": rows.iter().map(|r| {
            let d = Distribution::of(&r.recoveries_us);
            serde_json::json!({
                "label": r.label,
                "trials": r.recoveries_us.len() as u32 + r.failed,
                "failed": r.failed,
                "time_to_leader_us": d,
            })
        }).collect::<Vec<_>>(),
    });
    Report {
        text,
        html,
        svg: plot::cdf_svg(title, "time without a leader (ms, log scale)", &series),
        csv: plot::cdf_csv("ms", &series),
        json,
    }
}

// --- Messages per election against cluster size --------------------------------

/// The cluster sizes the messages experiment measures.
pub const SIZES: [u32; 8] = [3, 5, 7, 9, 13, 17, 21, 25];

/// One run's medians by size (`None`: no trial at that size elected a leader).
#[derive(Clone, Debug, Serialize)]
pub struct MessagesRow {
    pub label: String,
    #[serde(skip)]
    pub algo: crate::algo::Algo,
    pub cold_start: Vec<(u32, Option<u64>)>,
    pub after_crash: Vec<(u32, Option<u64>)>,
    /// Trials (over every size and both starts) that found no leader.
    pub failed: u32,
}

fn median(mut v: Vec<u64>) -> Option<u64> {
    v.sort_unstable();
    (!v.is_empty()).then(|| v[(v.len() - 1) / 2])
}

pub fn messages(
    runs: &[RunSpec],
    trials: u32,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<MessagesRow>, String> {
    let steps = (runs.len() * SIZES.len()) as f64;
    let mut rows = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let mut row = MessagesRow {
            label: run.label.clone(),
            algo: run.config.algo,
            cold_start: Vec::new(),
            after_crash: Vec::new(),
            failed: 0,
        };
        for (j, n) in SIZES.into_iter().enumerate() {
            for (fault, out) in [
                (Fault::None, &mut row.cold_start),
                (Fault::CrashLeader, &mut row.after_crash),
            ] {
                let mut counts = Vec::new();
                for k in 0..trials {
                    let cfg = SimConfig {
                        nodes: n,
                        seed: seed + u64::from(k),
                        ..run.config.clone()
                    };
                    let t = lab::trial(&cfg, fault)?;
                    match t.recovery_us {
                        Some(_) => counts.push(t.messages),
                        None => row.failed += 1,
                    }
                }
                out.push((n, median(counts)));
            }
            progress((i * SIZES.len() + j + 1) as f64 / steps);
        }
        rows.push(row);
    }
    Ok(rows)
}

fn points(series: &[(u32, Option<u64>)]) -> Vec<(u32, f64)> {
    series
        .iter()
        .filter_map(|&(n, m)| m.filter(|&m| m > 0).map(|m| (n, m as f64)))
        .collect()
}

/// The growth that fits a series and its scale, if it has points.
fn fitted(series: &[(u32, Option<u64>)]) -> Option<(Growth, f64)> {
    let p = points(series);
    (!p.is_empty()).then(|| {
        let g = Growth::fit(&p);
        (g, g.scale(&p))
    })
}

fn fit_label(fit: Option<(Growth, f64)>) -> String {
    fit.map_or("-".into(), |(g, k)| format!("{k:.2}·{}", g.label()))
}

pub fn messages_report(rows: &[MessagesRow]) -> Report {
    let mut panels = Vec::new();
    let sizes = SIZES.map(|n| n.to_string()).join(", ");
    let mut html = format!(
        "<table class=\"lab-table\" id=\"{TABLE_ID}\" data-experiment=\"messages\"><thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Cold start, median (n = {sizes})</th><th scope=\"col\">After the leader's crash, median</th><th scope=\"col\">Textbook</th><th scope=\"col\">Fitted growth: cold start / after a crash</th></tr></thead><tbody>"
    );
    let mut text = String::from("median messages until an established leader, by cluster size\n");
    let mut csv = String::from("run,nodes,cold_start_median,after_crash_median,textbook\n");
    let join = |v: &[(u32, Option<u64>)]| {
        v.iter()
            .map(|(_, m)| m.map_or("-".into(), |m| m.to_string()))
            .collect::<Vec<_>>()
    };
    for r in rows {
        let book = formula(r.algo);
        let (cold_fit, crash_fit) = (fitted(&r.cold_start), fitted(&r.after_crash));
        let line = |series: &[(u32, Option<u64>)]| {
            series
                .iter()
                .filter_map(|&(n, m)| m.map(|m| (f64::from(n), m as f64)))
                .collect::<Vec<_>>()
        };
        let curve =
            |f: &dyn Fn(f64) -> f64| (3..=25).map(|n| (f64::from(n), f(f64::from(n)))).collect();
        let mut lines = vec![
            PanelLine {
                label: "cold start".into(),
                points: line(&r.cold_start),
                style: plot::Style::Measured,
            },
            PanelLine {
                label: "after a crash".into(),
                points: line(&r.after_crash),
                style: plot::Style::MeasuredAlt,
            },
            PanelLine {
                label: format!("textbook {}", book.text),
                points: curve(&book.of),
                style: plot::Style::Reference,
            },
        ];
        if let Some((g, k)) = cold_fit {
            lines.push(PanelLine {
                label: format!("fit {k:.2}·{}", g.label()),
                points: curve(&|n| k * g.f(n)),
                style: plot::Style::Fit,
            });
        }
        panels.push(Panel {
            title: r.label.clone(),
            lines,
        });
        let (cold, crash) = (join(&r.cold_start), join(&r.after_crash));
        let failed = if r.failed > 0 {
            format!(" ({} trials without a leader)", r.failed)
        } else {
            String::new()
        };
        let _ = write!(
            html,
            "<tr data-run=\"{label}\"><th scope=\"row\">{label}</th><td data-cell=\"cold\">{}{failed}</td><td data-cell=\"crash\">{}</td><td>{} <span class=\"hint\">({})</span></td><td data-cell=\"fit\">{} / {}</td></tr>",
            cold.join(" / "),
            crash.join(" / "),
            book.text,
            book.case,
            fit_label(cold_fit),
            fit_label(crash_fit),
            label = escape(&r.label),
        );
        let _ = writeln!(
            text,
            "{}\n  cold start:    {}\n  after a crash: {}\n  textbook {} ({}); fitted {} / {}{failed}",
            r.label,
            cold.join(" "),
            crash.join(" "),
            book.text,
            book.case,
            fit_label(cold_fit),
            fit_label(crash_fit),
        );
        for (&(n, c), &(_, a)) in r.cold_start.iter().zip(&r.after_crash) {
            let _ = writeln!(
                csv,
                "\"{}\",{n},{},{},{:.1}",
                r.label.replace('"', "\"\""),
                c.map_or(String::new(), |c| c.to_string()),
                a.map_or(String::new(), |a| a.to_string()),
                (book.of)(f64::from(n))
            );
        }
    }
    html.push_str("</tbody></table>");
    // Why a measurement differs from the textbook, once per algorithm.
    let mut algos: Vec<crate::algo::Algo> = Vec::new();
    for r in rows {
        if !algos.iter().any(|a| a.name == r.algo.name) {
            algos.push(r.algo);
        }
    }
    let notes: Vec<String> = algos
        .iter()
        .filter(|a| !crate::table::claims(**a).why.is_empty())
        .map(|a| {
            format!(
                "<li><strong>{}</strong>: {}</li>",
                escape(a.title),
                escape(crate::table::claims(*a).why)
            )
        })
        .collect();
    if !notes.is_empty() {
        let _ = write!(
            html,
            "<ul class=\"lab-notes\">{}<li>The textbook counts one election in its stated case; the measured medians count every message from the start (or the crash) until a majority follows one leader, its first heartbeats included.</li></ul>",
            notes.concat()
        );
    }
    let _ = writeln!(text, "(n = {sizes})");
    Report {
        text,
        html,
        svg: plot::panels_svg(
            "Messages until an established leader, median, by cluster size",
            "nodes",
            "messages",
            &panels,
        ),
        csv,
        json: serde_json::json!({ "experiment": "messages", "sizes": SIZES, "runs": rows }),
    }
}

// --- Random partitions and pauses -----------------------------------------------

/// How long each faults trial runs (virtual time).
pub const FAULTS_DURATION: Micros = 60 * SEC;

/// A random schedule of partitions and pauses, one at a time with quiet gaps between,
/// from the seed alone: every run of one seed meets the same faults.
pub fn fault_schedule(seed: u64, nodes: u32) -> Vec<(Micros, Action)> {
    let mut rng = SimRng::new(seed, Stream::Schedule);
    let mut out = Vec::new();
    let mut t = 2 * SEC + rng.range(0, 2 * SEC);
    while t < FAULTS_DURATION - 5 * SEC {
        let length = rng.range(SEC, 5 * SEC);
        match rng.range(0, 3) {
            0 => {
                // A random minority cut off from the rest.
                let size = rng.range(1, u64::from(nodes / 2)) as usize;
                let mut ids: Vec<u32> = (1..=nodes).collect();
                for k in 0..size {
                    let j = rng.range(k as u64, u64::from(nodes) - 1) as usize;
                    ids.swap(k, j);
                }
                let mut side = ids[..size].to_vec();
                side.sort_unstable();
                out.push((t, Action::Partition { groups: vec![side] }));
                out.push((t + length, Action::Heal));
            }
            1 => {
                out.push((
                    t,
                    Action::Isolate {
                        target: Target::Leader,
                    },
                ));
                out.push((t + length, Action::Heal));
            }
            2 => out.push((
                t,
                Action::Pause {
                    target: Target::Leader,
                    duration: length,
                },
            )),
            _ => out.push((
                t,
                Action::Pause {
                    target: Target::Node(rng.range(1, u64::from(nodes)) as u32),
                    duration: length,
                },
            )),
        }
        t += length + rng.range(500 * MS, 4 * SEC);
    }
    out
}

/// One run's totals over its trials, without and with fencing.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaultsRow {
    pub label: String,
    pub trials: u32,
    /// Virtual time measured per fencing mode (trials × the trial's duration).
    pub measured_us: Micros,
    pub two_leaders_us: Micros,
    pub trials_with_two_leaders: u32,
    pub leaderless_us: Micros,
    pub lost_updates_unfenced: u64,
    pub trials_with_lost_updates: u32,
    pub lost_updates_fenced: u64,
    pub refused_fenced: u64,
    /// Violations of the algorithm's own invariants (lost updates aside): none in a
    /// correct engine, whatever the faults.
    pub violations: u64,
    /// Whether the algorithm numbers its leaderships: without a number (Bully, the
    /// rings) two leaders' writes cannot be told apart, so none counts as lost and
    /// fencing has nothing to compare.
    pub numbered: bool,
}

impl FaultsRow {
    fn share(&self, us: Micros) -> f64 {
        if self.measured_us == 0 {
            0.0
        } else {
            us as f64 / self.measured_us as f64
        }
    }
}

pub fn faults(
    runs: &[RunSpec],
    trials: u32,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<FaultsRow>, String> {
    let mut rows = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let mut row = FaultsRow {
            label: run.label.clone(),
            trials,
            numbered: run.config.algo.leadership.is_some(),
            ..FaultsRow::default()
        };
        for k in 0..trials {
            let trial_seed = seed + u64::from(k);
            let schedule = fault_schedule(trial_seed, run.config.nodes);
            for mode in [StorageMode::Unfenced, StorageMode::Fenced] {
                let cfg = SimConfig {
                    seed: trial_seed,
                    duration: FAULTS_DURATION,
                    storage: mode,
                    ..run.config.clone()
                };
                let mut sim = crate::run::batch(&cfg).map_err(|e| e.to_string())?;
                for (at, action) in &schedule {
                    sim.advance_to(*at);
                    sim.act(action.clone());
                }
                sim.advance_to(FAULTS_DURATION);
                let stats = sim.stats();
                let storage = sim.cluster_view_with(0).storage.unwrap_or_default();
                // The engines' own invariants (a lost update is the storage's finding,
                // counted apart).
                row.violations += stats
                    .findings
                    .iter()
                    .filter(|f| {
                        f.finding.severity == crate::sim::Severity::Violation
                            && f.finding.invariant != "Lost update"
                    })
                    .count() as u64;
                if mode == StorageMode::Unfenced {
                    // The defences do not change who believes it leads: count once.
                    row.measured_us += FAULTS_DURATION;
                    row.two_leaders_us += stats.split_brain_us;
                    row.trials_with_two_leaders += u32::from(stats.split_brain_us > 0);
                    row.leaderless_us += stats.leaderless_us;
                    row.lost_updates_unfenced += storage.lost_updates;
                    row.trials_with_lost_updates += u32::from(storage.lost_updates > 0);
                } else {
                    row.lost_updates_fenced += storage.lost_updates;
                    row.refused_fenced += storage.rejected;
                }
            }
            if k % 5 == 4 || k + 1 == trials {
                progress((i as f64 + f64::from(k + 1) / f64::from(trials)) / runs.len() as f64);
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

pub fn faults_report(rows: &[FaultsRow]) -> Report {
    let mut html = format!(
        "<table class=\"lab-table\" id=\"{TABLE_ID}\" data-experiment=\"faults\"><thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Time with two leaders</th><th scope=\"col\">Trials with two leaders</th><th scope=\"col\">Lost updates without fencing</th><th scope=\"col\">Lost updates with fencing</th><th scope=\"col\">Writes fencing refused</th><th scope=\"col\">Time without a leader</th></tr></thead><tbody>",
    );
    let mut text = format!(
        "random partitions and pauses, {} s per trial\n{:<40} {:>9} {:>11} {:>10} {:>10} {:>9} {:>10}\n",
        FAULTS_DURATION / SEC,
        "run",
        "2 leaders",
        "trials w/ 2",
        "lost",
        "lost fenced",
        "refused",
        "leaderless"
    );
    let mut csv = String::from(
        "run,trials,two_leaders_share,trials_with_two_leaders,lost_updates_unfenced,trials_with_lost_updates,lost_updates_fenced,refused_fenced,leaderless_share\n",
    );
    for r in rows {
        let (two, none) = (r.share(r.two_leaders_us), r.share(r.leaderless_us));
        let lost = if r.numbered {
            format!(
                "{} (in {} trials)",
                r.lost_updates_unfenced, r.trials_with_lost_updates
            )
        } else {
            "none can be told apart: no leadership number".into()
        };
        let _ = write!(
            html,
            "<tr data-run=\"{label}\"><th scope=\"row\">{label}</th><td data-cell=\"two-leaders\">{}</td><td>{} of {}</td><td data-cell=\"lost\">{lost}</td><td data-cell=\"lost-fenced\">{}</td><td data-cell=\"refused\">{}</td><td data-cell=\"leaderless\">{}</td></tr>",
            percent(two),
            r.trials_with_two_leaders,
            r.trials,
            r.lost_updates_fenced,
            r.refused_fenced,
            percent(none),
            label = escape(&r.label),
        );
        let _ = writeln!(
            text,
            "{:<40} {:>9} {:>11} {:>10} {:>10} {:>9} {:>10}",
            r.label,
            percent(two),
            format!("{} of {}", r.trials_with_two_leaders, r.trials),
            r.lost_updates_unfenced,
            r.lost_updates_fenced,
            r.refused_fenced,
            percent(none)
        );
        let _ = writeln!(
            csv,
            "\"{}\",{},{two:.5},{},{},{},{},{},{none:.5}",
            r.label.replace('"', "\"\""),
            r.trials,
            r.trials_with_two_leaders,
            r.lost_updates_unfenced,
            r.trials_with_lost_updates,
            r.lost_updates_fenced,
            r.refused_fenced,
        );
    }
    html.push_str("</tbody></table><ul class=\"lab-notes\"><li><strong>Two leaders</strong>: two live nodes (paused ones too) each believe they lead. A deposed Raft, Paxos or ZAB leader cut off in a minority counts until it hears of its successor, though it can commit nothing; CheckQuorum and leases shorten that time.</li><li><strong>Lost update</strong>: the shared storage accepted a write from an older leadership after a newer one had written. Every run is measured twice on the same schedule, without and with fencing tokens; with them, each of those writes is refused instead.</li><li>Bully and the rings number no leadership, so two leaders' writes cannot be told apart: nothing counts as lost, and fencing has nothing to compare.</li></ul>");
    let groups: Vec<plot::BarGroup> = rows
        .iter()
        .map(|r| plot::BarGroup {
            label: r.label.clone(),
            values: vec![
                r.share(r.two_leaders_us) * 100.0,
                r.share(r.leaderless_us) * 100.0,
            ],
        })
        .collect();
    Report {
        text,
        html,
        svg: plot::bars_svg(
            &format!(
                "Random partitions and pauses: share of {} s with two leaders, and with none",
                FAULTS_DURATION / SEC
            ),
            "%",
            &[
                "two or more believe they lead",
                "no leader a majority follows",
            ],
            &groups,
        ),
        csv,
        json: serde_json::json!({ "experiment": "faults", "runs": rows }),
    }
}
