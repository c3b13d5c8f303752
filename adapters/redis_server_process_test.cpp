#include "adapters/redis_server_process.hpp"

#include <sys/types.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <csignal>

namespace zsim::adapters {
namespace {

// The deps script installs redis-server; a machine without it fails here, loudly, rather than
// skipping the tests that need the real thing.
TEST(RedisServerProcess, TheRedisServerBinaryIsInstalled) {
  RedisServerProcess server;
  const core::Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error();
}

TEST(RedisServerProcess, StartsOnAFreeLoopbackPortAndStops) {
  RedisServerProcess server;
  const core::Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error();
  EXPECT_TRUE(server.running());
  EXPECT_NE(server.port(), 0);
  const pid_t pid = server.pid();
  EXPECT_EQ(::kill(pid, 0), 0);  // The child runs.
  const core::Status stopped = server.stop();
  EXPECT_TRUE(stopped.ok()) << stopped.error();
  EXPECT_FALSE(server.running());
  EXPECT_NE(::kill(pid, 0), 0);  // Reaped: no such process any more.
  const core::RedisUrl url = server.url("chan");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, server.port());
  EXPECT_EQ(url.channel, "chan");
}

TEST(RedisServerProcess, RestartsOnTheSamePort) {
  RedisServerOptions options;
  options.password = "restart-secret";
  RedisServerProcess server(options);
  const core::Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error();
  const std::uint16_t port = server.port();
  const pid_t first = server.pid();
  const core::Status restarted = server.restart();
  ASSERT_TRUE(restarted.ok()) << restarted.error();
  EXPECT_EQ(server.port(), port);
  EXPECT_NE(server.pid(), first);
  EXPECT_EQ(server.url("c").password, "restart-secret");
}

TEST(RedisServerProcess, AMissingBinaryIsAClearError) {
  RedisServerOptions options;
  options.binary = "/nonexistent/redis-server";
  RedisServerProcess server(options);
  const core::Status started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("redis-server not found at /nonexistent/redis-server"), std::string::npos)
      << started.error();
  EXPECT_NE(started.error().find("install_deps.sh"), std::string::npos);
  EXPECT_FALSE(server.running());
}

TEST(RedisServerProcess, AServerThatExitsAtOnceIsReported) {
  RedisServerOptions options;
  options.binary = "/bin/false";
  options.start_timeout_ms = 2000;
  RedisServerProcess server(options);
  const core::Status started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("exited with status 1 before answering PING"), std::string::npos) << started.error();
  EXPECT_FALSE(server.running());
}

TEST(RedisServerProcess, PicksAFreePort) {
  EXPECT_NE(pick_free_loopback_port(), 0);
}

}  // namespace
}  // namespace zsim::adapters
