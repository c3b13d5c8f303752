#pragma once
// Reports of `zsim run`: the PASS/FAIL line of a scenario, JUnit XML for CI systems (one testsuite,
// one testcase per scenario file, the failed expectation as the failure's message), and JSON.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario_runner.hpp"

namespace zsim::sim {

// What happened to one file given to `zsim run`.
struct ScenarioReport {
  std::string file;
  std::string name;         // Empty when the file is not a valid scenario.
  std::string load_error;   // "FILE: PATH: what is wrong", when invalid.
  ScenarioRun run;
  bool determinism_checked = false;
  std::string second_hash;  // The trace hash of the second run, with --check-determinism.
  double wall_seconds = 0;  // How long the run took on this machine (never seen by the world).

  bool invalid() const { return !load_error.empty(); }
  bool passed() const { return !invalid() && run.passed && (!determinism_checked || second_hash == run.trace_hash); }
};

// "PASS FILE NAME (N checks, trace HASH, simulated +mm:ss.mmm)" or "FAIL FILE NAME: first failure",
// with further failures on indented lines after it.
std::vector<std::string> report_lines(const ScenarioReport& report);
// Every failure of a report, the determinism mismatch included, as one line each.
std::vector<std::string> failure_lines(const ScenarioReport& report);
std::string junit_xml(const std::vector<ScenarioReport>& reports);
nlohmann::ordered_json report_json(const std::vector<ScenarioReport>& reports);
// XML text and attribute escaping (&, <, >, ", ', control bytes, and bytes that are not UTF-8, which
// become U+FFFD), so that the document is well-formed whatever a file name holds.
std::string xml_escape(std::string_view text);

}  // namespace zsim::sim
