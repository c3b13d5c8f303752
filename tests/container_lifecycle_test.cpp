// A container's life after provisioning, through the whole engine: decommission on delete and on
// expiry (SIGTERM up to 3 times 1 s apart, then SIGKILL; unmount; leave the network; release
// capacity; stop the pushers), the crash policy, daemon restarts and node reboots.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;

std::vector<TraceLine> lines_for(const TestWorld& w, std::string_view kind, const std::string& name,
                                 std::string_view key = "name") {
  std::vector<TraceLine> lines;
  for (TraceLine& line : w.trace(kind, "node-1")) {
    if (line.field(key) == name) lines.push_back(std::move(line));
  }
  return lines;
}

void with_endpoints(nlohmann::json& payload, const std::string& tag) {
  payload["logs"] = {{{"type", "redis"},
                      {"data", {{"stdout", fmt::format("redis://{}/{}-out", redis_a, tag)},
                                {"stderr", fmt::format("redis://{}/{}-err", redis_a, tag)}}}}};
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", fmt::format("redis://{}/{}-stats", redis_a, tag)}}}}};
}

void expect_released(TestWorld& w) {
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.explorer().capacity(w.node_id()), core::CapacityUsage{});
  EXPECT_EQ(w.node().networks().addresses_in_use(), 0u);
  EXPECT_EQ(w.node().containers_running(), 0u);
}

TEST(ContainerLifecycle, DeleteSendsSigtermThreeTimesOneSecondApartThenSigkillAndReleasesEverything) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  with_endpoints(payload, "stubborn");
  const std::string id = w.deliver_container(payload);
  fakes::ContainerProgram stubborn;
  stubborn.ignores_sigterm = true;
  w.runtime().set_program(id, stubborn);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(10'000);
  ASSERT_GT(w.redis().messages(redis_a, "stubborn-stats"), 3u);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  const std::vector<TraceLine> signals = lines_for(w, "signal", id);
  ASSERT_EQ(signals.size(), 4u);
  for (std::size_t index = 0; index < 3; index += 1) {
    EXPECT_EQ(signals[index].field("signal"), "term");
    EXPECT_EQ(signals[index].field("ignored"), "true");
    EXPECT_EQ(signals[index].time_ms, signals[0].time_ms + 1'000 * static_cast<std::int64_t>(index));
  }
  EXPECT_EQ(signals[3].field("signal"), "kill");
  EXPECT_EQ(signals[3].time_ms, signals[0].time_ms + 3'000);
  const std::vector<TraceLine> exits = lines_for(w, "container_exit", id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].field("code"), std::to_string(fakes::exit_code_sigkill));
  // Unmounted after the container died, before "deleted" went out.
  const std::vector<TraceLine> unmounts = lines_for(w, "unmount", id);
  ASSERT_EQ(unmounts.size(), 1u);
  EXPECT_GE(unmounts[0].time_ms, signals[3].time_ms);
  EXPECT_LE(unmounts[0].time_ms, w.trace("explorer_result").back().time_ms);
  expect_released(w);
  // The pushers stop: no stats after the decommission, every connection closed once drained.
  const std::uint64_t stats = w.redis().messages(redis_a, "stubborn-stats");
  w.run_for(30'000);
  EXPECT_EQ(w.redis().messages(redis_a, "stubborn-stats"), stats);
  EXPECT_EQ(w.redis().connections_open(), 0u);
}

TEST(ContainerLifecycle, ContainerThatHonoursSigtermGetsOneAndNoSigkill) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  const std::vector<TraceLine> signals = lines_for(w, "signal", id);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].field("signal"), "term");
  EXPECT_EQ(w.runtime().counts().kills, 0u);
  const std::vector<TraceLine> exits = lines_for(w, "container_exit", id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].field("code"), std::to_string(fakes::exit_code_sigterm));
  expect_released(w);
}

TEST(ContainerLifecycle, ExpiryDecommissionsLikeADelete) {
  TestWorld w;
  Delivery delivery;
  delivery.duration_ms = 90'000;
  const std::int64_t expires_ms = (w.now_ms() / 1000) * 1000 + 90'000;
  nlohmann::json payload = w.container_payload();
  with_endpoints(payload, "expiring");
  const std::string id = w.deliver_container(payload, delivery);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(expires_ms - w.now_ms() - 1);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  const std::vector<TraceLine> signals = lines_for(w, "signal", id);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_GE(signals[0].time_ms, expires_ms);
  expect_released(w);
  w.run_for(10'000);
  EXPECT_EQ(w.redis().connections_open(), 0u);
}

TEST(CrashPolicy, ExitedContainerIsRestartedAfterTwoSeconds) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(5'000);
  const std::int64_t crashed_ms = w.now_ms();
  ASSERT_TRUE(w.runtime().crash(id).ok());
  w.run_for(1'999);
  EXPECT_TRUE(w.runtime().running().empty());
  w.run_for(1);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  const std::vector<TraceLine> starts = lines_for(w, "container_start", id);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].time_ms, crashed_ms + 2'000);
  EXPECT_EQ(starts[1].field("ip"), starts[0].field("ip"));
  w.run_for(60'000);
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{1, 512, 1024, 0}));
}

TEST(CrashPolicy, FourExitsWithinAMinuteSendDeletedThenTheError) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  with_endpoints(payload, "crasher");
  const std::string id = w.deliver_container(payload);
  fakes::ContainerProgram crasher;
  crasher.exit_after_ms = 5'000;
  crasher.crash = true;
  w.runtime().set_program(id, crasher);
  ASSERT_TRUE(w.run_until_results(id, 3, 60'000));
  const std::vector<core::ProvisionResult> results = w.results(id);
  // zos's order (engine.go DecommissionCached): the decommission sends "deleted", then the error.
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted, ResultState::error}));
  EXPECT_EQ(results[2].message, "deleting container due to so many crashes");
  const std::vector<TraceLine> exits = lines_for(w, "container_exit", id);
  ASSERT_EQ(exits.size(), 4u);
  EXPECT_LE(exits[3].time_ms - exits[0].time_ms, 60'000);
  EXPECT_EQ(lines_for(w, "container_start", id).size(), 4u);
  expect_released(w);
  w.run_for(60'000);
  EXPECT_EQ(w.states(id).size(), 3u);
  EXPECT_EQ(w.runtime().counts().starts, 4u);
  EXPECT_EQ(w.redis().connections_open(), 0u);
}

// Crashes n milliseconds apart (each after the 2 s restart of the one before); returns the states.
std::vector<ResultState> crash_at_offsets(TestWorld& w, const std::string& id, const std::vector<std::int64_t>& gaps_ms) {
  for (const std::int64_t gap_ms : gaps_ms) {
    w.run_for(gap_ms);
    EXPECT_TRUE(w.runtime().crash(id).ok()) << "at +" << gap_ms;
  }
  w.run_for(10'000);
  return w.states(id);
}

TEST(CrashPolicy, AFourthExitAtExactlyOneMinuteAfterTheFirstStillCounts) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  // Exits at +0, +20 s, +40 s and +60 s: the window opened at the first one is still open at the
  // fourth (it expires only once now is past its expiry).
  const std::vector<ResultState> states = crash_at_offsets(w, id, {5'000, 20'000, 20'000, 20'000});
  EXPECT_EQ(states, (std::vector<ResultState>{ResultState::ok, ResultState::deleted, ResultState::error}));
  const std::vector<TraceLine> exits = lines_for(w, "container_exit", id);
  ASSERT_EQ(exits.size(), 4u);
  EXPECT_EQ(exits[3].time_ms - exits[0].time_ms, 60'000);
  expect_released(w);
}

TEST(CrashPolicy, LaterExitsDoNotExtendTheWindowOfTheFirst) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  // Exits at +0, +50 s, +70 s, +80 s and +90 s. The window of the first closes at +60 s with two
  // exits in it; the next window opens at +70 s and holds three. A sliding minute would have seen
  // four exits at +90 s (+50, +70, +80, +90) and given up.
  const std::vector<ResultState> states = crash_at_offsets(w, id, {5'000, 50'000, 20'000, 10'000, 10'000});
  EXPECT_EQ(states, std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(lines_for(w, "container_exit", id).size(), 5u);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
}

TEST(CrashPolicy, ThreeExitsPerMinuteKeepRestartingForever) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  fakes::ContainerProgram flaky;
  flaky.exit_after_ms = 23'000;  // With the 2 s restart delay: an exit every 25 s, 3 in any minute.
  flaky.exit_code = 1;
  w.runtime().set_program(id, flaky);
  w.run_for(300'000);
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_GE(lines_for(w, "container_exit", id).size(), 10u);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
}

TEST(DaemonRestart, KeepsTheCacheReattachesWithoutProvisioningAgainAndResendsResults) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  with_endpoints(payload, "kept");
  const std::string id = w.deliver_container(payload);
  const std::string volume = w.deliver_volume(1, "hdd");
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_TRUE(w.run_until_results(volume, 1, 20'000));
  w.run_for(10'000);
  const core::CapacityUsage used = w.node().used();
  const std::uint64_t lines_before = w.redis().messages(redis_a, "kept-out");
  w.world().restart_daemon(0);
  EXPECT_EQ(w.node().used(), used);  // Restored from the cache at once.
  w.run_for(30'000);
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::ok}));
  EXPECT_EQ(w.results(id)[1].data_json, w.results(id)[0].data_json);
  EXPECT_EQ(w.states(volume), (std::vector<ResultState>{ResultState::ok, ResultState::ok}));
  EXPECT_EQ(w.runtime().counts().starts, 1u);
  EXPECT_EQ(w.runtime().counts().mounts, 1u);
  EXPECT_EQ(lines_for(w, "container_attach", id).size(), 1u);
  EXPECT_EQ(w.trace("provision_start", "node-1").size(), 1u);
  EXPECT_EQ(w.node().used(), used);
  EXPECT_EQ(w.explorer().capacity(w.node_id()), used);
  EXPECT_GT(w.redis().messages(redis_a, "kept-out"), lines_before + 20);  // Logs flow again.
  // The flist cache survived: a new container of the same flist downloads nothing.
  const std::string second = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(second, 1, 20'000));
  EXPECT_EQ(w.hub().flist_downloads(), 1u);
  // And the restored container is decommissioned as any other.
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 3, 30'000));
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{second});
}

TEST(DaemonRestart, ContainerThatDiedWhileTheDaemonWasAwayIsStartedAgain) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  // The exit happens while no daemon watches (the crash is scheduled, the restart is immediate).
  w.world().node(0).node.reset();
  ASSERT_TRUE(w.runtime().crash(id).ok());
  w.run_for(100);
  EXPECT_TRUE(w.runtime().running().empty());
  w.world().node(0).node = std::make_unique<core::Node>(
      w.world().node(0).config,
      core::NodePorts{w.world().scheduler(), w.explorer(), w.hub(), w.runtime(), w.redis(), *w.world().node(0).store,
                      *w.world().node(0).rng, *w.world().node(0).events, *w.world().node(0).faults,
                      w.world().signer()});
  w.node().start();
  w.run_for(20'000);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  // The re-provision signs the same result in the same second as the first; the explorer keeps
  // one result per workload, so it is stored once and counted as a duplicate.
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.explorer().counts().results_duplicate, 1u);
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{1, 512, 1024, 0}));
}

TEST(NodeReboot, WipesTheCacheExceptVolumesAndFlistsAndProvisionsEveryLiveWorkloadAgainWithTheSameIps) {
  TestWorld w;
  const std::uint64_t reservation = w.next_reservation_id();
  Delivery volume_delivery;
  volume_delivery.reservation_id = reservation;
  const std::string volume = w.deliver_volume(2, "ssd", volume_delivery);
  nlohmann::json with_volume = w.container_payload();
  with_volume["volumes"] = {{{"volume_id", volume}, {"mountpoint", "/data"}}};
  Delivery container_delivery;
  container_delivery.reservation_id = reservation;
  container_delivery.workload_number = 2;
  const std::string first = w.deliver_container(with_volume, container_delivery);
  const nlohmann::json plain = w.container_payload();
  const std::string second = w.deliver_container(plain);
  const std::string gone = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(first, 1, 20'000));
  ASSERT_TRUE(w.run_until_results(second, 1, 20'000));
  ASSERT_TRUE(w.run_until_results(gone, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(gone).ok());
  ASSERT_TRUE(w.run_until_results(gone, 2, 30'000));
  const core::CapacityUsage used = w.node().used();
  EXPECT_EQ(used, (core::CapacityUsage{2, 1024, 2048 + 2048, 0}));
  w.world().reboot_node(0);
  // Right after the reboot only the volume is known: its record survived in the cache, as did
  // the flists (both are on the node's disk).
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{0, 0, 2048, 0}));
  EXPECT_TRUE(w.world().node(0).store->keys("workload/").empty());
  EXPECT_EQ(w.world().node(0).store->keys("flist/").size(), 1u);
  EXPECT_EQ(w.world().node(0).store->keys("volume/").size(), 1u);
  w.run_for(30'000);
  EXPECT_EQ(w.runtime().running(), (std::vector<std::string>{first, second}));
  EXPECT_EQ(w.runtime().spec(first)->ipv4, with_volume["network_connection"][0]["ipaddress"]);
  EXPECT_EQ(w.runtime().spec(second)->ipv4, plain["network_connection"][0]["ipaddress"]);
  EXPECT_EQ(w.runtime().bind_mounts(first).size(), 1u);
  EXPECT_EQ(w.trace("volume_create", "node-1").size(), 1u);  // The volume and its data were kept.
  EXPECT_EQ(w.runtime().volumes(), std::vector<std::string>{volume});
  EXPECT_EQ(w.node().used(), used);
  EXPECT_EQ(w.explorer().capacity(w.node_id()), used);
  EXPECT_EQ(w.hub().flist_downloads(), 1u);  // The .md5 matched the kept flist: no second download.
  EXPECT_EQ(w.states(first), (std::vector<ResultState>{ResultState::ok, ResultState::ok}));
  EXPECT_EQ(w.results(first)[1].data_json, w.results(first)[0].data_json);
  EXPECT_EQ(w.states(gone), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
}

TEST(DaemonRestart, DuringTheIpv6WaitLeavesNoOrphanContainer) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["public_ip6"] = true;
  with_endpoints(payload, "ipv6");
  const std::string id = w.deliver_container(payload);
  // Run until the container has started and waits for its address (3 s in the fake runtime).
  for (int step = 0; step < 400 && w.runtime().running().empty(); step += 1) w.run_for(50);
  ASSERT_EQ(w.runtime().running(), std::vector<std::string>{id});
  w.run_for(1'000);
  ASSERT_TRUE(w.results(id).empty());
  w.world().restart_daemon(0);
  ASSERT_TRUE(w.run_until_results(id, 1, 30'000));
  w.run_for(30'000);
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  EXPECT_EQ(w.runtime().mounts().size(), 1u);
  EXPECT_EQ(lines_for(w, "reap_unfinished", id, "workload").size(), 1u);
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{1, 512, 1024, 0}));
  EXPECT_EQ(w.node().networks().addresses_in_use(), 1u);
  const std::string ipv6 = w.runtime().public_ipv6(id).value();
  EXPECT_EQ(nlohmann::json::parse(w.results(id)[0].data_json).at("ipv6"), ipv6);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(10'000);
  expect_released(w);
  EXPECT_TRUE(w.world().node(0).store->keys("provisioning/").empty());
  EXPECT_EQ(w.redis().connections_open(), 0u);
}

}  // namespace
}  // namespace zsim::tests
