//! `nines compare` and `nines sweep`: run several layouts under common random numbers and write the
//! comparison (table, CSV, charts) atomically.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};

use nines::analyses::compare::{self, CompareOptions, Comparison};
use nines::analyses::sweep;
use nines::model::Model;
use nines::scenario;

use crate::args::{SimArgs, override_simulation};
use crate::files::{path_safe, read_scenario};
use crate::outdir::OutDir;
use crate::outputs;
use crate::progress;

#[derive(clap::Args, Debug)]
pub(crate) struct CompareArgs {
    /// Scenario files of the layouts (TOML); differences are to the first. Its [simulation] settings
    /// (mission, replications, seed) apply to all.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    sim: SimArgs,
}

#[derive(clap::Args, Debug)]
pub(crate) struct SweepArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// A field and its values, e.g. nodes.web.count=2..6 or nodes.sql.repair.mean=4h,8h,16h; twice for
    /// a grid. Default: the scenario's [sweep] section.
    #[arg(long = "set", value_name = "PATH=VALUES")]
    set: Vec<String>,
    /// The service whose target decides which points meet it (default: the first with a target, else
    /// the first service).
    #[arg(long)]
    service: Option<String>,
    /// Run a sweep beyond the limits (10 000 000 simulated missions, points × replications, or about
    /// 4 GB of results) instead of refusing it.
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    sim: SimArgs,
}

/// Applies the command-line run settings to the first layout and its [simulation] to every other one;
/// returns the threads to use and notes about settings that were replaced.
fn settle(models: &mut [Model], names: &[String], sim: &SimArgs) -> Result<(usize, Vec<String>)> {
    let given = models[0].simulation.clone();
    let differs: Vec<bool> = models
        .iter()
        .map(|m| {
            let s = &m.simulation;
            s.mission != given.mission
                || s.seed != given.seed
                || s.replications != given.replications
        })
        .collect();
    let threads = override_simulation(
        &mut models[0].simulation,
        sim.replications,
        sim.seed,
        sim.mission.as_deref(),
        sim.threads,
    )?;
    let base = models[0].simulation.clone();
    let mut notes = Vec::new();
    for ((m, name), differs) in models.iter_mut().zip(names).zip(differs).skip(1) {
        if differs {
            notes.push(format!(
                "{name}: its [simulation] settings are replaced by the first layout's (mission {}, {} replications, seed {}) so that replications pair up",
                nines::base::units::format_duration(base.mission),
                base.replications,
                base.seed
            ));
        }
        m.simulation = base.clone();
    }
    Ok((threads, notes))
}

/// Runs the layouts with a progress bar unless quiet.
fn run_layouts(
    models: &[Model],
    names: &[String],
    threads: usize,
    sim: &SimArgs,
) -> Result<Comparison> {
    let reps = models[0].simulation.replications;
    let bar = progress::bar(
        sim.quiet,
        reps,
        &format!(
            "{{spinner}} {{bar:40}} {{pos}}/{{len}} replications of {} layouts {{elapsed}} (eta {{eta}})",
            models.len()
        ),
    );
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let refs: Vec<&Model> = models.iter().collect();
    let c = compare::run(
        &refs,
        names,
        CompareOptions {
            threads,
            progress: Some(&progress),
            same_within: sim.same_within.unwrap_or(compare::DEFAULT_SAME_WITHIN),
        },
    )?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    Ok(c)
}

/// Writes what compare or sweep leaves behind into `out`: `sweep.csv` (a sweep), `comparison.csv`,
/// each layout's summary.csv under `layouts/<name>/`, the charts (unless --no-charts) and the report
/// (unless --no-report), all made before the first file is replaced; then the manifest.
#[allow(clippy::too_many_arguments)]
fn write_outputs(
    mut out: OutDir,
    c: &Comparison,
    sweep: Option<&sweep::Sweep>,
    threads: usize,
    sim: &SimArgs,
    page: impl FnOnce(&[nines::write::charts::Chart]) -> nines::write::report::Page,
    command: &str,
    sources: &[(String, String)],
) -> Result<()> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(s) = sweep {
        files.push(("sweep.csv".into(), s.csv()?));
    }
    files.push(("comparison.csv".into(), compare::csv(c)?));
    for l in &c.layouts {
        files.push((
            format!("layouts/{}/summary.csv", path_safe(&l.name)),
            nines::write::csv::summary_csv(&l.summary)?,
        ));
    }
    let charts = if sim.no_charts {
        Vec::new()
    } else {
        nines::write::charts::compare::render(c, sweep)?
    };
    files.extend(outputs::chart_files(&charts, threads)?);
    let mut stale = outputs::stale_charts(&charts, &nines::write::charts::compare::NAMES);
    if sim.no_report {
        stale.push("report.html".into());
    } else {
        files.push((
            "report.html".into(),
            nines::write::report::render(&page(&charts)).into_bytes(),
        ));
    }
    for (rel, bytes) in &files {
        out.write(rel, bytes)?;
    }
    for rel in &stale {
        out.remove_stale(rel)?;
    }
    let first = c.layouts.first().map(|l| &l.summary);
    let identity = serde_json::json!({
        "scenarios": sources
            .iter()
            .map(|(file, text)| serde_json::json!({
                "file": file,
                "scenario_hash": format!("{:016x}", nines::estimate::shards::fnv1a(text.as_bytes())),
            }))
            .collect::<Vec<_>>(),
        "replications": first.map(|s| s.replications),
        "status": "complete",
    });
    out.finish(command, identity)
}

pub(crate) fn compare(args: CompareArgs) -> Result<()> {
    let mut models = Vec::with_capacity(args.scenarios.len());
    let mut texts = Vec::with_capacity(args.scenarios.len());
    for p in &args.scenarios {
        let (text, shown) = read_scenario(p)?;
        models.push(scenario::compile(&text, &shown).map_err(|e| anyhow!("{e}"))?);
        texts.push((shown, text));
    }
    let names = compare::unique_names(&models.iter().map(|m| m.name.clone()).collect::<Vec<_>>());
    let (threads, notes) = settle(&mut models, &names, &args.sim)?;
    let out_dir = args.sim.out.clone().unwrap_or_else(|| {
        let mut joined = names.join("-vs-");
        if joined.chars().count() > 80 {
            joined = format!("{}-and-{}-more", names[0], names.len() - 1);
        }
        Path::new("output").join(path_safe(&format!("compare-{joined}")))
    });
    let out = OutDir::open(&out_dir)?;
    let c = run_layouts(&models, &names, threads, &args.sim)?;
    let sources: Vec<nines::write::report::Source> = texts
        .iter()
        .map(|(file, text)| nines::write::report::Source { file, text })
        .collect();
    write_outputs(
        out,
        &c,
        None,
        threads,
        &args.sim,
        |charts| nines::write::report::compare_report(&c, None, charts, &sources, &notes),
        "compare",
        &texts,
    )?;
    print!("{}", compare::table(&c));
    for n in &notes {
        println!("note: {n}");
    }
    println!("wrote {}", out_dir.display());
    Ok(())
}

pub(crate) fn sweep(args: SweepArgs) -> Result<()> {
    let (text, shown) = read_scenario(&args.scenario)?;
    let base = scenario::compile(&text, &shown).map_err(|e| anyhow!("{e}"))?;
    let params: Vec<nines::model::SweepParameter> = if args.set.is_empty() {
        base.sweep.clone()
    } else {
        args.set
            .iter()
            .map(|s| sweep::parse_set(s))
            .collect::<Result<_, _>>()?
    };
    // Sized before any point is compiled: a grid can be thousands of points.
    let replications = args
        .sim
        .replications
        .unwrap_or(base.simulation.replications);
    let work = sweep::Workload::estimate(&params, &base, replications);
    if let Some(why) = work.excess()
        && !args.yes
    {
        bail!("{shown}: {why}");
    }
    let origin = if args.set.is_empty() {
        sweep::Origin::Section
    } else {
        sweep::Origin::CommandLine
    };
    let points = sweep::points_from(&text, &shown, &params, origin)?;
    let mut models: Vec<Model> = points.iter().map(|p| p.model.clone()).collect();
    let names: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    let (threads, _) = settle(&mut models, &names, &args.sim)?;
    let service = match &args.service {
        Some(s) => {
            if !base.services.iter().any(|x| &x.name == s) {
                let known: Vec<&str> = base.services.iter().map(|x| x.name.as_str()).collect();
                bail!(
                    "--service {s}: {shown} has no such service; its services: {}",
                    known.join(", ")
                );
            }
            s.clone()
        }
        None => base
            .services
            .iter()
            .find(|s| s.target.is_some())
            .or(base.services.first())
            .map(|s| s.name.clone())
            .ok_or_else(|| anyhow!("{shown} has no service to sweep"))?,
    };
    let out_dir: PathBuf =
        args.sim.out.clone().unwrap_or_else(|| {
            Path::new("output").join(path_safe(&format!("{}-sweep", base.name)))
        });
    let out = OutDir::open(&out_dir)?;
    let c = run_layouts(&models, &names, threads, &args.sim)?;
    let s = nines::analyses::sweep::Sweep::new(&c, &points, &params, &service);
    let source = nines::write::report::Source {
        file: &shown,
        text: &text,
    };
    write_outputs(
        out,
        &c,
        Some(&s),
        threads,
        &args.sim,
        |charts| nines::write::report::compare_report(&c, Some(&s), charts, &[source], &[]),
        "sweep",
        &[(shown.clone(), text.clone())],
    )?;
    print!("{}", s.table());
    println!("wrote {}", out_dir.display());
    Ok(())
}
