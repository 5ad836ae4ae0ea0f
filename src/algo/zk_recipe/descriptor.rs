//! ZooKeeper recipe: what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor, SplitBrain, SplitBrainCase};
use crate::settings::{Choice, Setting, SettingKind, Setup, Value};
use crate::sim::{Moment, MsgClass, RoleCategory};

/// A client that sends nothing for this long loses its session, and with it its znode.
pub const SESSION_TIMEOUT: Setting = Setting {
    key: "session-timeout",
    label: "Session timeout",
    about: "a client that sends nothing for this long loses its session, and with it its znode",
    default: Value::Duration(600 * MS),
    kind: SettingKind::Duration {
        // Clients ping every third of it; below 3us a ping interval is zero.
        min: 3,
        max: crate::settings::MAX_SETTING,
        presets: &["300ms", "600ms", "1s", "2s"],
    },
};

/// What a waiting client watches: its predecessor (the recipe) or the leader (the herd).
pub const WATCH: Setting = Setting {
    key: "watch",
    label: "Each client watches",
    about: "what a waiting client watches: its predecessor (the recipe) or the leader's znode, which wakes every client at once (the herd effect)",
    default: Value::Choice("predecessor"),
    kind: SettingKind::Choice(&[
        Choice {
            name: "predecessor",
            label: "its predecessor",
            aliases: &[],
        },
        Choice {
            name: "leader",
            label: "the leader (herd)",
            aliases: &[],
        },
    ]),
};

fn no_warnings(_: &Setup<'_>) -> Vec<String> {
    Vec::new()
}

/// The recipe's hazard is not a partition crowning two leaders but a leader that
/// cannot know its session is gone (frozen, or cut off from zk).
fn explain_split(split: &SplitBrain<'_>) -> String {
    if split.stale.is_empty() {
        return String::new();
    }
    let g = split.grammar();
    format!(
        "; {} {is} stale: zk expired {its} session and deleted {its} znode, but {it} \
         will not know until {it} next hears from zk. Only a fencing token (the \
         znode's sequence number) keeps {its} writes out",
        split.stale_names(),
        is = g.is,
        its = g.its,
        it = g.it,
    )
}

impl Configure for ZkRecipe {
    fn configure(setup: &Setup<'_>) -> ZkConfig {
        let s = setup.settings;
        ZkConfig {
            session_timeout: s.duration(&SESSION_TIMEOUT),
            watch: WatchMode::parse(s.choice(&WATCH)).unwrap_or_default(),
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "zk-recipe",
    title: "ZooKeeper recipe",
    aka: Some("ZooKeeper's recipe"),
    leadership: Some("znode"),
    term_label: <ZkRecipe as crate::sim::Algorithm>::term_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "election",
    moments: &[Moment::HerdBurst, Moment::StepDown],
    messages: &[
        (MsgClass::VoteRequest, "create a znode"),
        (MsgClass::VoteGranted, "znode created"),
        (MsgClass::VoteDenied, "session expired"),
        (MsgClass::Announce, "watch event"),
        (MsgClass::Reply, "children, exists replies"),
        (MsgClass::Heartbeat, "session ping"),
        (MsgClass::Other, "connect, list, exists"),
    ],
    legend: "Numbers on messages are znode sequence numbers. The box in the middle is the zk service with its znodes, watches, sessions and counters; the lowest znode's owner leads, and each other client watches its predecessor (or the leader, with the herd option).",
    ring: None,
    roles: &[
        ("service", RoleCategory::Service),
        ("connecting", RoleCategory::Follower),
        ("candidate", RoleCategory::Candidate),
        ("follower", RoleCategory::Follower),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: false,
    one_leader_per_term: <ZkRecipe as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <ZkRecipe as crate::sim::Algorithm>::SERVICE,
    settings: &[&SESSION_TIMEOUT, &WATCH],
    scenarios: SCENARIOS,
    split_brain_cases: &[
        SplitBrainCase {
            scenario: "zk-paused-leader",
            shows: "zk expires the paused leader's session; it wakes still leading",
        },
        SplitBrainCase {
            scenario: "zk-paused-leader-fenced",
            shows: "the same late write, refused by its znode's sequence number",
        },
    ],
    explain_split,
    warnings: no_warnings,
    simulation: descriptor::simulation::<ZkRecipe>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "zk-leader-crash",
        title: "ZooKeeper recipe: the leader crashes",
        text: "# The leader owns the lowest znode. It crashes; ZooKeeper hears no pings and,\n\
               # a session timeout later, deletes its ephemeral znode. Only the next client\n\
               # in line watches that znode: one notification, one re-list, a new leader.\n\
               set algo zk-recipe\n\
               at 1s crash leader\n",
    },
    Builtin {
        name: "zk-herd",
        title: "ZooKeeper recipe: the herd effect",
        text: "# Every waiting client watches the leader's znode instead of its predecessor.\n\
               # When the leader's session expires, ZooKeeper notifies all of them and all\n\
               # list /election at once, although only one can be next: the herd effect.\n\
               set algo zk-recipe\n\
               set watch leader\n\
               at 1s crash leader\n",
    },
    Builtin {
        name: "zk-paused-leader",
        title: "ZooKeeper recipe: a paused leader (no fencing)",
        text: "# The leader freezes for 1.5s, longer than its 600ms session timeout. ZooKeeper\n\
               # expires the session and deletes its znode; the next client leads. The old\n\
               # leader wakes still believing it leads and finishes its write first: the\n\
               # storage takes it and the newer leader's data is lost.\n\
               set algo zk-recipe\n\
               set storage unfenced\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "zk-paused-leader-fenced",
        title: "ZooKeeper recipe: a paused leader, fenced",
        text: "# The same pause with fencing: each write carries its leader's znode sequence\n\
               # number. The new leader's number is higher, so the storage turns away the\n\
               # woken leader's stale write; then ZooKeeper tells it its session expired.\n\
               set algo zk-recipe\n\
               set storage fenced\n\
               at 1s pause leader for 1500ms\n",
    },
];
