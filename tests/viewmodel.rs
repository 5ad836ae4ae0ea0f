//! The view model of algorithm-specific runs: how nodes, the banner and narration
//! read for each algorithm's descriptor (plain Rust, no browser).

use electionscope::algo::Algo;
use electionscope::config::SimConfig;
use electionscope::run::build;
use electionscope::sim::{Action, MS, Micros, SEC, Severity, Target};
use electionscope::viewmodel::*;

fn run_to(seed: u64, t: Micros, actions: &[(Micros, Action)]) -> Box<dyn electionscope::run::Run> {
    let cfg = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let mut r = build(&cfg, 20_000).unwrap();
    for (at, a) in actions {
        r.advance(*at);
        r.act(a.clone());
    }
    r.advance(t);
    r
}

#[test]
fn a_zab_leader_leads_only_once_its_epoch_is_established() {
    let cfg = SimConfig {
        algo: Algo::parse("zab").unwrap(),
        seed: 1,
        ..SimConfig::default()
    };
    let mut r = build(&cfg, 20_000).unwrap();
    let mut seen_establishing = false;
    for ms in (200..400).step_by(5) {
        r.advance(ms * MS);
        let v = nodes(&r.view(), &circle_layout(5), Algo::parse("zab").unwrap());
        let n5 = &v[4];
        if n5.role == "leading" && !n5.leads {
            seen_establishing = true;
            assert!(
                n5.caption
                    .as_deref()
                    .is_some_and(|c| c.starts_with("establishing"))
            );
        }
    }
    assert!(seen_establishing, "n5 is LEADING before it is established");
    let (view, zab) = (r.view(), Algo::parse("zab").unwrap());
    let v = nodes(&view, &circle_layout(5), zab);
    assert!(v[4].leads && v[4].term_label == "epoch 1");
    assert_eq!(v[4].caption.as_deref(), Some("epoch 1"));
    assert!(
        v[0].role == "following" && timer_left(&view.nodes[0], view.now, zab).is_some(),
        "a follower's ring drains until its sync timeout"
    );
}

#[test]
fn banner_explains_a_zk_leader_whose_session_expired_in_a_pause() {
    let cfg = SimConfig {
        algo: Algo::parse("zk-recipe").unwrap(),
        seed: 1,
        ..SimConfig::default()
    };
    let mut r = build(&cfg, 20_000).unwrap();
    r.advance(SEC);
    r.act(Action::Pause {
        target: Target::Leader,
        duration: 1500 * MS,
    });
    r.advance(2 * SEC);
    let b = banner(
        &r.view(),
        &r.stats().findings,
        Algo::parse("zk-recipe").unwrap(),
    )
    .expect("two leaders");
    assert_eq!(b.severity, Severity::Warning);
    assert!(
        b.text.contains("znode #1") && b.text.contains("zk expired its session"),
        "{}",
        b.text
    );
    assert!(!b.text.contains("no quorum"), "{}", b.text);
}

#[test]
fn banner_explains_a_stale_leader() {
    let r = run_to(
        7,
        3 * SEC,
        &[(
            SEC,
            Action::Isolate {
                target: Target::Leader,
            },
        )],
    );
    let b =
        banner(&r.view(), &r.stats().findings, Algo::parse("raft").unwrap()).expect("two leaders");
    assert_eq!(b.severity, Severity::Warning);
    assert!(
        b.text.contains("both believe they lead") && b.text.contains("cannot commit"),
        "{}",
        b.text
    );
    assert_eq!(b.nodes.len(), 2);
    let healthy = run_to(7, 3 * SEC, &[]);
    assert_eq!(
        banner(
            &healthy.view(),
            &healthy.stats().findings,
            Algo::parse("raft").unwrap()
        ),
        None
    );
}

#[test]
fn banner_explains_an_overlapping_lease_by_the_holders_clock() {
    let mut cfg = SimConfig::default();
    cfg.set("scenario", "lease-clock-drift").unwrap();
    cfg.set("seed", "1").unwrap();
    // Without the storage, whose lost updates would top the banner.
    let cfg = electionscope::run::resolve(cfg, &[("storage".into(), "off".into())]).unwrap();
    let mut r = build(&cfg, usize::MAX).unwrap();
    // After the drifting follower took over, before the slow holder gives up.
    r.advance(3 * SEC);
    let b = banner(
        &r.view(),
        &r.stats().findings,
        Algo::parse("lease").unwrap(),
    )
    .expect("two holders");
    assert_eq!(b.severity, Severity::Warning);
    assert!(
        b.text.contains("lease #1") && b.text.contains("own clock"),
        "{}",
        b.text
    );
}

#[test]
fn narration_is_newest_first_and_filtered() {
    let r = run_to(
        7,
        3 * SEC,
        &[(
            SEC,
            Action::Crash {
                target: Target::Leader,
            },
        )],
    );
    let all = narration(r.trace(), &Category::ALL, false, 1_000);
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq));
    let faults = narration(r.trace(), &[Category::Fault], false, 1_000);
    assert!(faults.iter().any(|l| l.text.contains("crashes")));
    assert!(faults.iter().all(|l| l.category == Category::Fault));
    assert_eq!(narration(r.trace(), &Category::ALL, false, 5).len(), 5);
    // Key moments only: whatever the categories shown, every line tells one, and the
    // leaders elected before and after the crash are among them (told by role
    // changes, which the categories never list).
    let moments = narration(r.trace(), &[], true, 1_000);
    assert!(moments.iter().all(|l| l.moment.is_some()));
    let elected = moments
        .iter()
        .filter(|l| l.moment == Some(electionscope::sim::Moment::LeaderElected))
        .count();
    assert_eq!(elected, 2, "{moments:?}");
    assert!(
        all.iter()
            .all(|l| l.moment != Some(electionscope::sim::Moment::LeaderElected))
    );
}

#[test]
fn election_timer_drains_toward_timeout() {
    let r = run_to(7, 400 * MS, &[]);
    let (view, raft) = (r.view(), Algo::parse("raft").unwrap());
    let left = |role: &str| {
        view.nodes
            .iter()
            .filter(|n| n.view.role == role)
            .map(|n| timer_left(n, view.now, raft))
            .collect::<Vec<_>>()
    };
    let followers = left("follower");
    assert!(!followers.is_empty());
    assert!(
        followers
            .iter()
            .all(|f| f.is_some_and(|f| (0.0..=1.0).contains(&f)))
    );
    assert!(left("leader").iter().all(Option::is_none));
}

#[test]
fn lease_renewals_are_narrated_with_the_messages_not_the_faults() {
    let cfg = SimConfig {
        algo: Algo::parse("lease").unwrap(),
        seed: 3,
        ..SimConfig::default()
    };
    let mut r = build(&cfg, 20_000).unwrap();
    r.advance(3 * SEC);
    let default: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|c| c.on_by_default())
        .collect();
    let renewals = |shown: &[Category]| {
        narration(r.trace(), shown, false, 10_000)
            .iter()
            .filter(|l| l.text.contains("renews (renewTime"))
            .count()
    };
    assert_eq!(renewals(&default), 0, "renewals hidden by default");
    assert!(renewals(&[Category::Message]) >= 10);
    assert!(
        narration(r.trace(), &default, false, 10_000)
            .iter()
            .any(|l| l.text.contains("acquires the lease")),
        "the story itself stays"
    );
}

/// In `minority-partition` the majority elects and commits while the minority keeps
/// campaigning: the leaderless figure must not grow while the stats strip shows the
/// majority's leader (the minority's higher terms once counted as "no leader").
#[test]
fn leaderless_time_does_not_grow_while_the_majority_has_a_leader() {
    let cfg = electionscope::run::resolve(
        SimConfig {
            seed: 4,
            ..SimConfig::default()
        },
        &[("scenario".into(), "minority-partition".into())],
    )
    .unwrap();
    let mut r = build(&cfg, 0).unwrap();
    let mut with_leader = 0;
    let mut t = 1_500 * MS;
    while t < 5 * SEC {
        r.advance(t);
        let (leader, before) = (r.view().leader, r.stats().leaderless_us);
        r.advance(t + 50 * MS);
        let (after_leader, after) = (r.view().leader, r.stats().leaderless_us);
        if leader.is_some() && leader == after_leader {
            with_leader += 1;
            assert_eq!(
                after, before,
                "leaderless grew at {t}us while {leader:?} led"
            );
        }
        t += 50 * MS;
    }
    assert!(
        with_leader > 40,
        "the majority led for {with_leader} of 70 samples"
    );
    let view = r.view();
    let strip = stats(&view, r.stats(), cfg.algo);
    assert!(strip.leader.starts_with('n'), "{}", strip.leader);
}

#[test]
fn the_banner_shows_the_newest_violation_and_forgets_it_when_time_goes_back_before_it() {
    let mut cfg = SimConfig::default();
    cfg.set("scenario", "raft-paused-leader").unwrap();
    cfg.set("seed", "1").unwrap();
    let cfg = electionscope::run::resolve(cfg, &[]).unwrap();
    let mut r = build(&cfg, 20_000).unwrap();
    let raft = Algo::parse("raft").unwrap();
    r.advance(3 * SEC);
    let lost = r
        .stats()
        .findings
        .iter()
        .find(|f| f.finding.severity == Severity::Violation)
        .map(|f| f.at)
        .expect("the frozen leader's late write is a lost update");
    let b = banner(&r.view(), &r.stats().findings, raft).expect("a violation banner");
    assert_eq!(b.severity, Severity::Violation);
    assert!(
        b.text.contains("SAFETY VIOLATION") && b.text.contains("Lost update"),
        "{}",
        b.text
    );
    r.seek(lost - MS);
    let before = banner(&r.view(), &r.stats().findings, raft);
    assert!(
        before
            .as_ref()
            .is_none_or(|b| !b.text.contains("SAFETY VIOLATION")),
        "{before:?}"
    );
}
