//! Readable scenario tests, in the spirit of etcd raft's datadriven `testdata/*.txt`.
//!
//! Each block in `tests/testdata/*.txt` is a `run` line with settings, scenario lines,
//! a `----` line, then the expected story of the run (actions, elections, step-downs,
//! commits, monitor findings) and a summary, ending at a blank line. After a reviewed
//! change, regenerate the expectations with:
//!
//! ```text
//! ELECTIONSCOPE_REWRITE=1 cargo test --test scenarios
//! ```

mod common;

use electionscope::config::SimConfig;
use electionscope::run::{Run, build, resolve};
use electionscope::sim::{EventKind, Fact, Human, NoteKind, RoleCategory, TraceEvent};
use std::path::Path;

struct Block {
    header: String,
    script: Vec<String>,
    expected: Vec<String>,
}

fn parse_file(text: &str) -> Result<(Vec<String>, Vec<Block>), String> {
    let mut preamble = Vec::new();
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        if !line.starts_with("run") {
            if blocks.is_empty() {
                preamble.push(line.to_string());
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            return Err(format!(
                "line {}: expected 'run ...' to start a block, found {line:?}",
                i + 1
            ));
        }
        let mut b = Block {
            header: line.to_string(),
            script: Vec::new(),
            expected: Vec::new(),
        };
        loop {
            match lines.next() {
                Some((_, "----")) => break,
                Some((_, l)) => b.script.push(l.to_string()),
                None => return Err(format!("line {}: block has no '----' line", i + 1)),
            }
        }
        while let Some((_, l)) = lines.peek() {
            if l.trim().is_empty() {
                break;
            }
            b.expected.push(l.to_string());
            lines.next();
        }
        blocks.push(b);
    }
    Ok((preamble, blocks))
}

fn configure(header: &str, script: &[String]) -> Result<SimConfig, String> {
    let mut overrides = Vec::new();
    for word in header.split_whitespace().skip(1) {
        match word.split_once('=') {
            Some((k, v)) => overrides.push((k.to_string(), v.to_string())),
            None => overrides.push((word.to_string(), "on".to_string())),
        }
    }
    let mut cfg = SimConfig::default();
    let text = script.join("\n");
    if !text.trim().is_empty() {
        cfg.scenario = Some(text + "\n");
    }
    resolve(cfg, &overrides)
}

/// The run told as a short story: what a reader checks against the algorithm.
fn story(run: &dyn Run) -> Vec<String> {
    let trace: Vec<&TraceEvent> = run.trace().iter().collect();
    let algo = run.config().algo;
    // Whether a node leads once the step that narrated `at` is over: its role changes
    // in that step, else the role it had. Leader notes are the story of a node that
    // leads; a follower that learns of a leader is not one.
    let leads_after = |at: usize| -> bool {
        let (node, time) = match trace[at].kind {
            EventKind::Note { node, .. } => (node, trace[at].time),
            _ => return false,
        };
        let role_of = |e: &&TraceEvent| match &e.kind {
            EventKind::Role { node: n, role, .. } if *n == node => Some(role.clone()),
            _ => None,
        };
        let after = trace[at..]
            .iter()
            .take_while(|e| e.time == time)
            .filter_map(role_of)
            .last();
        let before = || trace[..at].iter().rev().find_map(role_of);
        after
            .or_else(before)
            .is_some_and(|role| algo.category(&role) == RoleCategory::Leader)
    };
    // A recipe election is told by its service (expiries, notifications) and by each
    // client's steps (creates, watches, re-checks).
    let has_service = algo.service.is_some();
    let mut out = Vec::new();
    for (at, e) in trace.iter().enumerate() {
        let keep = match &e.kind {
            EventKind::Action { .. } | EventKind::Skipped { .. } | EventKind::Finding { .. } => {
                true
            }
            EventKind::Note { kind, .. } => {
                matches!(kind, NoteKind::Leader if leads_after(at))
                    || matches!(kind, NoteKind::StepDown | NoteKind::Commit)
                    || (has_service && !e.text.contains("opens"))
            }
            // Fencing at work: the storage turning a stale leader's write away.
            EventKind::Drop { .. } => matches!(e.fact, Some(Fact::WriteRefused { .. })),
            _ => false,
        };
        if keep {
            out.push(format!("{:>9}  {}", Human(e.time).to_string(), e.text));
        }
    }
    let s = run.stats();
    let leaders: Vec<String> = s
        .leaders
        .iter()
        .map(|l| format!("t{}:n{}", l.term, l.node))
        .collect();
    out.push(format!(
        "leaders: {}",
        if leaders.is_empty() {
            "none".into()
        } else {
            leaders.join(" ")
        }
    ));
    let by_kind: Vec<String> = s
        .messages_by_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    out.push(format!("messages by type: {}", by_kind.join(", ")));
    out.push(format!(
        "elections {}, leaderless {}, messages {} sent {} dropped, violations {}",
        s.elections,
        Human(s.leaderless_us),
        s.messages_sent,
        s.messages_dropped,
        s.violations()
    ));
    out
}

#[test]
fn testdata_scenarios_tell_the_expected_story() {
    let rewrite = common::rewrite_requested();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no testdata files in {}", dir.display());
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (preamble, blocks) =
            parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut rewritten = preamble.join("\n");
        if !rewritten.is_empty() {
            rewritten.push('\n');
        }
        for b in &blocks {
            let cfg = configure(&b.header, &b.script)
                .unwrap_or_else(|e| panic!("{}: {}: {e}", path.display(), b.header));
            let mut run = build(&cfg, usize::MAX).unwrap();
            run.advance(cfg.duration);
            let actual = story(run.as_ref());
            if actual != b.expected {
                let first = actual
                    .iter()
                    .zip(&b.expected)
                    .position(|(a, e)| a != e)
                    .unwrap_or(actual.len().min(b.expected.len()));
                failures.push(format!(
                    "{} [{}]: first difference at output line {}\n  expected: {:?}\n  actual:   {:?}",
                    path.file_name().unwrap().to_string_lossy(),
                    b.header,
                    first + 1,
                    b.expected.get(first),
                    actual.get(first)
                ));
            }
            checked += 1;
            rewritten.push_str(&format!(
                "{}\n{}{}----\n{}\n\n",
                b.header,
                b.script
                    .iter()
                    .map(|l| format!("{l}\n"))
                    .collect::<String>(),
                "",
                actual.join("\n")
            ));
        }
        if rewrite {
            std::fs::write(&path, rewritten.trim_end().to_string() + "\n").unwrap();
        }
    }
    assert!(checked > 0);
    if !rewrite {
        assert!(
            failures.is_empty(),
            "{} block(s) differ (rerun with ELECTIONSCOPE_REWRITE=1 after review):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
