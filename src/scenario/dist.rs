//! Distribution tables such as `{ dist = "weibull", shape = 2, mean = "1000h" }`: times to failure,
//! times to repair (or `"none"`), and every other duration drawn at random.

use toml::de::DeValue;

use crate::base::dist::Dist;
use crate::base::units::Hours;

use super::reader::{self, Errors, Tbl, Val, duration, number, string, type_name};

const DIST_KINDS: &str =
    "exponential, weibull, lognormal, gamma, normal, uniform, fixed, empirical";
const FAILURE_EXAMPLE: &str =
    "time-to-failure distribution, e.g. { dist = \"exponential\", mean = \"20y\" }";
const REPAIR_EXAMPLE: &str =
    "time-to-repair distribution, e.g. { dist = \"exponential\", mean = \"6h\" }";

/// Reads `failure` and `repair` that must both be given (no [defaults]).
pub(super) fn own_dists(
    t: &Tbl<'_, '_>,
    why: &str,
    errs: &mut Errors,
) -> (Option<Dist>, Option<Dist>) {
    let read = |key: &'static str, example: &str, errs: &mut Errors| match t.get(key) {
        Some(d) if key == "failure" => failure_dist(d, &t.path_of(key), errs),
        Some(d) => dist(d, &t.path_of(key), errs),
        None => {
            errs.push(
                t.span.clone(),
                t.path.clone(),
                format!("missing field `{key}` ({example}){why}"),
            );
            None
        }
    };
    let f = read("failure", FAILURE_EXAMPLE, errs);
    let r = read("repair", REPAIR_EXAMPLE, errs);
    (f, r)
}

/// A time to failure: `"never"`, or a distribution whose mean is more than zero (one that is always zero would
/// fail again the instant it is repaired, forever).
pub(super) fn failure_dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    // `"never"` or `{ dist = "never" }`: it does not fail in the study (a maintenance-only case, a
    // witness one trusts); its draws are infinite, so no failure falls inside a mission.
    match v.get_ref() {
        DeValue::String(s) if s.as_ref() == "never" => return Some(Dist::never()),
        DeValue::String(s) => {
            errs.push(
                v.span(),
                path,
                format!(
                    "expected a time-to-failure distribution such as {{ dist = \"exponential\", mean = \"5y\" }}, or \"never\" for one that does not fail in the study; found the string \"{s}\""
                ),
            );
            return None;
        }
        DeValue::Table(tbl)
            if tbl.iter().any(|(k, x)| {
                k.get_ref() == "dist"
                    && matches!(x.get_ref(), DeValue::String(s) if s.as_ref() == "never")
            }) =>
        {
            let t = Tbl::new(v, path, "a distribution", errs)?;
            t.get("dist");
            t.finish(errs);
            return Some(Dist::never());
        }
        _ => {}
    }
    let d = dist(v, path, errs)?;
    if d.mean() <= 0.0 {
        errs.push(
            v.span(),
            path,
            "a time to failure that is always zero would fail again the instant it is repaired; expected a positive duration, e.g. { dist = \"exponential\", mean = \"5y\" }",
        );
        return None;
    }
    Some(d)
}

/// A time to repair: a distribution, or `"none"` for a component that is never repaired (down for the
/// rest of the mission once it fails).
pub(super) fn repair_dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    if let DeValue::String(s) = v.get_ref() {
        if s.as_ref() == "none" {
            return Some(Dist::never());
        }
        errs.push(
            v.span(),
            path,
            format!(
                "expected a time-to-repair distribution such as {{ dist = \"exponential\", mean = \"8h\" }}, or \"none\" for a node that is never repaired; found the string \"{s}\""
            ),
        );
        return None;
    }
    dist(v, path, errs)
}

/// Reads a distribution table such as `{ dist = "weibull", shape = 2, mean = "1000h" }`.
pub(super) fn dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    let t = Tbl::new(
        v,
        path,
        "a distribution such as { dist = \"exponential\", mean = \"5y\" }",
        errs,
    )?;
    let kind_val = t.req("dist", DIST_KINDS, errs)?;
    let kind = string(kind_val, &t.path_of("dist"), errs)?;
    let dur = |key: &'static str, errs: &mut Errors| {
        t.get(key).and_then(|x| duration(x, &t.path_of(key), errs))
    };
    let num = |key: &'static str, errs: &mut Errors| {
        t.get(key).and_then(|x| number(x, &t.path_of(key), errs))
    };
    let need = |key: &'static str, what: &str, errs: &mut Errors| {
        if !t.has(key) {
            errs.push(
                t.span.clone(),
                path,
                format!("missing field `{key}` for dist = \"{kind}\" ({what})"),
            );
        }
    };
    let fail = |msg: String, errs: &mut Errors| {
        errs.push(v.span(), path, format!("dist = \"{kind}\": {msg}"));
    };
    let result = match kind.as_str() {
        "exponential" => {
            need("mean", "a duration", errs);
            dur("mean", errs).map(Dist::exponential)
        }
        "weibull" => {
            need("shape", "a number, e.g. 1.5", errs);
            let shape = num("shape", errs);
            match (t.has("mean"), t.has("scale")) {
                (true, true) => {
                    fail("give `mean` or `scale`, not both".into(), errs);
                    None
                }
                (false, false) => {
                    need("mean", "a duration; or give `scale`", errs);
                    None
                }
                (true, false) => match (shape, dur("mean", errs)) {
                    (Some(s), Some(m)) => Some(Dist::weibull_mean(s, m)),
                    _ => None,
                },
                (false, true) => match (shape, dur("scale", errs)) {
                    (Some(s), Some(c)) => Some(Dist::weibull_scale(s, c)),
                    _ => None,
                },
            }
        }
        "lognormal" => {
            need(
                "sigma",
                "a number: the standard deviation of ln(duration)",
                errs,
            );
            let sigma = num("sigma", errs);
            match (t.has("mean"), t.has("mu")) {
                (true, true) => {
                    fail("give `mean` or `mu`, not both".into(), errs);
                    None
                }
                (false, false) => {
                    need(
                        "mean",
                        "a duration; or give `mu`, the mean of ln(hours)",
                        errs,
                    );
                    None
                }
                (true, false) => match (dur("mean", errs), sigma) {
                    (Some(m), Some(s)) => Some(Dist::lognormal_mean(m, s)),
                    _ => None,
                },
                (false, true) => match (num("mu", errs), sigma) {
                    (Some(m), Some(s)) => Some(Dist::lognormal_mu(m, s)),
                    _ => None,
                },
            }
        }
        "gamma" => {
            need("shape", "a number", errs);
            need("mean", "a duration", errs);
            match (num("shape", errs), dur("mean", errs)) {
                (Some(s), Some(m)) => Some(Dist::gamma_mean(s, m)),
                _ => None,
            }
        }
        "normal" => {
            need("mean", "a duration", errs);
            need("sd", "a duration", errs);
            match (dur("mean", errs), dur("sd", errs)) {
                (Some(m), Some(s)) => Some(Dist::trunc_normal(m, s)),
                _ => None,
            }
        }
        "uniform" => {
            need("min", "a duration", errs);
            need("max", "a duration", errs);
            match (dur("min", errs), dur("max", errs)) {
                (Some(a), Some(b)) => Some(Dist::uniform(a, b)),
                _ => None,
            }
        }
        "fixed" => {
            need("value", "a duration", errs);
            dur("value", errs).map(Dist::fixed)
        }
        "empirical" => {
            need("samples", "an array of observed durations", errs);
            t.get("samples").and_then(|s| {
                let sp = t.path_of("samples");
                let DeValue::Array(items) = s.get_ref() else {
                    errs.push(
                        s.span(),
                        sp,
                        format!(
                            "expected an array of durations, found {}",
                            type_name(s.get_ref())
                        ),
                    );
                    return None;
                };
                let vals: Vec<Option<Hours>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| duration(x, &format!("{sp}[{i}]"), errs))
                    .collect();
                vals.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Dist::empirical)
            })
        }
        other => {
            let hint = reader::closest(other, &DIST_KINDS.split(", ").collect::<Vec<_>>())
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            errs.push(
                kind_val.span(),
                t.path_of("dist"),
                format!("unknown distribution \"{other}\"; {hint}expected one of {DIST_KINDS}"),
            );
            t.allow(&[
                "mean", "shape", "scale", "sigma", "mu", "sd", "min", "max", "value", "samples",
            ]);
            None
        }
    };
    t.finish(errs);
    match result {
        Some(Ok(d)) => Some(d),
        Some(Err(msg)) => {
            fail(msg, errs);
            None
        }
        None => None,
    }
}
