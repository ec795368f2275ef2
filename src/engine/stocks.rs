//! Spare-part stocks: a repair that needs a part takes one from its stock's shelf, or waits in the
//! stock's line (first come, first served) until a reordered part arrives; every part asked for is
//! reordered at once and arrives after its own lead time (the (s−1, s) base-stock policy: parts on
//! the shelf plus on order, less those owed, stay at s). A part taken is then
//! shipped to the node (when the stock has a `ship` time) before the repair, or its crew's queue,
//! starts. Nothing here runs for a model without stocks.

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::components::Clock;
use crate::engine::queue::Kind;
use crate::engine::trace::Recorder;

/// Per-replication figures of a spare-part stock.
#[derive(Debug, Clone, Copy, Default)]
pub struct StockStats {
    /// Parts asked for (failures of nodes that name the stock).
    pub demands: u32,
    /// Demands that found the shelf empty (stock-outs).
    pub stockouts: u32,
    /// Parts handed out.
    pub supplied: u32,
    /// Hours waited for a part, from the failure until the part was taken, summed over parts handed out.
    pub waited: Hours,
    /// Node-hours down waiting for a part within the mission, waits still open at its end included.
    pub waiting: Hours,
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Per stock: its figures this replication.
    pub fn stock_stats(&self) -> &[StockStats] {
        &self.stock_stats
    }

    /// Component `c` failed and its repair needs a part: one is reordered at once, and it takes one
    /// from the shelf, or joins the stock's line.
    pub(super) fn need_part(&mut self, s: usize, c: usize, t: Hours) {
        let lead = self.model.stocks[s].lead.sample(&mut self.stock_streams[s]);
        self.order_seq = self.order_seq.wrapping_add(1);
        let id = self.order_seq;
        self.stock_orders[s].push((id, t));
        self.push(t + lead, Kind::PartArrives, s as u32, id);
        self.stock_stats[s].demands += 1;
        if self.stock_on_hand[s] > 0 {
            self.stock_on_hand[s] -= 1;
            self.take_part(s, c, t);
        } else {
            self.stock_stats[s].stockouts += 1;
            self.comps[c].clock = (Clock::Part, t);
            self.stock_line[s].push_back(c as u32);
        }
    }

    /// Component `c` has a part of stock `s`: it is shipped, or the repair starts.
    fn take_part(&mut self, s: usize, c: usize, t: Hours) {
        let st = &mut self.stock_stats[s];
        let w = t - self.down_since[c];
        st.supplied += 1;
        st.waited += w;
        st.waiting += w;
        match &self.model.stocks[s].ship {
            Some(d) => {
                let d = d.sample(&mut self.stock_streams[s]);
                self.comps[c].clock = (Clock::Ship, t);
                self.push(t + d, Kind::Shipped, c as u32, 0);
            }
            None => {
                if self.comps[c].clock.0 == Clock::Part {
                    // The wait for the part ends: the stretch it caused closes.
                    self.attr_mark(c, t);
                }
                self.start_repair(c, t)
            }
        }
    }

    /// Component `c`'s part has reached it at `t`: its repair can start.
    pub(super) fn part_shipped(&mut self, c: usize, t: Hours) {
        self.attr_mark(c, t);
        self.start_repair(c, t);
    }

    /// Reorder `id` of stock `s` arrives: the first node in line takes it, or it goes on the shelf.
    pub(super) fn part_arrives(&mut self, s: usize, id: u32, t: Hours) {
        let orders = &mut self.stock_orders[s];
        if let Some(i) = orders.iter().position(|o| o.0 == id) {
            orders.remove(i);
        }
        match self.stock_line[s].pop_front() {
            Some(c) => self.take_part(s, c as usize, t),
            None => self.stock_on_hand[s] += 1,
        }
    }

    /// Whether component `c` waits for its part, or for its shipment.
    pub(super) fn awaiting_part(&self, c: usize) -> bool {
        matches!(self.comps[c].clock.0, Clock::Part | Clock::Ship)
    }

    /// At the mission end: nodes still waiting for a part waited until then.
    pub(super) fn close_stocks(&mut self) {
        let t = self.mission;
        for s in 0..self.stock_line.len() {
            for &c in &self.stock_line[s] {
                self.stock_stats[s].waiting += t - self.down_since[c as usize];
            }
        }
    }

    /// A copied mission at `t` ([`Engine::diverge`]): every outstanding reorder's lead time is drawn
    /// again given how long it has run (shipments are components' clocks, redrawn with them).
    pub(super) fn diverge_stocks(&mut self, t: Hours) {
        let model = self.model;
        for s in 0..self.stock_orders.len() {
            for i in 0..self.stock_orders[s].len() {
                let (id, since) = self.stock_orders[s][i];
                let r = model.stocks[s]
                    .lead
                    .residual(t - since, &mut self.stock_streams[s]);
                self.push(t + r, Kind::PartArrives, s as u32, id);
            }
        }
    }
}
