//! The UI's one reducer. The simulation sits behind it: components read the view
//! model and dispatch [`Msg`]s; nothing else touches the engine.

use electionscope::config::SimConfig;
use electionscope::run::{self, Run};
use electionscope::sim::{Action, ClusterView, MS, Micros, NodeId};
use electionscope::viewmodel::Category;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// Playback speeds, as multiples of real time.
pub const SPEEDS: &[f64] = &[0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];
pub const DEFAULT_SPEED: usize = 3;
/// Trace events kept for narration and the space-time diagram.
const TRACE_WINDOW: usize = 20_000;
/// A frame may advance at most this much real time (a throttled or returning tab).
const MAX_FRAME_MS: f64 = 100.0;
/// Events one frame may handle: about 5 ms of wasm. Healthy runs need a few hundred
/// (25 nodes at 10x); a storm would otherwise take the frame, and the tab, with it.
pub const FRAME_EVENT_BUDGET: u64 = 2_000;
/// How far behind real time the clock may fall when frames run out of budget: it
/// catches up over the following frames, and past this it gives up the difference.
const MAX_BEHIND_MS: f64 = 1_000.0;

/// The fingerprint's run, advanced in slices between frames (a long `duration` would
/// otherwise hold the page for seconds). Replaced, never reused, when the settings
/// change, so a slice of an old job can be told apart.
pub struct FingerprintJob(pub RefCell<Box<dyn Run>>);

/// The running simulation. Not `PartialEq`: the reducer's version counter stands in.
pub struct SimCell(pub RefCell<Box<dyn Run>>);

#[derive(Clone)]
pub struct Model {
    pub sim: Rc<SimCell>,
    pub config: SimConfig,
    pub notices: Vec<String>,
    pub playing: bool,
    pub speed: usize,
    last_frame: Option<f64>,
    /// Virtual time the clock still owes: frames that ran out of event budget leave
    /// it for the next ones.
    behind: Micros,
    /// Furthest instant this branch has reached (the time slider's end).
    pub horizon: Micros,
    pub version: u64,
    pub view: Rc<ClusterView>,
    /// Trace hash of the configured run over its duration: a shareable fingerprint,
    /// once the job that computes it between frames is done.
    pub fingerprint: Option<String>,
    pub fingerprint_job: Option<Rc<FingerprintJob>>,
    pub embed: bool,
    pub selected: Option<NodeId>,
    /// Nodes picked for one side of a partition.
    pub split: BTreeSet<NodeId>,
    pub shown: Vec<Category>,
    pub help: bool,
    pub toast: Option<String>,
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

pub enum Msg {
    Frame(f64),
    TogglePlay,
    Step,
    Seek(Micros),
    SeekBy(i64),
    Faster,
    Slower,
    SetSpeed(usize),
    Act(Action),
    Reset,
    NewSeed(u64),
    Configure(SimConfig),
    Select(Option<NodeId>),
    ToggleSplit(NodeId),
    ClearSplit,
    ToggleCategory(Category),
    Help(bool),
    Toast(Option<String>),
    /// A fingerprint job finished with this hash.
    Fingerprint(Rc<FingerprintJob>, String),
}

impl Model {
    pub fn new(
        config: SimConfig,
        notices: Vec<String>,
        speed: usize,
        embed: bool,
        autoplay: bool,
    ) -> Model {
        // from_query already dropped invalid scenarios, so this cannot fail; stay alive
        // regardless with the defaults, and draw the defaults (the layout follows the
        // config, so it must describe the run that is shown).
        let (config, run) = match run::build(&config, TRACE_WINDOW) {
            Ok(run) => (config, run),
            Err(e) => {
                web_sys::console::error_1(&e.into());
                let defaults = SimConfig::default();
                let run = run::build(&defaults, TRACE_WINDOW).expect("defaults build");
                (defaults, run)
            }
        };
        let view = Rc::new(run.view());
        let (fingerprint, fingerprint_job) = match run::build(&config, 0) {
            Ok(job) => (None, Some(Rc::new(FingerprintJob(RefCell::new(job))))),
            Err(e) => (Some(format!("error: {e}")), None),
        };
        Model {
            fingerprint,
            fingerprint_job,
            sim: Rc::new(SimCell(RefCell::new(run))),
            config,
            notices,
            playing: autoplay,
            speed: speed.min(SPEEDS.len() - 1),
            last_frame: None,
            behind: 0,
            horizon: 0,
            version: 0,
            view,
            embed,
            selected: None,
            split: BTreeSet::new(),
            shown: Category::ALL
                .into_iter()
                .filter(|c| c.on_by_default())
                .collect(),
            help: false,
            toast: None,
        }
    }

    pub fn now(&self) -> Micros {
        self.view.now
    }

    fn refresh(&mut self) {
        let run = self.sim.0.borrow();
        self.view = Rc::new(run.view());
        self.horizon = self.horizon.max(self.view.now);
        self.version += 1;
        // A halted run will not move again: stop asking for frames.
        if self.view.halted.is_some() {
            self.playing = false;
            self.behind = 0;
        }
    }

    fn rebuild(&mut self, mut config: SimConfig) {
        // A smaller cluster can orphan a scenario line that names a removed node.
        let notices: Vec<String> = config
            .drop_unfit_scenario()
            .map(|e| format!("{e}; running without it"))
            .into_iter()
            .collect();
        let fresh = Model::new(config, notices, self.speed, self.embed, false);
        let keep_version = self.version;
        *self = Model {
            shown: std::mem::take(&mut self.shown),
            ..fresh
        };
        self.version = keep_version + 1;
        super::url::replace(&self.config, self.speed, self.embed);
    }
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut m = (*self).clone();
        match msg {
            Msg::Frame(ts) => {
                if !m.playing {
                    return self;
                }
                let dt = m
                    .last_frame
                    .map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
                m.last_frame = Some(ts);
                let advance = (dt * 1_000.0 * SPEEDS[m.speed]) as Micros;
                if advance == 0 && m.behind == 0 {
                    return Rc::new(m);
                }
                let target = m.now() + m.behind + advance;
                let mut run = m.sim.0.borrow_mut();
                let reached = run.advance_within(target, FRAME_EVENT_BUDGET);
                let most = (MAX_BEHIND_MS * 1_000.0 * SPEEDS[m.speed]) as Micros;
                m.behind = if reached {
                    0
                } else {
                    target.saturating_sub(run.now()).min(most)
                };
                drop(run);
            }
            Msg::TogglePlay => {
                m.playing = !m.playing;
                m.last_frame = None;
                m.behind = 0;
            }
            Msg::Step => {
                m.playing = false;
                let mut run = m.sim.0.borrow_mut();
                // Skip events that leave no trace (e.g. a stale timer), so every press
                // shows something happen.
                let before = run.trace().back().map(|e| e.seq);
                for _ in 0..1_000 {
                    if !run.step() || run.trace().back().map(|e| e.seq) != before {
                        break;
                    }
                }
            }
            Msg::Seek(t) => {
                m.sim.0.borrow_mut().seek(t);
                m.last_frame = None;
                m.behind = 0;
            }
            Msg::SeekBy(delta) => {
                let t = (m.now() as i64 + delta).max(0) as Micros;
                m.sim.0.borrow_mut().seek(t.min(m.horizon.max(t)));
                m.last_frame = None;
                m.behind = 0;
            }
            Msg::Faster => m.speed = (m.speed + 1).min(SPEEDS.len() - 1),
            Msg::Slower => m.speed = m.speed.saturating_sub(1),
            Msg::SetSpeed(i) => m.speed = i.min(SPEEDS.len() - 1),
            Msg::Act(action) => {
                let now = m.now();
                m.sim.0.borrow_mut().act(action);
                // Acting in the past starts a new branch: its future is not known yet.
                m.horizon = now;
            }
            Msg::Reset => {
                let cfg = m.config.clone();
                m.rebuild(cfg);
                return Rc::new(m);
            }
            Msg::NewSeed(seed) => {
                let mut cfg = m.config.clone();
                cfg.seed = seed;
                m.rebuild(cfg);
                return Rc::new(m);
            }
            Msg::Configure(cfg) => {
                m.rebuild(cfg);
                return Rc::new(m);
            }
            Msg::Select(n) => m.selected = n,
            Msg::ToggleSplit(n) => {
                if !m.split.remove(&n) {
                    m.split.insert(n);
                }
            }
            Msg::ClearSplit => m.split.clear(),
            Msg::ToggleCategory(c) => {
                if let Some(i) = m.shown.iter().position(|x| *x == c) {
                    m.shown.remove(i);
                } else {
                    m.shown.push(c);
                }
            }
            Msg::Help(open) => m.help = open,
            Msg::Toast(t) => m.toast = t,
            Msg::Fingerprint(job, hash) => {
                if !m
                    .fingerprint_job
                    .as_ref()
                    .is_some_and(|j| Rc::ptr_eq(j, &job))
                {
                    return self; // a job for settings no longer shown
                }
                m.fingerprint = Some(hash);
                m.fingerprint_job = None;
            }
        }
        if m.speed != self.speed {
            super::url::replace(&m.config, m.speed, m.embed);
        }
        m.refresh();
        Rc::new(m)
    }
}

/// Virtual time one arrow-key press moves the timeline.
pub const NUDGE: i64 = 10 * MS as i64;
