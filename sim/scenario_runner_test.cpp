// The scenario runner: expectations that hold pass, an expectation edited to say something false
// fails with what, expected vs got and when; properties, steps, secrets and the pinned trace hash
// fail a scenario too; every fault kind can be injected and healed; runs are deterministic.

#include "sim/scenario_runner.hpp"

#include "sim/world.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zsim::sim {
namespace {

using nlohmann::json;

json base() {
  return json::parse(R"({
    "format": 1, "name": "runner-test", "description": "a test", "seed": 11,
    "nodes": [{"label": "node-1", "networks": [{"name": "net", "subnet": "10.1.1.0/24", "owner": "alice"}]}],
    "flists": [{"url": "https://hub/app.flist", "entrypoint": "/bin/app", "program": {"line_interval": "1s"}}],
    "redis": [{"address": "10.0.0.1:6379"}],
    "reservations": [{"id": 10, "owner": "alice", "node": "node-1", "duration": "1h",
      "workloads": [{"type": "container", "payload": {"flist": "https://hub/app.flist",
        "network_connection": [{"network_id": "net", "ipaddress": "10.1.1.10"}],
        "capacity": {"cpu": 1, "memory": 256},
        "logs": [{"type": "redis", "data": {"stdout": "redis://10.0.0.1:6379/out", "stderr": "redis://10.0.0.1:6379/err"}}]}}]}],
    "steps": [{"at": "1s", "deliver": 10}, {"at": "30s", "advance": "0s"}],
    "expect": {"results": [{"workload": "10-1", "state": "ok", "message": ""}]}
  })");
}

Scenario load(const json& document) {
  core::Expected<Scenario> scenario = load_scenario_text(document.dump(), "test.json");
  EXPECT_TRUE(scenario.ok()) << scenario.error();
  return scenario.ok() ? std::move(scenario).value() : Scenario{};
}

ScenarioRun run(const json& document) { return run_scenario(load(document)); }

std::string all_failures(const ScenarioRun& result) {
  std::string text;
  for (const CheckFailure& failure : result.failures) text += failure.line() + "\n";
  return text;
}

TEST(ScenarioRunner, HoldingExpectationsPass) {
  const ScenarioRun result = run(base());
  EXPECT_TRUE(result.passed) << all_failures(result);
  EXPECT_EQ(result.checks_total, 2u);  // The result and the properties.
  EXPECT_EQ(result.end_ms, 30'000);
  EXPECT_EQ(result.trace_hash.size(), 16u);
  EXPECT_GT(result.wound_down_ms, result.end_ms);
  EXPECT_EQ(result.summary.results_ok, 2u);  // The network present at start and 10-1.
  EXPECT_EQ(result.summary.results_deleted, 2u);  // Both, in the wind-down.
}

TEST(ScenarioRunner, AFalseExpectationSaysWhatAndWhen) {
  json document = base();
  document["expect"]["results"][0] = {{"at", "20s"}, {"workload", "10-1"}, {"state", "error"}, {"message", "boom"}};
  const ScenarioRun result = run(document);
  ASSERT_FALSE(result.passed);
  ASSERT_EQ(result.failures.size(), 1u) << all_failures(result);
  EXPECT_EQ(result.failures[0].line(), "expect.results[0] 10-1 at +00:20.000: expected error \"boom\", got ok \"\"");
}

TEST(ScenarioRunner, CountsAreExactOrRanges) {
  json document = base();
  // The program prints a line every second from +00:10.100: 19 lines by +00:30.
  document["expect"]["messages"] = json::parse(R"([
    {"server": "10.0.0.1:6379", "channel": "out", "count": 19},
    {"server": "10.0.0.1:6379", "channel": "out", "count": {"min": 10, "max": 20}},
    {"server": "10.0.0.1:6379", "channel": "out", "count": 18},
    {"server": "10.0.0.1:6379", "channel": "out", "count": {"min": 20}}])");
  const ScenarioRun result = run(document);
  ASSERT_EQ(result.failures.size(), 2u) << all_failures(result);
  EXPECT_EQ(result.failures[0].line(), "expect.messages[2] 10.0.0.1:6379/out at +00:30.000: expected 18 messages, got 19 messages");
  EXPECT_EQ(result.failures[1].line(), "expect.messages[3] 10.0.0.1:6379/out at +00:30.000: expected at least 20 messages, got 19 messages");
}

TEST(ScenarioRunner, CapacityIsJudgedAtItsTime) {
  json document = base();
  document["expect"]["capacity"] = json::parse(R"([
    {"at": "5s", "node": "node-1", "used": {}},
    {"at": "20s", "node": "node-1", "used": {"cpu": 1, "memory_mib": 256, "ssd_mib": 256}},
    {"at": "25s", "node": "node-1", "used": {"cpu": 2}}])");
  const ScenarioRun result = run(document);
  ASSERT_EQ(result.failures.size(), 1u) << all_failures(result);
  EXPECT_EQ(result.failures[0].line(),
            "expect.capacity[2] node-1 at +00:25.000: expected cpu=2 memory_mib=0 ssd_mib=0 hdd_mib=0, got cpu=1 "
            "memory_mib=256 ssd_mib=256 hdd_mib=0");
}

TEST(ScenarioRunner, SameScenarioSameTraceHash) {
  const ScenarioRun first = run(base());
  const ScenarioRun second = run(base());
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.events, second.events);
  EXPECT_EQ(first.trace_lines, second.trace_lines);
  json other = base();
  other["seed"] = 12;  // Other node identities: other node ids in the trace.
  EXPECT_NE(run(other).trace_hash, first.trace_hash);
}

TEST(ScenarioRunner, PinnedTraceHashIsChecked) {
  const std::string hash = run(base()).trace_hash;
  json pinned = base();
  pinned["expect"]["trace_hash"] = hash;
  EXPECT_TRUE(run(pinned).passed);
  pinned["expect"]["trace_hash"] = hash == "0000000000000000" ? "0000000000000001" : "0000000000000000";
  const ScenarioRun result = run(pinned);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].check, "expect.trace_hash");
  EXPECT_EQ(result.failures[0].got, hash);
}

TEST(ScenarioRunner, ASecretSeenAnywhereFailsTheScenario) {
  json document = base();
  // A "secret" whose value the trace shows anyway (the container's IP): the check must catch it.
  document["reservations"][0]["workloads"][0]["payload"]["secret_environment"] = {{"LEAKY", "10.1.1.10"}};
  const ScenarioRun result = run(document);
  ASSERT_FALSE(result.passed);
  EXPECT_EQ(result.failures.at(0).check, "expect.no_secret_leaked") << all_failures(result);
  // The report names where, never the value.
  EXPECT_EQ(result.failures[0].got.find("10.1.1.10"), std::string::npos);
  // A real secret is never seen.
  json safe = base();
  safe["reservations"][0]["workloads"][0]["payload"]["secret_environment"] = {{"TOKEN", "never-seen-anywhere-71"}};
  EXPECT_TRUE(run(safe).passed);
}

// The checker judges the whole run, wind-down included: a value seen only while the world winds
// down (the SIGTERM of the final decommission) still fails the scenario, after every timed check.
TEST(ScenarioRunner, PropertiesJudgeTheWholeRun) {
  json document = base();
  document["reservations"][0]["workloads"][0]["payload"]["secret_environment"] = {{"LEAKY", "signal=term"}};
  const ScenarioRun result = run(document);
  ASSERT_FALSE(result.passed);
  ASSERT_EQ(result.failures.size(), 1u) << all_failures(result);
  EXPECT_EQ(result.failures[0].check, "expect.no_secret_leaked");
  EXPECT_GT(result.failures[0].at_ms, result.end_ms);
  // A scenario that says a leak is expected is not failed by it.
  document["expect"]["no_secret_leaked"] = false;
  EXPECT_TRUE(run(document).passed);
}

TEST(ScenarioRunner, AStepThatCannotRunFailsTheScenario) {
  json document = base();
  document["steps"] = json::parse(R"([{"at": "1s", "deliver": 10}, {"at": "5s", "crash": "10-1"}, {"at": "30s", "advance": "0s"}])");
  const ScenarioRun result = run(document);
  ASSERT_FALSE(result.passed);
  EXPECT_EQ(result.failures.at(0).line(), "steps[1] crash at +00:05.000: expected container 10-1 running, got no such container: 10-1");
}

// Every fault kind is injected, then healed (or healed by the wind-down), and the world still keeps
// every property: the runner drives each switch, and healing restores a working world.
TEST(ScenarioRunner, EveryFaultKindCanBeInjectedAndHealed) {
  json document = base();
  document["nodes"].push_back(json::parse(R"({"label": "node-2"})"));
  document["steps"] = json::parse(R"([
    {"at": "1s", "deliver": 10},
    {"fault": "hub.down"}, {"heal": "hub.down"},
    {"fault": "hub.slow", "latency": "2s"},
    {"fault": "hub.not_found", "flist": "https://hub/app.flist"}, {"heal": "hub.not_found", "flist": "https://hub/app.flist"},
    {"fault": "hub.corrupt", "flist": "https://hub/app.flist"}, {"heal": "hub.corrupt", "flist": "https://hub/app.flist"},
    {"fault": "hub.md5_mismatch", "flist": "https://hub/app.flist"}, {"heal": "hub.md5_mismatch", "flist": "https://hub/app.flist"},
    {"at": "20s", "fault": "redis.down", "server": "10.0.0.1:6379"}, {"at": "22s", "heal": "redis.down", "server": "10.0.0.1:6379"},
    {"fault": "redis.refusing", "server": "10.0.0.1:6379"},
    {"fault": "redis.slow", "server": "10.0.0.1:6379", "latency": "300ms"},
    {"fault": "redis.dropping", "server": "10.0.0.1:6379", "rate": "1/3"},
    {"fault": "explorer.down"}, {"at": "25s", "heal": "explorer.down"},
    {"fault": "explorer.slow", "latency": "1s"},
    {"fault": "explorer.result_failures", "count": 2},
    {"fault": "explorer.result_failures", "rate": "1/4"},
    {"fault": "fs_daemon.down", "node": "node-2"}, {"fault": "fs_daemon.dead", "node": "node-1"},
    {"fault": "runtime.fail_starts", "node": "node-1", "count": 1},
    {"fault": "runtime.mount_latency", "node": "node-1", "latency": "1s"},
    {"fault": "runtime.cpu_limit_inverted", "node": "node-2"},
    {"fault": "buggify", "point": "container.start", "rate": "1/2"},
    {"at": "26s", "crash": "10-1"},
    {"at": "30s", "fault": "clock.step", "by": "1m"},
    {"heal_all": true},
    {"at": "2m", "restart_daemon": "node-1"},
    {"reboot": "node-2"},
    {"at": "3m", "advance": "0s"}])");
  document["expect"] = json::object();
  const ScenarioRun result = run(document);
  EXPECT_TRUE(result.passed) << all_failures(result);
  std::size_t steps_traced = 0;
  for (const std::string& line : result.trace_lines) steps_traced += line.find(" scenario step ") != std::string::npos ? 1 : 0;
  EXPECT_GE(steps_traced, 30u);
  // The clock step moved virtual time a minute at once: nothing happened between +00:30 and +01:30.
  bool after_step = false;
  for (const std::string& line : result.trace_lines) {
    if (line.find("fault=clock.step") != std::string::npos) {
      after_step = true;
    } else if (after_step) {
      EXPECT_GE(std::stoll(line.substr(0, line.find(' '))), world_epoch_ms + 90'000) << line;
      break;
    }
  }
  EXPECT_TRUE(after_step);
}

TEST(ScenarioRunner, ContainerChecksReadTheRuntime) {
  json document = base();
  document["expect"]["containers"] = json::parse(R"([
    {"workload": "10-1", "running": true, "ipv4": "10.1.1.10", "entrypoint": "/bin/app", "interactive": false,
     "env_names": [], "binds": [], "cpu_limit_millicores": 1000, "memory_mib": 256},
    {"workload": "10-1", "ipv4": "10.1.1.99"}])");
  const ScenarioRun result = run(document);
  ASSERT_EQ(result.failures.size(), 1u) << all_failures(result);
  EXPECT_EQ(result.failures[0].line(), "expect.containers[1] 10-1 at +00:30.000: expected ipv4 10.1.1.99, got ipv4 10.1.1.10");
}

TEST(ScenarioRunner, TraceChecksCountMatchingLines) {
  json document = base();
  document["expect"]["trace"] = json::parse(R"([
    {"node": "node-1", "kind": "container_start", "fields": {"name": "10-1", "outcome": "started"}, "count": 1},
    {"kind": "container_start", "fields": {"name": "10-"}, "count": 0},
    {"node": "node-2", "kind": "container_start", "count": 0},
    {"kind": "redis_publish", "fields": {"channel": "out"}, "count": 19}])");
  const ScenarioRun result = run(document);
  EXPECT_TRUE(result.passed) << all_failures(result);
}

}  // namespace
}  // namespace zsim::sim
