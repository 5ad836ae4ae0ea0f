//! Who can reach whom, how long it takes, and how often messages vanish.

use super::algorithm::NodeId;
use super::time::Micros;
use crate::sim::VecSet;

#[derive(Clone, Debug)]
pub struct Network {
    /// Group number per node (index = id - 1); `None` means fully connected.
    groups: Option<Vec<u32>>,
    /// One-way cuts: (from, to) pairs whose messages are lost.
    cuts: VecSet<(NodeId, NodeId)>,
    pub drop_ppm: u32,
    pub latency: (Micros, Micros),
}

impl Network {
    pub fn new(latency: (Micros, Micros), drop_ppm: u32) -> Self {
        Network {
            groups: None,
            cuts: VecSet::new(),
            drop_ppm,
            latency,
        }
    }

    pub fn connected(&self, from: NodeId, to: NodeId) -> bool {
        if self.cuts.contains(&(from, to)) {
            return false;
        }
        match &self.groups {
            None => true,
            Some(g) => g[from as usize - 1] == g[to as usize - 1],
        }
    }

    /// `groups` must name only valid, distinct nodes. Nodes left out join the last
    /// group, so `n1,n2 | n3,n4,n5` still splits 2 against the rest in a bigger cluster;
    /// a single group (`partition n1,n2`) stands against everyone else.
    pub fn partition(&mut self, cluster_size: usize, groups: &[Vec<NodeId>]) {
        let rest = if groups.len() >= 2 {
            groups.len() as u32 - 1
        } else {
            groups.len() as u32
        };
        let mut assignment = vec![rest; cluster_size];
        for (g, members) in groups.iter().enumerate() {
            for &n in members {
                assignment[n as usize - 1] = g as u32;
            }
        }
        self.groups = Some(assignment);
    }

    pub fn heal(&mut self) {
        self.groups = None;
        self.cuts.clear();
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.cuts.insert((from, to));
    }

    pub fn uncut(&mut self, from: NodeId, to: NodeId) {
        self.cuts.remove(&(from, to));
    }

    /// The current groups, each sorted, ordered by their smallest member.
    pub fn groups(&self) -> Option<Vec<Vec<NodeId>>> {
        let g = self.groups.as_ref()?;
        let mut by_group: crate::sim::VecMap<u32, Vec<NodeId>> = Default::default();
        for (i, &grp) in g.iter().enumerate() {
            by_group.entry(grp).or_default().push(i as NodeId + 1);
        }
        let mut out: Vec<Vec<NodeId>> = by_group.into_values().collect();
        out.sort();
        Some(out)
    }

    pub fn cuts(&self) -> Vec<(NodeId, NodeId)> {
        self.cuts.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_groups_and_leftovers() {
        let mut net = Network::new((1, 1), 0);
        assert!(net.connected(1, 5));
        net.partition(5, &[vec![1, 2]]);
        assert!(net.connected(1, 2));
        assert!(net.connected(3, 5));
        assert!(!net.connected(1, 3));
        assert!(!net.connected(4, 2));
        assert_eq!(net.groups(), Some(vec![vec![1, 2], vec![3, 4, 5]]));
        net.heal();
        assert!(net.connected(1, 3));
    }

    #[test]
    fn unlisted_nodes_join_the_last_group() {
        let mut net = Network::new((1, 1), 0);
        net.partition(9, &[vec![1, 2], vec![3, 4, 5]]);
        assert_eq!(
            net.groups(),
            Some(vec![vec![1, 2], vec![3, 4, 5, 6, 7, 8, 9]])
        );
        net.partition(6, &[vec![1], vec![2], vec![3]]);
        assert_eq!(net.groups(), Some(vec![vec![1], vec![2], vec![3, 4, 5, 6]]));
    }

    #[test]
    fn one_way_cut_is_one_way() {
        let mut net = Network::new((1, 1), 0);
        net.cut(1, 2);
        assert!(!net.connected(1, 2));
        assert!(net.connected(2, 1));
        net.uncut(1, 2);
        assert!(net.connected(1, 2));
    }
}
