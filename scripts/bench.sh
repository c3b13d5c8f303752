#!/usr/bin/env bash
# Runs the Google Benchmark suites of bench/ and prints the figures and ratios of this one run.
# Usage: scripts/bench.sh [build_dir]   (`make bench` builds first, then runs this)
#
# Every figure that is compared is compared with another figure of the same run (encode vs nlohmann
# in alternating batches, in-memory vs FakeRedis, hiredis vs redis-benchmark on the same server), so
# the ratios hold on a loaded or slower machine where absolute times do not. The JSON of each suite
# is kept in <build_dir>/bench/<suite>.json and its console output in <build_dir>/bench/<suite>.txt.
# Exits non-zero when a suite is missing or a benchmark reported an error; never because a figure
# is below its target (the table says so).
set -euo pipefail

build_dir="${1:-build}"
bin_dir="$build_dir/bin"
out_dir="$build_dir/bench"
mkdir -p "$out_dir"

# Medians of three short repetitions for the micro-benchmarks; the world and redis suites fix their
# own iteration counts. The whole run stays well under two minutes on the project's 2-core machine.
micro_flags=(--benchmark_repetitions=3 --benchmark_report_aggregates_only=true --benchmark_min_time=0.2)

# run_suite NAME BINARY [flags...]: runs bin/BINARY into NAME.json and NAME.txt.
run_suite() {
  local name="$1"
  local binary="$bin_dir/$2"
  shift 2
  if [[ ! -x "$binary" ]]; then
    echo "bench: $binary is missing; build it first (make build)" >&2
    exit 1
  fi
  echo "bench: running $name ..." >&2
  "$binary" --benchmark_out="$out_dir/$name.json" --benchmark_out_format=json "$@" >"$out_dir/$name.txt" 2>&1
}

run_suite stats_bench stats_bench "${micro_flags[@]}"
run_suite pusher_bench pusher_bench "${micro_flags[@]}"
run_suite scheduler_bench scheduler_bench "${micro_flags[@]}" --benchmark_filter='BM_Scheduler'
run_suite world_bench scheduler_bench --benchmark_filter='BM_RandomWorld'
run_suite redis_bench redis_bench
run_suite fuzz_bench fuzz_bench --benchmark_filter='BM_FuzzSmall'

python3 - "$out_dir" <<'PYTHON'
import json
import os
import sys

out_dir = sys.argv[1]
errors = []


def load(suite):
    """Benchmarks of one suite by name: the median aggregate when repeated, else the single run."""
    path = os.path.join(out_dir, suite + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        data = json.load(handle)
    runs = {}
    for bench in data.get("benchmarks", []):
        if bench.get("error_occurred"):
            errors.append(f"{suite}: {bench['name']}: {bench.get('error_message', '')}")
            continue
        if bench.get("run_type") == "aggregate":
            if bench.get("aggregate_name") == "median":
                runs[bench["run_name"]] = bench
        else:
            runs.setdefault(bench.get("run_name", bench["name"]), bench)
    return runs


def get(runs, name, key):
    if runs is None:
        return None
    for run_name, bench in runs.items():
        if run_name == name or run_name.startswith(name + "/"):
            return bench.get(key)
    return None


def fmt(value, scale=1.0, digits=2, suffix=""):
    return "n/a" if value is None else f"{value / scale:.{digits}f}{suffix}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def verdict(value, target):
    if value is None:
        return ""
    return "meets target" if value >= target else "BELOW target"


stats = load("stats_bench")
pusher = load("pusher_bench")
scheduler = load("scheduler_bench")
world = load("world_bench")
redis = load("redis_bench")
fuzz = load("fuzz_bench")

print()
print("zsim benchmarks: figures of this run (medians of 3 repetitions; CPU time of one thread unless noted)")
print()
print("Stats encoding (bench/stats_bench)")
encode_ns = get(stats, "BM_StatsEncodeRatio", "encode_ns")
nlohmann_ns = get(stats, "BM_StatsEncodeRatio", "nlohmann_ns")
print(f"  core::encode_stats               {fmt(encode_ns, digits=1):>8} ns/msg   "
      f"{fmt(get(stats, 'BM_EncodeStats', 'items_per_second'), 1e6):>7} M msgs/s alone")
print(f"  nlohmann::ordered_json + dump    {fmt(nlohmann_ns, digits=1):>8} ns/msg   "
      f"{fmt(get(stats, 'BM_NlohmannStats', 'items_per_second'), 1e6):>7} M msgs/s alone")
print(f"  nlohmann / encode_stats          {fmt(get(stats, 'BM_StatsEncodeRatio', 'nlohmann_over_encode'), digits=1):>8} x"
      "        (alternating batches; DESIGN.md: ~1.4 us per nlohmann message)")
print()
print("In-process stats path: ticks of ContainerPushers -> RedisSink -> publisher (bench/pusher_bench)")
print("  target: >= 10 M stats msgs/s on one core with the in-memory publisher")
print("  node clock: the containers tick from their node's StatsClock, as in the core; own clocks: a timer each")
print("  containers x targets   node clock M/s   vs 10 M/s   events/msg   own clocks M/s   FakeRedis M/s   in-memory/FakeRedis")
for containers, targets in [(1, 1), (64, 1), (1024, 1), (1, 4), (64, 4), (1024, 4)]:
    name = f"containers:{containers}/targets:{targets}"
    in_memory = get(pusher, f"BM_StatsTickInMemory/{name}/node_clock:1", "items_per_second")
    events = get(pusher, f"BM_StatsTickInMemory/{name}/node_clock:1", "events_per_msg")
    own = get(pusher, f"BM_StatsTickInMemory/{name}/node_clock:0", "items_per_second")
    fake = get(pusher, f"BM_StatsTickFakeRedis/{name}", "items_per_second")
    print(f"  {containers:>10} x {targets:<7}   {fmt(in_memory, 1e6):>14}   {fmt(ratio(in_memory, 1e7), digits=2, suffix='x'):>9}"
          f"   {fmt(events, digits=3):>10}   {fmt(own, 1e6):>14}   {fmt(fake, 1e6):>13}   {fmt(ratio(in_memory, fake), digits=1, suffix='x'):>19}")
for targets in (1, 4, 64):
    print(f"  sink + publisher only, {targets:>2} channel(s) on one sink: "
          f"{fmt(get(pusher, f'BM_SinkPublishStats/targets:{targets}', 'items_per_second'), 1e6)} M msgs/s")
print()
print("Scheduler (bench/scheduler_bench): events scheduled and run per second")
for pending in (16, 1024, 65536):
    print(f"  hold, {pending:>6} pending        {fmt(get(scheduler, f'BM_SchedulerHold/pending:{pending}', 'items_per_second'), 1e6):>7} M events/s")
for events in (1024, 65536):
    print(f"  burst of {events:>6} same-time  {fmt(get(scheduler, f'BM_SchedulerBurst/events:{events}', 'items_per_second'), 1e6):>7} M events/s")
world_name = "BM_RandomWorld/reservations:200"
print(f"  random world (seed 7, 3 nodes, 200 reservations, 1 h of faults + liveness; wall time):")
print(f"    {fmt(get(world, world_name, 'sim_s_per_wall_s'), digits=0)} simulated s per wall s, "
      f"{fmt(get(world, world_name, 'events_per_s'), 1e6)} M scheduler events/s, "
      f"{fmt(get(world, world_name, 'sim_s'), digits=0)} simulated s per run, "
      f"violations {fmt(get(world, world_name, 'violations'), digits=0)}")
print()
print("Redis pipeline: PUBLISH of a stats message, same redis-server, same run (bench/redis_bench; wall time)")
print("  target: hiredis >= 0.9x redis-benchmark -P 128 (its default 50 clients: the 50 x 128 row)")
print("  connections x window   redis-benchmark M/s   hiredis M/s   hiredis/redis-benchmark (median of rounds, min-max)")
for messages, connections, window in ((500000, 50, 128), (100000, 1, 128), (100000, 1, 1024)):
    name = f"BM_PublishPipeline/messages:{messages}/connections:{connections}/window:{window}"
    rb = get(redis, name, "redis_benchmark_per_s")
    hi = get(redis, name, "hiredis_per_s")
    r = get(redis, name, "hiredis_over_redis_benchmark")
    spread = f"{fmt(get(redis, name, 'ratio_min'))}-{fmt(get(redis, name, 'ratio_max'))}"
    note = verdict(r, 0.9) if connections == 50 else "(same shape, for reference)"
    print(f"  {connections:>11} x {window:<6}   {fmt(rb, 1e6):>19}   {fmt(hi, 1e6):>11}   "
          f"{fmt(r, digits=2, suffix='x'):>6} ({spread})  {note}")
print()
print("Fuzzing (bench/fuzz_bench): seeds of the small profile per second on one core (wall time)")
print("  target: >= 200 seeds/s per core")
with_faults = get(fuzz, "BM_FuzzSmall", "seeds_per_second")
print(f"  with faults     {fmt(with_faults, digits=1):>7} seeds/s   {fmt(get(fuzz, 'BM_FuzzSmall', 'events_per_seed'), digits=0)} events/seed   "
      f"{verdict(with_faults, 200)}")
print(f"  without faults  {fmt(get(fuzz, 'BM_FuzzSmallNoFaults', 'seeds_per_second'), digits=1):>7} seeds/s")
print()
print(f"JSON and console output: {out_dir}/")
if errors:
    print()
    print("Benchmarks that reported an error:")
    for error in errors:
        print("  " + error)
    sys.exit(1)
PYTHON
