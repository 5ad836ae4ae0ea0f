//! Files for slides and tools: the trace file (written, read back, checked against a
//! fresh run; tampered, truncated and foreign files refused with the line) and the
//! space-time diagram's SVG of a window.

use electionscope::config::SimConfig;
use electionscope::diagram_svg;
use electionscope::run::build;
use electionscope::sim::{Action, EventKind, MS, Micros, RecordedAction, SEC, Target};
use electionscope::trace_file::{self, MAX_EXPORT_EVENTS};

fn config(algo: &str, seed: u64, duration: Micros) -> SimConfig {
    SimConfig::default()
        .with("algo", algo)
        .and_then(|c| c.with("seed", &seed.to_string()))
        .and_then(|c| c.with("duration", &format!("{}ms", duration / MS)))
        .unwrap()
}

/// A crash of the leader and a restart, as a user's clicks.
fn clicks(cfg: &SimConfig) -> Vec<RecordedAction> {
    let mut run = build(cfg, 0).unwrap();
    run.advance(900 * MS);
    run.act(Action::Crash {
        target: Target::Leader,
    });
    run.advance(1_700 * MS);
    run.act(Action::Restart {
        target: Target::Node(1),
    });
    run.actions().to_vec()
}

fn no_progress(_: f64) {}

#[test]
fn a_written_trace_reads_back_as_the_same_run_and_checks_out() {
    for (algo, seed) in [("raft", 3), ("bully", 4), ("zk-recipe", 5), ("paxos", 6)] {
        let cfg = config(algo, seed, 3 * SEC);
        let actions = clicks(&cfg);
        let text = trace_file::write(&cfg, &actions, MAX_EXPORT_EVENTS, &mut no_progress).unwrap();
        let file = trace_file::read(&text).unwrap();
        assert_eq!(file.config.to_query(), cfg.to_query(), "{algo}");
        assert_eq!(file.actions, actions, "{algo}");
        assert_eq!(file.events.len(), text.lines().count() - 1, "{algo}");
        // The file holds the user's crash where it happened.
        assert!(
            file.events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Action { .. }) && e.text.contains("crash")),
            "{algo}: {:?}",
            file.events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Action { .. }))
                .map(|e| &e.text)
                .collect::<Vec<_>>()
        );
        assert!(file.last_time() <= 3 * SEC && file.last_time() > 2 * SEC);
        trace_file::verify(&file, &mut no_progress).unwrap_or_else(|e| panic!("{algo}: {e}"));
        // The same run's fingerprint is the one a run to the end gives.
        let mut again = build(&cfg, 0).unwrap();
        again.load_actions(actions.clone()).unwrap();
        again.advance(cfg.duration);
        let mut hasher = electionscope::sim::trace::TraceHasher::default();
        file.events.iter().for_each(|e| hasher.absorb(e));
        assert_eq!(hasher.hex(), again.trace_hash(), "{algo}");
    }
}

#[test]
fn a_tampered_or_truncated_trace_is_named_where_it_departs() {
    let cfg = config("raft", 9, 2 * SEC);
    let text = trace_file::write(&cfg, &[], MAX_EXPORT_EVENTS, &mut no_progress).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let mut file = trace_file::read(&text).unwrap();
    file.events[100].text = "n9 wins everything".into();
    let seq = file.events[100].seq;
    let e = trace_file::verify(&file, &mut no_progress).unwrap_err();
    assert!(
        e.contains(&format!("event {seq} ")) && e.contains("n9 wins everything"),
        "{e}"
    );

    let truncated = lines[..lines.len() - 10].join("\n");
    let e =
        trace_file::verify(&trace_file::read(&truncated).unwrap(), &mut no_progress).unwrap_err();
    assert!(e.contains("the file ends after"), "{e}");

    // Another seed in the header: the run differs from the first events on.
    let other = text.replacen("seed=9", "seed=10", 1);
    assert!(trace_file::verify(&trace_file::read(&other).unwrap(), &mut no_progress).is_err());
}

#[test]
fn foreign_and_malformed_files_are_refused_with_the_line_and_the_reason() {
    let cfg = config("raft", 2, SEC);
    let good = trace_file::write(&cfg, &[], MAX_EXPORT_EVENTS, &mut no_progress).unwrap();
    let body: Vec<&str> = good.lines().skip(1).collect();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "the file is empty"),
        (
            "hello, world".into(),
            "line 1: this is not an ElectionScope trace",
        ),
        (
            body.join("\n"),
            "line 1: this is not an ElectionScope trace",
        ),
        (
            "{\"a\":1}".into(),
            "line 1: this is not an ElectionScope trace",
        ),
        (
            good.replacen("\"version\":1", "\"version\":7", 1),
            "trace format 7; this version reads format 1",
        ),
        (
            good.replacen("nodes=5", "nodes=99", 1),
            "line 1: the run's settings: nodes: 99 is outside 3 to 25",
        ),
        (
            good.replacen("algo=raft", "algo=nope", 1),
            "line 1: the run's settings: ",
        ),
        (
            format!("{}\n{{\"seq\":\"x\"}}", good.lines().next().unwrap()),
            "line 2: not a trace event",
        ),
        (
            [good.lines().next().unwrap(), body[5], body[4]].join("\n"),
            "line 3: event 4 at 0us comes after event 5",
        ),
        (
            "\u{0}\u{1}\u{2}binary\u{ff}".into(),
            "line 1: this is not an ElectionScope trace",
        ),
    ];
    for (text, want) in cases {
        let e = trace_file::read(&text).map(|_| ()).unwrap_err();
        assert!(e.contains(want), "{want:?} not in {e:?}");
    }
    let huge = "x".repeat(trace_file::MAX_TRACE_BYTES + 1);
    assert!(trace_file::read(&huge).unwrap_err().contains("MB"));
}

#[test]
fn random_damage_to_a_trace_file_never_panics() {
    let cfg = config("raft", 4, 500 * MS);
    let good = trace_file::write(&cfg, &[], MAX_EXPORT_EVENTS, &mut no_progress).unwrap();
    let bytes = good.as_bytes();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut refused = 0;
    for _ in 0..2_000 {
        let mut damaged = bytes.to_vec();
        for _ in 0..1 + next() % 4 {
            let i = (next() % damaged.len() as u64) as usize;
            damaged[i] = (next() % 128) as u8;
        }
        let text = String::from_utf8_lossy(&damaged);
        if let Ok(file) = trace_file::read(&text) {
            if trace_file::verify(&file, &mut no_progress).is_err() {
                refused += 1;
            }
        } else {
            refused += 1;
        }
    }
    // Most damage is caught by the reader or by the check against a fresh run.
    assert!(
        refused > 1_500,
        "only {refused} of 2000 damaged files refused"
    );
}

#[test]
fn the_page_refuses_to_write_a_trace_longer_than_its_limit_and_names_the_cli_command() {
    let cfg = config("raft", 1, 5 * SEC);
    let e = trace_file::write(&cfg, &clicks(&cfg), 500, &mut no_progress).unwrap_err();
    assert!(e.contains("more than 500 trace events"), "{e}");
    assert!(
        e.contains("electionscope run --query 'algo=raft&nodes=5&seed=1&duration=5s' --acts '"),
        "{e}"
    );
}

#[test]
fn the_diagram_of_a_window_draws_every_message_sent_in_it_and_a_lane_per_node() {
    for (algo, nodes) in [("raft", 5), ("bully", 7), ("ring", 9)] {
        let cfg = config(algo, 11, 4 * SEC)
            .with("nodes", &nodes.to_string())
            .unwrap();
        let (from, to) = diagram_svg::parse_window("1s..2s", cfg.duration).unwrap();
        let svg = diagram_svg::render(&cfg, &[], from, to, &mut |_| {}).unwrap();
        assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<g data-lane=").count(), nodes, "{algo}");
        // The same run's messages sent in the window, counted from its trace.
        let mut run = build(&cfg, 1_000_000).unwrap();
        run.advance(to);
        let sent: Vec<u64> = run
            .trace()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Send { msg } if msg.sent_at >= from && msg.sent_at < to => Some(msg.id),
                _ => None,
            })
            .collect();
        let thinned = svg.contains("left out");
        let drawn = svg.matches("<line class=\"m ").count();
        if thinned {
            assert!(drawn < sent.len(), "{algo}");
        } else {
            // Arrows from just before the window reach into it too.
            assert!(drawn >= sent.len(), "{algo}: {drawn} < {}", sent.len());
            for id in &sent {
                assert!(
                    svg.contains(&format!("data-msg=\"{id}\"")),
                    "{algo}: message {id}"
                );
            }
        }
        assert!(svg.contains("seed 11: 1s to 2s"), "{algo}");
    }
}

#[test]
fn a_diagram_window_outside_the_run_is_refused() {
    let d = 3 * SEC;
    for (text, want) in [
        ("2s..1s", "ends before it starts"),
        ("1s..4s", "after the run's end"),
        ("1s", "is not FROM..TO"),
        ("0s..500us", "outside"),
        ("x..1s", "x"),
    ] {
        let e = diagram_svg::parse_window(text, d).unwrap_err();
        assert!(e.contains(want), "{text}: {e}");
    }
}
