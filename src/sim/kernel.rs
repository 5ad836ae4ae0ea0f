//! The deterministic simulation kernel: the event loop over one queue order, and the
//! nodes of one algorithm (their states, timers, inboxes while paused, and the
//! invariant monitor). Everything that does not depend on the algorithm's types is
//! in [`super::world`] and compiled once; nothing here names an algorithm.

use super::action::Action;
use super::algorithm::{
    Algorithm, Context, Effect, Headline, Input, Message, Monitor, NodeId, NodeSlotRef, NodeView,
    NoteKind, Timer,
};
use super::guard::Limit;
use super::moment::Moment;
use super::queue::{EventQueue, TimerTable};
use super::rng::{SimRng, Stream};
use super::storage::StorageView;
use super::time::Micros;
use super::trace::{DropReason, EventKind, Fact, TraceEvent};
use super::world::{AlgorithmTraits, KernelEvent, LeaderRecord, World};

pub use super::world::{
    ClusterView, KernelConfig, NodeState, NodeStatus, Stats, TimedFinding, TimerView,
};

#[derive(Clone, Debug)]
enum Slot<A: Algorithm> {
    Up(A),
    Down(A::Persistent),
}

/// What reaches a node: a message or one of its timers.
#[derive(Clone, Debug)]
enum NodeEvent<A: Algorithm> {
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
}

#[derive(Clone, Copy, Debug)]
struct TimerState {
    generation: u64,
    set_at: Micros,
    fires_at: Micros,
}

#[derive(Clone, Debug)]
pub struct Simulation<A: Algorithm> {
    world: World,
    algo: A::Config,
    /// Node events, in the world's one sequence with its kernel events.
    queue: EventQueue<NodeEvent<A>>,
    slots: Vec<Slot<A>>,
    timers: Vec<TimerTable<A::Timer, TimerState>>,
    next_generation: u64,
    /// Inputs that reached a paused node, replayed in order when it resumes.
    held: Vec<Vec<NodeEvent<A>>>,
    node_rngs: Vec<SimRng>,
    monitor: A::Monitor,
    /// The moment the engine said its next note tells (see `Context::note_moment`).
    note_moment: Option<Moment>,
}

/// The next event of either queue.
enum Next<A: Algorithm> {
    Kernel(KernelEvent),
    Node(NodeEvent<A>),
}

impl<A: Algorithm> Simulation<A> {
    pub fn new(config: KernelConfig, algo: A::Config) -> Self {
        let n = config.nodes as usize;
        let traits = AlgorithmTraits {
            service_name: A::SERVICE,
            term_label: A::term_label,
            one_leader_per_term: A::ONE_LEADER_PER_TERM,
        };
        let seed = config.seed;
        let world = World::new(config, traits);
        let total = world.total();
        let everyone: Vec<NodeId> = (1..=total as NodeId).collect();
        let slots = everyone
            .iter()
            .map(|&id| Slot::Up(A::boot(id, n, &algo)))
            .collect();
        let mut sim = Simulation {
            node_rngs: everyone
                .iter()
                .map(|&id| SimRng::new(seed, Stream::Node(id)))
                .collect(),
            monitor: A::Monitor::new(n),
            timers: (0..total).map(|_| TimerTable::default()).collect(),
            held: vec![Vec::new(); total],
            queue: EventQueue::default(),
            next_generation: 0,
            note_moment: None,
            slots,
            algo,
            world,
        };
        for i in 0..total {
            sim.world.heads[i] = sim.node_headline(i);
            sim.world.leading[i] = sim.leadership_of(i);
        }
        for id in everyone {
            sim.world.push(0, KernelEvent::Boot(id));
        }
        sim
    }

    /// Stop collecting trace events for the caller (the hash is still computed). Batch
    /// experiments use this to avoid buffering millions of events nobody reads.
    pub fn set_keep_trace(&mut self, keep: bool) {
        self.world.keep_trace = keep;
    }

    pub fn config(&self) -> &KernelConfig {
        &self.world.config
    }

    pub fn algo_config(&self) -> &A::Config {
        &self.algo
    }

    pub fn now(&self) -> Micros {
        self.world.now
    }

    /// How many queued events have been handled: the replay position of user actions.
    pub fn processed(&self) -> u64 {
        self.world.processed
    }

    pub fn stats(&self) -> &Stats {
        &self.world.stats
    }

    pub fn trace_hash(&self) -> String {
        self.world.hasher.hex()
    }

    pub fn drain_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.world.out)
    }

    /// Every node's headline after its last step.
    pub fn headlines(&self) -> &[Headline] {
        &self.world.heads
    }

    /// Every node's full view, made now (the kernel keeps only headlines).
    pub fn views(&self) -> Vec<NodeView> {
        (0..self.world.total()).map(|i| self.node_view(i)).collect()
    }

    /// When the next event is due; None once nothing is queued or the run was halted.
    pub fn next_event_time(&self) -> Option<Micros> {
        if self.world.stats.halted.is_some() {
            return None;
        }
        self.next_key().map(|(t, _)| t)
    }

    /// Why the kernel stopped this run, if it did.
    pub fn halted(&self) -> Option<&str> {
        self.world
            .stats
            .halted
            .as_ref()
            .map(|(_, text)| text.as_str())
    }

    /// The running node's state, for tests that inspect an engine directly.
    pub fn node(&self, id: NodeId) -> Option<&A> {
        match self.slots.get(id as usize - 1)? {
            Slot::Up(node) => Some(node),
            Slot::Down(_) => None,
        }
    }

    pub fn is_up(&self, id: NodeId) -> bool {
        matches!(self.slots.get(id as usize - 1), Some(Slot::Up(_)))
    }

    /// Queues an action for a future instant (scenario lines use this).
    pub fn schedule(&mut self, at: Micros, action: Action) {
        let at = at.max(self.world.now);
        self.world.push(at, KernelEvent::Action(action));
    }

    /// Applies an action at the current instant. A halted run takes none: its clock
    /// has stopped, and only going back in time (time travel) can change it.
    pub fn act(&mut self, action: Action) {
        if self.world.stats.halted.is_some() {
            return;
        }
        self.apply_action(action);
        self.world.watch();
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
        if t > self.world.now && self.world.stats.halted.is_none() {
            self.world.set_clock(t);
        }
    }

    /// Sequence number the next trace event will get.
    pub fn trace_seq(&self) -> u64 {
        self.world.trace_seq
    }

    /// Handles the next queued event. Returns false when nothing is queued, or when
    /// the run is over its budget (it is then halted, and stays so).
    pub fn step(&mut self) -> bool {
        let Some(at) = self.next_event_time() else {
            return false;
        };
        let over_budget = self.world.guard.on_event(at);
        self.world.stats.busiest_window = self.world.guard.busiest;
        if over_budget {
            self.world.halt(at, Limit::EventsPerWindow);
            return false;
        }
        let Some((at, next)) = self.pop_next() else {
            return false;
        };
        self.world.set_clock(at);
        self.world.processed += 1;
        match next {
            Next::Kernel(event) => self.handle_kernel(event),
            Next::Node(event) => self.handle_node(event),
        }
        self.world.watch();
        if self.world.in_flight.len() > self.world.guard.budget().max_in_flight {
            self.world.halt(at, Limit::InFlight);
        }
        true
    }

    /// The leader a majority acknowledges in its term, if any: the sense of "a leader
    /// is established" used for statistics and liveness checks.
    pub fn established_leader(&self) -> Option<(NodeId, u64)> {
        self.world.established_leader()
    }

    pub fn cluster_view(&self) -> ClusterView {
        self.cluster_view_with(usize::MAX)
    }

    /// The cluster view with at most `max_in_flight` of the newest messages in flight:
    /// a storm may put tens of thousands on the wire, more than a frame can copy or
    /// draw. `in_flight_total` still counts them all.
    pub fn cluster_view_with(&self, max_in_flight: usize) -> ClusterView {
        self.world.cluster_view(
            max_in_flight,
            |i| self.node_view(i),
            |i| {
                self.timers[i]
                    .iter()
                    .map(|(t, s)| TimerView {
                        label: t.label().to_string(),
                        set_at: s.set_at,
                        fires_at: s.fires_at,
                    })
                    .collect()
            },
        )
    }

    /// How narration names a node: `n3`, the service's own name, or `storage`.
    pub fn name(&self, id: NodeId) -> String {
        self.world.name(id).into_owned()
    }

    /// The coordination service's node, if the algorithm has one.
    pub fn service(&self) -> Option<NodeId> {
        self.world.service
    }

    pub fn storage(&self) -> Option<&StorageView> {
        self.world.storage.as_ref().map(|s| s.view())
    }

    // ----- the event loop -----

    fn next_key(&self) -> Option<(Micros, u64)> {
        let kernel = self.world.queue.first_key();
        let node = self.queue.first_key();
        match (kernel, node) {
            (Some(k), Some(n)) => Some(k.min(n)),
            (k, n) => k.or(n),
        }
    }

    fn pop_next(&mut self) -> Option<(Micros, Next<A>)> {
        let key = self.next_key()?;
        if self.world.queue.first_key() == Some(key) {
            let (_, e) = self.world.queue.pop_first()?;
            Some((key.0, Next::Kernel(e)))
        } else {
            let (_, e) = self.queue.pop_first()?;
            Some((key.0, Next::Node(e)))
        }
    }

    fn push_node_event(&mut self, at: Micros, event: NodeEvent<A>) {
        let seq = self.world.seq();
        self.queue.push(at, seq, event);
    }

    fn handle_kernel(&mut self, event: KernelEvent) {
        match event {
            KernelEvent::Boot(id) => {
                let text = format!("{} boots", self.world.name(id));
                self.world.emit(EventKind::Boot { node: id }, text);
                self.step_node(id, Input::Start { recovered: false });
            }
            KernelEvent::Resume { node, until } => {
                self.resume(node, Some(until));
                self.world.check_quorum();
            }
            KernelEvent::Action(action) => self.apply_action(action),
            KernelEvent::AppWrite { node, generation } => self.world.app_write(node, generation),
            KernelEvent::StorageDeliver {
                id,
                from,
                token,
                write,
            } => self.world.storage_deliver(id, from, token, write),
        }
    }

    fn handle_node(&mut self, event: NodeEvent<A>) {
        match event {
            NodeEvent::Deliver {
                id,
                from,
                to,
                msg,
                lost,
            } => self.deliver(id, from, to, msg, lost),
            NodeEvent::Timer {
                node,
                timer,
                generation,
            } => {
                let i = node as usize - 1;
                let current = self.timers[i].get(&timer).map(|s| s.generation);
                if current != Some(generation) {
                    return; // cancelled or re-armed since: not an event anyone saw
                }
                if self.world.is_paused(i) {
                    self.held[i].push(NodeEvent::Timer {
                        node,
                        timer,
                        generation,
                    });
                    return;
                }
                self.timers[i].remove(&timer);
                let text = format!("{}'s {} timer fires", self.world.name(node), timer.label());
                self.world.emit(
                    EventKind::Timer {
                        node,
                        timer: timer.label().to_string(),
                    },
                    text,
                );
                self.step_node(node, Input::Timer(timer));
            }
        }
    }

    fn deliver(&mut self, id: u64, from: NodeId, to: NodeId, msg: A::Msg, lost: bool) {
        let i = to as usize - 1;
        let w = &mut self.world;
        let reason = if !w.is_up_index(i) {
            Some(DropReason::ReceiverDown)
        } else if !w.net.connected(from, to) {
            Some(DropReason::Partitioned)
        } else if lost {
            Some(DropReason::Lost)
        } else {
            None
        };
        if let Some(reason) = reason {
            w.in_flight.remove(&id);
            w.stats.messages_dropped += 1;
            w.narrate_drop(id, msg.kind(), (from, to), reason);
            return;
        }
        if w.is_paused(i) {
            self.held[i].push(NodeEvent::Deliver {
                id,
                from,
                to,
                msg,
                lost,
            });
            return;
        }
        w.in_flight.remove(&id);
        w.narrate_delivery(id, from, to, msg.kind());
        self.step_node(to, Input::Message { from, msg });
    }

    // ----- nodes -----

    fn step_node(&mut self, id: NodeId, input: Input<A::Msg, A::Timer>) {
        let i = id as usize - 1;
        let local_now = self.world.clocks[i].local(self.world.now);
        let Slot::Up(node) = &mut self.slots[i] else {
            return;
        };
        let mut ctx = Context::new(id, local_now, &self.world.cluster, &mut self.node_rngs[i])
            .with_service(self.world.service);
        node.step(&mut ctx, input);
        let effects = std::mem::take(&mut ctx.effects);
        let new_view = node.headline();
        for effect in effects {
            self.apply_effect(id, effect);
        }
        // A moment with no note after it in its step tells nothing.
        self.note_moment = None;
        self.observe_view(i, new_view);
        self.run_monitor(id);
    }

    fn apply_effect(&mut self, id: NodeId, effect: Effect<A::Msg, A::Timer>) {
        let i = id as usize - 1;
        match effect {
            Effect::Send { to, msg } => self.send(id, to, msg),
            Effect::SetTimer { timer, after } => {
                let now = self.world.now;
                let fires_at = now + self.world.clocks[i].true_delay(after).max(1);
                let generation = self.next_generation;
                self.next_generation += 1;
                self.timers[i].insert(
                    timer,
                    TimerState {
                        generation,
                        set_at: now,
                        fires_at,
                    },
                );
                self.push_node_event(
                    fires_at,
                    NodeEvent::Timer {
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
                    self.world.stats.elections += 1;
                    self.world.count_election();
                }
                let told = self.note_moment.take();
                let default = (kind == NoteKind::StepDown).then_some(Moment::StepDown);
                // The kernel's livelock count outranks what the engine says.
                let kernel = self.world.next_moment.take();
                self.world.next_moment = kernel.or(told).or(default);
                self.world.emit(EventKind::Note { node: id, kind }, text);
            }
            Effect::Moment(moment) => self.note_moment = Some(moment),
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: A::Msg) {
        if to == 0 || to as usize > self.slots.len() || to == from {
            return; // an engine bug, but the kernel must not die of it
        }
        let w = &mut self.world;
        let (kind, summary) = (msg.kind(), msg.summary());
        let text = w.send_line(from, to, kind, &summary);
        let (id, arrives) = w.put_on_wire(from, to, kind, msg.class(), msg.term(), summary, text);
        // Drawn after the delay, as it always was: the network stream's order is part
        // of every trace.
        let lost = w.net_rng.chance_ppm(w.net.drop_ppm);
        self.push_node_event(
            arrives,
            NodeEvent::Deliver {
                id,
                from,
                to,
                msg,
                lost,
            },
        );
    }

    fn observe_view(&mut self, i: usize, new_view: Headline) {
        let id = i as NodeId + 1;
        let leadership = self.leadership_of(i);
        debug_assert_eq!(
            new_view.is_leader.then_some(new_view.term),
            leadership,
            "n{id}: the drawn view and Algorithm::leadership disagree"
        );
        let promoted = leadership.is_some() && self.world.leading[i].is_none();
        if promoted {
            for victim in self.world.stonith_victims(id) {
                let text = format!(
                    "STONITH: before {} takes over, a power switch turns {} off (it still believed it led)",
                    self.world.name(id),
                    self.world.name(victim)
                );
                self.power_off(
                    victim,
                    Action::Crash {
                        target: super::action::Target::Node(victim),
                    },
                    text,
                    Some(Fact::PoweredOff {
                        node: victim,
                        successor: id,
                    }),
                );
            }
        }
        let w = &mut self.world;
        let old = &w.heads[i];
        if old.role != new_view.role || old.term != new_view.term {
            if promoted {
                w.stats.leaders.push(LeaderRecord {
                    term: new_view.term,
                    node: id,
                    at: w.now,
                });
            }
            w.narrate_role(id, &new_view, promoted);
        }
        w.heads[i] = new_view;
        w.leading[i] = leadership;
        if promoted {
            w.start_writer(id);
        }
    }

    /// Crashes a running node: only its `Persistent` state survives.
    fn power_off(&mut self, n: NodeId, action: Action, text: String, fact: Option<Fact>) {
        let i = n as usize - 1;
        let Slot::Up(node) = &self.slots[i] else {
            return;
        };
        let disk = node.persistent();
        self.world.last_views[i] = node.view();
        self.slots[i] = Slot::Down(disk);
        self.world.up[i] = false;
        self.world.paused_until[i] = None;
        self.timers[i].clear();
        self.world.stop_writer(i);
        let held = std::mem::take(&mut self.held[i]);
        let w = &mut self.world;
        w.emit_fact(EventKind::Action { action }, text, fact);
        for e in held {
            if let NodeEvent::Deliver { id, from, to, .. } = e {
                w.in_flight.remove(&id);
                w.stats.messages_dropped += 1;
                let text = format!(
                    "message {}→{} dropped: {} crashed",
                    w.name(from),
                    w.name(to),
                    w.name(to)
                );
                w.emit(
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
        let v = self.node_headline(i);
        self.observe_view(i, v);
    }

    fn leadership_of(&self, i: usize) -> Option<u64> {
        match &self.slots[i] {
            Slot::Up(node) => node.leadership(),
            Slot::Down(_) => None,
        }
    }

    fn node_view(&self, i: usize) -> NodeView {
        match &self.slots[i] {
            Slot::Up(node) => node.view(),
            Slot::Down(_) => crashed_view(&self.world.last_views[i]),
        }
    }

    fn node_headline(&self, i: usize) -> Headline {
        match &self.slots[i] {
            Slot::Up(node) => node.headline(),
            Slot::Down(_) => self.world.crashed_headline(i),
        }
    }

    fn run_monitor(&mut self, stepped: NodeId) {
        let refs: Vec<NodeSlotRef<'_, A>> = self
            .slots
            .iter()
            .map(|s| match s {
                Slot::Up(node) => NodeSlotRef::Up(node),
                Slot::Down(disk) => NodeSlotRef::Down(disk),
            })
            .collect();
        let findings = self.monitor.check(stepped, &refs);
        for f in findings {
            self.world.report(f);
        }
    }

    // ----- actions on nodes -----

    fn apply_action(&mut self, action: Action) {
        self.apply_action_to_node(action);
        self.world.check_quorum();
    }

    fn apply_action_to_node(&mut self, action: Action) {
        let Some(n) = self.world.target_of(&action) else {
            return;
        };
        let Some(action) = self.world.apply_fault(action, n) else {
            return;
        };
        let i = (n as usize).wrapping_sub(1);
        let name = self.world.name(n);
        match action {
            Action::Crash { .. } => {
                if !self.world.is_up_index(i) {
                    return self.world.skip(action, &format!("{name} is already down"));
                }
                let text = format!(
                    "{name} crashes: its volatile state is lost, what it wrote to disk survives"
                );
                self.power_off(n, action, text, None);
            }
            Action::Restart { .. } => {
                let Slot::Down(disk) = &self.slots[i] else {
                    return self.world.skip(action, &format!("{name} is not down"));
                };
                let node = A::recover(n, self.world.cluster.len(), &self.algo, disk);
                self.slots[i] = Slot::Up(node);
                self.world.up[i] = true;
                self.world.paused_until[i] = None;
                self.world.emit(
                    EventKind::Action { action },
                    format!("{name} restarts from its disk"),
                );
                self.step_node(n, Input::Start { recovered: true });
            }
            Action::Resume { .. } => {
                if !self.world.is_paused(i) {
                    return self.world.skip(action, &format!("{name} is not paused"));
                }
                self.world
                    .emit(EventKind::Action { action }, format!("{name} is resumed"));
                self.resume(n, None);
            }
            Action::Write { .. } => {
                if !self.world.is_running(i) {
                    return self.world.skip(action, &format!("{name} is not running"));
                }
                let value = self.world.next_write;
                self.world.next_write += 1;
                self.world.emit(
                    EventKind::Action { action },
                    format!("a client sends write #{value} to {name}"),
                );
                self.step_node(n, Input::ClientWrite { value });
            }
            Action::Timeout { .. } => {
                let Some(timer) = A::election_timer() else {
                    return self
                        .world
                        .skip(action, "this algorithm has no election timer");
                };
                if !self.world.is_running(i) {
                    return self.world.skip(action, &format!("{name} is not running"));
                }
                self.timers[i].remove(&timer);
                self.world.emit(
                    EventKind::Action { action },
                    format!("{name}'s {} timeout is forced", timer.label()),
                );
                self.step_node(n, Input::Timer(timer));
            }
            // `apply_fault` handled every other action.
            other => self.world.skip(other, "it is not an action on a node"),
        }
    }

    fn resume(&mut self, n: NodeId, scheduled_until: Option<Micros>) {
        let i = n as usize - 1;
        let paused_until = self.world.paused_until[i];
        // A Resume event from an earlier pause must not end a later one.
        if !self.world.up[i]
            || paused_until.is_none()
            || (scheduled_until.is_some() && paused_until != scheduled_until)
        {
            return;
        }
        self.world.paused_until[i] = None;
        let held = std::mem::take(&mut self.held[i]);
        let waiting = held.len();
        if scheduled_until.is_some() {
            let name = self.world.name(n);
            self.world.emit(
                EventKind::Resume { node: n },
                format!("{name} wakes up; {waiting} inputs waited during the pause"),
            );
        }
        self.world.finish_pending_write(n);
        let now = self.world.now;
        for e in held {
            self.push_node_event(now, e);
        }
    }
}

/// A crashed node as drawn: its last view, with nothing it held in memory.
fn crashed_view(last: &NodeView) -> NodeView {
    let mut v = last.clone();
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
