//! A lesson's panel: the caption of the checkpoint the run paused at, its question
//! and, once the run has decided it, whether the viewer's prediction held.

use super::controls::clock;
use super::state::{LessonState, Msg};
use electionscope::sim::Micros;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    pub lesson: LessonState,
    pub dispatch: UseReducerDispatcher<super::state::Model>,
    pub now: Micros,
    pub playing: bool,
    /// The narrow embed: no description, smaller margins.
    #[prop_or_default]
    pub compact: bool,
}

/// Caption text: `*word*` is emphasised, and each line is its own paragraph.
pub fn caption(text: &str) -> Html {
    let paragraphs = text.lines().filter(|l| !l.trim().is_empty()).map(|line| {
        let parts = line.split('*').enumerate().map(|(i, part)| {
            if i % 2 == 1 {
                html! { <em>{ part.to_string() }</em> }
            } else {
                html! { { part.to_string() } }
            }
        });
        html! { <p>{ for parts }</p> }
    });
    html! { <>{ for paragraphs }</> }
}

pub fn lesson_panel(p: &LessonPanelProps) -> Html {
    let l = &p.lesson;
    let total = l.checkpoints.len();
    let d = p.dispatch.clone();
    let go_on = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::LessonContinue))
    };
    let restart = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::Reset))
    };
    let reached = l.checkpoints.iter().filter(|c| c.at <= p.now).count();
    let body = match l.showing.map(|i| (i, &l.checkpoints[i])) {
        Some((i, cp)) => {
            let question = cp.question.as_ref().map(|q| {
                let answer = l.answers[i].as_deref();
                let choices = q.choices.iter().map(|choice| {
                    let picked = answer == Some(choice.as_str());
                    let right = l.decided[i] && *choice == q.answer;
                    let onclick = {
                        let (d, choice) = (d.clone(), choice.clone());
                        Callback::from(move |_: MouseEvent| {
                            d.dispatch(Msg::LessonAnswer(i, choice.clone()))
                        })
                    };
                    html! {
                        <button class={classes!("choice", picked.then_some("picked"), right.then_some("right"))}
                            data-choice={choice.clone()} aria-pressed={picked.to_string()}
                            disabled={answer.is_some()} {onclick}>{ choice.clone() }</button>
                    }
                });
                let verdict = match (answer, l.decided[i]) {
                    (None, _) => html! { <p class="lesson-hint">{ "Predict, then watch: the run decides." }</p> },
                    (Some(a), false) => html! {
                        <p class="lesson-hint" role="status">{ format!("Your prediction: {a}. Watch what happens…") }</p>
                    },
                    (Some(a), true) => {
                        let right = a == q.answer;
                        html! {
                            <p class={classes!("verdict", if right { "right" } else { "wrong" })} role="status" data-answer={q.answer.clone()}>
                                <strong>{ if right { "✓ Right. " } else { "✗ Not this time. " } }</strong>
                                { format!("The run says {}: ", q.answer) }
                                <span class="because">{ format!("at {}, {}.", clock(q.decided_at), q.because) }</span>
                            </p>
                        }
                    }
                };
                html! {
                    <>
                        if let Some(column) = &cp.on {
                            <p class="lesson-on">{ format!("Watch the {column} column.") }</p>
                        }
                        <div class="choices" role="group" aria-label="Your prediction">{ for choices }</div>
                        { verdict }
                    </>
                }
            });
            let waiting = cp.question.is_some() && l.answers[i].is_none();
            let watching = l.revealing == Some(i);
            html! {
                <>
                    <div id="lesson-caption" class="lesson-caption" data-checkpoint={i.to_string()} aria-live="polite">
                        { caption(&cp.caption) }
                    </div>
                    { for question }
                    if !watching {
                        <button id="lesson-continue" class="primary" onclick={go_on} disabled={waiting}
                            title={if waiting { "Answer first: the run will show who was right" } else { "Play on to the next checkpoint" }}>
                            { if i + 1 == total { "Play to the end ▶" } else { "Continue ▶" } }
                        </button>
                    }
                </>
            }
        }
        None => html! {
            <>
                <div id="lesson-caption" class="lesson-caption" aria-live="polite">
                    if p.now == 0 && !p.playing && !p.compact {
                        <p>{ l.description.clone() }</p>
                    }
                    <p class="lesson-hint">{
                        if p.playing {
                            format!("Playing to checkpoint {} of {total}…", (reached + 1).min(total))
                        } else if reached == 0 {
                            "Press Start: the run pauses at each checkpoint.".to_string()
                        } else {
                            format!("Paused after checkpoint {reached} of {total}.")
                        }
                    }</p>
                </div>
                if !p.playing {
                    <button id="lesson-continue" class="primary" onclick={go_on}>{ if reached == 0 { "Start ▶" } else { "Continue ▶" } }</button>
                }
            </>
        },
    };
    html! {
        <section class={classes!("lesson", p.compact.then_some("compact"))} aria-label="Lesson">
            <div class="lesson-head">
                <span class="lesson-title">{ format!("Lesson: {}", l.title) }</span>
                <span class="lesson-step">{ format!("checkpoint {} of {total}", l.showing.map_or(reached, |i| i + 1)) }</span>
                <button class="lesson-restart" onclick={restart} title="Start the lesson again">{ "⟲ Restart" }</button>
            </div>
            { body }
        </section>
    }
}
