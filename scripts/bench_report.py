#!/usr/bin/env python3
"""Runs zsim's benchmark suites and writes a report: tables of ratios, SVG plots, machine facts.

This is what `zsim bench` runs; it can also be run by hand:

  bench_report.py run --bin-dir build/bin --out reports [--quick]
      Runs every suite of bench/ (Google Benchmark, JSON output) and redis-benchmark (inside
      bench/redis_bench, on the same redis-server as hiredis), then renders the report.
  bench_report.py render --out DIR
      Renders DIR/report.md and DIR/*.svg again from DIR/raw/*.json, without running anything.

DIR/report.md holds the tables and one line per target of issue 13 ("met" or "missed by X×");
DIR/*.svg the plots (gnuplot's svg terminal); DIR/raw/ the JSON of each suite, its console output,
machine.json (the machine facts) and the gnuplot scripts. Progress goes to stderr.

Exit codes: 0 report written, every suite ran; 1 report written, but a suite failed or a
benchmark reported an error (the report names it); 2 bad arguments, a missing tool or binary, or
a folder that cannot be written. A figure below its target is never an error: the report says so.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone

EXIT_OK = 0
EXIT_SUITE_FAILED = 1
EXIT_USAGE = 2

# Medians of three short repetitions for the micro-benchmarks in a full run, one in --quick. The
# world, grid, redis and fuzz suites fix their own iteration counts.
MICRO_FULL = ["--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true", "--benchmark_min_time=0.2"]
MICRO_QUICK = ["--benchmark_min_time=0.05"]
# A suite that runs longer than this is stopped and counted failed: a stalled server or a
# simulator that went far slower than it should must not hang the report.
SUITE_TIMEOUT_S = {"quick": 180, "full": 1200}


class UsageError(Exception):
    """Bad arguments, a missing tool or binary, or a folder that cannot be written (exit 2)."""


def progress(message):
    print(f"zsim bench: {message}", file=sys.stderr, flush=True)


# --- The suites -------------------------------------------------------------------------------

def suites(quick):
    """(name, binary, arguments, what it measures) of every suite, in the order they run."""
    micro = MICRO_QUICK if quick else MICRO_FULL
    grid = ["--grid_quick"] if quick else []
    redis = ["--benchmark_filter=BM_PublishPipeline/messages:500000/connections:50/"] if quick else []
    fuzz = "--benchmark_filter=^BM_FuzzSmall/" if quick else "--benchmark_filter=^BM_FuzzSmall"
    return [
        ("stats_bench", "stats_bench", micro, "stats encoding against nlohmann/json"),
        ("pusher_bench", "pusher_bench", micro, "the in-process stats path"),
        ("scheduler_bench", "scheduler_bench", micro + ["--benchmark_filter=BM_Scheduler"], "the scheduler"),
        ("world_bench", "scheduler_bench", ["--benchmark_filter=BM_RandomWorld"], "a 3-node random world with faults"),
        ("redis_bench", "redis_bench", redis, "hiredis against redis-benchmark -P 128 on one redis-server"),
        ("fuzz_bench", "fuzz_bench", [fuzz], "fuzz seeds per second on one core"),
        ("grid_bench", "grid_bench", grid, "the reference grid, the scaling grids and idle memory"),
    ]


def check_tools(bin_dir, quick):
    for _, binary, _, _ in suites(quick):
        path = os.path.join(bin_dir, binary)
        if not os.access(path, os.X_OK):
            raise UsageError(f"{path} is missing: build the benchmarks first (cmake --build build)")
    for tool, package in (("gnuplot", "gnuplot-nox"), ("redis-benchmark", "redis-tools"), ("redis-server", "redis-server")):
        if shutil.which(tool) is None:
            raise UsageError(f"{tool} not found on PATH: install {package} (scripts/install_deps.sh)")


def run_suite(bin_dir, raw_dir, suite, index, total, timeout_s):
    """Runs one suite into raw/NAME.json and raw/NAME.txt; returns an error line or None."""
    name, binary, arguments, what = suite
    progress(f"[{index}/{total}] {name}: {what} ...")
    started = time.monotonic()
    json_path = os.path.join(raw_dir, name + ".json")
    if os.path.exists(json_path):
        os.remove(json_path)
    command = [os.path.join(bin_dir, binary), f"--benchmark_out={json_path}", "--benchmark_out_format=json"] + arguments
    with open(os.path.join(raw_dir, name + ".txt"), "w") as console:
        try:
            finished = subprocess.run(command, stdout=console, stderr=subprocess.STDOUT, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return f"{name}: stopped after {timeout_s} s"
    elapsed = time.monotonic() - started
    progress(f"[{index}/{total}] {name}: done in {elapsed:.1f} s")
    if finished.returncode != 0:
        return f"{name}: exited with {finished.returncode} (see raw/{name}.txt)"
    try:
        with open(json_path) as handle:
            benchmarks = json.load(handle).get("benchmarks", [])
    except (OSError, ValueError):
        return f"{name}: wrote no JSON (see raw/{name}.txt)"
    if not benchmarks:
        return f"{name}: ran no benchmark (see raw/{name}.txt)"
    return None


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=20, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_mib():
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def build_facts(bin_dir):
    """What CMake wrote beside the binaries (bench/build_facts.json.in): compiler, flags, sources."""
    try:
        with open(os.path.join(bin_dir, "zsim-build.json")) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def machine_facts(bin_dir, quick):
    facts = build_facts(bin_dir)
    source_dir = facts.get("source_dir") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = command_output(["git", "-C", source_dir, "rev-parse", "HEAD"]) or "unknown"
    dirty = command_output(["git", "-C", source_dir, "status", "--porcelain", "--untracked-files=no"]) != ""
    return {
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": "quick" if quick else "full",
        "cores": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_total_mib": memory_total_mib(),
        "kernel": platform.release(),
        "os": command_output(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]) or platform.system(),
        "compiler": f"{facts.get('compiler_id', '?')} {facts.get('compiler_version', '?')}",
        "build_type": facts.get("build_type", "?"),
        "cxx_flags": facts.get("cxx_flags", "?"),
        "zsim_version": facts.get("version", "?"),
        "commit": commit,
        "dirty": dirty,
        "redis_server": command_output(["redis-server", "--version"]),
        "gnuplot": command_output(["gnuplot", "--version"]),
        "load_average_start": list(os.getloadavg()),
    }


def run_all(bin_dir, out_dir, quick):
    check_tools(bin_dir, quick)
    raw_dir = os.path.join(out_dir, "raw")
    try:
        os.makedirs(raw_dir, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {out_dir}: cannot create {raw_dir}: {error.strerror}") from error
    if not os.access(raw_dir, os.W_OK):
        raise UsageError(f"--out {out_dir}: {raw_dir} is not writable")
    mode = "quick" if quick else "full"
    progress(f"{mode} run into {out_dir} ({'under a minute' if quick else 'about 10 minutes'} on 2 cores)")
    machine = machine_facts(bin_dir, quick)
    started = time.monotonic()
    failures = []
    all_suites = suites(quick)
    for index, suite in enumerate(all_suites, start=1):
        error = run_suite(bin_dir, raw_dir, suite, index, len(all_suites), SUITE_TIMEOUT_S[mode])
        if error:
            progress("FAILED " + error)
            failures.append(error)
    machine["duration_s"] = round(time.monotonic() - started, 1)
    machine["load_average_end"] = list(os.getloadavg())
    machine["suite_failures"] = failures
    with open(os.path.join(raw_dir, "machine.json"), "w") as handle:
        json.dump(machine, handle, indent=2)
        handle.write("\n")
    return render(out_dir)


# --- Reading the JSON -------------------------------------------------------------------------

class Results:
    """The benchmarks of every suite, by suite and run name (the median aggregate when repeated)."""

    def __init__(self, raw_dir):
        self.raw_dir = raw_dir
        self.errors = []
        self.suites = {}
        self.contexts = {}
        for name in ("stats_bench", "pusher_bench", "scheduler_bench", "world_bench", "redis_bench", "fuzz_bench",
                     "grid_bench"):
            self.suites[name] = self._load(name)

    def _load(self, suite):
        path = os.path.join(self.raw_dir, suite + ".json")
        if not os.path.exists(path):
            return None
        try:
            with open(path) as handle:
                data = json.load(handle)
        except ValueError as error:
            self.errors.append(f"{suite}: raw/{suite}.json is not valid JSON: {error}")
            return {}
        self.contexts[suite] = data.get("context", {})
        runs = {}
        for bench in data.get("benchmarks", []):
            name = bench.get("run_name", bench.get("name", ""))
            if bench.get("error_occurred"):
                self.errors.append(f"{suite}: {bench.get('name')}: {bench.get('error_message', '')}")
                continue
            if bench.get("run_type") == "aggregate":
                if bench.get("aggregate_name") == "median":
                    runs[name] = bench
            else:
                runs.setdefault(name, bench)
        return runs

    def get(self, suite, name, key):
        """The field of the first run whose name is `name` or starts with `name/`."""
        runs = self.suites.get(suite)
        if not runs:
            return None
        for run_name, bench in runs.items():
            if run_name == name or run_name.startswith(name + "/"):
                value = bench.get(key)
                return value if isinstance(value, (int, float)) else None
        return None

    def matching(self, suite, pattern):
        """(match, bench) of every run whose name matches the regular expression, in file order."""
        runs = self.suites.get(suite) or {}
        found = []
        for run_name, bench in runs.items():
            match = re.match(pattern, run_name)
            if match:
                found.append((match, bench))
        return found


def seconds(bench, key):
    """A benchmark's real_time or cpu_time in seconds."""
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[bench.get("time_unit", "ns")]
    return bench[key] * scale


def grid_rows(results):
    """One row per simulated world: the reference grid, the 3-node world and the scaling grids."""
    rows = []
    reference = results.matching("grid_bench", r"BM_ReferenceGrid")
    for _, bench in reference:
        rows.append(world_row("reference grid (zsim sim --seed 3 --nodes 100 --reservations 1000 --duration 1h "
                              "--no-faults)", 100, 1000, bench, "reference"))
    for _, bench in results.matching("world_bench", r"BM_RandomWorld/reservations:(\d+)"):
        rows.append(world_row("random world with faults (seed 7, 3 nodes, 200 reservations, 1 h)", 3, 200, bench, "faults"))
    for match, bench in results.matching("grid_bench", r"BM_Grid/containers:(\d+)/nodes:(\d+)/minutes:(\d+)"):
        containers, nodes, minutes = (int(group) for group in match.groups())
        row = world_row(f"grid of {containers:,} containers, {minutes} min + 3 min tail", nodes, containers, bench, "grid")
        row["minutes"] = minutes
        row["cost_us"] = bench.get("wall_s_per_container_s", 0) * 1e6 or None
        row["container_s"] = bench.get("container_s")
        row["cost_cpu_us"] = row["cpu_s"] / row["container_s"] * 1e6 if row["container_s"] else None
        rows.append(row)
    return rows


def world_row(title, nodes, containers, bench, kind):
    sim_s = bench.get("sim_s", 0)
    cpu_s = seconds(bench, "cpu_time")
    return {"title": title, "kind": kind, "nodes": nodes, "containers": containers, "sim_s": sim_s,
            "wall_s": seconds(bench, "real_time"), "cpu_s": cpu_s, "speed": bench.get("sim_s_per_wall_s"),
            "speed_cpu": sim_s / cpu_s if cpu_s > 0 else None, "rss_mib": bench.get("rss_peak_mib")}


def idle_rows(results):
    rows = {}
    for match, bench in results.matching("grid_bench", r"BM_IdleMemory/containers:(\d+)/endpoints:(\d)"):
        containers, endpoints = int(match.group(1)), int(match.group(2))
        rows.setdefault(containers, {"containers": containers, "nodes": int(bench.get("nodes", 0))})
        rows[containers]["with" if endpoints else "bare"] = bench.get("malloc_bytes_per_container")
    return [rows[key] for key in sorted(rows)]


# --- Formatting -------------------------------------------------------------------------------

def fmt(value, digits=2, scale=1.0, suffix=""):
    if value is None:
        return "n/a"
    return f"{value / scale:,.{digits}f}{suffix}"


def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def verdict(value, target, at_least=True):
    """'met', 'missed by X×', or 'not measured'."""
    if value is None:
        return "not measured in this run"
    if (value >= target) if at_least else (value <= target):
        return "**met**"
    distance = target / value if at_least else value / target
    return f"**missed by {distance:.2f}×**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- Plots ------------------------------------------------------------------------------------

def gnuplot_string(text):
    return "'" + text.replace("'", "''") + "'"


def plot(out_dir, name, title, axes, series, lines=()):
    """Writes DIR/NAME.svg with gnuplot from inline data; the script stays in DIR/raw/NAME.gp.

    axes: (x label, y label, log x, log y). series: (title, [(x, y)...]) drawn as lines with
    points. lines: (title, y) drawn dashed across the plot (targets). Returns an error or None.
    """
    series = [(label, points) for label, points in series if points]
    if not series:
        return f"{name}.svg: no data to plot"
    xlabel, ylabel, logx, logy = axes
    script = ["set terminal svg size 760,500 dynamic noenhanced font 'sans,13' background rgb 'white'",
              f"set output {gnuplot_string(name + '.svg')}",
              f"set title {gnuplot_string(title)}", f"set xlabel {gnuplot_string(xlabel)}",
              f"set ylabel {gnuplot_string(ylabel)}", "set grid", "set key below",
              "set format y '%g'", "set format x '%g'"]
    xs = [x for _, points in series for x, _ in points]
    ys = [y for _, points in series for _, y in points] + [y for _, y in lines]
    if logx:
        script += ["set logscale x", f"set xrange [{min(xs) / 2:g}:{max(xs) * 2:g}]"]
    else:
        script.append(f"set xrange [{min(xs) - 0.5:g}:{max(xs) + 0.5:g}]")
    # The y range holds every point and every target line, so a target far away still shows.
    if logy:
        script += ["set logscale y", f"set yrange [{min(ys) / 2:g}:{max(ys) * 2:g}]"]
    else:
        script.append(f"set yrange [0:{max(ys) * 1.15:g}]")
    clauses = []
    for index, (label, points) in enumerate(series):
        script.append(f"$s{index} << EOD")
        script += [f"{x:g} {y:g}" for x, y in sorted(points)]
        script.append("EOD")
        clauses.append(f"$s{index} using 1:2 with linespoints lw 2 pt 7 ps 0.8 title {gnuplot_string(label)}")
    for (label, y), colour in zip(lines, ("#c00000", "#e08000", "#808080")):
        clauses.append(f"{y:g} with lines dashtype 2 lw 1.5 lc rgb '{colour}' title {gnuplot_string(label)}")
    script.append("plot " + ", \\\n     ".join(clauses))
    script_path = os.path.join(out_dir, "raw", name + ".gp")
    with open(script_path, "w") as handle:
        handle.write("\n".join(script) + "\n")
    # From the report's folder, so that the script names its output as `cd DIR && gnuplot raw/NAME.gp` does.
    finished = subprocess.run(["gnuplot", os.path.join("raw", name + ".gp")], cwd=out_dir, capture_output=True,
                              text=True, timeout=60, check=False)
    if finished.returncode != 0:
        return f"{name}.svg: gnuplot failed: {finished.stderr.strip().splitlines()[-1:]}"
    return None


def plot_stats(out_dir, results):
    series = []
    for title, template in (("node clock, 1 target", "BM_StatsTickInMemory/containers:{}/targets:1/node_clock:1"),
                            ("own clocks, 1 target", "BM_StatsTickInMemory/containers:{}/targets:1/node_clock:0"),
                            ("node clock, 4 targets", "BM_StatsTickInMemory/containers:{}/targets:4/node_clock:1"),
                            ("FakeRedis, 1 target", "BM_StatsTickFakeRedis/containers:{}/targets:1")):
        points = []
        for containers in (1, 64, 1024):
            value = results.get("pusher_bench", template.format(containers), "items_per_second")
            if value is not None:
                points.append((containers, value / 1e6))
        series.append((title, points))
    return plot(out_dir, "stats_throughput", "In-process stats path: messages per second on one core",
                ("containers on one node", "M stats messages/s", True, False), series, [("target 10 M/s", 10)])


def plot_world(out_dir, rows):
    grids = [(row["containers"], row["speed"]) for row in rows if row["kind"] == "grid" and row["speed"]]
    reference = [(row["containers"], row["speed"]) for row in rows if row["kind"] == "reference" and row["speed"]]
    minutes = sorted({row["minutes"] for row in rows if row["kind"] == "grid"})
    label = f"grids, {'/'.join(str(m) for m in minutes)} min + tail (bench/grid_world)"
    return plot(out_dir, "world_speed", "World speed: simulated seconds per wall-clock second",
                ("containers (one node per ten)", "simulated s per wall s", True, True),
                [(label, grids), ("reference grid, 1 h (zsim sim)", reference)],
                [("target 10,000x (reference grid)", 10000), ("target 5,000x (100k containers)", 5000)])


def plot_cost(out_dir, rows):
    grids = [row for row in rows if row["kind"] == "grid" and row.get("cost_us")]
    wall = [(row["containers"], row["cost_us"]) for row in grids]
    cpu = [(row["containers"], row["cost_cpu_us"]) for row in grids if row.get("cost_cpu_us")]
    lines = []
    for label, points in (("wall", wall), ("CPU", cpu)):
        if points:
            smallest = min(points)
            lines.append((f"{label}: {smallest[0]:,} containers + 20 %", smallest[1] * 1.2))
    return plot(out_dir, "cost_per_container", "Cost per container-second",
                ("containers (one node per ten)", "microseconds per container-second", True, False),
                [("wall time", wall), ("CPU time", cpu)], lines)


def plot_memory(out_dir, idle):
    bare = [(row["containers"], row["bare"] / 1024) for row in idle if row.get("bare") is not None]
    with_endpoints = [(row["containers"], row["with"] / 1024) for row in idle if row.get("with") is not None]
    return plot(out_dir, "memory_per_container", "Memory per idle running container (malloc bytes in use)",
                ("containers", "KiB per container", True, False),
                [("no endpoints", bare), ("logs and stats endpoints", with_endpoints)], [("target 4 KiB", 4)])


# --- The report -------------------------------------------------------------------------------

def largest_grid(rows):
    grids = [row for row in rows if row["kind"] == "grid"]
    return max(grids, key=lambda row: row["containers"]) if grids else None


def smallest_grid(rows):
    grids = [row for row in rows if row["kind"] == "grid"]
    return min(grids, key=lambda row: row["containers"]) if grids else None


def targets_section(results, rows, idle):
    """One line per target of issue 13: what was measured, and met or missed by how much."""
    reference = next((row for row in rows if row["kind"] == "reference"), None)
    grid_100k = next((row for row in rows if row["kind"] == "grid" and row["containers"] == 100_000), None)
    small, large = smallest_grid(rows), largest_grid(rows)
    flat = ratio(large["cost_us"], small["cost_us"]) if small and large and large is not small else None
    flat_cpu = ratio(large["cost_cpu_us"], small["cost_cpu_us"]) if small and large and large is not small else None
    flat_note = (f"{large['containers']:,} ÷ {small['containers']:,} containers: {fmt(flat)}×" if flat else "n/a")
    largest_idle = idle[-1] if idle else None
    idle_bytes = largest_idle.get("bare") if largest_idle else None
    hiredis = results.get("redis_bench", "BM_PublishPipeline/messages:500000/connections:50/window:128",
                          "hiredis_over_redis_benchmark")
    stats_1x1 = results.get("pusher_bench", "BM_StatsTickInMemory/containers:1/targets:1/node_clock:1", "items_per_second")
    fuzz = results.get("fuzz_bench", "BM_FuzzSmall", "seeds_per_second")
    reference_speed, reference_cpu = (reference["speed"], reference["speed_cpu"]) if reference else (None, None)
    large_speed, large_cpu = (grid_100k["speed"], grid_100k["speed_cpu"]) if grid_100k else (None, None)
    lines = [
        ("the reference grid ≥ 10,000× real time", fmt(reference_speed, 0, suffix="×"),
         verdict(reference_speed, 10_000), f"{fmt(reference_cpu, 0, suffix='×')}: {verdict(reference_cpu, 10_000)}"),
        ("100k containers ≥ 5,000× real time", fmt(large_speed, 1, suffix="×"), verdict(large_speed, 5_000),
         f"{fmt(large_cpu, 1, suffix='×')}: {verdict(large_cpu, 5_000)}" if grid_100k else ""),
        ("cost per container-second flat within 20 % from 1k to 100k containers", flat_note,
         verdict(flat if grid_100k else None, 1.2, at_least=False),
         f"{fmt(flat_cpu, suffix='×')}: {verdict(flat_cpu, 1.2, at_least=False)}" if grid_100k else ""),
        ("≤ 4 KiB per idle container beyond its stats/log buffers",
         f"{fmt(idle_bytes, 1, 1024, ' KiB')} at {largest_idle['containers']:,}" if largest_idle else "n/a",
         verdict(idle_bytes, 4096, at_least=False), ""),
        ("hiredis ≥ 0.9× redis-benchmark -P 128", fmt(hiredis, suffix="×"), verdict(hiredis, 0.9), ""),
        ("in-process stats ≥ 10 M/s on one core, one container, one target", fmt(stats_1x1, 1, 1e6, " M/s"),
         verdict(stats_1x1, 10e6), ""),
        ("zsim fuzz ≥ 200 seeds/s per core (small profile)", fmt(fuzz, 1, suffix=" seeds/s"), verdict(fuzz, 200), ""),
    ]
    out = ["## Targets (issue 13)", "",
           table(["target", "measured", "verdict", "on CPU time instead of wall time"], lines), "",
           "Speeds are simulated seconds per wall-clock second, as the targets say; the last column divides by "
           "the CPU time of the benchmark's thread instead, which a loaded machine disturbs less.", ""]
    if not grid_100k:
        out += ["A `--quick` run has no 100,000-container grid: the two lines that need one say so; "
                f"its scaling figure is {flat_note}.", ""]
    else:
        out += speed_and_cost_note(grid_100k, small)
    return out


def speed_and_cost_note(large, small):
    """What the 100k speed target asks of each container-second, next to what was measured."""
    if not large.get("container_s") or not large.get("sim_s") or not large.get("cost_us"):
        return []
    running = large["container_s"] / large["sim_s"]
    needed_ns = 1e9 / (5_000 * running)
    return ["A grid's speed is 1 ÷ (cost per container-second × containers running at once), so at a flat cost "
            "it falls in proportion to the containers: the 100,000-container grid ran "
            f"{running:,.0f} containers at once on average (container-seconds ÷ simulated seconds), and 5,000× "
            f"real time would allow each container-second {needed_ns:,.1f} ns of wall time, against "
            f"{large['cost_us']:,.2f} µs measured ({small['containers']:,} containers: {small['cost_us']:,.2f} µs). "
            "The issue's figure of 49× for 100,000 reservations came from `zsim sim` on 100 nodes, which refuse "
            "most of them; here every one runs.", ""]


def machine_section(machine, results):
    context = results.contexts.get("grid_bench") or next(iter(results.contexts.values()), {})
    load_start = machine.get("load_average_start") or []
    load_end = machine.get("load_average_end") or []
    rows = [
        ("date", machine.get("date_utc", "?")),
        ("run", f"{machine.get('mode', '?')}, {fmt(machine.get('duration_s'), 0)} s"),
        ("cores", f"{machine.get('cores', '?')} × {machine.get('cpu_model', '?')}"),
        ("memory", f"{fmt(machine.get('memory_total_mib'), 0)} MiB"),
        ("system", f"{machine.get('os', '?')}, Linux {machine.get('kernel', '?')}"),
        ("compiler", f"{machine.get('compiler', '?')}, {machine.get('build_type', '?')} ({machine.get('cxx_flags', '?')})"),
        ("commit", f"{machine.get('commit', '?')}{' (uncommitted changes)' if machine.get('dirty') else ''}"),
        ("zsim", machine.get("zsim_version", "?")),
        ("redis", machine.get("redis_server", "?")),
        ("gnuplot", machine.get("gnuplot", "?")),
        ("Google Benchmark library", f"{context.get('library_build_type', '?')} build (Debian's package)"),
        ("load average (1, 5, 15 min)", f"{' '.join(fmt(v) for v in load_start)} at the start, "
                                        f"{' '.join(fmt(v) for v in load_end)} at the end"),
    ]
    return ["## Machine", "", table(["", ""], rows), "",
            "The machine is shared: wall-clock figures move with its load; CPU-time figures and ratios within "
            "one run move much less.", ""]


def worlds_section(rows):
    out = ["## Simulated seconds per wall second, per grid size", "",
           "![world speed](world_speed.svg)", "",
           table(["world", "nodes", "containers", "simulated s", "wall s", "sim s per wall s", "sim s per CPU s",
                  "peak RSS MiB"],
                 [(row["title"], f"{row['nodes']:,}", f"{row['containers']:,}", fmt(row["sim_s"], 0),
                   fmt(row["wall_s"], 2), fmt(row["speed"], 0), fmt(row["speed_cpu"], 0), fmt(row["rss_mib"], 0))
                  for row in rows]), "",
           "The reference grid is `zsim sim`'s random world: its reservations live 5 to 60 minutes, three in "
           "five have logs and three in five stats, some are invalid, and a 30-minute liveness phase follows "
           "the hour. The grids (bench/grid_world.*) keep one node per ten containers so that every container "
           "runs: all have logs and stats, arrive in the first half of the duration and run to its end, and a "
           "3-minute tail of decommissions follows. All grids share one duration so that they compare; the "
           "100,000-container grid is why it is short (a full run stays within about 10 minutes).", ""]
    return out


def cost_section(rows):
    grids = [row for row in rows if row["kind"] == "grid"]
    if not grids:
        return []
    small = smallest_grid(rows)
    body = [(f"{row['containers']:,}", f"{row['nodes']:,}", fmt(row.get("container_s"), 0),
             fmt(row.get("cost_us"), 2), fmt(ratio(row.get("cost_us"), small.get("cost_us")), 2, suffix="×"),
             fmt(row.get("cost_cpu_us"), 2), fmt(ratio(row.get("cost_cpu_us"), small.get("cost_cpu_us")), 2, suffix="×"))
            for row in grids]
    return ["## Cost per container: 1k against larger grids", "", "![cost per container-second](cost_per_container.svg)",
            "", table(["containers", "nodes", "container-seconds", "wall µs per container-second",
                       f"÷ {small['containers']:,} containers", "CPU µs per container-second",
                       f"÷ {small['containers']:,} containers"], body), "",
            "Container-seconds are counted by the stats clocks: every grid container has a stats endpoint, "
            "whose clock ticks every 2 s while it runs, so container-seconds = 2 s × ticks. The cost is the "
            "run's wall time (building the world, provisioning, running, the tail, the checker) divided by them.", ""]


def memory_section(idle):
    if not idle:
        return []
    body = []
    for row in idle:
        bare, endpoints = row.get("bare"), row.get("with")
        share = endpoints - bare if bare is not None and endpoints is not None else None
        body.append((f"{row['containers']:,}", f"{row['nodes']:,}", fmt(bare, 0), fmt(endpoints, 0), fmt(share, 0)))
    return ["## Memory per idle container", "", "![memory per container](memory_per_container.svg)", "",
            table(["containers", "nodes", "bytes, no endpoints", "bytes, logs + stats endpoints",
                   "the endpoints' share"], body), "",
            "Measured in one world between two moments: every node up with its networks, then every "
            "container running (quiet programs, 200 per node). The figure is the change of glibc's "
            "`mallinfo2()` bytes in use (arena chunks + mmapped chunks) divided by the containers: "
            "everything the simulator holds for one, the core's state, the fake runtime's container, the "
            "explorer's copy of the reservation and result, the checker's bookkeeping. The target counts a "
            "container beyond its stats/log buffers: the no-endpoints column. With endpoints, the figure also "
            "holds the sinks, their connections and the fake redis's state for three channels per container, "
            "including a ring of the last 64 payloads of each channel, which fills as stats arrive.", ""]


def stats_section(results):
    body = []
    for containers, targets in ((1, 1), (64, 1), (1024, 1), (1, 4), (64, 4), (1024, 4)):
        name = f"containers:{containers}/targets:{targets}"
        node = results.get("pusher_bench", f"BM_StatsTickInMemory/{name}/node_clock:1", "items_per_second")
        own = results.get("pusher_bench", f"BM_StatsTickInMemory/{name}/node_clock:0", "items_per_second")
        fake = results.get("pusher_bench", f"BM_StatsTickFakeRedis/{name}", "items_per_second")
        body.append((f"{containers} × {targets}", fmt(node, 1, 1e6), fmt(own, 1, 1e6), fmt(fake, 2, 1e6),
                     fmt(ratio(node, fake), 1, suffix="×")))
    return ["## In-process stats path", "", "![stats throughput](stats_throughput.svg)", "",
            "M stats messages per second on one core (bench/pusher_bench: ticks of the core's pushers through "
            "its redis sink into a publisher; CPU time).", "",
            table(["containers × targets", "node clock", "own clocks", "FakeRedis", "in-memory ÷ FakeRedis"], body), ""]


def encoding_section(results):
    encode = results.get("stats_bench", "BM_StatsEncodeRatio", "encode_ns")
    nlohmann = results.get("stats_bench", "BM_StatsEncodeRatio", "nlohmann_ns")
    speedup = results.get("stats_bench", "BM_StatsEncodeRatio", "nlohmann_over_encode")
    return ["## Stats encoding: ours ÷ nlohmann", "",
            table(["encoder", "ns per message", "M messages/s alone"],
                  [("core::encode_stats (std::to_chars)", fmt(encode, 1),
                    fmt(results.get("stats_bench", "BM_EncodeStats", "items_per_second"), 2, 1e6)),
                   ("nlohmann::ordered_json + dump", fmt(nlohmann, 1),
                    fmt(results.get("stats_bench", "BM_NlohmannStats", "items_per_second"), 2, 1e6))]), "",
            f"nlohmann's time ÷ ours: **{fmt(speedup, 1)}×** (alternating batches on the thread's CPU clock).", ""]


def redis_section(results):
    body = []
    for messages, connections, window in ((500000, 50, 128), (100000, 1, 128), (100000, 1, 1024)):
        name = f"BM_PublishPipeline/messages:{messages}/connections:{connections}/window:{window}"
        value = results.get("redis_bench", name, "hiredis_over_redis_benchmark")
        if value is None:
            continue
        body.append((f"{connections} × {window}", fmt(results.get("redis_bench", name, "redis_benchmark_per_s"), 2, 1e6),
                     fmt(results.get("redis_bench", name, "hiredis_per_s"), 2, 1e6), f"**{fmt(value)}×**",
                     f"{fmt(results.get('redis_bench', name, 'ratio_min'))}–{fmt(results.get('redis_bench', name, 'ratio_max'))}"))
    return ["## Redis pipeline: ours ÷ redis-benchmark", "",
            "PUBLISH of one stats message on the same redis-server in the same run (bench/redis_bench; wall "
            "time; the two take turns going first, 10 rounds). 50 × 128 is `redis-benchmark -P 128` with its "
            "default 50 clients, the issue's comparison.", "",
            table(["connections × window", "redis-benchmark M/s", "hiredis M/s", "hiredis ÷ redis-benchmark (median)",
                   "min–max of rounds"], body), ""]


def fuzz_and_scheduler_section(results):
    rows = [("fuzz seeds/s on one core, small profile with faults",
             fmt(results.get("fuzz_bench", "BM_FuzzSmall", "seeds_per_second"), 1)),
            ("fuzz seeds/s on one core, small profile without faults",
             fmt(results.get("fuzz_bench", "BM_FuzzSmallNoFaults", "seeds_per_second"), 1))]
    for pending in (16, 1024, 65536):
        rows.append((f"scheduler hold, {pending:,} pending: M events/s",
                     fmt(results.get("scheduler_bench", f"BM_SchedulerHold/pending:{pending}", "items_per_second"), 1, 1e6)))
    for events in (1024, 65536):
        rows.append((f"scheduler burst of {events:,} same-time timers: M events/s",
                     fmt(results.get("scheduler_bench", f"BM_SchedulerBurst/events:{events}", "items_per_second"), 1, 1e6)))
    rows = [row for row in rows if row[1] != "n/a"]
    return ["## Fuzzing and the scheduler", "", table(["figure", "value"], rows), "",
            "A fuzz seed is a whole world generated, run with every property checked, and its coverage counted, "
            "as `zsim fuzz` runs one; the suite runs on one thread, so seeds/s is per core.", ""]


def raw_section(out_dir, failures, errors, plot_errors):
    raw = sorted(name for name in os.listdir(os.path.join(out_dir, "raw")) if name.endswith(".json"))
    out = ["## Raw data", "",
           "Beside this file: " + ", ".join(f"[raw/{name}](raw/{name})" for name in raw) + ". Each suite's JSON "
           "is Google Benchmark's own output; `reports/README.md` explains how to compare two reports.", ""]
    problems = list(failures) + list(errors) + list(plot_errors)
    if problems:
        out += ["## Problems in this run", ""] + [f"- {problem}" for problem in problems] + [""]
    return out


def render(out_dir):
    """Writes report.md and the SVGs from raw/; returns the exit code."""
    raw_dir = os.path.join(out_dir, "raw")
    if not os.path.isdir(raw_dir):
        raise UsageError(f"--out {out_dir}: no raw/ folder with suite JSON to render")
    try:
        with open(os.path.join(raw_dir, "machine.json")) as handle:
            machine = json.load(handle)
    except (OSError, ValueError) as error:
        raise UsageError(f"{raw_dir}/machine.json: cannot be read: {error}") from error
    results = Results(raw_dir)
    missing = [f"{name}: raw/{name}.json is missing" for name, runs in results.suites.items() if runs is None]
    rows, idle = grid_rows(results), idle_rows(results)
    plot_errors = [error for error in (plot_world(out_dir, rows), plot_cost(out_dir, rows), plot_memory(out_dir, idle),
                                       plot_stats(out_dir, results)) if error]
    failures = list(machine.get("suite_failures", []))
    mode = machine.get("mode", "?")
    lines = [f"# zsim benchmark report ({mode} run)", "",
             f"Made by `zsim bench{' --quick' if mode == 'quick' else ''}` on {machine.get('date_utc', '?')}, commit "
             f"`{machine.get('commit', '?')[:12]}`. Every ratio compares two figures of this one run. How each "
             "figure is measured, and how to compare two reports: [README.md](README.md) of `reports/`.", ""]
    lines += targets_section(results, rows, idle) + machine_section(machine, results) + worlds_section(rows)
    lines += cost_section(rows) + memory_section(idle) + stats_section(results) + encoding_section(results)
    lines += redis_section(results) + fuzz_and_scheduler_section(results)
    lines += raw_section(out_dir, failures, results.errors + missing, plot_errors)
    report_path = os.path.join(out_dir, "report.md")
    with open(report_path, "w") as handle:
        handle.write("\n".join(lines).rstrip() + "\n")
    progress(f"report written: {report_path}")
    problems = failures + results.errors + missing + plot_errors
    for problem in problems:
        progress("problem: " + problem)
    return EXIT_SUITE_FAILED if problems else EXIT_OK


def main(argv):
    parser = argparse.ArgumentParser(prog="bench_report.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run every suite, then render the report")
    run_parser.add_argument("--bin-dir", required=True, help="the folder of the bench binaries (build/bin)")
    run_parser.add_argument("--out", required=True, help="the report's folder")
    run_parser.add_argument("--quick", action="store_true", help="smaller suites: under a minute on 2 cores")
    render_parser = commands.add_parser("render", help="render DIR/report.md again from DIR/raw/")
    render_parser.add_argument("--out", required=True, help="the report's folder")
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_request:
        return EXIT_OK if exit_request.code == 0 else EXIT_USAGE
    try:
        if arguments.command == "run":
            return run_all(arguments.bin_dir, arguments.out, arguments.quick)
        return render(arguments.out)
    except UsageError as error:
        print(f"zsim bench: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
