//! One test per Hirschberg-Sinclair rule (Hirschberg & Sinclair, CACM 23(11), 1980;
//! Lynch, *Distributed Algorithms*, §3.4 "HS"), named after the rule. Engine-level tests
//! feed one node inputs and compare its effects; cluster-level tests run the kernel.

mod common;

use common::engine::{self, sends};
use electionscope::algo::hirschberg_sinclair::{
    Dir, HirschbergSinclair, HsConfig, HsMsg, HsTimer, Role, final_phase,
};
use electionscope::algo::ring::RingArrangement;
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::run::simulation;
use electionscope::sim::{
    Algorithm, Effect, Input, MS, Micros, NodeId, NodeStatus, SEC, Severity, Simulation,
};

type Fx = Vec<Effect<HsMsg, HsTimer>>;

fn step(node: &mut HirschbergSinclair, me: NodeId, n: u32, input: Input<HsMsg, HsTimer>) -> Fx {
    engine::step_node(node, me, n, 0, None, input)
}

/// Node `me` of the ascending ring 1..=n, after booting (it campaigns at once).
fn booted(me: NodeId, n: u32) -> HirschbergSinclair {
    let mut node = HirschbergSinclair::boot(me, n as usize, &HsConfig::ascending(n));
    step(&mut node, me, n, Input::Start { recovered: false });
    node
}

fn probe(id: NodeId, phase: u32, hops: u32, dir: Dir) -> HsMsg {
    HsMsg::Probe {
        id,
        phase,
        hops,
        dir,
    }
}

fn msg(from: NodeId, msg: HsMsg) -> Input<HsMsg, HsTimer> {
    Input::Message { from, msg }
}

// ----- the rules of one node -----

#[test]
fn hs_a_candidate_probes_both_neighbours_at_distance_one_in_phase_0() {
    let mut n3 = HirschbergSinclair::boot(3, 5, &HsConfig::ascending(5));
    let fx = step(&mut n3, 3, 5, Input::Start { recovered: false });
    assert_eq!(
        sends(&fx),
        vec![
            (4, probe(3, 0, 1, Dir::Clockwise)),
            (2, probe(3, 0, 1, Dir::Counterclockwise)),
        ]
    );
    assert_eq!(n3.role(), Role::Candidate);
    assert_eq!(n3.view().fields[0], ("phase".to_string(), "0".to_string()));
}

#[test]
fn hs_a_lower_probe_is_swallowed_and_a_neighbour_is_told() {
    let mut n4 = booted(4, 8);
    // n3's phase-0 probe, sent by n3 itself: swallowed, and n3 learns it is outranked.
    let fx = step(&mut n4, 4, 8, msg(3, probe(3, 0, 1, Dir::Clockwise)));
    assert_eq!(sends(&fx), vec![(3, HsMsg::Outranked { id: 3, phase: 0 })]);
    // n1's phase-2 probe, 3 hops out: swallowed silently, as in the textbook.
    let fx = step(&mut n4, 4, 8, msg(3, probe(1, 2, 3, Dir::Clockwise)));
    assert_eq!(sends(&fx), vec![]);
    assert_eq!(n4.role(), Role::Candidate, "a lower probe does not stop n4");
}

#[test]
fn hs_a_higher_probe_is_passed_on_within_its_reach_and_answered_at_its_end() {
    let mut n4 = booted(4, 8);
    // Phase 2 reaches 4 hops: at hop 2 n4 passes it on in the same direction.
    let fx = step(&mut n4, 4, 8, msg(3, probe(7, 2, 2, Dir::Clockwise)));
    assert_eq!(sends(&fx), vec![(5, probe(7, 2, 3, Dir::Clockwise))]);
    // At hop 4 n4 is at the reach: it replies back the way the probe came.
    let fx = step(&mut n4, 4, 8, msg(5, probe(8, 2, 4, Dir::Counterclockwise)));
    assert_eq!(
        sends(&fx),
        vec![(
            5,
            HsMsg::Reply {
                id: 8,
                phase: 2,
                hops: 1,
                dir: Dir::Clockwise
            }
        )]
    );
    assert_eq!(
        n4.role(),
        Role::Waiting,
        "a higher candidate makes n4 give way"
    );
    assert_eq!(n4.rival(), Some(8));
}

#[test]
fn hs_replies_from_both_sides_double_the_reach() {
    let mut n5 = booted(5, 8);
    let reply = |dir| HsMsg::Reply {
        id: 5,
        phase: 0,
        hops: 1,
        dir,
    };
    let fx = step(&mut n5, 5, 8, msg(6, reply(Dir::Counterclockwise)));
    assert_eq!(sends(&fx), vec![], "one side is not enough");
    let fx = step(&mut n5, 5, 8, msg(4, reply(Dir::Clockwise)));
    assert_eq!(
        sends(&fx),
        vec![
            (6, probe(5, 1, 1, Dir::Clockwise)),
            (4, probe(5, 1, 1, Dir::Counterclockwise)),
        ]
    );
    assert_eq!(n5.phase(), Some(1));
}

#[test]
fn hs_a_probe_that_comes_back_round_the_ring_elects_its_sender() {
    let mut n8 = booted(8, 8);
    for phase in 0..3 {
        for (from, dir) in [(1, Dir::Counterclockwise), (7, Dir::Clockwise)] {
            let reply = HsMsg::Reply {
                id: 8,
                phase,
                hops: 1,
                dir,
            };
            step(&mut n8, 8, 8, msg(from, reply));
        }
    }
    assert_eq!(n8.phase(), Some(3));
    let fx = step(&mut n8, 8, 8, msg(7, probe(8, 3, 8, Dir::Clockwise)));
    assert_eq!(n8.role(), Role::Leader);
    assert!(n8.view().is_leader);
    assert_eq!(sends(&fx), vec![(1, HsMsg::Elected { leader: 8, hops: 1 })]);
}

#[test]
fn hs_an_elected_message_goes_round_once_and_makes_lower_nodes_follow() {
    let mut n3 = booted(3, 5);
    let fx = step(&mut n3, 3, 5, msg(2, HsMsg::Elected { leader: 5, hops: 3 }));
    assert_eq!(n3.role(), Role::Follower);
    assert_eq!(n3.leader(), Some(5));
    assert_eq!(sends(&fx), vec![(4, HsMsg::Elected { leader: 5, hops: 4 })]);
    // A higher node does not follow a lower winner: it campaigns instead.
    let mut n4 = booted(4, 5);
    step(&mut n4, 4, 5, msg(5, HsMsg::Elected { leader: 5, hops: 4 }));
    let fx = step(&mut n4, 4, 5, msg(3, HsMsg::Elected { leader: 2, hops: 1 }));
    assert_eq!(n4.leader(), Some(5), "n4 keeps following the higher n5");
    assert!(sends(&fx).is_empty());
}

#[test]
fn hs_a_neighbour_that_answers_no_phase_0_probe_is_skipped() {
    let mut n2 = booted(2, 5);
    // n1 replies; n3 says nothing before the phase timer: n2 takes it for dead.
    let reply = HsMsg::Reply {
        id: 2,
        phase: 0,
        hops: 1,
        dir: Dir::Clockwise,
    };
    step(&mut n2, 2, 5, msg(1, reply));
    let fx = step(&mut n2, 2, 5, Input::Timer(HsTimer::Phase));
    assert!(n2.skipped().contains(&3));
    assert_eq!(n2.neighbour(Dir::Clockwise), Some(4));
    assert_eq!(
        sends(&fx),
        vec![
            (4, probe(2, 0, 1, Dir::Clockwise)),
            (1, probe(2, 0, 1, Dir::Counterclockwise)),
        ]
    );
    // Any message from n3 puts it back.
    step(&mut n2, 2, 5, msg(3, HsMsg::Heartbeat { leader: 5 }));
    assert!(n2.skipped().is_empty());
}

#[test]
fn hs_a_campaign_started_by_a_timeout_gives_skipped_neighbours_another_chance() {
    let mut n2 = booted(2, 5);
    step(&mut n2, 2, 5, Input::Timer(HsTimer::Phase));
    assert_eq!(n2.skipped().iter().copied().collect::<Vec<_>>(), vec![1, 3]);
    // n3 skips n2 too (a one-way cut did it): neither will ever send to the other,
    // so only a fresh campaign can bring them together again.
    let fx = step(&mut n2, 2, 5, Input::Timer(HsTimer::Election));
    assert!(n2.skipped().is_empty());
    assert_eq!(
        sends(&fx),
        vec![
            (3, probe(2, 0, 1, Dir::Clockwise)),
            (1, probe(2, 0, 1, Dir::Counterclockwise)),
        ]
    );
    assert!(
        engine::notes(&fx).iter().any(|(_, t)| t
            == "n2 gives n1, n3 another chance: its new campaign probes its real neighbours first"),
        "{fx:?}"
    );
}

/// Found by the shared fault schedules: a one-way cut n4->n5 made n4 and n5 skip each
/// other; after the network healed they never spoke again and no leader was agreed.
#[test]
fn hs_neighbours_that_skipped_each_other_across_a_one_way_cut_meet_again_after_healing() {
    let c = SimConfig {
        nodes: 7,
        seed: 2,
        latency: (MS, 13 * MS),
        ..SimConfig::default()
    }
    .with("ring-order", "descending")
    .expect("a ring order");
    let script = "at 310ms pause n3 for 457ms\nat 1.04s timeout n7\nat 1.242s restart n2\n\
                  at 1.944s crash leader\nat 2.406s crash leader\nat 2.713s cut n4->n5\n\
                  at 4.999s heal\nat 5s restart n6\nat 5s restart n7\n";
    let mut sim = sim_with(&c, Some(script));
    let took = settle_time(&mut sim, 7, 5 * SEC, 7, 3 * SEC);
    assert!(
        took.is_some(),
        "n7 never became the agreed leader after healing"
    );
}

#[test]
fn hs_a_follower_that_hears_no_heartbeat_campaigns_without_its_leader() {
    let mut n2 = booted(2, 3);
    step(&mut n2, 2, 3, msg(3, HsMsg::Heartbeat { leader: 3 }));
    assert_eq!(n2.role(), Role::Follower);
    let fx = step(&mut n2, 2, 3, Input::Timer(HsTimer::Election));
    assert_eq!(n2.role(), Role::Candidate);
    assert!(n2.skipped().contains(&3));
    let notes = fx
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Note {
                    kind: electionscope::sim::NoteKind::ElectionStart,
                    ..
                }
            )
        })
        .count();
    assert_eq!(notes, 1, "one ElectionStart per campaign");
}

// ----- whole clusters -----

fn cfg(nodes: u32, arrangement: RingArrangement, seed: u64) -> SimConfig {
    SimConfig {
        nodes,
        seed,
        latency: (10 * MS, 10 * MS),
        ..SimConfig::default()
    }
    .with("ring-order", arrangement.name())
    .expect("a ring order")
}

fn sim_with(c: &SimConfig, scenario: Option<&str>) -> Simulation<HirschbergSinclair> {
    let mut c = c.clone();
    c.scenario = scenario.map(str::to_string);
    simulation::<HirschbergSinclair>(&c).expect("valid scenario")
}

/// The node every running (not crashed, not paused) node follows, if they all agree
/// and it leads.
fn agreed_leader(sim: &Simulation<HirschbergSinclair>, _n: u32) -> Option<NodeId> {
    let view = sim.cluster_view();
    let running: Vec<_> = view
        .nodes
        .iter()
        .filter(|s| s.status == NodeStatus::Up)
        .collect();
    let first = running.first()?.view.leader?;
    let all = running.iter().all(|s| s.view.leader == Some(first));
    let leads = running.iter().any(|s| s.id == first && s.view.is_leader);
    (all && leads).then_some(first)
}

fn violations(sim: &Simulation<HirschbergSinclair>) -> Vec<String> {
    sim.stats()
        .findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Violation)
        .map(|f| f.finding.text.clone())
        .collect()
}

fn count(sim: &Simulation<HirschbergSinclair>, kind: &str) -> u64 {
    sim.stats().messages_by_kind.get(kind).copied().unwrap_or(0)
}

fn ceil_log2(n: u64) -> u64 {
    final_phase(n as usize) as u64
}

/// Hirschberg & Sinclair's bound (Lynch, Theorem 3.8 and the count before it): in
/// phase k ≥ 1 at most ⌊N / (2^(k-1) + 1)⌋ candidates remain (within 2^(k-1) of a
/// phase-k candidate none is left), each sending at most 4·2^k probes and replies,
/// so at most 8N per phase; phase 0 sends at most 4N; there are at most 1 + ⌈log2 N⌉
/// phases. Total ≤ 8N(1 + ⌈log2 N⌉). OUTRANKED answers stand in for the replies of
/// swallowed hop-1 probes, so they count too.
#[test]
fn hs_probes_and_replies_stay_within_8n_times_1_plus_log_n() {
    println!("  N  arrangement   probes replies outranked  total  bound  leader");
    for n in [4u32, 8, 16, 25] {
        for &arrangement in RingArrangement::ALL {
            let c = cfg(n, arrangement, 7);
            let mut sim = sim_with(&c, None);
            sim.advance_to(5 * SEC);
            let (p, r, o) = (
                count(&sim, "Probe"),
                count(&sim, "Reply"),
                count(&sim, "Outranked"),
            );
            let bound = 8 * n as u64 * (1 + ceil_log2(n as u64));
            println!(
                "{n:>3}  {:<11} {p:>7} {r:>7} {o:>9} {:>6} {bound:>6}  {:?}",
                arrangement.name(),
                p + r + o,
                agreed_leader(&sim, n)
            );
            assert!(
                p + r + o <= bound,
                "N={n} {arrangement}: {} > {bound}",
                p + r + o
            );
            assert_eq!(agreed_leader(&sim, n), Some(n), "N={n} {arrangement}");
            assert_eq!(count(&sim, "Elected"), n as u64, "one ELECTED lap");
            assert_eq!(sim.stats().elections, n as u64, "everyone campaigns once");
            assert!(violations(&sim).is_empty());
        }
    }
}

/// Chang-Roberts on a descending ring sends N(N+1)/2 election messages (each id i
/// travels i hops before the higher node swallows it; Chang & Roberts 1979), Θ(N²).
/// Hirschberg-Sinclair's O(N log N) undercuts it once N is large enough: at N = 25.
#[test]
fn hs_beats_chang_roberts_worst_case_on_a_large_descending_ring() {
    for n in [16u32, 25] {
        let mut sim = sim_with(&cfg(n, RingArrangement::Descending, 1), None);
        sim.advance_to(5 * SEC);
        let hs = count(&sim, "Probe") + count(&sim, "Reply") + count(&sim, "Outranked");
        let cr = n as u64 * (n as u64 + 1) / 2;
        println!(
            "N={n} descending: Hirschberg-Sinclair {hs} election messages, Chang-Roberts {cr}"
        );
        if n == 25 {
            assert!(hs < cr, "HS {hs} should undercut CR {cr} at N=25");
        }
    }
}

#[test]
fn hs_the_highest_id_is_elected_whatever_the_arrangement() {
    for seed in 0..20 {
        for &arrangement in RingArrangement::ALL {
            let n = 3 + (seed % 10) as u32;
            let c = SimConfig {
                nodes: n,
                seed,
                ..SimConfig::default()
            }
            .with("ring-order", arrangement.name())
            .expect("a ring order");
            let mut sim = sim_with(&c, None);
            sim.advance_to(3 * SEC);
            assert_eq!(agreed_leader(&sim, n), Some(n), "seed {seed} {arrangement}");
            assert!(violations(&sim).is_empty());
        }
    }
}

/// Time from `from` until every running node follows `expected`.
fn settle_time(
    sim: &mut Simulation<HirschbergSinclair>,
    n: u32,
    from: Micros,
    expected: NodeId,
    limit: Micros,
) -> Option<Micros> {
    sim.advance_to(from);
    while sim.now() < from + limit {
        if agreed_leader(sim, n) == Some(expected) && sim.now() > from {
            return Some(sim.now() - from);
        }
        if !sim.step() {
            break;
        }
    }
    None
}

#[test]
fn hs_after_the_leader_crashes_the_highest_live_id_leads() {
    for &arrangement in RingArrangement::ALL {
        let c = cfg(6, arrangement, 3);
        let mut sim = sim_with(&c, Some("at 2s crash n6\nat 5s crash n5\n"));
        let first = settle_time(&mut sim, 6, 0, 6, 2 * SEC).expect("n6 leads first");
        let second = settle_time(&mut sim, 6, 2 * SEC, 5, 3 * SEC).expect("n5 after n6");
        let third = settle_time(&mut sim, 6, 5 * SEC, 4, 3 * SEC).expect("n4 after n5");
        println!(
            "{arrangement}: n6 after {}, n5 {} after n6 crashed, n4 {} after n5 crashed",
            electionscope::sim::Human(first),
            electionscope::sim::Human(second),
            electionscope::sim::Human(third)
        );
        assert!(violations(&sim).is_empty(), "{:?}", violations(&sim));
    }
}

#[test]
fn hs_a_restarted_highest_node_takes_over_again() {
    let c = cfg(5, RingArrangement::Random, 9);
    let mut sim = sim_with(&c, Some("at 1s crash n5\nat 3s restart n5\n"));
    settle_time(&mut sim, 5, SEC, 4, 2 * SEC).expect("n4 leads while n5 is down");
    settle_time(&mut sim, 5, 3 * SEC, 5, 2 * SEC).expect("n5 leads again");
    assert!(violations(&sim).is_empty());
}

#[test]
fn hs_a_crash_inside_the_ring_is_repaired_by_skipping_the_silent_node() {
    // n3 dies while everyone follows n5; the next election's probes must get past it.
    let c = cfg(6, RingArrangement::Ascending, 4);
    let mut sim = sim_with(&c, Some("at 1s crash n3\nat 1500ms crash n6\n"));
    let t = settle_time(&mut sim, 6, 1500 * MS, 5, 3 * SEC).expect("n5 leads");
    println!("n5 leads {} after n6 crashed", electionscope::sim::Human(t));
    let n2 = sim.node(2).expect("n2 runs");
    assert!(
        n2.skipped().contains(&3),
        "n2 skips dead n3: {:?}",
        n2.skipped()
    );
    assert!(violations(&sim).is_empty());
}

#[test]
fn hs_phase_timeouts_follow_the_latency_setting() {
    let c = SimConfig {
        latency: (5 * MS, 15 * MS),
        ..SimConfig::default()
    };
    let hs = HirschbergSinclair::algo_config(&c);
    assert_eq!(hs.hop_time, 16 * MS);
    assert_eq!(hs.phase_timeout(0), 32 * MS);
    assert_eq!(hs.phase_timeout(3), 256 * MS);
}

// ----- scenarios offered to the lead as built-ins -----

fn leader_crash() -> &'static str {
    builtin_text("hs-leader-crash")
}

fn two_crashes() -> &'static str {
    builtin_text("hs-two-crashes")
}

pub const PAUSED_LEADER: &str = "\
# The leader freezes; the others elect n5, then n6 wakes up and takes over again.
set nodes 6
at 2s pause n6 for 1500ms
";

fn run_scenario(text: &str, nodes: u32) -> Simulation<HirschbergSinclair> {
    if let Err(e) = electionscope::scenario::Scenario::parse(text) {
        panic!("built-in scenario does not parse: {e}");
    }
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("set "))
        .map(|l| format!("{l}\n"))
        .collect();
    sim_with(&cfg(nodes, RingArrangement::Ascending, 1), Some(&body))
}

#[test]
fn scenario_leader_crash_elects_the_next_highest() {
    let mut sim = run_scenario(leader_crash(), 6);
    settle_time(&mut sim, 6, 0, 6, 2 * SEC).expect("n6 first");
    settle_time(&mut sim, 6, 2 * SEC, 5, 3 * SEC).expect("n5 after the crash");
    assert!(violations(&sim).is_empty());
}

#[test]
fn scenario_two_crashes_route_round_the_dead_and_n8_takes_over_on_restart() {
    let mut sim = run_scenario(two_crashes(), 8);
    settle_time(&mut sim, 8, 2 * SEC, 7, 3 * SEC).expect("n7 while n8 and n4 are down");
    settle_time(&mut sim, 8, 5 * SEC, 8, 3 * SEC).expect("n8 after restarting");
    assert!(violations(&sim).is_empty());
}

#[test]
fn scenario_paused_leader_is_replaced_then_takes_over_again() {
    let mut sim = run_scenario(PAUSED_LEADER, 6);
    settle_time(&mut sim, 6, 2 * SEC, 5, 1500 * MS).expect("n5 while n6 is frozen");
    settle_time(&mut sim, 6, 3500 * MS, 6, 3 * SEC).expect("n6 again after waking");
    assert!(violations(&sim).is_empty());
}

/// A built-in scenario's text: the rule tests run exactly what the page offers.
fn builtin_text(name: &str) -> &'static str {
    electionscope::scenario::builtin(name)
        .unwrap_or_else(|| panic!("no built-in scenario {name}"))
        .text
}
