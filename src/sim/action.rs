//! What a user or a scenario does to a running cluster. One vocabulary for the UI's
//! buttons, scenario files and the CLI, so that every path replays identically.

use super::algorithm::NodeId;
use super::time::{Human, Micros};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which node an action is aimed at. `Leader` is resolved when the action runs, so a
/// scenario can say "crash the leader" without knowing who that will be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Node(NodeId),
    Leader,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(n) => write!(f, "n{n}"),
            Target::Leader => write!(f, "leader"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case")]
pub enum Action {
    Crash {
        target: Target,
    },
    Restart {
        target: Target,
    },
    Pause {
        target: Target,
        duration: Micros,
    },
    Resume {
        target: Target,
    },
    /// Split the nodes into groups; unlisted nodes join the last group (with a single
    /// group listed, they form the other side).
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    /// Cut one node off from all others.
    Isolate {
        target: Target,
    },
    Heal,
    /// One-way cut: messages from `from` to `to` are lost; the reverse direction works.
    Cut {
        from: NodeId,
        to: NodeId,
    },
    Uncut {
        from: NodeId,
        to: NodeId,
    },
    /// Probability in parts per million that a message is lost.
    Drop {
        ppm: u32,
    },
    Latency {
        min: Micros,
        max: Micros,
    },
    Write {
        target: Target,
    },
    /// The node's clock runs fast (positive) or slow (negative), in parts per million.
    Drift {
        target: Target,
        ppm: i32,
    },
    /// Fire the node's election timer now.
    Timeout {
        target: Target,
    },
}

impl fmt::Display for Action {
    /// The scenario-language spelling; `parse(display(a)) == a` is a tested property.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Crash { target } => write!(f, "crash {target}"),
            Action::Restart { target } => write!(f, "restart {target}"),
            Action::Pause { target, duration } => {
                write!(f, "pause {target} for {}", Human(*duration))
            }
            Action::Resume { target } => write!(f, "resume {target}"),
            Action::Partition { groups } => {
                let gs: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|n| format!("n{n}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect();
                write!(f, "partition {}", gs.join(" | "))
            }
            Action::Isolate { target } => write!(f, "isolate {target}"),
            Action::Heal => write!(f, "heal"),
            Action::Cut { from, to } => write!(f, "cut n{from}->n{to}"),
            Action::Uncut { from, to } => write!(f, "uncut n{from}->n{to}"),
            Action::Drop { ppm } => write!(f, "drop {}", Percent(*ppm)),
            Action::Latency { min, max } => {
                write!(f, "latency {}-{}", Human(*min), Human(*max))
            }
            Action::Write { target } => write!(f, "write {target}"),
            Action::Drift { target, ppm } => {
                let sign = if *ppm < 0 { "-" } else { "+" };
                write!(f, "drift {target} {sign}{}", Percent(ppm.unsigned_abs()))
            }
            Action::Timeout { target } => write!(f, "timeout {target}"),
        }
    }
}

/// Parts per million shown as a percentage without float formatting: 12_500 -> `1.25%`.
pub struct Percent(pub u32);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 10_000;
        let frac = self.0 % 10_000;
        if frac == 0 {
            write!(f, "{whole}%")
        } else {
            let digits = format!("{frac:04}");
            write!(f, "{whole}.{}%", digits.trim_end_matches('0'))
        }
    }
}
