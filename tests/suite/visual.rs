//! Visual regression: every kind of chart, drawn from bundled scenarios (a run with clients and
//! `--importance`, and a sweep with clients and costs, whose charts include the comparison's),
//! compared pixel by pixel
//! with the references under `tests/visual/`, so that a layout break shows up as a failing test. Every
//! chart's text is also checked: no two texts overlap, and every colour of text reads on white.
//!
//! Charts are drawn with the embedded font and rasterised by resvg, so the pixels are the same on
//! every machine; the tolerance absorbs anti-aliasing changes of a new resvg, not layout changes. A
//! change that moves charts on purpose re-pins them with `NINES_BLESS=1 cargo test --test suite
//! visual::` (and says why in its commit message); a failing comparison leaves the chart drawn and
//! an image of the differing pixels under `target/visual-diff/`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use nines::write::charts::contrast::{READABLE, contrast_on_white};
use nines::write::charts::layout::svg_texts;

/// A pixel differs when one of its channels moved by more than this (of 255).
const CHANNEL: u8 = 40;
/// A chart fails when more than this share of its pixels differ (0.1%: a moved label or line is
/// thousands of pixels of a 2000-pixel-wide chart, a changed word of a note 0.24% of one; anti-aliasing
/// noise stays under the channel threshold).
const SHARE: f64 = 0.001;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn blessing() -> bool {
    std::env::var_os("NINES_BLESS").is_some_and(|v| v != "0")
}

/// Decoded 8-bit RGB pixels and the size.
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = dec.read_info().expect("a PNG");
    let mut buf = vec![0; r.output_buffer_size().expect("a size")];
    let info = r.next_frame(&mut buf).expect("a frame");
    buf.truncate(info.buffer_size());
    let rgb: Vec<u8> = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgb)
}

/// The share of pixels that differ, and an image of them (differing pixels red, the rest faded).
fn compare(a: &[u8], b: &[u8]) -> (f64, Vec<u8>) {
    let mut differ = 0usize;
    let mut diff = Vec::with_capacity(a.len());
    for (p, q) in a.chunks_exact(3).zip(b.chunks_exact(3)) {
        if p.iter().zip(q).any(|(x, y)| x.abs_diff(*y) > CHANNEL) {
            differ += 1;
            diff.extend([255, 0, 0]);
        } else {
            diff.extend(p.iter().map(|&v| 255 - (255 - v) / 4));
        }
    }
    (differ as f64 / (a.len() / 3).max(1) as f64, diff)
}

fn write_png(path: &Path, (w, h): (u32, u32), rgb: &[u8]) {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().unwrap();
        wr.write_image_data(rgb).unwrap();
    }
    fs::write(path, out).unwrap();
}

/// Checks one chart's PNG against its reference (or writes the reference when blessing); returns a
/// failure message.
fn check_png(name: &str, png: &Path) -> Option<String> {
    let reference = root().join("tests/visual").join(format!("{name}.png"));
    let bytes = fs::read(png).unwrap();
    if blessing() {
        fs::create_dir_all(reference.parent().unwrap()).unwrap();
        fs::write(&reference, &bytes).unwrap();
        return None;
    }
    let Ok(want) = fs::read(&reference) else {
        return Some(format!(
            "{name}: no reference {} (NINES_BLESS=1 writes it)",
            reference.display()
        ));
    };
    let (w, h, got) = decode(&bytes);
    let (rw, rh, want) = decode(&want);
    let failures = root().join("target/visual-diff");
    if (w, h) != (rw, rh) {
        fs::create_dir_all(&failures).unwrap();
        fs::write(failures.join(format!("{name}.png")), &bytes).unwrap();
        return Some(format!(
            "{name}: {w}×{h} pixels, the reference {rw}×{rh}: the layout changed"
        ));
    }
    let (share, diff) = compare(&got, &want);
    if share > SHARE {
        fs::create_dir_all(&failures).unwrap();
        fs::write(failures.join(format!("{name}.png")), &bytes).unwrap();
        write_png(&failures.join(format!("{name}-diff.png")), (w, h), &diff);
        return Some(format!(
            "{name}: {:.3}% of the pixels differ from the reference (at most {:.3}%); see {}",
            share * 100.0,
            SHARE * 100.0,
            failures.display()
        ));
    }
    None
}

/// No two texts of a chart overlap, and each reads on white.
fn check_text(name: &str, svg: &str) -> Vec<String> {
    let texts = svg_texts(svg);
    assert!(texts.len() > 5, "{name}: {} texts", texts.len());
    let mut out = Vec::new();
    for (i, a) in texts.iter().enumerate() {
        let c = contrast_on_white(a.fill);
        if c < READABLE {
            out.push(format!(
                "{name}: {:?} has a contrast of {c:.2} on white",
                a.text
            ));
        }
        let Some(ra) = a.bounds else { continue };
        for b in &texts[i + 1..] {
            if b.bounds.is_some_and(|rb| ra.intersects(&rb)) {
                out.push(format!("{name}: {:?} overlaps {:?}", a.text, b.text));
            }
        }
    }
    out
}

/// Runs `args` writing into `out` and returns its charts (stem, SVG path, PNG path).
fn charts(args: &[&str], out: &Path) -> Vec<(String, PathBuf, PathBuf)> {
    nines()
        .args(args)
        .args(["-n", "40", "--seed", "7", "--quiet", "--no-report", "--out"])
        .arg(out)
        .assert()
        .success();
    let mut found: Vec<_> = fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .map(|svg| {
            let stem = svg.file_stem().unwrap().to_string_lossy().to_string();
            let png = svg.with_extension("png");
            (stem, svg, png)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_chart_kind_matches_its_reference_and_its_text_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut kinds = Vec::new();
    for (prefix, args) in [
        (
            "run",
            &[
                "run",
                "scenarios/appv/appv-nlb-always-on.toml",
                "--importance",
            ][..],
        ),
        (
            "sweep",
            &["sweep", "scenarios/configmgr/cm-ha-roles.toml"][..],
        ),
    ] {
        for (stem, svg, png) in charts(args, &tmp.path().join(prefix)) {
            let name = format!("{prefix}-{stem}");
            failures.extend(check_png(&name, &png));
            failures.extend(check_text(&name, &fs::read_to_string(&svg).unwrap()));
            // One importance chart per service: one kind.
            kinds.push(if stem.starts_with("importance-") {
                "importance".to_string()
            } else {
                stem
            });
        }
    }
    kinds.sort();
    kinds.dedup();
    // Every chart a run draws, and every chart of a comparison and a sweep.
    let mut all: Vec<&str> = nines::write::charts::NAMES.to_vec();
    all.extend([
        "compare-availability",
        "cost-availability",
        "importance",
        "sweep-availability",
        "sweep-latency",
    ]);
    all.sort();
    assert_eq!(kinds, all, "not every chart kind is covered");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The tolerance lets anti-aliasing through, not layout: a chart moved by three pixels fails, the
/// same chart passes, and one changed by faint noise passes.
#[test]
fn the_comparison_catches_a_small_shift_and_not_noise() {
    let bytes = fs::read(root().join("tests/visual/sweep-sweep-latency.png")).unwrap();
    let (w, _, rgb) = decode(&bytes);
    assert_eq!(compare(&rgb, &rgb).0, 0.0);
    let row = 3 * w as usize;
    let shifted: Vec<u8> = rgb
        .chunks_exact(row)
        .flat_map(|r| {
            let mut r = r.to_vec();
            r.rotate_right(9);
            r
        })
        .collect();
    assert!(compare(&shifted, &rgb).0 > SHARE, "a 3-pixel shift passed");
    let noisy: Vec<u8> = rgb
        .iter()
        .enumerate()
        .map(|(i, &v)| if i % 7 == 0 { v.saturating_sub(20) } else { v })
        .collect();
    assert!(compare(&noisy, &rgb).0 <= SHARE);
}
