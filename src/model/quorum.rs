//! Failover-cluster quorum (`[clusters]`): who votes, which votes are in force, and the rule that
//! moves votes under dynamic quorum. Roles of the cluster run only while it has quorum.

use crate::base::dist::Dist;

use super::{ComponentId, SignalId};

/// Most votes a cluster holds: 64 nodes and a witness, one bit each in a `u128` mask.
pub const MAX_VOTERS: usize = 65;

/// A failover cluster's quorum. Voters are bits of a mask, in order: the voting nodes as listed, then
/// the witness (if any).
#[derive(Debug, Clone)]
pub struct Quorum {
    /// Unique name (the `[clusters.NAME]` key).
    pub name: String,
    /// Every member node, in order (voting or not).
    pub nodes: Vec<ComponentId>,
    /// The voters: voting nodes in order, then the witness.
    pub voters: Vec<ComponentId>,
    /// Whether the last voter is a witness.
    pub witness: bool,
    /// Dynamic quorum: the time the cluster takes to adjust its votes to its membership. `None`:
    /// static quorum (every vote always in force).
    pub adjustment: Option<Dist>,
    /// Key of its random stream (adjustment times).
    pub stream_key: u64,
    /// Set by [`lower`](super::lower()): up while the cluster has quorum.
    pub signal: SignalId,
    /// Set by [`lower`](super::lower()), dynamic quorum only: per voter, a primitive up while its vote
    /// is in force, and one up while it is not (the engine keeps them complementary).
    pub in_force: Vec<SignalId>,
    /// See `in_force`.
    pub out_of_force: Vec<SignalId>,
}

impl Quorum {
    /// Mask of the voting nodes (every voter but the witness).
    pub fn node_mask(&self) -> u128 {
        let n = self.voters.len() - self.witness as usize;
        if n == 128 {
            u128::MAX
        } else {
            (1u128 << n) - 1
        }
    }

    /// Mask of every voter.
    pub fn all_mask(&self) -> u128 {
        (1u128 << self.voters.len()) - 1
    }

    /// Whether the votes in force `votes` give quorum when the voters in `up` are up: more than half of
    /// the votes in force are up. Also the static rule (all votes in force).
    pub fn has_quorum(votes: u128, up: u128) -> bool {
        2 * (votes & up).count_ones() > votes.count_ones()
    }

    /// The votes dynamic quorum moves to when the voters in `up` are up (and the cluster has quorum):
    /// every up voting node holds a vote; with an even number of them, the witness holds one too if it
    /// is up, and otherwise the last up node in order (the tie-breaker) gives its vote up, so the votes
    /// in force are always odd. With no voting node up, nothing changes (`current`).
    pub fn target(&self, up: u128, current: u128) -> u128 {
        let nodes = up & self.node_mask();
        if nodes == 0 {
            return current;
        }
        if !nodes.count_ones().is_multiple_of(2) {
            return nodes;
        }
        let w = self.voters.len() - 1;
        if self.witness && up & (1u128 << w) != 0 {
            nodes | (1u128 << w)
        } else {
            nodes & !(1u128 << (127 - nodes.leading_zeros()))
        }
    }

    /// Votes in force at the start of a mission (everything up): every vote when static, else the
    /// dynamic target of all up.
    pub fn initial(&self) -> u128 {
        let all = self.all_mask();
        if self.adjustment.is_some() {
            self.target(all, all)
        } else {
            all
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(nodes: usize, witness: bool) -> Quorum {
        Quorum {
            name: "c".into(),
            nodes: (0..nodes).collect(),
            voters: (0..nodes + witness as usize).collect(),
            witness,
            adjustment: Some(Dist::fixed(0.01).unwrap()),
            stream_key: 0,
            signal: 0,
            in_force: Vec::new(),
            out_of_force: Vec::new(),
        }
    }

    #[test]
    fn targets() {
        // Two nodes, no witness: the second node gives its vote up.
        assert_eq!(q(2, false).initial(), 0b01);
        // Two nodes and a witness: three votes; the witness drops out when one node is left.
        let c = q(2, true);
        assert_eq!(c.initial(), 0b111);
        assert_eq!(c.target(0b110, 0b111), 0b010);
        // The witness down with two nodes up: the tie-breaker (node 2) gives its vote up.
        assert_eq!(c.target(0b011, 0b111), 0b001);
        // Three nodes: one down leaves two, and the last of them gives its vote up.
        let c = q(3, false);
        assert_eq!(c.initial(), 0b111);
        assert_eq!(c.target(0b110, 0b111), 0b010);
        assert_eq!(c.target(0b011, 0b111), 0b001);
        assert_eq!(c.target(0, 0b010), 0b010);
        assert!(Quorum::has_quorum(0b111, 0b011));
        assert!(!Quorum::has_quorum(0b111, 0b001));
        assert!(!Quorum::has_quorum(0b01, 0b10));
    }
}
