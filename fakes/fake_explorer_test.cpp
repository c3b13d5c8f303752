#include "fakes/fake_explorer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "core/result_signing.hpp"
#include "kernel/scheduler.hpp"

namespace zsim::fakes {
namespace {

// A node identity made with libsodium directly: core/identity.cpp lives on another branch.
struct TestNode {
  std::string id;
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> secret_key{};

  TestNode(std::string node_id, std::uint8_t seed_byte) : id(std::move(node_id)) {
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    seed.fill(seed_byte);
    EXPECT_GE(sodium_init(), 0);
    crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
  }

  core::ProvisionResult result(const std::string& workload_id, core::ResultState state, std::string message) const {
    core::ProvisionResult result;
    result.workload_id = workload_id;
    result.state = state;
    result.message = std::move(message);
    result.data_json = state == core::ResultState::ok ? R"({"id":"x","ipv4":"10.1.1.2","ipv6":""})" : "";
    result.node_id = id;
    const std::string bytes = fakes::result_signing_bytes(result);
    std::array<unsigned char, crypto_sign_BYTES> signature{};
    crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                         secret_key.data());
    std::array<char, 2 * crypto_sign_BYTES + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), signature.data(), signature.size());
    result.signature_hex = hex.data();
    return result;
  }
};

core::Workload make_workload(std::uint64_t reservation_id, std::uint64_t number, std::int64_t created_s = 0,
                             std::int64_t duration_s = 3600) {
  core::Workload workload;
  workload.id = fmt::format("{}-{}", reservation_id, number);
  workload.reservation_id = reservation_id;
  workload.created_s = created_s;
  workload.duration_s = duration_s;
  workload.payload_json = "{}";
  return workload;
}

std::vector<std::string> ids(const std::vector<core::Workload>& workloads) {
  std::vector<std::string> out;
  for (const auto& workload : workloads) out.push_back(workload.id);
  return out;
}

class FakeExplorerTest : public ::testing::Test {
 protected:
  FakeExplorerTest() {
    trace.keep_lines(100000);
    explorer.register_node(node.id, node.public_key);
    explorer.register_node(other.id, other.public_key);
  }

  // Polls and runs the scheduler until the answer arrives.
  core::Expected<std::vector<core::Workload>> poll(const std::string& node_id, std::uint64_t from) {
    std::optional<core::Expected<std::vector<core::Workload>>> answer;
    explorer.poll(node_id, from, [&](core::Expected<std::vector<core::Workload>> got) { answer = std::move(got); });
    EXPECT_FALSE(answer.has_value());  // Never answered inside the call.
    while (!answer.has_value() && scheduler.run_next()) {
    }
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(core::Error{"no answer"});
  }

  core::Status submit(const core::ProvisionResult& result) {
    std::optional<core::Status> answer;
    explorer.submit_result(result, [&](core::Status status) { answer = std::move(status); });
    EXPECT_FALSE(answer.has_value());
    while (!answer.has_value() && scheduler.run_next()) {
    }
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(core::Error{"no answer"});
  }

  bool trace_has(std::string_view needle) const {
    for (const auto& line : trace.lines()) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  kernel::VirtualScheduler scheduler{0};
  kernel::Trace trace;
  FakeExplorer explorer{scheduler, trace, "-", kernel::Prng(7)};
  TestNode node{"node-a", 1};
  TestNode other{"node-b", 2};
};

TEST_F(FakeExplorerTest, WorkloadIsInvisibleUntilPaid) {
  explorer.add_workload(node.id, make_workload(1, 1), 5000);
  EXPECT_EQ(explorer.state("1-1"), NextAction::pay);
  auto early = poll(node.id, 0);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early.value().empty());
  scheduler.run_until(5000);
  EXPECT_EQ(explorer.state("1-1"), NextAction::deploy);
  auto later = poll(node.id, 0);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later.value().size(), 1u);
  EXPECT_EQ(later.value()[0].id, "1-1");
  EXPECT_FALSE(later.value()[0].to_delete);
  EXPECT_TRUE(poll(other.id, 0).value().empty());  // Another node's poll never sees it.
}

// zos #672: a node polling from the last id seen misses a lower id paid after a higher one.
TEST_F(FakeExplorerTest, LowerIdPaidAfterHigherIdIsMissedByTheCursor) {
  explorer.add_workload(node.id, make_workload(10, 1), 5000);
  explorer.add_workload(node.id, make_workload(11, 1), 1000);
  scheduler.run_until(2000);
  const auto first = poll(node.id, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids(first.value()), std::vector<std::string>{"11-1"});
  const std::uint64_t cursor = first.value().back().reservation_id + 1;
  scheduler.run_until(6000);
  EXPECT_EQ(explorer.state("10-1"), NextAction::deploy);
  EXPECT_TRUE(poll(node.id, cursor).value().empty());
  EXPECT_EQ(ids(poll(node.id, 0).value()), (std::vector<std::string>{"10-1", "11-1"}));
  EXPECT_EQ(ids(poll(node.id, 11).value()), std::vector<std::string>{"11-1"});
}

TEST_F(FakeExplorerTest, OrderIsReservationThenWorkloadNumber) {
  explorer.add_workload(node.id, make_workload(5, 10), 0);
  explorer.add_workload(node.id, make_workload(5, 2), 0);
  explorer.add_workload(node.id, make_workload(3, 1), 0);
  explorer.add_workload(node.id, make_workload(40, 1), 0);
  scheduler.run_until(1);
  EXPECT_EQ(ids(poll(node.id, 0).value()), (std::vector<std::string>{"3-1", "5-2", "5-10", "40-1"}));
  EXPECT_EQ(ids(explorer.workloads()), (std::vector<std::string>{"3-1", "5-2", "5-10", "40-1"}));
}

TEST_F(FakeExplorerTest, DeleteIsPolledWhateverTheCursorUntilDeletedResult) {
  explorer.add_workload(node.id, make_workload(2, 1), 0);
  scheduler.run_until(10);
  ASSERT_TRUE(explorer.request_delete("2-1").ok());
  EXPECT_EQ(explorer.state("2-1"), NextAction::to_delete);
  const auto polled = poll(node.id, 1000);
  ASSERT_EQ(polled.value().size(), 1u);
  EXPECT_TRUE(polled.value()[0].to_delete);
  ASSERT_TRUE(submit(node.result("2-1", core::ResultState::deleted, "")).ok());
  EXPECT_EQ(explorer.state("2-1"), NextAction::deleted);
  EXPECT_TRUE(poll(node.id, 0).value().empty());
  EXPECT_EQ(explorer.request_delete("2-1").error(), "workload 2-1 is already deleted");
  EXPECT_EQ(explorer.request_delete("9-9").error(), "workload not found: 9-9");
  EXPECT_TRUE(trace_has("explorer_delete workload=2-1"));
}

TEST_F(FakeExplorerTest, ExpiryMovesADeployedWorkloadToDelete) {
  explorer.add_workload(node.id, make_workload(3, 1, /*created_s=*/0, /*duration_s=*/60), 1000);
  scheduler.run_until(59'999);
  EXPECT_EQ(explorer.state("3-1"), NextAction::deploy);
  scheduler.run_until(60'000);
  EXPECT_EQ(explorer.state("3-1"), NextAction::to_delete);
  EXPECT_TRUE(poll(node.id, 0).value().at(0).to_delete);
  EXPECT_EQ(explorer.counts().expiries, 1u);
  EXPECT_TRUE(trace_has("60000 - explorer_expire workload=3-1"));
}

TEST_F(FakeExplorerTest, ExpiryBeforePaymentMakesItInvalidAndNeverVisible) {
  explorer.add_workload(node.id, make_workload(4, 1, 0, 10), 20'000);
  scheduler.run_until(30'000);
  EXPECT_EQ(explorer.state("4-1"), NextAction::invalid);
  EXPECT_TRUE(poll(node.id, 0).value().empty());
}

TEST_F(FakeExplorerTest, ResultsAreKeptInArrivalOrderAndDeletedEndsPolling) {
  explorer.add_workload(node.id, make_workload(6, 1), 0);
  scheduler.run_until(1);
  ASSERT_TRUE(submit(node.result("6-1", core::ResultState::error, "network n1 is not installed on this node")).ok());
  ASSERT_TRUE(submit(node.result("6-1", core::ResultState::ok, "")).ok());
  EXPECT_EQ(explorer.state("6-1"), NextAction::deploy);  // ok and error leave the state alone.
  ASSERT_TRUE(submit(node.result("6-1", core::ResultState::deleted, "rolled back")).ok());
  const auto& results = explorer.results("6-1");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].state, core::ResultState::error);
  EXPECT_EQ(results[1].state, core::ResultState::ok);
  EXPECT_EQ(results[2].state, core::ResultState::deleted);
  EXPECT_EQ(results[2].message, "rolled back");
  EXPECT_EQ(explorer.state("6-1"), NextAction::deleted);
  // The message is in the trace, percent-encoded so that the line keeps its shape.
  EXPECT_TRUE(trace_has("message=network%20n1%20is%20not%20installed%20on%20this%20node"));
  EXPECT_TRUE(explorer.results("nope").empty());
}

TEST_F(FakeExplorerTest, ResultsWithBadSignatureOrWrongNodeAreRejected) {
  explorer.add_workload(node.id, make_workload(7, 1), 0);
  scheduler.run_until(1);
  core::ProvisionResult tampered = node.result("7-1", core::ResultState::ok, "");
  tampered.message = "changed after signing";
  EXPECT_EQ(submit(tampered).error(), "invalid signature");
  core::ProvisionResult garbage = node.result("7-1", core::ResultState::ok, "");
  garbage.signature_hex = "zz";
  EXPECT_EQ(submit(garbage).error(), "invalid signature");
  // Signed by the other node's key but claiming to be this node.
  core::ProvisionResult forged = other.result("7-1", core::ResultState::ok, "");
  forged.node_id = node.id;
  EXPECT_EQ(submit(forged).error(), "invalid signature");
  EXPECT_EQ(submit(other.result("7-1", core::ResultState::ok, "")).error(), "workload 7-1 is not assigned to node node-b");
  core::ProvisionResult stranger = node.result("7-1", core::ResultState::ok, "");
  stranger.node_id = "node-z";
  EXPECT_EQ(submit(stranger).error(), "unknown node: node-z");
  EXPECT_EQ(submit(node.result("8-1", core::ResultState::ok, "")).error(), "workload not found: 8-1");
  EXPECT_TRUE(explorer.results("7-1").empty());
  EXPECT_EQ(explorer.counts().results_rejected, 6u);
  EXPECT_TRUE(submit(node.result("7-1", core::ResultState::ok, "")).ok());
  EXPECT_EQ(explorer.results("7-1").size(), 1u);
}

// A valid ed25519 signature that is not the deterministic one: R from a nonce of our own rather
// than from the hash of the key and the message (S = r + H(R || A || M) a mod L). Every verifier
// accepts it; an explorer that only compared against the deterministic signature would not.
std::string signature_with_own_nonce(const TestNode& signer, const std::string& message, std::uint8_t nonce_byte) {
  std::array<unsigned char, crypto_hash_sha512_BYTES> expanded{};
  crypto_hash_sha512(expanded.data(), signer.secret_key.data(), 32);  // The seed is the first half.
  expanded[0] &= 248;
  expanded[31] &= 127;
  expanded[31] |= 64;
  std::array<unsigned char, 64> wide{};
  std::copy(expanded.begin(), expanded.begin() + 32, wide.begin());
  std::array<unsigned char, 32> a{};
  crypto_core_ed25519_scalar_reduce(a.data(), wide.data());
  wide.fill(nonce_byte);
  std::array<unsigned char, 32> r{};
  crypto_core_ed25519_scalar_reduce(r.data(), wide.data());
  std::array<unsigned char, 64> signature{};
  EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(signature.data(), r.data()), 0);
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  crypto_hash_sha512_update(&state, signature.data(), 32);
  crypto_hash_sha512_update(&state, signer.public_key.data(), 32);
  crypto_hash_sha512_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  std::array<unsigned char, 64> digest{};
  crypto_hash_sha512_final(&state, digest.data());
  std::array<unsigned char, 32> k{};
  crypto_core_ed25519_scalar_reduce(k.data(), digest.data());
  std::array<unsigned char, 32> ka{};
  crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
  crypto_core_ed25519_scalar_add(signature.data() + 32, r.data(), ka.data());
  std::array<char, 2 * 64 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), signature.data(), signature.size());
  return hex.data();
}

// With a signature ledger the explorer takes the node's own signatures without verifying them;
// every answer must still be the one full verification gives: the node's signature accepted (and,
// its entry used up, accepted again by verification), a valid signature made with another nonce
// accepted, tampered, flipped, forged, upper-case and garbage ones judged as verification judges them.
TEST(FakeExplorerSignatureLedger, AnswersAsFullVerificationDoes) {
  const TestNode node("node-a", 1);
  const TestNode other("node-b", 2);
  for (const bool with_ledger : {false, true}) {
    SCOPED_TRACE(with_ledger ? "with a signature ledger" : "verifying every signature");
    kernel::VirtualScheduler scheduler;
    kernel::Trace trace;
    FakeExplorer explorer(scheduler, trace, "-", kernel::Prng(3));
    core::KeySigner key_signer;
    SignatureLedger ledger(key_signer);
    if (with_ledger) explorer.use_signature_ledger(&ledger);
    explorer.register_node(node.id, node.public_key);
    const core::Identity identity{node.public_key, node.secret_key};
    std::uint64_t reservation = 1;
    const auto submit = [&](const core::ProvisionResult& result) {
      // Each on a workload of its own, so that an accepted one does not make the next a duplicate.
      const std::uint64_t id = reservation++;
      EXPECT_EQ(result.workload_id, fmt::format("{}-1", id));
      explorer.add_workload(node.id, make_workload(id, 1), 0);
      scheduler.run_until(scheduler.now_ms() + 1);
      std::optional<core::Status> answer;
      explorer.submit_result(result, [&](core::Status status) { answer = std::move(status); });
      while (!answer && scheduler.run_next()) {
      }
      EXPECT_TRUE(answer.has_value());
      return answer.value_or(core::Error{"no answer"});
    };
    // Signed as a daemon signs: through the ledger (which signs with libsodium and remembers).
    const auto signed_by_node = [&](std::uint64_t id) {
      core::ProvisionResult result = node.result(fmt::format("{}-1", id), core::ResultState::ok, "");
      result.signature_hex = ledger.sign_hex(identity, fakes::result_signing_bytes(result));
      return result;
    };
    core::ProvisionResult first = signed_by_node(reservation);
    EXPECT_TRUE(submit(first).ok());
    EXPECT_EQ(ledger.size(), with_ledger ? 0u : 1u);  // Taken by the explorer that asks the ledger.
    core::ProvisionResult again = node.result(fmt::format("{}-1", reservation), core::ResultState::ok, "");
    EXPECT_TRUE(submit(again).ok());  // The same bytes and signature, verified this time.
    core::ProvisionResult own_nonce = signed_by_node(reservation);
    const std::string deterministic = own_nonce.signature_hex;
    own_nonce.signature_hex = signature_with_own_nonce(node, fakes::result_signing_bytes(own_nonce), 7);
    EXPECT_NE(own_nonce.signature_hex, deterministic);
    EXPECT_TRUE(submit(own_nonce).ok());
    core::ProvisionResult upper = signed_by_node(reservation);
    for (char& digit : upper.signature_hex) digit = static_cast<char>(std::toupper(static_cast<unsigned char>(digit)));
    EXPECT_TRUE(submit(upper).ok());  // Hex digits of either case decode to the same bytes.
    core::ProvisionResult tampered = signed_by_node(reservation);
    tampered.message = "changed after signing";
    EXPECT_EQ(submit(tampered).error(), "invalid signature");
    core::ProvisionResult flipped = signed_by_node(reservation);
    flipped.signature_hex[10] = flipped.signature_hex[10] == '0' ? '1' : '0';
    EXPECT_EQ(submit(flipped).error(), "invalid signature");
    core::ProvisionResult forged = other.result(fmt::format("{}-1", reservation), core::ResultState::ok, "");
    forged.node_id = node.id;
    EXPECT_EQ(submit(forged).error(), "invalid signature");
    core::ProvisionResult garbage = signed_by_node(reservation);
    garbage.signature_hex = "zz";
    EXPECT_EQ(submit(garbage).error(), "invalid signature");
  }
}

TEST_F(FakeExplorerTest, DownFailsPollAndSubmitUntilHealed) {
  explorer.add_workload(node.id, make_workload(1, 1), 0);
  scheduler.run_until(1);
  explorer.set_down(true);
  EXPECT_EQ(poll(node.id, 0).error(), "explorer unreachable");
  EXPECT_EQ(submit(node.result("1-1", core::ResultState::ok, "")).error(), "explorer unreachable");
  explorer.report_capacity(node.id, core::CapacityUsage{1, 2, 3, 4});
  scheduler.run_until(2);
  EXPECT_FALSE(explorer.capacity(node.id).has_value());
  explorer.set_down(false);
  EXPECT_EQ(poll(node.id, 0).value().size(), 1u);
  EXPECT_TRUE(submit(node.result("1-1", core::ResultState::ok, "")).ok());
  EXPECT_EQ(explorer.counts().polls_failed, 1u);
  EXPECT_EQ(explorer.counts().submissions_failed, 1u);
}

TEST_F(FakeExplorerTest, LatencyDelaysEveryAnswer) {
  explorer.set_latency_ms(750);
  bool answered = false;
  explorer.poll(node.id, 0, [&](core::Expected<std::vector<core::Workload>>) { answered = true; });
  scheduler.run_until(749);
  EXPECT_FALSE(answered);
  scheduler.run_until(750);
  EXPECT_TRUE(answered);
  explorer.set_latency_ms(0);
  answered = false;
  explorer.poll(node.id, 0, [&](core::Expected<std::vector<core::Workload>>) { answered = true; });
  EXPECT_FALSE(answered);
  scheduler.run_until(750);
  EXPECT_TRUE(answered);
}

TEST_F(FakeExplorerTest, SubmitFailuresCountDown) {
  explorer.add_workload(node.id, make_workload(1, 1), 0);
  scheduler.run_until(1);
  explorer.set_submit_failures(2);
  const auto result = node.result("1-1", core::ResultState::ok, "");
  EXPECT_EQ(submit(result).error(), "result submission failed: explorer answered 500");
  EXPECT_EQ(submit(result).error(), "result submission failed: explorer answered 500");
  EXPECT_TRUE(submit(result).ok());
  EXPECT_EQ(explorer.results("1-1").size(), 1u);
}

// Runs 200 submissions under a failure rate and returns which failed.
std::vector<bool> failure_pattern(std::uint64_t seed, std::uint64_t numerator, std::uint64_t denominator) {
  kernel::VirtualScheduler scheduler;
  kernel::Trace trace;
  FakeExplorer explorer(scheduler, trace, "-", kernel::Prng(seed));
  TestNode node("n", 3);
  explorer.register_node(node.id, node.public_key);
  explorer.add_workload(node.id, make_workload(1, 1), 0);
  explorer.set_submit_failure_rate(numerator, denominator);
  std::vector<bool> failed;
  for (int index = 0; index < 200; index += 1) {
    explorer.submit_result(node.result("1-1", core::ResultState::ok, ""),
                           [&](core::Status status) { failed.push_back(!status.ok()); });
    scheduler.run_until(scheduler.now_ms() + 1);
  }
  return failed;
}

TEST(FakeExplorerRate, FailureRateIsSeededAndHeals) {
  const std::vector<bool> half = failure_pattern(11, 1, 2);
  ASSERT_EQ(half.size(), 200u);
  const auto failures = std::count(half.begin(), half.end(), true);
  EXPECT_GT(failures, 60);
  EXPECT_LT(failures, 140);
  EXPECT_EQ(half, failure_pattern(11, 1, 2));
  EXPECT_NE(half, failure_pattern(12, 1, 2));
  const std::vector<bool> healed = failure_pattern(11, 0, 1);
  EXPECT_EQ(std::count(healed.begin(), healed.end(), true), 0);
}

TEST_F(FakeExplorerTest, CapacityReportKeepsTheLastPerNode) {
  explorer.report_capacity(node.id, core::CapacityUsage{1, 1024, 256, 0});
  explorer.report_capacity(node.id, core::CapacityUsage{2, 2048, 512, 0});
  EXPECT_FALSE(explorer.capacity(node.id).has_value());  // Fire and forget, still asynchronous.
  scheduler.run_until(1);
  EXPECT_EQ(explorer.capacity(node.id), (core::CapacityUsage{2, 2048, 512, 0}));
  EXPECT_EQ(explorer.counts().capacity_reports, 2u);
}

TEST_F(FakeExplorerTest, CountsByState) {
  explorer.add_workload(node.id, make_workload(1, 1), 0);
  explorer.add_workload(node.id, make_workload(2, 1), 0);
  explorer.add_workload(node.id, make_workload(3, 1), 100'000);
  scheduler.run_until(1);
  ASSERT_TRUE(explorer.request_delete("2-1").ok());
  EXPECT_EQ(explorer.workload_count(), 3u);
  EXPECT_EQ(explorer.count_in_state(NextAction::deploy), 1u);
  EXPECT_EQ(explorer.count_in_state(NextAction::to_delete), 1u);
  EXPECT_EQ(explorer.count_in_state(NextAction::pay), 1u);
  EXPECT_EQ(explorer.node_of("3-1"), node.id);
}

std::string scenario_hash(std::uint64_t seed) {
  kernel::VirtualScheduler scheduler;
  kernel::Trace trace;
  FakeExplorer explorer(scheduler, trace, "-", kernel::Prng(seed));
  TestNode node("n", 5);
  explorer.register_node(node.id, node.public_key);
  explorer.set_submit_failure_rate(1, 3);
  for (std::uint64_t id = 1; id <= 20; id += 1) {
    explorer.add_workload(node.id, make_workload(id, 1, 0, 30 + static_cast<std::int64_t>(id)), (21 - id) * 100);
  }
  for (int round = 0; round < 40; round += 1) {
    explorer.poll(node.id, 0, [&](core::Expected<std::vector<core::Workload>> got) {
      if (!got.ok()) return;
      for (const auto& workload : got.value()) {
        const auto state = workload.to_delete ? core::ResultState::deleted : core::ResultState::ok;
        explorer.submit_result(node.result(workload.id, state, ""), [](core::Status) {});
      }
    });
    scheduler.run_until(scheduler.now_ms() + 1000);
  }
  return trace.hash_hex();
}

TEST(FakeExplorerDeterminism, SameSeedSameTraceHash) {
  EXPECT_EQ(scenario_hash(1), scenario_hash(1));
  EXPECT_NE(scenario_hash(1), scenario_hash(2));
}

}  // namespace
}  // namespace zsim::fakes
