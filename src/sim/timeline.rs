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

/// A future the user left by acting in the past or undoing: kept so that they can go
/// back to it.
#[derive(Clone, Debug)]
pub struct Branch {
    /// Where it parted from the branch that replaced it.
    pub fork_at: Micros,
    pub actions: Vec<RecordedAction>,
    /// The furthest instant it had reached.
    pub reached: Micros,
    moments: Vec<MomentMark>,
}

/// Branches kept at most; past this the oldest is forgotten.
pub const MAX_BRANCHES: usize = 8;

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
    /// The furthest instant this branch has reached.
    reached: Micros,
    /// Futures left behind, oldest first.
    branches: Vec<Branch>,
    /// Takes no snapshots (see `forward_only`).
    forward_only: bool,
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
            reached: 0,
            branches: Vec::new(),
            forward_only: false,
            sim,
        }
    }

    /// A timeline that only goes forward (a fingerprint): no snapshots and no trace
    /// kept, though every event is still made, narrated and hashed. Seeking back
    /// replays from the start.
    pub fn forward_only(mut sim: Box<dyn AnySimulation>) -> Self {
        sim.set_keep_trace(false);
        let mut t = Timeline::new(sim, 0);
        t.forward_only = true;
        t.next_snapshot = Micros::MAX;
        t
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
        if self.forward_only {
            self.next_snapshot = Micros::MAX;
            return;
        }
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
        self.reached = self.reached.max(self.sim.now());
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
        self.reached = self.reached.max(self.sim.now());
        true
    }

    /// Applies a user action now. If the current state lies in the past of this branch,
    /// the old future is dropped first.
    pub fn act(&mut self, action: Action) {
        let now = self.sim.now();
        if self.applied < self.actions.len() || self.snapshots.last().is_some_and(|s| s.time > now)
        {
            self.keep_as_branch(now);
            self.reached = now;
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

    /// The furthest instant this branch has reached.
    pub fn reached(&self) -> Micros {
        self.reached
    }

    /// The futures left behind, oldest first.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    fn keep_as_branch(&mut self, fork_at: Micros) {
        if self.branches.len() == MAX_BRANCHES {
            self.branches.remove(0);
        }
        self.branches.push(Branch {
            fork_at,
            actions: self.actions.clone(),
            reached: self.reached,
            moments: self.moments.clone(),
        });
    }

    /// Goes back to the branch state of the newest snapshot at or before `t` (which
    /// this branch shares with the one it replaces), with the trace window cut there.
    fn restore_before(&mut self, t: Micros) {
        self.snapshots.retain(|s| s.time <= t);
        let last = self.snapshots.last().expect("the origin is never dropped");
        self.sim = last.sim.clone();
        self.applied = last.actions_applied;
        self.refresh_next_snapshot();
        let upto = self.sim.trace_seq();
        while self.trace.back().is_some_and(|e| e.seq >= upto) {
            self.trace.pop_back();
        }
    }

    /// Makes branch `i` the current one (the current one is kept in its place among
    /// the branches) and shows it at the same instant, or its end if it is shorter.
    /// Returns the instant shown.
    pub fn switch_branch(&mut self, i: usize) -> Option<Micros> {
        if i >= self.branches.len() {
            return None;
        }
        let now = self.sim.now();
        let target = self.branches.remove(i);
        // The two share everything before their first different action.
        let same = self
            .actions
            .iter()
            .zip(&target.actions)
            .take_while(|(a, b)| a == b)
            .count();
        let part = [self.actions.get(same), target.actions.get(same)]
            .into_iter()
            .flatten()
            .map(|a| a.time)
            .min()
            .unwrap_or(now.min(target.reached));
        self.branches.push(Branch {
            fork_at: part,
            actions: std::mem::take(&mut self.actions),
            reached: self.reached,
            moments: std::mem::take(&mut self.moments),
        });
        self.actions = target.actions;
        self.moments = target.moments;
        self.reached = target.reached;
        self.restore_before(part);
        let shown = now.min(self.reached);
        self.advance(shown);
        self.reached = target.reached.max(shown);
        Some(shown)
    }

    /// Takes back the last action applied: the run stands just before it, and the
    /// future it made is kept as a branch. Returns the action's instant.
    pub fn undo(&mut self) -> Option<Micros> {
        let last = self.applied.checked_sub(1)?;
        let a = self.actions[last].clone();
        self.keep_as_branch(a.time);
        self.actions.truncate(last);
        self.moments.retain(|m| m.time < a.time);
        self.restore_before(a.time);
        // The snapshot may predate earlier actions: they come back first.
        while let Some(earlier) = self.actions.get(self.applied).cloned() {
            self.apply_recorded(earlier);
        }
        self.run_until(a.time, Some(a.processed));
        self.sim.jump_clock(a.time);
        self.collect();
        self.reached = a.time;
        Some(a.time)
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
