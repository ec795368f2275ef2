//! Whether an accumulator read from a file (a shard's part, a checkpoint) is one of this model: the
//! same entities, request kinds, client groups and crews, with what the model fixes equal. A part whose
//! checksum was recomputed after editing must be refused with a reason, never merged into a panic or
//! into statistics of other things.

use serde_json::Value;

/// Fields the model fixes rather than the replications: they must equal those of a fresh accumulator.
const FIXED_BY_MODEL: [&str; 4] = ["kinds", "targets", "can_lose_data", "per_octave"];

/// Sparse per-entity fields: as long as the model's list, each entry empty (`null`) in a fresh
/// accumulator and either empty or an entity's sums (whose own reading checks them) in a file.
const SPARSE: [&str; 1] = ["parts"];

/// Checks that `found` has the shape of `fresh` (an empty accumulator of the model). Arrays have the
/// same length, except exact sums' chunks and histograms' buckets, which are numbers that grow with the
/// data (an empty array in `fresh` holding only numbers, or arrays of numbers, in `found`); those check
/// their own bounds when read.
pub(super) fn same_shape(fresh: &Value, found: &Value, at: &str) -> Result<(), String> {
    match (fresh, found) {
        (Value::Object(a), Value::Object(b)) => {
            if let Some(k) = a.keys().find(|k| !b.contains_key(*k)) {
                return Err(format!("{at}.{k} is missing"));
            }
            if let Some(k) = b.keys().find(|k| !a.contains_key(*k)) {
                return Err(format!(
                    "{at}.{k} is not part of this scenario's statistics"
                ));
            }
            for (k, v) in a {
                let path = format!("{at}.{k}");
                if FIXED_BY_MODEL.contains(&k.as_str()) {
                    if v != &b[k] {
                        return Err(format!("{path} differs from the scenario's"));
                    }
                } else if SPARSE.contains(&k.as_str()) {
                    sparse(v, &b[k], &path)?;
                } else {
                    same_shape(v, &b[k], &path)?;
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (x, y))| same_shape(x, y, &format!("{at}[{i}]"))),
        (Value::Array(a), Value::Array(b)) if a.is_empty() && b.iter().all(numeric) => Ok(()),
        (Value::Array(a), Value::Array(b)) => Err(format!(
            "{at} has {} entries where the scenario has {}",
            b.len(),
            a.len()
        )),
        (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::String(_), Value::String(_))
        | (Value::Null, Value::Null) => Ok(()),
        _ => Err(format!("{at} is not what the scenario has there")),
    }
}

/// A sparse list: the model's length, entries empty or objects.
fn sparse(fresh: &Value, found: &Value, at: &str) -> Result<(), String> {
    match (fresh, found) {
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            match b.iter().position(|x| !(x.is_null() || x.is_object())) {
                Some(i) => Err(format!("{at}[{i}] is not what the scenario has there")),
                None => Ok(()),
            }
        }
        (Value::Array(a), Value::Array(b)) => Err(format!(
            "{at} has {} entries where the scenario has {}",
            b.len(),
            a.len()
        )),
        _ => Err(format!("{at} is not what the scenario has there")),
    }
}

/// A number, or an array of numbers (a bucket's fixed-point sum).
fn numeric(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Array(a) => a.iter().all(|x| x.is_number()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_must_match_where_the_model_fixes_them() {
        let fresh = json!({"entities": [{"a": [0, []]}, {"a": [0, []]}], "kinds": [0, 1]});
        let grown = json!({"entities": [{"a": [3, [1, 2]]}, {"a": [0, []]}], "kinds": [0, 1]});
        assert_eq!(same_shape(&fresh, &grown, "acc"), Ok(()));
        let empty = json!({"entities": [], "kinds": [0, 1]});
        assert!(
            same_shape(&fresh, &empty, "acc")
                .unwrap_err()
                .contains("acc.entities has 0")
        );
        let kinds = json!({"entities": [{"a": [0, []]}, {"a": [0, []]}], "kinds": [0, 9]});
        assert!(
            same_shape(&fresh, &kinds, "acc")
                .unwrap_err()
                .contains("kinds differs")
        );
        let extra = json!({"entities": [{"a": [0, []], "b": 1}, {"a": [0, []]}], "kinds": [0, 1]});
        assert!(same_shape(&fresh, &extra, "acc").is_err());
        let objects =
            json!({"entities": [{"a": [0, [{"x": 1}]]}, {"a": [0, []]}], "kinds": [0, 1]});
        assert!(same_shape(&fresh, &objects, "acc").is_err());
    }

    #[test]
    fn sparse_lists_keep_the_model_length_and_hold_objects_or_nothing() {
        let fresh = json!({"parts": [null, null]});
        let filled = json!({"parts": [null, {"sums": [0, [1]]}]});
        assert_eq!(same_shape(&fresh, &filled, "acc"), Ok(()));
        let short = json!({"parts": [null]});
        assert!(
            same_shape(&fresh, &short, "acc")
                .unwrap_err()
                .contains("acc.parts has 1")
        );
        let number = json!({"parts": [null, 3]});
        assert!(
            same_shape(&fresh, &number, "acc")
                .unwrap_err()
                .contains("acc.parts[1]")
        );
    }
}
