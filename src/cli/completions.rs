//! What nines gives other tools: `nines completions SHELL` and `nines man`, generated from the
//! command-line definition itself so they never fall behind a new flag, and `nines schema`, the JSON
//! Schema of the scenario language for editors.

use std::io::Write;

use anyhow::{Result, bail};
use clap::CommandFactory;
use clap_complete::Shell;

/// Prints the completion script for `shell` to stdout.
pub(crate) fn completions<C: CommandFactory>(shell: Shell) -> Result<()> {
    let mut cmd = C::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "nines", &mut out);
    std::io::stdout().write_all(&out)?;
    Ok(())
}

/// Prints the man page (roff) of `nines`, or of one subcommand (`nines-run(1)`), to stdout.
pub(crate) fn man<C: CommandFactory>(subcommand: Option<&str>) -> Result<()> {
    let cmd = C::command();
    let page = match subcommand {
        None => cmd,
        Some(name) => {
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            let Some(sub) = cmd.find_subcommand(name) else {
                bail!(
                    "man {name}: no such subcommand; the subcommands: {}",
                    names.join(", ")
                );
            };
            // `nines-run`, as man pages of subcommands are named (git-commit, cargo-build).
            sub.clone()
                .display_name(format!("nines-{name}"))
                .bin_name(format!("nines {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    std::io::stdout().write_all(&out)?;
    Ok(())
}

/// Prints the JSON Schema of the scenario language (the text of `schema/nines.schema.json`).
pub(crate) fn schema() -> Result<()> {
    std::io::stdout().write_all(nines::scenario::schema::schema_text().as_bytes())?;
    Ok(())
}
