//! The embedded font: DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`), so
//! that charts measure and render text the same way on a machine with no fonts installed.

use std::sync::{Arc, OnceLock};

use plotters::style::FontStyle;
use resvg::usvg::fontdb;

/// DejaVu Sans, regular.
pub static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Family name of the embedded font.
pub const FAMILY: &str = "DejaVu Sans";

/// What the SVG files name as their font: the embedded one first, then close relatives a viewer may
/// have (DejaVu derives from Bitstream Vera; Verdana has similar metrics).
pub const SVG_FAMILIES: &str = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif";

/// Registers the embedded font with plotters as `sans-serif` (what the charts name), once.
pub fn register() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font("sans-serif", style, DEJAVU_SANS)
                .unwrap_or_else(|_| panic!("the embedded font is a valid TrueType font"));
        }
    });
}

/// A font database holding only the embedded font, for rendering PNG (no system fonts are read).
pub fn database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(DEJAVU_SANS.to_vec());
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}
