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
pub mod compare;
mod contributions;
mod downtime;
pub mod draw;
pub mod font;
mod latency;
mod timeline;

use crate::engine::trace::Trace;
use crate::estimate::summary::Summary;

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
    /// File name without extension, e.g. `availability`.
    pub name: &'static str,
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
