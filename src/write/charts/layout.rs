//! Where labels go: bounding boxes of text, a placer that keeps labels off each other, off points and
//! off lines, and the boxes and colours of every text of a drawn SVG, so tests can check a whole chart.

use plotters::style::RGBColor;

use super::draw::text_width;

/// A rectangle in pixels, `x0 ≤ x1`, `y0 ≤ y1` (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: i32,
    /// Top.
    pub y0: i32,
    /// Right.
    pub x1: i32,
    /// Bottom.
    pub y1: i32,
}

impl Rect {
    /// The rectangle with corners `(x0, y0)` and `(x1, y1)` in any order.
    pub fn new((x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> Self {
        Rect {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        }
    }

    /// Whether the two share any area (touching edges do not count).
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Whether `self` lies wholly inside `o`.
    pub fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }

    /// The rectangle grown by `m` pixels on every side.
    pub fn grow(&self, m: i32) -> Rect {
        Rect {
            x0: self.x0 - m,
            y0: self.y0 - m,
            x1: self.x1 + m,
            y1: self.y1 + m,
        }
    }

    /// Whether the segment from `a` to `b` passes through the rectangle.
    pub fn crosses(&self, a: (i32, i32), b: (i32, i32)) -> bool {
        // Liang–Barsky clipping of the segment against the rectangle.
        let (x0, y0) = (a.0 as f64, a.1 as f64);
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, x0 - self.x0 as f64),
            (dx, self.x1 as f64 - x0),
            (-dy, y0 - self.y0 as f64),
            (dy, self.y1 as f64 - y0),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        true
    }
}

/// Where a text is anchored, as its box needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    /// The anchor is the left end.
    Start,
    /// The anchor is the middle.
    Middle,
    /// The anchor is the right end.
    End,
}

/// The box of a line of text at `px` whose baseline starts (or is centred, or ends) at `(x, base)`:
/// from the ascent (0.76 em above the baseline, as DejaVu Sans draws capitals and ascenders) to the
/// descent (0.24 em below).
pub fn text_box(text: &str, px: f64, (x, base): (f64, f64), align: Align) -> Rect {
    let w = text_width(text, px) as f64;
    let x0 = match align {
        Align::Start => x,
        Align::Middle => x - w / 2.0,
        Align::End => x - w,
    };
    Rect {
        x0: x0.floor() as i32,
        y0: (base - 0.76 * px).floor() as i32,
        x1: (x0 + w).ceil() as i32,
        y1: (base + 0.24 * px).ceil() as i32,
    }
}

/// The box of a label drawn by [`Canvas::text`](super::draw::Canvas::text) with `Anchor::LEFT` at
/// `(x, y)` (vertically centred on `y`).
pub fn left_label(text: &str, px: f64, (x, y): (i32, i32)) -> Rect {
    text_box(text, px, (x as f64, y as f64 + 0.27 * px), Align::Start)
}

/// Places labels one by one at the first free spot among their candidates: inside the bounds, off
/// every label placed before, off the obstacles (points, other text) and off the lines.
#[derive(Debug, Clone)]
pub struct Placer {
    bounds: Rect,
    obstacles: Vec<Rect>,
    lines: Vec<((i32, i32), (i32, i32))>,
    placed: Vec<Rect>,
}

impl Placer {
    /// A placer for labels that must stay inside `bounds`.
    pub fn new(bounds: Rect) -> Self {
        Placer {
            bounds,
            obstacles: Vec::new(),
            lines: Vec::new(),
            placed: Vec::new(),
        }
    }

    /// Something a label must not cover.
    pub fn block(&mut self, r: Rect) {
        self.obstacles.push(r);
    }

    /// A polyline a label must not cover.
    pub fn block_line(&mut self, points: &[(i32, i32)]) {
        for w in points.windows(2) {
            self.lines.push((w[0], w[1]));
        }
    }

    /// Whether a label could go at `r`: inside the bounds and clear of everything, with `gap` pixels
    /// to spare around it.
    pub fn free(&self, r: &Rect, gap: i32) -> bool {
        let g = r.grow(gap);
        r.inside(&self.bounds)
            && !self.placed.iter().any(|p| p.intersects(&g))
            && !self.obstacles.iter().any(|p| p.intersects(&g))
            && !self.lines.iter().any(|&(a, b)| g.crosses(a, b))
    }

    /// The first free candidate, now taken; `None` when every candidate is blocked.
    pub fn place(&mut self, candidates: &[Rect]) -> Option<Rect> {
        let r = *candidates.iter().find(|r| self.free(r, 2))?;
        self.placed.push(r);
        Some(r)
    }

    /// The labels placed so far.
    pub fn placed(&self) -> &[Rect] {
        &self.placed
    }
}

/// The first pair of rectangles that intersect, if any.
pub fn overlap(rects: &[Rect]) -> Option<(usize, usize)> {
    (0..rects.len())
        .flat_map(|i| (i + 1..rects.len()).map(move |j| (i, j)))
        .find(|&(i, j)| rects[i].intersects(&rects[j]))
}

/// One text of a drawn SVG: what it says, its box (unrotated text only) and its colour.
#[derive(Debug, Clone, PartialEq)]
pub struct SvgText {
    /// The text, as written in the SVG (escaped).
    pub text: String,
    /// Its box; `None` for rotated text (axis titles along the y axis).
    pub bounds: Option<Rect>,
    /// Its fill colour.
    pub fill: RGBColor,
}

/// Every `<text>` element of an SVG drawn by [`Canvas`](super::draw::Canvas), with its box as
/// [`text_box`] measures it and its colour.
pub fn svg_texts(svg: &str) -> Vec<SvgText> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find("<text") {
        rest = &rest[at..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let body_end = rest.find("</text>").unwrap_or(rest.len());
        let text = rest[end + 1..body_end].trim().to_string();
        rest = &rest[body_end.min(rest.len())..];
        let num = |n: &str| attr(tag, n).and_then(|v| v.parse::<f64>().ok());
        let (Some(x), Some(y), Some(px)) = (num("x"), num("y"), num("font-size")) else {
            continue;
        };
        let fill = attr(tag, "fill")
            .and_then(|f| {
                let h = f.strip_prefix('#')?;
                let v = u32::from_str_radix(h, 16).ok()?;
                Some(RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8))
            })
            .unwrap_or(RGBColor(0, 0, 0));
        // plotters' vertical anchors: top (0.76em), centre (0.5ex), bottom (−0.5ex); an ex is about
        // 0.55 em in DejaVu Sans.
        let base = match attr(tag, "dy").as_deref() {
            Some("0.76em") => y + 0.76 * px,
            Some("0.5ex") => y + 0.27 * px,
            Some("-0.5ex") => y - 0.27 * px,
            _ => y,
        };
        let align = match attr(tag, "text-anchor").as_deref() {
            Some("middle") => Align::Middle,
            Some("end") => Align::End,
            _ => Align::Start,
        };
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        let bounds = if tag.contains("transform=") {
            None
        } else {
            Some(text_box(&text, px, (x, base), align))
        };
        out.push(SvgText { text, bounds, fill });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_and_segments_intersect_as_drawn() {
        let r = Rect::new((10, 10), (20, 20));
        assert!(r.intersects(&Rect::new((15, 15), (30, 30))));
        assert!(!r.intersects(&Rect::new((20, 10), (30, 20))), "touching");
        assert!(r.crosses((0, 15), (30, 15)));
        assert!(r.crosses((0, 0), (30, 30)));
        assert!(!r.crosses((0, 0), (30, 5)));
        assert!(!r.crosses((0, 25), (8, 15)));
        assert!(r.crosses((12, 12), (13, 13)), "inside");
    }

    #[test]
    fn the_placer_keeps_labels_off_each_other_points_and_lines() {
        let mut p = Placer::new(Rect::new((0, 0), (400, 300)));
        p.block(Rect::new((95, 95), (105, 105)));
        p.block_line(&[(0, 60), (400, 60)]);
        let around = |x: i32, y: i32| {
            [
                Rect::new((x + 8, y - 20), (x + 80, y - 6)),
                Rect::new((x + 8, y + 6), (x + 80, y + 20)),
                Rect::new((x - 80, y - 20), (x - 8, y - 6)),
                Rect::new((x - 80, y + 6), (x - 8, y + 20)),
            ]
        };
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(p.place(&around(100, 100)));
        }
        assert!(got.iter().all(Option::is_some), "{got:?}");
        // A fifth at the same point finds no spot.
        assert_eq!(p.place(&around(100, 100)), None);
        assert_eq!(overlap(p.placed()), None);
        for r in p.placed() {
            assert!(!r.crosses((0, 60), (400, 60)), "{r:?}");
            assert!(!r.intersects(&Rect::new((95, 95), (105, 105))));
        }
        // A line through every candidate leaves none.
        let mut q = Placer::new(Rect::new((0, 0), (400, 300)));
        q.block_line(&[(0, 0), (400, 300)]);
        assert!(q.place(&[Rect::new((100, 20), (140, 35))]).is_some());
        assert!(q.place(&[Rect::new((50, 30), (90, 45))]).is_none());
    }

    #[test]
    fn svg_text_is_read_back_with_its_box() {
        let svg = r##"<svg><text x="100" y="50" dy="0.5ex" text-anchor="end" font-size="12" fill="#666666">
a &amp; b
</text><text x="30" y="60" dy="0.5ex" font-size="13" fill="#222222" transform="rotate(270, 30, 60)">
up</text></svg>"##;
        let t = svg_texts(svg);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "a & b");
        let b = t[0].bounds.unwrap();
        assert_eq!(b.x1, 100);
        assert!(b.y0 < 50 && b.y1 > 50, "{b:?}");
        assert_eq!(t[0].fill, RGBColor(0x66, 0x66, 0x66));
        assert!(t[1].bounds.is_none());
    }
}
