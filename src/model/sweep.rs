//! A parameter sweep's compiled form: the fields to vary and their values, kept on the model so that
//! `nines sweep` can run a scenario's own `[sweep]` section.

use std::fmt;

/// One value of a swept field.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepValue {
    /// An integer, e.g. a count.
    Integer(i64),
    /// A number, e.g. a probability.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string, e.g. a duration "8h".
    Text(String),
}

impl fmt::Display for SweepValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepValue::Integer(i) => write!(f, "{i}"),
            SweepValue::Float(x) => write!(f, "{}", crate::base::units::trim_float(*x)),
            SweepValue::Bool(b) => write!(f, "{b}"),
            SweepValue::Text(s) => write!(f, "{s}"),
        }
    }
}

impl SweepValue {
    /// The value as a number, for plotting: integers and floats as they are; durations in hours;
    /// anything else `None` (plotted by position).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            SweepValue::Integer(i) => Some(*i as f64),
            SweepValue::Float(x) => Some(*x),
            SweepValue::Bool(_) => None,
            SweepValue::Text(s) => crate::base::units::parse_duration(s).ok(),
        }
    }
}

/// A field to vary and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepParameter {
    /// Dotted path of the field, e.g. `nodes.web.count`.
    pub path: String,
    /// Values in the order they are run.
    pub values: Vec<SweepValue>,
}
