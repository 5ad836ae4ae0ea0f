//! The one source of randomness. Every draw comes from a PCG stream derived from the
//! run's seed, so a run is a pure function of (seed, config, actions).

use rand_core::Rng;
use rand_pcg::Pcg64;

/// Which consumer a stream belongs to. Each node has its own stream, so adding a node
/// leaves the draws of the others unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Network,
    Faults,
    /// Layout choices made from the seed (e.g. a random ring arrangement).
    Layout,
    /// The lab's random fault schedules (partitions and pauses).
    Schedule,
    Node(u32),
}

impl Stream {
    fn index(self) -> u128 {
        match self {
            Stream::Network => 1,
            Stream::Faults => 2,
            Stream::Layout => 3,
            Stream::Schedule => 4,
            Stream::Node(id) => 1_000 + id as u128,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SimRng(Pcg64);

impl SimRng {
    pub fn new(seed: u64, stream: Stream) -> Self {
        // PCG streams differ by increment; the state mixes in the seed so that seed 1 and
        // seed 2 do not start at neighbouring states.
        let state = (seed as u128) << 64 | (seed ^ 0x9E37_79B9_7F4A_7C15) as u128;
        SimRng(Pcg64::new(state, stream.index()))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `lo..=hi` (Lemire's multiply-shift; bias below 2^-64 per draw).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u128 + 1;
        lo + ((self.next_u64() as u128 * span) >> 64) as u64
    }

    /// True with probability `ppm` parts per million.
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.range(0, 999_999) < ppm as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draw = |seed, s| {
            let mut r = SimRng::new(seed, s);
            (0..4).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, Stream::Node(1)), draw(7, Stream::Node(1)));
        assert_ne!(draw(7, Stream::Node(1)), draw(7, Stream::Node(2)));
        assert_ne!(draw(7, Stream::Node(1)), draw(8, Stream::Node(1)));
        // Pinned: a PRNG crate update that changed the stream would silently change
        // every shared link's run; this makes it loud instead.
        assert_eq!(
            SimRng::new(0, Stream::Network).next_u64(),
            PINNED_FIRST_DRAW
        );
    }

    const PINNED_FIRST_DRAW: u64 = 3_419_887_233_172_481_789;

    #[test]
    fn range_stays_in_bounds() {
        let mut r = SimRng::new(1, Stream::Faults);
        for _ in 0..10_000 {
            let v = r.range(150, 300);
            assert!((150..=300).contains(&v));
        }
        assert_eq!(r.range(5, 5), 5);
        assert!(!r.chance_ppm(0));
        assert!(r.chance_ppm(1_000_000));
    }
}
