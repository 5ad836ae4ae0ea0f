//! Paxos: what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor, SplitBrain};
use crate::settings::{Setting, SettingKind, Setup, Value};
use crate::sim::{Moment, MsgClass, RoleCategory};

/// A pre-empted proposer waits a random time before retrying. Off, duelling
/// proposers can pre-empt each other indefinitely.
pub const BACKOFF: Setting = Setting {
    key: "backoff",
    label: "Randomized backoff",
    about: "a pre-empted proposer waits a random time before retrying; without it, duelling proposers can pre-empt each other for ever",
    default: Value::Switch(true),
    kind: SettingKind::Switch {
        on: "random",
        off: "none",
    },
};

/// A ballot on a message dot: `round.node`.
fn message_label(term: u64) -> String {
    let b = Ballot::decode(term);
    format!("{}.{}", b.round, b.node)
}

fn explain_split(split: &SplitBrain<'_>) -> String {
    if split.stale.is_empty() {
        return String::new();
    }
    let g = split.grammar();
    format!(
        "; {} {} stale: a majority has promised {}, so every Accept {} sends is refused",
        split.stale_names(),
        g.is,
        split.newest,
        g.it
    )
}

impl Configure for Paxos {
    fn configure(setup: &Setup<'_>) -> PaxosConfig {
        let s = setup.settings;
        let election_timeout = crate::algo::timing::election_timeout(s);
        PaxosConfig {
            election_timeout,
            heartbeat: crate::algo::timing::heartbeat(s),
            // One knob for "how long to stay quiet": the spread of the election timeout
            // is already sized to let one node get ahead of the others.
            backoff: election_timeout,
            randomized_backoff: s.switch(&BACKOFF),
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "paxos",
    title: "Paxos",
    aka: None,
    leadership: Some("ballot"),
    term_label: <Paxos as crate::sim::Algorithm>::term_label,
    message_label,
    vote_word: "promised",
    countdown_timer: "election",
    moments: &[Moment::Preempted, Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "Prepare (phase 1a)"),
        (MsgClass::VoteGranted, "Promise"),
        (MsgClass::VoteDenied, "Nack: a higher ballot was promised"),
        (MsgClass::Append, "Accept (phase 2a)"),
        (MsgClass::Reply, "Accepted"),
        (MsgClass::Heartbeat, "leader heartbeat"),
    ],
    legend: "Numbers on messages are ballots (round.node); a node's caption is the ballot it promised.",
    ring: None,
    roles: &[
        ("follower", RoleCategory::Follower),
        ("candidate", RoleCategory::Candidate),
        ("waiting", RoleCategory::Follower),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: true,
    one_leader_per_term: <Paxos as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <Paxos as crate::sim::Algorithm>::SERVICE,
    settings: &[
        &crate::algo::timing::ELECTION_TIMEOUT,
        &crate::algo::timing::HEARTBEAT,
        &BACKOFF,
    ],
    scenarios: SCENARIOS,
    split_brain_cases: &[],
    explain_split,
    warnings: crate::algo::timing::warnings,
    simulation: descriptor::simulation::<Paxos>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "paxos-duel",
        title: "Paxos: duelling proposers",
        text: "# Two nodes start phase 1 at the same instant. Each Prepare pre-empts the other's\n\
               # ballot; a pre-empted proposer backs off for a random while, and the one that\n\
               # retries first wins a majority of promises and leads.\n\
               set algo paxos\n\
               at 1s timeout n1\n\
               at 1s timeout n2\n\
               at 2s write leader\n",
    },
    Builtin {
        name: "paxos-duel-no-backoff",
        title: "Paxos: duel without backoff",
        text: "# The same duel with randomized backoff turned off: each proposer retries at\n\
               # once with a higher ballot, pre-empting the other again and again. Nobody\n\
               # leads for long: this livelock is why Paxos needs a random backoff.\n\
               set algo paxos\n\
               set backoff none\n\
               at 1s timeout n1\n\
               at 1s timeout n2\n",
    },
    Builtin {
        name: "paxos-leader-crash",
        title: "Paxos: a new leader keeps what may be chosen",
        text: "# The leader crashes 10ms after sending Accept for write #1. The next leader\n\
               # learns from the promises that write #1 was accepted and must re-propose it\n\
               # before anything else: a value that may have been chosen is never replaced.\n\
               set algo paxos\n\
               at 1s write leader\n\
               at 1.01s crash leader\n\
               at 2s write leader\n",
    },
    Builtin {
        name: "paxos-stale-leader",
        title: "Paxos: a cut-off leader",
        text: "# The leader is cut off and takes write #1 alone: no majority will accept it.\n\
               # The others elect a leader with a higher ballot and choose write #2; after\n\
               # the heal the old leader is refused and follows. Nothing chosen is lost.\n\
               set algo paxos\n\
               at 1s isolate leader\n\
               at 1.1s write leader\n\
               at 1.5s write leader\n\
               at 3s heal\n",
    },
];
