//! The election algorithms. Each is a pure state machine implementing
//! [`crate::sim::Algorithm`], in its own folder with a `descriptor.rs` that tells the
//! front ends what they need to know of it; [`registry`] lists them. See
//! ARCHITECTURE.md for how to add one.

pub mod bully;
pub mod chang_roberts;
pub mod descriptor;
pub mod hirschberg_sinclair;
pub mod lease;
pub mod paxos;
pub mod raft;
pub mod registry;
pub mod ring;
pub mod timing;
pub mod zab;
pub mod zk_recipe;

pub use descriptor::{Configure, Descriptor};
pub use registry::Algo;
