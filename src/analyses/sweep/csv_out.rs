//! `sweep.csv`: a sweep's rows as CSV, one row per point, with the columns its points have.

use super::{Estimate, Sweep, SweepValue};

impl Sweep {
    /// `sweep.csv`: one row per point.
    pub fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = self.params.iter().map(|p| p.path.clone()).collect();
        for h in [
            "service",
            "replications",
            "availability",
            "availability_ci95_low",
            "availability_ci95_high",
            "downtime_hours_per_year",
            "downtime_ci95_low",
            "downtime_ci95_high",
            "annual_downtime_hours_p90",
            "outages_per_year",
            "failed_requests_per_year",
            "failed_requests_ci95_low",
            "failed_requests_ci95_high",
            "latency_p99_hours",
            "latency_p99_ci95_low",
            "latency_p99_ci95_high",
            "yearly_cost",
            "target",
            "meets_target",
        ] {
            header.push(h.to_string());
        }
        // Columns of impactful downtime only when a point has a tolerance, named by its rule.
        let rule = self.rows.iter().find_map(|r| r.impactful.map(|(k, _)| k));
        if let Some(k) = rule {
            for h in ["per_year", "ci95_low", "ci95_high"] {
                header.push(format!("impactful_{k}_downtime_{h}"));
            }
        }
        if self.in_flight_kind.is_some() {
            for h in ["per_year", "ci95_low", "ci95_high"] {
                header.push(format!("cut_{h}"));
            }
        }
        if self.reassign_kind.is_some() {
            for h in [
                "reassignments_per_year",
                "reassignments_ci95_low",
                "reassignments_ci95_high",
                "reassigned_hours_per_year",
                "reassigned_hours_ci95_low",
                "reassigned_hours_ci95_high",
            ] {
                header.push(h.to_string());
            }
        }
        for p in &self.phases {
            for h in ["", "_ci95_low", "_ci95_high"] {
                header.push(format!("availability_{p}{h}"));
            }
        }
        w.write_record(&header)?;
        let f = crate::analyses::compare::csv_number;
        let opt = |e: Option<Estimate>| -> [String; 3] {
            match e {
                Some(e) => [f(e.value), f(e.ci95_low), f(e.ci95_high)],
                None => Default::default(),
            }
        };
        for r in &self.rows {
            let mut rec: Vec<String> = r
                .values
                .iter()
                .map(|v| match v {
                    SweepValue::Text(s) => crate::base::format::csv_text(s).into_owned(),
                    v => v.to_string(),
                })
                .collect();
            rec.push(crate::base::format::csv_text(&self.service).into_owned());
            rec.push(r.availability.n.to_string());
            rec.extend([
                f(r.availability.value),
                f(r.availability.ci95_low),
                f(r.availability.ci95_high),
                f(r.downtime_hours_per_year.value),
                f(r.downtime_hours_per_year.ci95_low),
                f(r.downtime_hours_per_year.ci95_high),
                f(r.annual_downtime_hours_p90.value),
                f(r.outages_per_year.value),
            ]);
            rec.extend(opt(r.failed_requests_per_year));
            rec.extend(opt(r.latency_p99_hours));
            rec.push(r.yearly_cost.map(f).unwrap_or_default());
            rec.push(self.target.map(f).unwrap_or_default());
            rec.push(r.meets.map(|m| m.as_str().to_string()).unwrap_or_default());
            if rule.is_some() {
                rec.extend(opt(r.impactful.map(|(_, e)| e)));
            }
            if self.in_flight_kind.is_some() {
                rec.extend(opt(r.cut_per_year));
            }
            if self.reassign_kind.is_some() {
                rec.extend(opt(r.reassigned.map(|(e, _)| e)));
                rec.extend(opt(r.reassigned.map(|(_, e)| e)));
            }
            for a in &r.phases {
                rec.extend(opt(*a));
            }
            w.write_record(&rec)?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}
