// Reports: the PASS/FAIL lines, JUnit XML and JSON of `zsim run`.

#include "sim/scenario_report.hpp"

#include <gtest/gtest.h>

namespace zsim::sim {
namespace {

ScenarioReport passed_report() {
  ScenarioReport report;
  report.file = "scenarios/a.json";
  report.name = "a";
  report.run.passed = true;
  report.run.trace_hash = "0123456789abcdef";
  report.run.checks_total = 3;
  report.run.end_ms = 61'000;
  return report;
}

ScenarioReport failed_report() {
  ScenarioReport report = passed_report();
  report.file = "scenarios/b.json";
  report.name = "b";
  report.run.passed = false;
  report.run.failures.push_back(CheckFailure{"expect.results[0] 10-1", "error \"<x>\"", "ok \"\"", 30'000});
  report.run.failures.push_back(CheckFailure{"property released", "no violation", "node-1: 1 mounts left", 90'000});
  return report;
}

ScenarioReport invalid_report() {
  ScenarioReport report;
  report.file = "scenarios/c.json";
  report.load_error = "scenarios/c.json: steps[2].fault: unknown fault 'x'";
  return report;
}

TEST(ScenarioReport, OneLinePerScenarioWithFailuresIndented) {
  EXPECT_EQ(report_lines(passed_report()),
            std::vector<std::string>{"PASS scenarios/a.json a (3 checks, trace 0123456789abcdef, simulated +01:01.000)"});
  const std::vector<std::string> failed = report_lines(failed_report());
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0], "FAIL scenarios/b.json b: expect.results[0] 10-1 at +00:30.000: expected error \"<x>\", got ok \"\"");
  EXPECT_EQ(failed[1], "     property released at +01:30.000: expected no violation, got node-1: 1 mounts left");
  EXPECT_EQ(report_lines(invalid_report()),
            std::vector<std::string>{"INVALID scenarios/c.json: steps[2].fault: unknown fault 'x'"});
}

TEST(ScenarioReport, DeterminismMismatchFails) {
  ScenarioReport report = passed_report();
  report.determinism_checked = true;
  report.second_hash = report.run.trace_hash;
  EXPECT_TRUE(report.passed());
  EXPECT_NE(report_lines(report)[0].find("trace 0123456789abcdef twice"), std::string::npos);
  report.second_hash = "ffffffffffffffff";
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report_lines(report)[0],
            "FAIL scenarios/a.json a: determinism: expected the same trace hash twice, got 0123456789abcdef then "
            "ffffffffffffffff");
}

TEST(ScenarioReport, JunitHasATestcasePerScenario) {
  const std::string xml = junit_xml({passed_report(), failed_report(), invalid_report()});
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  EXPECT_NE(xml.find("<testsuite name=\"zsim scenarios\" tests=\"3\" failures=\"1\" errors=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"scenarios\" name=\"a\" file=\"scenarios/a.json\""), std::string::npos);
  // The failed expectation is the message, escaped.
  EXPECT_NE(xml.find("<failure message=\"expect.results[0] 10-1 at +00:30.000: expected error &quot;&lt;x&gt;&quot;, got ok "
                     "&quot;&quot;\" type=\"expectation\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<error message=\"scenarios/c.json: steps[2].fault: unknown fault &apos;x&apos;\" type=\"invalid scenario\">"),
            std::string::npos);
  std::size_t testcases = 0;
  for (std::size_t at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) testcases += 1;
  EXPECT_EQ(testcases, 3u);
}

TEST(ScenarioReport, XmlEscapesEverythingSpecial) {
  EXPECT_EQ(xml_escape("a<b>&\"c'\x01"), "a&lt;b&gt;&amp;&quot;c&apos;?");
}

TEST(ScenarioReport, JsonCountsOutcomes) {
  const nlohmann::ordered_json json = report_json({passed_report(), failed_report(), invalid_report()});
  EXPECT_EQ(json["passed"], 1);
  EXPECT_EQ(json["failed"], 1);
  EXPECT_EQ(json["invalid"], 1);
  EXPECT_EQ(json["scenarios"][1]["failures"][0]["at"], "+00:30.000");
  EXPECT_EQ(json["scenarios"][2]["status"], "invalid");
}

}  // namespace
}  // namespace zsim::sim
