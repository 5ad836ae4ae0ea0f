//! Playback, node actions, network and algorithm settings, sharing, help.

use super::panels::send_with;
use super::state::{Model, Msg, SPEEDS};
use electionscope::algo::{Algo, registry};
use electionscope::config::{MAX_NODES, MIN_NODES, SimConfig};
use electionscope::settings::{Setting, SettingKind, Value};
use electionscope::sim::action::Percent;
use electionscope::sim::time::Rounded;
use electionscope::sim::{
    Action, MS, Micros, MomentMark, NodeId, NodeState, NodeStatus, StorageMode, Target,
};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub fn input_value(e: &Event) -> String {
    e.target()
        .and_then(|t| {
            t.dyn_into::<web_sys::HtmlInputElement>()
                .ok()
                .map(|i| i.value())
        })
        .or_else(|| {
            e.target().and_then(|t| {
                t.dyn_into::<web_sys::HtmlSelectElement>()
                    .ok()
                    .map(|s| s.value())
            })
        })
        .unwrap_or_default()
}

/// Narrow props: the playback bar changes with the clock, not with the cluster.
#[derive(Properties, PartialEq)]
pub struct PlaybackProps {
    pub dispatch: UseReducerDispatcher<Model>,
    pub playing: bool,
    pub speed: usize,
}

/// A clock reading: at the start "0s", not "0us" or "1us".
pub fn clock(t: Micros) -> String {
    if t <= 1 {
        "0s".to_string()
    } else {
        Rounded(t).to_string()
    }
}

#[function_component(Playback)]
pub fn playback(p: &PlaybackProps) -> Html {
    // The slider and clock follow the clock a few times a second (the page's redraws),
    // and at once on a pause, step or seek.
    let live = use_context::<super::Live>().expect("the app provides the live model");
    let pane = live.0.pane();
    let (now, horizon, moments) = (pane.now(), pane.horizon, pane.moments.clone());
    // What the user did on this branch, and the futures left behind.
    let (can_undo, actions, branches) = {
        let run = pane.sim.0.borrow();
        let branches: Vec<(Micros, usize, Micros)> = run
            .branches()
            .iter()
            .map(|b| (b.fork_at, b.actions.len(), b.reached))
            .collect();
        let applied = run.actions().iter().filter(|a| a.time <= now).count();
        (applied > 0, run.actions().len(), branches)
    };
    let d = p.dispatch.clone();
    let playing = p.playing;
    let on_branch = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = input_value(&e).parse::<usize>() {
                d.dispatch(Msg::SwitchBranch(i));
            }
        })
    };
    let on_slider = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let v: Micros = input_value(&e.into()).parse().unwrap_or(0);
            d.dispatch(Msg::Seek(v));
        })
    };
    let on_speed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            d.dispatch(Msg::SetSpeed(input_value(&e).parse().unwrap_or(3)))
        })
    };
    let end = horizon.max(now).max(1);
    // Made once, so the moment marks (kept while their props are equal) are not
    // redrawn for a new closure.
    let on_mark = {
        let d = d.clone();
        use_callback((), move |t: Micros, _| d.dispatch(Msg::Seek(t)))
    };
    let prev = moments.iter().rev().find(|k| k.time < now);
    let next = moments.iter().find(|k| k.time > now);
    let describe = |k: Option<&MomentMark>, word: &str| match k {
        Some(k) => format!(
            "{word} key moment: {} at {} (",
            k.moment.label(),
            clock(k.time)
        ),
        None => format!("{word} key moment ("),
    };

    html! {
        // A region landmark around the toolbar: everything on the page sits in one.
        <section aria-label="Playback">
        <div class="playback" role="toolbar" aria-label="Playback controls">
            <button id="play" class="primary" onclick={send_with(&d, || Msg::TogglePlay)} aria-keyshortcuts="Space"
                aria-label={if playing { "Pause" } else { "Play" }} title={if playing { "Pause (Space)" } else { "Play (Space)" }}>
                { if playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button id="step" onclick={send_with(&d, || Msg::Step)} title="Step to the next event (→)" aria-keyshortcuts="ArrowRight">{ "Step ›" }</button>
            <label class="speed">
                <span>{ "Speed" }</span>
                <select id="speed" onchange={on_speed} aria-label="Speed, as a multiple of real time">
                    { for SPEEDS.iter().enumerate().map(|(i, s)| html! { <option value={i.to_string()} selected={i == p.speed}>{ format!("{s}×") }</option> }) }
                </select>
            </label>
            <button id="prev-moment" class="moment-jump" onclick={send_with(&d, || Msg::PrevMoment)} disabled={prev.is_none() && now == 0}
                title={format!("{}<)", describe(prev, "Previous"))} aria-keyshortcuts="<" aria-label="Previous key moment">{ "◆‹" }</button>
            <button id="next-moment" class="moment-jump" onclick={send_with(&d, || Msg::NextMoment)}
                title={format!("{}>)", describe(next, "Next"))} aria-keyshortcuts=">" aria-label="Next key moment">{ "›◆" }</button>
            <div class="timeline-track" style={format!("--end: {end}")}>
                <input id="timeline" class="timeline" type="range" min="0" max={end.to_string()} step="1"
                    value={now.to_string()} oninput={on_slider} aria-label="Timeline"
                    aria-valuetext={format!("{} of {}", clock(now), clock(end))} />
                { super::panels::kept(MomentMarksProps { moments, on_seek: on_mark.clone() }, moment_marks) }
                if !branches.is_empty() {
                    <div class="fork-marks" aria-hidden="true">
                        { for branches.iter().enumerate().map(|(i, (fork, ..))| html! {
                            <span class="fork-mark" data-branch={i.to_string()} data-time={fork.to_string()} style={format!("--t:{fork}")}
                                title={format!("A branch left at {}", clock(*fork))} />
                        }) }
                    </div>
                }
                if let Some(lesson) = &live.0.lesson {
                    <div class="checkpoint-marks" role="group" aria-label="Lesson checkpoints">
                        { for lesson.checkpoints.iter().enumerate().map(|(i, c)| {
                            let (at, on_mark) = (c.at, on_mark.clone());
                            html! {
                                <button class="checkpoint-mark" data-checkpoint={i.to_string()} style={format!("--t:{at}")}
                                    title={format!("Checkpoint {} at {}", i + 1, clock(at))} aria-label={format!("Checkpoint {}", i + 1)}
                                    onclick={Callback::from(move |_: MouseEvent| on_mark.emit(at))} />
                            }
                        }) }
                    </div>
                }
            </div>
            <output class="clock" for="timeline">{ format!("{} / {}", clock(now), clock(end)) }</output>
            <button id="undo" onclick={send_with(&d, || Msg::Undo)} disabled={!can_undo} aria-keyshortcuts="Control+Z"
                title="Take back the last action (Ctrl+Z); what it made stays as a branch">{ "↶ Undo" }</button>
            if !branches.is_empty() {
                <label class="branches">
                    <span>{ "Branch" }</span>
                    <select id="branch" onchange={on_branch} aria-label="Go to a branch you left">
                        <option value="" selected=true>{ format!("this one ({} actions)", actions) }</option>
                        { for branches.iter().enumerate().rev().map(|(i, (fork, n, _))| html! {
                            <option value={i.to_string()}>{ format!("left at {} ({} actions)", clock(*fork), n) }</option>
                        }) }
                    </select>
                </label>
            }
            <button id="reset" onclick={send_with(&d, || Msg::Reset)} title="Restart with the same seed (R)">{ "⟲ Reset" }</button>
        </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct EmbedEndProps {
    /// The link's duration: where the embed stops.
    pub end: Micros,
}

/// The embed's time slider (with `scrubber=1`, before the buttons) and clock, redrawn
/// with the page.
#[function_component(EmbedTime)]
pub fn embed_time(p: &EmbedEndProps) -> Html {
    let live = use_context::<super::Live>().expect("the app provides the live model");
    let now = live.0.now();
    let end = p.end;
    let on_scrub = {
        let d = live.0.dispatcher();
        Callback::from(move |e: InputEvent| {
            let v: Micros = input_value(&e.into()).parse().unwrap_or(0);
            d.dispatch(Msg::Seek(v));
        })
    };
    html! {
        <>
            if live.0.embed_options.scrubber {
                <input id="timeline" class="timeline embed-scrubber" type="range" min="0" max={end.to_string()} step="1"
                    value={now.min(end).to_string()} oninput={on_scrub} aria-label="Timeline"
                    aria-valuetext={format!("{} of {}", Rounded(now), Rounded(end))} />
            }
            <span class="clock">{ format!("{} / {}", clock(now), clock(end)) }</span>
        </>
    }
}

#[derive(PartialEq)]
pub struct MomentMarksProps {
    pub moments: Rc<Vec<MomentMark>>,
    pub on_seek: Callback<Micros>,
}

/// Markers this far apart (in virtual time, as a share of the span the moments
/// cover) at most: a Paxos duel marks thousands, which would be one smear.
const MARK_BUCKETS: u64 = 160;

/// The key moments under the slider, each a button that jumps there. Positioned by
/// CSS against the track's `--end`, so the markers are not re-rendered as the end
/// grows while playing.
pub fn moment_marks(p: &MomentMarksProps) -> Html {
    let span = p.moments.last().map_or(1, |k| k.time.max(1));
    let bucket = (span / MARK_BUCKETS).max(1);
    let mut last_bucket = None;
    let marks = p.moments.iter().filter(move |k| {
        // The first of each bucket, and every moment of trouble in it.
        let b = k.time / bucket;
        let first = last_bucket != Some(b);
        last_bucket = Some(b);
        first || k.moment.is_trouble()
    });
    let marks = marks.map(|k| {
        let t = k.time;
        let cb = p.on_seek.clone();
        let label = format!("{}: {} — {}", clock(t), k.moment.label(), k.text);
        html! {
            <button class={classes!("moment-mark", k.moment.is_trouble().then_some("trouble"))}
                data-moment={k.moment.key()} data-time={t.to_string()} style={format!("--t: {t}")}
                title={label.clone()} aria-label={label} tabindex="-1"
                onclick={Callback::from(move |_| cb.emit(t))} />
        }
    });
    html! {
        <div class="moment-marks" role="group" aria-label="Key moments (◆‹ and ›◆ move between them)">{ for marks }</div>
    }
}

/// Narrow props: the node's own state, not the whole model.
#[derive(Properties, PartialEq)]
pub struct NodeProps {
    pub dispatch: UseReducerDispatcher<Model>,
    pub state: NodeState,
    /// Nodes in the cluster (the service included), for the cut-link menu.
    pub nodes: usize,
    pub algo: Algo,
}

/// What can be done to one node. Buttons stay in place whatever the node's state;
/// the ones that do not apply are disabled, so nothing jumps under the pointer.
#[function_component(NodeActions)]
pub fn node_actions(p: &NodeProps) -> Html {
    let d = p.dispatch.clone();
    let state = &p.state;
    let n = state.id;
    let down = state.status == NodeStatus::Crashed;
    let paused = matches!(state.status, NodeStatus::Paused { .. });
    let pause_ms = use_state(|| 1_000u64);
    let act = |a: Action| send_with(&d, move || Msg::Act(a.clone()));
    let t = Target::Node(n);
    let on_pause_len = {
        let pause_ms = pause_ms.clone();
        Callback::from(move |e: Event| pause_ms.set(input_value(&e).parse().unwrap_or(1_000)))
    };
    let cut_to = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(to) = input_value(&e).parse::<NodeId>() {
                d.dispatch(Msg::Act(Action::Cut { from: n, to }));
            }
        })
    };
    let title = format!("Node {}", state.name);
    let others: Vec<NodeId> = (1..=p.nodes as NodeId).filter(|&x| x != n).collect();
    let v = &state.view;
    html! {
        <section class="panel node-panel" aria-label={title.clone()}>
            <h2>
                { title }
                <span class={classes!("role-tag", if down { "crashed" } else { electionscope::viewmodel::role_class(p.algo, &v.role) })}>
                    { if down { "crashed".to_string() } else if paused { format!("{} (paused)", v.role) } else { v.role.clone() } }
                </span>
                <button class="close" aria-label="Close node panel" onclick={send_with(&d, || Msg::Select(None))}>{ "×" }</button>
            </h2>
            <p class="facts">
                { format!("{}{} {} · follows {} · log {} (commit {})",
                    p.algo.leadership.map_or(String::new(), |_| format!("{} · ", (p.algo.term_label)(v.term))),
                    p.algo.vote_word,
                    v.voted_for.map_or("nobody".into(), |x| format!("n{x}")),
                    v.leader.map_or("nobody".into(), |x| format!("n{x}")),
                    v.log.len(), v.commit_index) }
                { for v.fields.iter().map(|(k, val)| html! { <><br />{ format!("{k}: {val}") }</> }) }
                if state.drift_ppm != 0 {
                    <><br />{ format!("clock {}{} {}", if state.drift_ppm > 0 { "+" } else { "-" }, Percent(state.drift_ppm.unsigned_abs()), if state.drift_ppm > 0 { "fast" } else { "slow" }) }</>
                }
            </p>
            <div class="buttons">
                if down {
                    <button id="act-restart" onclick={act(Action::Restart { target: t })}>{ "Restart" }</button>
                } else {
                    <button id="act-crash" class="danger" onclick={act(Action::Crash { target: t })}>{ "Crash" }</button>
                }
                if paused {
                    <button id="act-resume" onclick={act(Action::Resume { target: t })}>{ "▶ Resume" }</button>
                } else {
                    <span class="pause-group">
                        <button id="act-pause" disabled={down} onclick={act(Action::Pause { target: t, duration: *pause_ms * MS })}>{ "❚❚ Pause for" }</button>
                        <select aria-label="Pause length" onchange={on_pause_len} disabled={down}>
                            { for [300u64, 1_000, 3_000, 10_000].iter().map(|ms| html! { <option value={ms.to_string()} selected={*ms == *pause_ms}>{ Rounded(ms * MS).to_string() }</option> }) }
                        </select>
                    </span>
                }
                <button id="act-timeout" disabled={down || paused} onclick={act(Action::Timeout { target: t })} title="Fire this node's election timer now">{ "Force timeout" }</button>
                <button id="act-isolate" disabled={down} onclick={act(Action::Isolate { target: t })}>{ "Isolate" }</button>
                <button id="act-write" disabled={down || paused} onclick={act(Action::Write { target: t })} title="A client sends a write to this node">{ "Client write" }</button>
                <label class="cut-select">
                    <span>{ "Cut link to" }</span>
                    <select aria-label={format!("Cut the link from n{n} to")} onchange={cut_to}>
                        <option value="" selected=true>{ "…" }</option>
                        { for others.iter().map(|o| html! { <option value={o.to_string()}>{ format!("n{o} (one way)") }</option> }) }
                    </select>
                </label>
            </div>
        </section>
    }
}

/// Narrow props: these panels change only when their inputs do, not every frame.
#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    pub dispatch: UseReducerDispatcher<Model>,
    pub nodes: usize,
    /// The coordination service's id and name, if the algorithm has one.
    pub service: Option<(NodeId, String)>,
    pub leader: Option<NodeId>,
    pub split: electionscope::sim::VecSet<NodeId>,
    pub partition: Option<Vec<Vec<NodeId>>>,
    pub cuts: usize,
    pub latency: (Micros, Micros),
    pub drop_ppm: u32,
}

#[derive(Properties, PartialEq)]
pub struct SetupProps {
    pub dispatch: UseReducerDispatcher<Model>,
    pub config: SimConfig,
}

pub fn network_panel(p: &NetworkProps) -> Html {
    let d = p.dispatch.clone();
    let n = p.nodes as NodeId;
    let leader = p.leader;
    let service = p.service.clone();
    let name = move |x: NodeId| match &service {
        Some((s, label)) if *s == x => label.clone(),
        _ => format!("n{x}"),
    };
    let chips = (1..=n).map(|id| {
        let on = p.split.contains(&id);
        let d = d.clone();
        html! {
            <button class={classes!("chip", on.then_some("on"))} aria-pressed={on.to_string()}
                onclick={Callback::from(move |_| d.dispatch(Msg::ToggleSplit(id)))}>{ name(id) }</button>
        }
    });
    let split = {
        let picked: Vec<NodeId> = p.split.iter().copied().collect();
        let d = d.clone();
        Callback::from(move |_| {
            d.dispatch(Msg::Act(Action::Partition {
                groups: vec![picked.clone()],
            }));
            d.dispatch(Msg::ClearSplit);
        })
    };
    let service_id = p.service.as_ref().map(|(id, _)| *id);
    let preset = |majority: bool| {
        let side = electionscope::viewmodel::leader_side(n, service_id, leader, majority);
        let label = format!(
            "{} {} | rest",
            if majority { "Majority" } else { "Minority" },
            side.iter().map(|&x| name(x)).collect::<Vec<_>>().join(",")
        );
        (side, label)
    };
    let (minority, minority_label) = preset(false);
    let (majority, majority_label) = preset(true);
    let on_drop = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let pct: u32 = input_value(&e).parse().unwrap_or(0);
            d.dispatch(Msg::Act(Action::Drop { ppm: pct * 10_000 }));
        })
    };
    let (lo, hi) = p.latency;
    let on_latency = |is_min: bool| {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let ms: u64 = input_value(&e).parse().unwrap_or(5);
            let (min, max) = if is_min {
                (ms * MS, hi.max(ms * MS))
            } else {
                (lo.min(ms * MS), ms * MS)
            };
            d.dispatch(Msg::Act(Action::Latency { min, max }));
        })
    };
    let groups = p.partition.as_ref().map(|gs| {
        gs.iter()
            .map(|g| g.iter().map(|&x| name(x)).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join(" | ")
    });
    html! {
        <section class="panel" aria-label="Network">
            <h2>{ "Network" }</h2>
            <p class="hint">{ "Pick nodes, then split them from the rest." }</p>
            <div class="chips" role="group" aria-label="Nodes for one side of a partition">{ for chips }</div>
            <div class="buttons">
                <button id="split" disabled={p.split.is_empty() || p.split.len() == n as usize} onclick={split}>{ "Split picked | rest" }</button>
                <button id="isolate-leader" disabled={leader.is_none()} aria-keyshortcuts="L" title="Isolate the leader (L)" onclick={send_with(&p.dispatch, || Msg::Act(Action::Isolate { target: Target::Leader }))}>{ "Isolate leader" }</button>
                <button id="minority" disabled={n < 3} aria-keyshortcuts="M" title="The leader's side is a minority (M)" onclick={send_with(&p.dispatch, move || Msg::Act(Action::Partition { groups: vec![minority.clone()] }))}>{ minority_label }</button>
                <button id="majority" disabled={n < 3} aria-keyshortcuts="Shift+M" title="The leader's side is a majority (Shift+M)" onclick={send_with(&p.dispatch, move || Msg::Act(Action::Partition { groups: vec![majority.clone()] }))}>{ majority_label }</button>
                <button id="heal" aria-keyshortcuts="H" title="Heal the network (H)" onclick={send_with(&p.dispatch, || Msg::Act(Action::Heal))}>{ "Heal" }</button>
            </div>
            <p class="state">{ match groups { Some(g) => format!("Partitioned: {g}"), None => "Fully connected".to_string() } }
                { if p.cuts == 0 { String::new() } else { format!(" · {} one-way cut(s)", p.cuts) } }</p>
            <details class="network-more">
            <summary>{ format!("Loss {} · latency {}–{}", Percent(p.drop_ppm), Rounded(lo), Rounded(hi)) }</summary>
            <label class="slider">
                <span>{ format!("Message loss {}", Percent(p.drop_ppm)) }</span>
                <input type="range" min="0" max="50" step="1" value={(p.drop_ppm / 10_000).to_string()} onchange={on_drop} aria-label="Message loss, percent" />
            </label>
            <label class="slider">
                <span>{ format!("Latency min {}", Rounded(lo)) }</span>
                <input type="range" min="1" max="200" step="1" value={(lo / MS).to_string()} onchange={on_latency(true)} aria-label="Minimum latency, ms" />
            </label>
            <label class="slider">
                <span>{ format!("Latency max {}", Rounded(hi)) }</span>
                <input type="range" min="1" max="200" step="1" value={(hi / MS).to_string()} onchange={on_latency(false)} aria-label="Maximum latency, ms" />
            </label>
            </details>
        </section>
    }
}

/// A setup change from a form control: `key` takes the control's value (a switch its
/// checked state), a new algorithm starts free play, a scenario applies its own
/// settings, and the run restarts with the result.
fn setup_change(
    d: &UseReducerDispatcher<Model>,
    cfg: &SimConfig,
    key: &'static str,
) -> Callback<Event> {
    let (d, cfg) = (d.clone(), cfg.clone());
    Callback::from(move |e: Event| {
        let mut c: SimConfig = cfg.clone();
        let v = input_value(&e);
        let switch = key == "stonith"
            || registry::setting(key).is_some_and(|s| matches!(s.kind, SettingKind::Switch { .. }));
        let v = match switch {
            true => {
                let checked = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .is_some_and(|i| i.checked());
                if checked { "on".into() } else { "off".into() }
            }
            false => v,
        };
        if c.set(key, &v).is_err() {
            return;
        }
        // A scenario is written for one algorithm; a new algorithm starts free play.
        if key == "algo" && c.algo != cfg.algo {
            c.scenario = None;
        }
        // Choosing a scenario applies its own settings (e.g. split-vote uses 4 nodes).
        if key == "scenario" && !v.is_empty() {
            if let Ok(sc) = electionscope::scenario::load(&v) {
                if sc.configure(&mut c).is_err() {
                    return;
                }
            }
        }
        d.dispatch(Msg::Configure(c));
    })
}

/// The scenario menu's options: free play, the algorithm's own scenarios, and what a
/// link may run besides (another algorithm's scenario, said to be one, or its own
/// text).
fn scenario_options(c: &SimConfig) -> Html {
    let scenario_name = c.scenario.clone().unwrap_or_default();
    html! {
        <>
            <option value="" selected={scenario_name.is_empty()}>{ "(free play)" }</option>
            { for c.algo.scenarios.iter().map(|b| html! { <option value={b.name} selected={scenario_name == b.name}>{ b.title }</option> }) }
            if let Some((owner, b)) = electionscope::algo::registry::scenarios().find(|(a, b)| b.name == scenario_name && *a != c.algo) {
                <option value={b.name} selected=true>{ format!("{} (written for {})", b.title, owner.title) }</option>
            }
            if !scenario_name.is_empty() && electionscope::scenario::builtin(&scenario_name).is_none() {
                <option value={scenario_name.clone()} selected=true>{ "(a scenario from the link)" }</option>
            }
        </>
    }
}

/// The algorithm and scenario menus, at the top of the page where a phone shows them
/// first; the setup panel with the other settings is further down.
pub fn quick_picker(p: &SetupProps) -> Html {
    let c = &p.config;
    html! {
        <section class="quick" aria-label="Algorithm and scenario">
            <label>
                <span>{ "Algorithm" }</span>
                <select id="algo" onchange={setup_change(&p.dispatch, c, "algo")}>
                    { for Algo::all().map(|a| html! { <option value={a.name} selected={a == c.algo}>{ a.title }</option> }) }
                </select>
            </label>
            <label>
                <span>{ "Scenario" }</span>
                <select id="scenario" onchange={setup_change(&p.dispatch, c, "scenario")}>{ scenario_options(c) }</select>
            </label>
        </section>
    }
}

pub fn setup_panel(p: &SetupProps) -> Html {
    let change = |key: &'static str| setup_change(&p.dispatch, &p.config, key);
    let c = &p.config;
    html! {
        <section class="panel" aria-label="Setup">
            <h2>{ "Setup" }</h2>
            <label class="row">
                <span>{ format!("Nodes: {}", c.nodes) }</span>
                <input id="nodes" type="range" min={MIN_NODES.to_string()} max={MAX_NODES.to_string()} value={c.nodes.to_string()} onchange={change("nodes")} />
            </label>
            { for c.algo.settings.iter().map(|setting| setting_widget(setting, c, change(setting.key))) }
            <h3 class="subhead">{ "Split-brain defences" }</h3>
            <label class="row" title="Leaders write to a shared storage every 100 ms; with fencing, each write carries the leadership's number and the storage refuses any number below the highest it has accepted">
                <span>{ "Shared storage" }</span>
                <select id="storage-mode" onchange={change("storage")}>
                    { for StorageMode::ALL.iter().map(|m| html! { <option value={m.name()} selected={*m == c.storage}>{ match m {
                        StorageMode::Off => "off",
                        StorageMode::Unfenced => "on, no fencing",
                        StorageMode::Fenced => "on, fencing tokens",
                    } }</option> }) }
                </select>
            </label>
            <label class="check" title="Shoot The Other Node In The Head: before a node is promoted, a power switch turns off every other node that still believes it leads">
                <input id="stonith" type="checkbox" checked={c.stonith} onchange={change("stonith")} />{ " STONITH" }
            </label>
            <p class="hint">{ format!("Seed {} · changing the setup restarts the run.", c.seed) }</p>
        </section>
    }
}

/// One algorithm setting in the setup panel, as its schema describes it: a switch is a
/// checkbox, anything else a menu of its presets or choices (plus the current value,
/// if a link set one the menu does not offer).
fn setting_widget(setting: &'static Setting, c: &SimConfig, onchange: Callback<Event>) -> Html {
    let current = c.settings.get(setting);
    let key = setting.key;
    let options: Vec<(String, String)> = match &setting.kind {
        SettingKind::Switch { .. } => {
            return html! {
                <label class="check" title={setting.about}>
                    <input id={key} type="checkbox" checked={current == Value::Switch(true)} {onchange} />{ format!(" {}", setting.label) }
                </label>
            };
        }
        SettingKind::Choice(choices) => choices
            .iter()
            .map(|ch| (ch.name.to_string(), ch.label.to_string()))
            .collect(),
        SettingKind::Duration { presets, .. } | SettingKind::Range { presets } => {
            let mut texts: Vec<String> = presets.iter().map(|p| p.to_string()).collect();
            if !presets
                .iter()
                .any(|p| setting.parse(p).ok() == Some(current))
            {
                texts.push(setting.format(current));
            }
            texts.into_iter().map(|t| (t.clone(), t)).collect()
        }
    };
    html! {
        <label class="row" title={setting.about}>
            <span>{ setting.label }</span>
            <select id={key} {onchange}>
                { for options.into_iter().map(|(value, label)| {
                    let selected = setting.parse(&value).ok() == Some(current);
                    html! { <option {value} {selected}>{ label }</option> }
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("→", "step to the next event"),
    ("←  /  Shift+←", "back 10ms / 100ms"),
    ("Shift+→", "forward 100ms"),
    ("Home / End", "start / latest instant"),
    (
        "<  /  >",
        "previous / next key moment (a leader elected, a split vote, a refused write…)",
    ),
    ("+  /  −", "faster / slower"),
    ("1 … 9", "select node n1 … n9"),
    ("C", "crash or restart the selected node"),
    ("P", "pause the selected node for 1s"),
    ("T", "force the selected node's election timeout"),
    ("W", "client write to the selected node (or the leader)"),
    ("I  /  H", "isolate the selected node / heal the network"),
    ("L", "isolate the leader"),
    (
        "M  /  Shift+M",
        "split the network: the leader's side a minority / a majority",
    ),
    ("R  /  N", "reset with the same seed / new seed"),
    ("Esc", "close / deselect"),
    ("?", "this help"),
];

pub fn help(p: &HelpProps) -> Html {
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onclick={p.on_close.clone()}>
            <div class="dialog" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <table>
                    { for SHORTCUTS.iter().map(|(k, v)| html! { <tr><th><kbd>{ *k }</kbd></th><td>{ *v }</td></tr> }) }
                </table>
                <h3 class="subhead">{ "Words" }</h3>
                <dl class="glossary">
                    { for super::glossary::WORDS.iter().map(|(w, m)| html! { <><dt>{ *w }</dt><dd>{ *m }</dd></> }) }
                </dl>
                { super::static_html("<p>Click a node for its actions. Click a narration time or the space-time diagram to jump there; acting from the past starts a new branch.</p>") }
                <button id="help-close" class="primary" onclick={p.on_close.clone()}>{ "Close" }</button>
            </div>
        </div>
    }
}
