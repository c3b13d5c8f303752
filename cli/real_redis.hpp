#pragma once
// `--redis URL` and `--realtime`: a simulated world whose redis endpoints all go to one real redis
// server (channels kept), through the hiredis publisher of adapters/ on a Boost.Asio io_context.
// The world still runs on virtual time; this file paces it. Without --realtime it runs as fast as
// the real server allows: between events virtual time waits while a connection is being made or
// replies are awaited, so that a healthy server never looks slow or down in virtual time. With
// --realtime, virtual time follows the wall clock, so a `redis-cli SUBSCRIBE` watcher sees each
// container's stats every 2 s. Runs with a real server are not deterministic: the network decides
// when connections and replies arrive.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "adapters/hiredis_publisher.hpp"
#include "core/ports.hpp"

namespace zsim::cli {

// Rewrites every connection's server to the target, and counts what is in progress so the pacer
// can wait for connects and the end of the run can wait for replies.
class RoutingPublisher final : public core::Publisher {
 public:
  RoutingPublisher(core::Publisher& inner, core::RedisUrl target);
  core::ConnectionId connect(const core::RedisUrl& server, core::ConnectionObserver& observer) override;
  void publish(core::ConnectionId connection, std::string_view channel, std::string_view payload) override;
  void close(core::ConnectionId connection) override;

  std::size_t connecting() const { return connecting_; }
  std::uint64_t awaiting_replies() const { return awaiting_replies_; }
  std::uint64_t replies_ok() const { return replies_ok_; }

 private:
  class Relay;
  void forget(core::ConnectionId connection);

  core::Publisher& inner_;
  core::RedisUrl target_;
  std::map<core::ConnectionId, std::unique_ptr<Relay>> relays_;
  std::size_t connecting_ = 0;
  std::uint64_t awaiting_replies_ = 0;
  std::uint64_t replies_ok_ = 0;
};

class RealRedis {
 public:
  RealRedis(core::RedisUrl target, bool realtime);
  ~RealRedis();

  core::Publisher& publisher() { return routing_; }
  // The World's pacer: called before each event with its virtual time.
  void pace(std::int64_t next_event_ms);
  // pace() as the function a World or a scenario run takes; this object must outlive it.
  std::function<void(std::int64_t)> pacer() {
    return [this](std::int64_t next_event_ms) { pace(next_event_ms); };
  }
  // Runs the io_context until every publish has its reply or the timeout passes; false on timeout.
  bool drain(std::int64_t timeout_ms);
  std::uint64_t replies_ok() const { return routing_.replies_ok(); }

 private:
  boost::asio::io_context io_;
  // Keeps run_until() waiting for its deadline when there is no I/O to do (real-time pacing).
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  adapters::HiredisPublisher hiredis_;
  RoutingPublisher routing_;
  bool realtime_;
  bool started_ = false;
  std::int64_t virtual_start_ms_ = 0;
  std::chrono::steady_clock::time_point wall_start_;
};

// Parses --redis: a redis URL whose channel part may be empty ("redis://127.0.0.1:6379").
core::Expected<core::RedisUrl> parse_redis_option(const std::string& text);
// The options --redis and --realtime checked without opening anything: the errors open_real_redis
// gives for them (a bad URL, --realtime without --redis).
core::Expected<void> check_real_redis_options(const std::string& redis, bool realtime);
// The options --redis and --realtime of a command: null without --redis; errors (to print after
// the command's name, exit 2) for a bad URL or --realtime without --redis.
core::Expected<std::unique_ptr<RealRedis>> open_real_redis(const std::string& redis, bool realtime);

}  // namespace zsim::cli
