//! Hirschberg-Sinclair ring: what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor};
use crate::settings::Setup;
use crate::sim::{Moment, MsgClass, RoleCategory};

impl Configure for HirschbergSinclair {
    fn configure(setup: &Setup<'_>) -> HsConfig {
        let s = setup.settings;
        HsConfig {
            order: crate::algo::ring::order_for(setup),
            election_timeout: crate::algo::timing::election_timeout(s),
            heartbeat: crate::algo::timing::heartbeat(s),
            // The slowest hop plus a millisecond, so that a reply arriving at the very
            // end of the latency range still beats the timer.
            hop_time: setup.latency.1 + MS,
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "hs",
    title: "Hirschberg-Sinclair ring",
    aka: Some("Hirschberg-Sinclair"),
    leadership: None,
    term_label: descriptor::no_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "election",
    moments: &[Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "probe"),
        (MsgClass::VoteGranted, "reply: no higher id on the way"),
        (MsgClass::VoteDenied, "outranked"),
        (MsgClass::Announce, "elected"),
        (MsgClass::Heartbeat, "heartbeat"),
    ],
    legend: crate::algo::ring::LEGEND,
    ring: Some(descriptor::Ring {
        kind: descriptor::RingKind::Bidirectional,
        order: crate::algo::ring::order_for,
    }),
    roles: &[
        ("idle", RoleCategory::Follower),
        ("candidate", RoleCategory::Candidate),
        ("waiting", RoleCategory::Follower),
        ("follower", RoleCategory::Follower),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: false,
    one_leader_per_term: <HirschbergSinclair as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <HirschbergSinclair as crate::sim::Algorithm>::SERVICE,
    settings: &[
        &crate::algo::ring::RING_ORDER,
        &crate::algo::timing::ELECTION_TIMEOUT,
        &crate::algo::timing::HEARTBEAT,
    ],
    scenarios: SCENARIOS,
    split_brain_cases: &[],
    explain_split: descriptor::explain_no_quorum,
    warnings: crate::algo::timing::warnings,
    simulation: descriptor::simulation::<HirschbergSinclair>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "hs-leader-crash",
        title: "Hirschberg-Sinclair: the leader crashes",
        text: "# The highest node leads; it crashes, probes in doubling distances find the\n\
               # next highest, routing around the dead node.\n\
               set algo hs\n\
               set nodes 6\n\
               at 2s crash n6\n",
    },
    Builtin {
        name: "hs-two-crashes",
        title: "Hirschberg-Sinclair: two crashes at once",
        text: "# The leader and a node inside the ring die together: probes must route round\n\
               # the dead n4 and n7 wins; when n8 restarts it takes over again.\n\
               set algo hs\n\
               set nodes 8\n\
               at 2s crash n8\n\
               at 2s crash n4\n\
               at 5s restart n8\n",
    },
];
