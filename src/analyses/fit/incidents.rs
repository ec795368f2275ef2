//! An incident history as CSV text → the outages of each component and its observation window, with
//! located errors (file, line, column, what would be valid). No file I/O: the caller reads the file.
//!
//! The format (documented in the README under `nines fit`):
//!
//! ```text
//! component,group,start,end,window_start,window_end,note
//! web-1,web,2024-02-03 04:10,2024-02-03 06:40,2024-01-01,2025-01-01,disk
//! web-2,web,,,2024-01-01,2025-01-01,never failed
//! db-1,db,2024-11-30T22:00:00Z,,,,still down
//! ```
//!
//! - A header line names the columns, in any order: `component` and `start` are required; `group`,
//!   `end`, `window_start`, `window_end` and `note` (ignored text) are optional. Other names are errors.
//! - Times are RFC 3339 (`2024-03-01T10:00:00Z`, `2024-03-01T10:00:00+02:00`), `YYYY-MM-DD HH:MM[:SS]`
//!   or `YYYY-MM-DD` (times without an offset are taken as UTC), or plain numbers of hours from any
//!   origin (`0`, `1234.5`); one file uses calendar times or hours, not both.
//! - A row with `start` (and `end`) is one outage; an empty `end` is an outage still going on at the
//!   end of the window (its repair time is right-censored). A row with neither is a component watched
//!   over its window that need not have failed (it gives only the window).
//! - A component's window is `window_start`..`window_end` where a row gives them (rows that give them
//!   must agree). Without `window_start`, when watching began is unknown: times to failure are counted
//!   from the component's first repair. Without `window_end`, the window ends at the file's latest
//!   time.
//! - Lines starting with `#` and blank lines are skipped.

use std::collections::HashMap;
use std::str::FromStr;

use crate::base::units::Hours;

/// Columns a file may have.
pub const COLUMNS: [&str; 7] = [
    "component",
    "group",
    "start",
    "end",
    "window_start",
    "window_end",
    "note",
];

/// What a valid time looks like, for error messages.
pub const TIME_HELP: &str = "an RFC 3339 time such as 2024-03-01T10:00:00Z, \"2024-03-01 10:00[:00]\", a date 2024-03-01, or a plain number of hours such as 1234.5";

/// The most errors reported from one file (the rest are counted).
const MAX_ERRORS: usize = 20;

/// How times are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// Calendar times; hours since 1970-01-01T00:00Z internally.
    Calendar,
    /// Plain numbers of hours from an arbitrary origin.
    Hours,
}

/// One outage of a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// When it began, hours.
    pub start: Hours,
    /// When it ended; `None` while still going on at the end of the window.
    pub end: Option<Hours>,
    /// Line of the file.
    pub line: usize,
}

/// A component's history: its outages in time order, within its observation window.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// Component name.
    pub component: String,
    /// Its group, if the file gives one.
    pub group: Option<String>,
    /// Observation window `(start, end)`, hours: without `window_start`, from the first outage's
    /// start; without `window_end`, to the file's latest time.
    pub window: (Hours, Hours),
    /// Whether the file gave `window_start` (else the time to the first outage is unknown and not
    /// counted).
    pub start_given: bool,
    /// Whether the file gave `window_end` (else the window ends at the file's latest time).
    pub end_given: bool,
    /// Outages, by start.
    pub outages: Vec<Outage>,
}

/// A parsed incident file.
#[derive(Debug, Clone, PartialEq)]
pub struct Incidents {
    /// Components in order of first appearance.
    pub histories: Vec<History>,
    /// How the file writes times.
    pub clock: Clock,
    /// Whether any row names a group.
    pub has_groups: bool,
    /// The file's span (earliest and latest time in it), hours.
    pub span: (Hours, Hours),
}

/// One located problem.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// Line (1-based).
    pub line: usize,
    /// Column (1-based) and its name, when one cell is at fault.
    pub column: Option<(usize, String)>,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// Everything wrong with a file, each located.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.render())]
pub struct IncidentErrors {
    /// File name as shown.
    pub file: String,
    /// The errors, in line order (at most [`MAX_ERRORS`]).
    pub errors: Vec<RowError>,
    /// Errors beyond those listed.
    pub more: usize,
}

impl IncidentErrors {
    fn render(&self) -> String {
        let mut lines: Vec<String> = self
            .errors
            .iter()
            .map(|e| match &e.column {
                Some((c, name)) => {
                    format!(
                        "{}:{}:{c}: column `{name}`: {}",
                        self.file, e.line, e.message
                    )
                }
                None => format!("{}:{}: {}", self.file, e.line, e.message),
            })
            .collect();
        if self.more > 0 {
            lines.push(format!("… and {} more errors", self.more));
        }
        lines.join("\n")
    }
}

struct Errs {
    list: Vec<RowError>,
    more: usize,
}

impl Errs {
    fn push(&mut self, line: usize, column: Option<(usize, &str)>, message: String) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(RowError {
                line,
                column: column.map(|(c, n)| (c + 1, n.to_string())),
                message,
            });
        } else {
            self.more += 1;
        }
    }
}

/// A time cell read: its value in hours and its kind.
fn parse_time(text: &str) -> Result<(Hours, Clock), String> {
    let t = text.trim();
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
        && !t.contains([':', 'T', 't', ' '])
        && t.matches('-').count() <= 1
        && let Ok(v) = t.parse::<f64>()
    {
        if !v.is_finite() || v.abs() > 1e12 {
            return Err(format!(
                "`{t}` is not a usable number of hours (expected a finite number below 1e12)"
            ));
        }
        return Ok((v, Clock::Hours));
    }
    let dt = toml_datetime::Datetime::from_str(t)
        .map_err(|e| format!("`{t}` is not a time ({e}); expected {TIME_HELP}"))?;
    let Some(date) = dt.date else {
        return Err(format!(
            "`{t}` is a time of day without a date; expected {TIME_HELP}"
        ));
    };
    let days = days_from_civil(date.year as i64, date.month as i64, date.day as i64);
    let mut hours = days as f64 * 24.0;
    if let Some(time) = dt.time {
        let secs = time.hour as f64 * 3600.0
            + time.minute as f64 * 60.0
            + time.second.unwrap_or(0) as f64
            + time.nanosecond.unwrap_or(0) as f64 * 1e-9;
        hours += secs / 3600.0;
    }
    if let Some(toml_datetime::Offset::Custom { minutes }) = dt.offset {
        hours -= minutes as f64 / 60.0;
    }
    Ok((hours, Clock::Calendar))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A row as read, before the rows of a component are put together.
struct Row {
    line: usize,
    component: String,
    group: Option<String>,
    start: Option<Hours>,
    end: Option<Hours>,
    window: (Option<Hours>, Option<Hours>),
}

/// Reads an incident file's text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Incidents, IncidentErrors> {
    let mut errs = Errs {
        list: Vec::new(),
        more: 0,
    };
    let fail = |errs: Errs| IncidentErrors {
        file: file.to_string(),
        errors: errs.list,
        more: errs.more,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    // The header: the first record.
    let header = loop {
        match records.next() {
            None => {
                errs.push(
                    1,
                    None,
                    format!(
                        "the file is empty; expected a header line naming the columns, e.g. component,group,start,end (valid names: {})",
                        COLUMNS.join(", ")
                    ),
                );
                return Err(fail(errs));
            }
            Some(Err(e)) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                errs.push(line, None, format!("not readable as CSV: {e}"));
                return Err(fail(errs));
            }
            Some(Ok(r)) if r.iter().all(|f| f.is_empty()) => continue,
            Some(Ok(r)) => break r,
        }
    };
    let header_line = header.position().map_or(1, |p| p.line() as usize);
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let key = name.to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == key) {
            Some(c) => {
                if index.insert(c, i).is_some() {
                    errs.push(
                        header_line,
                        Some((i, name)),
                        format!("column `{c}` appears twice; give each column once"),
                    );
                }
            }
            None => errs.push(
                header_line,
                Some((i, name)),
                format!(
                    "unknown column `{name}`; valid columns: {} (put free text in `note`)",
                    COLUMNS.join(", ")
                ),
            ),
        }
    }
    for need in ["component", "start"] {
        if !index.contains_key(need) {
            errs.push(
                header_line,
                None,
                format!(
                    "the header has no `{need}` column; expected a header such as component,group,start,end (valid names: {})",
                    COLUMNS.join(", ")
                ),
            );
        }
    }
    if !errs.list.is_empty() {
        return Err(fail(errs));
    }
    let col = |name: &str| index.get(name).copied();
    let mut clock: Option<(Clock, usize)> = None;
    let mut rows: Vec<Row> = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errs.push(line, None, format!("not readable as CSV: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        if rec.len() != header.len() {
            errs.push(
                line,
                None,
                format!(
                    "{} fields, but the header has {} ({}); give one value per column (empty for none), and quote a value that holds a comma",
                    rec.len(),
                    header.len(),
                    header.iter().collect::<Vec<_>>().join(",")
                ),
            );
            continue;
        }
        let cell = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
        let mut time = |name: &'static str, errs: &mut Errs| -> Option<Hours> {
            let i = col(name)?;
            let t = rec.get(i).unwrap_or("");
            if t.is_empty() {
                return None;
            }
            match parse_time(t) {
                Ok((v, kind)) => match clock {
                    Some((k, first)) if k != kind => {
                        let (this, other) = match kind {
                            Clock::Hours => ("a plain number of hours", "calendar times"),
                            Clock::Calendar => ("a calendar time", "plain numbers of hours"),
                        };
                        errs.push(
                            line,
                            Some((i, name)),
                            format!(
                                "`{t}` is {this}, but line {first} has {other}; write every time of a file the same way"
                            ),
                        );
                        None
                    }
                    _ => {
                        clock.get_or_insert((kind, line));
                        Some(v)
                    }
                },
                Err(msg) => {
                    errs.push(line, Some((i, name)), msg);
                    None
                }
            }
        };
        let before = errs.list.len() + errs.more;
        let start = time("start", &mut errs);
        let end = time("end", &mut errs);
        let window = (
            time("window_start", &mut errs),
            time("window_end", &mut errs),
        );
        let component = cell("component");
        let c_col = col("component").unwrap_or(0);
        if component.is_empty() {
            errs.push(
                line,
                Some((c_col, "component")),
                "empty; expected the name of the component that was down".into(),
            );
        }
        let bad = errs.list.len() + errs.more > before;
        let group = Some(cell("group")).filter(|g| !g.is_empty());
        let s_col = col("start").unwrap_or(0);
        if !bad {
            match (start, end) {
                (None, Some(_)) => errs.push(
                    line,
                    Some((s_col, "start")),
                    "empty, but `end` is given; an outage needs its start".into(),
                ),
                (None, None) if window.0.is_none() || window.1.is_none() => errs.push(
                    line,
                    Some((s_col, "start")),
                    "empty; expected when the outage began (a row without an outage must give window_start and window_end)".into(),
                ),
                (Some(s), Some(e)) if e < s => errs.push(
                    line,
                    col("end").map(|i| (i, "end")),
                    format!(
                        "`{}` is before the start `{}`; an outage ends after it begins",
                        cell("end"),
                        cell("start")
                    ),
                ),
                (Some(s), Some(e)) if e == s => errs.push(
                    line,
                    col("end").map(|i| (i, "end")),
                    format!(
                        "`{}` equals the start: an outage of zero length; give the time it ended (or drop the row)",
                        cell("end")
                    ),
                ),
                _ => {}
            }
            if let (Some(a), Some(b)) = window
                && b <= a
            {
                errs.push(
                    line,
                    col("window_end").map(|i| (i, "window_end")),
                    format!(
                        "`{}` is not after window_start `{}`; the window must have a length",
                        cell("window_end"),
                        cell("window_start")
                    ),
                );
            }
        }
        if errs.list.len() + errs.more == before {
            rows.push(Row {
                line,
                component: component.to_string(),
                group: group.map(str::to_string),
                start,
                end,
                window,
            });
        }
    }
    if !errs.list.is_empty() || errs.more > 0 {
        return Err(fail(errs));
    }
    if rows.is_empty() {
        errs.push(
            header_line + 1,
            None,
            "no outages: the file has a header but no rows; expected one row per outage".into(),
        );
        return Err(fail(errs));
    }
    assemble(rows, clock.map_or(Clock::Hours, |c| c.0), &index, &mut errs).map_err(|()| fail(errs))
}

/// Puts each component's rows together: its group, window and outages in order, checking that they
/// agree, do not overlap and lie in the window.
fn assemble(
    rows: Vec<Row>,
    clock: Clock,
    index: &HashMap<&str, usize>,
    errs: &mut Errs,
) -> Result<Incidents, ()> {
    let at = |name: &'static str| index.get(name).map(|&i| (i, name));
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for r in &rows {
        for v in [r.start, r.end, r.window.0, r.window.1]
            .into_iter()
            .flatten()
        {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    struct Acc {
        group: Option<(String, usize)>,
        ws: Option<(Hours, usize)>,
        we: Option<(Hours, usize)>,
        outages: Vec<Outage>,
    }
    let mut order: Vec<String> = Vec::new();
    let mut acc: HashMap<String, Acc> = HashMap::new();
    for r in rows {
        let a = acc.entry(r.component.clone()).or_insert_with(|| {
            order.push(r.component.clone());
            Acc {
                group: None,
                ws: None,
                we: None,
                outages: Vec::new(),
            }
        });
        if let Some(g) = r.group {
            match &a.group {
                Some((g0, l0)) if *g0 != g => errs.push(
                    r.line,
                    at("group"),
                    format!(
                        "`{g}`, but line {l0} puts {} in group `{g0}`; a component belongs to one group",
                        r.component
                    ),
                ),
                Some(_) => {}
                None => a.group = Some((g, r.line)),
            }
        }
        for (v, slot, name) in [
            (r.window.0, &mut a.ws, "window_start"),
            (r.window.1, &mut a.we, "window_end"),
        ] {
            if let Some(v) = v {
                match slot {
                    Some((v0, l0)) if *v0 != v => errs.push(
                        r.line,
                        at(name),
                        format!(
                            "differs from line {l0} for component {}; give a component one window (or leave the cell empty)",
                            r.component
                        ),
                    ),
                    Some(_) => {}
                    None => *slot = Some((v, r.line)),
                }
            }
        }
        if let Some(start) = r.start {
            a.outages.push(Outage {
                start,
                end: r.end,
                line: r.line,
            });
        }
    }
    let has_groups = acc.values().any(|a| a.group.is_some());
    let mut histories = Vec::new();
    for name in order {
        let Some(mut a) = acc.remove(&name) else {
            continue;
        };
        a.outages.sort_by(|x, y| x.start.total_cmp(&y.start));
        let first = a.outages.first().map_or(lo, |o| o.start);
        let window = (a.ws.map_or(first, |w| w.0), a.we.map_or(hi, |w| w.0));
        // Without both bounds a window of no length only means nothing was watched (one open outage
        // at the file's last time); with them it is a mistake.
        let given = a.ws.is_some() || a.we.is_some();
        if window.1 < window.0 || (window.1 == window.0 && given) {
            let line =
                a.we.or(a.ws)
                    .map_or(a.outages.first().map_or(0, |o| o.line), |w| w.1);
            errs.push(
                line,
                at("window_end"),
                format!(
                    "component {name}'s window has no length (it ends at or before it starts); give window_start and window_end"
                ),
            );
            continue;
        }
        let mut prev: Option<&Outage> = None;
        for o in &a.outages {
            if o.start < window.0 {
                errs.push(
                    o.line,
                    at("start"),
                    format!(
                        "before the window of component {name} (window_start on line {}); widen the window",
                        a.ws.map_or(0, |w| w.1)
                    ),
                );
            } else if o.start == window.0 && a.ws.is_some() {
                errs.push(
                    o.line,
                    at("start"),
                    format!(
                        "at the very start of component {name}'s window, so its time to failure is zero; start the window earlier"
                    ),
                );
            }
            if o.end.unwrap_or(o.start) > window.1 || (o.start >= window.1 && a.we.is_some()) {
                errs.push(
                    o.line,
                    at("end"),
                    format!(
                        "after the end of component {name}'s window (window_end on line {}); widen the window, or leave `end` empty for an outage still going on then",
                        a.we.map_or(0, |w| w.1)
                    ),
                );
            }
            if let Some(p) = prev {
                match p.end {
                    None => errs.push(
                        p.line,
                        at("end"),
                        format!(
                            "empty (still going on), but component {name} has a later outage on line {}; only the last outage may be open",
                            o.line
                        ),
                    ),
                    Some(e) if o.start < e => errs.push(
                        o.line,
                        at("start"),
                        format!(
                            "overlaps the outage of {name} on line {} (which ends later); outages of one component must not overlap: merge them into one row",
                            p.line
                        ),
                    ),
                    Some(e) if o.start == e => errs.push(
                        o.line,
                        at("start"),
                        format!(
                            "starts the moment the outage of {name} on line {} ends; one outage in two rows? merge them into one row",
                            p.line
                        ),
                    ),
                    _ => {}
                }
            }
            prev = Some(o);
        }
        histories.push(History {
            component: name,
            group: a.group.map(|g| g.0),
            window,
            start_given: a.ws.is_some(),
            end_given: a.we.is_some(),
            outages: a.outages,
        });
    }
    if !errs.list.is_empty() || errs.more > 0 {
        errs.list.sort_by_key(|e| e.line);
        return Err(());
    }
    Ok(Incidents {
        histories,
        clock,
        has_groups,
        span: (lo, hi),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_in_every_accepted_form() {
        let h = |t: &str| parse_time(t).unwrap().0;
        assert_eq!(h("1970-01-01"), 0.0);
        assert_eq!(h("1970-01-02 01:30"), 25.5);
        assert_eq!(h("1970-01-02T01:30:00Z"), 25.5);
        assert_eq!(h("1970-01-02T03:30:00+02:00"), 25.5);
        assert_eq!(h("2000-03-01") - h("2000-02-28"), 48.0);
        assert_eq!(h("2024-01-01") / 24.0, 19_723.0);
        assert_eq!(parse_time("1234.5").unwrap(), (1234.5, Clock::Hours));
        assert_eq!(parse_time("-3").unwrap(), (-3.0, Clock::Hours));
        for bad in [
            "2024-13-01",
            "2023-02-29",
            "10:00",
            "yesterday",
            "1e400",
            "NaN",
            "2024-1-1",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rows_become_histories() {
        let text = "component,group,start,end,window_start,window_end\n\
                    a,g,10,12,0,100\n\
                    a,g,50,,0,100\n\
                    b,g,,,0,100\n\
                    # a comment\n\
                    c,,30,31,,\n";
        let inc = parse(text, "t.csv").unwrap();
        assert_eq!(inc.clock, Clock::Hours);
        assert!(inc.has_groups);
        let a = &inc.histories[0];
        assert_eq!(a.window, (0.0, 100.0));
        assert_eq!(a.outages.len(), 2);
        assert_eq!(a.outages[1].end, None);
        assert!(inc.histories[1].outages.is_empty());
        // c gives no window: from its first outage to the file's end.
        assert_eq!(inc.histories[2].window, (30.0, 100.0));
        assert!(!inc.histories[2].start_given && !inc.histories[2].end_given);
    }
}
