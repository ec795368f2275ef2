//! The `[sweep]` section and `--set` value lists: the fields a sweep varies and their values.

use crate::model::SweepValue;
use crate::scenario::MAX_SWEEP_VALUES;

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
