"""Turns bench/load.sh's results (one JSON object per line) into the table of bench/RESULTS.md, with each
figure's ratio to its baseline and the target it is held to."""
import datetime
import json
import os
import platform
import sys

rows = {}
for line in open(sys.argv[1]):
    entry = json.loads(line)
    rows[entry.pop("name")] = entry

def rps(name):
    return rows.get(name, {}).get("rps")

def spread(name):
    """The lowest and highest of a paired row's three ratios, after its median."""
    ratios = rows[name].get("pair_ratios")
    return f" ({min(ratios):.2f}-{max(ratios):.2f})" if ratios else ""

# name, what, baseline name, target ratio (None: informative)
MEASURES = [
    ("http_l1_hot", "HTTP/1.1 resolve, L1 hit, one hot key (wrk)", "baselineA_http1", 0.85),
    ("http_l1_mix", "HTTP/1.1 resolve, L1 hit, uniform mix (wrk)", "baselineA_http1_mix", 0.85),
    ("http_l1_mix_dashboard", "HTTP/1.1 resolve, L1 hit, uniform mix, dashboard open (vs the same node unwatched)", "http_l1_mix_quiet", 0.95),
    ("http_l1_mix_limited", "HTTP/1.1 resolve, L1 hit, uniform mix, rate limiter on, never reached (vs a node without)", "http_l1_mix_unlimited", 0.95),
    ("h2c_l1_hot", "HTTP/2 resolve, L1 hit, hot key (h2load)", "baselineA_h2c", 0.85),
    ("grpc_l1_hot", "gRPC Resolve, L1 hit, hot key", "baselineB_grpc", 0.80),
    ("grpc_l1_mix", "gRPC Resolve, L1 hit, uniform mix", "baselineB_grpc_mix", 0.80),
    ("http_l2_mix", "HTTP/1.1 resolve, L1 off (from Redis), uniform mix", "baselineA_http1_mix_l2", 0.50),
    ("http_registry_mix", "HTTP/1.1 resolve, no cache (from PostgreSQL), uniform mix", "baselineC_pgbench", 0.50),
    ("http_registry_mix_plain", "the same, table not partitioned (informative: partitioning's cost)", "http_registry_mix", None),
    ("http_registry_mix_multiplexed", "the same, Npgsql multiplexing on (informative; not the default)", "http_registry_mix", None),
    ("http_registry_mix_10m", "HTTP/1.1 resolve, no cache, uniform over 10M (vs the first N keys, same conditions)", "http_registry_mix_first", 0.80),
    ("db_lookup_10000000", "the database alone (pgbench, the node's lookup), uniform over 10M vs the first N", "db_lookup_100000", None),
]

print(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()} "
      f"({os.cpu_count()} cores, {platform.machine()}), load generator on the same machine; command: `{sys.argv[2]}`\n")
print("| measure | rps | p50 ms | p99 ms | baseline | baseline rps | ratio | target | met |")
print("|---|---:|---:|---:|---|---:|---:|---:|---|")
for name, what, base, target in MEASURES:
    if name not in rows:
        continue
    # Runs before the L2 row was paired compared it with the L1 mix's baseline.
    if name == "http_l2_mix" and base not in rows:
        base = "baselineA_http1_mix"
    # Runs before these two were paired compared them with the mix row.
    if name in ("http_l1_mix_dashboard", "http_l1_mix_limited") and base not in rows:
        base = "http_l1_mix"
    r, b = rps(name), rps(base)
    ratio = r / b if r and b else None
    met = "" if target is None or ratio is None else ("yes" if ratio >= target else "**no**")
    p50 = rows[name].get("p50_ms", "")
    p99 = rows[name].get("p99_ms", "")
    goal = "-" if target is None else f">= {target}"
    shown = "-" if ratio is None else f"{ratio:.2f}" + spread(name)
    print(f"| {what} | {r:.0f} | {p50} | {p99} | {base} | {b or 0:.0f} | {shown} | {goal} | {met} |")

for name, what, single_name, target in [
        ("grpc_batch100", "BatchResolve of 100, identifiers/s", "grpc_single_for_batch", 10),
        ("grpc_batch100_1k", "the same over 1,000 identifiers (fit the CPU cache; informative)", "grpc_single_1k", None)]:
    if name not in rows:
        continue
    # Runs before the pairing compared with the gRPC mix row.
    single_name = single_name if single_name in rows else "grpc_l1_mix"
    batch, single, b = rows[name]["ids_per_s"], rps(single_name), rows[name]
    if not single:
        continue
    met = "" if target is None else ("yes" if batch / single >= target else "**no**")
    print(f"| {what} | {batch:.0f} | {b['p50_ms']} | {b['p99_ms']} | {single_name} | {single:.0f} | {batch / single:.1f}{spread(name)} "
          f"| {'-' if target is None else f'>= {target}'} | {met} |")
def p99s(o):
    """A median open-loop run's p99, with the range of every run's p99 where the run kept them."""
    runs = o.get("p99_runs")
    return f"{o['p99_ms']} ({min(runs)}-{max(runs)})" if runs else f"{o['p99_ms']}"

if "http_l1_open_half" in rows:
    o = rows["http_l1_open_half"]
    print(f"| HTTP open loop at 50% of the mix maximum, p99 from intended send time (median run) | {o['rps']:.0f} | {o['p50_ms']} "
          f"| {p99s(o)} | - | - | - | p99 <= 2 ms | {'yes' if o['p99_ms'] <= 2 and not o.get('errors') else '**no**'} |")
if "baselineA_open_half" in rows:
    o = rows["baselineA_open_half"]
    print(f"| the same open loop against baseline A (median run) | {o['rps']:.0f} | {o['p50_ms']} | {p99s(o)} | - | - | - | - | |")
if "http_l1_open_half_gc" in rows:
    g = rows["http_l1_open_half_gc"]
    mean = g["pause_ms"] / g["collections"] if g["collections"] else 0
    over = f"its {g['runs']} open loops" if g.get("runs") else "its open loop"
    print(f"| the node's garbage collections during {over} (runtime metrics): {g['collections']}, pausing it "
          f"{g['pause_ms']} ms in all ({mean:.1f} ms each) | | | | - | - | - | (informative) | |")
if "l1_rows_not_from_memory" in rows:
    n = rows["l1_rows_not_from_memory"]["answers"]
    print(f"| resolves answered from Redis or PostgreSQL during the L1 rows (each should be an L1 hit) | {n} | | | - | - | - | 0 "
          f"| {'yes' if n == 0 else '**no**'} |")
if "http_l1_hot_alloc" in rows:
    print(f"| Bytes the node allocates per L1-hit HTTP request (runtime metric over the hot-key run, framework included) "
          f"| {rows['http_l1_hot_alloc']['bytes_per_request']} B | | | - | - | - | (informative) | |")
if "memory_1m" in rows:
    m, held = rows["memory_1m"]["rss_mib"], rows["memory_1m"].get("entries")
    # Runs before session 16 did not count the entries held (their budget held ~880k of the 1M).
    what = "RSS with 1M identifiers in L1" + ("" if held is None else f" ({held} entries held)")
    met = m <= 1024 and (held is None or held >= 1000000)
    print(f"| {what} | {m} MiB | | | - | - | - | <= 1024 MiB | {'yes' if met else '**no**'} |")

print("\nBaselines: " + ", ".join(f"{k} {v.get('rps', 0):.0f} rps" for k, v in rows.items() if k.startswith("baseline")))
errors = {k: v["errors"] for k, v in rows.items() if v.get("errors")}
print("Errors: " + (", ".join(f"{k} {v}" for k, v in errors.items()) if errors else "none"))
