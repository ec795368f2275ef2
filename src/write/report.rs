//! HTML reports: a small page builder and the report of one run. Pure: every function returns text;
//! nothing here touches the file system.
//!
//! A [`Page`] is a title, a subtitle, [`Section`]s of [`Block`]s (paragraphs, tables of [`Cell`]s, inline
//! SVG charts, key–value lists, preformatted text, notes) and an optional timing line. [`render`] turns
//! it into one self-contained HTML document: inline CSS, charts inlined as SVG, no script, no external
//! font, stylesheet or image, and a content security policy that forbids loading anything. Every piece
//! of text is escaped, so names and descriptions from scenario files cannot inject markup.
//!
//! [`run_report`] builds the page of one run (`nines run`, `nines merge`); compare and sweep reports
//! build their own pages from the same blocks.
//!
//! ```
//! use nines::write::report::{Block, Cell, Page, Section, Table, render};
//! let page = Page {
//!     title: "Layouts <compared>".into(),
//!     subtitle: Some("two scenarios".into()),
//!     sections: vec![Section::new(
//!         "Availability",
//!         vec![Block::Table(Table {
//!             header: vec!["layout".into(), "availability".into()],
//!             rows: vec![vec![Cell::text("one SQL"), Cell::number("99.95%").detail("[99.94%, 99.96%]")]],
//!             caption: Some("n = 1000 replications".into()),
//!         })],
//!     )],
//!     timing: None,
//! };
//! let html = render(&page);
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("Layouts &lt;compared&gt;"));
//! assert!(html.contains("<td class=\"num\">99.95%<span class=\"ci\">[99.94%, 99.96%]</span></td>"));
//! ```

use std::fmt::Write as _;

use crate::analyses::explain;
use crate::base::format::{hours, percent, sig3};
use crate::base::stats::Estimate;
use crate::base::units::format_duration;
use crate::estimate::summary::{EntitySummary, Summary};
use crate::model::{EntityKind, Model};
use crate::write::charts::Chart;

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

    /// An amount that cannot be negative (hours with [`hours`], counts per year with [`sig3`]); its
    /// interval is cut at zero.
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

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet: a system font stack, zebra tables with right-aligned tabular numbers, charts scaled
/// to the page, and a print layout without the coloured header and the contents.
const CSS: &str = r#"
:root{--fg:#1c2430;--muted:#5d6778;--line:#d9dee6;--zebra:#f4f6f9;--head:#eef2f7;--accent:#1d4f86;--band:#16324f}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif}
header.top{background:var(--band);color:#fff;padding:26px 0 20px}
header.top .wrap,main,footer{max-width:1120px;margin:0 auto;padding-left:32px;padding-right:32px}
header.top h1{margin:0;font-size:27px;font-weight:650;letter-spacing:-.01em}
header.top p{margin:6px 0 0;color:#c7d4e3}
nav.toc{border-bottom:1px solid var(--line);background:#fafbfc}
nav.toc ol{list-style:none;margin:0 auto;max-width:1120px;padding:10px 32px;display:flex;flex-wrap:wrap;gap:4px 22px;font-size:14px}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
main{padding-top:4px;padding-bottom:24px}
section{margin-top:30px}
h2{font-size:21px;font-weight:650;margin:0 0 12px;padding-bottom:5px;border-bottom:2px solid var(--line)}
h3{font-size:16px;font-weight:650;margin:22px 0 6px}
p{margin:8px 0;max-width:78ch}
.scroll{overflow-x:auto;margin:10px 0 18px}
table{border-collapse:collapse;width:100%;font-size:14px;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:13px;padding-top:6px}
th,td{padding:6px 8px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
thead th{background:var(--head);font-weight:600;font-size:13px;border-bottom:2px solid #c3ccd8;vertical-align:bottom}
tbody tr:nth-child(even){background:var(--zebra)}
th.num,td.num{text-align:right}
td.num{white-space:nowrap}
.ci{display:block;color:var(--muted);font-size:12px;white-space:nowrap}
td:not(.num) .ci{white-space:normal}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:5px 24px;margin:10px 0;font-size:14px}
dl.kv dt{font-weight:600;color:var(--muted)}
dl.kv dd{margin:0}
pre{margin:10px 0;padding:12px 14px;background:#f6f8fa;border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
details{margin:10px 0}
details summary{cursor:pointer;color:var(--accent);font-size:14px}
ul.notes{margin:10px 0;padding:8px 14px 8px 32px;background:#fff7e0;border-left:4px solid #d9a400;font-size:14px}
figure{margin:18px 0 26px;padding:0}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto;border:1px solid var(--line)}
figcaption{color:var(--muted);font-size:13px;margin-top:6px;text-align:center}
footer{color:var(--muted);font-size:13px;padding-bottom:30px}
footer::before{content:"";display:block;border-top:1px solid var(--line);margin-bottom:10px}
footer p{margin:4px 0;max-width:none}
@media print{
body{font-size:10.5pt}
header.top{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
header.top p{color:#333}
header.top .wrap,main,footer{max-width:none;padding-left:0;padding-right:0}
nav.toc{display:none}
.scroll{overflow:visible}
table,figure,dl.kv,pre{break-inside:avoid}
h2,h3{break-after:avoid}
tbody tr:nth-child(even){background:#f2f2f2;-webkit-print-color-adjust:exact;print-color-adjust:exact}
table{font-size:8pt}
thead th{font-size:7.5pt}
th,td{padding:3px 4px}
.ci,td:not(.num) .ci{font-size:7pt;white-space:normal}
dl.kv{font-size:9pt}
pre{font-size:8pt}
}
"#;

/// Renders a page as one self-contained HTML document. The same page always gives the same bytes.
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing may be fetched or run: the report is complete as it is.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"nines {}\">",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&page.title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str("<header class=\"top\"><div class=\"wrap\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&page.title));
    if let Some(s) = &page.subtitle {
        let _ = writeln!(out, "<p>{}</p>", escape(s));
    }
    out.push_str("</div></header>\n");
    let ids: Vec<String> = page
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| section_id(i, &s.heading))
        .collect();
    if page.sections.len() > 1 {
        out.push_str("<nav class=\"toc\" aria-label=\"Contents\"><ol>\n");
        for (s, id) in page.sections.iter().zip(&ids) {
            let _ = writeln!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(&s.heading));
        }
        out.push_str("</ol></nav>\n");
    }
    out.push_str("<main>\n");
    let mut figure = 0;
    for (s, id) in page.sections.iter().zip(&ids) {
        let _ = writeln!(out, "<section id=\"{id}\">");
        let _ = writeln!(out, "<h2>{}</h2>", escape(&s.heading));
        for b in &s.blocks {
            block(&mut out, b, &mut figure);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<footer>\n");
    let _ = writeln!(
        out,
        "<p>Made by nines {} (Monte Carlo availability simulator). Every estimate comes from the replications of the run, with its 95% confidence interval.</p>",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(t) = &page.timing {
        // Alone on its line: the only one that differs between runs of the same inputs.
        let _ = writeln!(
            out,
            "<p class=\"timing\">{}</p>",
            escape(&t.replace('\n', " "))
        );
    }
    out.push_str("</footer>\n</body>\n</html>\n");
    out
}

/// A stable, unique fragment id for a section: its position and its heading's letters and digits.
fn section_id(i: usize, heading: &str) -> String {
    let mut slug = String::new();
    for c in heading.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("s{}", i + 1)
    } else {
        format!("s{}-{slug}", i + 1)
    }
}

fn block(out: &mut String, b: &Block, figure: &mut usize) {
    match b {
        Block::Paragraph(t) => {
            let _ = writeln!(out, "<p>{}</p>", escape(t));
        }
        Block::Subheading(t) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape(t));
        }
        Block::Table(t) => table(out, t),
        Block::Svg { title, svg } => {
            *figure += 1;
            let _ = writeln!(
                out,
                "<figure class=\"chart\" aria-label=\"{}\">",
                escape(title)
            );
            match svg.find("<svg") {
                Some(at) => {
                    out.push_str(svg[at..].trim_end());
                    out.push('\n');
                }
                None => {
                    let _ = writeln!(out, "<p>(this chart is not an SVG document)</p>");
                }
            }
            let _ = writeln!(
                out,
                "<figcaption>Figure {figure}. {}</figcaption>\n</figure>",
                escape(title)
            );
        }
        Block::KeyValues(kv) => {
            out.push_str("<dl class=\"kv\">\n");
            for (k, v) in kv {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
            }
            out.push_str("</dl>\n");
        }
        Block::Pre(t) => {
            let _ = writeln!(out, "<pre>{}</pre>", escape(t.trim_end()));
        }
        Block::Details { summary, text } => {
            let _ = writeln!(
                out,
                "<details>\n<summary>{}</summary>\n<pre>{}</pre>\n</details>",
                escape(summary),
                escape(text.trim_end())
            );
        }
        Block::Notes(notes) => {
            if notes.is_empty() {
                return;
            }
            out.push_str("<ul class=\"notes\">\n");
            for n in notes {
                let _ = writeln!(out, "<li>{}</li>", escape(n));
            }
            out.push_str("</ul>\n");
        }
    }
}

fn table(out: &mut String, t: &Table) {
    let numeric = |j: usize| {
        t.rows
            .first()
            .and_then(|r| r.get(j))
            .is_some_and(|c| c.numeric)
    };
    let class = |num: bool| if num { " class=\"num\"" } else { "" };
    out.push_str("<div class=\"scroll\"><table>\n");
    if let Some(c) = &t.caption {
        let _ = writeln!(out, "<caption>{}</caption>", escape(c));
    }
    out.push_str("<thead><tr>");
    for (j, h) in t.header.iter().enumerate() {
        let _ = write!(
            out,
            "<th scope=\"col\"{}>{}</th>",
            class(numeric(j)),
            escape(h)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td{}>{}", class(c.numeric), escape(&c.text));
            if let Some(d) = &c.detail {
                let _ = write!(out, "<span class=\"ci\">{}</span>", escape(d));
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

/// The scenario file behind a run: the name it was read as and its text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The file as named on the command line (or in the parts of a sharded run).
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// Components listed per service in the table of where downtime comes from.
const CONTRIBUTIONS_SHOWN: usize = 8;

/// The report of one run: assumptions, the scenario in plain words (and its file), services, roles,
/// mechanisms, clients and crews with every estimate's 95% interval, the charts (none when `charts` is
/// empty: they were not drawn) and how to read the figures.
pub fn run_report(model: &Model, summary: &Summary, charts: &[Chart], source: &Source) -> Page {
    let mission = format_duration(summary.mission_hours);
    let mut assumptions = vec![
        ("Scenario".into(), summary.scenario.clone()),
        ("Scenario file".into(), source.file.to_string()),
        (
            "Mission".into(),
            format!("{mission} per replication (simulated time of each independent history)"),
        ),
        ("Replications".into(), summary.replications.to_string()),
        ("Seed".into(), summary.seed.to_string()),
        ("Events simulated".into(), summary.events.to_string()),
        ("nines version".into(), summary.nines_version.clone()),
    ];
    if let Some(cost) = model.cost_line() {
        let cost = cost
            .strip_prefix("yearly cost ")
            .unwrap_or(&cost)
            .to_string();
        assumptions.push(("Yearly cost".into(), cost));
    }
    let mut sections = vec![Section::new(
        "Assumptions",
        vec![
            Block::KeyValues(assumptions),
            Block::Paragraph(format!(
                "The same scenario, seed, mission and replications give the same figures on any machine and with any number of threads. Percentiles of annual downtime are over {} mission-years.",
                years_observed(summary)
            )),
        ],
    )];
    // Without the threads, which do not change the results (the report is the same whatever `-j`).
    let mut unthreaded = model.clone();
    unthreaded.simulation.threads = None;
    let description = explain::describe(&unthreaded);
    let warnings = explain::warnings(model);
    let mut scenario = vec![
        Block::Paragraph(
            "What the simulator understood the scenario to be, as “nines validate” explains it:"
                .into(),
        ),
        Block::Pre(description),
    ];
    if !warnings.is_empty() {
        scenario.push(Block::Notes(warnings));
    }
    scenario.push(Block::Details {
        summary: format!(
            "Scenario file {} ({} lines)",
            source.file,
            source.text.lines().count()
        ),
        text: source.text.to_string(),
    });
    sections.push(Section::new("Scenario", scenario));
    sections.push(Section::new("Services", services(model, summary)));
    let roles = roles(model, summary);
    if !roles.is_empty() {
        sections.push(Section::new("Roles", roles));
    }
    let clients = clients(summary);
    if !clients.is_empty() {
        sections.push(Section::new("Clients", clients));
    }
    if !summary.crews.is_empty() {
        sections.push(Section::new("Repair crews", crews(summary)));
    }
    sections.push(charts_section(charts));
    sections.push(how_to_read());
    Page {
        title: format!("nines report: {}", summary.scenario),
        subtitle: Some(format!(
            "mission {mission} · {} replications · seed {} · nines {}",
            summary.replications, summary.seed, summary.nines_version
        )),
        sections,
        timing: Some(timing(summary)),
    }
}

/// A "Charts" section with every chart inline, in order; when `charts` is empty, a note that they
/// were not drawn (`--no-charts`).
pub fn charts_section(charts: &[Chart]) -> Section {
    let blocks = if charts.is_empty() {
        vec![Block::Notes(vec![
            "The charts were not drawn for this run (--no-charts).".into(),
        ])]
    } else {
        charts
            .iter()
            .map(|c| Block::Svg {
                title: c.title.clone(),
                svg: c.svg.clone(),
            })
            .collect()
    };
    Section::new("Charts", blocks)
}

/// The timing line of a run ([`Page::timing`]): events, wall time, events per second and threads, or,
/// with no wall time (a merge of shards), that it was not recorded.
pub fn timing(summary: &Summary) -> String {
    if summary.wall_seconds > 0.0 {
        format!(
            "Run time: {} events in {:.2}s ({} million events/s) on {} thread{}; results do not depend on the number of threads.",
            summary.events,
            summary.wall_seconds,
            sig3(summary.events_per_second / 1e6),
            summary.threads,
            if summary.threads == 1 { "" } else { "s" }
        )
    } else {
        "Run time: not recorded (merged from the parts of a sharded run).".into()
    }
}

fn years_observed(summary: &Summary) -> u64 {
    summary.entities.first().map_or(0, |e| e.years_observed)
}

fn nines_text(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "∞".into()
    }
}

fn pct(x: f64) -> String {
    format!("{}%", sig3(x * 100.0))
}

/// A fraction `x` as a percentage formatted for a value `v` (so that an interval has its value's
/// decimals): above one half as many decimals as the nines of `v` need (99.9548%), below three
/// significant digits (16.9%, 0.0692%).
pub fn share(x: f64, v: f64) -> String {
    if v > 0.5 { percent(x, 1.0 - v) } else { pct(x) }
}

fn fraction(e: &Estimate) -> Cell {
    Cell::fraction(e)
}

fn amount(e: &Estimate, f: impl Fn(f64) -> String) -> Cell {
    Cell::amount(e, f)
}

fn name_cell(name: &str, description: Option<&String>) -> Cell {
    match description {
        Some(d) => Cell::text(name).detail(d.clone()),
        None => Cell::text(name),
    }
}

fn caption(what: &str, n: u64) -> String {
    format!(
        "{what} Each figure: estimate, and its 95% confidence interval below it; n = {n} replications."
    )
}

fn services(model: &Model, summary: &Summary) -> Vec<Block> {
    let services: Vec<&EntitySummary> = summary
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Service)
        .collect();
    let n = summary.replications;
    if services.is_empty() {
        return vec![Block::Paragraph(
            "The scenario defines no service: see the roles.".into(),
        )];
    }
    let describe = |name: &str| {
        model
            .services
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.description.as_ref())
    };
    let main = Table {
        header: vec![
            "service".into(),
            "target".into(),
            "availability".into(),
            "nines".into(),
            "downtime per year".into(),
            "outages per year".into(),
            "mean outage".into(),
            "years below target".into(),
        ],
        rows: services
            .iter()
            .map(|e| {
                vec![
                    name_cell(&e.name, describe(&e.name)),
                    Cell::number(
                        e.target
                            .map(|t| percent(t, 1.0 - t))
                            .unwrap_or_else(|| "none".into()),
                    ),
                    fraction(&e.availability),
                    Cell::estimate(&e.nines, nines_text),
                    amount(&e.downtime_hours_per_year, hours),
                    amount(&e.outages_per_year, sig3),
                    amount(&e.mean_outage_hours, hours),
                    match &e.probability_year_misses_target {
                        Some(p) => fraction(p),
                        None => Cell::number("no target"),
                    },
                ]
            })
            .collect(),
        caption: Some(caption(
            "Availability is the share of mission time the service was up; nines = −log10(unavailability); years below target is the share of mission-years whose availability missed the target.",
            n,
        )),
    };
    let bad_years = Table {
        header: vec![
            "service".into(),
            "P50 year".into(),
            "P90 year".into(),
            "P99 year".into(),
            "worst year seen".into(),
            "longest outage (mean per mission)".into(),
            "worst outage seen".into(),
            "time at risk per year".into(),
            "outages seen".into(),
        ],
        rows: services
            .iter()
            .map(|e| {
                vec![
                    Cell::text(&e.name),
                    amount(&e.annual_downtime_hours_p50, hours),
                    amount(&e.annual_downtime_hours_p90, hours),
                    amount(&e.annual_downtime_hours_p99, hours),
                    Cell::number(hours(e.annual_downtime_hours_max)).detail("no interval"),
                    amount(&e.longest_outage_hours, hours),
                    Cell::number(hours(e.worst_outage_hours)).detail("no interval"),
                    amount(&e.at_risk_hours_per_year, hours),
                    Cell::number(e.total_outages.to_string()),
                ]
            })
            .collect(),
        caption: Some(format!(
            "Downtime of a calendar year of the mission (percentiles over {} mission-years, intervals distribution-free); longest outage is the mean over replications of each mission's longest; time at risk is time up with no redundancy left. n = {n} replications.",
            years_observed(summary)
        )),
    };
    let mut blocks = vec![
        Block::Subheading("Availability and downtime".into()),
        Block::Table(main),
        Block::Subheading("Bad years and long outages".into()),
        Block::Table(bad_years),
    ];
    if services
        .iter()
        .any(|e| e.planned_downtime_hours_per_year.value > 0.0)
    {
        blocks.push(Block::Subheading("Planned and unplanned downtime".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "service".into(),
                "planned downtime per year".into(),
                "unplanned downtime per year".into(),
            ],
            rows: services
                .iter()
                .map(|e| {
                    vec![
                        Cell::text(&e.name),
                        amount(&e.planned_downtime_hours_per_year, hours),
                        amount(&e.unplanned_downtime_hours_per_year, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Planned: downtime in outages started by planned maintenance.",
                n,
            )),
        }));
    }
    let mut rows = Vec::new();
    let mut cut = Vec::new();
    for e in &services {
        let all: Vec<_> = summary
            .contributions
            .iter()
            .filter(|c| c.service == e.name)
            .collect();
        if all.len() > CONTRIBUTIONS_SHOWN {
            cut.push(format!(
                "{}: the {CONTRIBUTIONS_SHOWN} largest of {} components are shown; summary.csv has them all.",
                e.name,
                all.len()
            ));
        }
        for c in all.into_iter().take(CONTRIBUTIONS_SHOWN) {
            rows.push(vec![
                Cell::text(&e.name),
                Cell::text(&c.component),
                Cell::text(c.component_kind.as_str()),
                fraction(&c.share_of_downtime),
            ]);
        }
    }
    if !rows.is_empty() {
        blocks.push(Block::Subheading("Where downtime comes from".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "service".into(),
                "component".into(),
                "kind".into(),
                "down while the service is down".into(),
            ],
            rows,
            caption: Some(caption(
                "Share of the service's downtime during which the component was failed; shares can add up to more than 100% when several are down together.",
                n,
            )),
        }));
        if !cut.is_empty() {
            blocks.push(Block::Notes(cut));
        }
    }
    let unreliable: Vec<String> = summary
        .entities
        .iter()
        .filter(|e| e.total_outages < 10)
        .map(|e| {
            let seen = match e.total_outages {
                0 => "no outage".to_string(),
                1 => "only 1 outage".to_string(),
                k => format!("only {k} outages"),
            };
            format!(
                "{} {}: {seen} seen in {} replications; its intervals are not reliable, run more replications.",
                e.kind.as_str(),
                e.name,
                summary.replications
            )
        })
        .collect();
    if !unreliable.is_empty() {
        blocks.push(Block::Notes(unreliable));
    }
    blocks
}

fn roles(model: &Model, summary: &Summary) -> Vec<Block> {
    let n = summary.replications;
    let roles: Vec<&EntitySummary> = summary
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Role)
        .collect();
    if roles.is_empty() {
        return Vec::new();
    }
    let role = |name: &str| model.roles.iter().find(|r| r.name == name);
    let mut blocks = vec![Block::Table(Table {
        header: vec![
            "role".into(),
            "redundancy".into(),
            "availability".into(),
            "nines".into(),
            "downtime per year".into(),
            "outages per year".into(),
            "mean outage".into(),
        ],
        rows: roles
            .iter()
            .map(|e| {
                let r = role(&e.name);
                vec![
                    name_cell(&e.name, r.and_then(|r| r.description.as_ref())),
                    Cell::text(r.map(|r| explain::redundancy(&r.kind)).unwrap_or_default()),
                    fraction(&e.availability),
                    Cell::estimate(&e.nines, nines_text),
                    amount(&e.downtime_hours_per_year, hours),
                    amount(&e.outages_per_year, sig3),
                    amount(&e.mean_outage_hours, hours),
                ]
            })
            .collect(),
        caption: Some(caption(
            "A role is available when enough of its instances are up and the roles it requires are available.",
            n,
        )),
    })];
    let mech: Vec<Vec<Cell>> = roles
        .iter()
        .filter_map(|e| e.failover.as_ref().map(|f| (e, f)))
        .map(|(e, f)| {
            vec![
                Cell::text(&e.name),
                amount(&f.failovers_per_year, sig3),
                amount(&f.failed_failovers_per_year, sig3),
                amount(&f.restarts_per_year, sig3),
                amount(&f.failover_hours_per_year, hours),
                amount(&f.restart_hours_per_year, hours),
                amount(&f.manual_hours_per_year, hours),
                amount(&f.no_host_hours_per_year, hours),
                amount(&f.recovery_hours_per_year, hours),
            ]
        })
        .collect();
    if !mech.is_empty() {
        blocks.push(Block::Subheading("Failover and recovery mechanisms".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "role".into(),
                "failovers per year".into(),
                "failed failovers per year".into(),
                "restarts per year".into(),
                "switching".into(),
                "restarting".into(),
                "waiting for an operator".into(),
                "no host up".into(),
                "restore / reinstall".into(),
            ],
            rows: mech,
            caption: Some(caption(
                "The role's own mechanism, per year; the last five columns are its own downtime per year by cause (ignoring the roles it requires).",
                n,
            )),
        }));
    }
    let loss: Vec<Vec<Cell>> = roles
        .iter()
        .filter_map(|e| e.data_loss.as_ref().map(|d| (e, d)))
        .map(|(e, d)| {
            vec![
                Cell::text(&e.name),
                amount(&d.hours_per_year, hours),
                amount(&d.incidents_per_year, sig3),
                amount(&d.mean_per_incident_hours, hours),
                Cell::number(hours(d.worst_hours)).detail("no interval"),
            ]
        })
        .collect();
    if !loss.is_empty() {
        blocks.push(Block::Subheading("Data loss".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "role".into(),
                "data lost per year".into(),
                "incidents per year".into(),
                "lost per incident (mean)".into(),
                "worst incident seen".into(),
            ],
            rows: loss,
            caption: Some(caption(
                "Data lost is measured in hours of changes not yet in a backup or replica.",
                n,
            )),
        }));
    }
    blocks
}

fn clients(summary: &Summary) -> Vec<Block> {
    if summary.requests.is_empty() {
        return Vec::new();
    }
    let n = summary.replications;
    let reqs = &summary.requests;
    let mut blocks = vec![
        Block::Subheading("Success and client-visible downtime".into()),
        Block::Table(Table {
            header: vec![
                "request".into(),
                "served by".into(),
                "requests per year".into(),
                "success ratio".into(),
                "failed requests per year".into(),
                "client-visible downtime per year".into(),
                "server-side downtime per year".into(),
            ],
            rows: reqs
                .iter()
                .map(|r| {
                    let served = match &r.fallback {
                        Some(f) => Cell::text(&r.target).detail(format!("falling back to {f}")),
                        None => Cell::text(&r.target),
                    };
                    vec![
                        Cell::text(&r.name),
                        served,
                        Cell::number(sig3(r.requests_per_year)).detail("exact"),
                        fraction(&r.success_ratio),
                        amount(&r.failed_requests_per_year, sig3),
                        amount(&r.client_visible_downtime_hours_per_year, hours),
                        amount(&r.server_downtime_hours_per_year, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Client-visible downtime is the time per year during which a new request fails; server-side downtime is the serving role's.",
                n,
            )),
        }),
        Block::Subheading("Latency of successful requests".into()),
        Block::Table(Table {
            header: vec![
                "request".into(),
                "mean".into(),
                "P50".into(),
                "P90".into(),
                "P99".into(),
                "P99.9".into(),
                "typical max per mission".into(),
            ],
            rows: reqs
                .iter()
                .map(|r| {
                    let a = r.attempts_on_target as usize;
                    let k = r.outcome_shares.len().saturating_sub(1);
                    let mut tries: Vec<String> = r.outcome_shares[..k]
                        .iter()
                        .enumerate()
                        .map(|(j, e)| {
                            if j < a {
                                format!("attempt {} {}", j + 1, share(e.value, e.value))
                            } else {
                                format!(
                                    "fallback attempt {} {}",
                                    j - a + 1,
                                    share(e.value, e.value)
                                )
                            }
                        })
                        .collect();
                    if let Some(f) = r.outcome_shares.last() {
                        tries.push(format!("failed {}", share(f.value, f.value)));
                    }
                    vec![
                        Cell::text(&r.name).detail(format!("succeeded at {}", tries.join(" · "))),
                        amount(&r.latency_mean_hours, hours),
                        amount(&r.latency_p50_hours, hours),
                        amount(&r.latency_p90_hours, hours),
                        amount(&r.latency_p99_hours, hours),
                        amount(&r.latency_p999_hours, hours),
                        amount(&r.latency_max_hours, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Latency counts retries, backoff and queueing; percentile intervals are conservative. Under each request: the share of requests that succeeded at each attempt, and that failed.",
                n,
            )),
        }),
    ];
    let states: Vec<Vec<Cell>> = reqs
        .iter()
        .flat_map(|r| {
            r.by_state
                .iter()
                .filter(|b| b.share_of_requests.value > 0.0)
                .map(|b| {
                    vec![
                        Cell::text(&r.name),
                        Cell::text(b.state.replace('_', " ")),
                        fraction(&b.share_of_requests),
                        fraction(&b.success_ratio),
                        amount(&b.latency_mean_hours, hours),
                        amount(&b.latency_p99_hours, hours),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if !states.is_empty() {
        blocks.push(Block::Subheading(
            "By state of the servers at arrival".into(),
        ));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "state at arrival".into(),
                "share of requests".into(),
                "success ratio".into(),
                "mean latency".into(),
                "P99 latency".into(),
            ],
            rows: states,
            caption: Some(caption(
                "All up: every instance of the serving role up; degraded: some down; down: the role unavailable.",
                n,
            )),
        }));
    }
    let queues: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.capacity_per_hour.map(|mu| (r, mu)))
        .flat_map(|(r, mu)| {
            r.queue
                .iter()
                .rev()
                .map(|q| {
                    vec![
                        Cell::text(&r.name),
                        Cell::number(format!("{}/s", sig3(r.offered_load_per_hour / 3600.0))),
                        Cell::number(format!("{}/s", sig3(mu / 3600.0))),
                        Cell::number(q.live.to_string()),
                        Cell::number(pct(q.utilisation)),
                        if q.utilisation >= 1.0 {
                            Cell::number("saturated").detail("every attempt times out")
                        } else {
                            Cell::number(pct(q.p_wait))
                        },
                        Cell::number(hours(q.mean_wait_hours)),
                        Cell::number(pct(q.p_timeout)),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if !queues.is_empty() {
        blocks.push(Block::Subheading("Queues".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "offered".into(),
                "capacity per instance".into(),
                "instances up".into(),
                "busy".into(),
                "wait".into(),
                "mean wait".into(),
                "time out".into(),
            ],
            rows: queues,
            caption: Some(
                "M/M/c queue of the serving role for each number of live instances: exact, from the inputs (no sampling error)."
                    .into(),
            ),
        }));
    }
    let caches: Vec<Vec<Cell>> = reqs
        .iter()
        .filter_map(|r| r.cache.as_ref().map(|c| (r, c)))
        .map(|(r, c)| {
            vec![
                Cell::text(&r.name),
                fraction(&c.delivered_share),
                amount(&c.delay_mean_hours, hours),
                amount(&c.delay_p50_hours, hours),
                amount(&c.delay_p99_hours, hours),
                Cell::number(hours(c.delay_max_hours)).detail("no interval"),
                amount(&c.undelivered_at_end, sig3),
            ]
        })
        .collect();
    if !caches.is_empty() {
        blocks.push(Block::Subheading("Cached data of failed requests".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "request".into(),
                "delivered".into(),
                "mean delay".into(),
                "P50 delay".into(),
                "P99 delay".into(),
                "worst delay seen".into(),
                "undelivered at mission end".into(),
            ],
            rows: caches,
            caption: Some(caption(
                "Data of requests that failed, cached by the clients and delivered by a later request.",
                n,
            )),
        }));
    }
    if summary.client_groups.len() > 1 {
        blocks.push(Block::Subheading("Client populations".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "population".into(),
                "request kinds".into(),
                "requests per year".into(),
                "success ratio".into(),
                "failed requests per year".into(),
                "P50 latency".into(),
                "P99 latency".into(),
                "P99.9 latency".into(),
            ],
            rows: summary
                .client_groups
                .iter()
                .map(|g| {
                    vec![
                        Cell::text(&g.name),
                        Cell::number(g.kinds.to_string()),
                        Cell::number(sig3(g.requests_per_year)).detail("exact"),
                        fraction(&g.success_ratio),
                        amount(&g.failed_requests_per_year, sig3),
                        amount(&g.latency_p50_hours, hours),
                        amount(&g.latency_p99_hours, hours),
                        amount(&g.latency_p999_hours, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "All the requests of each population, then of all clients.",
                n,
            )),
        }));
    }
    blocks
}

fn crews(summary: &Summary) -> Vec<Block> {
    vec![Block::Table(Table {
        header: vec![
            "crew".into(),
            "technicians".into(),
            "utilisation".into(),
            "mean wait for a technician".into(),
            "repairs per year".into(),
        ],
        rows: summary
            .crews
            .iter()
            .map(|c| {
                vec![
                    Cell::text(&c.name),
                    Cell::number(c.technicians.to_string()),
                    fraction(&c.utilisation),
                    amount(&c.mean_wait_hours, hours),
                    amount(&c.repairs_per_year, sig3),
                ]
            })
            .collect(),
        caption: Some(caption(
            "Utilisation: busy technician-hours over technicians × mission.",
            summary.replications,
        )),
    })]
}

/// The "How to read this report" section: what each figure means, intervals, extremes.
pub fn how_to_read() -> Section {
    let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
    let blocks = vec![
        Block::Paragraph(
            "nines simulates many independent missions of the whole system, event by event. Each figure is an estimate from those replications with its 95% confidence interval: an interval computed this way contains the true value (for these assumptions) in 95 of 100 runs. More replications narrow the intervals; they do not make the assumptions truer."
                .into(),
        ),
        Block::KeyValues(vec![
            kv(
                "availability",
                "the fraction of mission time the service was up, averaged over replications; nines is −log10(unavailability), so 99.9% is 3 nines.",
            ),
            kv("downtime per year", "mean time down per year of the mission."),
            kv(
                "P50 / P90 / P99 year",
                "percentiles of the downtime of each calendar year of every mission: P99 is the planner's bad year. Percentiles come from a streaming log histogram (accurate to 0.5%); their intervals are distribution-free.",
            ),
            kv(
                "outages per year, mean outage",
                "how often the service went down, and total downtime over outages. An outage still open at the mission end counts and is cut there.",
            ),
            kv(
                "longest outage",
                "the mean over missions of each mission's longest outage; the worst seen is the longest in any replication.",
            ),
            kv(
                "years below target",
                "the share of years whose availability missed the service's target.",
            ),
            kv(
                "time at risk",
                "time per year the service was up with no redundancy left, so that one more failure would take it down.",
            ),
            kv(
                "down while the service is down",
                "for each component, the share of the service's downtime during which it was failed; shares can add up to more than 100%.",
            ),
            kv(
                "[low, high]",
                "the 95% confidence interval, under each figure. Intervals of quantities that cannot be negative or exceed 100% are cut at those bounds here; summary.csv has them as computed.",
            ),
            kv(
                "no interval",
                "extremes (worst seen) have no confidence interval: they grow with the number of replications.",
            ),
        ]),
        Block::Paragraph(
            "The same figures are in summary.csv (one row per measure with its interval and n) and per replication in replications.csv; the charts are also written as SVG and PNG files under charts/."
                .into(),
        ),
    ];
    Section::new("How to read this report", blocks)
}

/// The report of a comparison (`nines compare`) or, with `sweep`, of a sweep (`nines sweep`): the
/// assumptions, the sweep table and its answer, every compared figure per layout with its 95% interval
/// and the difference to the first layout, the charts, how to read them and the scenario files.
pub fn compare_report(
    c: &crate::analyses::compare::Comparison,
    sweep: Option<&crate::analyses::sweep::Sweep>,
    charts: &[Chart],
    sources: &[Source],
    notes: &[String],
) -> Page {
    use crate::analyses::compare::Unit;
    let cur = c.currency.as_deref();
    let mission = format_duration(c.mission_hours);
    let mut assumptions = vec![
        (
            "Layouts".to_string(),
            c.layouts
                .iter()
                .map(|l| l.name.clone())
                .collect::<Vec<_>>()
                .join(" · "),
        ),
        ("Mission".into(), format!("{mission} per replication")),
        (
            "Replications".into(),
            format!("{} of each layout", c.replications),
        ),
        ("Seed".into(), c.seed.to_string()),
        (
            "Random numbers".into(),
            "common: every layout runs the same replications with the same seed, and a component that layouts share (by name) fails at the same moments in each, so differences are measured replication by replication".into(),
        ),
        ("Events simulated".into(), c.events.to_string()),
        ("nines version".into(), env!("CARGO_PKG_VERSION").into()),
    ];
    if let Some(s) = sweep {
        let params: Vec<String> = s
            .params
            .iter()
            .map(|p| {
                let v: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
                format!("{} over {}", p.path, v.join(", "))
            })
            .collect();
        assumptions.insert(0, ("Swept".into(), params.join("; ")));
        assumptions.insert(1, ("Service".into(), s.service.clone()));
    }
    let mut sections = vec![Section::new(
        "Assumptions",
        vec![Block::KeyValues(assumptions)],
    )];
    if !notes.is_empty() {
        sections[0].blocks.push(Block::Notes(notes.to_vec()));
    }
    if let Some(s) = sweep {
        let clients = s.rows.iter().any(|r| r.failed_requests_per_year.is_some());
        let costs = s.rows.iter().any(|r| r.yearly_cost.is_some());
        let mut header: Vec<String> = s.params.iter().map(|p| p.path.clone()).collect();
        header.extend(
            [
                "availability",
                "downtime per year",
                "P90 year",
                "outages per year",
            ]
            .map(String::from),
        );
        if clients {
            header.push("failed requests per year".into());
            header.push(format!(
                "P99 latency {}",
                s.request_kind.as_deref().unwrap_or("")
            ));
        }
        if costs {
            header.push("yearly cost".into());
        }
        if s.target.is_some() {
            header.push("meets the target".into());
        }
        let rows = s
            .rows
            .iter()
            .map(|r| {
                let mut row: Vec<Cell> =
                    r.values.iter().map(|v| Cell::text(v.to_string())).collect();
                row.push(fraction(&r.availability));
                row.push(amount(&r.downtime_hours_per_year, hours));
                row.push(amount(&r.annual_downtime_hours_p90, hours));
                row.push(amount(&r.outages_per_year, sig3));
                if clients {
                    row.push(
                        r.failed_requests_per_year
                            .map_or(Cell::text("—"), |e| amount(&e, sig3)),
                    );
                    row.push(r.latency_p99_hours.map_or(Cell::text("—"), |e| {
                        amount(&e, crate::base::format::latency)
                    }));
                }
                if costs {
                    row.push(Cell::number(
                        r.yearly_cost
                            .map_or("—".into(), |v| crate::base::format::money(v, cur)),
                    ));
                }
                if s.target.is_some() {
                    row.push(Cell::text(match r.meets {
                        Some(crate::analyses::sweep::Meets::Yes) => "yes",
                        Some(crate::analyses::sweep::Meets::No) => "no",
                        Some(crate::analyses::sweep::Meets::Uncertain) => "uncertain",
                        None => "—",
                    }));
                }
                row
            })
            .collect();
        let answer = match (s.target, s.answer()) {
            (Some(t), Some(r)) => format!(
                "Answer: {} is the {} point whose 95% interval of availability is at or above the target {}.",
                s.label(r),
                if costs { "cheapest" } else { "first" },
                percent(t, 1.0 - t)
            ),
            (Some(t), None) => format!(
                "No point is shown to meet the target {}; points marked uncertain need more replications.",
                percent(t, 1.0 - t)
            ),
            (None, _) => format!(
                "Service {} has no target, so the sweep cannot say which points meet it.",
                s.service
            ),
        };
        sections.push(Section::new(
            "Sweep",
            vec![
                Block::Paragraph(answer),
                Block::Table(Table {
                    header,
                    rows,
                    caption: Some(format!(
                        "service {}: each point is the scenario with the settings on its row; {} replications per point; 95% intervals in small print",
                        s.service, c.replications
                    )),
                }),
            ],
        ));
    }
    // One table per scope (service, clients, cost): a row per layout, a column per figure, so the
    // width does not grow with the number of layouts.
    let fmt = |u: Unit| move |v: f64| u.format(v, cur);
    let heading = |r: &crate::analyses::compare::Row| {
        if r.measure == "failed requests per year" || r.measure == "data loss per year" {
            "Whole layout".to_string()
        } else if r.unit == Unit::Money {
            "Cost".to_string()
        } else if r.unit == Unit::Latency {
            "Client latency: P99 of successful requests".to_string()
        } else {
            format!("Service {}", r.scope)
        }
    };
    let mut groups: Vec<(String, Vec<&crate::analyses::compare::Row>)> = Vec::new();
    for r in &c.rows {
        let h = heading(r);
        match groups.iter_mut().find(|g| g.0 == h) {
            Some(g) => g.1.push(r),
            None => groups.push((h, vec![r])),
        }
    }
    let mut side = Vec::new();
    for (h, rows) in &groups {
        let mut header = vec!["layout".to_string()];
        header.extend(rows.iter().map(|r| {
            if r.unit == Unit::Latency {
                // population.kind: break after the dot rather than anywhere.
                r.scope.replace('.', ".\u{200b}")
            } else {
                r.measure.to_string()
            }
        }));
        // A row per layout, and under each but the first its differences to the first.
        let mut body = Vec::new();
        for (i, l) in c.layouts.iter().enumerate() {
            let mut row = vec![Cell::text(l.name.clone())];
            let mut deltas = vec![Cell::text(format!("Δ vs {}", c.layouts[0].name))];
            for r in rows {
                let Some(cell) = r.cells[i] else {
                    row.push(Cell::text("—"));
                    deltas.push(Cell::text(""));
                    continue;
                };
                row.push(match r.unit {
                    Unit::Money => Cell::number(fmt(r.unit)(cell.value.value)),
                    Unit::Availability => fraction(&cell.value),
                    _ => amount(&cell.value, fmt(r.unit)),
                });
                deltas.push(match &cell.diff {
                    None => Cell::text(""),
                    Some(d) if r.unit == Unit::Money => {
                        Cell::number(r.unit.format_diff(d.value.value, cur))
                    }
                    Some(d) => {
                        let verdict = if d.significant {
                            if (d.value.value > 0.0) == r.higher_is_better {
                                "better"
                            } else {
                                "worse"
                            }
                        } else if d.paired {
                            "not significant"
                        } else {
                            "overlap"
                        };
                        Cell::number(format!(
                            "{} {verdict}",
                            r.unit.format_diff(d.value.value, cur)
                        ))
                        .detail(format!(
                            "[{}, {}]",
                            r.unit.format_diff(d.value.ci95_low, cur),
                            r.unit.format_diff(d.value.ci95_high, cur)
                        ))
                    }
                });
            }
            body.push(row);
            if i > 0 {
                body.push(deltas);
            }
        }
        side.push(Block::Subheading(h.clone()));
        side.push(Block::Table(Table {
            header,
            rows: body,
            caption: Some(format!(
                "{} replications of each layout; 95% intervals in small print; Δ: difference to {} with its 95% interval (percentage points for availability)",
                c.replications, c.layouts[0].name
            )),
        }));
    }
    side.push(Block::Paragraph(format!(
        "Means (availability, downtime, outages, data lost, failed requests) are compared replication by replication over the common random numbers: their Δ interval is that of the paired difference, and better or worse means it excludes zero. Percentiles and latencies are not paired: their difference counts as significant only when the two layouts' intervals do not overlap. A difference can be significant and still too small to matter; the cost next to it says what it would buy.{}",
        if c.layouts.len() > 2 { " Every difference is to the first layout." } else { "" }
    )));
    sections.push(Section::new("Layouts side by side", side));
    sections.push(charts_section(charts));
    sections.push(how_to_read());
    let files: Vec<Block> = sources
        .iter()
        .map(|s| Block::Details {
            summary: format!("scenario file {}", s.file),
            text: s.text.to_string(),
        })
        .collect();
    sections.push(Section::new("Scenario files", files));
    let title = match sweep {
        Some(s) => format!(
            "nines report · sweep of {} over {}",
            s.service,
            s.params
                .iter()
                .map(|p| p.path.clone())
                .collect::<Vec<_>>()
                .join(" × ")
        ),
        None => format!(
            "nines report · {}",
            c.layouts
                .iter()
                .map(|l| l.name.clone())
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
    };
    Page {
        title,
        subtitle: Some(format!(
            "{} layouts · mission {mission} · {} replications each · seed {} · common random numbers · nines {}",
            c.layouts.len(),
            c.replications,
            c.seed,
            env!("CARGO_PKG_VERSION")
        )),
        sections,
        timing: Some(format!(
            "Run time: {} events in {:.2}s on {} thread{}; results do not depend on the number of threads.",
            c.events,
            c.wall_seconds,
            c.threads,
            if c.threads == 1 { "" } else { "s" }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn section_ids_are_unique_and_safe() {
        assert_eq!(
            section_id(0, "How to read this report"),
            "s1-how-to-read-this-report"
        );
        assert_eq!(section_id(3, "<>\"'"), "s4");
        assert_eq!(section_id(1, "Über & co"), "s2-ber-co");
    }

    #[test]
    fn svg_prolog_is_dropped_and_text_escaped() {
        let page = Page {
            title: "t & <u>".into(),
            subtitle: None,
            sections: vec![Section::new(
                "s",
                vec![
                    Block::Svg {
                        title: "a <chart>".into(),
                        svg: "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg viewBox=\"0 0 1 1\"></svg>\n".into(),
                    },
                    Block::Notes(vec!["<script>".into()]),
                    Block::Details {
                        summary: "file".into(),
                        text: "a = \"</pre>\"".into(),
                    },
                ],
            )],
            timing: Some("1s\n2 threads".into()),
        };
        let html = render(&page);
        assert!(!html.contains("<?xml"));
        assert!(!html.contains("DOCTYPE svg"));
        assert!(html.contains(
            "<svg viewBox=\"0 0 1 1\"></svg>\n<figcaption>Figure 1. a &lt;chart&gt;</figcaption>"
        ));
        assert!(html.contains("<title>t &amp; &lt;u&gt;</title>"));
        assert!(html.contains("<li>&lt;script&gt;</li>"));
        assert!(html.contains("a = &quot;&lt;/pre&gt;&quot;"));
        assert!(html.contains("<p class=\"timing\">1s 2 threads</p>\n"));
        // One section: no table of contents.
        assert!(!html.contains("<nav"));
    }

    #[test]
    fn numeric_columns_align_right_with_their_header() {
        let mut out = String::new();
        table(
            &mut out,
            &Table {
                header: vec!["name".into(), "value".into()],
                rows: vec![vec![Cell::text("a"), Cell::number("1")]],
                caption: None,
            },
        );
        assert!(
            out.contains("<th scope=\"col\">name</th><th scope=\"col\" class=\"num\">value</th>")
        );
        assert!(out.contains("<td>a</td><td class=\"num\">1</td>"));
    }
}
