//! Scenarios: timed actions in a small line-based language.
//!
//! ```text
//! # the leader crashes, then comes back
//! set nodes 5
//! at 2s crash leader
//! at 3s partition n1,n2 | n3,n4,n5
//! at 4s pause n2 for 800ms
//! at 6s heal
//! ```
//! Errors name the line, the column and what was expected; nothing here panics.

use crate::config::{SimConfig, parse_percent};
use crate::sim::time::{parse_duration, parse_duration_range};
use crate::sim::{Action, Micros, NodeId, Target};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScenarioError {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at: Micros,
    pub action: Action,
    pub line: usize,
    /// Every node named on the line, with its column, for checks against the cluster size.
    node_refs: Vec<(NodeId, usize)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Setting {
    key: String,
    value: String,
    line: usize,
    column: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scenario {
    /// The leading comment lines: what the scenario shows, in plain words.
    pub description: String,
    settings: Vec<Setting>,
    pub steps: Vec<Step>,
}

/// A word of a line with its 1-based column.
#[derive(Clone, Copy, Debug)]
struct Word<'a> {
    text: &'a str,
    column: usize,
}

fn words(line: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(Word {
                    text: &line[s..i],
                    column: line[..s].chars().count() + 1,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &line[s..],
            column: line[..s].chars().count() + 1,
        });
    }
    out
}

const ACTIONS: &str = "crash, restart, pause, resume, partition, isolate, heal, cut, uncut, drop, latency, write, drift, timeout";

struct LineParser<'a> {
    line_no: usize,
    line_len: usize,
    words: Vec<Word<'a>>,
    pos: usize,
    node_refs: Vec<(NodeId, usize)>,
}

impl<'a> LineParser<'a> {
    fn err(&self, column: usize, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            line: self.line_no,
            column,
            message: message.into(),
        }
    }

    /// Column just past the last word: where a missing word was expected.
    fn end_column(&self) -> usize {
        self.line_len + 1
    }

    fn next(&mut self, expected: &str) -> Result<Word<'a>, ScenarioError> {
        let w = self.words.get(self.pos).copied().ok_or_else(|| {
            self.err(
                self.end_column(),
                format!("expected {expected}, found the end of the line"),
            )
        })?;
        self.pos += 1;
        Ok(w)
    }

    fn finish(&self) -> Result<(), ScenarioError> {
        match self.words.get(self.pos) {
            None => Ok(()),
            Some(w) => Err(self.err(
                w.column,
                format!("unexpected '{}' after a complete action", w.text),
            )),
        }
    }

    fn node(&mut self, word: &str, column: usize) -> Result<NodeId, ScenarioError> {
        let digits = word.strip_prefix('n').unwrap_or("");
        match digits.parse::<NodeId>() {
            Ok(n) if n >= 1 && !digits.starts_with('0') => {
                self.node_refs.push((n, column));
                Ok(n)
            }
            _ => Err(self.err(column, format!("expected a node like n3, found '{word}'"))),
        }
    }

    fn target(&mut self) -> Result<Target, ScenarioError> {
        let w = self.next("a node like n3 or 'leader'")?;
        if w.text == "leader" {
            Ok(Target::Leader)
        } else {
            self.node(w.text, w.column).map(Target::Node)
        }
    }

    fn duration(&mut self, expected: &str) -> Result<Micros, ScenarioError> {
        let w = self.next(expected)?;
        parse_duration(w.text).map_err(|e| self.err(w.column, format!("expected {expected}: {e}")))
    }

    fn keyword(&mut self, kw: &str) -> Result<(), ScenarioError> {
        let w = self.next(&format!("'{kw}'"))?;
        if w.text != kw {
            return Err(self.err(w.column, format!("expected '{kw}', found '{}'", w.text)));
        }
        Ok(())
    }

    fn link(&mut self) -> Result<(NodeId, NodeId), ScenarioError> {
        let w = self.next("a link like n1->n2")?;
        let Some((a, b)) = w.text.split_once("->") else {
            return Err(self.err(
                w.column,
                format!("expected a link like n1->n2, found '{}'", w.text),
            ));
        };
        let from = self.node(a, w.column)?;
        let to = self.node(b, w.column + a.chars().count() + 2)?;
        if from == to {
            return Err(self.err(w.column, "a link needs two different nodes"));
        }
        Ok((from, to))
    }

    fn partition(&mut self, raw_line: &str) -> Result<Vec<Vec<NodeId>>, ScenarioError> {
        // Groups may be spaced freely: rebuild the rest of the line from its words.
        let first = self
            .words
            .get(self.pos)
            .ok_or_else(|| self.err(self.end_column(), "expected groups like n1,n2 | n3,n4,n5"))?;
        let start_byte = raw_line
            .char_indices()
            .nth(first.column - 1)
            .map_or(raw_line.len(), |(b, _)| b);
        let rest = &raw_line[start_byte..];
        let mut groups = Vec::new();
        let mut offset = first.column;
        let mut seen = std::collections::BTreeSet::new();
        for group_text in rest.split('|') {
            let mut group = Vec::new();
            let mut col = offset;
            for item in group_text.split(',') {
                let lead = item.chars().take_while(|c| c.is_whitespace()).count();
                let name = item.trim();
                if name.is_empty() {
                    return Err(self.err(
                        col + lead,
                        "expected a node like n3 in the group, found nothing",
                    ));
                }
                let n = self.node(name, col + lead)?;
                if !seen.insert(n) {
                    return Err(self.err(col + lead, format!("n{n} is in two groups")));
                }
                group.push(n);
                col += item.chars().count() + 1;
            }
            groups.push(group);
            offset += group_text.chars().count() + 1;
        }
        self.pos = self.words.len();
        Ok(groups)
    }

    fn action(&mut self, raw_line: &str) -> Result<Action, ScenarioError> {
        let verb = self.next(&format!("an action ({ACTIONS})"))?;
        let action = match verb.text {
            "crash" => Action::Crash {
                target: self.target()?,
            },
            "restart" => Action::Restart {
                target: self.target()?,
            },
            "resume" => Action::Resume {
                target: self.target()?,
            },
            "isolate" => Action::Isolate {
                target: self.target()?,
            },
            "write" => Action::Write {
                target: self.target()?,
            },
            "timeout" => Action::Timeout {
                target: self.target()?,
            },
            "heal" => Action::Heal,
            "pause" => {
                let target = self.target()?;
                self.keyword("for")?;
                let duration = self.duration("a pause length like 800ms")?;
                Action::Pause { target, duration }
            }
            "partition" => Action::Partition {
                groups: self.partition(raw_line)?,
            },
            "cut" => {
                let (from, to) = self.link()?;
                Action::Cut { from, to }
            }
            "uncut" => {
                let (from, to) = self.link()?;
                Action::Uncut { from, to }
            }
            "drop" => {
                let w = self.next("a loss rate like 10%")?;
                let ppm = parse_percent(w.text)
                    .map_err(|e| self.err(w.column, format!("expected a loss rate: {e}")))?;
                Action::Drop { ppm }
            }
            "latency" => {
                let w = self.next("a delay range like 5-10ms")?;
                let (min, max) = parse_duration_range(w.text)
                    .map_err(|e| self.err(w.column, format!("expected a delay range: {e}")))?;
                Action::Latency { min, max }
            }
            "drift" => {
                let target = self.target()?;
                let w = self.next("a clock rate like +5% or -2%")?;
                let (sign, num) = match w.text.as_bytes().first() {
                    Some(b'+') => (1, &w.text[1..]),
                    Some(b'-') => (-1, &w.text[1..]),
                    _ => {
                        return Err(self.err(
                            w.column,
                            format!("expected a signed rate like +5% or -2%, found '{}'", w.text),
                        ));
                    }
                };
                let ppm = parse_percent(num)
                    .map_err(|e| self.err(w.column, format!("expected a clock rate: {e}")))?;
                if sign < 0 && ppm > 900_000 {
                    return Err(self.err(w.column, "a clock can run at most 90% slow"));
                }
                Action::Drift {
                    target,
                    ppm: sign * ppm as i32,
                }
            }
            other => {
                return Err(self.err(
                    verb.column,
                    format!("unknown action '{other}' (expected one of: {ACTIONS})"),
                ));
            }
        };
        self.finish()?;
        Ok(action)
    }
}

impl Scenario {
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let mut scenario = Scenario::default();
        let mut in_header = true;
        let mut description = Vec::new();
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let content = raw.split('#').next().unwrap_or("");
            if content.trim().is_empty() {
                if in_header {
                    if let Some(comment) = raw.trim().strip_prefix('#') {
                        description.push(comment.trim().to_string());
                    }
                }
                continue;
            }
            in_header = false;
            let mut p = LineParser {
                line_no,
                line_len: content.trim_end().chars().count(),
                words: words(content),
                pos: 0,
                node_refs: Vec::new(),
            };
            let head = p.next("'at' or 'set'")?;
            match head.text {
                "set" => {
                    let key = p.next("a setting name like nodes")?;
                    let value = p.next(&format!("a value for {}", key.text))?;
                    p.finish()?;
                    if key.text == "scenario" {
                        return Err(p.err(key.column, "a scenario cannot load another scenario"));
                    }
                    // Validate now, so the error points at this line.
                    SimConfig::default()
                        .set(key.text, value.text)
                        .map_err(|e| p.err(value.column, e))?;
                    scenario.settings.push(Setting {
                        key: key.text.to_string(),
                        value: value.text.to_string(),
                        line: line_no,
                        column: value.column,
                    });
                }
                "at" => {
                    let at = p.duration("a time like 2s or 800ms")?;
                    let action = p.action(content)?;
                    if let Some(prev) = scenario.steps.last() {
                        if at < prev.at {
                            return Err(p.err(
                                p.words[1].column,
                                format!(
                                    "time goes backwards: this line is at {} but line {} was at {}",
                                    crate::sim::Human(at),
                                    prev.line,
                                    crate::sim::Human(prev.at)
                                ),
                            ));
                        }
                    }
                    scenario.steps.push(Step {
                        at,
                        action,
                        line: line_no,
                        node_refs: p.node_refs,
                    });
                }
                other => {
                    return Err(p.err(
                        head.column,
                        format!("expected 'at' or 'set' to start the line, found '{other}'"),
                    ));
                }
            }
        }
        scenario.description = description.join(" ");
        Ok(scenario)
    }

    /// Applies the `set` lines to `config` (scenario settings override defaults; the
    /// caller re-applies explicit flags afterwards). Node names are not checked here:
    /// a flag may still change the cluster (`--nodes 7`, or an `--algo` that adds a
    /// service node), so [`SimConfig::apply`] checks them once everything is set.
    pub fn configure(&self, config: &mut SimConfig) -> Result<(), ScenarioError> {
        for s in &self.settings {
            config.set(&s.key, &s.value).map_err(|e| ScenarioError {
                line: s.line,
                column: s.column,
                message: e,
            })?;
        }
        Ok(())
    }

    /// The algorithm the scenario was written for, if it names one (`set algo bully`).
    pub fn algo(&self) -> Option<crate::algo::Algo> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.key == "algo")
            .and_then(|s| crate::algo::Algo::parse(&s.value).ok())
    }

    pub fn check_nodes(&self, nodes: u32) -> Result<(), ScenarioError> {
        for step in &self.steps {
            if let Some((n, column)) = step.node_refs.iter().find(|(n, _)| *n > nodes) {
                return Err(ScenarioError {
                    line: step.line,
                    column: *column,
                    message: format!("n{n} does not exist: the cluster has n1 to n{nodes}"),
                });
            }
        }
        Ok(())
    }

    /// The scenario text; parsing it gives back an equal scenario (apart from comments).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for s in &self.settings {
            out.push_str(&format!("set {} {}\n", s.key, s.value));
        }
        for step in &self.steps {
            out.push_str(&format!(
                "at {} {}\n",
                crate::sim::Human(step.at),
                step.action
            ));
        }
        out
    }
}

pub use crate::algo::descriptor::Builtin;

/// Every built-in scenario, algorithm by algorithm in registry order.
pub fn builtins() -> impl Iterator<Item = &'static Builtin> {
    crate::algo::registry::scenarios().map(|(_, b)| b)
}

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    builtins().find(|b| b.name == name)
}

/// The algorithm a built-in scenario belongs to.
pub fn builtin_algo(name: &str) -> Option<crate::algo::Algo> {
    crate::algo::registry::scenarios()
        .find(|(_, b)| b.name == name)
        .map(|(a, _)| a)
}

/// Resolves a config's scenario field: a built-in name, or else scenario text.
pub fn load(spec: &str) -> Result<Scenario, ScenarioError> {
    match builtin(spec) {
        Some(b) => Scenario::parse(b.text),
        None if !spec.contains('\n')
            && !spec.trim_start().starts_with("at ")
            && !spec.trim_start().starts_with("set ") =>
        {
            let names: Vec<&str> = builtins().map(|b| b.name).collect();
            Err(ScenarioError {
                line: 1,
                column: 1,
                message: format!("unknown scenario '{spec}' (built-in: {})", names.join(", ")),
            })
        }
        None => Scenario::parse(spec),
    }
}
