//! Lease (Kubernetes-style): what every front end knows of it (see `algo::descriptor`).

use super::*;
use crate::algo::descriptor::{self, Builtin, Configure, Descriptor, SplitBrain, SplitBrainCase};
use crate::settings::{Choice, Setting, SettingKind, Setup, Value};
use crate::sim::{Moment, MsgClass, RoleCategory};

const fn lease_timing(
    key: &'static str,
    label: &'static str,
    about: &'static str,
    default: Micros,
    presets: &'static [&'static str],
) -> Setting {
    Setting {
        key,
        label,
        about,
        default: Value::Duration(default),
        kind: SettingKind::Duration {
            min: 1,
            max: crate::settings::MAX_SETTING,
            presets,
        },
    }
}

pub const LEASE_DURATION: Setting = lease_timing(
    "lease-duration",
    "leaseDuration",
    "how long a lease lasts without renewal (Kubernetes' leaseDuration)",
    DEFAULT_LEASE_DURATION,
    &["1s", "1.5s", "3s"],
);
pub const RENEW_DEADLINE: Setting = lease_timing(
    "renew-deadline",
    "renewDeadline",
    "how long the leader leads without a successful renew (renewDeadline)",
    DEFAULT_RENEW_DEADLINE,
    &["500ms", "1s", "2s"],
);
pub const RETRY_PERIOD: Setting = lease_timing(
    "retry-period",
    "retryPeriod",
    "how often candidates retry and the leader renews (retryPeriod)",
    DEFAULT_RETRY_PERIOD,
    &["100ms", "200ms", "400ms"],
);

/// Who judges that a lease has run out.
pub const LEASE_EXPIRY: Setting = Setting {
    key: "lease-expiry",
    label: "Expiry judged by",
    about: "who judges expiry: client (each candidate by its own clock, Kubernetes) or server (the lock service drops an unrenewed holder on its clock, etcd and Redis PX)",
    default: Value::Choice("client"),
    kind: SettingKind::Choice(&[
        Choice {
            name: "client",
            label: "client",
            aliases: &[],
        },
        Choice {
            name: "server",
            label: "server",
            aliases: &[],
        },
    ]),
};

fn warnings(setup: &Setup<'_>) -> Vec<String> {
    Lease::configure(setup).problems()
}

/// The lease hazard: nothing tells a holder it was replaced but its own clock.
fn explain_split(split: &SplitBrain<'_>) -> String {
    let g = split.grammar();
    format!(
        "; {} {} stale: {} still trust{} {} own clock that the lease is valid (a pause, \
         or a clock running slower than the others'), while the lock service has granted a \
         newer lease; only fencing tokens or STONITH make that harmless",
        split.stale_names(),
        g.is,
        g.it,
        g.s,
        g.its
    )
}

impl Configure for Lease {
    fn configure(setup: &Setup<'_>) -> LeaseConfig {
        let s = setup.settings;
        LeaseConfig {
            lease_duration: s.duration(&LEASE_DURATION),
            renew_deadline: s.duration(&RENEW_DEADLINE),
            retry_period: s.duration(&RETRY_PERIOD),
            expiry: LeaseExpiry::parse(s.choice(&LEASE_EXPIRY)).unwrap_or_default(),
            bugs: Bugs::default(),
        }
    }
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "lease",
    title: "Lease (Kubernetes-style)",
    aka: Some("Kubernetes-style lease"),
    leadership: Some("lease"),
    term_label: <Lease as crate::sim::Algorithm>::term_label,
    message_label: descriptor::plain_number,
    vote_word: "voted",
    countdown_timer: "election",
    moments: &[
        Moment::LeaseExpired,
        Moment::LeaseTakeover,
        Moment::StepDown,
    ],
    messages: &[
        (MsgClass::VoteRequest, "acquire"),
        (MsgClass::VoteGranted, "granted"),
        (MsgClass::VoteDenied, "conflict: held by another"),
        (MsgClass::Heartbeat, "renew"),
        (MsgClass::Reply, "lease record"),
        (MsgClass::Other, "get"),
    ],
    legend: "Numbers on messages are lease tokens (the revision a lease was granted at). The ring drains until the lease a node saw runs out by its own clock, or, on the leader, until its renew deadline. The box in the middle is the lock service: holder, renewTime, leaseTransitions and revision.",
    ring: None,
    roles: &[
        ("service", RoleCategory::Service),
        ("follower", RoleCategory::Follower),
        ("candidate", RoleCategory::Candidate),
        ("leader", RoleCategory::Leader),
    ],
    proposal_role: None,
    quorum: false,
    one_leader_per_term: <Lease as crate::sim::Algorithm>::ONE_LEADER_PER_TERM,
    service: <Lease as crate::sim::Algorithm>::SERVICE,
    settings: &[
        &LEASE_DURATION,
        &RENEW_DEADLINE,
        &RETRY_PERIOD,
        &LEASE_EXPIRY,
    ],
    scenarios: SCENARIOS,
    split_brain_cases: &[
        SplitBrainCase {
            scenario: "lease-paused-leader",
            shows: "a paused holder wakes after its lease was taken and writes",
        },
        SplitBrainCase {
            scenario: "lease-paused-leader-fenced",
            shows: "the same late write, refused by its lease token",
        },
        SplitBrainCase {
            scenario: "lease-clock-drift",
            shows: "a slow-clock holder and a fast-clock successor lead at once",
        },
        SplitBrainCase {
            scenario: "lease-stonith",
            shows: "the paused holder is powered off before the takeover",
        },
    ],
    explain_split,
    warnings,
    simulation: descriptor::simulation::<Lease>,
};

const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "lease-paused-leader",
        title: "Lease: a paused holder wakes up",
        text: "# The lease holder freezes for 2.5s (a long GC pause). The others see its lease\n\
               # unrenewed for leaseDuration by their own clocks and one takes it with a higher\n\
               # token. The old holder wakes still believing it leads and finishes the write it\n\
               # was making: without fencing, the storage takes it over the newer leader's data.\n\
               set algo lease\n\
               set storage unfenced\n\
               at 2s pause leader for 2500ms\n",
    },
    Builtin {
        name: "lease-paused-leader-fenced",
        title: "Lease: a paused holder is fenced off",
        text: "# The same pause with fencing: every write carries the lease's token (the\n\
               # revision it was granted at). The new holder's token is higher, so the storage\n\
               # rejects the old holder's late write and no update is lost.\n\
               set algo lease\n\
               set storage fenced\n\
               at 2s pause leader for 2500ms\n",
    },
    Builtin {
        name: "lease-clock-drift",
        title: "Lease: clocks running at different rates",
        text: "# Every follower's clock runs 40% fast and the holder's 40% slow; then the holder\n\
               # is cut off from the lease service. A fast follower's leaseDuration runs out\n\
               # long before the slow holder's renewDeadline does: two nodes believe they lead\n\
               # at once, and both write to the storage (outside the partition): without\n\
               # fencing the slow holder's writes land over its successor's. Leases tolerate\n\
               # clock offsets, not different clock rates.\n\
               set algo lease\n\
               set storage unfenced\n\
               at 1s drift n1 +40%\n\
               at 1s drift n2 +40%\n\
               at 1s drift n3 +40%\n\
               at 1s drift n4 +40%\n\
               at 1s drift n5 +40%\n\
               at 1s drift leader -40%\n\
               at 2s isolate leader\n\
               at 6s heal\n",
    },
    Builtin {
        name: "lease-stonith",
        title: "Lease: STONITH before the takeover",
        text: "# The same pause with STONITH: before the new holder starts leading, a power\n\
               # switch turns the frozen old holder off, so it never wakes to write.\n\
               set algo lease\n\
               set storage unfenced\n\
               set stonith on\n\
               at 2s pause leader for 2500ms\n",
    },
];
