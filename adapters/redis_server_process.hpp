#pragma once
// Test support: a real redis-server as a child process on 127.0.0.1 and a free port, for the
// integration tests of the adapters (and later ones) that must hold against the real thing.
//
// start() runs `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no --daemonize no`
// (plus --requirepass when a password is given) with fork and exec, its output to /dev/null, and
// waits, bounded by start_timeout_ms, until PING is answered (after AUTH when there is a password).
// The child gets SIGTERM should this process die first (PR_SET_PDEATHSIG), so no server outlives its
// test. stop() sends SIGTERM and reaps the child (SIGKILL after stop_timeout_ms). restart() stops and
// starts on the same port, so clients can reconnect to the same address.
//
// The port is picked by binding port 0 and releasing it, so another process may take it before
// redis binds it: the first start then tries another port, up to a few times.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/expected.hpp"
#include "core/reservation.hpp"

namespace zsim::adapters {

struct RedisServerOptions {
  std::string binary = "/usr/bin/redis-server";
  std::string password;  // Empty: no requirepass.
  std::int64_t start_timeout_ms = 5000;
  std::int64_t stop_timeout_ms = 5000;
};

class RedisServerProcess {
 public:
  explicit RedisServerProcess(RedisServerOptions options = {});
  // Stops the server if it runs.
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // Starts the server; an error names what failed ("redis-server not found at ...: install it with
  // scripts/install_deps.sh", "redis-server exited ...", "no PING answer within ... ms").
  core::Status start();
  // SIGTERM and waitpid; an error only when the child had to be killed or could not be reaped.
  core::Status stop();
  core::Status restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1"; }
  // redis://[:password@]127.0.0.1:port/channel as a parsed URL.
  core::RedisUrl url(std::string channel) const;

 private:
  core::Status spawn();
  core::Status wait_ready();

  RedisServerOptions options_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released); 0 on error.
std::uint16_t pick_free_loopback_port();

}  // namespace zsim::adapters
