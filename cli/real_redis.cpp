#include "cli/real_redis.hpp"

#include <cassert>

namespace zsim::cli {

namespace {
// How long virtual time waits for the real server (a connection, replies) before it moves on.
constexpr std::int64_t wait_max_ms = 2000;
}  // namespace

class RoutingPublisher::Relay final : public core::ConnectionObserver {
 public:
  Relay(RoutingPublisher& owner, core::ConnectionObserver& observer) : owner_(owner), observer_(observer) {}
  void on_connected() override {
    settle();
    observer_.on_connected();
  }
  void on_disconnected(std::string_view reason) override {
    settle();
    assert(owner_.awaiting_replies_ >= awaiting_);
    owner_.awaiting_replies_ -= awaiting_;
    awaiting_ = 0;
    observer_.on_disconnected(reason);
  }
  void on_reply(bool ok) override {
    assert(awaiting_ > 0);
    awaiting_ -= 1;
    owner_.awaiting_replies_ -= 1;
    owner_.replies_ok_ += ok ? 1 : 0;
    observer_.on_reply(ok);
  }
  void published() {
    awaiting_ += 1;
    owner_.awaiting_replies_ += 1;
  }
  std::uint64_t awaiting() const { return awaiting_; }
  bool connecting() const { return connecting_; }

 private:
  void settle() {
    if (!connecting_) return;
    connecting_ = false;
    owner_.connecting_ -= 1;
  }
  RoutingPublisher& owner_;
  core::ConnectionObserver& observer_;
  std::uint64_t awaiting_ = 0;
  bool connecting_ = true;
};

RoutingPublisher::RoutingPublisher(core::Publisher& inner, core::RedisUrl target)
    : inner_(inner), target_(std::move(target)) {}

core::ConnectionId RoutingPublisher::connect(const core::RedisUrl& server, core::ConnectionObserver& observer) {
  core::RedisUrl routed = target_;
  routed.channel = server.channel;
  auto relay = std::make_unique<Relay>(*this, observer);
  Relay& relay_ref = *relay;
  connecting_ += 1;
  const core::ConnectionId connection = inner_.connect(routed, relay_ref);
  assert(relays_.count(connection) == 0);
  relays_.emplace(connection, std::move(relay));
  return connection;
}

void RoutingPublisher::publish(core::ConnectionId connection, std::string_view channel, std::string_view payload) {
  relays_.at(connection)->published();
  inner_.publish(connection, channel, payload);
}

void RoutingPublisher::close(core::ConnectionId connection) {
  inner_.close(connection);
  forget(connection);
}

void RoutingPublisher::forget(core::ConnectionId connection) {
  const auto found = relays_.find(connection);
  if (found == relays_.end()) return;
  if (found->second->connecting()) connecting_ -= 1;
  awaiting_replies_ -= found->second->awaiting();
  relays_.erase(found);
}

RealRedis::RealRedis(core::RedisUrl target, bool realtime)
    : work_(boost::asio::make_work_guard(io_)), hiredis_(io_), routing_(hiredis_, std::move(target)), realtime_(realtime) {}

RealRedis::~RealRedis() = default;

void RealRedis::pace(std::int64_t next_event_ms) {
  if (!started_) {
    started_ = true;
    virtual_start_ms_ = next_event_ms;
    wall_start_ = std::chrono::steady_clock::now();
  }
  if (realtime_) {
    const auto due = wall_start_ + std::chrono::milliseconds(next_event_ms - virtual_start_ms_);
    // The work guard keeps run_until() in epoll until the deadline when there is nothing to do.
    io_.restart();
    io_.run_until(due);
    return;
  }
  io_.restart();
  io_.poll();
  // Virtual time holds still while a connection is being made or replies are awaited, so that a
  // healthy server is never "slow" in virtual time: sinks are up and answered when time moves.
  const auto wait_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_max_ms);
  while ((routing_.connecting() > 0 || routing_.awaiting_replies() > 0) && std::chrono::steady_clock::now() < wait_end) {
    io_.restart();
    io_.run_one_until(wait_end);
  }
}

bool RealRedis::drain(std::int64_t timeout_ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while ((routing_.awaiting_replies() > 0 || routing_.connecting() > 0) && std::chrono::steady_clock::now() < end) {
    io_.restart();
    io_.run_one_until(end);
  }
  return routing_.awaiting_replies() == 0;
}

core::Expected<core::RedisUrl> parse_redis_option(const std::string& text) {
  // The channel of --redis is never used, so an '@' after the first '/' can only be the end of a
  // password that holds a '/': the parser would read the host from the password's second part
  // and connect there. Refused, without showing the URL (it holds the password).
  const std::size_t authority_end = text.find('/', std::string_view("redis://").size());
  if (authority_end != std::string::npos && text.find('@', authority_end) != std::string::npos) {
    return core::Error{"an '@' after the first '/': a password cannot hold a '/' (the host would be read from the "
                       "password); the URL is not shown"};
  }
  // The channel comes from each simulated endpoint; accept a URL with or without one.
  std::string with_channel = text;
  if (with_channel.find('/', std::string_view("redis://").size()) == std::string::npos) with_channel += "/-";
  core::Expected<core::RedisUrl> url = core::parse_redis_url(with_channel);
  if (!url) return core::Error{url.error()};
  return url;
}

core::Expected<void> check_real_redis_options(const std::string& redis, bool realtime) {
  if (redis.empty()) {
    if (realtime) return core::Error{"--realtime needs --redis URL: it paces the world for a real redis watcher"};
    return {};
  }
  const core::Expected<core::RedisUrl> target = parse_redis_option(redis);
  if (!target) return core::Error{"--redis: " + target.error()};
  return {};
}

core::Expected<std::unique_ptr<RealRedis>> open_real_redis(const std::string& redis, bool realtime) {
  if (core::Expected<void> checked = check_real_redis_options(redis, realtime); !checked) {
    return core::Error{checked.error()};
  }
  if (redis.empty()) return std::unique_ptr<RealRedis>();
  const core::Expected<core::RedisUrl> target = parse_redis_option(redis);
  assert(target.ok());
  return std::make_unique<RealRedis>(target.value(), realtime);
}

}  // namespace zsim::cli
