#!/usr/bin/env bash
# `make bench`: a quick benchmark report of this build, then its targets table on stdout.
# Usage: scripts/bench.sh [build_dir] [zsim bench options...]
#
# It runs `zsim bench --quick --out <build_dir>/bench-report` (scripts/bench_report.py): the Google
# Benchmark suites of bench/ with JSON output, redis-benchmark against hiredis on one redis-server,
# the grids; the report, its SVG plots and the raw JSON stay in <build_dir>/bench-report/ (extra
# options go to zsim bench, e.g. --out DIR). The full run that makes reports/ (about 10 minutes)
# is `make bench-report`, or `build/bin/zsim bench` from the repository's root.
# Exits as zsim bench does: 0 report written, 1 a suite failed, 2 something missing.
set -euo pipefail

build_dir="${1:-build}"
shift $(( $# > 0 ? 1 : 0 ))
zsim="$build_dir/bin/zsim"
out_dir="$build_dir/bench-report"
if [[ ! -x "$zsim" ]]; then
  echo "bench: $zsim is missing; build it first (make build)" >&2
  exit 2
fi
status=0
"$zsim" bench --quick --out "$out_dir" "$@" || status=$?
if [[ -f "$out_dir/report.md" ]]; then
  echo
  sed -n '/^## Targets/,/^## Machine/{/^## Machine/d;p}' "$out_dir/report.md"
  echo "Report, plots and raw JSON: $out_dir/report.md"
fi
exit "$status"
