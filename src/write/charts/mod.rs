//! Charts of a run, as SVG text and PNG bytes. Pure: every function takes results and returns bytes;
//! nothing here touches the file system.
//!
//! [`render`] draws every chart that applies to a [`Summary`] (and a [`Trace`] of one replication for
//! the timeline); [`png()`] rasterises one with the embedded font. Text is measured and rendered with
//! DejaVu Sans compiled into the binary, so charts look the same on a machine without fonts.
//!
//! ```
//! let model = nines::scenario::compile(
//!     "[simulation]\nmission = \"1y\"\nreplications = 64\n[nodes.a]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"fixed\", value = \"8h\" }\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\n",
//!     "doc.toml",
//! ).unwrap();
//! let run = nines::estimate::runner::run(&model, nines::estimate::runner::RunOptions { threads: 1, rows: None, progress: None, range: None }).unwrap();
//! let sample = nines::engine::trace::sample(&model, 100);
//! let trace = nines::engine::trace::trace(&model, sample.replication);
//! let charts = nines::write::charts::render(&run.summary, Some(&trace)).unwrap();
//! assert!(charts.iter().any(|c| c.name == "timeline"));
//! let png = nines::write::charts::png(&charts[0].svg).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

mod availability;
pub mod axis;
mod bars;
pub mod compare;
pub mod contrast;
mod contributions;
mod downtime;
pub mod draw;
pub mod fit;
pub mod font;
pub mod importance;
mod latency;
pub mod layout;
mod timeline;

use std::borrow::Cow;

use crate::engine::trace::Trace;
use crate::estimate::summary::Summary;
use crate::model::EntityKind;

/// Why a chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Drawing failed (the SVG backend reported an error).
    #[error("drawing a chart failed: {0}")]
    Draw(String),
    /// The SVG could not be rasterised.
    #[error("rendering a chart as PNG failed: {0}")]
    Png(String),
}

/// One chart: a file name stem and its SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File name without extension, e.g. `availability` (a name made from data for the charts of
    /// `nines fit`, e.g. `fit-web-failure`).
    pub name: Cow<'static, str>,
    /// The chart's title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Every chart name [`render`] can produce, in order.
pub const NAMES: [&str; 5] = [
    "downtime-per-year",
    "availability",
    "downtime-sources",
    "client-latency",
    "timeline",
];

/// Draws every chart that applies: downtime per year, availability, downtime sources, client latency
/// (only when the scenario has clients) and the timeline (only with a trace).
pub fn render(summary: &Summary, trace: Option<&Trace>) -> Result<Vec<Chart>, ChartError> {
    let mut out = vec![
        downtime::chart(summary)?,
        availability::chart(summary)?,
        contributions::chart(summary)?,
    ];
    if !summary.requests.is_empty() {
        out.push(latency::chart(summary)?);
    }
    if let Some(t) = trace {
        out.push(timeline::chart(summary, t)?);
    }
    Ok(out)
}

/// The most services, and separately roles, a chart draws; the most request kinds the latency chart
/// draws. A chart of every entity grew without bound (2 000 entities: a PNG 516 216 pixels tall,
/// 12.9 GB and 110 s), so charts show the most relevant and say how many more there are; the tables
/// (summary.csv, the report) list every one.
pub mod caps {
    /// Rows of the availability chart, per kind.
    pub const AVAILABILITY: usize = 30;
    /// Panels of the downtime-per-year chart.
    pub const DOWNTIME: usize = 12;
    /// Service panels of the downtime-sources chart.
    pub const SOURCES: usize = 12;
    /// Request kinds of the client-latency chart.
    pub const REQUESTS: usize = 12;
}

/// `s` with at most `services` services and `roles` roles, those with the most downtime per year
/// (kept in file order, with their contributions and distributions), at most `requests` request kinds
/// (those with the most requests per year), and a line per kind left out, e.g. "and 480 more roles
/// with less downtime: every one is in summary.csv and the report". Borrowed when nothing is left out.
fn capped(
    s: &Summary,
    services: usize,
    roles: usize,
    requests: usize,
) -> (Cow<'_, Summary>, Vec<String>) {
    let count = |k: EntityKind| s.entities.iter().filter(|e| e.kind == k).count();
    let over = [(EntityKind::Service, services), (EntityKind::Role, roles)];
    if over.iter().all(|&(k, n)| count(k) <= n) && s.requests.len() <= requests {
        return (Cow::Borrowed(s), Vec::new());
    }
    let mut keep = vec![true; s.entities.len()];
    let mut more = Vec::new();
    for (kind, n) in over {
        let mut idx: Vec<usize> = (0..s.entities.len())
            .filter(|&i| s.entities[i].kind == kind)
            .collect();
        if idx.len() <= n {
            continue;
        }
        let down = |i: usize| {
            let d = s.entities[i].downtime_hours_per_year.value;
            if d.is_nan() { f64::NEG_INFINITY } else { d }
        };
        // Most downtime first; ties in file order (the sort is stable).
        idx.sort_by(|&a, &b| down(b).total_cmp(&down(a)));
        for &i in &idx[n..] {
            keep[i] = false;
        }
        more.push(format!(
            "and {} more {}s with less downtime, not drawn: every one is in summary.csv and the report",
            idx.len() - n,
            kind.as_str()
        ));
    }
    let names: std::collections::HashSet<(bool, &str)> = s
        .entities
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(e, _)| (e.kind == EntityKind::Service, e.name.as_str()))
        .collect();
    let kept = |kind: EntityKind, name: &str| names.contains(&(kind == EntityKind::Service, name));
    let mut reqs: Vec<usize> = (0..s.requests.len()).collect();
    if reqs.len() > requests {
        reqs.sort_by(|&a, &b| {
            s.requests[b]
                .requests_per_year
                .total_cmp(&s.requests[a].requests_per_year)
        });
        more.push(format!(
            "and {} more request kinds with fewer requests, not drawn: every one is in summary.csv and the report",
            reqs.len() - requests
        ));
        reqs.truncate(requests);
        reqs.sort_unstable();
    }
    let shown = Summary {
        scenario: s.scenario.clone(),
        nines_version: s.nines_version.clone(),
        mission_hours: s.mission_hours,
        seed: s.seed,
        replications: s.replications,
        events: s.events,
        wall_seconds: s.wall_seconds,
        events_per_second: s.events_per_second,
        threads: s.threads,
        entities: s
            .entities
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(e, _)| e.clone())
            .collect(),
        contributions: s
            .contributions
            .iter()
            .filter(|c| kept(EntityKind::Service, &c.service))
            .cloned()
            .collect(),
        attribution: s
            .attribution
            .iter()
            .filter(|c| kept(EntityKind::Service, &c.service))
            .cloned()
            .collect(),
        crews: s.crews.clone(),
        stocks: s.stocks.clone(),
        clusters: s.clusters.clone(),
        latent: s.latent.clone(),
        phases: s.phases.clone(),
        phase_requests: s.phase_requests.clone(),
        requests: reqs.iter().map(|&i| s.requests[i].clone()).collect(),
        client_groups: s.client_groups.clone(),
        downtime_distributions: s
            .downtime_distributions
            .iter()
            .filter(|d| kept(d.kind, &d.name))
            .cloned()
            .collect(),
    };
    (Cow::Owned(shown), more)
}

/// Finishes an SVG drawn by plotters: names the embedded font (and close relatives) as its font.
fn finish_svg(svg: String) -> String {
    svg.replace(
        "font-family=\"sans-serif\"",
        &format!("font-family=\"{}\"", font::SVG_FAMILIES),
    )
}

/// Pixels per SVG pixel in PNG output (2 for sharp text on high-density screens).
pub const PNG_SCALE: f32 = 2.0;

/// Rasterises an SVG chart to PNG at [`PNG_SCALE`], with the embedded font only (no system fonts).
pub fn png(svg: &str) -> Result<Vec<u8>, ChartError> {
    use resvg::{tiny_skia, usvg};
    let opt = usvg::Options {
        font_family: font::FAMILY.to_string(),
        fontdb: font::database(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| ChartError::Png(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * PNG_SCALE).ceil() as u32,
        (size.height() * PNG_SCALE).ceil() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| ChartError::Png(format!("bad size {w}×{h}")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    encode(&pixmap)
}

/// PNG bytes of an opaque pixmap: 8-bit RGB (the background is white, so every pixel is opaque and
/// premultiplied values are the colours), compressed at a fast zlib level with adaptive filters (about
/// three times faster than the default level, 10% larger).
fn encode(pixmap: &resvg::tiny_skia::Pixmap) -> Result<Vec<u8>, ChartError> {
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_deflate_compression(png::DeflateCompression::Level(2));
    enc.set_filter(png::Filter::Adaptive);
    let err = |e: png::EncodingError| ChartError::Png(e.to_string());
    let mut w = enc.write_header().map_err(err)?;
    w.write_image_data(&rgb).map_err(err)?;
    w.finish().map_err(err)?;
    Ok(out)
}
