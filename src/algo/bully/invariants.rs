//! What Bully guarantees, checked after every step. Only rules each node keeps by
//! itself are guarantees; "one leader at a time" depends on a perfect failure detector
//! and no partitions, so the kernel's split-brain watch reports it as a warning.

use super::{Bully, Role};
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct BullyMonitor {
    reported: VecSet<String>,
}

impl BullyMonitor {
    fn raise(
        &mut self,
        out: &mut Vec<Finding>,
        invariant: &str,
        key: String,
        nodes: Vec<NodeId>,
        text: String,
    ) {
        if self.reported.insert(format!("{invariant}:{key}")) {
            out.push(Finding {
                severity: Severity::Violation,
                invariant: invariant.into(),
                nodes,
                terms: Vec::new(),
                text,
            });
        }
    }
}

impl Monitor<Bully> for BullyMonitor {
    fn new(_cluster_size: usize) -> Self {
        BullyMonitor::default()
    }

    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, Bully>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(NodeSlotRef::Up(node)) = nodes.get((stepped as usize).wrapping_sub(1)) else {
            return out;
        };
        let me = node.id();

        // Bully rule: an ANSWER from a higher id ends this node's bid in that election.
        if node.role() == Role::Leader {
            let round = node.current_round();
            if let Some(&higher) = round.answered_by.iter().find(|&&n| n > me) {
                self.raise(
                    &mut out,
                    "Bully rule",
                    format!("{me}:{}", round.number),
                    vec![me, higher],
                    format!(
                        "n{me} declared itself leader in its election #{} although the higher n{higher} answered that it is alive",
                        round.number
                    ),
                );
            }
        }

        // No lower leader: a node never follows a leader it outranks; it bullies instead.
        if let Some(leader) = node.leader() {
            if leader < me {
                self.raise(
                    &mut out,
                    "No lower leader",
                    format!("{me}:{leader}"),
                    vec![me, leader],
                    format!("n{me} follows n{leader}, a lower id, instead of taking over"),
                );
            }
        }
        out
    }
}
