//! The one schedule generator every property suite uses, swarm style: each schedule
//! enables a random subset of the faults its suite names, so that some schedules
//! hammer a few fault kinds in depth and others mix many (Groce et al., "Swarm
//! Testing", ISSTA 2012). Every schedule then heals at the end of its fault phase,
//! and the suite checks safety throughout and liveness after.

use electionscope::config::SimConfig;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Human, MS, Micros, SEC};

/// A kind of fault a schedule may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    CrashLeader,
    Crash,
    Restart,
    Pause,
    PauseLeader,
    Timeout,
    /// Two candidates time out at one instant: a duel (Paxos's backoff must settle it).
    Duel,
    Write,
    WriteLeader,
    Partition,
    IsolateLeader,
    Heal,
    Loss,
    /// A one-way cut.
    Cut,
    Drift,
    /// The network's delay changes mid-run (the Chang-Roberts storm began with one).
    Latency,
    /// Faults of the coordination service, node `nodes + 1`.
    ServiceCrash,
    ServiceRestart,
    ServicePause,
    ServiceIsolate,
}

/// Faults every algorithm's schedules must survive, besides its own.
pub const SHARED: &[Fault] = &[Fault::Latency, Fault::Pause, Fault::Cut, Fault::Drift];

/// One suite's parameters.
#[derive(Clone, Debug)]
pub struct Swarm {
    /// Candidates, lowest and highest.
    pub nodes: (u64, u64),
    /// The faults that matter to the algorithm (the shared ones are always added).
    pub faults: &'static [Fault],
    /// Faults per schedule, fewest and most.
    pub count: (u64, u64),
    /// Virtual time between faults, in ms.
    pub gap_ms: (u64, u64),
    /// How long a pause lasts, in ms.
    pub pause_ms: (u64, u64),
    /// The highest loss rate a schedule sets, in percent.
    pub max_loss: u64,
    /// Faults happen before this; then everything heals and restarts.
    pub fault_phase: Micros,
    /// No fault is drawn in the last stretch of the fault phase.
    pub quiet: Micros,
}

impl Default for Swarm {
    fn default() -> Self {
        Swarm {
            nodes: (3, 7),
            faults: &[],
            count: (3, 12),
            gap_ms: (50, 900),
            pause_ms: (50, 900),
            max_loss: 40,
            fault_phase: 8 * SEC,
            quiet: SEC,
        }
    }
}

impl Swarm {
    /// The configuration (`base` with this seed's cluster size and latency) and the
    /// scenario text of schedule `seed`.
    pub fn schedule(&self, base: SimConfig, seed: u64) -> (SimConfig, String) {
        let mut r = SimRng::new(seed, Stream::Faults);
        let nodes = r.range(self.nodes.0, self.nodes.1) as u32;
        let lat_lo = r.range(1, 10);
        let cfg = SimConfig {
            nodes,
            seed,
            latency: (lat_lo * MS, (lat_lo + r.range(0, 20)) * MS),
            ..base
        };
        let service = cfg.algo.service.is_some().then_some(nodes + 1);
        let enabled = self.enable(&mut r, service.is_some());
        let mut lines = Vec::new();
        let mut t = 0;
        for _ in 0..r.range(self.count.0, self.count.1) {
            t += r.range(self.gap_ms.0, self.gap_ms.1) * MS;
            if t >= self.fault_phase - self.quiet {
                break;
            }
            let fault = enabled[r.range(0, enabled.len() as u64 - 1) as usize];
            for action in self.draw(&mut r, fault, nodes, service) {
                lines.push(format!("at {} {action}", Human(t)));
            }
        }
        let end = Human(self.fault_phase);
        let (lo, hi) = (Human(cfg.latency.0), Human(cfg.latency.1));
        lines.push(format!("at {end} heal"));
        lines.push(format!("at {end} drop 0%"));
        lines.push(format!("at {end} latency {lo}-{hi}"));
        for n in 1..=service.unwrap_or(nodes) {
            lines.push(format!("at {end} drift n{n} +0%"));
            lines.push(format!("at {end} restart n{n}"));
        }
        (cfg, lines.join("\n") + "\n")
    }

    /// The faults schedule `seed` draws from, for `base`'s algorithm.
    pub fn enabled(&self, base: &SimConfig, seed: u64) -> Vec<Fault> {
        let mut r = SimRng::new(seed, Stream::Faults);
        // The cluster size and latency are drawn first, as in `schedule`.
        r.range(self.nodes.0, self.nodes.1);
        r.range(1, 10);
        r.range(0, 20);
        self.enable(&mut r, base.algo.service.is_some())
    }

    /// The swarm: a random subset of the menu (the suite's faults and the shared
    /// ones), never empty.
    fn enable(&self, r: &mut SimRng, service: bool) -> Vec<Fault> {
        let menu: Vec<Fault> = self
            .faults
            .iter()
            .chain(SHARED)
            .copied()
            .filter(|f| service || !f.is_service())
            .collect();
        let mut enabled: Vec<Fault> = menu
            .iter()
            .copied()
            .filter(|_| r.range(0, 1) == 0)
            .collect();
        if enabled.is_empty() {
            enabled.push(menu[r.range(0, menu.len() as u64 - 1) as usize]);
        }
        enabled
    }

    fn draw(&self, r: &mut SimRng, fault: Fault, nodes: u32, service: Option<u32>) -> Vec<String> {
        let node = |r: &mut SimRng| r.range(1, u64::from(nodes));
        let pause = |r: &mut SimRng| r.range(self.pause_ms.0, self.pause_ms.1);
        let zk = service.unwrap_or(nodes);
        let one = |s: String| vec![s];
        match fault {
            Fault::CrashLeader => one("crash leader".into()),
            Fault::Crash => one(format!("crash n{}", node(r))),
            Fault::Restart => one(format!("restart n{}", node(r))),
            Fault::Pause => one(format!("pause n{} for {}ms", node(r), pause(r))),
            Fault::PauseLeader => one(format!("pause leader for {}ms", pause(r))),
            Fault::Timeout => one(format!("timeout n{}", node(r))),
            Fault::Duel => {
                let (a, b) = (node(r), node(r));
                vec![format!("timeout n{a}"), format!("timeout n{b}")]
            }
            Fault::Write => one(format!("write n{}", node(r))),
            Fault::WriteLeader => one("write leader".into()),
            Fault::Partition => one(random_partition(r, service.unwrap_or(nodes))),
            Fault::IsolateLeader => one("isolate leader".into()),
            Fault::Heal => one("heal".into()),
            Fault::Loss => one(format!("drop {}%", r.range(0, self.max_loss))),
            Fault::Cut => {
                let last = u64::from(service.unwrap_or(nodes));
                let (a, b) = (r.range(1, last), r.range(1, last));
                let b = if a == b { a % last + 1 } else { b };
                one(format!("cut n{a}->n{b}"))
            }
            Fault::Drift => {
                let sign = if r.range(0, 1) == 0 { '+' } else { '-' };
                one(format!("drift n{} {sign}{}%", node(r), r.range(1, 30)))
            }
            Fault::Latency => {
                let lo = r.range(1, 30);
                one(format!("latency {lo}-{}ms", lo + r.range(0, 200)))
            }
            Fault::ServiceCrash => one(format!("crash n{zk}")),
            Fault::ServiceRestart => one(format!("restart n{zk}")),
            Fault::ServicePause => one(format!("pause n{zk} for {}ms", pause(r))),
            Fault::ServiceIsolate => one(format!("isolate n{zk}")),
        }
    }
}

impl Fault {
    fn is_service(self) -> bool {
        matches!(
            self,
            Fault::ServiceCrash
                | Fault::ServiceRestart
                | Fault::ServicePause
                | Fault::ServiceIsolate
        )
    }
}

/// A scenario line splitting the cluster in two random, non-empty groups.
pub fn random_partition(r: &mut SimRng, nodes: u32) -> String {
    let mut ids: Vec<u64> = (1..=nodes as u64).collect();
    for i in (1..ids.len()).rev() {
        ids.swap(i, r.range(0, i as u64) as usize);
    }
    let cut = r.range(1, nodes as u64 - 1) as usize;
    let group = |s: &[u64]| {
        s.iter()
            .map(|n| format!("n{n}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("partition {} | {}", group(&ids[..cut]), group(&ids[cut..]))
}
