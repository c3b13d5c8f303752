#include "fakes/fake_explorer.hpp"

#include "kernel/trace_value.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <iterator>
#include <utility>

namespace zsim::fakes {

namespace {
constexpr std::size_t trace_value_bytes_max = 1024;
constexpr std::string_view unreachable = "explorer unreachable";
constexpr std::string_view submission_failed = "result submission failed: explorer answered 500";

std::string trace_value(std::string_view text) { return kernel::trace_value(text, trace_value_bytes_max); }

std::uint64_t workload_number(const core::Workload& workload) {
  const std::string prefix = fmt::format("{}-", workload.reservation_id);
  assert(workload.id.size() > prefix.size() && workload.id.compare(0, prefix.size(), prefix) == 0);
  std::uint64_t number = 0;
  for (std::size_t index = prefix.size(); index < workload.id.size(); index += 1) {
    const char digit = workload.id[index];
    assert(digit >= '0' && digit <= '9');
    assert(number <= (UINT64_MAX - 9) / 10);
    number = number * 10 + static_cast<std::uint64_t>(digit - '0');
  }
  return number;
}

bool signature_valid(const std::array<std::uint8_t, 32>& public_key, const std::string& message,
                     const std::string& signature_hex) {
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  std::size_t signature_size = 0;
  const char* hex_end = nullptr;
  if (signature_hex.size() != 2 * crypto_sign_BYTES) return false;
  if (sodium_hex2bin(signature.data(), signature.size(), signature_hex.data(), signature_hex.size(), nullptr,
                     &signature_size, &hex_end) != 0) {
    return false;
  }
  if (signature_size != crypto_sign_BYTES || hex_end != signature_hex.data() + signature_hex.size()) return false;
  return crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}
}  // namespace

std::string_view to_string(NextAction action) {
  switch (action) {
    case NextAction::create: return "create";
    case NextAction::sign: return "sign";
    case NextAction::pay: return "pay";
    case NextAction::deploy: return "deploy";
    case NextAction::to_delete: return "delete";
    case NextAction::invalid: return "invalid";
    case NextAction::deleted: return "deleted";
  }
  assert(false);
  return "unknown";
}

std::string_view to_string(core::ResultState state) {
  switch (state) {
    case core::ResultState::error: return "error";
    case core::ResultState::ok: return "ok";
    case core::ResultState::deleted: return "deleted";
  }
  assert(false);
  return "unknown";
}

std::string result_signing_bytes(const core::ProvisionResult& result) {
  std::string bytes;
  bytes.reserve(1 + result.message.size() + result.data_json.size());
  bytes.push_back(static_cast<char>(static_cast<std::uint8_t>(result.state)));
  bytes += result.message;
  bytes += result.data_json;
  return bytes;
}

FakeExplorer::FakeExplorer(core::Scheduler& scheduler, kernel::Trace& trace, std::string label, kernel::Prng prng)
    : scheduler_(scheduler), trace_(trace), label_(std::move(label)), prng_(prng) {
  assert(!label_.empty());
  // sodium_init is idempotent and thread-safe; it must run before the first verification.
  const int initialised = sodium_init();
  assert(initialised >= 0);
  (void)initialised;
}

void FakeExplorer::record(std::string_view kind, std::string_view fields) {
  trace_.record(scheduler_.now_ms(), label_, kind, fields);
}

std::int64_t FakeExplorer::arrival_ms() const { return scheduler_.now_ms() + latency_ms_; }

FakeExplorer::Entry* FakeExplorer::find(const std::string& workload_id) {
  const auto key = keys_by_id_.find(workload_id);
  if (key == keys_by_id_.end()) return nullptr;
  const auto entry = entries_.find(key->second);
  assert(entry != entries_.end());
  return &entry->second;
}

const FakeExplorer::Entry* FakeExplorer::find(const std::string& workload_id) const {
  return const_cast<FakeExplorer*>(this)->find(workload_id);
}

void FakeExplorer::register_node(const std::string& node_id, const std::array<std::uint8_t, 32>& public_key) {
  assert(!node_id.empty());
  assert(node_keys_.size() < nodes_max || node_keys_.count(node_id) == 1);
  node_keys_[node_id] = public_key;
  record("explorer_node", fmt::format("node={}", trace_value(node_id)));
}

void FakeExplorer::add_workload(const std::string& node_id, core::Workload workload, std::int64_t deploy_at_ms) {
  assert(!node_id.empty());
  assert(entries_.size() < workloads_max);
  assert(keys_by_id_.count(workload.id) == 0);
  assert(nodes_.size() < nodes_max || nodes_.count(node_id) == 1);
  Key key{workload.reservation_id, workload_number(workload), workload.id};
  workload.to_delete = false;
  const std::string id = workload.id;
  const std::int64_t expires_at_ms = (workload.created_s + workload.duration_s) * 1000;
  const bool expires = workload.duration_s > 0;
  keys_by_id_.emplace(id, key);
  nodes_[node_id];  // The node's index exists from its first workload on.
  entries_.emplace(std::move(key), Entry{std::move(workload), node_id, NextAction::pay, deploy_at_ms, {}, {}});
  record("explorer_add", fmt::format("workload={} node={} deploy_at_ms={} expires_at_ms={}", trace_value(id),
                                     trace_value(node_id), deploy_at_ms, expires ? expires_at_ms : -1));
  // The deploy timer is scheduled first: when payment and expiry fall on the same instant the
  // workload is deployed, then expired, as the explorer's two loops would do it.
  scheduler_.at(deploy_at_ms, [this, id] { on_deploy_due(id); });
  // A workload without a duration never expires here; the node's engine rejects it instead.
  if (expires) scheduler_.at(expires_at_ms, [this, id] { on_expiry_due(id); });
}

void FakeExplorer::move_to(Entry& entry, NextAction action) {
  NodeIndex& index = nodes_.at(entry.node_id);
  const auto key = keys_by_id_.find(entry.workload.id);
  assert(key != keys_by_id_.end());
  index.deploying.erase(key->second);
  index.deleting.erase(key->second);
  if (action == NextAction::deploy) index.deploying.insert(key->second);
  if (action == NextAction::to_delete) index.deleting.insert(key->second);
  entry.action = action;
  entry.workload.to_delete = action == NextAction::to_delete;
  assert(index.deploying.size() + index.deleting.size() <= entries_.size());
}

void FakeExplorer::on_deploy_due(const std::string& workload_id) {
  Entry* entry = find(workload_id);
  assert(entry != nullptr);
  // A workload deleted or expired before it was paid never becomes visible for deployment.
  if (entry->action != NextAction::pay) return;
  move_to(*entry, NextAction::deploy);
  record("explorer_deploy", fmt::format("workload={} node={}", trace_value(workload_id), trace_value(entry->node_id)));
}

void FakeExplorer::on_expiry_due(const std::string& workload_id) {
  Entry* entry = find(workload_id);
  assert(entry != nullptr);
  if (entry->action != NextAction::pay && entry->action != NextAction::deploy) return;
  // Never paid: the reservation is invalid and no node ever sees it. Deployed: the node must
  // decommission it.
  const NextAction next = entry->action == NextAction::pay ? NextAction::invalid : NextAction::to_delete;
  move_to(*entry, next);
  counts_.expiries += 1;
  record("explorer_expire", fmt::format("workload={} node={} next={}", trace_value(workload_id),
                                        trace_value(entry->node_id), to_string(next)));
}

core::Status FakeExplorer::request_delete(const std::string& workload_id) {
  Entry* entry = find(workload_id);
  if (entry == nullptr) return core::Error{fmt::format("workload not found: {}", workload_id)};
  if (entry->action == NextAction::deleted || entry->action == NextAction::invalid) {
    return core::Error{fmt::format("workload {} is already deleted", workload_id)};
  }
  const NextAction before = entry->action;
  move_to(*entry, NextAction::to_delete);
  counts_.deletes_requested += 1;
  record("explorer_delete", fmt::format("workload={} node={} was={}", trace_value(workload_id),
                                        trace_value(entry->node_id), to_string(before)));
  return {};
}

void FakeExplorer::set_down(bool down) {
  down_ = down;
  record("explorer_fault", fmt::format("down={}", down));
}

void FakeExplorer::set_latency_ms(std::int64_t latency_ms) {
  assert(latency_ms >= 0 && latency_ms <= latency_max_ms);
  latency_ms_ = latency_ms;
  record("explorer_fault", fmt::format("latency_ms={}", latency_ms));
}

void FakeExplorer::set_submit_failures(std::uint64_t count) {
  submit_failures_ = count;
  record("explorer_fault", fmt::format("submit_failures={}", count));
}

void FakeExplorer::set_submit_failure_rate(std::uint64_t numerator, std::uint64_t denominator) {
  assert(denominator > 0 && numerator <= denominator);
  submit_failure_numerator_ = numerator;
  submit_failure_denominator_ = denominator;
  record("explorer_fault", fmt::format("submit_failure_rate={}/{}", numerator, denominator));
}

void FakeExplorer::poll(const std::string& node_id, std::uint64_t from_reservation_id, PollDone done) {
  assert(done);
  scheduler_.at(arrival_ms(), [this, node_id, from_reservation_id, done = std::move(done)] {
    answer_poll(node_id, from_reservation_id, done);
  });
}

void FakeExplorer::answer_poll(const std::string& node_id, std::uint64_t from_reservation_id, const PollDone& done) {
  counts_.polls += 1;
  if (down_) {
    counts_.polls_failed += 1;
    record("explorer_poll", fmt::format("node={} from={} error=unreachable", trace_value(node_id), from_reservation_id));
    done(core::Error{std::string(unreachable)});
    return;
  }
  std::vector<Key> keys;
  std::size_t deploying = 0;
  std::size_t deleting = 0;
  const auto index = nodes_.find(node_id);
  if (index != nodes_.end()) {
    // Deploy-state workloads from the cursor on, and every workload waiting for its "deleted"
    // result whatever its id: both sets are sorted, so a merge gives the explorer's order.
    const auto first = index->second.deploying.lower_bound(Key{from_reservation_id, 0, {}});
    deploying = static_cast<std::size_t>(std::distance(first, index->second.deploying.end()));
    deleting = index->second.deleting.size();
    keys.reserve(deploying + deleting);
    std::merge(first, index->second.deploying.end(), index->second.deleting.begin(), index->second.deleting.end(),
               std::back_inserter(keys));
  }
  if (poll_order_ == PollOrder::descending) std::reverse(keys.begin(), keys.end());
  std::vector<core::Workload> workloads;
  workloads.reserve(keys.size());
  for (const Key& key : keys) {
    const Entry& entry = entries_.at(key);
    assert(entry.node_id == node_id);
    assert(entry.action == NextAction::deploy || entry.action == NextAction::to_delete);
    workloads.push_back(entry.workload);
  }
  record("explorer_poll", fmt::format("node={} from={} count={} deploy={} delete={}", trace_value(node_id),
                                      from_reservation_id, workloads.size(), deploying, deleting));
  done(std::move(workloads));
}

void FakeExplorer::submit_result(const core::ProvisionResult& result, std::function<void(core::Status)> done) {
  assert(done);
  scheduler_.at(arrival_ms(), [this, result, done = std::move(done)] { answer_submit(result, done); });
}

std::optional<std::string> FakeExplorer::submission_failure() {
  if (down_) return std::string(unreachable);
  if (submit_failures_ > 0) {
    submit_failures_ -= 1;
    return std::string(submission_failed);
  }
  // The PRNG is drawn only while a rate is set, so enabling the fault for one phase does not shift
  // the numbers of a run that never sets it.
  if (submit_failure_numerator_ > 0 && prng_.chance(submit_failure_numerator_, submit_failure_denominator_)) {
    return std::string(submission_failed);
  }
  return std::nullopt;
}

std::optional<std::string> FakeExplorer::rejection(const core::ProvisionResult& result) const {
  const Entry* entry = find(result.workload_id);
  if (entry == nullptr) return fmt::format("workload not found: {}", result.workload_id);
  const auto key = node_keys_.find(result.node_id);
  if (key == node_keys_.end()) return fmt::format("unknown node: {}", result.node_id);
  if (entry->node_id != result.node_id) {
    return fmt::format("workload {} is not assigned to node {}", result.workload_id, result.node_id);
  }
  const std::string bytes = result_signing_bytes(result);
  const bool made_by_node = ledger_ != nullptr && ledger_->take(key->second, bytes, result.signature_hex);
  if (!made_by_node && !signature_valid(key->second, bytes, result.signature_hex)) {
    return std::string("invalid signature");
  }
  return std::nullopt;
}

namespace {

bool same_result(const core::ProvisionResult& a, const core::ProvisionResult& b) {
  return a.workload_id == b.workload_id && a.state == b.state && a.message == b.message && a.data_json == b.data_json &&
         a.epoch_s == b.epoch_s && a.node_id == b.node_id && a.signature_hex == b.signature_hex;
}

}  // namespace

void FakeExplorer::answer_submit(const core::ProvisionResult& result, const std::function<void(core::Status)>& done) {
  const std::string fields = fmt::format("workload={} node={} state={}", trace_value(result.workload_id),
                                         trace_value(result.node_id), to_string(result.state));
  if (const auto failure = submission_failure()) {
    counts_.submissions_failed += 1;
    record("explorer_result", fmt::format("{} outcome=failed reason={}", fields, trace_value(*failure)));
    done(core::Error{*failure});
    return;
  }
  if (const auto reason = rejection(result)) {
    counts_.results_rejected += 1;
    record("explorer_result", fmt::format("{} outcome=rejected reason={}", fields, trace_value(*reason)));
    done(core::Error{*reason});
    return;
  }
  Entry* entry = find(result.workload_id);
  assert(entry != nullptr);
  // The explorer keeps one result per workload and a POST overwrites it, so the same signed result
  // sent twice (a daemon restarted while its first submit was in flight re-sends it from its
  // outbox) is stored once; the history kept here for the checker must not show it twice. A replay
  // may come after results signed later than it: the outbox re-sends every result whose answer
  // the dead daemon never read, in their order, so a replayed error is followed by its replayed
  // "deleted" (a dense fuzz seed had both in flight at a reboot). The same signed bytes are one
  // result, never a new one; a result signed anew after "deleted" is still judged by the checker.
  const bool replayed = std::any_of(entry->results.begin(), entry->results.end(),
                                    [&result](const core::ProvisionResult& stored) {
                                      return same_result(stored, result);
                                    });
  if (replayed) {
    counts_.results_duplicate += 1;
    record("explorer_result", fmt::format("{} outcome=duplicate results={}", fields, entry->results.size()));
    done(core::Status{});
    return;
  }
  assert(entry->results.size() < results_per_workload_max);
  entry->results.push_back(result);
  counts_.results_accepted += 1;
  entry->ranks.push_back(counts_.results_accepted);
  // "deleted" ends the workload's life from any state: after a decommission, or after the
  // rollback of a failed provision (the explorer keeps the error text in the message).
  if (result.state == core::ResultState::deleted && entry->action != NextAction::deleted) {
    move_to(*entry, NextAction::deleted);
  }
  record("explorer_result", fmt::format("{} outcome=accepted results={} message={}", fields, entry->results.size(),
                                        trace_value(result.message)));
  done(core::Status{});
}

void FakeExplorer::set_poll_order(PollOrder order) {
  poll_order_ = order;
  record("explorer_poll_order", order == PollOrder::ascending ? "order=ascending" : "order=descending");
}

std::uint64_t FakeExplorer::accepted_rank(const std::string& workload_id, std::size_t index) const {
  const Entry* entry = find(workload_id);
  assert(entry != nullptr && index < entry->ranks.size());
  assert(entry->ranks.size() == entry->results.size());
  return entry->ranks[index];
}

void FakeExplorer::report_capacity(const std::string& node_id, const core::CapacityUsage& used) {
  scheduler_.at(arrival_ms(), [this, node_id, used] {
    const std::string fields = fmt::format("node={} cpu={} memory_mib={} ssd_mib={} hdd_mib={}", trace_value(node_id),
                                           used.cpu, used.memory_mib, used.ssd_mib, used.hdd_mib);
    if (down_) {
      record("explorer_capacity", fmt::format("{} outcome=lost", fields));
      return;
    }
    assert(capacity_.size() < nodes_max || capacity_.count(node_id) == 1);
    capacity_[node_id] = used;
    counts_.capacity_reports += 1;
    record("explorer_capacity", fmt::format("{} outcome=stored", fields));
  });
}

const std::vector<core::ProvisionResult>& FakeExplorer::results(const std::string& workload_id) const {
  static const std::vector<core::ProvisionResult> none;
  const Entry* entry = find(workload_id);
  return entry == nullptr ? none : entry->results;
}

std::vector<core::Workload> FakeExplorer::workloads() const {
  std::vector<core::Workload> all;
  all.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) all.push_back(entry.workload);
  return all;
}

const core::Workload* FakeExplorer::workload(const std::string& workload_id) const {
  const Entry* entry = find(workload_id);
  return entry == nullptr ? nullptr : &entry->workload;
}

std::optional<NextAction> FakeExplorer::state(const std::string& workload_id) const {
  const Entry* entry = find(workload_id);
  if (entry == nullptr) return std::nullopt;
  return entry->action;
}

std::optional<std::string> FakeExplorer::node_of(const std::string& workload_id) const {
  const Entry* entry = find(workload_id);
  if (entry == nullptr) return std::nullopt;
  return entry->node_id;
}

std::optional<core::CapacityUsage> FakeExplorer::capacity(const std::string& node_id) const {
  const auto found = capacity_.find(node_id);
  if (found == capacity_.end()) return std::nullopt;
  return found->second;
}

std::size_t FakeExplorer::count_in_state(NextAction action) const {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [action](const auto& item) { return item.second.action == action; }));
}

}  // namespace zsim::fakes
