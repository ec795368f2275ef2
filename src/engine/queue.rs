//! The future-event list: what an event does ([`Kind`]), the event record, and the queue that orders
//! events by time, then by insertion.
//!
//! Clocks (a component's failure, part shipment, dispatch or repair, and a role's next software
//! crash: at most one pending each) live in [`Clocks`], a tournament tree with one leaf per
//! component and then one per role, where replacing or cancelling a clock is one walk from its leaf
//! to the root, so no clock is ever stale. Everything else (maintenance, inspections, role timers,
//! quorum timers: few, and timers may be left stale) lives in a 4-ary heap beside it. Both order by (time,
//! insertion sequence), a total order, so which structure holds an event never changes the order in
//! which events come out.

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
    /// Component `target`'s spare part reached it: its repair can start.
    Shipped,
    /// A role machine crashes. A clock: `target` is its leaf in the tree, the number of components
    /// plus the role's index (see [`EventQueue::role_clock`]).
    RoleCrash,
    /// A window of schedule `target` opens.
    Window,
    /// Node `target` leaves a non-rolling window of schedule `aux`.
    WindowEnd,
    /// The node being patched by rolling schedule `target` is done.
    RollNext,
    /// The timer of role machine `target` fires (valid while its generation is `aux`).
    RoleTimer,
    /// Cluster `target` adjusts its votes under dynamic quorum (valid while its generation is `aux`).
    QuorumTimer,
    /// Virtual machine `target` (flat index over host groups) finishes booting or its migration
    /// pause (valid while its generation is `aux`).
    VmBoot,
    /// A load balancer drops member `target` (flat index over balanced pools) after detection and
    /// convergence (valid while its generation is `aux`).
    Dropped,
    /// Reorder `aux` of stock `target` arrives.
    PartArrives,
    /// An inspection of schedule `target` ends.
    Inspect,
    /// Switch-over `aux` of pool `target` (index among pools with standby) ends.
    Switched,
    /// Calendar entry `target` of year `aux` begins (a phase boundary).
    Phase,
    /// A move of reassignment operator `target` falls due or is done (generation and step in `aux`).
    Reassign,
}

impl Kind {
    const ALL: [Kind; 17] = [
        Kind::Fail,
        Kind::RepairDone,
        Kind::Dispatched,
        Kind::Shipped,
        Kind::RoleCrash,
        Kind::Window,
        Kind::WindowEnd,
        Kind::RollNext,
        Kind::RoleTimer,
        Kind::QuorumTimer,
        Kind::VmBoot,
        Kind::Dropped,
        Kind::PartArrives,
        Kind::Inspect,
        Kind::Switched,
        Kind::Phase,
        Kind::Reassign,
    ];

    /// Whether the event is a clock (kept in [`Clocks`], one per component or role): the first
    /// kinds, so that the test is one comparison on the hot path (a kind's code orders nothing, the
    /// insertion sequence above it does).
    #[cfg(test)]
    fn is_clock(self) -> bool {
        is_clock_code(self as u64)
    }
}

/// Whether a kind's code (see [`Event::seq_kind`]) is a clock's (see `Kind::is_clock`): tested on
/// the raw code, since decoding the kind would cost a table lookup.
#[inline(always)]
fn is_clock_code(code: u64) -> bool {
    code <= Kind::RoleCrash as u64
}

/// The [`Event::seq_kind`] of the `seq`-th event pushed, of kind `kind`.
#[inline(always)]
pub(super) fn seq_kind(seq: u64, kind: Kind) -> u64 {
    debug_assert!(seq < MAX_SEQ, "2^35 events in one mission");
    (seq << SEQ_SHIFT) | ((kind as u64) << SLOT_BITS)
}

/// The kind's code in an [`Event::seq_kind`] or a tree key's low half.
#[inline(always)]
fn code_of(low: u64) -> u64 {
    (low >> SLOT_BITS) & ((1 << KIND_BITS) - 1)
}

/// A scheduled event (24 bytes), ordered by time, then by insertion sequence.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    /// `f64::to_bits` of a non-negative time: orders like the time itself.
    pub(super) time: u64,
    /// Insertion sequence number (unique and increasing, so it breaks ties in insertion order) and
    /// [`Kind`], as [`seq_kind`] puts them: laid out as a clock's key in the tree (less its slot), so
    /// that a clock and an other event compare as they are.
    pub(super) seq_kind: u64,
    pub(super) target: u32,
    pub(super) aux: u32,
}

impl Event {
    #[inline]
    pub(super) fn kind(&self) -> Kind {
        Kind::ALL[code_of(self.seq_kind) as usize]
    }

    /// Sort key: time first, then insertion order.
    #[inline]
    pub(super) fn key(&self) -> u128 {
        ((self.time as u128) << 64) | self.seq_kind as u128
    }
}

/// The future-event list: clocks in a tournament tree, other events in a heap.
#[derive(Debug, Clone, Default)]
pub(super) struct EventQueue {
    pub(super) heap: Heap,
    pub(super) clocks: Clocks,
    /// The number of components: role `r`'s clock is leaf `components + r`.
    components: u32,
}

impl EventQueue {
    /// A queue for `components` components' clocks, `roles` roles' and about `others` other
    /// pending events.
    pub(super) fn new(components: usize, roles: usize, others: usize) -> Self {
        EventQueue {
            heap: Heap::with_capacity(others),
            clocks: Clocks::new(components + roles),
            components: components as u32,
        }
    }

    /// Role `r`'s leaf in the tree: the `target` of its clock's events.
    #[inline]
    pub(super) fn role_clock(&self, r: usize) -> u32 {
        self.components + r as u32
    }

    /// The role whose clock is leaf `slot` (see [`EventQueue::role_clock`]).
    #[inline]
    pub(super) fn role_of(&self, slot: u32) -> usize {
        (slot - self.components) as usize
    }

    /// Empties the queue.
    pub(super) fn clear(&mut self) {
        self.heap.clear();
        self.clocks.clear();
    }

    // Always, and the heap's push apart: a component's clock is most events' one push, and as one
    // function with the heap's push it saved and restored six registers on every call.
    #[inline(always)]
    pub(super) fn push(&mut self, e: Event) {
        if is_clock_code(code_of(e.seq_kind)) {
            self.clocks
                .set(e.target as usize, Some((e.time, e.seq_kind)));
        } else {
            self.push_other(e);
        }
    }

    #[inline(never)]
    fn push_other(&mut self, e: Event) {
        self.heap.push(e);
    }

    /// What comes next: the earliest clock's key ([`ClockKey::time`] and the others read it), or
    /// [`OTHER`] when the earliest event is in the heap ([`EventQueue::pop_other`] takes it), or
    /// [`EMPTY`] when nothing is left. A clock taken out stays in the tree until
    /// [`EventQueue::settle`]: the event usually sets the same slot's next clock, and then one walk
    /// up the tree does for both.
    // A key (two registers) rather than an `Option<Event>`: with the heap's events merged into it,
    // every event's record went through the stack.
    #[inline(always)]
    pub(super) fn next(&mut self) -> u128 {
        let key = self.clocks.node[1];
        // A heap key has no slot bits, and no two events share a sequence number, so the two
        // compare by (time, insertion) as they are.
        if let Some(h) = self.heap.first()
            && h < key
        {
            return OTHER;
        }
        if key != EMPTY {
            self.clocks.taken = slot_of(key);
        }
        key
    }

    /// Takes the earliest event out of the heap (after [`EventQueue::next`] said [`OTHER`]).
    pub(super) fn pop_other(&mut self) -> Event {
        self.heap.pop().expect("the heap holds the next event")
    }

    /// Takes the earliest event out, whichever structure holds it (as [`EventQueue::next`] and
    /// [`EventQueue::pop_other`], for the tests).
    #[cfg(test)]
    fn pop(&mut self) -> Option<Event> {
        match self.next() {
            OTHER => Some(self.pop_other()),
            EMPTY => None,
            key => Some(Event {
                time: (key >> 64) as u64,
                seq_kind: key as u64 & !SLOT_MASK,
                target: slot_of(key),
                aux: 0,
            }),
        }
    }

    /// Ends an event: the clock it took out is gone unless the event set that component's clock again.
    #[inline]
    pub(super) fn settle(&mut self) {
        let slot = self.clocks.taken;
        if slot != NO_SLOT {
            self.clocks.set(slot as usize, None);
        }
    }

    /// Until [`EventQueue::end_bulk`], setting a clock sets its leaf only: at the start of a mission,
    /// every component's clock is set, and the tree is then built in one pass instead of a walk per
    /// component.
    pub(super) fn start_bulk(&mut self) {
        self.clocks.bulk = true;
    }

    /// Builds the tree over the leaves set since [`EventQueue::start_bulk`].
    pub(super) fn end_bulk(&mut self) {
        self.clocks.bulk = false;
        self.clocks.rebuild();
    }

    /// Makes this queue a copy of `other`, reusing its buffers (a snapshot allocates nothing).
    pub(super) fn copy_from(&mut self, other: &EventQueue) {
        self.heap.keys.clone_from(&other.heap.keys);
        self.heap.rest.clone_from(&other.heap.rest);
        let (a, b) = (&mut self.clocks, &other.clocks);
        a.n = b.n;
        a.node.clone_from(&b.node);
        a.taken = b.taken;
        a.bulk = b.bulk;
        self.components = other.components;
    }

    /// Removes the clock of leaf `slot`: a component's (a standby node's failure pushed past the
    /// mission end) or a role's ([`EventQueue::role_clock`]: it stopped running).
    pub(super) fn cancel_clock(&mut self, slot: usize) {
        self.clocks.set(slot, None);
    }

    /// Forgets every clock, keeping the other events (a copied mission redraws them).
    pub(super) fn clear_clocks(&mut self) {
        self.clocks.clear();
    }
}

/// No component: the tree's `taken` when no clock is out.
const NO_SLOT: u32 = u32::MAX;
/// An empty leaf: after every clock; from [`EventQueue::next`], nothing is left.
pub(super) const EMPTY: u128 = u128::MAX;
/// From [`EventQueue::next`]: the next event is in the heap. No key is 0 (sequence numbers start
/// at 1).
pub(super) const OTHER: u128 = 0;
/// Bits of a key's low half that hold the slot (see [`Clocks`]).
const SLOT_BITS: u32 = 24;
const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;
/// Bits of a key's low half, above the slot, that hold the [`Kind`].
const KIND_BITS: u32 = 5;
const _: () = assert!(Kind::ALL.len() <= 1 << KIND_BITS);
/// Where the sequence number starts in a key's low half.
const SEQ_SHIFT: u32 = SLOT_BITS + KIND_BITS;
/// Events one mission may schedule: 2^35, about half an hour of one core per replication at the
/// engine's speed ([`crate::engine::Engine::end`] checks it).
pub(super) const MAX_SEQ: u64 = 1 << (64 - SEQ_SHIFT);
/// Clocks a tree can hold, components' and roles' (the scenario language allows fewer nodes, and
/// domains, sites, links and roles are few).
pub const MAX_CLOCKS: usize = 1 << SLOT_BITS;

/// Clocks: a binary tournament tree over one leaf per clock slot, components' and then roles' (node 1
/// is the root, the children of node `i` are `2i` and `2i + 1`, slot `c` is leaf `n + c`), each node
/// holding the earliest clock below it. A clock is one `u128` key, `time bits << 64 | sequence << 29
/// | kind << 24 | slot`, so that one integer comparison orders by time, then insertion, and the
/// winner names its slot and kind (no per-slot array is read to pop it). Setting a clock walks from
/// its leaf to the root, one comparison a level; no event is ever stale. (Sequence numbers would
/// need 2^35 events in one mission to run out.)
#[derive(Debug, Clone, Default)]
pub(super) struct Clocks {
    n: usize,
    node: Vec<u128>,
    /// The slot whose clock [`EventQueue::next`] took out, until [`EventQueue::settle`].
    taken: u32,
    /// Set leaves only (see [`EventQueue::start_bulk`]).
    bulk: bool,
}

/// The slot of a tree key.
#[inline(always)]
pub(super) fn slot_of(key: u128) -> u32 {
    (key as u64 & SLOT_MASK) as u32
}

/// Reading a clock's tree key (from [`EventQueue::next`]).
pub(super) struct ClockKey;

impl ClockKey {
    /// Its time.
    #[inline(always)]
    pub(super) fn time(key: u128) -> f64 {
        f64::from_bits((key >> 64) as u64)
    }

    /// Its kind.
    #[inline(always)]
    pub(super) fn kind(key: u128) -> Kind {
        Kind::ALL[code_of(key as u64) as usize]
    }
}

impl Clocks {
    fn new(n: usize) -> Self {
        assert!(
            n <= MAX_CLOCKS,
            "the scenario language allows fewer components"
        );
        let mut c = Clocks {
            n,
            // At least the root, so that the earliest clock of no component is an empty leaf.
            node: vec![EMPTY; (2 * n).max(2)],
            taken: NO_SLOT,
            bulk: false,
        };
        c.clear();
        c
    }

    fn clear(&mut self) {
        self.node.fill(EMPTY);
        self.taken = NO_SLOT;
    }

    /// Sets component `slot`'s clock (`None`: no clock).
    #[inline]
    fn set(&mut self, slot: usize, clock: Option<(u64, u64)>) {
        if slot as u32 == self.taken {
            self.taken = NO_SLOT;
        }
        let mut cur = match clock {
            Some((time, seq_kind)) => ((time as u128) << 64) | (seq_kind | slot as u64) as u128,
            None => EMPTY,
        };
        let i = self.n + slot;
        self.node[i] = cur;
        if self.bulk {
            return;
        }
        // The walk is most of the engine's queue work: no bounds checks, and no branch on which clock
        // is earlier (see `least`). No level's load depends on the one before (the siblings' places
        // are known from the leaf), so the loads of a walk overlap: picking the winner's index and
        // loading it, as this did before, chained them (10-20% of a pools run's time).
        // It walks byte offsets (16 per node), so that neither the sibling's place nor the parent's
        // needs a multiplication.
        debug_assert!(self.node.len() >= 2 * self.n && i < 2 * self.n);
        let base = self.node.as_mut_ptr().cast::<u8>();
        let mut at = i * 16;
        while at > 16 {
            // SAFETY: `at / 16` starts at a leaf, `n <= i < 2n`, and halves down to 1: its sibling
            // `i ^ 1 < 2n` and its parent `i / 2 < n`, and `node` holds at least `2n` entries; the
            // offsets are multiples of 16, so the `u128`s are aligned.
            unsafe {
                let sibling = *base.add(at ^ 16).cast::<u128>();
                cur = least(sibling, cur);
                at = (at >> 1) & !15;
                *base.add(at).cast::<u128>() = cur;
            }
        }
    }

    /// Recomputes every inner node from the leaves.
    fn rebuild(&mut self) {
        for i in (1..self.n).rev() {
            self.node[i] = self.node[2 * i].min(self.node[2 * i + 1]);
        }
    }
}

/// The lesser of two keys, without a branch: which is less is random in the tree's walk, and a
/// mispredicted branch a level costs more than the level. LLVM turns a select of 128-bit values
/// (even with `select_unpredictable`, or masked) into a branch, so on x86-64 the two halves are
/// moved by `cmov`.
#[inline(always)]
fn least(a: u128, b: u128) -> u128 {
    #[cfg(target_arch = "x86_64")]
    {
        let (mut hi, mut lo) = ((b >> 64) as u64, b as u64);
        // SAFETY: register moves and flags only.
        unsafe {
            std::arch::asm!(
                "cmp {alo}, {lo}",
                "mov {t}, {ahi}",
                "sbb {t}, {hi}",
                "cmovb {lo}, {alo}",
                "cmovb {hi}, {ahi}",
                alo = in(reg) a as u64,
                ahi = in(reg) (a >> 64) as u64,
                lo = inout(reg) lo,
                hi = inout(reg) hi,
                t = out(reg) _,
                options(pure, nomem, nostack),
            );
        }
        ((hi as u128) << 64) | lo as u128
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        a.min(b)
    }
}

/// The other events: a 4-ary min-heap on [`Event::key`], the keys in one array and the rest of
/// each event beside it, so that a node's four children's keys are 64 contiguous bytes. Shallower
/// than a binary heap, so a pop touches fewer cache lines; a pop picks the least child by index
/// arithmetic rather than branches (which child wins is random, and mispredicted branches cost
/// more than the comparisons).
#[derive(Debug, Clone, Default)]
pub(super) struct Heap {
    keys: Vec<u128>,
    /// Per entry: target and aux of its event.
    rest: Vec<(u32, u32)>,
}

impl Heap {
    fn with_capacity(n: usize) -> Self {
        Heap {
            keys: Vec::with_capacity(n),
            rest: Vec::with_capacity(n),
        }
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.rest.clear();
    }

    /// The earliest event's key, if any.
    #[inline]
    fn first(&self) -> Option<u128> {
        self.keys.first().copied()
    }

    fn event(key: u128, (target, aux): (u32, u32)) -> Event {
        Event {
            time: (key >> 64) as u64,
            seq_kind: key as u64,
            target,
            aux,
        }
    }

    /// Keeps the events whose kind `keep` accepts (in order: a sorted array is a valid heap).
    pub(super) fn retain(&mut self, keep: impl Fn(Kind) -> bool) {
        let mut kept: Vec<Event> = (0..self.keys.len())
            .map(|i| Self::event(self.keys[i], self.rest[i]))
            .filter(|e| keep(e.kind()))
            .collect();
        kept.sort_unstable_by_key(Event::key);
        self.clear();
        for e in kept {
            self.keys.push(e.key());
            self.rest.push((e.target, e.aux));
        }
    }

    #[inline]
    fn push(&mut self, e: Event) {
        let key = e.key();
        let rest = (e.target, e.aux);
        let mut i = self.keys.len();
        self.keys.push(key);
        self.rest.push(rest);
        let (k, r) = (self.keys.as_mut_slice(), self.rest.as_mut_slice());
        debug_assert_eq!(k.len(), r.len());
        // SAFETY: `i` starts at the last entry and only moves to parents: every index is below
        // `k.len() == r.len()`.
        unsafe {
            while i > 0 {
                let parent = (i - 1) / 4;
                let above = *k.get_unchecked(parent);
                if above <= key {
                    break;
                }
                *k.get_unchecked_mut(i) = above;
                *r.get_unchecked_mut(i) = *r.get_unchecked(parent);
                i = parent;
            }
            *k.get_unchecked_mut(i) = key;
            *r.get_unchecked_mut(i) = rest;
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<Event> {
        let key = self.keys.pop()?;
        let rest = self.rest.pop().expect("keys and rest have the same length");
        if self.keys.is_empty() {
            return Some(Self::event(key, rest));
        }
        let top = Self::event(self.keys[0], self.rest[0]);
        let n = self.keys.len();
        let k = self.keys.as_mut_slice();
        // Every index read below is under `n` (checked by the branch it is in), and `i` is 0 or
        // a child so read: no bounds checks in the loop.
        let at = |k: &[u128], j: usize| {
            debug_assert!(j < n);
            // SAFETY: `j < n == k.len()`, as above.
            unsafe { *k.get_unchecked(j) }
        };
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            let best = if first + 3 < n {
                // Four children: the least of each pair, then of the two.
                let a = first + (at(k, first + 1) < at(k, first)) as usize;
                let b = first + 2 + (at(k, first + 3) < at(k, first + 2)) as usize;
                if at(k, b) < at(k, a) { b } else { a }
            } else if first < n {
                (first + 1..n).fold(first, |m, c| if at(k, c) < at(k, m) { c } else { m })
            } else {
                break;
            };
            let least = at(k, best);
            if key <= least {
                break;
            }
            let r = self.rest.as_mut_slice();
            debug_assert!(i < n && best < n && r.len() == n);
            // SAFETY: `i` and `best` are below `n`, as above, and `rest` has `n` entries too.
            unsafe {
                *k.get_unchecked_mut(i) = least;
                *r.get_unchecked_mut(i) = *r.get_unchecked(best);
            }
            i = best;
        }
        k[i] = key;
        self.rest[i] = rest;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random pushes and pops against a sorted reference: the same events come out in the same order.
    #[test]
    fn kinds_decode_to_themselves_and_clocks_come_first() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?}");
            let clock = matches!(
                k,
                Kind::Fail | Kind::RepairDone | Kind::Dispatched | Kind::Shipped | Kind::RoleCrash
            );
            assert_eq!(k.is_clock(), clock, "{k:?}");
        }
    }

    #[test]
    fn queue_orders_by_time_then_insertion() {
        // Small trees and ones around powers of two, and some with a bulk start.
        for n in [1, 2, 3, 4, 5, 6, 7, 13, 16, 17, 37, 64, 65] {
            orders(n, 20_000 / n as u32 + 2_000, false, &[1.0]);
        }
        orders(37, 5_000, true, &[1.0]);
        orders(300, 20_000, true, &[1.0]);
    }

    /// Times whose scale changes by orders of magnitude as the run goes on: the order stays exact.
    #[test]
    fn keeps_the_order_when_time_scales_change() {
        let scales = [1.0, 1e-4, 1e5, 0.3, 3e3, 1e-2];
        for n in [3, 40, 700] {
            orders(n, 60_000, true, &scales);
            orders(n, 60_000, false, &scales);
        }
    }

    /// Random pushes, replaced and cancelled clocks, pops (some followed by setting the popped
    /// component's clock again before settling, as an event does), and a copy of the queue taken
    /// half way and used from then on, against a sorted reference: the same events come out in the
    /// same order. Times are `now + k × scale` for k in 0..6 (ties are frequent), the scale moving
    /// through `scales` as the rounds go.
    fn orders(n: usize, rounds: u32, bulk: bool, scales: &[f64]) {
        let mut q = EventQueue::new(n, 0, 4);
        let mut pending: Vec<Event> = Vec::new();
        let mut seq = 0u64;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let mut now = 0.0f64;
        let event = |seq: &mut u64, time: f64, kind: Kind, target: u32, aux: u32| {
            *seq += 1;
            Event {
                time: time.to_bits(),
                seq_kind: seq_kind(*seq, kind),
                target,
                aux,
            }
        };
        if bulk {
            // A mission's start: every component's clock set, then the tree built.
            q.start_bulk();
            for c in 0..n as u32 {
                let e = event(&mut seq, rnd(6) as f64 * scales[0], Kind::Fail, c, 0);
                q.push(e);
                pending.push(e);
            }
            q.end_bulk();
        }
        let clock_of = |pending: &mut Vec<Event>, target: u32| {
            pending.retain(|e| !(e.kind().is_clock() && e.target == target));
        };
        for round in 0..rounds {
            let scale = scales[round as usize * scales.len() / rounds as usize];
            if round == rounds / 2 {
                let mut copy = EventQueue::new(n, 0, 0);
                copy.copy_from(&q);
                q = copy;
            }
            let kind = Kind::ALL[rnd(9) as usize];
            let target = rnd(n as u64) as u32;
            match rnd(12) {
                0..=6 => {
                    // A clock replaces the component's pending one, if any.
                    if kind.is_clock() {
                        clock_of(&mut pending, target);
                    }
                    let e = event(&mut seq, now + rnd(6) as f64 * scale, kind, target, round);
                    q.push(e);
                    pending.push(e);
                }
                7 => {
                    clock_of(&mut pending, target);
                    q.cancel_clock(target as usize);
                }
                _ => {
                    pending.sort_by_key(Event::key);
                    let want = (!pending.is_empty()).then(|| pending.remove(0));
                    let got = q.pop();
                    match (want, got) {
                        (None, None) => {}
                        (Some(w), Some(g)) => {
                            assert_eq!((w.key(), w.target), (g.key(), g.target));
                            now = f64::from_bits(g.time);
                            if g.kind().is_clock() && rnd(2) == 0 {
                                let e = event(
                                    &mut seq,
                                    now + rnd(6) as f64 * scale,
                                    Kind::ALL[rnd(5) as usize],
                                    g.target,
                                    round,
                                );
                                q.push(e);
                                pending.push(e);
                            }
                        }
                        (w, g) => panic!("expected {w:?}, got {g:?}"),
                    }
                    q.settle();
                }
            }
        }
    }
}
