#!/usr/bin/env python3
"""Writes scenarios/appv/*.toml from shared blocks.

The TOML files are what nines reads and what planners edit; this script only wrote their first
version from shared blocks (so that the layouts of a family share names and figures). Rerunning it
overwrites the files: port any edit made to them here first, or edit the files and drop the script."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "appv")
NODE_COST = "yearly_cost = 3_500      # assumption: a 2-socket server (~12 000 EUR over 5 years), Windows Server, power, rack, support"

FAMILY = """\
# The family (scenarios/appv/) shares component names, so that `nines compare` pairs their failures
# (common random numbers):
#   appv-standalone      one App-V server (management, publishing, reporting), one SQL Server, one file server
#   appv-nlb-mirroring   two App-V servers behind IIS network load balancing, the databases in SQL Server
#                        database mirroring with a witness and a failover partner in the connection string,
#                        the shared content store on a 2-node file server cluster
#   appv-nlb-always-on   the same, with the databases in an AlwaysOn availability group instead of mirroring
#
#   nines compare scenarios/appv/appv-nlb-mirroring.toml scenarios/appv/appv-nlb-always-on.toml \\
#                 scenarios/appv/appv-standalone.toml
#   nines run scenarios/appv/appv-nlb-mirroring.toml    # client-visible downtime of the management service's queries
#
# (scenarios/appv-mirroring.toml, one level up, is the smaller tour of the failover-partner effect alone.)
# Every figure below says where it comes from, or that it is an assumption: replace them with your own.
"""

COMMON = """\
[simulation]
mission = "10y"
replications = 2_000
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

# Assumption: two on-call administrators; half an hour to respond.
[crews.ops]
technicians = 2
dispatch = { dist = "exponential", mean = "30min" }

# One data centre: Uptime Institute's Tier III is commonly quoted at 99.982% (1.6 h a year). Assumption: a
# site-wide outage every 5 years lasting 8 h on average, which is that 1.6 h a year.
[sites.dc]
failure = { dist = "exponential", mean = "5y" }
repair = { dist = "lognormal", mean = "8h", sigma = 0.7 }
"""


def node(name, desc, extra="", cost=NODE_COST):
    return f"""\
[nodes.{name}]
description = "{desc}"
site = "dc"
crew = "ops"
{extra}{cost}
"""


WEB_ONE = f"""\
# ---- One App-V server: management, publishing and reporting services in IIS -----------------------
{node("web-1", "App-V management, publishing and reporting server")}
"""

WEB_NLB = f"""\
# ---- Two App-V servers in an IIS network load balancing cluster ------------------------------------
# NLB is software on the two servers: a pool, up while one server is. Its convergence after a server is
# lost (a few seconds of missed heartbeats) is not modelled.
[nodes.web]
count = 2
description = "App-V management, publishing and reporting server, NLB cluster node"
site = "dc"
crew = "ops"
{NODE_COST}
"""


def services_roles(web_on):
    return f"""\
[roles.management]
kind = "pool"
on = "{web_on}"
requires = ["appv_db"]

# The publishing service keeps the metadata it last synchronised from the management service, so it
# serves publishing refreshes while the database is down.
[roles.publishing]
kind = "pool"
on = "{web_on}"

[roles.reporting]
kind = "pool"
on = "{web_on}"
requires = ["appv_db"]
"""


SQL1_DISKS = """\
# The database files on sql-1's own RAID volume. Disks: 2-4% annual replacement rates in the field
# (Schroeder & Gibson, "Disk failures in the real world", FAST 2007); a RAID set losing its data is far
# rarer. Assumption: once in 15 years, all causes; 4 h to replace the disks and rebuild the volume. The node
# stands for losing the data, not the server: sql-1's failures, its patching and site outages take the
# databases down but keep their files; only this node's own failures mean a restore. It is outside the
# site's failure domain (site outages reach the databases through sql-1); the role says its site itself.
[nodes.sql-1-disks]
description = "data volume of sql-1 (the App-V databases)"
crew = "ops"
failure = { dist = "exponential", mean = "15y" }
repair = { dist = "lognormal", mean = "4h", sigma = 0.5 }
"""

DB_STANDALONE = f"""\
# ---- App-V management and reporting databases on one SQL Server -----------------------------------
{node("sql-1", "SQL Server for the App-V databases")}
{SQL1_DISKS}
[roles.appv_db_files]
kind = "standalone"
on = "sql-1-disks"
site = "dc"
# Assumption: a nightly full backup at 01:00; the App-V databases are small (a few GB): finding the
# backup, restoring and checking it, assumption 2 h on average.
recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "1h", restore = {{ dist = "lognormal", mean = "2h", sigma = 0.5 }} }}

[roles.appv_db]
kind = "standalone"
on = "sql-1"
requires = ["appv_db_files"]
"""

REPLICA_DISKS = """\
# Each replica's data volume can be lost as in the standalone layout (assumption: once in 15 years); the
# replica is then down until its disks are replaced and the database is re-established from the partner
# (assumption: 6 h on average). No restore from backup while the partner is up.
[domains.sql-1-disks]
failure = { dist = "exponential", mean = "15y" }
repair = { dist = "lognormal", mean = "6h", sigma = 0.5 }

[domains.sql-2-disks]
failure = { dist = "exponential", mean = "15y" }
repair = { dist = "lognormal", mean = "6h", sigma = 0.5 }
"""

DB_MIRRORING = f"""\
# ---- App-V databases in SQL Server database mirroring: principal, mirror and witness ---------------
# Mirroring is deprecated since SQL Server 2012 (the App-V guide notes it) in favour of AlwaysOn.
{REPLICA_DISKS}
{node("sql-1", "SQL Server, initial principal", 'in = "sql-1-disks"' + chr(10))}
{node("sql-2", "SQL Server, initial mirror", 'in = "sql-2-disks"' + chr(10))}
{node("sqlw", "SQL Server Express witness (a small server or VM)", "", 'yearly_cost = 1_000      # assumption: a small VM')}
[roles.appv_db]
kind = "mirroring"
principal = "sql-1"
mirror = "sql-2"
witness = "sqlw"
commit = "synchronous"    # high-safety mode with a witness: automatic failover, no data loss
# The partner timeout is 10 s by default (SQL Server's mirroring time-out); the mirror then takes over and
# rolls forward. Assumption: 15 s on average.
failover = {{ dist = "lognormal", mean = "15s", sigma = 0.5 }}
manual_failover = {{ dist = "exponential", mean = "45min" }}   # assumption: a DBA forces service when the witness is down too
"""

DB_AG = f"""\
# ---- App-V databases in an AlwaysOn availability group: two synchronous replicas ------------------
# The App-V guide supports the management database on Always On. App-V reaches it through the listener.
# (The Windows cluster under the group needs a quorum witness, a file share; not modelled.)
{REPLICA_DISKS}
{node("sql-1", "SQL Server, availability group replica (initial primary)", 'in = "sql-1-disks"' + chr(10))}
{node("sql-2", "SQL Server, availability group replica (initial secondary)", 'in = "sql-2-disks"' + chr(10))}
[roles.appv_db]
kind = "availability_group"
primary = "sql-1"
secondaries = [{{ on = "sql-2", commit = "synchronous" }}]
# Automatic failover: SQL Server's lease (20 s) and health-check (30 s) timeouts by default; 10-30 s is
# typical. Assumption: 20 s on average.
failover = {{ dist = "lognormal", mean = "20s", sigma = 0.5 }}
coverage = 0.98           # assumption: 2% of failovers need a DBA
manual_recovery = {{ dist = "exponential", mean = "1h" }}    # assumption
manual_failover = {{ dist = "exponential", mean = "30min" }} # assumption
"""

CONTENT_STANDALONE = f"""\
# ---- Shared content store (SCS mode): the package share on one file server -------------------------
{node("fs-1", "file server for the App-V content share")}
[roles.content]
kind = "standalone"
on = "fs-1"
"""

CONTENT_CLUSTER = f"""\
# ---- Shared content store (SCS mode) on a 2-node file server cluster (the guide supports it) -------
# Shared storage: dual-controller arrays are marketed at 99.999% or better. Assumption: an array-wide
# outage every 10 years, 4 h to fix.
[domains.san]
failure = {{ dist = "exponential", mean = "10y" }}
repair = {{ dist = "lognormal", mean = "4h", sigma = 0.5 }}

[nodes.fs]
count = 2
description = "file server cluster node for the App-V content share"
site = "dc"
crew = "ops"
in = "san"
{NODE_COST}

[roles.content]
kind = "cluster"
on = "fs"
# Detection (10 missed 1 s heartbeats, the Windows Server 2016 cluster defaults) + disks + the share
# online: 20-60 s (assumption: 30 s on average). Clients in SCS mode stream on launch and retry.
failover = {{ dist = "lognormal", mean = "30s", sigma = 0.5 }}
coverage = 0.98           # assumption
manual_recovery = {{ dist = "exponential", mean = "1h" }}    # assumption
"""


def db_query(kind):
    if kind == "mirroring":
        conn = """\
# The connection string names the mirror as `failover partner`. The guide: that helps only when the
# client makes a fresh connection. The management service's pooled connection stays on the old
# principal and fails until the pool is recycled (assumption: every 30 minutes on average).
selection = "ordered"     # principal first, then the failover partner
reconnect = "fresh_connection_only"
reconnect_every = "30min"
"""
    elif kind == "ag":
        conn = """\
# Through the availability group listener: a failed query reconnects and the listener points at the new
# primary, so existing connections recover at once.
"""
    else:
        conn = ""
    return f"""\
# ---- Clients ----------------------------------------------------------------------------------------
# The App-V management service on each App-V server querying its database (assumption: once a minute).
[clients.management_service]
count = 2

[clients.management_service.requests.db_query]
target = "appv_db"
every = "1min"
timeout = "15s"
response = {{ dist = "lognormal", mean = "40ms", sigma = 0.6 }}   # assumption
max_attempts = 2
{conn}"""


CLIENTS = """\
# Assumption: 5 000 App-V desktops.
[clients.desktops]
count = 5_000

# Publishing refresh at logon and on a schedule (assumption: every 4 hours on average).
[clients.desktops.requests.publishing_refresh]
target = "publishing"
every = "4h"
timeout = "30s"
response = { dist = "lognormal", mean = "500ms", sigma = 0.6 }   # assumption
max_attempts = 3
backoff = "2min"

# Shared content store mode: applications stream from the share when launched (assumption: one launch of
# a not-yet-cached part every 2 hours per desktop).
[clients.desktops.requests.stream]
target = "content"
every = "2h"
timeout = "30s"
response = { dist = "lognormal", mean = "2s", sigma = 0.8 }      # assumption
max_attempts = 3
backoff = "1min"

# Usage reports: the App-V client keeps its report data until the reporting server accepts it
# (assumption: sent once a day).
[clients.desktops.requests.report]
target = "reporting"
every = "1d"
timeout = "60s"
response = { dist = "lognormal", mean = "1s", sigma = 0.6 }      # assumption
max_attempts = 2
when_all_fail = "cache"

# Assumption: five administrators using the management console.
[clients.admins]
count = 5

[clients.admins.requests.console]
target = "management"
every = "10min"
timeout = "30s"
response = { dist = "lognormal", mean = "1s", sigma = 0.6 }      # assumption
max_attempts = 2
"""

SERVICES = """\
# ---- What is measured -------------------------------------------------------------------------------
[services.app_delivery]
description = "users get their applications: publishing refresh and streaming from the content store"
all_of = ["publishing", "content"]
target = 0.999            # assumption: the planner's target

[services.administration]
description = "administrators can publish and change packages: the management service and its database"
all_of = ["management"]

[services.usage_reporting]
description = "the reporting service accepts usage reports (clients keep them meanwhile)"
all_of = ["reporting"]
"""


def maintenance(standalone_nodes, rolling_roles):
    out = ["# ---- Monthly security updates (Microsoft's Update Tuesday; 30 days approximates a month) ---------"]
    if standalone_nodes:
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
# Redundant servers one at a time (assumption: 1 h each); draining the active one costs a failover.
[maintenance.patch_{r}]
every = "30d"
duration = "1h"
offset = "{9 + i}d 23h"
role = "{r}"
rolling = true
""")
    return "\n".join(out)


def costs(extra=""):
    return f"""\
[costs]
currency = "EUR"
# Assumption: SQL Server Standard for one 8-core instance with Software Assurance (~16 000 EUR list over 5
# years plus 25% a year). Standard edition mirrors with a witness, and has basic availability groups (two
# replicas, one database each: one group per App-V database); the passive replica is covered by Software
# Assurance's failover rights. So every layout pays one.
sql_server_licence = 7_000
operations = 4_000        # assumption: monitoring, backup software and storage, per year
{extra}"""


SAN_COST = "san_share = 4_000          # assumption: this system's share of the array, per year\n"


def write(name, title, parts, extra=""):
    text = "\n".join([f"# App-V: {title}\n#\n" + FAMILY, COMMON] + parts + [SERVICES, costs(extra)])
    with open(os.path.join(OUT, name + ".toml"), "w") as f:
        f.write(text.rstrip() + "\n")


write("appv-standalone", "the baseline. One server runs the management, publishing and reporting\n# services, one SQL Server holds their databases, one file server the shared content store.",
      [WEB_ONE, services_roles("web-1"), DB_STANDALONE, CONTENT_STANDALONE, db_query("standalone"), CLIENTS,
       maintenance(["web-1", "sql-1", "fs-1"], [])])
write("appv-nlb-mirroring", "the guide's highly available layout with database mirroring. Two App-V\n# servers behind IIS NLB, the databases mirrored with a witness, the content store on a file server cluster.",
      [WEB_NLB, services_roles("web"), DB_MIRRORING, CONTENT_CLUSTER, db_query("mirroring"), CLIENTS,
       maintenance(["sqlw"], ["management", "appv_db", "content"])], SAN_COST)
write("appv-nlb-always-on", "the same layout with the databases in an AlwaysOn availability group instead\n# of mirroring (the guide: Always On is supported, and mirroring is deprecated).",
      [WEB_NLB, services_roles("web"), DB_AG, CONTENT_CLUSTER, db_query("ag"), CLIENTS,
       maintenance([], ["management", "appv_db", "content"])], SAN_COST)
print("ok")
