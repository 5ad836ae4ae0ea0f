//! The shared storage leaders write to, and the defences against split brain that
//! protect it: fencing tokens and STONITH.
//!
//! This lives in the kernel, not in any algorithm, because it is the same for all of
//! them: whoever believes it leads does its job by writing to one storage node, and
//! the write carries the leadership's number (`Algorithm::leadership`: a term, an
//! epoch, a ballot, a sequence number, a revision) as its fencing token. The
//! storage is reachable from every node (it sits outside any partition), exactly the
//! setting in which a deposed leader that still believes it leads does damage.

use super::algorithm::NodeId;
use super::time::{MS, Micros};
use serde::{Deserialize, Serialize};

/// The storage's address on the wire: node ids start at 1, so 0 is free.
pub const STORAGE: NodeId = 0;

/// How often a leader writes to the storage (on its own clock).
pub const WRITE_EVERY: Micros = 100 * MS;

/// How many recent writes the storage shows.
const RECENT: usize = 6;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageMode {
    /// No storage: leaders only lead.
    #[default]
    Off,
    /// Leaders write; the storage accepts every write (the lost update is detected).
    Unfenced,
    /// Leaders write with a token; the storage rejects any token below the highest
    /// it has accepted.
    Fenced,
}

impl StorageMode {
    pub const ALL: [StorageMode; 3] =
        [StorageMode::Off, StorageMode::Unfenced, StorageMode::Fenced];

    pub fn name(self) -> &'static str {
        match self {
            StorageMode::Off => "off",
            StorageMode::Unfenced => "unfenced",
            StorageMode::Fenced => "fenced",
        }
    }

    pub fn parse(text: &str) -> Result<StorageMode, String> {
        let t = text.trim().to_ascii_lowercase();
        StorageMode::ALL
            .into_iter()
            .find(|m| m.name() == t)
            .ok_or_else(|| format!("unknown storage mode '{text}' (known: off, unfenced, fenced)"))
    }
}

/// The kernel's defences against split brain, shared by every algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defences {
    pub storage: StorageMode,
    /// Shoot The Other Node In The Head: before a node is promoted, a power switch
    /// turns off every other node that still believes it leads.
    pub stonith: bool,
}

/// One write as the storage judged it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteOutcome {
    pub at: Micros,
    pub from: NodeId,
    /// `None` for a leader without a leadership number (Bully, the rings).
    pub token: Option<u64>,
    /// The write's sequence number (writes are numbered as they are sent).
    pub write: u64,
    pub accepted: bool,
    /// Accepted although a higher token had been accepted before: the newer
    /// leadership's data was overwritten by a superseded one.
    pub lost_update: bool,
}

/// What the UI draws of the storage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageView {
    pub fenced: bool,
    pub highest_token: Option<u64>,
    /// The write whose data the storage holds now.
    pub holds: Option<WriteOutcome>,
    pub accepted: u64,
    pub rejected: u64,
    pub lost_updates: u64,
    /// Newest last.
    pub recent: Vec<WriteOutcome>,
    /// Kept apart from `recent`, which a busy leader scrolls past within a fraction of
    /// a second: the moments fencing exists for stay on screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refused: Option<WriteOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_lost: Option<WriteOutcome>,
}

#[derive(Clone, Debug, Default)]
pub struct Storage {
    view: StorageView,
}

impl Storage {
    pub fn new(fenced: bool) -> Self {
        Storage {
            view: StorageView {
                fenced,
                ..StorageView::default()
            },
        }
    }

    pub fn view(&self) -> &StorageView {
        &self.view
    }

    /// Judges one arriving write. Fencing compares numbers only: a token equal to the
    /// highest is the same leadership writing again, and a write without a token
    /// cannot be judged, so both are accepted.
    pub fn receive(
        &mut self,
        at: Micros,
        from: NodeId,
        token: Option<u64>,
        write: u64,
    ) -> WriteOutcome {
        let v = &mut self.view;
        let below = matches!((token, v.highest_token), (Some(t), Some(h)) if t < h);
        let accepted = !(v.fenced && below);
        let outcome = WriteOutcome {
            at,
            from,
            token,
            write,
            accepted,
            lost_update: accepted && below,
        };
        if accepted {
            v.accepted += 1;
            v.lost_updates += outcome.lost_update as u64;
            if let Some(t) = token {
                v.highest_token = Some(v.highest_token.map_or(t, |h| h.max(t)));
            }
            v.holds = Some(outcome.clone());
            if outcome.lost_update {
                v.last_lost = Some(outcome.clone());
            }
        } else {
            v.rejected += 1;
            v.last_refused = Some(outcome.clone());
        }
        v.recent.push(outcome.clone());
        if v.recent.len() > RECENT {
            v.recent.remove(0);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_storage_rejects_a_lower_token_and_unfenced_reports_the_lost_update() {
        for fenced in [true, false] {
            let mut s = Storage::new(fenced);
            assert!(s.receive(1, 1, Some(4), 1).accepted);
            assert!(s.receive(2, 2, Some(5), 2).accepted);
            let stale = s.receive(3, 1, Some(4), 3);
            assert_eq!(stale.accepted, !fenced);
            assert_eq!(stale.lost_update, !fenced);
            assert_eq!(s.view().highest_token, Some(5));
            assert_eq!(
                s.view().holds.as_ref().unwrap().from,
                if fenced { 2 } else { 1 }
            );
            assert_eq!(
                (s.view().rejected, s.view().lost_updates),
                if fenced { (1, 0) } else { (0, 1) }
            );
            // The verdict that matters stays, however many writes follow it.
            for w in 4..40 {
                s.receive(w, 2, Some(5), w);
            }
            let kept = if fenced {
                &s.view().last_refused
            } else {
                &s.view().last_lost
            };
            assert_eq!(kept.as_ref().map(|o| o.write), Some(3));
            assert!(!s.view().recent.iter().any(|o| o.write == 3));
        }
    }

    #[test]
    fn equal_tokens_and_missing_tokens_are_accepted() {
        let mut s = Storage::new(true);
        assert!(s.receive(1, 1, Some(3), 1).accepted);
        assert!(s.receive(2, 1, Some(3), 2).accepted);
        assert!(s.receive(3, 2, None, 3).accepted);
        assert_eq!(s.view().highest_token, Some(3));
    }

    #[test]
    fn storage_modes_parse_and_name_the_known_ones_on_error() {
        assert_eq!(StorageMode::parse(" Fenced "), Ok(StorageMode::Fenced));
        let err = StorageMode::parse("maybe").unwrap_err();
        assert!(err.contains("'maybe'") && err.contains("unfenced"), "{err}");
    }
}
