//! Side by side (`?compare=raft,bully`): a column per algorithm, each with its own
//! cluster, monitor banner, latest narration and statistics, over one clock and one
//! fault schedule; under them, what differs so far (`electionscope::compare`).

use super::cluster::Cluster;
use super::panels::id_in_column;
use super::state::{Model, Msg};
use electionscope::compare::{self, Comparison};
use electionscope::fit::Fit;
use electionscope::sim::NodeId;
use electionscope::viewmodel::{self, Stage};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ColumnProps {
    pub model: UseReducerHandle<Model>,
    /// The page's redraw count when these props were made (the handle alone compares
    /// equal to itself forever).
    pub page: u64,
    pub index: usize,
    pub on_node: Callback<NodeId>,
}

/// One algorithm's column: its name, banner, cluster, last lines and statistics.
#[function_component(Column)]
pub fn column(p: &ColumnProps) -> Html {
    let model = &p.model;
    let stage = use_state(Stage::default);
    let on_stage = {
        let stage = stage.setter();
        use_callback((), move |s, _| stage.set(s))
    };
    let Some(pane) = model.panes.get(p.index) else {
        return Html::default();
    };
    let config = &pane.config;
    let layout = use_memo((config.algo, config.nodes, config.storage, *stage), |_| {
        viewmodel::layout_for(config, *stage)
    });
    let run = pane.sim.0.borrow();
    let view = &pane.view;
    let algo = config.algo;
    let nodes = Rc::new(viewmodel::nodes(view, &layout, algo));
    let fit = Rc::new(Fit::of(&layout, &nodes, view.storage.is_some()));
    let banner = viewmodel::banner(view, &run.stats().findings, algo);
    let stats = viewmodel::stats(view, run.stats(), algo);
    let lines = viewmodel::narration(run.trace(), &model.shown, false, 3);
    html! {
        <section class="column" data-column={algo.name} aria-label={algo.title}>
            <h2 class="column-title" id={id_in_column("column-title", p.index)}>{ algo.title }</h2>
            { super::panels::banner(&super::panels::BannerProps { banner, column: p.index }) }
            <div class="stage">
                <Cluster nodes={nodes} layout={layout} partition={view.partition.clone()} cuts={view.cuts.clone()}
                    selected={model.selected} split={model.split.clone()} on_node={p.on_node.clone()}
                    algo={algo} storage={view.storage.clone()} on_stage={on_stage} fill={model.embed} fit={fit} pane={p.index} />
            </div>
            <ol class="column-lines" aria-label={format!("{}: latest events", algo.title)}>
                { for lines.iter().rev().map(|l| html! { <li>{ &l.text }</li> }) }
            </ol>
            if !model.embed {
                { super::panels::stats(&super::panels::StatsProps { stats, column: p.index, of: algo.title }) }
            }
        </section>
    }
}

/// What differs between the columns so far.
pub fn comparison(model: &Model) -> Comparison {
    let runs: Vec<_> = model.panes.iter().map(|p| p.sim.0.borrow()).collect();
    let columns: Vec<compare::Column> = model
        .panes
        .iter()
        .zip(&runs)
        .map(|(pane, run)| compare::Column {
            algo: pane.config.algo,
            view: &pane.view,
            stats: run.stats(),
        })
        .collect();
    compare::compare(&columns)
}

#[derive(Properties, PartialEq)]
pub struct DifferencesProps {
    pub comparison: Comparison,
    pub titles: Vec<&'static str>,
}

/// The differences as sentences, then the table they come from.
pub fn differences(p: &DifferencesProps) -> Html {
    let c = &p.comparison;
    html! {
        <section class="differences" id="compare-diff" aria-label="Differences so far" aria-live="polite">
            if c.sentences.is_empty() {
                <p class="hint">{ "No difference yet: press Play, or crash a node (it crashes in every column)." }</p>
            } else {
                <ul class="diff-lines">{ for c.sentences.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
            }
            <table class="diff-table">
                <thead><tr><th scope="col">{ "so far" }</th>{ for p.titles.iter().map(|t| html! { <th scope="col">{ *t }</th> }) }</tr></thead>
                <tbody>{ for c.rows.iter().map(|(label, values)| html! {
                    <tr data-row={*label}><th scope="row">{ *label }</th>{ for values.iter().map(|v| html! { <td>{ v }</td> }) }</tr>
                }) }</tbody>
            </table>
        </section>
    }
}

/// The columns side by side and the differences under them.
pub fn view(model: &UseReducerHandle<Model>, on_node: &Callback<NodeId>) -> Html {
    let count = model.panes.len();
    let titles: Vec<&'static str> = model.panes.iter().map(|p| p.config.algo.title).collect();
    html! {
        <>
            <div class={classes!("compare", format!("columns-{count}"))} id="compare">
                { for (0..count).map(|i| html! {
                    <Column key={i} model={model.clone()} page={model.page} index={i} on_node={on_node.clone()} />
                }) }
            </div>
            if !model.embed {
                { differences(&DifferencesProps { comparison: comparison(model), titles }) }
            }
        </>
    }
}

/// Leaves side-by-side for the first column alone.
pub fn single(model: &UseReducerHandle<Model>) -> Callback<MouseEvent> {
    let d = model.dispatcher();
    Callback::from(move |_| d.dispatch(Msg::Compare(Vec::new())))
}
