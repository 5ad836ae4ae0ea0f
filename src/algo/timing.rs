//! The timing settings most algorithms share: an election timeout drawn from a range
//! and a leader's heartbeat. Declared once here; each algorithm lists the ones it reads.

use crate::settings::{Setting, SettingKind, Settings, Setup, Value};
use crate::sim::{Human, MS};

/// How long a follower waits without hearing a leader before it campaigns, drawn
/// afresh each time from this range.
pub const ELECTION_TIMEOUT: Setting = Setting {
    key: "election-timeout",
    label: "Election timeout",
    about: "how long a node waits without hearing a leader before it campaigns, drawn from this range",
    default: Value::Range(150 * MS, 300 * MS),
    kind: SettingKind::Range {
        presets: &[
            "150-151ms",
            "150-155ms",
            "150-200ms",
            "150-300ms",
            "300-600ms",
            "1-2s",
        ],
    },
};

/// How often a leader tells its followers it is alive.
pub const HEARTBEAT: Setting = Setting {
    key: "heartbeat",
    label: "Heartbeat",
    about: "how often a leader tells its followers it is alive",
    default: Value::Duration(50 * MS),
    kind: SettingKind::Duration {
        min: 1,
        max: crate::settings::MAX_SETTING,
        presets: &["25ms", "50ms", "75ms", "100ms", "200ms"],
    },
};

/// The election timeout a run uses.
pub fn election_timeout(settings: &Settings) -> (crate::sim::Micros, crate::sim::Micros) {
    settings.range(&ELECTION_TIMEOUT)
}

/// The heartbeat a run uses.
pub fn heartbeat(settings: &Settings) -> crate::sim::Micros {
    settings.duration(&HEARTBEAT)
}

/// Timings that work but defeat an algorithm with a heartbeat and an election timeout.
pub fn warnings(setup: &Setup<'_>) -> Vec<String> {
    let (timeout, _) = election_timeout(setup.settings);
    let beat = heartbeat(setup.settings);
    let mut w = Vec::new();
    if beat >= timeout {
        w.push(format!(
            "heartbeat {} is not below the election timeout {}: followers will time out between heartbeats",
            Human(beat),
            Human(timeout)
        ));
    }
    if setup.latency.1 * 2 >= timeout {
        w.push(format!(
            "a round trip ({}) can outlast the election timeout ({}): elections may never settle",
            Human(setup.latency.1 * 2),
            Human(timeout)
        ));
    }
    w
}
