//! The defences against split brain, the same for every algorithm: a shared storage
//! that leaders write to (with or without fencing tokens) and STONITH, which powers
//! off every other leader before a node is promoted.

use super::algorithm::{Finding, MsgClass, NodeId, NoteKind, Severity};
use super::moment::Moment;
use super::storage::{STORAGE, WRITE_EVERY};
use super::time::Micros;
use super::trace::{DropReason, EventKind, Fact};
use super::world::{KernelEvent, World};

impl World {
    /// STONITH: the nodes to power off before `new_leader` acts as leader: every other
    /// node still up that believes it leads, paused ones included. The switch is out
    /// of band, so partitions do not stop it.
    pub(super) fn stonith_victims(&self, new_leader: NodeId) -> Vec<NodeId> {
        if !self.stonith {
            return Vec::new();
        }
        (0..self.total())
            .filter(|&j| j + 1 != new_leader as usize && self.leading[j].is_some())
            .filter(|&j| self.is_up_index(j))
            .map(|j| j as NodeId + 1)
            .collect()
    }

    /// A new leader's first act is a write: it shows the storage its token at once,
    /// which is what lets fencing turn away the leader it replaced.
    pub(super) fn start_writer(&mut self, node: NodeId) {
        if self.storage.is_none() {
            return;
        }
        let i = node as usize - 1;
        self.writer_generation[i] += 1;
        let generation = self.writer_generation[i];
        self.push(self.now, KernelEvent::AppWrite { node, generation });
    }

    /// A node powered off writes no more, and forgets a write it was frozen in.
    pub(super) fn stop_writer(&mut self, i: usize) {
        self.writer_generation[i] += 1;
        self.write_pending[i] = false;
    }

    /// A leader's periodic write. It stops by itself once the node no longer
    /// believes it leads; a paused leader finishes it when it wakes.
    pub(super) fn app_write(&mut self, node: NodeId, generation: u64) {
        let i = node as usize - 1;
        if self.writer_generation[i] != generation || !self.is_up_index(i) {
            return;
        }
        if self.is_paused(i) {
            self.write_pending[i] = true;
            return;
        }
        if self.leading[i].is_none() {
            return;
        }
        self.send_storage_write(node);
        self.schedule_next_write(node);
    }

    /// On waking: the write a leader was frozen in goes out before anything else.
    pub(super) fn finish_pending_write(&mut self, n: NodeId) {
        let i = n as usize - 1;
        if std::mem::take(&mut self.write_pending[i]) && self.leading[i].is_some() {
            let name = self.name(n);
            let text = format!(
                "{name} finishes its write before anything else: it has not yet noticed that time passed"
            );
            self.emit(
                EventKind::Note {
                    node: n,
                    kind: NoteKind::Info,
                },
                text,
            );
            self.send_storage_write(n);
            self.schedule_next_write(n);
        }
    }

    /// The writer's next write, WRITE_EVERY later on the node's own clock.
    fn schedule_next_write(&mut self, node: NodeId) {
        let i = node as usize - 1;
        let generation = self.writer_generation[i];
        let next: Micros = self.now + self.clocks[i].true_delay(WRITE_EVERY).max(1);
        self.push(next, KernelEvent::AppWrite { node, generation });
    }

    fn send_storage_write(&mut self, from: NodeId) {
        let token = self.leading[from as usize - 1].filter(|&t| t > 0);
        let write = self.next_storage_write;
        self.next_storage_write += 1;
        let summary = match token {
            Some(t) => format!("write #{write} with token {t}"),
            None => format!("write #{write}, no token"),
        };
        let text = format!(
            "{} writes to the storage, believing it leads ({summary})",
            self.name(from)
        );
        let (id, arrives) = self.put_on_wire(
            from,
            STORAGE,
            "Write",
            MsgClass::Write,
            token,
            summary,
            text,
        );
        self.push(
            arrives,
            KernelEvent::StorageDeliver {
                id,
                from,
                token,
                write,
            },
        );
    }

    pub(super) fn storage_deliver(
        &mut self,
        id: u64,
        from: NodeId,
        token: Option<u64>,
        write: u64,
    ) {
        self.in_flight.remove(&id);
        let Some(storage) = self.storage.as_mut() else {
            return;
        };
        let highest = storage.view().highest_token;
        let outcome = storage.receive(self.now, from, token, write);
        let who = self.name(from);
        let label = self.traits.term_label;
        if !outcome.accepted {
            self.stats.messages_dropped += 1;
            let (t, h) = (token.unwrap_or(0), highest.unwrap_or(0));
            let text = format!(
                "the storage rejects {who}'s write #{write}: its token {t} ({}) is below {h} ({}), the highest it has accepted; fencing turned a deposed leader away",
                label(t),
                label(h)
            );
            self.emit_fact(
                EventKind::Drop {
                    id,
                    from,
                    to: STORAGE,
                    reason: DropReason::Fenced,
                },
                text,
                Some(Fact::WriteRefused {
                    node: from,
                    token: t,
                    highest: h,
                }),
            );
            return;
        }
        let text = match token {
            Some(t) => format!("the storage accepts {who}'s write #{write} (token {t})"),
            None => format!("the storage accepts {who}'s write #{write} (no token to check)"),
        };
        self.emit(
            EventKind::Deliver {
                id,
                from,
                to: STORAGE,
            },
            text,
        );
        if outcome.lost_update {
            let (t, h) = (token.unwrap_or(0), highest.unwrap_or(0));
            self.next_moment = Some(Moment::LostUpdate);
            self.report(Finding {
                severity: Severity::Violation,
                invariant: "Lost update".into(),
                nodes: vec![from],
                terms: vec![t, h],
                text: format!(
                    "{who}'s write #{write} with token {t} landed after a write with token {h}: a superseded leadership ({}) overwrote newer data (fencing is off)",
                    label(t)
                ),
            });
        }
    }
}
