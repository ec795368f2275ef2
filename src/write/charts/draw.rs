//! Drawing helpers shared by the charts: a canvas over plotters' SVG backend with the embedded font,
//! the palette, text sizes, scales with readable ticks, and number formats.

use std::fmt::Display;

use plotters::coord::Shift;
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBAColor, RGBColor};

use super::ChartError;
pub use crate::base::format::{latency, num};
use crate::base::units::format_duration;
use crate::estimate::summary::Summary;

/// The Okabe–Ito palette (distinguishable with every common colour-vision deficiency).
pub mod palette {
    use plotters::style::RGBColor;
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Sky blue.
    pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Yellow.
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// White.
    pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
    /// Body text.
    pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Secondary text.
    pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
    /// Axis lines and ticks.
    pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
    /// Alternate row shading.
    pub const SHADE: RGBColor = RGBColor(0xF5, 0xF5, 0xF5);
    /// Series colours in order.
    pub const SERIES: [RGBColor; 7] = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW];
}

/// Text sizes in pixels (the SVG font size).
pub mod size {
    /// Chart title.
    pub const TITLE: f64 = 20.0;
    /// Subtitle under the title.
    pub const SUBTITLE: f64 = 13.0;
    /// Panel headings.
    pub const HEADING: f64 = 15.0;
    /// Axis titles.
    pub const AXIS: f64 = 13.0;
    /// Tick labels, row labels, legends.
    pub const LABEL: f64 = 12.0;
    /// Notes.
    pub const NOTE: f64 = 11.5;
}

/// Chart width, pixels.
pub const WIDTH: i32 = 1000;
/// Outer margin, pixels.
pub const MARGIN: i32 = 24;

/// plotters writes `size / 1.24` as the SVG font size; this makes `px` the SVG size.
const PLOTTERS_SCALE: f64 = 1.24;

/// A drawing surface that collects the first drawing error instead of failing every call.
pub struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
    error: Option<String>,
    /// Width, pixels.
    pub w: i32,
    /// Height, pixels.
    pub h: i32,
}

impl<'a> Canvas<'a> {
    /// A white canvas of `w` × `h` pixels drawing into `buf`.
    pub fn new(buf: &'a mut String, w: i32, h: i32) -> Self {
        super::font::register();
        let area = SVGBackend::with_string(buf, (w as u32, h as u32)).into_drawing_area();
        let mut c = Canvas {
            area,
            error: None,
            w,
            h,
        };
        let r = c.area.fill(&plotters::style::WHITE);
        c.check(r);
        c
    }

    fn check<E: Display>(&mut self, r: Result<(), E>) {
        if let Err(e) = r {
            self.error.get_or_insert_with(|| e.to_string());
        }
    }

    /// Writes the SVG out; the first drawing error, if any.
    pub fn finish(mut self) -> Result<(), ChartError> {
        let r = self.area.present();
        self.check(r);
        match self.error {
            Some(e) => Err(ChartError::Draw(e)),
            None => Ok(()),
        }
    }

    /// Width of `text` at `px`, pixels.
    pub fn text_width(&self, text: &str, px: f64) -> i32 {
        text_width(text, px)
    }

    /// `text` cut with an ellipsis so that it fits in `max` pixels.
    pub fn fit(&self, text: &str, px: f64, max: i32) -> String {
        fit(text, px, max)
    }

    /// Draws `text` anchored at `(x, y)`.
    pub fn text(
        &mut self,
        text: &str,
        (x, y): (i32, i32),
        px: f64,
        color: RGBColor,
        anchor: Anchor,
    ) {
        // Series colours (orange, yellow) are too light for text on white: darkened here, for
        // every chart, to a readable contrast.
        let color = super::contrast::readable(color);
        let style = font(px).color(&color).pos(anchor.pos());
        let r = self.area.draw(&Text::new(text.to_string(), (x, y), style));
        self.check(r);
    }

    /// Draws explanatory notes, one line each, from `(x, y)` down.
    pub fn notes<S: AsRef<str>>(&mut self, notes: &[S], (x, y): (i32, i32)) {
        for (i, n) in notes.iter().enumerate() {
            self.text(
                n.as_ref(),
                (x, y + 16 * i as i32),
                size::NOTE,
                palette::MUTED,
                Anchor::LEFT,
            );
        }
    }

    /// Draws `text` rotated to read bottom to top, centred on `(x, y)`.
    pub fn text_up(&mut self, text: &str, (x, y): (i32, i32), px: f64, color: RGBColor) {
        let color = super::contrast::readable(color);
        let style = font(px)
            .transform(FontTransform::Rotate270)
            .color(&color)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let r = self.area.draw(&Text::new(text.to_string(), (x, y), style));
        self.check(r);
    }

    /// Fills the rectangle with corners `(x0, y0)` and `(x1, y1)`.
    pub fn rect(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), color: RGBAColor) {
        let r = self
            .area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()));
        self.check(r);
    }

    /// Outlines the rectangle with corners `(x0, y0)` and `(x1, y1)`.
    pub fn frame(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), color: RGBColor) {
        let r = self
            .area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], color.stroke_width(1)));
        self.check(r);
    }

    /// A polyline.
    pub fn line(&mut self, points: &[(i32, i32)], color: RGBAColor, width: u32) {
        let r = self.area.draw(&PathElement::new(
            points.to_vec(),
            color.stroke_width(width),
        ));
        self.check(r);
    }

    /// A dashed straight line.
    pub fn dashed(&mut self, from: (i32, i32), to: (i32, i32), color: RGBAColor, width: u32) {
        let r = self.area.draw(&DashedPathElement::new(
            vec![from, to],
            5,
            4,
            color.stroke_width(width),
        ));
        self.check(r);
    }

    /// A filled circle.
    pub fn dot(&mut self, centre: (i32, i32), radius: i32, color: RGBAColor) {
        let r = self.area.draw(&Circle::new(centre, radius, color.filled()));
        self.check(r);
    }

    /// A filled polygon.
    pub fn polygon(&mut self, points: &[(i32, i32)], color: RGBAColor) {
        let r = self
            .area
            .draw(&Polygon::new(points.to_vec(), color.filled()));
        self.check(r);
    }

    /// A filled diamond centred at `(x, y)`.
    pub fn diamond(&mut self, (x, y): (i32, i32), r: i32, color: RGBAColor) {
        self.polygon(&[(x, y - r), (x + r, y), (x, y + r), (x - r, y)], color);
    }

    /// A legend swatch: a small filled square with its label; returns the x after it.
    pub fn swatch(&mut self, (x, y): (i32, i32), color: RGBAColor, label: &str) -> i32 {
        self.rect((x, y - 6), (x + 12, y + 6), color);
        self.text(label, (x + 17, y), size::LABEL, palette::TEXT, Anchor::LEFT);
        x + 17 + self.text_width(label, size::LABEL) + 18
    }

    /// A legend entry drawn as a short line (dashed or solid) with its label; returns the x after it.
    pub fn legend_line(
        &mut self,
        (x, y): (i32, i32),
        color: RGBColor,
        dashed: bool,
        label: &str,
    ) -> i32 {
        if dashed {
            self.dashed((x, y), (x + 22, y), solid(color), 2);
        } else {
            self.line(&[(x, y), (x + 22, y)], solid(color), 2);
        }
        self.text(label, (x + 27, y), size::LABEL, palette::TEXT, Anchor::LEFT);
        x + 27 + self.text_width(label, size::LABEL) + 18
    }

    /// Joins `parts` with " · " into lines no wider than `max` pixels at `px`.
    pub fn wrap(&self, parts: &[String], px: f64, max: i32) -> Vec<String> {
        wrap(parts, px, max)
    }

    /// The chart title and, under it, the run it describes; returns the y below them.
    pub fn header(&mut self, title: &str, subtitle: &str) -> i32 {
        let max = self.w - 2 * MARGIN;
        let t = self.fit(title, size::TITLE, max);
        self.text(
            &t,
            (MARGIN, 18),
            size::TITLE,
            palette::TEXT,
            Anchor::TOP_LEFT,
        );
        let s = self.fit(subtitle, size::SUBTITLE, max);
        self.text(
            &s,
            (MARGIN, 46),
            size::SUBTITLE,
            palette::MUTED,
            Anchor::TOP_LEFT,
        );
        72
    }
}

fn font(px: f64) -> FontDesc<'static> {
    FontDesc::new(
        FontFamily::SansSerif,
        px * PLOTTERS_SCALE,
        FontStyle::Normal,
    )
}

/// Width of `text` at `px` with the embedded font, pixels (a slight overestimate, so that space
/// reserved is always enough).
pub fn text_width(text: &str, px: f64) -> i32 {
    super::font::register();
    font(px)
        .box_size(text)
        .map_or(text.chars().count() as i32 * px as i32, |(w, _)| w as i32)
}

/// The most characters a fitted label keeps: far more than fit across a chart at the smallest text
/// size (a chart is [`WIDTH`] pixels wide).
const FIT_MAX_CHARS: usize = 400;

/// `text` cut in the middle with an ellipsis so that it fits in `max` pixels: the start and the end
/// stay, so that `web-server-in-room-b-1` and `...-2` remain distinct.
pub fn fit(text: &str, px: f64, max: i32) -> String {
    if text_width(text, px) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    // Each try measures a string of about `n` characters, so trying every length from the whole text
    // down was quadratic (a 32 000-character name took 85 s). No line of a chart holds more than
    // FIT_MAX_CHARS characters, so the tries start there: the work is bounded whatever the length.
    let mut n = chars.len().min(FIT_MAX_CHARS + 1);
    while n > 1 {
        n -= 1;
        let tail = n / 3;
        let head = n - tail;
        let s: String = chars[..head]
            .iter()
            .chain(std::iter::once(&'…'))
            .chain(&chars[chars.len() - tail..])
            .collect();
        if text_width(&s, px) <= max {
            return s;
        }
    }
    "…".into()
}

/// Joins `parts` with " · " into lines no wider than `max` pixels at `px`; a part too long for a line
/// is broken between words.
pub fn wrap(parts: &[String], px: f64, max: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in parts {
        let candidate = if cur.is_empty() {
            p.clone()
        } else {
            format!("{cur} · {p}")
        };
        if text_width(&candidate, px) <= max {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // The part alone, word by word.
        for word in p.split(' ') {
            let candidate = if cur.is_empty() {
                word.to_string()
            } else {
                format!("{cur} {word}")
            };
            if !cur.is_empty() && text_width(&candidate, px) > max {
                lines.push(std::mem::replace(&mut cur, word.to_string()));
            } else {
                cur = candidate;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines.into_iter().map(|l| fit(&l, px, max)).collect()
}

/// Where a text's anchor point is.
#[derive(Clone, Copy)]
pub struct Anchor(HPos, VPos);

impl Anchor {
    /// Left end, vertically centred.
    pub const LEFT: Anchor = Anchor(HPos::Left, VPos::Center);
    /// Right end, vertically centred.
    pub const RIGHT: Anchor = Anchor(HPos::Right, VPos::Center);
    /// Centre.
    pub const CENTER: Anchor = Anchor(HPos::Center, VPos::Center);
    /// Top left corner.
    pub const TOP_LEFT: Anchor = Anchor(HPos::Left, VPos::Top);
    /// Top centre.
    pub const TOP: Anchor = Anchor(HPos::Center, VPos::Top);
    /// Bottom centre.
    pub const BOTTOM: Anchor = Anchor(HPos::Center, VPos::Bottom);
    /// Bottom left.
    pub const BOTTOM_LEFT: Anchor = Anchor(HPos::Left, VPos::Bottom);
    /// Bottom right.
    pub const BOTTOM_RIGHT: Anchor = Anchor(HPos::Right, VPos::Bottom);

    fn pos(self) -> Pos {
        Pos::new(self.0, self.1)
    }
}

/// Converts an opaque colour for drawing.
pub fn solid(c: RGBColor) -> RGBAColor {
    c.to_rgba()
}

/// A colour with opacity `a`.
pub fn alpha(c: RGBColor, a: f64) -> RGBAColor {
    c.mix(a)
}

/// Maps data values on `[d0, d1]` to pixels on `[p0, p1]` linearly (values outside are extrapolated).
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    d0: f64,
    d1: f64,
    p0: i32,
    p1: i32,
}

impl Scale {
    /// A scale from `[d0, d1]` to pixels `[p0, p1]`.
    pub fn new(d0: f64, d1: f64, p0: i32, p1: i32) -> Self {
        let d1 = if d1 > d0 { d1 } else { d0 + 1.0 };
        Scale { d0, d1, p0, p1 }
    }

    /// The pixel of `v`.
    pub fn px(&self, v: f64) -> i32 {
        let f = (v - self.d0) / (self.d1 - self.d0);
        let p = self.p0 as f64 + f * (self.p1 - self.p0) as f64;
        p.round().clamp(-1e6, 1e6) as i32
    }

    /// The pixel of `v`, clamped to the scale's range.
    pub fn px_clamped(&self, v: f64) -> i32 {
        let (lo, hi) = (self.p0.min(self.p1), self.p0.max(self.p1));
        self.px(v).clamp(lo, hi)
    }
}

/// About `max` round tick values covering `[lo, hi]` (steps of 1, 2 or 5 times a power of ten).
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / max.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= max as f64)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil();
    let last = (hi / step + 1e-9).floor();
    (first as i64..=last as i64)
        .map(|k| k as f64 * step)
        .collect()
}

/// The smallest round value ≥ `v` among 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten.
pub fn nice_ceil(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag)
}

/// A unit of time for an axis: hours per unit and its name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnit {
    /// Hours in one unit.
    pub hours: f64,
    /// Short name for tick labels, e.g. `min`.
    pub short: &'static str,
    /// Long name for axis titles, e.g. `minutes`.
    pub long: &'static str,
}

/// The unit that reads best for durations up to `max_hours`.
pub fn time_unit(max_hours: f64) -> TimeUnit {
    if max_hours < 2.0 / 60.0 {
        TimeUnit {
            hours: 1.0 / 3600.0,
            short: "s",
            long: "seconds",
        }
    } else if max_hours < 2.0 {
        TimeUnit {
            hours: 1.0 / 60.0,
            short: "min",
            long: "minutes",
        }
    } else if max_hours <= 96.0 {
        TimeUnit {
            hours: 1.0,
            short: "h",
            long: "hours",
        }
    } else {
        TimeUnit {
            hours: 24.0,
            short: "d",
            long: "days",
        }
    }
}

/// `20 000` for 20000: thousands separated by a thin space.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

/// The line under every title: which run the chart shows.
pub fn run_line(s: &Summary) -> String {
    format!(
        "scenario {} · {} replications · mission {} · seed {} · nines {}",
        s.scenario,
        count(s.replications),
        format_duration(s.mission_hours),
        s.seed,
        s.nines_version
    )
}

/// Percentage with sensible decimals for a share in `[0, 1]`: `89.8%`, `0.085%`.
pub fn share(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    format!("{}%", crate::base::format::sig3(v * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = nice_ticks(0.0, 37.0, 8);
        assert!(t.len() <= 9 && t[0] == 0.0 && *t.last().unwrap() <= 37.0);
        assert_eq!(nice_ceil(10.07), 12.0);
        assert_eq!(nice_ceil(0.36), 0.4);
        assert_eq!(nice_ceil(8.0), 8.0);
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(10.0), "10");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(count(20_000), "20\u{2009}000");
        assert_eq!(count(999), "999");
    }

    #[test]
    fn units_and_labels_read_well() {
        assert_eq!(time_unit(0.01).short, "s");
        assert_eq!(time_unit(1.5).short, "min");
        assert_eq!(time_unit(40.0).short, "h");
        assert_eq!(time_unit(200.0).short, "d");
        assert_eq!(latency(0.04 / 3600.0), "40 ms");
        assert_eq!(latency(1.5 / 3600.0), "1.5 s");
        assert_eq!(latency(0.05), "3 min");
        assert_eq!(share(0.898), "89.8%");
    }

    #[test]
    fn text_is_measured_and_cut_to_fit() {
        let w = text_width("availability", size::LABEL);
        assert!((50..=110).contains(&w), "{w}");
        assert!(text_width("mmmm", 12.0) > text_width("iiii", 12.0));
        let cut = fit("a very long component name indeed-12", size::LABEL, 120);
        assert!(
            cut.contains('…') && text_width(&cut, size::LABEL) <= 120,
            "{cut}"
        );
        assert!(cut.starts_with("a very") && cut.ends_with("-12"), "{cut}");
        assert_eq!(fit("short", size::LABEL, 80), "short");
        let lines = wrap(
            &["one part".into(), "another part".into(), "a third".into()],
            size::NOTE,
            140,
        );
        let long = wrap(
            &["a single part far too long to fit on one line of the chart".into()],
            size::NOTE,
            140,
        );
        assert!(
            long.len() >= 3 && long.iter().all(|l| !l.contains('…')),
            "{long:?}"
        );
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|l| text_width(l, size::NOTE) <= 140));
    }

    /// Fitting was quadratic in the label's length: a 32 000-character name took 85 s. Measured by
    /// doing it, with a bound far above the fixed cost and far below the old one.
    #[test]
    fn fitting_a_huge_label_is_quick() {
        let name = format!("start-{}-end", "x".repeat(32_000));
        let t = std::time::Instant::now();
        let cut = fit(&name, size::LABEL, 300);
        let wide = fit(&name, size::LABEL, WIDTH);
        let secs = t.elapsed().as_secs_f64();
        assert!(
            secs < 2.0,
            "fitting a 32 000-character label took {secs:.2} s"
        );
        for (c, max) in [(&cut, 300), (&wide, WIDTH)] {
            assert!(
                c.starts_with("start-") && c.ends_with("-end") && c.contains('…'),
                "{c}"
            );
            assert!(text_width(c, size::LABEL) <= max, "{c}");
        }
        assert!(wide.chars().count() > cut.chars().count());
    }
}
