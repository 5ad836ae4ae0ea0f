//! The simulation kernel and its vocabulary. Nothing in here knows any algorithm.

pub mod action;
pub mod algorithm;
mod defences;
pub mod erased;
mod faults;
pub mod guard;
pub mod kernel;
pub mod moment;
mod narration;
pub mod network;
mod queue;
pub mod rng;
pub mod storage;
pub mod time;
pub mod timeline;
pub mod trace;
pub mod vecmap;
mod watch;
mod world;

pub use action::{Action, Target};
pub use algorithm::{
    Algorithm, Context, Effect, Finding, Headline, Input, LogEntryView, Message, Monitor, MsgClass,
    NodeId, NodeSlotRef, NodeView, NoteKind, RoleCategory, Severity, Timer,
};
pub use guard::{Budget, Halt};
pub use kernel::{
    ClusterView, KernelConfig, NodeState, NodeStatus, Simulation, Stats, TimedFinding,
};
pub use moment::{Moment, MomentMark};
pub use storage::{Defences, StorageMode, StorageView};
pub use time::{Human, MS, Micros, SEC};
pub use timeline::{Branch, RecordedAction, Timeline};
pub use trace::{EventKind, Fact, MsgRecord, TraceEvent};
pub use vecmap::{VecMap, VecSet};
