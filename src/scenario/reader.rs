//! A typed reader over the spanned TOML tree that collects every error with its position and field
//! path instead of stopping at the first, and reports unknown keys with the keys that are valid.

use std::cell::RefCell;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::base::units::{DURATION_HELP, Hours, RATE_HELP, parse_duration, parse_rate};

/// One problem found in a scenario, before positions are turned into lines and columns.
#[derive(Debug, Clone)]
pub struct RawDiag {
    /// Byte range in the file.
    pub span: Range<usize>,
    /// Dotted field path, e.g. `nodes.web1.failure.mean`.
    pub path: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// Collected errors.
#[derive(Debug, Default)]
pub struct Errors {
    /// All problems so far.
    pub list: Vec<RawDiag>,
}

impl Errors {
    /// Records a problem.
    pub fn push(
        &mut self,
        span: Range<usize>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.list.push(RawDiag {
            span,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// A spanned TOML value.
pub type Val<'i> = Spanned<DeValue<'i>>;

/// A string with the position it came from, for references resolved later.
#[derive(Debug, Clone)]
pub struct Name {
    /// The text.
    pub text: String,
    /// Where it was written.
    pub span: Range<usize>,
}

/// Reports every key and string of the document that holds a control character (a tab, an escape,
/// a NUL...): no name or value needs one, and echoed into a message, a table, an SVG or a terminal
/// it would corrupt it or drive the terminal. The character is shown escaped, never as itself.
pub fn reject_control_characters(table: &DeTable<'_>, path: &str, errs: &mut Errors) {
    fn shown(text: &str) -> String {
        text.chars().flat_map(char::escape_debug).collect()
    }
    fn first_control(text: &str) -> Option<char> {
        text.chars().find(|c| c.is_control())
    }
    fn value(v: &Val<'_>, path: &str, errs: &mut Errors) {
        match v.get_ref() {
            DeValue::String(s) => {
                if let Some(c) = first_control(s) {
                    errs.push(
                        v.span(),
                        path,
                        format!(
                            "the text \"{}\" holds the control character U+{:04X}; names and values may hold printable characters only",
                            shown(s),
                            c as u32
                        ),
                    );
                }
            }
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    value(item, &format!("{path}[{i}]"), errs);
                }
            }
            DeValue::Table(t) => reject_control_characters(t, path, errs),
            _ => {}
        }
    }
    for (k, v) in table.iter() {
        let key: &str = k.get_ref();
        let here = join(path, &shown(key));
        if let Some(c) = first_control(key) {
            errs.push(
                k.span(),
                here.clone(),
                format!(
                    "the name \"{}\" holds the control character U+{:04X}; names may hold printable characters only",
                    shown(key),
                    c as u32
                ),
            );
        }
        value(v, &here, errs);
    }
}

/// Joins a path and a key.
pub fn join(path: &str, key: &str) -> String {
    let key = if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.is_empty()
    {
        key.to_string()
    } else {
        format!("\"{key}\"")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// A TOML table being read: remembers which keys were asked for, so the rest can be reported.
pub struct Tbl<'a, 'i> {
    table: &'a DeTable<'i>,
    /// Span of the table (used for "missing field" errors).
    pub span: Range<usize>,
    /// Path of the table.
    pub path: String,
    asked: RefCell<Vec<&'static str>>,
    /// Keys already reported by a more specific message; `finish` stays quiet about them.
    handled: RefCell<Vec<String>>,
}

impl<'a, 'i> Tbl<'a, 'i> {
    /// Wraps a value that must be a table.
    pub fn new(v: &'a Val<'i>, path: &str, what: &str, errs: &mut Errors) -> Option<Self> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Self::from_table(t, v.span(), path)),
            other => {
                errs.push(
                    v.span(),
                    path,
                    format!("expected {what} (a table), found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// Wraps a table.
    pub fn from_table(table: &'a DeTable<'i>, span: Range<usize>, path: &str) -> Self {
        Self {
            table,
            span,
            path: path.to_string(),
            asked: RefCell::new(Vec::new()),
            handled: RefCell::new(Vec::new()),
        }
    }

    /// Path of a key in this table.
    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of `key`, if present; marks the key as known.
    pub fn get(&self, key: &'static str) -> Option<&'a Val<'i>> {
        self.asked.borrow_mut().push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }

    /// Marks keys as known without reading them (for keys read through `entries`).
    pub fn allow(&self, keys: &[&'static str]) {
        self.asked.borrow_mut().extend_from_slice(keys);
    }

    /// The key's span and value, if present, without marking the key as known.
    pub fn peek(&self, key: &str) -> Option<(Range<usize>, &'a Val<'i>)> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(k, v)| (k.span(), v))
    }

    /// Marks a key as reported already (by a more specific message than "unknown key"), without
    /// listing it among the valid keys.
    pub fn handled(&self, key: &str) {
        self.handled.borrow_mut().push(key.to_string());
    }

    /// True when the key is present (marks it as known).
    pub fn has(&self, key: &'static str) -> bool {
        self.get(key).is_some()
    }

    /// The value of a required key, or an error naming it.
    pub fn req(&self, key: &'static str, what: &str, errs: &mut Errors) -> Option<&'a Val<'i>> {
        let v = self.get(key);
        if v.is_none() {
            errs.push(
                self.span.clone(),
                self.path.clone(),
                format!("missing field `{key}` ({what})"),
            );
        }
        v
    }

    /// All entries, in file order, with their spanned keys.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Val<'i>)> {
        self.table.iter()
    }

    /// Reports every key that was never asked for, with the valid keys and a likely intended one.
    pub fn finish(self, errs: &mut Errors) {
        let asked = self.asked.into_inner();
        let handled = self.handled.into_inner();
        for (k, _) in self.table.iter() {
            let key: &str = k.get_ref();
            if asked.contains(&key) || handled.iter().any(|h| h == key) {
                continue;
            }
            let mut valid: Vec<&str> = asked.clone();
            valid.sort_unstable();
            valid.dedup();
            let hint = closest(key, &valid)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            errs.push(
                k.span(),
                join(&self.path, key),
                format!(
                    "unknown key `{key}`; {hint}valid keys here: {}",
                    valid.join(", ")
                ),
            );
        }
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo; else the one
/// candidate that `word` abbreviates (its letters in order, the first one first: `cnt` for `count`).
pub fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let typo = candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d < c.len().min(word.len()) && *d <= 1.max(c.len().max(word.len()) / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    typo.or_else(|| {
        let mut abbreviated = candidates
            .iter()
            .filter(|c| word.chars().count() >= 2 && abbreviates(word, c));
        match (abbreviated.next(), abbreviated.next()) {
            (Some(c), None) => Some(*c),
            _ => None,
        }
    })
}

/// Whether `word` is `candidate` with letters left out, starting with its first letter.
fn abbreviates(word: &str, candidate: &str) -> bool {
    let (word, candidate) = (word.to_lowercase(), candidate.to_lowercase());
    if word.len() >= candidate.len() || word.chars().next() != candidate.chars().next() {
        return false;
    }
    let mut rest = candidate.chars();
    word.chars().all(|w| rest.by_ref().any(|c| c == w))
}

/// Edits between two words, a swap of two neighbouring letters counting as one (`wbe` → `web`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// TOML type names for messages.
pub fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Reads a string.
pub fn string(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<String> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        other => {
            errs.push(
                v.span(),
                path,
                format!("expected a string, found {}", type_name(other)),
            );
            None
        }
    }
}

/// Reads a string as a name that will be resolved later.
pub fn name(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Name> {
    string(v, path, errs).map(|text| Name {
        text,
        span: v.span(),
    })
}

/// Reads one name or an array of names.
pub fn names(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Vec<Name>> {
    match v.get_ref() {
        DeValue::String(_) => name(v, path, errs).map(|n| vec![n]),
        DeValue::Array(items) => {
            let mut out = Vec::new();
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                match name(item, &format!("{path}[{i}]"), errs) {
                    Some(n) => out.push(n),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        }
        other => {
            errs.push(
                v.span(),
                path,
                format!(
                    "expected a name or an array of names, found {}",
                    type_name(other)
                ),
            );
            None
        }
    }
}

pub fn integer_value(text: &str, radix: u32) -> Option<i128> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let (neg, digits) = match cleaned.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let digits = if radix != 10 {
        digits.get(2..).unwrap_or("")
    } else {
        digits
    };
    let v = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// Reads a finite number (integer or float).
pub fn number(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<f64> {
    let x = match v.get_ref() {
        DeValue::Integer(i) => integer_value(i.as_str(), i.radix()).map(|v| v as f64),
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            match text.as_str() {
                "nan" | "+nan" | "-nan" => Some(f64::NAN),
                "inf" | "+inf" => Some(f64::INFINITY),
                "-inf" => Some(f64::NEG_INFINITY),
                t => t.parse().ok(),
            }
        }
        DeValue::String(s) => {
            errs.push(
                v.span(),
                path,
                format!("expected a number, found the string \"{s}\""),
            );
            return None;
        }
        other => {
            errs.push(
                v.span(),
                path,
                format!("expected a number, found {}", type_name(other)),
            );
            return None;
        }
    };
    match x {
        Some(x) if x.is_finite() => Some(x),
        Some(x) => {
            errs.push(
                v.span(),
                path,
                format!("expected a finite number, found {x}"),
            );
            None
        }
        None => {
            errs.push(v.span(), path, "number out of range");
            None
        }
    }
}

/// Reads a non-negative integer no larger than `max`.
pub fn integer(v: &Val<'_>, path: &str, max: u64, errs: &mut Errors) -> Option<u64> {
    match v.get_ref() {
        DeValue::Integer(i) => match integer_value(i.as_str(), i.radix()) {
            Some(x) if x >= 0 && x <= max as i128 => Some(x as u64),
            Some(x) if x < 0 => {
                errs.push(
                    v.span(),
                    path,
                    format!("expected a non-negative integer, found {x}"),
                );
                None
            }
            _ => {
                errs.push(
                    v.span(),
                    path,
                    format!(
                        "{} is too large; the largest accepted value is {max}",
                        i.as_str()
                    ),
                );
                None
            }
        },
        other => {
            errs.push(
                v.span(),
                path,
                format!("expected an integer, found {}", type_name(other)),
            );
            None
        }
    }
}

/// Reads a duration string with a unit.
pub fn duration(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Hours> {
    with_unit(
        v,
        path,
        errs,
        parse_duration,
        |text| {
            format!(
                "a bare number ({text}) is not a duration: say which unit, e.g. \"{text}h\"; expected {DURATION_HELP}"
            )
        },
        ("a duration", DURATION_HELP),
    )
}

/// Reads a rate string with a unit (`"200/s"`), in events per hour.
pub fn rate(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<f64> {
    with_unit(
        v,
        path,
        errs,
        parse_rate,
        |text| {
            format!(
                "a bare number ({text}) is not a rate: say per what, e.g. \"{text}/s\"; expected {RATE_HELP}"
            )
        },
        ("a rate", RATE_HELP),
    )
}

/// Reads a quantity written as a string with its unit: a bare number is refused with `bare(number)`,
/// another type with what was expected (`kind`) and what is valid (`help`).
fn with_unit(
    v: &Val<'_>,
    path: &str,
    errs: &mut Errors,
    parse: fn(&str) -> Result<f64, String>,
    bare: impl Fn(&str) -> String,
    (kind, help): (&str, &str),
) -> Option<f64> {
    let msg = match v.get_ref() {
        DeValue::String(s) => match parse(s) {
            Ok(x) => return Some(x),
            Err(msg) => msg,
        },
        DeValue::Integer(i) => bare(i.as_str()),
        DeValue::Float(f) => bare(f.as_str()),
        other => format!(
            "expected {kind}, found {}; expected {help}",
            type_name(other)
        ),
    };
    errs.push(v.span(), path, msg);
    None
}

/// Reads a boolean.
pub fn boolean(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<bool> {
    match v.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        other => {
            errs.push(
                v.span(),
                path,
                format!("expected true or false, found {}", type_name(other)),
            );
            None
        }
    }
}

/// The unknown-name message: a likely intended name, or the defined ones, or how to define one.
pub fn unknown(what: &str, text: &str, known: &[&str], define: &str) -> String {
    if let Some(c) = closest(text, known) {
        return format!("unknown {what} `{text}`; did you mean `{c}`?");
    }
    if known.is_empty() {
        return format!("unknown {what} `{text}`: none is defined; {define}");
    }
    let mut sorted = known.to_vec();
    sorted.sort_unstable();
    if sorted.len() <= 12 {
        format!("unknown {what} `{text}`; defined: {}", sorted.join(", "))
    } else {
        format!("unknown {what} `{text}`")
    }
}

/// Reads a probability in [0, 1].
pub fn probability(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<f64> {
    let x = number(v, path, errs)?;
    if (0.0..=1.0).contains(&x) {
        Some(x)
    } else {
        errs.push(
            v.span(),
            path,
            format!(
                "{} is not a probability: expected a number from 0 to 1, e.g. 0.98",
                crate::base::format::short(x)
            ),
        );
        None
    }
}

/// Reads a duration that must be longer than zero.
pub fn positive_duration(v: &Val<'_>, path: &str, what: &str, errs: &mut Errors) -> Option<Hours> {
    let h = duration(v, path, errs)?;
    if h > 0.0 {
        Some(h)
    } else {
        errs.push(v.span(), path, format!("{what} must be longer than zero"));
        None
    }
}
