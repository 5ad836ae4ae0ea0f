//! A regression guard for reshaping the code without changing what it does: the
//! fingerprint (trace hash) of every built-in scenario at seeds 1 and 7 over 10 s, and
//! of every algorithm at 3, 5 and 9 nodes, seed 42, 20 s, with 5% loss. The behaviour
//! itself is tested elsewhere (rules, properties, stories); this only says that a
//! refactor changed nothing anyone could observe in a trace.
//!
//! After a reviewed change of behaviour, regenerate the table with
//!
//! ```text
//! ELECTIONSCOPE_REWRITE=1 cargo test --test fingerprints
//! ```

mod common;

use electionscope::algo::Algo;
use electionscope::config::SimConfig;
use electionscope::run::{build, resolve};
use electionscope::scenario::builtins;
use std::path::Path;

/// Each case: a line of the table (its name and the settings that reproduce it).
fn cases() -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for b in builtins() {
        for seed in [1, 7] {
            let set = [
                ("scenario", b.name),
                ("seed", &seed.to_string()),
                ("duration", "10s"),
            ];
            out.push((
                format!("scenario={} seed={seed}", b.name),
                set.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ));
        }
    }
    for algo in Algo::all() {
        for nodes in [3, 5, 9] {
            let (name, n) = (algo.name, nodes.to_string());
            let set = [
                ("algo", name),
                ("nodes", &n),
                ("seed", "42"),
                ("duration", "20s"),
                ("drop", "5%"),
            ];
            out.push((
                format!("algo={name} nodes={nodes} seed=42 drop=5%"),
                set.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ));
        }
    }
    out
}

fn fingerprint(set: &[(String, String)]) -> String {
    let cfg = resolve(SimConfig::default(), set).expect("valid settings");
    let mut run = build(&cfg, 0).expect("builds");
    run.advance(cfg.duration);
    assert_eq!(run.stats().halted, None, "a healthy run is never stopped");
    run.trace_hash()
}

#[test]
fn every_builtin_scenario_and_algorithm_keeps_its_fingerprint() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/fingerprints.tsv");
    let actual: Vec<String> = cases()
        .into_iter()
        .map(|(name, set)| format!("{name}\t{}", fingerprint(&set)))
        .collect();
    if common::rewrite_requested() {
        std::fs::write(&path, actual.join("\n") + "\n").expect("writes the table");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("tests/testdata/fingerprints.tsv");
    let expected: Vec<&str> = expected.lines().collect();
    assert!(actual.len() >= 80, "{} cases", actual.len());
    let changed: Vec<String> = actual
        .iter()
        .filter(|line| !expected.contains(&line.as_str()))
        .cloned()
        .collect();
    assert!(
        changed.is_empty() && expected.len() == actual.len(),
        "{} of {} fingerprints differ from tests/testdata/fingerprints.tsv (rerun with ELECTIONSCOPE_REWRITE=1 only after review):\n{}",
        changed.len(),
        actual.len(),
        changed.join("\n")
    );
}

/// The hash's hand-written JSON for sends, deliveries and timers is the bytes
/// serde_json writes, for every event of every case above (and the others fall back
/// to serde_json itself), so the fast path cannot drift from the documented form.
#[test]
fn the_hashed_json_is_serde_jsons_for_every_event_of_every_case() {
    use electionscope::sim::trace::{Hashed, write_hashed};
    use std::cell::RefCell;
    use std::rc::Rc;
    let checked = Rc::new(RefCell::new([0u64; 3]));
    for (name, set) in cases() {
        let cfg = resolve(SimConfig::default(), &set).expect("valid settings");
        let mut run = build(&cfg, 0).expect("builds");
        let (sink_checked, case) = (checked.clone(), name.clone());
        run.set_sink(Some(Box::new(move |e| {
            let mut fast = Vec::new();
            write_hashed(&mut fast, &Hashed::of(e));
            let reference = serde_json::to_vec(&Hashed::of(e)).expect("serialises");
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&reference),
                "{case}: event {}",
                e.seq
            );
            let slot = match e.kind {
                electionscope::sim::EventKind::Send { .. } => 0,
                electionscope::sim::EventKind::Deliver { .. } => 1,
                _ => 2,
            };
            sink_checked.borrow_mut()[slot] += 1;
        })));
        run.advance(cfg.duration);
    }
    let [sends, delivers, others] = *checked.borrow();
    assert!(
        sends > 100_000 && delivers > 100_000 && others > 10_000,
        "{sends} sends, {delivers} deliveries, {others} others"
    );
}

/// Strings that need escaping (quotes, backslashes, control characters) take
/// serde_json's path and still match it.
#[test]
fn the_hashed_json_escapes_strings_as_serde_json_does() {
    use electionscope::sim::trace::{Hashed, write_hashed};
    use electionscope::sim::{EventKind, MsgClass, MsgRecord, TraceEvent};
    for text in [
        "plain n1→n2",
        "a \"quoted\" word",
        "back\\slash",
        "tab\there\nline",
        "\u{7f}\u{1}",
    ] {
        let msg = MsgRecord {
            id: 1,
            from: 1,
            to: 2,
            sent_at: 0,
            deliver_at: u64::MAX,
            kind: text.into(),
            class: MsgClass::VoteDenied,
            term: None,
            summary: text.into(),
        };
        for kind in [
            EventKind::Send { msg },
            EventKind::Timer {
                node: 3,
                timer: text.into(),
            },
        ] {
            let e = TraceEvent {
                seq: 0,
                time: 0,
                kind,
                text: text.into(),
                fact: None,
                moment: None,
            };
            let mut fast = Vec::new();
            write_hashed(&mut fast, &Hashed::of(&e));
            assert_eq!(
                fast,
                serde_json::to_vec(&Hashed::of(&e)).unwrap(),
                "{text:?}"
            );
        }
    }
}
