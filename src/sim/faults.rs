//! Actions and faults that need no algorithm: partitions, cut links, loss, latency,
//! clock drift and pauses. The actions that touch a node's state (crash, restart,
//! resume, a client write, a forced timeout) go on to `Simulation<A>`.

use super::action::{Action, Percent, Target};
use super::algorithm::NodeId;
use super::time::Human;
use super::trace::EventKind;
use super::world::{KernelEvent, World};

impl World {
    /// The node an action names, resolved now (0 for actions that name none); `None`
    /// if it names nobody, after narrating the skip.
    pub(super) fn target_of(&mut self, action: &Action) -> Option<NodeId> {
        let target = match action {
            Action::Crash { target }
            | Action::Restart { target }
            | Action::Pause { target, .. }
            | Action::Resume { target }
            | Action::Isolate { target }
            | Action::Write { target }
            | Action::Drift { target, .. }
            | Action::Timeout { target } => *target,
            _ => return Some(0),
        };
        match self.resolve(target) {
            Some(n) => Some(n),
            None => {
                let why = match target {
                    Target::Leader => "no node believes it leads".to_string(),
                    Target::Node(n) => format!("there is no node n{n}"),
                };
                self.skip(action.clone(), &why);
                None
            }
        }
    }

    /// Applies `action` on node `n` if it needs no algorithm; otherwise hands it back.
    pub(super) fn apply_fault(&mut self, action: Action, n: NodeId) -> Option<Action> {
        let i = (n as usize).wrapping_sub(1);
        let name = self.name(n);
        match action.clone() {
            Action::Pause { duration, .. } => {
                if !self.up[i] {
                    self.skip(action, &format!("{name} is down"));
                    return None;
                }
                let until = self.now + duration.max(1);
                self.paused_until[i] = Some(until);
                // The hazard fencing exists for: frozen mid-write, the process finishes
                // the write when it wakes, before it can notice it was deposed.
                let mid_write = self.storage.is_some() && self.leading[i].is_some();
                self.write_pending[i] |= mid_write;
                let text = format!(
                    "{name} freezes for {} (a long GC pause): its timers and inbox wait{}",
                    Human(duration),
                    if mid_write {
                        ", and so does the write it was making as leader"
                    } else {
                        ""
                    }
                );
                self.emit(EventKind::Action { action }, text);
                self.push(until, KernelEvent::Resume { node: n, until });
            }
            Action::Partition { ref groups } => {
                let mut seen = vec![false; self.total()];
                for &m in groups.iter().flatten() {
                    if !self.valid_node(m) {
                        self.skip(action, &format!("there is no node n{m}"));
                        return None;
                    }
                    if std::mem::replace(&mut seen[m as usize - 1], true) {
                        self.skip(action, &format!("n{m} is named twice"));
                        return None;
                    }
                }
                self.net.partition(self.total(), groups);
                let desc: Vec<String> = self
                    .net
                    .groups()
                    .unwrap_or_default()
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|m| self.name(*m))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect();
                self.emit(
                    EventKind::Action { action },
                    format!("the network splits into {}", desc.join(" | ")),
                );
            }
            Action::Isolate { .. } => {
                self.net.partition(self.total(), &[vec![n]]);
                self.emit(
                    EventKind::Action {
                        action: Action::Isolate {
                            target: Target::Node(n),
                        },
                    },
                    format!("{name} is cut off from every other node"),
                );
            }
            Action::Heal => {
                self.net.heal();
                self.emit(
                    EventKind::Action { action },
                    "the network heals: every link works again".into(),
                );
            }
            Action::Cut { from, to } | Action::Uncut { from, to } => {
                if !self.valid_node(from) || !self.valid_node(to) || from == to {
                    self.skip(action, "it must name two different existing nodes");
                    return None;
                }
                let (a, b) = (self.name(from), self.name(to));
                let text = if matches!(action, Action::Cut { .. }) {
                    self.net.cut(from, to);
                    format!("the link {a}→{b} is cut ({b}→{a} still works)")
                } else {
                    self.net.uncut(from, to);
                    format!("the link {a}→{b} works again")
                };
                self.emit(EventKind::Action { action }, text);
            }
            Action::Drop { ppm } => {
                self.net.drop_ppm = ppm.min(1_000_000);
                let text = format!("the network now loses {} of messages", Percent(ppm));
                self.emit(EventKind::Action { action }, text);
            }
            Action::Latency { min, max } => {
                let (lo, hi) = (min.min(max), min.max(max));
                self.net.latency = (lo, hi);
                let text = format!("messages now take {}-{}", Human(lo), Human(hi));
                self.emit(EventKind::Action { action }, text);
            }
            Action::Drift { ppm, .. } => {
                let clock = &mut self.clocks[i];
                clock.base_local = clock.local(self.now);
                clock.base_true = self.now;
                clock.drift_ppm = ppm.clamp(-900_000, 1_000_000);
                let sign = if ppm < 0 { "slow" } else { "fast" };
                let text = format!(
                    "{name}'s clock now runs {} {sign}",
                    Percent(ppm.unsigned_abs())
                );
                self.emit(EventKind::Action { action }, text);
            }
            Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Resume { .. }
            | Action::Write { .. }
            | Action::Timeout { .. } => return Some(action),
        }
        None
    }
}
