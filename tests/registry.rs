//! The registry: what every algorithm declares about itself matches what its engine
//! does. Front ends trust these declarations, so a wrong one would misdraw silently.

use electionscope::algo::Algo;
use electionscope::config::SimConfig;
use electionscope::run::{build, resolve};
use electionscope::sim::{EventKind, Moment, RoleCategory, SEC};

/// A run with crashes, a partition and loss, long enough to pass through every role.
fn eventful(algo: Algo, seed: u64) -> Box<dyn electionscope::run::Run> {
    let cfg = resolve(
        SimConfig {
            algo,
            seed,
            nodes: 5,
            scenario: Some(
                "at 0.8s write leader\nat 1s crash leader\nat 2s partition n1,n2 | n3,n4,n5\nat 3s heal\n\
                 at 3.5s restart n1\nat 3.5s restart n2\nat 3.5s restart n3\n\
                 at 3.5s restart n4\nat 3.5s restart n5\nat 4s timeout n1\n\
                 at 5s write leader\n"
                    .into(),
            ),
            ..SimConfig::default()
        },
        &[("drop".into(), "2%".into())],
    )
    .expect("valid config");
    let mut run = build(&cfg, usize::MAX).expect("builds");
    run.advance(6 * SEC);
    run
}

#[test]
fn every_role_an_engine_shows_is_declared_with_its_category() {
    for algo in Algo::all() {
        let mut seen = std::collections::BTreeSet::new();
        for seed in 1..=4 {
            let run = eventful(algo, seed);
            for e in run.trace() {
                if let EventKind::Role { role, .. } = &e.kind {
                    seen.insert(role.clone());
                }
            }
        }
        seen.remove("crashed"); // the kernel's word for a node that is down
        for role in &seen {
            assert!(
                algo.roles.iter().any(|(name, _)| name == role),
                "{}: role '{role}' is not in its descriptor's roles",
                algo.name
            );
        }
        let leader_roles: Vec<&str> = algo
            .roles
            .iter()
            .filter(|(_, c)| *c == RoleCategory::Leader)
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(leader_roles.len(), 1, "{}: one leader role", algo.name);
        assert!(
            seen.contains(leader_roles[0]),
            "{}: no run showed its leader role; seen {seen:?}",
            algo.name
        );
    }
}

#[test]
fn descriptors_agree_with_their_engines() {
    for algo in Algo::all() {
        let run = eventful(algo, 1);
        let view = run.view();
        // A service is declared exactly when the kernel runs one more node.
        assert_eq!(
            view.nodes.iter().any(|n| n.service),
            algo.service.is_some(),
            "{}",
            algo.name
        );
        // A quorum is what lets an algorithm promise one leader per term.
        assert!(
            !algo.quorum || algo.one_leader_per_term,
            "{}: a quorum algorithm that allows two leaders of one term",
            algo.name
        );
        // An algorithm without leadership numbers never shows one on a leader.
        if algo.leadership.is_none() {
            assert!(
                run.stats().leaders.iter().all(|l| l.term == 0),
                "{}: leaders carry numbers but the descriptor has no word for them",
                algo.name
            );
        } else {
            assert!(
                run.stats().leaders.iter().all(|l| l.term > 0),
                "{}: a leader without a number",
                algo.name
            );
        }
        // Every setting the setup panel offers parses and prints back to itself.
        for setting in algo.settings {
            let text = setting.format(setting.default);
            assert_eq!(setting.parse(&text), Ok(setting.default), "{}", setting.key);
            let cfg = SimConfig::default()
                .with(setting.key, &text)
                .expect("a default value is accepted");
            assert!(
                !cfg.to_query().contains(setting.key),
                "defaults stay out of links"
            );
        }
        for scenario in algo.scenarios {
            let cfg = resolve(
                SimConfig {
                    scenario: Some(scenario.name.into()),
                    ..SimConfig::default()
                },
                &[],
            )
            .expect("a built-in scenario resolves");
            assert_eq!(
                cfg.algo, algo,
                "{} is listed under {}",
                scenario.name, algo.name
            );
        }
    }
}

#[test]
fn every_message_colour_an_engine_draws_is_in_its_legend() {
    for algo in Algo::all() {
        let mut seen = std::collections::BTreeSet::new();
        for seed in 1..=16 {
            let run = eventful(algo, seed);
            for e in run.trace() {
                if let EventKind::Send { msg } = &e.kind {
                    seen.insert(format!("{:?}", msg.class));
                }
            }
        }
        let listed: std::collections::BTreeSet<String> = algo
            .messages
            .iter()
            .map(|(c, _)| format!("{c:?}"))
            .collect();
        for class in &seen {
            assert!(
                listed.contains(class),
                "{}: its engine sends {class} messages, which its legend does not list",
                algo.name
            );
        }
        // And the legend lists nothing the engine never draws (sixteen eventful runs
        // show every kind: a vote refused, a heartbeat, an announcement...).
        for class in &listed {
            assert!(
                seen.contains(class),
                "{}: its legend lists {class}, which no run drew",
                algo.name
            );
        }
    }
}

/// Every moment the runs of `algo` mark: sixteen eventful runs and each of its
/// built-in scenarios, for ten seconds.
fn moments_of(algo: Algo) -> std::collections::BTreeSet<Moment> {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=16 {
        seen.extend(eventful(algo, seed).moments().iter().map(|m| m.moment));
    }
    for builtin in algo.scenarios {
        let cfg = resolve(
            SimConfig {
                algo,
                scenario: Some(builtin.text.into()),
                ..SimConfig::default()
            },
            &[],
        )
        .expect("a built-in scenario resolves");
        let mut run = build(&cfg, 0).expect("builds");
        run.advance(10 * SEC);
        seen.extend(run.moments().iter().map(|m| m.moment));
    }
    seen
}

#[test]
fn every_moment_an_engine_marks_is_declared_and_every_declared_one_happens() {
    let mut everywhere = std::collections::BTreeSet::new();
    for algo in Algo::all() {
        let seen = moments_of(algo);
        for m in &seen {
            assert!(
                Moment::KERNEL.contains(m) || algo.moments.contains(m),
                "{}: its engine marks {m:?}, which its descriptor does not list",
                algo.name
            );
        }
        for m in algo.moments {
            assert!(
                seen.contains(m),
                "{}: it lists the moment {m:?}, which none of its runs marked",
                algo.name
            );
        }
        assert!(
            seen.contains(&Moment::LeaderElected),
            "{}: no leader elected",
            algo.name
        );
        everywhere.extend(seen);
    }
    // The kernel's own moments each happen somewhere: in the split-brain scenarios
    // (stale leaders, refused writes, lost updates, power-offs), partitions and
    // crashes (a lost quorum).
    for m in Moment::KERNEL {
        if m == Moment::Livelock {
            continue; // its own test below
        }
        assert!(everywhere.contains(&m), "no run marked {m:?}");
    }
}

fn moments_in(algo: Algo, scenario: &str, until: u64) -> Vec<Moment> {
    let cfg = resolve(
        SimConfig {
            algo,
            scenario: Some(scenario.into()),
            ..SimConfig::default()
        },
        &[],
    )
    .expect("valid scenario");
    let mut run = build(&cfg, 0).expect("builds");
    run.advance(until * SEC);
    run.moments().iter().map(|m| m.moment).collect()
}

fn builtin(algo: Algo, name: &str) -> &'static str {
    algo.scenarios
        .iter()
        .find(|b| b.name == name)
        .map(|b| b.text)
        .expect("a built-in scenario")
}

#[test]
fn a_livelock_is_marked_once_and_a_working_majority_is_not_one() {
    let paxos = Algo::parse("paxos").unwrap();
    let duel = moments_in(paxos, builtin(paxos, "paxos-duel-no-backoff"), 10);
    let livelocks = duel.iter().filter(|m| **m == Moment::Livelock).count();
    assert_eq!(livelocks, 1, "duelling proposers without backoff: {duel:?}");
    // With backoff the duel settles: no livelock.
    let settled = moments_in(paxos, builtin(paxos, "paxos-duel"), 10);
    assert!(!settled.contains(&Moment::Livelock), "{settled:?}");
    // A cut-off minority campaigns for ever beside a leader the majority follows.
    let raft = Algo::parse("raft").unwrap();
    let minority = moments_in(raft, builtin(raft, "minority-partition"), 10);
    assert!(minority.iter().filter(|m| **m == Moment::StepDown).count() >= 2);
    assert!(!minority.contains(&Moment::Livelock), "{minority:?}");
}

#[test]
fn losing_a_majority_is_marked_each_time_it_is_lost() {
    let raft = Algo::parse("raft").unwrap();
    let script = "set nodes 5\nat 1s crash n1\nat 1.1s crash n2\nat 1.2s crash n3\n\
                  at 2s restart n3\nat 3s partition n1,n2 | n3,n4,n5\nat 3.5s crash n4\n\
                  at 4s heal\n";
    let marks = moments_in(raft, script, 5);
    let lost = marks.iter().filter(|m| **m == Moment::QuorumLost).count();
    // The third crash loses it; the restart regains it; with n1, n2 still down, the
    // crash of n4 leaves n3 and n5: lost again. The partition itself cut nobody
    // running off a majority (n1 and n2 are down), so it marks nothing.
    assert_eq!(lost, 2, "{marks:?}");
}

#[test]
fn a_branch_keeps_each_moment_once_and_acting_in_the_past_drops_the_old_future() {
    let raft = Algo::parse("raft").unwrap();
    let cfg = resolve(
        SimConfig {
            algo: raft,
            seed: 1,
            scenario: Some(builtin(raft, "leader-crash").into()),
            ..SimConfig::default()
        },
        &[],
    )
    .expect("valid");
    let mut run = build(&cfg, 100).expect("builds");
    run.advance(4 * SEC);
    let first: Vec<_> = run.moments().to_vec();
    assert!(first.len() >= 2, "{first:?}");
    run.seek(SEC / 2);
    run.advance(4 * SEC);
    assert_eq!(
        run.moments(),
        &first[..],
        "forward again: the same moments, once"
    );
    // Acting before the crash forks a branch: moments after that instant go.
    run.seek(SEC);
    run.act(electionscope::sim::Action::Heal);
    assert!(
        run.moments().iter().all(|m| m.time <= SEC),
        "{:?}",
        run.moments()
    );
    assert!(!run.moments().is_empty());
}
