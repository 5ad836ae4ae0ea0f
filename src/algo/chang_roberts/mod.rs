//! Chang and Roberts' ring election (CACM 22(5), 1979) on a unidirectional ring, with
//! per-hop acknowledgements so that the ring repairs itself around crashed nodes.
//!
//! The election itself is the textbook one: a candidate sends ELECTION(me) clockwise;
//! a node passes on larger ids, replaces smaller ones with its own while it is not yet
//! taking part, and swallows smaller ones once it is; the id that comes home is the
//! largest, and its owner sends ELECTED around the ring. Everything else here (acks,
//! skipping silent successors, leader heartbeats) exists only because nodes crash.
//!
//! Skipping a silent successor sends a second copy of the token, and the first may
//! still arrive (the successor was slow or paused, not dead). Two rules keep such
//! copies from multiplying into a message storm: every token carries its owner's lap
//! number and each node handles a lap once, and the ACK timeout adapts to the round
//! trips a node measures (TCP's estimator, RFC 6298), doubling after each timeout.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::UniqueWinnerMonitor;

use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, MS, Message, Micros, MsgClass, NodeId, NodeView, NoteKind, Timer,
};
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangRobertsConfig {
    /// The ring: element `k` sends to element `k + 1` (wrapping). Empty means
    /// ascending ids; an order that is not a permutation of the cluster is ignored
    /// the same way, since a node missing from the ring could never be reached.
    pub order: Vec<NodeId>,
    /// A follower that hears no heartbeat for a draw from this range starts an
    /// election; a participant waits this long plus two ring laps before retrying.
    pub election_timeout: (Micros, Micros),
    /// How often the leader tells every node directly that it is alive.
    pub heartbeat: Micros,
    /// How long a sender waits for its successor's ACK before skipping it, at least:
    /// measured round trips raise it (see [`ChangRoberts::ack_wait`]).
    pub ack_timeout: Micros,
    bugs: Bugs,
}

impl ChangRobertsConfig {
    pub fn new(order: Vec<NodeId>) -> Self {
        ChangRobertsConfig {
            order,
            ..ChangRobertsConfig::default()
        }
    }
}

impl Default for ChangRobertsConfig {
    fn default() -> Self {
        ChangRobertsConfig {
            order: Vec::new(),
            election_timeout: (150 * MS, 300 * MS),
            heartbeat: 50 * MS,
            ack_timeout: 40 * MS,
            bugs: Bugs::default(),
        }
    }
}

/// Deliberate defects, so tests can prove the invariant checker catches them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    forward_smaller: bool,
    elect_on_any_return: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangRobertsBug {
    /// A participant passes on smaller ids instead of swallowing them, so a small id
    /// can travel through larger nodes and come home.
    ForwardSmaller,
    /// A node whose own token comes home declares itself elected even though a
    /// larger candidate's token passed it in the same round.
    ElectOnAnyReturn,
}

#[cfg(feature = "bug-injection")]
impl ChangRobertsConfig {
    pub fn with_bug(mut self, bug: ChangRobertsBug) -> Self {
        match bug {
            ChangRobertsBug::ForwardSmaller => self.bugs.forward_smaller = true,
            ChangRobertsBug::ElectOnAnyReturn => self.bugs.elect_on_any_return = true,
        }
        self
    }
}

/// What travels around the ring (and is acknowledged hop by hop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Election(NodeId),
    Elected(NodeId),
}

impl Token {
    /// The node the token is about: it ends its lap there.
    fn owner(self) -> NodeId {
        match self {
            Token::Election(n) | Token::Elected(n) => n,
        }
    }

    fn name(self) -> String {
        match self {
            Token::Election(n) => format!("ELECTION(n{n})"),
            Token::Elected(n) => format!("ELECTED(n{n})"),
        }
    }

    fn into_msg(self, lap: Lap, seq: u64) -> RingMsg {
        match self {
            Token::Election(candidate) => RingMsg::Election {
                candidate,
                lap,
                seq,
            },
            Token::Elected(leader) => RingMsg::Elected { leader, lap, seq },
        }
    }
}

/// Which of its owner's laps a token belongs to: the owner's clock when it sent the
/// token, so laps increase across the owner's restarts without anything on disk.
pub type Lap = Micros;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RingMsg {
    Election {
        candidate: NodeId,
        /// The candidate's lap: a node passes each lap on at most once.
        lap: Lap,
        /// The sender's number for this hop, echoed by the ACK.
        seq: u64,
    },
    Elected {
        leader: NodeId,
        lap: Lap,
        seq: u64,
    },
    /// "I received your hop `seq`": the only evidence a sender has that its successor
    /// is alive, since on a one-way ring nothing else ever comes back.
    Ack {
        seq: u64,
    },
    /// Sent by the leader straight to every node: the failure detector that lets
    /// followers notice a dead leader. It is not part of Chang-Roberts, which elects
    /// once and has no notion of a leader failing.
    Heartbeat,
}

impl Message for RingMsg {
    fn kind(&self) -> &'static str {
        match self {
            RingMsg::Election { .. } => "Election",
            RingMsg::Elected { .. } => "Elected",
            RingMsg::Ack { .. } => "Ack",
            RingMsg::Heartbeat => "Heartbeat",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            RingMsg::Election { .. } => MsgClass::VoteRequest,
            RingMsg::Elected { .. } => MsgClass::Announce,
            RingMsg::Ack { .. } => MsgClass::Reply,
            RingMsg::Heartbeat => MsgClass::Heartbeat,
        }
    }

    fn term(&self) -> Option<u64> {
        None
    }

    fn summary(&self) -> String {
        match self {
            RingMsg::Election { candidate, seq, .. } => format!("candidate n{candidate} (#{seq})"),
            RingMsg::Elected { leader, seq, .. } => format!("leader n{leader} (#{seq})"),
            RingMsg::Ack { seq } => format!("got #{seq}"),
            RingMsg::Heartbeat => "leader alive".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RingTimer {
    /// A follower's patience with a silent leader, or a participant's with a stalled
    /// round: either way, expiry starts an election.
    Election,
    Heartbeat,
    /// Waiting for the successor to acknowledge hop `seq`.
    Ack(u64),
}

impl Timer for RingTimer {
    fn label(&self) -> &'static str {
        match self {
            RingTimer::Election => "election",
            RingTimer::Heartbeat => "heartbeat",
            RingTimer::Ack(_) => "ack",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Booted, no election known yet.
    Idle,
    /// A participant: it has sent or passed on an ELECTION in the current round.
    Candidate,
    Follower,
    Leader,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Idle => "idle",
            Role::Candidate => "candidate",
            Role::Follower => "follower",
            Role::Leader => "leader",
        }
    }
}

/// A hop sent and not yet acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    to: NodeId,
    token: Token,
    lap: Lap,
    /// Local time it was sent: its ACK is a round-trip sample.
    sent_at: Micros,
}

/// Hops whose ACK timed out, remembered so that a late ACK still teaches the sender
/// how slow the ring has become.
const LATE_ACKS_REMEMBERED: usize = 32;
/// The ACK wait never grows past this multiple of the configured one.
const ACK_WAIT_CAP: Micros = 16;

/// The newest lap of each owner's ELECTION and ELECTED a node has handled, by owner
/// id (0 until one is seen).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Handled {
    election: Vec<Lap>,
    elected: Vec<Lap>,
}

impl Handled {
    /// The slot for `token`'s owner; None for an id no ring holds (a corrupt token).
    fn lap(&mut self, token: Token) -> Option<&mut Lap> {
        let (laps, owner) = match token {
            Token::Election(n) => (&mut self.election, n),
            Token::Elected(n) => (&mut self.elected, n),
        };
        let i = usize::try_from(owner).ok().filter(|&i| i <= MAX_RING)?;
        if laps.len() <= i {
            laps.resize(i + 1, 0);
        }
        laps.get_mut(i)
    }
}

/// Ids beyond this are not ring members (the cluster has at most 25 nodes): a token
/// naming one is handled without lap bookkeeping rather than growing a table.
const MAX_RING: usize = 1_024;

/// Round-trip estimate (RFC 6298: smoothed mean and mean deviation, in integers). The
/// first sample starts with no deviation rather than RFC 6298's half a round trip: the
/// configured wait already covers the configured latency, and the estimate only has
/// to say when the network became slower than that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct RoundTrip {
    srtt: Micros,
    rttvar: Micros,
    samples: u64,
}

impl RoundTrip {
    fn sample(&mut self, rtt: Micros) {
        if self.samples == 0 {
            self.srtt = rtt;
            self.rttvar = 0;
        } else {
            self.rttvar = (3 * self.rttvar + self.srtt.abs_diff(rtt)) / 4;
            self.srtt = (7 * self.srtt + rtt) / 8;
        }
        self.samples += 1;
    }

    fn timeout(&self) -> Micros {
        self.srtt + 4 * self.rttvar
    }
}

/// Where a token goes next from this node.
enum Hop {
    /// To the first successor not suspected.
    To { to: NodeId },
    /// Every other node is suspected and the token is this node's own: it is home.
    Home,
    /// The token's owner is suspected down and lies before any live successor, so
    /// the lap can never end: the token dies with its owner.
    OwnerGone,
}

type Ctx<'a> = Context<'a, RingMsg, RingTimer>;

#[derive(Clone, Debug)]
pub struct ChangRoberts {
    me: NodeId,
    cfg: ChangRobertsConfig,
    ring: Vec<NodeId>,
    role: Role,
    leader: Option<NodeId>,
    /// The largest candidate id this node has seen in its current round.
    max_seen: NodeId,
    /// Candidates whose ELECTION this node passed on in its current round.
    passed_on: VecSet<NodeId>,
    /// Successors that failed to acknowledge: skipped until heard from again.
    suspected: VecSet<NodeId>,
    pending: VecMap<u64, Pending>,
    /// Timed-out hops (seq -> local send time), oldest dropped first.
    timed_out: VecDeque<(u64, Micros)>,
    next_seq: u64,
    /// The newest lap of each (token, owner) this node has handled: older or equal
    /// copies are duplicates from a skip-and-resend and end here.
    handled: Handled,
    last_lap: Lap,
    round_trip: RoundTrip,
    /// The ACK wait now: measured, doubled after a timeout, within the configured
    /// one and ACK_WAIT_CAP times it.
    ack_wait: Micros,
    /// Local time the election timer was last armed, for "heard nothing for X".
    waiting_since: Micros,
}

/// The ring to use: the configured order if it is a permutation of the cluster.
fn usable_ring(order: &[NodeId], cluster_size: usize) -> Vec<NodeId> {
    let mut sorted = order.to_vec();
    sorted.sort_unstable();
    let expected: Vec<NodeId> = (1..=cluster_size as NodeId).collect();
    if sorted == expected {
        order.to_vec()
    } else {
        expected
    }
}

impl ChangRoberts {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    pub fn max_seen(&self) -> NodeId {
        self.max_seen
    }

    pub fn passed_on(&self) -> &VecSet<NodeId> {
        &self.passed_on
    }

    pub fn suspected(&self) -> &VecSet<NodeId> {
        &self.suspected
    }

    /// How long this node now waits for an ACK before skipping its successor.
    pub fn ack_wait(&self) -> Micros {
        self.ack_wait
    }

    /// The successor ring messages go to now, after skipping suspected nodes.
    pub fn next(&self) -> NodeId {
        match self.route(self.me) {
            Hop::To { to } => to,
            Hop::Home | Hop::OwnerGone => self.me,
        }
    }

    fn route(&self, owner: NodeId) -> Hop {
        let len = self.ring.len();
        let pos = self.ring.iter().position(|&n| n == self.me).unwrap_or(0);
        for k in 1..len {
            let Some(&n) = self.ring.get((pos + k) % len) else {
                break;
            };
            if !self.suspected.contains(&n) {
                return Hop::To { to: n };
            }
            if n == owner {
                return Hop::OwnerGone;
            }
        }
        if owner == self.me {
            Hop::Home
        } else {
            Hop::OwnerGone
        }
    }

    /// A participant may wait through a lap of ELECTION and a lap of ELECTED, each
    /// hop possibly costing an ACK timeout, before it concludes the round is stuck.
    fn round_patience(&self) -> Micros {
        2 * self.ring.len() as Micros * self.ack_wait
    }

    fn arm_election_timer(&mut self, ctx: &mut Ctx) {
        let (lo, hi) = self.cfg.election_timeout;
        let mut after = ctx.random_range(lo, hi);
        if self.role == Role::Candidate {
            after += self.round_patience();
        }
        self.waiting_since = ctx.now;
        ctx.set_timer(RingTimer::Election, after);
    }

    // ----- sending around the ring -----

    /// Starts a new lap of this node's own token.
    fn send_own(&mut self, ctx: &mut Ctx, token: Token) {
        let lap = ctx.now.max(self.last_lap + 1);
        self.last_lap = lap;
        self.send_token(ctx, token, lap);
    }

    fn send_token(&mut self, ctx: &mut Ctx, token: Token, lap: Lap) {
        let hop = self.route(token.owner());
        self.dispatch(ctx, token, lap, hop);
    }

    fn dispatch(&mut self, ctx: &mut Ctx, token: Token, lap: Lap, hop: Hop) {
        let me = self.me;
        match hop {
            Hop::To { to } => {
                let seq = self.next_seq;
                self.next_seq += 1;
                let sent_at = ctx.now;
                self.pending.insert(
                    seq,
                    Pending {
                        to,
                        token,
                        lap,
                        sent_at,
                    },
                );
                ctx.send(to, token.into_msg(lap, seq));
                ctx.set_timer(RingTimer::Ack(seq), self.ack_wait);
            }
            Hop::Home => match token {
                // Alone on the ring: the token has gone round the only live node.
                Token::Election(_) => self.on_election(ctx, me, lap),
                Token::Elected(_) => self.on_elected(ctx, me, lap),
            },
            Hop::OwnerGone => {
                let owner = token.owner();
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{me} drops {}: n{owner} is suspected down, and its token could only end its lap at n{owner}",
                        token.name()
                    ),
                );
            }
        }
    }

    fn on_ack(&mut self, ctx: &mut Ctx, from: NodeId, seq: u64) {
        if let Some(p) = self.pending.get(&seq).filter(|p| p.to == from) {
            let rtt = ctx.now.saturating_sub(p.sent_at);
            self.pending.remove(&seq);
            ctx.cancel_timer(RingTimer::Ack(seq));
            self.learn_round_trip(rtt);
        } else if let Some(k) = self.timed_out.iter().position(|&(s, _)| s == seq) {
            let (_, sent_at) = self.timed_out.remove(k).unwrap_or_default();
            let rtt = ctx.now.saturating_sub(sent_at);
            let before = self.ack_wait;
            self.learn_round_trip(rtt);
            if self.ack_wait > before {
                let me = self.me;
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{from}'s ACK of #{seq} reaches n{me} late, after {}: the ring is slower than n{me} thought, so it now waits {} for an ACK",
                        Rounded(rtt),
                        Rounded(self.ack_wait)
                    ),
                );
            }
        }
    }

    fn learn_round_trip(&mut self, rtt: Micros) {
        self.round_trip.sample(rtt);
        self.ack_wait = self
            .round_trip
            .timeout()
            .clamp(self.cfg.ack_timeout, self.longest_ack_wait());
    }

    fn longest_ack_wait(&self) -> Micros {
        self.cfg.ack_timeout * ACK_WAIT_CAP
    }

    fn on_ack_timeout(&mut self, ctx: &mut Ctx, seq: u64) {
        let Some(Pending {
            to,
            token,
            lap,
            sent_at,
        }) = self.pending.remove(&seq)
        else {
            return;
        };
        self.timed_out.push_back((seq, sent_at));
        if self.timed_out.len() > LATE_ACKS_REMEMBERED {
            self.timed_out.pop_front();
        }
        let waited = self.ack_wait;
        // Back off (RFC 6298 5.5): if the successor is only slow, the next hop's ACK
        // gets time to come back instead of every hop being sent twice.
        self.ack_wait = (waited * 2).min(self.longest_ack_wait());
        self.suspected.insert(to);
        let hop = self.route(token.owner());
        let (me, wait) = (self.me, Rounded(waited));
        let what = match &hop {
            Hop::To { to: next } => {
                format!("n{me} skips it and sends {} to n{next}", token.name())
            }
            Hop::Home => format!(
                "every other node is now suspected, so {} is back home at n{me}",
                token.name()
            ),
            Hop::OwnerGone => format!(
                "n{to} was the owner of {}, so the token dies with it",
                token.name()
            ),
        };
        ctx.note(
            NoteKind::Info,
            format!("n{to} did not acknowledge within {wait}; {what}"),
        );
        if !matches!(hop, Hop::OwnerGone) {
            self.dispatch(ctx, token, lap, hop);
        }
    }

    /// Records a token's lap; false if this node already handled that lap (a copy
    /// resent around a node that was slow, not dead).
    fn first_copy(&mut self, ctx: &mut Ctx, token: Token, lap: Lap) -> bool {
        let me = self.me;
        match self.handled.lap(token) {
            Some(seen) if *seen >= lap => {
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{me} has already handled this lap of {}: a second copy (resent after a late ACK) ends here",
                        token.name()
                    ),
                );
                false
            }
            Some(seen) => {
                *seen = lap;
                true
            }
            None => true,
        }
    }

    /// Anything from a node proves it is up, so it rejoins this node's ring.
    fn hear_from(&mut self, ctx: &mut Ctx, who: NodeId) {
        if who != self.me && self.suspected.remove(&who) {
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{} hears from n{who} again, so n{who} is back in n{}'s ring",
                    self.me, self.me
                ),
            );
        }
    }

    // ----- the election -----

    fn start_candidacy(&mut self, ctx: &mut Ctx, why: String) {
        let me = self.me;
        self.role = Role::Candidate;
        self.leader = None;
        self.max_seen = me;
        self.passed_on.clear();
        ctx.cancel_timer(RingTimer::Heartbeat);
        ctx.note(
            NoteKind::ElectionStart,
            format!("{why}; n{me} starts an election and sends ELECTION(n{me}) clockwise"),
        );
        self.arm_election_timer(ctx);
        self.send_own(ctx, Token::Election(me));
    }

    /// A node not yet in the round passes on a larger candidate and thereby joins it.
    fn join_round(&mut self, ctx: &mut Ctx, candidate: NodeId) {
        self.role = Role::Candidate;
        self.leader = None;
        self.max_seen = candidate;
        self.passed_on.clear();
        self.arm_election_timer(ctx);
    }

    fn on_election(&mut self, ctx: &mut Ctx, candidate: NodeId, lap: Lap) {
        let me = self.me;
        let j = candidate;
        match self.role {
            Role::Leader if j > me => {
                ctx.note(
                    NoteKind::StepDown,
                    format!(
                        "leader n{me} sees ELECTION(n{j}): a higher node is campaigning, so n{me} stands aside and passes it on"
                    ),
                );
                ctx.cancel_timer(RingTimer::Heartbeat);
                self.join_round(ctx, j);
                self.pass_on(ctx, j, lap);
            }
            Role::Leader if j < me => {
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} already leads and is higher than n{j}: it swallows ELECTION(n{j}) and re-announces itself with ELECTED(n{me})"
                    ),
                );
                self.send_own(ctx, Token::Elected(me));
            }
            Role::Leader => {
                ctx.note(
                    NoteKind::Info,
                    format!("n{me} already leads; a late copy of its own ELECTION ends here"),
                );
            }
            Role::Candidate if j > me => {
                self.max_seen = self.max_seen.max(j);
                ctx.note(
                    NoteKind::Vote,
                    format!("n{me} passes ELECTION(n{j}) on: n{j} is higher"),
                );
                self.pass_on(ctx, j, lap);
            }
            Role::Candidate if j < me => {
                if self.cfg.bugs.forward_smaller {
                    ctx.note(NoteKind::Vote, format!("n{me} passes ELECTION(n{j}) on"));
                    self.pass_on(ctx, j, lap);
                } else {
                    ctx.note(
                        NoteKind::Vote,
                        format!(
                            "n{me} swallows ELECTION(n{j}): n{me} is higher and already in this round, so n{j} cannot win"
                        ),
                    );
                }
            }
            Role::Candidate => {
                if self.max_seen == me || self.cfg.bugs.elect_on_any_return {
                    self.become_leader(ctx);
                } else {
                    ctx.note(
                        NoteKind::Vote,
                        format!(
                            "ELECTION(n{me}) came home, but ELECTION(n{}) passed n{me} in this round: a higher node is alive and campaigning, so n{me} does not claim the win",
                            self.max_seen
                        ),
                    );
                }
            }
            Role::Follower | Role::Idle if j > me => {
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} joins the election n{j} started and passes ELECTION(n{j}) on: n{j} is higher"
                    ),
                );
                self.join_round(ctx, j);
                self.pass_on(ctx, j, lap);
            }
            Role::Follower | Role::Idle if j < me => {
                let why = format!(
                    "n{me} receives ELECTION(n{j}) while not yet in the race and is higher, so it replaces the token with its own"
                );
                self.start_candidacy(ctx, why);
            }
            Role::Follower | Role::Idle => {
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "a late copy of ELECTION(n{me}) reaches n{me}, which is no longer campaigning; it ends here"
                    ),
                );
            }
        }
    }

    fn pass_on(&mut self, ctx: &mut Ctx, candidate: NodeId, lap: Lap) {
        self.passed_on.insert(candidate);
        self.send_token(ctx, Token::Election(candidate), lap);
    }

    fn become_leader(&mut self, ctx: &mut Ctx) {
        let me = self.me;
        self.role = Role::Leader;
        self.leader = Some(me);
        ctx.note(
            NoteKind::Leader,
            format!(
                "ELECTION(n{me}) went round the whole ring and came home: no node on the way was higher, so n{me} is the leader; it sends ELECTED(n{me}) around the ring"
            ),
        );
        ctx.cancel_timer(RingTimer::Election);
        self.send_own(ctx, Token::Elected(me));
        self.broadcast_heartbeat(ctx);
    }

    fn follow(&mut self, ctx: &mut Ctx, leader: NodeId, text: String) {
        if self.role == Role::Leader {
            ctx.cancel_timer(RingTimer::Heartbeat);
            ctx.note(NoteKind::StepDown, text);
        } else {
            ctx.note(NoteKind::Info, text);
        }
        self.role = Role::Follower;
        self.leader = Some(leader);
        self.arm_election_timer(ctx);
    }

    fn on_elected(&mut self, ctx: &mut Ctx, leader: NodeId, lap: Lap) {
        let me = self.me;
        let l = leader;
        if l == me {
            let text = if self.role == Role::Leader {
                format!("ELECTED(n{me}) is back at n{me}: every node on the ring knows who leads")
            } else {
                format!("ELECTED(n{me}) is back at n{me}, which no longer leads; it ends here")
            };
            ctx.note(NoteKind::Info, text);
            return;
        }
        if l < me {
            match self.role {
                Role::Leader => ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} leads and is higher than n{l}, so it swallows ELECTED(n{l}); n{l} will hear n{me}'s heartbeats"
                    ),
                ),
                Role::Candidate => ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} swallows ELECTED(n{l}): n{me} is higher and alive, and its own round is still running"
                    ),
                ),
                Role::Follower | Role::Idle => {
                    let why = format!(
                        "n{me} will not follow n{l}: n{me} is higher and alive (n{l} won while n{me} was skipped)"
                    );
                    self.start_candidacy(ctx, why);
                }
            }
            return;
        }
        let text = if self.role == Role::Leader {
            format!(
                "leader n{me} receives ELECTED(n{l}) for a higher node, steps down and passes it on"
            )
        } else if self.role == Role::Follower && self.leader == Some(l) {
            format!("n{me} already follows n{l} and passes ELECTED(n{l}) on")
        } else {
            format!("n{me} learns that n{l} is the leader and passes ELECTED(n{l}) on")
        };
        self.follow(ctx, l, text);
        self.send_token(ctx, Token::Elected(l), lap);
    }

    // ----- the failure detector -----

    fn broadcast_heartbeat(&mut self, ctx: &mut Ctx) {
        ctx.broadcast(RingMsg::Heartbeat);
        ctx.set_timer(RingTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        if self.role == Role::Leader {
            self.broadcast_heartbeat(ctx);
        }
    }

    /// Heartbeats only ever move a node towards a higher leader: a lower one is
    /// ignored, so a node following nobody it accepts eventually times out and
    /// campaigns, and its token deposes the lower leader.
    fn on_heartbeat(&mut self, ctx: &mut Ctx, from: NodeId) {
        let me = self.me;
        let l = from;
        if l < me {
            return;
        }
        match self.role {
            Role::Leader => {
                let text = format!(
                    "leader n{me} hears heartbeats from n{l}, a higher leader, and becomes its follower"
                );
                self.follow(ctx, l, text);
            }
            Role::Candidate if l >= self.max_seen => {
                let text = format!(
                    "n{me} hears heartbeats from leader n{l}, higher than any candidate in its round, and follows it without waiting for the ELECTED lap"
                );
                self.follow(ctx, l, text);
            }
            Role::Candidate => {}
            Role::Follower if self.leader == Some(l) => self.arm_election_timer(ctx),
            Role::Follower | Role::Idle if self.leader.is_none_or(|f| l > f) => {
                let text = match self.leader {
                    Some(f) => format!(
                        "n{me} hears heartbeats from n{l}, a higher leader than n{f}, and follows n{l}"
                    ),
                    None => format!("n{me} hears heartbeats from leader n{l} and follows it"),
                };
                self.follow(ctx, l, text);
            }
            Role::Follower | Role::Idle => {}
        }
    }

    fn on_election_timer(&mut self, ctx: &mut Ctx) {
        let me = self.me;
        let quiet = Rounded(ctx.now.saturating_sub(self.waiting_since));
        let why = match (self.role, self.leader) {
            (Role::Leader, _) => {
                ctx.note(
                    NoteKind::Info,
                    format!("n{me} leads: it has no leader to time out on"),
                );
                return;
            }
            (Role::Candidate, _) => format!(
                "n{me}'s round made no progress for {quiet} (a token was probably lost with a crashed node)"
            ),
            (_, Some(l)) => format!("n{me} heard nothing from leader n{l} for {quiet}"),
            (_, None) => format!("n{me} knows no leader"),
        };
        self.start_candidacy(ctx, why);
    }

    fn on_start(&mut self, ctx: &mut Ctx, recovered: bool) {
        let me = self.me;
        let next = self.next();
        let why = if recovered {
            format!("n{me} restarts knowing nothing (a ring election keeps nothing on disk)")
        } else {
            format!("n{me} boots on the ring before n{next}")
        };
        self.start_candidacy(ctx, why);
    }
}

impl Algorithm for ChangRoberts {
    type Msg = RingMsg;
    type Timer = RingTimer;
    /// Nothing: a restarted node rejoins by campaigning, which needs no memory.
    type Persistent = ();
    type Config = ChangRobertsConfig;
    type Monitor = UniqueWinnerMonitor;

    fn boot(me: NodeId, cluster_size: usize, config: &ChangRobertsConfig) -> Self {
        ChangRoberts {
            me,
            cfg: config.clone(),
            ring: usable_ring(&config.order, cluster_size),
            role: Role::Idle,
            leader: None,
            max_seen: me,
            passed_on: VecSet::new(),
            suspected: VecSet::new(),
            pending: VecMap::new(),
            timed_out: VecDeque::new(),
            next_seq: 0,
            handled: Handled::default(),
            last_lap: 0,
            round_trip: RoundTrip::default(),
            ack_wait: config.ack_timeout,
            waiting_since: 0,
        }
    }

    fn recover(me: NodeId, cluster_size: usize, config: &ChangRobertsConfig, _disk: &()) -> Self {
        ChangRoberts::boot(me, cluster_size, config)
    }

    fn persistent(&self) {}

    fn step(&mut self, ctx: &mut Ctx, input: Input<RingMsg, RingTimer>) {
        match input {
            Input::Start { recovered } => self.on_start(ctx, recovered),
            Input::Timer(RingTimer::Election) => self.on_election_timer(ctx),
            Input::Timer(RingTimer::Heartbeat) => self.on_heartbeat_timer(ctx),
            Input::Timer(RingTimer::Ack(seq)) => self.on_ack_timeout(ctx, seq),
            Input::ClientWrite { value } => ctx.note(
                NoteKind::Client,
                format!(
                    "n{} ignores write #{value}: a ring election chooses a leader but replicates nothing",
                    self.me
                ),
            ),
            Input::Message { from, msg } => {
                self.hear_from(ctx, from);
                match msg {
                    RingMsg::Election {
                        candidate,
                        lap,
                        seq,
                    } => {
                        ctx.send(from, RingMsg::Ack { seq });
                        self.hear_from(ctx, candidate);
                        if self.first_copy(ctx, Token::Election(candidate), lap) {
                            self.on_election(ctx, candidate, lap);
                        }
                    }
                    RingMsg::Elected { leader, lap, seq } => {
                        ctx.send(from, RingMsg::Ack { seq });
                        self.hear_from(ctx, leader);
                        if self.first_copy(ctx, Token::Elected(leader), lap) {
                            self.on_elected(ctx, leader, lap);
                        }
                    }
                    RingMsg::Ack { seq } => self.on_ack(ctx, from, seq),
                    RingMsg::Heartbeat => self.on_heartbeat(ctx, from),
                }
            }
        }
    }

    fn view(&self) -> NodeView {
        let name = |n: Option<NodeId>| n.map_or("none".to_string(), |n| format!("n{n}"));
        let mut fields = Vec::new();
        if self.role == Role::Candidate {
            fields.push(("max seen".to_string(), format!("n{}", self.max_seen)));
        } else {
            fields.push(("leader".to_string(), name(self.leader)));
        }
        fields.push(("next".to_string(), format!("n{}", self.next())));
        if !self.suspected.is_empty() {
            let ids: Vec<String> = self.suspected.iter().map(|n| format!("n{n}")).collect();
            fields.push(("suspects".to_string(), ids.join(",")));
        }
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

    fn election_timer() -> Option<RingTimer> {
        Some(RingTimer::Election)
    }

    const ONE_LEADER_PER_TERM: bool = false;
}
