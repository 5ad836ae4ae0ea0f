//! Chang-Roberts ring: what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor};
use crate::settings::Setup;
use crate::sim::{Moment, MsgClass, RoleCategory};

impl Configure for ChangRoberts {
    fn configure(setup: &Setup<'_>) -> ChangRobertsConfig {
        let s = setup.settings;
        ChangRobertsConfig {
            order: crate::algo::ring::order_for(setup),
            election_timeout: crate::algo::timing::election_timeout(s),
            heartbeat: crate::algo::timing::heartbeat(s),
            // A hop and its ACK each take at most the slowest latency; the margin
            // covers both being drawn at the maximum in the same instant.
            ack_timeout: 2 * setup.latency.1 + 10 * MS,
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "ring",
    title: "Chang-Roberts ring",
    aka: Some("Chang-Roberts"),
    leadership: None,
    term_label: descriptor::no_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "election",
    moments: &[Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "election token"),
        (MsgClass::Announce, "elected"),
        (MsgClass::Reply, "ack"),
        (MsgClass::Heartbeat, "heartbeat"),
    ],
    legend: crate::algo::ring::LEGEND,
    ring: Some(descriptor::Ring {
        kind: descriptor::RingKind::Unidirectional,
        order: crate::algo::ring::order_for,
    }),
    roles: &[
        ("idle", RoleCategory::Follower),
        ("candidate", RoleCategory::Candidate),
        ("follower", RoleCategory::Follower),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: false,
    one_leader_per_term: <ChangRoberts as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <ChangRoberts as crate::sim::Algorithm>::SERVICE,
    settings: &[
        &crate::algo::ring::RING_ORDER,
        &crate::algo::timing::ELECTION_TIMEOUT,
        &crate::algo::timing::HEARTBEAT,
    ],
    scenarios: SCENARIOS,
    split_brain_cases: &[],
    explain_split: descriptor::explain_no_quorum,
    warnings: crate::algo::timing::warnings,
    simulation: descriptor::simulation::<ChangRoberts>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "ring-worst-case",
        title: "Chang-Roberts: worst-case arrangement",
        text: "# Ids decrease along the ring, and everyone starts at once: token k travels k\n\
               # hops before a larger id swallows it, N(N+1)/2 = 36 ELECTION messages for\n\
               # 8 nodes. Switch the arrangement to ascending for the best case, 2N-1 = 15.\n\
               set algo ring\n\
               set nodes 8\n\
               set ring-order descending\n\
               set latency 10-10ms\n",
    },
    Builtin {
        name: "ring-repair",
        title: "Chang-Roberts: repairing the ring",
        text: "# n3 crashes while the first tokens are in flight. n2 gets no acknowledgement\n\
               # from it, skips it and sends to n4; later tokens and the ELECTED lap skip n3\n\
               # too. n6 still wins.\n\
               set algo ring\n\
               set nodes 6\n\
               set latency 10ms\n\
               set ring-order ascending\n\
               at 5ms crash n3\n",
    },
    Builtin {
        name: "ring-leader-crash",
        title: "Chang-Roberts: the leader crashes",
        text: "# The leader n6 crashes. Its heartbeats stop, a follower times out and starts\n\
               # an election; ELECTION tokens skip the dead n6 and n5, the highest live id,\n\
               # wins.\n\
               set algo ring\n\
               set nodes 6\n\
               at 1s crash n6\n",
    },
];
