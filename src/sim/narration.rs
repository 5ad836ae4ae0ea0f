//! Narration: how the kernel names nodes and writes its trace. Every trace event goes
//! through `emit`, which numbers it, adds it to the run's fingerprint and keeps it for
//! the caller; the lines the kernel itself tells (role changes, dropped messages,
//! skipped actions) are worded here.

use super::action::Action;
use super::algorithm::{NodeId, NodeView};
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
        let event = TraceEvent {
            seq: self.trace_seq,
            time: self.now,
            kind,
            text,
            fact,
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
