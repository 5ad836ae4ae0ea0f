//! The kernel's guard against runaway engines: a deliberately flooding Raft is stopped
//! within its budget and says why; healthy runs of every algorithm stay far inside the
//! budget; the page's per-frame budget changes nothing but when work happens.

use electionscope::algo::Algo;
use electionscope::algo::raft::{Raft, RaftBug};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::run::{self, resolve};
use electionscope::sim::guard::{DEFAULT_BUDGET, Limit};
use electionscope::sim::{Budget, EventKind, KernelConfig, MS, SEC, Simulation, Timeline};

fn flooding_raft(nodes: u32, budget: Budget) -> Simulation<Raft> {
    let cfg = SimConfig {
        nodes,
        seed: 7,
        ..SimConfig::default()
    };
    let kernel = KernelConfig {
        nodes,
        seed: cfg.seed,
        latency: cfg.latency,
        budget,
        ..KernelConfig::default()
    };
    let algo = Raft::algo_config(&cfg).with_bug(RaftBug::EchoEveryMessage);
    Simulation::<Raft>::new(kernel, algo)
}

#[test]
fn a_flooding_engine_is_stopped_within_its_budget_and_the_trace_says_who_flooded() {
    let mut sim = flooding_raft(5, DEFAULT_BUDGET);
    let wall = std::time::Instant::now();
    sim.advance_to(10 * SEC);
    let stopped_at = sim.now();
    assert!(stopped_at < 10 * SEC, "the clock stopped at the storm");
    let (halt, text) = sim.stats().halted.clone().expect("the run was halted");
    assert_eq!(halt.at, stopped_at);
    assert!(
        sim.stats().busiest_window <= DEFAULT_BUDGET.max_events_per_window + 1,
        "no window went past its budget: {}",
        sim.stats().busiest_window
    );
    let sender = halt.sender.expect("someone sent");
    let kind = halt.kind.clone().expect("a message kind");
    assert!(halt.count > 1_000, "{text}");
    assert!(
        text.starts_with(&format!("message storm: n{sender} sent ")),
        "{text}"
    );
    assert!(text.contains(&format!(" {kind} in 100ms; ")), "{text}");
    assert!(text.ends_with("so the simulation stopped here"), "{text}");
    // The finding is the trace's last event, and nothing happens after it.
    let trace = sim.drain_trace();
    let last = trace.last().expect("a trace");
    assert!(matches!(&last.kind, EventKind::Halted(h) if *h == halt));
    assert_eq!(last.text, text);
    let (sent, hash) = (sim.stats().messages_sent, sim.trace_hash());
    sim.advance_to(20 * SEC);
    assert!(!sim.step());
    sim.act(electionscope::sim::Action::Heal);
    assert_eq!(
        (sim.now(), sim.stats().messages_sent, sim.trace_hash()),
        (stopped_at, sent, hash),
        "a halted run does not move"
    );
    println!(
        "flood stopped at {} after {sent} messages, {} ms wall: {text}",
        electionscope::sim::Human(stopped_at),
        wall.elapsed().as_millis()
    );
}

#[test]
fn too_many_messages_in_flight_stop_the_run_too() {
    let budget = Budget {
        max_in_flight: 2_000,
        ..DEFAULT_BUDGET
    };
    let mut sim = flooding_raft(9, budget);
    sim.advance_to(10 * SEC);
    let (halt, text) = sim.stats().halted.clone().expect("halted");
    assert_eq!(halt.limit, Limit::InFlight, "{text}");
    assert!(
        text.contains("more than 2,000 messages were on the wire at once"),
        "{text}"
    );
    // Checked after each step, and one step of a 9-node echo sends 8 messages.
    assert!(sim.cluster_view().in_flight.len() <= 2_000 + 8);
}

#[test]
fn without_the_bug_the_same_run_is_never_stopped() {
    let cfg = SimConfig {
        nodes: 5,
        seed: 7,
        ..SimConfig::default()
    };
    let mut sim = run::simulation::<Raft>(&cfg).expect("builds");
    sim.advance_to(10 * SEC);
    assert_eq!(sim.stats().halted, None);
    assert_eq!(sim.now(), 10 * SEC);
}

/// The budget must sit far above what any healthy run does: every algorithm at 25
/// nodes with a fast heartbeat and loss, and every built-in scenario.
#[test]
fn healthy_runs_of_every_algorithm_stay_far_inside_the_budget() {
    let mut busiest = (0, String::new());
    let mut configs: Vec<SimConfig> = Vec::new();
    for algo in Algo::all() {
        for (nodes, heartbeat) in [(5, "50ms"), (25, "50ms"), (25, "20ms")] {
            let cfg = SimConfig {
                algo,
                seed: 3,
                duration: 20 * SEC,
                ..SimConfig::default()
            };
            let set = [
                ("nodes", nodes.to_string()),
                ("heartbeat", heartbeat.to_string()),
                ("election-timeout", "60-120ms".to_string()),
                ("drop", "10%".to_string()),
            ]
            .map(|(k, v)| (k.to_string(), v));
            configs.push(resolve(cfg, &set).expect("valid"));
        }
    }
    for b in electionscope::scenario::builtins() {
        let cfg = SimConfig {
            scenario: Some(b.name.to_string()),
            ..SimConfig::default()
        };
        configs.push(resolve(cfg, &[]).expect("valid"));
    }
    for cfg in configs {
        let mut r = run::build(&cfg, 0).expect("builds");
        r.advance(cfg.duration);
        let s = r.stats();
        assert_eq!(s.halted, None, "{}", cfg.to_query());
        if s.busiest_window > busiest.0 {
            busiest = (s.busiest_window, cfg.to_query());
        }
    }
    println!(
        "busiest 100 ms window of a healthy run: {} events ({}); budget {}",
        busiest.0, busiest.1, DEFAULT_BUDGET.max_events_per_window
    );
    assert!(
        busiest.0 * 5 <= DEFAULT_BUDGET.max_events_per_window,
        "a healthy run came within 5x of the budget: {busiest:?}"
    );
}

/// The page handles at most a budget of events a frame; the clock catches up over the
/// following frames. Splitting the work must not change the run.
#[test]
fn advancing_in_small_slices_gives_the_same_run_as_one_advance() {
    let cfg = resolve(
        SimConfig {
            scenario: Some("leader-crash".into()),
            ..SimConfig::default()
        },
        &[],
    )
    .expect("valid");
    let whole = {
        let mut r = run::build(&cfg, 0).expect("builds");
        r.advance(cfg.duration);
        r.trace_hash()
    };
    let sim = run::simulation::<Raft>(&cfg).expect("builds");
    let mut timeline = Timeline::new(Box::new(sim), 100);
    let mut calls = 0;
    let mut target = 0;
    while target < cfg.duration {
        target = (target + 40 * MS).min(cfg.duration);
        while !timeline.advance_within(target, 2) {
            calls += 1;
            assert!(timeline.sim().now() <= target);
        }
        calls += 1;
        assert_eq!(timeline.sim().now(), target);
    }
    assert_eq!(timeline.sim().trace_hash(), whole);
    assert!(
        calls > 1_000,
        "the budget really split the work ({calls} calls)"
    );
    // Going back in time and forward again still lands on the same run.
    timeline.seek(3 * SEC);
    while !timeline.advance_within(cfg.duration, 50) {}
    assert_eq!(timeline.sim().trace_hash(), whole);
}

/// Time travel over a halted run: rewinding before the storm works, and running
/// forward again halts at the same instant with the same trace.
#[test]
fn a_halted_run_can_be_rewound_and_replays_to_the_same_halt() {
    let sim = flooding_raft(5, DEFAULT_BUDGET);
    let mut timeline = Timeline::new(Box::new(sim), 1_000);
    timeline.advance(10 * SEC);
    let (at, hash) = (timeline.sim().now(), timeline.sim().trace_hash());
    assert!(timeline.sim().halted().is_some());
    timeline.seek(at / 2);
    assert_eq!(timeline.sim().now(), at / 2);
    assert!(timeline.sim().halted().is_none());
    timeline.advance(10 * SEC);
    assert_eq!(
        (timeline.sim().now(), timeline.sim().trace_hash()),
        (at, hash)
    );
}
