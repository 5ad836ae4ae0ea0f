//! One serializable description of a run. CLI flags, the URL query and scenario `set`
//! lines all parse into this struct, through the same per-key parser.

use crate::algo::lease::{
    DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD, LeaseExpiry,
};
use crate::algo::ring::RingArrangement;
use crate::algo::zk_recipe::WatchMode;
use crate::sim::StorageMode;
use crate::sim::time::{parse_duration, parse_duration_range};
use crate::sim::{Human, MS, Micros, SEC};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_NODES: u32 = 25;
pub const MAX_DURATION: Micros = 24 * 3600 * SEC;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlgoKind {
    Raft,
    Bully,
    /// Chang-Roberts on a unidirectional ring.
    Ring,
    /// Hirschberg-Sinclair on a bidirectional ring.
    Hs,
    Paxos,
    /// Lease-based election through a lock service (Kubernetes Lease, etcd, Redis).
    Lease,
    /// ZooKeeper's fast leader election with Zab's discovery and sync.
    Zab,
    /// ZooKeeper's recipe: ephemeral sequential znodes, the lowest leads.
    ZkRecipe,
}

impl AlgoKind {
    pub const ALL: &'static [AlgoKind] = &[
        AlgoKind::Raft,
        AlgoKind::Paxos,
        AlgoKind::Zab,
        AlgoKind::ZkRecipe,
        AlgoKind::Lease,
        AlgoKind::Bully,
        AlgoKind::Ring,
        AlgoKind::Hs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AlgoKind::Raft => "raft",
            AlgoKind::Bully => "bully",
            AlgoKind::Ring => "ring",
            AlgoKind::Hs => "hs",
            AlgoKind::Paxos => "paxos",
            AlgoKind::Lease => "lease",
            AlgoKind::Zab => "zab",
            AlgoKind::ZkRecipe => "zk-recipe",
        }
    }

    pub fn parse(text: &str) -> Result<AlgoKind, String> {
        AlgoKind::ALL
            .iter()
            .copied()
            .find(|a| a.name() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = AlgoKind::ALL.iter().map(|a| a.name()).collect();
                format!("unknown algorithm '{text}' (known: {})", names.join(", "))
            })
    }
}

/// Which way ring messages travel, for drawing the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingKind {
    Unidirectional,
    Bidirectional,
}

impl AlgoKind {
    /// What the legend says about this algorithm's drawing, after the general part.
    pub fn legend_note(self) -> &'static str {
        match self {
            AlgoKind::Raft => "Numbers on messages are terms.",
            AlgoKind::Paxos => {
                "Numbers on messages are ballots (round.node); a node's caption is the ballot it promised."
            }
            AlgoKind::Zab => {
                "Numbers on messages are epochs. For ZAB the ring drains until a follower gives up on its leader and goes LOOKING. Servers are LOOKING (voting: the caption shows the proposed leader and its zxid), FOLLOWING or LEADING; the star appears only once a leader has established its epoch with a quorum."
            }
            AlgoKind::Lease => {
                "Numbers on messages are lease tokens (the revision a lease was granted at). The ring drains until the lease a node saw runs out by its own clock, or, on the leader, until its renew deadline. The box in the middle is the lock service: holder, renewTime, leaseTransitions and revision."
            }
            AlgoKind::ZkRecipe => {
                "Numbers on messages are znode sequence numbers. The box in the middle is the zk service with its znodes, watches, sessions and counters; the lowest znode's owner leads, and each other client watches its predecessor (or the leader, with the herd option)."
            }
            AlgoKind::Bully => {
                "Bully has no terms; a node's caption says whom it takes for leader."
            }
            AlgoKind::Ring | AlgoKind::Hs => {
                "Ring algorithms draw the ring's links with arrows in the direction messages travel; a node's caption is the highest id it has seen."
            }
        }
    }

    /// The name shown in the page header and the setup panel.
    pub fn title(self) -> &'static str {
        match self {
            AlgoKind::Raft => "Raft",
            AlgoKind::Bully => "Bully",
            AlgoKind::Ring => "Chang-Roberts ring",
            AlgoKind::Hs => "Hirschberg-Sinclair ring",
            AlgoKind::Paxos => "Paxos",
            AlgoKind::Lease => "Lease (Kubernetes-style)",
            AlgoKind::Zab => "ZAB (ZooKeeper)",
            AlgoKind::ZkRecipe => "ZooKeeper recipe",
        }
    }

    /// What the algorithm calls its leadership number, if it has one worth showing.
    pub fn term_word(self) -> Option<&'static str> {
        match self {
            AlgoKind::Raft => Some("term"),
            AlgoKind::Paxos => Some("ballot"),
            AlgoKind::Lease => Some("lease"),
            AlgoKind::Zab => Some("epoch"),
            AlgoKind::ZkRecipe => Some("znode"),
            AlgoKind::Bully | AlgoKind::Ring | AlgoKind::Hs => None,
        }
    }

    /// A term as people read it: `term 4`, or `ballot 3.n2` for a Paxos ballot, which
    /// engines encode as `round * 100 + node`.
    pub fn term_label(self, term: u64) -> String {
        match self.term_word() {
            Some("ballot") if term == 0 => "ballot none".into(),
            Some("ballot") => format!("ballot {}.n{}", term / 100, term % 100),
            Some("lease") => format!("lease #{term}"),
            Some("znode") => format!("znode #{term}"),
            Some(word) => format!("{word} {term}"),
            None => String::new(),
        }
    }

    /// What a node's `voted_for` means: a Raft vote, a Paxos promise, a ZAB vote.
    pub fn vote_word(self) -> &'static str {
        match self {
            AlgoKind::Paxos => "promised",
            _ => "voted",
        }
    }

    /// The label of the timer a node's ring drains for: ZAB's is the follower's sync
    /// timeout, whose expiry sends it LOOKING.
    pub fn election_timer_label(self) -> &'static str {
        match self {
            AlgoKind::Zab => "sync",
            _ => "election",
        }
    }

    pub fn ring(self) -> Option<RingKind> {
        match self {
            AlgoKind::Ring => Some(RingKind::Unidirectional),
            AlgoKind::Hs => Some(RingKind::Bidirectional),
            AlgoKind::Raft
            | AlgoKind::Bully
            | AlgoKind::Paxos
            | AlgoKind::Lease
            | AlgoKind::Zab
            | AlgoKind::ZkRecipe => None,
        }
    }

    /// Whether a majority must agree before someone leads: the line between
    /// algorithms that prevent split brain and those that only report it. A lease
    /// has no quorum of candidates: the lock service decides, and a deposed holder
    /// learns of it only by its own clock.
    pub fn uses_quorum(self) -> bool {
        match self {
            AlgoKind::Raft | AlgoKind::Paxos | AlgoKind::Zab => true,
            // ZooKeeper itself runs a quorum, but the recipe's candidates do not vote.
            AlgoKind::Bully
            | AlgoKind::Ring
            | AlgoKind::Hs
            | AlgoKind::Lease
            | AlgoKind::ZkRecipe => false,
        }
    }

    /// The algorithm's coordination service, if it runs one: node `nodes + 1`.
    pub fn service(self) -> Option<&'static str> {
        crate::with_algorithm!(self, A => <A as crate::sim::Algorithm>::SERVICE)
    }

    /// Whether the candidates elect through a coordination service, which the kernel
    /// runs as one more node (id `nodes + 1`) that scenarios may name.
    pub fn has_service(self) -> bool {
        self.service().is_some()
    }

    /// Settings that only some algorithms read, shown in the setup panel only for them.
    pub fn uses_setting(self, key: &str) -> bool {
        match key {
            "prevote" | "check-quorum" => self == AlgoKind::Raft,
            "ring-order" => self.ring().is_some(),
            "backoff" => self == AlgoKind::Paxos,
            "lease-duration" | "renew-deadline" | "retry-period" | "lease-expiry" => {
                self == AlgoKind::Lease
            }
            // Leases time out by their own three settings, not by these.
            "election-timeout" | "heartbeat" => {
                !matches!(self, AlgoKind::Lease | AlgoKind::ZkRecipe)
            }
            "finalize-wait" => self == AlgoKind::Zab,
            "session-timeout" | "watch" => self == AlgoKind::ZkRecipe,
            _ => true,
        }
    }
}

impl fmt::Display for AlgoKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConfig {
    pub algo: AlgoKind,
    pub nodes: u32,
    pub seed: u64,
    pub duration: Micros,
    pub latency: (Micros, Micros),
    /// Message loss in parts per million.
    pub drop_ppm: u32,
    pub election_timeout: (Micros, Micros),
    pub heartbeat: Micros,
    pub prevote: bool,
    pub check_quorum: bool,
    /// Where ids sit on the ring (ring elections only; the UI draws nodes in this order).
    pub ring_order: RingArrangement,
    /// Paxos: a pre-empted proposer waits a random time before retrying. Off, duelling
    /// proposers can pre-empt each other indefinitely.
    pub random_backoff: bool,
    /// Shared storage the leaders write to, with or without fencing tokens.
    pub storage: StorageMode,
    /// Power off every other node that believes it leads before a node is promoted.
    pub stonith: bool,
    /// Lease: how long a lease lasts without renewal (Kubernetes' leaseDuration).
    pub lease_duration: Micros,
    /// Lease: how long a leader leads without a successful renew (renewDeadline).
    pub renew_deadline: Micros,
    /// Lease: how often candidates retry and the leader renews (retryPeriod).
    pub retry_period: Micros,
    /// Lease: who judges expiry, each candidate by its clock or the service.
    pub lease_expiry: LeaseExpiry,
    /// ZAB: how long a server that sees a quorum agree waits for a better vote.
    pub finalize_wait: Micros,
    /// ZooKeeper recipe: how long a silent session lives on the service.
    pub session_timeout: Micros,
    /// ZooKeeper recipe: watch the predecessor (the recipe) or the leader (herd effect).
    pub watch: WatchMode,
    /// A built-in scenario's name, or scenario text.
    pub scenario: Option<String>,
    /// A deliberately broken engine (`bug=raft-echo`), for tests that prove the
    /// kernel's guard in a page. Only `bug-injection` builds know the key.
    #[cfg(feature = "bug-injection")]
    #[serde(default)]
    pub bug: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            algo: AlgoKind::Raft,
            nodes: 5,
            seed: 1,
            duration: 10 * SEC,
            latency: (5 * MS, 15 * MS),
            drop_ppm: 0,
            election_timeout: (150 * MS, 300 * MS),
            heartbeat: 50 * MS,
            prevote: false,
            check_quorum: false,
            ring_order: RingArrangement::Ascending,
            random_backoff: true,
            storage: StorageMode::Off,
            stonith: false,
            lease_duration: DEFAULT_LEASE_DURATION,
            renew_deadline: DEFAULT_RENEW_DEADLINE,
            retry_period: DEFAULT_RETRY_PERIOD,
            lease_expiry: LeaseExpiry::Client,
            finalize_wait: 200 * MS,
            session_timeout: 600 * MS,
            watch: WatchMode::Predecessor,
            scenario: None,
            #[cfg(feature = "bug-injection")]
            bug: None,
        }
    }
}

/// The keys every front end accepts, with what each expects (for error messages and
/// the CLI's help).
pub const KEYS: &[(&str, &str)] = &[
    (
        "algo",
        "raft, paxos, zab (ZooKeeper), zk-recipe (ZooKeeper's recipe), lease (Kubernetes-style lease), bully, ring (Chang-Roberts) or hs (Hirschberg-Sinclair)",
    ),
    ("nodes", "a node count from 1 to 25"),
    ("seed", "a whole number (0 to 18446744073709551615)"),
    ("duration", "a virtual time like 10s"),
    ("latency", "a delay range like 5-15ms"),
    ("drop", "a loss rate like 10% (0% to 100%)"),
    ("election-timeout", "a range like 150-300ms"),
    ("heartbeat", "an interval like 50ms"),
    ("prevote", "on or off"),
    ("check-quorum", "on or off"),
    ("ring-order", "ascending, descending or random"),
    ("backoff", "random or none"),
    (
        "storage",
        "off, unfenced or fenced (leaders write to a shared storage)",
    ),
    (
        "stonith",
        "on or off (power off the old leader before promoting a new one)",
    ),
    (
        "lease-duration",
        "lease: how long a lease lasts unrenewed, like 1.5s",
    ),
    (
        "renew-deadline",
        "lease: how long the leader leads without renewing, like 1s",
    ),
    (
        "retry-period",
        "lease: how often candidates retry and the leader renews, like 200ms",
    ),
    (
        "lease-expiry",
        "lease: client (each candidate by its own clock) or server (the service's TTL)",
    ),
    (
        "finalize-wait",
        "a wait like 200ms (zab: how long a quorum's choice waits)",
    ),
    (
        "session-timeout",
        "a duration like 600ms (zk-recipe: a silent session expires after it)",
    ),
    (
        "watch",
        "predecessor or leader (zk-recipe: what a waiting candidate watches)",
    ),
    ("scenario", "a built-in scenario name"),
];

pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        other => Err(format!("'{other}' is not on or off")),
    }
}

/// `10%`, `0.5%` or `12.5%` as parts per million.
pub fn parse_percent(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let num = t
        .strip_suffix('%')
        .ok_or_else(|| format!("'{t}' needs a % sign, e.g. 10%"))?;
    let (int_part, frac) = num.split_once('.').unwrap_or((num, ""));
    if int_part.is_empty() && frac.is_empty() || frac.len() > 4 {
        return Err(format!("'{t}' is not a percentage with at most 4 decimals"));
    }
    let whole: u32 = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse()
            .map_err(|_| format!("'{t}' is not a percentage"))?
    };
    let frac_val: u32 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<4}");
        padded
            .parse()
            .map_err(|_| format!("'{t}' is not a percentage"))?
    };
    let ppm = whole.saturating_mul(10_000).saturating_add(frac_val);
    if ppm > 1_000_000 {
        return Err(format!("'{t}' is more than 100%"));
    }
    Ok(ppm)
}

impl SimConfig {
    /// Sets one key from text. The error names what was expected.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "algo" => self.algo = AlgoKind::parse(value)?,
            "nodes" => {
                let n: u32 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("nodes: '{value}' is not a whole number"))?;
                if !(1..=MAX_NODES).contains(&n) {
                    return Err(format!("nodes: {n} is outside 1 to {MAX_NODES}"));
                }
                self.nodes = n;
            }
            "seed" => {
                self.seed = value.trim().parse().map_err(|_| {
                    format!("seed: '{value}' is not a whole number from 0 to 2^64-1")
                })?
            }
            "duration" => {
                let d = parse_duration(value).map_err(|e| format!("duration: {e}"))?;
                if d == 0 || d > MAX_DURATION {
                    return Err(format!("duration: {} is outside 1us to 24h", Human(d)));
                }
                self.duration = d;
            }
            "latency" => {
                self.latency = parse_duration_range(value).map_err(|e| format!("latency: {e}"))?;
                if self.latency.1 == 0 {
                    self.latency = (1, 1);
                }
            }
            "drop" => self.drop_ppm = parse_percent(value).map_err(|e| format!("drop: {e}"))?,
            "election-timeout" => {
                let r =
                    parse_duration_range(value).map_err(|e| format!("election-timeout: {e}"))?;
                if r.0 == 0 {
                    return Err("election-timeout: must be above zero".into());
                }
                self.election_timeout = r;
            }
            "heartbeat" => {
                let h = parse_duration(value).map_err(|e| format!("heartbeat: {e}"))?;
                if h == 0 {
                    return Err("heartbeat: must be above zero".into());
                }
                self.heartbeat = h;
            }
            "prevote" => self.prevote = parse_bool(value).map_err(|e| format!("prevote: {e}"))?,
            "check-quorum" => {
                self.check_quorum = parse_bool(value).map_err(|e| format!("check-quorum: {e}"))?
            }
            "ring-order" => {
                self.ring_order =
                    RingArrangement::parse(value).map_err(|e| format!("ring-order: {e}"))?
            }
            "backoff" => {
                self.random_backoff = match value.trim().to_ascii_lowercase().as_str() {
                    "random" | "on" => true,
                    "none" | "off" => false,
                    other => return Err(format!("backoff: '{other}' is not random or none")),
                }
            }
            "storage" => {
                self.storage = StorageMode::parse(value).map_err(|e| format!("storage: {e}"))?
            }
            "stonith" => self.stonith = parse_bool(value).map_err(|e| format!("stonith: {e}"))?,
            "lease-duration" | "renew-deadline" | "retry-period" => {
                let d = parse_duration(value).map_err(|e| format!("{key}: {e}"))?;
                if d == 0 || d > MAX_DURATION {
                    return Err(format!("{key}: {} is outside 1us to 24h", Human(d)));
                }
                match key {
                    "lease-duration" => self.lease_duration = d,
                    "renew-deadline" => self.renew_deadline = d,
                    _ => self.retry_period = d,
                }
            }
            "lease-expiry" => {
                self.lease_expiry =
                    LeaseExpiry::parse(value).map_err(|e| format!("lease-expiry: {e}"))?
            }
            "finalize-wait" => {
                self.finalize_wait =
                    parse_duration(value).map_err(|e| format!("finalize-wait: {e}"))?
            }
            "session-timeout" => {
                let t = parse_duration(value).map_err(|e| format!("session-timeout: {e}"))?;
                // Clients ping every third of it; below 3us a ping interval is zero.
                if t < 3 {
                    return Err("session-timeout: must be at least 3us".into());
                }
                self.session_timeout = t;
            }
            "watch" => self.watch = WatchMode::parse(value).map_err(|e| format!("watch: {e}"))?,
            #[cfg(feature = "bug-injection")]
            "bug" => self.bug = Some(value.trim().to_string()),
            "scenario" => {
                let v = value.trim();
                self.scenario = if v.is_empty() {
                    None
                } else {
                    Some(v.to_string())
                };
            }
            other => {
                let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "unknown setting '{other}' (known: {})",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Nodes a scenario may name: the candidates, and the coordination service after
    /// them (`n6` is zk in a five-candidate ZooKeeper recipe).
    pub fn addressable_nodes(&self) -> u32 {
        self.nodes + u32::from(self.algo.service().is_some())
    }

    /// Settings that work but defeat the algorithm, said aloud rather than refused:
    /// a teacher may want to show exactly that.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.algo == AlgoKind::Lease {
            use crate::algo::FromSimConfig;
            return crate::algo::lease::Lease::algo_config(self).problems();
        }
        if self.heartbeat >= self.election_timeout.0 {
            w.push(format!(
                "heartbeat {} is not below the election timeout {}: followers will time out between heartbeats",
                Human(self.heartbeat),
                Human(self.election_timeout.0)
            ));
        }
        if self.latency.1 * 2 >= self.election_timeout.0 {
            w.push(format!(
                "a round trip ({}) can outlast the election timeout ({}): elections may never settle",
                Human(self.latency.1 * 2),
                Human(self.election_timeout.0)
            ));
        }
        w
    }

    /// The one precedence rule for every front end: the scenario comes first wherever
    /// it was named, its `set` lines act as defaults, explicit settings override them,
    /// and finally the scenario must still fit the cluster. Each problem goes to
    /// `on_problem`: an `Err` stops here (the CLI); `Ok` carries on without the bad
    /// part (the URL: the scenario is dropped, a bad setting keeps its default).
    pub fn apply(
        &mut self,
        overrides: &[(String, String)],
        mut on_problem: impl FnMut(Problem) -> Result<(), String>,
    ) -> Result<(), String> {
        if let Some((_, spec)) = overrides.iter().rev().find(|(k, _)| k == "scenario") {
            if let Err(e) = self.set("scenario", spec) {
                on_problem(Problem::Setting(e))?;
            }
        }
        if let Some(spec) = self.scenario.clone() {
            if let Err(e) = crate::scenario::load(&spec).and_then(|sc| sc.configure(self)) {
                self.scenario = None;
                on_problem(Problem::Scenario(format!("scenario: {e}")))?;
            }
        }
        for (k, v) in overrides.iter().filter(|(k, _)| k != "scenario") {
            if let Err(e) = self.set(k, v) {
                on_problem(Problem::Setting(e))?;
            }
        }
        if let Some(e) = self.drop_unfit_scenario() {
            on_problem(Problem::Scenario(e))?;
        }
        Ok(())
    }

    /// Drops the scenario if it names a node the cluster lacks (e.g. after the node
    /// count was lowered), saying why.
    pub fn drop_unfit_scenario(&mut self) -> Option<String> {
        let spec = self.scenario.clone()?;
        let e = crate::scenario::load(&spec)
            .and_then(|sc| sc.check_nodes(self.addressable_nodes()))
            .err()?;
        self.scenario = None;
        Some(format!("scenario: {e}"))
    }

    /// Parses a URL query (`?algo=raft&nodes=5`). Bad values fall back to defaults and
    /// each produces a notice naming the key, so the page always renders.
    pub fn from_query(query: &str) -> (SimConfig, Vec<String>) {
        let mut cfg = SimConfig::default();
        let mut notices = Vec::new();
        let pairs: Vec<(String, String)> = query_pairs(query)
            .into_iter()
            .filter(|(k, _)| !FRONTEND_KEYS.contains(&k.as_str()))
            .collect();
        let lenient = cfg.apply(&pairs, |problem| {
            notices.push(match problem {
                Problem::Scenario(e) => format!("{e}; running without it"),
                Problem::Setting(e) => format!("{e}; using the default"),
            });
            Ok(())
        });
        debug_assert!(lenient.is_ok());
        (cfg, notices)
    }

    /// The query string that reproduces this configuration, listing only non-defaults
    /// plus the essentials, so shared links stay short.
    pub fn to_query(&self) -> String {
        let d = SimConfig::default();
        let mut parts = vec![
            format!("algo={}", self.algo),
            format!("nodes={}", self.nodes),
            format!("seed={}", self.seed),
            format!("duration={}", Human(self.duration)),
        ];
        if self.latency != d.latency {
            parts.push(format!(
                "latency={}-{}",
                Human(self.latency.0),
                Human(self.latency.1)
            ));
        }
        if self.drop_ppm != d.drop_ppm {
            let drop = crate::sim::action::Percent(self.drop_ppm).to_string();
            parts.push(format!("drop={}", percent_encode(&drop)));
        }
        if self.election_timeout != d.election_timeout {
            parts.push(format!(
                "election-timeout={}-{}",
                Human(self.election_timeout.0),
                Human(self.election_timeout.1)
            ));
        }
        if self.heartbeat != d.heartbeat {
            parts.push(format!("heartbeat={}", Human(self.heartbeat)));
        }
        if self.prevote {
            parts.push("prevote=on".into());
        }
        if self.check_quorum {
            parts.push("check-quorum=on".into());
        }
        if self.ring_order != d.ring_order {
            parts.push(format!("ring-order={}", self.ring_order));
        }
        if !self.random_backoff {
            parts.push("backoff=none".into());
        }
        if self.storage != d.storage {
            parts.push(format!("storage={}", self.storage.name()));
        }
        if self.stonith {
            parts.push("stonith=on".into());
        }
        for (key, value, default) in [
            ("lease-duration", self.lease_duration, d.lease_duration),
            ("renew-deadline", self.renew_deadline, d.renew_deadline),
            ("retry-period", self.retry_period, d.retry_period),
        ] {
            if value != default {
                parts.push(format!("{key}={}", Human(value)));
            }
        }
        if self.lease_expiry != d.lease_expiry {
            parts.push(format!("lease-expiry={}", self.lease_expiry.name()));
        }
        if self.finalize_wait != d.finalize_wait {
            parts.push(format!("finalize-wait={}", Human(self.finalize_wait)));
        }
        if self.session_timeout != d.session_timeout {
            parts.push(format!("session-timeout={}", Human(self.session_timeout)));
        }
        if self.watch != d.watch {
            parts.push(format!("watch={}", self.watch));
        }
        if let Some(s) = &self.scenario {
            parts.push(format!("scenario={}", percent_encode(s)));
        }
        parts.join("&")
    }
}

/// What [`SimConfig::apply`] could not use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Scenario(String),
    Setting(String),
}

/// Query keys that belong to the page (embedding, playback), not to the simulation.
pub const FRONTEND_KEYS: &[&str] = &["embed", "autoplay", "speed", "t"];

/// The decoded `key=value` pairs of a query string, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips() {
        let mut c = SimConfig::default();
        c.set("nodes", "7").unwrap();
        c.set("seed", "42").unwrap();
        c.set("prevote", "on").unwrap();
        c.set("latency", "1-2ms").unwrap();
        c.set("drop", "2.5%").unwrap();
        c.set("scenario", "leader-crash").unwrap();
        c.set("finalize-wait", "50ms").unwrap();
        assert!(c.to_query().contains("finalize-wait=50ms"));
        let (back, notices) = SimConfig::from_query(&c.to_query());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, c);
    }

    #[test]
    fn zk_recipe_settings_round_trip_and_only_it_uses_them() {
        let mut c = SimConfig::default();
        c.set("algo", "zk-recipe").unwrap();
        c.set("session-timeout", "1s").unwrap();
        c.set("watch", "leader").unwrap();
        c.set("storage", "fenced").unwrap();
        let q = c.to_query();
        assert!(
            q.contains("session-timeout=1s") && q.contains("watch=leader"),
            "{q}"
        );
        let (back, notices) = SimConfig::from_query(&q);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, c);
        assert!(c.set("session-timeout", "0ms").is_err());
        assert!(
            c.set("watch", "all")
                .unwrap_err()
                .contains("predecessor or leader")
        );
        assert!(AlgoKind::ZkRecipe.uses_setting("watch"));
        assert!(!AlgoKind::Raft.uses_setting("session-timeout"));
        assert_eq!(AlgoKind::ZkRecipe.term_label(3), "znode #3");
    }

    #[test]
    fn bad_query_values_fall_back_with_a_notice() {
        let (c, notices) = SimConfig::from_query("?algo=paxos9&nodes=99&seed=x&embed=1&bogus=3");
        assert_eq!(c.algo, AlgoKind::Raft);
        assert_eq!(c.nodes, 5);
        assert_eq!(notices.len(), 4, "{notices:?}");
        assert!(notices[0].contains("unknown algorithm 'paxos9'"));
        assert!(notices[1].contains("outside 1 to 25"));
        assert!(notices[2].contains("seed"));
        assert!(notices[3].contains("unknown setting 'bogus'"));
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("10%"), Ok(100_000));
        assert_eq!(parse_percent("0.5%"), Ok(5_000));
        assert_eq!(parse_percent("100%"), Ok(1_000_000));
        assert!(parse_percent("101%").is_err());
        assert!(parse_percent("10").is_err());
        assert!(parse_percent("%").is_err());
    }

    #[test]
    fn warns_about_self_defeating_settings() {
        let mut c = SimConfig::default();
        assert!(c.warnings().is_empty());
        c.set("heartbeat", "400ms").unwrap();
        assert_eq!(c.warnings().len(), 1);
    }
}
