//! The watch: who leads, split brain (several live nodes believing they lead at one
//! instant) and leaderless time (no leader a majority follows), reported as findings
//! and statistics. A paused node
//! still believes it leads, which is exactly the GC-pause hazard.

use super::action::Target;
use super::algorithm::{Finding, NodeId, Severity};
use super::moment::Moment;
use super::time::Micros;
use super::trace::EventKind;
use super::world::{TimedFinding, World};

impl World {
    /// The leader a majority acknowledges in its term, if any: the sense of "a leader
    /// is established" used for statistics and liveness checks.
    pub(super) fn established_leader(&self) -> Option<(NodeId, u64)> {
        let majority = self.cluster.len() / 2 + 1;
        let mut best: Option<(NodeId, u64)> = None;
        for (i, lead) in self.leading.iter().enumerate() {
            let Some(term) = *lead else { continue };
            if !self.is_running(i) {
                continue;
            }
            let id = i as NodeId + 1;
            let followers = self
                .heads
                .iter()
                .enumerate()
                .filter(|(j, w)| self.is_running(*j) && w.leader == Some(id) && w.term == term)
                .count();
            if followers >= majority && best.is_none_or(|(_, t)| term > t) {
                best = Some((id, term));
            }
        }
        best
    }

    /// The node an action names: a node by number, or the leader (the established
    /// one, else the live claimant with the newest leadership).
    pub(super) fn resolve(&self, target: Target) -> Option<NodeId> {
        match target {
            Target::Node(n) if self.valid_node(n) => Some(n),
            Target::Node(_) => None,
            Target::Leader => self.established_leader().map(|(n, _)| n).or_else(|| {
                (0..self.total())
                    .filter(|&i| self.leading[i].is_some() && self.is_up_index(i))
                    .max_by_key(|&i| self.leading[i])
                    .map(|i| i as NodeId + 1)
            }),
        }
    }

    pub(super) fn report(&mut self, finding: Finding) {
        let label = match finding.severity {
            Severity::Violation => "SAFETY VIOLATION",
            Severity::Warning => "warning",
        };
        let text = format!("{label} ({}): {}", finding.invariant, finding.text);
        self.emit(
            EventKind::Finding {
                severity: finding.severity,
                invariant: finding.invariant.clone(),
                nodes: finding.nodes.clone(),
                terms: finding.terms.clone(),
            },
            text,
        );
        self.stats.findings.push(TimedFinding {
            at: self.now,
            finding,
        });
    }

    /// After every step: a new set of simultaneous claimants is reported once, and
    /// the leaderless clock starts or stops.
    pub(super) fn watch(&mut self) {
        let claimants: Vec<NodeId> = self
            .leading
            .iter()
            .enumerate()
            .filter(|(i, lead)| lead.is_some() && self.is_up_index(*i))
            .map(|(i, _)| i as NodeId + 1)
            .collect();
        self.stats.most_leaders = self.stats.most_leaders.max(claimants.len());
        if claimants.len() >= 2 && claimants != self.claimants {
            let terms: Vec<u64> = claimants
                .iter()
                .map(|&n| self.leading[n as usize - 1].unwrap_or(0))
                .collect();
            let names: Vec<String> = claimants
                .iter()
                .map(|&n| self.name(n).into_owned())
                .collect();
            let labelled: Vec<String> = names
                .iter()
                .zip(&terms)
                // Term 0 is never a leader's term in a numbered algorithm: it means the
                // algorithm numbers nothing (Bully, rings), so there is nothing to show.
                .map(|(name, t)| match t {
                    0 => name.clone(),
                    t => format!("{name} ({})", (self.traits.term_label)(*t)),
                })
                .collect();
            let finding = split_brain_finding(
                &claimants,
                terms,
                &names,
                &labelled,
                self.traits.one_leader_per_term,
            );
            self.next_moment = Some(Moment::StaleLeader);
            self.report(finding);
        }
        self.claimants = if claimants.len() >= 2 {
            claimants
        } else {
            Vec::new()
        };
        // Leaderless: no leader that a majority follows, the same sense as the
        // established leader the page and the summary show. A minority that keeps
        // campaigning in higher terms does not make the majority's leader disappear.
        self.leaderless_now = self.established_leader().is_none();
    }

    pub(super) fn account_time(&mut self, until: Micros) {
        if until > self.time_counted_until {
            let span = until - self.time_counted_until;
            if self.leaderless_now {
                self.stats.leaderless_us += span;
            }
            // `claimants` holds the set only while two or more claim at once.
            if !self.claimants.is_empty() {
                self.stats.split_brain_us += span;
            }
        }
        self.time_counted_until = until.max(self.time_counted_until);
    }
}

/// What the split-brain watch reports for `claimants` (each with its term, name and
/// name with term label). Not generic, so one copy serves every algorithm's kernel.
fn split_brain_finding(
    claimants: &[NodeId],
    terms: Vec<u64>,
    names: &[String],
    labelled: &[String],
    one_leader_per_term: bool,
) -> Finding {
    let newest = terms.iter().copied().max().unwrap_or(0);
    let same_term = (1..terms.len()).any(|k| terms[..k].contains(&terms[k]));
    let stale: Vec<&str> = names
        .iter()
        .zip(&terms)
        .filter(|(_, t)| **t < newest)
        .map(|(n, _)| n.as_str())
        .collect();
    let nodes = claimants.to_vec();
    if same_term && one_leader_per_term {
        Finding {
            severity: Severity::Violation,
            invariant: "Split brain".into(),
            nodes,
            terms,
            text: format!("{} lead the same term at once", labelled.join(" and ")),
        }
    } else if same_term {
        Finding {
            severity: Severity::Warning,
            invariant: "Split brain".into(),
            nodes,
            terms,
            text: format!(
                "{} believe they lead at once; this algorithm has no quorum to prevent it",
                labelled.join(" and ")
            ),
        }
    } else {
        Finding {
            severity: Severity::Warning,
            invariant: "Stale leader".into(),
            nodes,
            terms,
            text: format!(
                "{} {} believe they lead; {} {} stale",
                labelled.join(" and "),
                if labelled.len() == 2 { "both" } else { "all" },
                stale.join(", "),
                if stale.len() == 1 { "is" } else { "are" }
            ),
        }
    }
}
