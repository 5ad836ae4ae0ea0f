//! Measures what time travel costs for one hour of virtual time of a 5-node Raft
//! cluster: live heap with all snapshots (bounded), simulation throughput, and the
//! wall time of a seek back. Run with `cargo bench --bench timeline`; it prints
//! figures and asserts nothing about speed.

use electionscope::config::SimConfig;
use electionscope::run::build;
use electionscope::sim::{Action, Human, SEC, Target};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn mib(b: usize) -> String {
    format!("{:.2} MiB", b as f64 / (1024.0 * 1024.0))
}

fn main() {
    // The UI's settings: a bounded narration window of 5,000 events.
    let trace_window = 5_000;
    let hour = 3600 * SEC;
    let cfg = SimConfig {
        seed: 1,
        duration: hour,
        ..SimConfig::default()
    };
    let base = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut run = build(&cfg, trace_window).unwrap();
    // A client write every 10 s and a leader crash/restart every 5 minutes, so logs
    // grow and terms advance as in a long classroom session.
    let mut t = 0;
    let mut crashed = None;
    while t < hour {
        t += 10 * SEC;
        run.advance(t);
        run.act(Action::Write {
            target: Target::Leader,
        });
        if t % (300 * SEC) == 0 {
            match crashed.take() {
                Some(n) => run.act(Action::Restart {
                    target: Target::Node(n),
                }),
                None => {
                    crashed = run.view().leader.map(|(n, _)| n);
                    run.act(Action::Crash {
                        target: Target::Leader,
                    });
                }
            }
        }
    }
    let wall = started.elapsed();
    let live = LIVE.load(Ordering::Relaxed) - base;
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let s = run.stats();
    let events = s.messages_sent * 2;
    println!("one hour of virtual time, 5-node Raft, write every 10s, leader crash every 10 min");
    println!("  messages sent:            {}", s.messages_sent);
    println!(
        "  terms reached:            {}",
        s.leaders.last().map_or(0, |l| l.term)
    );
    println!(
        "  wall time:                {:.2?} ({:.0} message events/s)",
        wall,
        events as f64 / wall.as_secs_f64()
    );
    println!(
        "  live heap after the hour: {} (peak {})",
        mib(live),
        mib(peak)
    );
    // Seeking back replays from the nearest snapshot: its cost is bounded by the
    // snapshot interval, however long the run.
    let mut worst = std::time::Duration::ZERO;
    for k in 1..=20u64 {
        let target = hour - k * 173 * SEC;
        let t0 = Instant::now();
        run.seek(target);
        worst = worst.max(t0.elapsed());
    }
    println!("  slowest of 20 seeks back: {worst:.2?}");
    println!("  final time after seeks:   {}", Human(run.now()));
}
