#include "fakes/fake_redis.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "kernel/scheduler.hpp"
#include "kernel/trace.hpp"

namespace zsim::fakes {
namespace {

constexpr const char* address = "10.0.0.1:6379";
constexpr const char* other_address = "10.0.0.2:6380";

core::RedisUrl url_of(std::string host, std::uint16_t port, std::string password = "") {
  core::RedisUrl url;
  url.host = std::move(host);
  url.port = port;
  url.password = std::move(password);
  url.channel = "stats";
  return url;
}

core::RedisUrl main_url(std::string password = "") { return url_of("10.0.0.1", 6379, std::move(password)); }

// Records what the connection tells its user, with the time it was told.
struct Recorder final : core::ConnectionObserver {
  explicit Recorder(const core::Scheduler& scheduler) : scheduler(scheduler) {}
  void on_connected() override { events.push_back("up"); }
  void on_disconnected(std::string_view reason) override { events.push_back("down:" + std::string(reason)); }
  void on_reply(bool ok) override {
    events.push_back(ok ? "ok" : "err");
    reply_times_ms.push_back(scheduler.now_ms());
  }
  const core::Scheduler& scheduler;
  std::vector<std::string> events;
  std::vector<std::int64_t> reply_times_ms;
};

struct Harness {
  explicit Harness(std::uint64_t seed = 1, FakeRedisOptions options = {})
      : redis(scheduler, trace, kernel::Prng(seed), "-", options) {
    trace.keep_lines(100'000);
    redis.add_server(address);
  }
  void run_for(std::int64_t duration_ms) { scheduler.run_until(scheduler.now_ms() + duration_ms); }
  // Connects and waits for the outcome; the outcome must not come from inside connect().
  core::ConnectionId connect(Recorder& recorder, const core::RedisUrl& url) {
    const std::size_t events_before = recorder.events.size();
    const core::ConnectionId id = redis.connect(url, recorder);
    EXPECT_EQ(recorder.events.size(), events_before) << "answered from inside connect()";
    run_for(FakeRedis::latency_max_ms);
    return id;
  }

  kernel::VirtualScheduler scheduler{0};
  kernel::Trace trace;
  FakeRedis redis;
};

using Events = std::vector<std::string>;

TEST(FakeRedis, ServerAddressMatchesHostAndPort) {
  EXPECT_EQ(redis_server_address(main_url()), address);
  EXPECT_EQ(redis_server_address(url_of("::1", 7000)), "[::1]:7000");
  EXPECT_EQ(redis_server_address(url_of("[::1]", 7000)), "[::1]:7000");
}

TEST(FakeRedis, UnknownServerRefusesAsynchronously) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  harness.connect(recorder, url_of("10.9.9.9", 6379));
  EXPECT_EQ(recorder.events, (Events{"down:connection refused"}));
  EXPECT_EQ(harness.redis.connections_open(), 0u);
}

TEST(FakeRedis, PublishesAreRepliedInOrderAndDelivered) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  std::vector<std::string> heard;
  harness.redis.subscribe(address, "stats", [&heard](std::string_view payload) { heard.emplace_back(payload); });
  const core::ConnectionId id = harness.connect(recorder, main_url());
  ASSERT_EQ(recorder.events, (Events{"up"}));
  harness.redis.publish(id, "stats", "one");
  harness.redis.publish(id, "stats", "two");
  harness.redis.publish(id, "logs", "three");
  EXPECT_EQ(recorder.events.size(), 1u) << "answered from inside publish()";
  EXPECT_TRUE(heard.empty());
  harness.run_for(1);
  EXPECT_EQ(recorder.events, (Events{"up", "ok", "ok", "ok"}));
  EXPECT_EQ(heard, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 2u);
  EXPECT_EQ(harness.redis.bytes(address, "stats"), 6u);
  EXPECT_EQ(harness.redis.messages(address, "logs"), 1u);
  EXPECT_EQ(harness.redis.messages(address, "nothing"), 0u);
  EXPECT_EQ(harness.redis.recent_payloads(address, "stats"), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(harness.redis.channels(address), (std::vector<std::string>{"logs", "stats"}));
  EXPECT_EQ(harness.redis.server_messages(address), 3u);
  EXPECT_EQ(harness.redis.publishes(), 3u);
  EXPECT_EQ(harness.redis.publishes_delivered(), 3u);
}

TEST(FakeRedis, ConnectionIdsAreSequential) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  const core::ConnectionId first = harness.redis.connect(main_url(), recorder);
  const core::ConnectionId second = harness.redis.connect(main_url(), recorder);
  EXPECT_EQ(second, first + 1);
  harness.run_for(1);
  EXPECT_EQ(harness.redis.connections_open(), 2u);
}

TEST(FakeRedis, RecentPayloadsAreABoundedRing) {
  FakeRedisOptions options;
  options.payloads_kept = 3;
  Harness harness(1, options);
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  for (int index = 0; index < 7; index += 1) harness.redis.publish(id, "stats", std::to_string(index));
  harness.run_for(1);
  EXPECT_EQ(harness.redis.recent_payloads(address, "stats"), (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 7u);
}

TEST(FakeRedis, AuthIsCheckedAndPasswordsStayOutOfTheTrace) {
  Harness harness;
  harness.redis.add_server(other_address, "s3cret-pass");
  const core::RedisUrl other = url_of("10.0.0.2", 6380);
  struct Case {
    std::string password;
    std::string outcome;
  };
  const std::vector<Case> cases = {
      {"", "down:" + std::string(FakeRedis::reason_noauth)},
      {"wrong-guess", "down:" + std::string(FakeRedis::reason_wrongpass)},
      {"s3cret-pass", "up"},
  };
  for (const Case& test_case : cases) {
    Recorder recorder(harness.scheduler);
    core::RedisUrl url = other;
    url.password = test_case.password;
    harness.connect(recorder, url);
    EXPECT_EQ(recorder.events, (Events{test_case.outcome})) << test_case.password;
  }
  // A password sent to a server that has none fails AUTH too, as in redis 6.
  Recorder recorder(harness.scheduler);
  harness.connect(recorder, main_url("unneeded-pass"));
  EXPECT_EQ(recorder.events, (Events{"down:" + std::string(FakeRedis::reason_no_password_set)}));
  ASSERT_FALSE(harness.trace.lines().empty());
  for (const std::string& line : harness.trace.lines()) {
    EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
    EXPECT_EQ(line.find("wrong-guess"), std::string::npos) << line;
    EXPECT_EQ(line.find("unneeded"), std::string::npos) << line;
  }
}

TEST(FakeRedis, DownResetsConnectionsRefusesNewOnesAndHeals) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.set_latency_ms(address, 100);
  harness.redis.publish(id, "stats", "lost-1");
  harness.redis.publish(id, "stats", "lost-2");
  harness.redis.set_down(address, true);
  EXPECT_EQ(recorder.events, (Events{"up"})) << "told from inside set_down()";
  // Sent before the connection's loss reached its user: lost too.
  harness.redis.publish(id, "stats", "lost-3");
  harness.run_for(1000);
  EXPECT_EQ(recorder.events, (Events{"up", "down:connection reset"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 0u);
  EXPECT_EQ(harness.redis.publishes_lost(), 3u);
  EXPECT_EQ(harness.redis.connections_open(), 0u);

  Recorder refused(harness.scheduler);
  harness.connect(refused, main_url());
  EXPECT_EQ(refused.events, (Events{"down:connection refused"}));

  harness.redis.set_down(address, false);
  Recorder healed(harness.scheduler);
  const core::ConnectionId again = harness.connect(healed, main_url());
  harness.redis.publish(again, "stats", "after");
  harness.run_for(1000);
  EXPECT_EQ(healed.events, (Events{"up", "ok"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 1u);
}

TEST(FakeRedis, DownIsDecidedWhenTheConnectArrives) {
  Harness harness;
  harness.redis.set_latency_ms(address, 500);
  harness.redis.set_down(address, true);
  Recorder recorder(harness.scheduler);
  harness.redis.connect(main_url(), recorder);
  harness.run_for(200);
  harness.redis.set_down(address, false);
  harness.run_for(300);
  EXPECT_EQ(recorder.events, (Events{"up"}));
  EXPECT_EQ(harness.scheduler.now_ms(), 500);
}

TEST(FakeRedis, RefusingAnswersErrorsAndHeals) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.set_refusing(address, true);
  harness.redis.publish(id, "stats", "a");
  harness.redis.publish(id, "stats", "b");
  harness.run_for(1);
  EXPECT_EQ(recorder.events, (Events{"up", "err", "err"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 0u);
  EXPECT_EQ(harness.redis.publishes_refused(), 2u);
  harness.redis.set_refusing(address, false);
  harness.redis.publish(id, "stats", "c");
  harness.run_for(1);
  EXPECT_EQ(recorder.events.back(), "ok");
  EXPECT_EQ(harness.redis.messages(address, "stats"), 1u);
}

TEST(FakeRedis, LatencyDelaysConnectsAndRepliesWhichStayInOrder) {
  Harness harness;
  harness.redis.set_latency_ms(address, 1000);
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.redis.connect(main_url(), recorder);
  harness.scheduler.run_until(999);
  EXPECT_TRUE(recorder.events.empty());
  harness.scheduler.run_until(1000);
  ASSERT_EQ(recorder.events, (Events{"up"}));

  std::vector<std::string> heard;
  harness.redis.subscribe(address, "stats", [&heard](std::string_view payload) { heard.emplace_back(payload); });
  for (int index = 0; index < 3; index += 1) harness.redis.publish(id, "stats", std::to_string(index));
  // The server speeds up: later publishes still never overtake earlier ones.
  harness.redis.set_latency_ms(address, 10);
  for (int index = 3; index < 5; index += 1) harness.redis.publish(id, "stats", std::to_string(index));
  harness.scheduler.run_until(1999);
  EXPECT_EQ(recorder.events.size(), 1u);
  harness.scheduler.run_until(3000);
  EXPECT_EQ(heard, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(recorder.reply_times_ms, (std::vector<std::int64_t>(5, 2000)));
  harness.redis.publish(id, "stats", "5");
  harness.run_for(10);
  EXPECT_EQ(recorder.reply_times_ms.back(), 3010);
}

TEST(FakeRedis, DroppedConnectionLosesEveryUnansweredPublish) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.set_drop_rate(address, 1, 1);
  for (int index = 0; index < 3; index += 1) harness.redis.publish(id, "stats", "x");
  harness.run_for(1);
  EXPECT_EQ(recorder.events, (Events{"up", "down:connection dropped"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 0u);
  EXPECT_EQ(harness.redis.publishes_lost(), 3u);
  harness.redis.set_drop_rate(address, 0, 1);
  Recorder healed(harness.scheduler);
  const core::ConnectionId again = harness.connect(healed, main_url());
  for (int index = 0; index < 50; index += 1) harness.redis.publish(again, "stats", "y");
  harness.run_for(1);
  EXPECT_EQ(healed.events.size(), 51u);
  EXPECT_EQ(harness.redis.messages(address, "stats"), 50u);
}

// A user that reconnects whenever it loses the connection and publishes a message a second.
struct Pusher final : core::ConnectionObserver {
  Pusher(Harness& harness, std::string channel) : harness(harness), channel(std::move(channel)) {}
  void start() { id = harness.redis.connect(main_url(), *this); }
  void on_connected() override {
    connected = true;
    log.push_back("up@" + std::to_string(harness.scheduler.now_ms()));
  }
  void on_disconnected(std::string_view reason) override {
    connected = false;
    log.push_back(std::string(reason) + "@" + std::to_string(harness.scheduler.now_ms()));
    harness.scheduler.at(harness.scheduler.now_ms() + 500, [this] { start(); });
  }
  void on_reply(bool ok) override { log.push_back(ok ? "ok" : "err"); }
  void tick(int count) {
    for (int index = 0; index < count; index += 1) {
      harness.scheduler.at(harness.scheduler.now_ms() + 1000 * index + 1000, [this, index] {
        if (connected) harness.redis.publish(id, channel, "sample " + std::to_string(index));
      });
    }
  }
  Harness& harness;
  std::string channel;
  core::ConnectionId id = 0;
  bool connected = false;
  std::vector<std::string> log;
};

struct DropRun {
  std::vector<std::string> log;
  std::string trace_hash;
  std::uint64_t delivered = 0;
};

DropRun run_with_drops(std::uint64_t seed, bool second_server_traffic) {
  Harness harness(seed);
  harness.redis.add_server(other_address);
  harness.redis.set_latency_ms(address, 20);
  harness.redis.set_drop_rate(address, 1, 10);
  harness.redis.set_drop_rate(other_address, 1, 2);
  Pusher pusher(harness, "stats");
  pusher.start();
  pusher.tick(300);
  if (second_server_traffic) {
    // Traffic on another server draws from that server's own stream.
    Recorder recorder(harness.scheduler);
    const core::ConnectionId id = harness.redis.connect(url_of("10.0.0.2", 6380), recorder);
    harness.run_for(1);
    for (int index = 0; index < 20; index += 1) harness.redis.publish(id, "other", "z");
    harness.run_for(1);
  }
  harness.run_for(400'000);
  return DropRun{pusher.log, harness.trace.hash_hex(), harness.redis.messages(address, "stats")};
}

TEST(FakeRedis, DropsAreDeterministicPerSeed) {
  const DropRun first = run_with_drops(7, false);
  const DropRun again = run_with_drops(7, false);
  EXPECT_EQ(first.log, again.log);
  EXPECT_EQ(first.trace_hash, again.trace_hash);
  const auto drops = std::count_if(first.log.begin(), first.log.end(),
                                   [](const std::string& entry) { return entry.starts_with("connection dropped"); });
  // About one publish in ten is dropped; with 300 publishes, between 5 and 80 is far beyond chance.
  EXPECT_GT(drops, 5);
  EXPECT_LT(drops, 80);
  EXPECT_LT(first.delivered, 300u);
  EXPECT_GT(first.delivered, 200u);
  std::set<std::vector<std::string>> distinct;
  for (std::uint64_t seed = 1; seed <= 4; seed += 1) distinct.insert(run_with_drops(seed, false).log);
  EXPECT_EQ(distinct.size(), 4u) << "different seeds gave the same drops";
}

TEST(FakeRedis, ServersDrawFromTheirOwnStreams) {
  EXPECT_EQ(run_with_drops(11, false).log, run_with_drops(11, true).log);
}

TEST(FakeRedis, CloseSilencesTheConnectionButSentPublishesArrive) {
  Harness harness;
  harness.redis.set_latency_ms(address, 50);
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.publish(id, "stats", "in flight");
  harness.redis.close(id);
  harness.redis.close(id);  // A second close is harmless.
  EXPECT_EQ(harness.redis.connections_open(), 1u);
  harness.run_for(100);
  EXPECT_EQ(recorder.events, (Events{"up"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 1u);
  EXPECT_EQ(harness.redis.connections_open(), 0u);

  // Closed while connecting: nothing follows.
  Recorder connecting(harness.scheduler);
  harness.redis.close(harness.redis.connect(main_url(), connecting));
  harness.run_for(100);
  EXPECT_TRUE(connecting.events.empty());

  // Closed after its loss but before being told: nothing follows either.
  Recorder reset(harness.scheduler);
  const core::ConnectionId doomed = harness.connect(reset, main_url());
  harness.redis.set_down(address, true);
  harness.redis.close(doomed);
  harness.run_for(100);
  EXPECT_EQ(reset.events, (Events{"up"}));
  harness.redis.close(doomed);
}

TEST(FakeRedis, DownLosesClosedConnectionsPublishes) {
  Harness harness;
  harness.redis.set_latency_ms(address, 50);
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.publish(id, "stats", "in flight");
  harness.redis.close(id);
  harness.redis.set_down(address, true);
  harness.run_for(100);
  EXPECT_EQ(recorder.events, (Events{"up"}));
  EXPECT_EQ(harness.redis.messages(address, "stats"), 0u);
  EXPECT_EQ(harness.redis.connections_open(), 0u);
}

TEST(FakeRedis, TooManyUnansweredPublishesCloseTheConnection) {
  FakeRedisOptions options;
  options.pending_max = 2;
  Harness harness(1, options);
  harness.redis.set_latency_ms(address, 10);
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  for (int index = 0; index < 3; index += 1) harness.redis.publish(id, "stats", "x");
  harness.run_for(100);
  EXPECT_EQ(recorder.events, (Events{"up", "down:query buffer limit"}));
  EXPECT_EQ(harness.redis.publishes_lost(), 3u);
}

TEST(FakeRedis, PatternSubscribersHearMatchingChannels) {
  Harness harness;
  std::vector<std::string> heard;
  harness.redis.psubscribe(address, "container-*", [&heard](std::string_view channel, std::string_view payload) {
    heard.push_back(std::string(channel) + "=" + std::string(payload));
  });
  harness.redis.psubscribe(address, "*", [&heard](std::string_view channel, std::string_view) {
    heard.push_back("all:" + std::string(channel));
  });
  harness.redis.subscribe(address, "container-stdout",
                          [&heard](std::string_view payload) { heard.push_back("exact=" + std::string(payload)); });
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.publish(id, "container-stdout", "line");
  harness.redis.publish(id, "stats", "json");
  harness.run_for(1);
  EXPECT_EQ(heard, (std::vector<std::string>{"exact=line", "container-stdout=line", "all:container-stdout",
                                             "all:stats"}));
}

TEST(FakeRedis, UnsubscribingWhileHearingIsSafe) {
  Harness harness;
  int first_heard = 0;
  int second_heard = 0;
  FakeRedis::SubscriptionId first = 0;
  FakeRedis::SubscriptionId second = 0;
  first = harness.redis.subscribe(address, "stats", [&](std::string_view) {
    first_heard += 1;
    EXPECT_TRUE(harness.redis.unsubscribe(first));
    EXPECT_TRUE(harness.redis.unsubscribe(second));
  });
  second = harness.redis.subscribe(address, "stats", [&](std::string_view) { second_heard += 1; });
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.connect(recorder, main_url());
  harness.redis.publish(id, "stats", "a");
  harness.redis.publish(id, "stats", "b");
  harness.run_for(1);
  EXPECT_EQ(first_heard, 1);
  EXPECT_EQ(second_heard, 0);
  EXPECT_FALSE(harness.redis.unsubscribe(first));
  EXPECT_EQ(recorder.events, (Events{"up", "ok", "ok"}));
}

TEST(FakeRedis, GlobPatterns) {
  EXPECT_TRUE(redis_pattern_match("*", ""));
  EXPECT_TRUE(redis_pattern_match("*", "anything"));
  EXPECT_TRUE(redis_pattern_match("a*c", "abbbc"));
  EXPECT_FALSE(redis_pattern_match("a*c", "abbbd"));
  EXPECT_TRUE(redis_pattern_match("h?llo", "hello"));
  EXPECT_FALSE(redis_pattern_match("h?llo", "hllo"));
  EXPECT_TRUE(redis_pattern_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(redis_pattern_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(redis_pattern_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(redis_pattern_match("h[^e]llo", "hello"));
  EXPECT_TRUE(redis_pattern_match("h[a-c]llo", "hbllo"));
  EXPECT_FALSE(redis_pattern_match("h[a-c]llo", "hdllo"));
  EXPECT_TRUE(redis_pattern_match("a\\*b", "a*b"));
  EXPECT_FALSE(redis_pattern_match("a\\*b", "axb"));
  EXPECT_TRUE(redis_pattern_match("*.stats.*", "node.stats.cpu"));
  EXPECT_FALSE(redis_pattern_match("", "x"));
}

RC_GTEST_PROP(FakeRedis, LiteralPatternsMatchExactlyThemselves, (const std::string& channel, const std::string& other)) {
  std::string escaped;
  for (const char character : channel) {
    if (character == '*' || character == '?' || character == '[' || character == '\\') escaped.push_back('\\');
    escaped.push_back(character);
  }
  RC_ASSERT(redis_pattern_match(escaped, channel));
  RC_ASSERT(redis_pattern_match(escaped, other) == (channel == other));
  RC_ASSERT(redis_pattern_match("*", other));
  RC_ASSERT(redis_pattern_match(escaped + "*", channel + other));
}

TEST(FakeRedis, TraceNamesEveryEventWithoutPayloads) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.redis.connect(main_url(), recorder);
  harness.run_for(0);
  harness.redis.publish(id, "my channel", "{\"memory_usage\": 561152}");
  harness.run_for(5);
  harness.redis.set_down(address, true);
  harness.run_for(1);
  const auto& lines = harness.trace.lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "0 - redis_connect conn=1 address=10.0.0.1:6379 auth=0");
  EXPECT_EQ(lines[1], "0 - redis_up conn=1 address=10.0.0.1:6379");
  EXPECT_TRUE(lines[2].starts_with("0 - redis_publish conn=1 address=10.0.0.1:6379 channel=my%20channel bytes=24 xxh64="))
      << lines[2];
  EXPECT_TRUE(lines[2].ends_with(" reply=ok")) << lines[2];
  EXPECT_EQ(lines[3], "5 - redis_fault address=10.0.0.1:6379 fault=down value=1");
  EXPECT_EQ(lines[4], "5 - redis_down conn=1 address=10.0.0.1:6379 reason=connection%20reset lost=0");
  for (const auto& line : lines) EXPECT_EQ(line.find("memory_usage"), std::string::npos);
}

// Under any interleaving of publishes, latency changes and time, every publish is answered once,
// in order, and delivered in order.
RC_GTEST_PROP(FakeRedis, RepliesMatchPublishesInOrder, ()) {
  Harness harness;
  Recorder recorder(harness.scheduler);
  std::vector<std::string> heard;
  harness.redis.subscribe(address, "stats", [&heard](std::string_view payload) { heard.emplace_back(payload); });
  const core::ConnectionId id = harness.connect(recorder, main_url());
  const int steps = *rc::gen::inRange(0, 300);
  int published = 0;
  for (int step = 0; step < steps; step += 1) {
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        harness.redis.publish(id, "stats", std::to_string(published));
        published += 1;
        break;
      case 1:
        harness.redis.set_latency_ms(address, *rc::gen::inRange<std::int64_t>(0, 5000));
        break;
      default:
        harness.run_for(*rc::gen::inRange<std::int64_t>(0, 3000));
        break;
    }
  }
  harness.run_for(FakeRedis::latency_max_ms);
  RC_ASSERT(heard.size() == static_cast<std::size_t>(published));
  for (int index = 0; index < published; index += 1) RC_ASSERT(heard[static_cast<std::size_t>(index)] == std::to_string(index));
  RC_ASSERT(recorder.events.size() == static_cast<std::size_t>(published) + 1);
  RC_ASSERT(std::is_sorted(recorder.reply_times_ms.begin(), recorder.reply_times_ms.end()));
}

TEST(FakeRedis, HealAllClearsEveryFault) {
  Harness harness;
  harness.redis.set_down(address, true);
  harness.redis.set_refusing(address, true);
  harness.redis.set_latency_ms(address, 300);
  harness.redis.set_drop_rate(address, 1, 1);
  harness.redis.heal_all();
  Recorder recorder(harness.scheduler);
  const core::ConnectionId id = harness.redis.connect(main_url(), recorder);
  harness.run_for(0);
  harness.redis.publish(id, "stats", "x");
  harness.run_for(0);
  EXPECT_EQ(recorder.events, (Events{"up", "ok"}));
}

}  // namespace
}  // namespace zsim::fakes
