#pragma once
// Test-only: a small in-memory redis behind the Publisher port, for the delivery tests of core/
// (redis_sink_test.cpp, container_pushers_test.cpp). The full fake redis lives in fakes/; this one
// exists so that the core's tests depend on nothing but the kernel.
//
// It keeps the port's contract: every answer comes from the scheduler, never from inside the call
// that caused it; publishes are answered in order, each after reply_latency_ms; a closed connection
// calls nothing back. Fault switches per server ("host:port"): down (connects fail), refusing
// (PUBLISH answered with an error), latencies (a huge latency is a stalled server), a password
// (AUTH must match), and drop_connections() (the server resets every connection; what it had not
// answered is lost, never applied). What the server applied is kept in order in accepted().

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "kernel/scheduler.hpp"

namespace zsim::core::testing {

struct AcceptedMessage {
  std::int64_t time_ms = 0;
  std::string address;
  std::string channel;
  std::string payload;
};

class FakePublisher final : public Publisher {
 public:
  struct Switches {
    bool down = false;
    bool refusing = false;
    std::int64_t connect_latency_ms = 1;
    std::int64_t reply_latency_ms = 1;
    std::string password;  // Empty: no AUTH needed.
  };

  explicit FakePublisher(kernel::VirtualScheduler& scheduler) : scheduler_(scheduler) {}

  Switches& server(const std::string& address) { return switches_[address]; }

  // The server resets every connection now: their observers hear on_disconnected at once (from
  // the scheduler), and publishes not yet answered are lost.
  void drop_connections(const std::string& address) {
    for (auto& [id, connection] : connections_) {
      if (connection.address != address || connection.state == State::dying) continue;
      connection.state = State::dying;
      connection.pending.clear();
      scheduler_.at(scheduler_.now_ms(), [this, id = id] {
        auto found = connections_.find(id);
        if (found == connections_.end()) return;
        ConnectionObserver* observer = found->second.observer;
        connections_.erase(found);
        observer->on_disconnected("connection reset by peer");
      });
    }
  }

  ConnectionId connect(const RedisUrl& server, ConnectionObserver& observer) override {
    const ConnectionId id = next_id_++;
    const std::string address = server.host + ":" + std::to_string(server.port);
    connections_.emplace(id, Connection{&observer, address, State::connecting, {}, 0});
    connect_times_[address].push_back(scheduler_.now_ms());
    const std::string password = server.password;
    scheduler_.at(scheduler_.now_ms() + switches_[address].connect_latency_ms, [this, id, password] {
      auto found = connections_.find(id);
      if (found == connections_.end() || found->second.state != State::connecting) return;
      const Switches& switches = switches_[found->second.address];
      ConnectionObserver* observer = found->second.observer;
      if (switches.down || (!switches.password.empty() && password != switches.password)) {
        connections_.erase(found);
        // A real client's error may echo what it sent; the sink must scrub it.
        observer->on_disconnected(switches.down ? "connection refused"
                                                : "WRONGPASS invalid password '" + password + "'");
        return;
      }
      found->second.state = State::up;
      observer->on_connected();
    });
    return id;
  }

  void publish(ConnectionId id, std::string_view channel, std::string_view payload) override {
    auto found = connections_.find(id);
    if (found == connections_.end() || found->second.state == State::connecting) {
      ADD_FAILURE() << "publish on a connection that is not up: " << id;
      violations_ += 1;
      return;
    }
    publishes_ += 1;
    Connection& connection = found->second;
    if (connection.state == State::dying) return;  // Sent into a reset socket: lost.
    const std::int64_t due_ms =
        std::max(scheduler_.now_ms() + switches_[connection.address].reply_latency_ms, connection.last_due_ms);
    connection.last_due_ms = due_ms;
    connection.pending.push_back(Pending{std::string(channel), std::string(payload)});
    scheduler_.at(due_ms, [this, id] { answer_oldest(id); });
  }

  void close(ConnectionId id) override {
    if (connections_.erase(id) == 0) {
      ADD_FAILURE() << "close of a connection that is not open: " << id;
      violations_ += 1;
    }
    closes_ += 1;
  }

  const std::vector<AcceptedMessage>& accepted() const { return accepted_; }
  std::vector<std::string> accepted_payloads(std::string_view channel) const {
    std::vector<std::string> payloads;
    for (const AcceptedMessage& message : accepted_) {
      if (message.channel == channel) payloads.push_back(message.payload);
    }
    return payloads;
  }
  std::vector<std::string> accepted_payloads(std::string_view address, std::string_view channel) const {
    std::vector<std::string> payloads;
    for (const AcceptedMessage& message : accepted_) {
      if (message.address == address && message.channel == channel) payloads.push_back(message.payload);
    }
    return payloads;
  }
  std::vector<std::int64_t> accepted_times(std::string_view channel) const {
    std::vector<std::int64_t> times;
    for (const AcceptedMessage& message : accepted_) {
      if (message.channel == channel) times.push_back(message.time_ms);
    }
    return times;
  }
  const std::vector<std::int64_t>& connect_times(const std::string& address) { return connect_times_[address]; }
  std::size_t open_connections() const { return connections_.size(); }
  std::uint64_t publishes() const { return publishes_; }
  std::uint64_t closes() const { return closes_; }
  std::uint64_t violations() const { return violations_; }

 private:
  enum class State : std::uint8_t { connecting, up, dying };
  struct Pending {
    std::string channel;
    std::string payload;
  };
  struct Connection {
    ConnectionObserver* observer;
    std::string address;
    State state;
    std::deque<Pending> pending;
    std::int64_t last_due_ms;
  };

  void answer_oldest(ConnectionId id) {
    auto found = connections_.find(id);
    // Closed, reset, or its pending publishes were lost with a reset.
    if (found == connections_.end() || found->second.state != State::up || found->second.pending.empty()) return;
    Connection& connection = found->second;
    Pending oldest = std::move(connection.pending.front());
    connection.pending.pop_front();
    const bool ok = !switches_[connection.address].refusing;
    if (ok) {
      accepted_.push_back(AcceptedMessage{scheduler_.now_ms(), connection.address, std::move(oldest.channel),
                                          std::move(oldest.payload)});
    }
    connection.observer->on_reply(ok);
  }

  kernel::VirtualScheduler& scheduler_;
  std::map<std::string, Switches> switches_;
  std::map<ConnectionId, Connection> connections_;
  std::map<std::string, std::vector<std::int64_t>> connect_times_;
  std::vector<AcceptedMessage> accepted_;
  ConnectionId next_id_ = 1;
  std::uint64_t publishes_ = 0;
  std::uint64_t closes_ = 0;
  std::uint64_t violations_ = 0;
};

// Collects what the core narrates, to check it (and that no secret is in it).
class RecordingEventLog final : public EventLog {
 public:
  void record(std::string_view kind, std::string_view detail) override {
    events.push_back(std::string(kind) + " " + std::string(detail));
  }
  std::vector<std::string> events;
};

}  // namespace zsim::core::testing
