// The scenario loader: what a valid file becomes, and a one-line error naming the file, the JSON
// path and what is wrong for every kind of mistake.

#include "sim/scenario.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace zsim::sim {
namespace {

using nlohmann::json;

// A small valid scenario; tests change one thing in it.
json minimal() {
  return json::parse(R"({
    "format": 1, "name": "minimal", "description": "a test", "seed": 7,
    "nodes": [{"label": "node-1", "networks": [{"name": "net", "subnet": "10.1.1.0/24", "owner": "alice"}],
               "volumes": [{"id": "5-1", "owner": "alice", "size_gib": 2}]}],
    "flists": [{"url": "https://hub/app.flist", "entrypoint": "/bin/app", "program": {"line_interval": "2s"}}],
    "redis": [{"address": "10.0.0.1:6379"}],
    "reservations": [{"id": 10, "owner": "alice", "node": "node-1", "duration": "10m",
      "workloads": [{"type": "container", "payload": {"flist": "https://hub/app.flist",
        "secret_environment": {"TOKEN": "plain-token", "RAW": {"ciphertext_hex": "abcd"}}}}]}],
    "steps": [{"at": "1s", "deliver": 10}, {"advance": "30s"}, {"delete": 10}, {"at": "2m", "advance": "0s"}],
    "expect": {"results": [{"workload": "10-1", "state": "ok"}],
               "messages": [{"at": "3m", "server": "10.0.0.1:6379", "channel": "c", "count": {"min": 2, "max": 5}}]}
  })");
}

core::Expected<Scenario> load(const json& document) { return load_scenario_text(document.dump(), "test.json"); }

std::string error_of(const json& document) {
  const core::Expected<Scenario> scenario = load(document);
  EXPECT_FALSE(scenario.ok()) << "loaded although it should not";
  return scenario.ok() ? std::string() : scenario.error();
}

TEST(ScenarioLoader, ReadsEverySection) {
  const core::Expected<Scenario> loaded = load(minimal());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const Scenario& scenario = loaded.value();
  EXPECT_EQ(scenario.name, "minimal");
  EXPECT_EQ(scenario.seed, 7u);
  ASSERT_EQ(scenario.nodes.size(), 1u);
  EXPECT_EQ(scenario.nodes[0].networks.at(0).workload_id, "0-1");
  EXPECT_EQ(scenario.nodes[0].volumes.at(0).size_gib, 2u);
  ASSERT_TRUE(scenario.flists.at(0).program.has_value());
  EXPECT_EQ(scenario.flists[0].program->line_interval_ms, 2000);
  EXPECT_EQ(scenario.flists[0].image.name, "app.flist");
  EXPECT_EQ(scenario.reservations.at(0).duration_ms, 600'000);
  // Secrets leave the payload: the runner encrypts them for the node.
  const WorkloadSpec& workload = scenario.reservations[0].workloads.at(0);
  EXPECT_FALSE(workload.payload.contains("secret_environment"));
  ASSERT_EQ(workload.secrets.size(), 2u);
  EXPECT_EQ(workload.secrets[0].name, "RAW");
  EXPECT_TRUE(workload.secrets[0].raw);
  EXPECT_EQ(workload.secrets[1].plaintext, "plain-token");
}

// Knobs other than the default are kept (a default one is dropped, so a file reads back as it
// is written); a stats cadence names a container with stats on a server of the file.
TEST(ScenarioLoader, ReadsKnobsAndStatsCadence) {
  json document = minimal();
  document["nodes"][0]["knobs"] = {{"crash_window_ms", 30000}, {"poll_interval_ms", 10000}};
  document["reservations"][0]["workloads"][0]["payload"]["stats_aggregator"] =
      json::array({{{"type", "redis"}, {"data", {{"endpoint", "redis://10.0.0.1:6379/stats"}}}}});
  document["expect"]["stats_cadence"] = json::array({"10-1"});
  const core::Expected<Scenario> loaded = load(document);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded.value().nodes[0].knobs, (NodeKnobs{{"crash_window_ms", 30000}}));
  EXPECT_EQ(loaded.value().stats_cadence, std::vector<std::string>{"10-1"});
  document["reservations"][0]["workloads"][0]["payload"]["stats_aggregator"][0]["data"]["endpoint"] =
      "redis://10.9.9.9:6379/stats";
  EXPECT_EQ(error_of(document), "test.json: expect.stats_cadence[0]: the stats endpoint of 10-1 is not a redis server of this file");
}

TEST(ScenarioLoader, AnUnknownKnobListsTheKnownOnes) {
  json document = minimal();
  document["nodes"][0]["knobs"] = {{"crash_max", 3}};
  EXPECT_EQ(error_of(document), "test.json: nodes[0].knobs.crash_max: unknown knob, expected one of " + node_knob_list());
}

TEST(ScenarioLoader, ReadsTheFidelityFields) {
  json document = minimal();
  document["explorer"] = {{"poll_order", "descending"}};
  document["flists"][0]["faults"] = json::array({"corrupt", json{{"status", 503}}});
  document["steps"][1] = json{{"fault", "hub.status"}, {"status", 500}};
  document["expect"]["results"][0]["before"] = "5-1";
  document["expect"]["messages"][0]["last_text"] = "a line\n";
  document["expect"]["capacity"] = json::array({json{{"node", "node-1"}, {"reported", {{"cpu", 2}}}},
                                                json{{"node", "node-1"}, {"used", {{"cpu", 1}}}, {"reported", false}}});
  const core::Expected<Scenario> loaded = load(document);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const Scenario& scenario = loaded.value();
  EXPECT_TRUE(scenario.poll_descending);
  EXPECT_EQ(scenario.flists[0].status, 503);
  EXPECT_TRUE(scenario.flists[0].corrupt);
  EXPECT_EQ(scenario.steps[1].fault.kind, "hub.status");
  EXPECT_EQ(scenario.steps[1].fault.status, 500);
  EXPECT_TRUE(scenario.steps[1].fault.target.empty());
  std::size_t capacity_checks = 0;
  for (const Check& check : scenario.checks) {
    if (check.kind == CheckKind::result) {
      EXPECT_EQ(check.result.before, std::optional<std::string>("5-1"));
    }
    if (check.kind == CheckKind::messages) {
      EXPECT_EQ(check.messages.last_text, std::optional<std::string>("a line\n"));
    }
    if (check.kind != CheckKind::capacity) continue;
    capacity_checks += 1;
    if (capacity_checks == 1) {
      EXPECT_FALSE(check.capacity.used.has_value());
      ASSERT_TRUE(check.capacity.reported_usage.has_value());
      EXPECT_EQ(check.capacity.reported_usage->cpu, 2u);
    } else {
      ASSERT_TRUE(check.capacity.used.has_value());
      EXPECT_EQ(check.capacity.used->cpu, 1u);
      EXPECT_FALSE(check.capacity.reported);
      EXPECT_FALSE(check.capacity.reported_usage.has_value());
    }
  }
  EXPECT_EQ(capacity_checks, 2u);
}

TEST(ScenarioLoader, StepTimesFollowAtAndAdvance) {
  const core::Expected<Scenario> loaded = load(minimal());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const std::vector<StepSpec>& steps = loaded.value().steps;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].at_ms, 1000);
  EXPECT_EQ(steps[1].kind, StepKind::advance);
  EXPECT_EQ(steps[2].kind, StepKind::remove);
  EXPECT_EQ(steps[2].at_ms, 31'000);
  EXPECT_EQ(steps[3].at_ms, 120'000);
  // The end is the latest of the steps and the timed checks (one at 3m).
  EXPECT_EQ(loaded.value().end_ms, 180'000);
  const CountRange& count = loaded.value().checks.at(1).messages.count;
  EXPECT_EQ(count.min, 2u);
  EXPECT_EQ(count.max, 5u);
}

struct Mistake {
  const char* pointer;  // JSON pointer of what to change.
  json value;           // The new value (null with erase: remove it).
  bool erase;
  const char* expected_error;
};

// Shown by GoogleTest instead of the bytes of the struct.
void PrintTo(const Mistake& mistake, std::ostream* out) { *out << mistake.pointer; }

class ScenarioLoaderMistakes : public ::testing::TestWithParam<Mistake> {};

TEST_P(ScenarioLoaderMistakes, NamesFilePathAndProblemOnOneLine) {
  const Mistake& mistake = GetParam();
  json document = minimal();
  const json::json_pointer pointer(mistake.pointer);
  if (mistake.erase) {
    document[pointer.parent_pointer()].erase(pointer.back());
  } else {
    document[pointer] = mistake.value;
  }
  const std::string error = error_of(document);
  EXPECT_EQ(error, std::string("test.json: ") + mistake.expected_error);
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ScenarioLoaderMistakes,
    ::testing::Values(
        Mistake{"/format", 2, false, "format: unsupported format 2, this zsim reads format 1"},
        Mistake{"/name", nullptr, true, "(top level): missing field 'name'"},
        Mistake{"/nmae", "x", false, "(top level): unknown field 'nmae'"},
        Mistake{"/seed", "seven", false, "seed: expected a non-negative integer, got a string"},
        Mistake{"/nodes", json::array(), false, "nodes: a scenario needs at least one node"},
        Mistake{"/nodes/0/networks/0/subnet", "10.1.1.1/24", false,
                "nodes[0].networks[0].subnet: invalid subnet '10.1.1.1/24': host bits are set"},
        Mistake{"/reservations/0/node", "node-9", false, "reservations[0].node: no node labelled 'node-9'"},
        Mistake{"/reservations/0/id", 3, false,
                "reservations[0].id: reservation ids must be above the reservation ids of the volumes present at "
                "start (up to 5)"},
        Mistake{"/reservations/0/duration", 600, false,
                "reservations[0].duration: expected a duration string like \"500ms\", \"2s\", \"10m\" or \"1h\", "
                "got the number 600"},
        Mistake{"/reservations/0/duration", "10 minutes", false,
                "reservations[0].duration: invalid duration '10 minutes', expected e.g. 500ms, 2s, 10m, 1h, 1d or "
                "1h30m"},
        Mistake{"/reservations/0/workloads/0/type", "vm", false,
                "reservations[0].workloads[0].type: unknown workload type 'vm', expected network, network_resource, "
                "zdb, volume, container or kubernetes"},
        Mistake{"/reservations/0/workloads/0/payload/secret_environment/TOKEN", 5, false,
                "reservations[0].workloads[0].payload.secret_environment.TOKEN: expected a string (the plaintext) or "
                "{\"ciphertext_hex\": \"...\"}, got a number"},
        Mistake{"/steps/0/deliver", 11, false, "steps[0].deliver: no reservation 11"},
        Mistake{"/steps/3/at", "10s", false,
                "steps[3].at: steps run in time order: +00:10.000 is before the previous step's time +00:31.000"},
        Mistake{"/steps/1", json{{"fault", "hub.dwn"}}, false,
                "steps[1].fault: unknown fault 'hub.dwn', expected one of hub.down, hub.slow, hub.not_found, "
                "hub.corrupt, hub.md5_mismatch, redis.down, redis.refusing, redis.slow, redis.dropping, "
                "explorer.down, explorer.slow, explorer.result_failures, fs_daemon.down, fs_daemon.dead, "
                "runtime.fail_starts, runtime.mount_latency, runtime.cpu_limit_inverted, runtime.no_ipv6, buggify, "
                "clock.step, hub.status"},
        Mistake{"/steps/1", json{{"fault", "hub.status"}, {"status", 42}}, false,
                "steps[1].status: expected an HTTP status from 100 to 599, got 42"},
        Mistake{"/steps/1", json{{"fault", "hub.status"}, {"status", 500}, {"flist", "https://hub/none.flist"}}, false,
                "steps[1].flist: no flist 'https://hub/none.flist' in \"flists\""},
        Mistake{"/steps/1", json{{"fault", "runtime.no_ipv6"}}, false, "steps[1]: fault runtime.no_ipv6 needs \"node\""},
        Mistake{"/flists/0/faults", json::array({json{{"status", 700}}}), false,
                "flists[0].faults[0].status: must be at most 599, got 700"},
        Mistake{"/explorer", json{{"poll_order", "random"}}, false,
                "explorer.poll_order: expected \"ascending\" or \"descending\""},
        Mistake{"/expect/results/0/before", "10-1", false, "expect.results[0].before: a result cannot come before itself"},
        Mistake{"/expect/results/0/before", "77-1", false, "expect.results[0].before: no workload 77-1 in this scenario"},
        Mistake{"/expect/capacity", json::array({json{{"node", "node-1"}}}), false,
                "expect.capacity[0]: missing field 'used'"},
        Mistake{"/steps/1", json{{"fault", "redis.down"}, {"server", "10.9.9.9:6379"}}, false,
                "steps[1].server: no redis server '10.9.9.9:6379' in \"redis\""},
        Mistake{"/steps/1", json{{"fault", "redis.dropping"}, {"server", "10.0.0.1:6379"}, {"rate", "3/2"}}, false,
                "steps[1].rate: expected a rate like \"1/10\", got \"3/2\""},
        Mistake{"/steps/1", json{{"deliver", 10}, {"crash", "10-1"}}, false,
                "steps[1]: a step has one action, got deliver, crash"},
        Mistake{"/steps/1", json{{"note", "nothing"}}, false,
                "steps[1]: a step needs one action: deliver, delete, advance, fault, heal, heal_all, crash, "
                "restart_daemon, reboot"},
        Mistake{"/expect/results/0/workload", "99-1", false, "expect.results[0].workload: no workload 99-1 in this scenario"},
        Mistake{"/expect/results/0/state", "fine", false,
                "expect.results[0].state: unknown result state 'fine', expected ok, error or deleted"},
        Mistake{"/expect/messages/0/count", json{{"min", 5}, {"max", 2}}, false,
                "expect.messages[0].count: min 5 is greater than max 2"},
        Mistake{"/expect/trace_hash", "XYZ", false,
                "expect.trace_hash: expected 16 lower-case hex digits, as `zsim run` prints it"},
        Mistake{"/nodes/0/knobs", json{{"crashes_max", 0}}, false, "nodes[0].knobs.crashes_max: must be within 1..8, got 0"},
        Mistake{"/nodes/0/knobs", json{{"crashes_max", "4"}}, false,
                "nodes[0].knobs.crashes_max: expected an integer, got a string"},
        Mistake{"/nodes/0/knobs", json{{"backoff_initial_ms", 4000}, {"backoff_max_ms", 1000}}, false,
                "nodes[0].knobs: backoff_max_ms: must not be below backoff_initial_ms"},
        Mistake{"/expect/stats_cadence", json::array({"99-1"}), false,
                "expect.stats_cadence[0]: expected a container workload of this file with a stats_aggregator endpoint"},
        Mistake{"/expect/stats_cadence", json::array({7}), false,
                "expect.stats_cadence[0]: expected a workload id, got the number 7"},
        Mistake{"/flists/0/program/line_interval", "-1s", false,
                "flists[0].program.line_interval: invalid duration '-1s', expected e.g. 500ms, 2s, 10m, 1h, 1d or "
                "1h30m"}));

TEST(ScenarioLoader, MalformedJsonNamesTheFile) {
  const core::Expected<Scenario> scenario = load_scenario_text("{\"format\": 1,", "broken.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.error(), "broken.json: (top level): invalid JSON at line 1, column 14: unexpected end of input; "
                              "expected string literal");
}

TEST(ScenarioLoader, MissingFileIsAnError) {
  const core::Expected<Scenario> scenario = load_scenario_file("/nonexistent/zsim/scenario.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.error(), "/nonexistent/zsim/scenario.json: (top level): cannot read the file");
}

TEST(ScenarioLoader, WorkloadIdsAreUnique) {
  json document = minimal();
  document["nodes"][0]["volumes"][0]["id"] = "0-1";  // The network present at start is 0-1.
  EXPECT_EQ(error_of(document), "test.json: nodes[0].volumes[0]: workload id 0-1 is used twice");
}

TEST(ScenarioLoader, CountRangeDescribesItself) {
  EXPECT_EQ((CountRange{3, 3}).describe(), "3");
  EXPECT_EQ((CountRange{3, UINT64_MAX}).describe(), "at least 3");
  EXPECT_EQ((CountRange{0, 9}).describe(), "at most 9");
  EXPECT_EQ((CountRange{3, 9}).describe(), "3..9");
  EXPECT_TRUE((CountRange{3, 9}).contains(9));
  EXPECT_FALSE((CountRange{3, 9}).contains(10));
}

TEST(ScenarioLoader, OffsetsAreMinutesSecondsMilliseconds) {
  EXPECT_EQ(format_offset(0), "+00:00.000");
  EXPECT_EQ(format_offset(61'005), "+01:01.005");
  EXPECT_EQ(format_offset(2 * 3'600'000), "+120:00.000");
}

// Every file of the library loads: a broken file there would be an invalid regression test.
TEST(ScenarioLoader, EveryShippedScenarioLoads) {
  const char* source = std::getenv("ZSIM_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "ZSIM_SOURCE_DIR must point at the source tree";
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(source) / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
    const core::Expected<Scenario> scenario = load_scenario_file(entry.path().string());
    EXPECT_TRUE(scenario.ok()) << scenario.error();
    if (scenario.ok()) {
      EXPECT_EQ(scenario.value().name, entry.path().stem().string()) << "the name matches the file";
    }
    count += 1;
  }
  EXPECT_GE(count, 25u);
}

}  // namespace
}  // namespace zsim::sim

namespace zsim::sim {
namespace {

// A scenario holds secrets in plaintext: a JSON error names the place, never quotes the text.
TEST(ScenarioLoader, MalformedJsonNeverQuotesTheText) {
  const core::Expected<Scenario> scenario = load_scenario_text("{\"format\": 1, \"x\": hunter2-secret}", "s.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.error().find("hunter2"), std::string::npos) << scenario.error();
  EXPECT_NE(scenario.error().find("line 1, column"), std::string::npos) << scenario.error();
}

}  // namespace
}  // namespace zsim::sim

namespace zsim::sim {
namespace {

// ---------------------------------------------------------------------------------------------
// Hostile files: every limit is refused by name before it reaches an assert or a recursion, and
// text from the file in an error is escaped and cut.

std::string with_payload_field(const std::string& field_json) {
  std::string text = minimal().dump();
  const std::string anchor = "\"payload\":{";
  const std::size_t at = text.find(anchor);
  EXPECT_NE(at, std::string::npos);
  text.insert(at + anchor.size(), field_json + ",");
  return text;
}

std::string text_error_of(std::string_view text) {
  const core::Expected<Scenario> scenario = load_scenario_text(text, "test.json");
  EXPECT_FALSE(scenario.ok());
  return scenario.ok() ? std::string("<loaded>") : scenario.error();
}

TEST(ScenarioLimits, DeepNestingIsRefusedBeforeAnyCopyOrPrint) {
  // 60,000 levels (a 120 KB file) overflowed the stack in nlohmann's recursive copies and prints.
  for (const char* open_close : {"[]", "{}"}) {
    std::string value;
    for (int level = 0; level < 60'000; level++) value += open_close[0] == '[' ? "[" : "{\"a\":";
    value += "1";
    for (int level = 0; level < 60'000; level++) value.push_back(open_close[1]);
    const std::string error = text_error_of(with_payload_field("\"deep\":" + value));
    EXPECT_TRUE(error.starts_with("test.json: reservations[0].workloads[0].payload.deep")) << error.substr(0, 200);
    EXPECT_TRUE(error.ends_with(": nested deeper than 64 levels (limit json_depth_max)")) << error.substr(0, 200);
    EXPECT_LT(error.size(), 1024U);
  }
}

TEST(ScenarioLimits, ErrorsNeverRepeatAHugeValue) {
  // An unknown flist fault of 10,000 levels was dumped whole into the error.
  json document = minimal();
  document["flists"][0]["faults"] = json::array({std::string(3000, 'x')});
  const std::string error = error_of(document);
  EXPECT_EQ(error, "test.json: flists[0].faults[0]: unknown flist fault \"" + std::string(128, 'x') +
                       "... (3000 bytes)\", expected \"not_found\", \"corrupt\", \"md5_mismatch\" or {\"status\": N}");
  document = minimal();
  document["flists"][0]["faults"] = json::array({json::array({json::array({1})})});
  EXPECT_EQ(error_of(document), "test.json: flists[0].faults[0]: unknown flist fault an array, expected \"not_found\", "
                                "\"corrupt\", \"md5_mismatch\" or {\"status\": N}");
}

TEST(ScenarioLimits, ANumberBeyondADoubleAnywhereIsAOneLineError) {
  const std::string error = text_error_of(with_payload_field("\"x\": [1, 1e400]"));
  EXPECT_EQ(error.substr(0, error.find(": invalid JSON")), "test.json: reservations[0].workloads[0].payload.x[1]");
  EXPECT_TRUE(error.ends_with("a number beyond the range of a double (about 1.8e308)")) << error;
  EXPECT_EQ(error.find("1e400"), std::string::npos) << error;
  EXPECT_EQ(text_error_of("{\"format\": 1e400}").substr(0, 36), "test.json: format: invalid JSON at l");
}

TEST(ScenarioLimits, LongStringsAreRefusedByName) {
  json document = minimal();
  document["steps"][1]["note"] = std::string(1 << 20, 'n');
  EXPECT_EQ(error_of(document), "test.json: steps[1].note: a string longer than 4096 bytes (limit json_string_bytes_max)");
  document = minimal();
  document["expect"]["messages"][0]["channel"] = std::string(70'000, 'c');
  EXPECT_EQ(error_of(document),
            "test.json: expect.messages[0].channel: a string longer than 4096 bytes (limit json_string_bytes_max)");
  document = minimal();
  document["reservations"][0]["workloads"][0]["payload"]["flist"] = std::string(1 << 20, 'f');
  EXPECT_EQ(error_of(document), "test.json: reservations[0].workloads[0].payload.flist: a string longer than 4096 "
                                "bytes (limit json_string_bytes_max)");
}

TEST(ScenarioLimits, ANulByteIsAnError) {
  std::string text = minimal().dump();
  text += std::string("\0{\"garbage\": 1}", 16);
  EXPECT_EQ(text_error_of(text).find("test.json: (top level): invalid JSON at line 1, column "), 0U) << text_error_of(text);
  EXPECT_TRUE(text_error_of(text).ends_with("a NUL byte, which JSON text cannot hold"));
}

TEST(ScenarioLimits, TextFromTheFileIsEscaped) {
  json document = minimal();
  document["reservations"][0]["node"] = "x\ntest.json: ok";
  EXPECT_EQ(error_of(document), "test.json: reservations[0].node: no node labelled 'x\\ntest.json: ok'");
  document = minimal();
  document["nodes"][0]["bad\x1b[1mkey"] = 1;
  EXPECT_EQ(error_of(document), "test.json: nodes[0]: unknown field 'bad\\x1B[1mkey'");
  document = minimal();
  document["flists"][0]["environment"] = json{{"A\nB", 5}};
  EXPECT_EQ(error_of(document), "test.json: flists[0].environment.A\\nB: expected a string, got the number 5");
  const core::Expected<Scenario> named = load_scenario_text("{", "evil\nname.json");
  ASSERT_FALSE(named.ok());
  EXPECT_TRUE(named.error().starts_with("evil\\nname.json: (top level): ")) << named.error();
}

TEST(ScenarioLimits, ANumericSecretIsNeverEchoed) {
  json document = minimal();
  document["reservations"][0]["workloads"][0]["payload"]["secret_environment"]["PIN"] = 98765432;
  const std::string error = error_of(document);
  EXPECT_EQ(error.find("98765432"), std::string::npos) << error;
  document["reservations"][0]["workloads"][0]["payload"]["secret_environment"] = 98765432;
  EXPECT_EQ(error_of(document).find("98765432"), std::string::npos) << error_of(document);
}

TEST(ScenarioLimits, ListsAndTimesNameTheirLimit) {
  json document = minimal();
  document["steps"] = json::array();
  for (std::size_t index = 0; index <= scenario_items_max; index++) document["steps"].push_back(json{{"advance", "1s"}});
  EXPECT_EQ(error_of(document), "test.json: steps: at most 4096 items (limit scenario_items_max)");
  document = minimal();
  document["run_for"] = "31d";
  EXPECT_EQ(error_of(document), "test.json: run_for: must be at most 30d (limit scenario_time_max_ms)");
}

}  // namespace
}  // namespace zsim::sim

