"""Finds secret values in zsim's outputs in any form they could leak in (issue 12).

A secret can leave a program raw, or transformed by whatever printed it: escaped as zsim escapes
untrusted text (\\xNN, \\uXXXX), JSON- or XML-escaped, percent-encoded in a URL, hex-encoded, or
base64-encoded at any alignment. Rather than encode each secret every way (which misses a form
one did not think of and cannot find secrets whose value is unknown), the scanner DECODES the
output every way and searches each decoding for:

  - exact secrets (hand-written values and redis passwords), whole or any window of
    partial_bytes of them: an error that quotes half a password leaks it too;
  - markers: patterns every generated secret matches (the swarm's and the random world's secret
    values are "zsim-secret-" and 16 hex digits), so that secrets drawn inside zsim, whose values
    the test never sees, are found as well.

A scenario file that zsim writes (a shrunk failure) holds secrets by design, in plaintext, where
the scenario format puts them: the values of secret_environment and the password of a redis
server. scan_scenario_file() blanks exactly those places and scans the rest.

Leaks are reported by the output's name, the form and the offset in that form's decoding, never
by the secret's value.
"""

import base64
import binascii
import json
import re
import urllib.parse

# Generated secrets: the swarm's (sim/swarm.cpp) and the random world's (sim/random_world.cpp).
GENERATED_SECRET = re.compile(rb"zsim-secret-[0-9a-f]{16}")
# A window shorter than this could match ordinary text by chance. Windows start every
# PARTIAL_STRIDE bytes of a secret, so any part of a secret of PARTIAL_BYTES + PARTIAL_STRIDE - 1
# bytes or more holds a whole window.
PARTIAL_BYTES = 8
PARTIAL_STRIDE = 4

_HEX_RUN = re.compile(rb"[0-9A-Fa-f]{16,}")
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{12,}={0,2}")
_BASE64_URL_RUN = re.compile(rb"[A-Za-z0-9_-]{12,}={0,2}")
_ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|\\u\{([0-9A-Fa-f]{1,6})\}|\\([nrt\"\\/])")
_XML_ENTITY = re.compile(rb"&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);")


class Leak:
    def __init__(self, where, form, offset, what):
        self.where, self.form, self.offset, self.what = where, form, offset, what

    def __str__(self):
        return f"{self.where}: {self.what} in {self.form} form at offset {self.offset}"


def _unescape(data):
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b'"': b'"', b"\\": b"\\", b"/": b"/"}

    def one(match):
        if match.group(1):
            return bytes([int(match.group(1), 16)])
        code = match.group(2) or match.group(3)
        if code:
            return chr(int(code, 16)).encode("utf-8", "surrogatepass")
        return simple[match.group(4)]

    return _ESCAPE.sub(one, data)


def _xml_unescape(data):
    named = {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}

    def one(match):
        entity = match.group(1)
        if entity in named:
            return named[entity]
        number = int(entity[2:], 16) if entity.startswith(b"#x") else int(entity[1:])
        return chr(min(number, 0x10FFFF)).encode("utf-8", "surrogatepass")

    return _XML_ENTITY.sub(one, data)


def _hex_decodings(data):
    for match in _HEX_RUN.finditer(data):
        run = match.group(0)
        for start in (0, 1):
            body = run[start:]
            body = body[: len(body) // 2 * 2]
            yield binascii.unhexlify(body)


def _base64_decodings(data, pattern, alphabet):
    for match in pattern.finditer(data):
        run = match.group(0).rstrip(b"=")
        # A secret encoded on its own starts at a run's start; one encoded inside a larger text
        # starts anywhere, and its bytes appear only in the decoding of the matching alignment.
        for start in range(4):
            body = run[start:]
            body = body[: len(body) // 4 * 4]
            if not body:
                continue
            try:
                yield base64.b64decode(body, altchars=alphabet, validate=True)
            except binascii.Error:
                continue


def decodings(data):
    """Yields (form, bytes): the output itself and every decoding a secret could hide behind."""
    yield "raw", data
    unescaped = _unescape(data)
    yield "escaped", unescaped
    yield "xml-escaped", _xml_unescape(data)
    yield "url-escaped", urllib.parse.unquote_to_bytes(data)
    yield "url-escaped+escaped", urllib.parse.unquote_to_bytes(unescaped)
    # Each run's decodings joined into one text per form (a NUL between them, which no secret holds),
    # so that a form costs one search however many runs the output has.
    yield "hex", b"\0".join(_hex_decodings(data))
    yield "base64", b"\0".join(_base64_decodings(data, _BASE64_RUN, b"+/"))
    yield "base64url", b"\0".join(_base64_decodings(data, _BASE64_URL_RUN, b"-_"))


class SecretSet:
    """The marked secrets: exact values (bytes) and the generated-secret marker."""

    def __init__(self, exact=(), markers=(GENERATED_SECRET,), partial_bytes=PARTIAL_BYTES):
        self.exact = []
        self.windows = []
        self.partial_bytes = partial_bytes
        self.markers = list(markers)
        for secret in exact:
            self.add(secret)

    def add(self, secret):
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        assert len(secret) >= 4, "a secret shorter than 4 bytes cannot be searched for"
        self.exact.append(secret)
        if len(secret) > self.partial_bytes:
            last = len(secret) - self.partial_bytes
            for start in sorted(set(list(range(0, last + 1, PARTIAL_STRIDE)) + [last])):
                window = secret[start : start + self.partial_bytes]
                if window not in self.windows:
                    self.windows.append(window)

    def find_in(self, data):
        """(offset, what) of the first secret in data, or None."""
        for index, secret in enumerate(self.exact):
            offset = data.find(secret)
            if offset >= 0:
                return offset, f"secret #{index + 1}"
        for window in self.windows:
            offset = data.find(window)
            if offset >= 0:
                return offset, f"{self.partial_bytes} bytes of a secret"
        for marker in self.markers:
            match = marker.search(data)
            if match:
                return match.start(), "a generated secret"
        return None


def scan_bytes(where, data, secrets):
    """Every form in which some secret appears in data, as Leaks (at most one per form)."""
    leaks = []
    seen_forms = set()
    for form, decoded in decodings(data):
        if form in seen_forms:
            continue
        found = secrets.find_in(decoded)
        if found:
            seen_forms.add(form)
            leaks.append(Leak(where, form, found[0], found[1]))
    return leaks


def _blank_designated(node, path):
    """The scenario document with the values that hold secrets by design replaced by ''."""
    if isinstance(node, dict):
        blanked = {}
        for key, value in node.items():
            inside = path + [key]
            if len(path) >= 1 and path[-1] == "secret_environment":
                # A value in plaintext, or {"ciphertext_hex": ...}, which is no secret but is blanked too.
                blanked[key] = ""
            elif key == "password" and len(path) >= 2 and path[-2] == "redis":
                blanked[key] = ""
            else:
                blanked[key] = _blank_designated(value, inside)
        return blanked
    if isinstance(node, list):
        return [_blank_designated(item, path + [str(index)]) for index, item in enumerate(node)]
    if isinstance(node, str) and "payload" in path and node.lower().startswith("redis://"):
        # A redis URL of a reservation carries its server's password as the format says; the last
        # '@' ends it (a password may hold '@' and '/'), as in core/reservation_validate.cpp.
        at = node.rfind("@")
        return node if at < 0 else node[: len("redis://")] + node[at:]
    return node


def designated_secret_count(document):
    """How many secret values the scenario document holds where the format puts them."""
    count = 0
    for server in document.get("redis", []) or []:
        if isinstance(server, dict) and server.get("password"):
            count += 1
    for reservation in document.get("reservations", []) or []:
        for workload in reservation.get("workloads", []) or []:
            secrets = (workload.get("payload") or {}).get("secret_environment") or {}
            count += len(secrets)
    return count


def scan_scenario_file(where, data, secrets):
    """Leaks in a scenario file zsim wrote, outside the places that hold secrets by design."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        return [Leak(where, "unparsable scenario", 0, f"not JSON ({error.__class__.__name__})")] + scan_bytes(
            where, data, secrets
        )
    rest = json.dumps(_blank_designated(document, []), ensure_ascii=False).encode("utf-8")
    return scan_bytes(where, rest, secrets)
