//! The browser app. Data flows one way: the reducer's run produces a ClusterView and
//! a trace window; `electionscope::viewmodel` turns them into drawables; components
//! draw them and dispatch actions. Nothing here reaches into an engine.

mod cluster;
mod compare;
mod controls;
mod diagram;
mod editor;
mod effects;
mod export;
mod glossary;
mod jobs;
mod lab;
mod lesson;
mod message_layer;
mod paint;
mod panels;
mod state;
mod url;

use cluster::Cluster;
use controls::{NodeActions, Playback};
use diagram::Lamport;
use electionscope::algo::Algo;
use electionscope::frame::DisplayCache;
use electionscope::viewmodel::{self, Category};
use glossary::Jargon;
use panels::{kept, send};
use state::{Model, Msg};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

pub fn start() {
    // The static page index.html shows while the wasm loads gives way to the app.
    if let Some(loading) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        loading.remove();
    }
    yew::Renderer::<App>::new().render();
}

#[function_component(App)]
pub fn app() -> Html {
    // Every frame changes the model, but the app redraws only when `page` moves
    // (`Model`'s equality): on anything but a frame, and while playing a few times a
    // second. The canvases that move every frame are painted by the animation loop.
    let model = use_reducer_eq(|| {
        let loaded = url::load();
        // A theme the link asks for overrides the reader's system setting (the host
        // page's theme, for an embed).
        if let Some(theme) = loaded.embed_options.theme
            && let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", theme.name());
        }
        let mut model = Model::new(
            loaded.config,
            loaded.notices,
            loaded.speed,
            loaded.embed,
            loaded.autoplay,
        );
        model.embed_options = loaded.embed_options;
        model.set_compare(loaded.compare);
        model.lab = url::wants_lab();
        if let Some(source) = &loaded.lesson {
            match state::LessonState::start(source, model.config()) {
                Ok(lesson) => {
                    if !lesson.compare.is_empty() {
                        model.set_compare(lesson.compare.clone());
                    }
                    model.lesson = Some(lesson);
                }
                Err(e) => model.notices.push(e),
            }
        }
        model.open_link(loaded.actions, loaded.at);
        model
    });

    // One worker paints every canvas on the page.
    let hub = use_memo((), |_| paint::Hub::start());
    effects::use_animation(&model, &hub);
    effects::use_fingerprint(&model);
    effects::use_address_bar(&model);
    effects::use_shortcuts(&model);
    effects::use_in_view(&model);

    // A handle reads the newest state whenever it is dereferenced, so the numbers that
    // decide a redraw are copied when the props are made.
    // The lab is its own page (`?view=lab`): measurements, no simulation to show.
    if model.lab {
        return html! { <lab::LabPage /> };
    }
    html! {
        <ContextProvider<Live> context={Live(model.clone(), (model.page, model.tick), (*hub).clone())}>
            <Page page={model.page} {model} />
        </ContextProvider<Live>>
    }
}

/// The model for the components that follow the clock as text, slider or canvas,
/// with the page's redraw and tick counts when their props were made, and the page's
/// painter. They redraw with the page and with each tick (while playing, a few times
/// a second): text or a slider that changes makes the browser restyle, lay out, paint
/// and composite, which on a slow laptop costs a frame by itself, and digits that
/// change sixty times a second cannot be read anyway. Canvases are repainted every
/// frame by the animation loop (`paint::Hub::paint_frame`), outside Yew's render.
#[derive(Clone)]
pub struct Live(pub UseReducerHandle<Model>, (u64, u64), pub paint::Hub);

impl PartialEq for Live {
    fn eq(&self, other: &Self) -> bool {
        self.1 == other.1
    }
}

/// The model's handle, and its `page` when these props were made: the page redraws
/// only when that changes.
#[derive(Properties)]
struct PageProps {
    model: UseReducerHandle<Model>,
    page: u64,
}

impl PartialEq for PageProps {
    fn eq(&self, other: &Self) -> bool {
        self.page == other.page
    }
}

#[function_component(Page)]
fn page(p: &PageProps) -> Html {
    let model = p.model.clone();

    // The cluster's stage as the page lays it out; the drawing is fitted to it.
    let stage = use_state(viewmodel::Stage::default);
    let on_stage = {
        let stage = stage.setter();
        use_callback((), move |s, _| stage.set(s))
    };
    let layout = use_memo(
        (
            model.config().algo,
            model.config().nodes,
            model.config().settings.clone(),
            model.config().seed,
            model.config().storage,
            *stage,
        ),
        |(.., stage)| viewmodel::layout_for(model.config(), *stage),
    );
    // The built-in scenario's description, parsed once per choice; another algorithm's
    // scenario is said to be one, so the caption describes what actually runs.
    let scenario_text = use_memo(
        (model.config().scenario.clone(), model.config().algo),
        |(spec, algo)| {
            let name = spec.as_deref()?;
            let b = electionscope::scenario::builtin(name)?;
            let text = electionscope::scenario::Scenario::parse(b.text)
                .ok()?
                .description;
            Some(match electionscope::scenario::builtin_algo(name) {
                Some(owner) if owner != *algo => format!(
                    "Written for {}, running here on {}: {text}",
                    owner.title, algo.title
                ),
                _ => text,
            })
        },
    );
    // Callbacks are built once, so components whose props did not change are not
    // re-rendered for a new closure.
    let on_node = {
        let d = model.dispatcher();
        use_callback((), move |id, _| d.dispatch(Msg::ToggleSelect(id)))
    };
    let on_seek = {
        let d = model.dispatcher();
        use_callback((), move |t, _| d.dispatch(Msg::Seek(t)))
    };
    let on_lamport_zoom = {
        let d = model.dispatcher();
        use_callback((), move |step: Option<i8>, _| {
            d.dispatch(match step {
                Some(step) => Msg::LamportZoom(step),
                None => Msg::LamportFit,
            })
        })
    };
    let on_toggle_category = {
        let d = model.dispatcher();
        use_callback((), move |c, _| d.dispatch(Msg::ToggleCategory(c)))
    };
    let on_moments_only = {
        let d = model.dispatcher();
        use_callback((), move |_: (), _| d.dispatch(Msg::ToggleMomentsOnly))
    };
    let new_seed = {
        let d = model.dispatcher();
        use_callback((), move |_: MouseEvent, _| {
            d.dispatch(Msg::NewSeed(electionscope::fresh_seed()))
        })
    };
    let close_help = {
        let d = model.dispatcher();
        use_callback((), move |_: MouseEvent, _| d.dispatch(Msg::Help(false)))
    };
    // The link holds the settings, what the user did, this instant and the run's
    // hash here, read when clicked (a handle reads the newest state).
    let copy = {
        let model = model.clone();
        Callback::from(move |_: MouseEvent| {
            let pane = model.pane();
            let link = {
                let run = pane.sim.0.borrow();
                let hash = run.trace_hash();
                url::full_link(url::Link {
                    config: &pane.config,
                    speed: model.speed,
                    embed: None,
                    lesson: model.lesson.as_ref().map(|l| &l.source),
                    actions: run.actions(),
                    at: Some((run.now(), &hash)),
                    compare: &model.compare,
                })
            };
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&link);
            }
            model.dispatch(Msg::Toast(Some(format!("Link copied: {link}"))));
        })
    };
    // The drawing as it stands, with the messages in flight, as a file for slides.
    let cluster_svg = {
        let (model, layout) = (model.clone(), layout.clone());
        Callback::from(move |_: ()| {
            let pane = model.pane();
            let msgs = viewmodel::messages(&pane.view, pane.sim.0.borrow().trace(), &layout);
            export::cluster_svg(&msgs)
        })
    };
    // Made once (what they capture never changes), so a redraw of the page does not
    // render them a second time beside the one the `Live` context asks for.
    let ticking = {
        let (on_seek, on_toggle) = (on_seek.clone(), on_toggle_category.clone());
        use_memo((), move |_| {
            let display = RefCell::new(DisplayCache::default());
            let narration: Rc<dyn Fn(&Model) -> Html> = Rc::new(move |model: &Model| {
                live_narration(&display, model, &on_toggle, &on_seek, &on_moments_only)
            });
            let stats: Rc<dyn Fn(&Model) -> Html> = Rc::new(live_stats);
            (narration, stats)
        })
    };
    let pane = model.pane();
    let run = pane.sim.0.borrow();
    let trace = run.trace();
    let view = &pane.view;
    let algo = pane.config.algo;
    let nodes = Rc::new(viewmodel::nodes(view, &layout, algo));
    let banner = viewmodel::banner(view, &run.stats().findings, algo);
    // Placing captions compares every caption with every node and box: redone only
    // when something it reads changes (the layout, a caption, a crown, a log's
    // length, a role word, a pause, a service's lines), not on each frame a timer
    // ring moves.
    type FitKey = (String, String, bool, usize, String, (usize, usize), bool);
    let fit_key: Vec<FitKey> = nodes
        .iter()
        .map(|n| {
            let (term, vote) = electionscope::fit::caption_parts(n);
            let paused = n.paused_until.is_some();
            let widest = n.fields.iter().map(|(k, v)| k.len() + v.len()).max();
            let lines = (n.fields.len(), widest.unwrap_or(0));
            (
                term,
                vote,
                n.leads,
                n.log.len(),
                n.badge.clone(),
                lines,
                paused,
            )
        })
        .collect();
    let fit = {
        let nodes = nodes.clone();
        use_memo(
            (layout.clone(), fit_key, view.storage.is_some()),
            move |(layout, _, storage)| electionscope::fit::Fit::of(layout, &nodes, *storage),
        )
    };
    let hides_text = fit.hides_text();
    let cluster = html! {
        <Cluster nodes={nodes} layout={layout.clone()} partition={view.partition.clone()} cuts={view.cuts.clone()}
            selected={model.selected} split={model.split.clone()} on_node={on_node.clone()}
            algo={algo} storage={view.storage.clone()} on_stage={on_stage} fill={model.embed} fit={fit.clone()} />
    };
    let fingerprint = html! {
        <span class="fingerprint" title={format!("Trace hash of this seed and scenario over {}: the CLI prints the same for `electionscope run --json` with these settings", electionscope::sim::Human(pane.config.duration))}>
            { "fingerprint " }
            if let Some(hash) = &pane.fingerprint {
                <code id="trace-hash">{ hash }</code>
            } else {
                <code class="computing" aria-busy="true" role="progressbar" aria-label="Fingerprint" aria-valuemin="0" aria-valuemax="100" aria-valuenow={pane.fingerprint_progress.to_string()}>
                    { format!("computing… {}%", pane.fingerprint_progress) }
                </code>
            }
        </span>
    };
    let notices = model
        .notices
        .iter()
        .map(|n| html! { <p class="notice" role="status">{ n }</p> });

    // Side by side: a column per algorithm replaces the one drawing.
    let compared = model.panes.len() > 1;
    if model.embed {
        let latest = viewmodel::narration(trace, &model.shown, false, 1);
        let options = &model.embed_options;
        let caption = match &options.caption {
            Some(url::Caption::Text(t)) => Some(t.clone()),
            Some(url::Caption::Scenario) => (*scenario_text)
                .clone()
                .or_else(|| Some(format!("{} with {} nodes.", algo.title, pane.config.nodes))),
            None => None,
        };
        let end = pane.config.duration;
        let ended = !model.playing && view.now >= end;
        return html! {
            <main class="app embed">
                <h1 class="visually-hidden">{ format!("ElectionScope: {}", algo.title) }</h1>
                { for notices }
                if model.lesson.is_none() && let Some(text) = caption {
                    <p class="embed-caption" tabindex="0">{ text }</p>
                }
                if !compared {
                    { panels::banner(&panels::BannerProps { banner: banner.clone(), column: 0 }) }
                }
                // A lesson's panel sits beside the drawing, which keeps its height.
                <div class="embed-row">
                    if compared {
                        { compare::view(&model, &on_node) }
                    } else {
                        <div class="stage">{ cluster }</div>
                    }
                    if let Some(lesson) = &model.lesson {
                        { lesson::lesson_panel(&lesson::LessonPanelProps { lesson: lesson.clone(), dispatch: model.dispatcher(), now: pane.now(), playing: model.playing, compact: true }) }
                    }
                </div>
                <p class="embed-line" aria-live="polite">{
                    if ended {
                        format!("The end ({}). Press ⟲ to watch again.", electionscope::sim::time::Rounded(end))
                    } else {
                        latest.first().map(|l| l.text.clone()).unwrap_or_else(|| "Press play.".into())
                    }
                }</p>
                <div class="embed-bar">
                    <button id="play" class="primary" onclick={send(&model, || Msg::TogglePlay)} aria-label={if model.playing { "Pause" } else { "Play" }} title={if model.playing { "Pause (Space)" } else { "Play (Space)" }}>{ if model.playing { "❚❚" } else { "▶" } }</button>
                    <button id="step" onclick={send(&model, || Msg::Step)} aria-label="Step">{ "›" }</button>
                    <button id="reset" onclick={send(&model, || Msg::Reset)} aria-label="Reset">{ "⟲" }</button>
                    <controls::EmbedTime {end} />
                    { fingerprint }
                    <a class="open-full" href={url::full_link(url::Link { config: &pane.config, speed: model.speed, embed: None, lesson: model.lesson.as_ref().map(|l| &l.source), actions: run.actions(), at: None, compare: &model.compare })} target="_blank" rel="noopener">{ "ElectionScope ↗" }</a>
                </div>
            </main>
        };
    }

    // The selected node's actions (or how to select one) and the network: beside the
    // drawing, or under the columns side by side.
    let node_panel = html! {
        if let Some(state) = model.selected.and_then(|n| view.nodes.get(n as usize - 1)) {
            <NodeActions dispatch={model.dispatcher()} state={state.clone()} nodes={view.nodes.len()} {algo} />
        } else {
            <p class="hint panel">{
                if compared {
                    "Click a node (or press 1–9) to crash, pause, isolate or write to it: it happens in every column."
                } else if hides_text {
                    "Tap a node (or press 1–9) for its role, term and vote, and to crash, pause, isolate or write to it: the drawing leaves out what does not fit."
                } else {
                    "Click a node (or press 1–9) to crash, pause, isolate or write to it."
                }
            }</p>
        }
    };
    let network_panel = html! {
        { kept(controls::NetworkProps { dispatch: model.dispatcher(), nodes: view.nodes.len(), service: view.nodes.iter().find(|n| n.service).map(|n| (n.id, n.name.clone())), leader: view.leader.map(|(l, _)| l),
            split: model.split.clone(), partition: view.partition.clone(), cuts: view.cuts.len(),
            latency: view.latency, drop_ppm: view.drop_ppm }, controls::network_panel) }
    };
    html! {
        // How many times the whole page has been rendered: the tests read it.
        <div class="app" data-page={model.page.to_string()}>
            <header>
                <h1>{ "ElectionScope" }</h1>
                <span class="algo" id="algo-title">{ algo.title }</span>
                <div class="header-actions">
                    { fingerprint }
                    <button id="new-seed" onclick={new_seed} title="New seed (N)">{ format!("New seed ({})", pane.config.seed) }</button>
                    <button id="copy-link" onclick={copy}>{ "Copy link" }</button>
                    <export::ExportMenu model={model.clone()} cluster={cluster_svg} />
                    <button id="help" onclick={send(&model, || Msg::Help(true))} aria-keyshortcuts="?">{ "? Help" }</button>
                </div>
            </header>
            { kept(controls::SetupProps { dispatch: model.dispatcher(), config: pane.config.clone() }, controls::quick_picker) }
            { for notices }
            if let Some(t) = &model.toast {
                <p class="toast" role="status" onclick={send(&model, || Msg::Toast(None))}>{ t }</p>
            }
            if let Some(lesson) = &model.lesson {
                { lesson::lesson_panel(&lesson::LessonPanelProps { lesson: lesson.clone(), dispatch: model.dispatcher(), now: pane.now(), playing: model.playing, compact: false }) }
            } else if let Some(text) = (*scenario_text).clone() {
                <section class="scenario-text" aria-label="Scenario">{ text }</section>
            }
            { compare_controls(&CompareControlsProps { model: model.clone(), page: model.page }) }
            if compared {
                <main class="compare-main">
                    { compare::view(&model, &on_node) }
                    <div class="compare-side">{ node_panel }{ network_panel }</div>
                </main>
            } else {
            { panels::banner(&panels::BannerProps { banner: banner.clone(), column: 0 }) }
            // The side column is no taller than the drawing, so the playback bar under
            // them stays on a projector's screen.
            <main style={format!("--stage-h:{}px", stage.h.round() + 2.0)}>
                <div class="stage">{ cluster }</div>
                <aside class="side">
                    { node_panel }
                    { network_panel }
                    <Ticking draw={ticking.0.clone()} />
                </aside>
            </main>
            }
            <Playback dispatch={model.dispatcher()} playing={model.playing} speed={model.speed} />
            if !compared {
            <Ticking draw={ticking.1.clone()} />
            <Lamport on_seek={on_seek} {algo} on_zoom={on_lamport_zoom} fit={model.lamport_fit}
                zoom={model.lamport_zoom} />
            }
            <div class="panels">
                { kept(controls::SetupProps { dispatch: model.dispatcher(), config: pane.config.clone() }, controls::setup_panel) }
                <editor::ScenarioEditor dispatch={model.dispatcher()} config={pane.config.clone()} lesson={model.lesson.as_ref().map(|l| l.source.clone())} />
            </div>
            { for model.panes.iter().map(|p| html! {
                { kept(LegendProps { algo: p.config.algo, storage: p.config.storage != electionscope::sim::StorageMode::Off, logs: p.view.nodes.iter().any(|n| !n.view.log.is_empty()), titled: compared }, legend) }
            }) }
            if model.help {
                { controls::help(&controls::HelpProps { on_close: close_help }) }
            }
        </div>
    }
}

/// A part of the page that follows the clock: `draw` reads the model from the `Live`
/// context, so the part renders with each tick as well as with the page. One
/// component serves every such part, so each costs the bundle little.
#[derive(Properties)]
struct TickingProps {
    draw: Rc<dyn Fn(&Model) -> Html>,
}

impl PartialEq for TickingProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.draw, &other.draw)
    }
}

#[function_component(Ticking)]
fn ticking(p: &TickingProps) -> Html {
    let live = use_context::<Live>().expect("the app provides the live model");
    (p.draw)(&live.0)
}

/// The statistics of the drawn run.
fn live_stats(model: &Model) -> Html {
    let pane = model.pane();
    let run = pane.sim.0.borrow();
    let stats = viewmodel::stats(&pane.view, run.stats(), pane.config.algo);
    panels::stats(&panels::StatsProps {
        stats,
        column: 0,
        of: "",
    })
}

/// The narration of the drawn run, looked at again with each tick; its list is
/// redrawn only when its lines change (at most a few times a second while playing,
/// see `DisplayCache::narration`).
fn live_narration(
    display: &RefCell<DisplayCache>,
    model: &Model,
    on_toggle: &Callback<Category>,
    on_seek: &Callback<electionscope::sim::Micros>,
    on_moments_only: &Callback<()>,
) -> Html {
    let pane = model.pane();
    let run = pane.sim.0.borrow();
    let lines = display.borrow_mut().narration(
        run.trace(),
        (&model.shown, model.moments_only),
        model.playing,
        pane.view.nodes.len(),
        effects::wall_now(),
    );
    kept(
        panels::NarrationProps {
            lines,
            shown: model.shown.clone(),
            on_toggle: on_toggle.clone(),
            on_seek: on_seek.clone(),
            moments_only: model.moments_only,
            on_moments_only: on_moments_only.clone(),
        },
        panels::narration,
    )
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    algo: Algo,
    storage: bool,
    /// Some node draws a log strip.
    logs: bool,
    /// Side by side: each legend names its algorithm.
    #[prop_or_default]
    titled: bool,
}

/// Markup that never changes, as HTML text: as `html!` each element and text node
/// costs the page's bundle code, as text only its bytes.
pub fn static_html(text: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(text))
}

/// This algorithm's legend: its own message colours with its own words, then what
/// every run draws the same way (a dropped message, a cut link).
fn legend(p: &LegendProps) -> Html {
    let dot = |class: &str, text: String| html! { <li data-class={class.to_string()}><svg viewBox="-10 -10 20 20" class={classes!("msg", class.to_string())} aria-hidden="true"><circle r="8" /></svg>{ text }</li> };
    let own = p
        .algo
        .messages
        .iter()
        .map(|(class, text)| dot(class.as_str(), text.to_string()));
    let timer = p.algo.countdown_timer;
    html! {
        <section class="legend" aria-label={format!("Legend: {}", p.algo.title)}>
            if p.titled {
                <h2 class="legend-title">{ p.algo.title }</h2>
            }
            <ul>
                { for own }
                if p.storage {
                    { dot("write", "write to the storage".to_string()) }
                }
                { static_html(r#"<li data-class="dropped"><svg viewBox="-10 -10 20 20" class="msg dying" aria-hidden="true"><circle r="8"/><path class="msg-x" d="M-5,-5 L5,5 M5,-5 L-5,5"/></svg>dropped on the network (red ✕, fades)</li><li data-class="cut"><svg viewBox="0 0 24 10" class="cut" aria-hidden="true"><line x1="1" y1="5" x2="23" y2="5"/></svg>cut link (red dashes)</li>"#) }
            </ul>
            <p class="words">
                { "Words: " }
                if let Some(word) = p.algo.leadership {
                    <Jargon {word} />{ " " }
                }
                <Jargon word="quorum" />{ " " }
                <Jargon word="split brain" />{ " " }
                <Jargon word="fencing token" />{ " " }
                <Jargon word="STONITH" />{ " " }
                <Jargon word="leaderless" />
            </p>
            <p>
                { format!("The ring around a node drains until its {timer} timer runs out. ") }
                if p.logs {
                    { "The strip under a node is its log: filled = committed, outlined = not yet, striped = a leader's no-op. " }
                }
                { p.algo.legend }
            </p>
            if p.storage {
                <p>{ "Leaders write to the shared storage with their leadership number as a fencing token; with fencing on it refuses any token below the highest it has taken." }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CompareControlsProps {
    model: UseReducerHandle<Model>,
    page: u64,
}

/// Runs another algorithm beside the ones shown (up to four), or goes back to one.
fn compare_controls(p: &CompareControlsProps) -> Html {
    let model = &p.model;
    let shown: Vec<Algo> = model.panes.iter().map(|p| p.config.algo).collect();
    let add = {
        let (d, shown) = (model.dispatcher(), shown.clone());
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            if let Ok(algo) = Algo::parse(&select.value()) {
                let mut list: Vec<Algo> = shown[1..].to_vec();
                list.push(algo);
                d.dispatch(Msg::Compare(list));
            }
            select.set_value("");
        })
    };
    let full = shown.len() >= electionscope::compare::MAX_COLUMNS;
    html! {
        <section class="compare-controls" aria-label="Side by side">
            <label for="compare-add">{ "Side by side:" }</label>
            <select id="compare-add" onchange={add} disabled={full}
                title="Run another algorithm beside this one: the same seed, cluster and faults (what you do happens in every column)">
                <option value="" selected=true>{ if full { "four at most" } else { "add an algorithm…" } }</option>
                { for Algo::all().filter(|a| !shown.contains(a)).map(|a| html! { <option value={a.name}>{ a.title }</option> }) }
            </select>
            if shown.len() > 1 {
                <button id="compare-off" onclick={compare::single(model)} title="Show the first algorithm alone">{ format!("Only {}", shown[0].title) }</button>
            }
        </section>
    }
}
