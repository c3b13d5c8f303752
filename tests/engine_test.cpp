// The node engine against the fake explorer, in virtual time: the poll cadence and cursor, the
// type order, the expiry scan, exactly one result and one "deleted" per workload, signed results,
// result resends with backoff and their give-up, re-delivery, and the engine-level errors that zos
// answered with silence (ours: an error result).

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "core/result_signing.hpp"
#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;

std::vector<TraceLine> results_of(const TestWorld& w, const std::string& id) {
  std::vector<TraceLine> lines;
  for (TraceLine& line : w.trace("explorer_result")) {
    if (line.field("workload") == id) lines.push_back(std::move(line));
  }
  return lines;
}

TEST(Engine, PollsEveryTenSecondsFromTheLastReservationIdSeen) {
  TestWorld w;
  Delivery delivery;
  delivery.reservation_id = 50;
  const std::string id = w.deliver_container(w.container_payload(), delivery);
  w.run_for(180'000);
  ASSERT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  const std::vector<TraceLine> polls = w.trace("explorer_poll");
  ASSERT_GE(polls.size(), 19u);
  EXPECT_EQ(polls.front().time_ms, sim::world_epoch_ms);
  EXPECT_EQ(polls.front().field("from"), "0");
  const std::vector<TraceLine> provisions = w.trace("provision_start", "node-1");
  ASSERT_EQ(provisions.size(), 1u);
  std::size_t after = 0;
  for (std::size_t index = 1; index < polls.size(); index += 1) {
    EXPECT_EQ(polls[index].time_ms - polls[index - 1].time_ms, poll_interval_ms);
    // Polls start from the highest reservation id seen (2, the networks', then 50), except the
    // resync from 0 every minute (the fix of zos #672).
    const bool resync = (polls[index].time_ms - sim::world_epoch_ms) % 60'000 == 0;
    const bool seen_50 = polls[index].time_ms > provisions[0].time_ms;
    after += seen_50 ? 1 : 0;
    const char* want = resync ? "0" : (seen_50 ? "50" : "2");
    EXPECT_EQ(polls[index].field("from"), want) << "poll at " << polls[index].time_ms;
  }
  EXPECT_GE(after, 15u);
}

// A resync that fails (the explorer is down at that minute) is tried again at the next poll that
// reaches the explorer, not a whole interval later: a reservation paid late with a lower id than
// the cursor is found only by a resync.
TEST(Engine, AFailedResyncIsRetriedByTheNextPoll) {
  TestWorld w;
  w.run_for(55'000);
  w.explorer().set_down(true);
  w.run_for(20'000);  // The polls at 60 s (a resync) and 70 s fail.
  w.explorer().set_down(false);
  w.run_for(10'000);
  const std::vector<TraceLine> polls = w.trace("explorer_poll");
  ASSERT_FALSE(polls.empty());
  const TraceLine& after_heal = polls.back();
  EXPECT_EQ(after_heal.time_ms - sim::world_epoch_ms, 80'000);
  EXPECT_EQ(after_heal.field("from"), "0");
  w.run_for(10'000);
  EXPECT_NE(w.trace("explorer_poll").back().field("from"), "0");  // The resync is done now.
}

TEST(Engine, NetworkIsInstalledBeforeTheContainerThatJoinsItInTheSamePoll) {
  TestWorld w;
  nlohmann::json payload = w.container_payload();
  payload["network_connection"][0]["network_id"] = "net-3";
  payload["network_connection"][0]["ipaddress"] = "10.3.1.5";
  Delivery container;
  container.reservation_id = 20;
  const std::string container_id = w.deliver_container(payload, container);
  Delivery network;
  network.reservation_id = 21;
  const std::string network_id = w.deliver_network("net-3", "10.3.1.0/24", network);
  ASSERT_TRUE(w.run_until_results(container_id, 1, 30'000));
  EXPECT_EQ(w.states(network_id), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.states(container_id), std::vector<ResultState>{ResultState::ok});
  std::vector<std::string> order;
  for (const TraceLine& line : w.trace("provision", "node-1")) order.push_back(line.field("workload"));
  const auto network_at = std::find(order.begin(), order.end(), network_id);
  const auto container_at = std::find(order.begin(), order.end(), container_id);
  ASSERT_NE(network_at, order.end());
  ASSERT_NE(container_at, order.end());
  EXPECT_LT(network_at, container_at);
}

TEST(Engine, ExpiryScanEvery20sDecommissionsEvenWhenTheExplorerIsUnreachable) {
  TestWorld w;
  Delivery delivery;
  delivery.duration_ms = 60'000;
  const std::int64_t created_ms = w.now_ms() / 1000 * 1000;
  const std::string id = w.deliver_container(w.container_payload(), delivery);
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_EQ(w.runtime().running(), std::vector<std::string>{id});
  // The explorer goes away: only the node's own scan can notice the expiry.
  w.explorer().set_down(true);
  const std::int64_t expires_ms = created_ms + 60'000;
  w.run_for(expires_ms + 25'000 - w.now_ms());
  const std::vector<TraceLine> decommissions = w.trace("decommission", "node-1");
  ASSERT_EQ(decommissions.size(), 1u);
  EXPECT_EQ(decommissions[0].field("workload"), id);
  EXPECT_GE(decommissions[0].time_ms, expires_ms);
  EXPECT_LE(decommissions[0].time_ms, expires_ms + 20'000);
  // The scan runs on its own 20 s grid from the daemon's start.
  EXPECT_EQ((decommissions[0].time_ms - sim::world_epoch_ms) % 20'000, 0);
  EXPECT_TRUE(w.runtime().running().empty());
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  // Once the explorer is back, the "deleted" that waited for it arrives, once.
  w.explorer().set_down(false);
  w.run_for(60'000);
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
}

TEST(Engine, EveryWorkloadGetsExactlyOneTerminalResultAndOneDeleted) {
  TestWorld w;
  const std::string good = w.deliver_container(w.container_payload());
  nlohmann::json bad_payload = w.container_payload();
  bad_payload["capacity"]["cpu"] = 0;
  const std::string bad = w.deliver_container(bad_payload);
  ASSERT_TRUE(w.run_until_results(good, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(good).ok());
  // Minutes of polls, resyncs and expiry scans must not add anything.
  w.run_for(300'000);
  EXPECT_EQ(w.states(good), (std::vector<ResultState>{ResultState::ok, ResultState::deleted}));
  EXPECT_EQ(w.states(bad), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  EXPECT_EQ(w.results(bad)[1].message, w.results(bad)[0].message);  // The explorer keeps the error text.
  EXPECT_EQ(w.explorer().state(good), fakes::NextAction::deleted);
  EXPECT_EQ(w.explorer().state(bad), fakes::NextAction::deleted);
}

TEST(Engine, ResultsAreSignedByTheNodeAndCarryEveryField) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  ASSERT_TRUE(w.explorer().request_delete(id).ok());
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  const std::vector<core::ProvisionResult> results = w.results(id);
  const std::vector<TraceLine> accepted = results_of(w, id);
  ASSERT_EQ(accepted.size(), 2u);
  const core::Identity identity = w.node_identity();
  for (std::size_t index = 0; index < results.size(); index += 1) {
    const core::ProvisionResult& result = results[index];
    EXPECT_EQ(result.workload_id, id);
    EXPECT_EQ(result.node_id, w.node_id());
    EXPECT_EQ(result.signature_hex.size(), 128u);
    EXPECT_TRUE(core::verify_result(identity.public_key, result));
    // Sent at once with no explorer latency: the epoch is the second it was accepted.
    EXPECT_EQ(result.epoch_s, accepted[index].time_ms / 1000);
    core::ProvisionResult tampered = result;
    tampered.data_json += " ";
    EXPECT_FALSE(core::verify_result(identity.public_key, tampered));
    tampered = result;
    tampered.state = result.state == ResultState::ok ? ResultState::error : ResultState::ok;
    EXPECT_FALSE(core::verify_result(identity.public_key, tampered));
  }
  // Signed by the node, not by anyone: another node's key does not verify it.
  TestWorld other(TestWorldOptions{.seed = 8});
  EXPECT_FALSE(core::verify_result(other.node_identity().public_key, results[0]));
  EXPECT_EQ(results[0].state, ResultState::ok);
  EXPECT_EQ(results[0].message, "");
  const nlohmann::json data = nlohmann::json::parse(results[0].data_json);
  EXPECT_EQ(data.at("id"), id);
  EXPECT_EQ(results[1].state, ResultState::deleted);
  EXPECT_EQ(results[1].data_json, "");
}

TEST(Engine, RefusedResultIsResentWithExponentialBackoff) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  w.explorer().set_submit_failures(6);
  ASSERT_TRUE(w.run_until_results(id, 1, 120'000));
  const std::vector<TraceLine> attempts = results_of(w, id);
  ASSERT_EQ(attempts.size(), 7u);
  for (std::size_t index = 0; index < 6; index += 1) EXPECT_EQ(attempts[index].field("outcome"), "failed");
  EXPECT_EQ(attempts[6].field("outcome"), "accepted");
  // 500 ms doubling, each with up to a quarter more of jitter, capped at 15 s.
  std::int64_t base_ms = 500;
  for (std::size_t index = 1; index < attempts.size(); index += 1) {
    const std::int64_t gap_ms = attempts[index].time_ms - attempts[index - 1].time_ms;
    EXPECT_GE(gap_ms, base_ms) << "attempt " << index;
    EXPECT_LE(gap_ms, base_ms + base_ms / 4) << "attempt " << index;
    base_ms = std::min<std::int64_t>(base_ms * 2, 15'000);
  }
  EXPECT_EQ(w.node().result_counters().retries, 6u);
  EXPECT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
}

TEST(Engine, ResultSenderGivesUpAfterThreeMinutesWithIntervalsCappedAt15s) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  w.explorer().set_submit_failure_rate(1, 1);
  w.run_for(300'000);
  const std::vector<TraceLine> attempts = results_of(w, id);
  ASSERT_GE(attempts.size(), 10u);
  for (std::size_t index = 1; index < attempts.size(); index += 1) {
    EXPECT_EQ(attempts[index].field("outcome"), "failed");
    EXPECT_LE(attempts[index].time_ms - attempts[index - 1].time_ms, 15'000 + 15'000 / 4);
  }
  const std::vector<TraceLine> given_up = w.trace("result_given_up", "node-1");
  ASSERT_EQ(given_up.size(), 1u);
  EXPECT_EQ(given_up[0].field("workload"), id);
  EXPECT_EQ(given_up[0].time_ms, attempts.back().time_ms);
  EXPECT_GE(given_up[0].time_ms - attempts.front().time_ms, 180'000);
  EXPECT_LT(given_up[0].time_ms - attempts.front().time_ms, 180'000 + 15'000 + 15'000 / 4);
  EXPECT_EQ(w.node().result_counters().given_up, 1u);
  EXPECT_TRUE(w.results(id).empty());
  // Nothing more is tried once given up.
  EXPECT_LT(attempts.back().time_ms, w.now_ms() - 60'000);
}

TEST(Engine, RedeliveryNeverProvisionsTwiceAndARestartResendsTheCachedResult) {
  TestWorld w;
  const std::string id = w.deliver_container(w.container_payload());
  // Three minutes of polls: the workload is listed again at every resync from id 0.
  w.run_for(180'000);
  ASSERT_EQ(w.states(id), std::vector<ResultState>{ResultState::ok});
  EXPECT_GE(w.trace("explorer_poll").size(), 18u);
  EXPECT_EQ(w.trace("provision_start", "node-1").size(), 1u);
  EXPECT_EQ(w.runtime().counts().starts, 1u);
  EXPECT_EQ(w.node().counters().results_resent, 0u);
  w.world().restart_daemon(0);
  w.run_for(30'000);
  ASSERT_EQ(w.states(id), (std::vector<ResultState>{ResultState::ok, ResultState::ok}));
  EXPECT_EQ(w.results(id)[1].data_json, w.results(id)[0].data_json);
  // Every cached workload's result goes out again: the container's and both networks'.
  EXPECT_EQ(w.node().counters().results_resent, 3u);
  EXPECT_EQ(w.states("1-1"), (std::vector<ResultState>{ResultState::ok, ResultState::ok}));
  EXPECT_EQ(w.trace("provision_start", "node-1").size(), 1u);
  EXPECT_EQ(w.runtime().counts().starts, 1u);
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{id});
}

// zos sent no result for these; the user waited forever. Ours answers with the zos message.
struct EngineErrorCase {
  const char* name;
  std::function<void(Delivery&, const TestWorld&)> adjust;
  std::string message_format;  // {} is the workload id.
};
// Without a printer GoogleTest prints a parameter byte by byte, std::function's uninitialised
// storage included (valgrind memcheck reported it).
void PrintTo(const EngineErrorCase& error_case, std::ostream* out) { *out << error_case.name; }

class EngineError : public ::testing::TestWithParam<EngineErrorCase> {};

TEST_P(EngineError, GetsAnErrorResultThenDeleted) {
  TestWorld w;
  Delivery delivery;
  GetParam().adjust(delivery, w);
  const std::string id = w.deliver(w.container_payload().dump(), delivery);
  ASSERT_TRUE(w.run_until_results(id, 2, 30'000));
  const std::string want = fmt::format(fmt::runtime(GetParam().message_format), id);
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  EXPECT_EQ(w.results(id)[0].message, want);
  EXPECT_EQ(w.runtime().counts().starts, 0u);
  EXPECT_EQ(w.hub().md5_requests(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    ZosSentNoResult, EngineError,
    ::testing::Values(
        EngineErrorCase{"NoDuration", [](Delivery& d, const TestWorld&) { d.duration_ms = 0; },
                        "reservation {} has not duration"},
        EngineErrorCase{"CreatedInTheFuture",
                        [](Delivery& d, const TestWorld& w) { d.created_s = w.now_ms() / 1000 + 3600; },
                        "wrong creation date in reservation {}"},
        EngineErrorCase{"Zdb", [](Delivery& d, const TestWorld&) { d.type = core::WorkloadType::zdb; },
                        "type of reservation not supported: zdb"},
        EngineErrorCase{"Kubernetes", [](Delivery& d, const TestWorld&) { d.type = core::WorkloadType::kubernetes; },
                        "type of reservation not supported: kubernetes"},
        EngineErrorCase{"Network", [](Delivery& d, const TestWorld&) { d.type = core::WorkloadType::network; },
                        "type of reservation not supported: network"}),
    [](const ::testing::TestParamInfo<EngineErrorCase>& info) { return std::string(info.param.name); });

TEST(Engine, WorkloadThatExpiresWhileQueuedGetsHasExpired) {
  TestWorld w;
  // A slow hub keeps the first container busy for 8 s; the second expires while it waits its turn.
  w.hub().set_latency_ms(4'000);
  const std::int64_t since_start_ms = w.now_ms() - sim::world_epoch_ms;
  const std::int64_t next_poll_ms = sim::world_epoch_ms + (since_start_ms / poll_interval_ms + 1) * poll_interval_ms;
  w.run_for(next_poll_ms - 1'000 - w.now_ms());
  const std::string slow = w.deliver_container(w.container_payload());
  Delivery short_lived;
  short_lived.created_s = w.now_ms() / 1000;
  short_lived.duration_ms = (next_poll_ms + 2'000) - *short_lived.created_s * 1000;
  const std::string expiring = w.deliver_container(w.container_payload(), short_lived);
  ASSERT_TRUE(w.run_until_results(expiring, 2, 30'000));
  EXPECT_EQ(w.states(expiring), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  EXPECT_EQ(w.results(expiring)[0].message, fmt::format("reservation {} has expired", expiring));
  ASSERT_TRUE(w.run_until_results(slow, 1, 30'000));
  EXPECT_EQ(w.states(slow), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.runtime().running(), std::vector<std::string>{slow});
}

TEST(Engine, ProcessesOneWorkloadAtATime) {
  TestWorld w;
  w.hub().set_latency_ms(1'500);  // Each provision takes a few seconds.
  std::vector<std::string> ids;
  for (int index = 0; index < 3; index += 1) ids.push_back(w.deliver_container(w.container_payload()));
  ASSERT_TRUE(w.run_until_results(ids.back(), 1, 60'000));
  const std::vector<TraceLine> starts = w.trace("provision_start", "node-1");
  const std::vector<TraceLine> oks = w.trace("provision_ok", "node-1");
  ASSERT_EQ(starts.size(), 3u);
  ASSERT_EQ(oks.size(), 3u);
  for (std::size_t index = 0; index < 3; index += 1) {
    EXPECT_EQ(starts[index].field("workload"), ids[index]);  // In reservation id order.
    EXPECT_EQ(oks[index].field("workload"), ids[index]);
    if (index > 0) {
      EXPECT_GE(starts[index].time_ms, oks[index - 1].time_ms);
    }
  }
}

TEST(Engine, EachNodeProvisionsOnlyItsOwnWorkloads) {
  TestWorld w(TestWorldOptions{.nodes = 2});
  Delivery to_second;
  to_second.node = 1;
  const std::string on_second = w.deliver_container(w.container_payload(1), to_second);
  const std::string on_first = w.deliver_container(w.container_payload(0));
  ASSERT_TRUE(w.run_until_results(on_second, 1, 20'000));
  ASSERT_TRUE(w.run_until_results(on_first, 1, 20'000));
  EXPECT_EQ(w.runtime(0).running(), std::vector<std::string>{on_first});
  EXPECT_EQ(w.runtime(1).running(), std::vector<std::string>{on_second});
  EXPECT_EQ(w.results(on_second)[0].node_id, w.node_id(1));
  EXPECT_EQ(w.results(on_first)[0].node_id, w.node_id(0));
  EXPECT_EQ(w.runtime(1).spec(on_second)->ipv4, "10.1.2.10");
}

// The same seed and the same scenario give the same trace, byte for byte.
std::string scenario_trace_hash(std::uint64_t seed) {
  TestWorld w(TestWorldOptions{.seed = seed});
  w.explorer().set_submit_failure_rate(1, 4);
  nlohmann::json payload = w.container_payload();
  payload["logs"] = {{{"type", "redis"}, {"data", {{"stdout", "redis://10.1.0.1/o"}, {"stderr", "redis://10.1.0.1/e"}}}}};
  payload["secret_environment"] = {{"TOKEN", w.secret_for("user-1", 0, 1, "deterministic")}};
  const std::string id = w.deliver_container(payload);
  w.redis().set_drop_rate(redis_a, 1, 10);
  w.run_for(30'000);
  (void)w.runtime().crash(id);
  w.world().restart_daemon(0);
  w.run_for(30'000);
  (void)w.explorer().request_delete(id);
  w.run_for(60'000);
  return w.world().trace().hash_hex();
}

TEST(Engine, SameSeedGivesTheSameTrace) {
  EXPECT_EQ(scenario_trace_hash(11), scenario_trace_hash(11));
  EXPECT_NE(scenario_trace_hash(11), scenario_trace_hash(12));
}

}  // namespace
}  // namespace zsim::tests
