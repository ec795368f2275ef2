//! `[phases]`: a calendar inside each year (business hours, a month-end close, a yearly peak) and
//! what changes in each phase: a pool's `min_up` (`min_up = { web = 3 }`), a client population's
//! request rates (`rate = { staff = 3.0 }`, a multiplier); a service's `needed_in = [...]` says in
//! which phases its downtime counts.
//!
//! A phase holds on the days and in the hours its keys select (all keys together): `days`
//! ("mon-fri"), `from`/`to` ("08:00"), `month_days` ("last 2", "1-5") and `months` ("nov-dec").
//! The year is 365 days starting on a Monday, 1 January, at mission time 0. Phases may not overlap;
//! time in no named phase is the implicit phase `other`.

use std::ops::Range;

use toml::de::DeValue;

use crate::model::{MAX_PHASES, OTHER, Phase, Phases, RoleKind};

use super::compile::Compiler;
use super::reader::{self, Errors, Name, Tbl, Val, integer, join, string, type_name, unknown};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const MONTH_LEN: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAY_MINUTES: usize = 24 * 60;
/// No phase owns the minute.
const FREE: u8 = u8::MAX;

/// One phase as written: which days and minutes it selects.
struct Rule {
    days: [bool; 7],
    months: [bool; 12],
    /// Per day of the month (0-based, 0..31): selected; `last` counts from the month's end.
    month_days: Vec<(usize, usize)>,
    last: usize,
    from: usize,
    to: usize,
    text: String,
}

impl Rule {
    fn holds_on(&self, weekday: usize, month: usize, mday: usize) -> bool {
        if !self.days[weekday] || !self.months[month] {
            return false;
        }
        if self.month_days.is_empty() && self.last == 0 {
            return true;
        }
        let len = MONTH_LEN[month];
        self.month_days.iter().any(|&(a, b)| mday >= a && mday <= b)
            || (self.last > 0 && mday + self.last >= len)
    }
}

impl Compiler {
    /// Reads `[phases]`; `needed_in` of the services (read with them) is resolved here.
    pub(super) fn phases_section(&mut self, v: Option<&Val<'_>>, errs: &mut Errors) {
        let mut names: Vec<Name> = Vec::new();
        let mut rules: Vec<Option<Rule>> = Vec::new();
        let mut phases: Vec<Phase> = Vec::new();
        if let Some(v) = v
            && let Some(section) = Tbl::new(v, "phases", "the [phases] section", errs)
        {
            for (key, val) in section.entries() {
                let key_name: &str = key.get_ref();
                let path = join("phases", key_name);
                if key_name == OTHER {
                    errs.push(
                        key.span(),
                        path.clone(),
                        "`other` is the implicit phase (time in no named phase); give this phase another name",
                    );
                }
                if names.len() == MAX_PHASES {
                    errs.push(
                        key.span(),
                        path,
                        format!("at most {MAX_PHASES} phases are accepted"),
                    );
                    break;
                }
                let Some(t) = Tbl::new(val, &path, &format!("phase `{key_name}`"), errs) else {
                    continue;
                };
                let description = t
                    .get("description")
                    .and_then(|d| string(d, &t.path_of("description"), errs));
                let rule = rule(&t, errs);
                let min_up = self.phase_min_up(&t, errs);
                let rates = self.phase_rates(&t, errs);
                t.finish(errs);
                names.push(Name {
                    text: key_name.to_string(),
                    span: key.span(),
                });
                phases.push(Phase {
                    name: key_name.to_string(),
                    description,
                    rule: rule.as_ref().map(|r| r.text.clone()).unwrap_or_default(),
                    hours_per_year: 0.0,
                    min_up,
                    rates,
                });
                rules.push(rule);
            }
        }
        let needed = self.needed_in(&names, errs);
        if phases.is_empty() || rules.iter().any(Option::is_none) {
            return;
        }
        let rules: Vec<Rule> = rules.into_iter().flatten().collect();
        self.phases = calendar(phases, &rules, &names, needed, errs);
    }

    /// `min_up = { role = n }` of one phase: pools and their `min_up` in the phase.
    fn phase_min_up(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        let Some(v) = t.get("min_up") else {
            return out;
        };
        let p = t.path_of("min_up");
        let Some(m) = Tbl::new(v, &p, "`min_up` (a table of pools, e.g. { web = 3 })", errs) else {
            return out;
        };
        for (k, val) in m.entries() {
            let role: &str = k.get_ref();
            let kp = join(&p, role);
            let n = Name {
                text: role.to_string(),
                span: k.span(),
            };
            let Some(r) = self.role_ref(&n, &kp, "`min_up` names pools", errs) else {
                continue;
            };
            let Some(x) = integer(val, &kp, u32::MAX as u64, errs) else {
                continue;
            };
            match self.roles.get(r).and_then(|r| r.kind.as_ref()) {
                Some(RoleKind::Pool { nodes, .. }) if self.roles[r].machine.is_none() => {
                    if x == 0 || x as usize > nodes.len() {
                        errs.push(
                            val.span(),
                            kp,
                            format!(
                                "min_up = {x} must be between 1 and the pool's {} nodes",
                                nodes.len()
                            ),
                        );
                    } else {
                        out.push((r, x as u32));
                    }
                }
                Some(_) => errs.push(
                    k.span(),
                    kp,
                    format!(
                        "role `{role}` is not a pool: only a pool's `min_up` can change by phase"
                    ),
                ),
                None => {}
            }
        }
        m.allow(&[]);
        out
    }

    /// `rate = { population = x }` of one phase: the populations whose request rates are `x` times
    /// their usual in the phase. Combinations whose figures would not be exact are refused here.
    fn phase_rates(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        let Some(v) = t.get("rate") else {
            return out;
        };
        let p = t.path_of("rate");
        let what = "`rate` (a table of client populations and the multiplier of their request rates in the phase, e.g. { staff = 3.0 })";
        let Some(m) = Tbl::new(v, &p, what, errs) else {
            return out;
        };
        let known: Vec<&str> = self.populations.iter().map(|x| x.name.as_str()).collect();
        for (k, val) in m.entries() {
            let name: &str = k.get_ref();
            let kp = join(&p, name);
            let Some(pop) = known.iter().position(|x| *x == name) else {
                errs.push(
                    k.span(),
                    kp,
                    unknown(
                        "client population",
                        name,
                        &known,
                        &format!("`rate` names populations of [clients]; define [clients.{name}]"),
                    ),
                );
                continue;
            };
            let Some(x) = reader::number(val, &kp, errs) else {
                continue;
            };
            if !(x > 0.0 && x.is_finite()) {
                errs.push(
                    val.span(),
                    kp,
                    format!(
                        "rate = {x} must be a positive number: the multiplier of the population's usual request rates in the phase (1 = unchanged, 3.0 = three times; for a phase with almost no requests use a small one such as 0.01)"
                    ),
                );
                continue;
            }
            if let Some(msg) = self.refuse_phase_rate(pop) {
                errs.push(k.span(), kp, msg);
                continue;
            }
            out.push((pop, x));
        }
        m.allow(&[]);
        out
    }

    /// Why population `pop`'s request rate cannot change by phase, if it cannot: figures that depend
    /// on the rate in ways the per-stretch integration does not follow.
    fn refuse_phase_rate(&self, pop: usize) -> Option<String> {
        let name = &self.populations[pop].name;
        for q in self.requests.iter().filter(|q| q.population == pop) {
            let kind = format!("clients.{}", q.name.replacen('.', ".requests.", 1));
            if let Some(c) = self.roles.get(q.target).filter(|r| r.capacity.is_some()) {
                return Some(format!(
                    "population `{name}` sends `{}` to role `{}`, which has a `capacity` (roles.{}.capacity): its queue is computed for one arrival rate, so a rate that changes by phase is refused with a capacity; leave out the phase's rate for `{name}` or the role's capacity",
                    q.name, c.name.text, c.name.text
                ));
            }
            if q.stale_after.is_some() && q.refresh == crate::model::Refresh::Periodic {
                return Some(format!(
                    "population `{name}` polls with `refresh = \"periodic\"` ({kind}.refresh): data age for polls exactly `every` apart assumes one fixed interval, so a rate that changes by phase is refused with it; use refresh = \"poisson\" or leave out the phase's rate for `{name}`"
                ));
            }
        }
        if let Some(q) = self
            .requests
            .iter()
            .find(|q| q.population == pop && q.reassign.is_some())
        {
            return Some(format!(
                "population `{name}` has `reassign` (clients.{name}.reassign, request kind `{}`): moving a share of clients while their rate changes by phase is not modelled; leave out one of the two",
                q.name
            ));
        }
        None
    }

    /// Per service: the mask of phases its downtime counts in, from `needed_in`.
    fn needed_in(&mut self, names: &[Name], errs: &mut Errors) -> Vec<u64> {
        let known: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
        let mut out = Vec::with_capacity(self.services.len());
        for s in &self.services {
            let Some((list, path)) = &s.needed_in else {
                out.push(u64::MAX);
                continue;
            };
            let mut mask = 0u64;
            for (i, n) in list.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match known.iter().position(|k| *k == n.text) {
                    Some(j) => mask |= 1 << j,
                    None if n.text == OTHER => mask |= 1 << 63,
                    None => errs.push(
                        n.span.clone(),
                        p,
                        unknown(
                            "phase",
                            &n.text,
                            &known,
                            &format!("define it in a [phases.{}] section", n.text),
                        ),
                    ),
                }
            }
            out.push(mask);
        }
        out
    }
}

/// Reads the calendar keys of one phase.
fn rule(t: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Rule> {
    let mut ok = true;
    let mut text = Vec::new();
    let mut days = [true; 7];
    if let Some(v) = t.get("days") {
        match ranges(v, &t.path_of("days"), &DAYS, "days", errs) {
            Some((set, s)) => {
                days = [false; 7];
                for i in set {
                    days[i] = true;
                }
                text.push(s);
            }
            None => ok = false,
        }
    }
    let mut months = [true; 12];
    if let Some(v) = t.get("months") {
        match ranges(v, &t.path_of("months"), &MONTHS, "months", errs) {
            Some((set, s)) => {
                months = [false; 12];
                for i in set {
                    months[i] = true;
                }
                text.push(format!("in {s}"));
            }
            None => ok = false,
        }
    }
    let (mut month_days, mut last) = (Vec::new(), 0);
    if let Some(v) = t.get("month_days") {
        let p = t.path_of("month_days");
        match string(v, &p, errs) {
            Some(s) => match parse_month_days(&s) {
                Ok((list, l)) => {
                    month_days = list;
                    last = l;
                    text.push(if s.trim_start().starts_with("last") && !s.contains(',') {
                        format!("on the {} days of each month", s.trim())
                    } else {
                        format!("on days {s} of each month")
                    });
                }
                Err(msg) => {
                    errs.push(v.span(), p, msg);
                    ok = false;
                }
            },
            None => ok = false,
        }
    }
    let from = t.get("from").map(|v| clock(v, &t.path_of("from"), errs));
    let to = t.get("to").map(|v| clock(v, &t.path_of("to"), errs));
    let (from_m, to_m) = (
        from.unwrap_or(Some(0)).unwrap_or(0),
        to.unwrap_or(Some(DAY_MINUTES)).unwrap_or(DAY_MINUTES),
    );
    if matches!(from, Some(None)) || matches!(to, Some(None)) {
        ok = false;
    } else if from_m >= to_m {
        let v = t.get("to").or(t.get("from"));
        errs.push(
            v.map_or(t.span.clone(), |v| v.span()),
            t.path_of("to"),
            format!(
                "`to` ({}) must be after `from` ({}) on the same day: a phase across midnight is time outside the day's phase (the implicit `other`, or a phase of its own)",
                hhmm(to_m),
                hhmm(from_m)
            ),
        );
        ok = false;
    } else if from.is_some() || to.is_some() {
        text.push(format!("{}-{}", hhmm(from_m), hhmm(to_m)));
    }
    if text.is_empty() {
        text.push("all the time".into());
    }
    ok.then(|| Rule {
        days,
        months,
        month_days,
        last,
        from: from_m,
        to: to_m,
        text: text.join(" "),
    })
}

/// "08:00" as minutes of the day (0 to 1440).
fn clock(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<usize> {
    let s = string(v, path, errs)?;
    let parsed = s.split_once(':').and_then(|(h, m)| {
        let (h, m): (usize, usize) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
        (m < 60 && h * 60 + m <= DAY_MINUTES).then_some(h * 60 + m)
    });
    if parsed.is_none() {
        errs.push(
            v.span(),
            path,
            format!("expected a time of day \"HH:MM\" from \"00:00\" to \"24:00\", found \"{s}\""),
        );
    }
    parsed
}

fn hhmm(m: usize) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Day or month names: "mon-fri", "sat,sun", ["jan", "jul"]; a range may wrap ("fri-mon").
fn ranges(
    v: &Val<'_>,
    path: &str,
    names: &[&str],
    what: &str,
    errs: &mut Errors,
) -> Option<(Vec<usize>, String)> {
    let items: Vec<(String, Range<usize>)> = match v.get_ref() {
        DeValue::String(s) => s
            .split(',')
            .map(|x| (x.trim().to_lowercase(), v.span()))
            .collect(),
        DeValue::Array(a) => {
            let mut out = Vec::new();
            for (i, x) in a.iter().enumerate() {
                out.push((
                    string(x, &format!("{path}[{i}]"), errs)?.to_lowercase(),
                    x.span(),
                ));
            }
            out
        }
        other => {
            errs.push(
                v.span(),
                path,
                format!(
                    "expected {what} as a string such as \"{}-{}\" or an array of names, found {}",
                    names[0],
                    names[names.len() - 1],
                    type_name(other)
                ),
            );
            return None;
        }
    };
    let find = |x: &str, span: &Range<usize>, errs: &mut Errors| -> Option<usize> {
        let hit = names.iter().position(|n| *n == x);
        if hit.is_none() {
            let hint = reader::closest(x, names)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            errs.push(
                span.clone(),
                path,
                format!(
                    "unknown name `{x}` in {what}; {hint}valid: {}",
                    names.join(", ")
                ),
            );
        }
        hit
    };
    let mut set = Vec::new();
    for (x, span) in &items {
        match x.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (find(a.trim(), span, errs)?, find(b.trim(), span, errs)?);
                let mut i = a;
                loop {
                    set.push(i);
                    if i == b {
                        break;
                    }
                    i = (i + 1) % names.len();
                }
            }
            None => set.push(find(x, span, errs)?),
        }
    }
    if set.is_empty() {
        errs.push(v.span(), path, format!("the list of {what} is empty"));
        return None;
    }
    let text = items
        .iter()
        .map(|(x, _)| x.as_str())
        .collect::<Vec<_>>()
        .join(",");
    Some((set, text))
}

/// "last 2", "1-5", "15", "1,15": 0-based day ranges and the number of last days.
fn parse_month_days(s: &str) -> Result<(Vec<(usize, usize)>, usize), String> {
    let bad = || {
        format!(
            "expected days of the month such as \"last 2\", \"1-5\" or \"1,15\" (1 to 31; the last N days up to 28), found \"{s}\""
        )
    };
    let (mut list, mut last) = (Vec::new(), 0);
    for item in s.split(',') {
        let item = item.trim();
        if let Some(n) = item.strip_prefix("last") {
            let n: usize = n.trim().parse().map_err(|_| bad())?;
            if n == 0 || n > 28 {
                return Err(bad());
            }
            last = last.max(n);
            continue;
        }
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (item, item),
        };
        let (a, b): (usize, usize) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        if a == 0 || b > 31 || a > b {
            return Err(bad());
        }
        list.push((a - 1, b - 1));
    }
    Ok((list, last))
}

/// Lays the phases on one year, minute by minute: overlaps and empty phases are located errors.
fn calendar(
    mut list: Vec<Phase>,
    rules: &[Rule],
    names: &[Name],
    mut needed: Vec<u64>,
    errs: &mut Errors,
) -> Phases {
    let mut owner = vec![FREE; 365 * DAY_MINUTES];
    let mut minutes = vec![0usize; rules.len()];
    let mut clash = vec![false; rules.len()];
    let (mut month, mut mday) = (0, 0);
    for day in 0..365 {
        for (p, r) in rules.iter().enumerate() {
            if !r.holds_on(day % 7, month, mday) {
                continue;
            }
            for m in r.from..r.to {
                let o = &mut owner[day * DAY_MINUTES + m];
                if *o != FREE && !clash[p] {
                    clash[p] = true;
                    errs.push(
                        names[p].span.clone(),
                        join("phases", &names[p].text),
                        format!(
                            "phase `{}` overlaps phase `{}` (both hold on {} {} {} at {}); phases may not overlap: narrow one of them",
                            names[p].text,
                            names[*o as usize].text,
                            DAYS[day % 7],
                            mday + 1,
                            MONTHS[month],
                            hhmm(m)
                        ),
                    );
                }
                if *o == FREE {
                    *o = p as u8;
                    minutes[p] += 1;
                }
            }
        }
        mday += 1;
        if mday == MONTH_LEN[month] {
            mday = 0;
            month += 1;
        }
    }
    for (p, &m) in minutes.iter().enumerate() {
        if m == 0 && !clash[p] {
            errs.push(
                names[p].span.clone(),
                join("phases", &names[p].text),
                format!(
                    "phase `{}` never holds: no day of the 365-day year matches its keys ({})",
                    names[p].text, rules[p].text
                ),
            );
        }
    }
    let free = owner.iter().filter(|&&o| o == FREE).count();
    let other = list.len();
    if free > 0 {
        list.push(Phase {
            name: OTHER.into(),
            description: None,
            rule: "time in no named phase".into(),
            hours_per_year: free as f64 / 60.0,
            min_up: Vec::new(),
            rates: Vec::new(),
        });
    }
    for (p, ph) in list.iter_mut().enumerate().take(rules.len()) {
        ph.hours_per_year = minutes[p] as f64 / 60.0;
    }
    let mut cal: Vec<(f64, usize)> = Vec::new();
    for (i, &o) in owner.iter().enumerate() {
        let p = if o == FREE { other } else { o as usize };
        if cal.last().is_none_or(|&(_, q)| q != p) {
            cal.push((i as f64 / 60.0, p));
        }
    }
    let all = (1u64 << list.len()) - 1;
    for m in &mut needed {
        // `other` named in `needed_in` was bit 63.
        if *m != u64::MAX && *m & (1 << 63) != 0 {
            *m = (*m & !(1 << 63)) | (1 << other);
        }
        *m &= all;
    }
    Phases {
        list,
        calendar: cal,
        needed,
    }
}
