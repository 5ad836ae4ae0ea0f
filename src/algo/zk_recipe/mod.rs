//! ZooKeeper's leader-election recipe (the ZooKeeper "Recipes and Solutions" page):
//! every candidate creates an EPHEMERAL|SEQUENTIAL znode under `/election`; the
//! lowest sequence number leads; everyone else watches the next lower znode (its
//! predecessor) and, when that is deleted, lists `/election` again: a deleted
//! predecessor alone does not mean it leads, because someone lower may still exist.
//!
//! The ZooKeeper service itself is one node here (id `nodes + 1`, see
//! [`Algorithm::SERVICE`]): it keeps sessions alive on heartbeats by its own clock,
//! deletes a session's ephemeral znodes when the session expires and fires one-shot
//! watches. Candidates are its clients. The hazard this recipe cannot close on its
//! own: a leader frozen in a pause loses its session and znode while it still believes
//! it leads, and it learns so only when it next hears from ZooKeeper.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::ZkMonitor;

use crate::sim::Moment;
use crate::sim::VecMap;
use crate::sim::VecSet;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, MS, Message, Micros, MsgClass, NodeId, NodeView, NoteKind, Timer,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What each waiting candidate watches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WatchMode {
    /// The next lower znode: one deletion wakes one client (the recipe).
    #[default]
    Predecessor,
    /// The lowest znode, i.e. the leader's: one deletion wakes every waiting client,
    /// which all list `/election` at once (the herd effect the recipe warns about).
    Leader,
}

impl WatchMode {
    pub fn name(self) -> &'static str {
        match self {
            WatchMode::Predecessor => "predecessor",
            WatchMode::Leader => "leader",
        }
    }

    pub fn parse(text: &str) -> Result<WatchMode, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "predecessor" => Ok(WatchMode::Predecessor),
            "leader" => Ok(WatchMode::Leader),
            other => Err(format!("'{other}' is not predecessor or leader")),
        }
    }
}

impl fmt::Display for WatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkConfig {
    /// A session that sends nothing for this long (by the service's clock) expires.
    /// Clients ping every third of it, as ZooKeeper's client library does.
    pub session_timeout: Micros,
    pub watch: WatchMode,
    #[serde(skip)]
    bugs: Bugs,
}

impl Default for ZkConfig {
    /// The defaults the settings declare (see `descriptor.rs`): written once.
    fn default() -> Self {
        use crate::algo::Configure;
        ZkRecipe::configure(&crate::settings::Setup::defaults(5))
    }
}

impl ZkConfig {
    fn ping_every(&self) -> Micros {
        (self.session_timeout / 3).max(1)
    }

    /// How often the service looks for expired sessions: fine enough that a session
    /// expires within a sixth of its timeout of falling silent.
    fn check_every(&self) -> Micros {
        (self.session_timeout / 6).max(1)
    }
}

/// Deliberate defects, so tests can prove the monitor catches them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    lead_on_predecessor_deleted: bool,
    reuse_sequence_after_restart: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkBug {
    /// A client leads as soon as its predecessor's deletion is announced, without
    /// listing `/election` again: wrong when the predecessor was not the leader.
    LeadOnPredecessorDeleted,
    /// The service keeps its sequence counter in memory only and, after a restart,
    /// counts on from the highest znode it still has, reusing numbers of znodes
    /// deleted before the crash.
    ReuseSequenceAfterRestart,
}

#[cfg(feature = "bug-injection")]
impl ZkConfig {
    pub fn with_bug(mut self, bug: ZkBug) -> Self {
        match bug {
            ZkBug::LeadOnPredecessorDeleted => self.bugs.lead_on_predecessor_deleted = true,
            ZkBug::ReuseSequenceAfterRestart => self.bugs.reuse_sequence_after_restart = true,
        }
        self
    }
}

/// `/election/n_0000000003`, as ZooKeeper names a sequential node.
pub fn znode_path(seq: u64) -> String {
    format!("/election/{}", znode_name(seq))
}

pub fn znode_name(seq: u64) -> String {
    format!("n_{seq:010}")
}

/// `…03`: enough of a sequence number to tell znodes apart in a crowded box.
fn short(seq: u64) -> String {
    format!("…{seq:02}")
}

fn session_name(session: u64) -> String {
    format!("0x{session:x}")
}

/// Why a client lists `/election`; the service counts the lists that follow a
/// deletion, which is what the herd effect multiplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListCause {
    /// Right after creating its znode.
    Created,
    /// A watched znode was deleted (or was gone before the watch could be set).
    Deleted,
    /// A follower's periodic look at who leads (it also repairs a lost notification).
    Refresh,
    /// The service restarted and forgot its watches: set them again.
    Reconnect,
    /// Forced by the user ("force a timeout").
    Forced,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkMsg {
    /// Open a session; `nonce` lets a resent Connect find the session it opened.
    Connect {
        nonce: u64,
    },
    Connected {
        nonce: u64,
        session: u64,
        epoch: u64,
    },
    /// The session heartbeat; `epoch` in the answer counts the service's restarts.
    Ping {
        session: u64,
    },
    Pong {
        session: u64,
        epoch: u64,
    },
    /// create("/election/n_", EPHEMERAL|SEQUENTIAL).
    Create {
        session: u64,
    },
    Created {
        session: u64,
        seq: u64,
    },
    /// getChildren("/election"), without a watch.
    GetChildren {
        session: u64,
        cause: ListCause,
    },
    /// The children, lowest first, with the client that owns each; `cversion`
    /// counts changes to `/election`, so a late answer is told from a newer one.
    Children {
        session: u64,
        cversion: u64,
        children: Vec<(u64, NodeId)>,
    },
    /// exists(znode, watch = true): a one-shot watch on its deletion.
    Exists {
        session: u64,
        seq: u64,
    },
    ExistsReply {
        session: u64,
        seq: u64,
        exists: bool,
    },
    /// NodeDeleted for a watched znode.
    WatchEvent {
        seq: u64,
    },
    /// The answer to anything sent on a session the service no longer has; `ago` is
    /// how long ago (by the service's clock) it expired, if the service remembers.
    SessionExpired {
        session: u64,
        ago: Option<Micros>,
    },
}

impl Message for ZkMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZkMsg::Connect { .. } => "Connect",
            ZkMsg::Connected { .. } => "Connected",
            ZkMsg::Ping { .. } => "Ping",
            ZkMsg::Pong { .. } => "Pong",
            ZkMsg::Create { .. } => "Create",
            ZkMsg::Created { .. } => "Created",
            ZkMsg::GetChildren { .. } => "GetChildren",
            ZkMsg::Children { .. } => "Children",
            ZkMsg::Exists { .. } => "Exists",
            ZkMsg::ExistsReply { .. } => "ExistsReply",
            ZkMsg::WatchEvent { .. } => "WatchEvent",
            ZkMsg::SessionExpired { .. } => "SessionExpired",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            ZkMsg::Create { .. } => MsgClass::VoteRequest,
            ZkMsg::Created { .. } => MsgClass::VoteGranted,
            ZkMsg::SessionExpired { .. } => MsgClass::VoteDenied,
            ZkMsg::Ping { .. } => MsgClass::Heartbeat,
            ZkMsg::WatchEvent { .. } => MsgClass::Announce,
            ZkMsg::Connected { .. }
            | ZkMsg::Pong { .. }
            | ZkMsg::Children { .. }
            | ZkMsg::ExistsReply { .. } => MsgClass::Reply,
            ZkMsg::Connect { .. } | ZkMsg::GetChildren { .. } | ZkMsg::Exists { .. } => {
                MsgClass::Other
            }
        }
    }

    fn term(&self) -> Option<u64> {
        match self {
            ZkMsg::Created { seq, .. }
            | ZkMsg::Exists { seq, .. }
            | ZkMsg::ExistsReply { seq, .. }
            | ZkMsg::WatchEvent { seq } => Some(*seq),
            _ => None,
        }
    }

    fn summary(&self) -> String {
        match self {
            ZkMsg::Connect { .. } => "open a session".into(),
            ZkMsg::Connected { session, .. } => format!("session {}", session_name(*session)),
            ZkMsg::Ping { session } | ZkMsg::Pong { session, .. } => {
                format!("session {}", session_name(*session))
            }
            ZkMsg::Create { .. } => "create /election/n_ (ephemeral, sequential)".into(),
            ZkMsg::Created { seq, .. } => znode_path(*seq),
            ZkMsg::GetChildren { .. } => "list /election".into(),
            ZkMsg::Children { children, .. } => {
                let names: Vec<String> = children
                    .iter()
                    .map(|(s, o)| format!("{} (n{o})", short(*s)))
                    .collect();
                if names.is_empty() {
                    "no children".into()
                } else {
                    names.join(", ")
                }
            }
            ZkMsg::Exists { seq, .. } => format!("exists {} and watch it", znode_name(*seq)),
            ZkMsg::ExistsReply { seq, exists, .. } => format!(
                "{} {}",
                znode_name(*seq),
                if *exists { "exists" } else { "is gone" }
            ),
            ZkMsg::WatchEvent { seq } => format!("NodeDeleted {}", znode_path(*seq)),
            ZkMsg::SessionExpired { session, .. } => {
                format!("session {} expired", session_name(*session))
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZkTimer {
    /// A client's heartbeat; it also resends an unanswered request.
    Ping,
    /// The service's sweep for expired sessions.
    SessionCheck,
    /// Never set by the engine: "force a timeout" makes a client list `/election` now.
    Relist,
}

impl Timer for ZkTimer {
    fn label(&self) -> &'static str {
        match self {
            ZkTimer::Ping => "ping",
            ZkTimer::SessionCheck => "session check",
            ZkTimer::Relist => "re-list",
        }
    }
}

type Ctx<'a, 'b> = Context<'a, ZkMsg, ZkTimer>;

// ===================================================================== service ====

/// One znode under `/election`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Znode {
    pub owner: NodeId,
    pub session: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub owner: NodeId,
    nonce: u64,
    /// The service's clock when it last heard anything on this session.
    last_heard: Micros,
}

/// What ZooKeeper keeps in its transaction log and snapshots: sessions, znodes and
/// the parent's sequence counter. Watches live on connections and are not kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceDisk {
    pub epoch: u64,
    pub cversion: u64,
    pub next_seq: u64,
    pub next_session: u64,
    pub sessions: VecMap<u64, (NodeId, u64)>,
    pub znodes: VecMap<u64, Znode>,
}

#[derive(Clone, Debug)]
pub struct ZkService {
    cfg: ZkConfig,
    /// Restarts so far: clients that see it change set their watches again.
    epoch: u64,
    /// Changes to `/election`'s children so far (ZooKeeper's cversion).
    cversion: u64,
    next_seq: u64,
    next_session: u64,
    sessions: VecMap<u64, Session>,
    znodes: VecMap<u64, Znode>,
    /// One-shot watches: znode -> (client, session) to notify of its deletion.
    watches: VecMap<u64, VecSet<(NodeId, u64)>>,
    /// Sessions that expired, when, and whose they were (for "expired 400 ms ago").
    expired: VecMap<u64, (NodeId, Micros)>,
    last_check: Micros,
    notifications: u64,
    /// Notifications sent for the newest deletion, and lists that followed it.
    last_failure_notified: u64,
    lists: u64,
    lists_after_failure: u64,
    failures: u64,
}

impl ZkService {
    fn from_disk(cfg: &ZkConfig, disk: &ServiceDisk) -> ZkService {
        let next_seq = if cfg.bugs.reuse_sequence_after_restart {
            disk.znodes.keys().next_back().map_or(1, |s| s + 1)
        } else {
            disk.next_seq.max(1)
        };
        ZkService {
            cfg: cfg.clone(),
            epoch: disk.epoch,
            cversion: disk.cversion,
            next_seq,
            next_session: disk.next_session.max(1),
            sessions: disk
                .sessions
                .iter()
                .map(|(&id, &(owner, nonce))| {
                    (
                        id,
                        Session {
                            owner,
                            nonce,
                            last_heard: 0,
                        },
                    )
                })
                .collect(),
            znodes: disk.znodes.clone(),
            watches: VecMap::new(),
            expired: VecMap::new(),
            last_check: 0,
            notifications: 0,
            last_failure_notified: 0,
            lists: 0,
            lists_after_failure: 0,
            failures: 0,
        }
    }

    fn disk(&self) -> ServiceDisk {
        ServiceDisk {
            epoch: self.epoch,
            cversion: self.cversion,
            next_seq: self.next_seq,
            next_session: self.next_session,
            sessions: self
                .sessions
                .iter()
                .map(|(&id, s)| (id, (s.owner, s.nonce)))
                .collect(),
            znodes: self.znodes.clone(),
        }
    }

    pub fn znodes(&self) -> &VecMap<u64, Znode> {
        &self.znodes
    }

    /// Live sessions: id -> owner.
    pub fn sessions(&self) -> VecMap<u64, NodeId> {
        self.sessions.iter().map(|(&k, s)| (k, s.owner)).collect()
    }

    /// Watches registered now: znode -> clients.
    pub fn watches(&self) -> VecMap<u64, Vec<NodeId>> {
        self.watches
            .iter()
            .map(|(&k, w)| (k, w.iter().map(|(n, _)| *n).collect()))
            .collect()
    }

    /// Every watch notification sent so far.
    pub fn notifications(&self) -> u64 {
        self.notifications
    }

    /// Notifications sent for the newest session expiry.
    pub fn last_failure_notifications(&self) -> u64 {
        self.last_failure_notified
    }

    /// Every getChildren so far.
    pub fn list_calls(&self) -> u64 {
        self.lists
    }

    /// getChildren calls that followed a deletion since the newest session expiry.
    pub fn lists_after_last_failure(&self) -> u64 {
        self.lists_after_failure
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    fn start(&mut self, ctx: &mut Ctx, recovered: bool) {
        // A restarted server gives every session it recovers a full timeout from now,
        // as ZooKeeper does: its clients could not reach it while it was down.
        for s in self.sessions.values_mut() {
            s.last_heard = ctx.now;
        }
        self.last_check = ctx.now;
        if recovered {
            self.epoch += 1;
            ctx.note(
                NoteKind::Info,
                format!(
                    "zk restarts from its log: {} session(s) and {} znode(s) come back, each session with a fresh {} timeout; its watches are gone, so clients set them again when they reconnect",
                    self.sessions.len(),
                    self.znodes.len(),
                    Rounded(self.cfg.session_timeout)
                ),
            );
        } else {
            ctx.note(
                NoteKind::Info,
                format!(
                    "zk starts with an empty /election; sessions expire after {} of silence",
                    Rounded(self.cfg.session_timeout)
                ),
            );
        }
        ctx.set_timer(ZkTimer::SessionCheck, self.cfg.check_every());
    }

    /// The session `session` is alive (and heard from now), or the client is told it
    /// has expired.
    fn touch(&mut self, ctx: &mut Ctx, from: NodeId, session: u64) -> bool {
        match self.sessions.get_mut(&session) {
            Some(s) if s.owner == from => {
                s.last_heard = ctx.now;
                true
            }
            _ => {
                let ago = self
                    .expired
                    .get(&session)
                    .map(|&(_, at)| ctx.now.saturating_sub(at));
                ctx.send(from, ZkMsg::SessionExpired { session, ago });
                false
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeId, msg: ZkMsg) {
        match msg {
            ZkMsg::Connect { nonce } => {
                // A resent Connect finds the session the first one opened.
                let existing = self
                    .sessions
                    .iter()
                    .find(|(_, s)| s.owner == from && s.nonce == nonce)
                    .map(|(&id, _)| id);
                let session = match existing {
                    Some(id) => id,
                    None => {
                        let id = self.next_session;
                        self.next_session += 1;
                        self.sessions.insert(
                            id,
                            Session {
                                owner: from,
                                nonce,
                                last_heard: ctx.now,
                            },
                        );
                        ctx.note(
                            NoteKind::Info,
                            format!("zk opens session {} for n{from}", session_name(id)),
                        );
                        id
                    }
                };
                self.touch(ctx, from, session);
                ctx.send(
                    from,
                    ZkMsg::Connected {
                        nonce,
                        session,
                        epoch: self.epoch,
                    },
                );
            }
            ZkMsg::Ping { session } => {
                if self.touch(ctx, from, session) {
                    let epoch = self.epoch;
                    ctx.send(from, ZkMsg::Pong { session, epoch });
                }
            }
            ZkMsg::Create { session } => {
                if !self.touch(ctx, from, session) {
                    return;
                }
                // A resent Create must not make a second znode: the recipe finds its
                // own by a GUID in the name; one znode per session does the same here.
                let own = self
                    .znodes
                    .iter()
                    .find(|(_, z)| z.session == session)
                    .map(|(&s, _)| s);
                let seq = match own {
                    Some(s) => s,
                    None => {
                        let s = self.next_seq;
                        self.next_seq += 1;
                        self.cversion += 1;
                        self.znodes.insert(
                            s,
                            Znode {
                                owner: from,
                                session,
                            },
                        );
                        s
                    }
                };
                ctx.send(from, ZkMsg::Created { session, seq });
            }
            ZkMsg::GetChildren { session, cause } => {
                if !self.touch(ctx, from, session) {
                    return;
                }
                self.lists += 1;
                if cause == ListCause::Deleted {
                    self.lists_after_failure += 1;
                }
                let children = self.znodes.iter().map(|(&s, z)| (s, z.owner)).collect();
                let cversion = self.cversion;
                ctx.send(
                    from,
                    ZkMsg::Children {
                        session,
                        cversion,
                        children,
                    },
                );
            }
            ZkMsg::Exists { session, seq } => {
                if !self.touch(ctx, from, session) {
                    return;
                }
                let exists = self.znodes.contains_key(&seq);
                // Only an existing znode gets a deletion watch; a client told "gone"
                // lists again instead.
                if exists {
                    self.watches.entry(seq).or_default().insert((from, session));
                }
                ctx.send(
                    from,
                    ZkMsg::ExistsReply {
                        session,
                        seq,
                        exists,
                    },
                );
            }
            // Client-bound messages mean nothing to the service.
            ZkMsg::Connected { .. }
            | ZkMsg::Pong { .. }
            | ZkMsg::Created { .. }
            | ZkMsg::Children { .. }
            | ZkMsg::ExistsReply { .. }
            | ZkMsg::WatchEvent { .. }
            | ZkMsg::SessionExpired { .. } => {}
        }
    }

    fn on_check(&mut self, ctx: &mut Ctx) {
        let every = self.cfg.check_every();
        let gap = ctx.now.saturating_sub(self.last_check);
        self.last_check = ctx.now;
        ctx.set_timer(ZkTimer::SessionCheck, every);
        if gap > 3 * every {
            // The service itself was frozen: its clients' pings are still in its
            // inbox, so silence measured across the pause proves nothing about them.
            for s in self.sessions.values_mut() {
                s.last_heard = ctx.now;
            }
            ctx.note(
                NoteKind::Info,
                format!(
                    "zk was frozen for {}: it gives every session a fresh timeout rather than expire clients it could not hear",
                    Rounded(gap)
                ),
            );
            return;
        }
        let timeout = self.cfg.session_timeout;
        let due: Vec<u64> = self
            .sessions
            .iter()
            .filter(|(_, s)| ctx.now.saturating_sub(s.last_heard) >= timeout)
            .map(|(&id, _)| id)
            .collect();
        for id in due {
            self.expire(ctx, id);
        }
    }

    fn expire(&mut self, ctx: &mut Ctx, session: u64) {
        let Some(s) = self.sessions.remove(&session) else {
            return;
        };
        let owner = s.owner;
        let silent = ctx.now.saturating_sub(s.last_heard);
        self.expired.insert(session, (owner, ctx.now));
        // Keep a short memory: enough to tell a waking client how long ago.
        while self.expired.len() > 32 {
            self.expired.pop_first();
        }
        for w in self.watches.values_mut() {
            w.retain(|&(_, sess)| sess != session);
        }
        let gone: Vec<u64> = self
            .znodes
            .iter()
            .filter(|(_, z)| z.session == session)
            .map(|(&seq, _)| seq)
            .collect();
        let who = format!("n{owner}'s session {}", session_name(session));
        if gone.is_empty() {
            ctx.note(
                NoteKind::Info,
                format!(
                    "{who} expired (nothing heard for {}); it owned no znode",
                    Rounded(silent)
                ),
            );
            return;
        }
        self.failures += 1;
        self.last_failure_notified = 0;
        self.lists_after_failure = 0;
        for seq in gone {
            self.znodes.remove(&seq);
            self.cversion += 1;
            let watchers: Vec<NodeId> = self
                .watches
                .remove(&seq)
                .unwrap_or_default()
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            for &w in &watchers {
                ctx.send(w, ZkMsg::WatchEvent { seq });
            }
            self.notifications += watchers.len() as u64;
            self.last_failure_notified += watchers.len() as u64;
            let names: Vec<String> = watchers.iter().map(|w| format!("n{w}")).collect();
            let notified = match watchers.len() {
                0 => "nobody watches it".to_string(),
                1 => format!("notifies {}", names[0]),
                k => format!(
                    "notifies {k} watchers ({}): the herd effect, every one of them will list /election",
                    names.join(", ")
                ),
            };
            let text = format!(
                "{who} expired (nothing heard for {}): zk deletes {} and {notified}",
                Rounded(silent),
                znode_name(seq)
            );
            if watchers.len() >= 2 {
                ctx.note_moment(NoteKind::Info, Moment::HerdBurst, text);
            } else {
                ctx.note(NoteKind::Info, text);
            }
        }
    }

    fn view(&self) -> NodeView {
        let mut fields: Vec<(String, String)> = self
            .znodes
            .iter()
            .map(|(&seq, z)| {
                (
                    znode_path(seq),
                    format!("n{} · session {}", z.owner, session_name(z.session)),
                )
            })
            .collect();
        if fields.is_empty() {
            fields.push(("/election".into(), "no children".into()));
        }
        let watches: Vec<String> = self
            .watches
            .iter()
            .flat_map(|(&seq, w)| w.iter().map(move |(n, _)| format!("n{n}→{}", short(seq))))
            .collect();
        fields.push((
            "watches".into(),
            if watches.is_empty() {
                "none".into()
            } else {
                watches.join(", ")
            },
        ));
        let mut sessions = format!("{} live", self.sessions.len());
        let recent: Vec<String> = self
            .expired
            .values()
            .rev()
            .take(3)
            .map(|(owner, _)| format!("n{owner}"))
            .collect();
        if !recent.is_empty() {
            sessions.push_str(&format!("; expired: {}", recent.join(", ")));
        }
        fields.push(("sessions".into(), sessions));
        fields.push((
            "notifications".into(),
            format!(
                "{} (last failure: {})",
                self.notifications, self.last_failure_notified
            ),
        ));
        fields.push((
            "list calls".into(),
            format!(
                "{} (after last failure: {})",
                self.lists, self.lists_after_failure
            ),
        ));
        NodeView {
            role: "service".into(),
            is_leader: false,
            term: 0,
            voted_for: None,
            leader: None,
            log: Vec::new(),
            commit_index: 0,
            fields,
        }
    }
}

// ====================================================================== client ====

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Opening a session.
    Connecting,
    /// Session open, creating its znode.
    Creating,
    /// Znode created, listing `/election` to see where it stands.
    Listing,
    /// Not the lowest: waiting for the watched znode's deletion.
    Following,
    /// The lowest znode is its own.
    Leading,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Connecting => "connecting",
            Phase::Creating | Phase::Listing => "candidate",
            Phase::Following => "follower",
            Phase::Leading => "leader",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ZkClient {
    me: NodeId,
    cfg: ZkConfig,
    /// Incarnations, from disk: keeps Connect nonces of a restarted client unique.
    boots: u64,
    attempts: u64,
    nonce: u64,
    phase: Phase,
    session: Option<u64>,
    epoch: Option<u64>,
    znode: Option<u64>,
    /// The znode it watches (predecessor, or the lowest in `watch=leader`).
    watching: Option<u64>,
    /// The owner and sequence of the lowest znode it last saw.
    leader: Option<(NodeId, u64)>,
    /// A request still unanswered; resent with each ping.
    pending: Option<ZkMsg>,
    /// The newest `/election` it has seen on this session: the network may deliver
    /// an older list after a newer one, and an older list must not undo a newer one.
    cversion: u64,
    last_heard: Micros,
    last_tick: Micros,
    last_list: Micros,
}

impl ZkClient {
    fn new(me: NodeId, cfg: &ZkConfig, boots: u64) -> ZkClient {
        ZkClient {
            me,
            cfg: cfg.clone(),
            boots,
            attempts: 0,
            nonce: 0,
            phase: Phase::Connecting,
            session: None,
            epoch: None,
            znode: None,
            watching: None,
            leader: None,
            pending: None,
            cversion: 0,
            last_heard: 0,
            last_tick: 0,
            last_list: 0,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn session(&self) -> Option<u64> {
        self.session
    }

    pub fn znode(&self) -> Option<u64> {
        self.znode
    }

    pub fn watching(&self) -> Option<u64> {
        self.watching
    }

    pub fn is_leading(&self) -> bool {
        self.phase == Phase::Leading
    }

    fn request(&mut self, ctx: &mut Ctx, msg: ZkMsg) {
        if let Some(zk) = ctx.service {
            ctx.send(zk, msg.clone());
        }
        self.pending = Some(msg);
    }

    fn start(&mut self, ctx: &mut Ctx, recovered: bool) {
        self.last_tick = ctx.now;
        self.last_heard = ctx.now;
        ctx.set_timer(ZkTimer::Ping, self.cfg.ping_every());
        let how = if recovered {
            format!(
                "n{} restarts: its old session is lost with its memory (its old znode lingers until zk expires it)",
                self.me
            )
        } else {
            format!("n{} starts", self.me)
        };
        self.connect(ctx, how);
    }

    fn connect(&mut self, ctx: &mut Ctx, why: String) {
        self.attempts += 1;
        self.nonce = self.boots * 1_000_000 + self.attempts;
        self.phase = Phase::Connecting;
        self.session = None;
        self.cversion = 0;
        self.znode = None;
        self.watching = None;
        ctx.note(
            NoteKind::Info,
            format!("{why}; n{} opens a session with zk", self.me),
        );
        self.request(ctx, ZkMsg::Connect { nonce: self.nonce });
    }

    fn create(&mut self, ctx: &mut Ctx, session: u64, why: &str) {
        self.phase = Phase::Creating;
        self.znode = None;
        self.watching = None;
        ctx.note(
            NoteKind::ElectionStart,
            format!(
                "n{} {why}: it asks zk to create /election/n_ (ephemeral, sequential) on session {}",
                self.me,
                session_name(session)
            ),
        );
        self.request(ctx, ZkMsg::Create { session });
    }

    fn list(&mut self, ctx: &mut Ctx, cause: ListCause) {
        let Some(session) = self.session else {
            return;
        };
        // A follower's quiet look or re-registration does not put it back in the
        // running; after its znode is created or a watched one deleted, it is.
        if matches!(cause, ListCause::Created | ListCause::Deleted) {
            self.phase = Phase::Listing;
        }
        self.last_list = ctx.now;
        self.request(ctx, ZkMsg::GetChildren { session, cause });
    }

    fn on_tick(&mut self, ctx: &mut Ctx) {
        let every = self.cfg.ping_every();
        let gap = ctx.now.saturating_sub(self.last_tick);
        self.last_tick = ctx.now;
        ctx.set_timer(ZkTimer::Ping, every);
        if gap > 2 * every && self.phase == Phase::Leading {
            ctx.note(
                NoteKind::Info,
                format!(
                    "n{} wakes from a pause still believing it leads; its last word from zk was {} ago",
                    self.me,
                    Rounded(ctx.now.saturating_sub(self.last_heard))
                ),
            );
        }
        let Some(zk) = ctx.service else {
            return;
        };
        if let Some(session) = self.session {
            ctx.send(zk, ZkMsg::Ping { session });
        }
        if let Some(msg) = self.pending.clone() {
            ctx.send(zk, msg);
        } else if self.phase == Phase::Following
            && ctx.now.saturating_sub(self.last_list) >= self.cfg.session_timeout
        {
            // Followers do not hear of a new leader unless they watch it: a quiet
            // look now and then keeps "who leads" current and repairs a lost
            // notification (real clients would ask when they need to know).
            self.list(ctx, ListCause::Refresh);
        }
    }

    fn accepts(&self, session: u64) -> bool {
        self.session == Some(session)
    }

    fn on_message(&mut self, ctx: &mut Ctx, msg: ZkMsg) {
        match msg {
            ZkMsg::Connected {
                nonce,
                session,
                epoch,
            } => {
                if self.phase != Phase::Connecting || nonce != self.nonce {
                    return; // the answer to an abandoned attempt
                }
                self.last_heard = ctx.now;
                self.pending = None;
                self.session = Some(session);
                self.epoch = Some(epoch);
                self.create(ctx, session, "has a session");
            }
            ZkMsg::Pong { session, epoch } => {
                if !self.accepts(session) {
                    return;
                }
                self.last_heard = ctx.now;
                let restarted = self.epoch.is_some_and(|e| e != epoch);
                self.epoch = Some(epoch);
                if restarted && self.phase == Phase::Following {
                    ctx.note(
                        NoteKind::Info,
                        format!(
                            "n{} reconnects to a restarted zk, which lost its watches: it lists /election to set its watch again",
                            self.me
                        ),
                    );
                    self.watching = None;
                    self.list(ctx, ListCause::Reconnect);
                }
            }
            ZkMsg::Created { session, seq } => {
                if !self.accepts(session) || self.phase != Phase::Creating {
                    return;
                }
                self.last_heard = ctx.now;
                self.pending = None;
                self.znode = Some(seq);
                ctx.note(
                    NoteKind::Info,
                    format!("n{} creates {}", self.me, znode_path(seq)),
                );
                self.list(ctx, ListCause::Created);
            }
            ZkMsg::Children {
                session,
                cversion,
                children,
            } => {
                if !self.accepts(session) {
                    return;
                }
                self.last_heard = ctx.now;
                if cversion < self.cversion {
                    return; // overtaken by a newer list
                }
                self.cversion = cversion;
                if matches!(self.pending, Some(ZkMsg::GetChildren { .. })) {
                    self.pending = None;
                }
                self.on_children(ctx, session, children);
            }
            ZkMsg::ExistsReply {
                session,
                seq,
                exists,
            } => {
                if !self.accepts(session) {
                    return;
                }
                self.last_heard = ctx.now;
                if matches!(self.pending, Some(ZkMsg::Exists { seq: s, .. }) if s == seq) {
                    self.pending = None;
                }
                if !exists && self.watching == Some(seq) && self.phase == Phase::Following {
                    self.watching = None;
                    ctx.note(
                        NoteKind::ElectionStart,
                        format!(
                            "{} was already gone when n{} tried to watch it: it lists /election again",
                            znode_name(seq),
                            self.me
                        ),
                    );
                    self.list(ctx, ListCause::Deleted);
                }
            }
            ZkMsg::WatchEvent { seq } => {
                if self.watching != Some(seq) || self.phase != Phase::Following {
                    return; // a watch it has since replaced: one-shot, nothing to undo
                }
                self.watching = None;
                if self.cfg.bugs.lead_on_predecessor_deleted {
                    self.lead(
                        ctx,
                        format!(
                            "n{} hears {} was deleted and leads at once, without listing",
                            self.me,
                            znode_name(seq)
                        ),
                    );
                    return;
                }
                let what = if self.leader.is_some_and(|(_, s)| s == seq) {
                    "the leader's znode"
                } else {
                    "its predecessor"
                };
                ctx.note(
                    NoteKind::ElectionStart,
                    format!(
                        "n{} hears {} ({what}) was deleted; it lists /election again, since a deleted predecessor alone does not mean it leads",
                        self.me,
                        znode_name(seq)
                    ),
                );
                self.list(ctx, ListCause::Deleted);
            }
            ZkMsg::SessionExpired { session, ago } => {
                if !self.accepts(session) {
                    return;
                }
                self.pending = None;
                let me = self.me;
                let ago = ago.map_or(String::new(), |a| format!(" {} ago", Rounded(a)));
                let lost = match self.znode {
                    Some(s) => format!(" and deleted {}", znode_name(s)),
                    None => String::new(),
                };
                let s = session_name(session);
                if self.phase == Phase::Leading {
                    ctx.note(
                        NoteKind::StepDown,
                        format!(
                            "n{me} still believed it led; zk expired its session {s}{ago}{lost}: n{me} stops leading"
                        ),
                    );
                } else {
                    ctx.note(
                        NoteKind::Info,
                        format!("zk expired n{me}'s session {s}{ago}{lost}"),
                    );
                }
                self.leader = None;
                self.connect(ctx, format!("with its session gone, n{me} starts over"));
            }
            // Requests are the service's business.
            ZkMsg::Connect { .. }
            | ZkMsg::Ping { .. }
            | ZkMsg::Create { .. }
            | ZkMsg::GetChildren { .. }
            | ZkMsg::Exists { .. } => {}
        }
    }

    fn on_children(&mut self, ctx: &mut Ctx, session: u64, children: Vec<(u64, NodeId)>) {
        let Some(mine) = self.znode else {
            return; // a list from before its znode (a resent request's late answer)
        };
        let mut children = children;
        children.sort_unstable();
        let lowest = children.first().copied();
        let before = self.leader;
        self.leader = lowest.map(|(s, o)| (o, s));
        if !children.iter().any(|&(s, o)| s == mine && o == self.me) {
            // Only a broken service loses the znode of a live session.
            let was_leading = self.phase == Phase::Leading;
            self.create(
                ctx,
                session,
                &format!(
                    "finds its znode {} missing{}",
                    znode_name(mine),
                    if was_leading {
                        " and stops leading"
                    } else {
                        ""
                    }
                ),
            );
            return;
        }
        if lowest.map(|(s, _)| s) == Some(mine) {
            if self.phase != Phase::Leading {
                let why = format!(
                    "n{} lists /election: {} is the lowest, so it leads",
                    self.me,
                    znode_name(mine)
                );
                self.lead(ctx, why);
            }
            return;
        }
        if self.phase == Phase::Leading {
            // Unreachable with a correct service: nothing lower than a leader's znode
            // can appear. Said aloud rather than hidden.
            ctx.note(
                NoteKind::StepDown,
                format!(
                    "n{} sees a znode below its own {}: it stops leading",
                    self.me,
                    znode_name(mine)
                ),
            );
        }
        self.phase = Phase::Following;
        let target = match self.cfg.watch {
            WatchMode::Predecessor => children.iter().map(|&(s, _)| s).rfind(|&s| s < mine),
            WatchMode::Leader => lowest.map(|(s, _)| s),
        };
        let Some(target) = target else {
            return;
        };
        if self.watching == Some(target) {
            if before != self.leader {
                if let Some((l, s)) = self.leader {
                    ctx.note(
                        NoteKind::Info,
                        format!(
                            "n{} looks at /election again: n{l} leads with {}",
                            self.me,
                            znode_name(s)
                        ),
                    );
                }
            }
            return; // its watch is still set
        }
        self.watching = Some(target);
        let what = match self.cfg.watch {
            WatchMode::Predecessor if lowest.map(|(s, _)| s) == Some(target) => {
                "its predecessor, the leader's"
            }
            WatchMode::Predecessor => "its predecessor",
            WatchMode::Leader => "the leader's znode, as everyone does in watch=leader",
        };
        let leads = match self.leader {
            Some((l, _)) => format!("; n{l} leads"),
            None => String::new(),
        };
        ctx.note(
            NoteKind::Info,
            format!(
                "n{} watches {} ({what}){leads}",
                self.me,
                znode_name(target)
            ),
        );
        self.request(
            ctx,
            ZkMsg::Exists {
                session,
                seq: target,
            },
        );
    }

    fn lead(&mut self, ctx: &mut Ctx, why: String) {
        let Some(mine) = self.znode else {
            return;
        };
        self.phase = Phase::Leading;
        self.watching = None;
        self.leader = Some((self.me, mine));
        ctx.note(NoteKind::Leader, why);
    }

    fn view(&self) -> NodeView {
        let mut fields = Vec::new();
        fields.push(("znode".to_string(), self.znode.map_or("none".into(), short)));
        if let Some(s) = self.session {
            fields.push(("session".into(), session_name(s)));
        }
        if let Some(w) = self.watching {
            fields.push(("watching".into(), znode_name(w)));
        }
        let leading = self.phase == Phase::Leading;
        NodeView {
            role: self.phase.name().into(),
            is_leader: leading,
            // A leader's token is its znode's sequence number; a follower reports the
            // leadership it follows, so the kernel can tell who is current.
            term: self.leader.map_or(0, |(_, s)| s),
            voted_for: None,
            leader: self.leader.map(|(l, _)| l),
            log: Vec::new(),
            commit_index: 0,
            fields,
        }
    }
}

// ================================================================== algorithm ====

/// A node of the ZooKeeper recipe: the service, or one of its candidate clients.
#[derive(Clone, Debug)]
pub enum ZkRecipe {
    Service(Box<ZkService>),
    Client(Box<ZkClient>),
}

/// What survives a crash: the service's log, or a client's boot count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkDisk {
    Client { boots: u64 },
    Service(Box<ServiceDisk>),
}

impl ZkRecipe {
    pub fn service(&self) -> Option<&ZkService> {
        match self {
            ZkRecipe::Service(s) => Some(s),
            ZkRecipe::Client(_) => None,
        }
    }

    pub fn client(&self) -> Option<&ZkClient> {
        match self {
            ZkRecipe::Client(c) => Some(c),
            ZkRecipe::Service(_) => None,
        }
    }
}

impl Algorithm for ZkRecipe {
    type Msg = ZkMsg;
    type Timer = ZkTimer;
    type Persistent = ZkDisk;
    type Config = ZkConfig;
    type Monitor = ZkMonitor;

    const SERVICE: Option<&'static str> = Some("zk");

    fn term_label(term: u64) -> String {
        format!("znode #{term}")
    }

    fn boot(me: NodeId, cluster_size: usize, config: &ZkConfig) -> Self {
        if me as usize > cluster_size {
            ZkRecipe::Service(Box::new(ZkService::from_disk(
                config,
                &ServiceDisk::default(),
            )))
        } else {
            ZkRecipe::Client(Box::new(ZkClient::new(me, config, 0)))
        }
    }

    fn recover(me: NodeId, _cluster_size: usize, config: &ZkConfig, disk: &ZkDisk) -> Self {
        // The disk says which the node is: a restart is not always told the number
        // of candidates, so `me > cluster_size` cannot be trusted here.
        match disk {
            ZkDisk::Service(d) => ZkRecipe::Service(Box::new(ZkService::from_disk(config, d))),
            ZkDisk::Client { boots } => {
                ZkRecipe::Client(Box::new(ZkClient::new(me, config, boots + 1)))
            }
        }
    }

    fn persistent(&self) -> ZkDisk {
        match self {
            ZkRecipe::Service(s) => ZkDisk::Service(Box::new(s.disk())),
            ZkRecipe::Client(c) => ZkDisk::Client { boots: c.boots },
        }
    }

    fn step(&mut self, ctx: &mut Ctx, input: Input<ZkMsg, ZkTimer>) {
        match self {
            ZkRecipe::Service(s) => match input {
                Input::Start { recovered } => s.start(ctx, recovered),
                Input::Message { from, msg } => s.on_message(ctx, from, msg),
                Input::Timer(ZkTimer::SessionCheck) => s.on_check(ctx),
                Input::Timer(ZkTimer::Ping | ZkTimer::Relist) => {}
                Input::ClientWrite { value } => ctx.note(
                    NoteKind::Client,
                    format!("zk ignores write #{value}: clients write through their leader"),
                ),
            },
            ZkRecipe::Client(c) => match input {
                Input::Start { recovered } => c.start(ctx, recovered),
                Input::Message { from, msg } => {
                    if Some(from) == ctx.service {
                        c.on_message(ctx, msg);
                    }
                }
                Input::Timer(ZkTimer::Ping) => c.on_tick(ctx),
                Input::Timer(ZkTimer::Relist) => {
                    if c.session.is_some() && c.znode.is_some() && c.pending.is_none() {
                        let me = c.me;
                        ctx.note(
                            NoteKind::ElectionStart,
                            format!("n{me} is made to list /election now"),
                        );
                        c.list(ctx, ListCause::Forced);
                    }
                }
                Input::Timer(ZkTimer::SessionCheck) => {}
                Input::ClientWrite { value } => {
                    let text = if c.is_leading() {
                        format!(
                            "n{} takes write #{value} as leader (the recipe elects; it replicates nothing)",
                            c.me
                        )
                    } else {
                        format!("n{} is not the leader and drops write #{value}", c.me)
                    };
                    ctx.note(NoteKind::Client, text);
                }
            },
        }
    }

    fn view(&self) -> NodeView {
        match self {
            ZkRecipe::Service(s) => s.view(),
            ZkRecipe::Client(c) => c.view(),
        }
    }

    fn leadership(&self) -> Option<u64> {
        match self {
            ZkRecipe::Client(c) if c.phase == Phase::Leading => {
                Some(c.leader.map_or(0, |(_, s)| s))
            }
            _ => None,
        }
    }

    fn election_timer() -> Option<ZkTimer> {
        Some(ZkTimer::Relist)
    }
}
