//! Reproducible random streams: one Xoshiro256++ generator per (seed, replication, component), so results
//! do not depend on threads, batching or the order components are listed in, and two layouts that share
//! a component name share its random numbers (common random numbers for comparisons).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used everywhere in the engine: portable and stable across releases.
pub type Stream = Xoshiro256PlusPlus;

/// SplitMix64's output function: a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream of component `key` in replication `rep` of a run with `seed`.
pub fn stream(seed: u64, rep: u64, key: u64) -> Stream {
    let mut state =
        mix64(seed ^ 0x6e69_6e65_735f_7631) ^ mix64(rep.wrapping_add(0x9e37_79b9_7f4a_7c15));
    state = mix64(state) ^ key;
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        chunk.copy_from_slice(&mix64(state).to_le_bytes());
    }
    Stream::from_seed(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_stable_and_distinct() {
        let mut a = stream(1, 0, 7);
        let mut b = stream(1, 0, 7);
        assert_eq!(a.next_u64(), b.next_u64());
        let firsts: std::collections::HashSet<u64> = (0..1000)
            .flat_map(|r| (0..10).map(move |k| stream(1, r, k).next_u64()))
            .collect();
        assert_eq!(firsts.len(), 10_000);
        assert_ne!(stream(1, 0, 7).next_u64(), stream(2, 0, 7).next_u64());
    }

    /// Pins the generator's output: a change here changes every published result.
    #[test]
    fn value_stability() {
        let mut s = stream(42, 3, 5);
        let v = [s.next_u64(), s.next_u64()];
        let again = {
            let mut s = stream(42, 3, 5);
            [s.next_u64(), s.next_u64()]
        };
        assert_eq!(v, again);
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0x5692_161d_100b_05e5);
    }
}
