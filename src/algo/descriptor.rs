//! What every front end knows of an algorithm, declared once in the algorithm's own
//! folder (`descriptor.rs`) and listed in [`super::registry`]. Nothing outside the
//! registry and the algorithm's folder asks which algorithm a run uses: front ends
//! read these fields instead.

use crate::settings::{Setting, Setup};
use crate::sim::erased::{self, AnySimulation};
use crate::sim::{Action, Algorithm, KernelConfig, Micros, MsgClass, NodeId, RoleCategory};

/// How an algorithm builds its typed config from the run's settings.
pub trait Configure: Algorithm {
    fn configure(setup: &Setup<'_>) -> Self::Config;
}

/// Which way ring messages travel, for drawing the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingKind {
    Unidirectional,
    Bidirectional,
}

/// A ring algorithm's drawing: the direction of travel and where ids sit.
#[derive(Debug)]
pub struct Ring {
    pub kind: RingKind,
    /// The ids in ring order for a run's settings.
    pub order: fn(&Setup<'_>) -> Vec<NodeId>,
}

/// A built-in scenario: a name for menus and URLs, a title, and its text.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// A row of the split-brain lab: a built-in scenario and what it shows, in a few words.
#[derive(Debug)]
pub struct SplitBrainCase {
    pub scenario: &'static str,
    pub shows: &'static str,
}

/// Two or more nodes believe they lead: what the monitor banner's explanation needs.
pub struct SplitBrain<'a> {
    /// The algorithm's title, as the explanation names it.
    pub title: &'static str,
    /// Names of the leaders whose leadership number is below the newest.
    pub stale: &'a [String],
    /// The newest leadership, as people read it (`term 5`).
    pub newest: String,
}

impl SplitBrain<'_> {
    /// `n2 is` or `n2, n3 are`, with the pronouns that go with them.
    pub fn grammar(&self) -> Grammar {
        if self.stale.len() == 1 {
            Grammar {
                it: "it",
                is: "is",
                its: "its",
                s: "s",
            }
        } else {
            Grammar {
                it: "they",
                is: "are",
                its: "their",
                s: "",
            }
        }
    }

    pub fn stale_names(&self) -> String {
        self.stale.join(", ")
    }
}

pub struct Grammar {
    pub it: &'static str,
    pub is: &'static str,
    pub its: &'static str,
    /// A verb's ending after `it`: `trusts` / `they trust`.
    pub s: &'static str,
}

/// The explanation most quorum algorithms give: the stale leader cannot commit.
pub fn explain_majority_moved_on(split: &SplitBrain<'_>) -> String {
    if split.stale.is_empty() {
        return String::new();
    }
    let g = split.grammar();
    format!(
        "; {} {} stale: a majority has moved on to {}, so {} cannot commit anything",
        split.stale_names(),
        g.is,
        split.newest,
        g.it
    )
}

/// The explanation of an algorithm without a quorum: two leaders are expected.
pub fn explain_no_quorum(split: &SplitBrain<'_>) -> String {
    format!(
        "; {} has no quorum, so each side of a partition (or a node that missed the \
         announcement) crowns its own leader: expected for this algorithm, and exactly \
         why real systems add quorums or fencing",
        split.title
    )
}

/// Actions queued at instants: a scenario's steps.
pub type Steps<'a> = &'a [(Micros, Action)];
pub type BuildSimulation = fn(KernelConfig, &Setup<'_>, Steps<'_>) -> Box<dyn AnySimulation>;

/// What an algorithm is, for every front end.
pub struct Descriptor {
    /// As written in links and on the command line.
    pub name: &'static str,
    /// The name shown in the page header and the setup panel.
    pub title: &'static str,
    /// A few words after the name in lists of algorithms.
    pub aka: Option<&'static str>,
    /// What the algorithm calls its leadership number, if it has one worth showing.
    pub leadership: Option<&'static str>,
    /// A leadership number as people read it: `term 4`.
    pub term_label: fn(u64) -> String,
    /// The same number as drawn on a message dot: `4`.
    pub message_label: fn(u64) -> String,
    /// What a node's `voted_for` means: `voted`, or `promised` for a promise.
    pub vote_word: &'static str,
    /// The label of the timer whose ring drains around a node (`election`).
    pub countdown_timer: &'static str,
    /// The key moments this algorithm's engine marks itself, beyond the kernel's
    /// (`Moment::KERNEL`): the slider's markers and the lessons' stops.
    pub moments: &'static [crate::sim::Moment],
    /// The message colours this algorithm's dots use, each with what it means here:
    /// the legend lists exactly these.
    pub messages: &'static [(MsgClass, &'static str)],
    /// What the legend says about this algorithm's drawing.
    pub legend: &'static str,
    pub ring: Option<Ring>,
    /// Every role name the engine's views use, with its category: front ends colour
    /// and draw by the category.
    pub roles: &'static [(&'static str, RoleCategory)],
    /// The role whose caption (its first field) stands where a vote is drawn: a
    /// server's proposal while it looks for a leader.
    pub proposal_role: Option<&'static str>,
    /// Whether a majority must agree before someone leads: the line between
    /// algorithms that prevent split brain and those that only report it.
    pub quorum: bool,
    /// Whether two nodes leading in the same term breaks the algorithm's promise (the
    /// kernel's split-brain watch then reports a violation, not a warning).
    pub one_leader_per_term: bool,
    /// The coordination service the candidates elect through, if any.
    pub service: Option<&'static str>,
    /// The algorithm's own settings, in the order the setup panel shows them.
    pub settings: &'static [&'static Setting],
    pub scenarios: &'static [Builtin],
    pub split_brain_cases: &'static [SplitBrainCase],
    /// The banner's explanation of a split brain, after "n1 and n2 both believe they
    /// lead" (empty, or starting with `; `).
    pub explain_split: fn(&SplitBrain<'_>) -> String,
    /// Settings that work but defeat the algorithm, said aloud rather than refused.
    pub warnings: fn(&Setup<'_>) -> Vec<String>,
    /// Builds a simulation of this algorithm with a scenario's steps queued.
    pub simulation: BuildSimulation,
}

impl Descriptor {
    /// A setting of this algorithm by key.
    pub fn setting(&self, key: &str) -> Option<&'static Setting> {
        self.settings.iter().copied().find(|s| s.key == key)
    }

    /// The category of one of the engine's role names.
    pub fn category(&self, role: &str) -> RoleCategory {
        self.roles
            .iter()
            .find(|(name, _)| *name == role)
            .map_or(RoleCategory::Follower, |&(_, c)| c)
    }

    pub fn uses_setting(&self, key: &str) -> bool {
        self.setting(key).is_some()
    }
}

impl std::fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// [`Descriptor::simulation`] for any algorithm.
pub fn simulation<A: Configure>(
    kernel: KernelConfig,
    setup: &Setup<'_>,
    steps: Steps<'_>,
) -> Box<dyn AnySimulation> {
    Box::new(erased::simulation::<A>(kernel, A::configure(setup), steps))
}

/// A term shown as a plain number.
pub fn plain_number(term: u64) -> String {
    term.to_string()
}

/// The label of an algorithm without leadership numbers.
pub fn no_label(_: u64) -> String {
    String::new()
}
