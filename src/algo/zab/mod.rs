//! ZooKeeper's leader election and Zab's recovery (Junqueira, Reed, Serafini, "Zab:
//! High-performance broadcast for primary-backup systems", 2011; ZooKeeper's
//! `FastLeaderElection`). Fast leader election (FLE) only picks a prospective leader:
//! the server whose vote (peerEpoch, zxid, sid) is highest among a quorum. Uniqueness
//! per epoch comes from Zab's discovery phase: the prospective leader proposes an epoch
//! above every epoch a quorum has accepted, and serves only once a quorum has accepted
//! that epoch and its history (NEWLEADER). A leader that stops hearing from a quorum
//! steps down, which is how a leader cut off in a minority loses its role.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::ZabMonitor;

use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, LogEntryView, MS, Message, Micros, MsgClass, NodeId, NodeView,
    NoteKind, SEC, Timer,
};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZabConfig {
    /// ZooKeeper's tick: how often an established leader pings its followers.
    pub tick: Micros,
    /// syncLimit: a follower that hears nothing from its leader this long goes back to
    /// LOOKING (drawn afresh each time, so followers do not all give up at once); a
    /// leader that hears from no quorum for the upper bound steps down.
    pub sync_limit: (Micros, Micros),
    /// After FLE agrees on a quorum, how long to wait for a better vote before deciding.
    pub finalize_wait: Micros,
    /// ZooKeeper doubles the notification timeout up to 60 s; scaled down to the
    /// simulator's time scale so a lossy run still retries within seconds.
    pub max_notification_timeout: Micros,
    bugs: Bugs,
}

impl Default for ZabConfig {
    /// The defaults the settings declare (see `descriptor.rs`): written once.
    fn default() -> Self {
        use crate::algo::Configure;
        Zab::configure(&crate::settings::Setup::defaults(5))
    }
}

/// Deliberate defects, so tests can prove the invariant checker catches them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    forget_accepted_epoch: bool,
    skip_discovery: bool,
    vote_by_id: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZabBug {
    /// acceptedEpoch is kept in memory only: a restarted server has forgotten the epoch
    /// it promised, and may acknowledge a lower one.
    ForgetAcceptedEpoch,
    /// The prospective leader skips discovery's quorums: it takes its own
    /// acceptedEpoch + 1 and serves at once, without learning a quorum's epochs.
    SkipDiscovery,
    /// Votes are compared by server id alone and the leader does not check whether a
    /// follower's history is ahead of its own: the highest id leads even when stale.
    VoteById,
}

#[cfg(feature = "bug-injection")]
impl ZabConfig {
    pub fn with_bug(mut self, bug: ZabBug) -> Self {
        match bug {
            ZabBug::ForgetAcceptedEpoch => self.bugs.forget_accepted_epoch = true,
            ZabBug::SkipDiscovery => self.bugs.skip_discovery = true,
            ZabBug::VoteById => self.bugs.vote_by_id = true,
        }
        self
    }
}

const MIN_NOTIFICATION_TIMEOUT: Micros = 50 * MS;

/// A transaction id: the epoch in the high 32 bits, a counter within it in the low 32.
pub type Zxid = u64;

pub fn zxid(epoch: u64, counter: u64) -> Zxid {
    (epoch << 32) | (counter & 0xffff_ffff)
}

pub fn epoch_of(z: Zxid) -> u64 {
    z >> 32
}

/// How ZooKeeper prints a zxid.
pub fn hex(z: Zxid) -> String {
    format!("0x{z:x}")
}

/// One proposal in a server's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Txn {
    pub zxid: Zxid,
    pub value: u64,
}

/// A vote. The field order is FLE's total order (`totalOrderPredicate`): the higher
/// peerEpoch wins, then the higher zxid, then the higher server id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Vote {
    pub epoch: u64,
    pub zxid: Zxid,
    pub leader: NodeId,
}

impl Vote {
    pub fn new(leader: NodeId, zxid: Zxid, epoch: u64) -> Vote {
        Vote {
            epoch,
            zxid,
            leader,
        }
    }
}

impl fmt::Display for Vote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{} · {}", self.leader, hex(self.zxid))
    }
}

/// Why `better` beats `worse` in FLE's order, in words.
fn why_better(better: Vote, worse: Vote) -> String {
    if better.epoch != worse.epoch {
        format!("higher epoch ({} > {})", better.epoch, worse.epoch)
    } else if better.zxid != worse.zxid {
        format!(
            "same epoch, higher zxid ({} > {})",
            hex(better.zxid),
            hex(worse.zxid)
        )
    } else {
        "same epoch and zxid, higher id".to_string()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServerState {
    Looking,
    Following,
    Leading,
}

impl ServerState {
    fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "looking",
            ServerState::Following => "following",
            ServerState::Leading => "leading",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZabMsg {
    /// FLE: the sender's vote, its election round (logical clock) and its state.
    Notification {
        vote: Vote,
        election_epoch: u64,
        state: ServerState,
    },
    /// Discovery: a follower tells its prospective leader the epoch it last accepted,
    /// and from which leader.
    FollowerInfo {
        accepted_epoch: u64,
        accepted_from: Option<NodeId>,
    },
    NewEpoch {
        epoch: u64,
    },
    AckEpoch {
        epoch: u64,
        current_epoch: u64,
        last_zxid: Zxid,
    },
    /// Sync: the leader's whole history (a simplification of DIFF/TRUNC/SNAP).
    NewLeader {
        epoch: u64,
        history: Vec<Txn>,
        commit: Zxid,
    },
    /// Acknowledges NEWLEADER or proposals: the follower holds everything up to `zxid`.
    Ack {
        epoch: u64,
        zxid: Zxid,
    },
    /// `prev` is the zxid before this one, so a follower never appends across a gap.
    Proposal {
        epoch: u64,
        prev: Zxid,
        txn: Txn,
    },
    Commit {
        epoch: u64,
        zxid: Zxid,
    },
    /// Leader to follower and back: both sides learn the other is alive.
    Ping {
        epoch: u64,
        commit: Zxid,
    },
}

impl Message for ZabMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZabMsg::Notification { .. } => "Notification",
            ZabMsg::FollowerInfo { .. } => "FollowerInfo",
            ZabMsg::NewEpoch { .. } => "NewEpoch",
            ZabMsg::AckEpoch { .. } => "AckEpoch",
            ZabMsg::NewLeader { .. } => "NewLeader",
            ZabMsg::Ack { .. } => "Ack",
            ZabMsg::Proposal { .. } => "Proposal",
            ZabMsg::Commit { .. } => "Commit",
            ZabMsg::Ping { .. } => "Ping",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            ZabMsg::Notification { .. } => MsgClass::VoteRequest,
            ZabMsg::FollowerInfo { .. } | ZabMsg::AckEpoch { .. } => MsgClass::VoteGranted,
            ZabMsg::NewEpoch { .. } => MsgClass::Announce,
            ZabMsg::NewLeader { .. } | ZabMsg::Proposal { .. } => MsgClass::Append,
            ZabMsg::Ack { .. } => MsgClass::Reply,
            ZabMsg::Commit { .. } => MsgClass::Other,
            ZabMsg::Ping { .. } => MsgClass::Heartbeat,
        }
    }

    fn term(&self) -> Option<u64> {
        Some(match self {
            ZabMsg::Notification { vote, .. } => vote.epoch,
            ZabMsg::FollowerInfo { accepted_epoch, .. } => *accepted_epoch,
            ZabMsg::NewEpoch { epoch }
            | ZabMsg::AckEpoch { epoch, .. }
            | ZabMsg::NewLeader { epoch, .. }
            | ZabMsg::Ack { epoch, .. }
            | ZabMsg::Proposal { epoch, .. }
            | ZabMsg::Commit { epoch, .. }
            | ZabMsg::Ping { epoch, .. } => *epoch,
        })
    }

    fn summary(&self) -> String {
        match self {
            ZabMsg::Notification {
                vote,
                election_epoch,
                state,
            } => format!(
                "votes {vote} (epoch {}), round {election_epoch}, {}",
                vote.epoch,
                state.name()
            ),
            ZabMsg::FollowerInfo { accepted_epoch, .. } => {
                format!("accepted epoch {accepted_epoch}")
            }
            ZabMsg::NewEpoch { epoch } => format!("epoch {epoch}"),
            ZabMsg::AckEpoch {
                epoch,
                current_epoch,
                last_zxid,
            } => format!(
                "epoch {epoch}; current epoch {current_epoch}, last zxid {}",
                hex(*last_zxid)
            ),
            ZabMsg::NewLeader { epoch, history, .. } => {
                format!("epoch {epoch}, {} txns", history.len())
            }
            ZabMsg::Ack { epoch, zxid } => format!("epoch {epoch}, up to {}", hex(*zxid)),
            ZabMsg::Proposal { txn, .. } => format!("{} = write #{}", hex(txn.zxid), txn.value),
            ZabMsg::Commit { zxid, .. } => format!("up to {}", hex(*zxid)),
            ZabMsg::Ping { epoch, commit } => {
                format!("epoch {epoch}, committed up to {}", hex(*commit))
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZabTimer {
    /// LOOKING: nothing arrived; resend the vote and double the wait.
    Notify,
    /// LOOKING: a quorum agrees; decide unless a better vote arrives first.
    Finalize,
    /// An established leader pings and checks it still hears from a quorum; a
    /// follower in discovery resends FOLLOWERINFO until its leader answers.
    Tick,
    /// A follower's patience with its leader, or a prospective leader's with discovery
    /// and sync (initLimit): when it fires the server goes back to LOOKING.
    Sync,
}

impl Timer for ZabTimer {
    fn label(&self) -> &'static str {
        match self {
            ZabTimer::Notify => "notification",
            ZabTimer::Finalize => "finalize",
            ZabTimer::Tick => "tick",
            ZabTimer::Sync => "sync",
        }
    }
}

/// Where a prospective leader is in Zab's recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadStage {
    /// Collecting FOLLOWERINFO until a quorum is known.
    Discovery,
    /// NEWEPOCH sent; collecting ACKEPOCH.
    AwaitAckEpoch,
    /// NEWLEADER sent; collecting ACK.
    Sync,
    /// Established: serves writes.
    Broadcast,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowStage {
    /// FOLLOWERINFO sent; waiting for NEWEPOCH.
    Discovery,
    /// ACKEPOCH sent; waiting for NEWLEADER.
    Sync,
    /// Synced with the leader's history.
    Broadcast,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Looking,
    Following(FollowStage),
    Leading(LeadStage),
}

/// What survives a crash: Zab's acceptedEpoch, currentEpoch and the history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZabDisk {
    pub accepted_epoch: u64,
    /// The leader whose NEWEPOCH set `accepted_epoch` (itself, if it proposed it).
    pub accepted_from: Option<NodeId>,
    pub current_epoch: u64,
    pub history: Vec<Txn>,
}

/// A prospective or established leader's bookkeeping for its epoch.
#[derive(Clone, Debug, Default)]
struct Lead {
    /// The epoch proposed in NEWEPOCH (0 until proposed).
    epoch: u64,
    infos: VecMap<NodeId, u64>,
    epoch_acks: VecSet<NodeId>,
    /// Followers sent NEWLEADER: they take proposals and pings.
    synced: VecSet<NodeId>,
    newleader_acks: VecSet<NodeId>,
    /// The highest zxid each server is known to hold.
    matched: VecMap<NodeId, Zxid>,
    last_heard: VecMap<NodeId, Micros>,
}

type Ctx<'a, 'b> = Context<'a, ZabMsg, ZabTimer>;

#[derive(Clone, Debug)]
pub struct Zab {
    me: NodeId,
    cluster_size: usize,
    cfg: ZabConfig,
    // Persistent.
    accepted_epoch: u64,
    accepted_from: Option<NodeId>,
    current_epoch: u64,
    history: Vec<Txn>,
    // Volatile.
    role: Role,
    leader: Option<NodeId>,
    /// FLE's logical clock: the election round.
    logical_clock: u64,
    proposal: Vote,
    /// Votes of LOOKING servers in this round (own included).
    recv_set: VecMap<NodeId, (Vote, u64)>,
    /// Whom FOLLOWING and LEADING servers report as leader, and their state.
    out_of_election: VecMap<NodeId, (NodeId, ServerState)>,
    notify_timeout: Micros,
    finalizing: bool,
    lead: Lead,
    commit: Zxid,
    /// Local time of the last message from the leader, for "heard nothing for X".
    heard_leader_at: Micros,
}

impl Zab {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn state(&self) -> ServerState {
        match self.role {
            Role::Looking => ServerState::Looking,
            Role::Following(_) => ServerState::Following,
            Role::Leading(_) => ServerState::Leading,
        }
    }

    pub fn accepted_epoch(&self) -> u64 {
        self.accepted_epoch
    }

    pub fn current_epoch(&self) -> u64 {
        self.current_epoch
    }

    pub fn history(&self) -> &[Txn] {
        &self.history
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    pub fn proposal(&self) -> Vote {
        self.proposal
    }

    pub fn logical_clock(&self) -> u64 {
        self.logical_clock
    }

    /// Leads an epoch a quorum has accepted, and so may serve.
    pub fn is_established(&self) -> bool {
        self.role == Role::Leading(LeadStage::Broadcast)
    }

    /// The committed prefix of the history.
    pub fn committed(&self) -> &[Txn] {
        let n = self.history.partition_point(|t| t.zxid <= self.commit);
        &self.history[..n]
    }

    pub fn last_zxid(&self) -> Zxid {
        self.history.last().map_or(0, |t| t.zxid)
    }

    fn quorum(&self) -> usize {
        self.cluster_size / 2 + 1
    }

    fn own_vote(&self) -> Vote {
        Vote::new(self.me, self.last_zxid(), self.current_epoch)
    }

    /// FLE's totalOrderPredicate: is `new` better than `current`?
    fn better(&self, new: Vote, current: Vote) -> bool {
        if self.cfg.bugs.vote_by_id {
            new.leader > current.leader
        } else {
            new > current
        }
    }

    fn names(set: impl IntoIterator<Item = NodeId>) -> String {
        set.into_iter()
            .map(|n| format!("n{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn set_sync_timer(&mut self, ctx: &mut Ctx, scale: u64) {
        let (lo, hi) = self.cfg.sync_limit;
        let after = ctx.random_range(lo.saturating_mul(scale), hi.saturating_mul(scale));
        ctx.set_timer(ZabTimer::Sync, after);
    }

    // ----- fast leader election (LOOKING) -----

    // Called from many handlers: one copy, not one inlined into each (wasm size).
    #[inline(never)]
    fn start_looking(&mut self, ctx: &mut Ctx, why: String) {
        self.role = Role::Looking;
        self.leader = None;
        self.lead = Lead::default();
        self.logical_clock = self.logical_clock.saturating_add(1);
        self.proposal = self.own_vote();
        self.recv_set.clear();
        self.out_of_election.clear();
        self.finalizing = false;
        ctx.cancel_timer(ZabTimer::Tick);
        ctx.cancel_timer(ZabTimer::Sync);
        ctx.cancel_timer(ZabTimer::Finalize);
        ctx.note(
            NoteKind::ElectionStart,
            format!(
                "{why}; n{me} is LOOKING: election round {r}, it votes for itself ({v}, epoch {e}) and tells everyone",
                me = self.me,
                r = self.logical_clock,
                v = self.proposal,
                e = self.proposal.epoch
            ),
        );
        self.notify_timeout = self.first_notification_timeout();
        ctx.set_timer(ZabTimer::Notify, self.notify_timeout);
        self.send_notifications(ctx);
    }

    /// ZooKeeper starts its notification timeout at finalizeWait; a zero wait (allowed,
    /// to show deciding without one) must not make a silent server resend in a loop.
    fn first_notification_timeout(&self) -> Micros {
        self.cfg.finalize_wait.max(MIN_NOTIFICATION_TIMEOUT)
    }

    fn notification(&self) -> ZabMsg {
        ZabMsg::Notification {
            vote: self.proposal,
            election_epoch: self.logical_clock,
            state: self.state(),
        }
    }

    fn send_notifications(&mut self, ctx: &mut Ctx) {
        self.recv_set
            .insert(self.me, (self.proposal, self.logical_clock));
        let msg = self.notification();
        ctx.broadcast(msg);
        self.check_quorum_of_votes(ctx);
    }

    fn on_notify_timeout(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Looking {
            return;
        }
        let waited = self.notify_timeout;
        self.notify_timeout = (self.notify_timeout.saturating_mul(2))
            .min(self.cfg.max_notification_timeout)
            .max(1);
        ctx.note(
            NoteKind::Info,
            format!(
                "n{} heard nothing for {}: it resends its vote for {} and will wait {} next time",
                self.me,
                Rounded(waited),
                self.proposal,
                Rounded(self.notify_timeout)
            ),
        );
        ctx.set_timer(ZabTimer::Notify, self.notify_timeout);
        self.send_notifications(ctx);
    }

    fn on_notification(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        vote: Vote,
        election_epoch: u64,
        state: ServerState,
    ) {
        if self.role != Role::Looking {
            // A LOOKING server asks; tell it whom this server follows or that it leads.
            if state == ServerState::Looking {
                ctx.send(from, self.notification());
            }
            return;
        }
        // ZooKeeper polls its queue with this timeout: silence is measured from the
        // last arrival, while the doubled length stays until the election ends.
        ctx.set_timer(ZabTimer::Notify, self.notify_timeout);
        match state {
            ServerState::Looking => self.on_looking_vote(ctx, from, vote, election_epoch),
            ServerState::Following | ServerState::Leading => {
                self.on_settled_vote(ctx, from, vote, state)
            }
        }
    }

    fn on_looking_vote(&mut self, ctx: &mut Ctx, from: NodeId, vote: Vote, ee: u64) {
        let me = self.me;
        let before = self.proposal;
        if ee > self.logical_clock {
            self.logical_clock = ee;
            self.recv_set.clear();
            let own = self.own_vote();
            self.proposal = if self.better(vote, own) { vote } else { own };
            self.cancel_finalize(ctx, None);
            if self.proposal != before {
                let why = if self.proposal == own {
                    "its own vote is the best it knows".to_string()
                } else {
                    why_better(vote, own)
                };
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} joins n{from}'s election round {ee} and votes for {}: {why}",
                        self.proposal
                    ),
                );
            }
            self.recv_set.insert(from, (vote, ee));
            self.send_notifications(ctx);
            return;
        }
        if ee < self.logical_clock {
            // A server in an older round: answer so it catches up.
            ctx.send(from, self.notification());
            return;
        }
        self.record_vote(from, vote, ee);
        if self.better(vote, self.proposal) {
            self.proposal = vote;
            self.cancel_finalize(ctx, Some(from));
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{me} switches its vote to n{} (heard from n{from}): {}",
                    vote.leader,
                    why_better(vote, before)
                ),
            );
            self.send_notifications(ctx);
        } else {
            if self.better(self.proposal, vote) {
                // The sender may have missed this server's broadcast while it still
                // followed someone. ZooKeeper leaves it to the sender's notification
                // timeout; answering at once saves a round of waiting.
                ctx.send(from, self.notification());
            }
            self.check_quorum_of_votes(ctx);
        }
    }

    /// ZooKeeper's TCP channels keep each sender's notifications in order; this
    /// network may reorder them. Within one round a server's vote only ever rises, so
    /// a lower vote from the same sender and round is an older one.
    fn record_vote(&mut self, from: NodeId, vote: Vote, ee: u64) {
        match self.recv_set.get(&from) {
            Some(&(old, old_ee)) if old_ee == ee && self.better(old, vote) => {}
            _ => {
                self.recv_set.insert(from, (vote, ee));
            }
        }
    }

    fn cancel_finalize(&mut self, ctx: &mut Ctx, from: Option<NodeId>) {
        if !self.finalizing {
            return;
        }
        self.finalizing = false;
        ctx.cancel_timer(ZabTimer::Finalize);
        if let Some(from) = from {
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{} stops waiting: n{from} brought a better vote during the finalize wait",
                    self.me
                ),
            );
        }
    }

    /// Voters in this round whose vote equals the own proposal.
    fn agreeing(&self) -> Vec<NodeId> {
        self.recv_set
            .iter()
            .filter(|(_, (v, ee))| *v == self.proposal && *ee == self.logical_clock)
            .map(|(n, _)| *n)
            .collect()
    }

    fn check_quorum_of_votes(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Looking || self.finalizing {
            return;
        }
        let agree = self.agreeing();
        if agree.len() < self.quorum() {
            return;
        }
        self.finalizing = true;
        ctx.set_timer(ZabTimer::Finalize, self.cfg.finalize_wait);
        let whom = if self.proposal.leader == self.me {
            "itself".to_string()
        } else {
            format!("n{}", self.proposal.leader)
        };
        ctx.note(
            NoteKind::Vote,
            format!(
                "n{me} has a quorum for {whom} ({who}); waits {w} for a better vote",
                me = self.me,
                who = Self::names(agree),
                w = Rounded(self.cfg.finalize_wait)
            ),
        );
    }

    fn on_finalize(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Looking || !self.finalizing {
            return;
        }
        self.finalizing = false;
        if self.agreeing().len() < self.quorum() {
            return;
        }
        let leader = self.proposal.leader;
        if leader == self.me {
            self.become_prospective_leader(ctx);
        } else {
            let why = format!(
                "no better vote came in {}: n{} decides to follow n{leader}",
                Rounded(self.cfg.finalize_wait),
                self.me
            );
            self.become_follower(ctx, leader, why);
        }
    }

    fn on_settled_vote(&mut self, ctx: &mut Ctx, from: NodeId, vote: Vote, state: ServerState) {
        self.out_of_election.insert(from, (vote.leader, state));
        let leader = vote.leader;
        if leader == self.me {
            return;
        }
        // ZooKeeper's checkLeader: the leader must say so itself, not only its followers.
        let leader_says =
            self.out_of_election.get(&leader) == Some(&(leader, ServerState::Leading));
        let reporters: Vec<NodeId> = self
            .out_of_election
            .iter()
            .filter(|(_, (l, _))| *l == leader)
            .map(|(n, _)| *n)
            .collect();
        if leader_says && reporters.len() >= self.quorum() {
            let why = format!(
                "a quorum ({}) reports that n{leader} leads: n{} joins it",
                Self::names(reporters),
                self.me
            );
            self.proposal = vote;
            self.become_follower(ctx, leader, why);
        }
    }

    fn leave_looking(&mut self, ctx: &mut Ctx) {
        self.finalizing = false;
        self.recv_set.clear();
        self.out_of_election.clear();
        ctx.cancel_timer(ZabTimer::Notify);
        ctx.cancel_timer(ZabTimer::Finalize);
    }

    // ----- discovery and sync, follower side -----

    fn become_follower(&mut self, ctx: &mut Ctx, leader: NodeId, why: String) {
        self.leave_looking(ctx);
        self.role = Role::Following(FollowStage::Discovery);
        self.leader = Some(leader);
        self.heard_leader_at = ctx.now;
        ctx.note(
            NoteKind::Info,
            format!(
                "{why}; it is FOLLOWING and sends FOLLOWERINFO (accepted epoch {})",
                self.accepted_epoch
            ),
        );
        ctx.send(
            leader,
            ZabMsg::FollowerInfo {
                accepted_epoch: self.accepted_epoch,
                accepted_from: self.accepted_from,
            },
        );
        // initLimit: discovery and sync may take longer than a silent steady state.
        self.set_sync_timer(ctx, 2);
        ctx.set_timer(ZabTimer::Tick, self.cfg.tick);
    }

    fn heard_my_leader(&mut self, ctx: &mut Ctx, from: NodeId) -> bool {
        if !matches!(self.role, Role::Following(_)) || self.leader != Some(from) {
            return false;
        }
        self.heard_leader_at = ctx.now;
        true
    }

    fn on_new_epoch(&mut self, ctx: &mut Ctx, from: NodeId, epoch: u64) {
        if !self.heard_my_leader(ctx, from) {
            return;
        }
        let me = self.me;
        if self.role != Role::Following(FollowStage::Discovery) && epoch == self.accepted_epoch {
            return; // an answer to a resent FOLLOWERINFO: already acknowledged
        }
        // The same leader's epoch again (this follower lost touch and rejoined): the
        // acknowledgement it gave stands, as in ZooKeeper's Learner. Only another
        // leader's equal epoch is refused: that is what keeps one leader per epoch.
        let again = epoch == self.accepted_epoch && self.accepted_from == Some(from);
        if epoch <= self.accepted_epoch && !again {
            let why = format!(
                "n{me} refuses NEWEPOCH {epoch} from n{from}: it has already accepted epoch {}",
                self.accepted_epoch
            );
            self.start_looking(ctx, why);
            return;
        }
        self.accepted_epoch = epoch;
        self.accepted_from = Some(from);
        self.role = Role::Following(FollowStage::Sync);
        ctx.note(
            NoteKind::Info,
            if again {
                format!("n{me} rejoins n{from}, whose epoch {epoch} it had already accepted, and acknowledges it again")
            } else {
                format!("n{me} accepts epoch {epoch} from n{from}, writes it to disk and acknowledges")
            },
        );
        ctx.send(
            from,
            ZabMsg::AckEpoch {
                epoch,
                current_epoch: self.current_epoch,
                last_zxid: self.last_zxid(),
            },
        );
        self.set_sync_timer(ctx, 2);
    }

    fn on_new_leader(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        epoch: u64,
        history: Vec<Txn>,
        commit: Zxid,
    ) {
        if !self.heard_my_leader(ctx, from) {
            return;
        }
        let me = self.me;
        if self.role == Role::Following(FollowStage::Broadcast) && epoch == self.current_epoch {
            // Already synced in this epoch: a repeat must not undo later proposals.
            ctx.send(
                from,
                ZabMsg::Ack {
                    epoch,
                    zxid: self.last_zxid(),
                },
            );
            return;
        }
        if epoch < self.accepted_epoch {
            let why = format!(
                "n{me} refuses NEWLEADER {epoch} from n{from}: it has already accepted epoch {}",
                self.accepted_epoch
            );
            self.start_looking(ctx, why);
            return;
        }
        let dropped = self.history.iter().filter(|t| !history.contains(t)).count();
        if epoch > self.accepted_epoch {
            self.accepted_from = Some(from);
        }
        self.accepted_epoch = epoch;
        self.current_epoch = epoch;
        self.history = history;
        self.commit = commit.min(self.last_zxid());
        self.role = Role::Following(FollowStage::Broadcast);
        let trunc = if dropped > 0 {
            format!(", dropping {dropped} txn(s) the leader does not have")
        } else {
            String::new()
        };
        ctx.note(
            NoteKind::Replication,
            format!(
                "n{me} takes n{from}'s history ({} txns{trunc}) and writes current epoch {epoch} to disk",
                self.history.len()
            ),
        );
        ctx.send(
            from,
            ZabMsg::Ack {
                epoch,
                zxid: self.last_zxid(),
            },
        );
        self.set_sync_timer(ctx, 1);
    }

    fn synced_follower_of(&mut self, ctx: &mut Ctx, from: NodeId, epoch: u64) -> bool {
        if !self.heard_my_leader(ctx, from) {
            return false;
        }
        self.set_sync_timer(ctx, 1);
        self.role == Role::Following(FollowStage::Broadcast) && epoch == self.current_epoch
    }

    fn on_proposal(&mut self, ctx: &mut Ctx, from: NodeId, epoch: u64, prev: Zxid, txn: Txn) {
        if !self.synced_follower_of(ctx, from, epoch) {
            return;
        }
        if self.history.iter().any(|t| t.zxid == txn.zxid) {
            ctx.send(
                from,
                ZabMsg::Ack {
                    epoch,
                    zxid: self.last_zxid(),
                },
            );
            return;
        }
        if self.last_zxid() != prev {
            return; // a gap: the leader resends what is missing on its next tick
        }
        self.history.push(txn);
        ctx.send(
            from,
            ZabMsg::Ack {
                epoch,
                zxid: txn.zxid,
            },
        );
    }

    fn learn_commit(&mut self, z: Zxid) {
        self.commit = self.commit.max(z.min(self.last_zxid()));
    }

    fn on_commit(&mut self, ctx: &mut Ctx, from: NodeId, epoch: u64, z: Zxid) {
        if self.synced_follower_of(ctx, from, epoch) {
            self.learn_commit(z);
        }
    }

    fn on_ping(&mut self, ctx: &mut Ctx, from: NodeId, epoch: u64, commit: Zxid) {
        if let Role::Leading(LeadStage::Broadcast) = self.role {
            if epoch == self.lead.epoch && self.lead.synced.contains(&from) {
                self.lead.last_heard.insert(from, ctx.now);
            }
            return;
        }
        if self.synced_follower_of(ctx, from, epoch) {
            self.learn_commit(commit);
            ctx.send(
                from,
                ZabMsg::Ping {
                    epoch,
                    commit: self.commit,
                },
            );
        }
    }

    fn on_sync_timeout(&mut self, ctx: &mut Ctx) {
        let me = self.me;
        let quiet = ctx.now.saturating_sub(self.heard_leader_at);
        let why = match self.role {
            Role::Looking => {
                // Forced while looking: resend at once rather than wait.
                self.send_notifications(ctx);
                return;
            }
            Role::Leading(LeadStage::Broadcast) => {
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{me} leads epoch {} and has no sync timeout to force: a leader gives up only when it loses quorum",
                        self.current_epoch
                    ),
                );
                return;
            }
            Role::Leading(stage) => {
                let got = match stage {
                    LeadStage::Discovery => {
                        format!("FOLLOWERINFO from {}", self.lead.infos.len())
                    }
                    LeadStage::AwaitAckEpoch => {
                        format!("ACKEPOCH from {}", self.lead.epoch_acks.len())
                    }
                    _ => format!("ACK of NEWLEADER from {}", self.lead.newleader_acks.len()),
                };
                format!(
                    "n{me} could not establish an epoch in time ({got} of {} needed)",
                    self.quorum()
                )
            }
            Role::Following(_) => match self.leader {
                Some(l) => format!(
                    "n{me} heard nothing from leader n{l} for {}",
                    Rounded(quiet)
                ),
                None => format!("n{me} has no leader"),
            },
        };
        self.start_looking(ctx, why);
    }

    // ----- discovery and sync, leader side -----

    fn become_prospective_leader(&mut self, ctx: &mut Ctx) {
        self.leave_looking(ctx);
        self.role = Role::Leading(LeadStage::Discovery);
        self.leader = None;
        self.lead = Lead::default();
        let me = self.me;
        self.set_sync_timer(ctx, 2);
        if self.cfg.bugs.skip_discovery {
            let epoch = self.accepted_epoch.saturating_add(1);
            self.accepted_epoch = epoch;
            self.accepted_from = Some(me);
            self.lead.epoch = epoch;
            ctx.note(
                NoteKind::Info,
                format!("n{me} decides to lead and takes epoch {epoch} without asking anyone"),
            );
            let peers: Vec<NodeId> = ctx.peers().collect();
            self.start_sync(ctx, peers);
            return;
        }
        ctx.note(
            NoteKind::Info,
            format!(
                "no better vote came in {}: n{me} decides to lead (LEADING); before serving it must learn the accepted epochs of a quorum",
                Rounded(self.cfg.finalize_wait)
            ),
        );
        self.lead.infos.insert(me, self.accepted_epoch);
        self.check_discovery(ctx);
    }

    fn on_follower_info(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        accepted_epoch: u64,
        accepted_from: Option<NodeId>,
    ) {
        let Role::Leading(stage) = self.role else {
            return;
        };
        let me = self.me;
        let epoch = self.lead.epoch;
        // Past discovery the epoch is fixed. A server that accepted it (or a higher one)
        // from another leader must refuse it, and would rejoin and refuse forever: only
        // a new election, with an epoch above everyone's, can take it in.
        let shut_out = stage != LeadStage::Discovery
            && !self.cfg.bugs.skip_discovery
            && (accepted_epoch > epoch || (accepted_epoch == epoch && accepted_from != Some(me)));
        if shut_out {
            let whose = match accepted_from {
                Some(l) if accepted_epoch == epoch => format!(" from n{l}"),
                _ => String::new(),
            };
            let why = format!(
                "n{from} has accepted epoch {accepted_epoch}{whose}, so it can never join n{me}'s epoch {epoch}: n{me} gives up leading so that a new election picks an epoch every server can accept"
            );
            self.start_looking(ctx, why);
            return;
        }
        self.lead.infos.insert(from, accepted_epoch);
        match stage {
            LeadStage::Discovery => self.check_discovery(ctx),
            _ if self.cfg.bugs.skip_discovery => self.start_sync(ctx, vec![from]),
            // The epoch is chosen already: a late follower may still accept it.
            _ => ctx.send(
                from,
                ZabMsg::NewEpoch {
                    epoch: self.lead.epoch,
                },
            ),
        }
    }

    fn check_discovery(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leading(LeadStage::Discovery) || self.lead.infos.len() < self.quorum()
        {
            return;
        }
        let highest = self.lead.infos.values().copied().max().unwrap_or(0);
        let epoch = highest.saturating_add(1);
        self.lead.epoch = epoch;
        self.accepted_epoch = epoch;
        self.accepted_from = Some(self.me);
        self.role = Role::Leading(LeadStage::AwaitAckEpoch);
        ctx.note(
            NoteKind::Info,
            format!(
                "n{me} proposes epoch {epoch} after hearing from a quorum ({who}): one above the highest accepted epoch {highest}",
                me = self.me,
                who = Self::names(self.lead.infos.keys().copied())
            ),
        );
        let to: Vec<NodeId> = self
            .lead
            .infos
            .keys()
            .copied()
            .filter(|&n| n != self.me)
            .collect();
        for n in to {
            ctx.send(n, ZabMsg::NewEpoch { epoch });
        }
        self.lead.epoch_acks.insert(self.me);
        self.check_epoch_acks(ctx);
    }

    fn on_ack_epoch(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        epoch: u64,
        current_epoch: u64,
        last_zxid: Zxid,
    ) {
        let Role::Leading(stage) = self.role else {
            return;
        };
        if epoch != self.lead.epoch || stage == LeadStage::Discovery {
            return;
        }
        let mine = (self.current_epoch, self.last_zxid());
        if (current_epoch, last_zxid) > mine && !self.cfg.bugs.vote_by_id {
            // FLE chose on votes that may be stale; serving now could lose what that
            // follower holds, so ZooKeeper gives up and elects again.
            let why = format!(
                "n{me} gives up leading: n{from} is ahead of it (epoch {current_epoch}, zxid {}; its own: epoch {}, zxid {})",
                hex(last_zxid),
                mine.0,
                hex(mine.1),
                me = self.me
            );
            self.start_looking(ctx, why);
            return;
        }
        self.lead.epoch_acks.insert(from);
        if stage == LeadStage::AwaitAckEpoch {
            self.check_epoch_acks(ctx);
        } else {
            self.start_sync(ctx, vec![from]);
        }
    }

    fn check_epoch_acks(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leading(LeadStage::AwaitAckEpoch)
            || self.lead.epoch_acks.len() < self.quorum()
        {
            return;
        }
        ctx.note(
            NoteKind::Info,
            format!(
                "a quorum ({}) accepted epoch {}: n{} syncs them to its history ({} txns) with NEWLEADER",
                Self::names(self.lead.epoch_acks.iter().copied()),
                self.lead.epoch,
                self.me,
                self.history.len()
            ),
        );
        let to: Vec<NodeId> = self
            .lead
            .epoch_acks
            .iter()
            .copied()
            .filter(|&n| n != self.me)
            .collect();
        self.start_sync(ctx, to);
    }

    /// Sends NEWLEADER to `to`; the first call moves the leader into the sync stage.
    fn start_sync(&mut self, ctx: &mut Ctx, to: Vec<NodeId>) {
        if matches!(
            self.role,
            Role::Leading(LeadStage::Discovery | LeadStage::AwaitAckEpoch)
        ) {
            self.role = Role::Leading(LeadStage::Sync);
            self.lead.newleader_acks.insert(self.me);
            self.lead.matched.insert(self.me, self.last_zxid());
        }
        for n in to {
            self.lead.synced.insert(n);
            ctx.send(
                n,
                ZabMsg::NewLeader {
                    epoch: self.lead.epoch,
                    history: self.history.clone(),
                    commit: self.commit,
                },
            );
        }
        self.check_established(ctx);
    }

    fn check_established(&mut self, ctx: &mut Ctx) {
        let needed = if self.cfg.bugs.skip_discovery {
            1
        } else {
            self.quorum()
        };
        if self.role != Role::Leading(LeadStage::Sync) || self.lead.newleader_acks.len() < needed {
            return;
        }
        let epoch = self.lead.epoch;
        self.current_epoch = epoch;
        self.accepted_epoch = self.accepted_epoch.max(epoch);
        self.role = Role::Leading(LeadStage::Broadcast);
        self.leader = Some(self.me);
        // Zab commits the whole initial history once a quorum holds it.
        self.commit = self.last_zxid();
        ctx.cancel_timer(ZabTimer::Sync);
        for &n in &self.lead.newleader_acks {
            self.lead.last_heard.insert(n, ctx.now);
        }
        ctx.note(
            NoteKind::Leader,
            format!(
                "n{me} is established as leader of epoch {epoch}: a quorum ({who}) acknowledged NEWLEADER and its history ({len} txns) is committed; it now serves writes",
                me = self.me,
                who = Self::names(self.lead.newleader_acks.iter().copied()),
                len = self.history.len()
            ),
        );
        self.send_pings(ctx);
    }

    fn on_ack(&mut self, ctx: &mut Ctx, from: NodeId, epoch: u64, z: Zxid) {
        let Role::Leading(stage) = self.role else {
            return;
        };
        if epoch != self.lead.epoch || !self.lead.synced.contains(&from) {
            return;
        }
        self.lead.last_heard.insert(from, ctx.now);
        let m = self.lead.matched.entry(from).or_insert(0);
        *m = (*m).max(z);
        match stage {
            LeadStage::Sync => {
                self.lead.newleader_acks.insert(from);
                self.check_established(ctx);
            }
            LeadStage::Broadcast => self.advance_commit(ctx),
            _ => {}
        }
    }

    fn advance_commit(&mut self, ctx: &mut Ctx) {
        let epoch = self.current_epoch;
        let quorum = self.quorum();
        let newest = self
            .history
            .iter()
            .rev()
            .filter(|t| t.zxid > self.commit && epoch_of(t.zxid) == epoch)
            .find(|t| self.lead.matched.values().filter(|&&m| m >= t.zxid).count() >= quorum)
            .copied();
        let Some(top) = newest else {
            return;
        };
        let newly: Vec<Txn> = self
            .history
            .iter()
            .filter(|t| t.zxid > self.commit && t.zxid <= top.zxid)
            .copied()
            .collect();
        let who: Vec<NodeId> = self
            .lead
            .matched
            .iter()
            .filter(|(_, m)| **m >= top.zxid)
            .map(|(n, _)| *n)
            .collect();
        self.commit = top.zxid;
        for t in newly {
            ctx.note(
                NoteKind::Commit,
                format!(
                    "write #{} ({}) is committed: {} hold it, a quorum",
                    t.value,
                    hex(t.zxid),
                    Self::names(who.iter().copied())
                ),
            );
        }
        let to: Vec<NodeId> = self.lead.synced.iter().copied().collect();
        for n in to {
            ctx.send(
                n,
                ZabMsg::Commit {
                    epoch,
                    zxid: self.commit,
                },
            );
        }
    }

    fn send_pings(&mut self, ctx: &mut Ctx) {
        let epoch = self.lead.epoch;
        let to: Vec<NodeId> = self.lead.synced.iter().copied().collect();
        for n in to {
            ctx.send(
                n,
                ZabMsg::Ping {
                    epoch,
                    commit: self.commit,
                },
            );
            // Proposals lost or reordered on the way are sent again.
            let have = self.lead.matched.get(&n).copied().unwrap_or(0);
            let mut prev = have;
            for t in self.history.iter().filter(|t| t.zxid > have).take(8) {
                ctx.send(
                    n,
                    ZabMsg::Proposal {
                        epoch,
                        prev,
                        txn: *t,
                    },
                );
                prev = t.zxid;
            }
        }
        ctx.set_timer(ZabTimer::Tick, self.cfg.tick);
    }

    fn on_tick(&mut self, ctx: &mut Ctx) {
        if let (Role::Following(FollowStage::Discovery), Some(l)) = (self.role, self.leader) {
            // The leader may still be in its finalize wait and not yet listening, so
            // ZooKeeper's follower keeps trying to connect.
            ctx.send(
                l,
                ZabMsg::FollowerInfo {
                    accepted_epoch: self.accepted_epoch,
                    accepted_from: self.accepted_from,
                },
            );
            ctx.set_timer(ZabTimer::Tick, self.cfg.tick);
            return;
        }
        if !self.is_established() {
            return;
        }
        let limit = self.cfg.sync_limit.1;
        let now = ctx.now;
        let heard: Vec<NodeId> = self
            .lead
            .last_heard
            .iter()
            .filter(|(n, at)| **n != self.me && now.saturating_sub(**at) <= limit)
            .map(|(n, _)| *n)
            .collect();
        if heard.len() + 1 < self.quorum() {
            let me = self.me;
            let epoch = self.current_epoch;
            let from = if heard.is_empty() {
                "no follower".to_string()
            } else {
                Self::names(heard.iter().copied())
            };
            ctx.note(
                NoteKind::StepDown,
                format!(
                    "n{me} loses quorum: in the last {} it heard from {from}, and needs {} of {} servers counting itself; it steps down from epoch {epoch} to LOOKING",
                    Rounded(limit),
                    self.quorum(),
                    self.cluster_size
                ),
            );
            let why = format!("n{me} lost its quorum");
            self.start_looking(ctx, why);
            return;
        }
        self.send_pings(ctx);
    }

    fn on_client_write(&mut self, ctx: &mut Ctx, value: u64) {
        let me = self.me;
        match self.role {
            Role::Leading(LeadStage::Broadcast) => {}
            Role::Leading(_) => {
                ctx.note(
                    NoteKind::Client,
                    format!("n{me} is still establishing its epoch and turns write #{value} away"),
                );
                return;
            }
            Role::Following(_) => {
                let l = self.leader.map_or("its leader".into(), |l| format!("n{l}"));
                ctx.note(
                    NoteKind::Client,
                    format!(
                        "n{me} is a follower: ZooKeeper would forward write #{value} to {l}; here the client must retry at the leader"
                    ),
                );
                return;
            }
            Role::Looking => {
                ctx.note(
                    NoteKind::Client,
                    format!("n{me} is LOOKING and knows no leader: write #{value} is refused"),
                );
                return;
            }
        }
        let epoch = self.current_epoch;
        let last = self.last_zxid();
        let counter = if epoch_of(last) == epoch {
            (last & 0xffff_ffff) + 1
        } else {
            1
        };
        let txn = Txn {
            zxid: zxid(epoch, counter),
            value,
        };
        self.history.push(txn);
        self.lead.matched.insert(me, txn.zxid);
        ctx.note(
            NoteKind::Client,
            format!(
                "n{me} proposes write #{value} as {} and sends PROPOSAL to its followers",
                hex(txn.zxid)
            ),
        );
        let to: Vec<NodeId> = self.lead.synced.iter().copied().collect();
        for n in to {
            ctx.send(
                n,
                ZabMsg::Proposal {
                    epoch,
                    prev: last,
                    txn,
                },
            );
        }
        self.advance_commit(ctx);
    }
}

impl Algorithm for Zab {
    type Msg = ZabMsg;
    type Timer = ZabTimer;
    type Persistent = ZabDisk;
    type Config = ZabConfig;
    type Monitor = ZabMonitor;

    fn term_label(term: u64) -> String {
        format!("epoch {term}")
    }

    fn boot(me: NodeId, cluster_size: usize, config: &ZabConfig) -> Self {
        Zab::recover(me, cluster_size, config, &ZabDisk::default())
    }

    fn recover(me: NodeId, cluster_size: usize, config: &ZabConfig, disk: &ZabDisk) -> Self {
        let mut z = Zab {
            me,
            cluster_size: cluster_size.max(1),
            cfg: config.clone(),
            accepted_epoch: disk.accepted_epoch,
            accepted_from: disk.accepted_from,
            current_epoch: disk.current_epoch,
            history: disk.history.clone(),
            role: Role::Looking,
            leader: None,
            logical_clock: 0,
            proposal: Vote::default(),
            recv_set: VecMap::new(),
            out_of_election: VecMap::new(),
            notify_timeout: config.finalize_wait.max(MIN_NOTIFICATION_TIMEOUT),
            finalizing: false,
            lead: Lead::default(),
            commit: 0,
            heard_leader_at: 0,
        };
        z.proposal = z.own_vote();
        z
    }

    fn persistent(&self) -> ZabDisk {
        ZabDisk {
            accepted_epoch: if self.cfg.bugs.forget_accepted_epoch {
                self.current_epoch
            } else {
                self.accepted_epoch
            },
            accepted_from: self.accepted_from,
            current_epoch: self.current_epoch,
            history: self.history.clone(),
        }
    }

    fn step(&mut self, ctx: &mut Ctx, input: Input<ZabMsg, ZabTimer>) {
        match input {
            Input::Start { recovered } => {
                let why = if recovered {
                    format!(
                        "n{} restarts with accepted epoch {}, current epoch {} and {} txn(s) from disk",
                        self.me,
                        self.accepted_epoch,
                        self.current_epoch,
                        self.history.len()
                    )
                } else {
                    format!("n{} starts with an empty history", self.me)
                };
                self.start_looking(ctx, why);
            }
            Input::Timer(ZabTimer::Notify) => self.on_notify_timeout(ctx),
            Input::Timer(ZabTimer::Finalize) => self.on_finalize(ctx),
            Input::Timer(ZabTimer::Tick) => self.on_tick(ctx),
            Input::Timer(ZabTimer::Sync) => self.on_sync_timeout(ctx),
            Input::ClientWrite { value } => self.on_client_write(ctx, value),
            Input::Message { from, msg } => match msg {
                ZabMsg::Notification {
                    vote,
                    election_epoch,
                    state,
                } => self.on_notification(ctx, from, vote, election_epoch, state),
                ZabMsg::FollowerInfo {
                    accepted_epoch,
                    accepted_from,
                } => self.on_follower_info(ctx, from, accepted_epoch, accepted_from),
                ZabMsg::NewEpoch { epoch } => self.on_new_epoch(ctx, from, epoch),
                ZabMsg::AckEpoch {
                    epoch,
                    current_epoch,
                    last_zxid,
                } => self.on_ack_epoch(ctx, from, epoch, current_epoch, last_zxid),
                ZabMsg::NewLeader {
                    epoch,
                    history,
                    commit,
                } => self.on_new_leader(ctx, from, epoch, history, commit),
                ZabMsg::Ack { epoch, zxid } => self.on_ack(ctx, from, epoch, zxid),
                ZabMsg::Proposal { epoch, prev, txn } => {
                    self.on_proposal(ctx, from, epoch, prev, txn)
                }
                ZabMsg::Commit { epoch, zxid } => self.on_commit(ctx, from, epoch, zxid),
                ZabMsg::Ping { epoch, commit } => self.on_ping(ctx, from, epoch, commit),
            },
        }
    }

    fn view(&self) -> NodeView {
        let caption = match self.role {
            Role::Looking => ("vote".to_string(), self.proposal.to_string()),
            Role::Leading(LeadStage::Broadcast) => {
                ("epoch".to_string(), self.current_epoch.to_string())
            }
            Role::Leading(_) => (
                "establishing".to_string(),
                match self.lead.epoch {
                    0 => "an epoch".to_string(),
                    e => format!("epoch {e}"),
                },
            ),
            Role::Following(FollowStage::Broadcast) => {
                ("epoch".to_string(), self.current_epoch.to_string())
            }
            Role::Following(_) => (
                "syncing with".to_string(),
                self.leader.map_or("?".into(), |l| format!("n{l}")),
            ),
        };
        let mut fields = vec![
            caption,
            ("zxid".to_string(), hex(self.last_zxid())),
            ("election round".to_string(), self.logical_clock.to_string()),
            (
                "accepted epoch".to_string(),
                self.accepted_epoch.to_string(),
            ),
            ("current epoch".to_string(), self.current_epoch.to_string()),
        ];
        if self.role == Role::Looking {
            fields.push((
                "votes for it".to_string(),
                format!(
                    "{}/{} (need {})",
                    self.agreeing().len(),
                    self.cluster_size,
                    self.quorum()
                ),
            ));
        }
        let log = self
            .history
            .iter()
            .map(|t| LogEntryView {
                term: epoch_of(t.zxid),
                committed: t.zxid <= self.commit,
                value: Some(t.value),
            })
            .collect();
        NodeView {
            role: self.state().name().to_string(),
            is_leader: self.is_established(),
            term: self.current_epoch,
            voted_for: Some(self.proposal.leader),
            leader: self.leader,
            log,
            commit_index: self.committed().len() as u64,
            fields,
        }
    }

    fn leadership(&self) -> Option<u64> {
        self.is_established().then_some(self.current_epoch)
    }

    fn election_timer() -> Option<ZabTimer> {
        Some(ZabTimer::Sync)
    }
}
