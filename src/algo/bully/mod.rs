//! The Bully algorithm (Garcia-Molina, "Elections in a Distributed Computing System",
//! 1982, in the textbook form of Coulouris et al. §15.3): the highest live id leads.
//! A node that suspects its leader sends ELECTION to every higher id; any higher node
//! that is alive answers (the "OK") and takes over the election; a node that hears no
//! answer declares itself COORDINATOR to everyone. A recovering higher node bullies its
//! way back by running an election it is sure to win.
//!
//! There are no terms and no quorum: with a perfect failure detector there is one
//! leader, but a partition or a long pause makes each side elect its own, which the
//! kernel reports as a split-brain warning rather than a violation.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::BullyMonitor;

use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, MS, Message, Micros, MsgClass, NodeId, NodeView, NoteKind, Timer,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BullyConfig {
    /// A follower suspects its leader after hearing nothing for a time drawn afresh
    /// from this range (the failure detector).
    pub election_timeout: (Micros, Micros),
    /// How often the leader tells every node it is alive.
    pub heartbeat: Micros,
    /// How long a candidate waits for an ANSWER before concluding that every higher
    /// node is dead. It must cover a round trip, which the engine cannot measure.
    pub answer_timeout: Micros,
    /// How long a node that got an ANSWER waits for the COORDINATOR before it assumes
    /// the higher node died mid-election and starts over.
    pub coordinator_timeout: Micros,
    #[serde(skip)]
    bugs: Bugs,
}

impl Default for BullyConfig {
    fn default() -> Self {
        let heartbeat = 50 * MS;
        let election_timeout = (150 * MS, 300 * MS);
        BullyConfig {
            election_timeout,
            heartbeat,
            answer_timeout: 2 * heartbeat,
            coordinator_timeout: election_timeout.1,
            bugs: Bugs::default(),
        }
    }
}

/// Deliberate defects, so tests can prove the invariant checkers catch them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    ignore_answers: bool,
    accept_lower_coordinator: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BullyBug {
    /// Keep campaigning after an ANSWER and declare at the answer timeout anyway.
    IgnoreAnswers,
    /// Follow whoever sends COORDINATOR, even a lower id.
    AcceptLowerCoordinator,
}

#[cfg(feature = "bug-injection")]
impl BullyConfig {
    pub fn with_bug(mut self, bug: BullyBug) -> Self {
        match bug {
            BullyBug::IgnoreAnswers => self.bugs.ignore_answers = true,
            BullyBug::AcceptLowerCoordinator => self.bugs.accept_lower_coordinator = true,
        }
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BullyMsg {
    /// "I am holding an election": sent only to higher ids.
    Election,
    /// "I am alive and outrank you; I take over from here" (the textbook's OK).
    Answer,
    /// "I am the leader now", sent to every other node.
    Coordinator,
    /// The leader's periodic "still alive", which feeds the failure detector.
    Heartbeat,
}

impl Message for BullyMsg {
    fn kind(&self) -> &'static str {
        match self {
            BullyMsg::Election => "Election",
            BullyMsg::Answer => "Answer",
            BullyMsg::Coordinator => "Coordinator",
            BullyMsg::Heartbeat => "Heartbeat",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            BullyMsg::Election => MsgClass::VoteRequest,
            BullyMsg::Answer => MsgClass::VoteDenied,
            BullyMsg::Coordinator => MsgClass::Announce,
            BullyMsg::Heartbeat => MsgClass::Heartbeat,
        }
    }

    fn term(&self) -> Option<u64> {
        None
    }

    fn summary(&self) -> String {
        match self {
            BullyMsg::Election => "is any higher node alive?",
            BullyMsg::Answer => "alive and higher: stand down",
            BullyMsg::Coordinator => "I am the leader",
            BullyMsg::Heartbeat => "leader alive",
        }
        .to_string()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BullyTimer {
    /// A follower's failure detector for its leader ("force timeout" fires this one).
    Election,
    /// A candidate's wait for any ANSWER.
    Answer,
    /// A waiting node's wait for the COORDINATOR that the ANSWER promised.
    Coordinator,
    /// The leader's heartbeat interval.
    Heartbeat,
}

impl Timer for BullyTimer {
    fn label(&self) -> &'static str {
        match self {
            BullyTimer::Election => "election",
            BullyTimer::Answer => "answer",
            BullyTimer::Coordinator => "coordinator",
            BullyTimer::Heartbeat => "heartbeat",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    /// Sent ELECTION to the higher ids, awaiting answers.
    Candidate,
    /// A higher node answered: awaiting its COORDINATOR.
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

/// One election this node ran, kept after it ends so the monitor can see how the
/// node's leadership (if any) came about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElectionRound {
    /// 1 for the first election since boot or restart, then 2, 3, ...
    pub number: u64,
    /// Higher ids asked for an answer.
    pub asked: Vec<NodeId>,
    /// Higher ids that answered while the election was open.
    pub answered_by: VecSet<NodeId>,
}

type Ctx<'a, 'b> = Context<'a, BullyMsg, BullyTimer>;

#[derive(Clone, Debug)]
pub struct Bully {
    me: NodeId,
    cluster_size: usize,
    cfg: BullyConfig,
    role: Role,
    leader: Option<NodeId>,
    /// The latest election this node started (the one that made it leader, if it leads).
    round: ElectionRound,
    /// Local time of the last sign of life from the leader, for "heard nothing for X".
    heard_leader_at: Micros,
    /// Local time this node last broadcast COORDINATOR, while it leads.
    announced_at: Option<Micros>,
}

impl Bully {
    pub fn id(&self) -> NodeId {
        self.me
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    pub fn current_round(&self) -> &ElectionRound {
        &self.round
    }

    pub fn elections_started(&self) -> u64 {
        self.round.number
    }

    fn higher_ids(&self) -> Vec<NodeId> {
        (self.me + 1..=self.cluster_size as NodeId).collect()
    }

    fn campaigning(&self) -> bool {
        matches!(self.role, Role::Candidate | Role::Waiting)
    }

    fn cancel_all_timers(&self, ctx: &mut Ctx) {
        for t in [
            BullyTimer::Election,
            BullyTimer::Answer,
            BullyTimer::Coordinator,
            BullyTimer::Heartbeat,
        ] {
            ctx.cancel_timer(t);
        }
    }

    fn reset_leader_timer(&mut self, ctx: &mut Ctx) {
        let (lo, hi) = self.cfg.election_timeout;
        let after = ctx.random_range(lo, hi);
        self.heard_leader_at = ctx.now;
        ctx.set_timer(BullyTimer::Election, after);
    }

    // ----- campaigning -----

    /// Starts a new election: ELECTION to every higher id, or victory at once when
    /// there is none. `why` completes "n3 starts an election because ...".
    fn start_election(&mut self, ctx: &mut Ctx, why: String) {
        let me = self.me;
        if self.role == Role::Leader {
            ctx.note(
                NoteKind::StepDown,
                format!("n{me} stops leading for a moment to run a new election"),
            );
        }
        self.cancel_all_timers(ctx);
        self.announced_at = None;
        self.role = Role::Candidate;
        self.leader = None;
        self.round = ElectionRound {
            number: self.round.number + 1,
            asked: self.higher_ids(),
            answered_by: VecSet::new(),
        };
        if self.round.asked.is_empty() {
            ctx.note(
                NoteKind::ElectionStart,
                format!(
                    "n{me} starts an election because {why}; no node has a higher id, so n{me} wins without asking anyone"
                ),
            );
            self.become_leader(ctx);
            return;
        }
        let asked: Vec<String> = self.round.asked.iter().map(|n| format!("n{n}")).collect();
        ctx.note(
            NoteKind::ElectionStart,
            format!(
                "n{me} starts an election because {why}: it sends ELECTION to the higher ids {} and waits {} for an ANSWER",
                asked.join(", "),
                Rounded(self.cfg.answer_timeout)
            ),
        );
        for to in self.round.asked.clone() {
            ctx.send(to, BullyMsg::Election);
        }
        ctx.set_timer(BullyTimer::Answer, self.cfg.answer_timeout);
    }

    fn become_leader(&mut self, ctx: &mut Ctx) {
        let me = self.me;
        self.cancel_all_timers(ctx);
        self.role = Role::Leader;
        self.leader = Some(me);
        self.announced_at = Some(ctx.now);
        ctx.note(
            NoteKind::Leader,
            format!(
                "n{me} becomes leader and sends COORDINATOR to every other node; from now on it sends a heartbeat every {}",
                Rounded(self.cfg.heartbeat)
            ),
        );
        ctx.broadcast(BullyMsg::Coordinator);
        ctx.set_timer(BullyTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn follow(&mut self, ctx: &mut Ctx, leader: NodeId) {
        if self.role == Role::Leader {
            ctx.note(
                NoteKind::StepDown,
                format!(
                    "n{} steps down: n{leader} has a higher id and leads",
                    self.me
                ),
            );
        }
        self.cancel_all_timers(ctx);
        self.announced_at = None;
        self.role = Role::Follower;
        self.leader = Some(leader);
        self.reset_leader_timer(ctx);
    }

    /// A leadership claim from a lower id: the node outranks the claimant, so it
    /// takes the lead itself (which is what gives the algorithm its name).
    fn bully(&mut self, ctx: &mut Ctx, claimant: NodeId, via: &str) {
        let me = self.me;
        if let Some(at) = self.announced_at {
            let since = ctx.now.saturating_sub(at);
            if since < self.cfg.answer_timeout {
                // Claims that crossed our COORDINATOR on the wire (or waited out a
                // pause in our inbox) are stale: the announcement answers them already.
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{me} ignores the {via} from n{claimant}: it was sent before n{claimant} could hear n{me}'s COORDINATOR of {} ago",
                        Rounded(since)
                    ),
                );
                return;
            }
        }
        self.start_election(
            ctx,
            format!("n{claimant} claims to lead with a {via} but n{me} has a higher id"),
        );
    }

    fn on_leader_timeout(&mut self, ctx: &mut Ctx) {
        let me = self.me;
        match self.role {
            Role::Follower => {
                let quiet = Rounded(ctx.now.saturating_sub(self.heard_leader_at));
                let why = match self.leader {
                    Some(l) => format!("it heard nothing from leader n{l} for {quiet}"),
                    None => format!("it has heard no leader for {quiet}"),
                };
                self.start_election(ctx, why);
            }
            Role::Leader => ctx.note(
                NoteKind::Info,
                format!("n{me} leads: it has no leader to suspect, so the timeout changes nothing"),
            ),
            Role::Candidate | Role::Waiting => ctx.note(
                NoteKind::Info,
                format!("n{me} is already in an election, so the timeout changes nothing"),
            ),
        }
    }

    fn on_answer_timeout(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Candidate {
            return;
        }
        let me = self.me;
        let waited = Rounded(self.cfg.answer_timeout);
        if self.round.answered_by.is_empty() {
            ctx.note(
                NoteKind::Info,
                format!(
                    "no higher node answered n{me} within {waited}: n{me} concludes they are all down"
                ),
            );
        } else {
            // Only the IgnoreAnswers defect stays a candidate after an answer.
            let names: Vec<String> = self
                .round
                .answered_by
                .iter()
                .map(|n| format!("n{n}"))
                .collect();
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{me} ignores the ANSWER from {} and declares itself anyway",
                    names.join(", ")
                ),
            );
        }
        self.become_leader(ctx);
    }

    fn on_coordinator_timeout(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Waiting {
            return;
        }
        let names: Vec<String> = self
            .round
            .answered_by
            .iter()
            .map(|n| format!("n{n}"))
            .collect();
        let why = format!(
            "{} answered but no COORDINATOR came within {}, so the higher node may have failed mid-election",
            names.join(", "),
            Rounded(self.cfg.coordinator_timeout)
        );
        self.start_election(ctx, why);
    }

    // ----- messages -----

    fn on_election(&mut self, ctx: &mut Ctx, from: NodeId) {
        let me = self.me;
        if from > me {
            ctx.note(
                NoteKind::Info,
                format!("n{me} ignores ELECTION from the higher n{from}: only lower ids ask it"),
            );
            return;
        }
        ctx.send(from, BullyMsg::Answer);
        match self.role {
            Role::Leader => {
                // A higher live node would already have bullied us, so the election
                // would end with us again: remind the asker instead of re-running it.
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} gets ELECTION from n{from}: it ANSWERs, and as the current leader it repeats COORDINATOR to n{from}"
                    ),
                );
                ctx.send(from, BullyMsg::Coordinator);
            }
            Role::Candidate | Role::Waiting => ctx.note(
                NoteKind::Vote,
                format!(
                    "n{me} gets ELECTION from n{from}: it ANSWERs so n{from} stands down; n{me} is already in an election"
                ),
            ),
            Role::Follower => {
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} gets ELECTION from n{from}: it ANSWERs so n{from} stands down, and takes over the election"
                    ),
                );
                self.start_election(ctx, format!("the lower n{from} held an election"));
            }
        }
    }

    fn on_answer(&mut self, ctx: &mut Ctx, from: NodeId) {
        let me = self.me;
        if from < me {
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{me} ignores an ANSWER from the lower n{from}: only higher ids can stop it"
                ),
            );
            return;
        }
        if !self.campaigning() {
            ctx.note(
                NoteKind::Info,
                format!("n{me} ignores a late ANSWER from n{from}: its election is over"),
            );
            return;
        }
        self.round.answered_by.insert(from);
        if self.cfg.bugs.ignore_answers {
            return;
        }
        if self.role == Role::Candidate {
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{me} gets ANSWER from n{from}: a higher node is alive, so n{me} stops campaigning and waits up to {} for a COORDINATOR",
                    Rounded(self.cfg.coordinator_timeout)
                ),
            );
            ctx.cancel_timer(BullyTimer::Answer);
            self.role = Role::Waiting;
            ctx.set_timer(BullyTimer::Coordinator, self.cfg.coordinator_timeout);
        } else {
            ctx.note(
                NoteKind::Vote,
                format!("n{me} gets another ANSWER, from n{from}, and keeps waiting"),
            );
        }
    }

    fn on_coordinator(&mut self, ctx: &mut Ctx, from: NodeId) {
        let me = self.me;
        if from > me || self.cfg.bugs.accept_lower_coordinator {
            if self.leader == Some(from) && self.role == Role::Follower {
                self.reset_leader_timer(ctx);
                return;
            }
            ctx.note(
                NoteKind::Info,
                format!("n{me} accepts COORDINATOR from n{from} and follows it"),
            );
            self.follow(ctx, from);
        } else if self.campaigning() {
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{me} ignores COORDINATOR from the lower n{from}: n{me}'s own election is still running and outranks it"
                ),
            );
        } else {
            self.bully(ctx, from, "COORDINATOR");
        }
    }

    fn on_heartbeat(&mut self, ctx: &mut Ctx, from: NodeId) {
        let me = self.me;
        if self.leader == Some(from) && self.role == Role::Follower {
            self.reset_leader_timer(ctx);
            return;
        }
        if from > me {
            match (self.role, self.leader) {
                (Role::Follower, Some(l)) if l > from => ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{me} ignores a heartbeat from n{from}: it follows n{l}, which outranks n{from} and will bully it"
                    ),
                ),
                _ => {
                    ctx.note(
                        NoteKind::Info,
                        format!("n{me} hears a heartbeat from the higher n{from} and follows it"),
                    );
                    self.follow(ctx, from);
                }
            }
        } else if self.role == Role::Leader {
            self.bully(ctx, from, "heartbeat");
        } else {
            let who = match (self.role, self.leader) {
                (Role::Follower, Some(l)) => format!("its leader n{l}"),
                _ => format!("n{me}'s own election"),
            };
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{me} ignores a heartbeat from the lower n{from}: {who} will put it right"
                ),
            );
        }
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leader {
            return;
        }
        ctx.broadcast(BullyMsg::Heartbeat);
        ctx.set_timer(BullyTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn on_client_write(&mut self, ctx: &mut Ctx, value: u64) {
        let me = self.me;
        let text = match (self.role, self.leader) {
            (Role::Leader, _) => format!(
                "n{me} leads and takes write #{value}; Bully only elects a coordinator, it replicates nothing"
            ),
            (_, Some(l)) => format!("n{me} is not the leader: write #{value} belongs at n{l}"),
            _ => format!("n{me} knows no leader yet, so write #{value} is refused"),
        };
        ctx.note(NoteKind::Info, text);
    }
}

impl Algorithm for Bully {
    type Msg = BullyMsg;
    type Timer = BullyTimer;
    /// Nothing needs to survive a crash: a restarted node simply holds an election.
    type Persistent = ();
    type Config = BullyConfig;
    type Monitor = BullyMonitor;

    fn boot(me: NodeId, cluster_size: usize, config: &BullyConfig) -> Self {
        Bully::recover(me, cluster_size, config, &())
    }

    fn recover(me: NodeId, cluster_size: usize, config: &BullyConfig, _disk: &()) -> Self {
        Bully {
            me,
            cluster_size,
            cfg: config.clone(),
            role: Role::Follower,
            leader: None,
            round: ElectionRound::default(),
            heard_leader_at: 0,
            announced_at: None,
        }
    }

    fn persistent(&self) {}

    fn step(&mut self, ctx: &mut Ctx, input: Input<BullyMsg, BullyTimer>) {
        match input {
            Input::Start { recovered } => {
                let why = if recovered {
                    "it has just restarted and does not know who leads"
                } else {
                    "it has just booted and does not know who leads"
                };
                self.start_election(ctx, why.to_string());
            }
            Input::Timer(BullyTimer::Election) => self.on_leader_timeout(ctx),
            Input::Timer(BullyTimer::Answer) => self.on_answer_timeout(ctx),
            Input::Timer(BullyTimer::Coordinator) => self.on_coordinator_timeout(ctx),
            Input::Timer(BullyTimer::Heartbeat) => self.on_heartbeat_timer(ctx),
            Input::ClientWrite { value } => self.on_client_write(ctx, value),
            Input::Message { from, msg } => {
                if from == self.me || from == 0 || from as usize > self.cluster_size {
                    return;
                }
                match msg {
                    BullyMsg::Election => self.on_election(ctx, from),
                    BullyMsg::Answer => self.on_answer(ctx, from),
                    BullyMsg::Coordinator => self.on_coordinator(ctx, from),
                    BullyMsg::Heartbeat => self.on_heartbeat(ctx, from),
                }
            }
        }
    }

    fn view(&self) -> NodeView {
        let mut fields = Vec::new();
        match self.role {
            Role::Candidate | Role::Waiting => fields.push((
                "answers".to_string(),
                format!(
                    "{}/{}",
                    self.round.answered_by.len(),
                    self.round.asked.len()
                ),
            )),
            Role::Leader | Role::Follower => {
                if let Some(l) = self.leader {
                    fields.push(("leader".to_string(), format!("n{l}")));
                }
            }
        }
        fields.push(("elections".to_string(), self.round.number.to_string()));
        NodeView {
            role: self.role.name().into(),
            is_leader: self.role == Role::Leader,
            term: 0,
            voted_for: None,
            leader: self.leader,
            log: Vec::new(),
            commit_index: 0,
            fields,
        }
    }

    fn leadership(&self) -> Option<u64> {
        (self.role == Role::Leader).then_some(0)
    }

    fn election_timer() -> Option<BullyTimer> {
        Some(BullyTimer::Election)
    }

    const ONE_LEADER_PER_TERM: bool = false;
}
