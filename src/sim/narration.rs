//! Narration: how the kernel names nodes and writes its trace. Every trace event goes
//! through `emit`, which numbers it, adds it to the run's fingerprint and keeps it for
//! the caller; the lines the kernel itself tells (role changes, dropped messages,
//! skipped actions) are worded here.

use super::action::Action;
use super::algorithm::{Headline, NodeId};
use super::moment::Moment;
use super::storage::STORAGE;
use super::trace::{DropReason, EventKind, Fact, TraceEvent};
use super::world::World;
use std::borrow::Cow;

/// The names of nodes 1 to 26 (25 candidates and a service at most).
const NODE_NAMES: [&str; 26] = [
    "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "n12", "n13", "n14", "n15",
    "n16", "n17", "n18", "n19", "n20", "n21", "n22", "n23", "n24", "n25", "n26",
];

impl World {
    /// How narration names a node: `n3`, the service's own name, or `storage`.
    /// Borrowed, not formatted: narration names a node in most events.
    pub(super) fn name(&self, id: NodeId) -> Cow<'static, str> {
        match (id, self.traits.service_name) {
            (STORAGE, _) => "storage".into(),
            (id, Some(name)) if Some(id) == self.service => name.into(),
            (id, _) => match NODE_NAMES.get((id as usize).wrapping_sub(1)) {
                Some(name) => (*name).into(),
                None => format!("n{id}").into(),
            },
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

    /// A message arrived (the kernel's own line). Joined, not `format!`ed: sends and
    /// deliveries are most of a run's narration, and concatenation sizes the string
    /// once.
    pub(super) fn narrate_delivery(&mut self, id: u64, from: NodeId, to: NodeId, kind: &str) {
        let text = [
            &*self.name(to),
            " receives ",
            kind,
            " from ",
            &*self.name(from),
        ]
        .concat();
        self.emit(EventKind::Deliver { id, from, to }, text);
    }

    /// The line of a message put on the wire: `n1→n2 AppendEntries (term 3, ...)`.
    pub(super) fn send_line(&self, from: NodeId, to: NodeId, kind: &str, summary: &str) -> String {
        [
            &*self.name(from),
            "→",
            &*self.name(to),
            " ",
            kind,
            " (",
            summary,
            ")",
        ]
        .concat()
    }

    pub(super) fn skip(&mut self, action: Action, why: &str) {
        let text = format!("{action}: skipped, {why}");
        self.emit(EventKind::Skipped { action }, text);
    }

    /// A node's role or leadership number changed in a step; `promoted` if it began
    /// to lead.
    pub(super) fn narrate_role(&mut self, id: NodeId, view: &Headline, promoted: bool) {
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
                role: view.role.to_string(),
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
