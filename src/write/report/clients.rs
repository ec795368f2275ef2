//! The "Clients" section of a run's report: success and client-visible downtime, latency, requests by
//! the servers' state at arrival, queues, cached data of failed requests and client populations.

use super::page::{Block, Cell, Table, amount, caption, fraction, pct, share};
use crate::base::format::{hours, sig3};
use crate::estimate::summary::Summary;

pub(super) fn clients(summary: &Summary) -> Vec<Block> {
    if summary.requests.is_empty() {
        return Vec::new();
    }
    let n = summary.replications;
    let reqs = &summary.requests;
    let mut blocks = vec![
        Block::Subheading("Success and client-visible downtime".into()),
        Block::Table(Table {
            header: vec![
                "request".into(),
                "served by".into(),
                "requests per year".into(),
                "success ratio".into(),
                "failed requests per year".into(),
                "client-visible downtime per year".into(),
                "server-side downtime per year".into(),
            ],
            rows: reqs
                .iter()
                .map(|r| {
                    let served = match &r.fallback {
                        Some(f) => Cell::text(&r.target).detail(format!("falling back to {f}")),
                        None => Cell::text(&r.target),
                    };
                    vec![
                        Cell::text(&r.name),
                        served,
                        Cell::number(sig3(r.requests_per_year)).detail("exact"),
                        fraction(&r.success_ratio),
                        amount(&r.failed_requests_per_year, sig3),
                        amount(&r.client_visible_downtime_hours_per_year, hours),
                        amount(&r.server_downtime_hours_per_year, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Client-visible downtime is the time per year during which a new request fails; server-side downtime is the serving role's.",
                n,
            )),
        }),
        Block::Subheading("Latency of successful requests".into()),
        Block::Table(Table {
            header: vec![
                "request".into(),
                "mean".into(),
                "P50".into(),
                "P90".into(),
                "P95".into(),
                "P99".into(),
                "P99.9".into(),
                "typical max per mission".into(),
            ],
            rows: reqs
                .iter()
                .map(|r| {
                    let a = r.attempts_on_target as usize;
                    let k = r.outcome_shares.len().saturating_sub(1);
                    let mut tries: Vec<String> = r.outcome_shares[..k]
                        .iter()
                        .enumerate()
                        .map(|(j, e)| {
                            if j < a {
                                format!("attempt {} {}", j + 1, share(e.value, e.value))
                            } else {
                                format!(
                                    "fallback attempt {} {}",
                                    j - a + 1,
                                    share(e.value, e.value)
                                )
                            }
                        })
                        .collect();
                    if let Some(f) = r.outcome_shares.last() {
                        tries.push(format!("failed {}", share(f.value, f.value)));
                    }
                    vec![
                        Cell::text(&r.name).detail(format!("succeeded at {}", tries.join(" · "))),
                        amount(&r.latency_mean_hours, hours),
                        amount(&r.latency_p50_hours, hours),
                        amount(&r.latency_p90_hours, hours),
                        amount(&r.latency_p95_hours, hours),
                        amount(&r.latency_p99_hours, hours),
                        amount(&r.latency_p999_hours, hours),
                        amount(&r.latency_max_hours, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Latency counts retries, backoff and queueing; percentile intervals are conservative. Under each request: the share of requests that succeeded at each attempt, and that failed.",
                n,
            )),
        }),
    ];
    // After success and latency: how the failures of a kind whose rate changes by phase fall.
    blocks.extend(super::phases::phase_requests(summary));
    let states: Vec<Vec<Cell>> = reqs
        .iter()
        .flat_map(|r| {
            r.by_state
                .iter()
                .filter(|b| b.share_of_requests.value > 0.0)
                .map(|b| {
                    vec![
                        Cell::text(&r.name),
                        Cell::text(b.state.replace('_', " ")),
                        fraction(&b.share_of_requests),
                        fraction(&b.success_ratio),
                        amount(&b.latency_mean_hours, hours),
                        amount(&b.latency_p99_hours, hours),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if !states.is_empty() {
        blocks.push(Block::Subheading(
            "By state of the servers at arrival".into(),
        ));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "state at arrival".into(),
                "share of requests".into(),
                "success ratio".into(),
                "mean latency".into(),
                "P99 latency".into(),
            ],
            rows: states,
            caption: Some(caption(
                "All up: every instance of the serving role up; degraded: some down; down: the role unavailable.",
                n,
            )),
        }));
    }
    let queues: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.capacity_per_hour.map(|mu| (r, mu)))
        .flat_map(|(r, mu)| {
            r.queue
                .iter()
                .rev()
                .map(|q| {
                    vec![
                        Cell::text(&r.name),
                        Cell::number(format!("{}/s", sig3(r.offered_load_per_hour / 3600.0))),
                        Cell::number(format!("{}/s", sig3(mu / 3600.0))),
                        Cell::number(q.live.to_string()),
                        Cell::number(pct(q.utilisation)),
                        if q.utilisation >= 1.0 {
                            Cell::number("saturated").detail("every attempt times out")
                        } else {
                            Cell::number(pct(q.p_wait))
                        },
                        Cell::number(hours(q.mean_wait_hours)),
                        Cell::number(hours(q.mean_wait_all_hours)),
                        Cell::number(pct(q.p_timeout)),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if !queues.is_empty() {
        blocks.push(Block::Subheading("Queues".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "offered".into(),
                "capacity per instance".into(),
                "instances up".into(),
                "busy".into(),
                "wait".into(),
                "mean wait (served in time)".into(),
                "mean wait (all attempts)".into(),
                "time out".into(),
            ],
            rows: queues,
            caption: Some(
                "M/M/c queue of the serving role for each number of live instances: exact, from the inputs (no sampling error). Mean wait (served in time) is over the attempts served within their timeout; over all attempts, one that times out counts the whole timeout."
                    .into(),
            ),
        }));
    }
    let caches: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.cache.as_ref().map(|c| (r, c)))
        .map(|(r, c)| {
            vec![
                Cell::text(&r.name),
                fraction(&c.delivered_share),
                amount(&c.delay_mean_hours, hours),
                amount(&c.delay_p50_hours, hours),
                amount(&c.delay_p95_hours, hours),
                amount(&c.delay_p99_hours, hours),
                Cell::number(hours(c.delay_max_hours)).detail("no interval"),
                amount(&c.undelivered_at_end, sig3),
            ]
        })
        .collect();
    if !caches.is_empty() {
        blocks.push(Block::Subheading("Cached data of failed requests".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "delivered".into(),
                "mean delay".into(),
                "P50 delay".into(),
                "P95 delay".into(),
                "P99 delay".into(),
                "worst delay seen".into(),
                "undelivered at mission end".into(),
            ],
            rows: caches,
            caption: Some(caption(
                "Data of requests that failed, cached by the clients and delivered by a later request.",
                n,
            )),
        }));
    }
    let in_flight: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.in_flight.as_ref().map(|f| (r, f)))
        .map(|(r, f)| {
            vec![
                Cell::text(&r.name),
                Cell::number(hours(f.duration_hours)),
                Cell::text(f.on_cut),
                amount(&f.cut_per_year, sig3),
                amount(&f.failed_after_cut_per_year, sig3),
                f.added_mean_hours
                    .as_ref()
                    .map_or(Cell::text("—"), |a| amount(a, hours)),
            ]
        })
        .collect();
    if !in_flight.is_empty() {
        blocks.push(Block::Subheading("Requests cut in flight".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "duration".into(),
                "on cut".into(),
                "cut per year".into(),
                "failed after a cut per year".into(),
                "time a cut added".into(),
            ],
            rows: in_flight,
            caption: Some(caption(
                "Requests whose instance went down while they ran (a failure, failover or drain). Failed ones are also among the failed requests; the time added is the mean over cut requests that completed.",
                n,
            )),
        }));
    }
    let ages: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.data_age.as_ref().map(|g| (r, g)))
        .map(|(r, g)| {
            vec![
                Cell::text(&r.name),
                amount(&g.mean_hours, hours),
                amount(&g.p50_hours, hours),
                amount(&g.p90_hours, hours),
                amount(&g.p95_hours, hours),
                amount(&g.p99_hours, hours),
                Cell::number(hours(g.stale_after_hours)),
                fraction(&g.stale_share),
                amount(&g.stale_clients, sig3),
                amount(&g.worst_mean_hours, hours),
                Cell::number(hours(g.worst_max_hours)).detail("observed maximum, no interval"),
            ]
        })
        .collect();
    if !ages.is_empty() {
        blocks.push(Block::Subheading("Data age".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "mean age".into(),
                "P50 age".into(),
                "P90 age".into(),
                "P95 age".into(),
                "P99 age".into(),
                "stale after".into(),
                "stale share of client-time".into(),
                "clients stale on average".into(),
                "worst age per mission (mean)".into(),
                "worst age seen".into(),
            ],
            rows: ages,
            caption: Some(caption(
                "Age of the data each request refreshes (a policy, an inventory): the time since the client's last successful request, over all clients and mission time. The worst age is the longest stretch in which no request could succeed, so every client's data got at least that old.",
                n,
            )),
        }));
    }
    let moved: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.reassign.as_ref().map(|m| (r, m)))
        .map(|(r, m)| {
            vec![
                Cell::text(&r.name),
                Cell::text(&m.to),
                Cell::number(format!("{}%", sig3(m.share * 100.0))),
                Cell::number(hours(m.after_hours)),
                Cell::number(hours(m.back_after_hours)),
                amount(&m.reassignments_per_year, sig3),
                amount(&m.reassigned_hours_per_year, hours),
            ]
        })
        .collect();
    if !moved.is_empty() {
        blocks.push(Block::Subheading("Clients reassigned".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "moved to".into(),
                "share".into(),
                "after".into(),
                "back after".into(),
                "reassignments per year".into(),
                "time moved per year".into(),
            ],
            rows: moved,
            caption: Some(caption(
                "An operator moves a share of the population to another role once the target has been down for a while, and back a while after it returns.",
                n,
            )),
        }));
    }
    if summary.client_groups.len() > 1 {
        blocks.push(Block::Subheading("Client populations".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "population".into(),
                "request kinds".into(),
                "requests per year".into(),
                "success ratio".into(),
                "failed requests per year".into(),
                "P50 latency".into(),
                "P95 latency".into(),
                "P99 latency".into(),
                "P99.9 latency".into(),
            ],
            rows: summary
                .client_groups
                .iter()
                .map(|g| {
                    vec![
                        Cell::text(&g.name),
                        Cell::number(g.kinds.to_string()),
                        Cell::number(sig3(g.requests_per_year)).detail("exact"),
                        fraction(&g.success_ratio),
                        amount(&g.failed_requests_per_year, sig3),
                        amount(&g.latency_p50_hours, hours),
                        amount(&g.latency_p95_hours, hours),
                        amount(&g.latency_p99_hours, hours),
                        amount(&g.latency_p999_hours, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "All the requests of each population, then of all clients.",
                n,
            )),
        }));
    }
    blocks
}
