//! The kernel's event queues: a min-heap on (instant, sequence number).
//!
//! The sequence number is unique, so the pop order is total and the same on every
//! platform. A heap rather than a `BTreeMap`: the queues only push and pop the
//! earliest, and each algorithm's node queue is its own monomorphised copy, where a
//! B-tree's insert, remove and rebalancing code cost the page about 100 KB of wasm.

use super::time::Micros;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Debug)]
struct Queued<E> {
    at: Micros,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Queued<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<E> Eq for Queued<E> {}

impl<E> PartialOrd for Queued<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Queued<E> {
    /// Reversed, so that the max-heap hands out the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Clone, Debug)]
pub(super) struct EventQueue<E> {
    heap: BinaryHeap<Queued<E>>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
        }
    }
}

impl<E> EventQueue<E> {
    pub(super) fn push(&mut self, at: Micros, seq: u64, event: E) {
        self.heap.push(Queued { at, seq, event });
    }

    /// The (instant, sequence number) of the earliest event.
    pub(super) fn first_key(&self) -> Option<(Micros, u64)> {
        self.heap.peek().map(|q| (q.at, q.seq))
    }

    pub(super) fn pop_first(&mut self) -> Option<((Micros, u64), E)> {
        self.heap.pop().map(|q| ((q.at, q.seq), q.event))
    }
}

/// One node's armed timers, sorted by timer so that views list them in one order.
/// A node has two or three, so a sorted vector beats a map in code and in time.
#[derive(Clone, Debug)]
pub(super) struct TimerTable<T, S> {
    armed: Vec<(T, S)>,
}

impl<T, S> Default for TimerTable<T, S> {
    fn default() -> Self {
        TimerTable { armed: Vec::new() }
    }
}

impl<T: Ord, S> TimerTable<T, S> {
    fn find(&self, timer: &T) -> Result<usize, usize> {
        self.armed.binary_search_by(|(t, _)| t.cmp(timer))
    }

    pub(super) fn get(&self, timer: &T) -> Option<&S> {
        self.find(timer).ok().map(|i| &self.armed[i].1)
    }

    pub(super) fn insert(&mut self, timer: T, state: S) {
        match self.find(&timer) {
            Ok(i) => self.armed[i].1 = state,
            Err(i) => self.armed.insert(i, (timer, state)),
        }
    }

    pub(super) fn remove(&mut self, timer: &T) {
        if let Ok(i) = self.find(timer) {
            self.armed.remove(i);
        }
    }

    pub(super) fn clear(&mut self) {
        self.armed.clear();
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&T, &S)> {
        self.armed.iter().map(|(t, s)| (t, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_instant_then_sequence_order() {
        let mut q = EventQueue::default();
        for (at, seq) in [(5, 3), (1, 4), (5, 1), (0, 9), (1, 2)] {
            q.push(at, seq, at * 100 + seq);
        }
        assert_eq!(q.first_key(), Some((0, 9)));
        let order: Vec<u64> = std::iter::from_fn(|| q.pop_first().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![9, 102, 104, 501, 503]);
        assert_eq!(q.first_key(), None);
    }

    #[test]
    fn timer_table_keeps_one_state_per_timer_in_order() {
        let mut t = TimerTable::default();
        t.insert(3, "c");
        t.insert(1, "a");
        t.insert(3, "c2");
        t.insert(2, "b");
        t.remove(&1);
        t.remove(&7);
        assert_eq!(t.get(&3), Some(&"c2"));
        assert_eq!(t.get(&1), None);
        let listed: Vec<_> = t.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(listed, vec![(2, "b"), (3, "c2")]);
        t.clear();
        assert_eq!(t.iter().count(), 0);
    }
}
