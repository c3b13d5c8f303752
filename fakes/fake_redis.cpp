#include "fakes/fake_redis.hpp"

#include "kernel/trace_value.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <iterator>
#include <utility>

namespace zsim::fakes {

namespace {

// Consumed pending entries are compacted away once they are this many (or bytes) and at least
// half of the queue, which keeps the work per publish amortised constant.
constexpr std::size_t compact_entries_min = 1024;
constexpr std::size_t compact_bytes_min = std::size_t{1} << 20;

void append_escaped(fmt::memory_buffer& out, std::string_view value) { kernel::append_trace_escaped(out, value); }

void append_literal(fmt::memory_buffer& out, std::string_view text) { out.append(text.data(), text.data() + text.size()); }

void append_decimal(fmt::memory_buffer& out, std::uint64_t value) {
  char digits[20];
  const auto converted = std::to_chars(digits, digits + sizeof digits, value);
  assert(converted.ec == std::errc());
  out.append(digits, converted.ptr);
}

// Sixteen lower-case hex digits, leading zeros kept ("{:016x}").
void append_hex16(fmt::memory_buffer& out, std::uint64_t value) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  char digits[16];
  for (int index = 15; index >= 0; index -= 1) {
    digits[index] = hex_digits[value & 0xf];
    value >>= 4;
  }
  out.append(digits, digits + sizeof digits);
}

// Matches the pattern element at pattern[index] against one character and sets next to the index
// after the element. Classes: "[abc]", "[a-z]", "[^...]"; an unterminated class runs to the end.
bool match_element(std::string_view pattern, std::size_t index, char character, std::size_t& next) {
  assert(index < pattern.size());
  const char element = pattern[index];
  if (element == '?') {
    next = index + 1;
    return true;
  }
  if (element == '\\' && index + 1 < pattern.size()) {
    next = index + 2;
    return pattern[index + 1] == character;
  }
  if (element != '[') {
    next = index + 1;
    return element == character;
  }
  std::size_t cursor = index + 1;
  const bool negated = cursor < pattern.size() && pattern[cursor] == '^';
  if (negated) cursor += 1;
  const auto byte = static_cast<unsigned char>(character);
  bool matched = false;
  while (cursor < pattern.size() && pattern[cursor] != ']') {
    if (pattern[cursor] == '\\' && cursor + 1 < pattern.size()) {
      matched = matched || pattern[cursor + 1] == character;
      cursor += 2;
    } else if (cursor + 2 < pattern.size() && pattern[cursor + 1] == '-' && pattern[cursor + 2] != ']') {
      auto low = static_cast<unsigned char>(pattern[cursor]);
      auto high = static_cast<unsigned char>(pattern[cursor + 2]);
      if (low > high) std::swap(low, high);
      matched = matched || (byte >= low && byte <= high);
      cursor += 3;
    } else {
      matched = matched || pattern[cursor] == character;
      cursor += 1;
    }
  }
  next = cursor < pattern.size() ? cursor + 1 : cursor;
  assert(next > index);
  return matched != negated;
}

}  // namespace

// Greedy matching with backtracking to the last '*' only: linear in practice, and bounded by
// (pattern + 2) * (channel + 2) steps at worst.
bool redis_pattern_match(std::string_view pattern, std::string_view channel) {
  constexpr std::size_t none = std::string_view::npos;
  [[maybe_unused]] const std::size_t steps_max = (pattern.size() + 2) * (channel.size() + 2);
  std::size_t steps = 0;
  std::size_t at_pattern = 0;
  std::size_t at_channel = 0;
  std::size_t star = none;
  std::size_t star_channel = 0;
  while (at_channel < channel.size()) {
    steps += 1;
    assert(steps <= steps_max);
    if (at_pattern < pattern.size() && pattern[at_pattern] == '*') {
      star = at_pattern;
      star_channel = at_channel;
      at_pattern += 1;
      continue;
    }
    std::size_t next = 0;
    if (at_pattern < pattern.size() && match_element(pattern, at_pattern, channel[at_channel], next)) {
      at_pattern = next;
      at_channel += 1;
      continue;
    }
    if (star == none) return false;
    at_pattern = star + 1;
    star_channel += 1;
    at_channel = star_channel;
  }
  while (at_pattern < pattern.size() && pattern[at_pattern] == '*') at_pattern += 1;
  return at_pattern == pattern.size();
}

std::string redis_server_address(const core::RedisUrl& url) {
  assert(!url.host.empty());
  const bool bare_ipv6 = url.host.find(':') != std::string::npos && url.host.front() != '[';
  return bare_ipv6 ? fmt::format("[{}]:{}", url.host, url.port) : fmt::format("{}:{}", url.host, url.port);
}

FakeRedis::FakeRedis(core::Scheduler& scheduler, kernel::Trace& trace, kernel::Prng prng, std::string label,
                     FakeRedisOptions options)
    : scheduler_(scheduler), trace_(trace), prng_(prng), label_(std::move(label)), options_(options) {
  assert(!label_.empty());
  assert(label_.find(' ') == std::string::npos);
  assert(options_.connections_max > 0);
  assert(options_.pending_max > 0);
  fields_.reserve(256);
}

void FakeRedis::add_server(const std::string& address, std::string password) {
  assert(!address.empty());
  assert(!servers_.contains(address));
  assert(servers_.size() < servers_max);
  // Each server draws from its own stream, numbered by the order servers are added.
  Server server{.address = address, .password = std::move(password), .prng = prng_.fork(servers_.size())};
  servers_.emplace(address, std::move(server));
}

FakeRedis::Server& FakeRedis::server_at(std::string_view address) {
  const auto found = servers_.find(address);
  assert(found != servers_.end());
  return found->second;
}

FakeRedis::Channel& FakeRedis::channel_of(Server& server, std::string_view channel) {
  assert(channel.size() <= channel_name_size_max);
  auto found = server.channels.find(channel);
  if (found == server.channels.end()) {
    assert(server.channels.size() < channels_max);
    found = server.channels.emplace(std::string(channel), Channel{}).first;
    found->second.name = found->first;
  }
  return found->second;
}

const FakeRedis::Channel* FakeRedis::find_channel(std::string_view address, std::string_view channel) const {
  const auto server = servers_.find(address);
  if (server == servers_.end()) return nullptr;
  const auto found = server->second.channels.find(channel);
  return found == server->second.channels.end() ? nullptr : &found->second;
}

// As redis 6 answers AUTH. The password itself never leaves this function.
std::string_view FakeRedis::auth_failure(const Server& server, std::string_view password) const {
  if (server.password.empty()) return password.empty() ? std::string_view() : reason_no_password_set;
  if (password.empty()) return reason_noauth;
  return password == server.password ? std::string_view() : reason_wrongpass;
}

core::ConnectionId FakeRedis::connect(const core::RedisUrl& url, core::ConnectionObserver& observer) {
  assert(connections_.size() < options_.connections_max);
  const core::ConnectionId id = next_connection_id_;
  next_connection_id_ += 1;
  auto [entry, inserted] = connections_.try_emplace(id);
  assert(inserted);
  Connection& connection = entry->second;
  connection.address = redis_server_address(url);
  connection.observer = &observer;
  std::int64_t latency_ms = 0;
  const auto server = servers_.find(connection.address);
  if (server != servers_.end()) {
    connection.server = &server->second;
    connection.connect_failure = auth_failure(server->second, url.password);
    latency_ms = server->second.latency_ms;
  }
  connects_ += 1;
  fields_.clear();
  fmt::format_to(std::back_inserter(fields_), "conn={} address=", id);
  append_escaped(fields_, connection.address);
  fmt::format_to(std::back_inserter(fields_), " auth={}", url.password.empty() ? 0 : 1);
  record("redis_connect");
  scheduler_.at(scheduler_.now_ms() + latency_ms, [this, id] { finish_connect(id); });
  return id;
}

// Whether the server is down is decided when the connect arrives, after the latency.
void FakeRedis::finish_connect(core::ConnectionId id) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;  // Closed while connecting.
  Connection& connection = found->second;
  assert(connection.state == State::connecting);
  core::ConnectionObserver* observer = connection.observer;
  assert(observer != nullptr);
  std::string_view failure = connection.connect_failure;
  if (connection.server == nullptr || connection.server->down) failure = reason_refused;
  if (!failure.empty()) {
    record_down(id, connection.address, failure, 0);
    disconnects_ += 1;
    connections_.erase(found);
    observer->on_disconnected(failure);
    return;
  }
  connection.state = State::connected;
  fields_.clear();
  fmt::format_to(std::back_inserter(fields_), "conn={} address=", id);
  append_escaped(fields_, connection.address);
  record("redis_up");
  observer->on_connected();
}

void FakeRedis::publish(core::ConnectionId id, std::string_view channel, std::string_view payload) {
  assert(payload.size() <= payload_size_max);
  const auto found = connections_.find(id);
  assert(found != connections_.end());  // Never after close() or on_disconnected.
  Connection& connection = found->second;
  assert(connection.state == State::connected || connection.state == State::broken);
  publishes_ += 1;
  // Lost but not yet told: the publish goes nowhere, and on_disconnected is on its way.
  if (connection.state == State::broken) {
    publishes_lost_ += 1;
    return;
  }
  if (pending_count(connection) >= options_.pending_max) {
    publishes_lost_ += 1;
    break_connection(id, connection, reason_query_buffer);
    return;
  }
  Server& server = *connection.server;
  Channel& target = channel_of(server, channel);
  const std::int64_t due_ms = std::max(scheduler_.now_ms() + server.latency_ms, connection.last_due_ms);
  connection.pending.push_back(Pending{&target, connection.pending_bytes.size(), payload.size(), due_ms});
  connection.pending_bytes.append(payload);
  connection.last_due_ms = due_ms;
  scheduler_.at(due_ms, [this, id] { deliver_next(id); });
}

void FakeRedis::close(core::ConnectionId id) {
  assert(id > 0 && id < next_connection_id_);
  const auto found = connections_.find(id);
  // Already told it was lost, or closed before: nothing to do.
  if (found == connections_.end() || found->second.state == State::closed) return;
  Connection& connection = found->second;
  const std::size_t in_flight = connection.state == State::connected ? pending_count(connection) : 0;
  fields_.clear();
  fmt::format_to(std::back_inserter(fields_), "conn={} address=", id);
  append_escaped(fields_, connection.address);
  fmt::format_to(std::back_inserter(fields_), " in_flight={}", in_flight);
  record("redis_close");
  if (in_flight == 0) {
    connections_.erase(found);
    return;
  }
  connection.state = State::closed;
  connection.observer = nullptr;
}

std::size_t FakeRedis::pending_count(const Connection& connection) {
  assert(connection.pending_head <= connection.pending.size());
  return connection.pending.size() - connection.pending_head;
}

void FakeRedis::pop_pending(Connection& connection) {
  assert(pending_count(connection) > 0);
  const Pending& front = connection.pending[connection.pending_head];
  assert(front.payload_offset == connection.bytes_head);
  connection.bytes_head += front.payload_size;
  connection.pending_head += 1;
  if (connection.pending_head == connection.pending.size()) {
    // Clearing keeps the capacity: the steady state reuses the same memory.
    connection.pending.clear();
    connection.pending_head = 0;
    connection.pending_bytes.clear();
    connection.bytes_head = 0;
    return;
  }
  const bool many_entries =
      connection.pending_head >= compact_entries_min && connection.pending_head * 2 >= connection.pending.size();
  const bool many_bytes =
      connection.bytes_head >= compact_bytes_min && connection.bytes_head * 2 >= connection.pending_bytes.size();
  if (!many_entries && !many_bytes) return;
  const std::size_t shift = connection.bytes_head;
  connection.pending.erase(connection.pending.begin(),
                           connection.pending.begin() + static_cast<std::ptrdiff_t>(connection.pending_head));
  for (Pending& pending : connection.pending) pending.payload_offset -= shift;
  connection.pending_bytes.erase(0, shift);
  connection.pending_head = 0;
  connection.bytes_head = 0;
}

// The publish at the head of the queue reaches the server: it may kill the connection (drop
// rate), be refused, or be delivered; then its reply goes back, unless the connection was closed.
void FakeRedis::deliver_next(core::ConnectionId id) {
  assert(!delivering_);
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;  // Lost (and told), or closed and drained.
  Connection& connection = found->second;
  if (connection.state == State::broken) return;  // Its publishes were lost when it broke.
  assert(connection.state == State::connected || connection.state == State::closed);
  assert(pending_count(connection) > 0);
  const Pending pending = connection.pending[connection.pending_head];
  assert(pending.due_ms <= scheduler_.now_ms());
  Server& server = *connection.server;
  if (server.drop_numerator > 0 && server.prng.chance(server.drop_numerator, server.drop_denominator)) {
    break_connection(id, connection, reason_dropped);
    return;
  }
  const bool ok = !server.refusing;
  delivery_payload_.assign(connection.pending_bytes, pending.payload_offset, pending.payload_size);
  pop_pending(connection);
  core::ConnectionObserver* observer = connection.state == State::connected ? connection.observer : nullptr;
  if (connection.state == State::closed && pending_count(connection) == 0) connections_.erase(found);

  record_publish(id, server, *pending.channel, delivery_payload_, ok);
  if (ok) {
    publishes_delivered_ += 1;
    deliver_to_channel(server, *pending.channel, delivery_payload_);
  } else {
    publishes_refused_ += 1;
  }
  if (observer == nullptr) return;
  // A subscriber may have injected a fault or closed the connection; then no reply follows.
  const auto again = connections_.find(id);
  if (again == connections_.end() || again->second.state != State::connected) return;
  observer->on_reply(ok);
}

void FakeRedis::deliver_to_channel(Server& server, Channel& channel, std::string_view payload) {
  channel.messages += 1;
  channel.bytes += payload.size();
  server.messages += 1;
  if (options_.payloads_kept > 0) {
    if (channel.recent.size() < options_.payloads_kept) {
      channel.recent.emplace_back(payload);
    } else {
      // assign() reuses the slot's capacity: no allocation once the ring has warmed up.
      channel.recent[channel.recent_next].assign(payload);
      channel.recent_next = (channel.recent_next + 1) % options_.payloads_kept;
    }
  }
  if (channel.subscriptions.empty() && server.pattern_subscriptions.empty()) return;

  // Subscribers may subscribe or unsubscribe while they are called, so the list is copied first.
  delivering_ = true;
  delivery_subscriptions_.assign(channel.subscriptions.begin(), channel.subscriptions.end());
  for (const SubscriptionId id : server.pattern_subscriptions) {
    if (redis_pattern_match(subscriptions_.at(id).pattern, channel.name)) delivery_subscriptions_.push_back(id);
  }
  for (const SubscriptionId id : delivery_subscriptions_) {
    const auto found = subscriptions_.find(id);
    if (found == subscriptions_.end() || found->second.cancelled) continue;
    if (found->second.channel != nullptr) {
      found->second.subscriber(payload);
    } else {
      found->second.pattern_subscriber(channel.name, payload);
    }
  }
  delivering_ = false;
  for (const SubscriptionId id : unsubscribed_while_delivering_) subscriptions_.erase(id);
  unsubscribed_while_delivering_.clear();
}

// The server side loses the connection. Its unanswered publishes are lost. The observer hears of
// it in a later event (never inside the caller's call); a closed connection is simply forgotten.
// The connection reference is invalid afterwards.
void FakeRedis::break_connection(core::ConnectionId id, Connection& connection, std::string_view reason) {
  assert(connection.state == State::connected || connection.state == State::closed);
  const std::size_t lost = pending_count(connection);
  publishes_lost_ += lost;
  connection.pending.clear();
  connection.pending_head = 0;
  connection.pending_bytes.clear();
  connection.bytes_head = 0;
  record_down(id, connection.address, reason, lost);
  disconnects_ += 1;
  if (connection.state == State::closed) {
    connections_.erase(id);
    return;
  }
  connection.state = State::broken;
  connection.reason = reason;
  scheduler_.at(scheduler_.now_ms(), [this, id] { notify_disconnected(id); });
}

void FakeRedis::notify_disconnected(core::ConnectionId id) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;  // Closed after it broke: no callback.
  assert(found->second.state == State::broken);
  core::ConnectionObserver* observer = found->second.observer;
  const std::string_view reason = found->second.reason;
  assert(observer != nullptr);
  connections_.erase(found);
  observer->on_disconnected(reason);
}

FakeRedis::SubscriptionId FakeRedis::subscribe(std::string_view address, std::string_view channel,
                                               Subscriber subscriber) {
  assert(subscriber);
  assert(subscriptions_.size() < subscriptions_max);
  Server& server = server_at(address);
  Channel& target = channel_of(server, channel);
  const SubscriptionId id = next_subscription_id_;
  next_subscription_id_ += 1;
  subscriptions_.emplace(id, Subscription{.server = &server, .channel = &target, .subscriber = std::move(subscriber)});
  target.subscriptions.push_back(id);
  return id;
}

FakeRedis::SubscriptionId FakeRedis::psubscribe(std::string_view address, std::string_view pattern,
                                                PatternSubscriber subscriber) {
  assert(subscriber);
  assert(subscriptions_.size() < subscriptions_max);
  assert(pattern.size() <= channel_name_size_max);
  Server& server = server_at(address);
  const SubscriptionId id = next_subscription_id_;
  next_subscription_id_ += 1;
  subscriptions_.emplace(id, Subscription{.server = &server, .channel = nullptr, .pattern = std::string(pattern), .pattern_subscriber = std::move(subscriber)});
  server.pattern_subscriptions.push_back(id);
  return id;
}

bool FakeRedis::unsubscribe(SubscriptionId id) {
  const auto found = subscriptions_.find(id);
  if (found == subscriptions_.end() || found->second.cancelled) return false;
  Subscription& subscription = found->second;
  if (subscription.channel != nullptr) {
    std::erase(subscription.channel->subscriptions, id);
  } else {
    std::erase(subscription.server->pattern_subscriptions, id);
  }
  // A subscriber may be running right now; its function is destroyed when the delivery ends.
  if (delivering_) {
    subscription.cancelled = true;
    unsubscribed_while_delivering_.push_back(id);
  } else {
    subscriptions_.erase(found);
  }
  return true;
}

void FakeRedis::set_down(std::string_view address, bool down) {
  Server& server = server_at(address);
  server.down = down;
  record_fault(server, "down", down ? 1 : 0);
  if (!down) return;
  // Connections still connecting are refused when their connect arrives (finish_connect).
  fault_victims_.clear();
  for (const auto& [id, connection] : connections_) {
    const bool open = connection.state == State::connected || connection.state == State::closed;
    if (connection.server == &server && open) fault_victims_.push_back(id);
  }
  for (const core::ConnectionId id : fault_victims_) break_connection(id, connections_.at(id), reason_reset);
}

void FakeRedis::set_refusing(std::string_view address, bool refusing) {
  Server& server = server_at(address);
  server.refusing = refusing;
  record_fault(server, "refusing", refusing ? 1 : 0);
}

// Publishes already on their way keep their time; later ones never overtake them (publish()).
void FakeRedis::set_latency_ms(std::string_view address, std::int64_t latency_ms) {
  assert(latency_ms >= 0);
  assert(latency_ms <= latency_max_ms);
  Server& server = server_at(address);
  server.latency_ms = latency_ms;
  record_fault(server, "latency_ms", static_cast<std::uint64_t>(latency_ms));
}

void FakeRedis::set_drop_rate(std::string_view address, std::uint64_t numerator, std::uint64_t denominator) {
  assert(denominator > 0);
  assert(numerator <= denominator);
  Server& server = server_at(address);
  server.drop_numerator = numerator;
  server.drop_denominator = denominator;
  record_fault(server, "drop_rate", numerator, denominator);
}

void FakeRedis::heal_all() {
  for (auto& [address, server] : servers_) {
    if (server.down) set_down(address, false);
    if (server.refusing) set_refusing(address, false);
    if (server.latency_ms != 0) set_latency_ms(address, 0);
    if (server.drop_numerator != 0) set_drop_rate(address, 0, 1);
    assert(!server.down && !server.refusing && server.latency_ms == 0 && server.drop_numerator == 0);
  }
}

std::uint64_t FakeRedis::messages(std::string_view address, std::string_view channel) const {
  const Channel* found = find_channel(address, channel);
  return found == nullptr ? 0 : found->messages;
}

std::uint64_t FakeRedis::bytes(std::string_view address, std::string_view channel) const {
  const Channel* found = find_channel(address, channel);
  return found == nullptr ? 0 : found->bytes;
}

std::vector<std::string> FakeRedis::recent_payloads(std::string_view address, std::string_view channel) const {
  const Channel* found = find_channel(address, channel);
  if (found == nullptr) return {};
  std::vector<std::string> payloads;
  payloads.reserve(found->recent.size());
  // recent_next is the oldest slot once the ring is full, and 0 before.
  for (std::size_t index = 0; index < found->recent.size(); index += 1) {
    payloads.push_back(found->recent[(found->recent_next + index) % found->recent.size()]);
  }
  assert(payloads.size() <= options_.payloads_kept);
  return payloads;
}

std::vector<std::string> FakeRedis::channels(std::string_view address) const {
  std::vector<std::string> names;
  const auto server = servers_.find(address);
  if (server == servers_.end()) return names;
  for (const auto& [name, channel] : server->second.channels) {
    if (channel.messages > 0) names.push_back(name);
  }
  return names;
}

std::uint64_t FakeRedis::server_messages(std::string_view address) const {
  const auto server = servers_.find(address);
  return server == servers_.end() ? 0 : server->second.messages;
}

// The payload is named by its size and xxHash64, never by its text: logs are long, and the trace
// must hold no secret whatever a container prints.
void FakeRedis::record_publish(core::ConnectionId id, const Server& server, const Channel& channel,
                               std::string_view payload, bool ok) {
  // Every publish writes this line, so it is put together by hand: fmt parsing its format string
  // cost a fuzz seed more than the rest of the publish did. The bytes are what
  // "conn={} address={} channel={} bytes={} xxh64={:016x} reply={}" makes.
  fields_.clear();
  append_literal(fields_, "conn=");
  append_decimal(fields_, id);
  append_literal(fields_, " address=");
  append_escaped(fields_, server.address);
  append_literal(fields_, " channel=");
  append_escaped(fields_, channel.name);
  append_literal(fields_, " bytes=");
  append_decimal(fields_, payload.size());
  append_literal(fields_, " xxh64=");
  append_hex16(fields_, XXH64(payload.data(), payload.size(), 0));
  append_literal(fields_, ok ? " reply=ok" : " reply=err");
  record("redis_publish");
}

void FakeRedis::record_down(core::ConnectionId id, std::string_view address, std::string_view reason,
                            std::size_t lost) {
  fields_.clear();
  fmt::format_to(std::back_inserter(fields_), "conn={} address=", id);
  append_escaped(fields_, address);
  fmt::format_to(std::back_inserter(fields_), " reason=");
  append_escaped(fields_, reason);
  fmt::format_to(std::back_inserter(fields_), " lost={}", lost);
  record("redis_down");
}

void FakeRedis::record_fault(const Server& server, std::string_view fault, std::uint64_t value,
                             std::uint64_t denominator) {
  fields_.clear();
  fmt::format_to(std::back_inserter(fields_), "address=");
  append_escaped(fields_, server.address);
  fmt::format_to(std::back_inserter(fields_), " fault={} value={}", fault, value);
  if (denominator != 0) fmt::format_to(std::back_inserter(fields_), "/{}", denominator);
  record("redis_fault");
}

void FakeRedis::record(std::string_view kind) {
  trace_.record(scheduler_.now_ms(), label_, kind, std::string_view(fields_.data(), fields_.size()));
}

}  // namespace zsim::fakes
