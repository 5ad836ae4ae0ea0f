//! What the recipe guarantees, checked after every step from the service's records
//! (its znodes survive its crashes, so they are read from its disk while it is down):
//!
//! - **One owner per znode sequence**: a sequence number, once given to a session's
//!   znode, is never given to another.
//! - **Sequences increase**: every new znode's number is above every earlier one.
//!   Leadership tokens are these numbers, so fencing depends on it.
//! - **Lowest leads**: a client that believes it leads, and whose znode still exists,
//!   owns the lowest znode. A leader whose znode is gone (its session expired while it
//!   was paused or cut off) is the hazard the recipe cannot prevent by itself: a
//!   Warning, which fencing tokens exist for.

use super::{ServiceDisk, ZkDisk, ZkRecipe, Znode, znode_name};
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct ZkMonitor {
    /// Every znode ever seen, by sequence number: who owned it, on which session.
    seen: VecMap<u64, Znode>,
    reported: VecSet<String>,
}

impl ZkMonitor {
    fn raise(
        &mut self,
        out: &mut Vec<Finding>,
        severity: Severity,
        invariant: &str,
        key: String,
        f: Finding,
    ) {
        if self.reported.insert(format!("{invariant}:{key}")) {
            out.push(Finding {
                severity,
                invariant: invariant.into(),
                ..f
            });
        }
    }
}

fn finding(nodes: Vec<NodeId>, terms: Vec<u64>, text: String) -> Finding {
    Finding {
        severity: Severity::Violation,
        invariant: String::new(),
        nodes,
        terms,
        text,
    }
}

/// The service's znodes, running or from its disk.
fn service_znodes<'a>(nodes: &'a [NodeSlotRef<'_, ZkRecipe>]) -> Option<&'a VecMap<u64, Znode>> {
    nodes.iter().find_map(|slot| match slot {
        NodeSlotRef::Up(ZkRecipe::Service(s)) => Some(s.znodes()),
        NodeSlotRef::Down(ZkDisk::Service(d)) => {
            let d: &ServiceDisk = d;
            Some(&d.znodes)
        }
        _ => None,
    })
}

impl Monitor<ZkRecipe> for ZkMonitor {
    fn new(_cluster_size: usize) -> Self {
        ZkMonitor::default()
    }

    fn check(&mut self, _stepped: NodeId, nodes: &[NodeSlotRef<'_, ZkRecipe>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(znodes) = service_znodes(nodes) else {
            return out;
        };

        for (&seq, &z) in znodes {
            match self.seen.get(&seq).copied() {
                Some(first) if first == z => continue,
                Some(first) => self.raise(
                    &mut out,
                    Severity::Violation,
                    "One owner per znode sequence",
                    format!("{seq}:{}:{}", z.owner, z.session),
                    finding(
                        vec![first.owner, z.owner],
                        vec![seq],
                        format!(
                            "{} belonged to n{} (session 0x{:x}) and now to n{} (session 0x{:x}): zk reused a sequence number",
                            znode_name(seq),
                            first.owner,
                            first.session,
                            z.owner,
                            z.session
                        ),
                    ),
                ),
                None => {}
            }
            // Not seen before, or now someone else's: either way a creation, which
            // must come above every number handed out so far.
            let highest = self.seen.keys().next_back().copied();
            if let Some(h) = highest.filter(|&h| h >= seq) {
                self.raise(
                    &mut out,
                    Severity::Violation,
                    "Sequences increase",
                    format!("{seq}:{}:{}", z.owner, z.session),
                    finding(
                        vec![z.owner],
                        vec![seq, h],
                        format!(
                            "zk created {} for n{} after it had already created {}: sequence numbers (the leadership tokens) went backwards",
                            znode_name(seq),
                            z.owner,
                            znode_name(h)
                        ),
                    ),
                );
            }
            self.seen.insert(seq, z);
        }

        let lowest = znodes.keys().next().copied();
        let znodes = znodes.clone();
        for (i, slot) in nodes.iter().enumerate() {
            let NodeSlotRef::Up(ZkRecipe::Client(c)) = slot else {
                continue;
            };
            let me = i as NodeId + 1;
            let (true, Some(mine), Some(session)) = (c.is_leading(), c.znode(), c.session()) else {
                continue;
            };
            let live = znodes
                .get(&mine)
                .is_some_and(|z| z.owner == me && z.session == session);
            if live {
                if let Some(low) = lowest.filter(|&l| l != mine) {
                    let owner = znodes.get(&low).map_or(0, |z| z.owner);
                    self.raise(
                        &mut out,
                        Severity::Violation,
                        "Lowest leads",
                        format!("{me}:{mine}"),
                        finding(
                            vec![me, owner],
                            vec![mine, low],
                            format!(
                                "n{me} leads with {}, but {} (n{owner}'s) is lower and still exists",
                                znode_name(mine),
                                znode_name(low)
                            ),
                        ),
                    );
                }
            } else {
                self.raise(
                    &mut out,
                    Severity::Warning,
                    "Stale leader",
                    format!("{me}:{mine}"),
                    finding(
                        vec![me],
                        vec![mine],
                        format!(
                            "n{me} believes it leads, but zk deleted its {} when session 0x{session:x} expired; it will not know until it hears from zk",
                            znode_name(mine)
                        ),
                    ),
                );
            }
        }
        out
    }
}
