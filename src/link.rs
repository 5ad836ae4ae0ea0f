//! What a shared link holds beyond the settings: the user's actions, each where it
//! happened, in a compact text that survives a URL. Versioned: a page that cannot
//! reproduce a link says so rather than show something else.
//!
//! An action is `PROCESSED~TIME~ACTION`: the events handled before it (which places
//! it between two events of one instant), its instant in microseconds and its
//! scenario spelling (`crash n3`); actions are joined by `;`.

use crate::scenario::Scenario;
use crate::sim::{Action, RecordedAction};

/// The link format this page writes and reads. 2: `h` is the XXH64 trace hash. Links
/// of format 1 carried a byte-wise FNV-1a hash instead: their actions replay as
/// before, their `h` is not checked.
pub const LINK_VERSION: u32 = 2;
/// The first link format whose `h` this page's trace hash can be compared with.
pub const HASH_FORMAT_SINCE: u32 = 2;
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

/// Compressed characters a link's scenario or lesson text may take: a few pages of
/// lines. Bounding the input bounds what decompressing it can produce.
pub const MAX_LINK_TEXT: usize = 6_000;
/// Characters a scenario or lesson may have once decompressed.
pub const MAX_SCENARIO_TEXT: usize = 20_000;

/// A scenario or lesson for a link (`sc=`): lz-string's URI-safe compression, so the
/// same text compressed by lz-string in a browser reads here too.
pub fn encode_text(text: &str) -> String {
    lz_str::compress_to_encoded_uri_component(text)
}

/// The text a link's `sc=` holds, or why it cannot be read: too long, corrupt, or
/// not text.
pub fn decode_text(compressed: &str) -> Result<String, String> {
    let compressed = compressed.trim();
    if compressed.chars().count() > MAX_LINK_TEXT {
        return Err(format!(
            "the scenario in this link is {} characters long compressed, more than the {MAX_LINK_TEXT} a link may carry",
            compressed.chars().count()
        ));
    }
    // A query string reads '+' as a space; lz-string's alphabet has no spaces.
    let compressed = compressed.replace(' ', "+");
    let wide = lz_str::decompress_from_encoded_uri_component(&compressed)
        .filter(|w| !w.is_empty())
        .ok_or("the scenario in this link is corrupt: it does not decompress")?;
    if wide.len() > MAX_SCENARIO_TEXT {
        return Err(format!(
            "the scenario in this link is {} characters long, more than the {MAX_SCENARIO_TEXT} a scenario may have",
            wide.len()
        ));
    }
    let text = String::from_utf16(&wide)
        .map_err(|_| "the scenario in this link is corrupt: it is not text".to_string())?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(
            "the scenario in this link holds control characters: it is not scenario text".into(),
        );
    }
    Ok(text)
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
    fn scenario_text_survives_the_link_and_bad_text_is_refused() {
        let text = "# Two leaders?\nset algo raft\nat 2s partition n1,n2 | n3,n4,n5\nat 6s heal\n";
        let packed = encode_text(text);
        assert!(
            packed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-$".contains(c))
        );
        assert_eq!(decode_text(&packed).unwrap(), text);
        // As a query string decodes it: '+' read as a space.
        assert_eq!(decode_text(&packed.replace('+', " ")).unwrap(), text);
        // lz-string 1.5 in a browser gives the same (computed there with
        // `LZString.compressToEncodedURIComponent`).
        assert_eq!(encode_text("at 1s crash n1"), "IYFwBAjAzmDGBOwoAswDsJA");
        for (bad, why) in [
            ("%%%%", "corrupt"),
            ("", "corrupt"),
            (&"A".repeat(MAX_LINK_TEXT + 1)[..], "more than"),
            (
                &encode_text("at 1s crash n1\u{0}\u{1}")[..],
                "control characters",
            ),
            (
                &encode_text(&"x".repeat(MAX_SCENARIO_TEXT + 1))[..],
                "more than",
            ),
        ] {
            let e = decode_text(bad).unwrap_err();
            assert!(e.contains(why), "{bad:.20}: {e}");
        }
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
