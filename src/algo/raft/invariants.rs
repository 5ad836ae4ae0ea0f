//! Raft's safety properties (Figure 3 of the paper), checked after every step.

use super::{Entry, Raft, RaftDisk, Role};
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct RaftMonitor {
    /// Who led each term (Election Safety).
    leaders: VecMap<u64, NodeId>,
    /// The log each current leader had at its previous step (Leader Append-Only).
    leader_logs: VecMap<NodeId, (u64, Vec<Entry>)>,
    /// Committed entries by index, with the term of the node that first saw them
    /// committed (State Machine Safety, Leader Completeness).
    committed: Vec<(Entry, u64)>,
    reported: VecSet<String>,
}

fn log_of<'a>(slot: &'a NodeSlotRef<'_, Raft>) -> &'a [Entry] {
    match slot {
        NodeSlotRef::Up(r) => r.log(),
        NodeSlotRef::Down(RaftDisk { log, .. }) => log,
    }
}

impl RaftMonitor {
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
}

impl Monitor<Raft> for RaftMonitor {
    fn new(_cluster_size: usize) -> Self {
        RaftMonitor::default()
    }

    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, Raft>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let me = stepped;
        let NodeSlotRef::Up(raft) = &nodes[me as usize - 1] else {
            return out;
        };
        let term = raft.term();
        let is_leader = raft.role() == Role::Leader;

        // Election Safety: at most one leader per term, ever.
        if is_leader {
            let first = *self.leaders.entry(term).or_insert(me);
            if first != me {
                self.raise(
                    &mut out,
                    "Election Safety",
                    format!("{term}"),
                    vec![first, me],
                    vec![term],
                    format!("n{first} and n{me} were both elected leader of term {term}"),
                );
            }
        }

        // Leader Append-Only: a leader never overwrites or deletes its own entries.
        if is_leader {
            if let Some((t, old)) = self.leader_logs.get(&me) {
                if *t == term && !raft.log().starts_with(old) {
                    let (t, len) = (*t, old.len());
                    self.raise(
                        &mut out,
                        "Leader Append-Only",
                        format!("{me}:{t}"),
                        vec![me],
                        vec![t],
                        format!("leader n{me} of term {t} changed or removed entries of its log (had {len})"),
                    );
                }
            }
            self.leader_logs.insert(me, (term, raft.log().to_vec()));
        } else {
            self.leader_logs.remove(&me);
        }

        // State Machine Safety: every node's committed prefix agrees with every other's.
        let log = raft.log();
        let commit = (raft.commit_index() as usize).min(log.len());
        for (i, entry) in log[..commit].iter().enumerate() {
            match self.committed.get(i) {
                Some((known, _)) if known != entry => {
                    let known = known.clone();
                    self.raise(
                        &mut out,
                        "State Machine Safety",
                        format!("{}", i + 1),
                        vec![me],
                        vec![known.term, entry.term],
                        format!(
                            "n{me} committed entry {} of term {} where another node committed one of term {}",
                            i + 1,
                            entry.term,
                            known.term
                        ),
                    );
                }
                Some(_) => {}
                None => self.committed.push((entry.clone(), term)),
            }
        }

        // Leader Completeness: a leader holds every entry committed in earlier terms.
        if is_leader {
            let missing = self
                .committed
                .iter()
                .enumerate()
                .find(|(i, (e, seen_in))| *seen_in <= term && log.get(*i) != Some(e))
                .map(|(i, (e, _))| (i + 1, e.term));
            if let Some((index, entry_term)) = missing {
                self.raise(
                    &mut out,
                    "Leader Completeness",
                    format!("{me}:{term}:{index}"),
                    vec![me],
                    vec![term, entry_term],
                    format!(
                        "n{me} leads term {term} without committed entry {index} (term {entry_term})"
                    ),
                );
            }
        }

        // Log Matching: same index and term means identical logs up to there.
        for (j, other) in nodes.iter().enumerate() {
            let them = j as NodeId + 1;
            if them == me {
                continue;
            }
            let theirs = log_of(other);
            let shared = log.len().min(theirs.len());
            if let Some(k) = (0..shared).rev().find(|&k| log[k].term == theirs[k].term) {
                if log[..=k] != theirs[..=k] {
                    let (a, b) = (me.min(them), me.max(them));
                    self.raise(
                        &mut out,
                        "Log Matching",
                        format!("{a}:{b}:{}", k + 1),
                        vec![a, b],
                        vec![log[k].term],
                        format!(
                            "n{a} and n{b} both hold entry {} of term {} but their logs differ before it",
                            k + 1,
                            log[k].term
                        ),
                    );
                }
            }
        }
        out
    }
}
