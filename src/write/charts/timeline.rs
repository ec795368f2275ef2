//! A timeline of one replication: services, roles and components as strips coloured by state over a
//! window of a few days around the first outage of the main service (the first service, or the first
//! role without services), so that a failover, a rolling patch night or a WAN cut can be seen.

use plotters::style::RGBAColor;

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, palette, run_line, size, solid, text_width,
    wrap,
};
use super::{Chart, ChartError, finish_svg};
use crate::base::format::hours;
use crate::base::units::HOURS_PER_YEAR;
use crate::engine::trace::{RowKind, State, Trace, TraceRow, Window};
use crate::estimate::summary::Summary;

/// More rows than this: components with no change in the window are left out.
pub const MAX_ROWS: usize = 40;
const ROW_H: i32 = 18;
const PITCH: i32 = 23;
const RIGHT: i32 = 30;
/// Narrowest drawn interval of a state other than up, pixels (so that a 20-second failover shows).
const MIN_PX: i32 = 3;

fn color(s: State) -> RGBAColor {
    match s {
        State::Up => alpha(palette::GREEN, 0.28),
        State::AtRisk => solid(palette::YELLOW),
        State::Down | State::Repair => solid(palette::VERMILLION),
        State::PlannedDown | State::Maintenance => solid(palette::BLUE),
        State::Waiting => solid(palette::PURPLE),
    }
}

/// Legend entries: states that share a colour share an entry.
const LEGEND: [(&[State], &str); 5] = [
    (&[State::Up], "up"),
    (
        &[State::AtRisk],
        "up, no redundancy left in it or in what it needs",
    ),
    (
        &[State::Down, State::Repair],
        "down, or failed and in repair",
    ),
    (&[State::Waiting], "failed, waiting for a technician"),
    (
        &[State::PlannedDown, State::Maintenance],
        "planned maintenance",
    ),
];

/// Whether a row changes state inside the window.
fn changes_in(row: &TraceRow, w: &Window) -> bool {
    row.changes
        .iter()
        .skip(1)
        .any(|&(t, _)| t > w.start && t < w.end)
        || row.state_at(w.start) != State::Up
}

/// Day `t / 24` with one decimal.
fn day(t: f64) -> String {
    format!("{:.1}", t / 24.0)
}

/// Tick step (hours) for a window `span` hours wide and at most `max` ticks.
fn tick_step(span: f64, max: i32) -> f64 {
    const STEPS: [f64; 16] = [
        0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0, 336.0, 720.0, 1440.0, 2160.0,
        4380.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| span / s <= max as f64)
        .unwrap_or(HOURS_PER_YEAR)
}

fn clock(t: f64) -> String {
    let minutes = ((t.rem_euclid(24.0)) * 60.0).round() as i64;
    format!("{:02}:{:02}", (minutes / 60) % 24, minutes % 60)
}

/// The chart.
pub fn chart(s: &Summary, trace: &Trace) -> Result<Chart, ChartError> {
    let w = trace.window(0);
    let main = trace.rows.first();
    let outage = w.outage;
    let mut rows: Vec<&TraceRow> = trace.rows.iter().collect();
    let mut hidden = 0;
    if rows.len() > MAX_ROWS {
        let before = rows.len();
        rows.retain(|r| !matches!(r.kind, RowKind::Component(_)) || changes_in(r, &w));
        hidden = before - rows.len();
    }
    // Still too many (many services or roles): the main row, then the rows that change in the window,
    // then the others, each in order, up to MAX_ROWS; the chart says how many more there are.
    let mut more = 0;
    if rows.len() > MAX_ROWS {
        let mut keep = vec![false; rows.len()];
        keep[0] = true;
        let mut kept = 1;
        for changing in [true, false] {
            for (k, r) in keep.iter_mut().zip(&rows) {
                if kept < MAX_ROWS && !*k && changes_in(r, &w) == changing {
                    *k = true;
                    kept += 1;
                }
            }
        }
        more = rows.len() - kept;
        let mut k = keep.into_iter();
        rows.retain(|_| k.next().unwrap_or(false));
    }
    // States present, for the legend.
    let mut present: Vec<State> = Vec::new();
    for r in &rows {
        for (a, b, st) in r.intervals(trace.mission) {
            if b > w.start && a < w.end && !present.contains(&st) {
                present.push(st);
            }
        }
    }
    let any_moves = rows
        .iter()
        .any(|r| r.moves.iter().any(|&(t, _)| t >= w.start && t <= w.end));
    let name_w = rows
        .iter()
        .map(|r| text_width(&r.name, size::LABEL) + 10 + text_width(r.kind.as_str(), size::NOTE))
        .max()
        .unwrap_or(80)
        .clamp(80, 320);
    let x0 = MARGIN + name_w + 12;
    let x1 = WIDTH - RIGHT;
    // Legend entries in rows.
    let mut entries: Vec<(Option<State>, String)> = LEGEND
        .iter()
        .filter(|(states, _)| states.iter().any(|s| present.contains(s)))
        .map(|(states, text)| (Some(states[0]), text.to_string()))
        .collect();
    if any_moves {
        entries.push((None, "role moved to another node".into()));
    }
    let mut legend: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut lx = MARGIN;
    for (i, (_, t)) in entries.iter().enumerate() {
        let wdt = 17 + text_width(t, size::LABEL) + 18;
        if lx + wdt > WIDTH - MARGIN && !legend.last().is_some_and(|r| r.is_empty()) {
            legend.push(Vec::new());
            lx = MARGIN;
        }
        legend.last_mut().expect("a row").push((i, lx));
        lx += wdt;
    }
    let main_name = main.map_or("-", |r| r.name.as_str());
    let mut about = match (outage, main) {
        (Some((a, b)), Some(m)) => vec![
            format!(
                "replication {}, the first with an outage of {} {}",
                trace.replication,
                m.kind.as_str(),
                m.name
            ),
            format!(
                "shown: its longest, from day {}, lasting {}",
                day(a),
                hours(b - a)
            ),
        ],
        _ => vec![format!(
            "no outage of {main_name} in the replications searched: replication {} from its first change",
            trace.replication
        )],
    };
    about.push(
        "window: from the earliest failure still open when it started, at least 3 days wide".into(),
    );
    if present.contains(&State::AtRisk) {
        about.push(
            "up with no redundancy left: the next failure takes it down (a long strip is a single point of failure)"
                .into(),
        );
        // A row's state includes what it needs, so a pool with spare nodes that needs a standalone
        // load balancer is yellow all along; said here so that it is not read as the pool's own.
        about.push(
            "a row inherits this from what it needs: a pool with spare nodes that needs a single load balancer is yellow while that balancer is its only one"
                .into(),
        );
    }
    about.push(format!(
        "intervals shorter than {MIN_PX} pixels are drawn {MIN_PX} pixels wide"
    ));
    if hidden > 0 {
        about.push(format!(
            "{hidden} components with no change in this window are not shown"
        ));
    }
    if more > 0 {
        about.push(format!(
            "and {more} more rows, not drawn: every service and role is in summary.csv and the report"
        ));
    }
    let notes = wrap(&about, size::NOTE, WIDTH - 2 * MARGIN);
    let legend_top = 72 + 4;
    let plot_top = legend_top + 22 * legend.len() as i32 + 24;
    let plot_bottom = plot_top + PITCH * rows.len() as i32;
    let height = plot_bottom + 48 + 16 * notes.len() as i32 + 12;
    let title = format!(
        "Timeline of replication {}: days {}–{} of the mission (year {})",
        trace.replication,
        day(w.start),
        day(w.end),
        (w.start / HOURS_PER_YEAR).floor() + 1.0
    );
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        c.header(&title, &run_line(s));
        for (ri, row) in legend.iter().enumerate() {
            let y = legend_top + 22 * ri as i32 + 8;
            for &(i, x) in row {
                match entries[i].0 {
                    Some(st) => {
                        c.swatch((x, y), color(st), &entries[i].1);
                    }
                    None => {
                        c.polygon(
                            &[(x + 1, y - 5), (x + 11, y - 5), (x + 6, y + 4)],
                            solid(palette::TEXT),
                        );
                        c.text(
                            &entries[i].1,
                            (x + 17, y),
                            size::LABEL,
                            palette::TEXT,
                            Anchor::LEFT,
                        );
                    }
                }
            }
        }
        let xs = Scale::new(w.start, w.end, x0, x1);
        // Time grid and axis.
        let span = w.end - w.start;
        let step = tick_step(span, (x1 - x0) / 75);
        let mut t = (w.start / step).ceil() * step;
        let mut first = true;
        while t <= w.end + 1e-9 {
            let x = xs.px(t);
            let midnight = (t / 24.0 - (t / 24.0).round()).abs() < 1e-9;
            let grid = if midnight {
                palette::GRID
            } else {
                palette::SHADE
            };
            c.line(&[(x, plot_top - 2), (x, plot_bottom)], solid(grid), 1);
            c.line(
                &[(x, plot_bottom), (x, plot_bottom + 4)],
                solid(palette::AXIS),
                1,
            );
            if step < 24.0 {
                c.text(
                    &clock(t),
                    (x, plot_bottom + 7),
                    size::LABEL,
                    palette::MUTED,
                    Anchor::TOP,
                );
                if midnight || first {
                    c.text(
                        &format!("day {}", (t / 24.0).floor()),
                        (x, plot_bottom + 22),
                        size::LABEL,
                        palette::TEXT,
                        Anchor::TOP,
                    );
                }
            } else {
                c.text(
                    &format!("day {}", (t / 24.0).floor()),
                    (x, plot_bottom + 7),
                    size::LABEL,
                    palette::MUTED,
                    Anchor::TOP,
                );
            }
            first = false;
            t += step;
        }
        // The outage chosen, as a band across every row, with its length above.
        if let Some((a, b)) = outage {
            let (pa, pb) = (xs.px_clamped(a), xs.px_clamped(b));
            c.rect(
                (pa.min(pb - MIN_PX), plot_top - 2),
                (pb.max(pa + MIN_PX), plot_bottom),
                alpha(palette::VERMILLION, 0.08),
            );
            let text = format!("outage {}", hours(b - a));
            let tw = text_width(&text, size::LABEL);
            let (tx, anchor) = if pb + 4 + tw <= x1 {
                (pb + 4, Anchor::BOTTOM_LEFT)
            } else {
                (pa - 4, Anchor::BOTTOM_RIGHT)
            };
            c.text(
                &text,
                (tx, plot_top - 6),
                size::LABEL,
                palette::VERMILLION,
                anchor,
            );
        }
        let mut prev_group: Option<bool> = None;
        for (i, r) in rows.iter().enumerate() {
            let y = plot_top + PITCH * i as i32;
            let is_component = matches!(r.kind, RowKind::Component(_));
            if prev_group.is_some_and(|g| g != is_component) {
                c.line(&[(MARGIN, y - 3), (x1, y - 3)], solid(palette::AXIS), 1);
            }
            prev_group = Some(is_component);
            let cy = y + ROW_H / 2;
            let kind = r.kind.as_str();
            let kind_w = text_width(kind, size::NOTE);
            let name = fit(&r.name, size::LABEL, name_w - kind_w - 10);
            c.text(
                &name,
                (MARGIN, cy),
                size::LABEL,
                palette::TEXT,
                Anchor::LEFT,
            );
            c.text(
                kind,
                (x0 - 8, cy),
                size::NOTE,
                palette::MUTED,
                Anchor::RIGHT,
            );
            draw_strip(&mut c, r, trace.mission, &w, &xs, (y, y + ROW_H));
        }
        c.line(
            &[(x0, plot_bottom), (x1, plot_bottom)],
            solid(palette::AXIS),
            1,
        );
        let ny = plot_bottom + 46;
        c.notes(&notes, (MARGIN, ny));
        c.finish()?;
    }
    Ok(Chart {
        name: "timeline".into(),
        title,
        svg: finish_svg(svg),
    })
}

fn draw_strip(
    c: &mut Canvas,
    r: &TraceRow,
    mission: f64,
    w: &Window,
    xs: &Scale,
    (ya, yb): (i32, i32),
) {
    let (x0, x1) = (xs.px(w.start), xs.px(w.end));
    c.rect((x0, ya), (x1, yb), color(State::Up));
    // Down states last, so that a short outage widened to MIN_PX stays on top of its neighbours.
    for down in [false, true] {
        for (a, b, st) in r.intervals(mission) {
            if st == State::Up || st.is_down() != down || b < w.start || a > w.end {
                continue;
            }
            let (mut pa, mut pb) = (xs.px_clamped(a), xs.px_clamped(b));
            if pb - pa < MIN_PX {
                pb = (pa + MIN_PX).min(x1);
                pa = pb - MIN_PX;
            }
            c.rect((pa, ya), (pb, yb), color(st));
        }
    }
    for (t, _) in &r.moves {
        if *t >= w.start && *t <= w.end {
            let x = xs.px(*t);
            c.polygon(
                &[(x - 5, ya - 4), (x + 5, ya - 4), (x, ya + 5)],
                solid(palette::TEXT),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_axis_steps_and_clock() {
        assert_eq!(tick_step(72.0, 12), 6.0);
        assert_eq!(tick_step(72.0, 6), 12.0);
        assert_eq!(tick_step(24.0 * 60.0, 10), 168.0);
        assert_eq!(clock(24.0 * 3.0 + 6.5), "06:30");
        assert_eq!(clock(48.0), "00:00");
        assert_eq!(day(36.0), "1.5");
    }
}
