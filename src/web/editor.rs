//! The scenario editor: the run's scenario (or lesson) as text, checked as it is
//! typed (line, column and what was expected, with the line shown), and run or shared
//! from there. A text with checkpoints (`say`, `ask`) runs as a lesson.

use super::state::{LessonSource, Model, Msg};
use electionscope::config::SimConfig;
use electionscope::lesson::Lesson;
use electionscope::link::MAX_SCENARIO_TEXT;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub dispatch: UseReducerDispatcher<Model>,
    pub config: SimConfig,
    pub lesson: Option<LessonSource>,
}

/// What the editor starts from: the open lesson's text, the scenario's, or a sketch.
fn current_text(config: &SimConfig, lesson: Option<&LessonSource>) -> String {
    if let Some(text) = lesson
        .and_then(|l| l.text().ok())
        .map(|(t, _)| t.to_string())
    {
        return text;
    }
    match config.scenario.as_deref() {
        Some(spec) => electionscope::scenario::builtin(spec)
            .map_or(spec, |b| b.text)
            .to_string(),
        None => format!(
            "# Your scenario: one action per line, at an instant.\nset algo {}\nat 1s crash leader\nat 3s restart n1\n",
            config.algo
        ),
    }
}

/// The text checked against the settings it would run with: how it would run, or
/// the first problem.
fn check(text: &str, base: &SimConfig) -> Result<(Lesson, SimConfig), (usize, usize, String)> {
    let lesson =
        Lesson::parse_written(text).map_err(|e| (e.line, e.column, e.message.to_string()))?;
    let base = SimConfig {
        scenario: None,
        ..base.clone()
    };
    let config = lesson.config(&base).map_err(|e| (0, 0, e))?;
    Ok((lesson, config))
}

#[function_component(ScenarioEditor)]
pub fn scenario_editor(p: &EditorProps) -> Html {
    let source = current_text(&p.config, p.lesson.as_ref());
    let text = use_state(|| source.clone());
    // A scenario chosen from the menu (or a lesson opened) replaces what is shown.
    {
        let text = text.clone();
        use_effect_with(source, move |source| text.set(source.clone()));
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let checked = check(&text, &p.config);
    let status = match &checked {
        Ok((lesson, config)) => {
            let what = match lesson.checkpoints.len() {
                0 => "a scenario".to_string(),
                n => format!("a lesson with {n} checkpoints"),
            };
            html! {
                <p id="editor-status" class="editor-ok" role="status">
                    { format!("✓ Reads as {what}: {} with {} nodes.", config.algo.title, config.nodes) }
                </p>
            }
        }
        Err((line, column, message)) => {
            let shown = (*line > 0)
                .then(|| text.lines().nth(line - 1))
                .flatten()
                .map(|l| l.chars().take(120).collect::<String>());
            html! {
                <div id="editor-status" class="editor-error" role="alert">
                    <p>{
                        if *line > 0 {
                            format!("Line {line}, column {column}: {message}")
                        } else {
                            message.clone()
                        }
                    }</p>
                    if let Some(l) = shown {
                        <pre aria-hidden="true">{ format!("{line:>3} | {l}\n    | {}^", " ".repeat(column.saturating_sub(1))) }</pre>
                    }
                </div>
            }
        }
    };
    let run = {
        let (d, text, base) = (p.dispatch.clone(), text.clone(), p.config.clone());
        Callback::from(move |_: MouseEvent| {
            if let Ok((lesson, config)) = check(&text, &base) {
                d.dispatch(if lesson.checkpoints.is_empty() {
                    Msg::Configure(config)
                } else {
                    Msg::OpenLesson(LessonSource::Text((*text).clone()), config)
                });
            }
        })
    };
    html! {
        <section class="panel editor" aria-label="Scenario editor">
            <h2>{ "Scenario editor" }</h2>
            { super::static_html(r#"<p class="hint">One line per action: <code>at 2s partition n1,n2 | n3,n4,n5</code>. Add <code>at next leader-elected say "…"</code> or <code>ask</code> lines and it runs as a lesson. Run it, then Copy link: the text travels in the link.</p>"#) }
            <textarea id="scenario-editor" rows="9" spellcheck="false" maxlength={MAX_SCENARIO_TEXT.to_string()}
                aria-label="Scenario text" aria-describedby="editor-status" aria-invalid={checked.is_err().to_string()}
                value={(*text).clone()} {oninput} />
            { status }
            <button id="editor-run" class="primary" onclick={run} disabled={checked.is_err()}>{ "▶ Run this" }</button>
        </section>
    }
}
