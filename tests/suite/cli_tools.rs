//! What `nines` offers the planner's tools: shell completions and man pages generated from the
//! command-line definition, and the JSON Schema of the scenario language.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value as Json;
use toml_edit::{DocumentMut, Item, Value};

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

/// Every bundled scenario's path and text, and the extra texts below.
fn corpus() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        &mut files,
    );
    files.sort();
    let mut out: Vec<(String, String)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    assert!(out.len() >= 20);
    out.push(("laws and links".into(), EXTRA.into()));
    out
}

/// What the bundled scenarios do not use: the other laws, a named and costed link, a restored role.
const EXTRA: &str = r#"
[simulation]
mission = "1y"
[sites.hq]
[sites.branch]
parent = "hq"
link = { name = "wan", yearly_cost = 100, failure = { dist = "exponential", mean = "1y" }, repair = { dist = "uniform", min = "1h", max = "5h" }, description = "mpls" }
[nodes.a]
failure = { dist = "gamma", shape = 2, mean = "1y" }
repair = { dist = "normal", mean = "8h", sd = "1h" }
[nodes.b]
failure = { dist = "weibull", shape = 1.5, mean = "2y" }
repair = { dist = "empirical", samples = ["2h", "4h", "8h"] }
[nodes.c]
failure = { dist = "lognormal", mean = "2y", sigma = 0.5 }
repair = { dist = "lognormal", mu = 1.0, sigma = 0.5 }
[roles.db]
kind = "standalone"
on = "a"
recovery = { kind = "restore", restore = { dist = "fixed", value = "4h" }, backup_every = "1d", backup_offset = "2h" }
[roles.web]
kind = "pool"
on = ["b", "c"]
requires = ["db"]
[services.s]
all_of = ["web"]
"#;

fn schema_value() -> Json {
    serde_json::from_str(&nines::scenario::schema::schema_text()).unwrap()
}

/// The committed schema is the one `nines schema` prints.
#[test]
fn the_committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/nines.schema.json"),
    )
    .unwrap();
    assert_eq!(
        committed,
        nines::scenario::schema::schema_text(),
        "schema/nines.schema.json is stale: nines schema > schema/nines.schema.json"
    );
    assert_eq!(stdout(&["schema"]), committed);
}

/// `#/definitions/NAME` of a `$ref`, resolved.
fn resolve<'a>(root: &'a Json, node: &'a Json, id: &str) -> (&'a Json, String) {
    match node.get("$ref").and_then(Json::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/definitions/");
            (&root["definitions"][name], r.to_string())
        }
        None => (node, id.to_string()),
    }
}

/// The schema node for one more path segment (a key or `[i]`), with an id naming it.
fn step<'a>(root: &'a Json, node: &'a Json, id: &str, seg: &str) -> Option<(&'a Json, String)> {
    let (node, id) = resolve(root, node, id);
    if let Some(alts) = node.get("anyOf").and_then(Json::as_array) {
        let want = if seg.starts_with('[') {
            "items"
        } else {
            "properties"
        };
        return alts.iter().find_map(|a| {
            let (a, aid) = resolve(root, a, &id);
            let fits = a.get(want).is_some()
                || (want == "properties"
                    && a.get("additionalProperties").is_some_and(Json::is_object));
            if fits { step(root, a, &aid, seg) } else { None }
        });
    }
    if seg.starts_with('[') {
        return node.get("items").map(|n| (n, format!("{id}/items")));
    }
    if let Some(p) = node.get("properties").and_then(|p| p.get(seg)) {
        return Some((p, format!("{id}/{seg}")));
    }
    node.get("additionalProperties")
        .filter(|a| a.is_object())
        .map(|a| (a, format!("{id}/*")))
}

/// The object schema at a node (through `$ref` and `anyOf`).
fn object<'a>(root: &'a Json, node: &'a Json, id: &str) -> Option<(&'a Json, String)> {
    let (node, id) = resolve(root, node, id);
    if let Some(alts) = node.get("anyOf").and_then(Json::as_array) {
        return alts.iter().find_map(|a| object(root, a, &id));
    }
    (node.get("type") == Some(&Json::from("object"))).then_some((node, id))
}

/// Every key the reader accepts in a table of a bundled scenario is in the schema there, every key
/// of the schema is accepted by the reader somewhere, and a table that takes any key (names, cost
/// items, swept paths) is a map in the schema. The reader's keys come from its own words: a key it
/// does not know gets "unknown key ...; valid keys here: ...".
#[test]
fn the_schema_has_exactly_the_keys_the_reader_accepts() {
    let root = schema_value();
    let mut accepted_at: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut schema_keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut checked = 0;
    for (file, text) in corpus() {
        nines::scenario::compile(&text, &file).unwrap_or_else(|e| panic!("{e}"));
        let doc: DocumentMut = text.parse().unwrap();
        for path in tables(&doc) {
            let mut here = Some((&root, "#".to_string()));
            for seg in &path {
                here = here.and_then(|(n, id)| step(&root, n, &id, seg));
            }
            let (node, id) =
                here.unwrap_or_else(|| panic!("{file}: {path:?} is not in the schema"));
            let (node, id) = object(&root, node, &id).unwrap_or_else(|| {
                panic!("{file}: {path:?} is a table, not so in the schema ({id})")
            });
            let props: BTreeSet<String> = node
                .get("properties")
                .and_then(Json::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let closed = node.get("additionalProperties") == Some(&Json::Bool(false));
            match accepted(&text, &path) {
                Some(keys) => {
                    assert!(
                        closed,
                        "{file}: {path:?} takes known keys only, the schema ({id}) any"
                    );
                    for k in &keys {
                        assert!(
                            props.contains(k),
                            "{file}: {path:?}: the reader accepts `{k}`, the schema ({id}) does not"
                        );
                    }
                    accepted_at.entry(id.clone()).or_default().extend(keys);
                    schema_keys.insert(id, props);
                }
                None => assert!(
                    !closed && props.is_empty(),
                    "{file}: {path:?} takes any key, the schema ({id}) only {props:?}"
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} tables");
    for (id, props) in &schema_keys {
        let seen = &accepted_at[id];
        let never: Vec<&String> = props.difference(seen).collect();
        assert!(
            never.is_empty(),
            "{id}: the schema has {never:?}, which the reader never accepted there"
        );
    }
    // Every table of the schema was met.
    for id in [
        "#/definitions/distribution",
        "#/sites/*/link",
        "#/roles/*/recovery",
        "#/roles/*/software",
        "#/clients/*/requests/*",
        "#/clusters/*",
        "#/hosts/*",
        "#/crews/*",
        "#/maintenance/*",
        "#/defaults",
    ] {
        assert!(
            schema_keys.contains_key(id),
            "no table {id} in the corpus: {:?}",
            schema_keys.keys()
        );
    }
}

/// A small validator of what the schema uses: `$ref`, `anyOf`, `const`, `enum`, `type`, `properties`,
/// `additionalProperties`, `items`, `minimum`.
fn validate(root: &Json, schema: &Json, v: &Json, at: &str, errs: &mut Vec<String>) {
    let (schema, _) = resolve(root, schema, "");
    if let Some(alts) = schema.get("anyOf").and_then(Json::as_array) {
        if !alts.iter().any(|a| {
            let mut e = Vec::new();
            validate(root, a, v, at, &mut e);
            e.is_empty()
        }) {
            errs.push(format!("{at}: matches none of {}", alts.len()));
        }
        return;
    }
    if let Some(c) = schema.get("const")
        && c != v
    {
        errs.push(format!("{at}: {v} is not {c}"));
    }
    if let Some(e) = schema.get("enum").and_then(Json::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{at}: {v} is not one of {e:?}"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Json::String(s) => vec![s.as_str()],
            Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
            _ => vec![],
        };
        let fits = types.iter().any(|t| match *t {
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => false,
        });
        if !fits {
            errs.push(format!("{at}: {v} is not {types:?}"));
            return;
        }
    }
    if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Json::as_f64), v.as_f64())
        && x < min
    {
        errs.push(format!("{at}: {x} < {min}"));
    }
    if let Some(m) = v.as_object() {
        let props = schema.get("properties").and_then(Json::as_object);
        for (k, x) in m {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, x, &format!("{at}.{k}"), errs),
                None => match schema.get("additionalProperties") {
                    Some(Json::Bool(false)) => errs.push(format!("{at}: unknown key {k}")),
                    Some(s) if s.is_object() => validate(root, s, x, &format!("{at}.{k}"), errs),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            validate(root, items, x, &format!("{at}[{i}]"), errs);
        }
    }
}

/// Every bundled scenario is valid under the schema (keys and types), and a misspelt key is not.
#[test]
fn every_bundled_scenario_validates_against_the_schema() {
    let root = schema_value();
    for (file, text) in corpus() {
        let v: Json = toml::from_str(&text).unwrap();
        let mut errs = Vec::new();
        validate(&root, &root, &v, "", &mut errs);
        assert!(errs.is_empty(), "{file}: {errs:#?}");
    }
    let v: Json = toml::from_str("[nodes.a]\ncont = 3\n[roles.r]\nkind = \"pol\"\n").unwrap();
    let mut errs = Vec::new();
    validate(&root, &root, &v, "", &mut errs);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].contains("unknown key cont") || errs[1].contains("unknown key cont"),
        "{errs:#?}"
    );
}

const PROBE: &str = "zzz_not_a_key";

/// Paths (segments) of every table, inline table and table in an array of the document.
fn tables(doc: &DocumentMut) -> Vec<Vec<String>> {
    fn walk_item(item: &Item, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match item {
            Item::Table(t) => {
                out.push(path.clone());
                for (k, v) in t.iter() {
                    path.push(k.to_string());
                    walk_item(v, path, out);
                    path.pop();
                }
            }
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    out.push(path.clone());
                    for (k, v) in t.iter() {
                        path.push(k.to_string());
                        walk_item(v, path, out);
                        path.pop();
                    }
                    path.pop();
                }
            }
            Item::Value(v) => walk_value(v, path, out),
            Item::None => {}
        }
    }
    fn walk_value(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::InlineTable(t) => {
                out.push(path.clone());
                for (k, v) in t.iter() {
                    path.push(k.to_string());
                    walk_value(v, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    walk_value(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk_item(doc.as_item(), &mut Vec::new(), &mut out);
    out
}

/// Inserts the probe key into the table at `path`.
fn insert_probe(doc: &mut DocumentMut, path: &[String]) {
    enum Node<'a> {
        Item(&'a mut Item),
        Table(&'a mut toml_edit::Table),
        Value(&'a mut Value),
    }
    let mut node = Node::Item(doc.as_item_mut());
    for seg in path {
        let index = seg
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .and_then(|s| s.parse::<usize>().ok());
        node = match (node, index) {
            (Node::Item(Item::ArrayOfTables(a)), Some(i)) => Node::Table(a.get_mut(i).unwrap()),
            (Node::Item(Item::Value(Value::Array(a))), Some(i)) => {
                Node::Value(a.get_mut(i).unwrap())
            }
            (Node::Value(Value::Array(a)), Some(i)) => Node::Value(a.get_mut(i).unwrap()),
            (Node::Item(item), None) => {
                match item.as_table_like_mut().unwrap().get_mut(seg).unwrap() {
                    Item::Value(v) => Node::Value(v),
                    other => Node::Item(other),
                }
            }
            (Node::Table(t), None) => match t.get_mut(seg).unwrap() {
                Item::Value(v) => Node::Value(v),
                other => Node::Item(other),
            },
            (Node::Value(Value::InlineTable(t)), None) => Node::Value(t.get_mut(seg).unwrap()),
            _ => panic!("cannot walk {path:?}"),
        };
    }
    match node {
        Node::Item(item) => {
            item.as_table_like_mut()
                .unwrap()
                .insert(PROBE, toml_edit::value(1));
        }
        Node::Table(t) => {
            t.insert(PROBE, toml_edit::value(1));
        }
        Node::Value(Value::InlineTable(t)) => {
            t.insert(PROBE, Value::from(1));
        }
        Node::Value(_) => panic!("{path:?} is not a table"),
    }
}

/// The keys the reader accepts in the table at `path` of `text`: `None` when it takes any key.
fn accepted(text: &str, path: &[String]) -> Option<Vec<String>> {
    let mut doc: DocumentMut = text.parse().unwrap();
    insert_probe(&mut doc, path);
    let err = match nines::scenario::compile(&doc.to_string(), "probe.toml") {
        Ok(_) => return None,
        Err(e) => e,
    };
    let d = err
        .diagnostics
        .iter()
        .find(|d| d.message.starts_with(&format!("unknown key `{PROBE}`")))?;
    let list = d.message.split("valid keys here: ").nth(1)?;
    Some(list.split(", ").map(str::to_string).collect())
}
