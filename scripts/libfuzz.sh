#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for SECONDS each (default 60), one after the other, on its
# seed corpora, and exits 1 if any target found a crash, a hang, a leak or an out-of-memory.
#
#   scripts/libfuzz.sh [SECONDS_PER_TARGET]         (after `make fuzz-targets`)
#
# Seeds are read from the repository as they are (examples/reservations, scenarios/, fuzz/corpus/*);
# what a run learns goes to build-fuzz/corpus/TARGET, the first corpus directory, so the next run
# starts from there. A failing input stays in build-fuzz/artifacts/ (crash-*, timeout-*, oom-*,
# leak-*), each run's log in build-fuzz/logs/TARGET.log. Replay one with
#   build-fuzz/bin/fuzz_TARGET build-fuzz/artifacts/TARGET-crash-...
# Environment: ZSIM_FUZZ_BUILD (default build-fuzz), ZSIM_FUZZ_RSS_MB (default 2048),
# ZSIM_FUZZ_TIMEOUT_S (a single input slower than this is a hang; default 10), ZSIM_FUZZ_TARGETS
# (a space-separated subset, default all).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]{0,5}$ ]]; then
  echo "libfuzz: SECONDS_PER_TARGET must be a whole number of seconds from 1 to 999999, got '$seconds'" >&2
  exit 2
fi
build=${ZSIM_FUZZ_BUILD:-build-fuzz}
rss_mb=${ZSIM_FUZZ_RSS_MB:-2048}
timeout_s=${ZSIM_FUZZ_TIMEOUT_S:-10}

# Each target, its seed directories, and its largest input in bytes.
declare -A seeds=(
  [reservation]="examples/reservations"
  [scenario]="scenarios"
  [redis_url]="fuzz/corpus/redis_url"
  [resp]="fuzz/corpus/resp"
  [duration]="fuzz/corpus/duration"
  [cli_arguments]="fuzz/corpus/cli_arguments"
)
declare -A max_len=([reservation]=16384 [scenario]=65536 [redis_url]=1024 [resp]=8192 [duration]=128
                    [cli_arguments]=1024)
declare -A dict=([reservation]=fuzz/json.dict [scenario]=fuzz/json.dict [cli_arguments]=fuzz/cli.dict)
targets=(${ZSIM_FUZZ_TARGETS:-reservation scenario redis_url resp duration cli_arguments})

mkdir -p "$build/artifacts" "$build/logs"
failed=()
for target in "${targets[@]}"; do
  binary="$build/bin/fuzz_$target"
  if [[ -z "${seeds[$target]+x}" ]]; then
    echo "libfuzz: unknown target '$target', expected one of ${!seeds[*]}" >&2
    exit 2
  fi
  if [[ ! -x "$binary" ]]; then
    echo "libfuzz: $binary is missing; run 'make fuzz-targets' first" >&2
    exit 2
  fi
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  log="$build/logs/$target.log"
  options=(-max_total_time="$seconds" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -timeout="$timeout_s"
           -max_len="${max_len[$target]}" -print_final_stats=1
           -artifact_prefix="$build/artifacts/$target-")
  if [[ -n "${dict[$target]+x}" ]]; then options+=(-dict="${dict[$target]}"); fi
  # read -a splits the seed list on spaces; the repository's directories have none.
  read -r -a seed_dirs <<<"${seeds[$target]}"
  status=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$binary" "${options[@]}" "$corpus" "${seed_dirs[@]}" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [[ $status -eq 0 ]]; then
    echo "libfuzz: $target ok: ${runs:-?} runs in ${seconds}s, ${speed:-?} exec/s, ${coverage:-cov: ?}"
  else
    echo "libfuzz: $target FAILED (exit $status) after ${runs:-?} runs; log $log" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz property failed|.*runtime error)' "$log" | head -5 >&2 || true
    grep -o "Test unit written to .*" "$log" >&2 || true
    failed+=("$target")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "libfuzz: FAIL: ${failed[*]}; inputs in $build/artifacts/" >&2
  exit 1
fi
echo "libfuzz: PASS: ${targets[*]}"
