// `zsim run`, run as a user runs it: the real binary on scenario files in a fresh temporary folder,
// checking exit codes (0 all pass, 1 one fails, 2 a file is not a valid scenario), the lines it
// prints, JUnit XML, JSON, --explain, --trace and --check-determinism.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace zsim::tests {
namespace {

namespace fs = std::filesystem;

// A passing scenario; {{STATE}} is the state the result check expects.
constexpr std::string_view scenario_template = R"({
  "format": 1, "name": "{{NAME}}", "description": "cli test", "seed": 5,
  "nodes": [{"label": "node-1", "networks": [{"name": "net", "subnet": "10.1.1.0/24", "owner": "alice"}]}],
  "flists": [{"url": "https://hub/app.flist", "entrypoint": "/bin/app"}],
  "reservations": [{"id": 10, "owner": "alice", "node": "node-1", "workloads": [{"type": "container", "payload": {
    "flist": "https://hub/app.flist", "network_connection": [{"network_id": "net", "ipaddress": "10.1.1.10"}],
    "capacity": {"cpu": 1, "memory": 256}}}]}],
  "steps": [{"at": "1s", "deliver": 10}, {"at": "30s", "advance": "0s"}],
  "expect": {"results": [{"at": "20s", "workload": "10-1", "state": "{{STATE}}"}]}
})";

std::string scenario_text(const std::string& name, const std::string& state) {
  std::string text(scenario_template);
  text.replace(text.find("{{NAME}}"), 8, name);
  text.replace(text.find("{{STATE}}"), 9, state);
  return text;
}

using RunResult = CommandResult;

class CliRun : public ::testing::Test {
 protected:
  std::string write(const std::string& name, std::string_view content) const { return folder_.write(name, content); }
  RunResult run(const std::vector<std::string>& args) const { return run_zsim(args); }

  TempFolder folder_{"zsim-cli-run"};
  const fs::path& dir_ = folder_.path();
};

TEST_F(CliRun, AllPassingExitsZero) {
  const std::string a = write("a.json", scenario_text("a", "ok"));
  const RunResult result = run({"run", a});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("PASS " + a + " a (2 checks, trace ", 0), 0u) << lines[0];
  EXPECT_EQ(result.err, "");
}

TEST_F(CliRun, AFalseExpectationExitsOneAndSaysWhatAndWhen) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  const std::string bad = write("bad.json", scenario_text("bad", "error"));
  const RunResult result = run({"run", good, bad});
  EXPECT_EQ(result.exit_code, 1);
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 2u) << result.out;
  EXPECT_EQ(lines[0].rfind("PASS " + good, 0), 0u);
  EXPECT_EQ(lines[1], "FAIL " + bad + " bad: expect.results[0] 10-1 at +00:20.000: expected error, got ok \"\"");
}

TEST_F(CliRun, AnInvalidFileExitsTwoWithFilePathAndProblem) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  std::string broken_text = scenario_text("broken", "ok");
  broken_text.replace(broken_text.find("\"advance\": \"0s\""), 15, "\"advance\": \"soon\"");
  const std::string broken = write("broken.json", broken_text);
  const std::string failing = write("failing.json", scenario_text("failing", "deleted"));
  const RunResult result = run({"run", broken, good, failing});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, broken + ": steps[1].advance: invalid duration 'soon', expected e.g. 500ms, 2s, 10m, 1h, 1d or 1h30m\n");
  // The valid files still ran.
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 3u) << result.out;
  EXPECT_EQ(lines[0].rfind("INVALID " + broken + ": steps[1].advance: ", 0), 0u);
  EXPECT_EQ(lines[1].rfind("PASS " + good, 0), 0u);
  EXPECT_EQ(lines[2].rfind("FAIL " + failing, 0), 0u);
}

TEST_F(CliRun, MalformedJsonIsInvalid) {
  const std::string broken = write("broken.json", "{\"format\": 1,\n");
  const RunResult result = run({"run", broken});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.rfind(broken + ": (top level): invalid JSON at line 2, column 1: ", 0), 0u) << result.err;
  EXPECT_EQ(lines_of(result.err).size(), 1u);
}

TEST_F(CliRun, MissingFileOrNoFileIsAUsageError) {
  EXPECT_EQ(run({"run", (dir_ / "missing.json").string()}).exit_code, 2);
  EXPECT_EQ(run({"run"}).exit_code, 2);
}

TEST_F(CliRun, JunitHasATestcasePerScenarioAndTheFailure) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  const std::string bad = write("bad.json", scenario_text("bad", "error"));
  const std::string junit = (dir_ / "report.xml").string();
  const RunResult result = run({"run", "--junit", junit, good, bad});
  EXPECT_EQ(result.exit_code, 1);
  const std::string xml = read_all(junit);
  EXPECT_NE(xml.find("<testsuite name=\"zsim scenarios\" tests=\"2\" failures=\"1\" errors=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"scenarios\" name=\"good\""), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"expect.results[0] 10-1 at +00:20.000: expected error, got ok &quot;&quot;\""),
            std::string::npos)
      << xml;
}

TEST_F(CliRun, JsonReportsEveryScenario) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  const std::string bad = write("bad.json", scenario_text("bad", "error"));
  const RunResult result = run({"run", "--json", good, bad});
  EXPECT_EQ(result.exit_code, 1);
  const nlohmann::json report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["passed"], 1);
  EXPECT_EQ(report["failed"], 1);
  EXPECT_EQ(report["scenarios"][1]["failures"][0]["expected"], "error");
  EXPECT_EQ(report["scenarios"][1]["failures"][0]["at_ms"], 20'000);
  EXPECT_EQ(report["scenarios"][0]["trace_hash"].get<std::string>().size(), 16u);
}

TEST_F(CliRun, DeterminismCheckRunsTwiceAndTraceIsWritten) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  const std::string trace = (dir_ / "trace.txt").string();
  const RunResult result = run({"run", "--check-determinism", "--trace", trace, good});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find(" twice, simulated +00:30.000)"), std::string::npos) << result.out;
  const std::vector<std::string> trace_lines = lines_of(read_all(trace));
  ASSERT_GT(trace_lines.size(), 10u);
  EXPECT_NE(trace_lines.front().find(" scenario scenario_start name=good seed=5"), std::string::npos) << trace_lines.front();
  // The hash printed is the hash of the trace written: the same run gives the same line.
  const RunResult again = run({"run", good});
  const std::string hash_of_first = result.out.substr(result.out.find("trace ") + 6, 16);
  EXPECT_NE(again.out.find("trace " + hash_of_first), std::string::npos);
}

TEST_F(CliRun, ExplainPrintsATimeline) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  const RunResult result = run({"run", "--explain", good});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("== good — " + good), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("+00:01.000  scenario   STEP deliver reservation 10 to node-1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("+00:10.100  explorer   result 10-1 ok"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\nPASS " + good), std::string::npos);
}

TEST_F(CliRun, HelpExplainsExitCodes) {
  const RunResult result = run({"run", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("--check-determinism"), std::string::npos);
  EXPECT_NE(result.out.find("2 a file is not a valid scenario"), std::string::npos) << result.out;
}

TEST_F(CliRun, TheSchemaBesideTheScenariosIsSkipped) {
  const std::string good = write("good.json", scenario_text("good", "ok"));
  const std::string schema = (fs::path(ZSIM_SOURCE_DIR) / "scenarios" / "schema.json").string();
  const RunResult result = run({"run", schema, good});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 2u) << result.out;
  EXPECT_EQ(lines[0], "SKIP " + schema + ": a JSON Schema, not a scenario");
  EXPECT_EQ(lines[1].rfind("PASS " + good, 0), 0u);
}

// The shipped library passes, deterministically: what `make demo` and ctest rely on.
TEST_F(CliRun, TheLibraryPasses) {
  std::vector<std::string> args{"run", "--check-determinism"};
  for (const auto& entry : fs::directory_iterator(fs::path(ZSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") args.push_back(entry.path().string());
  }
  ASSERT_GE(args.size(), 27u);
  const RunResult result = run(args);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(lines_of(result.out).size(), args.size() - 2);
}

}  // namespace
}  // namespace zsim::tests
