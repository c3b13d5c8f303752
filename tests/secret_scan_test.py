"""Unit tests of tests/secret_scan.py: every form of leak it claims to find is planted and found,
and text that holds no secret (or holds one only where a scenario file keeps it) is clean.
ctest runs it (secret_scan, label "secrets"): python3 tests/secret_scan_test.py
"""

import base64
import binascii
import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import secret_scan  # noqa: E402

PASSWORD = "pw/K7@q:x%Zr+9 e"
GENERATED = "zsim-secret-00c0ffee12345678"
AROUND = b'{"t": 12, "line": "container_started workload=10-1 ip=10.1.1.10", "msg": "'
AFTER = b'" , "tail": "abcdef0123456789"}\n'


def planted(encoded):
    return AROUND + encoded + AFTER


class PlantedLeaks(unittest.TestCase):
    def setUp(self):
        self.secrets = secret_scan.SecretSet([PASSWORD])

    def assert_found(self, data, form=None):
        leaks = secret_scan.scan_bytes("planted", data, self.secrets)
        self.assertTrue(leaks, f"no leak found in {data!r}")
        if form is not None:
            self.assertIn(form, [leak.form for leak in leaks])
        for leak in leaks:
            self.assertNotIn(PASSWORD, str(leak), "a report must not show the secret")

    def test_raw(self):
        self.assert_found(planted(PASSWORD.encode()), "raw")

    def test_escaped_as_zsim_prints_untrusted_text(self):
        escaped = "".join(f"\\x{ord(c):02X}" if c in "/@%" else c for c in PASSWORD).encode()
        self.assert_found(planted(escaped), "escaped")
        self.assert_found(planted(json.dumps(PASSWORD, ensure_ascii=True).encode().replace(b"/", b"\\/")), "escaped")
        unicode = "".join(f"\\u{ord(c):04x}" for c in PASSWORD).encode()
        self.assert_found(planted(unicode), "escaped")

    def test_xml_escaped(self):
        xml = "".join(f"&#x{ord(c):X};" if c in "@%" else c for c in PASSWORD).replace("+", "&#43;").encode()
        self.assert_found(planted(xml), "xml-escaped")

    def test_url_escaped(self):
        self.assert_found(planted(urllib.parse.quote(PASSWORD, safe="").encode()), "url-escaped")
        upper = "".join(f"%{ord(c):02X}" for c in PASSWORD).encode()
        self.assert_found(planted(upper), "url-escaped")

    def test_hex_both_cases_and_both_parities(self):
        raw = PASSWORD.encode()
        self.assert_found(planted(binascii.hexlify(raw)), "hex")
        self.assert_found(planted(binascii.hexlify(raw).upper()), "hex")
        # Inside a longer hex text at an odd position (a digit before it).
        self.assert_found(planted(b"f" + binascii.hexlify(b"\x01" + raw + b"\x02")), "hex")

    def test_base64_at_every_alignment_and_both_alphabets(self):
        raw = PASSWORD.encode()
        for prefix in (b"", b"a", b"ab", b"abc"):
            self.assert_found(planted(base64.b64encode(prefix + raw + b"tail")), "base64")
            self.assert_found(planted(base64.urlsafe_b64encode(prefix + raw)), "base64url")

    def test_part_of_a_secret(self):
        # "invalid port 'K7@q:x%Zr+9'": the middle of a password, as a URL error once quoted it.
        self.assert_found(planted(b"invalid port '" + PASSWORD[3:14].encode() + b"'"))

    def test_generated_secret_by_its_marker(self):
        self.assert_found(planted(GENERATED.encode()), "raw")
        self.assert_found(planted(base64.b64encode(b"xy" + GENERATED.encode())), "base64")
        self.assert_found(planted(binascii.hexlify(GENERATED.encode())), "hex")


class CleanText(unittest.TestCase):
    def test_ordinary_output_is_clean(self):
        secrets = secret_scan.SecretSet([PASSWORD])
        text = (
            b"PASS scenarios/feature-stats.json feature-stats (8 checks, trace f0ab986335a4c6e6)\n"
            b"0 node-1 redis_connect server=10.0.0.1:6379 auth=1\n"
            b"secret_environment: {\"TOKEN\": \"00112233445566778899aabbccddeeff0011\"}\n"
            b"zsim-secret-notHex and zsim-secret-0123 are no generated secrets\n"
            + base64.b64encode(b"nothing secret in here at all") + b"\n"
        )
        self.assertEqual(secret_scan.scan_bytes("clean", text, secrets), [])

    def test_a_window_shorter_than_the_partial_bound_is_not_a_leak(self):
        secrets = secret_scan.SecretSet([PASSWORD])
        self.assertEqual(secret_scan.scan_bytes("short", planted(PASSWORD[:6].encode()), secrets), [])


class ScenarioFiles(unittest.TestCase):
    def document(self):
        return {
            "name": "shrunk",
            "redis": [{"address": "10.0.0.1:6379", "password": PASSWORD}],
            "reservations": [
                {
                    "id": 1,
                    "workloads": [
                        {
                            "type": "container",
                            "payload": {
                                "secret_environment": {"TOKEN": GENERATED},
                                "logs": [{"type": "redis", "data": {"stdout": f"redis://:{PASSWORD}@10.0.0.1:6379/o"}}],
                            },
                        }
                    ],
                }
            ],
        }

    def test_secrets_where_the_format_keeps_them_are_allowed(self):
        secrets = secret_scan.SecretSet([PASSWORD])
        data = json.dumps(self.document()).encode()
        self.assertEqual(secret_scan.designated_secret_count(self.document()), 2)
        self.assertEqual(secret_scan.scan_scenario_file("shrunk.json", data, secrets), [])
        # The same bytes scanned as any output are a leak: the allowance is the file format's only.
        self.assertTrue(secret_scan.scan_bytes("shrunk.json", data, secrets))

    def test_a_secret_anywhere_else_in_a_scenario_file_is_a_leak(self):
        secrets = secret_scan.SecretSet([PASSWORD])
        document = self.document()
        document["description"] = f"found with token {GENERATED}"
        leaks = secret_scan.scan_scenario_file("shrunk.json", json.dumps(document).encode(), secrets)
        self.assertTrue(leaks)
        document = self.document()
        document["expect"] = {"results": [{"workload": "1-1", "message": f"invalid port '{PASSWORD[:12]}'"}]}
        self.assertTrue(secret_scan.scan_scenario_file("shrunk.json", json.dumps(document).encode(), secrets))


if __name__ == "__main__":
    unittest.main()
