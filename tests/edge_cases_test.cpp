// Races between the engine's jobs, the expiry scan, the crash policy and the runtime's slow
// answers: what is released must be released whatever order things happen in.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;

std::int64_t next_poll_ms(const TestWorld& w) {
  return sim::world_epoch_ms + ((w.now_ms() - sim::world_epoch_ms) / poll_interval_ms + 1) * poll_interval_ms;
}

// A volume and the container that uses it, in one reservation, with one duration.
struct Pair {
  std::string volume;
  std::string container;
};

Pair deliver_pair(TestWorld& w, std::int64_t duration_ms) {
  const std::uint64_t reservation = w.next_reservation_id();
  Delivery delivery;
  delivery.reservation_id = reservation;
  delivery.duration_ms = duration_ms;
  Pair pair;
  pair.volume = w.deliver_volume(1, "ssd", delivery);
  nlohmann::json payload = w.container_payload();
  payload["volumes"] = {{{"volume_id", pair.volume}, {"mountpoint", "/data"}}};
  delivery.workload_number = 2;
  pair.container = w.deliver_container(payload, delivery);
  return pair;
}

TEST(EdgeCases, VolumeAndItsContainerExpiringTogetherLeaveNoVolumeOnDisk) {
  TestWorld w;
  const Pair pair = deliver_pair(w, 60'000);
  ASSERT_TRUE(w.run_until_results(pair.container, 1, 20'000));
  ASSERT_EQ(w.states(pair.container), std::vector<ResultState>{ResultState::ok});
  // Only the node's expiry scan sees the expiry.
  w.explorer().set_down(true);
  w.run_for(90'000);
  w.explorer().set_down(false);
  w.run_for(60'000);
  EXPECT_EQ(w.states(pair.volume), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_EQ(w.states(pair.container), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().volumes().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

TEST(EdgeCases, VolumeDeletedWhileItsContainerRunsIsDeletedOnceTheContainerLetsGo) {
  TestWorld w;
  const Pair pair = deliver_pair(w, 3'600'000);
  ASSERT_TRUE(w.run_until_results(pair.container, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(pair.volume).ok());
  w.run_for(30'000);
  // While the volume is on disk its capacity is used.
  if (!w.runtime().volumes().empty()) {
    EXPECT_EQ(w.node().used().ssd_mib, 1024u + 1024u);
  }
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{pair.container});
  ASSERT_TRUE(w.explorer().request_delete(pair.container).ok());
  w.run_for(60'000);
  EXPECT_EQ(w.states(pair.volume), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_EQ(w.states(pair.container), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_TRUE(w.runtime().volumes().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.explorer().capacity(w.node_id()), core::CapacityUsage{});
}

TEST(EdgeCases, DeleteWhileARemountIsPendingLeavesNoMount) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.runtime().set_mount_latency_ms(4'000);
  w.runtime().kill_fs_daemon();  // The restart will fail on the stale mount and mount again.
  // Crash 2.5 s before a poll: the restart fails and remounts 0.5 s before the poll that brings the
  // delete; the new mount answers 3.5 s after that poll.
  w.run_for(next_poll_ms(w) + 5'000 - w.now_ms());
  w.run_for(next_poll_ms(w) - 2'500 - w.now_ms());
  ASSERT_TRUE(w.runtime().crash(id).ok());
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(20'000);
  ASSERT_EQ(w.trace("container_remount", "node-1").size(), 1u);
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

TEST(EdgeCases, DeletedBeforeItWasEverDeployedGetsOnlyDeleted) {
  TestWorld w;
  Delivery late;
  late.deploy_delay_ms = 60'000;  // Not paid yet.
  const std::string id = w.deliver_container(w.container_payload(), late);
  w.run_for(15'000);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  w.run_for(120'000);
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::deleted});
  EXPECT_EQ(w.runtime().counts().starts, 0u);
  EXPECT_EQ(w.hub().md5_requests(), 0u);
}

TEST(EdgeCases, DaemonRestartInTheMiddleOfADecommissionStillDecommissions) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  fakes::ContainerProgram stubborn;
  stubborn.ignores_sigterm = true;
  w.runtime().set_program(id, stubborn);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  // Stop the daemon between the first and the second SIGTERM.
  for (int step = 0; step < 400 && w.runtime().counts().terms == 0; step += 1) w.run_for(50);
  ASSERT_EQ(w.runtime().counts().terms, 1u);
  w.run_for(500);
  w.world().restart_daemon(0);
  ASSERT_TRUE(w.run_until_results(id, 2, 60'000));
  w.run_for(20'000);
  const std::vector<ResultState> states = w.states(id);
  EXPECT_EQ(states.back(), ResultState::deleted);
  EXPECT_EQ(std::count(states.begin(), states.end(), ResultState::deleted), 1);
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.node().networks().addresses_in_use(), 0u);
}

TEST(EdgeCases, NodeRebootInTheMiddleOfADecommissionStillEndsWithDeleted) {
  TestWorld w;
  const Pair pair = deliver_pair(w, 3'600'000);
  fakes::ContainerProgram stubborn;
  stubborn.ignores_sigterm = true;
  w.runtime().set_program(pair.container, stubborn);
  ASSERT_TRUE(w.run_until_results(pair.container, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(pair.container).ok());
  ASSERT_TRUE(w.explorer().request_delete(pair.volume).ok());
  for (int step = 0; step < 400 && w.runtime().counts().terms == 0; step += 1) w.run_for(50);
  ASSERT_EQ(w.runtime().counts().terms, 1u);
  w.world().reboot_node(0);
  w.run_for(60'000);
  EXPECT_EQ(w.states(pair.container).back(), ResultState::deleted);
  EXPECT_EQ(w.states(pair.volume).back(), ResultState::deleted);
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_TRUE(w.runtime().volumes().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

TEST(EdgeCases, SelfDecommissionAndAUserDeleteAtOnceSendOneDeleted) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  fakes::ContainerProgram crasher;
  crasher.exit_after_ms = 3'000;
  crasher.crash = true;
  w.runtime().set_program(id, crasher);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  // The fourth exit comes about 15 s after the start; the user deletes it at about the same time.
  w.run_for(14'000);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  w.run_for(60'000);
  const std::vector<ResultState> states = w.states(id);
  EXPECT_EQ(std::count(states.begin(), states.end(), ResultState::deleted), 1);
  // Whichever came first ends it: the user's delete (ok, deleted) or the crash policy, which sends
  // "deleted" and then its error, in zos's order (ok, deleted, error).
  EXPECT_TRUE(states == (std::vector<ResultState>{ResultState::ok, ResultState::deleted}) ||
              states == (std::vector<ResultState>{ResultState::ok, ResultState::deleted, ResultState::error}));
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

// Step 10 rolled back: the router never gives the pub interface an address (the "no IPv6" fault),
// so the wait gives up after 2 minutes with zos's message and gives back everything the earlier
// steps took (zos v0.4.5 skipped that rollback).
TEST(EdgeCases, Ipv6WaitWithoutAnAddressFailsAfterTwoMinutesAndRollsBackEveryStep) {
  TestWorld w;
  w.runtime().set_no_ipv6(true);
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["public_ip6"] = true;
  payload["logs"] = {{{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.1/o"}, {"stderr", "redis://10.1.0.1/e"}}}}};
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 2, 200'000));
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  EXPECT_EQ(w.results(id)[0].message,
            "error reading container ipv6: failed to get an IP for interface pub: waiting for more addresses");
  const std::int64_t started_ms = w.trace("container_started", "node-1").at(0).time_ms;
  const std::int64_t failed_ms = w.trace("provision_error", "node-1").at(0).time_ms;
  // The first failed try past 2 minutes gives up; a try is at most 30 s (20 s + 50 %) after the last.
  EXPECT_GT(failed_ms - started_ms, 120'000);
  EXPECT_LE(failed_ms - started_ms, 150'000);
  w.run_for(10'000);
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().exited().empty());
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_FALSE(w.runtime().has_network_namespace(id));
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.node().networks().addresses_in_use(), 0u);
  EXPECT_EQ(w.redis().connections_open(), 0u);
  EXPECT_TRUE(w.world().node(0).store->keys("provisioning/").empty());
}

// zos's backoff (cenkalti/backoff with MaxInterval 20 s): the interval starts at 500 ms and grows by
// half each try up to 20 s, and each wait is drawn within +-50 % of it.
TEST(EdgeCases, Ipv6WaitFollowsZosRandomisedBackoff) {
  TestWorld w;
  w.runtime().set_no_ipv6(true);
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["public_ip6"] = true;
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 2, 200'000));
  const std::vector<TraceLine> waits = w.trace("ipv6_wait", "node-1");
  ASSERT_GE(waits.size(), 10u);
  std::int64_t interval_ms = 500;
  std::int64_t waited_ms = 0;
  bool any_off_centre = false;
  for (const TraceLine& wait : waits) {
    const std::int64_t delay_ms = std::stoll(wait.field("delay_ms"));
    EXPECT_GE(delay_ms, interval_ms - interval_ms / 2);
    EXPECT_LE(delay_ms, interval_ms + interval_ms / 2);
    any_off_centre = any_off_centre || delay_ms != interval_ms;
    waited_ms += delay_ms;
    interval_ms = std::min<std::int64_t>(interval_ms + interval_ms / 2, 20'000);
  }
  EXPECT_TRUE(any_off_centre);  // The jitter is drawn, not constant.
  EXPECT_EQ(interval_ms, 20'000);
  // The last wait brought the elapsed time past 2 minutes; the one before it did not.
  const std::int64_t last_ms = std::stoll(waits.back().field("delay_ms"));
  EXPECT_GT(waited_ms, 120'000);
  EXPECT_LE(waited_ms - last_ms, 120'000);
}

// The process exits while its public IPv6 is awaited: the crash policy restarts it as at any other
// time, the address (on the pub interface of the namespace, which the exit does not remove) comes,
// and the provision answers ok; the reservation queued behind it is provisioned right after.
TEST(EdgeCases, AnExitDuringTheIpv6WaitIsRestartedAndTheProvisionAnswersOk) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["public_ip6"] = true;
  const std::string id = w.deliver_container(payload);
  const std::string behind = w.deliver_container(w.container_payload());
  fakes::ContainerProgram early;
  early.exit_after_ms = 1'000;
  early.exit_code = 1;
  w.runtime().set_program(id, early);
  ASSERT_TRUE(w.run_until_results(id, 1, 30'000));
  ASSERT_TRUE(w.run_until_results(behind, 1, 5'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.states(behind), std::vector<ResultState>{ResultState::ok});
  const nlohmann::json data = nlohmann::json::parse(w.results(id)[0].data_json);
  EXPECT_EQ(data.at("ipv6").get<std::string>(), w.runtime().public_ipv6(id).value());
  const std::int64_t started_ms = w.trace("container_started", "node-1").at(0).time_ms;
  EXPECT_LT(w.results(id)[0].epoch_s * 1000, started_ms + 10'000);
  EXPECT_GE(w.trace("container_restarted", "node-1").size(), 1u);
}

}  // namespace
}  // namespace zsim::tests
