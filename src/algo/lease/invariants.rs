//! What the lock service promises, checked after every step. The monitor keeps the
//! history of grants: a grant is a token handed to a holder, and both properties are
//! about that history, not about any one instant.
//!
//! Two candidates believing they lead at once is NOT checked here: with leases it is
//! the expected hazard of pauses and clock-rate differences (client-go says as much),
//! and the kernel already reports it as a stale-leader warning when the tokens differ
//! (a Violation only if they are equal, which "One holder per revision" explains).

use super::{Grant, Lease, LeaseDisk};
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct LeaseMonitor {
    /// Who was granted each token.
    holders: VecMap<u64, NodeId>,
    /// The highest token granted so far.
    highest: u64,
    reported: VecSet<String>,
}

impl LeaseMonitor {
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

    fn record_grant(&mut self, out: &mut Vec<Finding>, g: Grant) {
        // Tokens increase: fencing only works if a new leadership's token is above
        // every token handed out before, so storage can turn the old ones away.
        if self.highest > 0 && g.token <= self.highest {
            self.raise(
                out,
                "Tokens increase",
                format!("{}:{}", g.token, g.holder),
                vec![g.holder],
                vec![g.token, self.highest],
                format!(
                    "the lease service granted n{} token {} (revision {}), but token {} was already handed out: storage cannot tell the new leader from an old one",
                    g.holder, g.token, g.revision, self.highest
                ),
            );
        }
        self.highest = self.highest.max(g.token);
        // One holder per revision: a token names one holding.
        match self.holders.get(&g.token).copied() {
            Some(first) if first != g.holder => self.raise(
                out,
                "One holder per revision",
                format!("{}", g.token),
                vec![first, g.holder],
                vec![g.token],
                format!(
                    "the lease service granted revision {} to n{first} and again to n{}",
                    g.token, g.holder
                ),
            ),
            Some(_) => {}
            None => {
                self.holders.insert(g.token, g.holder);
            }
        }
    }
}

impl Monitor<Lease> for LeaseMonitor {
    fn new(_cluster_size: usize) -> Self {
        LeaseMonitor::default()
    }

    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, Lease>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(slot) = nodes.get((stepped as usize).wrapping_sub(1)) else {
            return out;
        };
        let node = match slot {
            NodeSlotRef::Up(n) => *n,
            NodeSlotRef::Down(LeaseDisk::Candidate | LeaseDisk::Service { .. }) => return out,
        };
        if let Some(g) = node.service_state().and_then(|s| s.just_granted) {
            self.record_grant(&mut out, g);
        }
        // A leader leads with a token the service granted to it, not to someone else.
        if let Some(token) = node.leading_token() {
            let me = node.id();
            match self.holders.get(&token).copied() {
                Some(h) if h == me => {}
                other => self.raise(
                    &mut out,
                    "One holder per revision",
                    format!("lead:{token}:{me}"),
                    vec![me],
                    vec![token],
                    match other {
                        Some(h) => {
                            format!("n{me} leads with token {token}, which was granted to n{h}")
                        }
                        None => format!("n{me} leads with token {token}, which was never granted"),
                    },
                ),
            }
        }
        out
    }
}
