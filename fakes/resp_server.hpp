#pragma once
// A RESP2 redis server on Boost.Asio, listening on 127.0.0.1 and a port the kernel picks, so that
// the hiredis publisher (and anything else speaking redis) is tested without redis-server.
//
// It speaks what the node needs of redis, with redis 7.0's exact replies and error texts: PING,
// AUTH (requirepass optional; AUTH password and AUTH default password), PUBLISH (answers the number
// of receivers), SUBSCRIBE, PSUBSCRIBE (glob patterns: * ? [abc] [^a-z] and \ escapes, as redis's
// stringmatch), UNSUBSCRIBE, PUNSUBSCRIBE and QUIT; multibulk and inline requests, pipelined. A
// subscribed connection accepts only the subscribe commands, PING and QUIT, as redis. Receivers get
// "message" frames in subscription order, then "pmessage" frames, as redis delivers them.
//
// Fault switches: refuse (accept and close new connections at once), stall (stop reading and
// answering until healed; requests already received are answered on healing), drop (close every
// connection now), protected mode (answer every command with redis's -DENIED error), stop/start
// (the listener goes away: connects are refused by the kernel; start listens on the same port).
//
// Bounds: a request (one command, still incomplete) beyond request_bytes_max closes the connection,
// as redis's 512 MiB limit does; a connection's unsent replies beyond reply_bytes_max close it, as
// redis's client-output-buffer-limit does for slow subscribers; connections beyond connections_max
// are answered "-ERR max number of clients reached" and closed.
//
// Everything runs on the thread that runs the io_context; nothing here is thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "fakes/resp_protocol.hpp"

namespace boost::asio {
class io_context;
}

namespace zsim::fakes {

struct RespServerOptions {
  // Empty: no password (every connection is authenticated, as with redis's default user nopass).
  std::string requirepass;
  std::size_t request_bytes_max = std::size_t{64} << 20;
  std::size_t reply_bytes_max = std::size_t{32} << 20;
  std::size_t connections_max = 1024;
};

struct RespServerCounters {
  std::uint64_t connections_accepted = 0;  // Connections that were served (not refused).
  std::uint64_t connections_refused = 0;   // Closed at once by refuse or connections_max.
  std::uint64_t connections_dropped = 0;   // Closed by drop_connections(), stop() or a bound.
  std::uint64_t commands = 0;              // Commands answered (any reply, errors included).
  std::uint64_t published = 0;             // PUBLISH commands executed.
  std::uint64_t messages_delivered = 0;    // message and pmessage frames queued to subscribers.
};

class RespServer {
 public:
  // Listens at once on 127.0.0.1 and a free port.
  explicit RespServer(boost::asio::io_context& io, RespServerOptions options = {});
  // Closes the listener and every connection; no handler touches this server afterwards.
  ~RespServer();
  RespServer(const RespServer&) = delete;
  RespServer& operator=(const RespServer&) = delete;

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const;

  // Fault switches.
  void set_refuse(bool refuse);
  void set_stall(bool stall);
  void drop_connections();
  void set_protected_mode(bool protected_mode);
  // Later connections need this password; connections already authenticated stay so, as in redis.
  void set_requirepass(std::string password);
  // Closes the listener and every connection. start() listens again on the same port.
  void stop();
  void start();
  bool listening() const;

  // Counters.
  const RespServerCounters& counters() const;
  // PUBLISH commands executed per channel, in channel byte order.
  const std::map<std::string, std::uint64_t, std::less<>>& published_by_channel() const;
  std::uint64_t published(std::string_view channel) const;
  // Connections open now, and those of them in subscribe mode.
  std::size_t connections() const;
  std::size_t subscribers() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace zsim::fakes
