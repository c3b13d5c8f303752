// The hiredis publisher against the RESP2 fake of fakes/, on loopback, with its fault switches.

#include "adapters/hiredis_publisher.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <rapidcheck/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "adapters/asio_scheduler.hpp"
#include "adapters/connection_recorder_test.hpp"
#include "adapters/redis_subscriber.hpp"
#include "fakes/resp_server.hpp"

namespace zsim::adapters {
namespace {

constexpr std::int64_t wait_ms = 3000;

using Recorder = testing::ConnectionRecorder;

core::RedisUrl url_of(const fakes::RespServer& server, std::string password = {}) {
  core::RedisUrl url;
  url.host = server.host();
  url.port = server.port();
  url.password = std::move(password);
  url.channel = "unused";
  return url;
}

std::string payload_of(int index) {
  // Binary-safe: a NUL, CR and LF inside every payload.
  return fmt::format("line {}", index) + std::string("\0\r\n", 3);
}

// Our PUBLISH bytes are exactly those of hiredis's "PUBLISH %b %b", for any binary channel and payload.
RC_GTEST_PROP(FormatPublish, MatchesHiredisBinarySafeFormatting,
              (const std::string& channel, const std::string& payload)) {
  char* expected = nullptr;
  const int length = redisFormatCommand(&expected, "PUBLISH %b %b", channel.data(), channel.size(), payload.data(),
                                        payload.size());
  RC_ASSERT(length > 0);
  const std::string reference(expected, static_cast<std::size_t>(length));
  redisFreeCommand(expected);
  std::string buffer = "left over from an earlier command";
  RC_ASSERT(format_publish(buffer, channel, payload) == reference);
  RC_ASSERT(buffer == reference);
}

class HiredisPublisherFakeTest : public ::testing::Test {
 protected:
  bool run_until(const std::function<bool()>& done, std::int64_t timeout_ms = wait_ms) {
    return run_io_until(io_, done, timeout_ms);
  }
  void run_for(std::int64_t duration_ms) {
    run_io_until(io_, [] { return false; }, duration_ms);
  }
  core::ConnectionId connect_up(HiredisPublisher& publisher, fakes::RespServer& server, Recorder& recorder) {
    const core::ConnectionId id = publisher.connect(url_of(server), recorder);
    EXPECT_TRUE(run_until([&] { return recorder.connected == 1 || !recorder.disconnects.empty(); }));
    EXPECT_EQ(recorder.connected, 1) << (recorder.disconnects.empty() ? "" : recorder.disconnects.front());
    return id;
  }

  boost::asio::io_context io_;
};

TEST_F(HiredisPublisherFakeTest, PublishesPipelinedAndGetsEveryReplyInOrder) {
  fakes::RespServer server(io_);
  RedisSubscriber subscriber(io_, server.host(), server.port());
  subscriber.subscribe("logs");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; }));
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = connect_up(publisher, server, recorder);
  constexpr int count = 5000;
  for (int index = 0; index < count; ++index) publisher.publish(id, "logs", payload_of(index));
  // All of them are outstanding at once: nothing is answered from inside publish().
  EXPECT_EQ(publisher.pending(id), static_cast<std::uint64_t>(count));
  EXPECT_TRUE(recorder.replies.empty());
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == count; }));
  EXPECT_EQ(std::count(recorder.replies.begin(), recorder.replies.end(), true), count);
  EXPECT_EQ(publisher.pending(id), 0U);
  EXPECT_EQ(server.published("logs"), static_cast<std::uint64_t>(count));
  ASSERT_TRUE(run_until([&] { return subscriber.messages().size() == count; }));
  for (int index = 0; index < count; ++index) {
    const SubscribedMessage& message = subscriber.messages()[static_cast<std::size_t>(index)];
    ASSERT_EQ(message.channel, "logs");
    ASSERT_EQ(message.payload, payload_of(index));
  }
  EXPECT_TRUE(recorder.disconnects.empty());
}

TEST_F(HiredisPublisherFakeTest, ErrorRepliesAreFalseAndKeepTheirPlace) {
  fakes::RespServer server(io_);
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = connect_up(publisher, server, recorder);
  for (int index = 0; index < 3; ++index) publisher.publish(id, "c", "ok");
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 3; }));
  server.set_protected_mode(true);
  for (int index = 0; index < 2; ++index) publisher.publish(id, "c", "denied");
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 5; }));
  server.set_protected_mode(false);
  publisher.publish(id, "c", "ok again");
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 6; }));
  EXPECT_EQ(recorder.replies, (std::vector<bool>{true, true, true, false, false, true}));
  EXPECT_EQ(server.published("c"), 4U);
  EXPECT_TRUE(recorder.disconnects.empty());
}

TEST_F(HiredisPublisherFakeTest, AuthenticatesWhenTheUrlHasAPassword) {
  fakes::RespServerOptions options;
  options.requirepass = "pa55-word";
  fakes::RespServer server(io_, options);
  HiredisPublisher publisher(io_);

  Recorder good;
  const core::ConnectionId id = publisher.connect(url_of(server, "pa55-word"), good);
  ASSERT_TRUE(run_until([&] { return good.connected == 1; }));
  publisher.publish(id, "c", "m");
  ASSERT_TRUE(run_until([&] { return good.replies.size() == 1; }));
  EXPECT_TRUE(good.replies[0]);

  Recorder wrong;
  publisher.connect(url_of(server, "not-the-pa55-word"), wrong);
  ASSERT_TRUE(run_until([&] { return !wrong.disconnects.empty(); }));
  EXPECT_EQ(wrong.connected, 0);
  EXPECT_NE(wrong.disconnects[0].find("WRONGPASS"), std::string::npos) << wrong.disconnects[0];
  EXPECT_EQ(wrong.disconnects[0].find("not-the-pa55-word"), std::string::npos);

  Recorder missing;
  publisher.connect(url_of(server), missing);
  ASSERT_TRUE(run_until([&] { return !missing.disconnects.empty(); }));
  EXPECT_EQ(missing.connected, 0);
  EXPECT_EQ(missing.disconnects[0], "NOAUTH Authentication required.");
  EXPECT_EQ(publisher.connections(), 1U);
}

TEST_F(HiredisPublisherFakeTest, AConnectionClosedAtOnceIsReportedDown) {
  fakes::RespServer server(io_);
  server.set_refuse(true);
  HiredisPublisher publisher(io_);
  Recorder recorder;
  publisher.connect(url_of(server), recorder);
  ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
  EXPECT_EQ(recorder.connected, 0);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"disconnected"}));
  EXPECT_GE(server.counters().connections_refused, 1U);
  EXPECT_EQ(publisher.connections(), 0U);
}

TEST_F(HiredisPublisherFakeTest, ARefusedConnectIsReportedAfterConnectReturns) {
  fakes::RespServer server(io_);
  server.stop();
  HiredisPublisher publisher(io_);
  Recorder recorder;
  publisher.connect(url_of(server), recorder);
  EXPECT_TRUE(recorder.events.empty());  // Never from inside connect().
  ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
  EXPECT_EQ(recorder.disconnects[0], "Connection refused");
  EXPECT_EQ(recorder.connected, 0);
}

TEST_F(HiredisPublisherFakeTest, ADropLosesTheOutstandingPublishesAndNothingFollows) {
  fakes::RespServer server(io_);
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = connect_up(publisher, server, recorder);
  for (int index = 0; index < 10; ++index) publisher.publish(id, "c", payload_of(index));
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 10; }));
  server.set_stall(true);
  for (int index = 10; index < 20; ++index) publisher.publish(id, "c", payload_of(index));
  run_for(50);
  EXPECT_EQ(publisher.pending(id), 10U);
  server.drop_connections();
  ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
  EXPECT_FALSE(recorder.disconnects[0].empty());
  run_for(50);
  EXPECT_EQ(recorder.replies.size(), 10U);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"connected", "disconnected"}));
  EXPECT_EQ(publisher.pending(id), 0U);
  EXPECT_EQ(publisher.connections(), 0U);
  publisher.close(id);  // Closing a connection already reported down is harmless.
  server.set_stall(false);
  EXPECT_EQ(server.published("c"), 10U);
}

TEST_F(HiredisPublisherFakeTest, AStalledServerIsWaitedForAndAnswersOnHealing) {
  fakes::RespServer server(io_);
  RedisSubscriber subscriber(io_, server.host(), server.port());
  subscriber.subscribe("c");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; }));
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = connect_up(publisher, server, recorder);
  server.set_stall(true);
  for (int index = 0; index < 100; ++index) publisher.publish(id, "c", payload_of(index));
  run_for(100);
  EXPECT_TRUE(recorder.replies.empty());
  EXPECT_EQ(publisher.pending(id), 100U);
  server.set_stall(false);
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 100; }));
  EXPECT_EQ(std::count(recorder.replies.begin(), recorder.replies.end(), true), 100);
  ASSERT_TRUE(run_until([&] { return subscriber.messages().size() == 100; }));
  for (int index = 0; index < 100; ++index) {
    EXPECT_EQ(subscriber.messages()[static_cast<std::size_t>(index)].payload, payload_of(index));
  }
  EXPECT_TRUE(recorder.disconnects.empty());
}

TEST_F(HiredisPublisherFakeTest, ProtectedModeAtConnectIsReportedDownWithRedisReason) {
  fakes::RespServer server(io_);
  server.set_protected_mode(true);
  HiredisPublisher publisher(io_);
  Recorder recorder;
  publisher.connect(url_of(server), recorder);
  ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
  EXPECT_EQ(recorder.connected, 0);
  EXPECT_TRUE(recorder.disconnects[0].starts_with("DENIED Redis is running in protected mode"))
      << recorder.disconnects[0];
}

TEST_F(HiredisPublisherFakeTest, AServerThatNeverAnswersTimesOut) {
  fakes::RespServer server(io_);
  server.set_stall(true);
  HiredisPublisherOptions options;
  options.connect_timeout_ms = 100;
  HiredisPublisher publisher(io_, options);
  Recorder recorder;
  publisher.connect(url_of(server), recorder);
  run_for(50);
  EXPECT_TRUE(recorder.events.empty());
  ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
  EXPECT_EQ(recorder.disconnects[0], "no answer from the server within 100 ms");
  EXPECT_EQ(recorder.connected, 0);
  server.set_stall(false);
  run_for(50);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"disconnected"}));
}

TEST_F(HiredisPublisherFakeTest, NoCallbackFollowsClose) {
  fakes::RespServer server(io_);
  HiredisPublisher publisher(io_);

  Recorder with_pending;
  const core::ConnectionId first = connect_up(publisher, server, with_pending);
  for (int index = 0; index < 100; ++index) publisher.publish(first, "c", "m");
  publisher.close(first);
  publisher.close(first);

  Recorder while_connecting;
  const core::ConnectionId second = publisher.connect(url_of(server), while_connecting);
  publisher.close(second);

  // A connect to a closed port fails; its report is on the way (posted) when the close comes.
  fakes::RespServer gone(io_);
  gone.stop();
  Recorder failing;
  const core::ConnectionId third = publisher.connect(url_of(gone), failing);
  publisher.close(third);

  run_for(100);
  EXPECT_TRUE(with_pending.replies.empty());
  EXPECT_EQ(with_pending.events, (std::vector<std::string>{"connected"}));
  EXPECT_TRUE(while_connecting.events.empty());
  EXPECT_TRUE(failing.events.empty());
  EXPECT_EQ(publisher.connections(), 0U);
}

TEST_F(HiredisPublisherFakeTest, TheObserverMayCloseFromInsideOnReply) {
  fakes::RespServer server(io_);
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = connect_up(publisher, server, recorder);
  recorder.reply_hook = [&] {
    if (recorder.replies.size() == 3) publisher.close(id);
  };
  for (int index = 0; index < 50; ++index) publisher.publish(id, "c", "m");
  run_for(100);
  EXPECT_EQ(recorder.replies.size(), 3U);
  EXPECT_TRUE(recorder.disconnects.empty());
  EXPECT_EQ(publisher.connections(), 0U);
}

TEST_F(HiredisPublisherFakeTest, TheObserverMayPublishAndReconnectFromItsCallbacks) {
  fakes::RespServer server(io_);
  RedisSubscriber subscriber(io_, server.host(), server.port());
  subscriber.psubscribe("chain*");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; }));
  HiredisPublisher publisher(io_);
  Recorder recorder;
  core::ConnectionId id = 0;
  int sent = 0;
  // Each reply publishes the next message, the first is published from on_connected.
  recorder.connected_hook = [&] { publisher.publish(id, "chain", payload_of(sent++)); };
  recorder.reply_hook = [&] {
    if (sent < 20) publisher.publish(id, "chain", payload_of(sent++));
  };
  // After a drop, the observer reconnects from inside on_disconnected.
  recorder.disconnected_hook = [&] { id = publisher.connect(url_of(server), recorder); };
  id = publisher.connect(url_of(server), recorder);
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 20; }));
  server.drop_connections();  // The subscriber is dropped too.
  RedisSubscriber second_subscriber(io_, server.host(), server.port());
  second_subscriber.subscribe("chain");
  ASSERT_TRUE(run_until([&] { return recorder.connected == 2 && second_subscriber.confirmations() == 1; }));
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 21; }));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"connected", "disconnected", "connected"}));
  ASSERT_EQ(subscriber.messages().size(), 20U);
  for (int index = 0; index < 20; ++index) {
    EXPECT_EQ(subscriber.messages()[static_cast<std::size_t>(index)].pattern, "chain*");
    EXPECT_EQ(subscriber.messages()[static_cast<std::size_t>(index)].payload, payload_of(index));
  }
  ASSERT_TRUE(run_until([&] { return second_subscriber.messages().size() == 1; }));
  EXPECT_EQ(second_subscriber.messages()[0].payload, payload_of(20));
}

TEST_F(HiredisPublisherFakeTest, ALargePayloadArrivesWhole) {
  fakes::RespServer server(io_);
  RedisSubscriber subscriber(io_, server.host(), server.port());
  subscriber.subscribe("big");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; }));
  HiredisPublisher publisher(io_);
  Recorder recorder;
  const core::ConnectionId id = connect_up(publisher, server, recorder);
  std::string payload(3 << 20, '\0');
  for (std::size_t index = 0; index < payload.size(); ++index) payload[index] = static_cast<char>(index * 7 % 251);
  publisher.publish(id, "big", payload);
  ASSERT_TRUE(run_until([&] { return subscriber.messages().size() == 1; }));
  EXPECT_TRUE(subscriber.messages()[0].payload == payload);
  ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 1; }));
  EXPECT_TRUE(recorder.replies[0]);
}

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) count += 1;
  return count;
}

// hiredis owns each socket and closes it; the Asio descriptor on it is released, never closed. Every
// way a connection ends (close, close with a publish buffered, the server dropping it) gives back
// its descriptor, and the sockets around (the subscriber's, the server's sessions) keep working.
TEST_F(HiredisPublisherFakeTest, ManyConnectionsComeAndGoWithoutLeakingOrClosingOtherSockets) {
  fakes::RespServer server(io_);
  fakes::RespServer flaky(io_);  // Dropped again and again; the subscriber is on `server`.
  HiredisPublisher publisher(io_);
  RedisSubscriber subscriber(io_, server.host(), server.port());
  subscriber.subscribe("c");
  ASSERT_TRUE(run_until([&] { return subscriber.confirmations() == 1; }));
  run_for(5);
  const std::size_t baseline = open_descriptors();
  std::vector<std::string> expected;
  for (int round = 0; round < 60; ++round) {
    Recorder recorder;
    fakes::RespServer& target = round % 3 == 1 ? flaky : server;
    const core::ConnectionId id = connect_up(publisher, target, recorder);
    publisher.publish(id, "c", payload_of(round));
    ASSERT_TRUE(run_until([&] { return recorder.replies.size() == 1; }));
    if (round % 3 == 0) {
      expected.push_back(payload_of(round));
      publisher.close(id);
    } else if (round % 3 == 1) {
      flaky.drop_connections();
      ASSERT_TRUE(run_until([&] { return !recorder.disconnects.empty(); }));
    } else {
      expected.push_back(payload_of(round));
      publisher.publish(id, "c", "never written");
      publisher.close(id);  // Its buffered publish is dropped with it.
    }
  }
  EXPECT_TRUE(run_until([&] { return open_descriptors() == baseline && server.connections() == 1; }))
      << open_descriptors() << " descriptors open, " << baseline << " before";
  EXPECT_EQ(publisher.connections(), 0U);
  EXPECT_FALSE(subscriber.closed()) << subscriber.error();
  Recorder last;
  const core::ConnectionId id = connect_up(publisher, server, last);
  publisher.publish(id, "c", "still working");
  expected.emplace_back("still working");
  ASSERT_TRUE(run_until([&] { return subscriber.messages().size() >= expected.size(); }));
  std::vector<std::string> received;
  for (const SubscribedMessage& message : subscriber.messages()) received.push_back(message.payload);
  EXPECT_EQ(received, expected);
}

TEST_F(HiredisPublisherFakeTest, DestroyingThePublisherWithWorkInFlightIsSilent) {
  fakes::RespServer server(io_);
  Recorder up;
  Recorder connecting;
  Recorder failing;
  {
    HiredisPublisher publisher(io_);
    const core::ConnectionId id = connect_up(publisher, server, up);
    for (int index = 0; index < 1000; ++index) publisher.publish(id, "c", "m");
    run_for(1);
    publisher.connect(url_of(server), connecting);
    fakes::RespServer gone(io_);
    gone.stop();
    publisher.connect(url_of(gone), failing);
  }
  const std::size_t replies = up.replies.size();
  run_for(100);
  EXPECT_EQ(up.replies.size(), replies);
  EXPECT_EQ(up.events, (std::vector<std::string>{"connected"}));
  EXPECT_TRUE(connecting.disconnects.empty());
  EXPECT_TRUE(failing.disconnects.empty());
}

}  // namespace
}  // namespace zsim::adapters
