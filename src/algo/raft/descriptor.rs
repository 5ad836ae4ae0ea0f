//! Raft: what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor, SplitBrainCase};
use crate::settings::{Setting, SettingKind, Setup, Value};
use crate::sim::{Moment, MsgClass, RoleCategory};

/// Campaign only after a majority says it would vote (Raft thesis §9.6, etcd).
pub const PREVOTE: Setting = Setting {
    key: "prevote",
    label: "PreVote",
    about: "campaign only after a majority says it would vote (Raft thesis 9.6, etcd)",
    default: Value::Switch(false),
    kind: SettingKind::Switch {
        on: "on",
        off: "off",
    },
};

/// Leaders step down without a quorum; followers in contact with a leader ignore
/// disruptive vote requests.
pub const CHECK_QUORUM: Setting = Setting {
    key: "check-quorum",
    label: "CheckQuorum",
    about: "leaders step down without a quorum; followers that hear a leader ignore disruptive vote requests (etcd)",
    default: Value::Switch(false),
    kind: SettingKind::Switch {
        on: "on",
        off: "off",
    },
};

impl Configure for Raft {
    fn configure(setup: &Setup<'_>) -> RaftConfig {
        let s = setup.settings;
        #[allow(unused_mut)]
        let mut config = RaftConfig {
            election_timeout: crate::algo::timing::election_timeout(s),
            heartbeat: crate::algo::timing::heartbeat(s),
            prevote: s.switch(&PREVOTE),
            check_quorum: s.switch(&CHECK_QUORUM),
            bugs: Bugs::default(),
        };
        // Only test builds know `bug=raft-echo`: the browser test of the kernel's
        // guard needs an engine that floods.
        #[cfg(feature = "bug-injection")]
        if setup.bug == Some("raft-echo") {
            config = config.with_bug(RaftBug::EchoEveryMessage);
        }
        config
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "raft",
    title: "Raft",
    aka: None,
    leadership: Some("term"),
    term_label: <Raft as crate::sim::Algorithm>::term_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "election",
    moments: &[Moment::SplitVote, Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "RequestVote"),
        (MsgClass::VoteGranted, "vote granted"),
        (MsgClass::VoteDenied, "vote denied"),
        (
            MsgClass::Heartbeat,
            "heartbeat (AppendEntries with no entries)",
        ),
        (MsgClass::Append, "AppendEntries with entries"),
        (MsgClass::Reply, "AppendEntries reply"),
    ],
    legend: "Numbers on messages are terms.",
    ring: None,
    roles: &[
        ("follower", RoleCategory::Follower),
        ("pre-candidate", RoleCategory::PreCandidate),
        ("candidate", RoleCategory::Candidate),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: true,
    one_leader_per_term: <Raft as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <Raft as crate::sim::Algorithm>::SERVICE,
    settings: &[
        &crate::algo::timing::ELECTION_TIMEOUT,
        &crate::algo::timing::HEARTBEAT,
        &PREVOTE,
        &CHECK_QUORUM,
    ],
    scenarios: SCENARIOS,
    split_brain_cases: &[
        SplitBrainCase {
            scenario: "leader-partition",
            shows: "the cut-off leader cannot commit; a higher term takes over",
        },
        SplitBrainCase {
            scenario: "raft-paused-leader",
            shows: "a frozen leader wakes and finishes its write",
        },
        SplitBrainCase {
            scenario: "raft-paused-leader-fenced",
            shows: "the same late write, turned away by its token",
        },
        SplitBrainCase {
            scenario: "raft-stonith",
            shows: "the frozen leader is powered off before the takeover",
        },
    ],
    explain_split: descriptor::explain_majority_moved_on,
    warnings: crate::algo::timing::warnings,
    simulation: descriptor::simulation::<Raft>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "leader-crash",
        title: "Leader crash",
        text: "# The leader crashes. The followers hear no heartbeat, time out and elect a new\n\
               # leader in a higher term; later the old leader restarts as a follower.\n\
               set algo raft\n\
               at 1s write leader\n\
               at 2s crash leader\n\
               at 3s write leader\n",
    },
    Builtin {
        name: "split-vote",
        title: "Split vote",
        text: "# Three of four nodes time out at the same instant. Each votes for itself, so\n\
               # nobody can reach 3 votes in term 1; fresh random timeouts settle term 2.\n\
               set algo raft\n\
               set nodes 4\n\
               at 10ms timeout n1\n\
               at 10ms timeout n2\n\
               at 10ms timeout n3\n",
    },
    Builtin {
        name: "minority-partition",
        title: "Minority partition",
        text: "# Two nodes are cut off from three. Only the side with a majority can elect a\n\
               # leader and commit; the minority side keeps campaigning in vain until heal.\n\
               set algo raft\n\
               at 1s partition n1,n2 | n3,n4,n5\n\
               at 2s write n3\n\
               at 2s write n4\n\
               at 2s write n5\n\
               at 5s heal\n",
    },
    Builtin {
        name: "leader-partition",
        title: "Partitioned leader",
        text: "# The leader is cut off alone. It keeps believing it leads (a stale leader) but\n\
               # cannot commit; the majority elects a new leader in a higher term. When the\n\
               # partition heals, the old leader sees the higher term and steps down.\n\
               set algo raft\n\
               at 1s write leader\n\
               at 2s isolate leader\n\
               at 3.5s write leader\n\
               at 6s heal\n",
    },
    Builtin {
        name: "raft-paused-leader",
        title: "Raft: a frozen leader's late write (no fencing)",
        text: "# The leader writes to a shared storage every 100 ms. It freezes mid-write for\n\
               # 1.5 s (a long GC pause); the others elect a leader in a higher term, which\n\
               # writes too. Waking, the old leader finishes its write before it notices\n\
               # anything: without fencing the storage takes it and the new leader's data is\n\
               # overwritten, a lost update. Raft's own log stays safe; the storage does not.\n\
               set algo raft\n\
               set storage unfenced\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "raft-paused-leader-fenced",
        title: "Raft: fencing tokens turn the late write away",
        text: "# The same frozen leader, but every write carries the writer's term as a fencing\n\
               # token and the storage refuses any token below the highest it has accepted.\n\
               # The new leader's first write raises the bar; the old leader's late write is\n\
               # refused and no update is lost.\n\
               set algo raft\n\
               set storage fenced\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "raft-stonith",
        title: "Raft: STONITH powers the frozen leader off",
        text: "# No fencing, but STONITH: before the new leader takes over, a power switch\n\
               # turns off the node that still believes it leads. The frozen leader never\n\
               # wakes to write; it stays off until someone restarts it.\n\
               set algo raft\n\
               set storage unfenced\n\
               set stonith on\n\
               at 1s pause leader for 1500ms\n",
    },
];
