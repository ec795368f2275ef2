//! A fuzzer for what nines reads besides scenario text (proptest, as `tests/suite/fuzz.rs`): part and
//! checkpoint files changed structurally and given a recomputed checksum, as a forger would, and names
//! drawn from every Unicode category. Reading a forged file never panics: it is refused, or it has the
//! shape of its scenario and merges, summarises and prints; a name either is refused with a located
//! message free of control characters, or runs through every writer.
//!
//! `cargo test --test suite fuzz_state::` runs 256 cases per test; `NINES_FUZZ_CASES=N` runs N.

use nines::engine::Engine;
use nines::estimate::accumulate::RunAcc;
use nines::estimate::checkpoint::{CHECKPOINT_FORMAT, Checkpoint};
use nines::estimate::runner::run_range;
use nines::estimate::shards::{self, Digest, Part, RunKey, fnv1a};
use nines::estimate::summary::RunInfo;
use nines::model::Model;
use nines::scenario::compile;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

/// Every kind of statistic: clients, caching, a queue, HA machines.
const SCENARIO: &str = include_str!("../../scenarios/mechanisms.toml");

fn cases() -> u32 {
    std::env::var("NINES_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// The model, and its statistics over the first batch (64 replications) of a 128-replication run
/// (simulated once).
fn base() -> (Model, RunAcc, RunKey) {
    static BASE: std::sync::OnceLock<(Model, RunAcc, RunKey)> = std::sync::OnceLock::new();
    BASE.get_or_init(simulate_base).clone()
}

fn simulate_base() -> (Model, RunAcc, RunKey) {
    let mut model = compile(SCENARIO, "mechanisms.toml").expect("bundled scenario");
    model.simulation.replications = 128;
    let mut engine = Engine::new(&model);
    let acc = run_range(&model, &mut engine, 0..64, None);
    let key = RunKey {
        nines_version: env!("CARGO_PKG_VERSION").into(),
        scenario: model.name.clone(),
        file: "mechanisms.toml".into(),
        scenario_hash: format!("{:016x}", fnv1a(SCENARIO.as_bytes())),
        seed: model.simulation.seed,
        replications: 128,
        mission_hours: model.simulation.mission,
        shards: 2,
    };
    (model, acc, key)
}

/// Values a field may be replaced with.
fn awkward() -> Vec<Value> {
    serde_json::from_str(
        r#"[0, 1, -1, 18446744073709551615, -9223372036854775808, 2147483647, -2147483648,
            1e308, -1e308, 5e-324, 0.5, "", "x", null, true, false, [], [0], [[0, 0, 0, 0]],
            [0, [1, 2, 3]], [4294967296, [9223372036854775807]], {}, {"x": 1}]"#,
    )
    .unwrap()
}

/// A place in a JSON value reached by a random walk from the root: at each level it stops with
/// probability 1/4 (or at a leaf), else goes into a child picked by the next random number. Walking
/// costs the depth, not the size of the file.
fn walk(mut v: &mut Value, seed: usize) -> &mut Value {
    let mut r = seed as u64 | 1;
    loop {
        r = r
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let pick = (r >> 33) as usize;
        let len = match &*v {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if len == 0 || pick.is_multiple_of(4) {
            return v;
        }
        v = match v {
            Value::Object(m) => m.values_mut().nth(pick / 4 % len).unwrap(),
            Value::Array(a) => &mut a[pick / 4 % len],
            _ => unreachable!(),
        };
    }
}

/// A structural change at the place `which` walks to: an awkward value, an array's last entry dropped
/// or doubled, or the value of another place copied.
fn mutate(body: &mut Value, which: usize, how: usize) {
    let values = awkward();
    let copy = walk(&mut body.clone(), which.rotate_left(17) ^ how).clone();
    let slot = walk(body, which);
    match how % (values.len() + 3) {
        n if n < values.len() => *slot = values[n].clone(),
        n if n == values.len() => {
            if let Value::Array(a) = slot {
                a.pop();
            }
        }
        n if n == values.len() + 1 => {
            if let Value::Array(a) = slot
                && let Some(x) = a.last().cloned()
            {
                a.push(x);
            }
        }
        _ => *slot = copy,
    }
}

/// A file of `format` with `body` and a recomputed checksum.
fn forged(format: &str, body: &Value) -> String {
    let body = serde_json::to_string(body).unwrap();
    format!("{format} {:016x}\n{body}\n", fnv1a(body.as_bytes()))
}

/// What the command line does with an accepted file's statistics: merge, summarise, print.
fn use_acc(model: &Model, acc: &RunAcc) {
    let mut all = RunAcc::new(model);
    all.merge(acc);
    all.merge(acc);
    let s = all.summarize(
        model,
        RunInfo {
            wall_seconds: 0.0,
            threads: 1,
        },
    );
    let _ = nines::write::table::table(&s, model);
    let _ = nines::write::csv::summary_csv(&s);
    let _ = nines::write::json::json(&s);
}

/// Chars of every general category, and of the ones that trouble text: controls, format characters
/// (zero-width, bidirectional overrides), combining marks, private use, wide and emoji.
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::sample::select(vec![
            '\u{7f}', '\u{85}', '\u{a0}', '\u{ad}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{202e}',
            '\u{2028}', '\u{2029}', '\u{2066}', '\u{feff}', '\u{fffd}', '\u{fffe}', '\u{e000}',
            '\u{f8ff}', '\u{1f600}', '\u{1f1fa}', '\u{0301}', '\u{20dd}', '\u{3000}', '\u{ff21}',
            '\u{4e2d}', '\u{0627}', '\u{05d0}', '\u{0e01}', '\u{1100}', '"', '\\', '\'', '<', '>',
            '&', '=', '+', '-', '@', ',', ';', '.', '/', ' ', '\t',
        ]),
        2 => any::<char>(),
    ]
}

/// A TOML basic string holding `s`, every character escaped that must be.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    /// A part changed at one to four places, with its checksum recomputed, is refused or merges.
    #[test]
    fn forged_parts_never_panic(changes in prop::collection::vec((any::<usize>(), any::<usize>()), 1..5)) {
        let (model, acc, key) = base();
        let part = Part {
            format: shards::FORMAT.into(),
            key,
            shard: 1,
            first: 0,
            end: 64,
            rows: true,
            rows_digest: Some(Digest { bytes: 100, fnv1a: 7 }),
            scenario_text: SCENARIO.into(),
            acc,
            importance: None,
        };
        let mut body = serde_json::to_value(&part).unwrap();
        for &(which, how) in &changes {
            mutate(&mut body, which, how);
        }
        if let Ok(p) = shards::from_text(&forged(shards::FORMAT, &body), "fuzz.json")
            && p.acc.check_shape(&model).is_ok()
        {
            use_acc(&model, &p.acc);
        }
    }

    /// The same for checkpoints.
    #[test]
    fn forged_checkpoints_never_panic(changes in prop::collection::vec((any::<usize>(), any::<usize>()), 1..5)) {
        let (model, acc, mut key) = base();
        key.shards = 1;
        let c = Checkpoint {
            format: CHECKPOINT_FORMAT.into(),
            key,
            target: None,
            rows: false,
            rows_digest: None,
            acc,
        };
        let mut body = serde_json::to_value(&c).unwrap();
        for &(which, how) in &changes {
            mutate(&mut body, which, how);
        }
        if let Ok(c) = Checkpoint::from_text(&forged(CHECKPOINT_FORMAT, &body), "fuzz.json")
            && c.acc.check_shape(&model).is_ok()
        {
            use_acc(&model, &c.acc);
        }
    }
}

/// Cases of the names test: each runs a scenario and draws its charts and report, so a quarter of
/// the others.
fn name_cases() -> u32 {
    (cases() / 4).max(1)
}

proptest! {
    #![proptest_config(Config { cases: name_cases(), ..Config::default() })]

    /// Names of any characters: refused with a located, printable message, or carried through the
    /// run, the table, CSV, JSON, the SVG charts and the report.
    #[test]
    fn names_of_any_characters_never_panic(
        node in prop::collection::vec(name_char(), 1..10),
        role in prop::collection::vec(name_char(), 1..10),
    ) {
        let (node, role): (String, String) = (node.into_iter().collect(), role.into_iter().collect());
        let text = format!(
            "[simulation]\nmission = \"1y\"\nreplications = 64\nseed = 1\n\n[nodes.{n}]\ncount = 2\nfailure = {{ dist = \"exponential\", mean = \"30d\" }}\nrepair = {{ dist = \"exponential\", mean = \"1d\" }}\n\n[roles.{r}]\nkind = \"pool\"\non = {n}\nmin_up = 1\n\n[services.s]\nall_of = [{r}]\n",
            n = toml_string(&node),
            r = toml_string(&role),
        );
        match compile(&text, "fuzz.toml") {
            Err(e) => {
                let lines = text.lines().count();
                for d in &e.diagnostics {
                    prop_assert!(d.line >= 1 && d.line <= lines + 1, "{}", d.message);
                }
                let shown = e.to_string();
                prop_assert!(
                    !shown.chars().any(|c| c.is_control() && c != '\n'),
                    "a control character reached the message: {shown:?}"
                );
            }
            Ok(model) => {
                let _ = nines::analyses::explain::describe(&model);
                let out = nines::estimate::runner::run(
                    &model,
                    nines::estimate::runner::RunOptions { threads: 1, rows: None, progress: None, range: None },
                )
                .unwrap();
                let s = &out.summary;
                let _ = nines::write::table::table(s, &model);
                let _ = nines::write::csv::summary_csv(s).unwrap();
                let _ = nines::write::json::json(s);
                let trace = nines::engine::trace::trace(&model, 0);
                let charts = nines::write::charts::render(s, Some(&trace)).unwrap();
                let source = nines::write::report::Source { file: "fuzz.toml", text: &text };
                let page = nines::write::report::run_report(&model, s, &charts, &source);
                let _ = nines::write::report::render(&page);
            }
        }
    }
}
