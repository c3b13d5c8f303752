#pragma once
// Test support: a redis subscriber on Boost.Asio that records every message it receives, in order,
// so a test checks what a SUBSCRIBE or PSUBSCRIBE watcher (redis-cli, a user's client) would see. It
// runs on the same io_context as the server under test (the RESP fake) or beside a real redis-server,
// on one thread: a blocking client would deadlock against a fake served by that thread.
//
// It writes RESP requests itself and parses replies with hiredis's reply reader. Commands given before
// the TCP connect completes are sent once it does, AUTH first when a password was given.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace zsim::adapters {

struct SubscribedMessage {
  std::string pattern;  // Empty for a "message" frame, the matching pattern for a "pmessage".
  std::string channel;
  std::string payload;
};

class RedisSubscriber {
 public:
  // Connects to host (an IPv4 address) and port; messages beyond messages_max close the connection.
  RedisSubscriber(boost::asio::io_context& io, const std::string& host, std::uint16_t port,
                  std::string password = {}, std::size_t messages_max = std::size_t{1} << 22);
  // Closes the connection; no handler touches this object afterwards.
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void subscribe(std::string_view channel);
  void psubscribe(std::string_view pattern);

  // Subscribe and psubscribe confirmations received.
  std::size_t confirmations() const;
  const std::vector<SubscribedMessage>& messages() const;
  // The connection ended (closed by the server, an error, or the bound).
  bool closed() const;
  // The last error reply or connection error, empty when none.
  const std::string& error() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace zsim::adapters
