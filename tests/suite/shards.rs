//! Sharded runs (`run --shard I/N`) and their merge: byte-identical to a single run, and clear errors
//! (with nothing written) for missing, doubled, foreign or damaged parts.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

/// A scenario with clients, caching, a queue and HA machines: every kind of statistic is merged.
const SCENARIO: &str = "scenarios/mechanisms.toml";
const REPS: &str = "300";

fn single(dir: &Path) {
    nines()
        .args([
            "run",
            SCENARIO,
            "-n",
            REPS,
            "-q",
            "--no-charts",
            "-j",
            "2",
            "--out",
        ])
        .arg(dir)
        .assert()
        .success();
}

fn shard(parts: &Path, i: u64, n: u64, extra: &[&str]) {
    nines()
        .args(["run", SCENARIO, "-n", REPS, "-q", "--no-charts", "-j", "1"])
        .args(["--shard", &format!("{i}/{n}"), "--out"])
        .arg(parts)
        .args(extra)
        .assert()
        .success();
}

fn merge(parts: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    nines()
        .arg("merge")
        .args(parts)
        .args(["--no-charts", "--out"])
        .arg(out)
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn merged_shards_are_byte_identical_to_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    single(&tmp.path().join("single"));
    // 300 replications are 5 batches: 3 shards of unequal size, and 7 shards of which two are empty.
    for n in [3, 7] {
        let parts = tmp.path().join(format!("parts{n}"));
        for i in 1..=n {
            shard(&parts, i, n, &[]);
        }
        let out = tmp.path().join(format!("merged{n}"));
        merge(std::slice::from_ref(&parts), &out).success();
        for f in ["summary.csv", "replications.csv"] {
            let a = fs::read(tmp.path().join("single").join(f)).unwrap();
            let b = fs::read(out.join(f)).unwrap();
            assert!(
                a == b,
                "{f} of {n} merged shards differs from the single run"
            );
        }
    }
}

#[test]
fn bad_parts_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts");
    for i in [1, 3] {
        shard(&parts, i, 3, &[]);
    }
    let out = tmp.path().join("out");
    let missing = merge(std::slice::from_ref(&parts), &out).failure();
    assert!(
        stderr(&missing).contains("missing shard 2 of 3"),
        "{}",
        stderr(&missing)
    );
    assert!(!out.exists(), "a failed merge wrote {}", out.display());

    shard(&parts, 2, 3, &[]);
    // The same shard twice (a copy in another directory).
    let twice = tmp.path().join("twice");
    fs::create_dir_all(&twice).unwrap();
    fs::copy(
        parts.join("part-2-of-3.json"),
        twice.join("part-2-of-3.json"),
    )
    .unwrap();
    let doubled = merge(&[parts.clone(), twice.join("part-2-of-3.json")], &out).failure();
    assert!(
        stderr(&doubled).contains("shard 2 of 3 is there twice"),
        "{}",
        stderr(&doubled)
    );

    // A part of another run: another seed.
    let other = tmp.path().join("other");
    shard(&other, 2, 3, &["--seed", "99"]);
    let foreign = merge(
        &[
            parts.join("part-1-of-3.json"),
            other.join("part-2-of-3.json"),
            parts.join("part-3-of-3.json"),
        ],
        &out,
    )
    .failure();
    assert!(
        stderr(&foreign).contains("belongs to another run")
            && stderr(&foreign).contains("the seed is 2026 there and 99 here"),
        "{}",
        stderr(&foreign)
    );

    // A truncated part, and a file that is no part at all.
    let text = fs::read_to_string(parts.join("part-3-of-3.json")).unwrap();
    let cut = tmp.path().join("cut");
    fs::create_dir_all(&cut).unwrap();
    fs::write(cut.join("part-3-of-3.json"), &text[..text.len() / 2]).unwrap();
    let truncated = merge(
        &[
            parts.join("part-1-of-3.json"),
            parts.join("part-2-of-3.json"),
            cut.join("part-3-of-3.json"),
        ],
        &out,
    )
    .failure();
    assert!(
        stderr(&truncated).contains("not a readable nines part file")
            && stderr(&truncated).contains("truncated or changed"),
        "{}",
        stderr(&truncated)
    );
    fs::write(cut.join("part-3-of-3.json"), "hello").unwrap();
    let garbage = merge(&[cut.join("part-3-of-3.json")], &out).failure();
    assert!(
        stderr(&garbage).contains("not a readable nines part file"),
        "{}",
        stderr(&garbage)
    );

    // Rows missing: refused unless the merge does without them.
    fs::remove_file(parts.join("part-1-of-3.replications.csv")).unwrap();
    let no_rows = merge(std::slice::from_ref(&parts), &out).failure();
    assert!(
        stderr(&no_rows).contains("part-1-of-3.replications.csv"),
        "{}",
        stderr(&no_rows)
    );
    assert!(!out.exists(), "a failed merge wrote {}", out.display());
    nines()
        .arg("merge")
        .arg(&parts)
        .args(["--no-replications", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("summary.csv").is_file() && !out.join("replications.csv").exists());
}

#[test]
fn shard_numbers_are_checked() {
    for bad in ["0/4", "5/4", "3", "a/b", "1/0"] {
        let a = nines()
            .args(["run", SCENARIO, "-n", "10", "-q", "--shard", bad])
            .assert()
            .failure();
        assert!(
            stderr(&a).contains(&format!("--shard {bad}: expected I/N with 1 ≤ I ≤ N")),
            "{bad}: {}",
            stderr(&a)
        );
    }
    let empty = tempfile::tempdir().unwrap();
    let a = nines().arg("merge").arg(empty.path()).assert().failure();
    assert!(stderr(&a).contains("no part files"), "{}", stderr(&a));
}
