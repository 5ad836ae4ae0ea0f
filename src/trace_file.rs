//! A run's trace as a file: JSON lines, the first naming the run (its settings and the
//! user's actions), then one [`TraceEvent`] per line. The CLI's `--trace` and the
//! page's export write the same bytes for the same run; the page imports such a file
//! by rebuilding the run it names and checking that this version makes the same events.

use crate::config::{self, Problem, SimConfig};
use crate::link::{decode_actions, encode_actions};
use crate::run;
use crate::sim::{Micros, RecordedAction, TraceEvent};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;

/// The format this version writes and reads.
pub const TRACE_FORMAT: u32 = 1;
/// The largest file the page reads (about 400,000 events).
pub const MAX_TRACE_BYTES: usize = 64 << 20;
/// The most events the page writes into one file; longer runs are for the CLI.
pub const MAX_EXPORT_EVENTS: u64 = 300_000;

/// The first line of a trace file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always `"trace"`: what makes the file recognisable as one of ours.
    pub electionscope: String,
    pub version: u32,
    /// The settings, as in the page's address (`SimConfig::to_query`).
    pub query: String,
    /// The user's actions with their instants, as in a link's `acts=`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub acts: String,
}

pub fn header_line(config: &SimConfig, actions: &[RecordedAction]) -> String {
    let header = Header {
        electionscope: "trace".into(),
        version: TRACE_FORMAT,
        query: config.to_query(),
        acts: encode_actions(actions),
    };
    serde_json::to_string(&header).unwrap_or_default()
}

pub fn event_line(event: &TraceEvent) -> String {
    serde_json::to_string(event).unwrap_or_default()
}

/// Builds the run `config` describes with `actions` loaded, ready to advance.
fn rebuild(config: &SimConfig, actions: &[RecordedAction]) -> Result<Box<dyn run::Run>, String> {
    let mut run = run::build(config, 0)?;
    run.load_actions(actions.to_vec())?;
    Ok(run)
}

/// The fingerprint of the run `config` describes with `actions` over its duration
/// (a forward-only run: no snapshots, no trace kept), telling `progress` the share
/// done: what the compute worker does for a long run.
pub fn fingerprint(
    config: &SimConfig,
    actions: &[RecordedAction],
    progress: &mut dyn FnMut(f64),
) -> Result<String, String> {
    let mut run = run::build_forward(config)?;
    run.load_actions(actions.to_vec())?;
    advance_in_steps(&mut *run, config.duration, progress, || true);
    Ok(run.trace_hash())
}

/// Advances `run` to `end` in fifty steps, telling `progress` the share done; stops
/// early (false) when `keep_going` says so after a step.
pub(crate) fn advance_in_steps(
    run: &mut dyn run::Run,
    end: crate::sim::Micros,
    progress: &mut dyn FnMut(f64),
    keep_going: impl Fn() -> bool,
) -> bool {
    for k in 1..=50u64 {
        run.advance(end / 50 * k + if k == 50 { end % 50 } else { 0 });
        progress(k as f64 / 50.0);
        if !keep_going() {
            return false;
        }
    }
    true
}

/// The whole run (to its duration) as a trace file, or why not: a run that makes more
/// than `max_events` events is for the CLI (the message names the command).
pub fn write(
    config: &SimConfig,
    actions: &[RecordedAction],
    max_events: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<String, String> {
    let mut run = rebuild(config, actions)?;
    let out = Rc::new(RefCell::new(header_line(config, actions) + "\n"));
    let count = Rc::new(RefCell::new(0u64));
    let (sink_out, sink_count) = (out.clone(), count.clone());
    run.set_sink(Some(Box::new(move |e| {
        let mut n = sink_count.borrow_mut();
        *n += 1;
        if *n <= max_events {
            let mut text = sink_out.borrow_mut();
            text.push_str(&event_line(e));
            text.push('\n');
        }
    })));
    let end = run.config().duration;
    let finished = advance_in_steps(run.as_mut(), end, progress, || {
        *count.borrow() <= max_events
    });
    run.set_sink(None);
    if !finished {
        let acts = if actions.is_empty() {
            String::new()
        } else {
            format!(" --acts '{}'", encode_actions(actions))
        };
        return Err(format!(
            "this run makes more than {max_events} trace events, too many for a file from the page; the CLI writes any length: electionscope run --query '{}'{acts} --trace trace.jsonl",
            config.to_query()
        ));
    }
    Ok(Rc::try_unwrap(out)
        .map(RefCell::into_inner)
        .unwrap_or_default())
}

/// A trace file read back: the run it names and its events.
#[derive(Debug)]
pub struct TraceFile {
    pub config: SimConfig,
    pub actions: Vec<RecordedAction>,
    pub events: Vec<TraceEvent>,
}

impl TraceFile {
    /// The instant of the last event (where the page opens it).
    pub fn last_time(&self) -> Micros {
        self.events.last().map_or(0, |e| e.time)
    }
}

/// Reads a trace file; a file that is not one names the line and what is wrong.
pub fn read(text: &str) -> Result<TraceFile, String> {
    if text.len() > MAX_TRACE_BYTES {
        return Err(format!(
            "the file is {} MB; the page reads trace files up to {} MB",
            text.len() >> 20,
            MAX_TRACE_BYTES >> 20
        ));
    }
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let not_ours = "line 1: this is not an ElectionScope trace: its first line should name the run, as in {\"electionscope\":\"trace\",\"version\":1,\"query\":\"algo=raft&...\"} (written by Export trace or `electionscope run --trace`)";
    let (_, first) = lines.next().ok_or("the file is empty")?;
    let header: Header = serde_json::from_str(first).map_err(|_| not_ours.to_string())?;
    if header.electionscope != "trace" {
        return Err(not_ours.into());
    }
    if header.version != TRACE_FORMAT {
        return Err(format!(
            "line 1: the file is trace format {}; this version reads format {TRACE_FORMAT}",
            header.version
        ));
    }
    let mut config = SimConfig::default();
    let pairs: Vec<(String, String)> = config::query_pairs(&header.query)
        .into_iter()
        .filter(|(k, _)| !config::FRONTEND_KEYS.contains(&k.as_str()))
        .collect();
    config
        .apply(&pairs, |problem| {
            Err(match problem {
                Problem::Scenario(e) | Problem::Setting(e) => e,
            })
        })
        .map_err(|e| format!("line 1: the run's settings: {e}"))?;
    let actions = decode_actions(&header.acts).map_err(|e| format!("line 1: acts: {e}"))?;
    let mut events = Vec::new();
    for (i, line) in lines {
        let event: TraceEvent = serde_json::from_str(line).map_err(|e| {
            format!(
                "line {}: not a trace event ({e}): {}",
                i + 1,
                line.chars().take(60).collect::<String>()
            )
        })?;
        if let Some(prev) = events.last().map(|p: &TraceEvent| (p.seq, p.time))
            && (event.seq <= prev.0 || event.time < prev.1)
        {
            return Err(format!(
                "line {}: event {} at {}us comes after event {} at {}us: the lines are out of order",
                i + 1,
                event.seq,
                event.time,
                prev.0,
                prev.1
            ));
        }
        events.push(event);
    }
    Ok(TraceFile {
        config,
        actions,
        events,
    })
}

/// Rebuilds the run the file names and compares its events with the file's: `Ok` if
/// this version makes the same events, else the first that differs.
pub fn verify(file: &TraceFile, progress: &mut dyn FnMut(f64)) -> Result<(), String> {
    let mut run = rebuild(&file.config, &file.actions)?;
    let made: Rc<std::cell::Cell<usize>> = Rc::default();
    let mismatch: Rc<RefCell<Option<String>>> = Rc::default();
    let (sink_made, sink_mismatch) = (made.clone(), mismatch.clone());
    let expected = file.events.clone();
    run.set_sink(Some(Box::new(move |e| {
        if sink_mismatch.borrow().is_some() {
            return;
        }
        let index = sink_made.get();
        let problem = match expected.get(index) {
            None => Some(format!(
                "the file ends after {} events; this version's run goes on: {}",
                expected.len(),
                e.text
            )),
            Some(want) if !same_event(want, e) => Some(format!(
                "event {} at {}us differs: the file has \"{}\", this version makes \"{}\"",
                want.seq, want.time, want.text, e.text
            )),
            Some(_) => None,
        };
        sink_made.set(index + 1);
        *sink_mismatch.borrow_mut() = problem;
    })));
    let end = run.config().duration;
    advance_in_steps(run.as_mut(), end, progress, || mismatch.borrow().is_none());
    run.set_sink(None);
    if let Some(problem) = mismatch.borrow_mut().take() {
        return Err(problem);
    }
    if made.get() < file.events.len() {
        return Err(format!(
            "the file has {} events; this version's run makes {}",
            file.events.len(),
            made.get()
        ));
    }
    Ok(())
}

/// The parts the fingerprint covers (facts and moments are derived).
fn same_event(a: &TraceEvent, b: &TraceEvent) -> bool {
    a.seq == b.seq && a.time == b.time && a.kind == b.kind && a.text == b.text
}
