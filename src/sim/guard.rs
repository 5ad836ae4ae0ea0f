//! The kernel's guard against a runaway engine. Whatever an algorithm does (a bug, or
//! a faithful engine pushed somewhere its designers never went), a run must stay
//! small enough for a browser tab: past a stated budget the kernel stops advancing
//! and says why, instead of freezing the page or exhausting memory.

use super::algorithm::NodeId;
use super::time::{Human, MS, Micros};
use serde::{Deserialize, Serialize};

/// What a run may do before the kernel stops it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Messages on the wire at once (each costs memory until it lands).
    pub max_in_flight: usize,
    /// Events (deliveries, timers, actions) handled within one `window` of virtual
    /// time: the rate that decides how long a second of virtual time takes to compute.
    pub max_events_per_window: u64,
    pub window: Micros,
}

/// Measured peaks of healthy runs stay far below this (`Stats::busiest_window`: the
/// random schedules of every algorithm's property suite, 25-node clusters at 100 ms
/// heartbeats and below; see the closing numbers in ARCHITECTURE.md). The storm that
/// prompted the guard reached 500,000 messages per 100 ms and doubled every 100 ms.
pub const DEFAULT_BUDGET: Budget = Budget {
    max_in_flight: 50_000,
    max_events_per_window: 50_000,
    window: 100 * MS,
};

impl Default for Budget {
    fn default() -> Self {
        DEFAULT_BUDGET
    }
}

/// Why a run was stopped, for the trace, the banner and the CLI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Halt {
    pub at: Micros,
    /// Which budget ran out.
    pub limit: Limit,
    /// The busiest sender of the current window and what it sent, if anyone sent.
    pub sender: Option<NodeId>,
    pub kind: Option<String>,
    pub count: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    InFlight,
    EventsPerWindow,
}

/// Counts the current window's events and sends. Cheap on the hot path: one counter,
/// and per sender a short list of (message kind, count), kinds compared by address
/// first (they are static strings).
#[derive(Clone, Debug, Default)]
pub struct Guard {
    budget: Budget,
    window_start: Micros,
    events: u64,
    sends: Vec<Vec<(&'static str, u64)>>,
    /// The most events any window has held so far.
    pub busiest: u64,
}

impl Guard {
    pub fn new(budget: Budget) -> Self {
        Guard {
            budget,
            ..Guard::default()
        }
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    fn roll(&mut self, now: Micros) {
        let window = self.budget.window.max(1);
        if now >= self.window_start + window {
            self.window_start = now - now % window;
            self.events = 0;
            self.sends.iter_mut().for_each(Vec::clear);
        }
    }

    /// An event is about to be handled at `now`. True if the window is over budget.
    pub fn on_event(&mut self, now: Micros) -> bool {
        self.roll(now);
        self.events += 1;
        self.busiest = self.busiest.max(self.events);
        self.events > self.budget.max_events_per_window
    }

    pub fn on_send(&mut self, now: Micros, from: NodeId, kind: &'static str) {
        self.roll(now);
        let i = from as usize;
        if self.sends.len() <= i {
            self.sends.resize_with(i + 1, Vec::new);
        }
        let Some(kinds) = self.sends.get_mut(i) else {
            return;
        };
        match kinds
            .iter_mut()
            .find(|(k, _)| std::ptr::eq(*k, kind) || *k == kind)
        {
            Some((_, count)) => *count += 1,
            None => kinds.push((kind, 1)),
        }
    }

    /// What to report when `limit` ran out at `now`.
    pub fn halt(&self, now: Micros, limit: Limit) -> Halt {
        // The busiest (sender, kind); the lowest sender, then the first kind it sent,
        // on a tie.
        let mut top: Option<(NodeId, &'static str, u64)> = None;
        for (n, kinds) in self.sends.iter().enumerate() {
            for &(kind, count) in kinds {
                if top.is_none_or(|(_, _, c)| count > c) {
                    top = Some((n as NodeId, kind, count));
                }
            }
        }
        Halt {
            at: now,
            limit,
            sender: top.map(|(n, _, _)| n),
            kind: top.map(|(_, k, _)| k.to_string()),
            count: top.map_or(0, |(_, _, c)| c),
        }
    }
}

impl Halt {
    /// One plain-language line: what ran away, and which budget stopped it.
    /// `name` is dynamic so that one copy serves every algorithm's kernel.
    pub fn describe(&self, budget: &Budget, name: &dyn Fn(NodeId) -> String) -> String {
        let storm = match (&self.sender, &self.kind) {
            (Some(n), Some(kind)) => format!(
                "message storm: {} sent {} {kind} in {}",
                name(*n),
                Thousands(self.count),
                Human(budget.window)
            ),
            _ => "runaway run".to_string(),
        };
        let limit = match self.limit {
            Limit::InFlight => format!(
                "more than {} messages were on the wire at once",
                Thousands(budget.max_in_flight as u64)
            ),
            Limit::EventsPerWindow => format!(
                "more than {} events happened within {} of virtual time",
                Thousands(budget.max_events_per_window),
                Human(budget.window)
            ),
        };
        format!("{storm}; {limit}, so the simulation stopped here")
    }
}

/// 40000 as "40,000".
pub struct Thousands(pub u64);

impl std::fmt::Display for Thousands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        let cases = [(0, "0"), (999, "999"), (1000, "1,000"), (40000, "40,000")];
        for (n, s) in cases {
            assert_eq!(Thousands(n).to_string(), s);
        }
        assert_eq!(Thousands(1_234_567).to_string(), "1,234,567");
    }

    #[test]
    fn a_window_over_budget_names_its_busiest_sender() {
        let budget = Budget {
            max_in_flight: 10,
            max_events_per_window: 3,
            window: 100 * MS,
        };
        let mut g = Guard::new(budget);
        for t in [0, 10 * MS, 20 * MS] {
            assert!(!g.on_event(t));
            g.on_send(t, 3, "Elected");
        }
        g.on_send(20 * MS, 2, "Ack");
        // A new window starts the count again.
        assert!(!g.on_event(100 * MS));
        g.on_send(100 * MS, 1, "Ack");
        assert!(!g.on_event(110 * MS));
        assert!(!g.on_event(120 * MS));
        g.on_send(120 * MS, 4, "Elected");
        g.on_send(120 * MS, 4, "Elected");
        assert!(
            g.on_event(130 * MS),
            "the fourth event in a window is one too many"
        );
        let halt = g.halt(130 * MS, Limit::EventsPerWindow);
        assert_eq!(
            (halt.sender, halt.kind.as_deref(), halt.count),
            (Some(4), Some("Elected"), 2)
        );
        assert_eq!(
            halt.describe(&budget, &|n| format!("n{n}")),
            "message storm: n4 sent 2 Elected in 100ms; more than 3 events happened within 100ms of virtual time, so the simulation stopped here"
        );
        assert_eq!(g.busiest, 4);
    }
}
