//! A run of any algorithm behind one object-safe interface, for the UI and the CLI,
//! which pick the algorithm at run time.

use crate::algo::Configure;
use crate::config::SimConfig;
use crate::scenario::{self, ScenarioError};
use crate::sim::erased::AnySimulation;
use crate::sim::kernel::{Stats, TimedFinding};
use crate::sim::moment::MomentMark;
use crate::sim::time::Rounded;
use crate::sim::timeline::{Branch, RecordedAction, TraceSink};
use crate::sim::{
    Action, ClusterView, Human, KernelConfig, Micros, NodeId, Severity, Simulation, Timeline,
    TraceEvent,
};
use serde::Serialize;
use std::collections::VecDeque;

/// Messages in flight a front end's view carries at most (the newest): a healthy
/// 25-node run has a few hundred; a storm tens of thousands, which no frame can draw.
pub const VIEW_IN_FLIGHT: usize = 2_000;

pub trait Run {
    fn config(&self) -> &SimConfig;
    fn now(&self) -> Micros;
    fn advance(&mut self, t: Micros);
    /// Advances towards `t` handling at most `max_events` events; true if it got there.
    fn advance_within(&mut self, t: Micros, max_events: u64) -> bool;
    fn step(&mut self) -> bool;
    fn act(&mut self, action: Action);
    fn seek(&mut self, t: Micros);
    fn view(&self) -> ClusterView;
    fn trace(&self) -> &VecDeque<TraceEvent>;
    /// The key moments of this branch so far.
    fn moments(&self) -> &[MomentMark];
    fn trace_hash(&self) -> String;
    /// What the user did on this branch, with where each happened.
    fn actions(&self) -> &[RecordedAction];
    /// A fresh run takes `actions` (from a link) and replays them as time passes.
    fn load_actions(&mut self, actions: Vec<RecordedAction>) -> Result<(), String>;
    /// The futures left by acting in the past or undoing, oldest first.
    fn branches(&self) -> &[Branch];
    /// Goes to branch `i` (keeping this one); the instant it shows.
    fn switch_branch(&mut self, i: usize) -> Option<Micros>;
    /// Takes back the last action; the instant it had happened at.
    fn undo(&mut self) -> Option<Micros>;
    /// The furthest instant this branch has reached.
    fn reached(&self) -> Micros;
    fn stats(&self) -> &Stats;
    fn set_sink(&mut self, sink: Option<TraceSink>);
}

/// A run and the configuration it was built from.
struct Configured {
    config: SimConfig,
    timeline: Timeline,
}

impl Run for Configured {
    fn config(&self) -> &SimConfig {
        &self.config
    }
    fn now(&self) -> Micros {
        self.timeline.sim().now()
    }
    fn advance(&mut self, t: Micros) {
        self.timeline.advance(t)
    }
    fn advance_within(&mut self, t: Micros, max_events: u64) -> bool {
        self.timeline.advance_within(t, max_events)
    }
    fn step(&mut self) -> bool {
        self.timeline.step()
    }
    fn act(&mut self, action: Action) {
        self.timeline.act(action)
    }
    fn seek(&mut self, t: Micros) {
        self.timeline.seek(t)
    }
    fn view(&self) -> ClusterView {
        self.timeline.sim().cluster_view_with(VIEW_IN_FLIGHT)
    }
    fn trace(&self) -> &VecDeque<TraceEvent> {
        self.timeline.trace()
    }
    fn moments(&self) -> &[MomentMark] {
        self.timeline.moments()
    }
    fn trace_hash(&self) -> String {
        self.timeline.sim().trace_hash()
    }
    fn actions(&self) -> &[RecordedAction] {
        self.timeline.actions()
    }
    fn load_actions(&mut self, actions: Vec<RecordedAction>) -> Result<(), String> {
        self.timeline.load_actions(actions)
    }
    fn branches(&self) -> &[Branch] {
        self.timeline.branches()
    }
    fn switch_branch(&mut self, i: usize) -> Option<Micros> {
        self.timeline.switch_branch(i)
    }
    fn undo(&mut self) -> Option<Micros> {
        self.timeline.undo()
    }
    fn reached(&self) -> Micros {
        self.timeline.reached()
    }
    fn stats(&self) -> &Stats {
        self.timeline.sim().stats()
    }
    fn set_sink(&mut self, sink: Option<TraceSink>) {
        self.timeline.set_sink(sink)
    }
}

/// What the kernel takes of `config`: cluster, seed, network, defences; the default
/// budget.
pub fn kernel_config(config: &SimConfig) -> KernelConfig {
    KernelConfig {
        nodes: config.nodes,
        seed: config.seed,
        latency: config.latency,
        drop_ppm: config.drop_ppm,
        defences: crate::sim::Defences {
            storage: config.storage,
            stonith: config.stonith,
        },
        budget: crate::sim::Budget::default(),
    }
}

/// The scenario's steps for `config`, checked against its cluster. The scenario's
/// `set` lines must already have been applied (see [`resolve`]).
pub fn scenario_steps(config: &SimConfig) -> Result<Vec<(Micros, Action)>, ScenarioError> {
    let Some(spec) = &config.scenario else {
        return Ok(Vec::new());
    };
    let sc = scenario::load(spec)?;
    sc.check_nodes(config.addressable_nodes())?;
    Ok(sc.steps.into_iter().map(|s| (s.at, s.action)).collect())
}

/// The simulation of a known algorithm for `config`, with its scenario queued: what
/// tests that look inside one engine use.
pub fn simulation<A: Configure>(config: &SimConfig) -> Result<Simulation<A>, ScenarioError> {
    let steps = scenario_steps(config)?;
    Ok(crate::sim::erased::simulation::<A>(
        kernel_config(config),
        A::configure(&config.setup()),
        &steps,
    ))
}

/// A run without time travel of whichever algorithm `config` names, for batch work.
pub fn batch(config: &SimConfig) -> Result<Box<dyn AnySimulation>, ScenarioError> {
    let steps = scenario_steps(config)?;
    let mut sim = (config.algo.simulation)(kernel_config(config), &config.setup(), &steps);
    sim.set_keep_trace(false);
    Ok(sim)
}

/// [`SimConfig::apply`] with every problem an error: what the CLI and tests use.
pub fn resolve(mut config: SimConfig, overrides: &[(String, String)]) -> Result<SimConfig, String> {
    config.apply(overrides, |problem| match problem {
        crate::config::Problem::Scenario(e) | crate::config::Problem::Setting(e) => Err(e),
    })?;
    Ok(config)
}

/// Builds a run with time travel. `trace_cap` bounds the trace window kept in memory.
pub fn build(config: &SimConfig, trace_cap: usize) -> Result<Box<dyn Run>, String> {
    let steps = scenario_steps(config).map_err(|e| format!("scenario: {e}"))?;
    let sim = (config.algo.simulation)(kernel_config(config), &config.setup(), &steps);
    Ok(Box::new(Configured {
        config: config.clone(),
        timeline: Timeline::new(sim, trace_cap),
    }))
}

/// A run that only goes forward, for a fingerprint: no time travel's snapshots and no
/// trace window (its hash is the same as `build`'s).
pub fn build_forward(config: &SimConfig) -> Result<Box<dyn Run>, String> {
    let steps = scenario_steps(config).map_err(|e| format!("scenario: {e}"))?;
    let sim = (config.algo.simulation)(kernel_config(config), &config.setup(), &steps);
    Ok(Box::new(Configured {
        config: config.clone(),
        timeline: Timeline::forward_only(sim),
    }))
}

#[derive(Clone, Debug, Serialize)]
pub struct LeaderLine {
    pub term: u64,
    pub node: NodeId,
    pub at_us: Micros,
}

/// What `electionscope run` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub algo: String,
    pub nodes: u32,
    pub seed: u64,
    pub duration_us: Micros,
    pub leaders_by_term: Vec<LeaderLine>,
    pub elections: u64,
    pub leaderless_us: Micros,
    pub messages_sent: u64,
    pub messages_dropped: u64,
    pub messages_by_type: crate::sim::VecMap<String, u64>,
    pub violations: Vec<TimedFinding>,
    pub warnings: usize,
    pub final_leader: Option<NodeId>,
    pub final_term: Option<u64>,
    /// The shared storage's tally, when the run had one.
    pub storage: Option<crate::sim::StorageView>,
    /// How many times each key moment happened (by its key, `split-vote`).
    pub moments: crate::sim::VecMap<String, u64>,
    /// Why the kernel stopped the run early (a runaway engine), if it did.
    pub halted: Option<String>,
    pub trace_hash: String,
    pub query: String,
}

impl Summary {
    pub fn of(run: &dyn Run) -> Summary {
        let c = run.config();
        let s = run.stats();
        let leader = run.view().leader;
        Summary {
            algo: c.algo.to_string(),
            nodes: c.nodes,
            seed: c.seed,
            duration_us: run.now(),
            leaders_by_term: s
                .leaders
                .iter()
                .map(|l| LeaderLine {
                    term: l.term,
                    node: l.node,
                    at_us: l.at,
                })
                .collect(),
            elections: s.elections,
            leaderless_us: s.leaderless_us,
            messages_sent: s.messages_sent,
            messages_dropped: s.messages_dropped,
            messages_by_type: s.messages_by_kind.clone(),
            violations: s
                .findings
                .iter()
                .filter(|f| f.finding.severity == Severity::Violation)
                .cloned()
                .collect(),
            warnings: s
                .findings
                .iter()
                .filter(|f| f.finding.severity == Severity::Warning)
                .count(),
            final_leader: leader.map(|(n, _)| n),
            final_term: leader.map(|(_, t)| t),
            storage: run.view().storage.map(|mut s| {
                s.recent.clear();
                s.last_refused = None;
                s.last_lost = None;
                s
            }),
            moments: run
                .moments()
                .iter()
                .fold(crate::sim::VecMap::new(), |mut n, m| {
                    *n.entry(m.moment.key().to_string()).or_insert(0) += 1;
                    n
                }),
            halted: s.halted.as_ref().map(|(_, text)| text.clone()),
            trace_hash: run.trace_hash(),
            query: c.to_query(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(
            &mut out,
            format!(
                "{} with {} nodes, seed {}, {} of virtual time",
                self.algo,
                self.nodes,
                self.seed,
                Human(self.duration_us)
            ),
        );
        let algo = crate::algo::Algo::parse(&self.algo).unwrap_or_default();
        line(
            &mut out,
            match algo.leadership {
                Some(word) => format!("leaders by {word}:"),
                None => "leaders, in order:".into(),
            },
        );
        if self.leaders_by_term.is_empty() {
            line(&mut out, "  (no leader was elected)".into());
        }
        for l in &self.leaders_by_term {
            line(
                &mut out,
                match algo.leadership {
                    Some(_) => format!(
                        "  {:>9}: n{} (from {})",
                        (algo.term_label)(l.term),
                        l.node,
                        Rounded(l.at_us)
                    ),
                    None => format!("  n{} (from {})", l.node, Rounded(l.at_us)),
                },
            );
        }
        if let Some(why) = &self.halted {
            line(
                &mut out,
                format!("STOPPED EARLY at {}: {why}", Human(self.duration_us)),
            );
        }
        line(&mut out, format!("elections started: {}", self.elections));
        line(
            &mut out,
            format!("leaderless time:   {}", Human(self.leaderless_us)),
        );
        line(
            &mut out,
            format!(
                "messages:          {} sent, {} dropped",
                self.messages_sent, self.messages_dropped
            ),
        );
        for (k, v) in &self.messages_by_type {
            line(&mut out, format!("  {k:<14} {v}"));
        }
        line(
            &mut out,
            format!("safety violations: {}", self.violations.len()),
        );
        for v in &self.violations {
            line(
                &mut out,
                format!(
                    "  at {}: {} — {}",
                    Human(v.at),
                    v.finding.invariant,
                    v.finding.text
                ),
            );
        }
        line(&mut out, format!("warnings:          {}", self.warnings));
        if !self.moments.is_empty() {
            let told: Vec<String> = crate::sim::Moment::ALL
                .iter()
                .filter_map(|m| {
                    let n = self.moments.get(m.key())?;
                    Some(format!("{n} {}", m.label()))
                })
                .collect();
            line(&mut out, format!("key moments:       {}", told.join(", ")));
        }
        if let Some(s) = &self.storage {
            line(
                &mut out,
                format!(
                    "storage ({}):  {} writes accepted, {} refused, {} lost updates; highest token {}",
                    if s.fenced { "fenced" } else { "no fencing" },
                    s.accepted,
                    s.rejected,
                    s.lost_updates,
                    s.highest_token.map_or("none".into(), |t| t.to_string())
                ),
            );
        }
        match (self.final_leader, self.final_term) {
            (Some(n), Some(t)) if algo.leadership.is_some() => line(
                &mut out,
                format!("leader at the end: n{n} ({})", (algo.term_label)(t)),
            ),
            (Some(n), Some(_)) => line(&mut out, format!("leader at the end: n{n}")),
            _ => line(&mut out, "leader at the end: none".into()),
        }
        line(&mut out, format!("trace hash:        {}", self.trace_hash));
        out
    }
}
