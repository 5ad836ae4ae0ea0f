//! Key moments: the events a lesson stops at and the time slider marks. The kernel
//! marks those it can see in any algorithm (a leader elected, two leaders at once, a
//! refused write, a power-off, a livelock, a lost quorum); each engine marks its own
//! with `Context::moment` and lists them in its descriptor.
//!
//! A moment rides on the trace event that narrates it and, like a fact, is derived:
//! the fingerprint does not cover it, so marking more moments never changes a run.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Moment {
    /// A node began to lead.
    LeaderElected,
    /// A candidate heard from a majority, yet nobody won its term.
    SplitVote,
    /// A leader or candidate gave its role up.
    StepDown,
    /// Two nodes believe they lead at once: one of them is stale.
    StaleLeader,
    /// The storage turned a deposed leader's write away by its fencing token.
    WriteRefused,
    /// Without fencing, a deposed leader's write overwrote newer data.
    LostUpdate,
    /// One change woke many waiting clients at once.
    HerdBurst,
    /// STONITH powered a node off before its successor took over.
    PoweredOff,
    /// A leader's lease ran out.
    LeaseExpired,
    /// A node took a lease over.
    LeaseTakeover,
    /// A higher ballot cut a proposer's round off.
    Preempted,
    /// Elections keep starting and none ends with a leader.
    Livelock,
    /// No group of running, connected nodes holds a majority any more.
    QuorumLost,
}

impl Moment {
    pub const ALL: [Moment; 13] = [
        Moment::LeaderElected,
        Moment::SplitVote,
        Moment::StepDown,
        Moment::StaleLeader,
        Moment::WriteRefused,
        Moment::LostUpdate,
        Moment::HerdBurst,
        Moment::PoweredOff,
        Moment::LeaseExpired,
        Moment::LeaseTakeover,
        Moment::Preempted,
        Moment::Livelock,
        Moment::QuorumLost,
    ];

    /// What the kernel marks for every algorithm. The storage's and STONITH's
    /// moments happen only with those defences on; the livelock and the lost quorum
    /// only where faults allow them.
    pub const KERNEL: [Moment; 7] = [
        Moment::LeaderElected,
        Moment::StaleLeader,
        Moment::WriteRefused,
        Moment::LostUpdate,
        Moment::PoweredOff,
        Moment::Livelock,
        Moment::QuorumLost,
    ];

    /// The name lessons and links use (`split-vote`).
    pub fn key(self) -> &'static str {
        match self {
            Moment::LeaderElected => "leader-elected",
            Moment::SplitVote => "split-vote",
            Moment::StepDown => "step-down",
            Moment::StaleLeader => "stale-leader",
            Moment::WriteRefused => "write-refused",
            Moment::LostUpdate => "lost-update",
            Moment::HerdBurst => "herd-burst",
            Moment::PoweredOff => "powered-off",
            Moment::LeaseExpired => "lease-expired",
            Moment::LeaseTakeover => "lease-takeover",
            Moment::Preempted => "preempted",
            Moment::Livelock => "livelock",
            Moment::QuorumLost => "quorum-lost",
        }
    }

    pub fn from_key(key: &str) -> Option<Moment> {
        Moment::ALL.into_iter().find(|m| m.key() == key)
    }

    /// A short label for markers and lists.
    pub fn label(self) -> &'static str {
        match self {
            Moment::LeaderElected => "leader elected",
            Moment::SplitVote => "split vote",
            Moment::StepDown => "step-down",
            Moment::StaleLeader => "stale leader",
            Moment::WriteRefused => "write refused",
            Moment::LostUpdate => "lost update",
            Moment::HerdBurst => "herd burst",
            Moment::PoweredOff => "powered off",
            Moment::LeaseExpired => "lease expired",
            Moment::LeaseTakeover => "lease taken over",
            Moment::Preempted => "preempted",
            Moment::Livelock => "livelock",
            Moment::QuorumLost => "quorum lost",
        }
    }

    /// Whether the moment is one a teacher wants to stop at because something went
    /// wrong (drawn in the warning colour).
    pub fn is_trouble(self) -> bool {
        matches!(
            self,
            Moment::StaleLeader
                | Moment::LostUpdate
                | Moment::HerdBurst
                | Moment::Livelock
                | Moment::QuorumLost
                | Moment::SplitVote
        )
    }
}

/// A moment on the time slider: when, which, and the narration line that tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MomentMark {
    pub time: super::time::Micros,
    /// The trace event's sequence number.
    pub seq: u64,
    pub moment: Moment,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_moment_has_one_key_that_reads_back() {
        let mut keys: Vec<&str> = Moment::ALL.iter().map(|m| m.key()).collect();
        for m in Moment::ALL {
            assert_eq!(Moment::from_key(m.key()), Some(m));
            assert!(!m.label().is_empty());
        }
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Moment::ALL.len());
        assert_eq!(Moment::from_key("leader"), None);
    }
}
