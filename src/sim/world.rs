//! Everything the kernel keeps that no algorithm's types touch: virtual time and the
//! kernel's own events, node clocks, which nodes are up or paused, the network and
//! the messages in flight, the defences, the watch's memory, statistics and the
//! trace. It is compiled once; `Simulation<A>` holds one and adds the nodes.
//!
//! The jobs on a `World` live in their own files: faults and actions (`faults.rs`),
//! storage and STONITH (`defences.rs`), the split-brain and leaderless watch
//! (`watch.rs`), naming nodes and writing the trace (`narration.rs`).

use super::action::Action;
use super::algorithm::{Finding, Headline, MsgClass, NodeId, NodeView, Severity};
use super::guard::{Budget, Guard, Limit};
use super::moment::Moment;
use super::network::Network;
use super::queue::EventQueue;
use super::rng::{SimRng, Stream};
use super::storage::{Defences, Storage, StorageMode, StorageView};
use super::time::Micros;
use super::trace::{EventKind, MsgRecord, TraceEvent, TraceHasher};
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

/// The kernel's own events; messages and timers are the algorithm's (`kernel.rs`).
/// Both kinds share one sequence, so together they keep one order.
#[derive(Clone, Debug)]
pub(super) enum KernelEvent {
    Boot(NodeId),
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
pub(super) struct Clock {
    pub(super) base_true: Micros,
    pub(super) base_local: Micros,
    pub(super) drift_ppm: i32,
}

impl Clock {
    pub(super) fn local(&self, now: Micros) -> Micros {
        let elapsed = (now - self.base_true) as i128;
        let scaled = elapsed * (1_000_000 + self.drift_ppm as i128) / 1_000_000;
        self.base_local + scaled.max(0) as Micros
    }

    /// True time for a local-clock delay to pass. A timer set before a drift change
    /// keeps its old deadline: drift changes are rare and this keeps timers simple.
    pub(super) fn true_delay(&self, local: Micros) -> Micros {
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
    /// Time during which two or more live nodes believed they led (paused ones too).
    #[serde(default)]
    pub split_brain_us: Micros,
    pub messages_by_kind: super::VecMap<String, u64>,
    pub messages_sent: u64,
    pub messages_dropped: u64,
    /// The most live nodes that believed they led at one instant (split brain is 2+).
    #[serde(default)]
    pub most_leaders: usize,
    pub findings: Vec<TimedFinding>,
    /// The most events any window of the run's budget held (see `guard::Budget`).
    pub busiest_window: u64,
    /// Set when the kernel stopped a runaway run: why, and the line it narrated.
    pub halted: Option<(super::guard::Halt, String)>,
}

impl Stats {
    pub fn violations(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Violation)
            .count()
    }
}

/// What the kernel needs to know of the algorithm without knowing its type.
#[derive(Clone, Copy, Debug)]
pub(super) struct AlgorithmTraits {
    pub(super) service_name: Option<&'static str>,
    pub(super) term_label: fn(u64) -> String,
    pub(super) one_leader_per_term: bool,
}

#[derive(Clone, Debug)]
pub(super) struct World {
    pub(super) config: KernelConfig,
    pub(super) traits: AlgorithmTraits,
    /// The candidates (the service, if any, is not one).
    pub(super) cluster: Vec<NodeId>,
    pub(super) now: Micros,
    pub(super) next_seq: u64,
    pub(super) trace_seq: u64,
    pub(super) processed: u64,
    pub(super) queue: EventQueue<KernelEvent>,
    /// Per node: running or paused (true), or crashed.
    pub(super) up: Vec<bool>,
    /// Per node: frozen until then (a long GC pause).
    pub(super) paused_until: Vec<Option<Micros>>,
    /// Per node: its headline after its last step (what narration and the watch
    /// read); full views are made only when the cluster is drawn.
    pub(super) heads: Vec<Headline>,
    /// Per node: its view when it last crashed (a crashed node is drawn from it).
    pub(super) last_views: Vec<NodeView>,
    /// Each node's leadership number while it believes it leads (see
    /// `Algorithm::leadership`): what the defences and the watch read.
    pub(super) leading: Vec<Option<u64>>,
    pub(super) net: Network,
    pub(super) net_rng: SimRng,
    pub(super) clocks: Vec<Clock>,
    pub(super) in_flight: BTreeMap<u64, MsgRecord>,
    pub(super) next_msg_id: u64,
    pub(super) next_write: u64,
    /// The coordination service's node id, if the algorithm has one.
    pub(super) service: Option<NodeId>,
    pub(super) storage: Option<Storage>,
    pub(super) stonith: bool,
    /// Per node: bumped to cancel its periodic storage writer.
    pub(super) writer_generation: Vec<u64>,
    /// Per node: frozen while leading, it finishes a write the moment it wakes.
    pub(super) write_pending: Vec<bool>,
    pub(super) next_storage_write: u64,
    /// The set of simultaneous leadership claimants last reported, so that one
    /// split-brain episode is reported once.
    pub(super) claimants: Vec<NodeId>,
    pub(super) stats: Stats,
    pub(super) time_counted_until: Micros,
    pub(super) leaderless_now: bool,
    pub(super) hasher: TraceHasher,
    pub(super) out: Vec<TraceEvent>,
    pub(super) keep_trace: bool,
    pub(super) guard: Guard,
    /// The key moment the next trace event tells (set just before it is emitted).
    pub(super) next_moment: Option<Moment>,
    /// Elections started since a leader last won, and whether this leaderless
    /// stretch has been marked a livelock.
    pub(super) elections_since_leader: u64,
    pub(super) livelock_marked: bool,
    /// Some running, connected group of candidates holds a majority.
    pub(super) quorum: bool,
}

impl World {
    pub(super) fn new(config: KernelConfig, traits: AlgorithmTraits) -> World {
        let cluster: Vec<NodeId> = (1..=config.nodes).collect();
        let service = traits.service_name.map(|_| config.nodes + 1);
        let total = cluster.len() + usize::from(service.is_some());
        let storage = match config.defences.storage {
            StorageMode::Off => None,
            StorageMode::Unfenced => Some(Storage::new(false)),
            StorageMode::Fenced => Some(Storage::new(true)),
        };
        World {
            guard: Guard::new(config.budget),
            net: Network::new(config.latency, config.drop_ppm),
            net_rng: SimRng::new(config.seed, Stream::Network),
            up: vec![true; total],
            paused_until: vec![None; total],
            heads: vec![Headline::default(); total],
            last_views: vec![NodeView::default(); total],
            leading: vec![None; total],
            clocks: vec![Clock::default(); total],
            service,
            storage,
            stonith: config.defences.stonith,
            writer_generation: vec![0; total],
            write_pending: vec![false; total],
            next_storage_write: 1,
            cluster,
            traits,
            config,
            now: 0,
            next_seq: 0,
            trace_seq: 0,
            processed: 0,
            queue: EventQueue::default(),
            in_flight: BTreeMap::new(),
            next_msg_id: 1,
            next_write: 1,
            claimants: Vec::new(),
            stats: Stats::default(),
            time_counted_until: 0,
            leaderless_now: true,
            hasher: TraceHasher::default(),
            out: Vec::new(),
            keep_trace: true,
            next_moment: None,
            elections_since_leader: 0,
            livelock_marked: false,
            quorum: true,
        }
    }

    /// Every node: the candidates, then the service if there is one.
    pub(super) fn total(&self) -> usize {
        self.up.len()
    }

    /// The next sequence number of the one queue order.
    pub(super) fn seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    pub(super) fn push(&mut self, at: Micros, event: KernelEvent) {
        let seq = self.seq();
        self.queue.push(at, seq, event);
    }

    pub(super) fn is_up_index(&self, i: usize) -> bool {
        self.up[i]
    }

    pub(super) fn is_running(&self, i: usize) -> bool {
        self.up[i] && self.paused_until[i].is_none()
    }

    pub(super) fn is_paused(&self, i: usize) -> bool {
        self.up[i] && self.paused_until[i].is_some()
    }

    pub(super) fn valid_node(&self, n: NodeId) -> bool {
        n >= 1 && n as usize <= self.total()
    }

    pub(super) fn status(&self, i: usize) -> NodeStatus {
        match (self.up[i], self.paused_until[i]) {
            (false, _) => NodeStatus::Crashed,
            (true, Some(until)) => NodeStatus::Paused { until },
            (true, None) => NodeStatus::Up,
        }
    }

    /// Moves the clock to `t`, counting leaderless and split-brain time on the way.
    pub(super) fn set_clock(&mut self, t: Micros) {
        self.account_time(t);
        self.now = t;
    }

    /// Stops the run for good at `at`: the guard's finding goes to the trace and the
    /// statistics, and nothing is handled after it.
    pub(super) fn halt(&mut self, at: Micros, limit: Limit) {
        self.set_clock(at);
        let halt = self.guard.halt(at, limit);
        let budget = self.guard.budget();
        let text = halt.describe(&budget, &|n| self.name(n).into_owned());
        self.emit(EventKind::Halted(halt.clone()), text.clone());
        self.stats.halted = Some((halt, text));
    }

    /// What every message shares, algorithm's or storage write: a number, a delay
    /// drawn from the network stream, the statistics, the narrated send, and a place
    /// among the messages in flight. Returns its id and arrival time.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn put_on_wire(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        class: MsgClass,
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
            kind: kind.into(),
            class,
            term,
            summary,
        };
        self.stats.messages_sent += 1;
        self.guard.on_send(self.now, from, kind);
        // Looked up before inserting: a new key String for every message was a tenth
        // of a run's allocations.
        match self.stats.messages_by_kind.get_mut(kind) {
            Some(count) => *count += 1,
            None => {
                self.stats.messages_by_kind.insert(kind.to_string(), 1);
            }
        }
        self.emit(
            EventKind::Send {
                msg: record.clone(),
            },
            text,
        );
        self.in_flight.insert(id, record);
        (id, arrives)
    }

    /// A crashed node's headline: what its drawn view says (see `crashed_view`).
    pub(super) fn crashed_headline(&self, i: usize) -> Headline {
        Headline {
            role: "crashed".into(),
            is_leader: false,
            term: self.last_views[i].term,
            leader: None,
        }
    }

    /// The cluster as drawn, without the per-node parts only the algorithm's side
    /// knows (views' timers), which the caller fills in.
    pub(super) fn cluster_view(
        &self,
        max_in_flight: usize,
        views: impl Fn(usize) -> NodeView,
        timers: impl Fn(usize) -> Vec<TimerView>,
    ) -> ClusterView {
        let nodes = (0..self.total())
            .map(|i| NodeState {
                id: i as NodeId + 1,
                name: self.name(i as NodeId + 1).into_owned(),
                service: self.service == Some(i as NodeId + 1),
                status: self.status(i),
                view: views(i),
                timers: timers(i),
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
            halted: self.stats.halted.as_ref().map(|(_, text)| text.to_string()),
        }
    }
}
