//! Spare-part stocks in the chain: each stock's outstanding reorders are one slot of the state key
//! (parts on the shelf = parts − outstanding + nodes in line: every part asked for is reordered), nodes waiting for a part hold their place in the
//! stock's line, and a part being shipped is a component status. Reorders arrive independently, so
//! `o` outstanding arrive at `o` times the lead rate; the replay follows the engine's `stocks`.

use super::chain::{Chain, PART, SHIP};
use super::machines::Replay;

impl Chain<'_> {
    /// Per stock with reorders outstanding in `key`: the rate at which one arrives.
    pub(super) fn arrivals<'a>(
        &'a self,
        key: &'a [u16],
    ) -> impl Iterator<Item = (usize, f64)> + 'a {
        self.stocks.iter().enumerate().filter_map(move |(s, spec)| {
            let o = key[spec.slot];
            (o > 0).then_some((s, o as f64 * spec.lead))
        })
    }
}

impl Replay<'_, '_> {
    /// Component `c` failed, known, and its repair needs a part of stock `s`: one is reordered at
    /// once, and it takes one from the shelf (parts − outstanding + those in line), or joins the line.
    pub(super) fn need_part(&mut self, s: usize, c: usize) {
        let spec = &self.chain.stocks[s];
        let waiting = spec
            .members
            .iter()
            .filter(|&&x| (PART..SHIP).contains(&self.key[x]))
            .count() as u16;
        let on_hand = spec.parts + waiting - self.key[spec.slot];
        self.key[spec.slot] += 1;
        if on_hand > 0 {
            self.take_part(s, c);
        } else {
            self.key[c] = PART + waiting;
        }
    }

    /// Component `c` has a part of stock `s`: it is shipped, or the repair starts.
    fn take_part(&mut self, s: usize, c: usize) {
        if self.chain.stocks[s].ship.is_some() {
            self.key[c] = SHIP;
        } else {
            self.start_repair(c);
        }
    }

    /// A reorder of stock `s` arrives: the first node in line takes it, or it goes on the shelf.
    pub(super) fn part_arrives(&mut self, s: usize) {
        let spec = &self.chain.stocks[s];
        self.key[spec.slot] -= 1;
        let first = spec
            .members
            .iter()
            .copied()
            .filter(|&x| (PART..SHIP).contains(&self.key[x]))
            .min_by_key(|&x| self.key[x]);
        if let Some(c) = first {
            for &x in &spec.members {
                if (PART + 1..SHIP).contains(&self.key[x]) {
                    self.key[x] -= 1;
                }
            }
            self.take_part(s, c);
        }
    }
}
