#include "adapters/hiredis_publisher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace zsim::adapters {

namespace asio = boost::asio;

namespace {

enum class LinkState : std::uint8_t {
  connecting,  // TCP connect, AUTH and PING in flight.
  up,          // PING answered: publishes allowed.
  down,        // Lost; on_disconnected posted and not yet delivered.
  closed,      // Closed by the user or reported down: no callback follows.
};

std::string_view reply_text(const redisReply* reply) {
  return reply->str == nullptr ? std::string_view() : std::string_view(reply->str, reply->len);
}

void append_bulk(std::string& out, std::string_view bytes) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof(digits), bytes.size());
  assert(error == std::errc());
  out.push_back('$');
  out.append(digits, end);
  out.append("\r\n");
  out.append(bytes);
  out.append("\r\n");
}

}  // namespace

std::string_view format_publish(std::string& buffer, std::string_view channel, std::string_view payload) {
  buffer.clear();
  buffer.append("*3\r\n$7\r\nPUBLISH\r\n");
  append_bulk(buffer, channel);
  append_bulk(buffer, payload);
  return buffer;
}

// One connection: the hiredis context, the Asio descriptor on its socket and the observer.
//
// Lifetime: the publisher's map holds a Link until it is closed or reported down; every Asio handler
// and posted notification holds it too. hiredis holds a raw pointer (ac->data, ev.data, each
// callback's privdata) for as long as the context lives, and every call into hiredis that may free
// the context is made while a shared_ptr to the Link is held, so the pointer never dangles. The
// context is freed exactly once: by us (redisAsyncFree, guarded by `freeing`) or by hiredis itself
// after an error (which it announces through onConnect(REDIS_ERR) or onDisconnect); the cleanup hook
// marks it gone and gives the socket back to hiredis before hiredis closes it.
struct HiredisPublisher::Link : std::enable_shared_from_this<HiredisPublisher::Link> {
  Link(HiredisPublisher& publisher, core::ConnectionId link_id, core::ConnectionObserver& link_observer,
       std::string link_password)
      : owner(&publisher), id(link_id), observer(&link_observer), password(std::move(link_password)),
        connect_timer(publisher.io_) {}
  ~Link() {
    assert(context == nullptr);
    assert(!descriptor.has_value());
  }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  void attach(redisAsyncContext* async_context);
  void arm_connect_timer(std::int64_t timeout_ms);
  void wait_readable();
  void wait_writable();
  void fail(std::string_view reason);
  void report_down(const std::string& reason);
  void free_context();
  std::string scrub(std::string_view text) const;

  static void hook_add_read(void* data);
  static void hook_del_read(void* data);
  static void hook_add_write(void* data);
  static void hook_del_write(void* data);
  static void hook_cleanup(void* data);
  static void on_connect(const redisAsyncContext* async_context, int status);
  static void on_disconnect(const redisAsyncContext* async_context, int status);
  static void on_auth_reply(redisAsyncContext* async_context, void* reply, void* privdata);
  static void on_ping_reply(redisAsyncContext* async_context, void* reply, void* privdata);
  static void on_publish_reply(redisAsyncContext* async_context, void* reply, void* privdata);

  HiredisPublisher* owner;  // Valid while the state is not closed: the publisher closes all first.
  core::ConnectionId id;
  core::ConnectionObserver* observer;
  std::string password;  // Kept only to mask it in reasons.
  LinkState state = LinkState::connecting;
  redisAsyncContext* context = nullptr;  // Null once hiredis ran the cleanup hook.
  bool freeing = false;                  // The context's free was requested or is under way.
  std::optional<asio::posix::stream_descriptor> descriptor;
  // hiredis's interest (persistent until withdrawn, as with its other event libraries) and
  // whether an Asio wait is outstanding for it.
  bool want_read = false;
  bool want_write = false;
  bool read_waiting = false;
  bool write_waiting = false;
  std::uint64_t pending = 0;  // PUBLISH commands sent and not answered.
  asio::steady_timer connect_timer;
};

void HiredisPublisher::Link::attach(redisAsyncContext* async_context) {
  assert(context == nullptr && async_context != nullptr && async_context->err == 0);
  assert(async_context->c.fd >= 0);
  context = async_context;
  context->data = this;
  descriptor.emplace(owner->io_, context->c.fd);
  context->ev.data = this;
  context->ev.addRead = &hook_add_read;
  context->ev.delRead = &hook_del_read;
  context->ev.addWrite = &hook_add_write;
  context->ev.delWrite = &hook_del_write;
  context->ev.cleanup = &hook_cleanup;
  // Setting the connect callback asks for the first write event, which tells the connect finished;
  // so the hooks above must be in place first.
  redisAsyncSetConnectCallback(context, &on_connect);
  redisAsyncSetDisconnectCallback(context, &on_disconnect);
}

void HiredisPublisher::Link::arm_connect_timer(std::int64_t timeout_ms) {
  assert(timeout_ms > 0);
  connect_timer.expires_after(std::chrono::milliseconds(timeout_ms));
  connect_timer.async_wait([self = shared_from_this(), timeout_ms](const boost::system::error_code& error) {
    if (error || self->state != LinkState::connecting) return;
    self->fail(fmt::format("no answer from the server within {} ms", timeout_ms));
  });
}

void HiredisPublisher::Link::wait_readable() {
  if (read_waiting || !descriptor.has_value()) return;
  read_waiting = true;
  descriptor->async_wait(asio::posix::descriptor_base::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& error) {
                           self->read_waiting = false;
                           if (error || self->context == nullptr || !self->want_read) return;
                           redisAsyncHandleRead(self->context);
                           if (self->context != nullptr && self->want_read) self->wait_readable();
                         });
}

void HiredisPublisher::Link::wait_writable() {
  if (write_waiting || !descriptor.has_value()) return;
  write_waiting = true;
  descriptor->async_wait(asio::posix::descriptor_base::wait_write,
                         [self = shared_from_this()](const boost::system::error_code& error) {
                           self->write_waiting = false;
                           if (error || self->context == nullptr || !self->want_write) return;
                           redisAsyncHandleWrite(self->context);
                           if (self->context != nullptr && self->want_write) self->wait_writable();
                         });
}

void HiredisPublisher::Link::hook_add_read(void* data) {
  auto* link = static_cast<Link*>(data);
  link->want_read = true;
  link->wait_readable();
}

void HiredisPublisher::Link::hook_del_read(void* data) {
  static_cast<Link*>(data)->want_read = false;
}

void HiredisPublisher::Link::hook_add_write(void* data) {
  auto* link = static_cast<Link*>(data);
  link->want_write = true;
  link->wait_writable();
}

void HiredisPublisher::Link::hook_del_write(void* data) {
  static_cast<Link*>(data)->want_write = false;
}

// hiredis calls this from __redisAsyncFree, before redisFree closes the socket. release() takes the
// socket out of Asio (its waits finish with operation_aborted) without closing it.
void HiredisPublisher::Link::hook_cleanup(void* data) {
  auto* link = static_cast<Link*>(data);
  link->context = nullptr;
  link->freeing = true;
  link->want_read = false;
  link->want_write = false;
  if (link->descriptor.has_value()) {
    link->descriptor->release();
    link->descriptor.reset();
  }
}

// hiredis 0.14 calls onConnect(REDIS_OK) when the TCP connect completes; we wait for the PING's
// answer instead. onConnect(REDIS_ERR) is followed by hiredis freeing the context itself, which must
// not be freed again: nothing here may call redisAsyncFree (hiredis would touch the context after).
void HiredisPublisher::Link::on_connect(const redisAsyncContext* async_context, int status) {
  auto* link = static_cast<Link*>(async_context->data);
  if (status == REDIS_OK) return;
  link->freeing = true;
  if (link->state != LinkState::connecting) return;
  const char* reason = async_context->errstr;
  link->fail(reason != nullptr && reason[0] != '\0' ? reason : "connect failed");
}

// Called by hiredis while it frees a context that was connected, after the cleanup hook.
void HiredisPublisher::Link::on_disconnect(const redisAsyncContext* async_context, int status) {
  auto* link = static_cast<Link*>(async_context->data);
  link->freeing = true;
  if (link->state != LinkState::connecting && link->state != LinkState::up) return;
  const char* reason = async_context->errstr;
  const bool has_reason = status != REDIS_OK && reason != nullptr && reason[0] != '\0';
  link->fail(has_reason ? reason : "connection closed");
}

void HiredisPublisher::Link::on_auth_reply(redisAsyncContext*, void* reply, void* privdata) {
  auto* link = static_cast<Link*>(privdata);
  if (reply == nullptr || link->state != LinkState::connecting) return;
  const auto* answer = static_cast<const redisReply*>(reply);
  if (answer->type == REDIS_REPLY_ERROR) link->fail(fmt::format("AUTH refused: {}", reply_text(answer)));
}

void HiredisPublisher::Link::on_ping_reply(redisAsyncContext*, void* reply, void* privdata) {
  auto* link = static_cast<Link*>(privdata);
  if (reply == nullptr || link->state != LinkState::connecting) return;
  const auto* answer = static_cast<const redisReply*>(reply);
  if (answer->type == REDIS_REPLY_ERROR) {
    link->fail(reply_text(answer));
    return;
  }
  link->state = LinkState::up;
  link->connect_timer.cancel();
  link->observer->on_connected();
}

// The hot path: one call per PUBLISH reply, in order. hiredis passes NULL for the publishes it
// drops while freeing the context: those are lost with the connection, and on_disconnected says so.
void HiredisPublisher::Link::on_publish_reply(redisAsyncContext*, void* reply, void* privdata) {
  auto* link = static_cast<Link*>(privdata);
  if (reply == nullptr || link->state != LinkState::up) return;
  assert(link->pending > 0);
  link->pending -= 1;
  link->observer->on_reply(static_cast<const redisReply*>(reply)->type != REDIS_REPLY_ERROR);
}

void HiredisPublisher::Link::fail(std::string_view reason) {
  assert(state == LinkState::connecting || state == LinkState::up);
  state = LinkState::down;
  connect_timer.cancel();
  free_context();
  // Posted: the observer hears of it after hiredis is done with the context, and may then do
  // anything, connect again included.
  asio::post(owner->io_, [self = shared_from_this(), text = scrub(reason)] { self->report_down(text); });
}

void HiredisPublisher::Link::report_down(const std::string& reason) {
  if (state != LinkState::down) return;  // Closed meanwhile: no callback follows a close.
  state = LinkState::closed;
  const std::size_t erased = owner->links_.erase(id);
  assert(erased == 1);
  observer->on_disconnected(reason);
}

// Frees the context unless hiredis is freeing it or it is gone. From inside a hiredis callback the
// free is deferred by hiredis until the callback returns; the caller's Asio handler keeps the Link.
void HiredisPublisher::Link::free_context() {
  if (context == nullptr || freeing) return;
  freeing = true;
  const std::shared_ptr<Link> keep = shared_from_this();
  redisAsyncFree(context);
}

std::string HiredisPublisher::Link::scrub(std::string_view text) const {
  std::string result(text);
  if (password.empty()) return result;
  std::size_t position = result.find(password);
  // Each iteration replaces one occurrence and moves past it.
  while (position != std::string::npos) {
    result.replace(position, password.size(), "***");
    position = result.find(password, position + 3);
  }
  return result;
}

HiredisPublisher::HiredisPublisher(asio::io_context& io, HiredisPublisherOptions options)
    : io_(io), options_(options) {
  assert(options_.connect_timeout_ms > 0);
  assert(options_.pending_max > 0);
  std::signal(SIGPIPE, SIG_IGN);
}

HiredisPublisher::~HiredisPublisher() {
  // Closing erases from links_; walk a copy of the ids.
  std::vector<core::ConnectionId> ids;
  ids.reserve(links_.size());
  for (const auto& [id, link] : links_) ids.push_back(id);
  for (const core::ConnectionId id : ids) close(id);
  assert(links_.empty());
}

core::ConnectionId HiredisPublisher::connect(const core::RedisUrl& server, core::ConnectionObserver& observer) {
  const core::ConnectionId id = next_id_++;
  auto link = std::make_shared<Link>(*this, id, observer, server.password);
  links_.emplace(id, link);
  redisAsyncContext* context = redisAsyncConnect(server.host.c_str(), server.port);
  if (context == nullptr) {
    link->fail("cannot allocate a redis context");
    return id;
  }
  if (context->err != 0) {
    // Refused at once, or the host did not resolve: no hook is set, so the free touches nothing.
    const std::string reason = context->errstr;
    redisAsyncFree(context);
    link->fail(reason);
    return id;
  }
  link->attach(context);
  if (!server.password.empty()) {
    redisAsyncCommand(context, &Link::on_auth_reply, link.get(), "AUTH %b", server.password.data(),
                      server.password.size());
  }
  redisAsyncCommand(context, &Link::on_ping_reply, link.get(), "PING");
  link->arm_connect_timer(options_.connect_timeout_ms);
  return id;
}

void HiredisPublisher::publish(core::ConnectionId connection, std::string_view channel, std::string_view payload) {
  const auto found = links_.find(connection);
  if (found == links_.end()) {
    assert(false && "publish on a connection that was closed or reported down");
    return;
  }
  Link& link = *found->second;
  assert(link.state == LinkState::up || link.state == LinkState::down);
  if (link.state != LinkState::up || link.context == nullptr || link.freeing) return;
  assert(link.pending < options_.pending_max);
  // The bytes of redisAsyncCommand(..., "PUBLISH %b %b", ...), formatted without hiredis's
  // formatter, which goes through vsnprintf for every length and cost a quarter of the client's time.
  const std::string_view command = format_publish(command_buffer_, channel, payload);
  const int status =
      redisAsyncFormattedCommand(link.context, &Link::on_publish_reply, &link, command.data(), command.size());
  if (status == REDIS_OK) link.pending += 1;
}

void HiredisPublisher::close(core::ConnectionId connection) {
  const auto found = links_.find(connection);
  if (found == links_.end()) return;
  const std::shared_ptr<Link> link = found->second;
  links_.erase(found);
  link->state = LinkState::closed;
  link->connect_timer.cancel();
  link->free_context();
}

std::uint64_t HiredisPublisher::pending(core::ConnectionId connection) const {
  const auto found = links_.find(connection);
  return found == links_.end() ? 0 : found->second->pending;
}

}  // namespace zsim::adapters
