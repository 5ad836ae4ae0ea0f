//! ElectionScope: deterministic simulations of leader-election algorithms.
//!
//! Data flows one way: engines ([`algo`]) run on the kernel ([`sim`]), which emits a
//! trace and a [`sim::ClusterView`]; the CLI and the web UI only read those.

pub mod algo;
pub mod compare;
pub mod config;
pub mod diagram_svg;
pub mod experiment;
pub mod fit;
pub mod frame;
pub mod lab;
pub mod lesson;
pub mod link;
pub mod plot;
pub mod run;
pub mod scenario;
pub mod settings;
pub mod sim;
pub mod split_brain;
pub mod table;
pub mod trace_file;
pub mod viewmodel;

/// A fresh seed for runs where the user gave none (the only use of OS randomness).
pub fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes) % 1_000_000,
        Err(_) => 1,
    }
}
