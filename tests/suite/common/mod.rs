//! Helpers shared by the statistical test crates.

// Each test crate uses only part of the toolkit.
#[allow(dead_code)]
pub mod ctmc;

use ctmc::ExpSum;
use nines::base::stats::{Estimate, t_975};
use nines::estimate::runner::{RunOptions, run};
use nines::estimate::summary::Summary;
use nines::model::Model;
use nines::scenario::compile;

/// Compiles and runs a scenario on all cores; prints how much work it was.
pub fn simulate(text: &str) -> (Model, Summary) {
    let model = compile(text, "exact.toml").unwrap_or_else(|e| panic!("{e}"));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let out = run(
        &model,
        RunOptions {
            threads,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .expect("run");
    println!(
        "{} replications, {} events, {:.1} s",
        out.summary.replications, out.summary.events, out.summary.wall_seconds
    );
    (model, out.summary)
}

/// The error text of a scenario that must not compile.
#[allow(dead_code)]
pub fn compile_error(text: &str) -> String {
    match compile(text, "bad.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// A node of the standby tests' chains (cold and warm standby, silent nodes).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    Up,
    /// Failed unseen while idle.
    Hidden,
    /// Failed, known: under repair.
    Down,
}

/// Standard error behind an estimate's 95% interval.
pub fn std_error(e: &Estimate) -> f64 {
    // An interval cut at a bound (0 for a duration or count, 1 for an availability or share) keeps its
    // other half whole, and the Student-t interval it was cut from is symmetric about the value.
    let half = if e.ci95_low == 0.0 && e.value > 0.0 {
        e.ci95_high - e.value
    } else if e.ci95_high == 1.0 && e.value < 1.0 {
        e.value - e.ci95_low
    } else {
        (e.ci95_high - e.ci95_low) / 2.0
    };
    half / t_975(e.n - 1)
}

/// The foundation issue's acceptance rule, applied to every figure of a test before failing, so one
/// run shows all the figures that disagree.
#[derive(Default)]
pub struct Checks {
    /// Disagreements found so far.
    pub failures: Vec<String>,
}

#[allow(dead_code)]
impl Checks {
    /// The exact value within 4 standard errors of the estimate, and 4 SE below 1% of the exact value.
    pub fn exact(&mut self, what: &str, e: &Estimate, exact: f64) {
        let se = std_error(e);
        let z = (e.value - exact) / se;
        println!(
            "{what}: estimate {:.6e} exact {exact:.6e} se {se:.3e} ({:.3}% of exact) z {z:+.2}",
            e.value,
            100.0 * se / exact
        );
        let near = z.abs() < 4.0;
        let sharp = 4.0 * se < 0.01 * exact;
        if !near {
            self.failures.push(format!(
                "{what}: estimate {} is {z:.2} standard errors from the exact {exact}",
                e.value
            ));
        }
        if !sharp {
            self.failures.push(format!(
                "{what}: 4 SE = {} cannot catch a 1% error of {exact}",
                4.0 * se
            ));
        }
    }

    /// A figure that must be exactly `expected` (a structural zero).
    pub fn equal(&mut self, what: &str, value: f64, expected: f64) {
        println!("{what}: {value} (must be exactly {expected})");
        if value != expected {
            self.failures
                .push(format!("{what}: {value}, expected exactly {expected}"));
        }
    }

    /// [`Checks::exact`], or [`Checks::equal`] to 0 for a figure that is structurally zero.
    pub fn exact_or_zero(&mut self, what: &str, e: &Estimate, exact: f64) {
        if exact == 0.0 {
            self.equal(what, e.value, 0.0);
        } else {
            self.exact(what, e, exact);
        }
    }

    /// A figure known exactly up to rounding (a ratio of exact inputs).
    pub fn close(&mut self, what: &str, value: f64, expected: f64) {
        println!("{what}: {value} (must be {expected})");
        if (value - expected).abs() > 1e-9 * expected.abs() {
            self.failures
                .push(format!("{what}: {value}, expected {expected}"));
        }
    }

    pub fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} check(s) failed:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// `random`: all n! orders, equally likely.
#[allow(dead_code)]
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn extend(prefix: &mut Vec<usize>, n: usize, out: &mut Vec<Vec<usize>>) {
        if prefix.len() == n {
            out.push(prefix.clone());
            return;
        }
        for i in 0..n {
            if !prefix.contains(&i) {
                prefix.push(i);
                extend(prefix, n, out);
                prefix.pop();
            }
        }
    }
    let mut out = Vec::new();
    extend(&mut Vec::new(), n, &mut out);
    out
}

/// C(n, k), zero when k > n (fewer than k items cannot be chosen).
#[allow(dead_code)]
pub fn binomial(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64)
}

#[allow(dead_code)]
pub fn power(f: &ExpSum, k: usize) -> ExpSum {
    (0..k).fold(ExpSum::constant(1.0), |p, _| p.times(f))
}

/// Three standalone roles on nodes sharing one technician (priority queue, node a first) with a
/// dispatch delay: checked in closed form (`exact_ha`) and against the exact mode (`markov`).
#[allow(dead_code)] // used by exact_ha and markov only
pub const PRIORITY_CREW: &str = r#"
        [simulation]
        mission = "1000y"
        replications = 200
        [crews.ops]
        technicians = 1
        dispatch = { dist = "exponential", mean = "4h" }
        policy = "priority"
        [defaults]
        failure = { dist = "exponential", mean = "300h" }
        repair = { dist = "exponential", mean = "50h" }
        [nodes.a]
        crew = "ops"
        priority = 1
        [nodes.b]
        crew = "ops"
        [nodes.c]
        crew = "ops"
        [roles.ra]
        kind = "standalone"
        on = "a"
        [roles.rb]
        kind = "standalone"
        on = "b"
        [roles.rc]
        kind = "standalone"
        on = "c"
        "#;

/// The scenario the client tests share (data age, reassignment, work in flight): one year, seed 2026;
/// one node with exponential failures and repairs; roles; a service needing one of them; one client
/// population and its request kinds.
#[allow(dead_code)]
pub struct SingleTarget<'a> {
    /// Replications.
    pub replications: u32,
    /// The node's name, mean time to failure (infinite: `failure = "never"`) and repair, hours.
    pub node: (&'a str, f64, f64),
    /// More `[nodes.…]` tables, after the node's.
    pub more_nodes: &'a str,
    /// The `[roles.…]` tables.
    pub roles: &'a str,
    /// The role service `s` needs.
    pub target: &'a str,
    /// The population's name, its client count and more lines of its table.
    pub clients: (&'a str, u32, &'a str),
    /// The `[clients.NAME.requests.…]` tables.
    pub requests: &'a str,
}

#[allow(dead_code)]
impl SingleTarget<'_> {
    /// The scenario's text.
    pub fn text(&self) -> String {
        let (node, mttf, mttr) = self.node;
        let failure = if mttf.is_finite() {
            format!("{{ dist = \"exponential\", mean = \"{mttf}h\" }}")
        } else {
            "\"never\"".to_string()
        };
        let (clients, count, population) = self.clients;
        format!(
            r#"
[simulation]
mission = "1y"
replications = {replications}
seed = 2026

[nodes.{node}]
failure = {failure}
repair = {{ dist = "exponential", mean = "{mttr}h" }}

{more_nodes}

{roles}

[services.s]
all_of = ["{target}"]

[clients.{clients}]
count = {count}
{population}

{requests}
"#,
            replications = self.replications,
            more_nodes = self.more_nodes,
            roles = self.roles,
            target = self.target,
            requests = self.requests,
        )
    }
}
