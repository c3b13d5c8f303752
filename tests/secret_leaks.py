#!/usr/bin/env python3
"""The secret-leak campaign of the zsim command (issue 12): zsim runs with marked secrets, and every
byte it writes is scanned for them in any form (tests/secret_scan.py: raw, escaped, XML, URL-escaped,
hex, base64, or a part of 8 bytes and more).

Marked secrets: the swarm's and the random world's generated secret values (found by their marker,
"zsim-secret-" and 16 hex digits: zsim draws them, the test never sees them), the secret values and
redis passwords of the scenarios written here (known exactly; chosen with the characters that break
URLs, JSON and terminals), and the password of a real redis-server this script starts.

Runs: `zsim fuzz` campaigns (clean; with a planted bug, shrunk and unshrunk, so that failing
scenarios full of secrets are written to --out), `zsim run` of those files and of secret scenarios
with --explain, --json, --junit and --trace, `zsim sim` with --trace and --json, the same against the
real redis-server with --redis (with a password), and the error paths that once echoed a secret
(an unparsable redis URL with its password, a numeric secret value).

Scanned: stdout, stderr, every --trace, --junit and --json output, every file of every --out
folder (a scenario file zsim wrote keeps its secrets where the format puts them, and nowhere
else), and every byte the real redis-server sent a PSUBSCRIBE '*' watcher.

  tests/secret_leaks.py build/bin/zsim [--sanitized]     (ctest: secret_leaks, label "secrets")

Exit 0 when no secret leaked, 1 when one did (each leak named by output, form and offset, never by
value), 2 when the campaign could not run (a command's exit code, a missing redis-server).
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import secret_scan  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# The real server's password: ':' and '@' are legal in a redis URL's password (the last '@' ends it).
REDIS_PASSWORD = "rEal:Pw@7Qm-Xz94vK"

# The secrets of the scenarios written here, each chosen to break something that prints it: URL
# syntax ('/', '@', ':', '%', '#', '+'), JSON and terminals (a quote, a backslash, a newline, an
# escape sequence), UTF-8, digits only (once echoed in "number overflow parsing '...'").
SECRETS = {
    "URL_TOKEN": "Tok/9@x:Qv%2Fq+Lm#z",
    "QUOTED": 'pa"ss\\wo\'rd-J4n8',
    "TERMINAL": "line1\nline2\x1b[31mred-K2v",
    "UNICODE": "p\u00e4ssw\u00f6rd-\u03a9mega-77",
    "DIGITS": "846295730184629517",
}
# A fake redis server's password with a '/': a URL holding it is unparsable, and the error must not
# show it ("invalid port" once did).
FAKE_REDIS_PASSWORD = "fk3-redis/Pw%wd9"
FAKE_REDIS_PASSWORD_PLAIN = "fkplain-9Ux2Lw4q"


def fail_to_run(message):
    print(f"secret_leaks: cannot run: {message}", file=sys.stderr)
    sys.exit(2)


class Outputs:
    """Everything zsim wrote, by name, and the leaks found in it."""

    def __init__(self, secrets):
        self.secrets = secrets
        self.scanned = 0
        self.scanned_bytes = 0
        self.designated = 0
        self.leaks = []

    def scan(self, where, data, scenario_file=False):
        self.scanned += 1
        self.scanned_bytes += len(data)
        if scenario_file:
            try:
                self.designated += secret_scan.designated_secret_count(json.loads(data))
            except (ValueError, AttributeError, TypeError):
                pass
            found = secret_scan.scan_scenario_file(where, data, self.secrets)
        else:
            found = secret_scan.scan_bytes(where, data, self.secrets)
        self.leaks.extend(found)

    def scan_file(self, path, shown):
        with open(path, "rb") as file:
            data = file.read()
        is_scenario = path.endswith(".json") and b'"format"' in data and b'"reservations"' in data
        self.scan(shown, data, scenario_file=is_scenario)

    def scan_tree(self, folder, shown):
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                path = os.path.join(root, name)
                self.scan_file(path, os.path.join(shown, os.path.relpath(path, folder)))


class Campaign:
    def __init__(self, zsim, work, sanitized):
        self.zsim = zsim
        self.work = work
        self.timeout_s = 600 if sanitized else 200
        exact = list(SECRETS.values()) + [REDIS_PASSWORD, FAKE_REDIS_PASSWORD, FAKE_REDIS_PASSWORD_PLAIN]
        self.outputs = Outputs(secret_scan.SecretSet(exact))
        self.commands = 0

    def zsim_run(self, name, arguments, want_exits, outputs=()):
        """Runs zsim ARGUMENTS in work/, scans stdout, stderr and each output path (file or folder)."""
        self.commands += 1
        started = time.monotonic()
        try:
            done = subprocess.run([self.zsim] + arguments, cwd=self.work, capture_output=True, timeout=self.timeout_s,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            fail_to_run(f"{name}: timed out after {self.timeout_s} s")
        if done.returncode not in want_exits:
            sys.stderr.write(done.stderr.decode("utf-8", "replace")[-2000:])
            fail_to_run(f"{name}: exit {done.returncode}, want one of {sorted(want_exits)}: zsim {' '.join(arguments)}")
        self.outputs.scan(f"{name}: stdout", done.stdout)
        self.outputs.scan(f"{name}: stderr", done.stderr)
        for output in outputs:
            path = os.path.join(self.work, output)
            if os.path.isdir(path):
                self.outputs.scan_tree(path, f"{name}: {output}")
            elif os.path.exists(path):
                self.outputs.scan_file(path, f"{name}: {output}")
            else:
                fail_to_run(f"{name}: zsim wrote no {output}")
        print(f"ok   {name} (exit {done.returncode}, {time.monotonic() - started:.1f} s)")
        return done


def write_json(path, document):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, ensure_ascii=False, indent=1)


def container(ip, extra):
    payload = {
        "flist": "https://hub.grid.tf/zsim/app.flist",
        "network_connection": [{"network_id": "net-alice", "ipaddress": ip}],
        "capacity": {"cpu": 1, "memory": 256},
    }
    payload.update(extra)
    return [{"type": "container", "payload": payload}]


def logs_to(url_base):
    return {
        "logs": [{"type": "redis", "data": {"stdout": url_base + "/out", "stderr": url_base + "/err"}}],
        "stats_aggregator": [{"type": "redis", "data": {"endpoint": url_base + "/stats"}}],
    }


def secret_scenario():
    """A scenario whose values break printers: secrets, and redis URLs with passwords, parsable or not."""
    plain_url = f"redis://:{FAKE_REDIS_PASSWORD_PLAIN}@10.0.0.2:6379"
    reservations = [
        {"id": 10, "owner": "alice", "node": "node-1",
         "workloads": container("10.1.1.10", dict(secret_environment=SECRETS, **logs_to(plain_url)))},
        # The password holds a '/': the authority ends early and the URL is unparsable (or reads a
        # host the password's first part names); the node skips the endpoints, the container runs.
        {"id": 11, "owner": "alice", "node": "node-1",
         "workloads": container("10.1.1.11", logs_to(f"redis://:{FAKE_REDIS_PASSWORD}@10.0.0.1:6379"))},
        {"id": 12, "owner": "alice", "node": "node-1",
         "workloads": container("10.1.1.12", logs_to(f"redis://user:{FAKE_REDIS_PASSWORD}@10.0.0.1:6379"))},
        # A wrong password, then a secret that cannot be decrypted for this version.
        {"id": 13, "owner": "alice", "node": "node-1",
         "workloads": container("10.1.1.13", dict(secret_environment={"TOKEN": SECRETS["URL_TOKEN"]},
                                                  **logs_to(f"redis://:{SECRETS['QUOTED']}@10.0.0.2:6379")))},
    ]
    reservations[3]["workloads"][0]["secret_version"] = 7
    return {
        "format": 1,
        "name": "secret-leaks",
        "description": "Secrets and redis passwords that break URLs, JSON and terminals (tests/secret_leaks.py).",
        "seed": 12,
        "nodes": [{"label": "node-1", "networks": [{"name": "net-alice", "subnet": "10.1.1.0/24", "owner": "alice"}]}],
        "flists": [{"url": "https://hub.grid.tf/zsim/app.flist", "entrypoint": "/bin/app",
                    "program": {"line_interval": "1s"}}],
        "redis": [{"address": "10.0.0.1:6379", "password": FAKE_REDIS_PASSWORD},
                  {"address": "10.0.0.2:6379", "password": FAKE_REDIS_PASSWORD_PLAIN}],
        "reservations": reservations,
        "steps": [{"at": "1s", "deliver": 10}, {"deliver": 11}, {"deliver": 12}, {"deliver": 13},
                  {"at": "40s", "delete": 10}, {"at": "1m", "advance": "0s"}],
        "expect": {"results": [{"workload": "10-1", "state": "ok"}, {"workload": "11-1", "state": "ok"},
                               {"workload": "13-1", "state": "error"}],
                   "no_secret_leaked": True},
    }


def numeric_secret_scenario():
    """A secret value written as a number: the loader refuses it without echoing the number."""
    document = secret_scenario()
    document["name"] = "secret-leaks-numeric"
    text = json.dumps(document, ensure_ascii=False)
    return text.replace(json.dumps(SECRETS["DIGITS"]), SECRETS["DIGITS"] + "9" * 30)


class Watcher(threading.Thread):
    """A PSUBSCRIBE '*' client of the real server that keeps every byte the server sends it."""

    def __init__(self, port, password):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.received = bytearray()
        self.stopping = threading.Event()
        self.sock.sendall(f"AUTH {password}\r\nPSUBSCRIBE *\r\n".encode())
        self.sock.settimeout(0.2)

    def run(self):
        while not self.stopping.is_set():
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            self.received += chunk

    def stop(self):
        time.sleep(0.5)  # Whatever the server still sends after zsim drained.
        self.stopping.set()
        self.join(5)
        self.sock.close()
        return bytes(self.received)


def start_redis(work):
    if not os.access(REDIS_SERVER, os.X_OK):
        fail_to_run(f"redis-server not found at {REDIS_SERVER}: install it with scripts/install_deps.sh")
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--requirepass", REDIS_PASSWORD, "--dir", work],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as client:
                    client.sendall(f"AUTH {REDIS_PASSWORD}\r\nPING\r\n".encode())
                    reply = b""
                    while b"+PONG" not in reply and len(reply) < 256:
                        chunk = client.recv(256)
                        if not chunk:
                            break
                        reply += chunk
                    if b"+PONG" in reply:
                        return server, port
            except OSError:
                pass
            time.sleep(0.05)
        server.kill()
        server.wait()
    fail_to_run("redis-server did not answer PING on a free port")
    return None, 0


def run_fuzz_campaigns(campaign):
    campaign.zsim_run("fuzz: clean campaign", ["fuzz", "--count", "300", "-j", "2", "--quiet", "--out", "fuzz-clean",
                                               "--junit", "fuzz-clean.xml", "--json"], {0},
                      ["fuzz-clean", "fuzz-clean.xml"])
    # Failing seeds, written as generated (every reservation, every secret) and shrunk.
    for name, bug, extra in (("unshrunk", "crash_limit_off_by_one", ["--no-shrink"]),
                             ("shrunk", "hdd_never_released", ["--shrink-runs", "60"])):
        campaign.zsim_run(f"fuzz: planted bug, {name}",
                          ["fuzz", "--count", "120", "-j", "2", "--plant-bug", bug, "--max-failures", "4", "--out",
                           f"fuzz-{name}", "--junit", f"fuzz-{name}.xml"] + extra, {1},
                          [f"fuzz-{name}", f"fuzz-{name}.xml"])
    written = []
    for name in ("fuzz-unshrunk", "fuzz-shrunk"):
        folder = os.path.join(campaign.work, name)
        written += [os.path.join(name, file) for file in sorted(os.listdir(folder))
                    if file.endswith(".json") and "-seed" in file]
    if not written:
        fail_to_run("the planted bugs made no failing scenario file")
    return written


def run_scenarios(campaign, files, label):
    campaign.zsim_run(f"run {label}: --explain --trace --junit", ["run", "--explain", "--trace", f"{label}.trace",
                                                                  "--junit", f"{label}.xml"] + files, {0, 1},
                      [f"{label}.xml"] + [path for path in traces_of(campaign, files, f"{label}.trace")])
    campaign.zsim_run(f"run {label}: --json", ["run", "--json"] + files, {0, 1})


def traces_of(campaign, files, trace):
    if len(files) == 1:
        return [trace]
    names = []
    for file in files:
        with open(os.path.join(campaign.work, file), encoding="utf-8") as opened:
            names.append(f"{trace}.{json.load(opened)['name']}")
    return names


def prove_the_scan_sees_leaks(campaign):
    """The scan that passed finds a leak planted in real outputs of this campaign: a secret base64'd
    into an explain output, and a generated secret moved out of its place in a written scenario."""
    probe = secret_scan.SecretSet(campaign.outputs.secrets.exact)
    with open(os.path.join(campaign.work, "secrets.xml"), "rb") as file:
        junit = file.read()
    planted = junit.replace(b"</testsuites>", b"<!-- " + base64.b64encode(b"k=" + SECRETS["URL_TOKEN"].encode()) + b" -->")
    if not secret_scan.scan_bytes("canary", planted, probe):
        fail_to_run("a secret planted in base64 in a real JUnit output was not found: the scan is blind")
    for root, _, files in os.walk(os.path.join(campaign.work, "fuzz-unshrunk")):
        for name in files:
            with open(os.path.join(root, name), "rb") as file:
                data = file.read()
            document = json.loads(data)
            if not isinstance(document, dict) or secret_scan.designated_secret_count(document) == 0:
                continue
            if secret_scan.scan_scenario_file("canary", data, probe):
                fail_to_run(f"{name}: a scenario file zsim wrote was judged leaking before anything was planted")
            value = secret_scan.GENERATED_SECRET.search(data).group(0).decode()
            document["description"] = f"seed with {value}"
            if not secret_scan.scan_scenario_file("canary", json.dumps(document).encode(), probe):
                fail_to_run("a generated secret moved into a scenario's description was not found")
            return
    fail_to_run("no unshrunk scenario file held a generated secret")


def main():
    if len(sys.argv) < 2:
        fail_to_run("usage: secret_leaks.py PATH/TO/zsim [--sanitized]")
    zsim = os.path.realpath(sys.argv[1])
    sanitized = "--sanitized" in sys.argv[2:]
    work = tempfile.mkdtemp(prefix="zsim-secret-leaks-")
    redis = None
    try:
        campaign = Campaign(zsim, work, sanitized)
        written = run_fuzz_campaigns(campaign)
        run_scenarios(campaign, written[:6], "fuzz-found")
        write_json(os.path.join(work, "secret-leaks.json"), secret_scenario())
        library = [os.path.join(SOURCE_DIR, "scenarios", name) for name in (
            "feature-secret-env-v0.json", "feature-secret-env-v1.json", "redis-password.json",
            "secret-env-zos-errors.json", "zos-secret-unknown-version.json", "invalid-reservations.json")]
        for path in library:
            shutil.copy(path, work)
        run_scenarios(campaign, ["secret-leaks.json"] + [os.path.basename(path) for path in library], "secrets")
        with open(os.path.join(work, "numeric.json"), "w", encoding="utf-8") as file:
            file.write(numeric_secret_scenario())
        campaign.zsim_run("run: a numeric secret value", ["run", "--json", "numeric.json"], {2})
        campaign.zsim_run("sim: --trace --json", ["sim", "--seed", "3", "--reservations", "120", "--duration", "10m",
                                                  "--trace", "sim-3.trace", "--json"], {0}, ["sim-3.trace"])
        campaign.zsim_run("sim: text", ["sim", "--seed", "8", "--reservations", "60", "--duration", "10m"], {0})

        redis, port = start_redis(work)
        watcher = Watcher(port, REDIS_PASSWORD)
        watcher.start()
        url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{port}"
        campaign.zsim_run("sim --redis (a password)", ["sim", "--seed", "5", "--reservations", "40", "--duration", "5m",
                                                       "--json", "--trace", "sim-redis.trace", "--redis", url], {0},
                          ["sim-redis.trace"])
        campaign.zsim_run("run --redis (a password)", ["run", "--redis", url, "--explain", "--trace", "run-redis.trace",
                                                       "secret-leaks.json", "feature-secret-env-v1.json"], {0, 1},
                          ["run-redis.trace.secret-leaks", "run-redis.trace.feature-secret-env-v1"])
        published = watcher.stop()
        messages = published.count(b"pmessage")
        if messages < 100:
            fail_to_run(f"the watcher of the real redis-server received {messages} messages, expected at least 100")
        campaign.outputs.scan(f"real redis-server: {messages} messages to a PSUBSCRIBE '*' watcher", published)
        for name, bad in (("a '/' in the password", f"redis://:{REDIS_PASSWORD}/x@127.0.0.1:{port}"),
                          ("a user and a '/'", f"redis://user:{REDIS_PASSWORD}/x@127.0.0.1:{port}"),
                          ("no port after the password", f"redis://:{REDIS_PASSWORD}@127.0.0.1:/x"),
                          ("a port that is the password", f"redis://127.0.0.1:{REDIS_PASSWORD}")):
            campaign.zsim_run(f"sim --redis: {name}", ["sim", "--duration", "5m", "--reservations", "5", "--redis", bad],
                              {2})
            campaign.zsim_run(f"run --redis: {name}", ["run", "--redis", bad, "secret-leaks.json"], {2})

        outputs = campaign.outputs
        prove_the_scan_sees_leaks(campaign)
        if outputs.designated == 0:
            fail_to_run("no scenario file zsim wrote held a secret: the campaign proved nothing about them")
        print(f"secret_leaks: {campaign.commands} commands, {outputs.scanned} outputs "
              f"({outputs.scanned_bytes / 1e6:.1f} MB) scanned, {outputs.designated} secrets kept where scenario "
              f"files hold them")
        if outputs.leaks:
            for leak in outputs.leaks:
                print(f"LEAK {leak}")
            print(f"secret_leaks: FAIL: {len(outputs.leaks)} leaks (work folder kept: {work})")
            work = None
            return 1
        print("secret_leaks: PASS: no secret in any form in any output")
        return 0
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(10)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
