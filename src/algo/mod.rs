//! The election algorithms. Each is a pure state machine implementing
//! [`crate::sim::Algorithm`]; see ARCHITECTURE.md for how to add one.

pub mod bully;
pub mod chang_roberts;
pub mod hirschberg_sinclair;
pub mod lease;
pub mod paxos;
pub mod raft;
pub mod ring;
pub mod zab;
pub mod zk_recipe;

use crate::config::SimConfig;
use crate::sim::Algorithm;

/// How an algorithm takes its settings from the shared run description.
pub trait FromSimConfig: Algorithm {
    fn algo_config(cfg: &SimConfig) -> Self::Config;
}

impl FromSimConfig for raft::Raft {
    fn algo_config(cfg: &SimConfig) -> raft::RaftConfig {
        let mut c = raft::RaftConfig::default();
        c.election_timeout = cfg.election_timeout;
        c.heartbeat = cfg.heartbeat;
        c.prevote = cfg.prevote;
        c.check_quorum = cfg.check_quorum;
        // Only test builds know `bug=raft-echo`: the browser test of the kernel's
        // guard needs an engine that floods.
        #[cfg(feature = "bug-injection")]
        if cfg.bug.as_deref() == Some("raft-echo") {
            c = c.with_bug(raft::RaftBug::EchoEveryMessage);
        }
        c
    }
}

/// Calls `$body` with `$A` bound to the algorithm type chosen by an [`AlgoKind`]:
/// the one place that maps names to engines.
///
/// [`AlgoKind`]: crate::config::AlgoKind
#[macro_export]
macro_rules! with_algorithm {
    ($kind:expr, $A:ident => $body:expr) => {
        match $kind {
            $crate::config::AlgoKind::Raft => {
                type $A = $crate::algo::raft::Raft;
                $body
            }
            $crate::config::AlgoKind::Bully => {
                type $A = $crate::algo::bully::Bully;
                $body
            }
            $crate::config::AlgoKind::Ring => {
                type $A = $crate::algo::chang_roberts::ChangRoberts;
                $body
            }
            $crate::config::AlgoKind::Hs => {
                type $A = $crate::algo::hirschberg_sinclair::HirschbergSinclair;
                $body
            }
            $crate::config::AlgoKind::Paxos => {
                type $A = $crate::algo::paxos::Paxos;
                $body
            }
            $crate::config::AlgoKind::Lease => {
                type $A = $crate::algo::lease::Lease;
                $body
            }
            $crate::config::AlgoKind::Zab => {
                type $A = $crate::algo::zab::Zab;
                $body
            }
            $crate::config::AlgoKind::ZkRecipe => {
                type $A = $crate::algo::zk_recipe::ZkRecipe;
                $body
            }
        }
    };
}
