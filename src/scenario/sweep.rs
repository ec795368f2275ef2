//! The `[sweep]` section and `--set` value lists: the fields a sweep varies and their values.

use toml::de::DeValue;

use crate::model::{SweepParameter, SweepValue};
use crate::scenario::{MAX_SWEEP_PARAMETERS, MAX_SWEEP_VALUES};

use super::reader::{self, Errors, Tbl, Val, number, type_name};

/// Why a dotted path cannot be swept, when it cannot: the run settings (`simulation.*`) are shared by
/// every point of a sweep, since the points pair up replication by replication (common random
/// numbers), so setting them per point would be silently ignored; `sweep.*` is the sweep itself.
pub fn unsweepable(path: &str) -> Option<String> {
    let mut segs = path.split('.').map(str::trim);
    let head = segs.next().unwrap_or_default();
    let field = segs.next().unwrap_or_default();
    match head {
        "simulation" => {
            let instead = match field {
                "mission" => "give --mission to set it for every point",
                "replications" => "give -n/--replications to set it for every point",
                "seed" => "give --seed to set it for every point",
                "threads" => "give -j/--threads to set it for every point",
                _ => "its fields are mission, replications, seed and threads",
            };
            Some(format!(
                "`{path}` cannot be swept: every point of a sweep runs with the same [simulation] settings so that their replications pair up; {instead}, or run the scenario once per value"
            ))
        }
        "sweep" => Some(format!(
            "`{path}` cannot be swept: it is the sweep itself; sweep a field of the scenario, e.g. nodes.web.count"
        )),
        _ => None,
    }
}

/// Reads a value list: `lo..hi` (integers, inclusive) or comma-separated values
/// (`0.9,0.99`, `4h,8h`). A value that reads as a TOML integer, float or boolean is one; anything
/// else is a string.
pub fn parse_values(text: &str) -> Result<Vec<SweepValue>, String> {
    let text = text.trim();
    if let Some((lo, hi)) = text.split_once("..") {
        let (lo, hi) = (lo.trim(), hi.trim());
        let (Ok(a), Ok(b)) = (lo.parse::<i64>(), hi.parse::<i64>()) else {
            return Err(format!(
                "the range {text} must join two integers, e.g. 2..6 (for other values list them: 4h,8h,16h)"
            ));
        };
        if b < a {
            return Err(format!("the range {text} is empty: {hi} is below {lo}"));
        }
        if b - a >= MAX_SWEEP_VALUES as i64 {
            return Err(format!(
                "the range {text} has {} values; at most {MAX_SWEEP_VALUES} are run",
                b - a + 1
            ));
        }
        return Ok((a..=b).map(SweepValue::Integer).collect());
    }
    // `2-3` reads as a range to people and as the string "2-3" to TOML: say how a range is written.
    if let Some((lo, hi)) = text.split_once('-')
        && !lo.trim().is_empty()
        && lo.trim().parse::<i64>().is_ok()
        && hi.trim().parse::<i64>().is_ok()
    {
        return Err(format!(
            "`{text}` is not a range: write a range of integers as {}..{} (or list the values: {},{})",
            lo.trim(),
            hi.trim(),
            lo.trim(),
            hi.trim()
        ));
    }
    let values: Vec<SweepValue> = text
        .split(',')
        .map(str::trim)
        .map(|v| {
            if let Ok(i) = v.replace('_', "").parse::<i64>() {
                SweepValue::Integer(i)
            } else if let Ok(x) = v
                .parse::<f64>()
                .map_err(|_| ())
                .and_then(|x| if x.is_finite() { Ok(x) } else { Err(()) })
            {
                SweepValue::Float(x)
            } else if v == "true" || v == "false" {
                SweepValue::Bool(v == "true")
            } else {
                SweepValue::Text(v.trim_matches('"').to_string())
            }
        })
        .collect();
    if values
        .iter()
        .any(|v| matches!(v, SweepValue::Text(s) if s.is_empty()))
    {
        return Err("a value is empty (two commas in a row, or a comma at an end)".into());
    }
    if values.len() > MAX_SWEEP_VALUES {
        return Err(format!(
            "{} values; at most {MAX_SWEEP_VALUES} are run",
            values.len()
        ));
    }
    Ok(values)
}

/// Reads `[sweep]`: `"dotted.path" = [values]` or `"dotted.path" = "lo..hi"`, at most two parameters.
/// Why the tables on a sweep path's way are not in the scenario (the field itself may be new), checked
/// when the scenario is read so that `validate` locates the mistake: found only when the sweep ran,
/// it was reported with no line.
fn missing_table(root: &Tbl<'_, '_>, path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('.').map(str::trim).collect();
    let (_, parents) = segs.split_last()?;
    let mut walked = String::new();
    let mut at: Option<&Val<'_>> = None;
    for seg in parents {
        walked = if walked.is_empty() {
            seg.to_string()
        } else {
            format!("{walked}.{seg}")
        };
        let next = match at {
            None => root.peek(seg).map(|(_, v)| v),
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => t.iter().find(|(k, _)| k.get_ref() == seg).map(|(_, v)| v),
                _ => return Some(format!("`{walked}` is inside a value, not a table")),
            },
        };
        match next {
            Some(v) => at = Some(v),
            None => {
                return Some(format!(
                    "the scenario has no `{walked}`; sweep a field of a table it has, e.g. nodes.web.count"
                ));
            }
        }
    }
    match at.map(Val::get_ref) {
        Some(DeValue::Table(_)) | None => None,
        Some(_) => Some(format!("`{walked}` is a value, not a table")),
    }
}

pub(super) fn sweep_section(
    v: &Val<'_>,
    root: &Tbl<'_, '_>,
    errs: &mut Errors,
) -> Vec<SweepParameter> {
    let Some(t) = Tbl::new(
        v,
        "sweep",
        "the [sweep] section, e.g. `\"nodes.web.count\" = \"2..6\"` or `\"nodes.sql.repair.mean\" = [\"4h\", \"8h\"]`",
        errs,
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, val) in t.entries() {
        let k: &str = key.get_ref();
        let path = t.path_of(k);
        if out.len() == MAX_SWEEP_PARAMETERS {
            errs.push(
                key.span(),
                path,
                format!("a sweep varies at most {MAX_SWEEP_PARAMETERS} parameters"),
            );
            continue;
        }
        if let Some(why) = unsweepable(k) {
            errs.push(key.span(), path, why);
            continue;
        }
        if k.split('.').any(str::is_empty) {
            errs.push(
                key.span(),
                path,
                "expected the dotted path of a scenario field, e.g. \"nodes.web.count\"",
            );
            continue;
        }
        if let Some(why) = missing_table(root, k) {
            errs.push(key.span(), path, why);
            continue;
        }
        let values = match val.get_ref() {
            DeValue::String(s) => match parse_values(s) {
                Ok(v) => v,
                Err(e) => {
                    errs.push(val.span(), path, e);
                    continue;
                }
            },
            DeValue::Array(items) => {
                let mut vals = Vec::new();
                for item in items.iter() {
                    let value = match item.get_ref() {
                        DeValue::String(s) => SweepValue::Text(s.to_string()),
                        DeValue::Integer(i) => {
                            match reader::integer_value(i.as_str(), i.radix())
                                .and_then(|x| i64::try_from(x).ok())
                            {
                                Some(x) => SweepValue::Integer(x),
                                None => {
                                    errs.push(item.span(), &path, "integer out of range");
                                    continue;
                                }
                            }
                        }
                        DeValue::Float(_) => match number(item, &path, errs) {
                            Some(x) => SweepValue::Float(x),
                            None => continue,
                        },
                        DeValue::Boolean(b) => SweepValue::Bool(*b),
                        other => {
                            errs.push(
                                item.span(),
                                &path,
                                format!(
                                    "expected numbers, strings or booleans, found {}",
                                    type_name(other)
                                ),
                            );
                            continue;
                        }
                    };
                    vals.push(value);
                }
                vals
            }
            other => {
                errs.push(
                    val.span(),
                    path,
                    format!(
                        "expected a list of values, e.g. [2, 3, 4], or a range \"2..6\", found {}",
                        type_name(other)
                    ),
                );
                continue;
            }
        };
        if values.is_empty() || values.len() > MAX_SWEEP_VALUES {
            errs.push(
                val.span(),
                path,
                format!("expected 1 to {MAX_SWEEP_VALUES} values"),
            );
            continue;
        }
        out.push(SweepParameter {
            path: k.to_string(),
            values,
        });
    }
    out
}
