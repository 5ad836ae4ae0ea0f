//! Time travel: periodic snapshots of the whole simulation plus a log of user actions.
//! Restoring an instant = newest snapshot at or before it + deterministic replay.
//! Acting from a past instant drops the old future and starts a new branch.
//!
//! A snapshot at time `s` holds the state after every event before `s` and before any
//! event or action at `s`. A recorded action holds how many events preceded it, so
//! replay puts it back between the same two events even within one instant.

use super::action::Action;
use super::erased::AnySimulation;
use super::moment::MomentMark;
use super::time::{Micros, SEC};
use super::trace::TraceEvent;
use std::collections::VecDeque;

/// Snapshots kept at most; past this, every other one is dropped and the interval
/// doubles, so memory stays bounded however long the run.
pub const MAX_SNAPSHOTS: usize = 128;
const FIRST_INTERVAL: Micros = SEC;

struct Snapshot {
    time: Micros,
    actions_applied: usize,
    sim: Box<dyn AnySimulation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedAction {
    /// Queue events handled before the action: where it sits between events.
    pub processed: u64,
    pub time: Micros,
    pub action: Action,
}

/// Receives trace events as they are produced (e.g. the CLI's `--trace` file).
pub type TraceSink = Box<dyn FnMut(&TraceEvent)>;

pub struct Timeline {
    sim: Box<dyn AnySimulation>,
    /// Sorted by time; the first is the initial state.
    snapshots: Vec<Snapshot>,
    interval: Micros,
    next_snapshot: Micros,
    actions: Vec<RecordedAction>,
    /// How many of `actions` the current state includes.
    applied: usize,
    trace: VecDeque<TraceEvent>,
    trace_cap: usize,
    sink: Option<TraceSink>,
    replaying: bool,
    /// Every key moment of this branch so far, in order (the slider's markers).
    moments: Vec<MomentMark>,
}

/// More markers than a slider can show apart; a run that makes more keeps the first.
const MAX_MOMENTS: usize = 10_000;

impl Timeline {
    /// `trace_cap` bounds the window of recent trace events kept for display.
    pub fn new(sim: Box<dyn AnySimulation>, trace_cap: usize) -> Self {
        let origin = Snapshot {
            time: sim.now(),
            actions_applied: 0,
            sim: sim.clone(),
        };
        Timeline {
            next_snapshot: sim.now() + FIRST_INTERVAL,
            snapshots: vec![origin],
            interval: FIRST_INTERVAL,
            actions: Vec::new(),
            applied: 0,
            trace: VecDeque::new(),
            trace_cap,
            sink: None,
            replaying: false,
            moments: Vec::new(),
            sim,
        }
    }

    /// Receives every new trace event once (not again when a seek replays history).
    pub fn set_sink(&mut self, sink: Option<TraceSink>) {
        self.sink = sink;
    }

    pub fn sim(&self) -> &dyn AnySimulation {
        self.sim.as_ref()
    }

    pub fn trace(&self) -> &VecDeque<TraceEvent> {
        &self.trace
    }

    /// The key moments of this branch up to the furthest instant it has reached.
    pub fn moments(&self) -> &[MomentMark] {
        &self.moments
    }

    pub fn actions(&self) -> &[RecordedAction] {
        &self.actions
    }

    /// Records `actions` as this branch's, to be replayed as time reaches each: a run
    /// rebuilt from a link. Only before anything happened, and only in order.
    pub fn load_actions(&mut self, actions: Vec<RecordedAction>) -> Result<(), String> {
        if !self.actions.is_empty() || self.sim.processed() > 0 {
            return Err("actions can only be loaded into a fresh run".into());
        }
        if let Some(k) = actions
            .windows(2)
            .position(|w| (w[1].time, w[1].processed) < (w[0].time, w[0].processed))
        {
            return Err(format!("action {} comes before the one ahead of it", k + 2));
        }
        self.actions = actions;
        self.applied = 0;
        Ok(())
    }

    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    fn collect(&mut self) {
        let events = self.sim.drain_trace();
        if self.replaying {
            return; // already delivered when first produced
        }
        for e in events {
            if let Some(sink) = self.sink.as_mut() {
                sink(&e);
            }
            // Going forward again after a seek back produces the same events with
            // the same numbers: each moment is kept once.
            if let Some(moment) = e.moment
                && self.moments.len() < MAX_MOMENTS
                && self.moments.last().is_none_or(|m| m.seq < e.seq)
            {
                self.moments.push(MomentMark {
                    time: e.time,
                    seq: e.seq,
                    moment,
                    text: e.text.clone(),
                });
            }
            if self.trace_cap > 0 {
                if self.trace.len() == self.trace_cap {
                    self.trace.pop_front();
                }
                self.trace.push_back(e);
            }
        }
    }

    fn refresh_next_snapshot(&mut self) {
        let now = self.sim.now();
        self.next_snapshot = match self.snapshots.iter().find(|s| s.time > now) {
            Some(s) => s.time,
            None => self.snapshots.last().map_or(0, |s| s.time) + self.interval,
        };
    }

    /// Called with the clock exactly at `next_snapshot` and no event handled there yet.
    fn take_snapshot(&mut self) {
        self.collect();
        let now = self.sim.now();
        if self.snapshots.last().is_some_and(|s| s.time < now) {
            self.snapshots.push(Snapshot {
                time: now,
                actions_applied: self.applied,
                sim: self.sim.clone(),
            });
            if self.snapshots.len() > MAX_SNAPSHOTS {
                let mut k = 0;
                self.snapshots.retain(|_| {
                    k += 1;
                    k % 2 == 1 // keeps the origin
                });
                self.interval *= 2;
            }
        }
        self.refresh_next_snapshot();
    }

    /// Handles events up to and including time `t`; with `stop_at`, stops once that many
    /// events have been handled (the position of a recorded action).
    fn run_until(&mut self, t: Micros, stop_at: Option<u64>) {
        loop {
            // A halted run's clock stands still: no boundary will ever be reached.
            if stop_at.is_some_and(|p| self.sim.processed() >= p) || self.sim.halted().is_some() {
                return;
            }
            let next = self.sim.next_event_time().filter(|&at| at <= t);
            let boundary = self.next_snapshot;
            match next {
                Some(at) if at >= boundary => {
                    self.sim.jump_clock(boundary);
                    self.take_snapshot();
                }
                Some(_) => {
                    self.sim.step();
                }
                None if stop_at.is_none() && t >= boundary => {
                    self.sim.jump_clock(boundary);
                    self.take_snapshot();
                }
                None => {
                    if stop_at.is_none() {
                        self.sim.jump_clock(t);
                    }
                    return;
                }
            }
        }
    }

    fn apply_recorded(&mut self, a: RecordedAction) {
        self.run_until(a.time, Some(a.processed));
        self.sim.jump_clock(a.time);
        self.sim.act(a.action);
        self.applied += 1;
    }

    /// Runs up to `t`, replaying any recorded actions of this branch on the way.
    pub fn advance(&mut self, t: Micros) {
        self.advance_within(t, u64::MAX);
    }

    /// Like [`Timeline::advance`], but handles at most `max_events` events: the page's
    /// per-frame budget. True if it reached `t`; otherwise the clock stands at the
    /// last event handled and a later call carries on from there.
    pub fn advance_within(&mut self, t: Micros, max_events: u64) -> bool {
        let budget_end = self.sim.processed().saturating_add(max_events);
        while let Some(a) = self.actions.get(self.applied).cloned() {
            if a.time > t {
                break;
            }
            if a.processed > budget_end {
                self.run_until(a.time, Some(budget_end));
                self.collect();
                return false;
            }
            self.apply_recorded(a);
        }
        self.run_until(t, Some(budget_end));
        let reached =
            self.sim.processed() < budget_end || self.sim.next_event_time().is_none_or(|at| at > t);
        if reached {
            self.run_until(t, None); // no events left up to t: snapshots and the clock
        }
        self.collect();
        reached
    }

    /// Handles the next event (or the next recorded action). False when nothing is left.
    pub fn step(&mut self) -> bool {
        if let Some(a) = self.actions.get(self.applied).cloned() {
            if a.processed <= self.sim.processed() {
                self.apply_recorded(a);
                self.collect();
                return true;
            }
        }
        let Some(at) = self.sim.next_event_time() else {
            return false;
        };
        if at >= self.next_snapshot {
            let boundary = self.next_snapshot;
            self.sim.jump_clock(boundary);
            self.take_snapshot();
        }
        self.sim.step();
        self.collect();
        true
    }

    /// Applies a user action now. If the current state lies in the past of this branch,
    /// the old future is dropped first.
    pub fn act(&mut self, action: Action) {
        let now = self.sim.now();
        if self.applied < self.actions.len() || self.snapshots.last().is_some_and(|s| s.time > now)
        {
            self.actions.truncate(self.applied);
            self.snapshots.retain(|s| s.time <= now);
            let upto = self.sim.trace_seq();
            self.moments.retain(|m| m.seq < upto);
            self.refresh_next_snapshot();
        }
        self.actions.push(RecordedAction {
            processed: self.sim.processed(),
            time: now,
            action: action.clone(),
        });
        self.sim.act(action);
        self.applied += 1;
        self.collect();
    }

    /// Restores the state at instant `t`. Going forward just runs; going back restores
    /// the newest snapshot at or before `t` and replays silently.
    pub fn seek(&mut self, t: Micros) {
        if t >= self.sim.now() {
            self.advance(t);
            return;
        }
        let k = self
            .snapshots
            .iter()
            .rposition(|s| s.time <= t)
            .unwrap_or(0);
        self.sim = self.snapshots[k].sim.clone();
        self.applied = self.snapshots[k].actions_applied;
        self.refresh_next_snapshot();
        self.replaying = true;
        self.advance(t);
        self.replaying = false;
        // The window now ends where the replay ended.
        let upto = self.sim.trace_seq();
        while self.trace.back().is_some_and(|e| e.seq >= upto) {
            self.trace.pop_back();
        }
    }
}
