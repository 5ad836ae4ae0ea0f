//! The engine-level harness the rule suites share: one node driven input by input,
//! outside the kernel, and its effects read back.

use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Algorithm, Context, Effect, Input, Micros, NodeId, NoteKind};

pub type Effects<A> = Vec<Effect<<A as Algorithm>::Msg, <A as Algorithm>::Timer>>;

/// Feeds one input to node `me`, at local time `now`, in a cluster whose candidates
/// are 1..=n (plus `service`, the coordination service's id, for engines that have
/// one), and returns the effects it asked for.
pub fn step_node<A: Algorithm>(
    node: &mut A,
    me: NodeId,
    n: u32,
    now: Micros,
    service: Option<NodeId>,
    input: Input<A::Msg, A::Timer>,
) -> Effects<A> {
    let cluster: Vec<NodeId> = (1..=n).collect();
    let mut rng = SimRng::new(0, Stream::Node(me));
    let mut ctx = Context::new(me, now, &cluster, &mut rng).with_service(service);
    node.step(&mut ctx, input);
    ctx.effects
}

/// The messages among `fx`, with their destinations.
pub fn sends<M: Clone, T>(fx: &[Effect<M, T>]) -> Vec<(NodeId, M)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg } => Some((*to, msg.clone())),
            _ => None,
        })
        .collect()
}

/// The narration lines among `fx`.
pub fn notes<M, T>(fx: &[Effect<M, T>]) -> Vec<(NoteKind, String)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Note { kind, text } => Some((*kind, text.clone())),
            _ => None,
        })
        .collect()
}

/// The timers `fx` sets, with their delays.
pub fn timers_set<M, T: Clone>(fx: &[Effect<M, T>]) -> Vec<(T, Micros)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::SetTimer { timer, after } => Some((timer.clone(), *after)),
            _ => None,
        })
        .collect()
}
