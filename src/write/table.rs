//! The terminal table of a run (`nines run`): a block of figures with their 95% intervals for every
//! service, the roles, the mechanisms (failover and data loss, clients, crews), the cost and the timing.

use std::fmt::Write as _;

use crate::base::format::{hours, percent, sig3};
use crate::base::stats::Estimate;
use crate::base::units::{HOURS_PER_YEAR, format_duration};
use crate::estimate::summary::{EntitySummary, Summary};
use crate::model::{EntityKind, Model};

/// The widest a name column grows.
const MAX_COLUMN: usize = 60;

fn ci(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    if e.ci95_low.is_finite() && e.ci95_high.is_finite() {
        format!("[{}, {}]", f(e.ci95_low), f(e.ci95_high))
    } else {
        "[n/a]".into()
    }
}

/// The human-readable report printed by `nines run`.
pub fn table(summary: &Summary, model: &Model) -> String {
    let mut out = String::new();
    let sim = &model.simulation;
    let _ = writeln!(
        out,
        "nines {} · scenario {} · mission {} · {} replications · seed {}",
        summary.nines_version,
        summary.scenario,
        format_duration(sim.mission),
        summary.replications,
        summary.seed
    );
    for e in summary
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Service)
    {
        out.push('\n');
        entity_block(&mut out, e, summary, model);
    }
    let roles: Vec<&EntitySummary> = summary
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Role)
        .collect();
    if !roles.is_empty() {
        // Columns fit the longest name up to a bound; a longer name overflows its column rather than
        // asking the formatter for a width it cannot give (widths above 65 535 panic).
        let w = roles
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(4)
            .clamp(4, MAX_COLUMN);
        let reds: Vec<String> = model
            .roles
            .iter()
            .map(|r| crate::analyses::explain::redundancy(&r.kind))
            .collect();
        let rw = reds
            .iter()
            .map(|r| r.len())
            .max()
            .unwrap_or(10)
            .clamp(10, MAX_COLUMN);
        let _ = writeln!(out, "\nroles");
        let _ = writeln!(
            out,
            "  {:<w$}  {:<rw$} {:<27} {:>10} {:>11} {:>10}",
            "role",
            "redundancy",
            "availability [95% CI]",
            "downtime/yr",
            "outages/yr",
            "mean outage"
        );
        for (r, red) in roles.iter().zip(&reds) {
            let u = r.unavailability.value;
            let _ = writeln!(
                out,
                "  {:<w$}  {:<rw$} {:<27} {:>10} {:>11} {:>10}",
                r.name,
                red,
                format!(
                    "{} ±{}",
                    percent(r.availability.value, u),
                    sig3((r.availability.ci95_high - r.availability.ci95_low) * 50.0)
                ),
                hours(r.downtime_hours_per_year.value),
                sig3(r.outages_per_year.value),
                hours(r.mean_outage_hours.value),
            );
        }
        // Roles with a grace period: their impactful figures, as services show theirs.
        for r in &roles {
            let Some(t) = &r.tolerance else { continue };
            let rule = if t.counts == "whole" {
                "whole outages longer than"
            } else {
                "time beyond"
            };
            let _ = writeln!(
                out,
                "  {:<w$}  impactful downtime {} {} per year ({rule} {}); {} {} such outages per year",
                r.name,
                hours(t.impactful_downtime_hours_per_year.value),
                ci(&t.impactful_downtime_hours_per_year, hours),
                hours(t.tolerance_hours),
                sig3(t.impactful_outages_per_year.value),
                ci(&t.impactful_outages_per_year, sig3),
            );
        }
    }
    super::phases::table(&mut out, summary);
    mechanisms(&mut out, summary);
    if let Some(cost) = model.cost_line() {
        let _ = writeln!(out, "\n{cost}");
    }
    match run_time(summary) {
        Some(line) => {
            let _ = writeln!(out, "\n{} replications · {line}", summary.replications);
        }
        // A merge of shards: each part ran elsewhere, so there is no one run time to divide by.
        None => {
            let _ = writeln!(
                out,
                "\n{} replications · {} events (merged from the parts of a sharded run; run time not recorded)",
                summary.replications, summary.events,
            );
        }
    }
    out
}

/// `N events in 1.23s (4.5 million events/s) on 2 threads`, or `None` without a run time of its own
/// (a merge of shards). The table and the report say it the same way.
pub fn run_time(summary: &Summary) -> Option<String> {
    (summary.wall_seconds > 0.0).then(|| {
        format!(
            "{} events in {:.2}s ({} million events/s) on {} thread{}",
            summary.events,
            summary.wall_seconds,
            sig3(summary.events_per_second / 1e6),
            summary.threads,
            if summary.threads == 1 { "" } else { "s" }
        )
    })
}

/// Per-year figures of failover roles, data loss, clusters' quorum, crews and spare-part stocks.
fn mechanisms(out: &mut String, summary: &Summary) {
    let per_year = |e: &Estimate| format!("{} {}", sig3(e.value), ci(e, sig3));
    let h = |e: &Estimate| format!("{} {}", hours(e.value), ci(e, hours));
    for e in &summary.entities {
        if let Some(f) = &e.failover {
            let _ = writeln!(out, "\nrole {} (own mechanism, per year)", e.name);
            let mut counts = vec![format!("failovers {}", per_year(&f.failovers_per_year))];
            for (what, e) in [
                ("failed failovers", &f.failed_failovers_per_year),
                ("software restarts", &f.restarts_per_year),
            ] {
                if e.value > 0.0 {
                    counts.push(format!("{what} {}", per_year(e)));
                }
            }
            let _ = writeln!(out, "  {}", counts.join(" · "));
            let causes = [
                ("switching", &f.failover_hours_per_year),
                ("restarting", &f.restart_hours_per_year),
                ("operator", &f.manual_hours_per_year),
                ("no host up", &f.no_host_hours_per_year),
                ("restore/reinstall", &f.recovery_hours_per_year),
            ];
            let quorum = f
                .no_quorum_hours_per_year
                .as_ref()
                .map(|e| ("no quorum", e));
            let parts: Vec<String> = causes
                .iter()
                .chain(&quorum)
                .filter(|(_, e)| e.value > 0.0)
                .map(|(what, e)| format!("{what} {}", h(e)))
                .collect();
            if !parts.is_empty() {
                let _ = writeln!(out, "  own downtime by cause: {}", parts.join(" · "));
            }
        }
        if let Some(d) = &e.data_loss {
            let _ = writeln!(
                out,
                "  data lost per year {} in {} incidents; per incident mean {} · worst seen {}",
                h(&d.hours_per_year),
                sig3(d.incidents_per_year.value),
                h(&d.mean_per_incident_hours),
                hours(d.worst_hours)
            );
        }
    }
    for r in &summary.requests {
        let failed_share = r.outcome_shares.last();
        let _ = writeln!(
            out,
            "\nclients {} → {}{} ({} requests/yr)",
            r.name,
            r.target,
            r.fallback
                .as_ref()
                .map(|f| format!(", falling back to {f}"))
                .unwrap_or_default(),
            sig3(r.requests_per_year)
        );
        let _ = writeln!(
            out,
            "  success ratio       {:<14} {}   failed requests/yr {} {}",
            percent(r.success_ratio.value, 1.0 - r.success_ratio.value),
            ci(&r.success_ratio, |x| percent(
                x,
                1.0 - r.success_ratio.value
            )),
            sig3(r.failed_requests_per_year.value),
            ci(&r.failed_requests_per_year, sig3)
        );
        let _ = writeln!(
            out,
            "  latency             mean {} · P50 {} · P90 {} · P95 {} · P99 {} {} · P99.9 {} {} · max {}",
            hours(r.latency_mean_hours.value),
            hours(r.latency_p50_hours.value),
            hours(r.latency_p90_hours.value),
            hours(r.latency_p95_hours.value),
            hours(r.latency_p99_hours.value),
            ci(&r.latency_p99_hours, hours),
            hours(r.latency_p999_hours.value),
            ci(&r.latency_p999_hours, hours),
            hours(r.latency_max_hours.value)
        );
        if let Some(mu) = r.capacity_per_hour {
            let rows: Vec<String> = r
                .queue
                .iter()
                .rev()
                .map(|q| {
                    if q.utilisation >= 1.0 {
                        format!(
                            "{} up: {}% busy, saturated (every attempt times out)",
                            q.live,
                            sig3(q.utilisation * 100.0)
                        )
                    } else {
                        format!(
                            "{} up: {}% busy, {}% wait, mean wait {} if served in time ({} over all attempts), {}% time out",
                            q.live,
                            sig3(q.utilisation * 100.0),
                            sig3(q.p_wait * 100.0),
                            hours(q.mean_wait_hours),
                            hours(q.mean_wait_all_hours),
                            sig3(q.p_timeout * 100.0)
                        )
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "  queue               {}/s offered to {}/s per instance · {}",
                sig3(r.offered_load_per_hour / 3600.0),
                sig3(mu / 3600.0),
                rows.join(" · ")
            );
        }
        if let Some(c) = &r.cache {
            let _ = writeln!(
                out,
                "  cached data         delivered {}% {} · delay mean {} {} · P50 {} · P95 {} · P99 {} {} · worst {} · undelivered at end {} per mission",
                sig3(c.delivered_share.value * 100.0),
                ci(&c.delivered_share, |x| format!("{}%", sig3(x * 100.0))),
                hours(c.delay_mean_hours.value),
                ci(&c.delay_mean_hours, hours),
                hours(c.delay_p50_hours.value),
                hours(c.delay_p95_hours.value),
                hours(c.delay_p99_hours.value),
                ci(&c.delay_p99_hours, hours),
                hours(c.delay_max_hours),
                sig3(c.undelivered_at_end.value)
            );
        }
        if let Some(g) = &r.data_age {
            let _ = writeln!(
                out,
                "  data age            mean {} {} · P50 {} · P90 {} · P95 {} · P99 {} {} · older than {}: {}% of client-time {} ({} clients on average, {} client-hours per year) · worst {} (mean per mission {}, over {} replications)",
                hours(g.mean_hours.value),
                ci(&g.mean_hours, hours),
                hours(g.p50_hours.value),
                hours(g.p90_hours.value),
                hours(g.p95_hours.value),
                hours(g.p99_hours.value),
                ci(&g.p99_hours, hours),
                hours(g.stale_after_hours),
                sig3(g.stale_share.value * 100.0),
                ci(&g.stale_share, |x| format!("{}%", sig3(x * 100.0))),
                sig3(g.stale_clients.value),
                sig3(g.stale_client_hours_per_year.value),
                hours(g.worst_max_hours),
                hours(g.worst_mean_hours.value),
                g.mean_hours.n,
            );
        }
        if let Some(f) = &r.in_flight {
            let added = match &f.added_mean_hours {
                Some(a) => format!(
                    " · a completed cut request took {} {} longer",
                    hours(a.value),
                    ci(a, hours)
                ),
                None if f.on_cut != "fail" => " · no cut request completed".to_string(),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "  in flight           {} a request, on cut {} · cut {} {} per year · failed after a cut {} {}{added}",
                hours(f.duration_hours),
                f.on_cut,
                sig3(f.cut_per_year.value),
                ci(&f.cut_per_year, sig3),
                sig3(f.failed_after_cut_per_year.value),
                ci(&f.failed_after_cut_per_year, sig3),
            );
        }
        if let Some(m) = &r.reassign {
            let _ = writeln!(
                out,
                "  reassigned          {}% of the clients to {} after {} down, back {} after it returns · {} {} times per year · {} {} per year moved",
                sig3(m.share * 100.0),
                m.to,
                hours(m.after_hours),
                hours(m.back_after_hours),
                sig3(m.reassignments_per_year.value),
                ci(&m.reassignments_per_year, sig3),
                hours(m.reassigned_hours_per_year.value),
                ci(&m.reassigned_hours_per_year, hours),
            );
        }
        let _ = writeln!(
            out,
            "  client-visible downtime {} {} per year · server-side downtime of {} {} {}",
            hours(r.client_visible_downtime_hours_per_year.value),
            ci(&r.client_visible_downtime_hours_per_year, hours),
            r.target,
            hours(r.server_downtime_hours_per_year.value),
            ci(&r.server_downtime_hours_per_year, hours)
        );
        if let Some(f) = failed_share {
            let tries: Vec<String> = r.outcome_shares[..r.outcome_shares.len() - 1]
                .iter()
                .enumerate()
                .map(|(j, e)| {
                    let a = r.attempts_on_target as usize;
                    if j < a {
                        format!("attempt {} {}%", j + 1, sig3(e.value * 100.0))
                    } else {
                        format!("fallback attempt {} {}%", j - a + 1, sig3(e.value * 100.0))
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "  succeeded at        {} · failed {}%",
                tries.join(" · "),
                sig3(f.value * 100.0)
            );
        }
        let states: Vec<String> = r
            .by_state
            .iter()
            .filter(|b| b.share_of_requests.value > 0.0)
            .map(|b| {
                let ok = b.success_ratio.value;
                let p99 = if ok > 0.0 {
                    format!(", P99 {}", hours(b.latency_p99_hours.value))
                } else {
                    String::new()
                };
                format!(
                    "{} {}% of requests ({}% succeed{p99})",
                    b.state.replace('_', " "),
                    sig3(b.share_of_requests.value * 100.0),
                    sig3(ok * 100.0)
                )
            })
            .collect();
        let _ = writeln!(out, "  by state at arrival {}", states.join(" · "));
    }
    if summary.client_groups.len() > 1 {
        let _ = writeln!(
            out,
            "\nclients overall\n  {:<22} {:>5} {:>11}  {:<34} {:>12}  latency P50 · P95 · P99 · P99.9",
            "population", "kinds", "requests/yr", "success ratio [95% CI]", "failed/yr"
        );
        for g in &summary.client_groups {
            let ok = g.success_ratio.value;
            let _ = writeln!(
                out,
                "  {:<22} {:>5} {:>11}  {:<34} {:>12}  {} · {} · {} · {}",
                g.name,
                g.kinds,
                sig3(g.requests_per_year),
                format!(
                    "{} {}",
                    percent(ok, 1.0 - ok),
                    ci(&g.success_ratio, |x| percent(x, 1.0 - ok))
                ),
                sig3(g.failed_requests_per_year.value),
                hours(g.latency_p50_hours.value),
                hours(g.latency_p95_hours.value),
                hours(g.latency_p99_hours.value),
                hours(g.latency_p999_hours.value)
            );
        }
    }
    if !summary.clusters.is_empty() {
        let _ = writeln!(out, "\nclusters (quorum, per year)");
        for c in &summary.clusters {
            let _ = writeln!(
                out,
                "  {}: without quorum {} · quorum losses {}",
                c.name,
                h(&c.hours_without_quorum_per_year),
                per_year(&c.quorum_losses_per_year)
            );
        }
    }
    if !summary.latent.is_empty() {
        let _ = writeln!(out, "\nlatent failures (hidden until found, per year)");
        for l in &summary.latent {
            let mean = if l.mean_hidden_hours.value.is_finite() {
                h(&l.mean_hidden_hours)
            } else {
                "none found".to_string()
            };
            let lost = l
                .data_lost_hours_per_year
                .as_ref()
                .map(|d| format!(" · data lost for want of backups {}", h(d)))
                .unwrap_or_default();
            let caused: String = l
                .caused_downtime
                .iter()
                .map(|c| {
                    format!(
                        " · downtime of {} it caused {}",
                        c.service,
                        h(&c.hours_per_year)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "  {}: hidden failures {} · found by inspection {} · found when called on {} · mean hidden {} · hidden {}{}{}",
                l.node,
                per_year(&l.hidden_failures_per_year),
                per_year(&l.found_by_inspection_per_year),
                per_year(&l.found_when_called_per_year),
                mean,
                h(&l.hidden_hours_per_year),
                caused,
                lost
            );
        }
    }
    if !summary.crews.is_empty() {
        let _ = writeln!(out, "\ncrews");
        for c in &summary.crews {
            let util = format!(
                "{}% {}",
                sig3(c.utilisation.value * 100.0),
                ci(&c.utilisation, |x| format!("{}%", sig3(x * 100.0)))
            );
            let _ = writeln!(
                out,
                "  {} ({} technician{}): utilisation {} · mean wait for a technician {} · repairs/yr {}",
                c.name,
                c.technicians,
                if c.technicians == 1 { "" } else { "s" },
                util,
                h(&c.mean_wait_hours),
                per_year(&c.repairs_per_year)
            );
        }
    }
    if !summary.stocks.is_empty() {
        let _ = writeln!(out, "\nspare-part stocks");
        for k in &summary.stocks {
            let _ = writeln!(
                out,
                "  {} ({} part{}): stock-outs/yr {} · mean wait for a part {} · node downtime waiting for parts/yr {} · parts used/yr {}",
                k.name,
                k.parts,
                if k.parts == 1 { "" } else { "s" },
                per_year(&k.stockouts_per_year),
                h(&k.mean_wait_hours),
                h(&k.hours_waiting_per_year),
                per_year(&k.demands_per_year)
            );
        }
    }
}

fn entity_block(out: &mut String, e: &EntitySummary, summary: &Summary, model: &Model) {
    let u = e.unavailability.value;
    let target = e
        .target
        .map(|t| {
            let on = match &e.tolerance {
                Some(tol) if tol.judges_target => " on impactful downtime",
                _ => "",
            };
            format!(" (target {}{on})", percent(t, 1.0 - t))
        })
        .unwrap_or_default();
    let _ = writeln!(out, "service {}{target}", e.name);
    let _ = writeln!(
        out,
        "  availability        {:<14} {}   {} nines",
        percent(e.availability.value, u),
        ci(&e.availability, |x| percent(x, u)),
        if e.nines.value.is_finite() {
            format!("{:.2}", e.nines.value)
        } else {
            "∞".into()
        }
    );
    let _ = writeln!(
        out,
        "  downtime per year   {:<14} {}",
        hours(e.downtime_hours_per_year.value),
        ci(&e.downtime_hours_per_year, hours)
    );
    let _ = writeln!(
        out,
        "  annual downtime     P50 {} · P90 {} {} · P99 {} {} · worst {} (over {} mission-years)",
        hours(e.annual_downtime_hours_p50.value),
        hours(e.annual_downtime_hours_p90.value),
        ci(&e.annual_downtime_hours_p90, hours),
        hours(e.annual_downtime_hours_p99.value),
        ci(&e.annual_downtime_hours_p99, hours),
        hours(e.annual_downtime_hours_max),
        e.years_observed
    );
    let _ = writeln!(
        out,
        "  outages per year    {:<14} {}",
        sig3(e.outages_per_year.value),
        ci(&e.outages_per_year, sig3)
    );
    let _ = writeln!(
        out,
        "  mean outage         {:<14} {}",
        hours(e.mean_outage_hours.value),
        ci(&e.mean_outage_hours, hours)
    );
    let _ = writeln!(
        out,
        "  longest outage      {:<14} {} mean per mission; worst seen {}",
        hours(e.longest_outage_hours.value),
        ci(&e.longest_outage_hours, hours),
        hours(e.worst_outage_hours)
    );
    if e.planned_downtime_hours_per_year.value > 0.0 {
        let _ = writeln!(
            out,
            "  planned / unplanned {} {} / {} {} per year",
            hours(e.planned_downtime_hours_per_year.value),
            ci(&e.planned_downtime_hours_per_year, hours),
            hours(e.unplanned_downtime_hours_per_year.value),
            ci(&e.unplanned_downtime_hours_per_year, hours)
        );
    }
    let share = |h: f64| format!("{}%", sig3(100.0 * h / HOURS_PER_YEAR));
    let _ = writeln!(
        out,
        "  time at risk        {:<14} {} of the time up with no redundancy left ({}/yr)",
        share(e.at_risk_hours_per_year.value),
        ci(&e.at_risk_hours_per_year, share),
        hours(e.at_risk_hours_per_year.value)
    );
    if let Some(p) = &e.probability_year_misses_target {
        let pc = |x: f64| format!("{}%", sig3(x * 100.0));
        let _ = writeln!(
            out,
            "  years below target  {:<14} {}",
            pc(p.value),
            ci(p, pc)
        );
    }
    if let Some(t) = &e.tolerance {
        let rule = if t.counts == "whole" {
            "whole outages longer than"
        } else {
            "time beyond"
        };
        let _ = writeln!(
            out,
            "  impactful downtime  {:<14} {} per year ({rule} {}); {} {} such outages per year",
            hours(t.impactful_downtime_hours_per_year.value),
            ci(&t.impactful_downtime_hours_per_year, hours),
            hours(t.tolerance_hours),
            sig3(t.impactful_outages_per_year.value),
            ci(&t.impactful_outages_per_year, sig3),
        );
        if let Some(p) = &t.probability_year_misses_target {
            let pc = |x: f64| format!("{}%", sig3(x * 100.0));
            let _ = writeln!(
                out,
                "  years below target  {:<14} {} counting impactful downtime only",
                pc(p.value),
                ci(p, pc)
            );
        }
    }
    let parts: Vec<String> = summary
        .contributions
        .iter()
        .filter(|c| c.service == e.name)
        .take(5)
        .map(|c| {
            format!(
                "{} {}%",
                c.component,
                sig3(c.share_of_downtime.value * 100.0)
            )
        })
        .collect();
    if !parts.is_empty() {
        let _ = writeln!(out, "  down while down     {}", parts.join(" · "));
    }
    // Every hour to one cause: these add up to the downtime per year.
    let causes: Vec<&crate::estimate::attribution::Attribution> = summary
        .attribution
        .iter()
        .filter(|a| a.service == e.name)
        .collect();
    if !causes.is_empty() {
        let mut parts: Vec<String> = causes
            .iter()
            .take(6)
            .map(|a| {
                format!(
                    "{} {} ({}%)",
                    a.cause,
                    hours(a.hours_per_year.value),
                    sig3(a.share_of_downtime.value * 100.0)
                )
            })
            .collect();
        if causes.len() > 6 {
            let rest: f64 = causes[6..].iter().map(|a| a.hours_per_year.value).sum();
            parts.push(format!("{} more {}", causes.len() - 6, hours(rest)));
        }
        let _ = writeln!(out, "  downtime from       {}", parts.join(" · "));
    }
    if e.total_outages < 10 {
        let _ = writeln!(
            out,
            "  note: only {} outage{} seen in {} replications; these intervals are not reliable, run more replications",
            e.total_outages,
            if e.total_outages == 1 { "" } else { "s" },
            summary.replications
        );
        // Beyond what more replications can afford (almost no outage seen, or a target of five nines or
        // more), rare-event simulation is the way to a tight answer.
        if e.total_outages < 3 || e.target.is_some_and(|t| t >= 0.99999) {
            let how = if crate::analyses::exact::Chain::new(model, false).is_ok() {
                "every duration is exponential, so it solves the Markov chain exactly and estimates by importance sampling"
            } else {
                "it estimates by importance splitting, which works with these distributions"
            };
            let _ = writeln!(
                out,
                "  note: for many nines, run `nines rare SCENARIO --precision 0.1`: {how}"
            );
        }
    }
}
