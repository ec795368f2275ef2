//! The splitting factors from a fixed-effort pilot: entry states of threshold 1 from plain
//! missions, then, threshold by threshold, copies of the states that entered there run until they
//! reach the next threshold or fall back; `R_i ≈ 1 / P(reach i + 1 | entered i)`.

use rayon::prelude::*;

use crate::base::rng::mix64;
use crate::base::units::Hours;
use crate::engine::{Engine, Snapshot};
use crate::model::Model;

use super::importance::Levels;
use super::{MAX_FACTOR, ROUND, Threshold};

/// Pilot: entry states kept and hits wanted per threshold.
const PILOT_HITS: usize = 64;
/// Pilot: trials per chunk (the unit of parallel work) and at most per threshold.
const PILOT_CHUNK: u64 = 2048;
const PILOT_MAX_TRIALS: u64 = 1 << 22;
/// Pilot missions looking for entries into threshold 1, at most.
const PILOT_MAX_MISSIONS: u64 = 1 << 22;
/// Replication numbers of pilot missions (far from those of the main run).
const PILOT_REP: u64 = 1 << 62;

/// An entry state of a threshold, kept by the pilot.
struct Entry<'m> {
    snap: Snapshot<'m>,
    t: Hours,
    level: usize,
}

/// One chunk of pilot trials from the entries of threshold `i`: (trials, hits, new entry states).
fn pilot_chunk<'m>(
    engine: &mut Engine<'m>,
    levels: &mut Levels,
    entries: &[Entry<'m>],
    i: usize,
    chunk: u64,
) -> (u64, u64, Vec<Entry<'m>>) {
    let mut hits = 0;
    let mut found = Vec::new();
    for k in 0..PILOT_CHUNK {
        let trial = chunk * PILOT_CHUNK + k;
        let e = &entries[(trial % entries.len() as u64) as usize];
        engine.restore(&e.snap);
        engine.diverge(
            e.t,
            mix64(((i as u64) << 48) ^ trial ^ 0x7069_6c6f_7400_0000),
        );
        while let Some(now) = engine.step() {
            let l = levels.level(engine);
            if l < i {
                break;
            }
            if l > i {
                hits += 1;
                if found.len() < PILOT_HITS {
                    let mut snap = Snapshot::default();
                    engine.save(&mut snap);
                    found.push(Entry {
                        snap,
                        t: now,
                        level: l,
                    });
                }
                break;
            }
        }
    }
    (PILOT_CHUNK, hits, found)
}

/// Entry states of threshold 1 from plain missions (`chunk` of them at a time).
fn pilot_missions<'m>(
    engine: &mut Engine<'m>,
    levels: &mut Levels,
    chunk: u64,
) -> (u64, Vec<Entry<'m>>) {
    let mut found = Vec::new();
    for k in 0..PILOT_CHUNK {
        engine.begin(PILOT_REP + chunk * PILOT_CHUNK + k);
        let mut level = levels.level(engine);
        while let Some(now) = engine.step() {
            let l = levels.level(engine);
            if l >= 1 && level == 0 && found.len() < PILOT_HITS {
                let mut snap = Snapshot::default();
                engine.save(&mut snap);
                found.push(Entry {
                    snap,
                    t: now,
                    level: l,
                });
            }
            level = l;
        }
        if found.len() >= PILOT_HITS {
            return (k + 1, found);
        }
    }
    (PILOT_CHUNK, found)
}

/// Factors per threshold from a fixed-effort pilot (index 0 unused), with what they rest on.
pub(super) fn pilot<'m>(
    model: &'m Model,
    levels: &Levels,
    pool: &rayon::ThreadPool,
) -> (Vec<u32>, Vec<Threshold>) {
    let top = levels.top;
    let mut factors = vec![1u32; top + 1];
    let mut out = Vec::new();
    if top == 0 {
        return (factors, out);
    }
    let init = || (Engine::new(model), levels.clone());
    // Entries of threshold 1.
    let mut entries: Vec<Entry<'m>> = Vec::new();
    let mut chunk = 0;
    while entries.len() < PILOT_HITS && chunk * PILOT_CHUNK < PILOT_MAX_MISSIONS {
        let parts: Vec<(u64, Vec<Entry<'m>>)> = pool.install(|| {
            (chunk..chunk + ROUND)
                .into_par_iter()
                .map_init(init, |(e, l), c| pilot_missions(e, l, c))
                .collect()
        });
        chunk += ROUND;
        for (_, found) in parts {
            entries.extend(found);
        }
    }
    entries.truncate(PILOT_HITS);
    #[allow(clippy::needless_range_loop)] // `i` is the threshold, not only an index
    for i in 1..top {
        // Entries past this threshold already (several failures at once) go on to the next one: the
        // factor balances the copies that entered exactly here.
        let (mut above, at): (Vec<Entry<'m>>, Vec<Entry<'m>>) =
            entries.into_iter().partition(|e| e.level > i);
        entries = at;
        if entries.is_empty() {
            // Never entered exactly here: no copies needed at this threshold.
            out.push(Threshold {
                importance: i as u32,
                factor: 1,
                up_probability: None,
                pilot_trials: 0,
            });
            entries = above;
            continue;
        }
        let (mut trials, mut hits) = (0u64, 0u64);
        let mut next: Vec<Entry<'m>> = Vec::new();
        let mut chunk = 0;
        while (hits as usize) < PILOT_HITS && trials < PILOT_MAX_TRIALS {
            let parts: Vec<(u64, u64, Vec<Entry<'m>>)> = pool.install(|| {
                (chunk..chunk + ROUND)
                    .into_par_iter()
                    .map_init(init, |(e, l), c| pilot_chunk(e, l, &entries, i, c))
                    .collect()
            });
            chunk += ROUND;
            for (t, h, found) in parts {
                trials += t;
                hits += h;
                next.extend(found);
            }
        }
        next.truncate(PILOT_HITS);
        above.truncate(PILOT_HITS / 4);
        next.append(&mut above);
        let p = hits as f64 / trials as f64;
        let r = if hits == 0 {
            MAX_FACTOR
        } else {
            (1.0 / p).round().clamp(1.0, MAX_FACTOR as f64) as u32
        };
        factors[i] = r;
        out.push(Threshold {
            importance: i as u32,
            factor: r,
            up_probability: Some(p),
            pilot_trials: trials,
        });
        entries = next;
    }
    out.push(Threshold {
        importance: top as u32,
        factor: 1,
        up_probability: None,
        pilot_trials: 0,
    });
    (factors, out)
}
