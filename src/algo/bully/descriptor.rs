//! Bully: what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor, SplitBrainCase};
use crate::settings::Setup;
use crate::sim::{Moment, MsgClass, RoleCategory};

impl Configure for Bully {
    fn configure(setup: &Setup<'_>) -> BullyConfig {
        let s = setup.settings;
        let election_timeout = crate::algo::timing::election_timeout(s);
        // A round trip at the slowest latency, plus slack for the step itself.
        let answer_timeout = setup.latency.1 * 2 + 10 * MS;
        BullyConfig {
            election_timeout,
            heartbeat: crate::algo::timing::heartbeat(s),
            answer_timeout,
            // The highest live node hears our ELECTION, runs its own answer wait and
            // announces: that takes under two answer timeouts after our ANSWER came.
            coordinator_timeout: election_timeout.1.max(2 * answer_timeout),
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "bully",
    title: "Bully",
    aka: None,
    leadership: None,
    term_label: descriptor::no_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "election",
    moments: &[Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "Election: is any higher node alive?"),
        (MsgClass::VoteDenied, "Answer: a higher node is alive"),
        (MsgClass::Announce, "Coordinator"),
        (MsgClass::Heartbeat, "heartbeat"),
    ],
    legend: "Bully has no terms; a node's caption says whom it takes for leader.",
    ring: None,
    roles: &[
        ("follower", RoleCategory::Follower),
        ("candidate", RoleCategory::Candidate),
        ("waiting", RoleCategory::Follower),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: false,
    one_leader_per_term: <Bully as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <Bully as crate::sim::Algorithm>::SERVICE,
    settings: &[
        &crate::algo::timing::ELECTION_TIMEOUT,
        &crate::algo::timing::HEARTBEAT,
    ],
    scenarios: SCENARIOS,
    split_brain_cases: &[SplitBrainCase {
        scenario: "bully-partition",
        shows: "no quorum: each side elects its own leader",
    }],
    explain_split: descriptor::explain_no_quorum,
    warnings: crate::algo::timing::warnings,
    simulation: descriptor::simulation::<Bully>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "bully-partition",
        title: "Bully: split brain under a partition",
        text: "# Bully has no quorum: cut in two, each side elects its own highest id.\n\
               # n3 leads n1 and n2 while n5 keeps leading n4 (split brain, reported). When\n\
               # the network heals, n5 hears n3's heartbeat and bullies it; n3 steps down.\n\
               set algo bully\n\
               at 1s partition n1,n2,n3 | n4,n5\n\
               at 3s heal\n",
    },
    Builtin {
        name: "bully-flapping",
        title: "Bully: a slow high id keeps disrupting",
        text: "# n5 freezes again and again (long GC pauses). Each time its followers time\n\
               # out and elect n4; each time n5 wakes up it bullies its way back: leadership\n\
               # flaps with every pause.\n\
               set algo bully\n\
               at 1s pause n5 for 600ms\n\
               at 2s pause n5 for 600ms\n\
               at 3s pause n5 for 600ms\n\
               at 4s pause n5 for 600ms\n",
    },
    Builtin {
        name: "bully-lowest-detects",
        title: "Bully: the lowest id detects the crash",
        text: "# Worst case: the lowest id is the first to notice the leader's crash. Its\n\
               # ELECTION wakes every higher node, each of which answers and runs its own\n\
               # election: 15 ELECTIONs (6*5/2) and 10 ANSWERs before n5 declares itself.\n\
               set algo bully\n\
               set nodes 6\n\
               set election-timeout 5-6s\n\
               set heartbeat 1s\n\
               set latency 10-10ms\n\
               at 2s crash n6\n\
               at 2.1s timeout n1\n",
    },
];
