#!/usr/bin/env python3
"""Writes scenarios/vmm/*.toml from shared blocks.

The TOML files are what nines reads and what planners edit; this script only wrote their first
version from shared blocks (so that the layouts of a family share names and figures). Rerunning it
overwrites the files: port any edit made to them here first, or edit the files and drop the script."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "vmm")

FAMILY = """\
# The family (scenarios/vmm/) shares component names, so that `nines compare` pairs their failures
# (common random numbers) and measures differences precisely:
#   vmm-standalone     VMM, its SQL Server database and the library share each on one server (baseline)
#   vmm-cluster-2      VMM on a 2-node failover cluster; database and library still standalone
#   vmm-cluster-4      the same on 4 nodes
#   vmm-cluster-16     the same on 16 nodes, the product limit
#   vmm-sql-cluster    VMM on 2 nodes, database on a 2-node SQL Server failover cluster instance (shared SAN)
#   vmm-always-on      VMM on 2 nodes, database in an AlwaysOn availability group (2 synchronous replicas)
#   vmm-full-ha        VMM on 2 nodes, availability group, library share on a 2-node file server cluster
#
#   nines compare scenarios/vmm/vmm-standalone.toml scenarios/vmm/vmm-cluster-2.toml \\
#                 scenarios/vmm/vmm-always-on.toml scenarios/vmm/vmm-full-ha.toml
#
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
# from under an hour to more than a day across systems). Assumption: mean 6 h with a long tail (a reboot or
# a part under a 4-hour hardware contract, sometimes a rebuild).
repair = { dist = "lognormal", mean = "6h", sigma = 1.0 }

# Assumption: two on-call administrators look after the management servers; half an hour to respond.
[crews.ops]
technicians = 2
dispatch = { dist = "exponential", mean = "30min" }

# One data centre. Uptime Institute's Tier III classification is commonly quoted at 99.982% site
# availability (1.6 h a year). Assumption: a site-wide outage (power, cooling, core network) every 5 years
# lasting 8 h on average, which is that 1.6 h a year. Every layout here shares it; no layout in one site can
# do better than the site.
[sites.dc]
failure = { dist = "exponential", mean = "5y" }
repair = { dist = "lognormal", mean = "8h", sigma = 0.7 }
"""

NODE_COST = "yearly_cost = 3_500      # assumption: a 2-socket server (~12 000 EUR over 5 years), Windows Server, power, rack, support"

VMM_STANDALONE = f"""\
# ---- VMM management server -------------------------------------------------------------------------
[nodes.vmm-1]
description = "VMM management server"
site = "dc"
crew = "ops"
{NODE_COST}

[roles.vmm_server]
kind = "standalone"
on = "vmm-1"
# Assumption: the VMM service hangs or crashes about every 90 days; restarting it takes about 5 minutes
# (the service reconnects to its database and refreshes its hosts) and works 9 times out of 10.
software = {{ failure = {{ dist = "exponential", mean = "90d" }}, restart = {{ dist = "lognormal", mean = "5min", sigma = 0.5 }}, restart_success = 0.9 }}
manual_recovery = {{ dist = "exponential", mean = "1h" }}   # assumption: an administrator fixes what a restart did not
requires = ["vmm_db"]
"""

def vmm_cluster(n):
    return f"""\
# ---- VMM management server: one instance on a {n}-node failover cluster --------------------------------
[nodes.vmm]
count = {n}
description = "VMM management cluster nodes"
site = "dc"
crew = "ops"
{NODE_COST}

[roles.vmm_server]
kind = "cluster"
on = "vmm"
max_nodes = 16            # the guide: one VMM instance on a failover cluster of up to 16 nodes
# Failover = detection + moving the network name + starting the VMM service on the new owner. Detection:
# Windows Server 2016 defaults, 10 missed heartbeats 1 s apart (SameSubnetThreshold 10, SameSubnetDelay
# 1 s) = 10 s. Assumption: the VMM service takes 1-3 minutes to start; 2 minutes in all on average.
failover = {{ dist = "lognormal", mean = "2min", sigma = 0.5 }}
coverage = 0.97           # assumption: 3% of automatic failovers fail (the service does not start) and need a person
manual_recovery = {{ dist = "exponential", mean = "1h" }}   # assumption, as for the standalone server
# The same service hangs as the standalone server (assumption, see vmm-standalone.toml); a failed restart fails over.
software = {{ failure = {{ dist = "exponential", mean = "90d" }}, restart = {{ dist = "lognormal", mean = "5min", sigma = 0.5 }}, restart_success = 0.9 }}
requires = ["vmm_db"]
"""

SQL1_NODE = f"""\
[nodes.sql-1]
description = "SQL Server for the VMM database"
site = "dc"
crew = "ops"
{NODE_COST}
"""

DB_STANDALONE = f"""\
# ---- VMM database on one SQL Server ------------------------------------------------------------------
{SQL1_NODE}
# The database files on sql-1's own RAID volume. Losing them (two disks of a set, a controller, corruption,
# a mistake) means a restore from backup. Disks: 2-4% annual replacement rates in the field (Schroeder &
# Gibson, "Disk failures in the real world", FAST 2007); a RAID set losing its data is far rarer.
# Assumption: once in 15 years, all causes; 4 h to replace the disks and rebuild the volume.
# The node stands for losing the data, not the server: sql-1's failures, its patching and site outages take
# the database down but keep its files; only this node's own failures mean a restore. It is outside the
# site's failure domain (site outages reach the database through sql-1); the role says its site itself.
[nodes.sql-1-disks]
description = "data volume of sql-1 (the VMM database files)"
crew = "ops"
failure = {{ dist = "exponential", mean = "15y" }}
repair = {{ dist = "lognormal", mean = "4h", sigma = 0.5 }}

[roles.vmm_db_files]
kind = "standalone"
on = "sql-1-disks"
site = "dc"
# Assumption: a nightly full backup at 01:00. Restore: a VMM database is a few GB to tens of GB, restored
# from disk backup at 100-200 GB/h in well under an hour; with finding the backup, checking it and
# restarting VMM, assumption: 2 h on average.
recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "1h", restore = {{ dist = "lognormal", mean = "2h", sigma = 0.5 }} }}

[roles.vmm_db]
kind = "standalone"
on = "sql-1"
requires = ["vmm_db_files"]
"""

SAN = """\
# Shared storage (SAN array) for the clustered roles. Dual-controller arrays are marketed at 99.999% or
# better. Assumption: an array-wide outage every 10 years, 4 h to fix under the vendor's contract (about
# 99.995%).
[domains.san]
failure = { dist = "exponential", mean = "10y" }
repair = { dist = "lognormal", mean = "4h", sigma = 0.5 }
"""

DB_FCI = f"""\
# ---- VMM database on a 2-node SQL Server failover cluster instance (shared storage) ---------------------
{SAN}
[nodes.sql-1]
description = "SQL Server failover cluster node"
site = "dc"
crew = "ops"
in = "san"
{NODE_COST}

[nodes.sql-2]
description = "SQL Server failover cluster node"
site = "dc"
crew = "ops"
in = "san"
{NODE_COST}

# One copy of the database, on the array. Assumption: losing a LUN's data (corruption, a mistake, a
# double failure) once in 25 years, rarer than a single server's RAID set (dual parity, hot spares).
[nodes.san-disks]
description = "the VMM database LUN on the array"
failure = {{ dist = "exponential", mean = "25y" }}
repair = {{ dist = "lognormal", mean = "4h", sigma = 0.5 }}

[roles.vmm_db_files]
kind = "standalone"
on = "san-disks"
site = "dc"
# The same nightly backup and restore as the standalone database (assumptions, see vmm-standalone.toml).
recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "1h", restore = {{ dist = "lognormal", mean = "2h", sigma = 0.5 }} }}

[roles.vmm_db]
kind = "cluster"
on = ["sql-1", "sql-2"]
# Detection (10 s, the cluster heartbeat defaults) + taking the disks + starting SQL Server + crash recovery
# of the database: 30 s to 2 min is typical. Assumption: 1 min on average.
failover = {{ dist = "lognormal", mean = "1min", sigma = 0.5 }}
coverage = 0.98           # assumption: 2% of failovers need a DBA
manual_recovery = {{ dist = "exponential", mean = "1h" }}   # assumption
requires = ["vmm_db_files"]
"""

DB_AG = f"""\
# ---- VMM database in an AlwaysOn availability group: two replicas, each with its own copy -------------
# Each replica's data volume can be lost as in the standalone layout (assumption: once in 15 years); the
# replica is then down until its disks are replaced and the database is reseeded from the other replica
# (assumption: 8 h on average). No restore from backup while the other replica is up.
[domains.sql-1-disks]
failure = {{ dist = "exponential", mean = "15y" }}
repair = {{ dist = "lognormal", mean = "8h", sigma = 0.5 }}

[domains.sql-2-disks]
failure = {{ dist = "exponential", mean = "15y" }}
repair = {{ dist = "lognormal", mean = "8h", sigma = 0.5 }}

[nodes.sql-1]
description = "SQL Server, availability group replica (initial primary)"
site = "dc"
crew = "ops"
in = "sql-1-disks"
{NODE_COST}

[nodes.sql-2]
description = "SQL Server, availability group replica (initial secondary)"
site = "dc"
crew = "ops"
in = "sql-2-disks"
{NODE_COST}

[roles.vmm_db]
kind = "availability_group"
primary = "sql-1"
secondaries = [{{ on = "sql-2", commit = "synchronous" }}]   # synchronous commit: automatic failover, no data loss
# Automatic failover to the synchronous secondary: the lease (20 s) and health-check (30 s) timeouts are
# SQL Server's defaults; 10-30 s to fail over is typical. Assumption: 20 s on average. VMM reconnects
# through the availability group listener.
failover = {{ dist = "lognormal", mean = "20s", sigma = 0.5 }}
coverage = 0.98           # assumption: 2% of failovers need a DBA (quorum, a secondary not synchronized)
manual_recovery = {{ dist = "exponential", mean = "1h" }}   # assumption
manual_failover = {{ dist = "exponential", mean = "30min" }} # assumption: a DBA forces a failover
"""

LIB_STANDALONE = f"""\
# ---- Library share on one file server -------------------------------------------------------------
# The library holds templates, ISOs and VHDs; its content can be copied back, so a failure is repaired
# with the server (no restore modelled).
[nodes.lib-1]
description = "VMM library server (file share)"
site = "dc"
crew = "ops"
{NODE_COST}

[roles.library]
kind = "standalone"
on = "lib-1"
"""

def lib_cluster(with_san):
    return f"""\
# ---- Library share on a 2-node file server cluster (shared storage) -------------------------------
{SAN if with_san else ""}
[nodes.lib]
count = 2
description = "file server cluster nodes for the VMM library share"
site = "dc"
crew = "ops"
in = "san"
{NODE_COST}

[roles.library]
kind = "cluster"
on = "lib"
# Detection (10 s) + taking the disks + bringing the share online: 20-60 s (assumption: 30 s on average).
failover = {{ dist = "lognormal", mean = "30s", sigma = 0.5 }}
coverage = 0.98           # assumption
manual_recovery = {{ dist = "exponential", mean = "1h" }}   # assumption
"""

SERVICES = """\
# ---- What is measured -------------------------------------------------------------------------------
[services.vmm_management]
description = "administrators and VMM can manage the hosts and their virtual machines"
all_of = ["vmm_server"]
target = 0.999            # assumption: the planner's target

[services.vm_deployment]
description = "new virtual machines can be deployed from the library"
all_of = ["vmm_server", "library"]

# ---- Clients ----------------------------------------------------------------------------------------
# Assumption: ten administrators with the VMM console open, each action a request.
[clients.consoles]
count = 10

[clients.consoles.requests.console]
target = "vmm_server"
every = "5min"            # assumption
timeout = "30s"
response = { dist = "lognormal", mean = "800ms", sigma = 0.6 }   # assumption
max_attempts = 3
backoff = "1min"

# Assumption: 200 Hyper-V hosts under management. VMM refreshes each host's state on a schedule (the host
# refresher; every 30 minutes is assumed here); a refresh that fails waits for the next.
[clients.hosts]
count = 200

[clients.hosts.requests.refresh]
target = "vmm_server"
every = "30min"           # assumption (see above)
timeout = "60s"
response = { dist = "lognormal", mean = "3s", sigma = 0.7 }      # assumption
max_attempts = 2

# Assumption: each host receives a virtual machine from the library about once a week.
[clients.hosts.requests.library_copy]
target = "library"
every = "7d"
timeout = "60s"
response = { dist = "lognormal", mean = "2min", sigma = 0.8 }    # assumption: copying a VHD
max_attempts = 3
backoff = "5min"
"""

def maintenance(standalone_nodes, rolling_roles):
    out = ["# ---- Monthly security updates (Microsoft's Update Tuesday; 30 days approximates a month) ---------"]
    if standalone_nodes:
        nodes = ", ".join(f'"{n}"' for n in standalone_nodes)
        out.append(f"""\
# Standalone servers install and reboot together: assumption, 30 minutes of downtime.
[maintenance.patch_standalone]
every = "30d"
duration = "30min"
offset = "9d 22h"
nodes = [{nodes}]
""")
    for i, r in enumerate(rolling_roles):
        out.append(f"""\
# Clustered servers are patched one node at a time (assumption: 1 h each); draining the active node costs
# a failover.
[maintenance.patch_{r}]
every = "30d"
duration = "1h"
offset = "{9 + i}d 23h"
role = "{r}"
rolling = true
""")
    return "\n".join(out)

COSTS = """\
[costs]
currency = "EUR"
# Assumption: SQL Server Standard for one 8-core instance with Software Assurance (~16 000 EUR list over 5
# years plus 25% a year). A passive failover replica or cluster node needs no licence of its own under
# Software Assurance, so every layout pays one.
sql_server_licence = 7_000
operations = 5_000        # assumption: monitoring, backup software and storage, per year
"""

def costs(extra=""):
    return COSTS + extra


def write(name, title, body_parts, extra_costs="", sweep=""):
    text = "\n".join([f"# Virtual Machine Manager: {title}\n#\n" + FAMILY, COMMON] + body_parts + [SERVICES, costs(extra_costs)])
    if sweep:
        text += "\n" + sweep
    with open(os.path.join(OUT, name + ".toml"), "w") as f:
        f.write(text.rstrip() + "\n")


SAN_COST = "san_share = 4_000          # assumption: this system's share of the array, per year\n"

write("vmm-standalone",
      "the baseline. The VMM server, its database and the library share each run on\n# one server, with no failover. The VMM high-availability guide's starting point.",
      [VMM_STANDALONE, DB_STANDALONE, LIB_STANDALONE, maintenance(["vmm-1", "sql-1", "lib-1"], [])])

for n in (2, 4, 16):
    sweep = ""
    if n == 2:
        sweep = """\
# `nines sweep scenarios/vmm/vmm-cluster-2.toml`: does VMM need more than two cluster nodes?
[sweep]
"nodes.vmm.count" = "2, 3, 4, 8, 16"
"""
    write(f"vmm-cluster-{n}",
          f"the VMM management server on a {n}-node failover cluster (the guide: one VMM\n# instance on a failover cluster of up to 16 nodes). Database and library share still standalone.",
          [vmm_cluster(n), DB_STANDALONE, LIB_STANDALONE, maintenance(["sql-1", "lib-1"], ["vmm_server"])],
          sweep=sweep)

write("vmm-sql-cluster",
      "VMM on a 2-node failover cluster and its database on a 2-node SQL Server\n# failover cluster instance with shared storage (the guide: deploy the VMM database as highly available).",
      [vmm_cluster(2), DB_FCI, LIB_STANDALONE, maintenance(["lib-1"], ["vmm_server", "vmm_db"])],
      extra_costs=SAN_COST)

write("vmm-always-on",
      "VMM on a 2-node failover cluster and its database in an AlwaysOn availability\n# group of two synchronous replicas, each with its own storage.",
      [vmm_cluster(2), DB_AG, LIB_STANDALONE, maintenance(["lib-1"], ["vmm_server", "vmm_db"])])

write("vmm-full-ha",
      "every piece the guide makes highly available. VMM on a 2-node failover cluster,\n# its database in an AlwaysOn availability group, and the library share on a 2-node file server cluster.",
      [vmm_cluster(2), DB_AG, lib_cluster(True), maintenance([], ["vmm_server", "vmm_db", "library"])],
      extra_costs=SAN_COST)
print("ok")
