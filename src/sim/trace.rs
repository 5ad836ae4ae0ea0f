//! The trace: every step of a run as a structured event with one plain-language line.
//! The UI, the CLI summary and the determinism checks all read this and nothing else.

use super::action::Action;
use super::algorithm::{MsgClass, NodeId, NoteKind, Severity};
use super::time::Micros;
use serde::{Deserialize, Serialize};

/// A message in flight, as the UI animates it: between `sent_at` and `deliver_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgRecord {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Micros,
    pub deliver_at: Micros,
    pub kind: String,
    pub class: MsgClass,
    pub term: Option<u64>,
    pub summary: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// Random loss (the drop-rate setting).
    Lost,
    /// A partition or one-way cut separated sender and receiver at delivery time.
    Partitioned,
    /// The receiver was crashed.
    ReceiverDown,
    /// The storage turned the write away: its fencing token was too low.
    Fenced,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EventKind {
    Boot {
        node: NodeId,
    },
    Send {
        msg: MsgRecord,
    },
    Deliver {
        id: u64,
        from: NodeId,
        to: NodeId,
    },
    Drop {
        id: u64,
        from: NodeId,
        to: NodeId,
        reason: DropReason,
    },
    Timer {
        node: NodeId,
        timer: String,
    },
    Note {
        node: NodeId,
        kind: NoteKind,
    },
    /// A node's role or term changed (observed by diffing its view around a step).
    Role {
        node: NodeId,
        role: String,
        term: u64,
    },
    Action {
        action: Action,
    },
    /// An action that could not apply (e.g. "crash leader" with no leader).
    Skipped {
        action: Action,
    },
    Resume {
        node: NodeId,
    },
    Finding {
        severity: Severity,
        invariant: String,
        nodes: Vec<NodeId>,
        terms: Vec<u64>,
    },
    /// The kernel stopped a runaway run (see `guard`): the last event of its trace.
    Halted(super::guard::Halt),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub seq: u64,
    pub time: Micros,
    #[serde(flatten)]
    pub kind: EventKind,
    pub text: String,
    /// What the event means for the things consumers count (a win, a power-off, a
    /// refused write), so that none of them reads the English `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
    /// The key moment this event tells, if any (derived like `fact`: not hashed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moment: Option<super::moment::Moment>,
}

/// Kernel facts consumers need, attached to the event that narrates them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Fact {
    /// `node` began to lead, with its leadership number.
    Won { node: NodeId, term: u64 },
    /// STONITH powered `node` off before `successor` took over.
    PoweredOff { node: NodeId, successor: NodeId },
    /// The storage turned `node`'s write away: its token was below the highest.
    WriteRefused {
        node: NodeId,
        token: u64,
        highest: u64,
    },
}

/// The part of an event the fingerprint covers: everything but the derived `fact`,
/// so that fingerprints recorded before facts existed still hold.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    time: Micros,
    #[serde(flatten)]
    kind: &'a EventKind,
    text: &'a str,
}

/// FNV-1a (64-bit) over the canonical JSON of each event. A fingerprint for comparing
/// runs, not a security hash, so the simplest stable function is the right one.
#[derive(Clone, Debug)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHasher {
    pub fn absorb(&mut self, event: &TraceEvent) {
        // Struct fields serialize in declaration order and no map is involved, so the
        // encoding is canonical on every platform.
        let hashed = Hashed {
            seq: event.seq,
            time: event.time,
            kind: &event.kind,
            text: &event.text,
        };
        // Serialising plain structs into a Vec cannot fail. Not `expect`: formatting
        // its error would link serde_json's error messages into the page's bundle.
        let bytes = serde_json::to_vec(&hashed).unwrap_or_default();
        for b in bytes.iter().chain(b"\n") {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(e: &TraceEvent) -> String {
        let mut h = TraceHasher::default();
        h.absorb(e);
        h.hex()
    }

    #[test]
    fn the_fingerprint_covers_the_narration_but_not_the_derived_fact_or_moment() {
        let won = TraceEvent {
            seq: 7,
            time: 1_000,
            kind: EventKind::Role {
                node: 2,
                role: "leader".into(),
                term: 3,
            },
            text: "n2 is leader in term 3".into(),
            fact: Some(Fact::Won { node: 2, term: 3 }),
            moment: Some(super::super::moment::Moment::LeaderElected),
        };
        let bare = TraceEvent {
            fact: None,
            moment: None,
            ..won.clone()
        };
        assert_eq!(hash(&won), hash(&bare));
        let retold = TraceEvent {
            text: "n2 leads term 3".into(),
            ..bare.clone()
        };
        assert_ne!(hash(&retold), hash(&bare));
        // The JSON lines of `--trace` do carry the fact.
        let line = serde_json::to_string(&won).unwrap();
        assert!(
            line.contains(r#""fact":{"type":"won","node":2,"term":3}"#),
            "{line}"
        );
        assert!(line.contains(r#""moment":"leader-elected""#), "{line}");
        assert!(!serde_json::to_string(&bare).unwrap().contains("fact"));
    }
}
