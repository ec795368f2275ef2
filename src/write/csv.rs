//! The CSV files of a run: `summary.csv` (one row per measure with its 95% interval) and the rows of
//! `replications.csv`.

use crate::base::format::csv_text;
use crate::base::stats::Estimate;
use crate::base::units::HOURS_PER_YEAR;
use crate::estimate::runner::RepRow;
use crate::estimate::summary::Summary;
use crate::model::Model;

/// Formats a float for CSV: shortest representation that reads back exactly; empty for "not available".
fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// `summary.csv`: one row per measure with its 95% CI and the replications (or years) behind it.
/// Contains no timing, so the same scenario and seed give the same bytes.
pub fn summary_csv(summary: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scope",
        "name",
        "measure",
        "unit",
        "estimate",
        "ci95_low",
        "ci95_high",
        "n",
    ])?;
    let mut row = |scope: &str, name: &str, measure: &str, unit: &str, e: &Estimate| {
        w.write_record([
            scope,
            &csv_text(name),
            measure,
            unit,
            &num(e.value),
            &num(e.ci95_low),
            &num(e.ci95_high),
            &e.n.to_string(),
        ])
    };
    for e in &summary.entities {
        let s = e.kind.as_str();
        let n = &e.name;
        row(s, n, "availability", "fraction", &e.availability)?;
        row(s, n, "unavailability", "fraction", &e.unavailability)?;
        row(s, n, "nines", "nines", &e.nines)?;
        row(
            s,
            n,
            "downtime_per_year",
            "hours_per_year",
            &e.downtime_hours_per_year,
        )?;
        row(
            s,
            n,
            "annual_downtime_p50",
            "hours",
            &e.annual_downtime_hours_p50,
        )?;
        row(
            s,
            n,
            "annual_downtime_p90",
            "hours",
            &e.annual_downtime_hours_p90,
        )?;
        row(
            s,
            n,
            "annual_downtime_p99",
            "hours",
            &e.annual_downtime_hours_p99,
        )?;
        let plain = |v: f64, n: u64| Estimate {
            value: v,
            ci95_low: f64::NAN,
            ci95_high: f64::NAN,
            n,
        };
        row(
            s,
            n,
            "annual_downtime_max",
            "hours",
            &plain(e.annual_downtime_hours_max, e.years_observed),
        )?;
        row(
            s,
            n,
            "outages_per_year",
            "outages_per_year",
            &e.outages_per_year,
        )?;
        row(s, n, "mean_outage", "hours", &e.mean_outage_hours)?;
        row(
            s,
            n,
            "longest_outage_mean",
            "hours",
            &e.longest_outage_hours,
        )?;
        row(
            s,
            n,
            "longest_outage_worst",
            "hours",
            &plain(e.worst_outage_hours, e.availability.n),
        )?;
        row(
            s,
            n,
            "total_outages",
            "outages",
            &plain(e.total_outages as f64, e.availability.n),
        )?;
        if let Some(p) = &e.probability_year_misses_target {
            row(s, n, "probability_year_misses_target", "probability", p)?;
        }
        if let Some(t) = &e.tolerance {
            // The rule is in the measure's name, so that "excess" and "whole" figures never mix.
            let m = |what: &str| format!("impactful_{}_{what}", t.counts);
            row(
                s,
                n,
                "tolerance",
                "hours",
                &plain(t.tolerance_hours, e.availability.n),
            )?;
            row(
                s,
                n,
                &m("downtime_per_year"),
                "hours_per_year",
                &t.impactful_downtime_hours_per_year,
            )?;
            row(
                s,
                n,
                &m("availability"),
                "fraction",
                &t.impactful_availability,
            )?;
            row(
                s,
                n,
                &m("outages_per_year"),
                "per_year",
                &t.impactful_outages_per_year,
            )?;
            if let Some(p) = &t.probability_year_misses_target {
                row(s, n, &m("probability_year_misses_target"), "probability", p)?;
            }
        }
        row(
            s,
            n,
            "planned_downtime_per_year",
            "hours_per_year",
            &e.planned_downtime_hours_per_year,
        )?;
        row(
            s,
            n,
            "unplanned_downtime_per_year",
            "hours_per_year",
            &e.unplanned_downtime_hours_per_year,
        )?;
        row(
            s,
            n,
            "at_risk_per_year",
            "hours_per_year",
            &e.at_risk_hours_per_year,
        )?;
        if let Some(f) = &e.failover {
            let items = [
                ("failovers_per_year", "per_year", &f.failovers_per_year),
                (
                    "failed_failovers_per_year",
                    "per_year",
                    &f.failed_failovers_per_year,
                ),
                ("restarts_per_year", "per_year", &f.restarts_per_year),
                (
                    "downtime_switching_per_year",
                    "hours_per_year",
                    &f.failover_hours_per_year,
                ),
                (
                    "downtime_restarting_per_year",
                    "hours_per_year",
                    &f.restart_hours_per_year,
                ),
                (
                    "downtime_operator_per_year",
                    "hours_per_year",
                    &f.manual_hours_per_year,
                ),
                (
                    "downtime_no_host_per_year",
                    "hours_per_year",
                    &f.no_host_hours_per_year,
                ),
                (
                    "downtime_recovery_per_year",
                    "hours_per_year",
                    &f.recovery_hours_per_year,
                ),
            ];
            for (measure, unit, est) in items {
                row(s, n, measure, unit, est)?;
            }
            if let Some(e) = &f.no_quorum_hours_per_year {
                row(s, n, "downtime_no_quorum_per_year", "hours_per_year", e)?;
            }
        }
        if let Some(d) = &e.data_loss {
            row(
                s,
                n,
                "data_lost_per_year",
                "hours_per_year",
                &d.hours_per_year,
            )?;
            row(
                s,
                n,
                "data_loss_incidents_per_year",
                "per_year",
                &d.incidents_per_year,
            )?;
            row(
                s,
                n,
                "data_lost_per_incident",
                "hours",
                &d.mean_per_incident_hours,
            )?;
            row(
                s,
                n,
                "data_lost_worst_incident",
                "hours",
                &plain(d.worst_hours, e.availability.n),
            )?;
        }
    }
    for c in &summary.clusters {
        row(
            "cluster",
            &c.name,
            "without_quorum_per_year",
            "hours_per_year",
            &c.hours_without_quorum_per_year,
        )?;
        row(
            "cluster",
            &c.name,
            "quorum_losses_per_year",
            "per_year",
            &c.quorum_losses_per_year,
        )?;
    }
    for l in &summary.latent {
        let n = &l.node;
        let rows: [(&str, &str, &Estimate); 5] = [
            (
                "hidden_failures_per_year",
                "per_year",
                &l.hidden_failures_per_year,
            ),
            (
                "found_by_inspection_per_year",
                "per_year",
                &l.found_by_inspection_per_year,
            ),
            (
                "found_when_called_per_year",
                "per_year",
                &l.found_when_called_per_year,
            ),
            ("mean_hidden", "hours", &l.mean_hidden_hours),
            (
                "hidden_per_year",
                "hours_per_year",
                &l.hidden_hours_per_year,
            ),
        ];
        for (measure, unit, e) in rows {
            row("latent", n, measure, unit, e)?;
        }
        for c in &l.caused_downtime {
            let e = format!("{n}.{}", c.service);
            row(
                "latent",
                &e,
                "downtime_caused_per_year",
                "hours_per_year",
                &c.hours_per_year,
            )?;
        }
        if let Some(d) = &l.data_lost_hours_per_year {
            row("latent", n, "data_lost_per_year", "hours_per_year", d)?;
        }
    }
    super::phases::csv_rows(summary, &mut row)?;
    for r in &summary.requests {
        let n = &r.name;
        let exact = Estimate {
            value: r.requests_per_year,
            ci95_low: r.requests_per_year,
            ci95_high: r.requests_per_year,
            n: r.success_ratio.n,
        };
        row("requests", n, "requests_per_year", "per_year", &exact)?;
        row(
            "requests",
            n,
            "failed_requests_per_year",
            "per_year",
            &r.failed_requests_per_year,
        )?;
        row("requests", n, "success_ratio", "fraction", &r.success_ratio)?;
        for (j, e) in r.outcome_shares.iter().enumerate() {
            let a = r.attempts_on_target as usize;
            let measure = if j + 1 == r.outcome_shares.len() {
                "share_failed".to_string()
            } else if j < a {
                format!("share_succeeded_at_attempt_{}", j + 1)
            } else {
                format!("share_succeeded_at_fallback_attempt_{}", j - a + 1)
            };
            row("requests", n, &measure, "fraction", e)?;
        }
        row(
            "requests",
            n,
            "latency_mean",
            "hours",
            &r.latency_mean_hours,
        )?;
        row("requests", n, "latency_p50", "hours", &r.latency_p50_hours)?;
        row("requests", n, "latency_p90", "hours", &r.latency_p90_hours)?;
        row("requests", n, "latency_p95", "hours", &r.latency_p95_hours)?;
        row("requests", n, "latency_p99", "hours", &r.latency_p99_hours)?;
        row(
            "requests",
            n,
            "latency_p999",
            "hours",
            &r.latency_p999_hours,
        )?;
        row("requests", n, "latency_max", "hours", &r.latency_max_hours)?;
        // Inputs of the queue are exact; the worst delay seen has no interval.
        let fixed = |v: f64| Estimate {
            value: v,
            ci95_low: v,
            ci95_high: v,
            n: r.success_ratio.n,
        };
        let seen = |v: f64| Estimate {
            value: v,
            ci95_low: f64::NAN,
            ci95_high: f64::NAN,
            n: r.success_ratio.n,
        };
        if let Some(mu) = r.capacity_per_hour {
            row(
                "requests",
                n,
                "capacity_per_instance",
                "per_hour",
                &fixed(mu),
            )?;
            row(
                "requests",
                n,
                "offered_load",
                "per_hour",
                &fixed(r.offered_load_per_hour),
            )?;
            for q in &r.queue {
                let m = |what: &str| format!("{what}:{}_up", q.live);
                row(
                    "requests",
                    n,
                    &m("utilisation"),
                    "fraction",
                    &fixed(q.utilisation),
                )?;
                row("requests", n, &m("p_wait"), "fraction", &fixed(q.p_wait))?;
                row(
                    "requests",
                    n,
                    &m("p_timeout"),
                    "fraction",
                    &fixed(q.p_timeout),
                )?;
                row(
                    "requests",
                    n,
                    &m("mean_wait"),
                    "hours",
                    &fixed(q.mean_wait_hours),
                )?;
                // `mean_wait` is over the attempts served within their timeout; this one over all.
                row(
                    "requests",
                    n,
                    &m("mean_wait_all_attempts"),
                    "hours",
                    &fixed(q.mean_wait_all_hours),
                )?;
            }
        }
        if let Some(c) = &r.cache {
            row(
                "requests",
                n,
                "cached_delivered_share",
                "fraction",
                &c.delivered_share,
            )?;
            row(
                "requests",
                n,
                "delivery_delay_mean",
                "hours",
                &c.delay_mean_hours,
            )?;
            row(
                "requests",
                n,
                "delivery_delay_p50",
                "hours",
                &c.delay_p50_hours,
            )?;
            row(
                "requests",
                n,
                "delivery_delay_p95",
                "hours",
                &c.delay_p95_hours,
            )?;
            row(
                "requests",
                n,
                "delivery_delay_p99",
                "hours",
                &c.delay_p99_hours,
            )?;
            row(
                "requests",
                n,
                "delivery_delay_max",
                "hours",
                &seen(c.delay_max_hours),
            )?;
            row(
                "requests",
                n,
                "undelivered_at_mission_end",
                "requests",
                &c.undelivered_at_end,
            )?;
        }
        if let Some(g) = &r.data_age {
            let rows: [(&str, &str, &Estimate); 10] = [
                ("data_age_mean", "hours", &g.mean_hours),
                ("data_age_p50", "hours", &g.p50_hours),
                ("data_age_p90", "hours", &g.p90_hours),
                ("data_age_p95", "hours", &g.p95_hours),
                ("data_age_p99", "hours", &g.p99_hours),
                ("data_stale_share", "fraction", &g.stale_share),
                ("data_stale_clients", "clients", &g.stale_clients),
                (
                    "data_stale_client_hours_per_year",
                    "client_hours_per_year",
                    &g.stale_client_hours_per_year,
                ),
                ("data_age_worst_mean", "hours", &g.worst_mean_hours),
                ("data_age_worst_max", "hours", &seen(g.worst_max_hours)),
            ];
            for (measure, unit, e) in rows {
                row("requests", n, measure, unit, e)?;
            }
        }
        if let Some(f) = &r.in_flight {
            row("requests", n, "cut_per_year", "per_year", &f.cut_per_year)?;
            row(
                "requests",
                n,
                "failed_after_cut_per_year",
                "per_year",
                &f.failed_after_cut_per_year,
            )?;
            if let Some(a) = &f.added_mean_hours {
                row("requests", n, "time_added_by_cuts_mean", "hours", a)?;
            }
        }
        if let Some(m) = &r.reassign {
            row(
                "requests",
                n,
                "reassignments_per_year",
                "per_year",
                &m.reassignments_per_year,
            )?;
            row(
                "requests",
                n,
                "reassigned_hours_per_year",
                "hours_per_year",
                &m.reassigned_hours_per_year,
            )?;
        }
        row(
            "requests",
            n,
            "client_visible_downtime_per_year",
            "hours_per_year",
            &r.client_visible_downtime_hours_per_year,
        )?;
        row(
            "requests",
            n,
            "server_downtime_per_year",
            "hours_per_year",
            &r.server_downtime_hours_per_year,
        )?;
        for b in &r.by_state {
            let m = |what: &str| format!("{what}:{}", b.state);
            row(
                "requests",
                n,
                &m("share_of_requests"),
                "fraction",
                &b.share_of_requests,
            )?;
            row(
                "requests",
                n,
                &m("success_ratio"),
                "fraction",
                &b.success_ratio,
            )?;
            row(
                "requests",
                n,
                &m("latency_mean"),
                "hours",
                &b.latency_mean_hours,
            )?;
            row(
                "requests",
                n,
                &m("latency_p99"),
                "hours",
                &b.latency_p99_hours,
            )?;
        }
    }
    for g in &summary.client_groups {
        let n = &g.name;
        let exact = Estimate {
            value: g.requests_per_year,
            ci95_low: g.requests_per_year,
            ci95_high: g.requests_per_year,
            n: g.success_ratio.n,
        };
        row("clients", n, "requests_per_year", "per_year", &exact)?;
        row("clients", n, "success_ratio", "fraction", &g.success_ratio)?;
        row(
            "clients",
            n,
            "failed_requests_per_year",
            "per_year",
            &g.failed_requests_per_year,
        )?;
        row("clients", n, "latency_p50", "hours", &g.latency_p50_hours)?;
        row("clients", n, "latency_p95", "hours", &g.latency_p95_hours)?;
        row("clients", n, "latency_p99", "hours", &g.latency_p99_hours)?;
        row("clients", n, "latency_p999", "hours", &g.latency_p999_hours)?;
    }
    for c in &summary.crews {
        row("crew", &c.name, "utilisation", "fraction", &c.utilisation)?;
        row("crew", &c.name, "mean_wait", "hours", &c.mean_wait_hours)?;
        row(
            "crew",
            &c.name,
            "repairs_per_year",
            "per_year",
            &c.repairs_per_year,
        )?;
    }
    for k in &summary.stocks {
        let n = &k.name;
        row(
            "stock",
            n,
            "stockouts_per_year",
            "per_year",
            &k.stockouts_per_year,
        )?;
        row("stock", n, "mean_wait", "hours", &k.mean_wait_hours)?;
        row(
            "stock",
            n,
            "hours_waiting_per_year",
            "hours_per_year",
            &k.hours_waiting_per_year,
        )?;
        row(
            "stock",
            n,
            "demands_per_year",
            "per_year",
            &k.demands_per_year,
        )?;
    }
    for c in &summary.contributions {
        row(
            "contribution",
            &c.service,
            &format!("downtime_share:{}", c.component),
            "fraction",
            &c.share_of_downtime,
        )?;
    }
    // Every hour of downtime to one cause: per service, these add up to its downtime per year.
    for a in &summary.attribution {
        row(
            "attribution",
            &a.service,
            &format!("downtime_from:{}", a.cause),
            "hours_per_year",
            &a.hours_per_year,
        )?;
    }
    w.flush()?;
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Header of `replications.csv`.
pub const REPLICATIONS_HEADER: [&str; 7] = [
    "replication",
    "service",
    "availability",
    "downtime_hours",
    "downtime_hours_per_year",
    "outages",
    "longest_outage_hours",
];

/// Appends rows of `replications.csv` to a CSV writer.
pub fn write_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    model: &Model,
    rows: &[RepRow],
) -> Result<(), csv::Error> {
    let mission = model.simulation.mission;
    let years = mission / HOURS_PER_YEAR;
    for r in rows {
        w.write_record([
            r.replication.to_string(),
            csv_text(&model.services[r.service].name).into_owned(),
            num(1.0 - r.downtime / mission),
            num(r.downtime),
            num(r.downtime / years),
            r.outages.to_string(),
            num(r.longest),
        ])?;
    }
    Ok(())
}
