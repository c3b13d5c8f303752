// The --explain timeline: times from the start, who, what in words; routine traffic summarised.

#include "sim/scenario_explain.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/scenario_runner.hpp"
#include "sim/world.hpp"

namespace zsim::sim {
namespace {

std::int64_t at(std::int64_t offset_ms) { return world_epoch_ms + offset_ms; }

std::string line(std::int64_t offset_ms, const std::string& who, const std::string& rest) {
  return std::to_string(at(offset_ms)) + " " + who + " " + rest;
}

TEST(ScenarioExplain, TellsEventsInWordsWithOffsets) {
  const std::vector<std::string> trace{
      line(0, "scenario", "scenario_start name=demo seed=3"),
      line(1000, "scenario", "step action=deliver reservation=10 node=node-1 workloads=1 paid_after_ms=0 note=first%20one"),
      line(10'000, "node-1", "provision workload=10-1 type=container"),
      line(10'100, "explorer", "explorer_result workload=10-1 node=NODEID state=error outcome=accepted results=1 "
                               "message=not%20enough%20cpu"),
      line(10'100, "explorer", "explorer_capacity node=NODEID cpu=1 memory_mib=2 ssd_mib=3 hdd_mib=4 outcome=stored"),
      line(10'200, "node-1", "provision_error workload=10-1 error=a%20%22quoted%22%20reason"),
  };
  const std::vector<std::string> timeline = explain_timeline(trace, {{"NODEID", "node-1"}}, world_epoch_ms);
  ASSERT_EQ(timeline.size(), 6u);
  EXPECT_EQ(timeline[0], "+00:00.000  scenario   scenario demo starts (seed 3)");
  EXPECT_EQ(timeline[1], "+00:01.000  scenario   STEP deliver reservation 10 to node-1 (1 workload(s))  — first one");
  EXPECT_EQ(timeline[2], "+00:10.000  node-1     provisioning 10-1 (container)");
  EXPECT_EQ(timeline[3], "+00:10.100  explorer   result 10-1 error: not enough cpu");
  EXPECT_EQ(timeline[4], "+00:10.100  explorer   node-1 reports capacity used: cpu=1 memory_mib=2 ssd_mib=3 hdd_mib=4");
  EXPECT_EQ(timeline[5], "+00:10.200  node-1     provisioning 10-1 failed: a \"quoted\" reason");
}

TEST(ScenarioExplain, SummarisesPublishesAndRepeats) {
  std::vector<std::string> trace;
  for (int second = 1; second <= 5; second += 1) {
    trace.push_back(line(second * 1000, "explorer", "explorer_poll node=NODEID from=0 error=unreachable"));
    trace.push_back(line(second * 1000, "redis", "redis_publish conn=1 address=10.0.0.1:6379 channel=out bytes=80 xxh64=0 reply=ok"));
  }
  trace.push_back(line(6000, "redis", "redis_publish conn=1 address=10.0.0.1:6379 channel=stats bytes=80 xxh64=0 reply=err"));
  const std::vector<std::string> timeline = explain_timeline(trace, {{"NODEID", "node-1"}}, world_epoch_ms);
  ASSERT_EQ(timeline.size(), 3u) << timeline.back();
  EXPECT_EQ(timeline[0], "+00:01.000  explorer   poll from node-1 failed: explorer unreachable");
  EXPECT_EQ(timeline[1], "+00:05.000  explorer     (the line above 4 more times, the last now)");
  EXPECT_EQ(timeline[2], "+00:01.000  redis      published 5 on 10.0.0.1:6379/out, 0 on 10.0.0.1:6379/stats (+1 refused) until +00:06.000");
}

TEST(ScenarioExplain, ARealRunIsShorterThanItsTrace) {
  const core::Expected<Scenario> scenario = load_scenario_text(R"({
    "format": 1, "name": "explain", "description": "d", "seed": 1,
    "nodes": [{"label": "node-1", "networks": [{"name": "net", "subnet": "10.1.1.0/24", "owner": "alice"}]}],
    "flists": [{"url": "https://hub/app.flist", "entrypoint": "/bin/app", "program": {"line_interval": "100ms"}}],
    "redis": [{"address": "10.0.0.1:6379"}],
    "reservations": [{"id": 10, "owner": "alice", "node": "node-1", "workloads": [{"type": "container", "payload": {
      "flist": "https://hub/app.flist", "network_connection": [{"network_id": "net", "ipaddress": "10.1.1.10"}],
      "capacity": {"cpu": 1, "memory": 256},
      "logs": [{"type": "redis", "data": {"stdout": "redis://10.0.0.1:6379/out", "stderr": "redis://10.0.0.1:6379/out"}}]}}]}],
    "steps": [{"at": "1s", "deliver": 10}, {"at": "1m", "advance": "0s"}]})", "explain.json");
  ASSERT_TRUE(scenario.ok()) << scenario.error();
  const ScenarioRun result = run_scenario(scenario.value());
  const std::vector<std::string> timeline = explain_timeline(result.trace_lines, result.node_labels, world_epoch_ms);
  EXPECT_LT(timeline.size() * 10, result.trace_lines.size());
  const auto has = [&](const std::string& text) {
    return std::any_of(timeline.begin(), timeline.end(), [&](const std::string& each) { return each.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("+00:10.100  node-1     container 10-1 runs /bin/app (ip 10.1.1.10"));
  EXPECT_TRUE(has("explorer   result 10-1 ok"));
  EXPECT_TRUE(has("published 499 on 10.0.0.1:6379/out until +01:00.000"));
  EXPECT_TRUE(has("== every reservation has ended =="));
}

}  // namespace
}  // namespace zsim::sim
