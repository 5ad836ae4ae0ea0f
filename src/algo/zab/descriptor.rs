//! ZAB (ZooKeeper): what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor, SplitBrain, SplitBrainCase};
use crate::settings::{Setting, SettingKind, Setup, Value};
use crate::sim::{Moment, MsgClass, RoleCategory};

/// ZAB has no election timeout: the same range is its syncLimit.
pub const SYNC_LIMIT: Setting = Setting {
    label: "syncLimit",
    about: "syncLimit: a follower that hears nothing from its leader this long goes back to LOOKING; a leader without a quorum for it steps down",
    ..crate::algo::timing::ELECTION_TIMEOUT
};

/// ZooKeeper's tick: how often an established leader pings its followers.
pub const TICK: Setting = Setting {
    label: "Tick (ping)",
    about: "ZooKeeper's tick: how often an established leader pings its followers",
    ..crate::algo::timing::HEARTBEAT
};

/// After fast leader election agrees on a quorum, how long to wait for a better vote.
pub const FINALIZE_WAIT: Setting = Setting {
    key: "finalize-wait",
    label: "Finalize wait",
    about: "after a quorum agrees, how long a server waits for a better vote before deciding",
    default: Value::Duration(200 * MS),
    kind: SettingKind::Duration {
        min: 0,
        max: crate::settings::MAX_SETTING,
        presets: &["0ms", "50ms", "200ms", "500ms"],
    },
};

fn explain_split(split: &SplitBrain<'_>) -> String {
    if split.stale.is_empty() {
        return String::new();
    }
    let g = split.grammar();
    format!(
        "; {} {} stale: a quorum has accepted {}, so nothing {} proposes can commit, and {} will step down once {} has heard from no quorum for syncLimit",
        split.stale_names(),
        g.is,
        split.newest,
        g.it,
        g.it,
        g.it
    )
}

impl Configure for Zab {
    fn configure(setup: &Setup<'_>) -> ZabConfig {
        let s = setup.settings;
        ZabConfig {
            tick: s.duration(&TICK),
            sync_limit: s.range(&SYNC_LIMIT),
            finalize_wait: s.duration(&FINALIZE_WAIT),
            // ZooKeeper doubles the notification timeout up to 60 s; scaled down to
            // the simulator's time scale so a lossy run still retries within seconds.
            max_notification_timeout: SEC,
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "zab",
    title: "ZAB (ZooKeeper)",
    aka: Some("ZooKeeper"),
    leadership: Some("epoch"),
    term_label: <Zab as crate::sim::Algorithm>::term_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "sync",
    moments: &[Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "Notification (a vote while LOOKING)"),
        (MsgClass::VoteGranted, "FollowerInfo, AckEpoch"),
        (MsgClass::Announce, "NewEpoch"),
        (MsgClass::Append, "NewLeader, Proposal"),
        (MsgClass::Reply, "Ack"),
        (MsgClass::Heartbeat, "Ping"),
        (MsgClass::Other, "Commit"),
    ],
    legend: "Numbers on messages are epochs. For ZAB the ring drains until a follower gives up on its leader and goes LOOKING. Servers are LOOKING (voting: the caption shows the proposed leader and its zxid), FOLLOWING or LEADING; the star appears only once a leader has established its epoch with a quorum.",
    ring: None,
    roles: &[
        ("looking", RoleCategory::Candidate),
        ("following", RoleCategory::Follower),
        ("leading", RoleCategory::Leader),
    ],
    proposal_role: Some("looking"),
    quorum: true,
    one_leader_per_term: <Zab as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <Zab as crate::sim::Algorithm>::SERVICE,
    settings: &[&SYNC_LIMIT, &TICK, &FINALIZE_WAIT],
    scenarios: SCENARIOS,
    split_brain_cases: &[SplitBrainCase {
        scenario: "zab-minority-leader",
        shows: "the minority leader loses its quorum and steps down",
    }],
    explain_split,
    warnings: crate::algo::timing::warnings,
    simulation: descriptor::simulation::<Zab>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "zab-leader-crash",
        title: "ZAB: the leader crashes",
        text: "# The leader crashes after two writes. The survivors go LOOKING and vote; votes are\n\
               # ordered by epoch, then zxid, then id, so the winner holds the most recent\n\
               # history. It must then establish a new epoch with a quorum before it serves.\n\
               set algo zab\n\
               at 1s write leader\n\
               at 1.2s write leader\n\
               at 2s crash leader\n\
               at 3.5s write leader\n",
    },
    Builtin {
        name: "zab-minority-leader",
        title: "ZAB: a leader cut off in a minority",
        text: "# n5 leads; the network cuts n4 and n5 off from the other three. n5 takes a write\n\
               # it cannot commit, hears from no quorum within syncLimit and steps down to\n\
               # LOOKING. The majority elects a leader for a higher epoch. After the heal n4\n\
               # and n5 join it and n5's uncommitted write is dropped.\n\
               set algo zab\n\
               at 1s write leader\n\
               at 2s partition n4,n5 | n1,n2,n3\n\
               at 2.1s write n5\n\
               at 3.5s write leader\n\
               at 5s heal\n",
    },
    Builtin {
        name: "zab-highest-zxid",
        title: "ZAB: the most recent history wins, not the highest id",
        text: "# n4 is cut off while two writes commit without it. As the network heals the\n\
               # leader n5 crashes: n4 has the highest id left, but its zxid is older, so the\n\
               # vote order (epoch, zxid, id) elects n3, which holds every committed write.\n\
               set algo zab\n\
               at 1s partition n4 | n1,n2,n3,n5\n\
               at 1.2s write leader\n\
               at 1.4s write leader\n\
               at 2s heal\n\
               at 2s crash leader\n\
               at 3.5s write leader\n",
    },
];
