//! Property tests: exact merging of statistics, a compiler that never panics, and engine invariants.

use nines::base::stats::{ExactSum, MeanAcc};
use nines::engine::Engine;
use nines::model::WhenAllFail;
use nines::scenario::compile;
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
        let bits = |e: nines::base::stats::Estimate| [e.value.to_bits(), e.ci95_low.to_bits(), e.ci95_high.to_bits(), e.n];
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
        let base = include_str!("../../scenarios/web-farm.toml");
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

    /// With every mechanism active (crew, rack, cluster with coverage and software failures, AG, restore,
    /// rolling and plain maintenance, WAN link): every monitor's downtime, planned downtime and time at
    /// risk fit in the mission, planned ≤ downtime, a role's own downtime by cause fits in the mission, data
    /// loss is never negative, crew utilisation is at most 100%, and a replication repeats exactly.
    #[test]
    fn engine_invariants_with_mechanisms(
        rep in 0u64..1_000_000,
        mean_fail in 20.0f64..2000.0,
        mean_repair in 0.5f64..50.0,
        coverage in 0.0f64..=1.0,
        techs in 1u32..3,
        rolling in any::<bool>(),
        selection in 0usize..4,
        reconnect in 0usize..3,
        attempts in 1u32..5,
        capacity in 0.1f64..2.0,
    ) {
        let selection = ["random", "round_robin", "ordered", "sticky"][selection];
        // Sticky clients keep their own connections; the other modes apply to the others (DNS
        // chooses its instance itself).
        let (reconnect, selection) = match (reconnect, selection) {
            (_, "sticky") | (0, _) => ("", selection),
            (1, _) => ("reconnect = \"fresh_connection_only\"\n            reconnect_every = \"3h\"", selection),
            _ => ("reconnect = \"dns\"\n            ttl = \"2h\"\n            health_checked = true", "round_robin"),
        };
        // Queues and caches need clients without lasting connections.
        let pool_selection = if selection == "sticky" { "random" } else { selection };
        let text = format!(r#"
            [simulation]
            mission = "3000h"
            [defaults]
            failure = {{ dist = "exponential", mean = "{mean_fail}h" }}
            repair = {{ dist = "lognormal", mean = "{mean_repair}h", sigma = 0.7 }}
            [crews.ops]
            technicians = {techs}
            dispatch = {{ dist = "uniform", min = "0h", max = "2h" }}
            [sites.hq]
            [sites.br]
            parent = "hq"
            link = {{ failure = {{ dist = "exponential", mean = "{mean_fail}h" }}, repair = {{ dist = "fixed", value = "3h" }} }}
            [domains.rack]
            failure = {{ dist = "exponential", mean = "{}h" }}
            repair = {{ dist = "exponential", mean = "2h" }}
            [nodes.h]
            count = 3
            in = "rack"
            site = "hq"
            crew = "ops"
            [nodes.s]
            count = 3
            site = "hq"
            [nodes.b]
            site = "br"
            [roles.c]
            kind = "cluster"
            on = "h"
            failover = {{ dist = "exponential", mean = "0.5h" }}
            coverage = {coverage}
            manual_recovery = {{ dist = "exponential", mean = "2h" }}
            failback = {rolling}
            software = {{ failure = {{ dist = "exponential", mean = "300h" }}, restart = {{ dist = "fixed", value = "0.1h" }}, restart_success = 0.7 }}
            requires = ["db"]
            [roles.db]
            kind = "availability_group"
            primary = "s-1"
            secondaries = [{{ on = "s-2", commit = "synchronous" }}, {{ on = "s-3", commit = "asynchronous", lag = {{ dist = "exponential", mean = "0.1h" }} }}]
            failover = {{ dist = "fixed", value = "0.05h" }}
            manual_failover = {{ dist = "exponential", mean = "1h" }}
            [roles.br]
            kind = "standalone"
            on = "b"
            recovery = {{ kind = "restore", backup_every = "24h", restore = {{ dist = "fixed", value = "4h" }} }}
            requires = ["c"]
            [maintenance.roll]
            every = "200h"
            duration = "5h"
            role = "c"
            rolling = {rolling}
            [maintenance.db]
            every = "300h"
            duration = "1h"
            offset = "10h"
            role = "db"
            rolling = true
            [services.all]
            all_of = ["c", "br"]
            [services.any]
            any_of = ["c", "br"]
            [clients.pcs]
            count = 700
            site = "br"
            [clients.pcs.requests.to_db]
            target = "db"
            every = "20min"
            selection = "{selection}"
            timeout = "10min"
            response = {{ dist = "exponential", mean = "1s" }}
            max_attempts = {attempts}
            backoff = "5min"
            {reconnect}
            [clients.pcs.requests.to_cluster]
            target = "c"
            every = "1h"
            selection = "{selection}"
            timeout = "1min"
            response = {{ dist = "fixed", value = "2s" }}
            max_attempts = {attempts}
            [roles.front]
            kind = "pool"
            on = "h"
            capacity = "{capacity}/s"
            requires = ["db"]
            [clients.pcs.requests.to_front]
            target = "front"
            every = "30min"
            selection = "{pool_selection}"
            timeout = "5s"
            response = {{ dist = "lognormal", mean = "0.5s", sigma = 0.5 }}
            max_attempts = {attempts}
            when_all_fail = "cache"
        "#, mean_fail * 5.0);
        let model = compile(&text, "p.toml").unwrap_or_else(|e| panic!("{e}"));
        let mut e = Engine::new(&model);
        e.run(rep);
        let m = e.monitors().to_vec();
        let eps = 1e-6;
        for mon in &m {
            prop_assert!(mon.downtime >= 0.0 && mon.downtime <= 3000.0 + eps);
            prop_assert!(mon.planned >= 0.0 && mon.planned <= mon.downtime + eps);
            prop_assert!(mon.at_risk >= 0.0 && mon.downtime + mon.at_risk <= 3000.0 + eps);
            prop_assert!(mon.longest <= mon.downtime + eps);
        }
        // all_of is down at least as much as any_of.
        prop_assert!(m[1].downtime <= m[0].downtime + eps);
        for st in e.machine_stats() {
            let own: f64 = st.down_by_cause.iter().sum();
            prop_assert!(own >= 0.0 && own <= 3000.0 + eps);
            prop_assert!(st.data_lost >= 0.0 && st.worst_loss <= st.data_lost + eps);
        }
        // A role machine's own downtime bounds the role's downtime from below.
        let roles = &m[2..];
        for (r, st) in e.machine_stats().iter().enumerate() {
            let own: f64 = st.down_by_cause.iter().sum();
            prop_assert!(own <= roles[r].downtime + eps, "role {r}: own {own} > role {}", roles[r].downtime);
        }
        // Every request is accounted for exactly once: the expected count is rate × mission whatever
        // happens, and failures never take more arrival time than the mission.
        for (q, st) in model.requests.iter().zip(e.request_stats()) {
            let expected = 700.0 * q.rate * 3000.0;
            let total: f64 = st.all.succeeded.iter().sum::<f64>() + st.all.failed;
            prop_assert!((total - expected).abs() <= 1e-9 * expected, "{}: {total} vs {expected}", q.name);
            prop_assert!(st.all.failed >= -eps && st.failing_time >= -eps && st.failing_time <= 3000.0 + eps);
            let by_state: f64 = st.by_state.iter().map(|o| o.total()).sum();
            prop_assert!((by_state - total).abs() <= 1e-9 * expected);
            let by_class: f64 = st.all.by_class.iter().sum::<f64>() + st.all.failed;
            prop_assert!((by_class - total).abs() <= 1e-9 * expected);
            // Every cached request is delivered once or still waiting at the end, never later
            // than the mission allows.
            let delivered: f64 = st.delivered.iter().map(|(_, w)| w).sum();
            if q.when_all_fail == WhenAllFail::Cache {
                prop_assert!((delivered + st.undelivered - st.all.failed).abs() <= 1e-9 * expected.max(1.0),
                    "{}: delivered {delivered} + undelivered {} vs failed {}", q.name, st.undelivered, st.all.failed);
                for &(d, w) in &st.delivered {
                    prop_assert!(d > 0.0 && d <= 3000.0 && w > 0.0);
                }
            } else {
                prop_assert!(st.delivered.is_empty() && st.undelivered == 0.0);
            }
        }
        let crew = e.crew_stats()[0];
        prop_assert!(crew.busy <= techs as f64 * 3000.0 + eps);
        let again = {
            e.run(rep);
            e.monitors().to_vec()
        };
        for (a, b) in m.iter().zip(&again) {
            prop_assert_eq!(a.downtime.to_bits(), b.downtime.to_bits());
            prop_assert_eq!(a.at_risk.to_bits(), b.at_risk.to_bits());
        }
    }
}
