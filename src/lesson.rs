//! Lessons: a scenario plus checkpoints, in the scenario's line language.
//!
//! ```text
//! # Raft needs a majority
//! set algo raft
//! set seed 7
//! at 1s partition n1,n2 | n3,n4,n5
//! at next leader-elected say "The cluster has a leader: *{leader}* won its term."
//! at 1s ask "Will the two cut-off nodes elect a leader of their own?" happens leader-elected within 3s
//! at 1.5s ask "Which node leads next?" leader
//! ```
//!
//! A checkpoint pauses the run at an instant (`at 2s`) or at the next key moment of a
//! kind (`at next split-vote`, after the checkpoint before it) and shows its caption:
//! plain text where `*word*` is emphasised and `\n` breaks the line. A question's
//! answer is never written in the lesson: [`Lesson::resolve`] runs the deterministic
//! simulation forward and reads it off the run, so another seed can answer
//! differently. A lesson that asks what its run never decides is an error with the
//! line and column, like any scenario error.

use crate::config::SimConfig;
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::time::parse_duration;
use crate::sim::{EventKind, Human, Micros, Moment, NodeId, TraceEvent};

/// What a checkpoint asks; the answer comes from the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    /// Which node is the next to be elected leader?
    NextLeader,
    /// Does a moment of this kind happen within this long (at one of `among`, if
    /// it names nodes)?
    Happens {
        moment: Moment,
        among: Vec<NodeId>,
        within: Micros,
        /// Each node named, with its column, checked against the cluster's size.
        node_refs: Vec<(NodeId, usize)>,
    },
    /// Does the storage accept the next write it decides on?
    WriteAccepted,
    /// How many messages of this kind are sent within this long?
    Count { kind: String, within: Micros },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    At(Micros),
    /// The first moment of the kind after the checkpoint before.
    Next(Moment),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub line: usize,
    pub when: When,
    pub caption: String,
    pub question: Option<Question>,
    /// `... in raft`: the question is answered by that algorithm's run, one of the
    /// lesson's `compare` columns.
    pub on: Option<crate::algo::Algo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// The leading comment lines.
    pub description: String,
    /// The lesson with its checkpoint lines blanked: a scenario whose errors keep the
    /// lesson's line numbers.
    pub scenario_text: String,
    pub checkpoints: Vec<Checkpoint>,
    /// `compare bully`: algorithms run beside the lesson's, side by side, on the same
    /// settings and fault schedule.
    pub compare: Vec<crate::algo::Algo>,
}

/// A checkpoint as the run resolved it: when it pauses and, for a question, the
/// choices offered, the answer and the instant that decides it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Resolved {
    pub line: usize,
    pub at: Micros,
    pub caption: String,
    pub question: Option<Asked>,
    /// The algorithm whose run answers the question, when it is not the lesson's own
    /// (a `compare` column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Asked {
    pub choices: Vec<String>,
    pub answer: String,
    /// When the run decides it: the page plays there and highlights it.
    pub decided_at: Micros,
    /// The narration line that decides it.
    pub because: String,
}

const QUESTIONS: &str =
    "leader, happens <moment> [among n1,n2] within <time>, accepts, count <message> within <time>";

fn err(line: usize, column: usize, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        line,
        column,
        message: message.into(),
    }
}

/// The words of `text` from byte `from`, each with its 1-based column; a quoted
/// caption is one word (its unescaped text, `quoted` set).
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    fn column(&self) -> usize {
        self.text[..self.pos].chars().count() + 1
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.text[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    /// The next bare word, or an error naming what was expected.
    fn word(&mut self, expected: &str) -> Result<(&'a str, usize), ScenarioError> {
        self.skip_space();
        let column = self.column();
        let rest = &self.text[self.pos..];
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if len == 0 {
            return Err(err(
                self.line,
                column,
                format!("expected {expected}, found the end of the line"),
            ));
        }
        self.pos += len;
        Ok((&rest[..len], column))
    }

    fn quoted(&mut self) -> Result<String, ScenarioError> {
        self.skip_space();
        let column = self.column();
        let rest = &self.text[self.pos..];
        let Some(body) = rest.strip_prefix('"') else {
            return Err(err(
                self.line,
                column,
                "expected a caption in double quotes, like \"The leader crashes.\"",
            ));
        };
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += 1 + i + 1;
                    if out.trim().is_empty() {
                        return Err(err(self.line, column, "the caption is empty"));
                    }
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((j, other)) => {
                        let col = column + body[..j].chars().count();
                        return Err(err(
                            self.line,
                            col,
                            format!("unknown escape '\\{other}' (use \\n, \\\" or \\\\)"),
                        ));
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(err(
            self.line,
            column,
            "the caption's closing double quote is missing",
        ))
    }

    fn end(&mut self) -> Result<(), ScenarioError> {
        self.skip_space();
        match self.text[self.pos..].split_whitespace().next() {
            None => Ok(()),
            Some(w) => Err(err(
                self.line,
                self.column(),
                format!("unexpected '{w}' after a complete checkpoint"),
            )),
        }
    }
}

fn moment(word: &str, line: usize, column: usize) -> Result<Moment, ScenarioError> {
    Moment::from_key(word).ok_or_else(|| {
        let keys: Vec<&str> = Moment::ALL.iter().map(|m| m.key()).collect();
        err(
            line,
            column,
            format!(
                "unknown moment '{word}' (expected one of: {})",
                keys.join(", ")
            ),
        )
    })
}

fn duration(c: &mut Cursor<'_>, expected: &str) -> Result<Micros, ScenarioError> {
    let (w, column) = c.word(expected)?;
    parse_duration(w).map_err(|e| err(c.line, column, format!("expected {expected}: {e}")))
}

/// `within <span>`, whose first word the caller has read: the span.
fn within(
    c: &mut Cursor<'_>,
    (word, column): (&str, usize),
    expected: &str,
) -> Result<Micros, ScenarioError> {
    if word != "within" {
        return Err(err(
            c.line,
            column,
            format!("expected 'within', found '{word}'"),
        ));
    }
    duration(c, expected)
}

/// Parses one checkpoint line (`at ... say|ask ...`); None if it is a scenario line.
fn checkpoint(line_no: usize, content: &str) -> Result<Option<Checkpoint>, ScenarioError> {
    let mut c = Cursor {
        text: content,
        pos: 0,
        line: line_no,
    };
    let Ok((head, _)) = c.word("'at'") else {
        return Ok(None);
    };
    if head != "at" {
        return Ok(None);
    }
    let (first, column) = c.word("a time like 2s, or 'next' and a moment")?;
    let when = if first == "next" {
        let (m, column) = c.word("a moment like split-vote")?;
        When::Next(moment(m, line_no, column)?)
    } else {
        let at = parse_duration(first)
            .map_err(|e| err(line_no, column, format!("expected a time like 2s: {e}")))?;
        // `at 2s crash n1` is a scenario line: only say and ask make a checkpoint.
        let mut peek = Cursor { ..c };
        match peek.word("") {
            Ok(("say" | "ask", _)) => {}
            _ => return Ok(None),
        }
        When::At(at)
    };
    let (verb, column) = c.word("'say' or 'ask'")?;
    let caption = match verb {
        "say" | "ask" => c.quoted()?,
        other => {
            return Err(err(
                line_no,
                column,
                format!("expected 'say' or 'ask' after a moment, found '{other}'"),
            ));
        }
    };
    let question = if verb == "ask" {
        let (kind, column) = c.word(&format!("what the answer is ({QUESTIONS})"))?;
        Some(match kind {
            "leader" => Question::NextLeader,
            "accepts" => Question::WriteAccepted,
            "happens" => {
                let (m, column) = c.word("a moment like leader-elected")?;
                let moment = moment(m, line_no, column)?;
                let (mut w, mut column) = c.word("'among' or 'within'")?;
                let mut among = Vec::new();
                if w == "among" {
                    let (list, list_column) = c.word("nodes like n1,n2")?;
                    let mut col = list_column;
                    for name in list.split(',') {
                        let node = name
                            .strip_prefix('n')
                            .and_then(|d| d.parse::<NodeId>().ok())
                            .filter(|&n| n >= 1)
                            .ok_or_else(|| {
                                err(
                                    line_no,
                                    col,
                                    format!("expected a node like n3, found '{name}'"),
                                )
                            })?;
                        among.push((node, col));
                        col += name.chars().count() + 1;
                    }
                    (w, column) = c.word("'within'")?;
                }
                Question::Happens {
                    moment,
                    among: among.iter().map(|(n, _)| *n).collect(),
                    within: within(&mut c, (w, column), "a time span like 3s")?,
                    node_refs: among,
                }
            }
            "count" => {
                let (kind, _) = c.word("a message kind like RequestVote")?;
                let word = c.word("'within'")?;
                Question::Count {
                    kind: kind.to_string(),
                    within: within(&mut c, word, "a time span like 500ms")?,
                }
            }
            other => {
                return Err(err(
                    line_no,
                    column,
                    format!("unknown question '{other}' (expected one of: {QUESTIONS})"),
                ));
            }
        })
    } else {
        None
    };
    // `in raft`: which column's run answers.
    let mut on = None;
    if question.is_some() {
        let mut peek = Cursor { ..c };
        if let Ok(("in", _)) = peek.word("") {
            c = peek;
            let (name, column) = c.word("an algorithm like raft")?;
            on = Some(crate::algo::Algo::parse(name).map_err(|e| err(line_no, column, e))?);
        }
    }
    c.end()?;
    Ok(Some(Checkpoint {
        line: line_no,
        when,
        caption,
        question,
        on,
    }))
}

/// A `compare raft,zab` line: the algorithms run beside the lesson's.
fn compare_line(
    line_no: usize,
    content: &str,
) -> Result<Option<Vec<crate::algo::Algo>>, ScenarioError> {
    let mut c = Cursor {
        text: content,
        pos: 0,
        line: line_no,
    };
    match c.word("") {
        Ok(("compare", _)) => {}
        _ => return Ok(None),
    }
    let (list, column) = c.word("algorithms like raft,zab")?;
    let mut algos = Vec::new();
    let mut col = column;
    for name in list.split(',') {
        algos.push(crate::algo::Algo::parse(name).map_err(|e| err(line_no, col, e))?);
        col += name.chars().count() + 1;
    }
    c.end()?;
    Ok(Some(algos))
}

impl Lesson {
    pub fn parse(text: &str) -> Result<Lesson, ScenarioError> {
        Self::parse_lines(text, false)
    }

    /// Text written in the page's editor or carried by a link: a lesson if it has
    /// checkpoints, otherwise a scenario (a lesson with none).
    pub fn parse_written(text: &str) -> Result<Lesson, ScenarioError> {
        Self::parse_lines(text, true)
    }

    fn parse_lines(text: &str, allow_none: bool) -> Result<Lesson, ScenarioError> {
        let mut scenario_text = String::new();
        let mut checkpoints: Vec<Checkpoint> = Vec::new();
        let mut compare: Vec<crate::algo::Algo> = Vec::new();
        for (idx, raw) in text.lines().enumerate() {
            // A caption may hold '#': only a '#' outside quotes starts a comment.
            let mut quoted = false;
            let content_end = raw
                .char_indices()
                .find(|&(_, ch)| {
                    if ch == '"' {
                        quoted = !quoted;
                    }
                    ch == '#' && !quoted
                })
                .map_or(raw.len(), |(i, _)| i);
            if let Some(algos) = compare_line(idx + 1, &raw[..content_end])? {
                compare.extend(algos);
                scenario_text.push('\n');
                continue;
            }
            match checkpoint(idx + 1, &raw[..content_end])? {
                Some(cp) => {
                    if let (When::At(t), Some(When::At(prev))) =
                        (&cp.when, checkpoints.last().map(|c| &c.when))
                        && t < prev
                    {
                        return Err(err(
                            cp.line,
                            4,
                            format!(
                                "time goes backwards: this checkpoint is at {} but the one before was at {}",
                                Human(*t),
                                Human(*prev)
                            ),
                        ));
                    }
                    checkpoints.push(cp);
                    scenario_text.push('\n');
                }
                None => {
                    scenario_text.push_str(raw);
                    scenario_text.push('\n');
                }
            }
        }
        let scenario = Scenario::parse(&scenario_text)?;
        if checkpoints.is_empty() && !allow_none {
            return Err(err(
                1,
                1,
                "a lesson needs at least one checkpoint line, like: at 2s say \"The leader crashes.\"",
            ));
        }
        if let Some(cp) = checkpoints
            .iter()
            .find(|cp| cp.on.is_some_and(|a| !compare.contains(&a)))
        {
            return Err(err(
                cp.line,
                1,
                format!(
                    "the question asks {} but the lesson does not run it: add a line `compare {}`",
                    cp.on.map_or("", |a| a.name),
                    cp.on.map_or("", |a| a.name)
                ),
            ));
        }
        Ok(Lesson {
            description: scenario.description,
            scenario_text,
            checkpoints,
            compare,
        })
    }

    /// The run's settings: `base` with the lesson's own lines applied.
    pub fn config(&self, base: &SimConfig) -> Result<SimConfig, String> {
        crate::run::resolve(
            SimConfig {
                scenario: Some(self.scenario_text.clone()),
                ..base.clone()
            },
            &[],
        )
    }

    /// Runs the lesson's simulation over its duration and resolves every checkpoint:
    /// when it pauses, and each question's answer as this run decides it.
    pub fn resolve(&self, config: &SimConfig) -> Result<Vec<Resolved>, ScenarioError> {
        let trace_of = |config: &SimConfig| -> Result<Vec<TraceEvent>, ScenarioError> {
            let mut run = crate::run::build(config, usize::MAX).map_err(|e| err(1, 1, e))?;
            run.advance(config.duration);
            Ok(run.trace().iter().cloned().collect())
        };
        let trace = trace_of(config)?;
        // The columns' runs that answer a question (`in ALGO`), each run once.
        let mut others: Vec<(crate::algo::Algo, Vec<TraceEvent>)> = Vec::new();
        for algo in self.checkpoints.iter().filter_map(|cp| cp.on) {
            if algo != config.algo && others.iter().all(|(a, _)| *a != algo) {
                let other = SimConfig {
                    algo,
                    ..config.clone()
                };
                others.push((algo, trace_of(&other)?));
            }
        }
        let end = config.duration;
        let mut out = Vec::new();
        let mut previous = 0;
        for cp in &self.checkpoints {
            let at = match cp.when {
                When::At(t) if t > end => {
                    return Err(err(
                        cp.line,
                        4,
                        format!(
                            "{} is past the end of the lesson's run ({})",
                            Human(t),
                            Human(end)
                        ),
                    ));
                }
                When::At(t) => t,
                When::Next(m) => trace
                    .iter()
                    .find(|e| e.moment == Some(m) && e.time > previous)
                    .map(|e| e.time)
                    .ok_or_else(|| {
                        err(
                            cp.line,
                            9,
                            format!(
                                "no {} happens after {} in this run (it ends at {})",
                                m.label(),
                                Human(previous),
                                Human(end)
                            ),
                        )
                    })?,
            };
            if at < previous {
                return Err(err(
                    cp.line,
                    4,
                    format!(
                        "this checkpoint is at {} but in this run the one before pauses later, at {}",
                        Human(at),
                        Human(previous)
                    ),
                ));
            }
            previous = at;
            let question = match &cp.question {
                None => None,
                Some(q) => {
                    let trace = cp
                        .on
                        .and_then(|a| others.iter().find(|(o, _)| *o == a))
                        .map_or(&trace, |(_, t)| t);
                    Some(answer(q, at, trace, config, end).map_err(|e| err(cp.line, 1, e))?)
                }
            };
            out.push(Resolved {
                line: cp.line,
                at,
                caption: cp.caption.clone(),
                question,
                on: cp
                    .on
                    .filter(|a| *a != config.algo)
                    .map(|a| a.title.to_string()),
            });
        }
        Ok(out)
    }
}

/// The node an event is about: who won, changed role or wrote the note.
fn node_of(e: &TraceEvent) -> Option<NodeId> {
    match (&e.fact, &e.kind) {
        (Some(crate::sim::Fact::Won { node, .. }), _) => Some(*node),
        (_, EventKind::Role { node, .. } | EventKind::Note { node, .. }) => Some(*node),
        _ => None,
    }
}

fn yes_no(yes: bool) -> String {
    if yes { "yes" } else { "no" }.to_string()
}

/// The answer to `q` asked at `at`, read off the run's trace.
fn answer(
    q: &Question,
    at: Micros,
    trace: &[TraceEvent],
    config: &SimConfig,
    end: Micros,
) -> Result<Asked, String> {
    // At 0 the pause comes before anything happens (the boots included); later, the
    // events at the instant itself have happened when the run pauses there.
    let after = || trace.iter().filter(move |e| e.time > at || at == 0);
    let past_end = |within: Micros| {
        (at + within > end).then(|| {
            format!(
                "the question looks {} ahead, past the end of the lesson's run ({})",
                Human(within),
                Human(end)
            )
        })
    };
    Ok(match q {
        Question::NextLeader => {
            let e = after()
                .find(|e| e.moment == Some(Moment::LeaderElected))
                .ok_or_else(|| {
                    format!(
                        "no leader is elected after {} in this run (it ends at {}): the question has no answer",
                        Human(at),
                        Human(end)
                    )
                })?;
            let node = node_of(e).ok_or("the elected node is not named")?;
            Asked {
                choices: (1..=config.nodes).map(|n| format!("n{n}")).collect(),
                answer: format!("n{node}"),
                decided_at: e.time,
                because: e.text.clone(),
            }
        }
        Question::Happens {
            moment,
            among,
            within,
            node_refs,
        } => {
            if let Some((n, _)) = node_refs.iter().find(|(n, _)| *n > config.nodes) {
                return Err(format!(
                    "n{n} does not exist: the cluster has n1 to n{}",
                    config.nodes
                ));
            }
            if let Some(why) = past_end(*within) {
                return Err(why);
            }
            let hit = after().take_while(|e| e.time <= at + within).find(|e| {
                e.moment == Some(*moment)
                    && (among.is_empty() || node_of(e).is_some_and(|n| among.contains(&n)))
            });
            Asked {
                choices: vec!["yes".into(), "no".into()],
                answer: yes_no(hit.is_some()),
                decided_at: hit.map_or(at + within, |e| e.time),
                because: hit.map_or_else(
                    || {
                        format!(
                            "no {} within {} of {}",
                            moment.label(),
                            Human(*within),
                            Human(at)
                        )
                    },
                    |e| e.text.clone(),
                ),
            }
        }
        Question::WriteAccepted => {
            if config.storage == crate::sim::StorageMode::Off {
                return Err("the storage is off: add `set storage fenced` (or unfenced) to ask about writes".into());
            }
            let e = after()
                .find(|e| {
                    e.moment == Some(Moment::WriteRefused)
                        || matches!(e.kind, EventKind::Deliver { to, .. } if to == crate::sim::storage::STORAGE)
                })
                .ok_or_else(|| {
                    format!("the storage decides on no write after {} in this run", Human(at))
                })?;
            Asked {
                choices: vec!["yes".into(), "no".into()],
                answer: yes_no(e.moment != Some(Moment::WriteRefused)),
                decided_at: e.time,
                because: e.text.clone(),
            }
        }
        Question::Count { kind, within } => {
            if let Some(why) = past_end(*within) {
                return Err(why);
            }
            let sent: Vec<&TraceEvent> = after()
                .take_while(|e| e.time <= at + within)
                .filter(|e| matches!(&e.kind, EventKind::Send { msg } if msg.kind == *kind))
                .collect();
            if !config.algo.messages.is_empty()
                && !trace
                    .iter()
                    .any(|e| matches!(&e.kind, EventKind::Send { msg } if msg.kind == *kind))
            {
                return Err(format!(
                    "no {kind} message is ever sent in this run: check the message's name"
                ));
            }
            let n = sent.len();
            // One choice per node count when the answer is among them; else the
            // answer with half and twice as many.
            let mut choices: Vec<usize> = if n <= config.nodes as usize {
                (0..=config.nodes as usize).collect()
            } else {
                vec![n / 2, n, n * 2]
            };
            choices.dedup();
            Asked {
                choices: choices.iter().map(|c| c.to_string()).collect(),
                answer: sent.len().to_string(),
                decided_at: at + within,
                because: format!(
                    "{} {kind} sent within {} of {}",
                    sent.len(),
                    Human(*within),
                    Human(at)
                ),
            }
        }
    })
}

/// A lesson that ships with ElectionScope.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinLesson {
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

pub const BUILTINS: &[BuiltinLesson] = &[
    BuiltinLesson {
        name: "raft-majority",
        title: "Raft needs a majority",
        text: "# Five nodes elect a leader, then the network splits two from three. Only a\n\
               # side with a majority of the five can elect a leader and commit writes.\n\
               set algo raft\n\
               set nodes 5\n\
               set duration 6s\n\
               at next leader-elected say \"A leader is elected: it won the votes of a *majority*, 3 of 5.\"\n\
               at 1s partition n1,n2 | n3,n4,n5\n\
               at 1s ask \"The network splits: *n1, n2* | *n3, n4, n5*. Will n1 or n2 become leader within 3 seconds?\" happens leader-elected among n1,n2 within 3s\n\
               at 1s ask \"Will any of n3, n4, n5 *win an election* within 3 seconds? (One that already leads just keeps leading.)\" happens leader-elected among n3,n4,n5 within 3s\n\
               at 4s heal\n\
               at 4s say \"The network heals. A stale candidate in the minority may have a *higher term*: watch what it does to the leader.\"\n",
    },
    BuiltinLesson {
        name: "split-vote",
        title: "Split votes and randomized timeouts",
        text: "# Three of four nodes time out at the same instant and each votes for itself:\n\
               # nobody can reach 3 votes. Fresh random timeouts break the tie.\n\
               set algo raft\n\
               set nodes 4\n\
               set duration 3s\n\
               at 10ms timeout n1\n\
               at 10ms timeout n2\n\
               at 10ms timeout n3\n\
               at 10ms say \"n1, n2 and n3 time out *together*. Each votes for itself and asks the others for theirs.\"\n\
               at next split-vote ask \"A *split vote*: this candidate heard from a majority, yet nobody won the term. It tries again after a fresh *random* timeout.\\nWhich node will lead?\" leader\n",
    },
    BuiltinLesson {
        name: "fixed-timeout",
        title: "A fixed timeout never elects",
        text: "# The same split vote with a *fixed* election timeout: every candidate waits exactly\n\
               # as long as the others before trying again, so they collide again and again.\n\
               set algo raft\n\
               set nodes 4\n\
               set duration 4s\n\
               set election-timeout 150-150ms\n\
               at 10ms timeout n1\n\
               at 10ms timeout n2\n\
               at 10ms timeout n3\n\
               at 10ms timeout n4\n\
               at 10ms ask \"All four time out together, and every timeout is exactly 150ms. Will a leader be elected within 3 seconds?\" happens leader-elected within 3s\n\
               at next livelock say \"A *livelock*: round after round, every node is a candidate that voted for itself. Nothing is broken and nobody crashed, yet no leader ever wins. The FLP result says no deterministic protocol can guarantee progress in an asynchronous network; Raft's *random* timeouts make each new collision less likely, which is how it escapes in practice (try the split-vote lesson).\"\n",
    },
    BuiltinLesson {
        name: "log-up-to-date",
        title: "A stale log cannot win",
        text: "# n5 is cut off while the leader commits two writes. Alone, it times out again and\n\
               # again, each time in a higher term. When it returns its term is the highest, but its\n\
               # log is behind: a voter refuses a candidate whose log is less up to date than its own.\n\
               set algo raft\n\
               set nodes 5\n\
               set duration 5s\n\
               at 10ms timeout n1\n\
               at next leader-elected say \"n1 timed out first and *leads*.\"\n\
               at 1s isolate n5\n\
               at 1s say \"n5 is *cut off*. Alone, it times out again and again, each time in a *higher term*.\"\n\
               at 1.2s write leader\n\
               at 1.4s write leader\n\
               at 2.5s heal\n\
               at 2.5s ask \"n5 returns with the *highest term*, but its log lacks the two committed writes. Will n5 become leader within 2 seconds?\" happens leader-elected among n5 within 2s\n\
               at next step-down ask \"n5's higher term makes the leader *step down*, and n5 asks for votes. Every voter refuses it: its log is *less up to date* than theirs (it would lose committed writes).\\nWhich node will lead next?\" leader\n",
    },
    BuiltinLesson {
        name: "prevote-checkquorum",
        title: "PreVote and CheckQuorum",
        text: "# Two of etcd's additions to Raft. PreVote: a node asks whether it *would* win\n\
               # before it raises its term, so a node coming back from a partition cannot depose a\n\
               # working leader. CheckQuorum: a leader that stops hearing from a majority steps\n\
               # down by itself, rather than lead nobody.\n\
               set algo raft\n\
               set nodes 5\n\
               set prevote on\n\
               set check-quorum on\n\
               set duration 5s\n\
               at 10ms timeout n1\n\
               at next leader-elected say \"n1 timed out first and *leads*. PreVote and CheckQuorum are *on*.\"\n\
               at 1s isolate n5\n\
               at 1s say \"n5 is *cut off*. With PreVote it first asks whether the others *would* vote for it; nobody answers, so it never raises its term.\"\n\
               at 2.5s heal\n\
               at 2.5s ask \"n5 returns. Without PreVote its higher term would depose the leader. Will n1 *step down* within a second?\" happens step-down among n1 within 1s\n\
               at 3.5s isolate n1\n\
               at 3.5s ask \"Now the *leader* n1 is cut off from everyone. With CheckQuorum, will it *step down on its own* within a second?\" happens step-down among n1 within 1s\n\
               at next leader-elected say \"The majority elected a new leader. Without CheckQuorum, n1 would go on believing it leads until it hears the new term.\"\n",
    },
    BuiltinLesson {
        name: "bully-vs-raft",
        title: "Bully against Raft under one partition",
        text: "# Bully and Raft on one partition, side by side. Bully's rule (the highest id that\n\
               # answers leads) lets each side of a partition elect its own leader: split brain.\n\
               # Raft needs votes from a majority of the whole cluster, which only one side has.\n\
               set algo bully\n\
               set nodes 5\n\
               set duration 6s\n\
               compare raft\n\
               at 0s say \"Both columns run the same five nodes, seed and faults: what happens to one happens to the other. Under Bully the *highest id* that answers leads.\"\n\
               at 2s partition n1,n2,n3 | n4,n5\n\
               at 2s ask \"The network splits *n1, n2, n3* | *n4, n5*. Under *Bully*, n5 goes on leading its side. Will n1, n2 or n3 become leader too within 2 seconds?\" happens leader-elected among n1,n2,n3 within 2s\n\
               at 2s ask \"Under *Raft*, will the smaller side, n4 or n5, *elect* a leader within 2 seconds? (A leader from before the split does not count: it can commit nothing.)\" happens leader-elected among n4,n5 within 2s in raft\n\
               at 4s heal\n\
               at 4s say \"The network heals. Bully had *two leaders serving* at once (the monitor's split brain); Raft's smaller side could not elect one: a majority of five needs *three* votes.\"\n",
    },
    BuiltinLesson {
        name: "zk-herd",
        title: "The ZooKeeper herd effect",
        text: "# Every waiting client watches the leader's znode instead of its predecessor.\n\
               # When the leader's session expires, all of them are told and all re-list\n\
               # /election at once, although only one can be next: the herd effect.\n\
               set algo zk-recipe\n\
               set watch leader\n\
               set duration 4s\n\
               at next leader-elected say \"The lowest znode leads. The others watch *the leader's* znode.\"\n\
               at 1s crash leader\n\
               at next herd-burst ask \"ZooKeeper deletes the leader's znode. How many clients will list /election in the next half second?\" count GetChildren within 500ms\n",
    },
    BuiltinLesson {
        name: "fencing-tokens",
        title: "Fencing tokens and a paused leader",
        text: "# The leader freezes for 1.5s (a long GC pause), longer than the election\n\
               # timeout. A new leader takes over; the old one wakes still believing it\n\
               # leads and finishes its write. Every write carries its writer's term as a\n\
               # fencing token, and the storage refuses any token below the highest.\n\
               set algo raft\n\
               set storage fenced\n\
               at 1s pause leader for 1500ms\n\
               at 1s say \"The leader *freezes* in the middle of a write to the shared storage.\"\n\
               at next leader-elected ask \"A new leader in a *higher term*: its writes carry a higher token. The old leader will wake and finish its write with its old token. Will the storage refuse a write within 2 seconds?\" happens write-refused within 2s\n\
               at next write-refused say \"*Refused*: the token is below the highest the storage has accepted. The deposed leader cannot overwrite newer data.\"\n",
    },
    BuiltinLesson {
        name: "lost-update",
        title: "Without fencing, a paused leader loses an update",
        text: "# The same frozen leader, with no fencing: the storage takes every write. The\n\
               # old leader's late write lands after its successor's and overwrites it.\n\
               set algo raft\n\
               set storage unfenced\n\
               at 1s pause leader for 1500ms\n\
               at 1s ask \"The leader freezes mid-write for 1.5s. Will an update be *lost* within 3 seconds?\" happens lost-update within 3s\n\
               at next lost-update say \"A *lost update*: a write from a superseded leader overwrote newer data. Fencing tokens (or STONITH) prevent this.\"\n",
    },
    BuiltinLesson {
        name: "stonith",
        title: "STONITH: power the old leader off",
        text: "# No fencing, but STONITH: before a new leader takes over, a power switch turns\n\
               # off the node that still believes it leads.\n\
               set algo raft\n\
               set storage unfenced\n\
               set stonith on\n\
               at 1s pause leader for 1500ms\n\
               at 1s ask \"The leader freezes for 1.5s. Will it be *powered off* before anyone else leads?\" happens powered-off within 2s\n\
               at next powered-off say \"Shoot The Other Node In The Head: the frozen leader is off, so it can never finish its stale write.\"\n",
    },
    BuiltinLesson {
        name: "paxos-duel",
        title: "Paxos: duelling proposers without backoff",
        text: "# Two proposers start phase 1 at the same instant and retry at once when\n\
               # pre-empted, each with a higher ballot than the other's.\n\
               set algo paxos\n\
               set backoff none\n\
               at 1s timeout n1\n\
               at 1s timeout n2\n\
               at 1s ask \"n1 and n2 both run phase 1 now, with *no backoff*. Will one of them be *pre-empted* by the other's higher ballot within a second?\" happens preempted within 1s\n\
               at next preempted ask \"Pre-empted, it retries at once with a higher ballot, which pre-empts the other. How many Prepare messages go out in the next second? (With backoff, a handful.)\" count Prepare within 1s\n",
    },
    BuiltinLesson {
        name: "zab-highest-zxid",
        title: "ZAB: the highest zxid wins, not the highest id",
        text: "# n4 is cut off while two writes commit without it. As the network heals the\n\
               # leader n5 crashes. The vote order is (epoch, zxid, id).\n\
               set algo zab\n\
               at 1s partition n4 | n1,n2,n3,n5\n\
               at 1.2s write leader\n\
               at 1.4s write leader\n\
               at 2s heal\n\
               at 2s crash leader\n\
               at 2s ask \"The leader crashes as the network heals. *n4* has the highest id left but missed two writes. Which node leads next?\" leader\n",
    },
    BuiltinLesson {
        name: "ring-best-case",
        title: "Chang-Roberts: the best case",
        text: "# Ids increase along the ring and everyone starts at once: every token but the\n\
               # largest meets a larger id at its very next hop and is swallowed there.\n\
               set algo ring\n\
               set nodes 8\n\
               set ring-order ascending\n\
               set latency 10-10ms\n\
               at 0s ask \"Eight nodes, ids increasing along the ring, all start at once. How many Election messages until a leader is known? (The worst case, ids decreasing, takes 36: try the ring-worst-case lesson.)\" count Election within 1s\n",
    },
    BuiltinLesson {
        name: "ring-worst-case",
        title: "Chang-Roberts: the worst case",
        text: "# Ids decrease along the ring and everyone starts at once: each token travels\n\
               # until a larger id swallows it.\n\
               set algo ring\n\
               set nodes 8\n\
               set ring-order descending\n\
               set latency 10-10ms\n\
               at 0s ask \"Eight nodes, ids decreasing along the ring, all start at once. How many Election messages until a leader is known?\" count Election within 1s\n",
    },
    BuiltinLesson {
        name: "lease-drift",
        title: "A lease with clock drift",
        text: "# Followers' clocks run 40% fast and the holder's 40% slow; then the holder is\n\
               # cut off from the lease service. Leases tolerate clock offsets, not rates.\n\
               set algo lease\n\
               set storage unfenced\n\
               at 1s drift n1 +40%\n\
               at 1s drift n2 +40%\n\
               at 1s drift n3 +40%\n\
               at 1s drift n4 +40%\n\
               at 1s drift n5 +40%\n\
               at 1s drift leader -40%\n\
               at 2s isolate leader\n\
               at 2s ask \"The slow-clocked holder is cut off. Will two nodes believe they lead *at once* within 3 seconds?\" happens stale-leader within 3s\n\
               at next lease-takeover say \"A fast follower saw the lease expire and *took it over*, while the slow holder still thinks it is valid.\"\n",
    },
];

pub fn builtin(name: &str) -> Option<&'static BuiltinLesson> {
    BUILTINS.iter().find(|l| l.name == name)
}
