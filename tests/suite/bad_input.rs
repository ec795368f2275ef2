//! The bad-input catalogue: every kind of bad scenario file, bad file and bad option that a user can
//! give `nines run`, each with the clear message it must get (file, line and column, field, what is
//! valid), a clean exit code 2 (never a panic), and nothing written anywhere.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const NODE: &str = "failure = { dist = \"exponential\", mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }";
const ROLE: &str = "[roles.r]\nkind = \"standalone\"\non = \"a\"";

/// A scenario: `[simulation]` with a one-year mission, then `body`.
fn sc(body: &str) -> String {
    format!("[simulation]\nmission = \"1y\"\n{body}")
}

/// A valid scenario with node `a` and role `r`, plus `extra`.
fn valid(extra: &str) -> String {
    sc(&format!(
        "replications = 64\n[nodes.a]\n{NODE}\n{ROLE}\n{extra}"
    ))
}

enum Input {
    /// A scenario file with this text.
    Text(String),
    /// A scenario file with these bytes.
    Bytes(Vec<u8>),
    /// A directory where the scenario file should be.
    Directory,
    /// No file at all.
    Missing,
    /// A file that exists but cannot be read.
    Unreadable,
}

/// Where the output goes.
enum Out {
    /// A fresh directory that must not be created.
    Fresh,
    /// A path below a regular file.
    UnderAFile,
    /// A path that is a regular file.
    IsAFile,
    /// A directory without write permission (only meaningful when not running as root).
    ReadOnly,
}

struct Case {
    what: &'static str,
    input: Input,
    out: Out,
    args: &'static [&'static str],
    /// Substrings the error must contain (besides the file's name, for file errors).
    expect: Vec<&'static str>,
}

fn case(what: &'static str, text: String, expect: &[&'static str]) -> Case {
    Case {
        what,
        input: Input::Text(text),
        out: Out::Fresh,
        args: &[],
        expect: expect.to_vec(),
    }
}

fn option(what: &'static str, args: &'static [&'static str], expect: &[&'static str]) -> Case {
    Case {
        what,
        input: Input::Text(valid("")),
        out: Out::Fresh,
        args,
        expect: expect.to_vec(),
    }
}

fn catalogue() -> Vec<Case> {
    let pool = |extra: &str| {
        sc(&format!(
            "[nodes.a]\n{NODE}\n[roles.p]\nkind = \"pool\"\n{extra}"
        ))
    };
    let failure = |f: &str| {
        sc(&format!(
            "[nodes.a]\nfailure = {f}\nrepair = {{ dist = \"exponential\", mean = \"10h\" }}\n{ROLE}"
        ))
    };
    let clus = |cluster: &str, role: &str| {
        sc(&format!(
            "[nodes.a]\n{NODE}\n[nodes.b]\n{NODE}\n[nodes.w]\n{NODE}\n[clusters.c]\n{cluster}\n[roles.v]\nkind = \"cluster\"\nfailover = {{ dist = \"fixed\", value = \"1min\" }}\n{role}"
        ))
    };
    vec![
        // Syntax.
        case(
            "unclosed table header",
            "[simulation\nmission = \"1y\"".into(),
            &[":1:12: TOML syntax error"],
        ),
        case(
            "unterminated string",
            sc("").replace("\"1y\"", "\"1y"),
            &[":2:14: TOML syntax error: invalid basic string"],
        ),
        case(
            "duplicate key",
            sc(&format!("mission = \"2y\"\n[nodes.a]\n{NODE}\n{ROLE}")),
            &[
                ":3:1: TOML syntax error: duplicate key `mission`: a key (or table) may be given only once",
            ],
        ),
        case(
            "table given twice",
            sc(&format!("[nodes.a]\n{NODE}\n[nodes.a]\n{NODE}\n{ROLE}")),
            &[
                ":6:8: TOML syntax error: duplicate key `a`: a key (or table) may be given only once",
            ],
        ),
        case(
            "empty file",
            String::new(),
            &[
                "missing section [simulation] (at least `mission = \"10y\"`)",
                "missing section [nodes]",
                "missing section [roles]",
            ],
        ),
        // Keys and sections.
        case(
            "misspelt key",
            sc(&format!("replicatons = 5\n[nodes.a]\n{NODE}\n{ROLE}")),
            &[
                ":3:1: simulation.replicatons: unknown key `replicatons`; did you mean `replications`?",
            ],
        ),
        case(
            "misspelt section",
            sc(&format!("[nodez.a]\n{NODE}\n{ROLE}")),
            &[":3:2: nodez: unknown key `nodez`; did you mean `nodes`?"],
        ),
        case(
            "missing failure",
            sc(&format!(
                "[nodes.a]\nrepair = {{ dist = \"fixed\", value = \"1h\" }}\n{ROLE}"
            )),
            &[":3:1: nodes.a: missing field `failure` (time-to-failure distribution"],
        ),
        case(
            "missing repair",
            sc(&format!(
                "[nodes.a]\nfailure = {{ dist = \"exponential\", mean = \"1000h\" }}\n{ROLE}"
            )),
            &[
                "nodes.a: missing field `repair`",
                "or \"none\" for a node that is never repaired",
            ],
        ),
        case(
            "no roles",
            sc(&format!("[nodes.a]\n{NODE}")),
            &["roles: missing section [roles]: define at least one role placed on nodes"],
        ),
        // Types.
        case(
            "string for an integer",
            valid("").replace("replications = 64", "seed = \"one\""),
            &[":3:8: simulation.seed: expected an integer, found a string"],
        ),
        case(
            "string for min_up",
            pool("on = [\"a\"]\nmin_up = \"two\""),
            &[":9:10: roles.p.min_up: expected an integer, found a string"],
        ),
        case(
            "negative seed",
            valid("").replace("replications = 64", "seed = -1"),
            &[":3:8: simulation.seed: expected a non-negative integer, found -1"],
        ),
        case(
            "unknown role kind",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[roles.r]\nkind = \"standby\"\non = \"a\""
            )),
            &[":7:8: roles.r.kind: unknown role kind \"standby\"; expected \"standalone\""],
        ),
        // Units and durations.
        case(
            "bare number duration",
            sc("").replace("\"1y\"", "8760") + &format!("[nodes.a]\n{NODE}\n{ROLE}"),
            &[":2:11: simulation.mission: a bare number (8760) is not a duration"],
        ),
        case(
            "unknown unit",
            sc("").replace("\"1y\"", "\"3 fortnights\"") + &format!("[nodes.a]\n{NODE}\n{ROLE}"),
            &["simulation.mission: unknown unit `fortnights`"],
        ),
        case(
            "negative duration",
            failure("{ dist = \"exponential\", mean = \"-5h\" }"),
            &[
                ":4:42: nodes.a.failure.mean: invalid duration \"-5h\": a negative duration; expected a number with a unit",
            ],
        ),
        // Distributions and numbers.
        case(
            "zero mean",
            failure("{ dist = \"exponential\", mean = \"0h\" }"),
            &[
                ":4:11: nodes.a.failure: dist = \"exponential\": `mean` must be a positive finite number, got 0",
            ],
        ),
        case(
            "unknown distribution",
            failure("{ dist = \"expo\", mean = \"5h\" }"),
            &[
                ":4:20: nodes.a.failure.dist: unknown distribution \"expo\"; did you mean \"exponential\"? expected one of exponential, weibull",
            ],
        ),
        case(
            "negative shape",
            failure("{ dist = \"weibull\", shape = -2, mean = \"1000h\" }"),
            &[
                "nodes.a.failure: dist = \"weibull\": `shape` must be a positive finite number, got -2",
            ],
        ),
        case(
            "NaN",
            failure("{ dist = \"weibull\", shape = nan, mean = \"1000h\" }"),
            &["nodes.a.failure.shape: expected a finite number, found NaN"],
        ),
        case(
            "infinity",
            failure("{ dist = \"weibull\", shape = inf, mean = \"1000h\" }"),
            &[":4:39: nodes.a.failure.shape: expected a finite number, found inf"],
        ),
        case(
            "uniform upside down",
            failure("{ dist = \"uniform\", min = \"5h\", max = \"1h\" }"),
            &["dist = \"uniform\": `max` (1h) must be larger than `min` (5h)"],
        ),
        case(
            "time to failure of zero",
            failure("{ dist = \"fixed\", value = \"0h\" }"),
            &[
                ":4:11: nodes.a.failure: a time to failure that is always zero would fail again the instant it is repaired",
            ],
        ),
        case(
            "probability above one",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[nodes.b]\n{NODE}\n[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {{ dist = \"fixed\", value = \"1min\" }}\ncoverage = 1.5"
            )),
            &[":13:12: roles.c.coverage: 1.5 is not a probability: expected a number from 0 to 1"],
        ),
        case(
            "target above one",
            valid("[services.s]\nall_of = [\"r\"]\ntarget = 1.5"),
            &["services.s.target: target 1.5 must be an availability between 0 and 1 (exclusive)"],
        ),
        // References and cycles.
        case(
            "unknown node",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[roles.r]\nkind = \"standalone\"\non = \"b\""
            )),
            &[":8:6: roles.r.on: unknown node `b`"],
        ),
        case(
            "unknown role in a service",
            valid("[services.s]\nall_of = [\"rr\"]"),
            &["services.s.all_of[0]: unknown role or service `rr`"],
        ),
        case(
            "dependency cycle",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[roles.x]\nkind = \"standalone\"\non = \"a\"\nrequires = [\"y\"]\n[roles.y]\nkind = \"standalone\"\non = \"a\"\nrequires = [\"x\"]"
            )),
            &["dependency cycle: x → y → x"],
        ),
        case(
            "role requiring itself",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[roles.r]\nkind = \"standalone\"\non = \"a\"\nrequires = [\"r\"]"
            )),
            &[":9:13: roles.r.requires: dependency cycle: r → r"],
        ),
        // Impossible redundancy and empty populations.
        case(
            "min_up above the pool",
            pool("on = [\"a\"]\nmin_up = 2"),
            &["roles.p.min_up: min_up = 2 but the pool has only 1 instance"],
        ),
        case(
            "min_up of zero",
            pool("on = [\"a\"]\nmin_up = 0"),
            &[
                ":9:10: roles.p.min_up: min_up must be at least 1 (a pool with min_up = 0 could never be down)",
            ],
        ),
        // Standby instances of a pool (issue 21).
        case(
            "standby as many as the pool's nodes",
            pool("on = [\"a\"]\nstandby = 1"),
            &[
                ":9:11: roles.p.standby: standby = 1 but the pool has 1 node in `on`: at least one must be active; use 0 to 0",
            ],
        ),
        case(
            "dormant outside [0, 1] on a pool",
            pool("on = [\"a\"]\nstandby = 0\ndormant = 1.5"),
            &[":10:11: roles.p.dormant: 1.5 is not a probability"],
        ),
        case(
            "switch_fails of 1",
            pool("on = [\"a\"]\nstandby = 0\nswitch_fails = 1"),
            &[
                ":10:16: roles.p.switch_fails: switch_fails = 1 means no standby could ever take over: expected a probability from 0 to below 1",
            ],
        ),
        case(
            "standby on a standalone role",
            valid("standby = 1"),
            &[
                "roles.r.standby: `standby` does not apply to a standalone role; it is for kind = \"pool\"",
            ],
        ),
        case(
            "switch on a pool without standby",
            pool("on = [\"a\"]\nswitch = \"5min\""),
            &[
                ":9:10: roles.p.switch: `switch` describes a pool's standby instances, but the pool has none: add `standby = 1`",
            ],
        ),
        case(
            "min_up above the active instances",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[nodes.b]\n{NODE}\n[roles.p]\nkind = \"pool\"\non = [\"a\", \"b\"]\nmin_up = 2\nstandby = 1"
            )),
            &[
                ":12:10: roles.p.min_up: min_up = 2 but only 1 of the pool's 2 instances are active (standby = 1): it could never be available; use min_up at most 1",
            ],
        ),
        case(
            "empty pool",
            pool("on = []"),
            &["roles.p.on: a pool needs at least one node"],
        ),
        case(
            "node listed twice",
            sc(&format!(
                "[nodes.a]\n{NODE}\n[roles.c]\nkind = \"cluster\"\non = [\"a\", \"a\"]\nfailover = {{ dist = \"fixed\", value = \"1min\" }}"
            )),
            &[":8:6: roles.c.on: node `a` is listed twice"],
        ),
        // Cluster quorum: nodes a, b and w; cluster c; role v joins it.
        case(
            "unknown cluster",
            clus("nodes = [\"a\", \"b\"]", "cluster = \"cc\""),
            &[":17:11: roles.v.cluster: unknown cluster `cc`; defined clusters: c"],
        ),
        case(
            "witness inside the cluster",
            clus("nodes = [\"a\", \"b\"]\nwitness = \"a\"", "cluster = \"c\""),
            &[":14:11: clusters.c.witness: the witness `a` is a member of the cluster"],
        ),
        case(
            "no_vote names a stranger",
            clus(
                "nodes = [\"a\", \"b\"]\nno_vote = [\"w\"]",
                "cluster = \"c\"",
            ),
            &["clusters.c.no_vote: `w` is not a member of cluster `c`"],
        ),
        case(
            "no voting node",
            clus(
                "nodes = [\"a\", \"b\"]\nno_vote = [\"a\", \"b\"]",
                "cluster = \"c\"",
            ),
            &[
                "clusters.c.nodes: every node is in `no_vote`: a cluster needs at least one voting node",
            ],
        ),
        case(
            "adjustment with static quorum",
            clus(
                "nodes = [\"a\", \"b\"]\ndynamic = false\nadjustment = { dist = \"fixed\", value = \"1min\" }",
                "cluster = \"c\"",
            ),
            &["clusters.c.adjustment: `adjustment` applies to dynamic quorum only"],
        ),
        case(
            "a node in two clusters",
            clus(
                "nodes = [\"a\", \"b\"]\n[clusters.d]\nnodes = [\"b\", \"w\"]",
                "cluster = \"c\"",
            ),
            &[
                "clusters.d.nodes: node `b` is already a member of cluster `c`; a node belongs to one cluster",
            ],
        ),
        case(
            "a role on nodes outside its cluster",
            clus(
                "nodes = [\"a\", \"b\"]",
                "cluster = \"c\"\non = [\"a\", \"w\"]",
            ),
            &["roles.v.on: `w` is not a member of cluster `c`"],
        ),
        case(
            "a pool that names a cluster",
            clus("nodes = [\"a\", \"b\"]", "cluster = \"c\"")
                .replace("kind = \"cluster\"", "kind = \"pool\"\non = \"a\"")
                .replace("failover = { dist = \"fixed\", value = \"1min\" }\n", ""),
            &[
                "roles.v.cluster: `cluster` does not apply to a pool role; it is for kind = \"cluster\"",
            ],
        ),
        case(
            "k of more than there are",
            valid("[services.s]\nk_of = { k = 3, of = [\"r\"] }"),
            &["services.s.k_of.k: k = 3 must be between 1 and the number of items in `of` (1)"],
        ),
        case(
            "empty service",
            valid("[services.s]\nall_of = []"),
            &["services.s.all_of: the list is empty: name at least one role or service"],
        ),
        case(
            "node group of zero",
            sc(&format!("[nodes.a]\ncount = 0\n{NODE}\n{ROLE}")),
            &[":4:9: nodes.a.count: count must be at least 1"],
        ),
        case(
            "empty client population",
            valid(
                "[clients.pcs]\ncount = 0\n[clients.pcs.requests.q]\ntarget = \"r\"\nevery = \"1h\"\ntimeout = \"1s\"\nresponse = { dist = \"fixed\", value = \"1s\" }",
            ),
            &[
                "clients.pcs.count: count must be at least 1 (leave the population out if it has no clients)",
            ],
        ),
        case(
            "never repaired, yet a crew",
            sc(
                "[crews.ops]\ntechnicians = 1\n[nodes.a]\nfailure = { dist = \"exponential\", mean = \"1y\" }\nrepair = \"none\"\ncrew = \"ops\"\n[roles.r]\nkind = \"standalone\"\non = \"a\"",
            ),
            &[
                ":8:8: nodes.a.crew: the node is never repaired (repair = \"none\"), so no crew works on it",
            ],
        ),
        case(
            "repair that is a word",
            sc(&format!(
                "[nodes.a]\nfailure = {{ dist = \"exponential\", mean = \"1y\" }}\nrepair = \"never\"\n{ROLE}"
            )),
            &[
                ":5:10: nodes.a.repair: expected a time-to-repair distribution",
                "found the string \"never\"",
            ],
        ),
        // Absurd sizes.
        case(
            "10^12 replications",
            valid("").replace("replications = 64", "replications = 1_000_000_000_000"),
            &[
                "simulation.replications: 1000000000000 is too large; the largest accepted value is 10000000000",
            ],
        ),
        case(
            "zero replications",
            valid("").replace("replications = 64", "replications = 0"),
            &[":3:16: simulation.replications: replications must be at least 1"],
        ),
        case(
            "mission of 10^6 years",
            sc("").replace("\"1y\"", "\"1000000y\"") + &format!("[nodes.a]\n{NODE}\n{ROLE}"),
            &["simulation.mission: a mission of 1000000y is absurdly long"],
        ),
        case(
            "mission of zero",
            sc("").replace("\"1y\"", "\"0h\"") + &format!("[nodes.a]\n{NODE}\n{ROLE}"),
            &[":2:11: simulation.mission: mission must be longer than zero"],
        ),
        case(
            "10^9 nodes",
            sc(&format!("[nodes.a]\ncount = 1_000_000_000\n{NODE}\n{ROLE}")),
            &[":4:9: nodes.a.count: 1000000000 is too large; the largest accepted value is 100000"],
        ),
        case(
            "a sweep of a table the scenario does not have",
            valid("[sweep]\n\"nodes.zzz.count\" = \"1..3\""),
            &[":11:1: sweep.\"nodes.zzz.count\": the scenario has no `nodes.zzz`"],
        ),
        case(
            "maintenance every zero hours",
            valid("[maintenance.m]\nevery = \"0h\"\nduration = \"1h\"\nrole = \"r\""),
            &["maintenance.m.every: every must be longer than zero"],
        ),
        // Files.
        Case {
            what: "not UTF-8",
            input: Input::Bytes(b"[simulation]\nmission = \"1y\xff\"\n".to_vec()),
            out: Out::Fresh,
            args: &[],
            expect: vec!["bad.toml:2:14: the file is not valid UTF-8 (byte 26); save it as UTF-8"],
        },
        Case {
            what: "a directory instead of a file",
            input: Input::Directory,
            out: Out::Fresh,
            args: &[],
            expect: vec!["is a directory; expected a scenario file (.toml)"],
        },
        Case {
            what: "no such file",
            input: Input::Missing,
            out: Out::Fresh,
            args: &[],
            expect: vec!["cannot read scenario", "No such file or directory"],
        },
        Case {
            what: "unreadable file",
            input: Input::Unreadable,
            out: Out::Fresh,
            args: &[],
            expect: vec!["cannot read scenario"],
        },
        // Output directories.
        Case {
            what: "output directory below a file",
            input: Input::Text(valid("")),
            out: Out::UnderAFile,
            args: &[],
            expect: vec!["cannot create output directory", "file.txt/sub"],
        },
        Case {
            what: "output directory that is a file",
            input: Input::Text(valid("")),
            out: Out::IsAFile,
            args: &[],
            expect: vec!["cannot create output directory", "file.txt"],
        },
        Case {
            what: "output directory not writable",
            input: Input::Text(valid("")),
            out: Out::ReadOnly,
            args: &[],
            expect: vec!["cannot write", "replications.csv"],
        },
        // Options.
        option(
            "-n of 10^12",
            &["-n", "1000000000000"],
            &["--replications 1000000000000: expected 1 to 10000000000"],
        ),
        option(
            "-n that is no number",
            &["-n", "many"],
            &["invalid value 'many' for '--replications <REPLICATIONS>'"],
        ),
        option(
            "--mission of 10^6 years",
            &["--mission", "1000000y"],
            &["--mission 1000000y: expected more than zero and at most 10000y"],
        ),
        option(
            "--mission without unit",
            &["--mission", "8760"],
            &["--mission: ", "8760"],
        ),
        option(
            "--threads 0",
            &["-j", "0"],
            &["--threads 0: expected at least 1"],
        ),
        option(
            "--shard out of range",
            &["--shard", "3/2"],
            &["--shard 3/2: expected I/N with 1 ≤ I ≤ N"],
        ),
        option(
            "--precision without %",
            &["--precision", "5"],
            &[
                "--precision 5: a bare number is a half-width of availability, between 0 and 1 (exclusive), got 5; for a relative target write 5%",
            ],
        ),
        option(
            "--precision per day",
            &["--precision", "1min/d"],
            &["--precision 1min/d: `/d`: downtime is measured per year; write e.g. 1min/yr"],
        ),
        option(
            "--precision NaN",
            &["--precision", "NaN%"],
            &["--precision NaN%: a relative half-width must be more than 0% and at most 100%"],
        ),
        option(
            "--max-time of zero",
            &["--max-time", "0s"],
            &["--max-time 0s: expected a duration of more than zero"],
        ),
        option(
            "--max-time without unit",
            &["--max-time", "60"],
            &[
                "--max-time 60: ",
                "has no unit after 60; expected a number with a unit",
            ],
        ),
        option(
            "--precision with --shard",
            &["--shard", "1/2", "--precision", "5%"],
            &["--precision cannot be combined with --shard"],
        ),
        option(
            "--resume with nothing to resume",
            &["--resume"],
            &["cannot resume: there is no checkpoint.json in"],
        ),
    ]
}

/// Every file and directory under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            found.insert(p.strip_prefix(dir).unwrap().to_path_buf());
            if p.is_dir() && !p.is_symlink() {
                todo.push(p);
            }
        }
    }
    found
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn the_catalogue_of_bad_input() {
    let cases = catalogue();
    let distinct: BTreeSet<&str> = cases.iter().map(|c| c.what).collect();
    assert_eq!(distinct.len(), cases.len(), "case names are distinct");
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (i, c) in cases.iter().enumerate() {
        let dir = tmp.path().join(format!("case-{i}"));
        fs::create_dir_all(&dir).unwrap();
        let mut file = dir.join("bad.toml");
        match &c.input {
            Input::Text(t) => fs::write(&file, t).unwrap(),
            Input::Bytes(b) => fs::write(&file, b).unwrap(),
            Input::Directory => fs::create_dir(&file).unwrap(),
            Input::Missing => {}
            Input::Unreadable => {
                fs::write(&file, valid("")).unwrap();
                #[cfg(unix)]
                set_mode(&file, 0o000);
                if fs::read(&file).is_ok() {
                    // Running as root, permissions do not stop reading: use a file that no one
                    // can read.
                    if cfg!(target_os = "linux") {
                        file = PathBuf::from("/proc/self/mem");
                    } else {
                        continue;
                    }
                }
            }
        }
        let out = match c.out {
            Out::Fresh => dir.join("out"),
            Out::UnderAFile | Out::IsAFile => {
                fs::write(dir.join("file.txt"), "keep me").unwrap();
                match c.out {
                    Out::UnderAFile => dir.join("file.txt").join("sub"),
                    _ => dir.join("file.txt"),
                }
            }
            Out::ReadOnly => {
                let ro = dir.join("ro");
                fs::create_dir(&ro).unwrap();
                #[cfg(unix)]
                set_mode(&ro, 0o555);
                if fs::write(ro.join("probe"), "x").is_ok() {
                    // Root writes anyway: the case cannot be made here.
                    let _ = fs::remove_file(ro.join("probe"));
                    continue;
                }
                ro
            }
        };
        let before = tree(&dir);
        let output = Command::cargo_bin("nines")
            .unwrap()
            .arg("run")
            .arg(&file)
            .args(c.args)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        let what = c.what;
        assert_eq!(output.status.code(), Some(2), "{what}: exit code\n{err}");
        assert!(!err.contains("panicked"), "{what}: panic\n{err}");
        if c.args.is_empty() && matches!(c.out, Out::Fresh) {
            let shown = file.display().to_string();
            assert!(
                err.contains(&shown),
                "{what}: the error does not name {shown}:\n{err}"
            );
        }
        for e in &c.expect {
            assert!(err.contains(e), "{what}: expected {e:?} in\n{err}");
        }
        assert_eq!(tree(&dir), before, "{what}: something was written");
        if matches!(c.out, Out::UnderAFile | Out::IsAFile) {
            assert_eq!(fs::read_to_string(dir.join("file.txt")).unwrap(), "keep me");
        }
        // `validate` gives the same message for scenario errors.
        if let (Input::Text(_), [], Out::Fresh) = (&c.input, c.args, &c.out) {
            let v = Command::cargo_bin("nines")
                .unwrap()
                .arg("validate")
                .arg(&file)
                .output()
                .unwrap();
            let verr = String::from_utf8_lossy(&v.stderr);
            assert_eq!(v.status.code(), Some(2), "{what}: validate");
            for e in &c.expect {
                assert!(
                    verr.contains(e),
                    "{what}: validate: expected {e:?} in\n{verr}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} cases could be checked here");
}

/// A `[defaults]` entry written wrongly (a bare number) is one error, where it is written: the nodes
/// that would use it are not also told that `[defaults]` has no such entry.
#[test]
fn a_wrong_default_is_one_error_not_two() {
    let text = |defaults: &str| {
        format!(
            "{defaults}\n[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = {{ dist = \"exponential\", mean = \"30d\" }}\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\n"
        )
    };
    let errors = |t: &str| -> Vec<String> {
        match nines::scenario::compile(t, "d.toml") {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.path, d.message))
                .collect(),
        }
    };
    let bare = errors(&text("[defaults]\nrepair = 8"));
    assert_eq!(bare.len(), 1, "{bare:#?}");
    assert!(
        bare[0].starts_with("defaults.repair: expected a distribution"),
        "{bare:#?}"
    );
    let not_a_table = errors(&text("defaults = 5"));
    assert_eq!(not_a_table.len(), 1, "{not_a_table:#?}");
    assert!(
        not_a_table[0].starts_with("defaults: expected"),
        "{not_a_table:#?}"
    );
    // Without any repair, the node's error stays: it is the true one.
    let none = errors(&text("[defaults]"));
    assert_eq!(none.len(), 1, "{none:#?}");
    assert!(
        none[0].contains("and [defaults] has no `repair`"),
        "{none:#?}"
    );
}
