//! The native CLI: its outputs, and clear errors (never a panic) for bad arguments.

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_electionscope"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_json_reports_the_summary_and_fingerprint() {
    let o = cli(&[
        "run",
        "--algo",
        "raft",
        "--nodes",
        "5",
        "--seed",
        "7",
        "--duration",
        "10s",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(v["trace_hash"], "c64440d6e0bb4791");
    assert_eq!(v["nodes"], 5);
    assert_eq!(v["violations"].as_array().map(Vec::len), Some(0));
    assert!(v["leaders_by_term"][0]["term"].as_u64().is_some());
    assert!(v["messages_by_type"]["RequestVote"].as_u64().unwrap() > 0);
    assert_eq!(v["query"], "algo=raft&nodes=5&seed=7&duration=10s");
}

#[test]
fn run_text_summary_names_every_section() {
    let o = cli(&[
        "run",
        "--seed",
        "3",
        "--duration",
        "4s",
        "--scenario",
        "leader-crash",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "leaders by term:",
        "term 2: n4",
        "elections started:",
        "leaderless time:",
        "AppendEntries",
        "safety violations: 0",
        "trace hash:",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn a_scenario_file_and_a_trace_file_work() {
    let dir = std::env::temp_dir().join(format!("electionscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("s.txt");
    std::fs::write(&scenario, "set nodes 3\nat 1s crash leader\n").unwrap();
    let trace = dir.join("t.jsonl");
    let o = cli(&[
        "run",
        "--seed",
        "1",
        "--duration",
        "3s",
        "--scenario",
        scenario.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["nodes"], 3);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() > 50);
    assert!(
        lines
            .iter()
            .any(|e| e["type"] == "action" && e["text"].as_str().unwrap().contains("crashes"))
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_arguments_get_a_clear_message_and_a_nonzero_exit() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--nodes", "0"], "nodes: 0 is outside 3 to 25"),
        (&["run", "--nodes", "2"], "nodes: 2 is outside 3 to 25"),
        (
            &["run", "--nodes", "many"],
            "nodes: 'many' is not a whole number",
        ),
        (
            &["run", "--algo", "zookeeper9"],
            "unknown algorithm 'zookeeper9'",
        ),
        (&["run", "--duration", "10"], "duration: '10' has no unit"),
        (&["run", "--seed=-4"], "seed: '-4' is not a whole number"),
        (
            &["run", "--election-timeout", "300-150ms"],
            "low end above its high end",
        ),
        (&["run", "--drop", "150%"], "more than 100%"),
        (
            &["run", "--scenario", "no-such-scenario"],
            "unknown scenario 'no-such-scenario'",
        ),
        (&["lab", "--fault", "meteor"], "unknown fault 'meteor'"),
        (&["lab", "--nodes", "9-3"], "--nodes: '9-3' is not a size"),
        (&["lab", "--trials", "0"], "--trials must be at least 1"),
        (&["run", "--bogus"], "unexpected argument '--bogus'"),
        (&["fly"], "unrecognized subcommand 'fly'"),
    ];
    for (args, message) in cases {
        let o = cli(args);
        assert_eq!(o.status.code(), Some(2), "{args:?} should fail with exit 2");
        let err = stderr(&o);
        assert!(err.contains(message), "{args:?}: {err:?} lacks {message:?}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

#[test]
fn a_scenario_naming_a_missing_node_points_at_it() {
    let dir = std::env::temp_dir().join(format!("electionscope-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("bad.txt");
    std::fs::write(&scenario, "at 1s crash n2\nat 2s crash n9\n").unwrap();
    let o = cli(&[
        "run",
        "--nodes",
        "5",
        "--scenario",
        scenario.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 2, column 13: n9 does not exist"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Node names are checked after every setting applies: a flag may grow the cluster
/// (`--nodes 7`) or add the coordination service after the candidates (`--algo
/// zk-recipe` makes n6 zk), and a scenario's own `set nodes` may be overridden.
#[test]
fn a_scenario_is_checked_against_the_cluster_the_flags_make() {
    let dir = std::env::temp_dir().join(format!("electionscope-cli-n6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let crash_n6 = dir.join("crash-n6.txt");
    std::fs::write(&crash_n6, "at 1s crash n6\n").unwrap();
    let shrinks = dir.join("seven.txt");
    std::fs::write(&shrinks, "set nodes 7\nat 1s crash n6\n").unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let json = |args: &[&str]| {
        let o = cli(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).expect("one JSON object")
    };
    let raft7 = json(&[
        "run",
        "--algo",
        "raft",
        "--nodes",
        "7",
        "--seed",
        "3",
        "--duration",
        "2s",
        "--json",
        "--scenario",
        &path(&crash_n6),
    ]);
    assert_eq!(raft7["nodes"], 7);
    let zk = json(&[
        "run",
        "--algo",
        "zk-recipe",
        "--seed",
        "3",
        "--duration",
        "2s",
        "--json",
        "--scenario",
        &path(&crash_n6),
    ]);
    assert_eq!(zk["algo"], "zk-recipe");
    // The trace says the service crashed, not a sixth candidate.
    let trace = dir.join("zk.jsonl");
    let o = cli(&[
        "run",
        "--algo",
        "zk-recipe",
        "--seed",
        "3",
        "--duration",
        "2s",
        "--scenario",
        &path(&crash_n6),
        "--trace",
        &path(&trace),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = std::fs::read_to_string(&trace).unwrap();
    assert!(lines.contains("zk crashes"), "zk was not crashed");
    // The other way round: the scenario's `set nodes 7` makes n6 valid, `--nodes 4`
    // takes it away again, and the error says so.
    let o = cli(&["run", "--nodes", "4", "--scenario", &path(&shrinks)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 2, column 13: n6 does not exist: the cluster has n1 to n4"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn lab_reports_distributions_over_seeds_and_cluster_sizes() {
    let o = cli(&[
        "lab",
        "--algo",
        "raft",
        "--nodes",
        "3,5",
        "--trials",
        "50",
        "--seed",
        "1",
        "--election-timeout",
        "150-300ms",
        "--heartbeat",
        "75ms",
        "--latency",
        "5-10ms",
        "--fault",
        "crash-leader",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["trials"], 50);
        assert_eq!(r["recovered"], 50);
        assert_eq!(r["runs_with_safety_violation"], 0);
        let d = &r["time_to_leader_us"];
        let (min, p50, max) = (
            d["min"].as_u64().unwrap(),
            d["p50"].as_u64().unwrap(),
            d["max"].as_u64().unwrap(),
        );
        // A new leader needs at least the minimum election timeout minus a heartbeat of
        // slack, and a round of messages.
        assert!(min >= 150_000 - 75_000 && min <= p50 && p50 <= max, "{d}");
    }
    let text = cli(&["lab", "--nodes", "5", "--trials", "20", "--seed", "1"]);
    assert!(stdout(&text).contains("p99"), "{}", stdout(&text));
}

#[test]
fn the_seed_is_chosen_and_printed_when_omitted() {
    let o = cli(&["run", "--duration", "1s"]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("seed "), "{}", stdout(&o));
}

#[test]
fn every_algorithm_runs_from_the_cli_and_elects_the_expected_leader() {
    // Bully and the rings elect the highest id; Paxos and Raft whoever wins a quorum;
    // ZAB, with every history empty, the highest id (its votes tie on epoch and zxid).
    for (algo, highest_wins) in [
        ("bully", true),
        ("ring", true),
        ("hs", true),
        ("paxos", false),
        ("lease", false),
        ("zab", true),
        ("zk-recipe", false),
    ] {
        let o = cli(&[
            "run",
            "--algo",
            algo,
            "--nodes",
            "6",
            "--seed",
            "4",
            "--duration",
            "3s",
            "--json",
        ]);
        assert!(o.status.success(), "{algo}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
        assert_eq!(v["algo"], algo);
        assert_eq!(v["violations"].as_array().map(Vec::len), Some(0), "{algo}");
        let leader = v["final_leader"].as_u64();
        assert!(leader.is_some(), "{algo}: no leader at the end");
        if highest_wins {
            assert_eq!(leader, Some(6), "{algo}");
        }
    }
}

#[test]
fn ring_message_counts_follow_the_arrangement_in_the_lab_table() {
    // Chang-Roberts, everyone starting at once, fixed latency: a descending ring costs
    // N(N+1)/2 election messages and an ascending one 2N-1, so the cold-start message
    // median (acks and the ELECTED lap included) grows much faster when descending.
    let msgs = |order: &str| -> Vec<u64> {
        let o = cli(&[
            "lab",
            "--algo",
            "ring",
            "--nodes",
            "4,8,16",
            "--trials",
            "3",
            "--seed",
            "1",
            "--fault",
            "none",
            "--latency",
            "10-10ms",
            "--ring-order",
            order,
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["messages"]["p50"].as_u64().expect("p50"))
            .collect()
    };
    let (asc, desc) = (msgs("ascending"), msgs("descending"));
    assert_eq!(asc.len(), 3);
    for k in 0..3 {
        assert!(desc[k] > asc[k], "descending {desc:?} vs ascending {asc:?}");
    }
    assert!(desc[2] - asc[2] >= 136 - 31, "{desc:?} vs {asc:?}");
}

#[test]
fn bad_algorithm_settings_are_named() {
    let o = cli(&["run", "--algo", "ring", "--ring-order", "sideways"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("ring-order: 'sideways' is not ascending, descending or random"),
        "{}",
        stderr(&o)
    );
    let o = cli(&["run", "--algo", "paxos", "--backoff", "sometimes"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("backoff"), "{}", stderr(&o));
    let o = cli(&["run", "--algo", "zk-recipe", "--watch", "everyone"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("watch: 'everyone' is not predecessor or leader"),
        "{}",
        stderr(&o)
    );
    let o = cli(&["run", "--algo", "zk-recipe", "--session-timeout", "soon"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("session-timeout"), "{}", stderr(&o));
    let o = cli(&["run", "--algo", "zab", "--finalize-wait", "soon"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("finalize-wait"), "{}", stderr(&o));
    let o = cli(&["run", "--algo", "vsr"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("unknown algorithm 'vsr'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn storage_and_stonith_flags_reach_the_run_and_its_summary() {
    let o = cli(&[
        "run",
        "--seed",
        "3",
        "--duration",
        "4s",
        "--scenario",
        "raft-paused-leader",
        "--storage",
        "fenced",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("storage (fenced):"), "{out}");
    assert!(out.contains("0 lost updates"), "{out}");
    let o = cli(&[
        "run",
        "--seed",
        "3",
        "--duration",
        "4s",
        "--scenario",
        "raft-paused-leader",
        "--set",
        "stonith=on",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert!(v["query"].as_str().unwrap().contains("stonith=on"), "{v}");
    assert_eq!(v["storage"]["lost_updates"], 0);
}

#[test]
fn bad_defence_settings_are_named_not_panicked_on() {
    for (args, expect) in [
        (
            vec!["run", "--storage", "maybe"],
            "unknown storage mode 'maybe'",
        ),
        (
            vec!["run", "--set", "stonith"],
            "--set: 'stonith' is not KEY=VALUE",
        ),
        (
            vec!["run", "--set", "stonith=perhaps"],
            "stonith: 'perhaps' is not on or off",
        ),
        (vec!["lab", "--set", "=x"], "is not KEY=VALUE"),
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn split_brain_prints_the_lab_table() {
    let o = cli(&["split-brain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("| `raft-paused-leader-fenced` | Raft | quorum, fencing tokens |"),
        "{out}"
    );
    assert!(out.contains("Lost update"), "{out}");
}

#[test]
fn lease_runs_and_labs_from_the_cli_with_its_settings_and_warnings() {
    let o = cli(&[
        "run",
        "--algo",
        "lease",
        "--seed",
        "3",
        "--duration",
        "4s",
        "--scenario",
        "lease-paused-leader-fenced",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("leaders by lease:") && out.contains("lease #1: n"),
        "{out}"
    );
    assert!(out.contains("safety violations: 0"), "{out}");

    // A takeover after the leader's crash waits out leaseDuration: about 1.5 s.
    let o = cli(&[
        "lab",
        "--algo",
        "lease",
        "--fault",
        "crash-leader",
        "--nodes",
        "3,5",
        "--trials",
        "20",
        "--seed",
        "1",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for r in v["rows"].as_array().unwrap() {
        assert_eq!(r["recovered"], 20, "{r}");
        assert_eq!(r["runs_with_safety_violation"], 0);
        let d = &r["time_to_leader_us"];
        let (min, max) = (d["min"].as_u64().unwrap(), d["max"].as_u64().unwrap());
        assert!(min >= 1_000_000 && max <= 2_500_000, "{d}");
    }

    // client-go's rule, named when broken; a bad value is refused.
    let o = cli(&[
        "run",
        "--algo",
        "lease",
        "--seed",
        "1",
        "--duration",
        "1s",
        "--renew-deadline",
        "2s",
    ]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("leaseDuration > renewDeadline"),
        "{}",
        stderr(&o)
    );
    let o = cli(&["run", "--algo", "lease", "--lease-expiry", "sometimes"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("lease-expiry"), "{}", stderr(&o));
}

#[test]
fn zab_runs_its_scenarios_and_the_crash_leader_lab_from_the_cli() {
    let o = cli(&[
        "run",
        "--algo",
        "zab",
        "--seed",
        "1",
        "--scenario",
        "zab-minority-leader",
        "--duration",
        "7s",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("leaders by epoch:"), "{text}");
    assert!(text.contains("epoch 2: n3"), "{text}");
    assert!(text.contains("safety violations: 0"), "{text}");

    let o = cli(&[
        "lab",
        "--algo",
        "zab",
        "--fault",
        "crash-leader",
        "--trials",
        "20",
        "--seed",
        "1",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let row = &v["rows"][0];
    assert_eq!(row["trials"], 20);
    assert_eq!(row["recovered"], 20);
    assert_eq!(row["runs_with_safety_violation"], 0);
    // Followers notice after syncLimit (150 ms at least), then the finalize wait (200 ms).
    let min = row["time_to_leader_us"]["min"].as_u64().unwrap();
    assert!(min >= 350_000, "{row}");
}

#[test]
fn zk_recipe_runs_its_scenarios_and_the_lab_from_the_cli() {
    // The paused-leader scenario without fencing ends with the kernel's lost update.
    let o = cli(&[
        "run",
        "--seed",
        "1",
        "--duration",
        "4s",
        "--scenario",
        "zk-paused-leader",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["algo"], "zk-recipe");
    let violations = v["violations"].as_array().expect("violations");
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0]["invariant"], "Lost update");
    assert!(
        v["query"]
            .as_str()
            .unwrap()
            .contains("scenario=zk-paused-leader"),
        "{v}"
    );

    // A scenario may name zk as the node after the candidates (n6 of 5); Raft has no n6.
    let dir = std::env::temp_dir().join(format!("electionscope-zk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("zk.txt");
    std::fs::write(
        &file,
        "set algo zk-recipe\nat 1s crash n6\nat 1.2s restart n6\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let o = cli(&["run", "--seed", "1", "--duration", "3s", "--scenario", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("safety violations: 0"),
        "{}",
        stdout(&o)
    );
    let o = cli(&["run", "--algo", "raft", "--seed", "1", "--scenario", path]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("n6 does not exist"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();

    // Watching the leader: the text summary counts the herd's WatchEvents.
    let o = cli(&[
        "run",
        "--algo",
        "zk-recipe",
        "--watch",
        "leader",
        "--session-timeout",
        "400ms",
        "--seed",
        "2",
        "--duration",
        "3s",
        "--scenario",
        "zk-herd",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("leaders by znode:") && out.contains("znode #2:"),
        "{out}"
    );
    assert!(out.contains("WatchEvent     4\n"), "{out}");

    // The lab crashes the leader: a new one within a session timeout and a sweep,
    // plus the followers' next look at /election.
    let o = cli(&[
        "lab",
        "--algo",
        "zk-recipe",
        "--nodes",
        "3,5",
        "--trials",
        "20",
        "--seed",
        "1",
        "--fault",
        "crash-leader",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for r in v["rows"].as_array().unwrap() {
        assert_eq!(r["recovered"], 20, "{r}");
        assert_eq!(r["runs_with_safety_violation"], 0, "{r}");
        let d = &r["time_to_leader_us"];
        let (min, max) = (d["min"].as_u64().unwrap(), d["max"].as_u64().unwrap());
        // The dead session lives 600 ms after the last ping zk heard (at most 200 ms
        // before the crash); a majority must then have looked at /election again.
        assert!(min >= 400_000 && max <= 1_600_000, "{d}");
    }
}

#[test]
fn algorithms_lists_the_registry_with_each_setting_and_scenario() {
    let o = cli(&["algorithms", "--json"]);
    assert!(o.status.success());
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let names: Vec<&str> = list
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let registry: Vec<&str> = electionscope::algo::Algo::all().map(|a| a.name).collect();
    assert_eq!(names, registry);
    for (a, algo) in list
        .as_array()
        .unwrap()
        .iter()
        .zip(electionscope::algo::Algo::all())
    {
        let keys: Vec<&str> = a["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["key"].as_str().unwrap())
            .collect();
        let declared: Vec<&str> = algo.settings.iter().map(|s| s.key).collect();
        assert_eq!(keys, declared, "{}", algo.name);
        assert_eq!(
            a["scenarios"].as_array().unwrap().len(),
            algo.scenarios.len()
        );
    }
    // The text form names every algorithm and every flag it takes.
    let text = String::from_utf8(cli(&["algorithms"]).stdout).unwrap();
    for algo in electionscope::algo::Algo::all() {
        assert!(text.contains(algo.title), "{text}");
        for s in algo.settings {
            assert!(text.contains(&format!("--{}", s.key)), "{text}");
        }
    }
}

#[test]
fn every_algorithm_setting_is_a_flag_in_the_help() {
    let help = String::from_utf8(cli(&["run", "--help"]).stdout).unwrap();
    for setting in electionscope::algo::registry::settings() {
        assert!(help.contains(&format!("--{}", setting.key)), "{help}");
    }
    // A plain switch is a flag that takes no value; its words are on and off.
    let o = cli(&[
        "run",
        "--seed",
        "1",
        "--duration",
        "1s",
        "--prevote",
        "--check-quorum",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn durations_take_hours() {
    let o = cli(&["run", "--seed", "1", "--duration", "0.001h", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["duration_us"], 3_600_000);
    let o = cli(&["run", "--seed", "1", "--duration", "25h"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("outside 1us to 24h"), "{}", stderr(&o));
}

#[test]
fn lessons_are_listed_and_run_prints_each_checkpoint_with_the_runs_answers() {
    let list = stdout(&cli(&["lessons"]));
    for name in ["raft-majority", "split-vote", "zk-herd"] {
        assert!(list.contains(name), "{list}");
    }
    let o = cli(&["run", "--lesson", "split-vote", "--seed", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("(seed 3, 4 nodes, 3s)"), "{text}");
    assert!(text.contains("Which node will lead?"), "{text}");
    assert!(text.contains("choices: n1 / n2 / n3 / n4"), "{text}");
    // The same answer as the library computes for that seed: the page uses it too.
    let lesson = electionscope::lesson::Lesson::parse(
        electionscope::lesson::builtin("split-vote").unwrap().text,
    )
    .unwrap();
    let cfg = lesson
        .config(&electionscope::config::SimConfig {
            seed: 3,
            ..Default::default()
        })
        .unwrap();
    let answer = &lesson.resolve(&cfg).unwrap()[1]
        .question
        .clone()
        .unwrap()
        .answer;
    assert!(
        text.contains(&format!("answer:  {answer} (decided at")),
        "{text}"
    );
    // JSON for tools.
    let json: serde_json::Value = serde_json::from_str(&stdout(&cli(&[
        "run", "--lesson", "zk-herd", "--seed", "1", "--json",
    ])))
    .unwrap();
    assert!(json.as_array().is_some_and(|a| a.len() == 2), "{json}");
    // A wrong lesson file names the line and column; an unknown name lists the lessons.
    let dir = std::env::temp_dir().join(format!("es-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.lesson");
    std::fs::write(&bad, "set algo raft\nat next leader-won say \"x\"\n").unwrap();
    let o = cli(&["run", "--lesson", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("lesson: line 2, column 9: unknown moment 'leader-won'"),
        "{}",
        stderr(&o)
    );
    let o = cli(&["run", "--lesson", "no-such-lesson"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(
            "raft-majority, split-vote, fixed-timeout, log-up-to-date, prevote-checkquorum, bully-vs-raft, zk-herd"
        ),
        "{}",
        stderr(&o)
    );
    let o = cli(&[
        "run",
        "--lesson",
        "split-vote",
        "--scenario",
        "leader-crash",
    ]);
    assert!(
        !o.status.success(),
        "a lesson and a scenario at once are refused"
    );
}

#[test]
fn run_replays_a_links_actions_and_gives_the_fingerprint_the_page_computes() {
    use electionscope::sim::{Action, MS, Target};
    let cfg = electionscope::config::SimConfig {
        seed: 11,
        ..Default::default()
    };
    let mut run = electionscope::run::build(&cfg, 0).unwrap();
    run.advance(900 * MS);
    run.act(Action::Crash {
        target: Target::Leader,
    });
    run.advance(cfg.duration);
    let acts = electionscope::link::encode_actions(run.actions());
    let o = cli(&["run", "--seed", "11", "--json", "--acts", &acts]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(summary["trace_hash"], run.trace_hash().as_str());
    let plain: serde_json::Value =
        serde_json::from_str(&stdout(&cli(&["run", "--seed", "11", "--json"]))).unwrap();
    assert_ne!(plain["trace_hash"], summary["trace_hash"]);
    let bad = cli(&["run", "--acts", "1~2~explode n1"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("--acts: action 1"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn the_trace_and_diagram_files_are_the_pages_exports_byte_for_byte() {
    use electionscope::config::SimConfig;
    let dir = std::env::temp_dir().join(format!("electionscope-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (trace, diagram) = (dir.join("t.jsonl"), dir.join("d.svg"));
    let query = "algo=zab&nodes=5&seed=12&duration=3s";
    let acts = "4000~1000000~crash leader";
    let o = cli(&[
        "run",
        "--query",
        query,
        "--acts",
        acts,
        "--trace",
        trace.to_str().unwrap(),
        "--diagram",
        diagram.to_str().unwrap(),
        "--window",
        "0.5s..2500ms",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (cfg, notices) = SimConfig::from_query(query);
    assert!(notices.is_empty());
    let actions = electionscope::link::decode_actions(acts).unwrap();
    let page = electionscope::trace_file::write(&cfg, &actions, u64::MAX, &mut |_| {}).unwrap();
    assert_eq!(std::fs::read_to_string(&trace).unwrap(), page);
    assert!(page.starts_with(&format!(
        "{{\"electionscope\":\"trace\",\"version\":1,\"query\":\"{query}\",\"acts\":\"{acts}\"}}\n"
    )));
    let svg = electionscope::diagram_svg::render(&cfg, &actions, 500_000, 2_500_000, &mut |_| {})
        .unwrap();
    assert_eq!(std::fs::read_to_string(&diagram).unwrap(), svg);
    // The query's seed is the run's: no random seed is announced.
    assert!(!stdout(&o).contains("chosen at random"));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["seed"], 12);
    let o = cli(&["run", "--query", "nodes=2", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nodes: 2 is outside 3 to 25"),
        "{}",
        stderr(&o)
    );
    let o = cli(&["run", "--diagram", "x.svg", "--window", "5s..1s"]);
    assert!(
        stderr(&o).contains("--diagram: window 5s..1s ends before it starts"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn lab_experiments_take_runs_as_page_addresses_and_name_bad_ones() {
    // The flags describe the run when no --run is given; CSV is what the page saves.
    let o = cli(&[
        "lab",
        "--experiment",
        "faults",
        "--algo",
        "lease",
        "--trials",
        "3",
        "--seed",
        "2",
        "--csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.starts_with("run,trials,two_leaders_share"), "{csv}");
    assert!(
        csv.lines().nth(1).unwrap().starts_with("\"algo=lease\",3,"),
        "{csv}"
    );
    let o = cli(&[
        "lab",
        "--experiment",
        "messages",
        "--run",
        "algo=ring",
        "--run",
        "algo=hs",
        "--trials",
        "2",
        "--seed",
        "1",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    assert_eq!(v["runs"][1]["label"], "algo=hs");
    assert_eq!(v["runs"][0]["cold_start"].as_array().unwrap().len(), 8);
    for (args, expected) in [
        (
            vec!["--experiment", "chaos"],
            "--experiment: unknown experiment 'chaos'",
        ),
        (
            vec![
                "--experiment",
                "recovery",
                "--run",
                "algo=raft",
                "--run",
                "nodes=40",
            ],
            "--run: line 2: nodes: 40 is outside 3 to 25",
        ),
        (vec!["--run", "algo=raft"], "--experiment"),
    ] {
        let mut all = vec!["lab"];
        all.extend(args);
        let o = cli(&all);
        assert!(!o.status.success());
        assert!(stderr(&o).contains(expected), "{all:?}: {}", stderr(&o));
    }
}
