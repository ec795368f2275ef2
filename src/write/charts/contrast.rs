//! Colours of text: contrast against the white background (WCAG 2), and series colours darkened until
//! text drawn in them reads (orange and yellow labels on white did not).

use plotters::style::RGBColor;

/// Relative luminance of an sRGB colour (WCAG 2).
fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// Contrast ratio of a colour against white (WCAG 2: 1 to 21).
pub fn contrast_on_white(c: RGBColor) -> f64 {
    1.05 / (luminance(c) + 0.05)
}

/// The contrast body text needs against its background (WCAG 2, level AA).
pub const READABLE: f64 = 4.5;

/// `c` darkened (its hue kept) until text in it on white has a contrast of at least [`READABLE`]:
/// series colours such as orange or yellow stay recognisable, and legible.
pub fn readable(c: RGBColor) -> RGBColor {
    let mut k = 1.0f64;
    loop {
        let d = RGBColor(
            (c.0 as f64 * k).round() as u8,
            (c.1 as f64 * k).round() as u8,
            (c.2 as f64 * k).round() as u8,
        );
        if contrast_on_white(d) >= READABLE || k <= 0.0 {
            return d;
        }
        k -= 0.02;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_darkened_until_text_reads() {
        let yellow = RGBColor(0xF0, 0xE4, 0x42);
        assert!(contrast_on_white(yellow) < 2.0);
        let y = readable(yellow);
        assert!(contrast_on_white(y) >= READABLE, "{y:?}");
        assert!(y.0 > y.2, "still yellowish: {y:?}");
        let dark = RGBColor(0x22, 0x22, 0x22);
        assert_eq!(readable(dark), dark);
        assert!((contrast_on_white(RGBColor(0, 0, 0)) - 21.0).abs() < 1e-9);
    }
}
