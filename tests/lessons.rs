//! Lessons: the parser's errors name line and column; every built-in lesson resolves
//! on many seeds; answers come from the run, not the lesson.

use electionscope::config::SimConfig;
use electionscope::lesson::{BUILTINS, Lesson, builtin};

fn error_of(text: &str) -> (usize, usize, String) {
    let e = Lesson::parse(text).expect_err("the lesson is wrong");
    (e.line, e.column, e.message)
}

fn resolve(text: &str, seed: u64) -> Result<Vec<electionscope::lesson::Resolved>, String> {
    let lesson = Lesson::parse(text).map_err(|e| e.to_string())?;
    let config = lesson.config(&SimConfig {
        seed,
        ..SimConfig::default()
    })?;
    lesson.resolve(&config).map_err(|e| e.to_string())
}

#[test]
fn parse_errors_name_the_line_the_column_and_what_was_expected() {
    let (l, c, m) = error_of("set algo raft\nat next leader-won say \"x\"\n");
    assert_eq!((l, c), (2, 9), "{m}");
    assert!(
        m.contains("unknown moment 'leader-won'") && m.contains("leader-elected"),
        "{m}"
    );

    let (l, c, m) = error_of("at 1s say \"unfinished\n");
    assert_eq!((l, c), (1, 11), "{m}");
    assert!(m.contains("closing double quote"), "{m}");

    let (l, c, m) = error_of("at 1s ask \"Who?\" winner\n");
    assert_eq!((l, c), (1, 18), "{m}");
    assert!(m.contains("unknown question 'winner'"), "{m}");

    let (l, _, m) = error_of("at 1s ask \"Will it?\" happens leader-elected 3s\n");
    assert_eq!(l, 1);
    assert!(m.contains("expected 'within'"), "{m}");

    let (l, c, m) = error_of("at 2s say \"b\"\nat 1s say \"a\"\n");
    assert_eq!((l, c), (2, 4), "{m}");
    assert!(m.contains("time goes backwards"), "{m}");

    let (l, c, m) = error_of("at 1s say \"ok\" extra\n");
    assert_eq!((l, c), (1, 16), "{m}");

    // Scenario lines keep their own errors, at the lesson's line numbers.
    let (l, c, m) = error_of("# intro\nat 1s say \"ok\"\nat 2s explode n1\n");
    assert_eq!((l, c), (3, 7), "{m}");

    let (_, _, m) = error_of("set algo raft\nat 1s crash n1\n");
    assert!(m.contains("at least one checkpoint"), "{m}");

    // A '#' inside a caption is text, not a comment.
    let lesson = Lesson::parse("at 1s say \"write #3 is refused\" # a comment\n").unwrap();
    assert_eq!(lesson.checkpoints[0].caption, "write #3 is refused");
}

#[test]
fn a_question_the_run_cannot_decide_is_an_error_at_its_line() {
    // No such node.
    let e = resolve(
        "set nodes 3\nat 1s ask \"n7?\" happens leader-elected among n1,n7 within 1s\n",
        1,
    )
    .unwrap_err();
    assert!(
        e.starts_with("line 2") && e.contains("n7 does not exist"),
        "{e}"
    );
    // No leader is elected after the last crash in a stable cluster: no next leader.
    let e = resolve(
        "set duration 2s\nat 1.5s ask \"Who leads next?\" leader\n",
        1,
    )
    .unwrap_err();
    assert!(
        e.starts_with("line 2") && e.contains("no leader is elected after"),
        "{e}"
    );
    // Looking past the end of the run.
    let e = resolve(
        "set duration 2s\nat 1s ask \"Soon?\" happens split-vote within 5s\n",
        1,
    )
    .unwrap_err();
    assert!(e.contains("past the end"), "{e}");
    // A moment that never comes.
    let e = resolve("set duration 2s\nat next lost-update say \"never\"\n", 1).unwrap_err();
    assert!(
        e.starts_with("line 2") && e.contains("no lost update happens"),
        "{e}"
    );
    // Writes without a storage.
    let e = resolve("at 1s ask \"Accepted?\" accepts\n", 1).unwrap_err();
    assert!(e.contains("the storage is off"), "{e}");
}

#[test]
fn every_builtin_lesson_resolves_on_forty_seeds_with_answers_among_the_choices() {
    assert!(BUILTINS.len() >= 3);
    for lesson in BUILTINS {
        for seed in 1..=40 {
            let resolved = resolve(lesson.text, seed)
                .unwrap_or_else(|e| panic!("{} with seed {seed}: {e}", lesson.name));
            assert!(!resolved.is_empty());
            let mut last = 0;
            for r in &resolved {
                assert!(r.at >= last, "{}: checkpoints in order", lesson.name);
                last = r.at;
                if let Some(q) = &r.question {
                    assert!(q.choices.contains(&q.answer), "{}: {q:?}", lesson.name);
                    assert!(
                        q.decided_at >= r.at,
                        "{}: decided after it is asked",
                        lesson.name
                    );
                }
            }
        }
    }
}

#[test]
fn answers_are_computed_from_the_run_so_seeds_can_differ() {
    let split = builtin("split-vote").unwrap();
    let answers: std::collections::BTreeSet<String> = (1..=20)
        .map(|seed| {
            resolve(split.text, seed).unwrap()[1]
                .question
                .as_ref()
                .unwrap()
                .answer
                .clone()
        })
        .collect();
    assert!(
        answers.len() >= 2,
        "the next leader differs between seeds: {answers:?}"
    );
    // The checkpoint at the next split vote pauses exactly on it.
    let r = resolve(split.text, 1).unwrap();
    let q = r[1].question.as_ref().unwrap();
    assert!(r[1].at > 10_000 && q.decided_at > r[1].at);
    // The herd: every waiting client re-lists, so the count follows the cluster.
    let herd = builtin("zk-herd").unwrap();
    let five = resolve(herd.text, 1).unwrap();
    let seven = resolve(
        &herd
            .text
            .replace("set watch leader", "set watch leader\nset nodes 7"),
        1,
    )
    .unwrap();
    let count = |r: &[electionscope::lesson::Resolved]| {
        r.iter()
            .find_map(|c| c.question.as_ref())
            .unwrap()
            .answer
            .parse::<u32>()
            .unwrap()
    };
    assert!(
        count(&seven) > count(&five),
        "{} vs {}",
        count(&seven),
        count(&five)
    );
}

#[test]
fn the_readme_example_lesson_parses_and_resolves() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Lessons")
        .nth(1)
        .expect("README has a Lessons section");
    let example = section
        .split("```text\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("an example lesson");
    for seed in 1..=10 {
        resolve(example, seed).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// What each built-in lesson teaches holds on every seed: the run gives the answer
/// the lesson's point depends on (the answer is still computed, never stored).
#[test]
fn each_builtin_lesson_teaches_what_it_says_on_forty_seeds() {
    let expected: &[(&str, usize, &str)] = &[
        ("raft-majority", 0, "no"),
        ("fixed-timeout", 0, "no"),
        ("log-up-to-date", 0, "no"),
        ("prevote-checkquorum", 0, "no"),
        ("prevote-checkquorum", 1, "yes"),
        ("bully-vs-raft", 0, "yes"),
        ("bully-vs-raft", 1, "no"),
        ("fencing-tokens", 0, "yes"),
        ("lost-update", 0, "yes"),
        ("stonith", 0, "yes"),
        ("paxos-duel", 0, "yes"),
        ("zab-highest-zxid", 0, "n3"),
        ("ring-best-case", 0, "15"),
        ("ring-worst-case", 0, "36"),
        ("lease-drift", 0, "yes"),
    ];
    for (name, k, answer) in expected {
        let lesson = builtin(name).unwrap();
        for seed in 1..=40 {
            let resolved = resolve(lesson.text, seed).unwrap();
            let asked: Vec<_> = resolved
                .iter()
                .filter_map(|r| r.question.as_ref())
                .collect();
            assert_eq!(
                asked[*k].answer, *answer,
                "{name} with seed {seed}: {:?}",
                asked[*k]
            );
        }
    }
}

#[test]
fn written_text_without_checkpoints_reads_as_a_scenario_and_with_them_as_a_lesson() {
    use electionscope::lesson::Lesson;
    let scenario = "set algo raft\nat 1s crash n1\n";
    assert!(
        Lesson::parse(scenario).is_err(),
        "a lesson needs checkpoints"
    );
    let read = Lesson::parse_written(scenario).unwrap();
    assert!(read.checkpoints.is_empty());
    let lesson = "set algo raft\nat 1s crash n1\nat 2s say \"Gone.\"\n";
    assert_eq!(Lesson::parse_written(lesson).unwrap().checkpoints.len(), 1);
    let e = Lesson::parse_written("set algo raft\nat 1s explode n1\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 7), "{e}");
}

/// The stale-log lesson's point: n5 returns with the highest term and still loses,
/// and the one who leads next differs between seeds (computed, not written down).
#[test]
fn a_stale_log_loses_to_any_up_to_date_node_and_the_winner_is_computed() {
    let lesson = builtin("log-up-to-date").unwrap();
    let mut winners = std::collections::BTreeSet::new();
    for seed in 1..=40 {
        let resolved = resolve(lesson.text, seed).unwrap();
        let asked: Vec<_> = resolved
            .iter()
            .filter_map(|r| r.question.as_ref())
            .collect();
        assert_ne!(asked[1].answer, "n5", "seed {seed}: the stale log won");
        winners.insert(asked[1].answer.clone());
    }
    assert!(winners.len() >= 2, "{winners:?}");
}

#[test]
fn compare_lines_and_questions_answered_by_another_column() {
    let lesson = Lesson::parse(
        "set algo bully\ncompare raft\nat 1s partition n1,n2,n3 | n4,n5\nat 1s ask \"?\" happens leader-elected among n4,n5 within 2s in raft\n",
    )
    .unwrap();
    assert_eq!(lesson.compare.len(), 1);
    assert_eq!(lesson.checkpoints[0].on.map(|a| a.name), Some("raft"));
    for (text, want) in [
        (
            "compare raft,nope\nat 1s say \"x\"\n",
            (1, 14, "unknown algorithm 'nope'"),
        ),
        (
            "at 1s ask \"?\" leader in zab\n",
            (
                1,
                1,
                "the question asks zab but the lesson does not run it: add a line `compare zab`",
            ),
        ),
        (
            "compare raft\nat 1s ask \"?\" leader in\n",
            (2, 24, "expected an algorithm like raft"),
        ),
    ] {
        let (line, column, message) = error_of(text);
        assert_eq!((line, column), (want.0, want.1), "{text}: {message}");
        assert!(message.contains(want.2), "{text}: {message}");
    }
}
