#pragma once
// The tfexplorer as nodes see it: the source of workloads and the sink of their results.
//
// A workload gets its reservation id when the user creates it, but nodes see it only once it is
// paid (deploy_at_ms). A lower id can therefore become visible after a higher one, and a node
// polling "from the last id seen" misses it: that is zos bug #672 ("reservation not picked up until
// restart"), and this fake keeps it possible on purpose. A workload moves to delete when the delete
// quorum signs (request_delete) or when it expires (created_s + duration_s), and to deleted when
// the node sends a "deleted" result. Results are verified against the node's ed25519 key and kept
// in arrival order, all of them, so a checker can count terminal and deleted results.
//
// Every answer is asynchronous: it runs on the scheduler at now + latency, where the explorer
// also evaluates its faults (down, submission failures), as a request arriving after the latency.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "kernel/prng.hpp"
#include "kernel/trace.hpp"
#include "fakes/signature_ledger.hpp"

namespace zsim::fakes {

// tfexplorer's next_action values. Nodes see only deploy and delete.
enum class NextAction : std::uint8_t { create = 0, sign = 1, pay = 2, deploy = 3, to_delete = 4, invalid = 5, deleted = 6 };
std::string_view to_string(NextAction action);
std::string_view to_string(core::ResultState state);

// What a node signs for a result: byte(state) || message || data_json.
std::string result_signing_bytes(const core::ProvisionResult& result);

struct ExplorerCounts {
  std::uint64_t polls = 0;
  std::uint64_t polls_failed = 0;
  std::uint64_t results_accepted = 0;
  std::uint64_t results_duplicate = 0;  // The same signed result again: stored once.
  std::uint64_t results_rejected = 0;  // Bad signature, unknown workload or node, wrong node.
  std::uint64_t submissions_failed = 0;  // Down or an injected submission failure.
  std::uint64_t deletes_requested = 0;
  std::uint64_t expiries = 0;
  std::uint64_t capacity_reports = 0;
};

class FakeExplorer final : public core::Explorer {
 public:
  static constexpr std::size_t workloads_max = 1'000'000;
  static constexpr std::size_t results_per_workload_max = 100'000;
  static constexpr std::size_t nodes_max = 100'000;
  static constexpr std::int64_t latency_max_ms = 3'600'000;

  // label names the explorer in trace lines ("-" for a world component).
  FakeExplorer(core::Scheduler& scheduler, kernel::Trace& trace, std::string label, kernel::Prng prng);
  FakeExplorer(const FakeExplorer&) = delete;
  FakeExplorer& operator=(const FakeExplorer&) = delete;

  // --- The world's side ---------------------------------------------------------------------
  // The key that verifies the node's results (Identity::public_key of the node).
  void register_node(const std::string& node_id, const std::array<std::uint8_t, 32>& public_key);
  // The signatures the world's nodes made (fakes/signature_ledger.hpp): a result whose signature
  // the ledger made with the node's key over its exact bytes needs no verification; every other
  // one is verified in full. Null (the default): every signature is verified. Must outlive this.
  void use_signature_ledger(SignatureLedger* ledger) { ledger_ = ledger; }
  // A workload created now, with its id already assigned; nodes see it from deploy_at_ms (when it
  // is paid). Its id must be "<reservation_id>-<n>" and unique.
  void add_workload(const std::string& node_id, core::Workload workload, std::int64_t deploy_at_ms);
  // The delete quorum signed: the node sees the workload with to_delete = true until it answers
  // "deleted". Error "workload not found: ID", or "workload ID is already deleted".
  core::Status request_delete(const std::string& workload_id);

  // The order a poll lists workloads in. The explorer's own is ascending (reservation id, then
  // workload number); descending lets a scenario show what a node does with the order it is given.
  enum class PollOrder : std::uint8_t { ascending, descending };
  void set_poll_order(PollOrder order);

  // --- Faults, each healed by setting it back -----------------------------------------------
  void set_down(bool down);  // poll and submit fail "explorer unreachable".
  void set_latency_ms(std::int64_t latency_ms);
  void set_submit_failures(std::uint64_t count);  // The next count submissions fail.
  void set_submit_failure_rate(std::uint64_t numerator, std::uint64_t denominator);  // 0/1 heals.

  // --- core::Explorer -----------------------------------------------------------------------
  void poll(const std::string& node_id, std::uint64_t from_reservation_id, PollDone done) override;
  void submit_result(const core::ProvisionResult& result, std::function<void(core::Status)> done) override;
  void report_capacity(const std::string& node_id, const core::CapacityUsage& used) override;

  // --- Queries for checkers -----------------------------------------------------------------
  // Accepted results in arrival order; empty for an unknown workload.
  const std::vector<core::ProvisionResult>& results(const std::string& workload_id) const;
  // When the explorer took results(workload_id)[index], as a rank among every result it took
  // (1 for the first); comparing two ranks orders results of different workloads.
  std::uint64_t accepted_rank(const std::string& workload_id, std::size_t index) const;
  // Every workload, ordered by reservation id then workload number; to_delete reflects the state.
  std::vector<core::Workload> workloads() const;
  // Null when no workload has this id.
  const core::Workload* workload(const std::string& workload_id) const;
  std::optional<NextAction> state(const std::string& workload_id) const;
  std::optional<std::string> node_of(const std::string& workload_id) const;
  std::optional<core::CapacityUsage> capacity(const std::string& node_id) const;
  std::size_t workload_count() const { return entries_.size(); }
  std::size_t count_in_state(NextAction action) const;
  const ExplorerCounts& counts() const { return counts_; }

 private:
  // Poll order: reservation id, then the workload number after the dash, then the id text.
  struct Key {
    std::uint64_t reservation_id = 0;
    std::uint64_t workload_number = 0;
    std::string id;
    auto operator<=>(const Key&) const = default;
  };
  struct Entry {
    core::Workload workload;
    std::string node_id;
    NextAction action = NextAction::pay;
    std::int64_t deploy_at_ms = 0;
    std::vector<core::ProvisionResult> results;
    std::vector<std::uint64_t> ranks;  // accepted_rank of each result.
  };
  // Per node, the keys a poll may return, split by state so a poll reads only what it answers.
  struct NodeIndex {
    std::set<Key> deploying;
    std::set<Key> deleting;
  };

  Entry* find(const std::string& workload_id);
  const Entry* find(const std::string& workload_id) const;
  void move_to(Entry& entry, NextAction action);
  void on_deploy_due(const std::string& workload_id);
  void on_expiry_due(const std::string& workload_id);
  void answer_poll(const std::string& node_id, std::uint64_t from_reservation_id, const PollDone& done);
  void answer_submit(const core::ProvisionResult& result, const std::function<void(core::Status)>& done);
  std::optional<std::string> submission_failure();
  std::optional<std::string> rejection(const core::ProvisionResult& result) const;
  void record(std::string_view kind, std::string_view fields);
  std::int64_t arrival_ms() const;

  core::Scheduler& scheduler_;
  kernel::Trace& trace_;
  std::string label_;
  kernel::Prng prng_;

  std::map<Key, Entry> entries_;
  std::map<std::string, Key> keys_by_id_;
  std::map<std::string, NodeIndex> nodes_;
  std::map<std::string, std::array<std::uint8_t, 32>> node_keys_;
  SignatureLedger* ledger_ = nullptr;
  std::map<std::string, core::CapacityUsage> capacity_;

  PollOrder poll_order_ = PollOrder::ascending;
  bool down_ = false;
  std::int64_t latency_ms_ = 0;
  std::uint64_t submit_failures_ = 0;
  std::uint64_t submit_failure_numerator_ = 0;
  std::uint64_t submit_failure_denominator_ = 1;
  ExplorerCounts counts_;
};

}  // namespace zsim::fakes
