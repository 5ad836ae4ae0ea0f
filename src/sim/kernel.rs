//! The deterministic simulation kernel: owns virtual time, the network, faults and the
//! invariant monitor. Algorithms plug in through [`Algorithm`]; nothing here names one.

use super::action::{Action, Target};
use super::algorithm::{
    Algorithm, Context, Effect, Finding, Input, Message, Monitor, NodeId, NodeSlotRef, NodeView,
    NoteKind, Severity, Timer,
};
use super::guard::{Budget, Guard, Halt, Limit};
use super::network::Network;
use super::rng::{SimRng, Stream};
use super::storage::{Defences, STORAGE, Storage, StorageMode, StorageView, WRITE_EVERY};
use super::time::{Human, Micros};
use super::trace::{DropReason, EventKind, MsgRecord, TraceEvent, TraceHasher};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Kernel settings shared by every algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelConfig {
    pub nodes: u32,
    pub seed: u64,
    /// One-way message delay, drawn uniformly per message.
    pub latency: (Micros, Micros),
    pub drop_ppm: u32,
    /// Shared storage, fencing and STONITH (off unless asked for).
    #[serde(default)]
    pub defences: Defences,
    /// How much work the run may do before the kernel stops it as a runaway.
    #[serde(default)]
    pub budget: Budget,
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            nodes: 5,
            seed: 1,
            latency: (5 * super::time::MS, 15 * super::time::MS),
            drop_ppm: 0,
            defences: Defences::default(),
            budget: Budget::default(),
        }
    }
}

#[derive(Clone, Debug)]
enum Slot<A: Algorithm> {
    Up {
        node: A,
        paused_until: Option<Micros>,
    },
    Down {
        disk: A::Persistent,
    },
}

#[derive(Clone, Debug)]
enum Event<A: Algorithm> {
    Boot(NodeId),
    Deliver {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: A::Msg,
        lost: bool,
    },
    Timer {
        node: NodeId,
        timer: A::Timer,
        generation: u64,
    },
    Resume {
        node: NodeId,
        until: Micros,
    },
    Action(Action),
    /// A leader's periodic write to the storage is due.
    AppWrite {
        node: NodeId,
        generation: u64,
    },
    /// A write reaches the storage.
    StorageDeliver {
        id: u64,
        from: NodeId,
        token: Option<u64>,
        write: u64,
    },
}

/// A node-local clock: `local = base_local + (true - base_true) * (1 + drift)`.
#[derive(Clone, Copy, Debug, Default)]
struct Clock {
    base_true: Micros,
    base_local: Micros,
    drift_ppm: i32,
}

impl Clock {
    fn local(&self, now: Micros) -> Micros {
        let elapsed = (now - self.base_true) as i128;
        let scaled = elapsed * (1_000_000 + self.drift_ppm as i128) / 1_000_000;
        self.base_local + scaled.max(0) as Micros
    }

    /// True time for a local-clock delay to pass. A timer set before a drift change
    /// keeps its old deadline: drift changes are rare and this keeps timers simple.
    fn true_delay(&self, local: Micros) -> Micros {
        let rate = (1_000_000 + self.drift_ppm as i128).max(1);
        ((local as i128 * 1_000_000 + rate - 1) / rate) as Micros
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerView {
    pub label: String,
    pub set_at: Micros,
    pub fires_at: Micros,
}

#[derive(Clone, Copy, Debug)]
struct TimerState {
    generation: u64,
    set_at: Micros,
    fires_at: Micros,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum NodeStatus {
    Up,
    Paused { until: Micros },
    Crashed,
}

/// Everything the UI needs to draw one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeState {
    pub id: NodeId,
    /// `n3`, or the coordination service's name.
    pub name: String,
    /// The algorithm's coordination service, not a candidate.
    pub service: bool,
    pub status: NodeStatus,
    pub view: NodeView,
    pub timers: Vec<TimerView>,
    pub local_time: Micros,
    pub drift_ppm: i32,
}

/// A consistent picture of the whole cluster at one instant: the view model's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterView {
    pub now: Micros,
    pub nodes: Vec<NodeState>,
    pub in_flight: Vec<MsgRecord>,
    /// Messages on the wire, including any left out of `in_flight`.
    pub in_flight_total: usize,
    pub partition: Option<Vec<Vec<NodeId>>>,
    pub cuts: Vec<(NodeId, NodeId)>,
    pub drop_ppm: u32,
    pub latency: (Micros, Micros),
    pub leader: Option<(NodeId, u64)>,
    pub storage: Option<StorageView>,
    /// Why the kernel stopped this run, if it did: the run advances no further.
    pub halted: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderRecord {
    pub term: u64,
    pub node: NodeId,
    pub at: Micros,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedFinding {
    pub at: Micros,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub elections: u64,
    /// Every time a node took leadership, in order.
    pub leaders: Vec<LeaderRecord>,
    pub leaderless_us: Micros,
    pub messages_by_kind: BTreeMap<String, u64>,
    pub messages_sent: u64,
    pub messages_dropped: u64,
    pub findings: Vec<TimedFinding>,
    /// The most events any window of the run's budget held (see `guard::Budget`).
    pub busiest_window: u64,
    /// Set when the kernel stopped a runaway run: why, and the line it narrated.
    pub halted: Option<(Halt, String)>,
}

impl Stats {
    pub fn violations(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Violation)
            .count()
    }
}

#[derive(Clone, Debug)]
pub struct Simulation<A: Algorithm> {
    config: KernelConfig,
    algo: A::Config,
    cluster: Vec<NodeId>,
    now: Micros,
    next_seq: u64,
    trace_seq: u64,
    processed: u64,
    queue: BTreeMap<(Micros, u64), Event<A>>,
    slots: Vec<Slot<A>>,
    views: Vec<NodeView>,
    timers: Vec<BTreeMap<A::Timer, TimerState>>,
    next_generation: u64,
    /// Inputs that reached a paused node, replayed in order when it resumes.
    held: Vec<Vec<Event<A>>>,
    net: Network,
    net_rng: SimRng,
    node_rngs: Vec<SimRng>,
    clocks: Vec<Clock>,
    in_flight: BTreeMap<u64, MsgRecord>,
    next_msg_id: u64,
    next_write: u64,
    monitor: A::Monitor,
    /// The coordination service's node id, if the algorithm has one.
    service: Option<NodeId>,
    storage: Option<Storage>,
    stonith: bool,
    /// Per node: bumped to cancel its periodic storage writer.
    writer_generation: Vec<u64>,
    /// Per node: frozen while leading, it finishes a write the moment it wakes.
    write_pending: Vec<bool>,
    next_storage_write: u64,
    /// The set of simultaneous leadership claimants last reported, so that one
    /// split-brain episode is reported once.
    claimants: Vec<NodeId>,
    stats: Stats,
    leaderless_checked_at: Micros,
    leaderless_now: bool,
    hasher: TraceHasher,
    out: Vec<TraceEvent>,
    keep_trace: bool,
    guard: Guard,
}

impl<A: Algorithm> Simulation<A> {
    pub fn new(config: KernelConfig, algo: A::Config) -> Self {
        let n = config.nodes as usize;
        let cluster: Vec<NodeId> = (1..=config.nodes).collect();
        let service = A::SERVICE.map(|_| config.nodes + 1);
        let everyone: Vec<NodeId> = (1..=config.nodes + service.is_some() as u32).collect();
        let total = everyone.len();
        let slots = everyone
            .iter()
            .map(|&id| Slot::Up {
                node: A::boot(id, n, &algo),
                paused_until: None,
            })
            .collect();
        let storage = match config.defences.storage {
            StorageMode::Off => None,
            StorageMode::Unfenced => Some(Storage::new(false)),
            StorageMode::Fenced => Some(Storage::new(true)),
        };
        let mut sim = Simulation {
            guard: Guard::new(config.budget),
            net: Network::new(config.latency, config.drop_ppm),
            net_rng: SimRng::new(config.seed, Stream::Network),
            node_rngs: everyone
                .iter()
                .map(|&id| SimRng::new(config.seed, Stream::Node(id)))
                .collect(),
            monitor: A::Monitor::new(n),
            views: vec![NodeView::default(); total],
            timers: vec![BTreeMap::new(); total],
            held: vec![Vec::new(); total],
            clocks: vec![Clock::default(); total],
            service,
            storage,
            stonith: config.defences.stonith,
            writer_generation: vec![0; total],
            write_pending: vec![false; total],
            next_storage_write: 1,
            slots,
            cluster,
            config,
            algo,
            now: 0,
            next_seq: 0,
            trace_seq: 0,
            processed: 0,
            queue: BTreeMap::new(),
            next_generation: 0,
            in_flight: BTreeMap::new(),
            next_msg_id: 1,
            next_write: 1,
            claimants: Vec::new(),
            stats: Stats::default(),
            leaderless_checked_at: 0,
            leaderless_now: true,
            hasher: TraceHasher::default(),
            out: Vec::new(),
            keep_trace: true,
        };
        for i in 0..total {
            sim.views[i] = sim.node_view(i);
        }
        for id in everyone {
            sim.push(0, Event::Boot(id));
        }
        sim
    }

    /// Stop collecting trace events for the caller (the hash is still computed). Batch
    /// experiments use this to avoid buffering millions of events nobody reads.
    pub fn set_keep_trace(&mut self, keep: bool) {
        self.keep_trace = keep;
    }

    pub fn config(&self) -> &KernelConfig {
        &self.config
    }

    pub fn algo_config(&self) -> &A::Config {
        &self.algo
    }

    pub fn now(&self) -> Micros {
        self.now
    }

    /// How many queued events have been handled: the replay position of user actions.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn trace_hash(&self) -> String {
        self.hasher.hex()
    }

    pub fn drain_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.out)
    }

    pub fn views(&self) -> &[NodeView] {
        &self.views
    }

    /// When the next event is due; None once nothing is queued or the run was halted.
    pub fn next_event_time(&self) -> Option<Micros> {
        if self.stats.halted.is_some() {
            return None;
        }
        self.queue.keys().next().map(|&(t, _)| t)
    }

    /// Why the kernel stopped this run, if it did.
    pub fn halted(&self) -> Option<&str> {
        self.stats.halted.as_ref().map(|(_, text)| text.as_str())
    }

    /// The running node's state, for tests that inspect an engine directly.
    pub fn node(&self, id: NodeId) -> Option<&A> {
        match self.slots.get(id as usize - 1)? {
            Slot::Up { node, .. } => Some(node),
            Slot::Down { .. } => None,
        }
    }

    pub fn is_up(&self, id: NodeId) -> bool {
        matches!(self.slots.get(id as usize - 1), Some(Slot::Up { .. }))
    }

    /// Queues an action for a future instant (scenario lines use this).
    pub fn schedule(&mut self, at: Micros, action: Action) {
        self.push(at.max(self.now), Event::Action(action));
    }

    /// Applies an action at the current instant. A halted run takes none: its clock
    /// has stopped, and only going back in time (time travel) can change it.
    pub fn act(&mut self, action: Action) {
        if self.stats.halted.is_some() {
            return;
        }
        self.apply_action(action);
        self.after_step();
    }

    /// Handles every event up to and including `t`, then sets the clock to `t` (or
    /// stops where the kernel halted a runaway run).
    pub fn advance_to(&mut self, t: Micros) {
        while self.next_event_time().is_some_and(|at| at <= t) {
            self.step();
        }
        self.jump_clock(t);
    }

    /// Moves the clock to `t` without handling any event. The caller guarantees that
    /// nothing is queued before `t` (time travel uses this to land between events).
    /// A halted run's clock stays where it stopped.
    pub fn jump_clock(&mut self, t: Micros) {
        debug_assert!(self.next_event_time().is_none_or(|n| n >= t));
        if t > self.now && self.stats.halted.is_none() {
            self.account_leaderless(t);
            self.now = t;
        }
    }

    /// Sequence number the next trace event will get.
    pub fn trace_seq(&self) -> u64 {
        self.trace_seq
    }

    /// Handles the next queued event. Returns false when nothing is queued, or when
    /// the run is over its budget (it is then halted, and stays so).
    pub fn step(&mut self) -> bool {
        let Some(at) = self.next_event_time() else {
            return false;
        };
        let over_budget = self.guard.on_event(at);
        self.stats.busiest_window = self.guard.busiest;
        if over_budget {
            self.halt(at, Limit::EventsPerWindow);
            return false;
        }
        let Some(((at, _), event)) = self.queue.pop_first() else {
            return false;
        };
        self.account_leaderless(at);
        self.now = at;
        self.processed += 1;
        self.handle(event);
        self.after_step();
        if self.in_flight.len() > self.guard.budget().max_in_flight {
            self.halt(at, Limit::InFlight);
        }
        true
    }

    /// Stops the run for good at `at`: the guard's finding goes to the trace and the
    /// statistics, and nothing is handled after it.
    fn halt(&mut self, at: Micros, limit: Limit) {
        self.account_leaderless(at);
        self.now = at;
        let halt = self.guard.halt(at, limit);
        let budget = self.guard.budget();
        let text = halt.describe(&budget, &|n| self.name(n));
        self.emit(EventKind::Halted(halt.clone()), text.clone());
        self.stats.halted = Some((halt, text));
    }

    /// The leader a majority acknowledges in its term, if any: the sense of "a leader
    /// is established" used for statistics and liveness checks.
    pub fn established_leader(&self) -> Option<(NodeId, u64)> {
        let majority = self.cluster.len() / 2 + 1;
        let mut best: Option<(NodeId, u64)> = None;
        for (i, v) in self.views.iter().enumerate() {
            if !v.is_leader || !self.is_running(i) {
                continue;
            }
            let id = i as NodeId + 1;
            let followers = self
                .views
                .iter()
                .enumerate()
                .filter(|(j, w)| self.is_running(*j) && w.leader == Some(id) && w.term == v.term)
                .count();
            if followers >= majority && best.is_none_or(|(_, t)| v.term > t) {
                best = Some((id, v.term));
            }
        }
        best
    }

    pub fn cluster_view(&self) -> ClusterView {
        self.cluster_view_with(usize::MAX)
    }

    /// The cluster view with at most `max_in_flight` of the newest messages in flight:
    /// a storm may put tens of thousands on the wire, more than a frame can copy or
    /// draw. `in_flight_total` still counts them all.
    pub fn cluster_view_with(&self, max_in_flight: usize) -> ClusterView {
        let nodes = (0..self.slots.len())
            .map(|i| NodeState {
                id: i as NodeId + 1,
                name: self.name(i as NodeId + 1),
                service: self.service == Some(i as NodeId + 1),
                status: match &self.slots[i] {
                    Slot::Down { .. } => NodeStatus::Crashed,
                    Slot::Up {
                        paused_until: Some(until),
                        ..
                    } => NodeStatus::Paused { until: *until },
                    Slot::Up { .. } => NodeStatus::Up,
                },
                view: self.views[i].clone(),
                timers: self.timers[i]
                    .iter()
                    .map(|(t, s)| TimerView {
                        label: t.label().to_string(),
                        set_at: s.set_at,
                        fires_at: s.fires_at,
                    })
                    .collect(),
                local_time: self.clocks[i].local(self.now),
                drift_ppm: self.clocks[i].drift_ppm,
            })
            .collect();
        ClusterView {
            now: self.now,
            nodes,
            in_flight: {
                let skip = self.in_flight.len().saturating_sub(max_in_flight);
                self.in_flight.values().skip(skip).cloned().collect()
            },
            in_flight_total: self.in_flight.len(),
            partition: self.net.groups(),
            cuts: self.net.cuts(),
            drop_ppm: self.net.drop_ppm,
            latency: self.net.latency,
            leader: self.established_leader(),
            storage: self.storage.as_ref().map(|s| s.view().clone()),
            halted: self.halted().map(str::to_string),
        }
    }

    /// How narration names a node: `n3`, the service's own name, or `storage`.
    pub fn name(&self, id: NodeId) -> String {
        match (id, A::SERVICE) {
            (STORAGE, _) => "storage".into(),
            (id, Some(name)) if Some(id) == self.service => name.into(),
            (id, _) => format!("n{id}"),
        }
    }

    /// The coordination service's node, if the algorithm has one.
    pub fn service(&self) -> Option<NodeId> {
        self.service
    }

    pub fn storage(&self) -> Option<&StorageView> {
        self.storage.as_ref().map(|s| s.view())
    }

    // ----- internals -----

    fn push(&mut self, at: Micros, event: Event<A>) {
        self.queue.insert((at, self.next_seq), event);
        self.next_seq += 1;
    }

    fn is_running(&self, i: usize) -> bool {
        matches!(
            self.slots[i],
            Slot::Up {
                paused_until: None,
                ..
            }
        )
    }

    fn is_paused(&self, i: usize) -> bool {
        matches!(
            self.slots[i],
            Slot::Up {
                paused_until: Some(_),
                ..
            }
        )
    }

    fn emit(&mut self, kind: EventKind, text: String) {
        let event = TraceEvent {
            seq: self.trace_seq,
            time: self.now,
            kind,
            text,
        };
        self.trace_seq += 1;
        self.hasher.absorb(&event);
        if self.keep_trace {
            self.out.push(event);
        }
    }

    fn handle(&mut self, event: Event<A>) {
        match event {
            Event::Boot(id) => {
                let text = format!("{} boots", self.name(id));
                self.emit(EventKind::Boot { node: id }, text);
                self.step_node(id, Input::Start { recovered: false });
            }
            Event::Deliver {
                id,
                from,
                to,
                msg,
                lost,
            } => self.deliver(id, from, to, msg, lost),
            Event::Timer {
                node,
                timer,
                generation,
            } => {
                let i = node as usize - 1;
                let current = self.timers[i].get(&timer).map(|s| s.generation);
                if current != Some(generation) {
                    return; // cancelled or re-armed since: not an event anyone saw
                }
                if self.is_paused(i) {
                    self.held[i].push(Event::Timer {
                        node,
                        timer,
                        generation,
                    });
                    return;
                }
                self.timers[i].remove(&timer);
                let text = format!("{}'s {} timer fires", self.name(node), timer.label());
                self.emit(
                    EventKind::Timer {
                        node,
                        timer: timer.label().to_string(),
                    },
                    text,
                );
                self.step_node(node, Input::Timer(timer));
            }
            Event::Resume { node, until } => self.resume(node, Some(until)),
            Event::Action(action) => self.apply_action(action),
            Event::AppWrite { node, generation } => self.app_write(node, generation),
            Event::StorageDeliver {
                id,
                from,
                token,
                write,
            } => self.storage_deliver(id, from, token, write),
        }
    }

    fn deliver(&mut self, id: u64, from: NodeId, to: NodeId, msg: A::Msg, lost: bool) {
        let i = to as usize - 1;
        let reason = if !self.is_up_index(i) {
            Some(DropReason::ReceiverDown)
        } else if !self.net.connected(from, to) {
            Some(DropReason::Partitioned)
        } else if lost {
            Some(DropReason::Lost)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.in_flight.remove(&id);
            self.stats.messages_dropped += 1;
            let why = match reason {
                DropReason::Lost => "lost by the network".to_string(),
                DropReason::Partitioned => "blocked by the partition".to_string(),
                DropReason::ReceiverDown => format!("{} is down", self.name(to)),
                DropReason::Fenced => "fenced off".to_string(),
            };
            let text = format!(
                "{} {}→{} dropped: {why}",
                msg.kind(),
                self.name(from),
                self.name(to)
            );
            self.emit(
                EventKind::Drop {
                    id,
                    from,
                    to,
                    reason,
                },
                text,
            );
            return;
        }
        if self.is_paused(i) {
            self.held[i].push(Event::Deliver {
                id,
                from,
                to,
                msg,
                lost,
            });
            return;
        }
        self.in_flight.remove(&id);
        let text = format!(
            "{} receives {} from {}",
            self.name(to),
            msg.kind(),
            self.name(from)
        );
        self.emit(EventKind::Deliver { id, from, to }, text);
        self.step_node(to, Input::Message { from, msg });
    }

    fn is_up_index(&self, i: usize) -> bool {
        matches!(self.slots[i], Slot::Up { .. })
    }

    fn step_node(&mut self, id: NodeId, input: Input<A::Msg, A::Timer>) {
        let i = id as usize - 1;
        let local_now = self.clocks[i].local(self.now);
        let Slot::Up { node, .. } = &mut self.slots[i] else {
            return;
        };
        let mut ctx = Context::new(id, local_now, &self.cluster, &mut self.node_rngs[i])
            .with_service(self.service);
        node.step(&mut ctx, input);
        let effects = std::mem::take(&mut ctx.effects);
        let new_view = node.view();
        for effect in effects {
            self.apply_effect(id, effect);
        }
        self.observe_view(i, new_view);
        self.run_monitor(id);
    }

    fn apply_effect(&mut self, id: NodeId, effect: Effect<A::Msg, A::Timer>) {
        let i = id as usize - 1;
        match effect {
            Effect::Send { to, msg } => self.send(id, to, msg),
            Effect::SetTimer { timer, after } => {
                let fires_at = self.now + self.clocks[i].true_delay(after).max(1);
                let generation = self.next_generation;
                self.next_generation += 1;
                self.timers[i].insert(
                    timer,
                    TimerState {
                        generation,
                        set_at: self.now,
                        fires_at,
                    },
                );
                self.push(
                    fires_at,
                    Event::Timer {
                        node: id,
                        timer,
                        generation,
                    },
                );
            }
            Effect::CancelTimer { timer } => {
                self.timers[i].remove(&timer);
            }
            Effect::Note { kind, text } => {
                if kind == NoteKind::ElectionStart {
                    self.stats.elections += 1;
                }
                self.emit(EventKind::Note { node: id, kind }, text);
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: A::Msg) {
        if to == 0 || to as usize > self.slots.len() || to == from {
            return; // an engine bug, but the kernel must not die of it
        }
        let (kind, summary) = (msg.kind(), msg.summary());
        let text = format!("{}→{} {kind} ({summary})", self.name(from), self.name(to));
        let (id, arrives) =
            self.put_on_wire(from, to, kind, msg.class(), msg.term(), summary, text);
        // Drawn after the delay, as it always was: the network stream's order is part
        // of every trace.
        let lost = self.net_rng.chance_ppm(self.net.drop_ppm);
        self.push(
            arrives,
            Event::Deliver {
                id,
                from,
                to,
                msg,
                lost,
            },
        );
    }

    /// What every message shares, algorithm's or storage write: a number, a delay
    /// drawn from the network stream, the statistics, the narrated send, and a place
    /// among the messages in flight. Returns its id and arrival time.
    #[allow(clippy::too_many_arguments)]
    fn put_on_wire(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        class: super::algorithm::MsgClass,
        term: Option<u64>,
        summary: String,
        text: String,
    ) -> (u64, Micros) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let (lo, hi) = self.net.latency;
        let arrives = self.now + self.net_rng.range(lo, hi).max(1);
        let record = MsgRecord {
            id,
            from,
            to,
            sent_at: self.now,
            deliver_at: arrives,
            kind: kind.to_string(),
            class,
            term,
            summary,
        };
        self.stats.messages_sent += 1;
        self.guard.on_send(self.now, from, kind);
        *self
            .stats
            .messages_by_kind
            .entry(record.kind.clone())
            .or_default() += 1;
        self.emit(
            EventKind::Send {
                msg: record.clone(),
            },
            text,
        );
        self.in_flight.insert(id, record);
        (id, arrives)
    }

    fn observe_view(&mut self, i: usize, new_view: NodeView) {
        let id = i as NodeId + 1;
        let promoted = new_view.is_leader && !self.views[i].is_leader;
        if promoted && self.stonith {
            self.shoot_other_leaders(id);
        }
        let old = &self.views[i];
        if old.role != new_view.role || old.term != new_view.term {
            if promoted {
                self.stats.leaders.push(LeaderRecord {
                    term: new_view.term,
                    node: id,
                    at: self.now,
                });
            }
            self.emit(
                EventKind::Role {
                    node: id,
                    role: new_view.role.clone(),
                    term: new_view.term,
                },
                match new_view.term {
                    // Term 0: the algorithm numbers nothing (Bully, rings).
                    0 => format!("{} is {}", self.name(id), new_view.role),
                    t => format!(
                        "{} is {} in {}",
                        self.name(id),
                        new_view.role,
                        A::term_label(t)
                    ),
                },
            );
        }
        self.views[i] = new_view;
        if promoted && self.storage.is_some() {
            // A new leader's first act is a write: it shows the storage its token at
            // once, which is what lets fencing turn away the leader it replaced.
            self.writer_generation[i] += 1;
            let generation = self.writer_generation[i];
            self.push(
                self.now,
                Event::AppWrite {
                    node: id,
                    generation,
                },
            );
        }
    }

    /// STONITH: before `new_leader` acts as leader, power off every other node that
    /// still believes it leads, paused ones included. The switch is out of band, so
    /// partitions do not stop it; the victims stay off until someone restarts them.
    fn shoot_other_leaders(&mut self, new_leader: NodeId) {
        let victims: Vec<NodeId> = (0..self.views.len())
            .filter(|&j| j + 1 != new_leader as usize && self.views[j].is_leader)
            .filter(|&j| self.is_up_index(j))
            .map(|j| j as NodeId + 1)
            .collect();
        for v in victims {
            let text = format!(
                "STONITH: before {} takes over, a power switch turns {} off (it still believed it led)",
                self.name(new_leader),
                self.name(v)
            );
            self.power_off(
                v,
                Action::Crash {
                    target: Target::Node(v),
                },
                text,
            );
        }
    }

    /// Crashes a running node: only its `Persistent` state survives.
    fn power_off(&mut self, n: NodeId, action: Action, text: String) {
        let i = n as usize - 1;
        let Slot::Up { node, .. } = &self.slots[i] else {
            return;
        };
        let disk = node.persistent();
        self.slots[i] = Slot::Down { disk };
        self.timers[i].clear();
        self.writer_generation[i] += 1;
        self.write_pending[i] = false;
        let held = std::mem::take(&mut self.held[i]);
        self.emit(EventKind::Action { action }, text);
        for e in held {
            if let Event::Deliver { id, from, to, .. } = e {
                self.in_flight.remove(&id);
                self.stats.messages_dropped += 1;
                let text = format!(
                    "message {}→{} dropped: {} crashed",
                    self.name(from),
                    self.name(to),
                    self.name(to)
                );
                self.emit(
                    EventKind::Drop {
                        id,
                        from,
                        to,
                        reason: DropReason::ReceiverDown,
                    },
                    text,
                );
            }
        }
        let v = self.node_view(i);
        self.observe_view(i, v);
    }

    /// A leader's periodic write. It stops by itself once the node no longer
    /// believes it leads; a paused leader finishes it when it wakes (`resume`).
    fn app_write(&mut self, node: NodeId, generation: u64) {
        let i = node as usize - 1;
        if self.writer_generation[i] != generation || !self.is_up_index(i) {
            return;
        }
        if self.is_paused(i) {
            self.write_pending[i] = true;
            return;
        }
        if !self.views[i].is_leader {
            return;
        }
        self.send_storage_write(node);
        self.schedule_next_write(node);
    }

    /// The writer's next write, WRITE_EVERY later on the node's own clock.
    fn schedule_next_write(&mut self, node: NodeId) {
        let i = node as usize - 1;
        let generation = self.writer_generation[i];
        let next = self.now + self.clocks[i].true_delay(WRITE_EVERY).max(1);
        self.push(next, Event::AppWrite { node, generation });
    }

    fn send_storage_write(&mut self, from: NodeId) {
        let token = Some(self.views[from as usize - 1].term).filter(|&t| t > 0);
        let write = self.next_storage_write;
        self.next_storage_write += 1;
        let summary = match token {
            Some(t) => format!("write #{write} with token {t}"),
            None => format!("write #{write}, no token"),
        };
        let text = format!(
            "{} writes to the storage, believing it leads ({summary})",
            self.name(from)
        );
        let class = super::algorithm::MsgClass::Write;
        let (id, arrives) = self.put_on_wire(from, STORAGE, "Write", class, token, summary, text);
        self.push(
            arrives,
            Event::StorageDeliver {
                id,
                from,
                token,
                write,
            },
        );
    }

    fn storage_deliver(&mut self, id: u64, from: NodeId, token: Option<u64>, write: u64) {
        self.in_flight.remove(&id);
        let Some(storage) = self.storage.as_mut() else {
            return;
        };
        let highest = storage.view().highest_token;
        let outcome = storage.receive(self.now, from, token, write);
        let who = self.name(from);
        let label = |t: u64| A::term_label(t);
        if !outcome.accepted {
            self.stats.messages_dropped += 1;
            let (t, h) = (token.unwrap_or(0), highest.unwrap_or(0));
            let text = format!(
                "the storage rejects {who}'s write #{write}: its token {t} ({}) is below {h} ({}), the highest it has accepted; fencing turned a deposed leader away",
                label(t),
                label(h)
            );
            self.emit(
                EventKind::Drop {
                    id,
                    from,
                    to: STORAGE,
                    reason: DropReason::Fenced,
                },
                text,
            );
            return;
        }
        let text = match token {
            Some(t) => format!("the storage accepts {who}'s write #{write} (token {t})"),
            None => format!("the storage accepts {who}'s write #{write} (no token to check)"),
        };
        self.emit(
            EventKind::Deliver {
                id,
                from,
                to: STORAGE,
            },
            text,
        );
        if outcome.lost_update {
            let (t, h) = (token.unwrap_or(0), highest.unwrap_or(0));
            self.report(Finding {
                severity: Severity::Violation,
                invariant: "Lost update".into(),
                nodes: vec![from],
                terms: vec![t, h],
                text: format!(
                    "{who}'s write #{write} with token {t} landed after a write with token {h}: a superseded leadership ({}) overwrote newer data (fencing is off)",
                    label(t)
                ),
            });
        }
    }

    fn node_view(&self, i: usize) -> NodeView {
        match &self.slots[i] {
            Slot::Up { node, .. } => node.view(),
            Slot::Down { .. } => {
                let mut v = self.views[i].clone();
                v.role = "crashed".into();
                v.is_leader = false;
                v.leader = None;
                v.voted_for = None;
                v.commit_index = 0;
                for e in &mut v.log {
                    e.committed = false;
                }
                v
            }
        }
    }

    fn run_monitor(&mut self, stepped: NodeId) {
        let refs: Vec<NodeSlotRef<'_, A>> = self
            .slots
            .iter()
            .map(|s| match s {
                Slot::Up { node, .. } => NodeSlotRef::Up(node),
                Slot::Down { disk } => NodeSlotRef::Down(disk),
            })
            .collect();
        let findings = self.monitor.check(stepped, &refs);
        for f in findings {
            self.report(f);
        }
    }

    fn report(&mut self, finding: Finding) {
        let label = match finding.severity {
            Severity::Violation => "SAFETY VIOLATION",
            Severity::Warning => "warning",
        };
        let text = format!("{label} ({}): {}", finding.invariant, finding.text);
        self.emit(
            EventKind::Finding {
                severity: finding.severity,
                invariant: finding.invariant.clone(),
                nodes: finding.nodes.clone(),
                terms: finding.terms.clone(),
            },
            text,
        );
        self.stats.findings.push(TimedFinding {
            at: self.now,
            finding,
        });
    }

    /// Generic split-brain watch: several live nodes believing they lead at one instant.
    /// A paused node still believes it leads, which is exactly the GC-pause hazard.
    fn after_step(&mut self) {
        let claimants: Vec<NodeId> = self
            .views
            .iter()
            .enumerate()
            .filter(|(i, v)| v.is_leader && self.is_up_index(*i))
            .map(|(i, _)| i as NodeId + 1)
            .collect();
        if claimants.len() >= 2 && claimants != self.claimants {
            let terms: Vec<u64> = claimants
                .iter()
                .map(|&n| self.views[n as usize - 1].term)
                .collect();
            let names: Vec<String> = claimants.iter().map(|&n| self.name(n)).collect();
            let labelled: Vec<String> = names
                .iter()
                .zip(&terms)
                // Term 0 is never a leader's term in a numbered algorithm: it means the
                // algorithm numbers nothing (Bully, rings), so there is nothing to show.
                .map(|(name, t)| match t {
                    0 => name.clone(),
                    t => format!("{name} ({})", A::term_label(*t)),
                })
                .collect();
            let finding =
                split_brain_finding(&claimants, terms, &names, &labelled, A::ONE_LEADER_PER_TERM);
            self.report(finding);
        }
        self.claimants = if claimants.len() >= 2 {
            claimants
        } else {
            Vec::new()
        };
        self.leaderless_now = !self.has_current_leader();
    }

    /// Is some running node leading in the newest term any running node knows?
    fn has_current_leader(&self) -> bool {
        let running = || (0..self.views.len()).filter(|&i| self.is_running(i));
        let newest = running().map(|i| self.views[i].term).max();
        running().any(|i| self.views[i].is_leader && Some(self.views[i].term) == newest)
    }

    fn account_leaderless(&mut self, until: Micros) {
        if self.leaderless_now && until > self.leaderless_checked_at {
            self.stats.leaderless_us += until - self.leaderless_checked_at;
        }
        self.leaderless_checked_at = until.max(self.leaderless_checked_at);
    }

    fn resolve(&self, target: Target) -> Option<NodeId> {
        match target {
            Target::Node(n) if n >= 1 && n as usize <= self.slots.len() => Some(n),
            Target::Node(_) => None,
            Target::Leader => self.established_leader().map(|(n, _)| n).or_else(|| {
                (0..self.views.len())
                    .filter(|&i| self.views[i].is_leader && self.is_up_index(i))
                    .max_by_key(|&i| self.views[i].term)
                    .map(|i| i as NodeId + 1)
            }),
        }
    }

    fn skip(&mut self, action: Action, why: &str) {
        let text = format!("{action}: skipped, {why}");
        self.emit(EventKind::Skipped { action }, text);
    }

    fn valid_node(&self, n: NodeId) -> bool {
        n >= 1 && n as usize <= self.slots.len()
    }

    fn apply_action(&mut self, action: Action) {
        let target = match &action {
            Action::Crash { target }
            | Action::Restart { target }
            | Action::Pause { target, .. }
            | Action::Resume { target }
            | Action::Isolate { target }
            | Action::Write { target }
            | Action::Drift { target, .. }
            | Action::Timeout { target } => match self.resolve(*target) {
                Some(n) => Some(n),
                None => {
                    let why = match target {
                        Target::Leader => "no node believes it leads".to_string(),
                        Target::Node(n) => format!("there is no node n{n}"),
                    };
                    return self.skip(action, &why);
                }
            },
            _ => None,
        };
        let n = target.unwrap_or(0);
        let i = (n as usize).wrapping_sub(1);
        let name = self.name(n);
        match action.clone() {
            Action::Crash { .. } => {
                if !self.is_up_index(i) {
                    return self.skip(action, &format!("{name} is already down"));
                }
                let text = format!(
                    "{name} crashes: its volatile state is lost, what it wrote to disk survives"
                );
                self.power_off(n, action, text);
            }
            Action::Restart { .. } => {
                let Slot::Down { disk } = &self.slots[i] else {
                    return self.skip(action, &format!("{name} is not down"));
                };
                let node = A::recover(n, self.cluster.len(), &self.algo, disk);
                self.slots[i] = Slot::Up {
                    node,
                    paused_until: None,
                };
                self.emit(
                    EventKind::Action { action },
                    format!("{name} restarts from its disk"),
                );
                self.step_node(n, Input::Start { recovered: true });
            }
            Action::Pause { duration, .. } => {
                let Slot::Up { paused_until, .. } = &mut self.slots[i] else {
                    return self.skip(action, &format!("{name} is down"));
                };
                let until = self.now + duration.max(1);
                *paused_until = Some(until);
                // The hazard fencing exists for: frozen mid-write, the process finishes
                // the write when it wakes, before it can notice it was deposed.
                let mid_write = self.storage.is_some() && self.views[i].is_leader;
                self.write_pending[i] |= mid_write;
                let text = format!(
                    "{name} freezes for {} (a long GC pause): its timers and inbox wait{}",
                    Human(duration),
                    if mid_write {
                        ", and so does the write it was making as leader"
                    } else {
                        ""
                    }
                );
                self.emit(EventKind::Action { action }, text);
                self.push(until, Event::Resume { node: n, until });
            }
            Action::Resume { .. } => {
                if !self.is_paused(i) {
                    return self.skip(action, &format!("{name} is not paused"));
                }
                self.emit(EventKind::Action { action }, format!("{name} is resumed"));
                self.resume(n, None);
            }
            Action::Partition { ref groups } => {
                let mut seen = vec![false; self.slots.len()];
                for &m in groups.iter().flatten() {
                    if !self.valid_node(m) {
                        return self.skip(action, &format!("there is no node n{m}"));
                    }
                    if std::mem::replace(&mut seen[m as usize - 1], true) {
                        return self.skip(action, &format!("n{m} is named twice"));
                    }
                }
                self.net.partition(self.slots.len(), groups);
                let desc: Vec<String> = self
                    .net
                    .groups()
                    .unwrap_or_default()
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|m| self.name(*m))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect();
                self.emit(
                    EventKind::Action { action },
                    format!("the network splits into {}", desc.join(" | ")),
                );
            }
            Action::Isolate { .. } => {
                self.net.partition(self.slots.len(), &[vec![n]]);
                self.emit(
                    EventKind::Action {
                        action: Action::Isolate {
                            target: Target::Node(n),
                        },
                    },
                    format!("{name} is cut off from every other node"),
                );
            }
            Action::Heal => {
                self.net.heal();
                self.emit(
                    EventKind::Action { action },
                    "the network heals: every link works again".into(),
                );
            }
            Action::Cut { from, to } | Action::Uncut { from, to } => {
                if !self.valid_node(from) || !self.valid_node(to) || from == to {
                    return self.skip(action, "it must name two different existing nodes");
                }
                let (a, b) = (self.name(from), self.name(to));
                let text = if matches!(action, Action::Cut { .. }) {
                    self.net.cut(from, to);
                    format!("the link {a}→{b} is cut ({b}→{a} still works)")
                } else {
                    self.net.uncut(from, to);
                    format!("the link {a}→{b} works again")
                };
                self.emit(EventKind::Action { action }, text);
            }
            Action::Drop { ppm } => {
                self.net.drop_ppm = ppm.min(1_000_000);
                let text = format!(
                    "the network now loses {} of messages",
                    super::action::Percent(ppm)
                );
                self.emit(EventKind::Action { action }, text);
            }
            Action::Latency { min, max } => {
                let (lo, hi) = (min.min(max), min.max(max));
                self.net.latency = (lo, hi);
                let text = format!("messages now take {}-{}", Human(lo), Human(hi));
                self.emit(EventKind::Action { action }, text);
            }
            Action::Write { .. } => {
                if !self.is_running(i) {
                    return self.skip(action, &format!("{name} is not running"));
                }
                let value = self.next_write;
                self.next_write += 1;
                self.emit(
                    EventKind::Action { action },
                    format!("a client sends write #{value} to {name}"),
                );
                self.step_node(n, Input::ClientWrite { value });
            }
            Action::Drift { ppm, .. } => {
                let clock = &mut self.clocks[i];
                clock.base_local = clock.local(self.now);
                clock.base_true = self.now;
                clock.drift_ppm = ppm.clamp(-900_000, 1_000_000);
                let sign = if ppm < 0 { "slow" } else { "fast" };
                let text = format!(
                    "{name}'s clock now runs {} {sign}",
                    super::action::Percent(ppm.unsigned_abs())
                );
                self.emit(EventKind::Action { action }, text);
            }
            Action::Timeout { .. } => {
                let Some(timer) = A::election_timer() else {
                    return self.skip(action, "this algorithm has no election timer");
                };
                if !self.is_running(i) {
                    return self.skip(action, &format!("{name} is not running"));
                }
                self.timers[i].remove(&timer);
                self.emit(
                    EventKind::Action { action },
                    format!("{name}'s {} timeout is forced", timer.label()),
                );
                self.step_node(n, Input::Timer(timer));
            }
        }
    }

    fn resume(&mut self, n: NodeId, scheduled_until: Option<Micros>) {
        let i = n as usize - 1;
        let name = self.name(n);
        let Slot::Up { paused_until, .. } = &mut self.slots[i] else {
            return;
        };
        // A Resume event from an earlier pause must not end a later one.
        if paused_until.is_none() || (scheduled_until.is_some() && *paused_until != scheduled_until)
        {
            return;
        }
        *paused_until = None;
        let held = std::mem::take(&mut self.held[i]);
        let waiting = held.len();
        if scheduled_until.is_some() {
            self.emit(
                EventKind::Resume { node: n },
                format!("{name} wakes up; {waiting} inputs waited during the pause"),
            );
        }
        if std::mem::take(&mut self.write_pending[i]) && self.views[i].is_leader {
            let text = format!(
                "{name} finishes its write before anything else: it has not yet noticed that time passed"
            );
            self.emit(
                EventKind::Note {
                    node: n,
                    kind: NoteKind::Info,
                },
                text,
            );
            self.send_storage_write(n);
            self.schedule_next_write(n);
        }
        for e in held {
            self.push(self.now, e);
        }
    }
}

/// What the split-brain watch reports for `claimants` (each with its term, name and
/// name with term label). Not generic, so one copy serves every algorithm's kernel.
fn split_brain_finding(
    claimants: &[NodeId],
    terms: Vec<u64>,
    names: &[String],
    labelled: &[String],
    one_leader_per_term: bool,
) -> Finding {
    let newest = terms.iter().copied().max().unwrap_or(0);
    let same_term = (1..terms.len()).any(|k| terms[..k].contains(&terms[k]));
    let stale: Vec<&str> = names
        .iter()
        .zip(&terms)
        .filter(|(_, t)| **t < newest)
        .map(|(n, _)| n.as_str())
        .collect();
    let nodes = claimants.to_vec();
    if same_term && one_leader_per_term {
        Finding {
            severity: Severity::Violation,
            invariant: "Split brain".into(),
            nodes,
            terms,
            text: format!("{} lead the same term at once", labelled.join(" and ")),
        }
    } else if same_term {
        Finding {
            severity: Severity::Warning,
            invariant: "Split brain".into(),
            nodes,
            terms,
            text: format!(
                "{} believe they lead at once; this algorithm has no quorum to prevent it",
                labelled.join(" and ")
            ),
        }
    } else {
        Finding {
            severity: Severity::Warning,
            invariant: "Stale leader".into(),
            nodes,
            terms,
            text: format!(
                "{} {} believe they lead; {} {} stale",
                labelled.join(" and "),
                if labelled.len() == 2 { "both" } else { "all" },
                stale.join(", "),
                if stale.len() == 1 { "is" } else { "are" }
            ),
        }
    }
}
