//! What `nines` offers the planner's tools: shell completions and man pages generated from the
//! command-line definition, and the JSON Schema of the scenario language.

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn stdout(args: &[&str]) -> String {
    let out = nines().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// The subcommands as `nines --help` lists them (so a new one is checked without editing this test).
fn subcommands() -> Vec<String> {
    let help = stdout(&["--help"]);
    let list: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    for c in [
        "run",
        "validate",
        "compare",
        "sweep",
        "exact",
        "rare",
        "completions",
        "man",
    ] {
        assert!(list.iter().any(|x| x == c), "{c} not in {list:?}");
    }
    list
}

#[test]
fn completions_for_every_shell_know_every_subcommand() {
    let commands = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {} bytes", script.len());
        for c in &commands {
            assert!(script.contains(c.as_str()), "{shell}: no {c}");
        }
        // Flags of the subcommands too.
        assert!(script.contains("same-within"), "{shell}: no --same-within");
    }
    let err = nines().args(["completions", "tcsh"]).assert().code(2);
    let err = String::from_utf8(err.get_output().stderr.clone()).unwrap();
    assert!(err.contains("possible values: bash"), "{err}");
}

#[test]
fn the_man_pages_name_every_subcommand() {
    let commands = subcommands();
    let page = stdout(&["man"]);
    assert!(
        page.starts_with(".ie") && page.contains(".TH nines 1"),
        "{page}"
    );
    for c in &commands {
        // roff escapes the hyphen.
        assert!(
            page.contains(&format!("nines\\-{c}(1)")),
            "no {c} in\n{page}"
        );
        let sub = stdout(&["man", c]);
        assert!(sub.contains(&format!(".TH nines-{c} 1")), "{c}:\n{sub}");
        assert!(sub.contains(".SH SYNOPSIS"), "{c}");
    }
    let run = stdout(&["man", "run"]);
    assert!(run.contains("\\-\\-replications"), "{run}");
    let err = nines().args(["man", "nope"]).assert().code(2);
    let err = String::from_utf8(err.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("man nope: no such subcommand; the subcommands: run, validate"),
        "{err}"
    );
}
