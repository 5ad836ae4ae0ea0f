//! The scenario language: every malformed input gets an error naming the line, the
//! column and what was expected; well-formed scenarios round-trip through text.

use electionscope::config::SimConfig;
use electionscope::scenario::{Scenario, builtins, load};
use electionscope::sim::{Action, MS, SEC, Target};
use proptest::prelude::*;

fn err(text: &str) -> (usize, usize, String) {
    let e = Scenario::parse(text).expect_err(text);
    (e.line, e.column, e.message)
}

#[test]
fn parses_every_action_of_the_language() {
    let sc = Scenario::parse(
        "# demo\n\
         set nodes 7\n\
         at 0s drop 10%\n\
         at 1s latency 5-10ms\n\
         at 2s crash leader\n\
         at 3s   partition n1,n2 | n3, n4,n5\n\
         at 4s pause n2 for 800ms   # GC pause\n\
         at 4.5s resume n2\n\
         at 5s write n3\n\
         at 5s cut n1->n2\n\
         at 5s uncut n1->n2\n\
         at 6s heal\n\
         at 6s isolate leader\n\
         at 7s restart n1\n\
         at 7s drift n4 -2.5%\n\
         at 8s timeout n5\n",
    )
    .unwrap();
    assert_eq!(sc.description, "demo");
    let actions: Vec<Action> = sc.steps.iter().map(|s| s.action.clone()).collect();
    assert_eq!(
        actions,
        vec![
            Action::Drop { ppm: 100_000 },
            Action::Latency {
                min: 5 * MS,
                max: 10 * MS
            },
            Action::Crash {
                target: Target::Leader
            },
            Action::Partition {
                groups: vec![vec![1, 2], vec![3, 4, 5]]
            },
            Action::Pause {
                target: Target::Node(2),
                duration: 800 * MS
            },
            Action::Resume {
                target: Target::Node(2)
            },
            Action::Write {
                target: Target::Node(3)
            },
            Action::Cut { from: 1, to: 2 },
            Action::Uncut { from: 1, to: 2 },
            Action::Heal,
            Action::Isolate {
                target: Target::Leader
            },
            Action::Restart {
                target: Target::Node(1)
            },
            Action::Drift {
                target: Target::Node(4),
                ppm: -25_000
            },
            Action::Timeout {
                target: Target::Node(5)
            },
        ]
    );
    assert_eq!(sc.steps[6].at, 5 * SEC);
    let mut cfg = SimConfig::default();
    sc.configure(&mut cfg).unwrap();
    assert_eq!(cfg.nodes, 7);
}

#[test]
fn malformed_lines_name_line_column_and_expectation() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "crash n1",
            1,
            1,
            "expected 'at' or 'set' to start the line, found 'crash'",
        ),
        (
            "at",
            1,
            3,
            "expected a time like 2s or 800ms, found the end of the line",
        ),
        ("at 2 crash n1", 1, 4, "has no unit"),
        ("at 2d crash n1", 1, 4, "unknown time unit 'd'"),
        ("at 2s", 1, 6, "expected an action"),
        ("at 2s explode n1", 1, 7, "unknown action 'explode'"),
        (
            "at 2s crash",
            1,
            12,
            "expected a node like n3 or 'leader', found the end of the line",
        ),
        (
            "at 2s crash node1",
            1,
            13,
            "expected a node like n3, found 'node1'",
        ),
        (
            "at 2s crash n0",
            1,
            13,
            "expected a node like n3, found 'n0'",
        ),
        (
            "at 2s crash n1 now",
            1,
            16,
            "unexpected 'now' after a complete action",
        ),
        (
            "at 2s pause n2 800ms",
            1,
            16,
            "expected 'for', found '800ms'",
        ),
        (
            "at 2s pause n2 for",
            1,
            19,
            "expected a pause length like 800ms",
        ),
        (
            "at 2s partition n1,n2 | n3,,n4",
            1,
            28,
            "expected a node like n3 in the group, found nothing",
        ),
        (
            "at 2s partition n1,n2 | n2,n3",
            1,
            25,
            "n2 is in two groups",
        ),
        ("at 2s partition", 1, 16, "expected groups"),
        ("at 2s cut n1-n2", 1, 11, "expected a link like n1->n2"),
        (
            "at 2s cut n1->x",
            1,
            15,
            "expected a node like n3, found 'x'",
        ),
        ("at 2s cut n1->n1", 1, 11, "two different nodes"),
        ("at 2s drop 10", 1, 12, "needs a % sign"),
        ("at 2s drop 120%", 1, 12, "more than 100%"),
        ("at 2s latency 10-5ms", 1, 15, "low end above its high end"),
        (
            "at 2s drift n1 5%",
            1,
            16,
            "expected a signed rate like +5%",
        ),
        ("set nodes", 1, 10, "expected a value for nodes"),
        ("set nodes 99", 1, 11, "outside 3 to 25"),
        ("set nodes 2", 1, 11, "outside 3 to 25"),
        ("set colour blue", 1, 12, "unknown setting 'colour'"),
        ("set scenario x", 1, 5, "cannot load another scenario"),
        (
            "at 3s heal\nat 2s heal",
            2,
            4,
            "time goes backwards: this line is at 2s but line 1 was at 3s",
        ),
        (
            "# ok\n\nat 1s heal\nat 1s crash leader extra",
            4,
            20,
            "unexpected 'extra'",
        ),
    ];
    for (text, line, column, message) in cases {
        let (l, c, m) = err(text);
        assert!(
            m.contains(message),
            "{text:?}: message {m:?} lacks {message:?}"
        );
        assert_eq!((l, c), (*line, *column), "{text:?}: {m}");
    }
}

#[test]
fn nodes_beyond_the_cluster_are_reported_where_they_are_named() {
    let sc = Scenario::parse("at 1s partition n1,n2 | n3,n9").unwrap();
    let e = sc.check_nodes(5).unwrap_err();
    assert_eq!((e.line, e.column), (1, 28));
    assert_eq!(e.message, "n9 does not exist: the cluster has n1 to n5");
    assert!(sc.check_nodes(9).is_ok());
}

/// A link's scenario is checked against the cluster the whole link describes, in any
/// order of its keys: `nodes=7` or `algo=zk-recipe` (whose n6 is zk) after the
/// scenario still count.
#[test]
fn a_link_checks_scenario_nodes_after_every_setting_applies() {
    let crash_n6 = "scenario=at%201s%20crash%20n6";
    for query in [
        format!("{crash_n6}&nodes=7"),
        format!("nodes=7&{crash_n6}"),
        format!("{crash_n6}&algo=zk-recipe"),
        format!("algo=zk-recipe&{crash_n6}"),
    ] {
        let (cfg, notices) = SimConfig::from_query(&query);
        assert_eq!(notices, Vec::<String>::new(), "{query}");
        assert!(cfg.scenario.is_some(), "{query} kept its scenario");
    }
    let (cfg, notices) = SimConfig::from_query(&format!("{crash_n6}&nodes=4"));
    assert_eq!(cfg.scenario, None);
    assert_eq!(
        notices,
        vec![
            "scenario: line 1, column 13: n6 does not exist: the cluster has n1 to n4; running without it"
        ]
    );
}

#[test]
fn unknown_builtin_names_list_the_known_ones() {
    let e = load("leader-crsh").unwrap_err();
    assert!(
        e.message.contains("unknown scenario 'leader-crsh'") && e.message.contains("leader-crash"),
        "{e}"
    );
    for b in builtins() {
        let sc = load(b.name).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert!(!sc.description.is_empty(), "{} explains itself", b.name);
    }
}

#[test]
fn errors_display_with_their_position() {
    let e = Scenario::parse("at 1s heal\nat x heal").unwrap_err();
    assert!(e.to_string().starts_with("line 2, column 4: "), "{e}");
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![Just(Target::Leader), (1u32..30).prop_map(Target::Node)]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        target().prop_map(|target| Action::Crash { target }),
        target().prop_map(|target| Action::Restart { target }),
        (target(), 1u64..5_000_000)
            .prop_map(|(target, duration)| Action::Pause { target, duration }),
        target().prop_map(|target| Action::Write { target }),
        target().prop_map(|target| Action::Timeout { target }),
        Just(Action::Heal),
        (0u32..=1_000_000).prop_map(|ppm| Action::Drop { ppm }),
        (1u64..100_000, 0u64..100_000).prop_map(|(min, d)| Action::Latency { min, max: min + d }),
        (1u32..9, 1u32..9)
            .prop_filter("distinct", |(a, b)| a != b)
            .prop_map(|(from, to)| Action::Cut { from, to }),
        (target(), -900_000i32..1_000_000).prop_map(|(target, ppm)| Action::Drift { target, ppm }),
        Just((1u32..=12).collect::<Vec<_>>())
            .prop_shuffle()
            .prop_flat_map(|ids| (Just(ids), 1usize..12))
            .prop_map(|(ids, cut)| Action::Partition {
                groups: vec![ids[..cut].to_vec(), ids[cut..].to_vec()]
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_scenario_round_trips_through_text(mut steps in prop::collection::vec((0u64..100_000_000, action()), 0..20)) {
        steps.sort_by_key(|(t, _)| *t);
        let text: String = steps
            .iter()
            .map(|(t, a)| format!("at {} {a}\n", electionscope::sim::Human(*t)))
            .collect();
        let sc = Scenario::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let parsed: Vec<(u64, Action)> = sc.steps.iter().map(|s| (s.at, s.action.clone())).collect();
        prop_assert_eq!(parsed, steps);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Scenario::parse(&text);
    }

    #[test]
    fn arbitrary_query_strings_never_panic_and_always_yield_a_valid_config(q in "[a-z=&%0-9.,|-]{0,120}") {
        let (cfg, _) = SimConfig::from_query(&q);
        prop_assert!((1..=25).contains(&cfg.nodes));
    }
}
