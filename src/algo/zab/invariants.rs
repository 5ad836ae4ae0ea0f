//! Zab's safety properties, checked after every step (in the spirit of Zab.tla's
//! Leadership properties, in a form a classroom can read). The monitor keeps history:
//! who was established in each epoch, each server's highest epochs (its disk must not
//! forget them across a crash), and the longest committed history seen so far.

use super::{Txn, Zab, ZabDisk, hex};
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct ZabMonitor {
    /// The first server established in each epoch.
    leaders: VecMap<u64, NodeId>,
    /// Per server: the highest acceptedEpoch and currentEpoch it ever had.
    high: VecMap<NodeId, (u64, u64)>,
    /// The longest committed history any server has had; all others must be prefixes.
    committed: Vec<Txn>,
    /// Who first committed each position of `committed`.
    committed_by: Vec<NodeId>,
    reported: VecSet<String>,
}

impl ZabMonitor {
    fn raise(
        &mut self,
        out: &mut Vec<Finding>,
        invariant: &str,
        key: String,
        nodes: Vec<NodeId>,
        terms: Vec<u64>,
        text: String,
    ) {
        if self.reported.insert(format!("{invariant}:{key}")) {
            out.push(Finding {
                severity: Severity::Violation,
                invariant: invariant.into(),
                nodes,
                terms,
                text,
            });
        }
    }

    fn check_epochs(&mut self, out: &mut Vec<Finding>, me: NodeId, accepted: u64, current: u64) {
        let (acc_high, cur_high) = self.high.get(&me).copied().unwrap_or((0, 0));
        for (word, now, high) in [
            ("accepted", accepted, acc_high),
            ("current", current, cur_high),
        ] {
            if now < high {
                self.raise(
                    out,
                    "Epochs never decrease",
                    format!("{word}:{me}:{now}:{high}"),
                    vec![me],
                    vec![now, high],
                    format!("n{me}'s {word} epoch went down from {high} to {now}"),
                );
            }
        }
        self.high
            .insert(me, (acc_high.max(accepted), cur_high.max(current)));
    }

    fn check_committed(&mut self, out: &mut Vec<Finding>, me: NodeId, mine: &[Txn]) {
        let shared = mine.len().min(self.committed.len());
        if let Some(i) = (0..shared).find(|&i| mine[i] != self.committed[i]) {
            let (a, b) = (mine[i], self.committed[i]);
            let other = self.committed_by[i];
            self.raise(
                out,
                "Committed history agrees",
                format!("{me}:{i}"),
                vec![other, me],
                vec![super::epoch_of(b.zxid), super::epoch_of(a.zxid)],
                format!(
                    "position {} of the committed history: n{other} committed write #{} ({}), n{me} committed write #{} ({})",
                    i + 1,
                    b.value,
                    hex(b.zxid),
                    a.value,
                    hex(a.zxid)
                ),
            );
            return;
        }
        for t in &mine[shared..] {
            self.committed.push(*t);
            self.committed_by.push(me);
        }
    }
}

impl Monitor<Zab> for ZabMonitor {
    fn new(_cluster_size: usize) -> Self {
        ZabMonitor::default()
    }

    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, Zab>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let me = stepped;
        let Some(slot) = nodes.get((me as usize).wrapping_sub(1)) else {
            return out;
        };
        let node = match slot {
            NodeSlotRef::Down(ZabDisk {
                accepted_epoch,
                current_epoch,
                ..
            }) => {
                self.check_epochs(&mut out, me, *accepted_epoch, *current_epoch);
                return out;
            }
            NodeSlotRef::Up(z) => *z,
        };
        self.check_epochs(&mut out, me, node.accepted_epoch(), node.current_epoch());
        self.check_committed(&mut out, me, node.committed());

        if node.is_established() {
            let epoch = node.current_epoch();
            let first = *self.leaders.entry(epoch).or_insert(me);
            if first != me {
                self.raise(
                    &mut out,
                    "One established leader per epoch",
                    format!("{epoch}:{me}"),
                    vec![first, me],
                    vec![epoch],
                    format!("n{first} and n{me} were both established as leader of epoch {epoch}"),
                );
            }
        }
        out
    }
}
