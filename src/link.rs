//! What a shared link holds beyond the settings: the user's actions, each where it
//! happened, in a compact text that survives a URL. Versioned: a page that cannot
//! reproduce a link says so rather than show something else.
//!
//! An action is `PROCESSED~TIME~ACTION`: the events handled before it (which places
//! it between two events of one instant), its instant in microseconds and its
//! scenario spelling (`crash n3`); actions are joined by `;`.

use crate::scenario::Scenario;
use crate::sim::{Action, RecordedAction};

/// The link format this page writes and reads.
pub const LINK_VERSION: u32 = 1;
/// Actions a link may carry: more is not a lesson anyone clicked.
pub const MAX_LINK_ACTIONS: usize = 500;

pub fn encode_actions(actions: &[RecordedAction]) -> String {
    actions
        .iter()
        .map(|a| format!("{}~{}~{}", a.processed, a.time, a.action))
        .collect::<Vec<_>>()
        .join(";")
}

/// The actions in `text`, or what is wrong with it (which action, and why).
pub fn decode_actions(text: &str) -> Result<Vec<RecordedAction>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<&str> = text.split(';').collect();
    if items.len() > MAX_LINK_ACTIONS {
        return Err(format!(
            "{} actions, more than the {MAX_LINK_ACTIONS} a link may carry",
            items.len()
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let which = || {
                let shown: String = item.chars().take(40).collect();
                format!("action {} ('{shown}')", i + 1)
            };
            let mut parts = item.splitn(3, '~');
            let (Some(processed), Some(time), Some(action)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("{}: expected events~microseconds~action", which()));
            };
            let number = |s: &str, what: &str| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{}: '{s}' is not a count of {what}", which()))
            };
            Ok(RecordedAction {
                processed: number(processed, "events")?,
                time: number(time, "microseconds")?,
                action: parse_action(action).map_err(|e| format!("{}: {e}", which()))?,
            })
        })
        .collect()
}

/// One action in the scenario language (`crash n3`, `partition n1,n2 | n3,n4,n5`).
fn parse_action(text: &str) -> Result<Action, String> {
    if text.contains(['\n', '\r']) {
        return Err("an action is one line".into());
    }
    let scenario =
        Scenario::parse(&format!("at 0s {}", text.trim())).map_err(|e| e.message.to_string())?;
    match scenario.steps.as_slice() {
        [step] => Ok(step.action.clone()),
        _ => Err("not one action".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{MS, SEC, Target};

    #[test]
    fn actions_survive_the_round_trip() {
        let actions = vec![
            RecordedAction {
                processed: 12,
                time: 250 * MS,
                action: Action::Crash {
                    target: Target::Node(3),
                },
            },
            RecordedAction {
                processed: 40,
                time: SEC,
                action: Action::Partition {
                    groups: vec![vec![1, 2], vec![3, 4, 5]],
                },
            },
            RecordedAction {
                processed: 41,
                time: SEC,
                action: Action::Pause {
                    target: Target::Leader,
                    duration: 1_500 * MS,
                },
            },
        ];
        let text = encode_actions(&actions);
        assert_eq!(decode_actions(&text).unwrap(), actions);
        assert_eq!(decode_actions("").unwrap(), vec![]);
    }

    #[test]
    fn a_bad_action_is_named_with_its_place() {
        let e = decode_actions("1~2~crash n3;x~5~heal").unwrap_err();
        assert!(
            e.contains("action 2") && e.contains("'x' is not a count"),
            "{e}"
        );
        let e = decode_actions("1~2~explode n3").unwrap_err();
        assert!(e.contains("action 1"), "{e}");
        let e = decode_actions("1~2").unwrap_err();
        assert!(e.contains("expected events~microseconds~action"), "{e}");
        let e = decode_actions("1~2~heal\nat 3s crash n1").unwrap_err();
        assert!(e.contains("one line"), "{e}");
        let many = vec!["1~2~heal"; MAX_LINK_ACTIONS + 1].join(";");
        assert!(decode_actions(&many).unwrap_err().contains("more than"));
        let binary = "\u{0}\u{1}~\u{ff}~<script>";
        assert!(decode_actions(binary).is_err());
    }
}
