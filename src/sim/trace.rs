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
    /// The message's type name: borrowed from the engine's `Message::kind` as runs
    /// make it (one allocation less per message), owned when read from a file.
    pub kind: std::borrow::Cow<'static, str>,
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
pub struct Hashed<'a> {
    pub seq: u64,
    pub time: Micros,
    #[serde(flatten)]
    pub kind: &'a EventKind,
    pub text: &'a str,
}

impl<'a> Hashed<'a> {
    pub fn of(event: &'a TraceEvent) -> Self {
        Hashed {
            seq: event.seq,
            time: event.time,
            kind: &event.kind,
            text: &event.text,
        }
    }
}

/// XXH64 over the canonical JSON lines of the run's events (each event's `Hashed`
/// form and a newline). A fingerprint for comparing runs, not a security hash: XXH64
/// is a published, fixed function, so the same run gives the same string on every
/// platform and in every version that makes the same events. It reads eight bytes at a
/// time; the byte-at-a-time FNV-1a used before cost a fifth of a run's time.
#[derive(Clone)]
pub struct TraceHasher {
    state: xxhash_rust::xxh64::Xxh64,
    /// Reused for each event's JSON, so hashing allocates nothing.
    line: Vec<u8>,
}

impl std::fmt::Debug for TraceHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher {
            state: xxhash_rust::xxh64::Xxh64::new(0),
            line: Vec::with_capacity(512),
        }
    }
}

impl TraceHasher {
    // Not inlined: one copy for all eight algorithms' kernels keeps the page small.
    #[inline(never)]
    pub fn absorb(&mut self, event: &TraceEvent) {
        let hashed = Hashed::of(event);
        self.line.clear();
        write_hashed(&mut self.line, &hashed);
        self.line.push(b'\n');
        self.state.update(&self.line);
    }

    #[inline(never)]
    pub fn hex(&self) -> String {
        format!("{:016x}", self.state.digest())
    }
}

/// `Hashed`'s canonical JSON. Sends, deliveries and timers, nearly every event of a
/// run, are written by hand, byte for byte what serde_json writes for them (a test
/// compares the two over every event of runs of every algorithm): serde's flattened,
/// tagged enum was the largest part of hashing. Every other event goes through
/// serde_json.
pub fn write_hashed(out: &mut Vec<u8>, e: &Hashed<'_>) {
    let head = |out: &mut Vec<u8>, tag: &str| {
        out.extend_from_slice(b"{\"seq\":");
        write_u64(out, e.seq);
        out.extend_from_slice(b",\"time\":");
        write_u64(out, e.time);
        out.extend_from_slice(b",\"type\":\"");
        out.extend_from_slice(tag.as_bytes());
        out.push(b'"');
    };
    match e.kind {
        EventKind::Send { msg } => {
            head(out, "send");
            out.extend_from_slice(b",\"msg\":{\"id\":");
            write_u64(out, msg.id);
            out.extend_from_slice(b",\"from\":");
            write_u64(out, msg.from.into());
            out.extend_from_slice(b",\"to\":");
            write_u64(out, msg.to.into());
            out.extend_from_slice(b",\"sent_at\":");
            write_u64(out, msg.sent_at);
            out.extend_from_slice(b",\"deliver_at\":");
            write_u64(out, msg.deliver_at);
            out.extend_from_slice(b",\"kind\":");
            write_str(out, &msg.kind);
            out.extend_from_slice(b",\"class\":\"");
            out.extend_from_slice(msg.class.as_str().as_bytes());
            out.extend_from_slice(b"\",\"term\":");
            match msg.term {
                Some(t) => write_u64(out, t),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"summary\":");
            write_str(out, &msg.summary);
            out.push(b'}');
        }
        EventKind::Deliver { id, from, to } => {
            head(out, "deliver");
            out.extend_from_slice(b",\"id\":");
            write_u64(out, *id);
            out.extend_from_slice(b",\"from\":");
            write_u64(out, (*from).into());
            out.extend_from_slice(b",\"to\":");
            write_u64(out, (*to).into());
        }
        EventKind::Timer { node, timer } => {
            head(out, "timer");
            out.extend_from_slice(b",\"node\":");
            write_u64(out, (*node).into());
            out.extend_from_slice(b",\"timer\":");
            write_str(out, timer);
        }
        _ => {
            // Serialising plain structs into a Vec cannot fail. Not `expect`: formatting
            // its error would link serde_json's error messages into the page's bundle.
            let _ = serde_json::to_writer(&mut *out, e);
            return;
        }
    }
    out.extend_from_slice(b",\"text\":");
    write_str(out, e.text);
    out.push(b'}');
}

fn write_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A JSON string as serde_json writes it: quotes, backslashes and control characters
/// escaped, everything else (all of UTF-8) as it is.
fn write_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
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
