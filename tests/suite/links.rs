//! WAN links: a `name` of their own instead of `SITE~link`, and a `yearly_cost` that joins the
//! layout's costs.

use nines::model::ComponentKind;
use nines::scenario::compile;

/// A root site and a branch behind a link with `link_extra` inside its table.
fn branch(link_extra: &str, more: &str) -> String {
    format!(
        r#"[simulation]
mission = "1y"
replications = 64
[sites.hq]
[sites.branch]
parent = "hq"
link = {{ failure = {{ dist = "exponential", mean = "1y" }}, repair = {{ dist = "exponential", mean = "4h" }}{link_extra} }}
[nodes.app]
site = "hq"
failure = {{ dist = "exponential", mean = "2y" }}
repair = {{ dist = "exponential", mean = "8h" }}
yearly_cost = 5000
[nodes.desk]
site = "branch"
failure = {{ dist = "exponential", mean = "3y" }}
repair = {{ dist = "exponential", mean = "8h" }}
[roles.a]
kind = "standalone"
on = "app"
[roles.d]
kind = "standalone"
on = "desk"
requires = ["a"]
[services.s]
all_of = ["d"]
[costs]
currency = "EUR"
{more}"#
    )
}

fn links(m: &nines::model::Model) -> Vec<&str> {
    m.components
        .iter()
        .filter(|c| c.kind == ComponentKind::Link)
        .map(|c| c.name.as_str())
        .collect()
}

#[test]
fn a_link_is_named_site_link_unless_it_has_a_name() {
    let m = compile(&branch("", ""), "b.toml").unwrap();
    assert_eq!(links(&m), ["branch~link"]);
    let m = compile(&branch(r#", name = "mpls-branch""#, ""), "b.toml").unwrap();
    assert_eq!(links(&m), ["mpls-branch"]);
    // The name is what the explanation shows.
    let text = nines::analyses::explain::describe(&m);
    assert!(text.contains("mpls-branch"), "{text}");
    assert!(!text.contains("branch~link"), "{text}");
}

#[test]
fn a_links_yearly_cost_joins_the_layouts_costs() {
    let m = compile(
        &branch(
            r#", name = "mpls-branch", yearly_cost = 6_000"#,
            "support = 1000\n",
        ),
        "b.toml",
    )
    .unwrap();
    let (total, parts) = m.yearly_cost().unwrap();
    assert_eq!(total, 5000.0 + 6000.0 + 1000.0);
    assert!(
        parts.contains(&("link mpls-branch".to_string(), 6000.0)),
        "{parts:?}"
    );
    let line = m.cost_line().unwrap();
    assert_eq!(
        line,
        "yearly cost 12 000 EUR (nodes app 5 000 · link mpls-branch 6 000 · support 1 000)"
    );
    // A cost alone (no other cost in the file) is a cost too; unnamed, the link is labelled by default.
    let only = branch(", yearly_cost = 250", "").replace("yearly_cost = 5000\n", "");
    let m = compile(&only, "b.toml").unwrap();
    assert_eq!(m.yearly_cost().unwrap().0, 250.0);
    assert!(m.cost_line().unwrap().contains("link branch~link 250"));
}

#[test]
fn bad_link_names_and_costs_are_located() {
    let errors = |extra: &str| -> Vec<String> {
        match compile(&branch(extra, ""), "b.toml") {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.path, d.message))
                .collect(),
        }
    };
    for (extra, want) in [
        (
            r#", name = "app""#,
            "sites.branch.link.name: link name `app` is already a node",
        ),
        (
            r#", name = "hq""#,
            "sites.branch.link.name: link name `hq` is already a site",
        ),
        (
            r#", yearly_cost = -5"#,
            "sites.branch.link.yearly_cost: -5 is not a yearly cost",
        ),
        (r#", name = 7"#, "sites.branch.link.name: expected a string"),
        (
            r#", nmae = "x""#,
            "sites.branch.link.nmae: unknown key `nmae`; did you mean `name`?",
        ),
    ] {
        let got = errors(extra);
        assert!(
            got.len() == 1 && got[0].starts_with(want),
            "{extra}: expected {want:?}, got {got:#?}"
        );
    }
}
