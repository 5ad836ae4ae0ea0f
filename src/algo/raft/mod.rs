//! Raft leader election (Ongaro & Ousterhout, §5.2 and §5.4.1) with enough log
//! replication to show why a node with a stale log cannot win, plus etcd-style PreVote
//! and CheckQuorum. Each role's rules sit in their own handler, as in the paper.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::RaftMonitor;

use crate::sim::Moment;
use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Headline, Input, LogEntryView, Message, Micros, MsgClass, NodeId, NodeView,
    NoteKind, Timer,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaftConfig {
    /// Each election timeout is drawn afresh from this range (§5.2).
    pub election_timeout: (Micros, Micros),
    pub heartbeat: Micros,
    /// Campaign only after a majority says it would vote (Raft thesis §9.6, etcd).
    pub prevote: bool,
    /// Leaders step down without a quorum; followers in contact with a leader ignore
    /// disruptive vote requests (etcd's CheckQuorum and leader lease).
    pub check_quorum: bool,
    #[serde(skip)]
    bugs: Bugs,
}

impl Default for RaftConfig {
    /// The defaults the settings declare (see `descriptor.rs`): written once.
    fn default() -> Self {
        use crate::algo::Configure;
        Raft::configure(&crate::settings::Setup::defaults(5))
    }
}

/// Deliberate defects, so tests can prove the invariant checkers catch them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    vote_twice: bool,
    skip_log_check: bool,
    echo: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftBug {
    /// Grant every vote request in a term, not only the first.
    VoteTwicePerTerm,
    /// Grant votes without the §5.4.1 up-to-date check.
    SkipLogCheck,
    /// Repeat every message received to every peer: each message begets N-1 more, a
    /// flood the kernel's guard must stop.
    EchoEveryMessage,
}

#[cfg(feature = "bug-injection")]
impl RaftConfig {
    pub fn with_bug(mut self, bug: RaftBug) -> Self {
        match bug {
            RaftBug::VoteTwicePerTerm => self.bugs.vote_twice = true,
            RaftBug::SkipLogCheck => self.bugs.skip_log_check = true,
            RaftBug::EchoEveryMessage => self.bugs.echo = true,
        }
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    /// A client write's value; `None` is the no-op a new leader appends (§8).
    pub value: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    StaleTerm { mine: u64 },
    AlreadyVoted { for_node: NodeId },
    HasLeader { leader: NodeId },
    LogBehind { mine: (u64, u64) },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendEntries {
    pub term: u64,
    pub prev_index: u64,
    pub prev_term: u64,
    pub entries: Vec<Entry>,
    pub commit: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaftMsg {
    Vote {
        term: u64,
        last_index: u64,
        last_term: u64,
        pre: bool,
    },
    VoteReply {
        term: u64,
        granted: bool,
        pre: bool,
        denial: Option<Denial>,
    },
    Append(AppendEntries),
    AppendReply {
        term: u64,
        success: bool,
        /// On success the last index now matching; on failure the follower's last index.
        match_index: u64,
    },
}

impl Message for RaftMsg {
    fn kind(&self) -> &'static str {
        match self {
            RaftMsg::Vote { pre: false, .. } => "RequestVote",
            RaftMsg::Vote { pre: true, .. } => "PreVote",
            RaftMsg::VoteReply { pre: false, .. } => "VoteReply",
            RaftMsg::VoteReply { pre: true, .. } => "PreVoteReply",
            RaftMsg::Append { .. } => "AppendEntries",
            RaftMsg::AppendReply { .. } => "AppendReply",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            RaftMsg::Vote { .. } => MsgClass::VoteRequest,
            RaftMsg::VoteReply { granted: true, .. } => MsgClass::VoteGranted,
            RaftMsg::VoteReply { granted: false, .. } => MsgClass::VoteDenied,
            RaftMsg::Append(a) if a.entries.is_empty() => MsgClass::Heartbeat,
            RaftMsg::Append(_) => MsgClass::Append,
            RaftMsg::AppendReply { .. } => MsgClass::Reply,
        }
    }

    fn term(&self) -> Option<u64> {
        Some(match self {
            RaftMsg::Vote { term, .. }
            | RaftMsg::VoteReply { term, .. }
            | RaftMsg::Append(AppendEntries { term, .. })
            | RaftMsg::AppendReply { term, .. } => *term,
        })
    }

    fn summary(&self) -> String {
        match self {
            RaftMsg::Vote {
                term,
                last_index,
                last_term,
                ..
            } => format!("term {term}, last log {last_index}@{last_term}"),
            RaftMsg::VoteReply {
                term,
                granted: true,
                ..
            } => format!("term {term}, granted"),
            RaftMsg::VoteReply { term, denial, .. } => {
                let why = match denial {
                    Some(Denial::StaleTerm { .. }) => "stale term",
                    Some(Denial::AlreadyVoted { .. }) => "already voted",
                    Some(Denial::HasLeader { .. }) => "has a leader",
                    Some(Denial::LogBehind { .. }) => "log not up to date",
                    None => "denied",
                };
                format!("term {term}, denied: {why}")
            }
            RaftMsg::Append(a) if a.entries.is_empty() => format!(
                "term {}, heartbeat, prev {}, commit {}",
                a.term, a.prev_index, a.commit
            ),
            RaftMsg::Append(a) => format!(
                "term {}, {} entries after {}, commit {}",
                a.term,
                a.entries.len(),
                a.prev_index,
                a.commit
            ),
            RaftMsg::AppendReply {
                term,
                success,
                match_index,
            } => {
                let verdict = if *success { "ok" } else { "mismatch" };
                format!("term {term}, {verdict}, index {match_index}")
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RaftTimer {
    Election,
    Heartbeat,
    QuorumCheck,
}

impl Timer for RaftTimer {
    fn label(&self) -> &'static str {
        match self {
            RaftTimer::Election => "election",
            RaftTimer::Heartbeat => "heartbeat",
            RaftTimer::QuorumCheck => "quorum-check",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// What Raft keeps on stable storage (Figure 2: currentTerm, votedFor, log[]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaftDisk {
    pub term: u64,
    pub voted_for: Option<NodeId>,
    pub log: Vec<Entry>,
}

type Ctx<'a, 'b> = Context<'a, RaftMsg, RaftTimer>;

/// Most entries one AppendEntries carries, so a far-behind follower catches up in steps.
const MAX_BATCH: usize = 16;

#[derive(Clone, Debug)]
pub struct Raft {
    me: NodeId,
    cluster_size: usize,
    cfg: RaftConfig,
    // Persistent.
    term: u64,
    voted_for: Option<NodeId>,
    log: Vec<Entry>,
    // Volatile.
    role: Role,
    leader: Option<NodeId>,
    commit: u64,
    /// Responses in the current (pre-)campaign: node -> granted.
    votes: crate::sim::VecMap<NodeId, bool>,
    next_index: Vec<u64>,
    match_index: Vec<u64>,
    /// Followers heard from since the last CheckQuorum round.
    active: VecSet<NodeId>,
    /// Local time the election timer was last reset, for "heard nothing for X".
    waiting_since: Micros,
    /// Local time of the last message from a leader of the current term.
    leader_contact: Option<Micros>,
    /// Highest index already explained as "on a majority but not committable".
    explained: u64,
}

impl Raft {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn term(&self) -> u64 {
        self.term
    }

    pub fn log(&self) -> &[Entry] {
        &self.log
    }

    pub fn commit_index(&self) -> u64 {
        self.commit
    }

    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    fn last_term(&self) -> u64 {
        self.log.last().map_or(0, |e| e.term)
    }

    fn term_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.term)
        }
    }

    fn majority(&self) -> usize {
        self.cluster_size / 2 + 1
    }

    /// §5.4.1: the candidate's log is at least as up to date as ours.
    fn candidate_up_to_date(&self, last_index: u64, last_term: u64) -> bool {
        last_term > self.last_term()
            || (last_term == self.last_term() && last_index >= self.last_index())
    }

    fn reset_election_timer(&mut self, ctx: &mut Ctx) {
        let (lo, hi) = self.cfg.election_timeout;
        let after = ctx.random_range(lo, hi);
        self.waiting_since = ctx.now;
        ctx.set_timer(RaftTimer::Election, after);
    }

    fn become_follower(&mut self, ctx: &mut Ctx, term: u64, leader: Option<NodeId>) {
        let was = self.role;
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            self.leader_contact = None;
        }
        self.role = Role::Follower;
        self.leader = leader;
        self.votes.clear();
        if was == Role::Leader {
            ctx.cancel_timer(RaftTimer::Heartbeat);
            ctx.cancel_timer(RaftTimer::QuorumCheck);
        }
        if was != Role::Follower {
            self.reset_election_timer(ctx);
        }
    }

    fn step_down_for_term(&mut self, ctx: &mut Ctx, from: NodeId, term: u64) {
        if self.role != Role::Follower {
            // A candidate whose term ends without a winner after it heard from a
            // majority saw a split vote, whether it times out or a higher term ends it.
            if self.role == Role::Candidate && self.votes.len() >= self.majority() {
                ctx.moment_for_next_note(Moment::SplitVote);
            }
            ctx.note(
                NoteKind::StepDown,
                format!(
                    "n{} sees term {term} from n{from} and steps down from {} (term {}) to follower",
                    self.me,
                    self.role.name(),
                    self.term
                ),
            );
        }
        self.become_follower(ctx, term, None);
    }

    fn in_lease(&self, now: Micros) -> bool {
        if !self.cfg.check_quorum {
            return false;
        }
        if self.role == Role::Leader {
            return true;
        }
        match (self.leader, self.leader_contact) {
            (Some(_), Some(at)) => now.saturating_sub(at) < self.cfg.election_timeout.0,
            _ => false,
        }
    }

    // ----- campaigning -----

    fn on_election_timeout(&mut self, ctx: &mut Ctx) {
        if self.role == Role::Leader {
            return;
        }
        let quiet = ctx.now.saturating_sub(self.waiting_since);
        let why = match self.role {
            Role::Candidate | Role::PreCandidate => format!(
                "n{}'s campaign for term {} got {} of {} needed votes before timing out",
                self.me,
                self.term + u64::from(self.role == Role::PreCandidate),
                self.votes.values().filter(|g| **g).count(),
                self.majority()
            ),
            _ => match self.leader {
                Some(l) => format!(
                    "n{} heard nothing from leader n{l} for {}",
                    self.me,
                    Rounded(quiet)
                ),
                None => format!("n{} heard no leader for {}", self.me, Rounded(quiet)),
            },
        };
        if self.cfg.prevote {
            self.start_prevote(ctx, why);
        } else {
            self.start_election(ctx, why);
        }
    }

    fn start_prevote(&mut self, ctx: &mut Ctx, why: String) {
        self.role = Role::PreCandidate;
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.me, true);
        ctx.note(
            NoteKind::Vote,
            format!(
                "{why}; before disrupting anyone it asks whether others would vote for it in term {} (PreVote)",
                self.term + 1
            ),
        );
        self.reset_election_timer(ctx);
        ctx.broadcast(RaftMsg::Vote {
            term: self.term + 1,
            last_index: self.last_index(),
            last_term: self.last_term(),
            pre: true,
        });
        self.check_prevote_result(ctx);
    }

    fn start_election(&mut self, ctx: &mut Ctx, why: String) {
        // A candidate that heard from a majority and still did not win: the votes
        // split between candidates (a minority that heard from few is not a split;
        // `step_down_for_term` marks the same when a higher term ends the split).
        let split = self.role == Role::Candidate && self.votes.len() >= self.majority();
        self.role = Role::Candidate;
        self.term += 1;
        self.voted_for = Some(self.me);
        self.leader = None;
        self.leader_contact = None;
        self.votes.clear();
        self.votes.insert(self.me, true);
        let text = format!("{why} and starts an election for term {}", self.term);
        if split {
            ctx.note_moment(NoteKind::ElectionStart, Moment::SplitVote, text);
        } else {
            ctx.note(NoteKind::ElectionStart, text);
        }
        self.reset_election_timer(ctx);
        ctx.broadcast(RaftMsg::Vote {
            term: self.term,
            last_index: self.last_index(),
            last_term: self.last_term(),
            pre: false,
        });
        self.check_election_result(ctx);
    }

    fn check_prevote_result(&mut self, ctx: &mut Ctx) {
        let granted = self.votes.values().filter(|g| **g).count();
        let denied = self.votes.len() - granted;
        if granted >= self.majority() {
            let why = format!(
                "n{} got {granted} of {} pre-votes",
                self.me, self.cluster_size
            );
            self.start_election(ctx, why);
        } else if denied >= self.majority() {
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{} was refused by a majority in its pre-vote and stays a follower in term {}",
                    self.me, self.term
                ),
            );
            self.become_follower(ctx, self.term, None);
        }
    }

    fn check_election_result(&mut self, ctx: &mut Ctx) {
        let granted = self.votes.values().filter(|g| **g).count();
        if granted >= self.majority() {
            ctx.note(
                NoteKind::Leader,
                format!(
                    "n{} wins term {} with {granted} of {} votes and becomes leader",
                    self.me, self.term, self.cluster_size
                ),
            );
            self.become_leader(ctx);
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx) {
        self.role = Role::Leader;
        self.leader = Some(self.me);
        self.votes.clear();
        // A no-op of its own term lets the leader commit older entries (§5.4.2, §8).
        self.log.push(Entry {
            term: self.term,
            value: None,
        });
        let last = self.last_index();
        self.next_index = vec![last; self.cluster_size];
        self.match_index = vec![0; self.cluster_size];
        self.match_index[self.me as usize - 1] = last;
        self.active.clear();
        self.explained = self.commit;
        ctx.cancel_timer(RaftTimer::Election);
        self.broadcast_append(ctx);
        ctx.set_timer(RaftTimer::Heartbeat, self.cfg.heartbeat);
        if self.cfg.check_quorum {
            ctx.set_timer(RaftTimer::QuorumCheck, self.cfg.election_timeout.0);
        }
        self.advance_commit(ctx);
    }

    fn on_vote_request(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        term: u64,
        last_index: u64,
        last_term: u64,
        pre: bool,
    ) {
        let kind = if pre { "pre-vote" } else { "vote" };
        if term > self.term && self.in_lease(ctx.now) {
            let who = self.leader.map_or("itself".into(), |l| format!("n{l}"));
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{} ignores n{from}'s {kind} request for term {term}: it is in contact with leader {who} (CheckQuorum lease)",
                    self.me
                ),
            );
            return;
        }
        if term > self.term && !pre {
            self.step_down_for_term(ctx, from, term);
        }
        // etcd's canVote: a repeat vote, a free vote while no leader is known, or a
        // pre-vote for a later term.
        let can_vote = self.cfg.bugs.vote_twice
            || self.voted_for == Some(from)
            || (self.voted_for.is_none() && self.leader.is_none())
            || (pre && term > self.term);
        let denial = if term < self.term {
            Some(Denial::StaleTerm { mine: self.term })
        } else if !can_vote {
            Some(match (self.voted_for, self.leader) {
                (Some(v), _) if v != from => Denial::AlreadyVoted { for_node: v },
                (_, leader) => Denial::HasLeader {
                    leader: leader.unwrap_or(0),
                },
            })
        } else if !self.cfg.bugs.skip_log_check && !self.candidate_up_to_date(last_index, last_term)
        {
            Some(Denial::LogBehind {
                mine: (self.last_index(), self.last_term()),
            })
        } else {
            None
        };
        let me = self.me;
        match denial {
            None => {
                if !pre {
                    self.voted_for = Some(from);
                    self.reset_election_timer(ctx);
                }
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} grants its {kind} to n{from} for term {term} (n{from}'s log {last_index}@{last_term} is at least as up to date as its own {}@{})",
                        self.last_index(),
                        self.last_term()
                    ),
                );
            }
            Some(d) => {
                let why = match d {
                    Denial::StaleTerm { mine } => {
                        format!("term {term} is older than its own term {mine}")
                    }
                    Denial::AlreadyVoted { for_node } => {
                        format!("it already voted for n{for_node} in term {term}")
                    }
                    Denial::HasLeader { leader } => {
                        format!("it already follows leader n{leader} in term {term}")
                    }
                    Denial::LogBehind { mine } => format!(
                        "n{from}'s log {last_index}@{last_term} is behind its own {}@{} (§5.4.1 up-to-date check)",
                        mine.0, mine.1
                    ),
                };
                ctx.note(
                    NoteKind::Vote,
                    format!("n{me} denies its {kind} to n{from}: {why}"),
                );
            }
        }
        let reply_term = if pre && denial.is_none() {
            term
        } else {
            self.term
        };
        ctx.send(
            from,
            RaftMsg::VoteReply {
                term: reply_term,
                granted: denial.is_none(),
                pre,
                denial,
            },
        );
    }

    fn on_vote_reply(&mut self, ctx: &mut Ctx, from: NodeId, term: u64, granted: bool, pre: bool) {
        if term > self.term && !(pre && granted) {
            self.step_down_for_term(ctx, from, term);
            return;
        }
        match self.role {
            Role::PreCandidate if pre && (term == self.term + 1 || !granted) => {
                self.votes.insert(from, granted);
                self.check_prevote_result(ctx);
            }
            Role::Candidate if !pre && term == self.term => {
                self.votes.insert(from, granted);
                self.check_election_result(ctx);
            }
            _ => {}
        }
    }

    // ----- replication -----

    fn send_append(&mut self, ctx: &mut Ctx, to: NodeId) {
        let next = self.next_index[to as usize - 1].max(1);
        let prev_index = next - 1;
        let end = (self.log.len()).min(prev_index as usize + MAX_BATCH);
        let entries = self.log[prev_index as usize..end].to_vec();
        ctx.send(
            to,
            RaftMsg::Append(AppendEntries {
                term: self.term,
                prev_index,
                prev_term: self.term_at(prev_index),
                entries,
                commit: self.commit,
            }),
        );
    }

    fn broadcast_append(&mut self, ctx: &mut Ctx) {
        let peers: Vec<NodeId> = ctx.peers().collect();
        for p in peers {
            self.send_append(ctx, p);
        }
    }

    fn on_append(&mut self, ctx: &mut Ctx, from: NodeId, msg: AppendEntries) {
        let AppendEntries {
            term,
            prev_index,
            prev_term,
            entries,
            commit,
        } = msg;
        if term < self.term {
            // Tell the stale leader our term so it steps down.
            ctx.send(
                from,
                RaftMsg::AppendReply {
                    term: self.term,
                    success: false,
                    match_index: self.last_index(),
                },
            );
            return;
        }
        if term > self.term || self.role != Role::Follower {
            if self.role != Role::Follower {
                ctx.note(
                    NoteKind::StepDown,
                    format!(
                        "n{} hears from leader n{from} of term {term} and becomes its follower",
                        self.me
                    ),
                );
            }
            self.become_follower(ctx, term, Some(from));
        }
        if self.leader != Some(from) {
            ctx.note(
                NoteKind::Leader,
                format!("n{} now follows n{from} as leader of term {term}", self.me),
            );
        }
        self.leader = Some(from);
        self.leader_contact = Some(ctx.now);
        self.reset_election_timer(ctx);

        if prev_index > self.last_index() || self.term_at(prev_index) != prev_term {
            ctx.send(
                from,
                RaftMsg::AppendReply {
                    term: self.term,
                    success: false,
                    match_index: self.last_index().min(prev_index.saturating_sub(1)),
                },
            );
            return;
        }
        let mut index = prev_index;
        for entry in entries {
            index += 1;
            let i = index as usize - 1;
            if i < self.log.len() {
                if self.log[i].term != entry.term {
                    ctx.note(
                        NoteKind::Replication,
                        format!(
                            "n{} drops its entries from {index} on: they conflict with leader n{from}'s log",
                            self.me
                        ),
                    );
                    self.log.truncate(i);
                    self.log.push(entry);
                }
            } else {
                self.log.push(entry);
            }
        }
        let new_commit = commit.min(index);
        if new_commit > self.commit {
            self.commit = new_commit;
        }
        ctx.send(
            from,
            RaftMsg::AppendReply {
                term: self.term,
                success: true,
                match_index: index,
            },
        );
    }

    fn on_append_reply(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        term: u64,
        success: bool,
        index: u64,
    ) {
        if term > self.term {
            self.step_down_for_term(ctx, from, term);
            return;
        }
        if self.role != Role::Leader || term < self.term {
            return;
        }
        self.active.insert(from);
        let f = from as usize - 1;
        if success {
            if index > self.match_index[f] {
                self.match_index[f] = index;
            }
            self.next_index[f] = self.match_index[f] + 1;
            self.advance_commit(ctx);
            if self.next_index[f] <= self.last_index() {
                self.send_append(ctx, from);
            }
        } else {
            // Back up to just after the follower's last entry, at least one step.
            let next = self.next_index[f];
            self.next_index[f] = (index + 1).min(next.saturating_sub(1)).max(1);
            self.send_append(ctx, from);
        }
    }

    /// §5.3/§5.4.2: commit the highest index stored on a majority whose entry is of the
    /// current term; entries of older terms commit only along with it.
    fn advance_commit(&mut self, ctx: &mut Ctx) {
        for n in (self.commit + 1..=self.last_index()).rev() {
            let stored = self.match_index.iter().filter(|&&m| m >= n).count();
            if stored < self.majority() {
                continue;
            }
            let entry_term = self.term_at(n);
            if entry_term == self.term {
                let first = self.commit + 1;
                self.commit = n;
                let what = if first == n {
                    format!("entry {n}")
                } else {
                    format!("entries {first}-{n}")
                };
                ctx.note(
                    NoteKind::Commit,
                    format!(
                        "n{} commits {what}: entry {n} of term {} is stored on {stored} of {} nodes",
                        self.me, self.term, self.cluster_size
                    ),
                );
            } else if n > self.explained {
                self.explained = n;
                ctx.note(
                    NoteKind::Commit,
                    format!(
                        "entry {n} (term {entry_term}) is stored on {stored} of {} nodes, but n{} cannot commit it by counting replicas: it is from an older term (§5.4.2). It commits once an entry of term {} does",
                        self.cluster_size, self.me, self.term
                    ),
                );
            }
            return;
        }
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leader {
            return;
        }
        self.broadcast_append(ctx);
        ctx.set_timer(RaftTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn on_quorum_check(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leader {
            return;
        }
        let heard = self.active.len();
        if heard + 1 < self.majority() {
            ctx.note(
                NoteKind::StepDown,
                format!(
                    "n{} heard from only {heard} of {} followers in the last {} and steps down (CheckQuorum)",
                    self.me,
                    self.cluster_size - 1,
                    Rounded(self.cfg.election_timeout.0)
                ),
            );
            self.become_follower(ctx, self.term, None);
            return;
        }
        self.active.clear();
        ctx.set_timer(RaftTimer::QuorumCheck, self.cfg.election_timeout.0);
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
        self.log.push(Entry {
            term: self.term,
            value: Some(value),
        });
        let index = self.last_index();
        self.match_index[self.me as usize - 1] = index;
        ctx.note(
            NoteKind::Client,
            format!(
                "n{} appends write #{value} as entry {index} of term {}",
                self.me, self.term
            ),
        );
        self.broadcast_append(ctx);
        self.advance_commit(ctx);
    }
}

impl Algorithm for Raft {
    type Msg = RaftMsg;
    type Timer = RaftTimer;
    type Persistent = RaftDisk;
    type Config = RaftConfig;
    type Monitor = RaftMonitor;

    fn boot(me: NodeId, cluster_size: usize, config: &RaftConfig) -> Self {
        Raft::recover(
            me,
            cluster_size,
            config,
            &RaftDisk {
                term: 0,
                voted_for: None,
                log: Vec::new(),
            },
        )
    }

    fn recover(me: NodeId, cluster_size: usize, config: &RaftConfig, disk: &RaftDisk) -> Self {
        Raft {
            me,
            cluster_size,
            cfg: config.clone(),
            term: disk.term,
            voted_for: disk.voted_for,
            log: disk.log.clone(),
            role: Role::Follower,
            leader: None,
            commit: 0,
            votes: Default::default(),
            next_index: Vec::new(),
            match_index: Vec::new(),
            active: VecSet::new(),
            waiting_since: 0,
            leader_contact: None,
            explained: 0,
        }
    }

    fn persistent(&self) -> RaftDisk {
        RaftDisk {
            term: self.term,
            voted_for: self.voted_for,
            log: self.log.clone(),
        }
    }

    fn step(&mut self, ctx: &mut Ctx, input: Input<RaftMsg, RaftTimer>) {
        match input {
            Input::Start { recovered } => {
                let text = if recovered {
                    let vote = self
                        .voted_for
                        .map_or("no vote".into(), |v| format!("its vote for n{v}"));
                    format!(
                        "n{} restarts as a follower: term {}, {vote} and {} log entries come back from disk; its commit index starts again at 0",
                        self.me,
                        self.term,
                        self.log.len()
                    )
                } else {
                    format!("n{} starts as a follower in term {}", self.me, self.term)
                };
                ctx.note(NoteKind::Info, text);
                self.reset_election_timer(ctx);
                if self.cluster_size == 1 {
                    self.on_election_timeout(ctx);
                }
            }
            Input::Timer(RaftTimer::Election) => self.on_election_timeout(ctx),
            Input::Timer(RaftTimer::Heartbeat) => self.on_heartbeat_timer(ctx),
            Input::Timer(RaftTimer::QuorumCheck) => self.on_quorum_check(ctx),
            Input::ClientWrite { value } => self.on_client_write(ctx, value),
            Input::Message { msg, .. } if self.cfg.bugs.echo && ctx.peers().count() > 1 => {
                ctx.broadcast(msg)
            }
            Input::Message { from, msg } => match msg {
                RaftMsg::Vote {
                    term,
                    last_index,
                    last_term,
                    pre,
                } => self.on_vote_request(ctx, from, term, last_index, last_term, pre),
                RaftMsg::VoteReply {
                    term, granted, pre, ..
                } => self.on_vote_reply(ctx, from, term, granted, pre),
                RaftMsg::Append(a) => self.on_append(ctx, from, a),
                RaftMsg::AppendReply {
                    term,
                    success,
                    match_index,
                } => self.on_append_reply(ctx, from, term, success, match_index),
            },
        }
    }

    fn headline(&self) -> Headline {
        Headline {
            role: self.role.name().into(),
            is_leader: self.role == Role::Leader,
            term: self.term,
            leader: self.leader,
        }
    }

    fn view(&self) -> NodeView {
        let mut fields = Vec::new();
        match self.role {
            Role::Candidate | Role::PreCandidate => {
                let granted = self.votes.values().filter(|g| **g).count();
                let label = if self.role == Role::Candidate {
                    "votes"
                } else {
                    "pre-votes"
                };
                fields.push((
                    label.into(),
                    format!("{granted}/{} (need {})", self.cluster_size, self.majority()),
                ));
            }
            Role::Leader => {
                let matches: Vec<String> = self
                    .match_index
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i as NodeId + 1 != self.me)
                    .map(|(i, m)| format!("n{}:{m}", i + 1))
                    .collect();
                fields.push(("match".into(), matches.join(" ")));
            }
            Role::Follower => {}
        }
        NodeView {
            role: self.role.name().into(),
            is_leader: self.role == Role::Leader,
            term: self.term,
            voted_for: self.voted_for,
            leader: self.leader,
            log: self
                .log
                .iter()
                .enumerate()
                .map(|(i, e)| LogEntryView {
                    term: e.term,
                    committed: (i as u64) < self.commit,
                    value: e.value,
                })
                .collect(),
            commit_index: self.commit,
            fields,
        }
    }

    fn leadership(&self) -> Option<u64> {
        (self.role == Role::Leader).then_some(self.term)
    }

    fn election_timer() -> Option<RaftTimer> {
        Some(RaftTimer::Election)
    }
}
