//! The contract between the kernel and an election algorithm.
//!
//! An algorithm is a pure state machine per node: the kernel hands it one input at a
//! time with the node's local clock, and it answers with effects (send, set or cancel a
//! timer, narrate). It never sees true time, other nodes' state, or the network.

use super::rng::SimRng;
use super::time::Micros;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// Nodes are numbered from 1 and shown as `n1`, `n2`, ...
pub type NodeId = u32;

/// How a message is drawn: the UI styles message dots by this, never by algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MsgClass {
    VoteRequest,
    VoteGranted,
    VoteDenied,
    Heartbeat,
    Append,
    Reply,
    /// A winner announcing itself (Bully's COORDINATOR, a ring's ELECTED lap).
    Announce,
    /// A leader's write to the shared storage (sent by the kernel, see `storage`).
    Write,
    Other,
}

impl MsgClass {
    /// The name serde gives it (kebab-case): the trace hash's hand-written JSON, and
    /// the class front ends style a message by.
    pub fn as_str(self) -> &'static str {
        match self {
            MsgClass::VoteRequest => "vote-request",
            MsgClass::VoteGranted => "vote-granted",
            MsgClass::VoteDenied => "vote-denied",
            MsgClass::Heartbeat => "heartbeat",
            MsgClass::Append => "append",
            MsgClass::Reply => "reply",
            MsgClass::Announce => "announce",
            MsgClass::Write => "write",
            MsgClass::Other => "other",
        }
    }
}

pub trait Message: Clone + Debug {
    /// Short type name used in statistics and on the wire label, e.g. `RequestVote`.
    fn kind(&self) -> &'static str;
    fn class(&self) -> MsgClass;
    /// The term, epoch or ballot the message carries, if any.
    fn term(&self) -> Option<u64>;
    /// One line for tooltips and the trace, e.g. `term 4, last log 7@3`.
    fn summary(&self) -> String;
}

pub trait Timer: Clone + Copy + Debug + Ord {
    fn label(&self) -> &'static str;
}

/// What happens to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input<M, T> {
    /// First boot (`recovered == false`) or restart from persistent state.
    Start {
        recovered: bool,
    },
    Message {
        from: NodeId,
        msg: M,
    },
    Timer(T),
    ClientWrite {
        value: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// A node starts campaigning (counted as an election in statistics).
    ElectionStart,
    Vote,
    Leader,
    StepDown,
    Replication,
    Commit,
    Client,
    Info,
    /// Upkeep that keeps a role and changes nothing, such as a periodic renewal:
    /// narrated with the per-message lines (hidden by default), so that
    /// it does not drown the story.
    Routine,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect<M, T> {
    Send {
        to: NodeId,
        msg: M,
    },
    SetTimer {
        timer: T,
        after: Micros,
    },
    CancelTimer {
        timer: T,
    },
    Note {
        kind: NoteKind,
        text: String,
    },
    /// The next note tells this key moment (see `Context::note_moment`).
    Moment(super::moment::Moment),
}

/// The node's window on the world during one step.
pub struct Context<'a, M, T> {
    pub me: NodeId,
    /// The node's local clock (drifts from true time if the kernel says so).
    pub now: Micros,
    /// Every candidate in the cluster, self included, in ascending order. The
    /// algorithm's coordination service, if it has one, is not among them.
    pub cluster: &'a [NodeId],
    /// The coordination service's node (see [`Algorithm::SERVICE`]).
    pub service: Option<NodeId>,
    rng: &'a mut SimRng,
    pub effects: Vec<Effect<M, T>>,
}

impl<'a, M: Clone, T> Context<'a, M, T> {
    pub fn new(me: NodeId, now: Micros, cluster: &'a [NodeId], rng: &'a mut SimRng) -> Self {
        Context {
            me,
            now,
            cluster,
            service: None,
            rng,
            effects: Vec::new(),
        }
    }

    pub fn with_service(mut self, service: Option<NodeId>) -> Self {
        self.service = service;
        self
    }

    pub fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        let me = self.me;
        self.cluster.iter().copied().filter(move |&n| n != me)
    }

    pub fn majority(&self) -> usize {
        self.cluster.len() / 2 + 1
    }

    pub fn send(&mut self, to: NodeId, msg: M) {
        self.effects.push(Effect::Send { to, msg });
    }

    pub fn broadcast(&mut self, msg: M) {
        let peers: Vec<NodeId> = self.peers().collect();
        for to in peers {
            self.send(to, msg.clone());
        }
    }

    pub fn set_timer(&mut self, timer: T, after: Micros) {
        self.effects.push(Effect::SetTimer { timer, after });
    }

    pub fn cancel_timer(&mut self, timer: T) {
        self.effects.push(Effect::CancelTimer { timer });
    }

    pub fn note(&mut self, kind: NoteKind, text: impl Into<String>) {
        self.effects.push(Effect::Note {
            kind,
            text: text.into(),
        });
    }

    /// A note that tells a key moment of this algorithm (one its descriptor lists):
    /// lessons stop at it and the time slider marks it.
    pub fn note_moment(
        &mut self,
        kind: NoteKind,
        moment: super::moment::Moment,
        text: impl Into<String>,
    ) {
        self.moment_for_next_note(moment);
        self.note(kind, text);
    }

    /// The next note of this step tells `moment` (for a note written further on,
    /// e.g. by the function that starts the next round).
    pub fn moment_for_next_note(&mut self, moment: super::moment::Moment) {
        self.effects.push(Effect::Moment(moment));
    }

    /// Uniform draw from this node's own seeded stream.
    pub fn random_range(&mut self, lo: Micros, hi: Micros) -> Micros {
        self.rng.range(lo, hi)
    }
}

/// One entry of a replicated log, as the UI draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryView {
    pub term: u64,
    pub committed: bool,
    /// `None` for a leader's no-op entry.
    pub value: Option<u64>,
}

/// What the UI and the generic monitor may know about a node. Algorithms fill in what
/// applies; `fields` carries algorithm-specific lines (e.g. `prevotes: 2/5`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeView {
    pub role: String,
    /// The node believes it is the leader right now.
    pub is_leader: bool,
    pub term: u64,
    pub voted_for: Option<NodeId>,
    /// Whom the node believes leads.
    pub leader: Option<NodeId>,
    pub log: Vec<LogEntryView>,
    pub commit_index: u64,
    pub fields: Vec<(String, String)>,
}

/// The part of a [`NodeView`] the kernel reads after every step: narration of role
/// changes, the watch (who leads, whom the others follow).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headline {
    pub role: std::borrow::Cow<'static, str>,
    pub is_leader: bool,
    pub term: u64,
    pub leader: Option<NodeId>,
}

impl Headline {
    pub fn of(view: &NodeView) -> Headline {
        Headline {
            role: view.role.clone().into(),
            is_leader: view.is_leader,
            term: view.term,
            leader: view.leader,
        }
    }
}

/// What kind of role a node plays, whatever the algorithm calls it: front ends draw
/// and colour nodes by this, and each algorithm maps its own role names to it (see
/// `algo::Descriptor::roles`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleCategory {
    /// Follows a leader, or waits: nothing to draw attention to.
    #[default]
    Follower,
    /// Asks whether it could win before campaigning (Raft's PreVote).
    PreCandidate,
    /// Campaigning.
    Candidate,
    Leader,
    /// The coordination service the candidates elect through.
    Service,
}

impl RoleCategory {
    /// The CSS class and the word of the category.
    pub fn class(self) -> &'static str {
        match self {
            RoleCategory::Follower => "follower",
            RoleCategory::PreCandidate => "pre-candidate",
            RoleCategory::Candidate => "candidate",
            RoleCategory::Leader => "leader",
            RoleCategory::Service => "service",
        }
    }
}

/// A safety finding raised by an invariant checker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Name of the invariant, e.g. `Election Safety`.
    pub invariant: String,
    pub nodes: Vec<NodeId>,
    pub terms: Vec<u64>,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Something the algorithm guarantees was broken.
    Violation,
    /// Allowed by the algorithm, but worth showing (e.g. a stale leader in an old term).
    Warning,
}

/// A node as the monitor sees it: running (its full state) or crashed (only its disk).
pub enum NodeSlotRef<'a, A: Algorithm> {
    Up(&'a A),
    Down(&'a A::Persistent),
}

/// Checks an algorithm's safety properties after every step. It may keep history
/// (e.g. which node led which term), which is why it is a value the kernel owns.
pub trait Monitor<A: Algorithm>: Clone + Debug {
    fn new(cluster_size: usize) -> Self;
    /// Called after node `stepped` handled an input. Returns new findings only: report
    /// each problem once, not on every step while it lasts.
    fn check(&mut self, stepped: NodeId, nodes: &[NodeSlotRef<'_, A>]) -> Vec<Finding>;
}

pub trait Algorithm: Clone + Debug + Sized + 'static {
    type Msg: Message;
    type Timer: Timer;
    /// What survives a crash (written to stable storage before any message is sent).
    type Persistent: Clone + Debug;
    type Config: Clone + Debug;
    type Monitor: Monitor<Self>;

    fn boot(me: NodeId, cluster_size: usize, config: &Self::Config) -> Self;
    fn recover(
        me: NodeId,
        cluster_size: usize,
        config: &Self::Config,
        disk: &Self::Persistent,
    ) -> Self;
    fn persistent(&self) -> Self::Persistent;
    fn step(
        &mut self,
        ctx: &mut Context<'_, Self::Msg, Self::Timer>,
        input: Input<Self::Msg, Self::Timer>,
    );
    fn view(&self) -> NodeView;
    /// What the kernel reads of a node after every step (its role word, number and
    /// whom it follows): the view's fields of those names. The full view is made
    /// only when a front end draws the cluster; an engine whose `view` is costly
    /// (logs, formatted fields) overrides this with the cheap part.
    fn headline(&self) -> Headline {
        Headline::of(&self.view())
    }
    /// Whether this node believes it leads now and, if so, its leadership number: the
    /// fencing token its writes carry (0 where the algorithm numbers nothing). The
    /// kernel reads leadership here, never from the drawn [`NodeView`]; the view's
    /// `is_leader` and `term` must agree with it (the kernel checks in debug builds).
    fn leadership(&self) -> Option<u64>;
    /// The timer that "force a timeout" fires (the election timeout, where there is one).
    fn election_timer() -> Option<Self::Timer>;

    /// Whether two nodes leading in the same term breaks what this algorithm promises.
    /// Quorum-based algorithms promise it; others promise one leader only with a
    /// reliable failure detector and no partitions, so for them two leaders is an
    /// observation the monitor reports, not a violation.
    const ONE_LEADER_PER_TERM: bool = true;

    /// A leadership number as people read it in narration: `term 4`, or a ballot.
    fn term_label(term: u64) -> String {
        format!("term {term}")
    }

    /// The coordination service the candidates elect through (a lock service, a
    /// coordination store), if the algorithm has one. The kernel runs it as one more node after the
    /// candidates (id `nodes + 1`, shown by this name): it can crash, pause and be
    /// partitioned like any node, but it never counts as a candidate or a leader.
    /// `boot` and `recover` get the number of candidates, so the service knows itself
    /// by `me > cluster_size`.
    const SERVICE: Option<&'static str> = None;
}
