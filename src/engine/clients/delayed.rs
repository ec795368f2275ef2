//! Delayed fallback (`fallback_after`): a request kind's fallback instances count only once its target
//! has had no live instance for that long (a distribution point's fallback to another boundary group).
//! The gate's opening is one more change of the instances' state, so the closed form and the probe
//! requests need nothing else.

use crate::base::units::Hours;
use crate::model::RequestKind;

use super::full;

/// Whether a request kind's fallback is open, from the instances' liveness as the engine reports it.
#[derive(Debug, Clone, Copy)]
pub(super) struct FallbackGate {
    /// How long the target must have had no live instance.
    after: Hours,
    /// The target's instances (the first `primary` bits).
    target_bits: u64,
    /// Liveness as reported, fallback instances included.
    raw: u64,
    /// Since when the target has had no live instance, if it has none.
    down_since: Option<Hours>,
    open: bool,
}

impl FallbackGate {
    /// The gate of `q`, if its fallback is delayed.
    pub(super) fn of(q: &RequestKind) -> Option<FallbackGate> {
        (q.fallback.is_some() && q.fallback_after > 0.0).then(|| FallbackGate {
            after: q.fallback_after,
            target_bits: full(q.primary),
            raw: 0,
            down_since: None,
            open: false,
        })
    }

    /// Starts a replication whose instances are `raw` at time 0.
    pub(super) fn reset(&mut self, raw: u64) {
        self.raw = raw;
        self.down_since = (raw & self.target_bits == 0).then_some(0.0);
        self.open = false;
    }

    /// When the gate opens, if it is due to open at or before `t` and has not yet.
    pub(super) fn due(&self, t: Hours) -> Option<Hours> {
        match self.down_since {
            Some(t0) if !self.open && t0 + self.after <= t => Some(t0 + self.after),
            _ => None,
        }
    }

    /// Opens the gate (at the time [`due`](Self::due) gave).
    pub(super) fn open(&mut self) {
        self.open = true;
    }

    /// The instances are `raw` from `t` on: the target's outage starts or ends.
    pub(super) fn set(&mut self, t: Hours, raw: u64) {
        self.raw = raw;
        if raw & self.target_bits != 0 {
            self.down_since = None;
            self.open = false;
        } else if self.down_since.is_none() {
            self.down_since = Some(t);
        }
    }

    /// The liveness requests see: the fallback's instances only while the gate is open.
    pub(super) fn mask(&self) -> u64 {
        if self.open {
            self.raw
        } else {
            self.raw & self.target_bits
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FallbackGate;

    #[test]
    fn the_fallback_opens_after_the_target_has_been_down_that_long() {
        // target: bit 0; fallback: bit 1.
        let mut g = FallbackGate {
            after: 2.0,
            target_bits: 1,
            raw: 0,
            down_since: None,
            open: false,
        };
        g.reset(0b11);
        assert_eq!(g.mask(), 0b11 & 1);
        g.set(10.0, 0b10);
        assert_eq!(g.mask(), 0, "closed at first");
        assert_eq!(g.due(11.0), None);
        assert_eq!(g.due(12.5), Some(12.0));
        g.open();
        assert_eq!(g.mask(), 0b10);
        assert_eq!(g.due(20.0), None, "opens once");
        // The fallback's own change keeps the outage's clock.
        g.set(13.0, 0b00);
        assert_eq!(g.mask(), 0);
        g.set(14.0, 0b10);
        assert_eq!(g.mask(), 0b10);
        // The target returns: closed again, and a new outage starts its own clock.
        g.set(15.0, 0b11);
        assert_eq!(g.mask(), 0b01);
        g.set(16.0, 0b10);
        assert_eq!(g.due(17.9), None);
        assert_eq!(g.due(18.0), Some(18.0));
    }
}
