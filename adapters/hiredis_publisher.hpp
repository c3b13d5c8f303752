#pragma once
// HiredisPublisher: core::Publisher over hiredis 0.14.1's async API, driven by a
// boost::asio::io_context through our own event-library adapter (hiredis 0.14 ships adapters for
// libev, libevent, libuv, ae, glib, ivykis, Qt and macOS, but none for Asio).
//
// The adapter fills redisAsyncContext's ev hooks (addRead, delRead, addWrite, delWrite, cleanup)
// with a boost::asio::posix::stream_descriptor on hiredis's socket: async_wait(wait_read or
// wait_write) calls redisAsyncHandleRead or redisAsyncHandleWrite. hiredis owns the socket and closes
// it in redisFree; the cleanup hook release()s the descriptor first, so Asio never closes it.
//
// A connection: redisAsyncConnect, then AUTH (when the URL has a password) and PING, pipelined.
// on_connected follows the PING's +PONG, so "connected" means a server that answers and accepted
// the password; an AUTH or PING error, a connect error or connect_timeout_ms without an answer is
// on_disconnected with the reason (the password, should a server echo it, is masked as "***").
// publish sends PUBLISH channel payload, binary-safe (explicit lengths: the bytes of hiredis's
// "PUBLISH %b %b", formatted by format_publish into a reused buffer and handed to
// redisAsyncFormattedCommand, because hiredis's own formatter runs vsnprintf for every length and
// was a quarter of the client's time). hiredis queues the commands, so many are
// outstanding at once and the replies come back in order: each is on_reply(ok), an error reply
// on_reply(false). A lost connection is on_disconnected; publishes not yet answered are lost.
//
// Reentrancy. on_connected and on_reply are called from hiredis's reply callbacks, from an Asio
// handler, never from inside connect() or publish(); the observer may call publish, close and
// connect from them (hiredis defers a free requested from a callback). on_disconnected is posted to
// the io_context, so it runs after hiredis is done with the context. No callback follows close(),
// including the NULL-reply callbacks hiredis runs while freeing a context.
//
// close() frees the context at once (redisAsyncFree rather than redisAsyncDisconnect, which would
// wait for and report the outstanding replies): publishes still in hiredis's buffer are not sent.
// To drain, wait for pending(connection) to reach 0 first. Once up, a connection has no reply
// timeout: a stalled server holds the publishes until it heals or the caller gives up and closes.
//
// hiredis 0.14 writes with write(2), not send(MSG_NOSIGNAL): a write to a socket the server reset
// raises SIGPIPE, so the constructor sets SIGPIPE to ignored for the process.
//
// The host is resolved by hiredis with a blocking getaddrinfo; zsim passes IP addresses.
// Everything runs on the thread that runs the io_context; nothing here is thread-safe. The publisher
// is destroyed before its io_context, and not from inside one of its own callbacks.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/ports.hpp"

namespace boost::asio {
class io_context;
}

namespace zsim::adapters {

struct HiredisPublisherOptions {
  // The TCP connect, AUTH and PING must be answered within this, or the connection is given up.
  std::int64_t connect_timeout_ms = 5000;
  // A bound on publishes awaiting a reply on one connection; the caller keeps below it (asserted).
  std::uint64_t pending_max = std::uint64_t{1} << 22;
};

// PUBLISH channel payload as RESP into buffer (cleared first); returns a view of it. Exposed for tests.
std::string_view format_publish(std::string& buffer, std::string_view channel, std::string_view payload);

class HiredisPublisher final : public core::Publisher {
 public:
  explicit HiredisPublisher(boost::asio::io_context& io, HiredisPublisherOptions options = {});
  // Closes every connection; no callback follows, even if the io_context runs on.
  ~HiredisPublisher() override;
  HiredisPublisher(const HiredisPublisher&) = delete;
  HiredisPublisher& operator=(const HiredisPublisher&) = delete;

  core::ConnectionId connect(const core::RedisUrl& server, core::ConnectionObserver& observer) override;
  // Only between on_connected and on_disconnected (a connection lost but not yet reported takes
  // the publish silently: its on_disconnected is on the way).
  void publish(core::ConnectionId connection, std::string_view channel, std::string_view payload) override;
  // Any time, also after on_disconnected or twice; no callback follows.
  void close(core::ConnectionId connection) override;

  // Publishes sent on the connection and not yet answered; 0 for a connection that is gone.
  std::uint64_t pending(core::ConnectionId connection) const;
  // Connections neither closed nor reported down.
  std::size_t connections() const { return links_.size(); }

  struct Link;

 private:
  boost::asio::io_context& io_;
  HiredisPublisherOptions options_;
  core::ConnectionId next_id_ = 1;
  // Ordered by id, so that the destructor closes in a fixed order.
  std::map<core::ConnectionId, std::shared_ptr<Link>> links_;
  // Reused for every PUBLISH: no allocation per message once it has grown to the largest one.
  std::string command_buffer_;
};

}  // namespace zsim::adapters
