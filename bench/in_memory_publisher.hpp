#pragma once
// A benchmark harness, not a model of redis: the smallest core::Publisher that keeps the port's
// contract, so that the in-process benchmark measures the core's side of delivery (pusher, sink,
// encoder, scheduler) and not a fake's bookkeeping. The faithful fake, with faults and a trace line
// per publish, is fakes::FakeRedis; pusher_bench measures both.
//
// It accepts every publish, counts its messages and bytes, and acknowledges them in publish order
// from one scheduled event per batch, as a pipelined client reads many replies with one read():
// never from inside publish() (ports.hpp). A connect is answered "now", through the scheduler. It
// has no faults, keeps no payloads and never disconnects. Replies to a closed connection are
// skipped (no callback follows a close).

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/ports.hpp"

namespace zsim::bench {

class InMemoryPublisher final : public core::Publisher {
 public:
  static constexpr std::size_t connections_max = std::size_t{1} << 20;
  // Unanswered publishes over every connection; a run beyond it is a runaway harness.
  static constexpr std::size_t pending_max = std::size_t{1} << 24;

  explicit InMemoryPublisher(core::Scheduler& scheduler) : scheduler_(scheduler) {}
  InMemoryPublisher(const InMemoryPublisher&) = delete;
  InMemoryPublisher& operator=(const InMemoryPublisher&) = delete;

  core::ConnectionId connect(const core::RedisUrl& server, core::ConnectionObserver& observer) override {
    assert(!server.host.empty());
    assert(connections_.size() < connections_max);
    connections_.push_back(Connection{&observer, false, true});
    const core::ConnectionId id = connections_.size();  // Ids start at 1: slot id - 1.
    scheduler_.at(scheduler_.now_ms(), [this, id] {
      Connection& connection = slot(id);
      if (!connection.open) return;
      connection.connected = true;
      connection.observer->on_connected();
    });
    return id;
  }

  void publish(core::ConnectionId id, std::string_view channel, std::string_view payload) override {
    const Connection& connection = slot(id);
    assert(connection.open && connection.connected);
    (void)connection;
    assert(!channel.empty());
    assert(pending_.size() < pending_max);
    messages_ += 1;
    bytes_ += payload.size();
    pending_.push_back(id);
    if (!answer_scheduled_) {
      answer_scheduled_ = true;
      scheduler_.at(scheduler_.now_ms(), [this] { answer_batch(); });
    }
  }

  void close(core::ConnectionId id) override {
    Connection& connection = slot(id);
    assert(connection.open);
    connection.open = false;
    connection.observer = nullptr;
  }

  std::uint64_t messages() const { return messages_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t replies() const { return replies_; }
  std::uint64_t batches() const { return batches_; }
  std::size_t pending() const { return pending_.size(); }

 private:
  struct Connection {
    core::ConnectionObserver* observer;
    bool connected;
    bool open;
  };

  Connection& slot(core::ConnectionId id) {
    assert(id >= 1 && id <= connections_.size());
    return connections_[id - 1];
  }

  // Answers the publishes made before this event; those an observer makes while being answered
  // form the next batch. Both vectors keep their capacity, so a steady state allocates nothing.
  void answer_batch() {
    assert(answer_scheduled_ && answering_.empty());
    answer_scheduled_ = false;
    batches_ += 1;
    answering_.swap(pending_);
    for (const core::ConnectionId id : answering_) {
      Connection& connection = slot(id);
      if (!connection.open) continue;
      replies_ += 1;
      connection.observer->on_reply(true);
    }
    answering_.clear();
  }

  core::Scheduler& scheduler_;
  std::vector<Connection> connections_;
  std::vector<core::ConnectionId> pending_;    // Unanswered, in publish order over every connection.
  std::vector<core::ConnectionId> answering_;  // The batch being answered.
  bool answer_scheduled_ = false;
  std::uint64_t messages_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t replies_ = 0;
  std::uint64_t batches_ = 0;
};

}  // namespace zsim::bench
