#!/usr/bin/env python3
"""Writes scenarios/configmgr/*.toml from shared blocks.

The TOML files are what nines reads and what planners edit; this script only wrote their first
version from shared blocks (so that the layouts of a family share names and figures). Rerunning it
overwrites the files: port any edit made to them here first, or edit the files and drop the script."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "configmgr")
NODE_COST = "yearly_cost = 3_500      # assumption: a 2-socket server (~12 000 EUR over 5 years), Windows Server, power, rack, support"

FAMILY = """\
# The family (scenarios/configmgr/) is one hierarchy: a central administration site (cas), two primary
# sites (ps1 with 20 000 desktops, ps2) and a secondary site (sec1, a branch office with 500 desktops
# behind ps1). The layouts differ only in what the guide makes highly available, and share component
# names, so `nines compare` pairs their failures (common random numbers):
#   cm-backup        every site database on one SQL Server with the built-in site backup (baseline)
#   cm-sql-cluster   site databases on 2-node SQL Server failover cluster instances (shared SAN)
#   cm-always-on     site databases in SQL Server AlwaysOn availability groups (2 synchronous replicas)
#   cm-ha-roles      availability groups, 3 management points, the software update point on a 2-node
#                    NLB cluster and a second SMS Provider
# In every layout the site servers are not highly available (the guide: no cluster or NLB support): a
# lost site server is restored from its backup, and the secondary site is reinstalled from its parent.
#
#   nines compare scenarios/configmgr/cm-backup.toml scenarios/configmgr/cm-sql-cluster.toml \\
#                 scenarios/configmgr/cm-always-on.toml scenarios/configmgr/cm-ha-roles.toml
#
# Every figure below says where it comes from, or that it is an assumption: replace them with your own.
"""

COMMON = """\
[simulation]
mission = "10y"
replications = 1_000
seed = 2026

# Servers: the whole Windows instance, every cause that takes it down (hardware, firmware, OS crash, admin
# error). Hardware alone: about 8% of servers have a hardware incident in a year (Vishwanath & Nagappan,
# "Characterizing cloud computing hardware reliability", SoCC 2010), a hardware MTBF of about 12 years;
# hardware is 30-60% of root causes in the LANL field data (Schroeder & Gibson, "A large-scale study of
# failures in high-performance computing systems", DSN 2006), so all causes together give an MTBF of 4 to 6
# years. Assumption: 4 years. Shape 0.8: Schroeder & Gibson found the time between failures Weibull with a
# decreasing hazard rate (shape 0.7-0.8).
[defaults]
failure = { dist = "weibull", shape = 0.8, mean = "4y" }
# Repair once a technician is on it: lognormal (Schroeder & Gibson: repair times are lognormal, with means
# from under an hour to more than a day). Assumption: mean 6 h with a long tail.
repair = { dist = "lognormal", mean = "6h", sigma = 1.0 }

# Assumption: two on-call administrators for the Configuration Manager servers; half an hour to respond.
[crews.ops]
technicians = 2
dispatch = { dist = "exponential", mean = "30min" }

# ---- Sites and WAN links ----------------------------------------------------------------------------
# Data centres: Uptime Institute's Tier III is commonly quoted at 99.982% (1.6 h a year). Assumption: a
# site-wide outage every 5 years lasting 8 h on average, which is that 1.6 h a year.
[sites.cas]
failure = { dist = "exponential", mean = "5y" }
repair = { dist = "lognormal", mean = "8h", sigma = 0.7 }

# WAN circuits: carriers commonly commit to 99.9% a month per circuit. Assumption: a cut about once a year,
# repaired in 6 h on average (99.93%).
[sites.ps1]
parent = "cas"
failure = { dist = "exponential", mean = "5y" }                 # Tier III, as above
repair = { dist = "lognormal", mean = "8h", sigma = 0.7 }
link = { failure = { dist = "exponential", mean = "1y" }, repair = { dist = "lognormal", mean = "6h", sigma = 0.8 } }

[sites.ps2]
parent = "cas"
failure = { dist = "exponential", mean = "5y" }                 # Tier III, as above
repair = { dist = "lognormal", mean = "8h", sigma = 0.7 }
link = { failure = { dist = "exponential", mean = "1y" }, repair = { dist = "lognormal", mean = "6h", sigma = 0.8 } }

# A branch office: assumption, a power or building outage once a year for 4 h (no generator), and a
# cheaper circuit to ps1 cut once a year for 8 h.
[sites.sec1]
parent = "ps1"
failure = { dist = "exponential", mean = "1y" }
repair = { dist = "lognormal", mean = "4h", sigma = 0.8 }
link = { failure = { dist = "exponential", mean = "1y" }, repair = { dist = "lognormal", mean = "8h", sigma = 0.8 } }
"""


DISKS_NOTE = """\
# A "-disks" node stands for losing a volume's data, not the server: the server's failures, its patching
# and site outages take the role down but keep the data; only the "-disks" node's own failures mean a
# restore (or a reinstall). These nodes are outside the site's failure domain (site outages reach the
# roles through their servers); the role says its site itself.
"""


def node(name, site, desc, extra=""):
    return f"""\
[nodes.{name}]
description = "{desc}"
site = "{site}"
crew = "ops"
{extra}{NODE_COST}
"""


def disks(name, site, desc, mean):
    # No `site`: the volume is not in the site's failure domain (see DISKS_NOTE).
    return f"""\
[nodes.{name}]
description = "{desc}"
crew = "ops"
failure = {{ dist = "exponential", mean = "{mean}" }}
repair = {{ dist = "lognormal", mean = "4h", sigma = 0.5 }}
"""


RESTORE_DB = 'recovery = { kind = "restore", backup_every = "24h", backup_offset = "2h", restore = { dist = "lognormal", mean = "6h", sigma = 0.5 } }'


def db(s, kind):
    """The site database of site s: 'backup', 'fci' or 'ag'."""
    if kind == "backup":
        return f"""\
# ---- {s}: site database on one SQL Server, with the built-in Backup Site Server task ----------------
{node(f"{s}-sql-1", s, f"SQL Server for the {s} site database")}
# The database files on the server's own RAID volume. Disks: 2-4% annual replacement rates in the field
# (Schroeder & Gibson, "Disk failures in the real world", FAST 2007); a RAID set losing its data is far
# rarer. Assumption: once in 15 years, all causes (double failure, controller, corruption, a mistake).
{disks(f"{s}-sql-1-disks", s, f"data volume of {s}-sql-1 (the site database files)", "15y")}
[roles.{s}_db_files]
kind = "standalone"
on = "{s}-sql-1-disks"
site = "{s}"
# The built-in backup task, daily at 02:00 (assumption). Recovery: Setup's "recover a site" with the
# backup. A site database is about 5 MB per client (assumption after Microsoft's sizing guidance): 100 GB
# for 20 000 clients, restored at 50-100 GB/h from disk, then site reset and replication re-initialised:
# assumption, 6 h on average. (With a CAS the database can also be recovered from another site's copy.)
{RESTORE_DB}

[roles.{s}_db]
kind = "standalone"
on = "{s}-sql-1"
requires = ["{s}_db_files"]
"""
    if kind == "fci":
        return f"""\
# ---- {s}: site database on a 2-node SQL Server failover cluster instance (shared storage) -----------
# Dual-controller arrays are marketed at 99.999% or better. Assumption: an array-wide outage every 10
# years, 4 h to fix under the vendor's contract.
[domains.{s}-san]
failure = {{ dist = "exponential", mean = "10y" }}
repair = {{ dist = "lognormal", mean = "4h", sigma = 0.5 }}

{node(f"{s}-sql-1", s, "SQL Server failover cluster node", f'in = "{s}-san"' + chr(10))}
{node(f"{s}-sql-2", s, "SQL Server failover cluster node", f'in = "{s}-san"' + chr(10))}
# One copy of the database, on the array. Assumption: losing a LUN's data once in 25 years (dual parity).
{disks(f"{s}-san-disks", s, "the site database LUN on the array", "25y")}
[roles.{s}_db_files]
kind = "standalone"
on = "{s}-san-disks"
site = "{s}"
# The same built-in backup and recovery as with one SQL Server (assumptions, see cm-backup.toml).
{RESTORE_DB}

[roles.{s}_db]
kind = "cluster"
on = ["{s}-sql-1", "{s}-sql-2"]
# Detection (10 missed 1 s heartbeats, the Windows Server 2016 cluster defaults) + taking the disks +
# starting SQL Server + crash recovery: 30 s to 2 min is typical. Assumption: 1 min on average.
failover = {{ dist = "lognormal", mean = "1min", sigma = 0.5 }}
coverage = 0.98           # assumption: 2% of failovers need a DBA
manual_recovery = {{ dist = "exponential", mean = "1h" }}   # assumption
requires = ["{s}_db_files"]
"""
    assert kind == "ag"
    return f"""\
# ---- {s}: site database in an AlwaysOn availability group, two replicas with their own copies --------
# A replica's data volume is lost as often as a standalone server's (assumption: once in 15 years); the
# replica is then down until its disks are replaced and the database reseeded (assumption: 8 h).
[domains.{s}-sql-1-disks]
failure = {{ dist = "exponential", mean = "15y" }}
repair = {{ dist = "lognormal", mean = "8h", sigma = 0.5 }}

[domains.{s}-sql-2-disks]
failure = {{ dist = "exponential", mean = "15y" }}
repair = {{ dist = "lognormal", mean = "8h", sigma = 0.5 }}

{node(f"{s}-sql-1", s, "availability group replica (initial primary)", f'in = "{s}-sql-1-disks"' + chr(10))}
{node(f"{s}-sql-2", s, "availability group replica (initial secondary)", f'in = "{s}-sql-2-disks"' + chr(10))}
[roles.{s}_db]
kind = "availability_group"
primary = "{s}-sql-1"
secondaries = [{{ on = "{s}-sql-2", commit = "synchronous" }}]
# Automatic failover to the synchronous secondary: SQL Server's lease (20 s) and health-check (30 s)
# timeouts by default; 10-30 s is typical. Assumption: 20 s on average, through the listener.
failover = {{ dist = "lognormal", mean = "20s", sigma = 0.5 }}
coverage = 0.98           # assumption
manual_recovery = {{ dist = "exponential", mean = "1h" }}    # assumption
manual_failover = {{ dist = "exponential", mean = "30min" }} # assumption: a DBA forces a failover
"""


def site_server(s, site_desc):
    return f"""\
# ---- {s}: the site server: not highly available (no cluster or NLB support) -------------------------
{node(f"{s}-ss", s, f"{site_desc} site server")}
# Most failures are repaired in place. Losing its disks needs the site recovered from the built-in backup
# (assumption: once in 15 years; the backup is the same daily one as the database's; reinstalling
# Windows and running Setup's recovery: assumption 8 h on average). Inbox files since the backup are lost.
{disks(f"{s}-ss-disks", s, f"system and inbox volume of {s}-ss", "15y")}
[roles.{s}_site_server_files]
kind = "standalone"
on = "{s}-ss-disks"
site = "{s}"
recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "2h", restore = {{ dist = "lognormal", mean = "8h", sigma = 0.5 }} }}

[roles.{s}_site_server]
kind = "standalone"
on = "{s}-ss"
# Assumption: the SMS_Executive service hangs about every 90 days; a restart takes 10 minutes.
software = {{ failure = {{ dist = "exponential", mean = "90d" }}, restart = {{ dist = "lognormal", mean = "10min", sigma = 0.5 }} }}
requires = ["{s}_site_server_files", "{s}_db"]
"""


def pool_nodes(name, count, site, desc):
    """A pool's nodes. One node is written as <name>-1 so that its name matches the groups' first member."""
    if count == 1:
        return node(f"{name}-1", site, desc)
    return f"""\
[nodes.{name}]
count = {count}
description = "{desc}"
site = "{site}"
crew = "ops"
{NODE_COST}
"""


def layout(db_kind, mps, sups, providers):
    parts = [DISKS_NOTE]
    # CAS
    parts.append(db("cas", db_kind))
    parts.append(site_server("cas", "central administration"))
    parts.append("""\
# The SMS Provider of the central administration site, on its site server (the Configuration Manager
# console for the whole hierarchy connects to it).
[roles.cas_provider]
kind = "standalone"
on = "cas-ss"
requires = ["cas_db"]
""")
    # ps1
    parts.append(db("ps1", db_kind))
    parts.append(site_server("ps1", "primary site ps1"))
    mp_on = "ps1-mp-1" if mps == 1 else "ps1-mp"
    parts.append(f"""\
# ---- ps1: management points ({mps}) -----------------------------------------------------------------
{pool_nodes("ps1-mp", mps, "ps1", "management point")}
[roles.ps1_mp]
kind = "pool"
on = "{mp_on}"
# Assumption: one management point serves 40 requests a second (about 25 ms of server time each). The
# product supports up to 25 000 clients per management point; at the polling and status rates below that
# is 35 requests a second, 87% of this capacity. Clients queue at the live management points.
capacity = "40/s"
requires = ["ps1_db"]
""")
    parts.append(f"""\
# ---- ps1: two distribution points, with ps2's as the fallback content location ----------------------
{pool_nodes("ps1-dp", 2, "ps1", "distribution point")}
[roles.ps1_dp]
kind = "pool"
on = "ps1-dp"
""")
    if sups == 1:
        parts.append(f"""\
# ---- ps1: software update point (WSUS) on one server; its SUSDB on the site database server --------
{node("ps1-sup-1", "ps1", "software update point")}
[roles.ps1_sup]
kind = "standalone"
on = "ps1-sup-1"
requires = ["ps1_db"]
""")
    else:
        parts.append(f"""\
# ---- ps1: software update point on a {sups}-node Windows NLB cluster (installed with PowerShell, as the
# guide says); the shared SUSDB is on the site database's SQL Server ----------------------------------
{pool_nodes("ps1-sup", sups, "ps1", "software update point, NLB cluster node")}
[roles.ps1_sup]
kind = "pool"
on = "ps1-sup"
requires = ["ps1_db"]
""")
    if providers == 1:
        parts.append("""\
# ---- ps1: one SMS Provider, on the site server ---------------------------------------------------
[roles.ps1_provider]
kind = "standalone"
on = "ps1-ss"
requires = ["ps1_db"]
""")
    else:
        parts.append(f"""\
# ---- ps1: two SMS Providers, on the site server and on a server of their own ------------------------
{node("ps1-prov-1", "ps1", "second SMS Provider")}
[roles.ps1_provider]
kind = "pool"
on = ["ps1-ss", "ps1-prov-1"]
requires = ["ps1_db"]
""")
    parts.append(f"""\
# ---- ps1: fallback status point ------------------------------------------------------------------
{node("ps1-fsp", "ps1", "fallback status point")}
[roles.ps1_fsp]
kind = "standalone"
on = "ps1-fsp"
""")
    # ps2
    parts.append(db("ps2", db_kind))
    parts.append(site_server("ps2", "primary site ps2"))
    parts.append(f"""\
# ---- ps2: two distribution points (ps1's clients fall back to them for content) -------------------
{pool_nodes("ps2-dp", 2, "ps2", "distribution point")}
[roles.ps2_dp]
kind = "pool"
on = "ps2-dp"
""")
    # sec1
    parts.append(f"""\
# ---- sec1: the secondary site server (with its one management point and distribution point) -------
# The guide: one management point per secondary site, on the site server, so not highly available; a
# secondary site is not restored from backup but reinstalled from its parent primary site.
{node("sec1-ss", "sec1", "secondary site server (proxy management point, distribution point)")}
# Assumption: losing its disks once in 15 years; reinstalling the secondary site from ps1 and
# redistributing its content takes 8 h on average (assumption), and needs ps1's site server.
{disks("sec1-ss-disks", "sec1", "volume of sec1-ss", "15y")}
[roles.sec1_site_files]
kind = "standalone"
on = "sec1-ss-disks"
site = "sec1"
recovery = {{ kind = "reinstall", time = {{ dist = "lognormal", mean = "8h", sigma = 0.5 }}, from = "ps1_site_server" }}

[roles.sec1_site]
kind = "standalone"
on = "sec1-ss"
requires = ["sec1_site_files"]
""")
    return parts


SERVICES = """\
# ---- What is measured -------------------------------------------------------------------------------
[services.client_policy]
description = "ps1's clients can get policy: a management point and the site database"
all_of = ["ps1_mp"]
target = 0.999            # assumption: the planner's target

[services.site_processing]
description = "ps1 processes inventory, status and new deployments: its site server and database"
all_of = ["ps1_site_server"]

[services.content]
description = "ps1's clients can download content from a local distribution point (they also fall back to ps2's)"
all_of = ["ps1_dp"]

[services.ps2_site]
description = "ps2 processes inventory, status and deployments, and serves content"
all_of = ["ps2_site_server", "ps2_dp"]

[services.administration]
description = "administrators can change ps1 through an SMS Provider"
all_of = ["ps1_provider"]
site = "ps1"

[services.hierarchy_administration]
description = "the hierarchy can be administered from the central administration site"
all_of = ["cas_site_server", "cas_provider"]

[services.branch_policy]
description = "branch clients can get policy from their secondary site"
all_of = ["sec1_site"]
site = "sec1"

# ---- Clients: autonomous, they retry, fall back and cache -------------------------------------------
[clients.ps1_desktops]
count = 20_000
site = "ps1"

# Client policy polling interval: 60 minutes is the product default.
[clients.ps1_desktops.requests.policy]
target = "ps1_mp"
every = "60min"
timeout = "30s"           # assumption
response = { dist = "lognormal", mean = "300ms", sigma = 0.6 }  # assumption
max_attempts = 3
backoff = "5min"          # assumption

# State and status messages: assumption, every 15 minutes (the state message reporting cycle). When no
# management point answers, the client sends to the fallback status point; when that fails too, it keeps
# the message and sends it with a later one (the guide: clients cache what they report).
[clients.ps1_desktops.requests.status]
target = "ps1_mp"
every = "15min"
timeout = "30s"
response = { dist = "lognormal", mean = "200ms", sigma = 0.5 }  # assumption
max_attempts = 2
fallback = "ps1_fsp"
when_all_fail = "cache"

# Content: assumption, one download a week per client (updates, applications), from either local
# distribution point, else from ps2's (the fallback content location, across two WAN links).
[clients.ps1_desktops.requests.content]
target = "ps1_dp"
every = "7d"
timeout = "60s"
response = { dist = "lognormal", mean = "90s", sigma = 1.0 }   # assumption
max_attempts = 2
backoff = "10min"
fallback = "ps2_dp"

# Software update scan: every 7 days is the product default schedule.
[clients.ps1_desktops.requests.update_scan]
target = "ps1_sup"
every = "7d"
timeout = "60s"
response = { dist = "lognormal", mean = "20s", sigma = 0.8 }   # assumption
max_attempts = 3
backoff = "30min"

[clients.branch_desktops]
count = 500
site = "sec1"

[clients.branch_desktops.requests.policy]
target = "sec1_site"
every = "60min"
timeout = "30s"
response = { dist = "lognormal", mean = "300ms", sigma = 0.6 }
max_attempts = 3
backoff = "5min"

[clients.branch_desktops.requests.status]
target = "sec1_site"
every = "15min"
timeout = "30s"
response = { dist = "lognormal", mean = "200ms", sigma = 0.5 }
max_attempts = 2
fallback = "ps1_fsp"      # across the branch's WAN link
when_all_fail = "cache"

# Branch content from the secondary site's distribution point, else from ps1's over the WAN.
[clients.branch_desktops.requests.content]
target = "sec1_site"
every = "7d"
timeout = "60s"
response = { dist = "lognormal", mean = "90s", sigma = 1.0 }
max_attempts = 2
backoff = "10min"
fallback = "ps1_dp"

# Assumption: 15 administrators with the console open. A console connects to an SMS Provider chosen
# nondeterministically; when it is unavailable, reconnecting may land on another (the guide).
[clients.admins]
count = 15
site = "ps1"

[clients.admins.requests.console]
target = "ps1_provider"
every = "5min"
timeout = "30s"
response = { dist = "lognormal", mean = "1s", sigma = 0.6 }     # assumption
max_attempts = 2
"""


def maintenance(standalone_nodes, rolling_roles):
    out = ["# ---- Monthly security updates (Microsoft's Update Tuesday; 30 days approximates a month) ---------"]
    nodes = ", ".join(f'"{n}"' for n in standalone_nodes)
    out.append(f"""\
# Servers without a partner install and reboot together: assumption, 30 minutes of downtime.
[maintenance.patch_standalone]
every = "30d"
duration = "30min"
offset = "9d 22h"
nodes = [{nodes}]
""")
    for i, r in enumerate(rolling_roles):
        out.append(f"""\
# Redundant servers one at a time (assumption: 1 h each); draining an active node costs a failover.
[maintenance.patch_{r}]
every = "30d"
duration = "1h"
offset = "{9 + i // 3}d {21 - i % 3 * 2}h"
role = "{r}"
rolling = true
""")
    return "\n".join(out)


def costs(db_kind):
    if db_kind == "ag":
        lic = """\
# Assumption (check your agreement): System Center's SQL Server Standard use rights cover a standalone
# site database and a 2-node failover cluster instance; an availability group for the site database needs
# SQL Server Enterprise (basic availability groups are not supported for the site database). Assumption:
# 20 000 EUR a year per site database (8 cores with Software Assurance; the passive secondary is covered
# by its failover rights).
sql_enterprise_licences = 60_000
"""
    elif db_kind == "fci":
        lic = "san_share = 12_000          # assumption: three sites' share of their arrays, per year\n"
    else:
        lic = ""
    return f"""\
[costs]
currency = "EUR"
operations = 10_000       # assumption: monitoring, backup software and storage, per year
{lic}"""


def write(name, title, db_kind, mps, sups, providers, sweep=""):
    parts = layout(db_kind, mps, sups, providers)
    standalone = ["cas-ss", "ps1-ss", "ps2-ss", "sec1-ss", "ps1-fsp"]
    rolling = []
    if db_kind == "backup":
        standalone += ["cas-sql-1", "ps1-sql-1", "ps2-sql-1"]
    else:
        rolling += ["cas_db", "ps1_db", "ps2_db"]
    if mps == 1:
        standalone.append("ps1-mp-1")
    else:
        rolling.append("ps1_mp")
    if sups == 1:
        standalone.append("ps1-sup-1")
    else:
        rolling.append("ps1_sup")
    rolling += ["ps1_dp", "ps2_dp"]
    if providers > 1:
        standalone.append("ps1-prov-1")
    text = "\n".join([f"# Configuration Manager hierarchy: {title}\n#\n" + FAMILY, COMMON] + parts + [SERVICES, maintenance(standalone, rolling), costs(db_kind)])
    if sweep:
        text += "\n" + sweep
    with open(os.path.join(OUT, name + ".toml"), "w") as f:
        f.write(text.rstrip() + "\n")


write("cm-backup", "the baseline. Each site database on one SQL Server, protected by\n# the built-in Backup Site Server task; one management point, one software update point, one SMS Provider.", "backup", 1, 1, 1)
write("cm-sql-cluster", "each site database on a 2-node SQL Server failover cluster instance\n# (the guide: use a SQL Server cluster to host the site database). Site roles as in the baseline.", "fci", 1, 1, 1)
write("cm-always-on", "each site database in a SQL Server AlwaysOn availability group of two\n# synchronous replicas (supported from version 1602). Site roles as in the baseline.", "ag", 1, 1, 1)
write("cm-ha-roles", "availability groups for the site databases and redundant site system\n# roles: three management points, the software update point on a 2-node NLB cluster, two SMS Providers.",
      "ag", 3, 2, 2, sweep="""\
# `nines sweep scenarios/configmgr/cm-ha-roles.toml`: how many management points do 20 000 clients need?
# One is left out: rolling maintenance never takes a pool's last node, so a single management point here
# would never be patched; cm-always-on.toml is this layout's one-management-point case, patched monthly.
[sweep]
"nodes.ps1-mp.count" = "2..4"
""")
print("ok")
