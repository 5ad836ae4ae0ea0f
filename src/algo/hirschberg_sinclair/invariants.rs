//! Hirschberg-Sinclair's safety property, checked from node state after every step.
//!
//! Unique winner: only the highest id among the nodes that took part in a round can be
//! elected. A node took part in `w`'s round if `w` handled its probe during the
//! candidacy that won (it is `w`'s rival), or if it carried one of `w`'s probes (passed
//! it on or answered it). Crashes and partitions shrink the ring but never make a lower
//! node win over a higher participant: the higher one swallows the lower one's probes,
//! and a candidate that sees a higher probe gives way.

use super::{HirschbergSinclair, Role};
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct HsMonitor {
    /// Who led after their previous step, to see the moment a node wins.
    leading: VecSet<NodeId>,
}

impl Monitor<HirschbergSinclair> for HsMonitor {
    fn new(_cluster_size: usize) -> Self {
        HsMonitor::default()
    }

    fn check(
        &mut self,
        stepped: NodeId,
        nodes: &[NodeSlotRef<'_, HirschbergSinclair>],
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(NodeSlotRef::Up(node)) = nodes.get((stepped as usize).wrapping_sub(1)) else {
            self.leading.remove(&stepped);
            return out;
        };
        let leads = node.role() == Role::Leader;
        let just_won = leads && self.leading.insert(stepped);
        if !leads {
            self.leading.remove(&stepped);
        }
        if !just_won {
            return out;
        }
        let w = stepped;
        let mut higher: Vec<(NodeId, String)> = Vec::new();
        if let Some(r) = node.rival().filter(|&r| r > w) {
            higher.push((
                r,
                format!("n{w} itself saw n{r}'s probe during this candidacy"),
            ));
        }
        for (i, slot) in nodes.iter().enumerate() {
            let v = i as NodeId + 1;
            if let NodeSlotRef::Up(other) = slot {
                if v > w && other.carried().contains(&w) {
                    higher.push((
                        v,
                        format!("n{v} carried n{w}'s probe instead of swallowing it"),
                    ));
                }
            }
        }
        if let Some((top, why)) = higher.iter().max_by_key(|(v, _)| *v) {
            out.push(Finding {
                severity: Severity::Violation,
                invariant: "Unique winner".into(),
                nodes: vec![w, *top],
                terms: vec![],
                text: format!(
                    "n{w} was elected although n{top}, a higher node, took part in its round ({why})"
                ),
            });
        }
        out
    }
}
