//! Hirschberg-Sinclair leader election on a bidirectional ring (Hirschberg & Sinclair,
//! CACM 1980; Lynch, *Distributed Algorithms*, §3.4).
//!
//! Every candidate works in phases k = 0, 1, 2, ...: it sends a PROBE carrying its id
//! both ways round the ring to distance 2^k. A node with a higher id swallows it; a
//! lower node passes it on, and the node at distance 2^k sends a REPLY back. A candidate
//! that gets both replies doubles its reach. The probe that comes all the way round to
//! its sender proves that no node on the ring is higher: the sender is elected and sends
//! ELECTED round the ring. At most 8N(1 + ⌈log2 N⌉) probes and replies in all.
//!
//! What this engine adds to the textbook, and why:
//! - Waking up (Lynch §3.4 leaves start times arbitrary): a node that is not taking part
//!   joins when it first sees a probe, by starting its own candidacy, so each election is
//!   a ring-wide event like the all-at-once textbook setting. Followers of a leader that
//!   is higher than the probe do not join: the prober will hear that leader's heartbeat.
//! - Giving way: a candidate that carries a higher probe stops advancing ("waiting"); a
//!   textbook candidate would keep going, only to be swallowed later.
//! - OUTRANKED: a node that swallows a probe sent by its own neighbour (hop 1) says so.
//!   This is the ring's only failure detector: a neighbour that answers a probe with
//!   neither a REPLY nor OUTRANKED within the phase timeout is taken for dead and
//!   skipped (the ring repair of Chang-Roberts and Tanenbaum's ring algorithm). Any
//!   message from a skipped node puts it back in the ring, and so does a campaign
//!   started by a timeout: two neighbours skipping each other would otherwise never
//!   meet again.
//! - After an election: the leader sends HEARTBEATs directly to every node; a follower
//!   that hears none for an election timeout takes the leader for dead and campaigns. A
//!   waiting node that sees no ELECTED within a round's worst-case duration campaigns
//!   again (the higher candidate it gave way to may have crashed).
//! - The highest id always leads: a node never follows a lower leader; it campaigns.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::HsMonitor;

use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, MS, Message, Micros, MsgClass, NodeId, NodeView, NoteKind, Timer,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HsConfig {
    /// The ring: element k's clockwise neighbour is element k + 1 (wrapping).
    pub order: Vec<NodeId>,
    /// A follower's wait for its leader's heartbeat; also the random part of a waiting
    /// node's patience.
    pub election_timeout: (Micros, Micros),
    pub heartbeat: Micros,
    /// Longest time one message takes from node to node; phase k waits
    /// 2^(k+1) of these (out 2^k hops, back 2^k hops).
    pub hop_time: Micros,
    bugs: Bugs,
}

impl HsConfig {
    /// Ids 1..=n in ascending ring order, with the project's default timings.
    pub fn ascending(n: u32) -> HsConfig {
        HsConfig::with_order((1..=n).collect())
    }

    pub fn with_order(order: Vec<NodeId>) -> HsConfig {
        HsConfig {
            order,
            election_timeout: (150 * MS, 300 * MS),
            heartbeat: 50 * MS,
            hop_time: 16 * MS,
            bugs: Bugs::default(),
        }
    }

    /// How long a candidate waits for both replies of phase `phase`.
    pub fn phase_timeout(&self, phase: u32) -> Micros {
        self.hop_time.saturating_mul(1 << (phase.min(30) + 1))
    }

    /// Worst case of a whole round on a ring of `n`: every phase up to the one whose
    /// reach covers the ring, then the ELECTED lap.
    pub fn round_bound(&self, n: usize) -> Micros {
        let last = final_phase(n);
        let phases: Micros = (0..=last).map(|k| self.phase_timeout(k)).sum();
        phases.saturating_add(self.hop_time.saturating_mul(n as Micros))
    }
}

/// The first phase whose reach 2^k covers a ring of `n` nodes.
pub fn final_phase(n: usize) -> u32 {
    let mut k = 0;
    while (1usize << k) < n && k < 30 {
        k += 1;
    }
    k
}

/// Deliberate defects, so tests can prove the invariant checker catches them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    relay_every_probe: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HsBug {
    /// The id comparison is missing: a node passes on or answers every probe, lower
    /// ids included, instead of swallowing those below its own.
    RelayEveryProbe,
}

#[cfg(feature = "bug-injection")]
impl HsConfig {
    pub fn with_bug(mut self, bug: HsBug) -> Self {
        match bug {
            HsBug::RelayEveryProbe => self.bugs.relay_every_probe = true,
        }
        self
    }
}

/// Which way round the ring a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dir {
    /// Towards the next node in `order`.
    Clockwise,
    Counterclockwise,
}

impl Dir {
    pub fn back(self) -> Dir {
        match self {
            Dir::Clockwise => Dir::Counterclockwise,
            Dir::Counterclockwise => Dir::Clockwise,
        }
    }

    fn index(self) -> usize {
        match self {
            Dir::Clockwise => 0,
            Dir::Counterclockwise => 1,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Dir::Clockwise => "clockwise",
            Dir::Counterclockwise => "counterclockwise",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HsMsg {
    /// Candidate `id`'s probe of phase `phase`, `hops` nodes from it, travelling `dir`.
    Probe {
        id: NodeId,
        phase: u32,
        hops: u32,
        dir: Dir,
    },
    /// The probe reached its reach 2^phase: travelling `dir` back to candidate `id`.
    Reply {
        id: NodeId,
        phase: u32,
        hops: u32,
        dir: Dir,
    },
    /// The sender swallowed `id`'s probe of `phase` that `id` sent it directly.
    Outranked {
        id: NodeId,
        phase: u32,
    },
    /// `leader` won; the message goes clockwise round the ring once.
    Elected {
        leader: NodeId,
        hops: u32,
    },
    Heartbeat {
        leader: NodeId,
    },
}

impl Message for HsMsg {
    fn kind(&self) -> &'static str {
        match self {
            HsMsg::Probe { .. } => "Probe",
            HsMsg::Reply { .. } => "Reply",
            HsMsg::Outranked { .. } => "Outranked",
            HsMsg::Elected { .. } => "Elected",
            HsMsg::Heartbeat { .. } => "Heartbeat",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            HsMsg::Probe { .. } => MsgClass::VoteRequest,
            HsMsg::Reply { .. } => MsgClass::VoteGranted,
            HsMsg::Outranked { .. } => MsgClass::VoteDenied,
            HsMsg::Elected { .. } => MsgClass::Announce,
            HsMsg::Heartbeat { .. } => MsgClass::Heartbeat,
        }
    }

    fn term(&self) -> Option<u64> {
        None
    }

    fn summary(&self) -> String {
        match self {
            HsMsg::Probe {
                id,
                phase,
                hops,
                dir,
            } => format!(
                "n{id}'s probe, phase {phase}, hop {hops} of {}, {}",
                reach(*phase),
                dir.word()
            ),
            HsMsg::Reply { id, phase, dir, .. } => {
                format!("reply to n{id}, phase {phase}, {}", dir.word())
            }
            HsMsg::Outranked { id, phase } => {
                format!("n{id}'s phase {phase} probe stops here: higher id")
            }
            HsMsg::Elected { leader, .. } => format!("n{leader} is elected"),
            HsMsg::Heartbeat { leader } => format!("leader n{leader} is alive"),
        }
    }
}

/// How far a probe of `phase` travels.
fn reach(phase: u32) -> u64 {
    1u64 << phase.min(40)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HsTimer {
    /// A follower's wait for heartbeats, or a waiting node's wait for ELECTED.
    Election,
    /// A candidate's wait for the replies of its current phase.
    Phase,
    Heartbeat,
}

impl Timer for HsTimer {
    fn label(&self) -> &'static str {
        match self {
            HsTimer::Election => "election",
            HsTimer::Phase => "phase",
            HsTimer::Heartbeat => "heartbeat",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Knows no election and no leader (only before its first input).
    Idle,
    Candidate,
    /// Gave way to a higher candidate (or lost its probes) and waits for ELECTED.
    Waiting,
    Follower,
    Leader,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Idle => "idle",
            Role::Candidate => "candidate",
            Role::Waiting => "waiting",
            Role::Follower => "follower",
            Role::Leader => "leader",
        }
    }
}

/// The probes of one phase and who answered them, indexed by [`Dir`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct PhaseProbes {
    phase: u32,
    sent_to: [Option<NodeId>; 2],
    answered: [bool; 2],
}

type Ctx<'a> = Context<'a, HsMsg, HsTimer>;

#[derive(Clone, Debug)]
pub struct HirschbergSinclair {
    me: NodeId,
    cfg: HsConfig,
    role: Role,
    leader: Option<NodeId>,
    /// The current (or, once waiting, the last) phase's probes.
    probes: Option<PhaseProbes>,
    /// Highest other candidate whose probe this node handled since it last started a
    /// candidacy: the candidate it gave way to.
    rival: Option<NodeId>,
    /// Candidates whose probes this node passed on or answered since it last started a
    /// candidacy or began following a leader.
    carried: VecSet<NodeId>,
    /// Neighbours taken for dead: the ring skips them until they are heard from.
    skipped: VecSet<NodeId>,
}

impl HirschbergSinclair {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    pub fn phase(&self) -> Option<u32> {
        self.probes.as_ref().map(|p| p.phase)
    }

    /// The highest other candidate this node saw during its current candidacy.
    pub fn rival(&self) -> Option<NodeId> {
        self.rival
    }

    /// Candidates whose probes this node passed on or answered.
    pub fn carried(&self) -> &VecSet<NodeId> {
        &self.carried
    }

    pub fn skipped(&self) -> &VecSet<NodeId> {
        &self.skipped
    }

    /// The nearest node in `dir` that is not skipped, or `None` if this node is alone.
    pub fn neighbour(&self, dir: Dir) -> Option<NodeId> {
        let order = &self.cfg.order;
        let n = order.len();
        let at = order.iter().position(|&x| x == self.me)?;
        (1..n)
            .map(|step| match dir {
                Dir::Clockwise => order[(at + step) % n],
                Dir::Counterclockwise => order[(at + n - step) % n],
            })
            .find(|x| !self.skipped.contains(x))
    }

    fn ring_size(&self) -> usize {
        self.cfg.order.len()
    }

    /// The highest id this node knows to be campaigning or leading, itself included.
    fn champion(&self) -> NodeId {
        self.me.max(self.rival.unwrap_or(0))
    }

    fn heard_from(&mut self, ctx: &mut Ctx, who: NodeId) {
        if self.skipped.remove(&who) {
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{} hears from n{who} again and puts it back in its ring",
                    self.me
                ),
            );
        }
    }

    // ----- campaigning -----

    /// Starts a candidacy at phase 0. `why` ends where "and starts campaigning" fits.
    fn start_candidacy(&mut self, ctx: &mut Ctx, why: String) {
        self.role = Role::Candidate;
        self.leader = None;
        self.rival = None;
        self.carried.clear();
        ctx.cancel_timer(HsTimer::Election);
        ctx.cancel_timer(HsTimer::Heartbeat);
        ctx.note(
            NoteKind::ElectionStart,
            format!(
                "{why}, so n{} campaigns: it probes both ways, 1 hop first, doubling the distance each phase",
                self.me
            ),
        );
        self.send_probes(ctx, 0);
    }

    /// Two neighbours that skip each other never exchange a message again, so neither
    /// could ever be heard from (a one-way cut leaves exactly that). A campaign that
    /// starts from a timeout tries the whole ring afresh; phase 0 finds the dead again.
    fn retry_skipped(&mut self, ctx: &mut Ctx) {
        if self.skipped.is_empty() {
            return;
        }
        let names: Vec<String> = self.skipped.iter().map(|n| format!("n{n}")).collect();
        ctx.note(
            NoteKind::Info,
            format!(
                "n{} gives {} another chance: its new campaign probes its real neighbours first",
                self.me,
                names.join(", ")
            ),
        );
        self.skipped.clear();
    }

    fn send_probes(&mut self, ctx: &mut Ctx, phase: u32) {
        let sent_to = [
            self.neighbour(Dir::Clockwise),
            self.neighbour(Dir::Counterclockwise),
        ];
        if sent_to == [None, None] {
            let me = self.me;
            ctx.note(
                NoteKind::Leader,
                format!(
                    "n{me} has no live neighbour left on its ring: nobody can outrank it, so it leads"
                ),
            );
            self.become_leader(ctx);
            return;
        }
        for dir in [Dir::Clockwise, Dir::Counterclockwise] {
            if let Some(to) = sent_to[dir.index()] {
                ctx.send(
                    to,
                    HsMsg::Probe {
                        id: self.me,
                        phase,
                        hops: 1,
                        dir,
                    },
                );
            }
        }
        self.probes = Some(PhaseProbes {
            phase,
            sent_to,
            answered: [false; 2],
        });
        ctx.set_timer(HsTimer::Phase, self.cfg.phase_timeout(phase));
    }

    fn on_reply(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        id: NodeId,
        phase: u32,
        hops: u32,
        dir: Dir,
    ) {
        if id != self.me {
            // Passed on towards its candidate; a lap plus the reach bounds its journey.
            if u64::from(hops) > reach(phase) + self.ring_size() as u64 {
                return;
            }
            if let Some(to) = self.neighbour(dir) {
                ctx.send(
                    to,
                    HsMsg::Reply {
                        id,
                        phase,
                        hops: hops.saturating_add(1),
                        dir,
                    },
                );
            }
            return;
        }
        let side = dir.back();
        let Some(p) = self.probes.as_mut() else {
            return;
        };
        if p.phase != phase || p.answered[side.index()] {
            return;
        }
        p.answered[side.index()] = true;
        // A 2-node ring has one neighbour on both sides; an empty side counts as answered.
        let both = (0..2).all(|i| p.answered[i] || p.sent_to[i].is_none());
        if self.role != Role::Candidate {
            if both && phase == 0 {
                self.probes = None;
                ctx.cancel_timer(HsTimer::Phase);
            }
            return;
        }
        let me = self.me;
        if !both {
            ctx.note(
                NoteKind::Vote,
                format!(
                    "n{me} gets the {} reply of phase {phase} via n{from}: no higher node within {} hops that way; waiting for the other side",
                    side.word(),
                    reach(phase)
                ),
            );
            return;
        }
        let next = phase.saturating_add(1);
        ctx.note(
            NoteKind::Vote,
            format!(
                "n{me} gets both replies of phase {phase}: no higher node within {} hops either way, so it enters phase {next} and probes {} hops",
                reach(phase),
                reach(next)
            ),
        );
        self.send_probes(ctx, next);
    }

    fn on_phase_timeout(&mut self, ctx: &mut Ctx) {
        let Some(p) = self.probes.clone() else {
            return;
        };
        let me = self.me;
        let silent: Vec<NodeId> = (0..2)
            .filter(|&i| !p.answered[i])
            .filter_map(|i| p.sent_to[i])
            .collect();
        if p.phase == 0 {
            // A live neighbour always answers a phase-0 probe: REPLY or OUTRANKED.
            for &n in &silent {
                if self.skipped.insert(n) {
                    ctx.note(
                        NoteKind::Info,
                        format!(
                            "n{n} did not answer n{me}'s 1-hop probe within {}: n{me} takes it for dead and skips it on the ring",
                            Rounded(self.cfg.phase_timeout(0))
                        ),
                    );
                }
            }
            self.probes = None;
            if self.role == Role::Candidate && !silent.is_empty() {
                ctx.note(
                    NoteKind::Vote,
                    format!("n{me} probes its new neighbours, starting again at phase 0"),
                );
                self.send_probes(ctx, 0);
            }
            return;
        }
        if self.role != Role::Candidate {
            return;
        }
        ctx.note(
            NoteKind::Vote,
            format!(
                "n{me}'s phase {} probe got no reply within {}: a higher node swallowed it or a node on the way is down. n{me} stops and waits for ELECTED",
                p.phase,
                Rounded(self.cfg.phase_timeout(p.phase))
            ),
        );
        self.become_waiting(ctx);
    }

    fn become_waiting(&mut self, ctx: &mut Ctx) {
        self.role = Role::Waiting;
        self.leader = None;
        // Only phase 0 keeps its timer: it still checks that both neighbours are alive.
        if self.probes.as_ref().is_some_and(|p| p.phase > 0) {
            self.probes = None;
            ctx.cancel_timer(HsTimer::Phase);
        }
        ctx.cancel_timer(HsTimer::Heartbeat);
        let (lo, hi) = self.cfg.election_timeout;
        let patience = self.cfg.round_bound(self.ring_size()) + ctx.random_range(lo, hi);
        ctx.set_timer(HsTimer::Election, patience);
    }

    /// A higher candidate is running: stop advancing and wait for its ELECTED.
    fn give_way(&mut self, ctx: &mut Ctx, to: NodeId) {
        let was = self.role;
        self.rival = Some(self.rival.unwrap_or(0).max(to));
        if was == Role::Waiting {
            return;
        }
        let me = self.me;
        let text = match was {
            Role::Leader => format!(
                "n{me} leads but n{to}, a higher node, is campaigning: n{me} steps down and waits for it to win"
            ),
            _ => format!("n{to} outranks n{me}: n{me} stops campaigning and waits for ELECTED"),
        };
        let kind = if was == Role::Leader {
            NoteKind::StepDown
        } else {
            NoteKind::Vote
        };
        ctx.note(kind, text);
        self.become_waiting(ctx);
    }

    fn on_probe(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        id: NodeId,
        phase: u32,
        hops: u32,
        dir: Dir,
    ) {
        let me = self.me;
        if id == me {
            self.on_own_probe(ctx, phase, dir);
            return;
        }
        if u64::from(hops) > reach(phase) || hops == 0 {
            return; // malformed: a probe never travels past its reach
        }
        let follows_higher = self.role == Role::Follower && self.leader.is_some_and(|l| l > id);
        match self.role {
            Role::Idle | Role::Follower if !follows_higher => {
                let why = match self.role {
                    Role::Follower => format!(
                        "n{me} sees n{id}'s probe, higher than its leader n{}",
                        self.leader.unwrap_or(0)
                    ),
                    _ => format!("n{me} wakes up on n{id}'s probe"),
                };
                self.start_candidacy(ctx, why);
            }
            _ => {}
        }
        let higher = id > me;
        if higher || self.cfg.bugs.relay_every_probe {
            self.carried.insert(id);
            if id > me && matches!(self.role, Role::Candidate | Role::Leader | Role::Waiting) {
                self.give_way(ctx, id);
            }
            if u64::from(hops) < reach(phase) {
                if let Some(to) = self.neighbour(dir) {
                    ctx.send(
                        to,
                        HsMsg::Probe {
                            id,
                            phase,
                            hops: hops.saturating_add(1),
                            dir,
                        },
                    );
                }
            } else {
                ctx.note(
                    NoteKind::Vote,
                    format!(
                        "n{me} is {hops} hops from n{id}, the reach of its phase {phase} probe, and is lower: it sends a reply back"
                    ),
                );
                ctx.send(
                    from,
                    HsMsg::Reply {
                        id,
                        phase,
                        hops: 1,
                        dir: dir.back(),
                    },
                );
            }
            return;
        }
        // A lower id: the probe ends here.
        let text = if follows_higher {
            format!(
                "n{me} swallows n{id}'s probe: its leader n{} is higher, and n{id} will hear its heartbeat",
                self.leader.unwrap_or(0)
            )
        } else {
            format!("n{me} swallows n{id}'s probe: n{me} has the higher id")
        };
        ctx.note(NoteKind::Vote, text);
        if hops == 1 {
            ctx.send(from, HsMsg::Outranked { id, phase });
        }
    }

    fn on_own_probe(&mut self, ctx: &mut Ctx, phase: u32, dir: Dir) {
        let current = self.probes.as_ref().is_some_and(|p| p.phase == phase);
        if self.role != Role::Candidate || !current {
            return;
        }
        let me = self.me;
        ctx.note(
            NoteKind::Leader,
            format!(
                "n{me}'s phase {phase} probe came back {} after a full lap: no node on the ring is higher, so n{me} is elected and announces it",
                match dir {
                    Dir::Clockwise => "from its predecessor",
                    Dir::Counterclockwise => "from its successor",
                }
            ),
        );
        self.become_leader(ctx);
    }

    fn on_outranked(&mut self, ctx: &mut Ctx, from: NodeId, id: NodeId, phase: u32) {
        if id != self.me {
            return;
        }
        if let Some(p) = self.probes.as_mut() {
            if p.phase == phase {
                for i in 0..2 {
                    if p.sent_to[i] == Some(from) {
                        p.answered[i] = true;
                    }
                }
                let both = (0..2).all(|i| p.answered[i] || p.sent_to[i].is_none());
                if both && phase == 0 && self.role != Role::Candidate {
                    self.probes = None;
                    ctx.cancel_timer(HsTimer::Phase);
                }
            }
        }
        if self.role == Role::Candidate && self.phase() == Some(phase) && from > self.me {
            self.give_way(ctx, from);
        }
    }

    // ----- leading and following -----

    fn become_leader(&mut self, ctx: &mut Ctx) {
        self.role = Role::Leader;
        self.leader = Some(self.me);
        self.probes = None;
        ctx.cancel_timer(HsTimer::Phase);
        ctx.cancel_timer(HsTimer::Election);
        if let Some(next) = self.neighbour(Dir::Clockwise) {
            ctx.send(
                next,
                HsMsg::Elected {
                    leader: self.me,
                    hops: 1,
                },
            );
        }
        ctx.set_timer(HsTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn follow(&mut self, ctx: &mut Ctx, leader: NodeId, how: &str) {
        let me = self.me;
        let was = self.role;
        if was != Role::Follower || self.leader != Some(leader) {
            // Following is not a takeover: only the winner's own line is a Leader note.
            let kind = if was == Role::Leader {
                NoteKind::StepDown
            } else {
                NoteKind::Info
            };
            ctx.note(kind, format!("n{me} now follows n{leader} ({how})"));
        }
        self.role = Role::Follower;
        self.leader = Some(leader);
        self.probes = None;
        self.rival = None;
        self.carried.clear();
        ctx.cancel_timer(HsTimer::Phase);
        ctx.cancel_timer(HsTimer::Heartbeat);
        self.reset_leader_timer(ctx);
    }

    fn reset_leader_timer(&mut self, ctx: &mut Ctx) {
        let (lo, hi) = self.cfg.election_timeout;
        let after = ctx.random_range(lo, hi);
        ctx.set_timer(HsTimer::Election, after);
    }

    /// Whether to accept `leader`'s claim, and otherwise what to do about it.
    fn on_leader_claim(&mut self, ctx: &mut Ctx, leader: NodeId, how: &str) -> bool {
        let me = self.me;
        if leader < me {
            let follows_higher = self.leader.is_some_and(|l| l > me);
            if matches!(self.role, Role::Idle | Role::Follower) && !follows_higher {
                self.start_candidacy(
                    ctx,
                    format!("n{me} hears that n{leader} leads, but n{me} has the higher id"),
                );
            }
            return false;
        }
        match self.role {
            Role::Follower => match self.leader {
                Some(l) if l == leader => {
                    self.reset_leader_timer(ctx);
                    true
                }
                Some(l) if l > leader => false,
                _ => {
                    self.follow(ctx, leader, how);
                    true
                }
            },
            Role::Candidate | Role::Waiting if leader < self.champion() => false,
            _ => {
                self.follow(ctx, leader, how);
                true
            }
        }
    }

    fn on_elected(&mut self, ctx: &mut Ctx, leader: NodeId, hops: u32) {
        if leader == self.me {
            if self.role == Role::Leader {
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{}'s ELECTED came back after {hops} hops: the whole ring knows its leader",
                        self.me
                    ),
                );
            }
            return;
        }
        let accepted = self.on_leader_claim(ctx, leader, "its ELECTED message came round");
        if accepted && (hops as usize) < self.ring_size() {
            if let Some(next) = self.neighbour(Dir::Clockwise) {
                ctx.send(
                    next,
                    HsMsg::Elected {
                        leader,
                        hops: hops.saturating_add(1),
                    },
                );
            }
        }
    }

    fn on_heartbeat(&mut self, ctx: &mut Ctx, leader: NodeId) {
        if self.role == Role::Leader && leader < self.me {
            return; // n{leader} steps down on this node's own heartbeat
        }
        self.on_leader_claim(ctx, leader, "it heard its heartbeat");
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leader {
            return;
        }
        ctx.broadcast(HsMsg::Heartbeat { leader: self.me });
        ctx.set_timer(HsTimer::Heartbeat, self.cfg.heartbeat);
    }

    fn on_election_timeout(&mut self, ctx: &mut Ctx) {
        let me = self.me;
        if self.role == Role::Leader {
            return;
        }
        self.retry_skipped(ctx);
        let why = match self.role {
            Role::Leader => return,
            Role::Follower => {
                let leader = self.leader.unwrap_or(0);
                if leader != me && self.skipped.insert(leader) {
                    ctx.note(
                        NoteKind::Info,
                        format!(
                            "n{me} takes silent leader n{leader} for dead and skips it on the ring"
                        ),
                    );
                }
                format!("n{me} heard no heartbeat from leader n{leader}")
            }
            Role::Waiting => match self.rival {
                Some(r) if r > me => {
                    format!("n{me} gave way to n{r} but no ELECTED came (n{r} may have crashed)")
                }
                _ => format!("n{me} waited for an ELECTED that never came"),
            },
            Role::Candidate => format!("n{me}'s election timeout is forced"),
            Role::Idle => format!("n{me} knows no leader"),
        };
        self.start_candidacy(ctx, why);
    }
}

impl Algorithm for HirschbergSinclair {
    type Msg = HsMsg;
    type Timer = HsTimer;
    /// Nothing survives a crash: a restarted node simply runs for election again.
    type Persistent = ();
    type Config = HsConfig;
    type Monitor = HsMonitor;
    const ONE_LEADER_PER_TERM: bool = false;

    fn boot(me: NodeId, cluster_size: usize, config: &HsConfig) -> Self {
        let mut cfg = config.clone();
        if !cfg.order.contains(&me) {
            // A ring that leaves this node out cannot be used by it: fall back to ids
            // in ascending order rather than fail.
            cfg.order = (1..=cluster_size as NodeId).collect();
        }
        HirschbergSinclair {
            me,
            cfg,
            role: Role::Idle,
            leader: None,
            probes: None,
            rival: None,
            carried: VecSet::new(),
            skipped: VecSet::new(),
        }
    }

    fn recover(me: NodeId, cluster_size: usize, config: &HsConfig, _disk: &()) -> Self {
        HirschbergSinclair::boot(me, cluster_size, config)
    }

    fn persistent(&self) {}

    fn step(&mut self, ctx: &mut Ctx, input: Input<HsMsg, HsTimer>) {
        match input {
            Input::Start { recovered } => {
                let why = if recovered {
                    format!("n{} restarts knowing no leader", self.me)
                } else {
                    format!("n{} boots knowing no leader", self.me)
                };
                self.start_candidacy(ctx, why);
            }
            Input::Timer(HsTimer::Election) => self.on_election_timeout(ctx),
            Input::Timer(HsTimer::Phase) => self.on_phase_timeout(ctx),
            Input::Timer(HsTimer::Heartbeat) => self.on_heartbeat_timer(ctx),
            Input::ClientWrite { value } => ctx.note(
                NoteKind::Client,
                format!(
                    "n{} ignores write #{value}: this algorithm elects a leader but replicates nothing",
                    self.me
                ),
            ),
            Input::Message { from, msg } => {
                self.heard_from(ctx, from);
                match msg {
                    HsMsg::Probe {
                        id,
                        phase,
                        hops,
                        dir,
                    } => self.on_probe(ctx, from, id, phase, hops, dir),
                    HsMsg::Reply {
                        id,
                        phase,
                        hops,
                        dir,
                    } => self.on_reply(ctx, from, id, phase, hops, dir),
                    HsMsg::Outranked { id, phase } => self.on_outranked(ctx, from, id, phase),
                    HsMsg::Elected { leader, hops } => self.on_elected(ctx, leader, hops),
                    HsMsg::Heartbeat { leader } => self.on_heartbeat(ctx, leader),
                }
            }
        }
    }

    fn view(&self) -> NodeView {
        let mut fields = Vec::new();
        match (self.role, &self.probes) {
            (Role::Candidate, Some(p)) => {
                fields.push(("phase".to_string(), p.phase.to_string()));
                fields.push(("reach".to_string(), format!("{} hops", reach(p.phase))));
            }
            _ => {
                let leader = self.leader.map_or("none".to_string(), |l| format!("n{l}"));
                fields.push(("leader".to_string(), leader));
            }
        }
        if self.role == Role::Waiting {
            if let Some(r) = self.rival.filter(|&r| r > self.me) {
                fields.push(("gave way to".to_string(), format!("n{r}")));
            }
        }
        if !self.skipped.is_empty() {
            let names: Vec<String> = self.skipped.iter().map(|n| format!("n{n}")).collect();
            fields.push(("skips".to_string(), names.join(" ")));
        }
        NodeView {
            role: self.role.name().to_string(),
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

    fn election_timer() -> Option<HsTimer> {
        Some(HsTimer::Election)
    }
}
