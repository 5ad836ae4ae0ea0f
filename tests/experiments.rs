//! The lab's experiments for any runs (`electionscope::experiment`): the runs' text is
//! checked line by line, the fault schedule is the seed's alone, fencing loses no
//! update on exactly the schedule that loses some without it, the split-brain clock
//! measures what the watch reports, and the messages experiment sets its textbook
//! formula beside the measured medians.

use electionscope::config::SimConfig;
use electionscope::experiment::{self, Kind, fault_schedule, parse_runs};
use electionscope::run;
use electionscope::sim::{Action, SEC};

#[test]
fn runs_are_read_one_per_line_and_a_problem_names_its_line() {
    let runs = parse_runs("algo=raft\n\n# a comment\n?algo=bully&nodes=7\n").unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1].label, "algo=bully&nodes=7");
    assert_eq!(runs[1].config.nodes, 7);
    let e = parse_runs("algo=raft\nalgo=rat").unwrap_err();
    assert!(e.starts_with("line 2: ") && e.contains("rat"), "{e}");
    let e = parse_runs("algo=raft\nnodes=99").unwrap_err();
    assert!(e.starts_with("line 2: nodes"), "{e}");
    assert!(
        parse_runs(" \n# only a comment")
            .unwrap_err()
            .contains("at least one run")
    );
    let nine = ["algo=raft"; 9].join("\n");
    assert!(parse_runs(&nine).unwrap_err().contains("at most 8"));
    assert!(
        Kind::parse("chaos")
            .unwrap_err()
            .contains("recovery, messages, faults")
    );
}

#[test]
fn a_fault_schedule_is_the_seeds_alone_and_stays_within_the_trial() {
    for seed in 0..200 {
        let a = fault_schedule(seed, 5);
        assert_eq!(a, fault_schedule(seed, 5));
        assert!(!a.is_empty());
        assert!(a.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
        assert!(a.iter().all(|(t, _)| *t < experiment::FAULTS_DURATION));
        for (_, action) in &a {
            if let Action::Partition { groups } = action {
                // A minority, every node named once and in the cluster.
                assert!(!groups[0].is_empty() && groups[0].len() <= 2, "{groups:?}");
                assert!(groups[0].iter().all(|&n| (1..=5).contains(&n)));
            }
        }
    }
    assert_ne!(fault_schedule(1, 5), fault_schedule(2, 5));
}

#[test]
fn fencing_refuses_exactly_the_writes_that_are_lost_without_it() {
    // The storage is outside the cluster: refusing a write changes nothing the nodes
    // see, so the fenced run is the unfenced run with each lost update refused.
    let runs = parse_runs("algo=raft\nalgo=zab\nalgo=lease\nalgo=zk-recipe\nalgo=paxos").unwrap();
    let rows = experiment::faults(&runs, 12, 1, &mut |_| {}).unwrap();
    let mut lost = 0;
    for r in &rows {
        assert_eq!(
            r.lost_updates_fenced, 0,
            "{}: fencing lost an update",
            r.label
        );
        assert_eq!(r.refused_fenced, r.lost_updates_unfenced, "{}", r.label);
        assert!(r.two_leaders_us <= r.measured_us && r.leaderless_us <= r.measured_us);
        assert_eq!(r.violations, 0, "{}: a safety violation", r.label);
        lost += r.lost_updates_unfenced;
    }
    let report = experiment::faults_report(&rows);
    assert_eq!(report.svg.matches("<g data-group=").count(), rows.len());
    assert_eq!(report.svg.matches("data-value=").count(), 2 * rows.len());
    assert!(
        lost > 0,
        "random partitions and pauses lose updates without fencing"
    );
}

#[test]
fn the_split_brain_clock_runs_exactly_while_two_nodes_claim_to_lead() {
    // Bully under a partition: each side elects its own leader until the heal.
    let cfg = run::resolve(
        SimConfig::default(),
        &[("scenario".into(), "bully-partition".into())],
    )
    .unwrap();
    let mut sim = run::batch(&cfg).unwrap();
    let mut claimed_at = None;
    let mut measured = 0;
    while sim.now() < 8 * SEC && sim.step() {
        let claimants = sim.headlines().iter().filter(|h| h.is_leader).count();
        match (claimants >= 2, claimed_at) {
            (true, None) => claimed_at = Some(sim.now()),
            (false, Some(t)) => {
                measured += sim.now() - t;
                claimed_at = None;
            }
            _ => {}
        }
    }
    let split = sim.stats().split_brain_us;
    assert!(split > SEC, "split brain for {split}us");
    // Headlines include crashed nodes' last words, so allow a step's slack.
    let diff = split.abs_diff(measured);
    assert!(diff < SEC / 10, "watch {split}us, headlines {measured}us");
    // A quorum with CheckQuorum and PreVote under random faults: less time with two
    // leaders than plain Raft on the same schedules.
    let runs = parse_runs("algo=raft\nalgo=raft&prevote=on&check-quorum=on").unwrap();
    let rows = experiment::faults(&runs, 8, 3, &mut |_| {}).unwrap();
    assert!(rows[1].two_leaders_us < rows[0].two_leaders_us, "{rows:?}");
}

#[test]
fn messages_per_election_grow_as_the_textbook_says_for_bully_and_stay_near_linear_for_raft() {
    let runs = parse_runs("algo=bully\nalgo=raft").unwrap();
    let rows = experiment::messages(&runs, 8, 1, &mut |_| {}).unwrap();
    let at = |r: &experiment::MessagesRow, n: u32| {
        r.cold_start
            .iter()
            .find(|(m, _)| *m == n)
            .and_then(|(_, v)| *v)
            .unwrap()
    };
    assert_eq!(rows[0].cold_start.len(), experiment::SIZES.len());
    // Bully's count grows faster than 5x from 5 to 25 nodes: quadratic, not linear.
    assert!(
        at(&rows[0], 25) > 10 * at(&rows[0], 5),
        "{:?}",
        rows[0].cold_start
    );
    assert!(
        at(&rows[1], 25) < 15 * at(&rows[1], 5),
        "{:?}",
        rows[1].cold_start
    );
    let report = experiment::messages_report(&rows);
    assert_eq!(report.svg.matches("<g data-panel=").count(), 2);
    assert!(report.svg.contains("textbook n(n−1)") && report.svg.contains("textbook 3(n−1)"));
    assert!(report.html.contains("fit ") || report.html.contains("·n"));
    assert_eq!(report.csv.lines().count(), 1 + 2 * experiment::SIZES.len());
}

#[test]
fn the_recovery_experiment_reports_percentiles_and_a_cdf_per_run() {
    let runs = parse_runs("algo=raft\nalgo=zab").unwrap();
    let report = experiment::run(Kind::Recovery, &runs, 20, 1, &mut |_| {}).unwrap();
    assert_eq!(report.html.matches("<tr data-run=").count(), 2);
    assert_eq!(report.svg.matches("data-series=").count(), 2);
    assert_eq!(report.csv.lines().count(), 1 + 2 * 20);
    let runs = report.json["runs"].as_array().unwrap().clone();
    assert!(
        runs.iter()
            .all(|r| r["failed"] == 0 && r["time_to_leader_us"]["p50"].as_u64().unwrap() > 0)
    );
}
