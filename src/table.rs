//! The comparison table of leader-election algorithms that primers print, with each
//! claim beside what the simulator measured: messages per election from a cold start
//! over cluster sizes (and the growth that fits them), time to a new leader after a
//! crash, and whether a partition gives two leaders (the split-brain lab's runs). The
//! properties (fault model, unique ids, log replication) are stated with the run that
//! shows them. `electionscope table` prints it; the README shows it (a test keeps it
//! current).

use crate::algo::Algo;
use crate::config::SimConfig;
use crate::lab::{self, Distribution, Fault};
use crate::plot::escape;
use crate::sim::Micros;
use crate::sim::time::Rounded;

/// The cluster sizes measured.
pub const SIZES: [u32; 5] = [3, 5, 9, 15, 25];

/// What primers say of each algorithm (the claim column), by registry name.
pub struct Claims {
    pub messages: &'static str,
    pub growth: Growth,
    pub time: &'static str,
    pub unique_ids: &'static str,
    pub partitions: &'static str,
    pub log: &'static str,
    pub used_in: &'static str,
    /// Why the measurement may differ from the claim (printed under the table when
    /// it does).
    pub why: &'static str,
}

pub fn claims(algo: Algo) -> Claims {
    let c = |messages, growth, time, unique_ids, partitions, log, used_in| Claims {
        messages,
        growth,
        time,
        unique_ids,
        partitions,
        log,
        used_in,
        why: why(algo.name),
    };
    match algo.name {
        "raft" => c(
            "O(n) per candidate",
            Growth::Linear,
            "typically under 1 s",
            "yes (node ids)",
            "yes: only a majority elects",
            "yes",
            "etcd, Consul, CockroachDB",
        ),
        "paxos" => c(
            "O(n) per proposer",
            Growth::Linear,
            "unbounded with duelling proposers",
            "yes (ballot order)",
            "yes: only a majority accepts",
            "Multi-Paxos",
            "Chubby, Spanner",
        ),
        "zab" => c(
            "O(n) per round",
            Growth::Linear,
            "typically under 200 ms",
            "yes (server ids break ties)",
            "yes: quorum",
            "yes",
            "ZooKeeper",
        ),
        "zk-recipe" => c(
            "O(n) requests to the service",
            Growth::Linear,
            "one session timeout",
            "no: the service orders",
            "the service's quorum decides",
            "no (the service's)",
            "Kafka (old), HBase, Curator",
        ),
        "lease" => c(
            "O(n) renewals per period",
            Growth::Linear,
            "one lease duration",
            "no: the lock service decides",
            "the lease service decides; clocks must agree",
            "no",
            "Kubernetes, Chubby locks",
        ),
        "bully" => c(
            "O(n²) worst case",
            Growth::Square,
            "variable",
            "yes (highest wins)",
            "no: each side elects its own",
            "no",
            "textbooks, small LANs",
        ),
        "ring" => c(
            "O(n) best, O(n²) worst",
            Growth::Square,
            "up to O(n) rounds",
            "yes (highest wins)",
            "no: a cut ring stalls",
            "no",
            "textbooks, token rings",
        ),
        "hs" => c(
            "O(n log n)",
            Growth::NLogN,
            "O(n) time",
            "yes (highest wins)",
            "no",
            "no",
            "textbooks",
        ),
        _ => c("-", Growth::Linear, "-", "-", "-", "-", "-"),
    }
}

/// What primers state as properties, each with the built-in scenario that shows it.
pub struct Properties {
    pub fault_model: &'static str,
    /// The scenario that shows the fault model's limit.
    pub shown_by: &'static str,
    pub communication: &'static str,
    /// The uniqueness the algorithm promises.
    pub uniqueness: &'static str,
}

pub fn properties(algo: Algo) -> Properties {
    let p = |fault_model, shown_by, communication, uniqueness| Properties {
        fault_model,
        shown_by,
        communication,
        uniqueness,
    };
    match algo.name {
        "raft" => p(
            "crash-recovery; lost, late or reordered messages; timing only for progress",
            "leader-partition",
            "a candidate or leader to all, each answers",
            "at most one leader per term",
        ),
        "paxos" => p(
            "crash-recovery; asynchronous for safety, a stable leader for progress",
            "paxos-duel",
            "a proposer to all acceptors, each answers",
            "at most one leader per ballot",
        ),
        "zab" => p(
            "crash-recovery; FIFO channels; a quorum up",
            "zab-minority-leader",
            "every server broadcasts its vote to all",
            "at most one established leader per epoch",
        ),
        "zk-recipe" => p(
            "clients crash or pause; the service's sessions decide",
            "zk-paused-leader",
            "clients to the service; a watch wakes one",
            "one lowest znode; a paused holder may not know it lost it",
        ),
        "lease" => p(
            "crash and pause; clock rates must agree",
            "lease-clock-drift",
            "candidates to a lock service",
            "one holder, if clocks agree and nobody pauses",
        ),
        "bully" => p(
            "crash-stop; synchronous (exact timeouts), no partitions",
            "bully-flapping",
            "to every higher id; the winner to all",
            "one, only without partitions and with exact timeouts",
        ),
        "ring" => p(
            "crash-stop, detected; a ring that holds",
            "ring-repair",
            "one direction around the ring",
            "one, only without partitions",
        ),
        "hs" => p(
            "no failures during an election",
            "hs-two-crashes",
            "both directions, doubling distances",
            "one, only without partitions",
        ),
        _ => p("-", "", "-", "-"),
    }
}

/// The textbook's count of messages to elect one leader, as a function of n, and the
/// case it counts (what the lab's messages experiment plots beside its measurements).
#[derive(Clone, Copy)]
pub struct Formula {
    pub text: &'static str,
    pub case: &'static str,
    pub of: fn(f64) -> f64,
}

pub fn formula(algo: Algo) -> Formula {
    let f = |text, case, of| Formula { text, case, of };
    match algo.name {
        "raft" | "paxos" => f(
            "3(n−1)",
            "one candidate: its requests, the replies, its first heartbeats",
            |n| 3.0 * (n - 1.0),
        ),
        "zab" => f(
            "n(n−1)",
            "one round: every server's first vote to every other",
            |n| n * (n - 1.0),
        ),
        "zk-recipe" => f(
            "4n",
            "each candidate creates its znode and lists the others, with replies",
            |n| 4.0 * n,
        ),
        "lease" => f(
            "2n + 2",
            "each candidate reads the lease once, one takes it",
            |n| 2.0 * n + 2.0,
        ),
        "bully" => f(
            "n(n−1)",
            "worst case: the lowest id starts (ELECTION, ANSWER, COORDINATOR)",
            |n| n * (n - 1.0),
        ),
        "ring" => f(
            "n(Hₙ + 1)",
            "average over random rings, with the winner's announcement",
            |n| n * ((1..=n as u32).map(|k| 1.0 / f64::from(k)).sum::<f64>() + 1.0),
        ),
        "hs" => f("8n(1 + log₂ n)", "the worst-case bound", |n| {
            8.0 * n * (1.0 + n.log2())
        }),
        _ => f("-", "", |_| 0.0),
    }
}

fn why(name: &str) -> &'static str {
    match name {
        "raft" => {
            "the claim counts one candidate's round; from a cold start more nodes time out close together as n grows (more candidates, split votes), and the count runs until a majority follows the winner (its first heartbeats included). Two at once under a partition is the deposed leader on the small side, which still believes it leads until it hears the new term but can commit nothing."
        }
        "paxos" => {
            "duelling proposers: from a cold start several nodes run phase 1 at once and pre-empt each other, more of them as n grows."
        }
        "zab" => {
            "Fast Leader Election has every server broadcast its vote to all others, and again whenever its vote changes: O(n) per server, O(n²) in all. The time includes the finalize wait (200 ms by default) and the discovery and synchronisation phases before the leader is established."
        }
        "ring" => {
            "the default ring order is random, whose average is O(n log n) messages, close to n at these sizes; O(n²) is the worst case, ids decreasing along the ring (the ring-worst-case lesson shows n(n+1)/2)."
        }
        "hs" => {
            "O(n log n) is the worst-case bound; with random ids most candidates lose in the first phases, so at these sizes the count grows nearly linearly."
        }
        _ => "",
    }
}

/// How messages per election grow with the cluster size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Growth {
    Linear,
    NLogN,
    Square,
}

impl Growth {
    pub fn label(self) -> &'static str {
        match self {
            Growth::Linear => "n",
            Growth::NLogN => "n log n",
            Growth::Square => "n²",
        }
    }

    pub fn f(self, n: f64) -> f64 {
        match self {
            Growth::Linear => n,
            Growth::NLogN => n * n.log2(),
            Growth::Square => n * n,
        }
    }

    /// The growth whose best scaled curve is nearest the points (relative squared
    /// error, so the small sizes count as much as the large).
    pub fn fit(points: &[(u32, f64)]) -> Growth {
        [Growth::Linear, Growth::NLogN, Growth::Square]
            .into_iter()
            .min_by(|a, b| a.fit_error(points).total_cmp(&b.fit_error(points)))
            .unwrap_or(Growth::Linear)
    }

    /// The factor k that scales this growth nearest the points.
    pub fn scale(self, points: &[(u32, f64)]) -> f64 {
        let (num, den) = points.iter().fold((0.0, 0.0), |(a, b), &(n, m)| {
            let f = self.f(n as f64);
            (a + f / m, b + f * f / (m * m))
        });
        if den > 0.0 { num / den } else { 0.0 }
    }

    fn fit_error(self, points: &[(u32, f64)]) -> f64 {
        let k = self.scale(points);
        points
            .iter()
            .map(|&(n, m)| (k * self.f(n as f64) / m - 1.0).powi(2))
            .sum::<f64>()
    }
}

/// One algorithm's measured row.
#[derive(Clone, Debug)]
pub struct Row {
    pub algo: Algo,
    /// Median messages until the first established leader from a cold start, by size.
    pub cold_messages: Vec<(u32, u64)>,
    pub growth: Growth,
    /// Time to a new established leader after the leader crashes, at 5 nodes.
    pub after_crash: Option<Distribution>,
    /// Trials (of `trials`) that elected no leader within the lab's limit.
    pub failed: u32,
    /// The split-brain lab's partition case: the most leaders at once, and its scenario.
    pub partition: Option<(usize, &'static str)>,
    /// The lab's random partitions and pauses (see [`faults_trials`]).
    pub faults: crate::experiment::FaultsRow,
}

/// Trials of random partitions and pauses per algorithm: a minute of virtual time
/// each, so fewer than the elections measured.
pub fn faults_trials(trials: u32) -> u32 {
    (trials / 20).max(5)
}

/// How the table states an algorithm's uniqueness as measured under random faults.
fn uniqueness_measured(r: &Row) -> String {
    let f = &r.faults;
    let share = if f.measured_us == 0 {
        0.0
    } else {
        f.two_leaders_us as f64 / f.measured_us as f64 * 100.0
    };
    let two = format!("two at once {share:.1}% of the time");
    match r.algo.leadership {
        Some(word) if f.violations == 0 => format!("never two in one {word}; {two}"),
        Some(word) => format!("{} times two in one {word}; {two}", f.violations),
        None => two,
    }
}

fn median(mut v: Vec<u64>) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[(v.len() - 1) / 2]
}

/// Measures one algorithm: `trials` seeds from `seed` per size, and as many crashes.
pub fn measure(algo: Algo, trials: u32, seed: u64) -> Result<Row, String> {
    measure_with_progress(algo, trials, seed, &mut |_| {})
}

/// [`measure`], telling `progress` the share done after each size and experiment.
pub fn measure_with_progress(
    algo: Algo,
    trials: u32,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<Row, String> {
    let steps = SIZES.len() as f64 + 3.0;
    let base = SimConfig {
        algo,
        ..SimConfig::default()
    };
    let mut cold_messages = Vec::new();
    let mut failed = 0;
    for n in SIZES {
        let mut msgs = Vec::new();
        for k in 0..trials {
            let cfg = SimConfig {
                nodes: n,
                seed: seed + u64::from(k),
                ..base.clone()
            };
            let t = lab::trial(&cfg, Fault::None)?;
            match t.recovery_us {
                Some(_) => msgs.push(t.messages),
                None => failed += 1,
            }
        }
        cold_messages.push((n, median(msgs)));
        progress(cold_messages.len() as f64 / steps);
    }
    let points: Vec<(u32, f64)> = cold_messages
        .iter()
        .filter(|(_, m)| *m > 0)
        .map(|&(n, m)| (n, m as f64))
        .collect();
    let mut recoveries: Vec<Micros> = Vec::new();
    for k in 0..trials {
        let cfg = SimConfig {
            nodes: 5,
            seed: seed + u64::from(k),
            ..base.clone()
        };
        if let Some(t) = lab::trial(&cfg, Fault::CrashLeader)?.recovery_us {
            recoveries.push(t);
        }
    }
    progress((SIZES.len() as f64 + 1.0) / steps);
    let run = crate::experiment::RunSpec {
        label: algo.name.to_string(),
        config: base.clone(),
    };
    let faults = crate::experiment::faults(&[run], faults_trials(trials), seed, &mut |_| {})?
        .pop()
        .unwrap_or_default();
    progress((SIZES.len() as f64 + 2.0) / steps);
    let partition = algo
        .split_brain_cases
        .first()
        .map(|case| {
            crate::split_brain::run_case(case, seed).map(|o| (o.most_leaders, case.scenario))
        })
        .transpose()?;
    Ok(Row {
        algo,
        growth: Growth::fit(&points),
        cold_messages,
        after_crash: Distribution::of(&recoveries),
        failed,
        partition,
        faults,
    })
}

/// The table as Markdown: a row per algorithm, each claim beside its measurement.
pub fn to_markdown(rows: &[Row], trials: u32, seed: u64) -> String {
    let mut out = format!(
        "Measured by `electionscope table --trials {trials} --seed {seed}`: medians over {trials} seeds, default settings (Raft's timeouts 150-300 ms, heartbeat 50 ms, latency 5-15 ms); uniqueness over {} one-minute trials of random partitions and pauses (`electionscope lab --experiment faults`).\n\n\
         | Algorithm | Messages to elect, cold start (n = {}) | Growth: claimed / fitted | Time to a new leader after a crash (5 nodes): claimed / measured median, p90 | Two leaders under a partition: claimed / measured | Leader uniqueness: claimed / measured under random faults | Fault model (the scenario that shows it) | Communication | Unique ids | Log replication | Used in |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
        faults_trials(trials),
        SIZES.map(|n| n.to_string()).join(", ")
    );
    for r in rows {
        let c = claims(r.algo);
        let msgs: Vec<String> = r.cold_messages.iter().map(|(_, m)| m.to_string()).collect();
        let growth = if r.growth == c.growth {
            format!("{} / {} (agrees)", c.messages, r.growth.label())
        } else {
            format!("{} / **{}** (differs)", c.messages, r.growth.label())
        };
        let time = match &r.after_crash {
            Some(d) => format!("{} / {}, {}", c.time, Rounded(d.p50), Rounded(d.p90)),
            None => format!("{} / no new leader", c.time),
        };
        let split = match r.partition {
            Some((most, scenario)) => format!(
                "{} / {} at once (scenario `{scenario}`)",
                c.partitions, most
            ),
            None => format!("{} / -", c.partitions),
        };
        let props = properties(r.algo);
        out.push_str(&format!(
            "| {} | {}{} | {} | {} | {} | {} / {} | {} (`{}`) | {} | {} | {} | {} |\n",
            r.algo.title,
            msgs.join(" / "),
            if r.failed > 0 {
                format!(" ({} trials without a leader)", r.failed)
            } else {
                String::new()
            },
            growth,
            time,
            split,
            props.uniqueness,
            uniqueness_measured(r),
            props.fault_model,
            props.shown_by,
            props.communication,
            c.unique_ids,
            c.log,
            c.used_in
        ));
    }
    let notes: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let c = claims(r.algo);
            let differs = r.growth != c.growth
                || (r.algo.quorum && r.partition.is_some_and(|(m, _)| m > 1))
                || r.algo.name == "zab";
            (differs && !c.why.is_empty()).then(|| format!("- **{}**: {}", r.algo.title, c.why))
        })
        .collect();
    out.push_str("\nTwo at once counts a deposed leader until it hears of its successor: it can commit nothing where a quorum is needed, and fencing turns its writes away (see the split-brain lab below).\n");
    if !notes.is_empty() {
        out.push_str("\nWhere a measurement differs from the usual claim:\n\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out
}

/// The table as HTML for the page's lab: the same cells as [`to_markdown`], each
/// partition case a link that opens it in the simulator, the notes under it.
pub fn to_html(rows: &[Row], trials: u32, seed: u64) -> String {
    let mut out = format!(
        "<table class=\"lab-table\" id=\"comparison-table\"><caption>Medians over {trials} seeds from seed {seed}, default settings</caption>\
         <thead><tr><th scope=\"col\">Algorithm</th><th scope=\"col\">Messages to elect, cold start (n = {})</th><th scope=\"col\">Growth: claimed / fitted</th>\
         <th scope=\"col\">New leader after a crash, 5 nodes: claimed / median, p90</th><th scope=\"col\">Two leaders under a partition: claimed / measured</th>\
         <th scope=\"col\">Leader uniqueness: claimed / under random faults</th><th scope=\"col\">Fault model</th><th scope=\"col\">Communication</th>\
         <th scope=\"col\">Unique ids</th><th scope=\"col\">Log replication</th><th scope=\"col\">Used in</th></tr></thead><tbody>",
        SIZES.map(|n| n.to_string()).join(", ")
    );
    for r in rows {
        let c = claims(r.algo);
        let msgs: Vec<String> = r.cold_messages.iter().map(|(_, m)| m.to_string()).collect();
        let differs = r.growth != c.growth;
        let props = properties(r.algo);
        let time = r
            .after_crash
            .as_ref()
            .map_or("no new leader".to_string(), |d| {
                format!("{}, {}", Rounded(d.p50), Rounded(d.p90))
            });
        let split = match r.partition {
            Some((most, scenario)) => format!(
                "{} / <a href=\"?algo={}&amp;scenario={scenario}\">{most} at once</a>",
                escape(c.partitions),
                r.algo.name
            ),
            None => format!("{} / -", escape(c.partitions)),
        };
        out.push_str(&format!(
            "<tr data-algo=\"{name}\"><th scope=\"row\">{title}</th><td data-cell=\"messages\">{msgs}{failed}</td><td data-cell=\"growth\" class=\"{class}\">{claim} / {fitted}</td><td data-cell=\"time\">{claimed_time} / {time}</td><td data-cell=\"partition\">{split}</td><td data-cell=\"uniqueness\">{unique} / {unique_measured}</td><td data-cell=\"fault-model\">{fault_model} (<a href=\"?algo={name}&amp;scenario={shown_by}\">{shown_by}</a>)</td><td>{communication}</td><td>{ids}</td><td>{log}</td><td>{used}</td></tr>",
            name = r.algo.name,
            title = escape(r.algo.title),
            msgs = msgs.join(" / "),
            failed = if r.failed > 0 { format!(" ({} without a leader)", r.failed) } else { String::new() },
            class = if differs { "differs" } else { "agrees" },
            claim = escape(c.messages),
            fitted = r.growth.label(),
            claimed_time = escape(c.time),
            unique = escape(props.uniqueness),
            unique_measured = uniqueness_measured(r),
            fault_model = escape(props.fault_model),
            shown_by = props.shown_by,
            communication = escape(props.communication),
            ids = escape(c.unique_ids),
            log = escape(c.log),
            used = escape(c.used_in),
        ));
    }
    out.push_str("</tbody></table>");
    let notes: Vec<String> = rows
        .iter()
        .filter(|r| !claims(r.algo).why.is_empty())
        .map(|r| {
            format!(
                "<li><strong>{}</strong>: {}</li>",
                escape(r.algo.title),
                escape(claims(r.algo).why)
            )
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("<h3>Where a measurement differs from the usual claim, and why</h3><ul class=\"lab-notes\">");
        out.push_str(&notes.concat());
        out.push_str("</ul>");
    }
    out
}
