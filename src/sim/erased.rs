//! A simulation of any algorithm behind one object-safe interface. Front ends pick
//! the algorithm at run time, time travel snapshots it without knowing its type, and
//! a page may hold runs of different algorithms at once. Only the kernel's event
//! handling is compiled once per algorithm; everything above it is compiled once.

use super::kernel::Stats;
use super::{Action, Algorithm, ClusterView, Headline, Micros, NodeId, Simulation};
use super::{KernelConfig, TraceEvent};

pub trait AnySimulation {
    fn clone_box(&self) -> Box<dyn AnySimulation>;
    fn now(&self) -> Micros;
    /// Queue events handled so far.
    fn processed(&self) -> u64;
    fn step(&mut self) -> bool;
    fn next_event_time(&self) -> Option<Micros>;
    fn advance_to(&mut self, t: Micros);
    /// Moves the clock to `t`, which no queued event precedes.
    fn jump_clock(&mut self, t: Micros);
    fn act(&mut self, action: Action);
    fn drain_trace(&mut self) -> Vec<TraceEvent>;
    /// Trace events emitted so far.
    fn trace_seq(&self) -> u64;
    fn set_keep_trace(&mut self, keep: bool);
    /// Why the kernel's guard stopped the run, if it did.
    fn halted(&self) -> Option<&str>;
    fn stats(&self) -> &Stats;
    fn trace_hash(&self) -> String;
    /// The cluster, carrying at most `max_in_flight` messages (the newest).
    fn cluster_view_with(&self, max_in_flight: usize) -> ClusterView;
    /// Every node's headline after its last step (role, number, whom it follows).
    fn headlines(&self) -> &[Headline];
    fn service(&self) -> Option<NodeId>;
    /// The leader a quorum follows, with its leadership number.
    fn established_leader(&self) -> Option<(NodeId, u64)>;
}

impl Clone for Box<dyn AnySimulation> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

impl<A: Algorithm> AnySimulation for Simulation<A> {
    fn clone_box(&self) -> Box<dyn AnySimulation> {
        Box::new(self.clone())
    }
    fn now(&self) -> Micros {
        Simulation::now(self)
    }
    fn processed(&self) -> u64 {
        Simulation::processed(self)
    }
    fn step(&mut self) -> bool {
        Simulation::step(self)
    }
    fn next_event_time(&self) -> Option<Micros> {
        Simulation::next_event_time(self)
    }
    fn advance_to(&mut self, t: Micros) {
        Simulation::advance_to(self, t)
    }
    fn jump_clock(&mut self, t: Micros) {
        Simulation::jump_clock(self, t)
    }
    fn act(&mut self, action: Action) {
        Simulation::act(self, action)
    }
    fn drain_trace(&mut self) -> Vec<TraceEvent> {
        Simulation::drain_trace(self)
    }
    fn trace_seq(&self) -> u64 {
        Simulation::trace_seq(self)
    }
    fn set_keep_trace(&mut self, keep: bool) {
        Simulation::set_keep_trace(self, keep)
    }
    fn halted(&self) -> Option<&str> {
        Simulation::halted(self)
    }
    fn stats(&self) -> &Stats {
        Simulation::stats(self)
    }
    fn trace_hash(&self) -> String {
        Simulation::trace_hash(self)
    }
    fn cluster_view_with(&self, max_in_flight: usize) -> ClusterView {
        Simulation::cluster_view_with(self, max_in_flight)
    }
    fn headlines(&self) -> &[Headline] {
        Simulation::headlines(self)
    }
    fn service(&self) -> Option<NodeId> {
        Simulation::service(self)
    }
    fn established_leader(&self) -> Option<(NodeId, u64)> {
        Simulation::established_leader(self)
    }
}

/// A simulation of `A` with `steps` queued: the one way every front end builds one.
pub fn simulation<A: Algorithm>(
    kernel: KernelConfig,
    config: A::Config,
    steps: &[(Micros, Action)],
) -> Simulation<A> {
    let mut sim = Simulation::<A>::new(kernel, config);
    for (at, action) in steps {
        sim.schedule(*at, action.clone());
    }
    sim
}
