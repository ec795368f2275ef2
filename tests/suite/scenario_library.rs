//! The scenario library: every bundled scenario (scenarios/ and its subfolders) compiles without
//! warnings, runs end to end and its sweep points compile; and each family's comparison answers its
//! design question the way the README walkthrough says.

use std::fs;
use std::path::{Path, PathBuf};

use nines::analyses::compare::{self, CompareOptions, Comparison, Diff};
use nines::estimate::runner::{self, RunOptions};
use nines::model::{EntityKind, Model};

/// Every .toml under `dir`, recursively, sorted.
fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(scenario_files(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn load(path: &str, replications: u64) -> Model {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut m = nines::scenario::compile(&text, path).unwrap_or_else(|e| panic!("{e}"));
    m.simulation.replications = replications;
    m
}

#[test]
fn every_bundled_scenario_validates_runs_and_sweeps() {
    let files = scenario_files(Path::new("scenarios"));
    let families = ["vmm", "configmgr", "appv"];
    for f in families {
        let n = files
            .iter()
            .filter(|p| p.parent().is_some_and(|d| d.ends_with(f)))
            .count();
        assert!(
            n >= 2,
            "scenarios/{f}/ should hold a baseline and an HA layout, has {n}"
        );
    }
    let mut names: Vec<String> = Vec::new();
    for f in &files {
        let shown = f.display().to_string();
        let text = fs::read_to_string(f).unwrap();
        let mut m = nines::scenario::compile(&text, &shown).unwrap_or_else(|e| panic!("{e}"));
        let mut warnings = nines::analyses::explain::warnings(&m);
        // The quorum family shows a 2-node cluster without a witness on purpose: its one warning.
        if shown.ends_with("vmm-quorum-2.toml") {
            warnings.retain(|w| !w.contains("has 2 voting nodes and no witness"));
        }
        assert!(warnings.is_empty(), "{shown}: {warnings:?}");
        assert!(!m.services.is_empty(), "{shown} measures no service");
        // Output directories are named after the file stem: no two bundled scenarios may share one.
        assert!(
            !names.contains(&m.name),
            "{shown}: a second scenario named {}",
            m.name
        );
        names.push(m.name.clone());
        // Costs in every layout of a family, so that compare shows them next to availability.
        if f.parent().is_some_and(|d| d != Path::new("scenarios")) {
            assert!(m.yearly_cost().is_some(), "{shown} gives no yearly costs");
        }
        if !m.sweep.is_empty() {
            let points = nines::analyses::sweep::points(&text, &shown, &m.sweep)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(points.len() >= 2, "{shown}: a sweep of one point");
            for p in points {
                assert!(
                    !p.model.services.is_empty(),
                    "{shown}: sweep point {}",
                    p.label
                );
            }
        }
        m.simulation.replications = 64;
        let out = runner::run(
            &m,
            RunOptions {
                threads: 2,
                rows: None,
                progress: None,
                range: None,
            },
        )
        .unwrap();
        let s = &out.summary;
        assert_eq!(s.replications, 64, "{shown}");
        assert!(s.events > 0, "{shown}");
        for e in s.entities.iter().filter(|e| e.kind == EntityKind::Service) {
            let a = e.availability.value;
            assert!(
                a > 0.9 && a <= 1.0,
                "{shown}: service {} availability {a}",
                e.name
            );
        }
        for q in &s.requests {
            let r = q.success_ratio.value;
            assert!(r > 0.9 && r <= 1.0, "{shown}: {} success ratio {r}", q.name);
        }
    }
}

fn compare(paths: &[&str], replications: u64) -> Comparison {
    let models: Vec<Model> = paths.iter().map(|p| load(p, replications)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    let names = compare::unique_names(&models.iter().map(|m| m.name.clone()).collect::<Vec<_>>());
    compare::run(
        &refs,
        &names,
        CompareOptions {
            threads: 2,
            progress: None,
            same_within: compare::DEFAULT_SAME_WITHIN,
        },
    )
    .unwrap()
}

/// The difference of layout `i` to the first in `measure` of `scope`.
fn diff(c: &Comparison, measure: &str, scope: &str, i: usize) -> Diff {
    c.rows
        .iter()
        .find(|r| r.measure == measure && r.scope == scope)
        .unwrap_or_else(|| panic!("no row {measure} {scope}"))
        .cells[i]
        .unwrap_or_else(|| panic!("{measure} {scope}: layout {i} has no value"))
        .diff
        .unwrap_or_else(|| panic!("{measure} {scope}: layout {i} has no difference"))
}

fn value(c: &Comparison, measure: &str, scope: &str, i: usize) -> f64 {
    c.rows
        .iter()
        .find(|r| r.measure == measure && r.scope == scope)
        .unwrap()
        .cells[i]
        .unwrap()
        .value
        .value
}

/// Client-visible downtime per year of a request kind in layout `i`, and the server-side downtime.
fn client_visible(c: &Comparison, kind: &str, i: usize) -> (f64, f64) {
    let q = c.layouts[i]
        .summary
        .requests
        .iter()
        .find(|q| q.name == kind)
        .unwrap_or_else(|| panic!("no request kind {kind}"));
    (
        q.client_visible_downtime_hours_per_year.value,
        q.server_downtime_hours_per_year.value,
    )
}

/// VMM: the database, not the VMM server, is what a cluster leaves exposed; the availability group closes
/// it. More cluster nodes than two buy nothing but cost.
#[test]
fn vmm_family_answers_its_design_question() {
    let c = compare(
        &[
            "scenarios/vmm/vmm-standalone.toml",
            "scenarios/vmm/vmm-cluster-2.toml",
            "scenarios/vmm/vmm-always-on.toml",
        ],
        400,
    );
    let cluster = diff(&c, "availability", "vmm_management", 1);
    let ag = diff(&c, "availability", "vmm_management", 2);
    assert!(
        cluster.significant && cluster.value.value > 0.0,
        "{cluster:?}"
    );
    assert!(ag.significant && ag.value.value > 0.0, "{ag:?}");
    // The availability group saves several times what clustering VMM alone saves.
    assert!(
        ag.value.value > 3.0 * cluster.value.value,
        "{ag:?} vs {cluster:?}"
    );
    // No restore from backup, so no data lost.
    assert_eq!(value(&c, "data loss per year", "", 2), 0.0);
    assert!(value(&c, "data loss per year", "", 0) > 0.0);

    let c = compare(
        &[
            "scenarios/vmm/vmm-cluster-2.toml",
            "scenarios/vmm/vmm-cluster-16.toml",
        ],
        400,
    );
    let d = diff(&c, "downtime per year", "vmm_management", 1);
    assert!(
        d.value.value.abs() < 0.05,
        "16 nodes instead of 2 should change VMM's downtime by minutes at most: {d:?}"
    );
    assert!(c.layouts[1].yearly_cost > c.layouts[0].yearly_cost);
}

/// Configuration Manager: the site database's high availability helps client policy, redundant
/// management points help it far more, and nothing helps site processing past the site server, which is
/// not highly available.
#[test]
fn configmgr_family_answers_its_design_question() {
    let c = compare(
        &[
            "scenarios/configmgr/cm-backup.toml",
            "scenarios/configmgr/cm-always-on.toml",
            "scenarios/configmgr/cm-ha-roles.toml",
        ],
        300,
    );
    let ag = diff(&c, "downtime per year", "client_policy", 1);
    let roles = diff(&c, "downtime per year", "client_policy", 2);
    assert!(ag.significant && ag.value.value < 0.0, "{ag:?}");
    assert!(
        roles.significant && roles.value.value < 2.0 * ag.value.value,
        "{roles:?} vs {ag:?}"
    );
    // The site server stays the single point of failure of site processing.
    let processing_ag = diff(&c, "downtime per year", "site_processing", 1);
    let processing_roles = diff(&c, "downtime per year", "site_processing", 2);
    assert!(
        (processing_roles.value.value - processing_ag.value.value).abs() < 0.05,
        "redundant roles should not change site processing: {processing_roles:?} vs {processing_ag:?}"
    );
    assert!(value(&c, "downtime per year", "site_processing", 2) > 5.0);
    // The availability group loses less than the backup: only site-server restores lose data.
    let loss = diff(&c, "data loss per year", "", 1);
    assert!(loss.significant && loss.value.value < 0.0, "{loss:?}");
    // The branch depends on its secondary site only.
    let branch = diff(&c, "downtime per year", "branch_policy", 2);
    assert!(branch.value.value.abs() < 0.05, "{branch:?}");
}

/// App-V: mirroring and the availability group keep the database up about as long, but the management
/// service's pooled connections keep failing after every mirroring failover until they reconnect; through
/// the availability group listener they do not.
#[test]
fn appv_family_answers_its_design_question() {
    let c = compare(
        &[
            "scenarios/appv/appv-nlb-mirroring.toml",
            "scenarios/appv/appv-nlb-always-on.toml",
            "scenarios/appv/appv-standalone.toml",
        ],
        300,
    );
    let (mirror_visible, mirror_server) = client_visible(&c, "management_service.db_query", 0);
    let (ag_visible, ag_server) = client_visible(&c, "management_service.db_query", 1);
    assert!(
        mirror_visible > 3.0 * mirror_server,
        "pooled connections should fail long after the mirror failed over: {mirror_visible} vs {mirror_server}"
    );
    assert!(
        mirror_visible > 3.0 * ag_visible,
        "the listener should spare the clients: mirroring {mirror_visible} vs AG {ag_visible}"
    );
    assert!(ag_visible < 1.5 * ag_server, "{ag_visible} vs {ag_server}");
    let failed = diff(&c, "failed requests per year", "", 1);
    assert!(failed.significant && failed.value.value < 0.0, "{failed:?}");
    // Server side, the two are within minutes of each other.
    let admin = diff(&c, "downtime per year", "administration", 1);
    assert!(admin.value.value.abs() < 0.25, "{admin:?}");
    // And both are far better than one of everything.
    let standalone = diff(&c, "downtime per year", "app_delivery", 2);
    assert!(
        standalone.significant && standalone.value.value > 5.0,
        "{standalone:?}"
    );
}
