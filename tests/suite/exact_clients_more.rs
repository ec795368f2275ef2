//! Statistical tests of the second part of the clients issue against exact answers: queues at targets
//! with a capacity (M/M/c), cached data of failed requests and its delivery delay, and DNS round robin
//! with a TTL.
//!
//! The acceptance rule is the one of the other `exact*` crates: the exact value derived here lies
//! within 4 standard errors of the estimate, and 4 standard errors are below 1% of it (figures that
//! are deterministic given the scenario, such as those of fixed schedules, must agree to rounding).
//! The seeds are the defaults and were not chosen.

use crate::common;

use common::ctmc::TwoState;
use common::{Checks, binomial, permutations, power, simulate};
use nines::base::units::HOURS_PER_YEAR;
use nines::estimate::summary::{RequestSummary, Summary};

/// One second, in hours.
const SECOND: f64 = 1.0 / 3600.0;

fn request<'a>(s: &'a Summary, name: &str) -> &'a RequestSummary {
    s.requests
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no request kind {name}"))
}

/// Erlang's C formula from its definition: the probability that an arrival to an M/M/c queue with
/// offered load `a` Erlangs waits.
fn erlang_c(c: usize, a: f64) -> f64 {
    let mut term = 1.0;
    let mut below = 0.0;
    for k in 0..c {
        below += term;
        term *= a / (k + 1) as f64;
    }
    let top = term * c as f64 / (c as f64 - a);
    top / (below + top)
}

/// The queue of `c` live instances serving `mu` per hour each, offered `lambda` per hour, for
/// attempts that give up after `timeout`: (P(wait), rate of the wait's tail, P(served in time)).
fn queue(c: usize, mu: f64, lambda: f64, timeout: f64) -> (f64, f64, f64) {
    if c == 0 || lambda >= c as f64 * mu {
        return (1.0, 0.0, 0.0);
    }
    let p = erlang_c(c, lambda / mu);
    let theta = c as f64 * mu - lambda;
    (p, theta, 1.0 - p * (-theta * timeout).exp())
}

/// The largest x with f(x) < p for an increasing f, by bisection on [lo, hi].
fn invert(f: impl Fn(f64) -> f64, p: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) >= p {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

// ----- 1. A pool behind a queue: M/M/c by the number of live instances -----

/// Three exponential nodes (failure and repair mean 50 h: each is down half the time, so every
/// number of live instances is common) serving 0.2 requests per second each. 1000 clients poll every
/// 60 min: 1000 requests per hour offered, a = 1000/720 = 1.39 Erlangs. With three instances up the
/// queue is light, with two it is heavy, with one it is saturated (every attempt times out). Random
/// selection, three attempts with a 5 s timeout, fixed 0.1 s response.
///
/// Exact law: a request sees one set of live instances for its whole 10 s horizon (a node changes
/// state during it with probability about 10 s / 25 h = 1e-4, and then only sometimes changes the
/// outcome: far below the 0.25% resolution, so neglected). For k live instances, an attempt on a live
/// instance is served in time with probability s_k = 1 − C(k, a)·e^{−(kμ − λ)·timeout}, and the
/// attempts go over one random order of the three instances; P(first success at attempt j | live
/// set) is enumerated over the 3! orders, independently of the engine's dynamic programme. The
/// time-average probability of k live nodes is C(3, k)·avg[u(s)^k d(s)^{3−k}] with the transient
/// u, d of nodes that start up, integrated exactly.
#[test]
fn pool_queue_follows_erlang_c_by_live_instances() {
    const N: usize = 3;
    let mu = 0.2 / SECOND;
    let lambda = 1000.0;
    let timeout = 5.0 * SECOND;
    let response = 0.1 * SECOND;
    let text = r#"
        [simulation]
        mission = "200y"
        replications = 100
        [nodes.n]
        count = 3
        failure = { dist = "exponential", mean = "50h" }
        repair = { dist = "exponential", mean = "50h" }
        [roles.mp]
        kind = "pool"
        on = "n"
        capacity = "0.2/s"
        [clients.desk]
        count = 1000
        [clients.desk.requests.poll]
        target = "mp"
        every = "60min"
        timeout = "5s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 3
    "#;
    let (model, s) = simulate(text);
    let t = model.simulation.mission;
    let node = TwoState::from_means(50.0, 50.0);
    let up = node.up_up();
    let down = node.up_down();
    // Time-average probability of k live nodes.
    let p_live: Vec<f64> = (0..=N)
        .map(|k| binomial(N, k) * power(&up, k).times(&power(&down, N - k)).integral(0.0, t) / t)
        .collect();
    assert!((p_live.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // P(first success at attempt j | k live): live instances are 0..k (any set of k alike).
    let orders = permutations(N);
    let mut shares = [0.0; 4];
    let mut latency_sum = 0.0;
    let mut all_up = [0.0; 3];
    for (k, &pk) in p_live.iter().enumerate() {
        let (p_wait, theta, in_time) = queue(k, mu, lambda, timeout);
        // Mean wait of an attempt served in time: E[W; W ≤ timeout] / P(W ≤ timeout).
        let wait = if in_time > 0.0 && theta > 0.0 {
            p_wait * (1.0 / theta - (-theta * timeout).exp() * (timeout + 1.0 / theta)) / in_time
        } else {
            0.0
        };
        for order in &orders {
            let mut reach = 1.0;
            for j in 0..3 {
                if order[j % N] < k {
                    let p = pk / orders.len() as f64 * reach * in_time;
                    shares[j] += p;
                    latency_sum += p * (j as f64 * timeout + wait + response);
                    if k == N {
                        all_up[j] += p;
                    }
                    reach *= 1.0 - in_time;
                }
            }
            shares[3] += pk / orders.len() as f64 * reach;
        }
    }
    let r = request(&s, "desk.poll");
    let mut ck = Checks::default();
    for (j, (e, &p)) in r.outcome_shares.iter().zip(&shares).enumerate() {
        let what = if j < 3 {
            format!("share succeeding at attempt {j}")
        } else {
            "share failed".to_string()
        };
        ck.exact(&what, e, p);
    }
    let success = 1.0 - shares[3];
    ck.exact("success ratio", &r.success_ratio, success);
    ck.exact(
        "mean latency (h)",
        &r.latency_mean_hours,
        latency_sum / success,
    );
    ck.exact(
        "client-visible downtime h/yr",
        &r.client_visible_downtime_hours_per_year,
        shares[3] * HOURS_PER_YEAR,
    );
    // The queue figures are the inputs' exact consequences.
    for row in &r.queue {
        let (p_wait, _, in_time) = queue(row.live as usize, mu, lambda, timeout);
        ck.close(&format!("P(wait) with {} up", row.live), row.p_wait, p_wait);
        ck.close(
            &format!("P(time out) with {} up", row.live),
            row.p_timeout,
            1.0 - in_time,
        );
        ck.close(
            &format!("utilisation with {} up", row.live),
            row.utilisation,
            lambda / (row.live as f64 * mu),
        );
    }
    assert_eq!(
        r.queue.len(),
        N,
        "one queue row per number of live instances"
    );
    // P99 of requests arriving with all up: the mixture over attempts j (weights all_up[j]) of
    // j·timeout + response + the wait cut at the timeout, whose law is
    // P(W ≤ w | W ≤ timeout) = (1 − C·e^{−θw}) / s.
    let (p_wait, theta, in_time) = queue(N, mu, lambda, timeout);
    let total: f64 = all_up.iter().sum();
    let cdf = |x: f64| -> f64 {
        (0..3)
            .map(|j| {
                let w = x - j as f64 * timeout - response;
                if w < 0.0 {
                    0.0
                } else {
                    all_up[j] * (1.0 - p_wait * (-theta * w.min(timeout)).exp()) / in_time
                }
            })
            .sum::<f64>()
            / total
    };
    let exact_p99 = invert(cdf, 0.99, 0.0, 1.0);
    let state = r
        .by_state
        .iter()
        .find(|b| b.state == "all_up")
        .expect("all up");
    let e = &state.latency_p99_hours;
    println!(
        "all-up p99: estimate {} s [{}, {}], exact {} s",
        e.value / SECOND,
        e.ci95_low / SECOND,
        e.ci95_high / SECOND,
        exact_p99 / SECOND
    );
    // The exact p99 sits on an atom of the law (no wait), found by bisection to 1e-9.
    let slack = 1e-8 * exact_p99;
    if !(e.ci95_low - slack <= exact_p99 && exact_p99 <= e.ci95_high + slack) {
        ck.failures
            .push("all-up p99: the 95% interval misses the exact value".into());
    }
    if e.ci95_high - e.ci95_low > 0.01 * exact_p99 {
        ck.failures
            .push("all-up p99: the interval is too wide to catch a 1% error".into());
    }
    ck.finish();
}

// ----- 2. Cached data after an outage of fixed length -----

/// One node up 100 h, down 10 h, again and again (fixed durations); the mission of 985 h has eight
/// whole outages and cuts the ninth, [980 h, 985 h), at its middle. 100 clients send one request an
/// hour (Poisson), one attempt with a 36 s timeout, and cache what fails. A request failing at s in an
/// outage [a, a + 10) gives up at s + T (T = 0.01 h) and its data goes with the client's first request
/// after that which finds the node up: at a + 10 + E when s + T < a + 10, else at s + T + E, with E
/// exponential of the client's rate (1/h). So the delay is max(u, T) + E with u = a + 10 − s uniform
/// on (0, 10]: mean 5 + T²/20 + 1 h, and P(delay ≤ x) = E_u[1 − e^{−(x − max(u, T))}; x ≥ max(u, T)].
/// (The next outage comes 100 h later: a delivery later than that has probability e^{−100}.)
/// Everything failing in the cut outage is undelivered at the end: 100 × 5 = 500 requests; 8000 are
/// delivered. The schedule is fixed, so these counts are exact in every replication. The percentiles
/// have distribution-free intervals that count each replication once (the 72 cached items of one
/// replication are not taken as independent), hence the many short replications.
#[test]
fn cached_data_is_delivered_after_a_fixed_outage() {
    let text = r#"
        [simulation]
        mission = "985h"
        replications = 160000
        [nodes.box]
        failure = { dist = "fixed", value = "100h" }
        repair = { dist = "fixed", value = "10h" }
        [roles.status]
        kind = "standalone"
        on = "box"
        [clients.agents]
        count = 100
        [clients.agents.requests.report]
        target = "status"
        every = "60min"
        timeout = "36s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 1
        when_all_fail = "cache"
    "#;
    let (_, s) = simulate(text);
    let r = request(&s, "agents.report");
    let c = r.cache.as_ref().expect("cache figures");
    let t_out = 0.01;
    let mut ck = Checks::default();
    ck.close(
        "failed requests per year",
        r.failed_requests_per_year.value,
        (8.0 * 1000.0 + 500.0) / 985.0 * HOURS_PER_YEAR,
    );
    ck.close("delivered share", c.delivered_share.value, 8000.0 / 8500.0);
    ck.close(
        "undelivered at mission end",
        c.undelivered_at_end.value,
        500.0,
    );
    ck.exact(
        "mean delivery delay (h)",
        &c.delay_mean_hours,
        5.0 + t_out * t_out / 20.0 + 1.0,
    );
    // P(delay ≤ x), integrating over u in closed form: for u ≤ T the wait is T; above, u.
    let cdf = |x: f64| -> f64 {
        let part = |lo: f64, hi: f64| -> f64 {
            // (1/10) ∫_lo^hi (1 − e^{−(x − u)}) du over u ≤ x.
            let hi = hi.min(x);
            if hi <= lo {
                return 0.0;
            }
            ((hi - lo) - ((-(x - hi)).exp() - (-(x - lo)).exp())) / 10.0
        };
        let below = if x >= t_out {
            t_out / 10.0 * (1.0 - (-(x - t_out)).exp())
        } else {
            0.0
        };
        below + part(t_out, 10.0)
    };
    for (p, e) in [(0.5, &c.delay_p50_hours), (0.99, &c.delay_p99_hours)] {
        let exact = invert(cdf, p, 0.0, 100.0);
        ck.exact(&format!("delivery delay p{}", p * 100.0), e, exact);
    }
    ck.finish();
}

// ----- 3. Cached data after exponential outages -----

/// One exponential node (failure mean 200 h, repair mean 10 h), 50 clients each sending a request
/// every 2 h on average, one attempt (36 s timeout), caching what fails. A request fails when it
/// arrives while the node is down; it gives up T = 0.01 h later. The data goes with the first later
/// request of its client that finds the node up: from give-up, the node is down with probability
/// p_dd(T) = q + (1 − q)e^{−σT} (down at the failure, q = λ/σ); from down the expected time to
/// delivery is m_d = 1/μ + m_u, from up m_u = (1 + λ m_d)/(ν + λ) with ν the client's rate, so
/// m_d = (ν + λ)/(νμ) + 1/ν. The mean delay is T + p_dd m_d + (1 − p_dd) m_u. (Data still cached at
/// the end of the 50-year mission is not delivered; it is about m_d / mission = 3e-5 of the data,
/// far below the resolution of the test.)
#[test]
fn cached_data_waits_for_the_repair_and_the_next_request() {
    let text = r#"
        [simulation]
        mission = "50y"
        replications = 400
        [nodes.box]
        failure = { dist = "exponential", mean = "200h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.status]
        kind = "standalone"
        on = "box"
        [clients.agents]
        count = 50
        [clients.agents.requests.report]
        target = "status"
        every = "2h"
        timeout = "36s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 1
        when_all_fail = "cache"
    "#;
    let (_, s) = simulate(text);
    let r = request(&s, "agents.report");
    let c = r.cache.as_ref().expect("cache figures");
    let (lambda, mu, nu, t_out): (f64, f64, f64, f64) = (1.0 / 200.0, 1.0 / 10.0, 0.5, 0.01);
    let sigma = lambda + mu;
    let p_dd = lambda / sigma + mu / sigma * (-sigma * t_out).exp();
    let m_d = (nu + lambda) / (nu * mu) + 1.0 / nu;
    let m_u = (1.0 + lambda * m_d) / (nu + lambda);
    let mut ck = Checks::default();
    ck.exact(
        "mean delivery delay (h)",
        &c.delay_mean_hours,
        t_out + p_dd * m_d + (1.0 - p_dd) * m_u,
    );
    ck.finish();
}

// ----- 4. DNS round robin with a TTL -----

/// Two instances: node a is up 100 h and down 10 h again and again (fixed), node b never fails
/// within the mission. Clients resolve the pool's name and keep the address for 20 h (re-resolving
/// out of phase), and send both attempts (60 s apart) to it. The mission of 1105 h has ten whole
/// outages of a, starting at 100 + 110m h.
///
/// Health-checked DNS answers with a live instance: half the clients hold a before an outage, and at
/// 100 + u h (u ≤ 20) the share still holding a is ½(1 − u/20) (answers given in the last 20 h,
/// those since the outage all for b). A request arriving at 100 + u fails when it holds a and a is
/// still down a minute later: u < 10 − T. It succeeds at the second attempt when a is back by then:
/// 10 − T ≤ u < 10. After the repair a's share returns linearly, and no request fails.
///
/// Plain DNS answers with either instance: half the clients always hold a, so a request fails when
/// a is down at both attempts, with probability ½ for u < 10 − T, and succeeds at the second attempt
/// with probability ½ for 10 − T ≤ u < 10.
///
/// The pool itself (1 of 2) is never down: all of this is client-visible downtime only.
#[test]
fn dns_clients_keep_a_dead_address_until_the_ttl_expires() {
    let kind = |name: &str, checked: bool| {
        format!(
            r#"
            [clients.users.requests.{name}]
            target = "web"
            every = "60min"
            timeout = "60s"
            response = {{ dist = "fixed", value = "0.1s" }}
            max_attempts = 2
            reconnect = "dns"
            ttl = "20h"
            health_checked = {checked}
            "#
        )
    };
    let text = format!(
        r#"
        [simulation]
        mission = "1105h"
        replications = 6000
        [nodes.a]
        failure = {{ dist = "fixed", value = "100h" }}
        repair = {{ dist = "fixed", value = "10h" }}
        [nodes.b]
        failure = {{ dist = "fixed", value = "100000h" }}
        repair = {{ dist = "fixed", value = "1h" }}
        [roles.web]
        kind = "pool"
        on = ["a", "b"]
        [clients.users]
        count = 100
        {}
        {}
        "#,
        kind("checked", true),
        kind("plain", false),
    );
    let (model, s) = simulate(&text);
    let t = model.simulation.mission;
    let rate = 100.0;
    let (ttl, t_out) = (20.0, 1.0 / 60.0);
    let outages = 10.0;
    // ∫ ½(1 − u/ttl) du from x to y.
    let share = |x: f64, y: f64| 0.5 * ((y - x) - (y * y - x * x) / (2.0 * ttl));
    let mut ck = Checks::default();
    for (name, fail, second) in [
        (
            "users.checked",
            share(0.0, 10.0 - t_out),
            share(10.0 - t_out, 10.0),
        ),
        ("users.plain", 0.5 * (10.0 - t_out), 0.5 * t_out),
    ] {
        let r = request(&s, name);
        let requests = rate * t;
        ck.close(
            &format!("{name} failed requests per year"),
            r.failed_requests_per_year.value,
            rate * outages * fail / t * HOURS_PER_YEAR,
        );
        ck.close(
            &format!("{name} client-visible downtime h/yr"),
            r.client_visible_downtime_hours_per_year.value,
            outages * fail / t * HOURS_PER_YEAR,
        );
        // Second-attempt successes come from the probes that straddle the repair.
        ck.exact(
            &format!("{name} share succeeding at attempt 1"),
            &r.outcome_shares[1],
            rate * outages * second / requests,
        );
        ck.equal(
            &format!("{name} server-side downtime"),
            r.server_downtime_hours_per_year.value,
            0.0,
        );
    }
    // The population and all clients (the same two kinds here) add the kinds' requests up.
    assert_eq!(s.client_groups.len(), 2, "the population, then all clients");
    let kinds_failed: f64 = s
        .requests
        .iter()
        .map(|r| r.failed_requests_per_year.value)
        .sum();
    for g in &s.client_groups {
        ck.close(
            &format!("{} failed requests per year", g.name),
            g.failed_requests_per_year.value,
            kinds_failed,
        );
        ck.close(
            &format!("{} success ratio", g.name),
            g.success_ratio.value,
            1.0 - kinds_failed / (2.0 * rate * HOURS_PER_YEAR),
        );
        // Both kinds answer in 0.1 s at the first attempt almost always.
        ck.close(
            &format!("{} latency p50 (s)", g.name),
            g.latency_p50_hours.value / SECOND,
            0.1,
        );
    }
    ck.finish();
}

/// One attempt and a 40 h TTL: requests see one state for their whole (zero) horizon, so only the
/// closed form over the DNS answers of the last TTL is at work, no probe.
#[test]
fn dns_single_attempt_fails_while_stale_answers_last() {
    let text = r#"
        [simulation]
        mission = "1105h"
        replications = 100
        [nodes.a]
        failure = { dist = "fixed", value = "100h" }
        repair = { dist = "fixed", value = "10h" }
        [nodes.b]
        failure = { dist = "fixed", value = "100000h" }
        repair = { dist = "fixed", value = "1h" }
        [roles.web]
        kind = "pool"
        on = ["a", "b"]
        [clients.users]
        count = 100
        [clients.users.requests.get]
        target = "web"
        every = "60min"
        timeout = "60s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 1
        reconnect = "dns"
        ttl = "40h"
        health_checked = true
    "#;
    let (model, s) = simulate(text);
    let t = model.simulation.mission;
    // During an outage at 100 + u (u < 10), the share holding a is ½(1 − u/40): answers from before
    // the outage that have not expired. One attempt: a request fails exactly when it holds a then.
    let per_outage = 0.5 * (10.0 - 100.0 / 80.0);
    let r = request(&s, "users.get");
    let mut ck = Checks::default();
    ck.close(
        "client-visible downtime h/yr",
        r.client_visible_downtime_hours_per_year.value,
        10.0 * per_outage / t * HOURS_PER_YEAR,
    );
    ck.finish();
}
