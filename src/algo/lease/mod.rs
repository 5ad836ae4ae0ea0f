//! Lease-based leader election, as Kubernetes client-go's `leaderelection` package
//! does it with a Lease object (and etcd leases or Redis `SET NX PX` in spirit).
//!
//! A lock service (one extra node, the kernel's coordination service) stores one
//! lease record and a revision counter, and answers every request atomically with
//! optimistic concurrency: an update names the revision it read, and loses with a
//! Conflict if anyone wrote since. The candidates do the rest. Every retryPeriod each
//! one reads the record; a lease held by someone else counts as expired only when the
//! candidate has seen the record unchanged for leaseDuration on its OWN clock (the
//! service judges nothing, as in client-go), and then it tries to take it. The leader
//! renews every retryPeriod and stops leading once renewDeadline has passed on its own
//! clock since its last successful renew.
//!
//! Nothing here stops two nodes from believing they lead: a leader frozen by a pause,
//! or one whose clock runs slow while a follower's runs fast, keeps believing after
//! another took over. That is the lease hazard the kernel's fencing and STONITH
//! exist for; the leadership's fencing token is the revision at which it was granted
//! (etcd's create revision), so tokens rise with every grant.

mod descriptor;
mod invariants;

pub use descriptor::DESCRIPTOR;
pub use invariants::LeaseMonitor;

use crate::sim::Moment;
use crate::sim::time::Rounded;
use crate::sim::{
    Algorithm, Context, Input, MS, Message, Micros, MsgClass, NodeId, NodeView, NoteKind, SEC,
    Timer,
};
use serde::{Deserialize, Serialize};

/// Who judges that a lease has run out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeaseExpiry {
    /// Kubernetes: each candidate on its own clock, from when it saw the record change.
    #[default]
    Client,
    /// etcd leases, Redis `PX`: the service drops the holder after leaseDuration
    /// without a renewal, on the service's clock; candidates take only a free lease.
    Server,
}

impl LeaseExpiry {
    pub fn name(self) -> &'static str {
        match self {
            LeaseExpiry::Client => "client",
            LeaseExpiry::Server => "server",
        }
    }

    pub fn parse(text: &str) -> Result<LeaseExpiry, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "client" => Ok(LeaseExpiry::Client),
            "server" => Ok(LeaseExpiry::Server),
            other => Err(format!("'{other}' is not client or server")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseConfig {
    /// How long a lease lasts without renewal, as non-holders judge it.
    pub lease_duration: Micros,
    /// How long the leader keeps leading without a successful renew.
    pub renew_deadline: Micros,
    /// How often candidates retry and the leader renews.
    pub retry_period: Micros,
    pub expiry: LeaseExpiry,
    #[serde(skip)]
    bugs: Bugs,
}

/// Kubernetes' defaults (15 s, 10 s, 2 s) scaled down tenfold, so a takeover fits in
/// a few seconds of a classroom demo.
pub const DEFAULT_LEASE_DURATION: Micros = 1_500 * MS;
pub const DEFAULT_RENEW_DEADLINE: Micros = SEC;
pub const DEFAULT_RETRY_PERIOD: Micros = 200 * MS;

impl Default for LeaseConfig {
    /// The defaults the settings declare (see `descriptor.rs`): written once.
    fn default() -> Self {
        use crate::algo::Configure;
        Lease::configure(&crate::settings::Setup::defaults(5))
    }
}

impl LeaseConfig {
    /// client-go refuses a config unless leaseDuration > renewDeadline > 1.2 x
    /// retryPeriod (1.2 is its retry jitter). We run such configs anyway, to show what
    /// goes wrong, but say which rule is broken.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.lease_duration <= self.renew_deadline {
            out.push(format!(
                "lease-duration {} must be above renew-deadline {} (client-go's rule leaseDuration > renewDeadline): otherwise a follower can take the lease while the leader still leads",
                Rounded(self.lease_duration),
                Rounded(self.renew_deadline)
            ));
        }
        if self.renew_deadline * 10 <= self.retry_period * 12 {
            out.push(format!(
                "renew-deadline {} must be above 1.2 x retry-period {} (client-go's rule renewDeadline > 1.2 x retryPeriod): otherwise the leader may get no retry in before its deadline",
                Rounded(self.renew_deadline),
                Rounded(self.retry_period)
            ));
        }
        out
    }
}

/// Deliberate defects, so tests can prove the invariant checker catches them. Only the
/// `bug-injection` feature (turned on by the test suite alone) can set them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bugs {
    skip_revision_check: bool,
    forget_revision_on_restart: bool,
}

#[cfg(feature = "bug-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseBug {
    /// A non-atomic compare-and-set: the service does not compare the revision an
    /// update read with its own and writes revision "read + 1", so two candidates that
    /// read the same revision are both granted the lease at the next one.
    SkipRevisionCheck,
    /// The service keeps its revision counter only in memory: after a restart it
    /// counts from zero again and hands out tokens it already gave away.
    ForgetRevisionOnRestart,
}

#[cfg(feature = "bug-injection")]
impl LeaseConfig {
    pub fn with_bug(mut self, bug: LeaseBug) -> Self {
        match bug {
            LeaseBug::SkipRevisionCheck => self.bugs.skip_revision_check = true,
            LeaseBug::ForgetRevisionOnRestart => self.bugs.forget_revision_on_restart = true,
        }
        self
    }
}

/// The Lease object's spec, with Kubernetes' field names in the UI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRecord {
    /// `holderIdentity`; `None` when nobody holds the lease.
    pub holder: Option<NodeId>,
    /// `acquireTime`, on the acquiring candidate's clock (client-go writes it).
    pub acquire_time: Micros,
    /// `renewTime`, on the holder's clock.
    pub renew_time: Micros,
    /// `leaseDurationSeconds`, as the holder wrote it.
    pub lease_duration: Micros,
    /// `leaseTransitions`: how many times the holder changed.
    pub transitions: u64,
    /// The fencing token of the current holding: the revision it was granted at.
    pub token: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaseMsg {
    /// Read the record.
    Get { seq: u64 },
    /// The record and its revision, in answer to a Get.
    Record {
        seq: u64,
        lease: LeaseRecord,
        revision: u64,
    },
    /// Take the lease, if the record is still at `revision`.
    Acquire {
        seq: u64,
        revision: u64,
        renew_time: Micros,
        lease_duration: Micros,
    },
    /// Extend my lease, if the record is still at `revision`.
    Renew {
        seq: u64,
        revision: u64,
        token: u64,
        renew_time: Micros,
    },
    /// The update was applied: this is the record now.
    Granted {
        seq: u64,
        lease: LeaseRecord,
        revision: u64,
    },
    /// Someone wrote first: this is the record now.
    Conflict {
        seq: u64,
        lease: LeaseRecord,
        revision: u64,
    },
}

fn holder_name(lease: &LeaseRecord) -> String {
    lease
        .holder
        .map_or_else(|| "nobody".to_string(), |h| format!("n{h}"))
}

impl Message for LeaseMsg {
    fn kind(&self) -> &'static str {
        match self {
            LeaseMsg::Get { .. } => "Get",
            LeaseMsg::Record { .. } => "Record",
            LeaseMsg::Acquire { .. } => "Acquire",
            LeaseMsg::Renew { .. } => "Renew",
            LeaseMsg::Granted { .. } => "Granted",
            LeaseMsg::Conflict { .. } => "Conflict",
        }
    }

    fn class(&self) -> MsgClass {
        match self {
            LeaseMsg::Get { .. } => MsgClass::Other,
            LeaseMsg::Record { .. } => MsgClass::Reply,
            LeaseMsg::Acquire { .. } => MsgClass::VoteRequest,
            LeaseMsg::Renew { .. } => MsgClass::Heartbeat,
            LeaseMsg::Granted { .. } => MsgClass::VoteGranted,
            LeaseMsg::Conflict { .. } => MsgClass::VoteDenied,
        }
    }

    fn term(&self) -> Option<u64> {
        match self {
            LeaseMsg::Get { .. } | LeaseMsg::Acquire { .. } => None,
            LeaseMsg::Renew { token, .. } => Some(*token),
            LeaseMsg::Record { lease, .. }
            | LeaseMsg::Granted { lease, .. }
            | LeaseMsg::Conflict { lease, .. } => lease.holder.map(|_| lease.token),
        }
    }

    fn summary(&self) -> String {
        match self {
            LeaseMsg::Get { .. } => "read the lease".into(),
            LeaseMsg::Acquire { revision, .. } => {
                format!("take the lease if still at revision {revision}")
            }
            LeaseMsg::Renew {
                revision, token, ..
            } => format!("renew lease #{token} if still at revision {revision}"),
            LeaseMsg::Record {
                lease, revision, ..
            }
            | LeaseMsg::Granted {
                lease, revision, ..
            }
            | LeaseMsg::Conflict {
                lease, revision, ..
            } => format!(
                "holder {}, revision {revision}, leaseTransitions {}",
                holder_name(lease),
                lease.transitions
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeaseTimer {
    /// A candidate's next tryAcquireOrRenew.
    Retry,
    /// The instant that matters most on the node's own clock: when the observed lease
    /// runs out (a follower) or when renewDeadline passes (the leader). Forcing it
    /// makes the node try at once. Labelled "election" so the UI drains it.
    Deadline,
    /// The service's own expiry of the holder (server-side expiry only).
    Expire,
}

impl Timer for LeaseTimer {
    fn label(&self) -> &'static str {
        match self {
            LeaseTimer::Retry => "retry",
            LeaseTimer::Deadline => "election",
            LeaseTimer::Expire => "expire",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    /// An Acquire (or the renewal of a lease found in its own name) is on its way.
    Trying,
    Leader,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Trying => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// One grant the service made, for the monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub holder: NodeId,
    pub token: u64,
    pub revision: u64,
}

/// The lock service: the record, its revision, and nothing else of note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceState {
    pub lease: LeaseRecord,
    pub revision: u64,
    /// Service clock when the holder last wrote (server-side expiry measures from it).
    pub written_at: Micros,
    /// The grant made in the step just taken, if any: the monitor reads it then.
    pub just_granted: Option<Grant>,
    /// Who held the lease before the service expired it, so that handing it to
    /// someone else still counts as a transition.
    pub expired_holder: Option<NodeId>,
}

/// What survives a crash: the service's record (etcd and the Kubernetes API server
/// persist it); a candidate keeps nothing and simply reads the record again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LeaseDisk {
    #[default]
    Candidate,
    Service {
        lease: LeaseRecord,
        revision: u64,
    },
}

/// A request the candidate is waiting on; replies to older ones only inform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    seq: u64,
    kind: Request,
    /// Local time it was sent: a renewal counts from here, the safe side.
    sent_at: Micros,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Request {
    Get,
    Acquire,
    Renew,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateState {
    pub role: Role,
    /// The record as last read, and its revision.
    pub observed: Option<(LeaseRecord, u64)>,
    /// Local time the observed record last changed (client-go's observedTime).
    pub observed_at: Micros,
    /// The leader's token; otherwise the highest token it has seen.
    pub token: u64,
    /// Local time of the leader's last successful renew (when it was sent).
    pub renewed_at: Micros,
    /// Local time of the node's last step, for the view's "by its clock" lines.
    pub last_now: Micros,
    next_seq: u64,
    pending: Option<Pending>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Service(ServiceState),
    Candidate(CandidateState),
}

type Ctx<'a, 'b> = Context<'a, LeaseMsg, LeaseTimer>;

#[derive(Clone, Debug)]
pub struct Lease {
    me: NodeId,
    cfg: LeaseConfig,
    node: Node,
}

impl Lease {
    pub fn id(&self) -> NodeId {
        self.me
    }

    pub fn is_service(&self) -> bool {
        matches!(self.node, Node::Service(_))
    }

    pub fn service_state(&self) -> Option<&ServiceState> {
        match &self.node {
            Node::Service(s) => Some(s),
            Node::Candidate(_) => None,
        }
    }

    pub fn candidate_state(&self) -> Option<&CandidateState> {
        match &self.node {
            Node::Candidate(c) => Some(c),
            Node::Service(_) => None,
        }
    }

    /// The candidate's role; the service is never a candidate.
    pub fn role(&self) -> Option<Role> {
        self.candidate_state().map(|c| c.role)
    }

    /// The fencing token of the leadership this node holds, if it leads.
    pub fn leading_token(&self) -> Option<u64> {
        self.candidate_state()
            .filter(|c| c.role == Role::Leader)
            .map(|c| c.token)
    }

    // ----- the service -----

    fn serve(&mut self, ctx: &mut Ctx, from: NodeId, msg: LeaseMsg) {
        let Node::Service(s) = &mut self.node else {
            return;
        };
        let server_expiry = self.cfg.expiry == LeaseExpiry::Server;
        let skip_check = self.cfg.bugs.skip_revision_check;
        match msg {
            LeaseMsg::Get { seq } => ctx.send(
                from,
                LeaseMsg::Record {
                    seq,
                    lease: s.lease,
                    revision: s.revision,
                },
            ),
            LeaseMsg::Acquire {
                seq,
                revision,
                renew_time,
                lease_duration,
            } => {
                let stale = revision != s.revision && !skip_check;
                // With server-side expiry the service is the judge: a lease held by
                // someone else is taken only after it dropped it (SET NX semantics).
                let held = server_expiry && s.lease.holder.is_some_and(|h| h != from);
                if stale || held {
                    // The candidate narrates the conflict when the answer reaches it.
                    ctx.send(
                        from,
                        LeaseMsg::Conflict {
                            seq,
                            lease: s.lease,
                            revision: s.revision,
                        },
                    );
                    return;
                }
                // The defect writes "what I read + 1", as a read-modify-write without
                // the compare would; the correct service writes its own next revision.
                s.revision = if skip_check {
                    revision + 1
                } else {
                    s.revision + 1
                };
                let changed = s
                    .lease
                    .holder
                    .or(s.expired_holder)
                    .is_some_and(|h| h != from);
                s.expired_holder = None;
                s.lease = LeaseRecord {
                    holder: Some(from),
                    acquire_time: renew_time,
                    renew_time,
                    lease_duration,
                    transitions: s.lease.transitions + changed as u64,
                    token: s.revision,
                };
                s.written_at = ctx.now;
                s.just_granted = Some(Grant {
                    holder: from,
                    token: s.lease.token,
                    revision: s.revision,
                });
                ctx.send(
                    from,
                    LeaseMsg::Granted {
                        seq,
                        lease: s.lease,
                        revision: s.revision,
                    },
                );
                if server_expiry {
                    ctx.set_timer(LeaseTimer::Expire, lease_duration.max(1));
                }
            }
            LeaseMsg::Renew {
                seq,
                revision,
                token,
                renew_time,
            } => {
                let mine = s.lease.holder == Some(from) && s.lease.token == token;
                if !mine || (revision != s.revision && !skip_check) {
                    ctx.send(
                        from,
                        LeaseMsg::Conflict {
                            seq,
                            lease: s.lease,
                            revision: s.revision,
                        },
                    );
                    return;
                }
                s.revision += 1;
                s.lease.renew_time = renew_time;
                s.written_at = ctx.now;
                ctx.send(
                    from,
                    LeaseMsg::Granted {
                        seq,
                        lease: s.lease,
                        revision: s.revision,
                    },
                );
                if server_expiry {
                    ctx.set_timer(LeaseTimer::Expire, s.lease.lease_duration.max(1));
                }
            }
            // Replies are for candidates; a confused sender changes nothing here.
            LeaseMsg::Record { .. } | LeaseMsg::Granted { .. } | LeaseMsg::Conflict { .. } => {}
        }
    }

    fn service_expire(&mut self, ctx: &mut Ctx) {
        let Node::Service(s) = &mut self.node else {
            return;
        };
        let Some(h) = s.lease.holder else {
            return;
        };
        let quiet = ctx.now.saturating_sub(s.written_at);
        if quiet < s.lease.lease_duration {
            // Re-armed late (e.g. after a restart): wait out the rest.
            ctx.set_timer(LeaseTimer::Expire, (s.lease.lease_duration - quiet).max(1));
            return;
        }
        s.lease.holder = None;
        s.expired_holder = Some(h);
        s.revision += 1;
        ctx.note_moment(
            NoteKind::Info,
            Moment::LeaseExpired,
            format!(
                "the lease service expires n{h}'s lease: no renewal for {} by the service's own clock (revision {})",
                Rounded(quiet),
                s.revision
            ),
        );
    }

    // ----- candidates -----

    fn cand(&mut self) -> &mut CandidateState {
        match &mut self.node {
            Node::Candidate(c) => c,
            Node::Service(_) => unreachable!("only called on candidates"),
        }
    }

    fn request(&mut self, ctx: &mut Ctx, kind: Request) {
        let Some(service) = ctx.service else {
            return;
        };
        let now = ctx.now;
        let lease_duration = self.cfg.lease_duration;
        let c = self.cand();
        c.next_seq += 1;
        let seq = c.next_seq;
        c.pending = Some(Pending {
            seq,
            kind,
            sent_at: now,
        });
        let revision = c.observed.map_or(0, |(_, r)| r);
        let msg = match kind {
            Request::Get => LeaseMsg::Get { seq },
            Request::Acquire => LeaseMsg::Acquire {
                seq,
                revision,
                renew_time: now,
                lease_duration,
            },
            Request::Renew => LeaseMsg::Renew {
                seq,
                revision,
                // The leader renews its own leadership; a node that found the lease in
                // its own name renews the holding it found.
                token: if c.role == Role::Leader {
                    c.token
                } else {
                    c.observed.map_or(0, |(l, _)| l.token)
                },
                renew_time: now,
            },
        };
        ctx.send(service, msg);
    }

    /// Retry after retryPeriod; non-leaders add client-go's jitter (up to 1.2 x),
    /// which keeps candidates from asking in lockstep.
    fn arm_retry(&mut self, ctx: &mut Ctx) {
        let p = self.cfg.retry_period.max(1);
        let after = if self.cand().role == Role::Leader {
            p
        } else {
            p + ctx.random_range(0, p * 12 / 10)
        };
        ctx.set_timer(LeaseTimer::Retry, after);
    }

    /// The follower's expiry instant or the leader's renew deadline, local time.
    fn deadline(&mut self) -> Option<Micros> {
        let (renew_deadline, client) = (
            self.cfg.renew_deadline,
            self.cfg.expiry == LeaseExpiry::Client,
        );
        let c = self.cand();
        match c.role {
            Role::Leader => Some(c.renewed_at + renew_deadline),
            // A candidate waits for its answer; with server-side expiry the service
            // says when a lease is free.
            Role::Trying => None,
            Role::Follower if !client => None,
            Role::Follower => c
                .observed
                .filter(|(l, _)| l.holder.is_some())
                .map(|(l, _)| c.observed_at + l.lease_duration),
        }
    }

    fn arm_deadline(&mut self, ctx: &mut Ctx) {
        match self.deadline().filter(|&at| at > ctx.now) {
            Some(at) => ctx.set_timer(LeaseTimer::Deadline, at.saturating_sub(ctx.now).max(1)),
            None => ctx.cancel_timer(LeaseTimer::Deadline),
        }
    }

    /// The leader's own check: past renewDeadline without a renew, it stops leading.
    /// Returns whether it stepped down.
    fn check_renew_deadline(&mut self, ctx: &mut Ctx) -> bool {
        let me = self.me;
        let renew_deadline = self.cfg.renew_deadline;
        let c = self.cand();
        if c.role != Role::Leader || ctx.now < c.renewed_at + renew_deadline {
            return false;
        }
        let since = ctx.now - c.renewed_at;
        c.role = Role::Follower;
        ctx.note(
            NoteKind::StepDown,
            format!(
                "n{me} could not renew within renewDeadline {} (last renew {} ago by its own clock): stops leading",
                Rounded(renew_deadline),
                Rounded(since)
            ),
        );
        true
    }

    /// client-go's tryAcquireOrRenew, first half: the leader renews, others read.
    fn try_acquire_or_renew(&mut self, ctx: &mut Ctx) {
        self.check_renew_deadline(ctx);
        if self.cand().role == Role::Leader {
            self.request(ctx, Request::Renew);
        } else {
            self.request(ctx, Request::Get);
        }
        self.arm_retry(ctx);
        self.arm_deadline(ctx);
    }

    /// Takes in the record from the answer to the pending request (answers to older
    /// requests are dropped before this, so a late reply cannot make an old record
    /// look fresh). client-go resets observedTime whenever the record differs from
    /// the last one seen; every write bumps the revision, so comparing it suffices.
    fn observe(&mut self, ctx: &mut Ctx, lease: LeaseRecord, revision: u64) {
        let now = ctx.now;
        let c = self.cand();
        if c.observed != Some((lease, revision)) {
            c.observed = Some((lease, revision));
            c.observed_at = now;
        }
        if c.role != Role::Leader {
            c.token = c.token.max(lease.token);
        }
    }

    /// Whether `seq` answers the request this candidate is waiting on; clears it.
    fn answers(&mut self, seq: u64, get: bool) -> Option<Pending> {
        let c = self.cand();
        let p = c
            .pending
            .filter(|p| p.seq == seq && (p.kind == Request::Get) == get)?;
        c.pending = None;
        Some(p)
    }

    fn on_record(&mut self, ctx: &mut Ctx, seq: u64, lease: LeaseRecord, revision: u64) {
        if self.answers(seq, true).is_none() {
            return; // an answer to a question no longer asked
        }
        self.observe(ctx, lease, revision);
        let me = self.me;
        let client = self.cfg.expiry == LeaseExpiry::Client;
        let c = self.cand();
        if c.role == Role::Leader {
            return;
        }
        let (lease, _) = c.observed.unwrap_or((lease, revision));
        let seen_for = ctx.now.saturating_sub(c.observed_at);
        match lease.holder {
            Some(h) if h == me => {
                ctx.note(
                    NoteKind::ElectionStart,
                    format!(
                        "n{me} finds the lease still in its own name (lease #{}) and renews it",
                        lease.token
                    ),
                );
                c.role = Role::Trying;
                self.request(ctx, Request::Renew);
            }
            None => {
                ctx.note(
                    NoteKind::ElectionStart,
                    format!("n{me} finds the lease free and tries to acquire it"),
                );
                c.role = Role::Trying;
                self.request(ctx, Request::Acquire);
            }
            Some(h) if client && seen_for >= lease.lease_duration => {
                ctx.note_moment(
                    NoteKind::ElectionStart,
                    Moment::LeaseExpired,
                    format!(
                        "n{me} sees n{h}'s lease expire by its own clock (observed {} ago, leaseDuration {}) and tries to acquire it",
                        Rounded(seen_for),
                        Rounded(lease.lease_duration)
                    ),
                );
                c.role = Role::Trying;
                self.request(ctx, Request::Acquire);
            }
            Some(_) => {
                c.role = Role::Follower;
            }
        }
        self.arm_deadline(ctx);
    }

    fn on_granted(&mut self, ctx: &mut Ctx, seq: u64, lease: LeaseRecord, revision: u64) {
        let Some(p) = self.answers(seq, false) else {
            return; // a late answer: the newer request decides
        };
        self.observe(ctx, lease, revision);
        let me = self.me;
        let renew_deadline = self.cfg.renew_deadline;
        let c = self.cand();
        if lease.holder != Some(me) {
            return;
        }
        // A leader that already passed its deadline stays down: a renew sent before
        // a long pause does not make up for the time it was gone.
        if c.role != Role::Leader && p.sent_at + renew_deadline <= ctx.now {
            return;
        }
        c.renewed_at = p.sent_at;
        if c.role == Role::Leader {
            ctx.note(
                NoteKind::Routine,
                format!(
                    "n{me} renews (renewTime {}, revision {revision})",
                    Rounded(lease.renew_time)
                ),
            );
        } else {
            c.role = Role::Leader;
            c.token = lease.token;
            // The first holder acquires; every later one takes the lease over.
            if lease.transitions > 0 {
                ctx.moment_for_next_note(Moment::LeaseTakeover);
            }
            ctx.note(
                NoteKind::Leader,
                format!(
                    "n{me} acquires the lease (leaseTransitions {}, revision {revision}) and leads with token {}; it renews every retryPeriod and stops leading if it cannot renew within renewDeadline {}",
                    lease.transitions,
                    lease.token,
                    Rounded(renew_deadline)
                ),
            );
            self.arm_retry(ctx);
        }
        self.arm_deadline(ctx);
    }

    fn on_conflict(&mut self, ctx: &mut Ctx, seq: u64, lease: LeaseRecord, revision: u64) {
        if self.answers(seq, false).is_none() {
            return;
        }
        self.observe(ctx, lease, revision);
        let me = self.me;
        let c = self.cand();
        if c.role == Role::Leader && lease.holder == Some(me) && lease.token == c.token {
            // An earlier renew of ours landed first: the lease is still ours.
            return;
        }
        match c.role {
            Role::Leader => {
                c.role = Role::Follower;
                ctx.note(
                    NoteKind::StepDown,
                    format!(
                        "n{me}'s renew conflicts: {} holds the lease now (revision {revision}): n{me} stops leading",
                        holder_name(&lease)
                    ),
                );
            }
            _ => {
                c.role = Role::Follower;
                ctx.note(
                    NoteKind::Info,
                    format!(
                        "n{me}'s acquire conflicts: {} (revision {revision})",
                        match lease.holder {
                            Some(h) if h != me => format!("n{h} got there first"),
                            _ => "the record changed since it was read".to_string(),
                        }
                    ),
                );
            }
        }
        self.arm_deadline(ctx);
    }

    /// The follower's lease ran out by its clock, the leader's renewDeadline came
    /// (the step already made it stop leading), or the timer was forced: try now.
    fn on_deadline(&mut self, ctx: &mut Ctx) {
        self.try_acquire_or_renew(ctx);
    }

    fn on_client_write(&mut self, ctx: &mut Ctx, value: u64) {
        let me = self.me;
        let c = self.cand();
        let text = match (c.role, c.observed.and_then(|(l, _)| l.holder)) {
            (Role::Leader, _) => format!(
                "n{me} holds the lease and takes write #{value}; a lease only elects, it replicates nothing"
            ),
            (_, Some(h)) => {
                format!("n{me} does not hold the lease: write #{value} belongs at n{h}")
            }
            _ => format!("n{me} knows no holder yet, so write #{value} is refused"),
        };
        ctx.note(NoteKind::Info, text);
    }

    fn candidate_view(&self, c: &CandidateState) -> NodeView {
        let observed = c.observed;
        let holder = observed.and_then(|(l, _)| l.holder);
        let client = self.cfg.expiry == LeaseExpiry::Client;
        let mut fields = Vec::new();
        let caption = match (c.role, observed) {
            (Role::Leader, _) => format!(
                "mine · renew by {}",
                Rounded(c.renewed_at + self.cfg.renew_deadline)
            ),
            (_, Some((l, _))) if l.holder.is_some() && client => format!(
                "{} · expires {}",
                holder_name(&l),
                Rounded(c.observed_at + l.lease_duration)
            ),
            (_, Some((l, _))) => holder_name(&l),
            (_, None) => "not read yet".to_string(),
        };
        fields.push(("lease".to_string(), caption));
        fields.push((
            "local clock".to_string(),
            format!("{} at its last step", Rounded(c.last_now)),
        ));
        if let Some((l, r)) = observed {
            fields.push((
                "observed".to_string(),
                format!("revision {r} at {}", Rounded(c.observed_at)),
            ));
            fields.push(("leaseTransitions".to_string(), l.transitions.to_string()));
        }
        NodeView {
            role: c.role.name().into(),
            is_leader: c.role == Role::Leader,
            term: c.token,
            voted_for: None,
            leader: if c.role == Role::Leader {
                Some(self.me)
            } else {
                holder
            },
            log: Vec::new(),
            commit_index: 0,
            fields,
        }
    }

    fn service_view(&self, s: &ServiceState) -> NodeView {
        let l = &s.lease;
        let mut fields = vec![
            ("holder".to_string(), holder_name(l)),
            (
                "leaseDuration".to_string(),
                Rounded(l.lease_duration).to_string(),
            ),
        ];
        if l.holder.is_some() {
            fields.push((
                "acquireTime".to_string(),
                Rounded(l.acquire_time).to_string(),
            ));
            fields.push(("renewTime".to_string(), Rounded(l.renew_time).to_string()));
            fields.push(("token".to_string(), l.token.to_string()));
        }
        fields.push(("leaseTransitions".to_string(), l.transitions.to_string()));
        fields.push(("revision".to_string(), s.revision.to_string()));
        fields.push(("expiry".to_string(), self.cfg.expiry.name().to_string()));
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

impl Algorithm for Lease {
    type Msg = LeaseMsg;
    type Timer = LeaseTimer;
    type Persistent = LeaseDisk;
    type Config = LeaseConfig;
    type Monitor = LeaseMonitor;

    const SERVICE: Option<&'static str> = Some("lease-api");
    /// Two leaders with one token would mean the service granted one revision twice.
    const ONE_LEADER_PER_TERM: bool = true;

    fn boot(me: NodeId, cluster_size: usize, config: &LeaseConfig) -> Self {
        let disk = if me as usize > cluster_size {
            LeaseDisk::Service {
                lease: LeaseRecord {
                    lease_duration: config.lease_duration,
                    ..LeaseRecord::default()
                },
                revision: 0,
            }
        } else {
            LeaseDisk::Candidate
        };
        Lease::recover(me, cluster_size, config, &disk)
    }

    fn recover(me: NodeId, cluster_size: usize, config: &LeaseConfig, disk: &LeaseDisk) -> Self {
        // The disk says which node this is: the kernel's restart passes the number of
        // all nodes, service included, as `cluster_size`, so `me > cluster_size` only
        // tells the service apart at first boot.
        let node = match disk {
            LeaseDisk::Service { lease, revision } => {
                let revision = if config.bugs.forget_revision_on_restart {
                    0
                } else {
                    *revision
                };
                Node::Service(ServiceState {
                    lease: *lease,
                    revision,
                    written_at: 0,
                    just_granted: None,
                    expired_holder: None,
                })
            }
            // A service with a candidate's disk (cannot happen) starts empty.
            _ if me as usize > cluster_size => Node::Service(ServiceState::default()),
            _ => Node::Candidate(CandidateState {
                role: Role::Follower,
                observed: None,
                observed_at: 0,
                token: 0,
                renewed_at: 0,
                last_now: 0,
                next_seq: 0,
                pending: None,
            }),
        };
        Lease {
            me,
            cfg: config.clone(),
            node,
        }
    }

    fn persistent(&self) -> LeaseDisk {
        match &self.node {
            Node::Service(s) => LeaseDisk::Service {
                lease: s.lease,
                revision: s.revision,
            },
            Node::Candidate(_) => LeaseDisk::Candidate,
        }
    }

    fn step(&mut self, ctx: &mut Ctx, input: Input<LeaseMsg, LeaseTimer>) {
        if let Node::Service(s) = &mut self.node {
            s.just_granted = None;
            match input {
                Input::Start { .. } => {
                    // The expiry clock restarts with the service (etcd does the same
                    // for its leases when it comes back), so a holder gets a full term.
                    s.written_at = ctx.now;
                    if self.cfg.expiry == LeaseExpiry::Server && s.lease.holder.is_some() {
                        ctx.set_timer(LeaseTimer::Expire, s.lease.lease_duration.max(1));
                    }
                }
                Input::Message { from, msg } => {
                    if from >= 1 && ctx.cluster.contains(&from) {
                        self.serve(ctx, from, msg);
                    }
                }
                Input::Timer(LeaseTimer::Expire) => self.service_expire(ctx),
                Input::Timer(_) => {}
                Input::ClientWrite { value } => ctx.note(
                    NoteKind::Info,
                    format!("the lease service stores only the lease; write #{value} belongs at the holder"),
                ),
            }
            return;
        }
        self.cand().last_now = ctx.now;
        // Whatever woke it, a leader first looks at its clock: after a pause this is
        // the moment it finds out that its renewDeadline passed long ago.
        if self.check_renew_deadline(ctx) {
            self.arm_deadline(ctx);
        }
        match input {
            Input::Start { .. } => {
                // client-go tries at once, then every retryPeriod.
                self.try_acquire_or_renew(ctx);
            }
            Input::Timer(LeaseTimer::Retry) => self.try_acquire_or_renew(ctx),
            Input::Timer(LeaseTimer::Deadline) => self.on_deadline(ctx),
            Input::Timer(LeaseTimer::Expire) => {}
            Input::ClientWrite { value } => self.on_client_write(ctx, value),
            Input::Message { from, msg } => {
                if Some(from) != ctx.service {
                    return; // candidates talk only to the service
                }
                match msg {
                    LeaseMsg::Record {
                        seq,
                        lease,
                        revision,
                    } => self.on_record(ctx, seq, lease, revision),
                    LeaseMsg::Granted {
                        seq,
                        lease,
                        revision,
                    } => self.on_granted(ctx, seq, lease, revision),
                    LeaseMsg::Conflict {
                        seq,
                        lease,
                        revision,
                    } => self.on_conflict(ctx, seq, lease, revision),
                    LeaseMsg::Get { .. } | LeaseMsg::Acquire { .. } | LeaseMsg::Renew { .. } => {}
                }
            }
        }
    }

    fn view(&self) -> NodeView {
        match &self.node {
            Node::Service(s) => self.service_view(s),
            Node::Candidate(c) => self.candidate_view(c),
        }
    }

    fn leadership(&self) -> Option<u64> {
        match &self.node {
            Node::Candidate(c) if c.role == Role::Leader => Some(c.token),
            _ => None,
        }
    }

    fn election_timer() -> Option<LeaseTimer> {
        Some(LeaseTimer::Deadline)
    }

    fn term_label(term: u64) -> String {
        format!("lease #{term}")
    }
}
