#!/usr/bin/env bash
# The demo of `make demo`: zsim checks the example reservations the way a node would, then replays
# the scenario library (every seed feature and every known zos bug) and shows a summary table, runs
# a random world, and ends with a quick benchmark report (`zsim bench --quick`) in the build folder.
# Usage: scripts/demo.sh PATH/TO/zsim
# Some examples are invalid on purpose, so `zsim validate` exits 1; the demo shows that code and
# explains it. The demo exits 0 when every scenario passes and the report is written, 1 when a
# scenario or a benchmark suite fails, 2 when zsim could not run or answered something unexpected.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH/TO/zsim" >&2
  exit 2
fi
zsim=$(realpath "$1")
if [[ ! -x "$zsim" ]]; then
  echo "demo: $1 is not an executable zsim binary (build it first: make build)" >&2
  exit 2
fi
# Run from the repository root so that the example paths print short.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== zsim validate: container reservations checked as a Zero-OS node would =="
echo "   (ok-*.json are valid; bad-*.json each break one rule and show the node's exact message)"
echo
status=0
"$zsim" validate examples/reservations/*.json || status=$?
echo
case $status in
  0) echo "zsim validate exited 0: every reservation is valid (unexpected: the bad-* examples should fail)."
     exit 1 ;;
  1) echo "zsim validate exited 1: at least one reservation is invalid, as expected for the bad-* examples" \
          "(0 = all valid, 1 = some invalid, 2 = unreadable file or usage error)." ;;
  *) echo "zsim validate exited $status: a file could not be read or zsim failed." >&2
     exit "$status" ;;
esac

echo
echo "== zsim run: the scenario library replayed against the real provisioning core =="
echo "   (each scenario runs twice, virtual time, and must give the same trace hash both times)"
echo
shopt -s nullglob
scenarios=()
for file in scenarios/*.json; do
  [[ "$(basename "$file")" == "schema.json" ]] || scenarios+=("$file")
done
if [[ ${#scenarios[@]} -eq 0 ]]; then
  echo "demo: no scenario in scenarios/" >&2
  exit 2
fi
run_status=0
output=$("$zsim" run --check-determinism "${scenarios[@]}" 2>&1) || run_status=$?
pattern='^(PASS|FAIL) ([^ ]+) ([^ ]+) \(([0-9]+) checks, trace ([0-9a-f]{16}) twice, simulated \+([0-9:.]+)\)$'
printf '%-46s %-6s %7s %12s  %s\n' "scenario" "result" "checks" "simulated" "trace hash"
printf '%-46s %-6s %7s %12s  %s\n' "--------" "------" "------" "---------" "----------"
passed=0
failed=0
while IFS= read -r line; do
  if [[ "$line" =~ $pattern ]]; then
    printf '%-46s %-6s %7s %12s  %s\n' "${BASH_REMATCH[3]}" "${BASH_REMATCH[1]}" "${BASH_REMATCH[4]}" \
      "+${BASH_REMATCH[6]}" "${BASH_REMATCH[5]}"
    passed=$((passed + 1))
  elif [[ "$line" =~ ^FAIL\ ([^ ]+)\ ([^ :]+):\ (.*)$ ]]; then
    printf '%-46s %-6s  %s\n' "${BASH_REMATCH[2]}" "FAIL" "${BASH_REMATCH[3]}"
    failed=$((failed + 1))
  elif [[ -n "$line" ]]; then
    echo "  $line"
  fi
done <<< "$output"
echo
echo "$passed passed, $failed failed (of ${#scenarios[@]} scenarios)"
echo "Replay one with its timeline:  $1 run --explain scenarios/zos-943-log-sink-sigpipe.json"

echo
echo "== zsim sim: a seeded random world of 3 nodes, 500 reservations over 2 simulated hours =="
echo "   (valid and invalid reservations, deletes, expiries, a random subset of faults; then every"
echo "    fault heals, every reservation ends, and the checker judges the properties)"
echo
sim_status=0
"$zsim" sim --seed 42 --nodes 3 --reservations 500 --duration 2h || sim_status=$?
if [[ $sim_status -ne 0 ]]; then
  echo "zsim sim exited $sim_status: a property was violated (1) or zsim failed." >&2
  exit "$sim_status"
fi

# Beside the binary, in the build folder, so that the demo leaves the repository as it was.
bench_dir=$(realpath -m "$(dirname "$zsim")/../bench-quick")
echo
echo "== zsim bench --quick: the benchmark suites, ratios within one run, plots (under a minute) =="
echo "   (the reference report of the project's machine is reports/report.md: zsim bench, ~10 minutes)"
echo
bench_status=0
"$zsim" bench --quick --out "$bench_dir" || bench_status=$?
if [[ -f "$bench_dir/report.md" ]]; then
  echo
  sed -n '/^## Targets/,/^## Machine/{/^## Machine/d;p}' "$bench_dir/report.md"
  echo "Report with its plots: $bench_dir/report.md"
fi
case $bench_status in
  0) ;;
  1) echo "zsim bench exited 1: a benchmark suite failed (the report names it)." >&2
     run_status=$(( run_status == 0 ? 1 : run_status )) ;;
  *) echo "zsim bench exited $bench_status: something it needs is missing." >&2
     exit 2 ;;
esac
case $run_status in
  0) exit 0 ;;
  1) exit 1 ;;
  *) echo "zsim run exited $run_status: a scenario file is not valid or zsim failed." >&2
     exit 2 ;;
esac
