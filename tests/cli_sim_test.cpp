// `zsim sim`, run as a user runs it: exit codes, the summary, JSON, the trace, and determinism.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "adapters/asio_scheduler.hpp"
#include "adapters/redis_server_process.hpp"
#include "adapters/redis_subscriber.hpp"
#include "tests/run_command.hpp"

namespace zsim::tests {
namespace {

const std::string zsim = ZSIM_BINARY;

TEST(CliSim, SameSeedSameTraceHashDifferentSeedDifferentHash) {
  const CommandResult first = run_command(zsim + " sim --seed 11 --reservations 40 --duration 10m --json");
  const CommandResult again = run_command(zsim + " sim --seed 11 --reservations 40 --duration 10m --json");
  const CommandResult other = run_command(zsim + " sim --seed 12 --reservations 40 --duration 10m --json");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const nlohmann::json a = nlohmann::json::parse(first.out);
  const nlohmann::json b = nlohmann::json::parse(again.out);
  const nlohmann::json c = nlohmann::json::parse(other.out);
  EXPECT_EQ(a["trace_hash"], b["trace_hash"]);
  EXPECT_EQ(a["events"], b["events"]);
  EXPECT_NE(a["trace_hash"], c["trace_hash"]);
  EXPECT_EQ(a["trace_hash"].get<std::string>().size(), 16u);
}

TEST(CliSim, JsonHasTheDocumentedFields) {
  const CommandResult run = run_command(zsim + " sim --seed 3 --reservations 30 --duration 10m --json");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const nlohmann::json summary = nlohmann::json::parse(run.out);
  for (const char* field : {"seed", "trace_hash", "events", "results", "stats_published", "log_lines_published",
                            "log_lines_dropped", "sim_seconds", "wall_seconds", "violations"}) {
    EXPECT_TRUE(summary.contains(field)) << field;
  }
  EXPECT_EQ(summary["seed"], 3);
  EXPECT_TRUE(summary["violations"].empty());
  // Every workload ends with exactly one "deleted": all reservations expire in the liveness phase.
  EXPECT_EQ(summary["results"]["deleted"], summary["reservations"]);
  EXPECT_GT(summary["stats_published"].get<std::uint64_t>(), 0u);
}

TEST(CliSim, TextSummaryNamesTheTraceHashAndPasses) {
  const CommandResult run = run_command(zsim + " sim --seed 5 --reservations 20 --duration 5m");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("trace_hash="), std::string::npos);
  EXPECT_NE(run.out.find("PASS: no property violated"), std::string::npos);
}

TEST(CliSim, TraceFileHashesToTheSummary) {
  const std::string path = (std::filesystem::temp_directory_path() / "zsim-cli-sim-trace.txt").string();
  const CommandResult run = run_command(zsim + " sim --seed 9 --reservations 10 --duration 5m --json --trace " + shell_quote(path));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream trace(path);
  std::size_t lines = 0;
  for (std::string line; std::getline(trace, line);) lines += 1;
  EXPECT_EQ(lines, nlohmann::json::parse(run.out)["events"].get<std::size_t>());
  std::filesystem::remove(path);
}

TEST(CliSim, BadArgumentsExitTwoWithAClearMessage) {
  const CommandResult duration = run_command(zsim + " sim --duration 10x");
  EXPECT_EQ(duration.exit_code, 2);
  EXPECT_NE(duration.err.find("--duration"), std::string::npos) << duration.err;
  const CommandResult nodes = run_command(zsim + " sim --nodes 0");
  EXPECT_EQ(nodes.exit_code, 2);
  const CommandResult realtime = run_command(zsim + " sim --realtime");
  EXPECT_EQ(realtime.exit_code, 2);
  EXPECT_NE(realtime.err.find("--redis"), std::string::npos) << realtime.err;
  const CommandResult redis = run_command(zsim + " sim --redis http://127.0.0.1:6379");
  EXPECT_EQ(redis.exit_code, 2);
  EXPECT_NE(redis.err.find("invalid scheme"), std::string::npos) << redis.err;
  const CommandResult trace = run_command(zsim + " sim --duration 5m --trace /nonexistent-dir/trace.txt");
  EXPECT_EQ(trace.exit_code, 2);
  EXPECT_NE(trace.err.find("--trace"), std::string::npos) << trace.err;
}

// A password holding a '/' ends the URL's authority early, and what follows the last '@' of the
// authority would be read as the host: "redis://:Pw@7Qm/x@127.0.0.1:6379" connected to host
// "7Qm" (part of the password) and waited for it. --redis never uses its channel, so an '@' after
// the first '/' is refused, and no part of the password is shown (tests/secret_leaks.py found it).
TEST(CliSim, ARedisPasswordWithASlashIsRefusedWithoutShowingIt) {
  for (const char* command : {" sim --duration 5m --reservations 5", " run scenarios/feature-stats.json"}) {
    const CommandResult redis = run_command(zsim + command + " --redis 'redis://:hunter:Pw@7Qm-Xz/x@127.0.0.1:6379'");
    EXPECT_EQ(redis.exit_code, 2) << command;
    EXPECT_NE(redis.err.find("--redis: an '@' after the first '/'"), std::string::npos) << redis.err;
    for (const char* part : {"hunter", "7Qm-Xz", "x@127"}) EXPECT_EQ(redis.err.find(part), std::string::npos) << redis.err;
  }
}

}  // namespace
}  // namespace zsim::tests

namespace zsim::tests {
namespace {

// --redis on a healthy real server: zsim drains before it exits, so a PSUBSCRIBE '*' watcher
// receives exactly the summary's messages_delivered.
TEST(CliSimRedis, WatcherReceivesExactlyWhatTheSummaryCountsAsDelivered) {
  adapters::RedisServerProcess server;
  const core::Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error();
  boost::asio::io_context io;
  adapters::RedisSubscriber watcher(io, server.host(), server.port());
  watcher.psubscribe("*");
  ASSERT_TRUE(adapters::run_io_until(io, [&] { return watcher.confirmations() == 1; }, 5000)) << watcher.error();
  const std::string url = fmt::format("redis://127.0.0.1:{}", server.port());
  const CommandResult run = run_command(zsim + " sim --seed 4 --reservations 25 --duration 5m --json --redis " + url);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::uint64_t delivered = nlohmann::json::parse(run.out)["messages_delivered"].get<std::uint64_t>();
  EXPECT_GT(delivered, 100u);
  adapters::run_io_until(io, [&] { return watcher.messages().size() >= delivered; }, 5000);
  adapters::run_io_until(io, [] { return false; }, 200);  // Nothing more may come.
  EXPECT_EQ(watcher.messages().size(), delivered);
}

}  // namespace
}  // namespace zsim::tests

namespace zsim::tests {
namespace {

TEST(CliMain, AnUnknownCommandIsNamedAndExitsTwo) {
  const CommandResult run = run_command(zsim + " bogus");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown command 'bogus'"), std::string::npos) << run.err;
  EXPECT_EQ(run_command(zsim).exit_code, 2);
  const CommandResult help = run_command(zsim + " --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"validate", "sim", "run"}) EXPECT_NE(help.out.find(command), std::string::npos) << command;
}

}  // namespace
}  // namespace zsim::tests
