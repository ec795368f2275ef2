//! The future-event list: what an event does ([`Kind`]), the event record, and the heap that orders
//! events by time, then by insertion.

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    /// Component `target` fails.
    Fail,
    /// Component `target`'s repair ends.
    RepairDone,
    /// A technician reached component `target`: its repair starts.
    Dispatched,
    /// A window of schedule `target` opens.
    Window,
    /// Node `target` leaves a non-rolling window of schedule `aux`.
    WindowEnd,
    /// The node being patched by rolling schedule `target` is done.
    RollNext,
    /// The timer of role machine `target` fires (valid while its generation is `aux`).
    RoleTimer,
    /// Role machine `target` crashes (valid while its generation is `aux`).
    RoleCrash,
    /// Cluster `target` adjusts its votes under dynamic quorum (valid while its generation is `aux`).
    QuorumTimer,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::Fail,
        Kind::RepairDone,
        Kind::Dispatched,
        Kind::Window,
        Kind::WindowEnd,
        Kind::RollNext,
        Kind::RoleTimer,
        Kind::RoleCrash,
        Kind::QuorumTimer,
    ];
}

/// A scheduled event (24 bytes), ordered by time, then by insertion sequence.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    /// `f64::to_bits` of a non-negative time: orders like the time itself.
    pub(super) time: u64,
    /// Insertion sequence number shifted left by 8, with the [`Kind`] in the low byte: unique and
    /// increasing, so it breaks ties in insertion order.
    pub(super) seq_kind: u64,
    pub(super) target: u32,
    pub(super) aux: u32,
}

impl Event {
    #[inline]
    pub(super) fn kind(&self) -> Kind {
        Kind::ALL[(self.seq_kind & 0xff) as usize]
    }
}

impl Event {
    /// Sort key: time first, then insertion order.
    #[inline]
    pub(super) fn key(&self) -> u128 {
        ((self.time as u128) << 64) | self.seq_kind as u128
    }
}

/// The future-event list: a 4-ary min-heap on [`Event::key`]. Shallower than a binary heap, so a pop
/// touches fewer cache lines; pops dominate the engine's time.
#[derive(Debug, Default)]
pub(super) struct EventQueue {
    pub(super) v: Vec<Event>,
}

impl EventQueue {
    pub(super) fn with_capacity(n: usize) -> Self {
        EventQueue {
            v: Vec::with_capacity(n),
        }
    }

    pub(super) fn clear(&mut self) {
        self.v.clear();
    }

    #[inline]
    pub(super) fn push(&mut self, e: Event) {
        let key = e.key();
        let mut i = self.v.len();
        self.v.push(e);
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.v[parent].key() <= key {
                break;
            }
            self.v[i] = self.v[parent];
            i = parent;
        }
        self.v[i] = e;
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Event> {
        let last = self.v.pop()?;
        if self.v.is_empty() {
            return Some(last);
        }
        let top = self.v[0];
        let n = self.v.len();
        let key = last.key();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let end = (first + 4).min(n);
            let mut best = first;
            let mut best_key = self.v[first].key();
            for c in first + 1..end {
                let k = self.v[c].key();
                if k < best_key {
                    best = c;
                    best_key = k;
                }
            }
            if key <= best_key {
                break;
            }
            self.v[i] = self.v[best];
            i = best;
        }
        self.v[i] = last;
        Some(top)
    }
}
