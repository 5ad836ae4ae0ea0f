//! Multi-Paxos with a stable leader (Lamport, "Paxos Made Simple", §3): every node is
//! both proposer and acceptor. Winning phase 1 for a ballot once makes a node leader
//! for every log instance; it must first re-propose what the promises report as
//! accepted, then it serves client writes with phase 2 alone. Followers watch the
//! leader's heartbeats and, when they stop, run phase 1 with a higher ballot.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::PaxosMonitor;

use crate::sim::Moment;
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, LogEntryView, Message, Micros, MsgClass, NodeId, NodeView, NoteKind,
    Timer,
};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaxosConfig {
    /// How long a follower waits without hearing the leader before it runs phase 1;
    /// also how long a proposer waits for a majority of promises. Drawn afresh each time.
    pub election_timeout: (Micros, Micros),
    pub heartbeat: Micros,
    /// How long a pre-empted proposer steps back before retrying, when randomized.
    pub backoff: (Micros, Micros),
    /// Without it a pre-empted proposer retries at once, and two proposers that start
    /// together can pre-empt each other indefinitely (the duelling-proposers livelock).
    pub randomized_backoff: bool,
    #[serde(skip)]
    bugs: Bugs,
}

impl Default for PaxosConfig {
    /// The defaults the settings declare (see `descriptor.rs`): written once.
    fn default() -> Self {
        use crate::algo::Configure;
        Paxos::configure(&crate::settings::Setup::defaults(5))
    }
}

/// Deliberate defects, so tests can prove the invariant checker catches them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    accept_below_promise: bool,
    ignore_prior_accepted: bool,
    promise_twice: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaxosBug {
    /// Acceptors accept an Accept whose ballot is below what they promised.
    AcceptBelowPromise,
    /// A new leader proposes its own value (or a no-op) instead of the value the
    /// promises report as accepted with the highest ballot.
    IgnorePriorAccepted,
    /// Acceptors promise any Prepare, even one below a ballot they already promised.
    PromiseTwice,
}

#[cfg(feature = "bug-injection")]
impl PaxosConfig {
    pub fn with_bug(mut self, bug: PaxosBug) -> Self {
        match bug {
            PaxosBug::AcceptBelowPromise => self.bugs.accept_below_promise = true,
            PaxosBug::IgnorePriorAccepted => self.bugs.ignore_prior_accepted = true,
            PaxosBug::PromiseTwice => self.bugs.promise_twice = true,
        }
        self
    }
}

/// A proposal number: ordered by round, ties broken by the proposer's id, so no two
/// proposers ever use the same ballot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ballot {
    pub round: u64,
    pub node: NodeId,
}

impl Ballot {
    /// Below every real ballot: nothing promised or accepted yet.
    pub const NONE: Ballot = Ballot { round: 0, node: 0 };

    pub fn new(round: u64, node: NodeId) -> Ballot {
        Ballot { round, node }
    }

    /// The ballot as one number where the UI expects a term: `round * 100 + id`
    /// keeps the order because ids are at most 25.
    pub fn encode(self) -> u64 {
        self.round
            .saturating_mul(100)
            .saturating_add(u64::from(self.node))
    }

    /// The inverse of [`Ballot::encode`].
    pub fn decode(term: u64) -> Ballot {
        Ballot {
            round: term / 100,
            node: (term % 100) as NodeId,
        }
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Ballot::NONE {
            f.write_str("none")
        } else {
            write!(f, "{}.n{}", self.round, self.node)
        }
    }
}

/// A client write's value; `None` is the no-op a new leader uses to fill a gap.
pub type Value = Option<u64>;

fn describe(value: Value) -> String {
    match value {
        Some(v) => format!("write #{v}"),
        None => "a no-op".to_string(),
    }
}

/// One instance an acceptor reports in a Promise: what it accepted there, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedEntry {
    pub instance: u64,
    pub ballot: Ballot,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaxosMsg {
    /// Phase 1a: "promise to ignore every ballot below this one".
    Prepare { ballot: Ballot },
    /// Phase 1b, with everything the acceptor has accepted so far.
    Promise {
        ballot: Ballot,
        accepted: Vec<AcceptedEntry>,
    },
    /// The acceptor promised a higher ballot; `ballot` is the one it refuses.
    Nack { ballot: Ballot, promised: Ballot },
    /// Phase 2a for one instance.
    Accept {
        ballot: Ballot,
        instance: u64,
        value: Value,
    },
    /// Phase 2b.
    Accepted { ballot: Ballot, instance: u64 },
    /// The leader is alive, and this is what it knows is chosen.
    Heartbeat {
        ballot: Ballot,
        chosen: Vec<(u64, Value)>,
    },
}

impl Message for PaxosMsg {
    fn kind(&self) -> &'static str {
        match self {
            PaxosMsg::Prepare { .. } => "Prepare",
            PaxosMsg::Promise { .. } => "Promise",
            PaxosMsg::Nack { .. } => "Nack",
            PaxosMsg::Accept { .. } => "Accept",
            PaxosMsg::Accepted { .. } => "Accepted",
            PaxosMsg::Heartbeat { .. } => "Heartbeat",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            PaxosMsg::Prepare { .. } => MsgClass::VoteRequest,
            PaxosMsg::Promise { .. } => MsgClass::VoteGranted,
            PaxosMsg::Nack { .. } => MsgClass::VoteDenied,
            PaxosMsg::Accept { .. } => MsgClass::Append,
            PaxosMsg::Accepted { .. } => MsgClass::Reply,
            PaxosMsg::Heartbeat { .. } => MsgClass::Heartbeat,
        }
    }

    fn term(&self) -> Option<u64> {
        Some(match self {
            PaxosMsg::Nack { promised, .. } => promised.encode(),
            PaxosMsg::Prepare { ballot }
            | PaxosMsg::Promise { ballot, .. }
            | PaxosMsg::Accept { ballot, .. }
            | PaxosMsg::Accepted { ballot, .. }
            | PaxosMsg::Heartbeat { ballot, .. } => ballot.encode(),
        })
    }

    fn summary(&self) -> String {
        match self {
            PaxosMsg::Prepare { ballot } => format!("ballot {ballot}"),
            PaxosMsg::Promise { ballot, accepted } => {
                format!("ballot {ballot}, {} accepted instances", accepted.len())
            }
            PaxosMsg::Nack { ballot, promised } => {
                format!("refuses {ballot}: promised {promised}")
            }
            PaxosMsg::Accept {
                ballot,
                instance,
                value,
            } => format!("ballot {ballot}, instance {instance}: {}", describe(*value)),
            PaxosMsg::Accepted { ballot, instance } => {
                format!("ballot {ballot}, instance {instance}")
            }
            PaxosMsg::Heartbeat { ballot, chosen } => {
                format!("ballot {ballot}, {} chosen", chosen.len())
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PaxosTimer {
    /// A follower's patience with a silent leader, or a proposer's with phase 1.
    Election,
    Heartbeat,
    /// A pre-empted proposer stepping back before it retries.
    Backoff,
}

impl Timer for PaxosTimer {
    fn label(&self) -> &'static str {
        match self {
            PaxosTimer::Election => "election",
            PaxosTimer::Heartbeat => "heartbeat",
            PaxosTimer::Backoff => "backoff",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    /// A proposer in phase 1, collecting promises.
    Candidate,
    /// A pre-empted proposer backing off.
    Waiting,
    Leader,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Waiting => "waiting",
            Role::Leader => "leader",
        }
    }
}

/// What an acceptor must not forget (Paxos Made Simple, §2.3): its promise, what it
/// accepted, and the highest round it has seen so its next ballot is above all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaxosDisk {
    pub promised: Ballot,
    pub accepted: VecMap<u64, (Ballot, Value)>,
    pub max_round: u64,
}

/// An instance the leader has sent Accepts for and not yet seen chosen.
#[derive(Clone, Debug)]
struct Proposal {
    value: Value,
    acks: VecSet<NodeId>,
}

type Ctx<'a, 'b> = Context<'a, PaxosMsg, PaxosTimer>;

#[derive(Clone, Debug)]
pub struct Paxos {
    me: NodeId,
    cluster_size: usize,
    cfg: PaxosConfig,
    // Persistent.
    promised: Ballot,
    accepted: VecMap<u64, (Ballot, Value)>,
    max_round: u64,
    // Volatile.
    role: Role,
    /// The ballot this node last proposed with (`NONE` if it never proposed).
    ballot: Ballot,
    leader: Option<NodeId>,
    /// Phase-1 answers for `ballot`: who promised, and what each had accepted.
    promises: VecMap<NodeId, Vec<AcceptedEntry>>,
    proposals: VecMap<u64, Proposal>,
    /// Instances this node knows are chosen, with the ballot of the leader that said so.
    chosen: VecMap<u64, (Ballot, Value)>,
    next_instance: u64,
    /// The ballot that pre-empted this node's own, while it backs off.
    preempted_by: Option<Ballot>,
    /// Local time the election timer was last reset, for "heard nothing for X".
    waiting_since: Micros,
}

impl Paxos {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn ballot(&self) -> Ballot {
        self.ballot
    }

    pub fn promised(&self) -> Ballot {
        self.promised
    }

    pub fn accepted(&self) -> &VecMap<u64, (Ballot, Value)> {
        &self.accepted
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// Instances this node has learned are chosen, and their values.
    pub fn chosen(&self) -> VecMap<u64, Value> {
        self.chosen.iter().map(|(i, (_, v))| (*i, *v)).collect()
    }

    fn majority(&self) -> usize {
        self.cluster_size / 2 + 1
    }

    /// The ballot the node is "in": its own while proposing or leading, else its promise.
    fn current_ballot(&self) -> Ballot {
        match self.role {
            Role::Leader | Role::Candidate => self.ballot,
            Role::Follower | Role::Waiting => self.promised,
        }
    }

    fn hear(&mut self, ballot: Ballot) {
        self.max_round = self.max_round.max(ballot.round);
    }

    fn own_accepted(&self) -> Vec<AcceptedEntry> {
        self.accepted
            .iter()
            .map(|(&instance, &(ballot, value))| AcceptedEntry {
                instance,
                ballot,
                value,
            })
            .collect()
    }

    fn reset_election_timer(&mut self, ctx: &mut Ctx) {
        let (lo, hi) = self.cfg.election_timeout;
        let after = ctx.random_range(lo, hi);
        self.waiting_since = ctx.now;
        ctx.set_timer(PaxosTimer::Election, after);
    }

    // ----- proposer: phase 1 -----

    fn start_phase1(&mut self, ctx: &mut Ctx, why: String) {
        // Above every round this node has seen, so every acceptor that answered a lower
        // ballot can promise this one.
        let round = self.max_round.max(self.promised.round).saturating_add(1);
        self.max_round = round;
        self.ballot = Ballot::new(round, self.me);
        self.promised = self.ballot;
        self.role = Role::Candidate;
        self.leader = None;
        self.preempted_by = None;
        self.proposals.clear();
        self.promises.clear();
        self.promises.insert(self.me, self.own_accepted());
        ctx.note(
            NoteKind::ElectionStart,
            format!(
                "{why}; n{me} runs phase 1 with ballot {b}: it sends Prepare({b}) to all and promises it itself",
                me = self.me,
                b = self.ballot
            ),
        );
        ctx.cancel_timer(PaxosTimer::Heartbeat);
        ctx.cancel_timer(PaxosTimer::Backoff);
        self.reset_election_timer(ctx);
        ctx.broadcast(PaxosMsg::Prepare {
            ballot: self.ballot,
        });
        self.check_phase1(ctx);
    }

    fn on_promise(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        ballot: Ballot,
        accepted: Vec<AcceptedEntry>,
    ) {
        if self.role != Role::Candidate || ballot != self.ballot {
            return; // a late answer to a ballot this node has given up
        }
        self.promises.insert(from, accepted);
        self.check_phase1(ctx);
    }

    fn check_phase1(&mut self, ctx: &mut Ctx) {
        if self.role == Role::Candidate && self.promises.len() >= self.majority() {
            self.become_leader(ctx);
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx) {
        self.role = Role::Leader;
        self.leader = Some(self.me);
        ctx.cancel_timer(PaxosTimer::Election);
        ctx.cancel_timer(PaxosTimer::Backoff);

        // The value accepted with the highest ballot in each instance, over a majority:
        // if anything was chosen there, it is this value (Paxos Made Simple, P2c).
        let mut highest: VecMap<u64, (Ballot, Value)> = VecMap::new();
        for entry in self.promises.values().flatten() {
            let slot = highest
                .entry(entry.instance)
                .or_insert((entry.ballot, entry.value));
            if entry.ballot > slot.0 {
                *slot = (entry.ballot, entry.value);
            }
        }
        let top = [
            highest.keys().next_back(),
            self.chosen.keys().next_back(),
            self.accepted.keys().next_back(),
        ]
        .into_iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
        let voters: Vec<String> = self.promises.keys().map(|n| format!("n{n}")).collect();
        let mut kept = Vec::new();
        let mut gaps = 0;
        let mut plan = Vec::new();
        for instance in 1..=top {
            if self.chosen.contains_key(&instance) {
                continue;
            }
            let value = if self.cfg.bugs.ignore_prior_accepted {
                self.accepted.get(&instance).and_then(|(_, v)| *v)
            } else {
                match highest.get(&instance) {
                    Some((b, v)) => {
                        kept.push(format!("instance {instance}: {} from {b}", describe(*v)));
                        *v
                    }
                    None => {
                        gaps += 1;
                        None
                    }
                }
            };
            plan.push((instance, value));
        }
        self.next_instance = top + 1;
        let duty = if plan.is_empty() {
            "nothing was left unfinished, so it can serve client writes at once".to_string()
        } else {
            let mut parts = Vec::new();
            if !kept.is_empty() {
                parts.push(format!(
                    "it must first re-propose what the promises report as accepted with the highest ballot ({})",
                    kept.join("; ")
                ));
            }
            if gaps > 0 {
                parts.push(format!("fill {gaps} gap(s) with a no-op"));
            }
            if parts.is_empty() {
                parts.push(format!(
                    "it re-proposes {} unfinished instance(s)",
                    plan.len()
                ));
            }
            parts.join(" and ")
        };
        ctx.note(
            NoteKind::Leader,
            format!(
                "n{me} has promises for ballot {b} from {got} of {n} nodes ({who}) and leads; {duty}",
                me = self.me,
                b = self.ballot,
                got = self.promises.len(),
                n = self.cluster_size,
                who = voters.join(", ")
            ),
        );
        self.promises.clear();
        for (instance, value) in plan {
            self.propose(ctx, instance, value);
        }
        self.send_heartbeats(ctx);
    }

    // ----- leader: phase 2 -----

    fn propose(&mut self, ctx: &mut Ctx, instance: u64, value: Value) {
        // The leader's own acceptor has promised this very ballot, so it accepts at once.
        self.accepted.insert(instance, (self.ballot, value));
        let mut acks = VecSet::new();
        acks.insert(self.me);
        self.proposals.insert(instance, Proposal { value, acks });
        ctx.broadcast(PaxosMsg::Accept {
            ballot: self.ballot,
            instance,
            value,
        });
        self.check_chosen(ctx, instance);
    }

    fn on_accepted(&mut self, ctx: &mut Ctx, from: NodeId, ballot: Ballot, instance: u64) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        if let Some(p) = self.proposals.get_mut(&instance) {
            p.acks.insert(from);
            self.check_chosen(ctx, instance);
        }
    }

    fn check_chosen(&mut self, ctx: &mut Ctx, instance: u64) {
        let Some(p) = self.proposals.get(&instance) else {
            return;
        };
        if p.acks.len() < self.majority() {
            return;
        }
        let who: Vec<String> = p.acks.iter().map(|n| format!("n{n}")).collect();
        ctx.note(
            NoteKind::Commit,
            format!(
                "instance {instance} is chosen: {} was accepted at ballot {} by {} of {} nodes ({}), a majority",
                describe(p.value),
                self.ballot,
                p.acks.len(),
                self.cluster_size,
                who.join(", ")
            ),
        );
        self.chosen.insert(instance, (self.ballot, p.value));
        self.proposals.remove(&instance);
    }

    fn send_heartbeats(&mut self, ctx: &mut Ctx) {
        let chosen: Vec<(u64, Value)> = self.chosen.iter().map(|(i, (_, v))| (*i, *v)).collect();
        ctx.broadcast(PaxosMsg::Heartbeat {
            ballot: self.ballot,
            chosen,
        });
        ctx.set_timer(PaxosTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leader {
            return;
        }
        self.send_heartbeats(ctx);
        // Accepts lost on the way are sent again to whoever has not answered.
        let peers: Vec<NodeId> = ctx.peers().collect();
        for (&instance, p) in &self.proposals {
            for &to in peers.iter().filter(|n| !p.acks.contains(n)) {
                ctx.send(
                    to,
                    PaxosMsg::Accept {
                        ballot: self.ballot,
                        instance,
                        value: p.value,
                    },
                );
            }
        }
    }

    fn on_client_write(&mut self, ctx: &mut Ctx, value: u64) {
        if self.role != Role::Leader {
            let who = match self.leader {
                Some(l) => format!("it believes n{l} leads"),
                None => "it knows no leader".to_string(),
            };
            ctx.note(
                NoteKind::Client,
                format!(
                    "n{} is not the leader and rejects write #{value} ({who})",
                    self.me
                ),
            );
            return;
        }
        let instance = self.next_instance.max(1);
        self.next_instance = instance + 1;
        ctx.note(
            NoteKind::Client,
            format!(
                "n{} proposes write #{value} for instance {instance} with ballot {}: phase 1 is already done, so it goes straight to Accept",
                self.me, self.ballot
            ),
        );
        self.propose(ctx, instance, Some(value));
    }

    // ----- pre-emption and backoff -----

    /// This node's own ballot lost to `by`. It stops proposing and, unless backoff is
    /// off, stays quiet for a random while so the other proposer can finish phase 1.
    fn preempted(&mut self, ctx: &mut Ctx, by: Ballot, how: String) {
        let was = self.role;
        let own = self.ballot;
        self.proposals.clear();
        self.promises.clear();
        self.leader = None;
        ctx.cancel_timer(PaxosTimer::Heartbeat);
        ctx.cancel_timer(PaxosTimer::Election);
        let kind = if was == Role::Leader {
            NoteKind::StepDown
        } else {
            NoteKind::Info
        };
        let lost = if was == Role::Leader {
            format!("n{}'s leadership (ballot {own})", self.me)
        } else {
            format!("n{}'s ballot {own}", self.me)
        };
        if self.cfg.randomized_backoff {
            let (lo, hi) = self.cfg.backoff;
            let wait = ctx.random_range(lo, hi);
            self.role = Role::Waiting;
            self.preempted_by = Some(by);
            ctx.set_timer(PaxosTimer::Backoff, wait);
            ctx.note_moment(
                kind,
                Moment::Preempted,
                format!(
                    "{lost} was pre-empted by {by} ({how}); n{me} backs off {} before retrying, unless n{} takes the lead meanwhile",
                    Rounded(wait),
                    by.node,
                    me = self.me,
                ),
            );
        } else {
            let me = self.me;
            let why = if was == Role::Leader {
                ctx.note_moment(
                    kind,
                    Moment::Preempted,
                    format!("n{me} steps down: {lost} was pre-empted by {by} ({how})"),
                );
                format!("with no backoff, n{me} retries at once")
            } else {
                ctx.moment_for_next_note(Moment::Preempted);
                format!(
                    "{lost} was pre-empted by {by} ({how}); with no backoff, n{me} retries at once"
                )
            };
            self.start_phase1(ctx, why);
        }
    }

    fn on_nack(&mut self, ctx: &mut Ctx, from: NodeId, ballot: Ballot, promised: Ballot) {
        self.hear(promised);
        let proposing = matches!(self.role, Role::Candidate | Role::Leader);
        if proposing && ballot == self.ballot && promised > self.ballot {
            let how = format!("n{from} had already promised {promised}");
            self.preempted(ctx, promised, how);
        }
    }

    fn on_backoff_over(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Waiting {
            return;
        }
        let why = match self.preempted_by {
            Some(b) => format!(
                "n{} backed off after losing to {b} and heard no leader since",
                self.me
            ),
            None => format!("n{}'s backoff is over", self.me),
        };
        self.start_phase1(ctx, why);
    }

    fn on_election_timeout(&mut self, ctx: &mut Ctx) {
        let quiet = ctx.now.saturating_sub(self.waiting_since);
        let why = match self.role {
            Role::Leader => return,
            Role::Candidate => format!(
                "n{}'s ballot {} got {} of {} needed promises before timing out",
                self.me,
                self.ballot,
                self.promises.len(),
                self.majority()
            ),
            Role::Waiting => format!("n{} stops backing off", self.me),
            Role::Follower => match self.leader {
                Some(l) => format!(
                    "n{} heard nothing from leader n{l} for {}",
                    self.me,
                    Rounded(quiet)
                ),
                None => format!("n{} heard no leader for {}", self.me, Rounded(quiet)),
            },
        };
        self.start_phase1(ctx, why);
    }

    // ----- acceptor -----

    fn on_prepare(&mut self, ctx: &mut Ctx, from: NodeId, ballot: Ballot) {
        self.hear(ballot);
        let me = self.me;
        let may_promise = ballot >= self.promised || self.cfg.bugs.promise_twice;
        if !may_promise {
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{me} refuses Prepare({ballot}) from n{from}: it already promised {}",
                    self.promised
                ),
            );
            ctx.send(
                from,
                PaxosMsg::Nack {
                    ballot,
                    promised: self.promised,
                },
            );
            return;
        }
        let before = self.promised;
        self.promised = ballot;
        let accepted = self.own_accepted();
        let reported = match accepted.len() {
            0 => "has accepted nothing to report".to_string(),
            1 => "reports its 1 accepted instance".to_string(),
            k => format!("reports its {k} accepted instances"),
        };
        let previous = if before == Ballot::NONE {
            "it had promised nothing".to_string()
        } else {
            format!("higher than its previous promise {before}")
        };
        ctx.note(
            NoteKind::Vote,
            format!("n{me} promises ballot {ballot} to n{from} ({previous}) and {reported}"),
        );
        ctx.send(from, PaxosMsg::Promise { ballot, accepted });
        match self.role {
            Role::Leader | Role::Candidate if ballot > self.ballot => {
                let how = format!("Prepare({ballot}) arrived from n{from}");
                self.preempted(ctx, ballot, how);
            }
            Role::Follower => {
                // The old leader, if any, can no longer get anything accepted here.
                self.leader = None;
                self.reset_election_timer(ctx);
            }
            _ => {}
        }
    }

    fn on_accept(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        ballot: Ballot,
        instance: u64,
        value: Value,
    ) {
        self.hear(ballot);
        if ballot < self.promised && !self.cfg.bugs.accept_below_promise {
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{} refuses Accept({ballot}) for instance {instance} from n{from}: it promised {}",
                    self.me, self.promised
                ),
            );
            ctx.send(
                from,
                PaxosMsg::Nack {
                    ballot,
                    promised: self.promised,
                },
            );
            return;
        }
        self.accepted.insert(instance, (ballot, value));
        ctx.send(from, PaxosMsg::Accepted { ballot, instance });
        if ballot >= self.promised {
            self.follow(ctx, from, ballot);
        }
    }

    fn on_heartbeat(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        ballot: Ballot,
        chosen: Vec<(u64, Value)>,
    ) {
        self.hear(ballot);
        if ballot < self.promised {
            // Telling the stale leader about the newer ballot makes it step back.
            ctx.send(
                from,
                PaxosMsg::Nack {
                    ballot,
                    promised: self.promised,
                },
            );
            return;
        }
        self.follow(ctx, from, ballot);
        for (instance, value) in chosen {
            self.chosen.entry(instance).or_insert((ballot, value));
        }
    }

    /// A leader with a ballot at least our promise has spoken: it holds phase 1 for
    /// that ballot, so this node follows it whatever it was doing.
    fn follow(&mut self, ctx: &mut Ctx, from: NodeId, ballot: Ballot) {
        self.promised = self.promised.max(ballot);
        let me = self.me;
        match self.role {
            Role::Leader | Role::Candidate => ctx.note(
                NoteKind::StepDown,
                format!(
                    "n{me} hears from n{from}, leader of ballot {ballot}, which is above its own {}, and follows it",
                    self.ballot
                ),
            ),
            Role::Waiting => ctx.note(
                NoteKind::Info,
                format!(
                    "n{me} stops backing off: n{from} leads with ballot {ballot}, so n{me} follows it"
                ),
            ),
            // Following is not a takeover: only the winner's own line is a Leader note.
            Role::Follower if self.leader != Some(from) => ctx.note(
                NoteKind::Info,
                format!("n{me} now follows n{from}, leader of ballot {ballot}"),
            ),
            Role::Follower => {}
        }
        if self.role != Role::Follower {
            ctx.cancel_timer(PaxosTimer::Heartbeat);
            ctx.cancel_timer(PaxosTimer::Backoff);
            self.proposals.clear();
            self.promises.clear();
        }
        self.role = Role::Follower;
        self.preempted_by = None;
        self.leader = Some(from);
        self.reset_election_timer(ctx);
    }
}

impl Algorithm for Paxos {
    fn term_label(term: u64) -> String {
        format!("ballot {}", Ballot::decode(term))
    }

    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type Persistent = PaxosDisk;
    type Config = PaxosConfig;
    type Monitor = PaxosMonitor;

    fn boot(me: NodeId, cluster_size: usize, config: &PaxosConfig) -> Self {
        Paxos::recover(me, cluster_size, config, &PaxosDisk::default())
    }

    fn recover(me: NodeId, cluster_size: usize, config: &PaxosConfig, disk: &PaxosDisk) -> Self {
        Paxos {
            me,
            cluster_size,
            cfg: config.clone(),
            promised: disk.promised,
            accepted: disk.accepted.clone(),
            max_round: disk.max_round,
            role: Role::Follower,
            ballot: Ballot::NONE,
            leader: None,
            promises: VecMap::new(),
            proposals: VecMap::new(),
            chosen: VecMap::new(),
            next_instance: 1,
            preempted_by: None,
            waiting_since: 0,
        }
    }

    fn persistent(&self) -> PaxosDisk {
        PaxosDisk {
            promised: self.promised,
            accepted: self.accepted.clone(),
            max_round: self.max_round,
        }
    }

    fn step(&mut self, ctx: &mut Ctx, input: Input<PaxosMsg, PaxosTimer>) {
        match input {
            Input::Start { recovered } => {
                let text = if recovered {
                    format!(
                        "n{} restarts as a follower: its promise {}, {} accepted instance(s) and highest round {} come back from disk; which instances are chosen it must hear again from a leader",
                        self.me,
                        self.promised,
                        self.accepted.len(),
                        self.max_round
                    )
                } else {
                    format!(
                        "n{} starts as a follower and acceptor, having promised nothing",
                        self.me
                    )
                };
                ctx.note(NoteKind::Info, text);
                self.reset_election_timer(ctx);
                if self.cluster_size == 1 {
                    let why = format!("n{} is alone in its cluster", self.me);
                    self.start_phase1(ctx, why);
                }
            }
            Input::Timer(PaxosTimer::Election) => self.on_election_timeout(ctx),
            Input::Timer(PaxosTimer::Heartbeat) => self.on_heartbeat_timer(ctx),
            Input::Timer(PaxosTimer::Backoff) => self.on_backoff_over(ctx),
            Input::ClientWrite { value } => self.on_client_write(ctx, value),
            Input::Message { from, msg } => match msg {
                PaxosMsg::Prepare { ballot } => self.on_prepare(ctx, from, ballot),
                PaxosMsg::Promise { ballot, accepted } => {
                    self.on_promise(ctx, from, ballot, accepted)
                }
                PaxosMsg::Nack { ballot, promised } => self.on_nack(ctx, from, ballot, promised),
                PaxosMsg::Accept {
                    ballot,
                    instance,
                    value,
                } => self.on_accept(ctx, from, ballot, instance, value),
                PaxosMsg::Accepted { ballot, instance } => {
                    self.on_accepted(ctx, from, ballot, instance)
                }
                PaxosMsg::Heartbeat { ballot, chosen } => {
                    self.on_heartbeat(ctx, from, ballot, chosen)
                }
            },
        }
    }

    fn view(&self) -> NodeView {
        let ballot = self.current_ballot();
        let mut fields = vec![
            ("ballot".to_string(), ballot.to_string()),
            ("promised".to_string(), self.promised.to_string()),
            ("accepted".to_string(), self.accepted.len().to_string()),
        ];
        match self.role {
            Role::Candidate => fields.push((
                "promises".into(),
                format!(
                    "{}/{} (need {})",
                    self.promises.len(),
                    self.cluster_size,
                    self.majority()
                ),
            )),
            Role::Leader => fields.push(("pending".into(), self.proposals.len().to_string())),
            Role::Waiting => {
                if let Some(b) = self.preempted_by {
                    fields.push(("pre-empted by".into(), b.to_string()));
                }
            }
            Role::Follower => {}
        }
        let top = self
            .accepted
            .keys()
            .next_back()
            .copied()
            .max(self.chosen.keys().next_back().copied())
            .unwrap_or(0);
        let log = (1..=top)
            .map(|i| match (self.chosen.get(&i), self.accepted.get(&i)) {
                (Some(&(_, v)), Some(&(b, w))) if v == w => LogEntryView {
                    term: b.encode(),
                    committed: true,
                    value: v,
                },
                (Some(&(b, v)), _) => LogEntryView {
                    term: b.encode(),
                    committed: true,
                    value: v,
                },
                (None, Some(&(b, v))) => LogEntryView {
                    term: b.encode(),
                    committed: false,
                    value: v,
                },
                (None, None) => LogEntryView {
                    term: 0,
                    committed: false,
                    value: None,
                },
            })
            .collect();
        let commit_index = (1..=top)
            .take_while(|i| self.chosen.contains_key(i))
            .count() as u64;
        NodeView {
            role: self.role.name().into(),
            is_leader: self.role == Role::Leader,
            term: ballot.encode(),
            voted_for: (self.promised != Ballot::NONE).then_some(self.promised.node),
            leader: self.leader,
            log,
            commit_index,
            fields,
        }
    }

    fn leadership(&self) -> Option<u64> {
        (self.role == Role::Leader).then(|| self.current_ballot().encode())
    }

    fn election_timer() -> Option<PaxosTimer> {
        Some(PaxosTimer::Election)
    }
}
