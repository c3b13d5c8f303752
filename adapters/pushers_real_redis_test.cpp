// The core's log and stats delivery (ContainerPushers and its RedisSinks) on the real side: the
// Asio scheduler, the hiredis publisher, and a redis-server that the test starts, stops in the
// middle of the run and starts again; the same against the RESP fake. Whatever happens, the
// container is never blocked, delivered + dropped = produced, and delivery resumes.

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>

#include "adapters/asio_scheduler.hpp"
#include "adapters/hiredis_publisher.hpp"
#include "adapters/redis_server_process.hpp"
#include "adapters/redis_subscriber.hpp"
#include "core/container_pushers.hpp"
#include "fakes/resp_server.hpp"
#include "kernel/prng.hpp"

namespace zsim::adapters {
namespace {

// The runtime side of a container for the stats pusher: cgroup figures that grow every read.
class GrowingStatsRuntime final : public core::ContainerRuntime {
 public:
  void mount_flist(const std::string&, const std::string&, std::uint64_t, core::DiskType, MountDone) override {}
  core::Status unmount(const std::string&) override { return {}; }
  core::Status create_volume(const std::string&, std::uint64_t, core::DiskType) override { return {}; }
  core::Status delete_volume(const std::string&) override { return {}; }
  bool volume_exists(const std::string&) const override { return false; }
  core::Status start(const core::ContainerSpec&, core::ContainerObserver&) override { return {}; }
  core::Status attach(const std::string&, core::ContainerObserver&) override { return {}; }
  void detach(const std::string&) override {}
  core::Status signal(const std::string&, core::Signal) override { return {}; }
  core::Status remove(const std::string&) override { return {}; }
  core::Expected<core::ContainerStats> stats(const std::string&) override {
    reads_ += 1;
    return core::ContainerStats{1'000'000 + reads_ * 4096, 256ULL << 20, 65536, reads_ * 1'000'000, 3};
  }
  core::Expected<std::string> public_ipv6(const std::string&) override { return core::Error{"none"}; }

 private:
  std::uint64_t reads_ = 0;
};

// Where the pushers publish: a real redis-server or the RESP fake, stopped and started on one port.
struct Server {
  virtual ~Server() = default;
  virtual std::uint16_t port() const = 0;
  virtual void stop() = 0;
  virtual void start() = 0;
};

struct RealServer final : Server {
  RealServer() {
    const core::Status started = process.start();
    EXPECT_TRUE(started.ok()) << started.error();
  }
  std::uint16_t port() const override { return process.port(); }
  void stop() override { EXPECT_TRUE(process.stop().ok()); }
  void start() override {
    const core::Status started = process.start();
    EXPECT_TRUE(started.ok()) << started.error();
  }
  RedisServerProcess process;
};

struct FakeServer final : Server {
  explicit FakeServer(boost::asio::io_context& io) : resp(io) {}
  std::uint16_t port() const override { return resp.port(); }
  void stop() override { resp.stop(); }
  void start() override { resp.start(); }
  fakes::RespServer resp;
};

void run_outage(boost::asio::io_context& io, Server& server) {
  AsioScheduler scheduler(io);
  HiredisPublisher publisher(io);
  kernel::Prng rng(5);
  GrowingStatsRuntime runtime;
  const core::RedisUrl out{"127.0.0.1", server.port(), "", "c-stdout"};
  const core::RedisUrl err{"127.0.0.1", server.port(), "", "c-stderr"};
  const core::RedisUrl stats{"127.0.0.1", server.port(), "", "c-stats"};
  core::DeliveryLimits limits;
  limits.backoff_max_ms = 200;  // Reconnect quickly after the restart, to keep the test short.
  auto pushers = std::make_unique<core::ContainerPushers>(scheduler, publisher, rng, runtime, "c",
                                                          std::vector<core::LogEndpointUrls>{{out, err}},
                                                          std::vector<core::RedisUrl>{stats}, limits, 50);
  pushers->start();
  // The container prints a line every millisecond, whatever redis does: on_output never waits.
  int printed = 0;
  std::function<void()> print = [&] {
    pushers->on_output(printed % 5 == 0 ? core::OutputStream::err : core::OutputStream::out,
                       fmt::format("line {}\n", printed));
    printed += 1;
    if (printed < 1500) scheduler.at(scheduler.now_ms() + 1, print);
  };
  scheduler.at(scheduler.now_ms(), print);
  ASSERT_TRUE(scheduler.run_until([&] { return printed >= 400; }, 10'000));
  server.stop();
  ASSERT_TRUE(scheduler.run_until([&] { return printed >= 800; }, 10'000));
  server.start();
  RedisSubscriber subscriber(io, "127.0.0.1", server.port());
  subscriber.psubscribe("c-*");
  ASSERT_TRUE(scheduler.run_until([&] { return subscriber.confirmations() == 1; }, 5000)) << subscriber.error();
  ASSERT_TRUE(scheduler.run_until([&] { return printed >= 1500; }, 10'000));
  bool drained = false;
  pushers->stop(scheduler.now_ms() + 3000, [&] { drained = true; });
  ASSERT_TRUE(scheduler.run_until([&] { return drained; }, 10'000));

  const core::PushersTotals totals = pushers->totals();
  EXPECT_EQ(totals.targets.lines_produced, 1500u);
  EXPECT_EQ(totals.targets.lines_delivered + totals.targets.lines_dropped, totals.targets.lines_produced);
  EXPECT_EQ(totals.targets.lines_buffered + totals.targets.lines_in_flight, 0u);
  EXPECT_GT(totals.targets.lines_delivered, 1000u);  // The outage was short and the buffer large.
  EXPECT_GT(totals.targets.stats_missed, 0u);         // Ticks while the server was down are counted.
  EXPECT_GT(totals.targets.stats_delivered, 0u);
  // Delivery resumed after the restart: the new subscriber sees the last line printed. It travels
  // on the subscriber's own connection, so it may arrive a little after the publisher's reply.
  const auto saw_last_line = [&] {
    for (const SubscribedMessage& message : subscriber.messages()) {
      if (message.payload == "line 1499\n") return true;  // Published with its newline, as shim-logs did.
    }
    return false;
  };
  EXPECT_TRUE(scheduler.run_until(saw_last_line, 5000)) << subscriber.messages().size() << " messages seen";
}

TEST(PushersOnRealRedis, ServerStoppedAndRestartedMidRunNothingLostUnaccounted) {
  boost::asio::io_context io;
  RealServer server;
  run_outage(io, server);
}

TEST(PushersOnRespFake, ServerStoppedAndRestartedMidRunNothingLostUnaccounted) {
  boost::asio::io_context io;
  FakeServer server(io);
  run_outage(io, server);
}

}  // namespace
}  // namespace zsim::adapters
