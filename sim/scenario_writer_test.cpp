#include "sim/scenario_writer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/fuzz_seed.hpp"
#include "sim/scenario_runner.hpp"
#include "sim/swarm.hpp"

namespace zsim::sim {
namespace {

std::filesystem::path source_dir() {
  const char* source = std::getenv("ZSIM_SOURCE_DIR");
  EXPECT_NE(source, nullptr) << "ZSIM_SOURCE_DIR must point at the source tree";
  return source == nullptr ? std::filesystem::path(".") : std::filesystem::path(source);
}

Scenario reload(const Scenario& scenario) {
  const core::Expected<Scenario> loaded = load_scenario_text(format_scenario(scenario), "written.json");
  EXPECT_TRUE(loaded.ok()) << loaded.error() << "\n" << format_scenario(scenario);
  return loaded.ok() ? loaded.value() : Scenario{};
}

// Every file of the library, written back, is read into a scenario whose text is a fixed point
// and whose run is the same run: same trace hash, same verdict.
TEST(ScenarioWriter, TheLibraryRoundTripsToTheSameRun) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
    const core::Expected<Scenario> original = load_scenario_file(entry.path().string());
    ASSERT_TRUE(original.ok()) << original.error();
    const std::string first_text = format_scenario(original.value());
    const Scenario written = reload(original.value());
    EXPECT_EQ(format_scenario(written), first_text) << entry.path();
    EXPECT_EQ(written.end_ms, original.value().end_ms) << entry.path();
    EXPECT_EQ(written.steps.size(), original.value().steps.size()) << entry.path();
    EXPECT_EQ(written.checks.size(), original.value().checks.size()) << entry.path();
    const ScenarioRun before = run_scenario(original.value());
    const ScenarioRun after = run_scenario(written);
    EXPECT_EQ(after.trace_hash, before.trace_hash) << entry.path();
    EXPECT_EQ(after.passed, before.passed) << entry.path();
    count += 1;
  }
  EXPECT_GE(count, 25u);
}

// A generated world (the fuzzer's) survives being written: the file runs as the seed ran.
TEST(ScenarioWriter, SwarmScenariosRunTheSameFromTheirFile) {
  for (const char* profile : {"small", "dense"}) {
    const std::uint64_t seeds = std::string(profile) == "small" ? 12 : 1;
    for (std::uint64_t seed = 1; seed <= seeds; seed += 1) {
      SwarmOptions options;
      options.seed = seed;
      options.profile = *find_swarm_profile(profile);
      const Scenario generated = generate_swarm_scenario(options);
      const Scenario written = reload(generated);
      EXPECT_EQ(format_scenario(written), format_scenario(generated)) << profile << " seed " << seed;
      const SeedResult from_memory = run_fuzz_seed(generated);
      const SeedResult from_file = run_fuzz_seed(written);
      EXPECT_EQ(from_file.trace_hash, from_memory.trace_hash) << profile << " seed " << seed;
      EXPECT_EQ(from_file.failed, from_memory.failed) << profile << " seed " << seed;
      EXPECT_EQ(from_file.property, from_memory.property) << profile << " seed " << seed;
    }
  }
}

TEST(ScenarioWriter, FileNamesArePropertyAndSeedAndOnePathComponent) {
  EXPECT_EQ(scenario_file_name("results_sequence", 42), "results_sequence-seed42.json");
  EXPECT_EQ(scenario_file_name("expect.trace", 7), "expect.trace-seed7.json");
  EXPECT_EQ(scenario_file_name("../x y", 1), "_._x_y-seed1.json");
}

TEST(ScenarioWriter, WritesAtomicallyAndNamesThePathOnError) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "zsim-writer-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SwarmOptions options;
  options.seed = 3;
  options.profile = *find_swarm_profile("small");
  const Scenario generated = generate_swarm_scenario(options);
  const std::filesystem::path path = dir / scenario_file_name("stats_cadence", 3);
  ASSERT_TRUE(write_scenario_file(path, generated).ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "stats_cadence-seed3.json.tmp"));
  const core::Expected<Scenario> loaded = load_scenario_file(path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(format_scenario(loaded.value()), format_scenario(generated));

  const core::Expected<void> failed = write_scenario_file(dir / "missing" / "x.json", generated);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("missing/x.json"), std::string::npos) << failed.error();
  EXPECT_EQ(failed.error().find('\n'), std::string::npos);
  std::filesystem::remove_all(dir);
}

// The layout people read: the top-level sections in order, one line per step.
TEST(ScenarioWriter, OneLinePerStepUnderSectionsInOrder) {
  SwarmOptions options;
  options.seed = 9;
  options.profile = *find_swarm_profile("small");
  const Scenario generated = generate_swarm_scenario(options);
  const std::string text = format_scenario(generated);
  const std::size_t format = text.find("\"format\": 1");
  const std::size_t nodes = text.find("\"nodes\": [");
  const std::size_t steps = text.find("\"steps\": [");
  const std::size_t run_for = text.find("\"run_for\"");
  ASSERT_NE(format, std::string::npos);
  ASSERT_NE(nodes, std::string::npos);
  ASSERT_NE(steps, std::string::npos);
  EXPECT_LT(format, nodes);
  EXPECT_LT(nodes, steps);
  EXPECT_LT(steps, run_for);
  std::istringstream lines(text.substr(steps));
  std::string line;
  std::getline(lines, line);  // "steps": [
  std::size_t step_lines = 0;
  while (std::getline(lines, line) && line.find("\"at\"") != std::string::npos) step_lines += 1;
  EXPECT_EQ(step_lines, generated.steps.size());
}

}  // namespace
}  // namespace zsim::sim
