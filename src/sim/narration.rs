//! Narration: how the kernel names nodes and writes its trace. Every trace event goes
//! through `emit`, which numbers it, adds it to the run's fingerprint and keeps it for
//! the caller; the lines the kernel itself tells (role changes, dropped messages,
//! skipped actions) are worded here.

use super::action::Action;
use super::algorithm::{NodeId, NodeView};
use super::moment::Moment;
use super::storage::STORAGE;
use super::trace::{DropReason, EventKind, Fact, TraceEvent};
use super::world::World;

impl World {
    /// How narration names a node: `n3`, the service's own name, or `storage`.
    pub(super) fn name(&self, id: NodeId) -> String {
        match (id, self.traits.service_name) {
            (STORAGE, _) => "storage".into(),
            (id, Some(name)) if Some(id) == self.service => name.into(),
            (id, _) => format!("n{id}"),
        }
    }

    /// Narration: one trace event, hashed and kept for the caller.
    pub(super) fn emit(&mut self, kind: EventKind, text: String) {
        self.emit_fact(kind, text, None);
    }

    /// A trace event that carries a kernel fact.
    pub(super) fn emit_fact(&mut self, kind: EventKind, text: String, fact: Option<Fact>) {
        let moment = self.next_moment.take().or(match fact {
            Some(Fact::Won { .. }) => Some(Moment::LeaderElected),
            Some(Fact::PoweredOff { .. }) => Some(Moment::PoweredOff),
            Some(Fact::WriteRefused { .. }) => Some(Moment::WriteRefused),
            None => None,
        });
        let event = TraceEvent {
            seq: self.trace_seq,
            time: self.now,
            kind,
            text,
            fact,
            moment,
        };
        self.trace_seq += 1;
        self.hasher.absorb(&event);
        if self.keep_trace {
            self.out.push(event);
        }
    }

    pub(super) fn skip(&mut self, action: Action, why: &str) {
        let text = format!("{action}: skipped, {why}");
        self.emit(EventKind::Skipped { action }, text);
    }

    /// A node's role or leadership number changed in a step; `promoted` if it began
    /// to lead.
    pub(super) fn narrate_role(&mut self, id: NodeId, view: &NodeView, promoted: bool) {
        let text = match view.term {
            // Term 0: the algorithm numbers nothing.
            0 => format!("{} is {}", self.name(id), view.role),
            t => format!(
                "{} is {} in {}",
                self.name(id),
                view.role,
                (self.traits.term_label)(t)
            ),
        };
        self.emit_fact(
            EventKind::Role {
                node: id,
                role: view.role.clone(),
                term: view.term,
            },
            text,
            promoted.then_some(Fact::Won {
                node: id,
                term: view.term,
            }),
        );
    }

    /// An election started. Three rounds' worth (three per candidate) with no leader
    /// that a majority follows is a livelock: the note that reaches it tells that
    /// moment, once per leaderless stretch.
    pub(super) fn count_election(&mut self) {
        // Campaigns beside a leader that a majority follows (a cut-off minority's)
        // are not a livelock: the cluster works.
        if !self.leaderless_now {
            self.elections_since_leader = 0;
            self.livelock_marked = false;
            return;
        }
        self.elections_since_leader += 1;
        let rounds = 3 * self.cluster.len() as u64;
        if self.elections_since_leader >= rounds && !self.livelock_marked {
            self.livelock_marked = true;
            self.next_moment = Some(Moment::Livelock);
        }
    }

    /// After a fault or a repair: whether some group of running candidates that can
    /// all reach one another holds a majority. Losing that is a moment, told on the
    /// event that caused it (the action's own line).
    pub(super) fn check_quorum(&mut self) {
        let running: Vec<NodeId> = self
            .cluster
            .iter()
            .copied()
            .filter(|&n| self.is_running(n as usize - 1))
            .collect();
        let majority = self.cluster.len() / 2 + 1;
        let mut seen = vec![false; running.len()];
        let mut largest = 0;
        for start in 0..running.len() {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut group = vec![start];
            let mut k = 0;
            while k < group.len() {
                let a = running[group[k]];
                for (j, &b) in running.iter().enumerate() {
                    if !seen[j] && self.net.connected(a, b) && self.net.connected(b, a) {
                        seen[j] = true;
                        group.push(j);
                    }
                }
                k += 1;
            }
            largest = largest.max(group.len());
        }
        let quorum = largest >= majority;
        if self.quorum && !quorum {
            if let Some(last) = self.out.last_mut() {
                last.moment.get_or_insert(Moment::QuorumLost);
            }
        }
        self.quorum = quorum;
    }

    /// A message that did not arrive, and why.
    pub(super) fn narrate_drop(
        &mut self,
        id: u64,
        kind: &str,
        (from, to): (NodeId, NodeId),
        reason: DropReason,
    ) {
        let why = match reason {
            DropReason::Lost => "lost by the network".to_string(),
            DropReason::Partitioned => "blocked by the partition".to_string(),
            DropReason::ReceiverDown => format!("{} is down", self.name(to)),
            DropReason::Fenced => "fenced off".to_string(),
        };
        let text = format!(
            "{kind} {}→{} dropped: {why}",
            self.name(from),
            self.name(to)
        );
        self.emit(
            EventKind::Drop {
                id,
                from,
                to,
                reason,
            },
            text,
        );
    }
}
