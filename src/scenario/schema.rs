//! The scenario language as a JSON Schema (draft 7), for editors: TOML language servers (taplo, Even
//! Better TOML) complete keys and flag misspelt ones as the planner types. Hand-kept beside the reader;
//! a test checks that every key the reader accepts in the bundled scenarios is here and every key here
//! is one the reader accepts, and that `schema/nines.schema.json` is this text.

use serde_json::{Map, Value, json};

/// A table with exactly these keys (each `(key, schema, description)`).
fn table(description: &str, keys: &[(&str, Value, &str)]) -> Value {
    let mut props = Map::new();
    for (k, schema, what) in keys {
        let mut s = schema.clone();
        if let Value::Object(m) = &mut s
            && !what.is_empty()
        {
            m.insert("description".into(), json!(what));
        }
        props.insert((*k).to_string(), s);
    }
    json!({
        "type": "object",
        "description": description,
        "properties": props,
        "additionalProperties": false,
    })
}

/// A table of named entries, each `entry`.
fn map(description: &str, entry: Value) -> Value {
    json!({ "type": "object", "description": description, "additionalProperties": entry })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/definitions/{name}") })
}

fn duration() -> Value {
    json!({ "type": "string", "description": "a duration with its unit: \"90s\", \"5min\", \"8h\", \"30d\", \"1y\"" })
}

fn text() -> Value {
    json!({ "type": "string" })
}

fn integer() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

fn number() -> Value {
    json!({ "type": "number" })
}

fn boolean() -> Value {
    json!({ "type": "boolean" })
}

/// One name or a list of names.
fn names() -> Value {
    json!({ "anyOf": [ { "type": "string" }, { "type": "array", "items": { "type": "string" } } ] })
}

fn cost() -> Value {
    json!({ "type": "number", "minimum": 0, "description": "an amount per year in the scenario's currency" })
}

/// A distribution of durations (the keys of every law; `nines validate` says which a law needs).
fn distribution() -> Value {
    table(
        "a distribution of durations, e.g. { dist = \"exponential\", mean = \"5y\" }",
        &[
            (
                "dist",
                json!({ "enum": ["exponential", "weibull", "lognormal", "gamma", "normal", "uniform", "fixed", "empirical", "never"] }),
                "the law (never: a time to failure that does not end in the study)",
            ),
            (
                "mean",
                duration(),
                "the mean (exponential, weibull, lognormal, gamma, normal)",
            ),
            ("shape", number(), "the shape (weibull, gamma)"),
            (
                "scale",
                duration(),
                "the scale, instead of the mean (weibull)",
            ),
            ("sigma", number(), "the σ of the logarithm (lognormal)"),
            (
                "mu",
                number(),
                "the μ of the logarithm of hours, instead of the mean (lognormal)",
            ),
            ("sd", duration(), "the standard deviation (normal)"),
            ("min", duration(), "the least value (uniform)"),
            ("max", duration(), "the greatest value (uniform)"),
            ("value", duration(), "the one value (fixed)"),
            (
                "samples",
                json!({ "type": "array", "items": { "type": "string" } }),
                "observed durations (empirical)",
            ),
        ],
    )
}

/// A time to failure: a distribution, or "never" for something that does not fail in the study.
fn failure() -> Value {
    json!({ "anyOf": [ reference("distribution"), { "const": "never" } ] })
}

/// A repair: a distribution, or "none" for something never repaired.
fn repair() -> Value {
    json!({ "anyOf": [ reference("distribution"), { "const": "none" } ] })
}

/// A service's expression: role and service names, or nested `all_of`, `any_of`, `k_of` tables.
fn expression() -> Value {
    let list = json!({ "type": "array", "items": { "anyOf": [ { "type": "string" }, reference("expression") ] } });
    table(
        "a nested condition: { any_of = [...] }, { all_of = [...] } or { k_of = { k = 2, of = [...] } }",
        &[
            ("all_of", list.clone(), "every one of these"),
            ("any_of", list, "at least one of these"),
            ("k_of", reference("k_of"), "at least k of these"),
        ],
    )
}

fn k_of() -> Value {
    let list = json!({ "type": "array", "items": { "anyOf": [ { "type": "string" }, reference("expression") ] } });
    table(
        "at least k of a list",
        &[("k", integer(), "how many"), ("of", list, "of these")],
    )
}

fn node() -> Value {
    table(
        "a node, or `count` nodes named NAME-1, NAME-2, ... (anything that fails and is repaired)",
        &[
            ("count", integer(), "nodes in the group (default 1)"),
            ("failure", failure(), "time to failure"),
            ("repair", repair(), "time to repair, or \"none\""),
            ("description", text(), ""),
            ("in", names(), "failure domains and sites it is in"),
            ("site", text(), "its site"),
            ("crew", text(), "the crew that repairs it"),
            (
                "spare",
                json!({ "anyOf": [ { "type": "string" }, { "const": false } ] }),
                "the stock its repair takes a spare part from (false: none, over [defaults])",
            ),
            (
                "priority",
                integer(),
                "its place in the crew's queue (with policy = \"priority\")",
            ),
            ("yearly_cost", cost(), "per node of the group"),
            (
                "silent",
                boolean(),
                "its failures stay hidden until an inspection or a restore needing its backups finds them",
            ),
        ],
    )
}

fn domain() -> Value {
    table(
        "a failure domain: a rack, a power feed, a SAN that takes down what is in it",
        &[
            ("failure", failure(), "time to failure"),
            ("repair", repair(), "time to repair"),
            ("description", text(), ""),
            ("in", names(), "domains and sites it is in"),
            ("crew", text(), ""),
            ("priority", integer(), ""),
        ],
    )
}

fn site() -> Value {
    let link = table(
        "the WAN link to the parent site",
        &[
            ("failure", failure(), ""),
            ("repair", repair(), ""),
            ("description", text(), ""),
            ("name", text(), "its name (default SITE~link)"),
            ("yearly_cost", cost(), ""),
            ("crew", text(), ""),
            ("priority", integer(), ""),
        ],
    );
    table(
        "a site: a failure domain for its nodes, joined to its parent by a WAN link",
        &[
            ("parent", text(), "the parent site"),
            ("link", link, ""),
            ("failure", failure(), "the whole site fails (with repair)"),
            ("repair", repair(), ""),
            ("description", text(), ""),
            ("crew", text(), ""),
            ("priority", integer(), ""),
        ],
    )
}

fn role() -> Value {
    let software = table(
        "failures of the role's software, restarted in place",
        &[
            ("failure", failure(), ""),
            ("restart", reference("distribution"), ""),
            ("restart_success", number(), "probability a restart works"),
        ],
    );
    let recovery = table(
        "how a standalone role comes back when its node does not",
        &[
            (
                "kind",
                json!({ "enum": ["repair", "reinstall", "restore"] }),
                "",
            ),
            ("time", reference("distribution"), "reinstall time"),
            ("from", text(), "the role a reinstall waits for"),
            ("restore", reference("distribution"), "restore time"),
            ("backup_every", duration(), ""),
            ("backup_offset", duration(), ""),
            (
                "backup_job",
                text(),
                "the node that takes the backups (none are taken while it is failed)",
            ),
        ],
    );
    let secondary = table(
        "a secondary replica",
        &[
            ("on", text(), "its node"),
            (
                "commit",
                json!({ "enum": ["synchronous", "asynchronous"] }),
                "",
            ),
            (
                "lag",
                reference("distribution"),
                "replication lag (asynchronous)",
            ),
        ],
    );
    table(
        "a role: what runs on nodes, with its high-availability mechanism",
        &[
            (
                "kind",
                json!({ "enum": ["standalone", "pool", "cluster", "availability_group", "mirroring"] }),
                "",
            ),
            ("on", names(), "its node or nodes"),
            ("min_up", integer(), "instances a pool needs"),
            (
                "detection",
                json!({ "anyOf": [duration(), reference("distribution")] }),
                "pool behind a load balancer: time until it notices a failed member, a fixed time or a distribution",
            ),
            (
                "convergence",
                json!({ "anyOf": [duration(), reference("distribution")] }),
                "pool behind a load balancer: time it then takes to stop sending requests to that member",
            ),
            ("requires", names(), "roles it needs"),
            ("site", text(), ""),
            (
                "capacity",
                json!({ "type": ["string", "number"] }),
                "requests one instance serves, a rate such as \"40/s\" or \"1000/h\"",
            ),
            ("description", text(), ""),
            ("yearly_cost", cost(), "per instance"),
            (
                "tolerance",
                duration(),
                "grace period: outages up to this long do not count as impactful downtime",
            ),
            (
                "tolerance_counts",
                json!({ "enum": ["excess", "whole"] }),
                "how an outage longer than the tolerance counts: only its part beyond it (excess, the default) or whole",
            ),
            ("recovery", recovery, ""),
            ("software", software, ""),
            ("failover", reference("distribution"), "time to fail over"),
            (
                "coverage",
                number(),
                "probability an automatic failover succeeds",
            ),
            (
                "manual_recovery",
                reference("distribution"),
                "operator, when it does not",
            ),
            ("manual_failover", reference("distribution"), ""),
            (
                "failback",
                json!({ "anyOf": [ { "type": "boolean" }, { "const": "after_maintenance" } ] }),
                "true: back to the most preferred node when it returns; \"after_maintenance\": back to the node a planned drain took it from",
            ),
            (
                "dormant",
                number(),
                "cold (0) or warm (0 to 1) standby (a cluster's idle nodes, a pool's standby instances): pace an idle node ages at; its failures stay hidden until called on",
            ),
            (
                "standby",
                integer(),
                "pool: how many of its nodes (the last ones of `on`) start as standby instances, called on when an active one is lost",
            ),
            (
                "switch",
                json!({ "anyOf": [duration(), reference("distribution")] }),
                "pool with standby: time for a called standby to take over, a fixed time or a distribution",
            ),
            (
                "switch_fails",
                number(),
                "pool with standby: probability a switch-over fails (the standby then goes to repair and the next is tried)",
            ),
            ("max_nodes", integer(), ""),
            ("cluster", text(), "the [clusters] entry it joins"),
            ("primary", text(), "the primary replica's node"),
            (
                "secondaries",
                json!({ "type": "array", "items": secondary }),
                "",
            ),
            ("principal", text(), ""),
            ("mirror", text(), ""),
            ("witness", text(), ""),
            (
                "commit",
                json!({ "enum": ["synchronous", "asynchronous"] }),
                "",
            ),
            ("lag", reference("distribution"), ""),
        ],
    )
}

fn request() -> Value {
    table(
        "a kind of request a client population makes",
        &[
            ("target", text(), "the role it is sent to"),
            ("every", duration(), "one request per client this often"),
            (
                "response",
                reference("distribution"),
                "response time when served",
            ),
            ("timeout", duration(), ""),
            ("max_attempts", integer(), ""),
            ("backoff", duration(), ""),
            ("fallback", text(), "a role tried when the target fails"),
            (
                "fallback_after",
                duration(),
                "the fallback is used only once the target has been down this long",
            ),
            ("health_checked", boolean(), ""),
            ("selection", text(), "how an instance is picked"),
            ("reconnect", text(), ""),
            ("reconnect_every", duration(), ""),
            ("ttl", duration(), ""),
            ("when_all_fail", text(), ""),
            (
                "duration",
                duration(),
                "work in flight: how long a request needs its instance",
            ),
            (
                "on_cut",
                text(),
                "fail, retry or resume when the instance goes down in flight",
            ),
            (
                "stale_after",
                duration(),
                "data age: the requests refresh data, which is stale once older than this",
            ),
            (
                "refresh",
                text(),
                "with stale_after: poisson (requests at random times; the default) or periodic (each client exactly every `every`, out of phase)",
            ),
            ("description", text(), ""),
        ],
    )
}

fn reassign() -> Value {
    table(
        "reassignment of a share of the population to another role while its target is down",
        &[
            ("to", text(), "the role the moved clients use"),
            (
                "from",
                text(),
                "the target whose outage moves them (default: the population's one target)",
            ),
            (
                "requests",
                names(),
                "the request kinds that move (default: those with target `from`)",
            ),
            (
                "after",
                duration(),
                "how long the target is down before the operator moves them",
            ),
            (
                "crew",
                text(),
                "the crew whose technician makes the move (it waits behind the crew's repairs, then the crew's dispatch delay)",
            ),
            (
                "duration",
                duration(),
                "with a crew: how long the technician works on the move (default 0)",
            ),
            (
                "share",
                number(),
                "share of the population moved (default 1)",
            ),
            (
                "back_after",
                duration(),
                "how long after the target returns they move back (default 0)",
            ),
        ],
    )
}

/// The JSON Schema of a scenario file.
pub fn schema() -> Value {
    let service = table(
        "a service: what users need, as an expression over roles and services",
        &[
            (
                "all_of",
                json!({ "type": "array", "items": { "anyOf": [ { "type": "string" }, reference("expression") ] } }),
                "",
            ),
            (
                "any_of",
                json!({ "type": "array", "items": { "anyOf": [ { "type": "string" }, reference("expression") ] } }),
                "",
            ),
            ("k_of", reference("k_of"), ""),
            ("target", number(), "availability target, e.g. 0.999"),
            (
                "tolerance",
                duration(),
                "grace period: outages up to this long do not count as impactful downtime",
            ),
            (
                "tolerance_counts",
                json!({ "enum": ["excess", "whole"] }),
                "how an outage longer than the tolerance counts: only its part beyond it (excess, the default) or whole",
            ),
            (
                "target_counts",
                json!({ "enum": ["all", "impactful"] }),
                "judge the target on all downtime (the default) or on impactful downtime (needs a tolerance)",
            ),
            ("site", text(), "measured as seen from this site"),
            (
                "needed_in",
                names(),
                "phases in which its downtime counts (row `needed`); default all",
            ),
            ("description", text(), ""),
        ],
    );
    let mut root = table(
        "a nines scenario: the layout of a system and how its parts fail and are repaired",
        &[
            (
                "simulation",
                table(
                    "run settings",
                    &[
                        (
                            "mission",
                            duration(),
                            "length of one simulated mission, e.g. \"10y\"",
                        ),
                        ("replications", integer(), ""),
                        ("seed", integer(), ""),
                        ("threads", integer(), ""),
                    ],
                ),
                "",
            ),
            (
                "defaults",
                table(
                    "failure, repair and spare stock of nodes that do not give their own",
                    &[
                        ("failure", failure(), ""),
                        ("repair", repair(), ""),
                        (
                            "spare",
                            text(),
                            "the stock every repaired node takes parts from",
                        ),
                    ],
                ),
                "",
            ),
            ("nodes", map("nodes and node groups", node()), ""),
            ("domains", map("failure domains", domain()), ""),
            ("sites", map("sites, one tree", site()), ""),
            (
                "crews",
                map(
                    "repair crews",
                    table(
                        "a crew of technicians",
                        &[
                            ("technicians", integer(), ""),
                            ("policy", json!({ "enum": ["fifo", "priority"] }), ""),
                            (
                                "dispatch",
                                reference("distribution"),
                                "delay before a repair starts",
                            ),
                        ],
                    ),
                ),
                "",
            ),
            (
                "stocks",
                map(
                    "spare-part stocks",
                    table(
                        "a shelf of spare parts, each part taken reordered with a lead time",
                        &[
                            ("parts", integer(), "parts on the shelf when full"),
                            (
                                "lead",
                                reference("distribution"),
                                "reorder lead time of one part",
                            ),
                            (
                                "ship",
                                reference("distribution"),
                                "shipment of a part from the shelf to the node",
                            ),
                        ],
                    ),
                ),
                "",
            ),
            (
                "clusters",
                map(
                    "failover clusters with quorum",
                    table(
                        "a failover cluster",
                        &[
                            ("nodes", names(), ""),
                            ("witness", text(), ""),
                            ("no_vote", names(), ""),
                            ("dynamic", boolean(), ""),
                            ("adjustment", reference("distribution"), ""),
                            ("description", text(), ""),
                        ],
                    ),
                ),
                "",
            ),
            (
                "hosts",
                map(
                    "host groups (a Hyper-V cluster) and the virtual machines placed on them",
                    table(
                        "a host group",
                        &[
                            ("nodes", names(), "the hosts, in order"),
                            ("vms", names(), "the virtual machines placed on these hosts"),
                            (
                                "boot",
                                json!({ "anyOf": [ duration(), reference("distribution") ] }),
                                "time a virtual machine takes to start on another host",
                            ),
                            (
                                "migration_pause",
                                json!({ "anyOf": [ duration(), reference("distribution") ] }),
                                "pause of a live migration off a drained host (default none)",
                            ),
                            ("capacity", integer(), "most virtual machines per host"),
                            (
                                "cluster",
                                text(),
                                "the [clusters] entry whose quorum the hosts need",
                            ),
                            (
                                "anti_affinity",
                                json!({ "type": "array", "items": names() }),
                                "sets of virtual machines that prefer different hosts: each a node group or a list",
                            ),
                            ("description", text(), ""),
                        ],
                    ),
                ),
                "",
            ),
            (
                "maintenance",
                map(
                    "planned maintenance schedules",
                    table(
                        "a maintenance schedule",
                        &[
                            ("every", duration(), ""),
                            ("duration", duration(), ""),
                            ("offset", duration(), ""),
                            ("nodes", names(), ""),
                            ("role", text(), ""),
                            ("rolling", boolean(), ""),
                        ],
                    ),
                ),
                "",
            ),
            (
                "inspections",
                map(
                    "inspections that find hidden failures",
                    table(
                        "an inspection schedule",
                        &[
                            ("nodes", names(), "silent or dormant standby nodes"),
                            ("every", duration(), ""),
                            ("offset", duration(), ""),
                            ("duration", duration(), "what it finds is found at its end"),
                            (
                                "detect",
                                number(),
                                "probability of finding a hidden failure",
                            ),
                            (
                                "crew",
                                text(),
                                "a technician of this crew inspects (waits in its queue behind repairs)",
                            ),
                        ],
                    ),
                ),
                "",
            ),
            (
                "phases",
                map(
                    "a calendar inside each 365-day year from Monday 1 January; time in no phase is `other`",
                    table(
                        "a phase: the days and hours it holds (all keys together)",
                        &[
                            ("days", names(), "e.g. \"mon-fri\" (default every day)"),
                            ("from", text(), "\"HH:MM\" (default 00:00)"),
                            ("to", text(), "\"HH:MM\", after `from` (default 24:00)"),
                            ("month_days", text(), "e.g. \"last 2\", \"1-5\" or \"1,15\""),
                            ("months", names(), "e.g. \"nov-dec\" (default every month)"),
                            (
                                "min_up",
                                json!({ "type": "object", "additionalProperties": { "type": "integer", "minimum": 1 } }),
                                "pools and their min_up in this phase",
                            ),
                            (
                                "rate",
                                json!({ "type": "object", "additionalProperties": { "type": "number", "exclusiveMinimum": 0 } }),
                                "client populations and the multiplier of their request rates in this phase",
                            ),
                            ("description", text(), ""),
                        ],
                    ),
                ),
                "",
            ),
            ("roles", map("roles", role()), ""),
            ("services", map("services", service), ""),
            (
                "clients",
                map(
                    "client populations",
                    table(
                        "a client population",
                        &[
                            ("count", integer(), ""),
                            ("site", text(), ""),
                            ("description", text(), ""),
                            ("requests", map("its kinds of request", request()), ""),
                            (
                                "reassign",
                                reassign(),
                                "an operator moves the clients to another role while the target is down",
                            ),
                        ],
                    ),
                ),
                "",
            ),
            (
                "costs",
                map(
                    "currency and flat yearly items",
                    json!({ "type": ["number", "string"] }),
                ),
                "",
            ),
            (
                "sweep",
                map(
                    "fields to sweep: \"nodes.web.count\" = \"2..5\" or a list",
                    json!({ "type": ["string", "array", "number", "integer", "boolean"] }),
                ),
                "",
            ),
        ],
    );
    let m = root.as_object_mut().expect("a table");
    m.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    m.insert("title".into(), json!("nines scenario"));
    m.insert(
        "definitions".into(),
        json!({
            "distribution": distribution(),
            "expression": expression(),
            "k_of": k_of(),
        }),
    );
    root
}

/// The schema as the text of `schema/nines.schema.json`.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).expect("a schema serialises");
    s.push('\n');
    s
}
