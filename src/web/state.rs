//! The UI's one reducer. The simulations sit behind it: components read the view
//! model and dispatch [`Msg`]s; nothing else touches an engine. The reducer is pure
//! state: writing the URL and computing the fingerprint are effects (`web/mod.rs`).

use electionscope::config::SimConfig;
use electionscope::frame::{FRAME_EVENT_BUDGET, Pacer, redraw_due, same_picture};
use electionscope::lesson::{Lesson, Resolved};
use electionscope::run::{self, Run};
use electionscope::sim::MomentMark;
use electionscope::sim::VecSet;
use electionscope::sim::{Action, ClusterView, MS, Micros, NodeId, RecordedAction};
use electionscope::viewmodel::Category;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Playback speeds, as multiples of real time.
pub const SPEEDS: &[f64] = &[0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];
pub const DEFAULT_SPEED: usize = 3;
/// Trace events kept for narration and the space-time diagram.
const TRACE_WINDOW: usize = 20_000;

/// A simulation. Not `PartialEq`: the model's page counter stands in.
pub struct SimCell(pub RefCell<Box<dyn Run>>);

/// One simulation on the page with what is drawn of it. Playback, actions and seeks
/// apply to every pane at once, so several runs follow one fault schedule.
#[derive(Clone)]
pub struct Pane {
    pub sim: Rc<SimCell>,
    pub config: SimConfig,
    pub view: Rc<ClusterView>,
    /// Furthest instant this branch has reached (the time slider's end).
    pub horizon: Micros,
    /// Trace hash of the configured run over its duration: a shareable fingerprint,
    /// once the effect that computes it between frames is done.
    pub fingerprint: Option<String>,
    /// Share of the duration the fingerprint job has simulated, in percent.
    pub fingerprint_progress: u8,
    /// The key moments of this branch so far (the slider's markers); a new list
    /// only when one is added or a branch dropped some.
    pub moments: Rc<Vec<MomentMark>>,
}

impl Pane {
    /// The run for `config`, or the defaults' (with the reason) if it cannot build:
    /// the layout follows the config, so it must describe the run that is shown.
    fn new(config: SimConfig) -> (Pane, Option<String>) {
        let (config, run, problem) = match run::build(&config, TRACE_WINDOW) {
            Ok(run) => (config, run, None),
            Err(e) => {
                let defaults = SimConfig::default();
                let run = run::build(&defaults, TRACE_WINDOW).expect("defaults build");
                (defaults, run, Some(e))
            }
        };
        let view = Rc::new(run.view());
        let pane = Pane {
            sim: Rc::new(SimCell(RefCell::new(run))),
            config,
            view,
            horizon: 0,
            fingerprint: None,
            fingerprint_progress: 0,
            moments: Rc::default(),
        };
        (pane, problem)
    }

    pub fn now(&self) -> Micros {
        self.view.now
    }

    fn refresh(&mut self) {
        let run = self.sim.0.borrow();
        self.view = Rc::new(run.view());
        self.horizon = self.horizon.max(self.view.now);
        let moments = run.moments();
        if moments.len() != self.moments.len()
            || moments.last().map(|m| m.seq) != self.moments.last().map(|m| m.seq)
        {
            self.moments = Rc::new(moments.to_vec());
        }
    }
}

/// Where a lesson comes from: a built-in one by name, or text (the editor's, or a
/// link's `sc=`).
#[derive(Clone, Debug, PartialEq)]
pub enum LessonSource {
    Builtin(String),
    Text(String),
}

/// A lesson on the page: its checkpoints as this run resolved them, and how far the
/// viewer got.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonState {
    pub source: LessonSource,
    pub title: String,
    pub description: String,
    pub checkpoints: Rc<Vec<Resolved>>,
    /// The checkpoint on show (the run paused there), if any.
    pub showing: Option<usize>,
    /// The viewer's answer to each question, by checkpoint.
    pub answers: Vec<Option<String>>,
    /// The run has reached the instant that decides each question.
    pub decided: Vec<bool>,
    /// Playing on to the instant that decides this checkpoint's question.
    pub revealing: Option<usize>,
    /// The algorithms the lesson runs beside its own (`compare` lines).
    pub compare: Vec<electionscope::algo::Algo>,
}

impl LessonSource {
    /// The lesson's text and title.
    pub fn text(&self) -> Result<(&str, String), String> {
        match self {
            LessonSource::Builtin(name) => {
                let builtin = electionscope::lesson::builtin(name).ok_or_else(|| {
                    let names: Vec<&str> = electionscope::lesson::BUILTINS
                        .iter()
                        .map(|l| l.name)
                        .collect();
                    format!(
                        "lesson: there is no lesson '{name}'; the lessons are {}",
                        names.join(", ")
                    )
                })?;
                Ok((builtin.text, builtin.title.to_string()))
            }
            LessonSource::Text(text) => Ok((text, "your lesson".to_string())),
        }
    }
}

impl LessonState {
    /// The lesson from `source` on `config` (the lesson's own lines already applied):
    /// its checkpoints resolved by running it.
    pub fn start(source: &LessonSource, config: &SimConfig) -> Result<LessonState, String> {
        let (text, title) = source.text()?;
        let lesson = Lesson::parse(text).map_err(|e| format!("lesson {title}: {e}"))?;
        let checkpoints = lesson
            .resolve(config)
            .map_err(|e| format!("lesson {title}: {e}"))?;
        let n = checkpoints.len();
        Ok(LessonState {
            source: source.clone(),
            title: match source {
                LessonSource::Text(_) if !lesson.description.is_empty() => lesson
                    .description
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                _ => title,
            },
            description: lesson.description,
            // A checkpoint at the start shows before anything runs.
            showing: checkpoints.first().filter(|c| c.at == 0).map(|_| 0),
            checkpoints: Rc::new(checkpoints),
            answers: vec![None; n],
            decided: vec![false; n],
            revealing: None,
            compare: lesson.compare,
        })
    }

    /// The next instant after `now` where playing stops: a checkpoint, or the instant
    /// that decides the question being revealed.
    fn next_stop(&self, now: Micros) -> Option<(Micros, usize, bool)> {
        let checkpoints = self
            .checkpoints
            .iter()
            .enumerate()
            .map(|(i, c)| (c.at, i, false));
        // Every answered question not yet decided: several asked at one instant are
        // all answered before playing on, then each stops the run where it is decided.
        let reveal = self.checkpoints.iter().enumerate().filter_map(|(i, c)| {
            let pending = self.answers.get(i)?.is_some() && !*self.decided.get(i)?;
            pending.then(|| Some((c.question.as_ref()?.decided_at, i, true)))?
        });
        checkpoints
            .chain(reveal)
            .filter(|(at, ..)| *at > now)
            .min_by_key(|(at, i, reveal)| (*at, !*reveal, *i))
    }

    /// Playing reached `stop`: pause there and show it.
    fn reach(&mut self, (_, i, reveal): (Micros, usize, bool)) {
        if reveal {
            self.decided[i] = true;
            self.revealing = None;
        }
        self.showing = Some(i);
    }

    /// The viewer moved in time: nothing is on show until playing reaches a stop.
    fn left(&mut self) {
        self.showing = None;
        self.revealing = None;
    }
}

#[derive(Clone)]
pub struct Model {
    /// The simulations on the page; the first is the one drawn.
    pub panes: Vec<Pane>,
    pub notices: Vec<String>,
    pub playing: bool,
    pub speed: usize,
    pacer: Pacer,
    /// Bumped when the page must be redrawn: on anything but a frame, and on a frame
    /// that changed the picture (see `frame::same_picture`). Between redraws the app
    /// does not render at all: only the canvases move, painted by the animation loop.
    pub page: u64,
    /// Bumped when only what follows the clock must be redrawn (the clock, slider,
    /// statistics, narration and diagram, which read the model through `Live`): a
    /// frame long enough after the last redraw that left the picture as it was. The
    /// rest of the page (the cluster, the panels, the legend) is not even rendered:
    /// on a slow laptop its render alone was half of a redraw. Models are equal when
    /// both counters are.
    pub tick: u64,
    /// Wall time (a frame's timestamp) of the last redraw while playing.
    page_at: f64,
    /// The picture changed since that redraw (see `frame::redraw_due`).
    picture_changed: bool,
    /// A frame found the page due a redraw: the animation loop asks for it
    /// (`Msg::Redraw`) in a task of its own after the frame, so that the frame itself
    /// stays short and the redraw's own work falls between frames.
    pub redraw_due: bool,
    /// That redraw is of the whole page, not a tick.
    redraw_page: bool,
    /// Bumped whenever the panes are rebuilt: what effects that follow a run key on.
    pub generation: u64,
    pub embed: bool,
    pub selected: Option<NodeId>,
    /// Nodes picked for one side of a partition.
    pub split: VecSet<NodeId>,
    pub shown: Vec<Category>,
    pub help: bool,
    pub toast: Option<String>,
    /// What the embed's link asked for (caption, scrubber, loop, theme).
    pub embed_options: super::url::EmbedOptions,
    /// The page is scrolled into view (an embed plays only then).
    pub in_view: bool,
    /// The space-time diagram's window: the cluster's usual one times 2^zoom.
    pub lamport_zoom: i8,
    /// The diagram shows the whole run so far (zoom then does not apply).
    pub lamport_fit: bool,
    /// The narration shows only the lines that tell a key moment.
    pub moments_only: bool,
    /// The lesson being taken, if the page opened one.
    pub lesson: Option<LessonState>,
    /// The algorithms run beside the first (`?compare=`), one pane each.
    pub compare: Vec<electionscope::algo::Algo>,
    /// `?view=lab`: the page shows the lab instead of the simulator.
    pub lab: bool,
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        self.page == other.page && self.tick == other.tick
    }
}

pub enum Msg {
    /// A frame at this wall time, when the page's redraws cost so many ms of wall
    /// time: what they cost sets how often they come (`frame::redraw_due`).
    Frame(f64, f64),
    /// The redraw a frame found due (see `Model::redraw_due`).
    Redraw,
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
    /// Selects a node, or deselects it if it was selected.
    ToggleSelect(NodeId),
    ToggleSplit(NodeId),
    ClearSplit,
    ToggleCategory(Category),
    Help(bool),
    Toast(Option<String>),
    /// The fingerprint of the first pane of generation `.0` is `.1`.
    Fingerprint(u64, String),
    /// The fingerprint job of generation `.0` has simulated `.1` percent of its run.
    FingerprintProgress(u64, u8),
    /// The page was scrolled into (true) or out of view.
    InView(bool),
    /// The space-time diagram: zoom in (-1) or out (+1), or fit the whole run.
    LamportZoom(i8),
    LamportFit,
    /// Jump to the next key moment (simulating ahead if none is known yet) or back
    /// to the previous one.
    NextMoment,
    PrevMoment,
    ToggleMomentsOnly,
    /// Open a lesson on these settings (the lesson's own lines applied).
    OpenLesson(LessonSource, SimConfig),
    /// Take back the last action (Ctrl+Z); its future is kept as a branch.
    Undo,
    /// Go to a branch left behind (by index in the run's branches).
    SwitchBranch(usize),
    /// Leave the lesson's checkpoint on show and play on (or show the next one at the
    /// same instant).
    LessonContinue,
    /// The viewer's answer to the question at a checkpoint: play on to the instant
    /// that decides it.
    LessonAnswer(usize, String),
    /// Run these algorithms beside the first (none: the first alone).
    Compare(Vec<electionscope::algo::Algo>),
    /// An imported trace file checked out: its run, opened at its last event.
    Inspect {
        config: SimConfig,
        actions: Vec<RecordedAction>,
        at: Micros,
        note: String,
    },
}

/// How far "next moment" simulates ahead looking for one, and the events it may
/// handle doing so (a quiet stable cluster has none to find).
const MOMENT_SEARCH: Micros = 120 * electionscope::sim::SEC;
const MOMENT_SEARCH_EVENTS: u64 = 400_000;

/// How far the space-time diagram zooms: a quarter to 64 times its usual window.
pub const LAMPORT_ZOOM: std::ops::RangeInclusive<i8> = -2..=6;

impl Model {
    /// The space-time diagram's window of virtual time. Fitting the whole run rounds
    /// up to a power of two of the usual window, so the scale (and the tiles drawn at
    /// it) changes only each time the run doubles, not every frame.
    pub fn lamport_window(&self) -> Micros {
        let base = electionscope::viewmodel::lamport_window(self.view().nodes.len());
        if self.lamport_fit {
            let mut w = base;
            while w < self.now() {
                w *= 2;
            }
            w
        } else if self.lamport_zoom >= 0 {
            base << self.lamport_zoom
        } else {
            base >> self.lamport_zoom.unsigned_abs()
        }
    }
}

impl Model {
    pub fn new(
        config: SimConfig,
        mut notices: Vec<String>,
        speed: usize,
        embed: bool,
        autoplay: bool,
    ) -> Model {
        // from_query already dropped invalid scenarios, so this cannot fail; stay alive
        // regardless with the defaults.
        let (pane, problem) = Pane::new(config);
        notices.extend(problem.map(|e| format!("{e}; running the defaults")));
        Model {
            panes: vec![pane],
            notices,
            playing: autoplay,
            speed: speed.min(SPEEDS.len() - 1),
            pacer: Pacer::default(),
            page: 0,
            tick: 0,
            page_at: 0.0,
            picture_changed: false,
            redraw_due: false,
            redraw_page: false,
            generation: 0,
            embed,
            selected: None,
            split: VecSet::new(),
            shown: Category::ALL
                .into_iter()
                .filter(|c| c.on_by_default())
                .collect(),
            help: false,
            toast: None,
            embed_options: Default::default(),
            in_view: true,
            lamport_zoom: 0,
            lamport_fit: false,
            moments_only: false,
            lesson: None,
            compare: Vec::new(),
            lab: false,
        }
    }

    /// Runs `algos` beside the first pane, each on its settings with its own algorithm:
    /// the same seed, cluster, network and fault schedule.
    pub fn set_compare(&mut self, algos: Vec<electionscope::algo::Algo>) {
        self.panes.truncate(1);
        let first = self.config().algo;
        let algos: Vec<_> = algos.into_iter().filter(|&a| a != first).collect();
        // A column added to a run under way catches up with it: the same actions, the
        // same instant.
        let (actions, now) = (self.pane().sim.0.borrow().actions().to_vec(), self.now());
        for &algo in &algos {
            let config = SimConfig {
                algo,
                ..self.config().clone()
            };
            let (mut pane, problem) = Pane::new(config);
            if let Some(e) = problem {
                self.notices
                    .push(format!("{}: {e}; it runs the defaults", algo.title));
            }
            {
                let mut run = pane.sim.0.borrow_mut();
                if !actions.is_empty() {
                    let _ = run.load_actions(actions.clone());
                }
                if now > 0 {
                    run.seek(now);
                }
            }
            pane.horizon = now;
            pane.refresh();
            self.panes.push(pane);
        }
        self.compare = algos;
    }

    /// The pane that is drawn.
    pub fn pane(&self) -> &Pane {
        &self.panes[0]
    }

    pub fn config(&self) -> &SimConfig {
        &self.pane().config
    }

    pub fn view(&self) -> &Rc<ClusterView> {
        &self.pane().view
    }

    /// How many findings the drawn run's monitor has made: a new one changes the
    /// banner, which is part of the picture.
    fn findings(&self) -> usize {
        self.pane().sim.0.borrow().stats().findings.len()
    }

    /// A redraw that only follows the clock can leave the rest of the page alone:
    /// one run on a full page. Columns side by side and the embed draw their
    /// statistics and latest lines with the rest, so they redraw whole.
    fn ticks_suffice(&self) -> bool {
        self.panes.len() == 1 && !self.embed
    }

    pub fn now(&self) -> Micros {
        self.pane().now()
    }

    pub fn horizon(&self) -> Micros {
        self.pane().horizon
    }

    fn refresh(&mut self) {
        for pane in &mut self.panes {
            pane.refresh();
        }
        // A halted run will not move again: stop asking for frames.
        if self.pane().view.halted.is_some() {
            self.playing = false;
            self.pacer.reset();
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
        let (generation, page) = (self.generation, self.page);
        let compare = std::mem::take(&mut self.compare);
        *self = Model {
            shown: std::mem::take(&mut self.shown),
            embed_options: std::mem::take(&mut self.embed_options),
            in_view: self.in_view,
            lamport_zoom: self.lamport_zoom,
            lamport_fit: self.lamport_fit,
            moments_only: self.moments_only,
            lesson: None,
            ..fresh
        };
        self.set_compare(compare);
        self.page = page + 1;
        self.generation = generation + 1;
    }

    /// Replays a link's actions and goes to its instant, paused; if the run's hash there
    /// differs from the one the link was copied with, says so: this page's engines no
    /// longer reproduce that run.
    pub fn open_link(
        &mut self,
        actions: Vec<RecordedAction>,
        at: Option<(Micros, Option<String>)>,
    ) {
        if !actions.is_empty() {
            let mut problem = None;
            self.each_run(|run| {
                if let Err(e) = run.load_actions(actions.clone()) {
                    problem = Some(e);
                }
            });
            if let Some(e) = problem {
                self.notices
                    .push(format!("acts: {e}; showing the run without them"));
            }
        }
        if let Some((t, hash)) = at {
            self.each_run(|run| run.seek(t));
            self.playing = false;
            let reached = self.panes[0].sim.0.borrow().trace_hash();
            if let Some(expected) = hash
                && expected != reached
            {
                self.notices.push(format!(
                    "This link's run does not reproduce here: at {} its hash was {expected}, this page's is {reached}. It was made by a version of ElectionScope whose engines behave differently.",
                    electionscope::sim::time::Rounded(t)
                ));
            }
            for pane in &mut self.panes {
                pane.horizon = t;
            }
        }
        self.refresh();
    }

    /// After a rebuild, the lesson that was open starts again on the new run (its
    /// answers resolved afresh); a lesson that no longer resolves is closed with why.
    fn restart_lesson(&mut self, lesson: Option<LessonState>) {
        let Some(old) = lesson else { return };
        match LessonState::start(&old.source, self.config()) {
            Ok(fresh) => {
                self.lesson = Some(fresh);
                self.playing = false;
            }
            Err(e) => self.notices.push(e),
        }
    }

    /// Runs `f` on every pane's simulation.
    fn each_run(&self, mut f: impl FnMut(&mut Box<dyn Run>)) {
        for pane in &self.panes {
            f(&mut pane.sim.0.borrow_mut());
        }
    }
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut m = (*self).clone();
        match msg {
            Msg::Frame(ts, redraw_ms) => {
                if !m.playing {
                    return self;
                }
                let speed = SPEEDS[m.speed];
                let Some(mut target) = m.pacer.target(ts, m.now(), speed) else {
                    return Rc::new(m);
                };
                // An embed ends at its link's duration: it stops there, or starts again.
                let end = m.embed.then_some(m.config().duration);
                if let Some(end) = end {
                    target = target.min(end);
                }
                // A lesson pauses exactly at its checkpoints.
                let stop = m.lesson.as_ref().and_then(|l| l.next_stop(m.now()));
                if let Some((at, ..)) = stop {
                    target = target.min(at);
                }
                let mut reached = true;
                let mut now = target;
                m.each_run(|run| {
                    reached &= run.advance_within(target, FRAME_EVENT_BUDGET);
                    now = now.min(run.now());
                });
                m.pacer.settle(target, reached, now, speed);
                if let Some(end) = end
                    && now >= end
                {
                    if m.embed_options.loop_at_end {
                        m.each_run(|run| run.seek(0));
                    } else {
                        m.playing = false;
                    }
                    m.pacer.reset();
                }
                if let Some(stop) = stop
                    && now >= stop.0
                    && let Some(lesson) = &mut m.lesson
                {
                    lesson.reach(stop);
                    m.playing = false;
                    m.pacer.reset();
                }
                let (picture, moments, findings) =
                    (m.view().clone(), m.pane().moments.clone(), m.findings());
                m.refresh();
                m.picture_changed |= !Rc::ptr_eq(&moments, &m.pane().moments)
                    || !same_picture(&picture, m.view())
                    || findings != m.findings();
                // A run that stopped shows where it stopped at once.
                if !m.playing || redraw_due(ts - m.page_at, redraw_ms, m.picture_changed) {
                    m.redraw_due = true;
                    m.redraw_page |= !m.playing || m.picture_changed || !m.ticks_suffice();
                    m.picture_changed = false;
                    m.page_at = ts;
                }
                return Rc::new(m);
            }
            Msg::Redraw => {
                if !m.redraw_due {
                    return self;
                }
                m.redraw_due = false;
                if std::mem::take(&mut m.redraw_page) {
                    m.page += 1;
                } else {
                    m.tick += 1;
                }
                return Rc::new(m);
            }
            Msg::TogglePlay => {
                m.playing = !m.playing;
                m.pacer.reset();
            }
            Msg::Step => {
                m.playing = false;
                // Skip events that leave no trace (e.g. a stale timer), so every press
                // shows something happen in the drawn pane; the others reach its instant.
                let mut first = m.panes[0].sim.0.borrow_mut();
                let before = first.trace().back().map(|e| e.seq);
                for _ in 0..1_000 {
                    if !first.step() || first.trace().back().map(|e| e.seq) != before {
                        break;
                    }
                }
                let t = first.now();
                drop(first);
                for pane in &m.panes[1..] {
                    pane.sim.0.borrow_mut().advance(t);
                }
            }
            Msg::Seek(t) => {
                if let Some(lesson) = &mut m.lesson {
                    lesson.left();
                }
                m.each_run(|run| run.seek(t));
                m.pacer.reset();
            }
            Msg::SeekBy(delta) => {
                if let Some(lesson) = &mut m.lesson {
                    lesson.left();
                }
                let t = (m.now() as i64 + delta).max(0) as Micros;
                let t = t.min(m.horizon().max(t));
                m.each_run(|run| run.seek(t));
                m.pacer.reset();
            }
            Msg::Faster => m.speed = (m.speed + 1).min(SPEEDS.len() - 1),
            Msg::Slower => m.speed = m.speed.saturating_sub(1),
            Msg::SetSpeed(i) => m.speed = i.min(SPEEDS.len() - 1),
            Msg::Act(action) => {
                m.each_run(|run| run.act(action.clone()));
                // Acting in the past starts a new branch: its future is not known yet.
                // The fingerprint covers what the user did: computed again.
                for pane in &mut m.panes {
                    pane.horizon = pane.now();
                    pane.fingerprint = None;
                    pane.fingerprint_progress = 0;
                }
            }
            Msg::Reset => {
                let cfg = m.config().clone();
                let lesson = m.lesson.take();
                m.rebuild(cfg);
                m.restart_lesson(lesson);
                return Rc::new(m);
            }
            Msg::NewSeed(seed) => {
                let mut cfg = m.config().clone();
                cfg.seed = seed;
                let lesson = m.lesson.take();
                m.rebuild(cfg);
                // Another seed, another run: the lesson's answers are computed again.
                m.restart_lesson(lesson);
                return Rc::new(m);
            }
            Msg::Configure(cfg) => {
                m.rebuild(cfg);
                return Rc::new(m);
            }
            Msg::Compare(algos) => {
                m.set_compare(algos);
                m.selected = None;
                m.refresh();
                m.page += 1;
                return Rc::new(m);
            }
            Msg::Inspect {
                config,
                actions,
                at,
                note,
            } => {
                m.rebuild(config);
                m.open_link(actions, Some((at, None)));
                m.toast = Some(note);
                return Rc::new(m);
            }
            Msg::OpenLesson(source, cfg) => {
                m.rebuild(cfg);
                match LessonState::start(&source, m.config()) {
                    Ok(lesson) => {
                        if !lesson.compare.is_empty() {
                            m.set_compare(lesson.compare.clone());
                        }
                        m.lesson = Some(lesson);
                    }
                    Err(e) => m.notices.push(e),
                }
                return Rc::new(m);
            }
            Msg::Select(n) => m.selected = n,
            Msg::ToggleSelect(n) => {
                m.selected = if m.selected == Some(n) { None } else { Some(n) };
            }
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
            Msg::Fingerprint(generation, hash) => {
                if generation != m.generation {
                    return self; // a fingerprint of settings no longer shown
                }
                m.panes[0].fingerprint = Some(hash);
            }
            Msg::LamportZoom(step) => {
                // From a fitted view, zooming starts at the window it shows.
                if m.lamport_fit {
                    let base = electionscope::viewmodel::lamport_window(m.view().nodes.len());
                    let shown = m.lamport_window();
                    m.lamport_zoom = (shown / base.max(1)).max(1).ilog2() as i8;
                    m.lamport_fit = false;
                }
                m.lamport_zoom =
                    (m.lamport_zoom + step).clamp(*LAMPORT_ZOOM.start(), *LAMPORT_ZOOM.end());
            }
            Msg::LamportFit => m.lamport_fit = !m.lamport_fit,
            Msg::ToggleMomentsOnly => m.moments_only = !m.moments_only,
            Msg::NextMoment => {
                m.playing = false;
                m.pacer.reset();
                let now = m.now();
                let sim = m.panes[0].sim.clone();
                let mut first = sim.0.borrow_mut();
                let mut reached = m.panes[0].horizon;
                let after =
                    |run: &dyn Run| run.moments().iter().find(|k| k.time > now).map(|k| k.time);
                let mut found = after(first.as_ref());
                if found.is_none() {
                    // Nothing known ahead: simulate on (from the end of what is known)
                    // until one happens, then come back to `now` first so the jump
                    // lands on the same branch.
                    // Windows that double from 100 ms keep the slider's new end near
                    // the moment found, not two minutes on.
                    let horizon = m.panes[0].horizon.max(now);
                    first.seek(horizon);
                    let mut window = 100 * electionscope::sim::MS;
                    let mut budget = MOMENT_SEARCH_EVENTS;
                    while found.is_none() && window <= MOMENT_SEARCH && budget > 0 {
                        let before = first.stats().messages_sent;
                        let until = first.now() + window;
                        let done = first.advance_within(until, budget);
                        budget = budget.saturating_sub(first.stats().messages_sent - before);
                        found = after(first.as_ref());
                        if !done {
                            break; // a storm: stop searching rather than freeze
                        }
                        window *= 2;
                    }
                    reached = reached.max(first.now());
                }
                if found.is_none() {
                    m.toast = Some(format!(
                        "No key moment in the next {} of simulated time: the cluster is quiet. Crash or partition something, then look again.",
                        electionscope::sim::Human(first.now().saturating_sub(now))
                    ));
                }
                let target = found.unwrap_or(now);
                first.seek(target);
                drop(first);
                m.panes[0].horizon = reached;
                for pane in &m.panes[1..] {
                    pane.sim.0.borrow_mut().seek(target);
                }
            }
            Msg::PrevMoment => {
                m.playing = false;
                m.pacer.reset();
                let now = m.now();
                let before = m.panes[0]
                    .moments
                    .iter()
                    .rev()
                    .find(|k| k.time < now)
                    .map_or(0, |k| k.time);
                m.each_run(|run| run.seek(before));
            }
            Msg::Undo | Msg::SwitchBranch(_) => {
                m.playing = false;
                m.pacer.reset();
                let mut moved = false;
                m.each_run(|run| {
                    moved |= match msg {
                        Msg::Undo => run.undo(),
                        Msg::SwitchBranch(i) => run.switch_branch(i),
                        _ => None,
                    }
                    .is_some();
                });
                if !moved && matches!(msg, Msg::Undo) {
                    m.toast = Some(
                        "Nothing to undo: no crash, pause, partition or write on this branch yet."
                            .into(),
                    );
                }
                for pane in &mut m.panes {
                    pane.horizon = pane.sim.0.borrow().reached();
                    pane.fingerprint = None;
                    pane.fingerprint_progress = 0;
                }
                if let Some(lesson) = &mut m.lesson {
                    lesson.left();
                }
            }
            Msg::LessonContinue => {
                let now = m.now();
                if let Some(lesson) = &mut m.lesson {
                    let after = lesson.showing.map_or(0, |i| i + 1);
                    let same_instant = lesson
                        .checkpoints
                        .iter()
                        .enumerate()
                        .skip(after)
                        .find(|(_, c)| c.at == now);
                    match same_instant {
                        Some((i, _)) => lesson.showing = Some(i),
                        None => {
                            lesson.showing = None;
                            m.playing = true;
                            m.pacer.reset();
                        }
                    }
                }
            }
            Msg::LessonAnswer(i, choice) => {
                if let Some(lesson) = &mut m.lesson
                    && lesson.answers.get(i).is_some_and(|a| a.is_none())
                {
                    lesson.answers[i] = Some(choice);
                    let decided_at = lesson.checkpoints[i]
                        .question
                        .as_ref()
                        .map(|q| q.decided_at);
                    // Another checkpoint at this instant is shown before playing on, or
                    // revealing this answer would carry the run past it.
                    let asked_at = lesson.checkpoints[i].at;
                    let next_here = lesson
                        .checkpoints
                        .iter()
                        .enumerate()
                        .skip(i + 1)
                        .find(|(_, c)| c.at == asked_at)
                        .map(|(j, _)| j);
                    let now = m.panes[0].now();
                    if decided_at.is_none_or(|t| t <= now) {
                        lesson.decided[i] = true;
                    }
                    let pending = (0..lesson.answers.len())
                        .any(|k| lesson.answers[k].is_some() && !lesson.decided[k]);
                    if let Some(j) = next_here {
                        lesson.showing = Some(j);
                    } else if pending {
                        lesson.revealing = Some(i);
                        m.playing = true;
                        m.pacer.reset();
                    }
                }
            }
            Msg::InView(seen) => {
                m.in_view = seen;
                m.pacer.reset();
            }
            Msg::FingerprintProgress(generation, percent) => {
                if generation != m.generation {
                    return self;
                }
                m.panes[0].fingerprint_progress = percent;
            }
        }
        m.refresh();
        m.page += 1;
        m.redraw_due = false;
        m.redraw_page = false;
        Rc::new(m)
    }
}

/// Virtual time one arrow-key press moves the timeline.
pub const NUDGE: i64 = 10 * MS as i64;
