// The hiredis pipeline of issue 4 against redis-benchmark, on the same real redis-server in the same
// run: the issue asks for at least 0.9x of `redis-benchmark -P 128` PUBLISH of a stats message.
//
// BM_PublishPipeline starts a redis-server on a free loopback port (adapters::RedisServerProcess).
// Each iteration is one round of both contenders publishing `messages` copies of one stats message
// (core::encode_stats) to one channel, over `connections` connections with `window` publishes in
// flight on each:
//   - redis-benchmark -h 127.0.0.1 -p P -c connections -P window -n messages -q PUBLISH stats
//     '<message>', run as a child process; its "requests per second" line is parsed;
//   - adapters::HiredisPublisher with as many connections on one boost::asio io_context on this
//     thread, each keeping `window` publishes unanswered (every reply sends the next one), timed
//     with the steady clock from the first connect to the last reply (redis-benchmark's time also
//     includes creating its clients).
// 50 x 128 is redis-benchmark's default shape (`-P 128` alone): the comparison. One
// connection shows what a single sink can get: redis-server answers one pipelined connection much
// more slowly than fifty (measured: about 1.0 M/s at -c 1 -P 128 against 2.5 M/s at -c 50 -P 128).
//
// The two take turns going first, round by round, so neither always meets a freshly started or a
// warmed-up server. The counters are the rates over all rounds and hiredis_over_redis_benchmark,
// the median over rounds of hiredis's rate over redis-benchmark's (with ratio_min and ratio_max).
// Both clients share the machine's cores with the server, as they would in use.

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/asio_scheduler.hpp"
#include "adapters/hiredis_publisher.hpp"
#include "adapters/redis_server_process.hpp"
#include "core/ports.hpp"
#include "core/stats_encoder.hpp"

namespace zsim::bench {
namespace {

constexpr const char* redis_benchmark_binary = "/usr/bin/redis-benchmark";
constexpr std::string_view channel = "stats";
constexpr std::int64_t connect_timeout_ms = 5000;
// A round that has not finished by then is a stalled server: the benchmark fails, it does not hang.
constexpr std::int64_t round_timeout_ms = 120'000;
// redis-benchmark prints a progress line per quarter second; a round's output stays far below this.
constexpr std::size_t output_bytes_max = std::size_t{1} << 20;

std::string stats_message() {
  core::StatsBuffer buffer{};
  const core::ContainerStats stats{.memory_usage_bytes = 150'003'712, .memory_limit_bytes = 268'435'456,
                                   .memory_cache_bytes = 12'042'240, .cpu_usage_ns = 4'000'001'000'003,
                                   .pids_current = 4};
  return std::string(core::encode_stats(1'700'000'000, stats, buffer));
}

// The rate of redis-benchmark's last "<test>: <rate> requests per second" line; nullopt when the
// output holds none.
std::optional<double> parse_requests_per_second(const std::string& output) {
  const std::size_t marker = output.rfind(" requests per second");
  if (marker == std::string::npos) return std::nullopt;
  const std::size_t colon = output.rfind(": ", marker);
  if (colon == std::string::npos) return std::nullopt;
  const std::string number = output.substr(colon + 2, marker - colon - 2);
  char* end = nullptr;
  const double rate = std::strtod(number.c_str(), &end);
  if (end == number.c_str() || rate <= 0) return std::nullopt;
  return rate;
}

// Runs redis-benchmark without a shell (the message holds quotes) and returns its output.
std::optional<std::string> run_redis_benchmark(std::uint16_t port, std::uint64_t messages, std::uint64_t connections,
                                               std::uint64_t window, const std::string& message) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return std::nullopt;
  const std::string port_text = std::to_string(port);
  const std::string count_text = std::to_string(messages);
  const std::string clients_text = std::to_string(connections);
  const std::string pipeline_text = std::to_string(window);
  const std::string channel_text(channel);
  std::vector<const char*> argv{redis_benchmark_binary, "-h", "127.0.0.1", "-p", port_text.c_str(),
                                "-c", clients_text.c_str(), "-P", pipeline_text.c_str(), "-n", count_text.c_str(),
                                "-q", "PUBLISH", channel_text.c_str(), message.c_str(), nullptr};
  const pid_t child = ::fork();
  if (child < 0) return std::nullopt;
  if (child == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    ::execv(redis_benchmark_binary, const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  char chunk[4096];
  // Each read consumes output or ends the loop at end of file; the output is bounded.
  while (output.size() < output_bytes_max) {
    const ssize_t got = ::read(pipe_fds[0], chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    output.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return output;
}

// What the connections of one round have reached, counted as it happens so that the loop's exit
// test costs the same for one connection as for fifty.
struct Progress {
  std::uint64_t connected = 0;
  std::uint64_t finished = 0;
  std::uint64_t down = 0;
  std::string down_reason;
};

// Keeps `window` publishes unanswered on one connection until `total` have been answered.
class PipelineDriver final : public core::ConnectionObserver {
 public:
  PipelineDriver(adapters::HiredisPublisher& publisher, Progress& progress, std::string_view payload,
                 std::uint64_t total, std::uint64_t window)
      : publisher_(publisher), progress_(progress), payload_(payload), total_(total), window_(window) {
    assert(total_ > 0 && window_ > 0);
  }

  void connect(const core::RedisUrl& server) { connection_ = publisher_.connect(server, *this); }
  void start() {
    assert(sent_ == 0);
    top_up();
  }

  void on_connected() override { progress_.connected += 1; }
  void on_disconnected(std::string_view reason) override {
    progress_.down += 1;
    if (progress_.down_reason.empty()) progress_.down_reason = std::string(reason);
  }
  void on_reply(bool ok) override {
    assert(replies_ < total_);
    replies_ += 1;
    failed_ += ok ? 0 : 1;
    if (replies_ == total_) progress_.finished += 1;
    top_up();
  }

  std::uint64_t failed() const { return failed_; }
  core::ConnectionId connection() const { return connection_; }

 private:
  void top_up() {
    // Each iteration sends one publish: bounded by the window and by the total.
    while (sent_ < total_ && sent_ - replies_ < window_) {
      publisher_.publish(connection_, channel, payload_);
      sent_ += 1;
    }
  }

  adapters::HiredisPublisher& publisher_;
  Progress& progress_;
  std::string_view payload_;
  std::uint64_t total_;
  std::uint64_t window_;
  core::ConnectionId connection_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t replies_ = 0;
  std::uint64_t failed_ = 0;
};

// One hiredis round: seconds from the first connect to the last reply, or an error. The messages
// are shared out between the connections as redis-benchmark shares them between its clients, and
// the clock starts before the connects, as redis-benchmark's starts before it creates its clients.
core::Expected<double> run_hiredis(const core::RedisUrl& server, std::uint64_t messages, std::uint64_t connections,
                                   std::uint64_t window, const std::string& message) {
  assert(connections > 0 && connections <= messages);
  boost::asio::io_context io;
  adapters::HiredisPublisherOptions options;
  options.connect_timeout_ms = connect_timeout_ms;
  adapters::HiredisPublisher publisher(io, options);
  Progress progress;
  std::vector<std::unique_ptr<PipelineDriver>> drivers;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t index = 0; index < connections; index += 1) {
    const std::uint64_t share = messages / connections + (index < messages % connections ? 1 : 0);
    drivers.push_back(std::make_unique<PipelineDriver>(publisher, progress, message, share, window));
    drivers.back()->connect(server);
  }
  const auto reason = [&] { return progress.down_reason.empty() ? std::string("timeout") : progress.down_reason; };
  if (!adapters::run_io_until(
          io, [&] { return progress.connected == connections || progress.down > 0; }, connect_timeout_ms) ||
      progress.down > 0) {
    return core::Error{"hiredis did not connect: " + reason()};
  }
  for (const auto& driver : drivers) driver->start();
  const bool finished = adapters::run_io_until(
      io, [&] { return progress.finished == connections || progress.down > 0; }, round_timeout_ms);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!finished || progress.down > 0) return core::Error{"hiredis round did not finish: " + reason()};
  for (const auto& driver : drivers) {
    if (driver->failed() > 0) return core::Error{fmt::format("{} publishes answered with an error", driver->failed())};
    publisher.close(driver->connection());
  }
  return elapsed.count();
}

void BM_PublishPipeline(benchmark::State& state) {
  const auto messages = static_cast<std::uint64_t>(state.range(0));
  const auto connections = static_cast<std::uint64_t>(state.range(1));
  const auto window = static_cast<std::uint64_t>(state.range(2));
  if (::access(redis_benchmark_binary, X_OK) != 0) {
    state.SkipWithError("redis-benchmark not found: install redis-tools with scripts/install_deps.sh");
    return;
  }
  adapters::RedisServerProcess server;
  const core::Status started = server.start();
  if (!started) {
    state.SkipWithError(started.error().c_str());
    return;
  }
  const std::string message = stats_message();
  double redis_benchmark_seconds = 0;
  double hiredis_seconds = 0;
  std::vector<double> round_ratios;
  for (auto _ : state) {
    const bool hiredis_first = round_ratios.size() % 2 == 1;
    double round_redis_benchmark_seconds = 0;
    double round_hiredis_seconds = 0;
    for (int turn = 0; turn < 2; turn += 1) {
      if ((turn == 0) == hiredis_first) {
        const core::Expected<double> seconds = run_hiredis(server.url(std::string(channel)), messages, connections, window, message);
        if (!seconds) {
          state.SkipWithError(seconds.error().c_str());
          return;
        }
        round_hiredis_seconds = seconds.value();
      } else {
        const std::optional<std::string> output = run_redis_benchmark(server.port(), messages, connections, window, message);
        const std::optional<double> rate = output ? parse_requests_per_second(*output) : std::nullopt;
        if (!rate) {
          state.SkipWithError("redis-benchmark failed or printed no rate");
          return;
        }
        round_redis_benchmark_seconds = static_cast<double>(messages) / *rate;
      }
    }
    redis_benchmark_seconds += round_redis_benchmark_seconds;
    hiredis_seconds += round_hiredis_seconds;
    round_ratios.push_back(round_redis_benchmark_seconds / round_hiredis_seconds);
  }
  // The median of the rounds' ratios is the headline: each ratio compares two runs a moment apart,
  // so a burst of load from another process spoils one round, not the figure.
  std::sort(round_ratios.begin(), round_ratios.end());
  const std::size_t middle = round_ratios.size() / 2;
  const double median = round_ratios.size() % 2 == 1 ? round_ratios[middle]
                                                      : (round_ratios[middle - 1] + round_ratios[middle]) / 2;
  const double total = static_cast<double>(messages * round_ratios.size());
  state.counters["redis_benchmark_per_s"] = total / redis_benchmark_seconds;
  state.counters["hiredis_per_s"] = total / hiredis_seconds;
  state.counters["hiredis_over_redis_benchmark"] = median;
  state.counters["ratio_min"] = round_ratios.front();
  state.counters["ratio_max"] = round_ratios.back();
  state.counters["message_bytes"] = static_cast<double>(message.size());
}
// Args: messages per round and contender, connections, window. 50 x 128 is the comparison
// (redis-benchmark's default clients); 1 x 128 the same pipeline on one connection; 1 x 1024 one
// sink's default bound on log lines in flight (core::DeliveryLimits). Short rounds, many of them,
// so that both contenders see the same load on a shared machine; each goes first in half of them.
BENCHMARK(BM_PublishPipeline)
    ->ArgNames({"messages", "connections", "window"})
    ->Args({500'000, 50, 128})
    ->Args({100'000, 1, 128})
    ->Args({100'000, 1, 1024})
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zsim::bench

BENCHMARK_MAIN();
