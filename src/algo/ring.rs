//! Where node ids sit on a ring, shared by the ring elections (Chang-Roberts,
//! Hirschberg-Sinclair) and by the UI, which draws nodes in ring order. Message counts
//! of ring elections depend on this arrangement, so it is a setting, not an accident.

use crate::settings::{Choice, Setting, SettingKind, Settings, Setup, Value};
use crate::sim::NodeId;
use crate::sim::rng::{SimRng, Stream};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RingArrangement {
    /// Ids increase along the direction messages travel: n1 → n2 → … → nN → n1.
    /// Chang-Roberts' best case when everyone starts at once (2N-1 election messages).
    #[default]
    Ascending,
    /// Ids decrease along the direction of travel: nN → … → n1 → nN. Chang-Roberts'
    /// worst case: N(N+1)/2 election messages.
    Descending,
    /// A seeded shuffle: the average case, about N·H(N) messages.
    Random,
}

impl RingArrangement {
    pub const ALL: &'static [RingArrangement] = &[
        RingArrangement::Ascending,
        RingArrangement::Descending,
        RingArrangement::Random,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RingArrangement::Ascending => "ascending",
            RingArrangement::Descending => "descending",
            RingArrangement::Random => "random",
        }
    }

    pub fn parse(text: &str) -> Result<RingArrangement, String> {
        let t = text.trim().to_ascii_lowercase();
        RingArrangement::ALL
            .iter()
            .copied()
            .find(|a| a.name() == t)
            .ok_or_else(|| format!("'{text}' is not ascending, descending or random"))
    }
}

impl fmt::Display for RingArrangement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The ids in ring order: element `k`'s clockwise successor is element `k + 1`
/// (wrapping). `Random` draws from its own seeded stream so that it never shifts the
/// draws of nodes or the network.
pub fn ring_order(arrangement: RingArrangement, nodes: u32, seed: u64) -> Vec<NodeId> {
    let mut ids: Vec<NodeId> = (1..=nodes).collect();
    match arrangement {
        RingArrangement::Ascending => {}
        RingArrangement::Descending => ids.reverse(),
        RingArrangement::Random => {
            let mut rng = SimRng::new(seed, Stream::Layout);
            for i in (1..ids.len()).rev() {
                let j = rng.range(0, i as u64) as usize;
                ids.swap(i, j);
            }
        }
    }
    ids
}

/// What the legend says of both ring elections' drawing.
pub const LEGEND: &str = "Ring algorithms draw the ring's links with arrows in the direction messages travel; a node's caption is the highest id it has seen.";

/// Where ids sit around the ring: a setting of both ring elections.
pub const RING_ORDER: Setting = Setting {
    key: "ring-order",
    label: "Ids around the ring",
    about: "where ids sit around the ring: ascending (best case), descending (worst case) or a seeded shuffle",
    default: Value::Choice("ascending"),
    kind: SettingKind::Choice(&[
        Choice {
            name: "ascending",
            label: "ascending",
            aliases: &[],
        },
        Choice {
            name: "descending",
            label: "descending",
            aliases: &[],
        },
        Choice {
            name: "random",
            label: "random",
            aliases: &[],
        },
    ]),
};

/// The arrangement a run's settings choose.
pub fn arrangement(settings: &Settings) -> RingArrangement {
    RingArrangement::parse(settings.choice(&RING_ORDER)).unwrap_or_default()
}

/// The ids in ring order for a run: what the ring engines and the drawing use.
pub fn order_for(setup: &Setup<'_>) -> Vec<NodeId> {
    ring_order(arrangement(setup.settings), setup.nodes, setup.seed)
}

/// Clockwise successor of `me` in `order`.
pub fn successor(order: &[NodeId], me: NodeId) -> NodeId {
    if order.is_empty() {
        return me;
    }
    let k = order.iter().position(|&n| n == me).unwrap_or(0);
    order[(k + 1) % order.len()]
}

/// Counter-clockwise neighbour of `me` in `order`.
pub fn predecessor(order: &[NodeId], me: NodeId) -> NodeId {
    if order.is_empty() {
        return me;
    }
    let k = order.iter().position(|&n| n == me).unwrap_or(0);
    order[(k + order.len() - 1) % order.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrangements_are_permutations_and_random_is_seeded() {
        for a in RingArrangement::ALL {
            let mut o = ring_order(*a, 9, 3);
            o.sort();
            assert_eq!(o, (1..=9).collect::<Vec<_>>(), "{a}");
        }
        assert_eq!(ring_order(RingArrangement::Descending, 4, 0), [4, 3, 2, 1]);
        assert_eq!(
            ring_order(RingArrangement::Random, 12, 5),
            ring_order(RingArrangement::Random, 12, 5)
        );
        assert_ne!(
            ring_order(RingArrangement::Random, 12, 5),
            ring_order(RingArrangement::Random, 12, 6)
        );
    }

    #[test]
    fn neighbours_wrap_around() {
        let o = [3, 1, 2];
        assert_eq!(successor(&o, 2), 3);
        assert_eq!(predecessor(&o, 3), 2);
        assert_eq!(successor(&o, 3), 1);
    }
}
