//! Paxos's safety properties, checked after every step. The monitor keeps the history
//! it needs: a value counts as chosen once a majority has accepted it at one ballot,
//! even if those acceptors later accept the same instance again at a higher ballot.

use super::{Ballot, Paxos, PaxosDisk, Role, Value};
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::{Finding, Monitor, NodeId, NodeSlotRef, Severity};

#[derive(Clone, Debug, Default)]
pub struct PaxosMonitor {
    majority: usize,
    /// Every (instance, ballot, value) ever accepted, and by whom.
    acceptances: VecMap<(u64, Ballot, Value), VecSet<NodeId>>,
    /// The first value seen chosen in each instance, and the ballot it was chosen at.
    chosen: VecMap<u64, (Ballot, Value)>,
    /// Each acceptor's accepted state at its previous step, to spot new acceptances.
    last_accepted: VecMap<NodeId, VecMap<u64, (Ballot, Value)>>,
    /// The highest ballot each acceptor has ever promised.
    promise_high: VecMap<NodeId, Ballot>,
    /// Who led each ballot.
    leaders: VecMap<Ballot, NodeId>,
    reported: VecSet<String>,
}

fn show(value: Value) -> String {
    super::describe(value)
}

impl PaxosMonitor {
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

    fn record_chosen(
        &mut self,
        out: &mut Vec<Finding>,
        instance: u64,
        ballot: Ballot,
        value: Value,
        who: Vec<NodeId>,
    ) {
        match self.chosen.get(&instance).copied() {
            None => {
                self.chosen.insert(instance, (ballot, value));
            }
            Some((first_ballot, first)) if first != value => self.raise(
                out,
                "One value per instance",
                format!("{instance}"),
                who,
                vec![first_ballot.encode(), ballot.encode()],
                format!(
                    "instance {instance} had {} chosen at ballot {first_ballot}, and now a majority accepted {} at ballot {ballot}",
                    show(first),
                    show(value)
                ),
            ),
            Some(_) => {}
        }
    }
}

impl Monitor<Paxos> for PaxosMonitor {
    fn new(cluster_size: usize) -> Self {
        PaxosMonitor {
            majority: cluster_size / 2 + 1,
            ..PaxosMonitor::default()
        }
    }

    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, Paxos>]) -> Vec<Finding> {
        let mut out = Vec::new();
        let me = stepped;
        let Some(slot) = nodes.get((me as usize).wrapping_sub(1)) else {
            return out;
        };
        let (promised, accepted, running) = match slot {
            NodeSlotRef::Up(p) => (p.promised(), p.accepted(), Some(*p)),
            NodeSlotRef::Down(PaxosDisk {
                promised, accepted, ..
            }) => (*promised, accepted, None),
        };
        let promise_before = self.promise_high.get(&me).copied().unwrap_or(Ballot::NONE);

        // Promise respected: a new acceptance is never below a ballot promised earlier.
        let previous = self.last_accepted.remove(&me).unwrap_or_default();
        for (&instance, &(ballot, value)) in accepted {
            if previous.get(&instance) == Some(&(ballot, value)) {
                continue;
            }
            if ballot < promise_before {
                self.raise(
                    &mut out,
                    "Promise respected",
                    format!("accept:{me}:{instance}:{}", ballot.encode()),
                    vec![me],
                    vec![ballot.encode(), promise_before.encode()],
                    format!(
                        "n{me} accepted instance {instance} at ballot {ballot} after promising {promise_before}"
                    ),
                );
            }
            let voters = self
                .acceptances
                .entry((instance, ballot, value))
                .or_default();
            voters.insert(me);
            if voters.len() >= self.majority {
                let who: Vec<NodeId> = voters.iter().copied().collect();
                self.record_chosen(&mut out, instance, ballot, value, who);
            }
        }
        self.last_accepted.insert(me, accepted.clone());

        // Promise respected: promises only ever rise.
        if promised < promise_before {
            self.raise(
                &mut out,
                "Promise respected",
                format!("promise:{me}:{}", promised.encode()),
                vec![me],
                vec![promised.encode(), promise_before.encode()],
                format!(
                    "n{me} promised {promised} after having promised the higher {promise_before}"
                ),
            );
        }
        self.promise_high.insert(me, promise_before.max(promised));

        let Some(node) = running else {
            return out;
        };

        // What a node believes is chosen must be what a majority really accepted.
        for (instance, value) in node.chosen() {
            let truth = self.chosen.get(&instance).copied();
            if truth.is_none_or(|(_, v)| v != value) {
                let actual = match truth {
                    Some((b, v)) => format!("{} was chosen at ballot {b}", show(v)),
                    None => "no value has a majority there".to_string(),
                };
                self.raise(
                    &mut out,
                    "One value per instance",
                    format!("learned:{me}:{instance}"),
                    vec![me],
                    vec![node.ballot().encode()],
                    format!(
                        "n{me} believes {} is chosen in instance {instance}, but {actual}",
                        show(value)
                    ),
                );
            }
        }

        // One leader per ballot: a ballot belongs to one proposer, and only it can lead.
        if node.role() == Role::Leader {
            let ballot = node.ballot();
            let first = *self.leaders.entry(ballot).or_insert(me);
            if first != me || ballot.node != me {
                self.raise(
                    &mut out,
                    "One leader per ballot",
                    format!("{}:{me}", ballot.encode()),
                    vec![first, me],
                    vec![ballot.encode()],
                    if ballot.node != me {
                        format!(
                            "n{me} leads ballot {ballot}, which only n{} may propose",
                            ballot.node
                        )
                    } else {
                        format!("n{first} and n{me} both lead ballot {ballot}")
                    },
                );
            }
        }
        out
    }
}
