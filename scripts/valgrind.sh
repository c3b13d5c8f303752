#!/usr/bin/env bash
# Runs the scenario library and the unit test binaries under valgrind memcheck, and exits 1 if
# memcheck reports any error (an invalid read or write, a use of uninitialised memory, a bad free,
# a definite or indirect leak) in any of them.
#
#   scripts/valgrind.sh [BUILD_DIR]          (after `make build`; `make valgrind` does both)
#
# Each run's log is BUILD_DIR/valgrind/NAME.log. memcheck is 20-50 times slower than a native run,
# so the binaries run on the tests that finish in reasonable time under it; what is left out, and
# why, is listed below with each binary. Environment: ZSIM_VALGRIND_JOBS (runs at a time, default 2),
# ZSIM_VALGRIND_TIMEOUT_S (one run slower than this fails; default 1200), ZSIM_VALGRIND_LOGS (the log
# folder, default BUILD_DIR/valgrind), ZSIM_VALGRIND_RUNS (a space-separated subset of the runs).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
jobs=${ZSIM_VALGRIND_JOBS:-2}
bin="$build/bin"
logs=${ZSIM_VALGRIND_LOGS:-$build/valgrind}
timeout_s=${ZSIM_VALGRIND_TIMEOUT_S:-1200}
if ! command -v valgrind >/dev/null; then
  echo "valgrind: valgrind is not installed; run scripts/install_deps.sh" >&2
  exit 2
fi
if [[ ! -x "$bin/zsim" ]]; then
  echo "valgrind: $bin/zsim is missing; run 'make build' first" >&2
  exit 2
fi
if ! [[ "$jobs" =~ ^[1-9][0-9]?$ ]]; then
  echo "valgrind: ZSIM_VALGRIND_JOBS must be a number of runs from 1 to 99, got '$jobs'" >&2
  exit 2
fi
mkdir -p "$logs"
rm -f "$logs"/*.log "$logs"/*.out "$logs"/*.status

# Every error is fatal; a leak counts when it is definite or indirect (a "possible" leak is a pointer
# into the middle of a block, which std::string's and Boost's own layouts make legitimately).
memcheck=(timeout -k 10 "$timeout_s" valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
          --show-leak-kinds=definite,indirect --track-origins=yes --num-callers=30 --quiet)

# NAME and the command of each run. A gtest filter names what a binary leaves out, with the reason.
declare -A runs=(
  # The scenario library as `make test` runs it (once each: --check-determinism doubles the time
  # and memcheck adds nothing the second time).
  [scenarios]="$bin/zsim run $(ls scenarios/*.json | grep -v /schema.json | tr '\n' ' ')"
  [kernel_tests]="$bin/kernel_tests"
  [core_tests]="$bin/core_tests"
  [fakes_tests]="$bin/fakes_tests"
  [cli_tests]="$bin/cli_tests"
  [adapters_tests]="$bin/adapters_tests"
  [sim_tests]="$bin/sim_tests"
  [properties_tests]="$bin/properties_tests"
  [tests_tests]="$bin/tests_tests"
)
declare -A filters=(
  # Wall-clock tests of the real Boost.Asio scheduler: memcheck slows a callback past the next
  # one's due time, so their order proves nothing under it (they run natively in `make test`).
  [adapters_tests]="-AsioScheduler.RunsCallbacksInTimeOrderAndNotBeforeTheirTime"
  # Campaigns of hundreds of swarm seeds (13.6 s natively: more than 12 min under memcheck), the
  # whole fault catalogue run kind by kind (0.1 s natively, 127 s under memcheck), every swarm
  # profile run twice (2.5 s natively); the scenario library run above and the other campaign
  # tests cover the same code.
  [sim_tests]="-SimFaultPoints.EveryCorePointFiresInAFewHundredSmallSeeds:FaultCatalogue.EveryKindLoadsRunsHealsAndRoundTrips:ScenarioWriter.SwarmScenariosRunTheSameFromTheirFile"
)
# Options of one binary only, with the reason.
declare -A extra=(
  # core_tests replaces the global operator new and delete with malloc and free, to count the
  # allocations of the hot path (core/container_pushers_test.cpp). memcheck intercepts the
  # out-of-line new but not a delete inlined into its caller, and takes that free() of a block
  # from operator new for a mismatch; every other memcheck error still counts.
  [core_tests]="--show-mismatched-frees=no"
)
order=(${ZSIM_VALGRIND_RUNS:-scenarios kernel_tests core_tests fakes_tests cli_tests adapters_tests sim_tests properties_tests tests_tests})

export ZSIM_SOURCE_DIR=$PWD RC_PARAMS=seed=20261128
started=$(date +%s)
run_one() {
  local name=$1
  local command=${runs[$name]}
  local filter=${filters[$name]:-}
  local began
  began=$(date +%s)
  local status=0
  # The command's words are split on spaces on purpose: the repository's paths have none.
  # shellcheck disable=SC2086
  "${memcheck[@]}" ${extra[$name]:-} --log-file="$logs/$name.log" $command ${filter:+--gtest_filter=$filter} \
    >"$logs/$name.out" 2>&1 || status=$?
  local seconds=$(($(date +%s) - began))
  if [[ $status -eq 0 ]]; then
    echo "valgrind: $name ok in ${seconds}s"
  elif [[ $status -eq 99 ]] || [[ -s "$logs/$name.log" ]]; then
    echo "valgrind: $name FAILED: memcheck errors in ${seconds}s; log $logs/$name.log" >&2
    grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Mismatched|Syscall|Source and|[0-9,]+ bytes in)' \
      "$logs/$name.log" | head -5 >&2 || true
    return 1
  else
    echo "valgrind: $name FAILED: exit $status (not memcheck's) in ${seconds}s; output $logs/$name.out" >&2
    tail -5 "$logs/$name.out" >&2
    return 1
  fi
}

# Runs at most $jobs at a time; each one's result line is printed when it ends, its verdict kept
# in NAME.status (a background job's exit status is lost once `wait -n` has reaped it).
for name in "${order[@]}"; do
  (verdict=failed; if run_one "$name"; then verdict=ok; fi; echo "$verdict" >"$logs/$name.status") &
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
done
wait
failed=0
for name in "${order[@]}"; do
  [[ "$(cat "$logs/$name.status" 2>/dev/null)" == ok ]] || failed=1
done

total=$(($(date +%s) - started))
if [[ $failed -ne 0 ]]; then
  echo "valgrind: FAIL after ${total}s; logs in $logs/" >&2
  exit 1
fi
echo "valgrind: PASS: ${order[*]} clean under memcheck in ${total}s"
