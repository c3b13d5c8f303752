#include "adapters/redis_server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <fmt/format.h>

#include <cassert>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace zsim::adapters {

namespace {

// How many ports the first start tries when the picked one was taken meanwhile.
constexpr int start_attempts_max = 5;
constexpr std::int64_t poll_interval_ms = 10;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void sleep_ms(std::int64_t duration_ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(duration_ms));
}

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// One blocking round trip: true when the server answers PING (after AUTH when password is set).
bool answers_ping(std::uint16_t port, const std::string& password) {
  const timeval timeout{0, 200'000};
  std::unique_ptr<redisContext, ContextFree> context(redisConnectWithTimeout("127.0.0.1", port, timeout));
  if (!context || context->err != 0) return false;
  if (redisSetTimeout(context.get(), timeout) != REDIS_OK) return false;
  if (!password.empty()) {
    std::unique_ptr<redisReply, ReplyFree> auth(
        static_cast<redisReply*>(redisCommand(context.get(), "AUTH %b", password.data(), password.size())));
    if (!auth || auth->type == REDIS_REPLY_ERROR) return false;
  }
  std::unique_ptr<redisReply, ReplyFree> pong(static_cast<redisReply*>(redisCommand(context.get(), "PING")));
  return pong && pong->type == REDIS_REPLY_STATUS && std::string_view(pong->str, pong->len) == "PONG";
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
  return "stopped";
}

}  // namespace

std::uint16_t pick_free_loopback_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket_fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  std::uint16_t port = 0;
  if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(socket_fd);
  return port;
}

RedisServerProcess::RedisServerProcess(RedisServerOptions options) : options_(std::move(options)) {
  assert(options_.start_timeout_ms > 0);
  assert(options_.stop_timeout_ms > 0);
}

RedisServerProcess::~RedisServerProcess() {
  if (running()) static_cast<void>(stop());
}

core::RedisUrl RedisServerProcess::url(std::string channel) const {
  core::RedisUrl result;
  result.host = host();
  result.port = port_;
  result.password = options_.password;
  result.channel = std::move(channel);
  return result;
}

core::Status RedisServerProcess::start() {
  assert(!running());
  if (::access(options_.binary.c_str(), X_OK) != 0) {
    return core::Error{fmt::format("redis-server not found at {}: scripts/install_deps.sh installs it (Debian "
                                   "package redis-server)",
                                   options_.binary)};
  }
  const bool port_fixed = port_ != 0;
  core::Status status = core::Error{"no attempt made"};
  for (int attempt = 0; attempt < (port_fixed ? 1 : start_attempts_max); ++attempt) {
    if (!port_fixed) port_ = pick_free_loopback_port();
    if (port_ == 0) return core::Error{"cannot find a free port on 127.0.0.1"};
    status = spawn();
    if (status.ok()) status = wait_ready();
    if (status.ok()) return status;
    if (running()) static_cast<void>(stop());
  }
  if (!port_fixed) port_ = 0;
  return status;
}

core::Status RedisServerProcess::restart() {
  if (running()) {
    core::Status stopped = stop();
    if (!stopped.ok()) return stopped;
  }
  return start();
}

core::Status RedisServerProcess::spawn() {
  std::vector<std::string> args = {options_.binary, "--port",       std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save",        "",             "--appendonly",        "no",     "--daemonize",
                                   "no",            "--loglevel",   "warning"};
  if (!options_.password.empty()) {
    args.emplace_back("--requirepass");
    args.push_back(options_.password);
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return core::Error{fmt::format("fork failed: {}", std::strerror(errno))};
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec. The server dies with this process, and
    // inherits none of its sockets (a test's fake server or client must not stay open in redis).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(null_fd, STDERR_FILENO);
    }
    ::close_range(3, ~0U, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  return {};
}

core::Status RedisServerProcess::wait_ready() {
  assert(running());
  const std::int64_t deadline_ms = steady_ms() + options_.start_timeout_ms;
  // Each iteration sleeps or returns, so the loop ends by the deadline.
  while (steady_ms() < deadline_ms) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      pid_ = -1;
      return core::Error{fmt::format("redis-server {} before answering PING on port {}", describe_exit(status), port_)};
    }
    if (answers_ping(port_, options_.password)) return {};
    sleep_ms(poll_interval_ms);
  }
  return core::Error{fmt::format("redis-server gave no PING answer on port {} within {} ms", port_,
                                 options_.start_timeout_ms)};
}

core::Status RedisServerProcess::stop() {
  if (!running()) return {};
  ::kill(pid_, SIGTERM);
  const std::int64_t deadline_ms = steady_ms() + options_.stop_timeout_ms;
  // Each iteration sleeps or returns; past the deadline the child is killed and reaped.
  while (true) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      pid_ = -1;
      return {};
    }
    if (reaped < 0 && errno != EINTR) {
      const std::string reason = std::strerror(errno);
      pid_ = -1;
      return core::Error{fmt::format("cannot reap redis-server: {}", reason)};
    }
    if (steady_ms() >= deadline_ms) break;
    sleep_ms(1);
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return core::Error{fmt::format("redis-server ignored SIGTERM for {} ms and was killed", options_.stop_timeout_ms)};
}

}  // namespace zsim::adapters
