// Logs and stats of a provisioned container, through the whole engine to the fake redis: every
// stdout/stderr line raw (its newline kept, as shim-logs published it) on every logs endpoint, the
// stats JSON at once and then every 2 s in zos's field order on
// every stats endpoint, and both stopping at decommission.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;

std::string with_newline(std::string line) {
  EXPECT_EQ(line.back(), '\n');  // The program's line, published as it is, newline included.
  return line;
}

TEST(Logs, EveryLineIsPublishedRawToEveryLogsEndpoint) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["logs"] = {{{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.1:6379/a-out"}, {"stderr", "redis://10.1.0.1:6379/a-err"}}}},
                     {{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.2/b-out"}, {"stderr", "redis://10.1.0.2/b-err"}}}}};
  const std::string id = w.deliver_container(payload);
  fakes::ContainerProgram program;
  program.line_interval_ms = 300;
  program.stderr_every_n_lines = 3;
  program.chunk_split = 5;  // Lines reach the node in pieces; redis must still see whole lines.
  w.runtime().set_program(id, program);
  ChannelRecorder a_out(w.redis(), redis_a, "a-out");
  ChannelRecorder a_err(w.redis(), redis_a, "a-err");
  ChannelRecorder b_out(w.redis(), redis_b, "b-out");
  ChannelRecorder b_err(w.redis(), redis_b, "b-err");
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(30'000);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(10'000);
  const std::vector<TraceLine> exits = w.trace("container_exit", "node-1");
  ASSERT_EQ(exits.size(), 1u);
  const std::uint64_t printed = std::stoull(exits[0].field("lines"));
  ASSERT_GT(printed, 90u);
  std::vector<std::string> want_out;
  std::vector<std::string> want_err;
  for (std::uint64_t line = 1; line <= printed; line += 1) {
    const bool err = fakes::line_stream(program, line) == core::OutputStream::err;
    (err ? want_err : want_out).push_back(with_newline(fakes::line_text(program, id, line)));
  }
  EXPECT_EQ(a_out.payloads, want_out);
  EXPECT_EQ(b_out.payloads, want_out);
  EXPECT_EQ(a_err.payloads, want_err);
  EXPECT_EQ(b_err.payloads, want_err);
  const core::DeliveryCounters totals = w.world().delivery_totals(0).targets;
  EXPECT_EQ(totals.lines_produced, 2 * printed);
  EXPECT_EQ(totals.lines_delivered, 2 * printed);
  EXPECT_EQ(totals.lines_dropped, 0u);
}

TEST(Stats, EveryTwoSecondsInZosFieldOrderToEveryStatsEndpoint) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", "redis://10.1.0.1:6379/stats-a"}}}},
                                 {{"type", "redis"}, {"data", {{"endpoint", "redis://10.1.0.2:6379/stats-b"}}}}};
  const std::string id = w.deliver_container(payload);
  fakes::ContainerProgram program;
  program.pids = 7;
  program.memory_growth_bytes_per_s = 1 << 20;
  w.runtime().set_program(id, program);
  ChannelRecorder a(w.redis(), redis_a, "stats-a");
  ChannelRecorder b(w.redis(), redis_b, "stats-b");
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  const std::int64_t started_ms = w.trace("container_started", "node-1").at(0).time_ms;
  w.run_for(60'000);
  ASSERT_GE(a.payloads.size(), 30u);
  ASSERT_LE(a.payloads.size(), 32u);
  EXPECT_EQ(a.payloads, b.payloads);
  const std::vector<std::string> keys{"timestamp", "memory_usage", "memory_limit", "memory_cache", "cpu_usage", "pids_current"};
  std::int64_t previous_s = 0;
  std::uint64_t previous_cpu = 0;
  std::uint64_t previous_memory = 0;
  for (const std::string& message : a.payloads) {
    const nlohmann::ordered_json json = nlohmann::ordered_json::parse(message);
    std::vector<std::string> got;
    for (const auto& item : json.items()) got.push_back(item.key());
    EXPECT_EQ(got, keys) << message;
    EXPECT_EQ(message.find(' '), std::string::npos);  // Compact, as zos's json.Marshal.
    const std::int64_t timestamp_s = json.at("timestamp");
    const bool first = previous_s == 0;
    if (first) {
      EXPECT_EQ(timestamp_s, started_ms / 1000);  // The first at once, as zos's stats loop wrote it.
    } else {
      EXPECT_EQ(timestamp_s, previous_s + 2);
    }
    previous_s = timestamp_s;
    EXPECT_EQ(json.at("memory_limit"), 512ull << 20);
    EXPECT_EQ(json.at("pids_current"), 7);
    const std::uint64_t cpu = json.at("cpu_usage");
    const std::uint64_t memory = json.at("memory_usage");
    if (!first) {
      EXPECT_GT(cpu, previous_cpu);  // Cumulative (the first, at the start, may be 0).
    }
    EXPECT_GT(memory, previous_memory);  // This program grows.
    EXPECT_LE(memory, 512ull << 20);
    previous_cpu = cpu;
    previous_memory = memory;
  }
}

TEST(Logs, PasswordProtectedRedisIsUsedAndThePasswordNeverShows) {
  TestWorld w;
  const std::string password = "hunter2-redis-password";
  w.redis().add_server("10.1.0.3:6380", password);
  nlohmann::json payload = w.container_payload();
  payload["logs"] = {{{"type", "redis"},
                      {"data", {{"stdout", fmt::format("redis://:{}@10.1.0.3:6380/pw-out", password)},
                                {"stderr", fmt::format("redis://:{}@10.1.0.3:6380/pw-err", password)}}}}};
  // A wrong password never connects; that endpoint misses its ticks and nothing else suffers.
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", "redis://:wrong-password@10.1.0.3:6380/pw-stats"}}}}};
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  w.run_for(20'000);
  EXPECT_GE(w.redis().messages("10.1.0.3:6380", "pw-out"), 19u);
  EXPECT_EQ(w.redis().messages("10.1.0.3:6380", "pw-stats"), 0u);
  EXPECT_GE(w.world().delivery_totals(0).targets.stats_missed, 9u);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  for (const std::string& line : w.trace_text()) {
    EXPECT_EQ(line.find(password), std::string::npos) << line;
    EXPECT_EQ(line.find("wrong-password"), std::string::npos) << line;
  }
}

TEST(Stats, TicksMissedWhileRedisIsDownAreCountedNotQueued) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", "redis://10.1.0.2/down-stats"}}}}};
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(10'000);
  const std::uint64_t before = w.redis().messages(redis_b, "down-stats");
  ASSERT_GE(before, 4u);
  w.redis().set_down(redis_b, true);
  w.run_for(20'000);
  w.redis().set_down(redis_b, false);
  const std::uint64_t at_heal = w.redis().messages(redis_b, "down-stats");
  EXPECT_LE(at_heal, before + 1);
  // No burst of the missed ticks once the server is back: the regular cadence resumes.
  w.run_for(10'000);
  const std::uint64_t after = w.redis().messages(redis_b, "down-stats");
  EXPECT_GE(after, at_heal + 3);
  EXPECT_LE(after, at_heal + 5);
  const core::DeliveryCounters totals = w.world().delivery_totals(0).targets;
  EXPECT_GE(totals.stats_missed, 8u);
  EXPECT_EQ(totals.stats_published + totals.stats_missed, totals.stats_ticks);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
}

TEST(LogsAndStats, BothStopAtDecommission) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["logs"] = {{{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.1/out"}, {"stderr", "redis://10.1.0.1/err"}}}}};
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", "redis://10.1.0.2/stats"}}}}};
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(20'000);
  ASSERT_GT(w.redis().messages(redis_a, "out"), 15u);
  ASSERT_GT(w.redis().messages(redis_b, "stats"), 8u);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(6'000);  // The drain deadline.
  const std::uint64_t lines = w.redis().messages(redis_a, "out");
  const std::uint64_t stats = w.redis().messages(redis_b, "stats");
  w.run_for(120'000);
  EXPECT_EQ(w.redis().messages(redis_a, "out"), lines);
  EXPECT_EQ(w.redis().messages(redis_b, "stats"), stats);
  EXPECT_EQ(w.redis().connections_open(), 0u);
  const core::PushersTotals totals = w.world().delivery_totals(0);
  EXPECT_EQ(totals.targets.lines_delivered + totals.targets.lines_dropped, totals.targets.lines_produced);
  EXPECT_EQ(totals.targets.lines_delivered, lines);
}

}  // namespace
}  // namespace zsim::tests
