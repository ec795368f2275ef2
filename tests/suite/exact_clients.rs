//! Statistical tests of client populations and request kinds (issue 4, part 1: selection policies,
//! timeouts, attempts and backoff) against exact answers.
//!
//! The acceptance rule is the one of `tests/suite/exact.rs` and `tests/suite/exact_ha.rs`: each test derives the
//! exact value in code, runs the simulator with the default seed (never chosen), and asserts (1) the
//! exact value lies within 4 standard errors of the estimate and (2) 4 standard errors are below 1%
//! of the exact value, so a model that is wrong by 1% would fail. Every figure of a test is checked
//! before the test fails, so one run lists all disagreements.
//!
//! The engine counts, per replication, the expected number of requests with each outcome (closed
//! forms while the instances' state is constant, stratified probe requests where an arrival's attempts
//! straddle a change), so every figure is an unbiased per-replication quantity and the estimates are
//! means over replications. The exact values are therefore interval averages over the mission of the
//! probability that a request arriving at s has each outcome:
//!
//! * pools of independent exponential nodes that start up: a request tries distinct nodes at the
//!   start offsets o_j of its attempts, and distinct independent nodes are independent at any times,
//!   so P(success at j | arrival s) = Π_{i<j} d_i(s + o_i) · (1 − d_j(s + o_j)) with d(t) the node's
//!   transient probability of being down. This holds for arrivals whose attempts straddle a state
//!   change too, so these exact values need no straddling correction at all; they are integrated in
//!   closed form (`ExpSum`), transient included;
//! * a single instance tried repeatedly (backoff): a renewal-reward argument over failure–repair
//!   cycles, where straddling is the whole point.

use crate::common;

use std::sync::OnceLock;

use common::ctmc::{ExpSum, TwoState};
use common::{Checks, binomial, permutations, power, simulate, std_error};
use nines::base::units::HOURS_PER_YEAR;
use nines::estimate::summary::{EntitySummary, RequestSummary, Summary};
use nines::model::Model;

/// One second, in hours.
const SECOND: f64 = 1.0 / 3600.0;

fn request<'a>(s: &'a Summary, name: &str) -> &'a RequestSummary {
    s.requests
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no request kind {name}"))
}

fn entity<'a>(s: &'a Summary, name: &str) -> &'a EntitySummary {
    s.entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entity {name}"))
}

/// Exact figures of one request kind.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    /// Per attempt j, the share of requests that succeed at attempt j; then the share that fail
    /// (the layout of `RequestSummary::outcome_shares`).
    shares: Vec<f64>,
    /// Per attempt j, the latency of a request that succeeds at it, hours.
    latency: Vec<f64>,
}

impl Expected {
    fn new(shares: Vec<f64>, latency: Vec<f64>) -> Expected {
        assert_eq!(shares.len(), latency.len() + 1);
        let total: f64 = shares.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "shares add up to {total}");
        Expected { shares, latency }
    }

    fn failed(&self) -> f64 {
        *self.shares.last().expect("shares")
    }

    fn success(&self) -> f64 {
        self.shares[..self.latency.len()].iter().sum()
    }

    /// Mean latency of successful requests: Σ_j share_j · latency_j / Σ_j share_j (requests are
    /// counted, so this is the ratio of expected sums, which the ratio of per-replication sums
    /// estimates with a bias of order 1/(arrivals per replication)).
    fn mean_latency(&self) -> f64 {
        self.shares
            .iter()
            .zip(&self.latency)
            .map(|(p, l)| p * l)
            .sum::<f64>()
            / self.success()
    }

    /// Agrees with another derivation to rounding.
    fn assert_same(&self, other: &Expected, what: &str) {
        for (j, (a, b)) in self.shares.iter().zip(&other.shares).enumerate() {
            assert!(
                (a - b).abs() <= 1e-9 * b.abs(),
                "{what}: outcome {j}: {a} vs {b}"
            );
        }
    }
}

/// Checks every figure of a request kind against the exact ones.
fn check_request(ck: &mut Checks, r: &RequestSummary, exact: &Expected, requests_per_year: f64) {
    let attempts = exact.latency.len();
    assert_eq!(
        r.outcome_shares.len(),
        attempts + 1,
        "{}: one outcome share per attempt and one for failures",
        r.name
    );
    println!(
        "--- {} (exact shares {:?}, latencies {:?} s)",
        r.name,
        exact.shares,
        exact.latency.iter().map(|l| l / SECOND).collect::<Vec<_>>()
    );
    ck.close(
        &format!("{} requests per year", r.name),
        r.requests_per_year,
        requests_per_year,
    );
    for (j, (e, &p)) in r.outcome_shares.iter().zip(&exact.shares).enumerate() {
        let what = if j < attempts {
            format!("{} share succeeding at attempt {j}", r.name)
        } else {
            format!("{} share failed", r.name)
        };
        ck.exact(&what, e, p);
    }
    ck.exact(
        &format!("{} success ratio", r.name),
        &r.success_ratio,
        exact.success(),
    );
    ck.exact(
        &format!("{} failed requests per year", r.name),
        &r.failed_requests_per_year,
        requests_per_year * exact.failed(),
    );
    // ∫ P(a request arriving at s fails) ds per year.
    ck.exact(
        &format!("{} client-visible downtime h/yr", r.name),
        &r.client_visible_downtime_hours_per_year,
        exact.failed() * HOURS_PER_YEAR,
    );
    ck.exact(
        &format!("{} mean latency (h)", r.name),
        &r.latency_mean_hours,
        exact.mean_latency(),
    );
    // Percentiles: with a fixed response the latency takes the values latency_j with probabilities
    // share_j / success, so the p-quantile is the first latency_j whose cumulative share reaches p.
    // The estimate plugs the estimated shares into that law, so it equals the exact quantile as long
    // as no cumulative share is within its noise of p (levels within 10 standard errors of a step, the
    // SE of a cumulative share bounded by the sum of its shares' SEs, are not checked).
    let cumulative: Vec<f64> = exact
        .shares
        .iter()
        .take(attempts)
        .scan(0.0, |c, p| {
            *c += p / exact.success();
            Some(*c)
        })
        .collect();
    for (p, e) in [
        (0.5, &r.latency_p50_hours),
        (0.9, &r.latency_p90_hours),
        (0.99, &r.latency_p99_hours),
        (0.999, &r.latency_p999_hours),
    ] {
        let what = format!("{} latency p{} (s)", r.name, 100.0 * p);
        // The last cumulative share is 1: not a step any p < 1 can sit on.
        let near_step = cumulative[..attempts - 1].iter().enumerate().any(|(j, c)| {
            let noise: f64 =
                r.outcome_shares[..=j].iter().map(std_error).sum::<f64>() / exact.success();
            (c - p).abs() < 10.0 * noise
        });
        if near_step {
            println!(
                "{what}: {} (level too close to a step: not checked)",
                e.value / SECOND
            );
            continue;
        }
        let j = cumulative
            .iter()
            .position(|&c| c >= p)
            .unwrap_or(attempts - 1);
        let quantile = exact.latency[j];
        ck.close(&what, e.value / SECOND, quantile / SECOND);
        if !(e.ci95_low <= quantile * (1.0 + 1e-9) && quantile <= e.ci95_high * (1.0 + 1e-9)) {
            ck.failures.push(format!(
                "{what}: 95% interval [{}, {}] s misses the exact {} s",
                e.ci95_low / SECOND,
                e.ci95_high / SECOND,
                quantile / SECOND
            ));
        }
    }
}

/// Interval-averaged outcome shares of requests that try the distinct, independent nodes `tried`
/// (each starting up at time 0) at start offsets `offsets` (one node per attempt): a request
/// arriving at s succeeds at attempt j when the nodes of attempts 0..j are down at s + o_i and the
/// node of attempt j is up at s + o_j. Each factor is the node's transient probability
/// d(t) = q(1 − e^{−σt}) (or 1 − d), shifted by its offset; the product is integrated exactly over
/// [0, T]. Requires distinct nodes: attempts on one node at two times are not independent.
fn shares_for_order(tried: &[TwoState], offsets: &[f64], t: f64) -> Vec<f64> {
    assert_eq!(tried.len(), offsets.len());
    let mut all_dead = ExpSum::constant(1.0);
    let mut shares = Vec::new();
    for (node, &o) in tried.iter().zip(offsets) {
        let down = node.up_down().shifted(o);
        let up = ExpSum::constant(1.0).plus_scaled(-1.0, &down);
        shares.push(all_dead.times(&up).integral(0.0, t) / t);
        all_dead = all_dead.times(&down);
    }
    shares.push(all_dead.integral(0.0, t) / t);
    shares
}

/// [`shares_for_order`] averaged over equally likely orders of `nodes` (instance indices); only the
/// first `offsets.len()` positions of each order are tried (at most one pass).
fn shares_over_orders(
    nodes: &[TwoState],
    orders: &[Vec<usize>],
    offsets: &[f64],
    t: f64,
) -> Vec<f64> {
    assert!(offsets.len() <= nodes.len(), "one pass at most");
    let mut total = vec![0.0; offsets.len() + 1];
    for order in orders {
        let tried: Vec<TwoState> = order[..offsets.len()].iter().map(|&i| nodes[i]).collect();
        for (a, b) in total.iter_mut().zip(shares_for_order(&tried, offsets, t)) {
            *a += b / orders.len() as f64;
        }
    }
    total
}

/// `ordered`: the `on` order.
fn identity(n: usize) -> Vec<Vec<usize>> {
    vec![(0..n).collect()]
}

/// `round_robin`: the `on` order rotated to each of the n starts, equally likely.
fn rotations(n: usize) -> Vec<Vec<usize>> {
    (0..n)
        .map(|r| (0..n).map(|i| (r + i) % n).collect())
        .collect()
}

/// Start offsets of attempts 0..m against n instances: j·timeout + ⌊j/n⌋·backoff (the spec).
fn offsets(m: usize, n: usize, timeout: f64, backoff: f64) -> Vec<f64> {
    (0..m)
        .map(|j| j as f64 * timeout + (j / n) as f64 * backoff)
        .collect()
}

/// Latency of a request succeeding at each attempt: its start offset plus a fixed response.
fn latencies(offsets: &[f64], response: f64) -> Vec<f64> {
    offsets.iter().map(|o| o + response).collect()
}

/// P(the first live instance is at position j of a uniformly random order | k of n instances dead):
/// the negative hypergeometric (n − k)/(n − j) · Π_{i<j} (k − i)/(n − i), zero for j > k.
fn first_live_at(n: usize, k: usize, j: usize) -> f64 {
    if j > k || k == n {
        return 0.0;
    }
    (0..j).fold((n - k) as f64 / (n - j) as f64, |p, i| {
        p * (k - i) as f64 / (n - i) as f64
    })
}

// ----- 1–3. A pool of five identical exponential nodes -----

/// Failure mean 50 h, repair mean 50 h: each node is down with probability ρ = λ/(λ+μ) = 0.5 in
/// steady state, and d(t) = ρ(1 − e^{−σt}), σ = 0.04/h, from the all-up start. (Flaky nodes on
/// purpose: the failed share ρ³ is then large, which makes the 1% rule cheap to meet. With ρ = 0.2
/// the failed share of `ordered` needs ~1.2e8 events for 4 SE = 0.5%, against ~1.5e7 at ρ = 0.5,
/// and client evaluation costs about 0.3 µs per state change and request kind.)
const POOL_FAILURE: f64 = 50.0;
const POOL_REPAIR: f64 = 50.0;
const POOL_SIZE: usize = 5;
/// Clients: 1000, each polling every 60 min = 1 h: 1000 × 8760 = 8.76 million requests a year (the
/// rate does not enter any share: the engine counts expected requests, not sampled ones).
const POOL_REQUESTS_PER_YEAR: f64 = 1000.0 * HOURS_PER_YEAR;

/// One run serves tests 1–3: three request kinds of one population against one pool, so the
/// scenario is simulated once. 100 replications of 200 years (1.75e7 node events): the noisiest
/// figures, the shares of `ordered` at attempt 2 and failed (ρ³ = 0.125, functions of three nodes
/// with correlation time 1/σ = 25 h), have an asymptotic variance of the time average of
/// 2Σ_S c_S² v^|S| / (|S|σ) per hour of mission (Walsh expansion of the outcome indicator over the
/// nodes, v = ρ(1 − ρ)), which puts 4 SE at 0.47% of the value; random and round robin average
/// over more nodes and are sharper (at most 0.33%).
fn pool_run() -> &'static (Model, Summary) {
    static RUN: OnceLock<(Model, Summary)> = OnceLock::new();
    RUN.get_or_init(|| {
        let kind = |name: &str, selection: &str| {
            format!(
                r#"
                [clients.users.requests.{name}]
                target = "pool"
                every = "60min"
                selection = "{selection}"
                timeout = "1s"
                response = {{ dist = "fixed", value = "0.1s" }}
                max_attempts = 3
                "#
            )
        };
        let text = format!(
            r#"
            [simulation]
            mission = "200y"
            replications = 100
            [nodes.n]
            count = {POOL_SIZE}
            failure = {{ dist = "exponential", mean = "{POOL_FAILURE}h" }}
            repair = {{ dist = "exponential", mean = "{POOL_REPAIR}h" }}
            [roles.pool]
            kind = "pool"
            on = "n"
            min_up = 3
            [clients.users]
            count = 1000
            {}
            {}
            {}
            "#,
            kind("random", "random"),
            kind("ordered", "ordered"),
            kind("rr", "round_robin"),
        );
        simulate(&text)
    })
}

fn pool_node() -> TwoState {
    TwoState::from_means(POOL_FAILURE, POOL_REPAIR)
}

/// Attempts 0, 1, 2 start at 0, 1 s, 2 s (no backoff: three attempts never complete a pass over five
/// instances); a successful attempt adds the fixed 0.1 s response.
fn pool_offsets() -> Vec<f64> {
    offsets(3, POOL_SIZE, SECOND, 0.0)
}

/// The exact outcomes of `ordered` against the identical pool: the geometric-like law
/// P(j) = avg_s[d(s)…d(s + o_{j−1})·(1 − d(s + o_j))], which tends to (1 − ρ)ρ^j (averages of products
/// of the time-dependent probabilities, not products of averages).
fn pool_ordered_exact(t: f64) -> Expected {
    let nodes = [pool_node(); POOL_SIZE];
    let offs = pool_offsets();
    Expected::new(
        shares_over_orders(&nodes, &identity(POOL_SIZE), &offs, t),
        latencies(&offs, 0.1 * SECOND),
    )
}

#[test]
fn random_selection_is_negative_hypergeometric_over_the_binomial_pool_state() {
    let mut ck = Checks::default();
    let (model, s) = pool_run();
    let t = model.simulation.mission;
    let node = pool_node();
    let n = POOL_SIZE;
    let attempts = 3;
    // Derivation 1 (the brief's): with k of the 5 nodes down, a random order without repeats finds
    // its first live node at position j with the negative hypergeometric probability
    // P(j | k) = (n − k)/(n − j) · Π_{i<j} (k − i)/(n − i); the request fails when positions 0..2 are
    // all dead, P = C(k, 3)/C(5, 3) (1 when k = 5). The nodes are independent and start up, so k is
    // binomial(5, d(t)) at time t; the shares are Σ_k P(j | k) · avg_t C(5,k) d(t)^k (1 − d(t))^{5−k}.
    // This evaluates every attempt at the arrival time: it ignores that attempts 1 and 2 start 1 s
    // and 2 s later.
    let d = node.up_down();
    let u = ExpSum::constant(1.0).plus_scaled(-1.0, &d);
    let weight: Vec<f64> = (0..=n)
        .map(|k| binomial(n, k) * power(&d, k).times(&power(&u, n - k)).integral(0.0, t) / t)
        .collect();
    assert!((weight.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let mut hyper: Vec<f64> = (0..attempts)
        .map(|j| (0..=n).map(|k| weight[k] * first_live_at(n, k, j)).sum())
        .collect();
    let fail: f64 = (0..=n)
        .map(|k| weight[k] * binomial(k, attempts) / binomial(n, attempts))
        .sum();
    hyper.push(fail);
    // Derivation 2 (exact, straddling included): whatever the order, a request tries three distinct
    // nodes, which are independent of each other and of the order, at s, s + 1 s and s + 2 s: so
    // P(j | s) = Π_{i<j} d(s + i·1 s)·(1 − d(s + j·1 s)) for any selection (derivation 1 is its
    // unshifted form). Straddling arrivals (within 2 s before one of the 5·2σρ(1 − ρ) = 0.1 changes
    // per hour, a fraction ~6e-5 of all) are thus no special case: the shift only matters through
    // the transient e^{−σt} near t = 0 and moves the shares by ~2 s/T ≈ 3e-10 of their value.
    let offs = pool_offsets();
    let exact = Expected::new(
        shares_over_orders(&[node; POOL_SIZE], &permutations(n), &offs, t),
        latencies(&offs, 0.1 * SECOND),
    );
    exact.assert_same(
        &Expected::new(hyper, exact.latency.clone()),
        "hypergeometric",
    );
    // Long-run values for orientation: 0.5, 0.25, 0.125, 0.125; the 200-year averages from the
    // all-up start differ by ~ (1/σ)/T = 1.4e-5 of these.
    println!("steady state: {:?}", [0.5, 0.25, 0.125, 0.125]);
    check_request(
        &mut ck,
        request(s, "users.random"),
        &exact,
        POOL_REQUESTS_PER_YEAR,
    );
    // The pool role itself (min_up = 3) is down while 3 or more nodes are: Σ_{k≥3} of the weights.
    // (Instances of a pool are live per node, whatever min_up says, so the clients above still find
    // the two live nodes while the role counts as down.)
    let server = weight[3..].iter().sum::<f64>() * HOURS_PER_YEAR;
    ck.exact(
        "users.random server downtime h/yr",
        &request(s, "users.random").server_downtime_hours_per_year,
        server,
    );
    ck.exact(
        "pool downtime h/yr",
        &entity(s, "pool").downtime_hours_per_year,
        server,
    );
    ck.finish();
}

#[test]
fn ordered_selection_finds_the_first_live_node_in_on_order() {
    let mut ck = Checks::default();
    let (model, s) = pool_run();
    let t = model.simulation.mission;
    // Outcome j = position of the first live node in the fixed order n-1, n-2, ...:
    // P(j | s) = d(s)·d(s + 1 s)⋯(1 − d(s + j s)), averaged over the mission (→ (1 − ρ)ρ^j).
    let exact = pool_ordered_exact(t);
    let rho = pool_node().q();
    for (j, p) in exact.shares.iter().enumerate() {
        let steady = if j < 3 {
            (1.0 - rho) * rho.powi(j as i32)
        } else {
            rho.powi(3)
        };
        println!("outcome {j}: {p:.8} (steady state {steady:.8})");
        // The start-up transient is about (1/σ)/T of the value.
        assert!((p / steady - 1.0).abs() < 1e-4);
    }
    check_request(
        &mut ck,
        request(s, "users.ordered"),
        &exact,
        POOL_REQUESTS_PER_YEAR,
    );
    ck.finish();
}

#[test]
fn round_robin_over_identical_nodes_equals_ordered() {
    let mut ck = Checks::default();
    let (model, s) = pool_run();
    let t = model.simulation.mission;
    // Round robin starts at a uniformly random one of the 5 positions and continues cyclically. With
    // independent, identical nodes every rotation tries three distinct nodes with the same law, so
    // the outcome distribution is that of `ordered` (and of `random`): average over the rotations and
    // compare.
    let offs = pool_offsets();
    let exact = Expected::new(
        shares_over_orders(&[pool_node(); POOL_SIZE], &rotations(POOL_SIZE), &offs, t),
        latencies(&offs, 0.1 * SECOND),
    );
    exact.assert_same(&pool_ordered_exact(t), "round robin vs ordered");
    check_request(
        &mut ck,
        request(s, "users.rr"),
        &exact,
        POOL_REQUESTS_PER_YEAR,
    );
    ck.finish();
}

// ----- 4. A single instance retried after a backoff -----

#[test]
fn single_instance_with_backoff_retries_across_the_repair() {
    let mut ck = Checks::default();
    let (model, s) = simulate(
        r#"
        [simulation]
        mission = "1000y"
        replications = 200
        [nodes.a]
        failure = { dist = "exponential", mean = "500h" }
        repair = { dist = "fixed", value = "2h" }
        [roles.app]
        kind = "standalone"
        on = "a"
        [clients.staff]
        count = 200
        [clients.staff.requests.login]
        target = "app"
        every = "8h"
        selection = "random"
        timeout = "1s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 3
        backoff = "10min"
        "#,
    );
    let t = model.simulation.mission;
    let (up, down) = (500.0, 2.0);
    let lambda = 1.0 / up;
    let cycle = up + down;
    // One instance: attempt j starts at o_j = j·1 s + ⌊j/1⌋·10 min = j·601 s.
    let offs = offsets(3, 1, SECOND, 10.0 / 60.0);
    let (o1, o2) = (offs[1], offs[2]);
    // Renewal reward over cycles (up: exponential, mean 500 h; down: fixed 2 h). Per cycle:
    // - arrivals while up (500 h on average) succeed at attempt 0;
    // - an arrival during the outage, u before the repair completes (each u ∈ (0, 2 h] once per
    //   cycle), fails attempt 0; attempt 1 at +o1 finds the node up iff u ≤ o1 and the node has not
    //   failed again in the o1 − u since the repair: ∫_0^{o1} e^{−λ(o1−u)} du = g(o1),
    //   g(x) = (1 − e^{−λx})/λ. If it did fail again, the new 2 h outage covers attempt 2 as well;
    // - if o1 < u ≤ o2, attempt 1 is too early and attempt 2 at +o2 succeeds iff no failure in
    //   o2 − u: ∫_{o1}^{o2} e^{−λ(o2−u)} du = g(o2 − o1);
    // - otherwise (u > o2, or a failure again before the successful attempt) the request fails.
    // Shares are rewards per mean cycle length 502 h. The failed share is (2 − g(o1) − g(o2 − o1))/502
    // ≈ (2 h − 1202 s)/502 h: the client sees the outage shortened by the retry horizon.
    let g = |x: f64| -(-lambda * x).exp_m1() / lambda;
    let shares = vec![
        up / cycle,
        g(o1) / cycle,
        g(o2 - o1) / cycle,
        (down - g(o1) - g(o2 - o1)) / cycle,
    ];
    // The start-up transient: for a renewal-reward process started at a cycle start, E[R(T)] =
    // ρT + H0·E[C²]/(2E[C]²) − H1/E[C] + o(1), with H0 = E[reward per cycle] and H1 = E[∫ age ×
    // reward]; for the downtime (H0 = 2, H1 = E[2U + 2²/2] = 1002, E[C²] = 500² + 502²) this is
    // −0.004 h per 1000-year mission against 35 000 h: 1e-7 of the value. The client rewards have
    // corrections of the same order. They are added to the server downtime and ignored elsewhere.
    let c2 = up * up + cycle * cycle;
    let correction = down * c2 / (2.0 * cycle * cycle) - (down * up + down * down / 2.0) / cycle;
    println!("start-up correction of the downtime: {correction:.5} h per mission");
    assert!(correction.abs() < 0.01);
    let exact = Expected::new(shares, latencies(&offs, 0.1 * SECOND));
    // 200 clients every 8 h: 219 000 requests a year.
    check_request(
        &mut ck,
        request(&s, "staff.login"),
        &exact,
        200.0 * HOURS_PER_YEAR / 8.0,
    );
    // The role's downtime: 2 h per cycle of 502 h.
    let server = (down / cycle + correction / t) * HOURS_PER_YEAR;
    let r = request(&s, "staff.login");
    ck.exact(
        "staff.login server downtime h/yr",
        &r.server_downtime_hours_per_year,
        server,
    );
    println!(
        "client-visible downtime is below the server's by {:.4} h/yr (exact), estimated {:.4} h/yr",
        (g(o1) + g(o2 - o1)) / cycle * HOURS_PER_YEAR,
        r.server_downtime_hours_per_year.value - r.client_visible_downtime_hours_per_year.value
    );
    ck.finish();
}

// ----- 5. The three selections against a pool of unlike nodes -----

#[test]
fn selections_differ_on_a_pool_of_unlike_nodes() {
    let mut ck = Checks::default();
    // Nodes a, b are flaky (failure mean 50 h, repair mean 50 h: down half the time), c, d are
    // solid (90 h / 10 h: down 10%), in `on` order a, b, c, d. Two attempts (1 s timeout), so a
    // request tries two distinct nodes and the three selections have different laws:
    // - ordered tries a then b: fails with ≈ 0.5² = 0.25;
    // - round robin tries consecutive pairs ab, bc, cd, da: fails with ≈ (0.25 + 2·0.05 + 0.01)/4
    //   = 0.09;
    // - random tries any ordered pair: ≈ (0.25 + 4·0.05 + 0.01)/6 = 0.0767;
    // and the first attempt succeeds with ≈ 0.5 (ordered) or 0.7 (either other). (With three nodes,
    // or three attempts here, round robin and random would have the same law.) The exact values
    // average the products of the nodes' transient probabilities over the mission, as above. The
    // variances (Walsh expansion, as for the identical pool) put 4 SE at 0.06–0.38% of each share
    // with 80 replications of 200 years (1.1e7 node events).
    let kind = |name: &str, selection: &str| {
        format!(
            r#"
            [clients.users.requests.{name}]
            target = "pool"
            every = "60min"
            selection = "{selection}"
            timeout = "1s"
            response = {{ dist = "fixed", value = "0.1s" }}
            max_attempts = 2
            "#
        )
    };
    let text = format!(
        r#"
        [simulation]
        mission = "200y"
        replications = 80
        [nodes.a]
        failure = {{ dist = "exponential", mean = "50h" }}
        repair = {{ dist = "exponential", mean = "50h" }}
        [nodes.b]
        failure = {{ dist = "exponential", mean = "50h" }}
        repair = {{ dist = "exponential", mean = "50h" }}
        [nodes.c]
        failure = {{ dist = "exponential", mean = "90h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [nodes.d]
        failure = {{ dist = "exponential", mean = "90h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [roles.pool]
        kind = "pool"
        on = ["a", "b", "c", "d"]
        min_up = 1
        [clients.users]
        count = 1000
        {}
        {}
        {}
        "#,
        kind("ordered", "ordered"),
        kind("rr", "round_robin"),
        kind("random", "random"),
    );
    let (model, s) = simulate(&text);
    let t = model.simulation.mission;
    let flaky = TwoState::from_means(50.0, 50.0);
    let solid = TwoState::from_means(90.0, 10.0);
    let nodes = [flaky, flaky, solid, solid];
    let offs = offsets(2, nodes.len(), SECOND, 0.0);
    let lat = latencies(&offs, 0.1 * SECOND);
    let cases = [
        ("users.ordered", identity(4)),
        ("users.rr", rotations(4)),
        ("users.random", permutations(4)),
    ];
    let exact: Vec<Expected> = cases
        .iter()
        .map(|(_, orders)| Expected::new(shares_over_orders(&nodes, orders, &offs, t), lat.clone()))
        .collect();
    // The test can tell the selections apart: every pair differs by far more than 1% somewhere.
    for i in 0..3 {
        for k in i + 1..3 {
            let gap = exact[i]
                .shares
                .iter()
                .zip(&exact[k].shares)
                .map(|(a, b)| (a / b - 1.0).abs())
                .fold(0.0, f64::max);
            println!(
                "{} vs {}: largest relative gap {gap:.3}",
                cases[i].0, cases[k].0
            );
            assert!(gap > 0.1);
        }
    }
    for ((name, _), e) in cases.iter().zip(&exact) {
        check_request(&mut ck, request(&s, name), e, POOL_REQUESTS_PER_YEAR);
    }
    ck.finish();
}

/// The failover-partner case: clients of a database mirror keep their connection to the old principal
/// until they reconnect. The principal (failure exponential, mean 500 h) fails once at most in a
/// 1000-hour mission; the mirror and witness never fail, so the witness makes the failover automatic
/// (fixed f = 0.1 h) and the role stays on the mirror (no failback). With one attempt per request, a
/// request fails while its client's connection is not on the serving partner. During the failover
/// nobody is served; afterwards the stale share e^{−u/R} decays as clients reconnect (mean R = 2 h).
/// So for a failure at t < T − f the client-visible downtime is f + R(1 − e^{−(T−t−f)/R}), for
/// T − f ≤ t < T it is T − t, and 0 otherwise; the server's downtime is min(f, T − t). Integrated over
/// t ~ Exp(λ) in closed form below.
#[test]
fn stale_connections_outlast_a_mirror_failover() {
    let (lambda, f, r, t): (f64, f64, f64, f64) = (1.0 / 500.0, 0.1, 2.0, 1000.0);
    let text = r#"
        [simulation]
        mission = "1000h"
        replications = 40000
        [nodes.sql1]
        failure = { dist = "exponential", mean = "500h" }
        repair = { dist = "fixed", value = "10h" }
        [nodes.sql2]
        failure = { dist = "fixed", value = "100000h" }
        repair = { dist = "fixed", value = "1h" }
        [nodes.w]
        failure = { dist = "fixed", value = "100000h" }
        repair = { dist = "fixed", value = "1h" }
        [roles.db]
        kind = "mirroring"
        principal = "sql1"
        mirror = "sql2"
        witness = "w"
        failover = { dist = "fixed", value = "0.1h" }
        manual_failover = { dist = "fixed", value = "1h" }
        [clients.app]
        count = 600
        [clients.app.requests.query]
        target = "db"
        every = "10min"
        selection = "ordered"
        timeout = "5s"
        response = { dist = "fixed", value = "0.05s" }
        max_attempts = 1
        reconnect = "fresh_connection_only"
        reconnect_every = "2h"
    "#;
    let (_, s) = simulate(text);
    let a = t - f;
    let p_before = 1.0 - (-lambda * a).exp();
    let k = lambda - 1.0 / r;
    let b = lambda * (-a / r).exp() * (1.0 - (-k * a).exp()) / k;
    let tail = lambda
        * (-lambda * t).exp()
        * ((f / lambda - 1.0 / (lambda * lambda)) * (lambda * f).exp() + 1.0 / (lambda * lambda));
    let visible = (f + r) * p_before - r * b + tail;
    let server = f * p_before + tail;
    let per_year = HOURS_PER_YEAR / t;
    let q = request(&s, "app.query");
    let mut ck = Checks::default();
    ck.exact(
        "client-visible downtime h/yr",
        &q.client_visible_downtime_hours_per_year,
        visible * per_year,
    );
    ck.exact(
        "server downtime h/yr",
        &q.server_downtime_hours_per_year,
        server * per_year,
    );
    let rate = 600.0 * 6.0;
    ck.exact(
        "failed requests/yr",
        &q.failed_requests_per_year,
        rate * visible * per_year,
    );
    ck.close("requests/yr", q.requests_per_year, rate * HOURS_PER_YEAR);
    ck.finish();
}

/// A fallback status point: one attempt on the first node of a pool (`ordered`), then one on the
/// fallback role. With independent nodes, the request arriving at s succeeds at its first attempt while
/// a is up at s, at the fallback's attempt while a is down at s and c is up at s + 1 s, and fails
/// otherwise; each is the mission average of a product of two-state transition probabilities from the
/// all-up start.
#[test]
fn fallback_role_catches_what_the_target_misses() {
    let text = r#"
        [simulation]
        mission = "200y"
        replications = 100
        [nodes.a]
        failure = { dist = "exponential", mean = "50h" }
        repair = { dist = "exponential", mean = "50h" }
        [nodes.b]
        failure = { dist = "exponential", mean = "50h" }
        repair = { dist = "exponential", mean = "50h" }
        [nodes.c]
        failure = { dist = "exponential", mean = "90h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.mp]
        kind = "pool"
        on = ["a", "b"]
        [roles.fsp]
        kind = "standalone"
        on = "c"
        [clients.pc]
        count = 100
        [clients.pc.requests.status]
        target = "mp"
        fallback = "fsp"
        every = "15min"
        selection = "ordered"
        timeout = "1s"
        response = { dist = "fixed", value = "0.2s" }
        max_attempts = 1
    "#;
    let (model, s) = simulate(text);
    let t = model.simulation.mission;
    let a = TwoState::from_means(50.0, 50.0);
    let c = TwoState::from_means(90.0, 10.0);
    let first = a.up_up().integral(0.0, t) / t;
    let fallback = a
        .up_down()
        .times(&c.up_up().shifted(SECOND))
        .integral(0.0, t)
        / t;
    let failed = a
        .up_down()
        .times(&c.up_down().shifted(SECOND))
        .integral(0.0, t)
        / t;
    let q = request(&s, "pc.status");
    let mut ck = Checks::default();
    ck.exact("share at the first attempt", &q.outcome_shares[0], first);
    ck.exact("share at the fallback", &q.outcome_shares[1], fallback);
    ck.exact("share failed", &q.outcome_shares[2], failed);
    ck.exact(
        "client-visible downtime h/yr",
        &q.client_visible_downtime_hours_per_year,
        failed * HOURS_PER_YEAR,
    );
    ck.finish();
}
