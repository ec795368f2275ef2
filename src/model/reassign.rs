//! Reassignment: after a request kind's target has had no live instance for a while, an operator moves
//! a share of the population to another role (another primary site's management point); it moves back
//! a while after the target returns.

use crate::base::units::Hours;

use super::clients::RequestKind;

/// How and when a share of a population's requests move to another target.
#[derive(Debug, Clone)]
pub struct Reassign {
    /// The role the moved share's requests go to while moved.
    pub to: usize,
    /// How long the target must have had no live instance before the operator moves the clients (a
    /// fixed operator delay; with a crew, when the move joins the crew's queue).
    pub after: Hours,
    /// The crew whose technician makes the move (index into the model's crews): the move waits for
    /// one, behind the crew's repairs, then takes the crew's dispatch delay and `duration`. Without
    /// a crew the move happens at `after`.
    pub crew: Option<usize>,
    /// With a crew: how long the technician works on the move after the dispatch delay.
    pub duration: Hours,
    /// Share of the population moved, in (0, 1].
    pub share: f64,
    /// How long after the target returns the moved clients move back (0: at once).
    pub back_after: Hours,
    /// Set by [`lower`](super::lower()): the request kind as the moved clients make it (target `to`,
    /// the same fallback, timeout, attempts, response, duration; its own instances and random stream).
    pub moved: Option<Box<RequestKind>>,
}

impl Reassign {
    /// The lowered request kind of the moved clients.
    pub fn moved(&self) -> &RequestKind {
        self.moved
            .as_deref()
            .expect("lower() sets the moved request kind")
    }
}
