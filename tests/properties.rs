//! Property tests: exact merging of statistics, a compiler that never panics, and engine invariants.

use nines::engine::Engine;
use nines::scenario::compile;
use nines::stats::{ExactSum, MeanAcc};
use proptest::prelude::*;

proptest! {
    /// Splitting values between two accumulators in any way and merging gives the same bits.
    #[test]
    fn exact_sum_merge_is_order_free(values in prop::collection::vec(-1e12f64..1e12, 0..200), split in any::<u64>()) {
        let mut whole = ExactSum::default();
        values.iter().for_each(|v| whole.add(*v));
        let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
        for (i, v) in values.iter().enumerate().rev() {
            if (split >> (i % 64)) & 1 == 1 { a.add(*v) } else { b.add(*v) }
        }
        b.merge(&a);
        prop_assert_eq!(whole.value().to_bits(), b.value().to_bits());
        let mut m1 = MeanAcc::default();
        let mut m2 = MeanAcc::default();
        values.iter().for_each(|v| m1.add(*v, 1.0));
        values.iter().rev().for_each(|v| m2.add(*v, 1.0));
        let bits = |e: nines::stats::Estimate| [e.value.to_bits(), e.ci95_low.to_bits(), e.ci95_high.to_bits(), e.n];
        prop_assert_eq!(bits(m1.estimate()), bits(m2.estimate()));
    }

    /// Arbitrary text never panics the compiler: it is either a model or a list of located errors.
    #[test]
    fn compiler_never_panics(text in "\\PC{0,300}") {
        if let Err(e) = compile(&text, "fuzz.toml") {
            prop_assert!(!e.diagnostics.is_empty());
        }
    }

    /// Mutations of a valid scenario never panic, and every error has a line inside the file.
    #[test]
    fn mutated_scenarios_fail_cleanly(pos in 0usize..400, insert in "[a-z0-9\"=\\[\\]{}.,\\- ]{0,6}") {
        let base = include_str!("../scenarios/web-farm.toml");
        let pos = (0..=pos.min(base.len())).rev().find(|p| base.is_char_boundary(*p)).unwrap_or(0);
        let text = format!("{}{}{}", &base[..pos], insert, &base[pos..]);
        if let Err(e) = compile(&text, "m.toml") {
            let lines = text.lines().count().max(1);
            for d in &e.diagnostics {
                prop_assert!(d.line >= 1 && d.line <= lines + 1, "line {} of {}", d.line, lines);
                prop_assert!(!d.message.is_empty());
            }
        }
    }

    /// Downtime lies in [0, mission], a pool is never down longer than the stricter pool on the same
    /// nodes, and the same replication index gives the same result.
    #[test]
    fn engine_invariants(rep in 0u64..1_000_000, mean_fail in 1.0f64..500.0, mean_repair in 0.1f64..100.0) {
        let text = format!(r#"
            [simulation]
            mission = "2000h"
            [defaults]
            failure = {{ dist = "exponential", mean = "{mean_fail}h" }}
            repair = {{ dist = "weibull", shape = 1.5, mean = "{mean_repair}h" }}
            [nodes.n]
            count = 3
            [roles.loose]
            kind = "pool"
            on = "n"
            min_up = 1
            [roles.strict]
            kind = "pool"
            on = "n"
            min_up = 3
        "#);
        let model = compile(&text, "p.toml").unwrap();
        let mut e = Engine::new(&model);
        e.run(rep);
        let m = e.monitors().to_vec();
        for mon in &m {
            prop_assert!(mon.downtime >= 0.0 && mon.downtime <= 2000.0 + 1e-9);
            prop_assert!(mon.longest <= mon.downtime + 1e-9);
        }
        prop_assert!(m[0].downtime <= m[1].downtime + 1e-9);
        e.run(rep);
        prop_assert_eq!(e.monitors()[1].downtime.to_bits(), m[1].downtime.to_bits());
    }
}
