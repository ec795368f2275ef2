//! A fuzzer for scenario parsing and validation (proptest, since cargo-fuzz needs a nightly compiler):
//! the bundled scenarios mutated by byte changes, deleted, doubled and swapped lines, swapped values,
//! numbers replaced by NaN, infinities, huge, tiny, negative and malformed ones, strings replaced by
//! odd durations and names, and truncation. Compiling never panics; an error names lines inside the
//! file; a scenario that compiles can be described, and simulated for a short mission without panic.
//!
//! `cargo test --test suite fuzz::` runs 256 cases per test. For a long run:
//! `NINES_FUZZ_CASES=200000 cargo test --test suite fuzz::` (the test profile is optimised).

use nines::engine::Engine;
use nines::scenario::compile;
use proptest::prelude::*;
use proptest::test_runner::Config;

const BASES: [&str; 3] = [
    include_str!("../../scenarios/web-farm.toml"),
    include_str!("../../scenarios/mechanisms.toml"),
    include_str!("../../scenarios/appv-mirroring.toml"),
];

/// Values a number or a string may be replaced with: the awkward ones.
const NUMBERS: &[&str] = &[
    "nan",
    "+nan",
    "-nan",
    "inf",
    "-inf",
    "+inf",
    "-1",
    "0",
    "-0",
    "0.0",
    "1e308",
    "1e309",
    "-1e308",
    "1e-308",
    "5e-324",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "1_000_000_000_000",
    "0x10",
    "1__0",
    "1.",
    ".5",
    "1e",
    "\"5h\"",
    "true",
    "[]",
    "{}",
    "[1, 2]",
];

const STRINGS: &[&str] = &[
    "\"\"",
    "\"0h\"",
    "\"-1h\"",
    "\"0s\"",
    "\"1ms\"",
    "\"1e-9h\"",
    "\"1e300y\"",
    "\"1000000y\"",
    "\"nan h\"",
    "\"inf h\"",
    "\"5\"",
    "\"5 h 3\"",
    "\"1h -1h\"",
    "\"∞\"",
    "\"none\"",
    "\"fixed\"",
    "\"pool\"",
    "\"cluster\"",
    "\"web\"",
    "\"sql\"",
    "\"0/s\"",
    "\"1e9/s\"",
    "\"-5/h\"",
    "\"r\u{0}x\"",
    "\"é\"",
    "nan",
    "0",
    "[]",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replaces the byte at a position (of the text's length, modulo) with one of these characters.
    Byte(usize, char),
    DeleteLine(usize),
    DuplicateLine(usize, usize),
    SwapLines(usize, usize),
    /// Swaps the values of two `key = value` lines.
    SwapValues(usize, usize),
    /// Replaces the n-th number.
    Number(usize, usize),
    /// Replaces the n-th quoted string.
    Str(usize, usize),
    /// Replaces the n-th number with an arbitrary float (printed as Rust does).
    Float(usize, f64),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let chars = prop::sample::select(vec![
        '=', '"', '[', ']', '{', '}', ',', '.', '-', '#', '\n', ' ', '0', '9', 'e', 'x', '_', '\'',
        '\\', 'é',
    ]);
    prop_oneof![
        (any::<usize>(), chars).prop_map(|(p, c)| Mutation::Byte(p, c)),
        any::<usize>().prop_map(Mutation::DeleteLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::DuplicateLine(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        (any::<usize>(), 0..NUMBERS.len()).prop_map(|(a, b)| Mutation::Number(a, b)),
        (any::<usize>(), 0..STRINGS.len()).prop_map(|(a, b)| Mutation::Str(a, b)),
        (any::<usize>(), any::<f64>()).prop_map(|(a, b)| Mutation::Float(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Byte ranges of the tokens `find` matches, in order.
fn tokens(text: &str, is_string: bool) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if is_string && b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                i += 1;
            }
            if i < b.len() && b[i] == b'"' {
                out.push((start, i + 1));
            }
            i += 1;
            continue;
        }
        if !is_string && b[i] == b'"' {
            // Skip strings: numbers inside them are durations, handled as strings.
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !is_string
            && b[i].is_ascii_digit()
            && (i == 0 || matches!(b[i - 1], b' ' | b'=' | b'[' | b',' | b'-'))
        {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || matches!(b[i], b'.' | b'_' | b'e')) {
                i += 1;
            }
            out.push((start, i));
            continue;
        }
        i += 1;
    }
    out
}

fn replace_token(text: &mut String, n: usize, is_string: bool, with: &str) {
    let t = tokens(text, is_string);
    if t.is_empty() {
        return;
    }
    let (a, b) = t[n % t.len()];
    text.replace_range(a..b, with);
}

fn apply(text: &mut String, m: &Mutation) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match *m {
        Mutation::Byte(p, c) => {
            if text.is_empty() {
                return;
            }
            let mut p = p % text.len();
            while !text.is_char_boundary(p) {
                p -= 1;
            }
            let end = p + text[p..].chars().next().map_or(0, char::len_utf8);
            text.replace_range(p..end, c.encode_utf8(&mut [0; 4]));
            return;
        }
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i, j) if !lines.is_empty() => {
            let l = lines[i % n].clone();
            lines.insert(j % (n + 1), l);
        }
        Mutation::SwapLines(i, j) if !lines.is_empty() => lines.swap(i % n, j % n),
        Mutation::SwapValues(i, j) => {
            let kv: Vec<usize> = (0..lines.len())
                .filter(|&k| lines[k].contains(" = ") && !lines[k].trim_start().starts_with('#'))
                .collect();
            if kv.len() >= 2 {
                let (a, b) = (kv[i % kv.len()], kv[j % kv.len()]);
                let (ka, va) = lines[a].split_once(" = ").unwrap();
                let (kb, vb) = lines[b].split_once(" = ").unwrap();
                let (na, nb) = (format!("{ka} = {vb}"), format!("{kb} = {va}"));
                lines[a] = na;
                lines[b] = nb;
            }
        }
        Mutation::Number(k, v) => return replace_token(text, k, false, NUMBERS[v]),
        Mutation::Str(k, v) => return replace_token(text, k, true, STRINGS[v]),
        Mutation::Float(k, f) => return replace_token(text, k, false, &format!("{f:?}")),
        Mutation::Truncate(p) => {
            if text.is_empty() {
                return;
            }
            let mut p = p % text.len();
            while !text.is_char_boundary(p) {
                p -= 1;
            }
            text.truncate(p);
            return;
        }
        _ => return,
    }
    *text = lines.join("\n");
}

/// Hours a short simulation of a compiled model may cover, and the most failure events it may expect,
/// so that a mutated "fails every millisecond on 100 000 nodes" scenario does not run for hours.
const SHORT_MISSION: f64 = 200.0;
const MAX_EXPECTED_EVENTS: f64 = 2e6;

fn check(text: &str) -> Result<(), TestCaseError> {
    match compile(text, "fuzz.toml") {
        Err(e) => {
            prop_assert!(!e.diagnostics.is_empty());
            let lines = text.lines().count().max(1);
            for d in &e.diagnostics {
                prop_assert!(
                    d.line >= 1 && d.line <= lines + 1,
                    "line {} of {}: {}",
                    d.line,
                    lines,
                    d.message
                );
                prop_assert!(d.column >= 1);
                prop_assert!(!d.message.is_empty());
            }
            let shown = e.to_string();
            prop_assert!(shown.contains("fuzz.toml:"), "{shown}");
        }
        Ok(mut model) => {
            let _ = nines::analyses::explain::describe(&model);
            model.simulation.mission = model.simulation.mission.min(SHORT_MISSION);
            let expected: f64 = model
                .components
                .iter()
                .map(|c| SHORT_MISSION / c.failure.mean().max(1e-12))
                .sum::<f64>()
                + model
                    .roles
                    .iter()
                    .filter_map(|r| r.machine.as_ref()?.software.as_ref())
                    .map(|s| SHORT_MISSION / s.failure.mean().max(1e-12))
                    .sum::<f64>();
            if expected <= MAX_EXPECTED_EVENTS {
                let mut e = Engine::new(&model);
                e.run(0);
                for m in e.monitors() {
                    prop_assert!(m.downtime >= 0.0 && m.downtime <= SHORT_MISSION + 1e-6);
                }
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("NINES_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    /// Mutated bundled scenarios never panic the compiler (nor the explainer or the engine).
    #[test]
    fn mutated_scenarios_never_panic(base in 0..BASES.len(), muts in prop::collection::vec(mutation(), 1..6)) {
        let mut text = BASES[base].to_string();
        for m in &muts {
            apply(&mut text, m);
        }
        check(&text)?;
    }

    /// Small scenarios built from awkward parts: every value slot gets a random awkward value.
    #[test]
    fn awkward_values_never_panic(
        values in prop::collection::vec(prop::sample::select([NUMBERS, STRINGS].concat()), 8),
    ) {
        let v = |i: usize| values[i];
        let text = format!(
            "[simulation]\nmission = {}\nreplications = {}\n[defaults]\nfailure = {{ dist = \"weibull\", shape = {}, mean = {} }}\nrepair = {}\n[nodes.n]\ncount = {}\n[roles.p]\nkind = \"pool\"\non = \"n\"\nmin_up = {}\n[services.s]\nall_of = [\"p\"]\ntarget = {}\n",
            v(0), v(1), v(2), v(3), v(4), v(5), v(6), v(7)
        );
        check(&text)?;
    }
}

#[test]
fn the_mutations_do_change_the_text() {
    // The fuzzer would test little if its mutations were no-ops.
    let base = BASES[0];
    let mut t = base.to_string();
    apply(&mut t, &Mutation::Number(0, 0));
    assert_ne!(t, base);
    assert!(t.contains("nan"));
    let mut t = base.to_string();
    apply(&mut t, &Mutation::Str(3, 1));
    assert_ne!(t, base);
    let mut t = base.to_string();
    apply(&mut t, &Mutation::SwapValues(0, 5));
    assert_ne!(t, base);
    assert!(tokens(base, false).len() > 5 && tokens(base, true).len() > 10);
}
