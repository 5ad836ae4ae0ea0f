//! Engine throughput: trace events per second of wall time with tracing (every event
//! narrated and hashed) and every invariant monitor on. The configuration is
//! one hour of 5-node Raft (100-200 ms timeouts, 50 ms heartbeat, 10-15 ms latency);
//! then ten minutes of every algorithm at 5 nodes. Two ways to run: `batch` (the
//! kernel alone, as the lab and the fingerprint use it) and `timeline` (with time
//! travel's snapshots and the narration window, as the page and `electionscope run`).
//! Run with `cargo bench --bench throughput`; it prints figures and asserts nothing
//! about speed.

use electionscope::algo::Algo;
use electionscope::config::SimConfig;
use electionscope::run::{batch, build, resolve};
use std::time::Instant;

fn config(set: &[(&str, &str)]) -> SimConfig {
    let set: Vec<(String, String)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    resolve(SimConfig::default(), &set).expect("valid settings")
}

/// Best of three: (events, seconds) for each way of running.
fn measure(cfg: &SimConfig) -> [(u64, f64); 2] {
    let mut best = [(0, f64::MAX); 2];
    for _ in 0..3 {
        let started = Instant::now();
        let mut sim = batch(cfg).expect("builds");
        sim.advance_to(cfg.duration);
        let secs = started.elapsed().as_secs_f64();
        best[0] = (sim.trace_seq(), best[0].1.min(secs));

        let started = Instant::now();
        let mut run = build(cfg, 5_000).expect("builds");
        run.advance(cfg.duration);
        let secs = started.elapsed().as_secs_f64();
        let events = run.trace().back().map_or(0, |e| e.seq + 1);
        best[1] = (events, best[1].1.min(secs));
    }
    best
}

fn line(label: &str, cfg: &SimConfig) {
    let [b, t] = measure(cfg);
    let rate = |(events, secs): (u64, f64)| events as f64 / secs / 1e6;
    println!(
        "{label:<34} {:>10} events  batch {:>6.3} s {:>5.2} M/s   timeline {:>6.3} s {:>5.2} M/s",
        b.0,
        b.1,
        rate(b),
        t.1,
        rate(t)
    );
}

fn main() {
    line(
        "raft 5 nodes, 1 h (the issue's)",
        &config(&[
            ("algo", "raft"),
            ("nodes", "5"),
            ("seed", "1"),
            ("duration", "3600s"),
            ("election-timeout", "100-200ms"),
            ("heartbeat", "50ms"),
            ("latency", "10-15ms"),
        ]),
    );
    for algo in Algo::all() {
        line(
            &format!("{} 5 nodes, 10 min", algo.name),
            &config(&[
                ("algo", algo.name),
                ("nodes", "5"),
                ("seed", "1"),
                ("duration", "600s"),
            ]),
        );
    }
}
