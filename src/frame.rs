//! The page's frame policy, in plain Rust beside the view model so that it is tested
//! natively: how far each animation frame moves virtual time, and when the narration
//! and the space-time diagram are rebuilt rather than reused.

use crate::sim::{ClusterView, Micros, TraceEvent};
use crate::viewmodel::{self, Category, LamportVm, Line};
use std::collections::VecDeque;
use std::rc::Rc;

/// A frame may advance at most this much real time (a throttled or returning tab).
pub const MAX_FRAME_MS: f64 = 100.0;
/// Events one frame may handle: about 5 ms of wasm. Healthy runs need a few hundred
/// (25 nodes at 10x); a storm would otherwise take the frame, and the tab, with it.
pub const FRAME_EVENT_BUDGET: u64 = 2_000;
/// How far behind real time the clock may fall when frames run out of budget: it
/// catches up over the following frames, and past this it gives up the difference.
pub const MAX_BEHIND_MS: f64 = 1_000.0;

/// Least wall time between redraws of the space-time diagram's newest tiles (those
/// with messages in flight) while playing a big cluster. The diagram still slides every
/// frame; arrows in flight grow in steps. Small clusters redraw them every frame.
pub const LAMPORT_LIVE_REFRESH_BIG_MS: f64 = 100.0;
/// Least wall time between narration refreshes while playing: the trace grows every
/// frame, and five updates a second read the same. Big clusters refresh twice a
/// second: there, relaying out the list was what still cost frames.
pub const NARRATION_REFRESH_MS: f64 = 200.0;
pub const NARRATION_REFRESH_BIG_MS: f64 = 500.0;
/// Narration lines rendered (the trace window holds far more).
pub const NARRATION_LINES: usize = 120;
/// While playing, fewer: nobody reads line 40 of a list that scrolls every frame, and
/// laying out 120 wrapped lines ten times a second costs frames at 25 nodes.
pub const NARRATION_LINES_PLAYING: usize = 40;
/// Clusters above this many nodes are "big" for the refresh rates above.
pub const BIG_CLUSTER: usize = 9;

/// How often the page redraws while playing, when nothing drawn as a picture changed
/// (see [`same_picture`]): the clock, the slider, the statistics and the narration.
/// A redraw is what costs a slow laptop its frames (any text that changes makes the
/// browser restyle, lay out, paint and composite, besides the render itself), so the
/// interval follows what the last redraws cost (their render, and the browser's
/// restyle and layout of it): about 80 times that, near a percent of the main thread.
/// A fast machine redraws five times a second, a slow laptop at 4x throttle about
/// once. Between redraws the DOM is left alone: what moves every frame (messages,
/// timer rings, the space-time diagram) is on canvases.
pub const REDRAW_MIN_MS: f64 = 200.0;
pub const REDRAW_MAX_MS: f64 = 1_000.0;
const REDRAW_COST_FACTOR: f64 = 80.0;

/// The wall time between redraws when a redraw takes `cost_ms`.
pub fn redraw_interval(cost_ms: f64) -> f64 {
    (cost_ms * REDRAW_COST_FACTOR).clamp(REDRAW_MIN_MS, REDRAW_MAX_MS)
}

/// The render time the next interval is chosen by: a running average, so one slow
/// redraw (a garbage collection) does not hold the page at the slowest rate.
pub fn redraw_cost(average_ms: f64, last_ms: f64) -> f64 {
    if average_ms <= 0.0 {
        last_ms
    } else {
        0.7 * average_ms + 0.3 * last_ms
    }
}

/// Whether the page is due a redraw `since_ms` after the last one.
pub fn page_refresh_due(since_ms: f64, interval_ms: f64) -> bool {
    since_ms >= interval_ms
}

/// A changed picture (a role, a term, a log entry) waits for the page's redraw at
/// most this long after the last one, at about 20 times what a redraw costs. A
/// client's write changes the picture at every node it reaches, several times in a
/// tenth of a second: on a slow laptop, a redraw for each cost a frame each. A fast
/// machine (a redraw under a millisecond) still redraws within the frame.
const PICTURE_COST_FACTOR: f64 = 20.0;
pub const PICTURE_WAIT_MAX_MS: f64 = 250.0;

/// The longest a changed picture waits, after the last redraw, when a redraw costs
/// `cost_ms`.
pub fn picture_wait(cost_ms: f64) -> f64 {
    (cost_ms * PICTURE_COST_FACTOR).min(PICTURE_WAIT_MAX_MS)
}

/// Whether a frame `since_ms` after the last redraw redraws the page, when a redraw
/// costs `cost_ms` and the picture has changed since (`picture_changed`).
pub fn redraw_due(since_ms: f64, cost_ms: f64, picture_changed: bool) -> bool {
    page_refresh_due(since_ms, redraw_interval(cost_ms))
        || (picture_changed && since_ms >= picture_wait(cost_ms))
}

/// Two views draw the same cluster picture: the same nodes in the same states, the
/// same network and storage. What moves continuously is left out (the instant,
/// messages in flight, timers, local clocks); those are drawn every frame anyway.
pub fn same_picture(a: &ClusterView, b: &ClusterView) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| {
            x.id == y.id
                && x.status == y.status
                && x.view == y.view
                && x.drift_ppm == y.drift_ppm
                && x.name == y.name
        })
        && a.partition == b.partition
        && a.cuts == b.cuts
        && a.drop_ppm == b.drop_ppm
        && a.latency == b.latency
        && a.leader == b.leader
        && a.storage == b.storage
        && a.halted == b.halted
}

/// Turns wall-clock frames into virtual time to advance.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pacer {
    last_frame: Option<f64>,
    /// Virtual time the clock still owes: frames that ran out of event budget leave
    /// it for the next ones.
    behind: Micros,
}

impl Pacer {
    /// The instant a frame at wall time `ts` should reach from `now` at `speed` (virtual
    /// seconds per real second), or `None` if it need not move.
    pub fn target(&mut self, ts: f64, now: Micros, speed: f64) -> Option<Micros> {
        let dt = self
            .last_frame
            .map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
        self.last_frame = Some(ts);
        let advance = (dt * 1_000.0 * speed) as Micros;
        if advance == 0 && self.behind == 0 {
            return None;
        }
        Some(now + self.behind + advance)
    }

    /// After the frame: whether the run reached `target`, and where it stands.
    pub fn settle(&mut self, target: Micros, reached: bool, now: Micros, speed: f64) {
        let most = (MAX_BEHIND_MS * 1_000.0 * speed) as Micros;
        self.behind = if reached {
            0
        } else {
            target.saturating_sub(now).min(most)
        };
    }

    /// Playback paused, sought or restarted: the next frame starts afresh.
    pub fn reset(&mut self) {
        *self = Pacer::default();
    }

    pub fn behind(&self) -> Micros {
        self.behind
    }
}

/// The categories shown, and whether only key moments are.
type NarrationFilter = (Vec<Category>, bool);

/// The narration and diagram last built, reused while they would read the same.
#[derive(Clone, Debug, Default)]
pub struct DisplayCache {
    narration: Option<(Rc<Vec<Line>>, NarrationFilter, f64)>,
    /// The diagram and the wall time its unfinished tiles were last redrawn.
    lamport: Option<(Rc<LamportVm>, f64)>,
}

impl DisplayCache {
    /// Narration lines: rebuilt when paused, when the filter changed, and otherwise at
    /// most every `NARRATION_REFRESH_MS` (`_BIG_MS` for big clusters).
    pub fn narration(
        &mut self,
        trace: &VecDeque<TraceEvent>,
        (shown, moments_only): (&[Category], bool),
        playing: bool,
        nodes: usize,
        wall_ms: f64,
    ) -> Rc<Vec<Line>> {
        let every = if nodes > BIG_CLUSTER {
            NARRATION_REFRESH_BIG_MS
        } else {
            NARRATION_REFRESH_MS
        };
        if let Some((lines, was_shown, at)) = &self.narration {
            if playing
                && was_shown.0 == shown
                && was_shown.1 == moments_only
                && wall_ms - at < every
            {
                return lines.clone();
            }
        }
        let limit = if playing {
            NARRATION_LINES_PLAYING
        } else {
            NARRATION_LINES
        };
        let lines = Rc::new(viewmodel::narration(trace, shown, moments_only, limit));
        self.narration = Some((lines.clone(), (shown.to_vec(), moments_only), wall_ms));
        lines
    }

    /// The space-time diagram: finished tiles are kept from the last one; unfinished
    /// ones are redrawn every frame in small clusters and ten times a second in big
    /// ones. The same object comes back while nothing changed, so the page skips it.
    pub fn lamport(
        &mut self,
        view: &ClusterView,
        trace: &VecDeque<TraceEvent>,
        playing: bool,
        wall_ms: f64,
        window: Micros,
    ) -> Rc<LamportVm> {
        let previous = self.lamport.take();
        let refresh = previous.as_ref().is_none_or(|(_, at)| {
            !playing
                || view.nodes.len() <= BIG_CLUSTER
                || wall_ms - at >= LAMPORT_LIVE_REFRESH_BIG_MS
        });
        let drawn = viewmodel::lamport(
            view,
            trace,
            window,
            previous.as_ref().map(|(vm, _)| vm.as_ref()),
            refresh,
        );
        let at = match &previous {
            Some((_, at)) if !refresh => *at,
            _ => wall_ms,
        };
        let lamport = match previous {
            Some((vm, _)) if *vm == drawn => vm,
            _ => Rc::new(drawn),
        };
        self.lamport = Some((lamport.clone(), at));
        lamport
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::run::build;
    use crate::sim::{MS, SEC};

    #[test]
    fn a_frame_moves_by_wall_time_times_speed_and_owes_what_it_could_not_reach() {
        let mut p = Pacer::default();
        assert_eq!(
            p.target(1_000.0, 0, 0.1),
            None,
            "the first frame only starts the clock"
        );
        assert_eq!(
            p.target(1_016.0, 0, 0.1),
            Some(1_600),
            "16 ms at 0.1x is 1.6 ms"
        );
        // A tab that returns after a minute moves at most MAX_FRAME_MS.
        assert_eq!(p.target(61_016.0, 0, 1.0), Some(100 * MS));
        p.settle(100 * MS, false, 40 * MS, 1.0);
        assert_eq!(p.behind(), 60 * MS, "the rest is owed to the next frames");
        assert_eq!(
            p.target(61_016.0, 40 * MS, 1.0),
            Some(100 * MS),
            "owed, not lost"
        );
        p.settle(10 * SEC, false, 0, 1.0);
        assert_eq!(p.behind(), SEC, "never more than a second behind");
        p.reset();
        assert_eq!(p, Pacer::default());
    }

    #[test]
    fn narration_is_reused_while_playing_and_rebuilt_when_paused_or_refiltered() {
        let mut run = build(&SimConfig::default(), 10_000).unwrap();
        run.advance(SEC);
        let shown: Vec<Category> = Category::ALL
            .into_iter()
            .filter(|c| c.on_by_default())
            .collect();
        let mut cache = DisplayCache::default();
        let first = cache.narration(run.trace(), (&shown, false), true, 5, 0.0);
        assert!(first.len() <= NARRATION_LINES_PLAYING);
        run.advance(2 * SEC);
        let soon = cache.narration(run.trace(), (&shown, false), true, 5, 150.0);
        assert!(Rc::ptr_eq(&first, &soon), "within 200 ms the same lines");
        let later = cache.narration(run.trace(), (&shown, false), true, 5, 250.0);
        assert!(!Rc::ptr_eq(&first, &later), "after 200 ms, rebuilt");
        let big = cache.narration(run.trace(), (&shown, false), true, 25, 450.0);
        assert!(Rc::ptr_eq(&later, &big), "big clusters wait 500 ms");
        let paused = cache.narration(run.trace(), (&shown, false), false, 25, 451.0);
        assert!(!Rc::ptr_eq(&big, &paused), "paused: always fresh");
        let fewer = &shown[1..];
        let refiltered = cache.narration(run.trace(), (fewer, false), true, 25, 452.0);
        assert!(!Rc::ptr_eq(&paused, &refiltered), "a new filter: rebuilt");
    }

    #[test]
    fn an_unchanged_diagram_is_the_same_object() {
        let mut run = build(&SimConfig::default(), 10_000).unwrap();
        run.advance(SEC);
        let mut cache = DisplayCache::default();
        let a = cache.lamport(
            &run.view(),
            run.trace(),
            false,
            0.0,
            viewmodel::lamport_window(5),
        );
        let b = cache.lamport(
            &run.view(),
            run.trace(),
            false,
            16.0,
            viewmodel::lamport_window(5),
        );
        assert!(
            Rc::ptr_eq(&a, &b),
            "nothing moved: the page can skip the diagram"
        );
        run.advance(SEC + 300 * MS);
        let c = cache.lamport(
            &run.view(),
            run.trace(),
            false,
            32.0,
            viewmodel::lamport_window(5),
        );
        assert!(!Rc::ptr_eq(&b, &c));
    }

    #[test]
    fn the_picture_ignores_what_moves_every_frame_and_sees_a_role_change() {
        let mut run = build(&SimConfig::default(), 10_000).unwrap();
        run.advance(3 * SEC);
        let a = run.view();
        // A stable leader's heartbeats move the clock, the messages and the timers.
        let mut later = None;
        for ms in 1..200 {
            run.advance(3 * SEC + ms * MS);
            let b = run.view();
            if b.now != a.now
                && b.in_flight != a.in_flight
                && b.nodes
                    .iter()
                    .zip(&a.nodes)
                    .any(|(x, y)| x.timers != y.timers)
            {
                later = Some(b);
                break;
            }
        }
        let b = later.expect("heartbeats move messages and timers");
        assert!(same_picture(&a, &b), "only what moves every frame changed");
        run.act(crate::sim::Action::Crash {
            target: crate::sim::Target::Leader,
        });
        let c = run.view();
        assert!(!same_picture(&b, &c), "a crash changes the picture");
        let mut d = b.clone();
        d.partition = Some(vec![vec![1, 2], vec![3, 4, 5]]);
        assert!(!same_picture(&b, &d), "a partition changes the picture");
        let mut e = b.clone();
        e.nodes[0].view.term += 1;
        assert!(!same_picture(&b, &e), "a term changes the picture");
    }

    #[test]
    fn redraws_back_off_as_they_cost_more() {
        assert_eq!(
            redraw_interval(0.5),
            REDRAW_MIN_MS,
            "a fast machine: five a second"
        );
        assert_eq!(redraw_interval(5.0), 400.0);
        assert_eq!(
            redraw_interval(40.0),
            REDRAW_MAX_MS,
            "never less than once a second"
        );
        assert!(!page_refresh_due(399.0, 400.0));
        assert!(page_refresh_due(400.0, 400.0));
        assert_eq!(
            redraw_cost(0.0, 8.0),
            8.0,
            "the first redraw sets the average"
        );
        let after_spike = redraw_cost(4.0, 40.0);
        assert!(after_spike > 4.0 && after_spike < 20.0, "{after_spike}");
    }

    #[test]
    fn a_changed_picture_waits_a_little_on_a_slow_machine_only() {
        // A fast machine: a redraw costs half a millisecond, the picture is redrawn
        // on the next frame.
        assert!(redraw_due(16.7, 0.5, true));
        assert!(
            !redraw_due(16.7, 0.5, false),
            "nothing changed: the interval"
        );
        // A slow laptop: a redraw costs 12 ms; changes within a quarter second
        // share one redraw.
        assert_eq!(picture_wait(12.0), 240.0);
        assert!(!redraw_due(100.0, 12.0, true));
        assert!(redraw_due(240.0, 12.0, true));
        assert!(!redraw_due(240.0, 12.0, false));
        assert!(redraw_due(REDRAW_MAX_MS, 12.0, false));
        // However slow, a change is on screen within a quarter second.
        assert_eq!(picture_wait(500.0), PICTURE_WAIT_MAX_MS);
        assert!(picture_wait(500.0) < redraw_interval(500.0));
    }
}
