#!/usr/bin/env python3
"""Tests of scripts/bench_report.py and `zsim bench`'s arguments (ctest label bench_report).

The report is rendered from a recorded quick run (bench/testdata/report-quick/raw/), so the test
takes seconds and measures nothing: it checks that the report and its SVGs are written and well
formed, that each target gets a verdict, and that problems give the documented exit codes.

Usage: ZSIM_BINARY=build/bin/zsim bench_report_test.py   (without ZSIM_BINARY the zsim tests are skipped)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "bench_report.py")
FIXTURE = os.path.join(os.path.dirname(HERE), "bench", "testdata", "report-quick", "raw")
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
FIGURES = ("world_speed", "cost_per_container", "memory_per_container", "stats_throughput")
ZSIM = os.environ.get("ZSIM_BINARY")

sys.path.insert(0, HERE)
import bench_report  # noqa: E402  (the module under test, found beside this file)


def run(arguments):
    return subprocess.run([sys.executable, SCRIPT] + arguments, capture_output=True, text=True, timeout=60, check=False)


class RenderTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="zsim-bench-report-")
        shutil.copytree(FIXTURE, os.path.join(self.out, "raw"))

    def tearDown(self):
        shutil.rmtree(self.out)

    def read_report(self):
        with open(os.path.join(self.out, "report.md")) as handle:
            return handle.read()

    def test_renders_report_tables_and_well_formed_svgs(self):
        finished = run(["render", "--out", self.out])
        self.assertEqual(finished.returncode, 0, finished.stderr)
        report = self.read_report()
        for heading in ("## Targets (issue 13)", "## Machine", "## Simulated seconds per wall second, per grid size",
                        "## Cost per container", "## Memory per idle container", "## In-process stats path",
                        "## Stats encoding: ours ÷ nlohmann", "## Redis pipeline: ours ÷ redis-benchmark",
                        "## Raw data"):
            self.assertIn(heading, report)
        self.assertNotIn("## Problems in this run", report)
        for figure in FIGURES:
            path = os.path.join(self.out, figure + ".svg")
            root = ElementTree.parse(path).getroot()
            self.assertEqual(root.tag, SVG_NAMESPACE + "svg", figure)
            self.assertGreater(len(list(root.iter(SVG_NAMESPACE + "path"))), 5, f"{figure}.svg draws nothing")
            self.assertIn(f"]({figure}.svg)", report)

    def test_every_target_gets_a_verdict(self):
        self.assertEqual(run(["render", "--out", self.out]).returncode, 0)
        lines = self.read_report().split("## Targets (issue 13)")[1].split("## Machine")[0].splitlines()
        rows = [line for line in lines if line.startswith("| ") and "verdict" not in line]
        self.assertEqual(len(rows), 7)
        for row in rows:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            self.assertRegex(cells[2], r"^(\*\*met\*\*|\*\*missed by [0-9.]+×\*\*|not measured in this run)$", row)
        # The recorded run is a quick one: it has no 100,000-container grid to judge.
        self.assertIn("not measured in this run", rows[1])

    def test_tables_carry_the_recorded_figures(self):
        self.assertEqual(run(["render", "--out", self.out]).returncode, 0)
        results = bench_report.Results(os.path.join(self.out, "raw"))
        speedup = results.get("stats_bench", "BM_StatsEncodeRatio", "nlohmann_over_encode")
        self.assertIsNotNone(speedup)
        self.assertIn(f"**{speedup:,.1f}×**", self.read_report())

    def test_a_missing_suite_is_a_problem_with_exit_1(self):
        os.remove(os.path.join(self.out, "raw", "grid_bench.json"))
        finished = run(["render", "--out", self.out])
        self.assertEqual(finished.returncode, 1)
        report = self.read_report()
        self.assertIn("## Problems in this run", report)
        self.assertIn("grid_bench: raw/grid_bench.json is missing", report)

    def test_a_folder_without_raw_data_is_exit_2(self):
        empty = tempfile.mkdtemp(prefix="zsim-bench-empty-")
        try:
            finished = run(["render", "--out", empty])
            self.assertEqual(finished.returncode, 2)
            self.assertIn("no raw/ folder", finished.stderr)
        finally:
            shutil.rmtree(empty)


class ArgumentTest(unittest.TestCase):
    def test_missing_bench_binary_is_exit_2_naming_it(self):
        out = tempfile.mkdtemp(prefix="zsim-bench-out-")
        try:
            finished = run(["run", "--bin-dir", os.path.join(out, "no-such-bin"), "--out", out])
            self.assertEqual(finished.returncode, 2)
            self.assertIn("no-such-bin/stats_bench is missing", finished.stderr)
        finally:
            shutil.rmtree(out)

    def test_unknown_argument_is_exit_2(self):
        self.assertEqual(run(["run", "--bogus"]).returncode, 2)

    def test_verdicts(self):
        self.assertEqual(bench_report.verdict(5, 10), "**missed by 2.00×**")
        self.assertEqual(bench_report.verdict(12, 10), "**met**")
        self.assertEqual(bench_report.verdict(3, 4, at_least=False), "**met**")
        self.assertEqual(bench_report.verdict(6, 4, at_least=False), "**missed by 1.50×**")
        self.assertEqual(bench_report.verdict(None, 4), "not measured in this run")


@unittest.skipIf(ZSIM is None, "ZSIM_BINARY is not set")
class ZsimBenchTest(unittest.TestCase):
    def zsim(self, arguments):
        return subprocess.run([ZSIM, "bench"] + arguments, capture_output=True, text=True, timeout=60, check=False)

    def test_help_teaches_and_exits_0(self):
        finished = self.zsim(["--help"])
        self.assertEqual(finished.returncode, 0)
        for words in ("--quick", "--out", "report.md", "compare.py", "Exit codes: 0 report written"):
            self.assertIn(words, finished.stdout)

    def test_bad_argument_is_exit_2(self):
        finished = self.zsim(["--frobnicate"])
        self.assertEqual(finished.returncode, 2)
        self.assertIn("--frobnicate", finished.stderr)

    def test_out_that_is_a_file_is_exit_2(self):
        with tempfile.NamedTemporaryFile(prefix="zsim-bench-file-") as file:
            finished = self.zsim(["--quick", "--out", file.name])
            self.assertEqual(finished.returncode, 2)
            self.assertIn("--out", finished.stderr)


if __name__ == "__main__":
    unittest.main()
