#!/usr/bin/env bash
# The hostile-input campaign of the zsim command (issue 12): files, streams, flags and outputs that
# once crashed, hung, exhausted or silently failed zsim. Each case is a command with the exit code
# it must end with and a text its stdout or stderr must hold; every case runs under a wall-clock
# bound (timeout) and a memory bound (ulimit -v), so a hang, a signal death or a run away in
# memory fails its case instead of the machine. ctest runs it (label "hostile"):
#   tests/hostile_inputs.sh build/bin/zsim [--sanitized]
# Prints one line per case and exits 1 when any case failed. With --sanitized (an AddressSanitizer
# build, which reserves terabytes of address space and so cannot run under ulimit -v) memory is
# bounded by ASan's hard_rss_limit_mb instead, at three times the bound (ASan's overhead).
set -uo pipefail

zsim=$(realpath "${1:?usage: hostile_inputs.sh PATH/TO/zsim [--sanitized]}")
sanitized=${2:-}
# The writing cases need the real /dev/full. A zsim that wrote "FILE.partial" and renamed it over
# FILE replaced /dev/full with a regular file when run as root: refuse to start on such a machine,
# and the last case checks that no case did it again.
if [ ! -c /dev/full ]; then
  echo "hostile_inputs.sh: /dev/full is not a character device; as root: rm /dev/full; mknod -m 666 /dev/full c 1 7" >&2
  exit 2
fi
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/zsim-hostile-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

memory_kib_default=1000000  # 1 GB of address space: the fixed cases use a few hundred MB at most.
failures=0
cases=0

scenario="$source_dir/scenarios/feature-stats.json"
export zsim
reservation="$source_dir/examples/reservations/ok-plain-entrypoint.json"

# case NAME EXIT TEXT SECONDS COMMAND: COMMAND runs in bash, in $work, with $zsim set.
case_run() {
  local name=$1 want_exit=$2 want_text=$3 seconds=$4 command=$5
  local memory_kib=${memory_kib:-$memory_kib_default}
  cases=$((cases + 1))
  if [ "$sanitized" = --sanitized ]; then
    seconds=$((seconds * 3))
    (export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=$((memory_kib * 3 / 1024))"
     exec timeout -k 5 "$seconds" bash -c "$command") >"$work/out" 2>"$work/err" </dev/null
  else
    (ulimit -v "$memory_kib"; exec timeout -k 5 "$seconds" bash -c "$command") >"$work/out" 2>"$work/err" </dev/null
  fi
  local got_exit=$?
  local problem=""
  if [ "$got_exit" -eq 124 ] || [ "$got_exit" -eq 137 ]; then
    problem="timed out after ${seconds} s"
  elif [ "$got_exit" -ge 128 ]; then
    problem="died by signal $((got_exit - 128))"
  elif [ "$got_exit" -ne "$want_exit" ]; then
    problem="exit $got_exit, want $want_exit"
  elif ! grep -qF -- "$want_text" "$work/out" "$work/err"; then
    problem="no '$want_text' in its output"
  fi
  if [ -n "$problem" ]; then
    failures=$((failures + 1))
    echo "FAIL $name: $problem"
    echo "  command: $command"
    sed 's/^/  stdout: /' "$work/out" | head -5
    sed 's/^/  stderr: /' "$work/err" | head -5
  else
    echo "ok   $name"
  fi
}

# --- Reading ------------------------------------------------------------------------------------
truncate -s 200M big.json
memory_kib=400000 case_run "run: a 200 MB file is refused from its size, not read" 2 \
  "is 209715200 bytes, larger than the limit of 4194304 bytes for a scenario file" 20 '"$zsim" run big.json'
memory_kib=400000 case_run "validate: a 200 MB file is refused from its size" 2 \
  "larger than the limit of 16777216 bytes for a reservation file" 20 '"$zsim" validate big.json'
case_run "run: an endless stream stops at the limit" 2 "larger than the limit of 4194304 bytes" 20 '"$zsim" run /dev/zero'
mkfifo lonely.fifo
case_run "run: a FIFO that no writer opens is refused, not waited for" 2 "nothing to read for 10 s" 40 \
  '"$zsim" run lonely.fifo'
case_run "validate: a FIFO that no writer opens is refused" 2 "nothing to read for 10 s" 40 '"$zsim" validate lonely.fifo'
export zsim scenario reservation
case_run "run: a pipe on /dev/stdin is read once" 0 "PASS /dev/stdin feature-stats" 30 \
  'cat "$scenario" | "$zsim" run /dev/stdin'
case_run "run: a process substitution is read once" 0 "PASS /dev/fd/" 30 '"$zsim" run <(cat "$scenario")'
case_run "run --check-determinism: a pipe runs twice from one read" 0 "twice" 30 \
  'cat "$scenario" | "$zsim" run --check-determinism /dev/stdin'
# One byte per write, 2 ms apart: hundreds of read() calls, which a bound on calls would cut.
case_run "validate: a slow stream is read to its end" 0 "/dev/stdin: ok" 30 \
  'python3 -c "
import sys, time
for byte in open(sys.argv[1], \"rb\").read():
    sys.stdout.buffer.write(bytes([byte])); sys.stdout.flush(); time.sleep(0.002)
" "$reservation" | "$zsim" validate /dev/stdin'
printf '{"format": 1}\0garbage' >nul.json
case_run "validate: a NUL byte is malformed JSON, named by its offset" 1 "byte 13 is a NUL byte" 20 '"$zsim" validate nul.json'
case_run "run: a NUL byte makes an invalid scenario" 2 "byte 13 is a NUL byte" 20 '"$zsim" run nul.json'
python3 -c "import sys; t = open(sys.argv[1]).read(); open('e400.json', 'w').write(t.replace('\"seed\":', '\"x\": 1e400, \"seed\":', 1))" "$scenario"
case_run "run: a number out of double's range is an invalid scenario, not an abort" 2 "e400.json: " 20 '"$zsim" run e400.json'
cp "$scenario" "$(printf 'bad\377name.json')"
case_run "run --json: a name that is not UTF-8 is escaped, the JSON valid" 0 '"passed": 1' 30 \
  '"$zsim" run --json bad*name.json | python3 -c "import json, sys; d = json.load(sys.stdin); print(json.dumps(d)); assert d[\"scenarios\"][0][\"file\"] == \"bad\\\\xFFname.json\""'
case_run "run --junit: a name that is not UTF-8 gives well-formed XML" 0 "bad\\xFFname.json" 30 \
  '"$zsim" run --junit report.xml bad*name.json >/dev/null && python3 -c "import xml.dom.minidom as m; print(m.parse(\"report.xml\").getElementsByTagName(\"testcase\")[0].getAttribute(\"file\"))"'

# --- Writing ------------------------------------------------------------------------------------
case_run "run --trace /dev/full" 2 "zsim run: --trace: cannot write the trace to /dev/full: No space left on device" 30 \
  '"$zsim" run --trace /dev/full "$scenario"'
case_run "run --junit /dev/full" 2 "zsim run: --junit: cannot write /dev/full: No space left on device" 30 \
  '"$zsim" run --junit /dev/full "$scenario"'
case_run "run with stdout on /dev/full" 2 "zsim: cannot write standard output: No space left on device" 30 \
  '"$zsim" run "$scenario" >/dev/full'
case_run "run --json with stdout on /dev/full" 2 "cannot write standard output" 30 '"$zsim" run --json "$scenario" >/dev/full'
case_run "sim --trace /dev/full" 2 "zsim sim: --trace: cannot write /dev/full: No space left on device" 60 \
  '"$zsim" sim --seed 3 --reservations 5 --duration 5m --trace /dev/full'
case_run "sim with stdout on /dev/full" 2 "cannot write standard output" 60 \
  '"$zsim" sim --seed 3 --reservations 5 --duration 5m >/dev/full'
case_run "sim --trace to a pipe still gets the whole trace" 0 "scenario_end" 60 \
  '"$zsim" sim --seed 3 --reservations 5 --duration 5m --trace >(cat >pipe.trace) >/dev/null; sleep 1; test -s pipe.trace && echo scenario_end'
case_run "validate with stdout on /dev/full" 2 "zsim: cannot write standard output: No space left on device" 20 \
  '"$zsim" validate "$reservation" >/dev/full'
case_run "fuzz --junit /dev/full" 2 "zsim fuzz: --junit: cannot write /dev/full" 60 \
  '"$zsim" fuzz --count 2 -q -j1 --out fuzz-out --junit /dev/full'
case_run "fuzz --json with stdout on /dev/full" 2 "cannot write standard output" 60 \
  '"$zsim" fuzz --count 2 -q -j1 --out fuzz-out --json >/dev/full'
case_run "fuzz merge --out /dev/full" 2 "zsim fuzz merge: --out: cannot write /dev/full" 60 \
  '"$zsim" fuzz --count 2 -q -j1 --out merge-in >/dev/null && "$zsim" fuzz merge merge-in --out /dev/full'
case_run "--help with stdout on /dev/full" 2 "cannot write standard output" 20 '"$zsim" --help >/dev/full'

# --- Numbers and flags --------------------------------------------------------------------------
case_run "sim --seed -1" 2 "zsim sim: --seed: expected an integer from 0 to 18446744073709551615, got '-1' (negative)" 20 \
  '"$zsim" sim --seed -1'
case_run "sim --seed=-1" 2 "got '-1' (negative)" 20 '"$zsim" sim --seed=-1'
case_run "sim --seed 2^64" 2 "got '18446744073709551616' (too large)" 20 '"$zsim" sim --seed 18446744073709551616'
case_run "sim --nodes -0 is reported as typed" 2 "--nodes: expected an integer from 1 to 1000, got '-0' (no sign allowed)" 20 \
  '"$zsim" sim --nodes -0'
case_run "sim --reservations 1e3" 2 "--reservations: expected an integer from 0 to 20000, got '1e3' (not an integer: digits only)" 20 \
  '"$zsim" sim --reservations 1e3'
case_run "sim --nodes 0x10" 2 "got '0x10' (not an integer: digits only)" 20 '"$zsim" sim --nodes 0x10'
case_run "validate -x.json is an unknown option" 2 "zsim validate: unknown option '-x.json'" 20 '"$zsim" validate -x.json'
case_run "run -x.json is an unknown option" 2 "zsim run: unknown option '-x.json'" 20 '"$zsim" run -x.json'
cp "$reservation" ./-x.json
case_run "validate -- -x.json names a file" 0 "-x.json: ok" 20 '"$zsim" validate -- -x.json'
case_run "fuzz --count -1" 2 "zsim fuzz: --count: expected an integer from 1 to" 20 '"$zsim" fuzz --count -1'
case_run "fuzz --jobs 1e3" 2 "--jobs: expected an integer from 1 to" 20 '"$zsim" fuzz --jobs 1e3'
case_run "fuzz --max-failures +5" 2 "--max-failures: expected an integer" 20 '"$zsim" fuzz --max-failures +5'
case_run "fuzz --shrink-runs 0x10" 2 "--shrink-runs: expected an integer" 20 '"$zsim" fuzz --shrink-runs 0x10'
case_run "fuzz --seeds -1..5" 2 "--seeds: the first seed A of A..B: expected an integer" 20 '"$zsim" fuzz --seeds -1..5 --out fuzz-out'
case_run "fuzz --shard 0/0" 2 "--shard: the shard count N of I/N: expected an integer from 1 to" 20 \
  '"$zsim" fuzz --shard 0/0 --out fuzz-out'
case_run "fuzz: a negative JOB_COMPLETION_INDEX" 2 "JOB_COMPLETION_INDEX/ZSIM_FUZZ_SHARDS: the shard I of I/N: expected an integer from 0 to 3, got '-1'" 20 \
  'JOB_COMPLETION_INDEX=-1 ZSIM_FUZZ_SHARDS=4 "$zsim" fuzz --count 2 --out fuzz-out'
case_run "fuzz merge: a summary naming shard -1/2" 2 "shard '-1/2' is not I/N: expected an integer from 0 to 1, got '-1' (negative)" 60 \
  '"$zsim" fuzz --count 2 -q -j1 --shard 0/2 --out shard-in >/dev/null && sed "s|\"0/2\"|\"-1/2\"|" shard-in/campaign-shard-0-of-2.json >shard.json && "$zsim" fuzz merge shard.json'

# --- Escaping -----------------------------------------------------------------------------------
cp "$reservation" "$(printf 'x\nother.json: ok\n\033[31mred')"
case_run "validate: a newline in a name cannot forge another file's line" 0 'x\nother.json: ok\n\x1B[31mred: ok' 20 \
  '"$zsim" validate x*red | tee listing && ! grep -qx "other.json: ok" listing'
case_run "run: a name with escape codes is printed escaped" 2 'x\nother.json: ok\n\x1B[31mred: (top level)' 20 \
  '"$zsim" run x*red 2>&1 | tee listing; code=${PIPESTATUS[0]}; grep -q "^other.json: ok" listing && code=99; exit $code'
printf '{"flist": "https://hub.grid.tf/a\\nother.json: ok\\n\\u001b[2J.flist", "capacity": {"cpu": 0}}' >forge.json
case_run "validate: an error quoting the input keeps it on one line" 1 "forge.json: error:" 20 \
  '"$zsim" validate forge.json | tee listing; code=${PIPESTATUS[0]}; grep -q -e "^other.json: ok" -e "$(printf "\\033")" listing && code=99; exit $code'
case_run "an unknown command is echoed escaped" 2 "unknown command 'x\\nother.json: ok'" 20 \
  '"$zsim" "$(printf "x\\nother.json: ok")"'

# --- Unbounded work -----------------------------------------------------------------------------
case_run "sim --reservations 1000000 is over the documented maximum" 2 "expected an integer from 0 to 20000" 20 \
  '"$zsim" sim --reservations 1000000'
# The maximum is proven by the optimised build; the Debug sanitizer build (about 20x slower) runs a
# tenth of it, which still exercises the same paths.
most_reservations=20000
if [ "$sanitized" = --sanitized ]; then most_reservations=2000; fi
case_run "sim --reservations $most_reservations (20000 is the maximum) finishes" 0 "PASS: no property violated" 180 \
  "\"\$zsim\" sim --seed 1 --reservations $most_reservations"
case_run "sim: 1000 nodes for 30 days is over the node-hours limit" 2 "more than the limit of 10000 (sim_node_hours_max)" 20 \
  '"$zsim" sim --nodes 1000 --duration 30d'
# A 9 KB scenario: a container that prints every 1 ms to a 4,000-character channel for 20 minutes
# once kept every trace line (4 KB each) in memory: 4.8 GB. The kept trace is bounded in bytes now.
python3 - <<'EOF'
import json
channel = "redis://10.0.0.1:6379/" + "c" * 4000
json.dump({"format": 1, "name": "chatty-long-channel", "description": "a line every 1 ms to a long channel", "seed": 1,
  "nodes": [{"label": "node-1", "networks": [{"name": "net-a", "subnet": "10.1.1.0/24", "owner": "alice"}]}],
  "flists": [{"url": "https://hub.grid.tf/zsim/chatty.flist", "entrypoint": "/bin/chatty", "program": {"line_interval": "1ms"}}],
  "redis": [{"address": "10.0.0.1:6379"}],
  "reservations": [{"id": 10, "owner": "alice", "node": "node-1", "duration": "30d", "workloads": [{"type": "container", "payload": {
    "flist": "https://hub.grid.tf/zsim/chatty.flist", "network_connection": [{"network_id": "net-a", "ipaddress": "10.1.1.10"}],
    "capacity": {"cpu": 1, "memory": 256}, "logs": [{"type": "redis", "data": {"stdout": channel, "stderr": channel}}]}}]}],
  "steps": [{"at": "1s", "deliver": 10}, {"advance": "20m"}]}, open("chatty.json", "w"))
EOF
case_run "run: a chatty container with a long channel stays within memory" 0 "PASS chatty.json chatty-long-channel" 120 \
  '"$zsim" run chatty.json'

case_run "no case replaced /dev/full (or another device) by a file" 0 "device" 5 \
  'test -c /dev/full && test -c /dev/null && echo device'

echo "$((cases - failures)) of $cases hostile cases held"
[ "$failures" -eq 0 ]
