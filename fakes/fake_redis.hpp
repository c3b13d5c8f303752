#pragma once
// An in-memory model of redis servers as the node's log and stats pushers use them: connections
// (with AUTH), pipelined PUBLISH answered in order, channels with subscribers, and per-server fault
// switches. Every answer arrives through the scheduler, never from inside the call.
//
// Timing. A connect is answered after the server's latency. A publish reaches the server after
// the latency, at no earlier time than the publish before it on the same connection, and its
// reply arrives at that same moment: delivery to the channel (and its subscribers), the trace line
// and on_reply happen in one event, so replies are in publish order whatever the latency does.
//
// Faults, per server, settable and healable at any time:
//   down      existing connections are reset ("connection reset", their unanswered publishes
//             lost); connects are refused ("connection refused") until healed.
//   refusing  connects succeed; every publish is answered on_reply(false) and not delivered, like
//             a server answering -ERR (protected mode, out of memory).
//   latency   connects and replies take that long (at most 10 minutes).
//   drop rate each publish, as it reaches the server, has numerator/denominator chance of killing
//             the connection first: it and every unanswered publish are lost, and the observer gets
//             on_disconnected("connection dropped"). Draws come from the server's own stream,
//             forked from the Prng the caller seeds, so one server's traffic never shifts
//             another's drops.
//
// close() means no callback follows. Publishes already sent are still delivered to the server at
// their time (the bytes are on the wire before the close, as with TCP), without a reply.
//
// The FakeRedis must outlive every event it has scheduled (the world owns both it and the
// scheduler).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/ports.hpp"
#include "kernel/prng.hpp"
#include "kernel/trace.hpp"

namespace zsim::fakes {

struct FakeRedisOptions {
  // The last payloads each channel keeps for tests and checkers (0 keeps none).
  std::size_t payloads_kept = 64;
  // Connections open at once (connecting, connected, or closed with publishes still in flight).
  std::size_t connections_max = std::size_t{1} << 20;
  // Unanswered publishes per connection. Beyond it the server closes the connection, as redis does
  // when a client's query buffer passes its limit: on_disconnected("query buffer limit").
  std::size_t pending_max = std::size_t{1} << 20;
};

// Redis glob-style channel patterns (PSUBSCRIBE): '*', '?', "[abc]", "[^a-z]", and '\' escapes.
bool redis_pattern_match(std::string_view pattern, std::string_view channel);

// The identity of a server: "host:port", with an IPv6 host in brackets. The same text as
// core::RedisUrl::address(), computed here so that the fakes do not need core's parser to link.
std::string redis_server_address(const core::RedisUrl& url);

class FakeRedis final : public core::Publisher {
 public:
  using SubscriptionId = std::uint64_t;
  using Subscriber = std::function<void(std::string_view payload)>;
  using PatternSubscriber = std::function<void(std::string_view channel, std::string_view payload)>;

  static constexpr std::int64_t latency_max_ms = 10 * 60 * 1000;
  static constexpr std::size_t servers_max = std::size_t{1} << 12;
  static constexpr std::size_t channels_max = std::size_t{1} << 20;  // Per server.
  static constexpr std::size_t subscriptions_max = std::size_t{1} << 16;
  static constexpr std::size_t channel_name_size_max = std::size_t{1} << 12;
  static constexpr std::size_t payload_size_max = std::size_t{512} << 20;  // Redis' bulk string limit.

  // Disconnection reasons, exactly.
  static constexpr std::string_view reason_refused = "connection refused";
  static constexpr std::string_view reason_reset = "connection reset";
  static constexpr std::string_view reason_dropped = "connection dropped";
  static constexpr std::string_view reason_query_buffer = "query buffer limit";
  static constexpr std::string_view reason_noauth = "NOAUTH Authentication required.";
  static constexpr std::string_view reason_wrongpass =
      "WRONGPASS invalid username-password pair or user is disabled.";
  static constexpr std::string_view reason_no_password_set =
      "ERR AUTH <password> called without any password configured for the default user. Are you sure "
      "your configuration is correct?";

  FakeRedis(core::Scheduler& scheduler, kernel::Trace& trace, kernel::Prng prng, std::string label,
            FakeRedisOptions options = {});
  FakeRedis(const FakeRedis&) = delete;
  FakeRedis& operator=(const FakeRedis&) = delete;

  // A server at address ("host:port"); with a password, connections must AUTH with it.
  void add_server(const std::string& address, std::string password = "");
  bool has_server(std::string_view address) const { return servers_.contains(address); }

  // core::Publisher.
  core::ConnectionId connect(const core::RedisUrl& server, core::ConnectionObserver& observer) override;
  void publish(core::ConnectionId connection, std::string_view channel, std::string_view payload) override;
  void close(core::ConnectionId connection) override;

  // Subscribers hear every message delivered after they subscribe, synchronously in the delivery
  // event: first the channel's subscribers, then the matching pattern subscribers, each in
  // subscription order. The payload view is valid during the call only.
  SubscriptionId subscribe(std::string_view address, std::string_view channel, Subscriber subscriber);
  SubscriptionId psubscribe(std::string_view address, std::string_view pattern, PatternSubscriber subscriber);
  // False when there is no such subscription.
  bool unsubscribe(SubscriptionId subscription);

  // Faults (see above). The server must exist.
  void set_down(std::string_view address, bool down);
  void set_refusing(std::string_view address, bool refusing);
  void set_latency_ms(std::string_view address, std::int64_t latency_ms);
  // A numerator of 0 heals; numerator <= denominator.
  void set_drop_rate(std::string_view address, std::uint64_t numerator, std::uint64_t denominator);
  // Clears every fault of every server.
  void heal_all();

  // What each channel has received. Unknown servers and channels read as empty.
  std::uint64_t messages(std::string_view address, std::string_view channel) const;
  std::uint64_t bytes(std::string_view address, std::string_view channel) const;
  // The last payloads_kept payloads, oldest first.
  std::vector<std::string> recent_payloads(std::string_view address, std::string_view channel) const;
  // Channels that received at least one message, in byte order.
  std::vector<std::string> channels(std::string_view address) const;
  // Messages delivered to all channels of a server.
  std::uint64_t server_messages(std::string_view address) const;

  // Counters over every server.
  std::size_t connections_open() const { return connections_.size(); }
  std::uint64_t connects() const { return connects_; }
  std::uint64_t publishes() const { return publishes_; }
  std::uint64_t publishes_delivered() const { return publishes_delivered_; }
  std::uint64_t publishes_refused() const { return publishes_refused_; }
  // Publishes that never reached a server: dropped, reset, over the limit, or sent on a connection
  // already lost but not yet told.
  std::uint64_t publishes_lost() const { return publishes_lost_; }
  std::uint64_t disconnects() const { return disconnects_; }

 private:
  struct Channel {
    std::string_view name;  // The key of this channel in its server's map (stable).
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> recent;  // A ring of up to payloads_kept payloads.
    std::size_t recent_next = 0;      // Where the next payload goes once the ring is full.
    std::vector<SubscriptionId> subscriptions;
  };
  struct Server {
    std::string address;
    std::string password;
    kernel::Prng prng;
    bool down = false;
    bool refusing = false;
    std::int64_t latency_ms = 0;
    std::uint64_t drop_numerator = 0;
    std::uint64_t drop_denominator = 1;
    std::uint64_t messages = 0;
    std::map<std::string, Channel, std::less<>> channels{};
    std::vector<SubscriptionId> pattern_subscriptions{};
  };
  enum class State : std::uint8_t { connecting, connected, broken, closed };
  // A publish on its way. Its payload sits in the connection's byte queue at payload_offset.
  struct Pending {
    Channel* channel;
    std::size_t payload_offset;
    std::size_t payload_size;
    std::int64_t due_ms;
  };
  struct Connection {
    std::string address;
    Server* server = nullptr;                        // Null when no server had that address.
    core::ConnectionObserver* observer = nullptr;    // Null once closed.
    State state = State::connecting;
    std::string_view connect_failure;                // Decided at connect (AUTH); empty when none.
    std::string_view reason;                         // Why it broke.
    std::int64_t last_due_ms = 0;
    std::vector<Pending> pending;                    // From pending_head on: unanswered, in order.
    std::size_t pending_head = 0;
    std::string pending_bytes;                       // Payloads of pending, from bytes_head on.
    std::size_t bytes_head = 0;
  };
  struct Subscription {
    Server* server = nullptr;
    Channel* channel = nullptr;  // Null for a pattern subscription.
    std::string pattern{};       // Empty for a channel subscription.
    Subscriber subscriber{};
    PatternSubscriber pattern_subscriber{};
    bool cancelled = false;  // Unsubscribed during a delivery; erased when the delivery ends.
  };

  Server& server_at(std::string_view address);
  const Channel* find_channel(std::string_view address, std::string_view channel) const;
  Channel& channel_of(Server& server, std::string_view channel);
  std::string_view auth_failure(const Server& server, std::string_view password) const;

  void finish_connect(core::ConnectionId id);
  void deliver_next(core::ConnectionId id);
  void deliver_to_channel(Server& server, Channel& channel, std::string_view payload);
  void notify_disconnected(core::ConnectionId id);
  void break_connection(core::ConnectionId id, Connection& connection, std::string_view reason);
  static std::size_t pending_count(const Connection& connection);
  static void pop_pending(Connection& connection);
  void record_fault(const Server& server, std::string_view fault, std::uint64_t value,
                    std::uint64_t denominator = 0);

  void record_publish(core::ConnectionId id, const Server& server, const Channel& channel, std::string_view payload,
                      bool ok);
  void record_down(core::ConnectionId id, std::string_view address, std::string_view reason, std::size_t lost);
  void record(std::string_view kind);

  core::Scheduler& scheduler_;
  kernel::Trace& trace_;
  kernel::Prng prng_;
  std::string label_;
  FakeRedisOptions options_;

  std::map<std::string, Server, std::less<>> servers_;
  std::map<core::ConnectionId, Connection> connections_;
  std::map<SubscriptionId, Subscription> subscriptions_;
  core::ConnectionId next_connection_id_ = 1;
  SubscriptionId next_subscription_id_ = 1;

  // Reused buffers, so that a publish in steady state allocates nothing.
  fmt::memory_buffer fields_;
  std::string delivery_payload_;
  std::vector<SubscriptionId> delivery_subscriptions_;
  std::vector<core::ConnectionId> fault_victims_;
  std::vector<SubscriptionId> unsubscribed_while_delivering_;
  bool delivering_ = false;

  std::uint64_t connects_ = 0;
  std::uint64_t publishes_ = 0;
  std::uint64_t publishes_delivered_ = 0;
  std::uint64_t publishes_refused_ = 0;
  std::uint64_t publishes_lost_ = 0;
  std::uint64_t disconnects_ = 0;
};

}  // namespace zsim::fakes
