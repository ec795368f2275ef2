//! The page model: a [`Page`] of [`Section`]s of [`Block`]s, [`Table`]s of [`Cell`]s, and how the
//! figures of a report are written into cells (a fraction with its value's decimals, an amount with its
//! 95% interval cut at zero, a caption naming the replications behind a table).

use crate::base::format::{percent, sig3};
use crate::base::stats::Estimate;

/// A whole HTML page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Shown as the main heading and the window title.
    pub title: String,
    /// A line under the title.
    pub subtitle: Option<String>,
    /// The body, in order; each section gets an entry in the table of contents.
    pub sections: Vec<Section>,
    /// How long the run took and on how many threads: the one line that differs between runs of the
    /// same inputs. It is rendered alone on one line (`<p class="timing">…</p>`) at the end, so that
    /// reports can be compared with it removed.
    pub timing: Option<String>,
}

/// A titled part of a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// Its heading (an `<h2>`), also its entry in the table of contents.
    pub heading: String,
    /// Its content.
    pub blocks: Vec<Block>,
}

impl Section {
    /// A section with a heading and blocks.
    pub fn new(heading: impl Into<String>, blocks: Vec<Block>) -> Self {
        Section {
            heading: heading.into(),
            blocks,
        }
    }
}

/// One piece of content. All text is plain text: it is escaped when rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph.
    Paragraph(String),
    /// A subheading inside a section (an `<h3>`).
    Subheading(String),
    /// A table; numeric cells are right-aligned, and so is the header above them.
    Table(Table),
    /// A chart: an SVG document, inlined (any XML prolog or doctype before `<svg` is dropped) and scaled
    /// down to the page width; `title` is its caption and accessible name.
    Svg {
        /// Caption.
        title: String,
        /// The SVG document, trusted (drawn by nines, not taken from user input).
        svg: String,
    },
    /// Terms and their values or explanations, in two columns.
    KeyValues(Vec<(String, String)>),
    /// Preformatted text (wrapped at the page width).
    Pre(String),
    /// Preformatted text folded under a one-line summary the reader clicks to open.
    Details {
        /// The line shown while folded.
        summary: String,
        /// The text shown when opened.
        text: String,
    },
    /// Warnings and caveats, highlighted.
    Notes(Vec<String>),
}

/// A table of cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells; a row may be shorter than the header.
    pub rows: Vec<Vec<Cell>>,
    /// Shown under the table: what the figures are and how many replications are behind them.
    pub caption: Option<String>,
}

/// A table cell: its text, an optional second line in small print (a 95% interval, a description) and
/// whether it is a number (right-aligned).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// Main text.
    pub text: String,
    /// Second line in small print.
    pub detail: Option<String>,
    /// Right-aligned, tabular digits.
    pub numeric: bool,
}

impl Cell {
    /// A left-aligned text cell.
    pub fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            detail: None,
            numeric: false,
        }
    }

    /// A right-aligned number.
    pub fn number(text: impl Into<String>) -> Self {
        Cell {
            numeric: true,
            ..Cell::text(text)
        }
    }

    /// Adds a second line in small print.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// An estimate formatted by `f`, with its 95% interval `[low, high]` in small print (or "no interval"
    /// when the bounds are not finite).
    pub fn estimate(e: &Estimate, f: impl Fn(f64) -> String) -> Self {
        Cell::number(f(e.value)).detail(interval(e, f))
    }

    /// [`Cell::estimate`] of a quantity that lies in `[lo, hi]` (a fraction in [0, 1], hours at least
    /// 0): the interval's bounds are cut there (normal-approximation intervals can cross them).
    pub fn estimate_within(e: &Estimate, lo: f64, hi: f64, f: impl Fn(f64) -> String) -> Self {
        let cut = Estimate {
            ci95_low: e.ci95_low.clamp(lo, hi),
            ci95_high: e.ci95_high.clamp(lo, hi),
            ..*e
        };
        Cell::estimate(&cut, f)
    }

    /// A fraction (availability, a share, a probability) as a percentage with enough decimals to tell
    /// values near 100% apart ([`share`]); its interval is cut to [0, 1].
    pub fn fraction(e: &Estimate) -> Self {
        let v = e.value;
        Cell::estimate_within(e, 0.0, 1.0, |x| share(x, v))
    }

    /// An amount that cannot be negative (hours with [`hours`](crate::base::format::hours), counts per
    /// year with [`sig3`]); its interval is cut at zero.
    pub fn amount(e: &Estimate, f: impl Fn(f64) -> String) -> Self {
        Cell::estimate_within(e, 0.0, f64::INFINITY, f)
    }
}

/// The 95% interval of an estimate as `[low, high]`, formatted by `f`.
pub fn interval(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    if e.ci95_low.is_finite() && e.ci95_high.is_finite() {
        format!("[{}, {}]", f(e.ci95_low), f(e.ci95_high))
    } else {
        "no interval".into()
    }
}

/// A fraction `x` as a percentage formatted for a value `v` (so that an interval has its value's
/// decimals): above one half as many decimals as the nines of `v` need (99.9548%), below three
/// significant digits (16.9%, 0.0692%).
pub fn share(x: f64, v: f64) -> String {
    if v > 0.5 { percent(x, 1.0 - v) } else { pct(x) }
}

pub(super) fn pct(x: f64) -> String {
    format!("{}%", sig3(x * 100.0))
}

pub(super) fn nines_text(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "∞".into()
    }
}

pub(super) fn fraction(e: &Estimate) -> Cell {
    Cell::fraction(e)
}

pub(super) fn amount(e: &Estimate, f: impl Fn(f64) -> String) -> Cell {
    Cell::amount(e, f)
}

pub(super) fn name_cell(name: &str, description: Option<&String>) -> Cell {
    match description {
        Some(d) => Cell::text(name).detail(d.clone()),
        None => Cell::text(name),
    }
}

pub(super) fn caption(what: &str, n: u64) -> String {
    format!(
        "{what} Each figure: estimate, and its 95% confidence interval below it; n = {n} replications."
    )
}
