//! Chang-Roberts' guarantee, checked whenever a node becomes leader.
//!
//! "Unique winner": the winner is the largest id among the nodes that took part in the
//! round it won. Taking part means either sending a token that reached the winner in
//! that round (the winner's `max_seen` records the largest such id) or handling the
//! winner's own token on its lap (every node that passed it on records it in
//! `passed_on`). A larger id in either place means a smaller id was elected over a
//! larger one that was demonstrably alive and in the race.
//!
//! What the ring cannot promise is that a node its failure detector skipped (paused or
//! cut off rather than dead) is smaller than the winner: such a node did not take part.
//! Two leaders at once is therefore an observation, reported by the kernel's generic
//! split-brain watch as a warning (`ONE_LEADER_PER_TERM = false`), not a violation.

use super::{ChangRoberts, Role};
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct UniqueWinnerMonitor {
    /// Whether each node led after its previous step, to see it become leader.
    led: Vec<bool>,
}

impl UniqueWinnerMonitor {
    fn violation(nodes: Vec<NodeId>, text: String) -> Finding {
        Finding {
            severity: Severity::Violation,
            invariant: "Unique winner".into(),
            nodes,
            terms: Vec::new(),
            text,
        }
    }
}

impl Monitor<ChangRoberts> for UniqueWinnerMonitor {
    fn new(cluster_size: usize) -> Self {
        UniqueWinnerMonitor {
            led: vec![false; cluster_size],
        }
    }

    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, ChangRoberts>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(i) = (stepped as usize).checked_sub(1) else {
            return out;
        };
        if self.led.len() < nodes.len() {
            self.led.resize(nodes.len(), false);
        }
        let leads = match nodes.get(i) {
            Some(NodeSlotRef::Up(node)) => node.role() == Role::Leader,
            _ => false,
        };
        let was = self.led.get(i).copied().unwrap_or(false);
        if let Some(slot) = self.led.get_mut(i) {
            *slot = leads;
        }
        let (Some(NodeSlotRef::Up(winner)), true, false) = (nodes.get(i), leads, was) else {
            return out;
        };
        let w = stepped;
        let seen = winner.max_seen();
        if seen > w {
            out.push(Self::violation(
                vec![w, seen],
                format!(
                    "n{w} became leader although ELECTION(n{seen}) had passed n{w} in the same round: only the highest id that took part may win"
                ),
            ));
        }
        for (j, slot) in nodes.iter().enumerate() {
            let id = j as NodeId + 1;
            let NodeSlotRef::Up(other) = slot else {
                continue;
            };
            if id > w && other.passed_on().contains(&w) {
                out.push(Self::violation(
                    vec![w, id],
                    format!(
                        "n{w} became leader although n{id}, which is higher, passed ELECTION(n{w}) on in the same round instead of stopping it"
                    ),
                ));
            }
        }
        out
    }
}
