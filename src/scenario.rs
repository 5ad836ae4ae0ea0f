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
    /// a flag may still change the cluster (`--nodes 7`, `--algo zk-recipe` adds the
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
    pub fn algo(&self) -> Option<crate::config::AlgoKind> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.key == "algo")
            .and_then(|s| crate::config::AlgoKind::parse(&s.value).ok())
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

/// A built-in scenario: a name for menus and URLs, and its text.
pub struct Builtin {
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

impl Builtin {
    /// The algorithm this scenario is written for; one that names none suits any.
    pub fn algo(&self) -> Option<crate::config::AlgoKind> {
        Scenario::parse(self.text).ok().and_then(|s| s.algo())
    }
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "leader-crash",
        title: "Leader crash",
        text: "# The leader crashes. The followers hear no heartbeat, time out and elect a new\n\
               # leader in a higher term; later the old leader restarts as a follower.\n\
               set algo raft\n\
               at 1s write leader\n\
               at 2s crash leader\n\
               at 3s write leader\n",
    },
    Builtin {
        name: "split-vote",
        title: "Split vote",
        text: "# Three of four nodes time out at the same instant. Each votes for itself, so\n\
               # nobody can reach 3 votes in term 1; fresh random timeouts settle term 2.\n\
               set algo raft\n\
               set nodes 4\n\
               at 10ms timeout n1\n\
               at 10ms timeout n2\n\
               at 10ms timeout n3\n",
    },
    Builtin {
        name: "minority-partition",
        title: "Minority partition",
        text: "# Two nodes are cut off from three. Only the side with a majority can elect a\n\
               # leader and commit; the minority side keeps campaigning in vain until heal.\n\
               set algo raft\n\
               at 1s partition n1,n2 | n3,n4,n5\n\
               at 2s write n3\n\
               at 2s write n4\n\
               at 2s write n5\n\
               at 5s heal\n",
    },
    Builtin {
        name: "leader-partition",
        title: "Partitioned leader",
        text: "# The leader is cut off alone. It keeps believing it leads (a stale leader) but\n\
               # cannot commit; the majority elects a new leader in a higher term. When the\n\
               # partition heals, the old leader sees the higher term and steps down.\n\
               set algo raft\n\
               at 1s write leader\n\
               at 2s isolate leader\n\
               at 3.5s write leader\n\
               at 6s heal\n",
    },
    Builtin {
        name: "raft-paused-leader",
        title: "Raft: a frozen leader's late write (no fencing)",
        text: "# The leader writes to a shared storage every 100 ms. It freezes mid-write for\n\
               # 1.5 s (a long GC pause); the others elect a leader in a higher term, which\n\
               # writes too. Waking, the old leader finishes its write before it notices\n\
               # anything: without fencing the storage takes it and the new leader's data is\n\
               # overwritten, a lost update. Raft's own log stays safe; the storage does not.\n\
               set algo raft\n\
               set storage unfenced\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "raft-paused-leader-fenced",
        title: "Raft: fencing tokens turn the late write away",
        text: "# The same frozen leader, but every write carries the writer's term as a fencing\n\
               # token and the storage refuses any token below the highest it has accepted.\n\
               # The new leader's first write raises the bar; the old leader's late write is\n\
               # refused and no update is lost.\n\
               set algo raft\n\
               set storage fenced\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "raft-stonith",
        title: "Raft: STONITH powers the frozen leader off",
        text: "# No fencing, but STONITH: before the new leader takes over, a power switch\n\
               # turns off the node that still believes it leads. The frozen leader never\n\
               # wakes to write; it stays off until someone restarts it.\n\
               set algo raft\n\
               set storage unfenced\n\
               set stonith on\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "paxos-duel",
        title: "Paxos: duelling proposers",
        text: "# Two nodes start phase 1 at the same instant. Each Prepare pre-empts the other's\n\
               # ballot; a pre-empted proposer backs off for a random while, and the one that\n\
               # retries first wins a majority of promises and leads.\n\
               set algo paxos\n\
               at 1s timeout n1\n\
               at 1s timeout n2\n\
               at 2s write leader\n",
    },
    Builtin {
        name: "paxos-duel-no-backoff",
        title: "Paxos: duel without backoff",
        text: "# The same duel with randomized backoff turned off: each proposer retries at\n\
               # once with a higher ballot, pre-empting the other again and again. Nobody\n\
               # leads for long: this livelock is why Paxos needs a random backoff.\n\
               set algo paxos\n\
               set backoff none\n\
               at 1s timeout n1\n\
               at 1s timeout n2\n",
    },
    Builtin {
        name: "paxos-leader-crash",
        title: "Paxos: a new leader keeps what may be chosen",
        text: "# The leader crashes 10ms after sending Accept for write #1. The next leader\n\
               # learns from the promises that write #1 was accepted and must re-propose it\n\
               # before anything else: a value that may have been chosen is never replaced.\n\
               set algo paxos\n\
               at 1s write leader\n\
               at 1.01s crash leader\n\
               at 2s write leader\n",
    },
    Builtin {
        name: "paxos-stale-leader",
        title: "Paxos: a cut-off leader",
        text: "# The leader is cut off and takes write #1 alone: no majority will accept it.\n\
               # The others elect a leader with a higher ballot and choose write #2; after\n\
               # the heal the old leader is refused and follows. Nothing chosen is lost.\n\
               set algo paxos\n\
               at 1s isolate leader\n\
               at 1.1s write leader\n\
               at 1.5s write leader\n\
               at 3s heal\n",
    },
    Builtin {
        name: "lease-paused-leader",
        title: "Lease: a paused holder wakes up",
        text: "# The lease holder freezes for 2.5s (a long GC pause). The others see its lease\n\
               # unrenewed for leaseDuration by their own clocks and one takes it with a higher\n\
               # token. The old holder wakes still believing it leads and finishes the write it\n\
               # was making: without fencing, the storage takes it over the newer leader's data.\n\
               set algo lease\n\
               set storage unfenced\n\
               at 2s pause leader for 2500ms\n",
    },
    Builtin {
        name: "lease-paused-leader-fenced",
        title: "Lease: a paused holder is fenced off",
        text: "# The same pause with fencing: every write carries the lease's token (the\n\
               # revision it was granted at). The new holder's token is higher, so the storage\n\
               # rejects the old holder's late write and no update is lost.\n\
               set algo lease\n\
               set storage fenced\n\
               at 2s pause leader for 2500ms\n",
    },
    Builtin {
        name: "lease-clock-drift",
        title: "Lease: clocks running at different rates",
        text: "# Every follower's clock runs 40% fast and the holder's 40% slow; then the holder\n\
               # is cut off from the lease service. A fast follower's leaseDuration runs out\n\
               # long before the slow holder's renewDeadline does: two nodes believe they lead\n\
               # at once, and both write to the storage (outside the partition): without\n\
               # fencing the slow holder's writes land over its successor's. Leases tolerate\n\
               # clock offsets, not different clock rates.\n\
               set algo lease\n\
               set storage unfenced\n\
               at 1s drift n1 +40%\n\
               at 1s drift n2 +40%\n\
               at 1s drift n3 +40%\n\
               at 1s drift n4 +40%\n\
               at 1s drift n5 +40%\n\
               at 1s drift leader -40%\n\
               at 2s isolate leader\n\
               at 6s heal\n",
    },
    Builtin {
        name: "lease-stonith",
        title: "Lease: STONITH before the takeover",
        text: "# The same pause with STONITH: before the new holder starts leading, a power\n\
               # switch turns the frozen old holder off, so it never wakes to write.\n\
               set algo lease\n\
               set storage unfenced\n\
               set stonith on\n\
               at 2s pause leader for 2500ms\n",
    },
    Builtin {
        name: "zab-leader-crash",
        title: "ZAB: the leader crashes",
        text: "# The leader crashes after two writes. The survivors go LOOKING and vote; votes are\n\
               # ordered by epoch, then zxid, then id, so the winner holds the most recent\n\
               # history. It must then establish a new epoch with a quorum before it serves.\n\
               set algo zab\n\
               at 1s write leader\n\
               at 1.2s write leader\n\
               at 2s crash leader\n\
               at 3.5s write leader\n",
    },
    Builtin {
        name: "zab-minority-leader",
        title: "ZAB: a leader cut off in a minority",
        text: "# n5 leads; the network cuts n4 and n5 off from the other three. n5 takes a write\n\
               # it cannot commit, hears from no quorum within syncLimit and steps down to\n\
               # LOOKING. The majority elects a leader for a higher epoch. After the heal n4\n\
               # and n5 join it and n5's uncommitted write is dropped.\n\
               set algo zab\n\
               at 1s write leader\n\
               at 2s partition n4,n5 | n1,n2,n3\n\
               at 2.1s write n5\n\
               at 3.5s write leader\n\
               at 5s heal\n",
    },
    Builtin {
        name: "zab-highest-zxid",
        title: "ZAB: the most recent history wins, not the highest id",
        text: "# n4 is cut off while two writes commit without it. As the network heals the\n\
               # leader n5 crashes: n4 has the highest id left, but its zxid is older, so the\n\
               # vote order (epoch, zxid, id) elects n3, which holds every committed write.\n\
               set algo zab\n\
               at 1s partition n4 | n1,n2,n3,n5\n\
               at 1.2s write leader\n\
               at 1.4s write leader\n\
               at 2s heal\n\
               at 2s crash leader\n\
               at 3.5s write leader\n",
    },
    Builtin {
        name: "bully-partition",
        title: "Bully: split brain under a partition",
        text: "# Bully has no quorum: cut in two, each side elects its own highest id.\n\
               # n3 leads n1 and n2 while n5 keeps leading n4 (split brain, reported). When\n\
               # the network heals, n5 hears n3's heartbeat and bullies it; n3 steps down.\n\
               set algo bully\n\
               at 1s partition n1,n2,n3 | n4,n5\n\
               at 3s heal\n",
    },
    Builtin {
        name: "bully-flapping",
        title: "Bully: a slow high id keeps disrupting",
        text: "# n5 freezes again and again (long GC pauses). Each time its followers time\n\
               # out and elect n4; each time n5 wakes up it bullies its way back: leadership\n\
               # flaps with every pause.\n\
               set algo bully\n\
               at 1s pause n5 for 600ms\n\
               at 2s pause n5 for 600ms\n\
               at 3s pause n5 for 600ms\n\
               at 4s pause n5 for 600ms\n",
    },
    Builtin {
        name: "bully-lowest-detects",
        title: "Bully: the lowest id detects the crash",
        text: "# Worst case: the lowest id is the first to notice the leader's crash. Its\n\
               # ELECTION wakes every higher node, each of which answers and runs its own\n\
               # election: 15 ELECTIONs (6*5/2) and 10 ANSWERs before n5 declares itself.\n\
               set algo bully\n\
               set nodes 6\n\
               set election-timeout 5-6s\n\
               set heartbeat 1s\n\
               set latency 10-10ms\n\
               at 2s crash n6\n\
               at 2.1s timeout n1\n",
    },
    Builtin {
        name: "ring-worst-case",
        title: "Chang-Roberts: worst-case arrangement",
        text: "# Ids decrease along the ring, and everyone starts at once: token k travels k\n\
               # hops before a larger id swallows it, N(N+1)/2 = 36 ELECTION messages for\n\
               # 8 nodes. Switch the arrangement to ascending for the best case, 2N-1 = 15.\n\
               set algo ring\n\
               set nodes 8\n\
               set ring-order descending\n\
               set latency 10-10ms\n",
    },
    Builtin {
        name: "ring-repair",
        title: "Chang-Roberts: repairing the ring",
        text: "# n3 crashes while the first tokens are in flight. n2 gets no acknowledgement\n\
               # from it, skips it and sends to n4; later tokens and the ELECTED lap skip n3\n\
               # too. n6 still wins.\n\
               set algo ring\n\
               set nodes 6\n\
               set latency 10ms\n\
               set ring-order ascending\n\
               at 5ms crash n3\n",
    },
    Builtin {
        name: "ring-leader-crash",
        title: "Chang-Roberts: the leader crashes",
        text: "# The leader n6 crashes. Its heartbeats stop, a follower times out and starts\n\
               # an election; ELECTION tokens skip the dead n6 and n5, the highest live id,\n\
               # wins.\n\
               set algo ring\n\
               set nodes 6\n\
               at 1s crash n6\n",
    },
    Builtin {
        name: "hs-leader-crash",
        title: "Hirschberg-Sinclair: the leader crashes",
        text: "# The highest node leads; it crashes, probes in doubling distances find the\n\
               # next highest, routing around the dead node.\n\
               set algo hs\n\
               set nodes 6\n\
               at 2s crash n6\n",
    },
    Builtin {
        name: "hs-two-crashes",
        title: "Hirschberg-Sinclair: two crashes at once",
        text: "# The leader and a node inside the ring die together: probes must route round\n\
               # the dead n4 and n7 wins; when n8 restarts it takes over again.\n\
               set algo hs\n\
               set nodes 8\n\
               at 2s crash n8\n\
               at 2s crash n4\n\
               at 5s restart n8\n",
    },
    Builtin {
        name: "zk-leader-crash",
        title: "ZooKeeper recipe: the leader crashes",
        text: "# The leader owns the lowest znode. It crashes; ZooKeeper hears no pings and,\n\
               # a session timeout later, deletes its ephemeral znode. Only the next client\n\
               # in line watches that znode: one notification, one re-list, a new leader.\n\
               set algo zk-recipe\n\
               at 1s crash leader\n",
    },
    Builtin {
        name: "zk-herd",
        title: "ZooKeeper recipe: the herd effect",
        text: "# Every waiting client watches the leader's znode instead of its predecessor.\n\
               # When the leader's session expires, ZooKeeper notifies all of them and all\n\
               # list /election at once, although only one can be next: the herd effect.\n\
               set algo zk-recipe\n\
               set watch leader\n\
               at 1s crash leader\n",
    },
    Builtin {
        name: "zk-paused-leader",
        title: "ZooKeeper recipe: a paused leader (no fencing)",
        text: "# The leader freezes for 1.5s, longer than its 600ms session timeout. ZooKeeper\n\
               # expires the session and deletes its znode; the next client leads. The old\n\
               # leader wakes still believing it leads and finishes its write first: the\n\
               # storage takes it and the newer leader's data is lost.\n\
               set algo zk-recipe\n\
               set storage unfenced\n\
               at 1s pause leader for 1500ms\n",
    },
    Builtin {
        name: "zk-paused-leader-fenced",
        title: "ZooKeeper recipe: a paused leader, fenced",
        text: "# The same pause with fencing: each write carries its leader's znode sequence\n\
               # number. The new leader's number is higher, so the storage turns away the\n\
               # woken leader's stale write; then ZooKeeper tells it its session expired.\n\
               set algo zk-recipe\n\
               set storage fenced\n\
               at 1s pause leader for 1500ms\n",
    },
];

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Resolves a config's scenario field: a built-in name, or else scenario text.
pub fn load(spec: &str) -> Result<Scenario, ScenarioError> {
    match builtin(spec) {
        Some(b) => Scenario::parse(b.text),
        None if !spec.contains('\n')
            && !spec.trim_start().starts_with("at ")
            && !spec.trim_start().starts_with("set ") =>
        {
            let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
            Err(ScenarioError {
                line: 1,
                column: 1,
                message: format!("unknown scenario '{spec}' (built-in: {})", names.join(", ")),
            })
        }
        None => Scenario::parse(spec),
    }
}
