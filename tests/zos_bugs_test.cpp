// One scenario per known Zero-OS bug of docs/ZOS.md, each showing that our core does not
// have it: the real core and the fakes in virtual time, the failure the bug caused checked not to
// happen.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "kernel/prng.hpp"
#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;

std::vector<TraceLine> lines_for(const TestWorld& w, std::string_view kind, const std::string& name) {
  std::vector<TraceLine> lines;
  for (TraceLine& line : w.trace(kind, "node-1")) {
    if (line.field("name") == name || line.field("workload") == name) lines.push_back(std::move(line));
  }
  return lines;
}

void with_logs(nlohmann::json& payload, std::string_view address, const std::string& tag) {
  payload["logs"] = {{{"type", "redis"},
                      {"data", {{"stdout", fmt::format("redis://{}/{}-out", address, tag)},
                                {"stderr", fmt::format("redis://{}/{}-err", address, tag)}}}}};
}

std::int64_t next_poll_ms(const TestWorld& w) {
  return sim::world_epoch_ms + ((w.now_ms() - sim::world_epoch_ms) / poll_interval_ms + 1) * poll_interval_ms;
}

// --- Logs: #943 and #1236 ------------------------------------------------------------------------

TEST(ZosBugs, ZosBug943_RedisDownNeverBlocksOrKillsTheContainer) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  with_logs(payload, redis_a, "down");
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", fmt::format("redis://{}/down-stats", redis_a)}}}}};
  const std::string id = w.deliver_container(payload);
  fakes::ContainerProgram chatty;
  chatty.line_interval_ms = 200;
  w.runtime().set_program(id, chatty);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(10'000);
  const std::uint64_t delivered_before = w.world().delivery_totals(0).targets.lines_delivered;
  ASSERT_GT(delivered_before, 40u);
  w.redis().set_down(redis_a, true);
  w.run_for(60'000);
  // The container printed on as if nothing happened: no exit, no signal, no restart.
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  EXPECT_EQ(w.runtime().counts().exits, 0u);
  EXPECT_EQ(w.runtime().counts().starts, 1u);
  EXPECT_TRUE(lines_for(w, "signal", id).empty());
  core::DeliveryCounters totals = w.world().delivery_totals(0).targets;
  EXPECT_GE(totals.lines_produced, delivered_before + 290);
  EXPECT_LE(totals.lines_delivered, delivered_before + 1);
  EXPECT_EQ(totals.lines_delivered + totals.lines_dropped + totals.lines_buffered + totals.lines_in_flight,
            totals.lines_produced);
  // zos never reconnected; ours does, and what was buffered goes out.
  w.redis().set_down(redis_a, false);
  w.run_for(30'000);
  totals = w.world().delivery_totals(0).targets;
  EXPECT_GE(totals.lines_delivered, delivered_before + 400);
  EXPECT_GT(w.redis().messages(redis_a, "down-stats"), 0u);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(10'000);
  totals = w.world().delivery_totals(0).targets;
  EXPECT_EQ(totals.lines_delivered + totals.lines_dropped, totals.lines_produced);
  EXPECT_EQ(totals.lines_delivered, w.redis().messages(redis_a, "down-out") + w.redis().messages(redis_a, "down-err"));
}

TEST(ZosBugs, ZosBug943_RedisUnreachableForTheWholeLifeDropsEveryLineCountedAndNothingElse) {
  TestWorld w;
  w.redis().set_down(redis_b, true);
  nlohmann::json payload = w.container_payload();
  with_logs(payload, redis_b, "never");
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  w.run_for(60'000);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(10'000);
  // One exit only: the SIGTERM of the decommission.
  const std::vector<TraceLine> exits = lines_for(w, "container_exit", id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].field("code"), std::to_string(fakes::exit_code_sigterm));
  const core::DeliveryCounters totals = w.world().delivery_totals(0).targets;
  EXPECT_EQ(totals.lines_produced, std::stoull(exits[0].field("lines")));
  EXPECT_EQ(totals.lines_delivered, 0u);
  EXPECT_EQ(totals.lines_dropped, totals.lines_produced);
  EXPECT_GT(totals.lines_dropped, 50u);
  EXPECT_EQ(w.redis().connections_open(), 0u);
}

TEST(ZosBugs, ZosBug943_RedisRefusingEveryPublishNeverKillsTheContainer) {
  TestWorld w;
  w.redis().set_refusing(redis_a, true);
  nlohmann::json payload = w.container_payload();
  with_logs(payload, redis_a, "refused");
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(60'000);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  EXPECT_EQ(w.runtime().counts().exits, 0u);
  const core::DeliveryCounters totals = w.world().delivery_totals(0).targets;
  EXPECT_GT(totals.lines_dropped, 50u);
  EXPECT_EQ(totals.lines_delivered, 0u);
  EXPECT_EQ(totals.lines_dropped + totals.lines_buffered + totals.lines_in_flight, totals.lines_produced);
}

TEST(ZosBugs, ZosBug1236_LineLongerThan4096BytesIsFlushedInPiecesAndLoggingGoesOn) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  with_logs(payload, redis_a, "long");
  const std::string id = w.deliver_container(payload);
  fakes::ContainerProgram verbose;
  verbose.line_interval_ms = 500;
  verbose.long_line_every_n_lines = 3;
  verbose.chunk_split = 3;
  w.runtime().set_program(id, verbose);
  nlohmann::json exact_payload = w.container_payload();
  with_logs(exact_payload, redis_a, "exact");
  const std::string exact = w.deliver_container(exact_payload);
  fakes::ContainerProgram exact_program;
  exact_program.line_interval_ms = 500;
  exact_program.line_bytes = 4097;  // 4096 bytes and the newline: fills the buffer exactly.
  w.runtime().set_program(exact, exact_program);
  ChannelRecorder out(w.redis(), redis_a, "long-out");
  ChannelRecorder exact_out(w.redis(), redis_a, "exact-out");
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_TRUE(w.run_until_results(exact, 1, 20'000));
  w.run_for(20'000);
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.explorer().request_delete(exact).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  ASSERT_TRUE(w.run_until_results(exact, 2, 30'000));
  w.run_for(10'000);
  const std::uint64_t printed = std::stoull(lines_for(w, "container_exit", id).at(0).field("lines"));
  ASSERT_GE(printed, 40u);
  std::vector<std::string> want;
  std::uint64_t long_lines = 0;
  for (std::uint64_t line = 1; line <= printed; line += 1) {
    std::string text = fakes::line_text(verbose, id, line);
    text.pop_back();
    long_lines += fakes::line_is_long(verbose, line) ? 1 : 0;
    // Pieces of 4096 bytes; the last one carries the line's newline, as shim-logs published it.
    for (std::size_t at = 0; at < text.size(); at += 4096) want.push_back(text.substr(at, 4096));
    want.back().push_back('\n');
  }
  EXPECT_GE(long_lines, 13u);
  EXPECT_EQ(out.payloads, want);  // Every piece, in order, and every short line after each long one.
  const std::uint64_t exact_printed = std::stoull(lines_for(w, "container_exit", exact).at(0).field("lines"));
  ASSERT_EQ(exact_out.payloads.size(), exact_printed);
  for (const std::string& message : exact_out.payloads) EXPECT_EQ(message.size(), 4097u);  // 4096 and its newline.
  const core::PushersTotals totals = w.world().delivery_totals(0);
  EXPECT_EQ(totals.long_line_pieces, 2 * long_lines);
  EXPECT_EQ(totals.targets.lines_dropped, 0u);
}

// --- Networks: #758/#848 ----------------------------------------------------------------------------

TEST(ZosBugs, ZosBug758_848_IpOutsideTheSubnetIsRejectedBeforeAnythingStarts) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["ipaddress"] = "10.1.9.7";
  const std::string id = w.deliver_container(payload);
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  EXPECT_EQ(w.results(id)[0].message, "IP 10.1.9.7 is outside the subnet 10.1.1.0/24 of network net-1 on this node");
  // zos started the container and it failed later with "network is unreachable"; nothing ran here.
  EXPECT_EQ(w.runtime().counts().starts, 0u);
  EXPECT_EQ(w.runtime().counts().mounts, 0u);
  EXPECT_EQ(w.hub().md5_requests(), 0u);
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  // The subnet is per node: the address of node-2's subnet is refused on node-1 as well.
  nlohmann::json other_node = w.container_payload();
  other_node["network_connection"][0]["ipaddress"] = "10.1.2.10";
  const std::string other = w.deliver_container(other_node);
  ASSERT_TRUE(w.run_until_results(other, 2, 30'000));
  EXPECT_EQ(w.results(other)[0].message, "IP 10.1.2.10 is outside the subnet 10.1.1.0/24 of network net-1 on this node");
}

// --- Engine: #759 and #672 ---------------------------------------------------------------------------

TEST(ZosBugs, ZosBug759_ContainerAndItsVolumeInOneReservation) {
  TestWorld w;
  // The container is workload 1 and its volume workload 2: the explorer lists the container first.
  const std::uint64_t reservation = w.next_reservation_id();
  const std::string volume_id = fmt::format("{}-2", reservation);
  nlohmann::json payload = w.container_payload();
  payload["volumes"] = {{{"volume_id", volume_id}, {"mountpoint", "/var/lib/data"}}};
  Delivery container;
  container.reservation_id = reservation;
  container.workload_number = 1;
  const std::string id = w.deliver_container(payload, container);
  Delivery volume;
  volume.reservation_id = reservation;
  volume.workload_number = 2;
  ASSERT_EQ(w.deliver_volume(1, "ssd", volume), volume_id);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  EXPECT_EQ(w.states(volume_id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok}) << w.results(id)[0].message;
  const std::vector<core::BindMount> binds = w.runtime().bind_mounts(id);
  ASSERT_EQ(binds.size(), 1u);
  EXPECT_EQ(binds[0].volume_id, volume_id);
  EXPECT_EQ(binds[0].target, "/var/lib/data");
  // Deleting the reservation: the container lets go of the volume before the volume goes.
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.explorer().request_delete(volume_id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  ASSERT_TRUE(w.run_until_results(volume_id, 2, 30'000));
  EXPECT_TRUE(w.runtime().volumes().empty());
  for (const TraceLine& line : w.trace("volume_delete", "node-1")) EXPECT_EQ(line.field("outcome"), "deleted");
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

TEST(ZosBugs, ZosBug672_LowerIdThatBecomesDeployableLateIsPickedUpWithoutARestart) {
  TestWorld w;
  Delivery high;
  high.reservation_id = 10;
  const std::string high_id = w.deliver_container(w.container_payload(), high);
  Delivery low;
  low.reservation_id = 5;  // Created first, paid 30 s later than reservation 10.
  low.deploy_delay_ms = 30'000;
  const std::int64_t low_deploy_ms = w.now_ms() + 30'000;
  const std::string low_id = w.deliver_container(w.container_payload(), low);
  ASSERT_TRUE(w.run_until_results(low_id, 1, 120'000));
  EXPECT_EQ(w.states(high_id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.states(low_id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.world().node(0).daemon_restarts, 0u);
  EXPECT_EQ(w.world().node(0).reboots, 0u);
  const std::int64_t picked_ms = w.trace("explorer_result").back().time_ms;
  EXPECT_LE(picked_ms, low_deploy_ms + 60'000 + poll_interval_ms);
  // The bug's situation did arise: polls from the cursor (10) after the payment did not list it.
  std::size_t missed = 0;
  for (const TraceLine& poll : w.trace("explorer_poll")) {
    missed += poll.time_ms >= low_deploy_ms && poll.time_ms < picked_ms && poll.field("from") == "10" ? 1 : 0;
  }
  EXPECT_GE(missed, 1u);
}

// --- Capacity: #1037, #704/#839/#988 -----------------------------------------------------------------

// What a workload holds by its payload: the container's CPU, memory and root disk, or the volume.
core::CapacityUsage need_of(const core::Workload& workload) {
  core::CapacityUsage need;
  const nlohmann::json payload = nlohmann::json::parse(workload.payload_json);
  if (workload.type == core::WorkloadType::volume) {
    (payload["type"] == "hdd" ? need.hdd_mib : need.ssd_mib) = payload["size"].get<std::uint64_t>() * 1024;
    return need;
  }
  const nlohmann::json& capacity = payload["capacity"];
  need.cpu = capacity["cpu"];
  need.memory_mib = capacity["memory"];
  const std::uint64_t disk = capacity["disk_size"].get<std::uint64_t>() == 0 ? 256 : capacity["disk_size"].get<std::uint64_t>();
  (capacity["disk_type"] == "hdd" ? need.hdd_mib : need.ssd_mib) = disk;
  return need;
}

TEST(ZosBugs, ZosBug1037_704_839_988_TotalsAreNeverExceededAndReportedUsageIsRealUsage) {
  const core::CapacityUsage totals{8, 8192, 12 * 1024, 12 * 1024};
  TestWorld w(TestWorldOptions{.totals = totals});
  kernel::Prng prng(1037);
  std::vector<std::string> live;
  std::uint64_t refused = 0;
  for (int round = 0; round < 40; round += 1) {
    if (!live.empty() && prng.chance(1, 3)) {
      const std::size_t victim = prng.below(live.size());
      ASSERT_TRUE(w.explorer().request_delete(live[victim]).ok());
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
    } else if (prng.chance(1, 4)) {
      live.push_back(w.deliver_volume(prng.between(1, 4), prng.chance(1, 2) ? "ssd" : "hdd"));
    } else {
      nlohmann::json payload = w.container_payload();
      payload["capacity"] = {{"cpu", prng.between(1, 4)},
                             {"memory", 256 * prng.between(1, 12)},
                             {"disk_size", prng.chance(1, 4) ? 0 : 512 * prng.between(1, 8)},
                             {"disk_type", prng.chance(1, 2) ? "ssd" : "hdd"}};
      live.push_back(w.deliver_container(payload));
    }
    w.run_for(poll_interval_ms + 2'000);
    // Refused workloads are not live.
    std::vector<std::string> still;
    core::CapacityUsage want;
    for (const std::string& id : live) {
      const std::vector<ResultState> states = w.states(id);
      if (!states.empty() && states.front() == ResultState::error) {
        refused += 1;
        EXPECT_EQ(w.results(id)[0].message.rfind("not enough ", 0), 0u) << w.results(id)[0].message;
        continue;
      }
      ASSERT_EQ(states, std::vector<ResultState>{ResultState::ok}) << id;
      still.push_back(id);
      for (const core::Workload& workload : w.explorer().workloads()) {
        if (workload.id != id) continue;
        const core::CapacityUsage need = need_of(workload);
        want.cpu += need.cpu;
        want.memory_mib += need.memory_mib;
        want.ssd_mib += need.ssd_mib;
        want.hdd_mib += need.hdd_mib;
      }
    }
    live = still;
    const core::CapacityUsage used = w.node().used();
    EXPECT_LE(used.cpu, totals.cpu);
    EXPECT_LE(used.memory_mib, totals.memory_mib);
    EXPECT_LE(used.ssd_mib, totals.ssd_mib);
    EXPECT_LE(used.hdd_mib, totals.hdd_mib);
    EXPECT_EQ(used, want) << "round " << round;
    EXPECT_EQ(w.explorer().capacity(w.node_id()), used) << "round " << round;
  }
  EXPECT_GE(refused, 3u);  // The node was driven to its limits.
  for (const std::string& id : live) ASSERT_TRUE(w.explorer().request_delete(id).ok());
  w.run_for(3 * poll_interval_ms);
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.explorer().capacity(w.node_id()), core::CapacityUsage{});
}

// --- Lifecycle: #1017/#1268 and #403/#312/#1024 --------------------------------------------------------

TEST(ZosBugs, ZosBug1017_1268_RestartAfterTheFilesystemDaemonDiedRemounts) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.runtime().kill_fs_daemon();  // The container's mount goes stale.
  ASSERT_TRUE(w.runtime().crash(id).ok());
  w.run_for(5'000);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  EXPECT_EQ(lines_for(w, "container_remount", id).size(), 1u);
  const std::vector<TraceLine> starts = lines_for(w, "container_start", id);
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(starts[1].field("outcome"), "failed");  // zos stopped here for good.
  EXPECT_EQ(starts[2].field("outcome"), "started");
  ASSERT_EQ(w.runtime().mounts().size(), 1u);
  EXPECT_FALSE(w.runtime().mounts()[0].stale);
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{1, 512, 1024, 0}));
}

TEST(ZosBugs, ZosBug1017_1268_DaemonRestartAfterTheFilesystemDaemonDiedBringsTheContainerBack) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.runtime().kill_fs_daemon();
  w.world().restart_daemon(0);
  ASSERT_TRUE(w.runtime().crash(id).ok());
  w.run_for(10'000);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
  EXPECT_FALSE(w.runtime().mounts().at(0).stale);
  // The re-provision signs the same result in the same second as the first; the explorer keeps
  // one result per workload, so it is stored once and counted as a duplicate.
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.explorer().counts().results_duplicate, 1u);
}

TEST(ZosBugs, ZosBug403_312_1024_DeleteOfAContainerThatCrashedJustBeforeSucceeds) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(next_poll_ms(w) + 5'000 - w.now_ms());
  // It dies half a second before the poll that brings its delete, its restart 1.5 s away.
  w.run_for(next_poll_ms(w) - 500 - w.now_ms());
  ASSERT_TRUE(w.runtime().crash(id).ok());
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  w.run_for(5'000);
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_TRUE(lines_for(w, "signal", id).empty());  // Nothing left to signal.
  EXPECT_EQ(w.runtime().counts().starts, 1u);       // And it was not started again.
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.node().networks().addresses_in_use(), 0u);
}

TEST(ZosBugs, ZosBug403_312_1024_DeleteAfterTheMountWasRemovedSucceeds) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(next_poll_ms(w) - 500 - w.now_ms());
  ASSERT_TRUE(w.runtime().crash(id).ok());
  w.run_for(100);
  ASSERT_TRUE(w.runtime().unmount(id).ok());  // Someone cleaned up under the node's feet.
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.node().networks().addresses_in_use(), 0u);
}

TEST(ZosBugs, ZosBug403_312_1024_DeleteOfAVolumeAlreadyGoneSucceeds) {
  TestWorld w;
  const std::string volume = w.deliver_volume(2, "hdd");
  ASSERT_TRUE(w.run_until_results(volume, 1, 20'000));
  ASSERT_EQ(w.node().used(), (core::CapacityUsage{0, 0, 0, 2048}));
  ASSERT_TRUE(w.runtime().delete_volume(volume).ok());
  ASSERT_TRUE(w.explorer().request_delete(volume).ok());
  ASSERT_TRUE(w.run_until_results(volume, 2, 30'000));
  EXPECT_EQ(w.states(volume), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_TRUE(w.world().node(0).store->keys("volume/").empty());
}

TEST(ZosBugs, ZosBug403_312_1024_DeleteWithAStaleMountSucceeds) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.runtime().kill_fs_daemon();
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_TRUE(w.runtime().mounts().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

// --- Secrets ------------------------------------------------------------------------------------------

TEST(ZosBugs, SecretOfAnUnknownVersionIsAnErrorNotAnEmptyValue) {
  TestWorld w;
  for (const std::uint32_t version : {2u, 7u}) {
    nlohmann::json payload = w.container_payload();
    payload["secret_environment"] = {{"TOKEN", w.secret_for("user-1", 0, 1, "would-be-empty-in-zos")}};
    Delivery delivery;
    delivery.version = version;
    const std::string id = w.deliver_container(payload, delivery);
    ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
    EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
    EXPECT_EQ(w.results(id)[0].message,
              fmt::format("failed to decrypt secret env var 'TOKEN': unknown encryption version {}", version));
  }
  EXPECT_EQ(w.runtime().counts().starts, 0u);  // No container ran with TOKEN="".
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
}

// --- CPU: PR #1214 ------------------------------------------------------------------------------------

// The largest growth of cpu_usage between two stats messages, in ns.
std::uint64_t max_cpu_step_ns(TestWorld& w, bool zos_runtime) {
  w.runtime().set_cpu_limit_inverted(zos_runtime);
  nlohmann::json payload = w.container_payload();
  payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", fmt::format("redis://{}/cpu", redis_a)}}}}};
  const std::string id = w.deliver_container(payload);  // 1 CPU on a 16-core node.
  fakes::ContainerProgram busy;
  busy.cpu_millicores = 6'000;  // Wants six cores.
  w.runtime().set_program(id, busy);
  ChannelRecorder stats(w.redis(), redis_a, "cpu");
  EXPECT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(30'000);
  EXPECT_GE(stats.payloads.size(), 14u);
  std::uint64_t previous = 0;
  std::uint64_t max_step = 0;
  for (const std::string& message : stats.payloads) {
    const std::uint64_t cpu = nlohmann::json::parse(message).at("cpu_usage");
    max_step = std::max(max_step, cpu - previous);
    previous = cpu;
  }
  return max_step;
}

TEST(ZosBugs, ZosPr1214_CpuLimitIsEnforced) {
  TestWorld w;
  const std::uint64_t step_ns = max_cpu_step_ns(w, /*zos_runtime=*/false);
  // At most one core for the 2 s between two stats messages.
  EXPECT_LE(step_ns, 2'000'000'000u);
  EXPECT_GE(step_ns, 1'900'000'000u);  // And it does get its core.
  const std::vector<TraceLine> starts = w.trace("container_start", "node-1");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].field("cpu_limit_millicores"), "1000");
  // The same check catches the inverted quota of zos before the PR: the container got six cores.
  TestWorld zos;
  EXPECT_GT(max_cpu_step_ns(zos, /*zos_runtime=*/true), 2'000'000'000u);
}

}  // namespace
}  // namespace zsim::tests
