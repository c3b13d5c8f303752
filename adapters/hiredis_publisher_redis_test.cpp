// The hiredis publisher against a real redis-server that each test starts itself on a free loopback
// port. Without redis-server the tests fail with the reason: scripts/install_deps.sh installs it.

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>
#include <string>
#include <vector>

#include "adapters/asio_scheduler.hpp"
#include "adapters/connection_recorder_test.hpp"
#include "adapters/hiredis_publisher.hpp"
#include "adapters/redis_server_process.hpp"
#include "adapters/redis_subscriber.hpp"

namespace zsim::adapters {
namespace {

constexpr std::int64_t wait_ms = 5000;

using Recorder = testing::ConnectionRecorder;

// A stats message like the ones the node publishes, numbered so that order and gaps show.
std::string stats_payload(int sequence) {
  return fmt::format(R"({{"sequence":{},"timestamp":1700000000000,"memory_usage":52428800,"cpu_usage":12.5}})",
                     sequence);
}

// Every message carries the next sequence number from 0: nothing lost in the middle, nothing twice.
::testing::AssertionResult consecutive_from_zero(const std::vector<SubscribedMessage>& messages) {
  for (std::size_t index = 0; index < messages.size(); ++index) {
    if (messages[index].payload != stats_payload(static_cast<int>(index))) {
      return ::testing::AssertionFailure() << "message " << index << " is " << messages[index].payload;
    }
  }
  return ::testing::AssertionSuccess();
}

class HiredisPublisherRedisTest : public ::testing::Test {
 protected:
  void start_server(RedisServerOptions options = {}) {
    server_.emplace(std::move(options));
    const core::Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error();
  }
  bool run_until(const std::function<bool()>& done, std::int64_t timeout_ms = wait_ms) {
    return run_io_until(io_, done, timeout_ms);
  }

  boost::asio::io_context io_;
  std::optional<RedisServerProcess> server_;
};

TEST_F(HiredisPublisherRedisTest, TenThousandPipelinedPublishesAllReachASubscriberInOrder) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  RedisSubscriber subscriber(io_, server_->host(), server_->port());
  subscriber.subscribe("stats/1-1");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; })) << subscriber.error();
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = publisher.connect(server_->url("stats/1-1"), recorder);
  ASSERT_TRUE(run_until([&] { return recorder.connected == 1 || !recorder.disconnects.empty(); }));
  ASSERT_EQ(recorder.connected, 1) << recorder.disconnects.front();
  constexpr int count = 10'000;
  for (int sequence = 0; sequence < count; ++sequence) publisher.publish(id, "stats/1-1", stats_payload(sequence));
  EXPECT_EQ(publisher.pending(id), static_cast<std::uint64_t>(count));
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == count; }));
  EXPECT_EQ(std::count(recorder.replies.begin(), recorder.replies.end(), true), count);
  ASSERT_TRUE(run_until([&] { return subscriber.messages().size() == count; }));
  EXPECT_TRUE(consecutive_from_zero(subscriber.messages()));
  EXPECT_EQ(subscriber.messages().back().channel, "stats/1-1");
  EXPECT_TRUE(recorder.disconnects.empty());
}

TEST_F(HiredisPublisherRedisTest, AuthenticatesAndReportsAWrongPasswordWithoutPrintingIt) {
  RedisServerOptions options;
  options.password = "real-redis-secret";
  ASSERT_NO_FATAL_FAILURE(start_server(options));
  HiredisPublisher publisher(io_);

  Recorder good;
  const core::ConnectionId id = publisher.connect(server_->url("c"), good);
  ASSERT_TRUE(run_until([&] { return good.connected == 1 || !good.disconnects.empty(); }));
  ASSERT_EQ(good.connected, 1) << good.disconnects.front();
  publisher.publish(id, "c", "m");
  ASSERT_TRUE(run_until([&] { return good.replies.size() == 1; }));
  EXPECT_TRUE(good.replies[0]);

  core::RedisUrl wrong_url = server_->url("c");
  wrong_url.password = "guessed-secret";
  Recorder wrong;
  publisher.connect(wrong_url, wrong);
  ASSERT_TRUE(run_until([&] { return !wrong.disconnects.empty(); }));
  EXPECT_EQ(wrong.connected, 0);
  EXPECT_EQ(wrong.disconnects[0], "AUTH refused: WRONGPASS invalid username-password pair or user is disabled.");

  core::RedisUrl no_password = server_->url("c");
  no_password.password.clear();
  Recorder missing;
  publisher.connect(no_password, missing);
  ASSERT_TRUE(run_until([&] { return !missing.disconnects.empty(); }));
  EXPECT_EQ(missing.disconnects[0], "NOAUTH Authentication required.");
}

TEST_F(HiredisPublisherRedisTest, StoppingTheServerMidRunIsReportedAndARestartResumesDelivery) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  AsioScheduler scheduler(io_);
  HiredisPublisher publisher(io_);
  RedisSubscriber subscriber(io_, server_->host(), server_->port());
  subscriber.subscribe("logs");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; })) << subscriber.error();

  Recorder recorder;
  const core::ConnectionId id = publisher.connect(server_->url("logs"), recorder);
  ASSERT_TRUE(run_until([&] { return recorder.connected == 1 || !recorder.disconnects.empty(); }));
  ASSERT_EQ(recorder.connected, 1) << recorder.disconnects.front();

  // Publish 50 messages every millisecond while up (at most 200,000), and stop the server from a
  // timer 40 ms into the run, with publishes in flight.
  int published = 0;
  std::function<void()> burst = [&] {
    if (!recorder.disconnects.empty() || published >= 200'000) return;
    for (int index = 0; index < 50; ++index) publisher.publish(id, "logs", stats_payload(published++));
    scheduler.at(scheduler.now_ms() + 1, burst);
  };
  scheduler.at(scheduler.now_ms(), burst);
  scheduler.at(scheduler.now_ms() + 40, [&] {
    const core::Status stopped = server_->stop();
    EXPECT_TRUE(stopped.ok()) << stopped.error();
  });
  ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
  EXPECT_FALSE(server_->running());
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"connected", "disconnected"}));
  EXPECT_GT(published, 0);
  EXPECT_LE(recorder.replies.size(), static_cast<std::size_t>(published));
  EXPECT_EQ(std::count(recorder.replies.begin(), recorder.replies.end(), false), 0);
  ASSERT_TRUE(run_until([&] { return subscriber.closed(); }));
  EXPECT_LE(subscriber.messages().size(), static_cast<std::size_t>(published));
  EXPECT_TRUE(consecutive_from_zero(subscriber.messages()));
  ASSERT_TRUE(scheduler.run_until_idle(1000));  // The burst loop has ended.

  // While the server is down a connect is refused, after connect() returned.
  Recorder refused;
  publisher.connect(server_->url("logs"), refused);
  EXPECT_TRUE(refused.events.empty());
  ASSERT_TRUE(run_until([&] { return !refused.disconnects.empty(); }));
  EXPECT_EQ(refused.disconnects[0], "Connection refused");

  const core::Status restarted = server_->start();
  ASSERT_TRUE(restarted.ok()) << restarted.error();
  RedisSubscriber resubscriber(io_, server_->host(), server_->port());
  resubscriber.subscribe("logs");
  ASSERT_TRUE(run_until([&] { return resubscriber.confirmations() == 1; })) << resubscriber.error();
  Recorder again;
  const core::ConnectionId second = publisher.connect(server_->url("logs"), again);
  ASSERT_TRUE(run_until([&] { return again.connected == 1 || !again.disconnects.empty(); }));
  ASSERT_EQ(again.connected, 1) << again.disconnects.front();
  for (int sequence = 0; sequence < 1000; ++sequence) publisher.publish(second, "logs", stats_payload(sequence));
  ASSERT_TRUE(run_until([&] { return again.replies.size() == 1000; }));
  EXPECT_EQ(std::count(again.replies.begin(), again.replies.end(), true), 1000);
  ASSERT_TRUE(run_until([&] { return resubscriber.messages().size() == 1000; }));
  EXPECT_TRUE(consecutive_from_zero(resubscriber.messages()));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"connected", "disconnected"}));
}

}  // namespace
}  // namespace zsim::adapters
