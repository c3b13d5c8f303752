#include "core/result_sender.hpp"

#include <fmt/format.h>

#include <cassert>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/result_signing.hpp"
#include "core/trace_value.hpp"

namespace zsim::core {

std::string_view to_string(ResultState state) {
  switch (state) {
    case ResultState::error: return "error";
    case ResultState::ok: return "ok";
    case ResultState::deleted: return "deleted";
  }
  return "unknown";
}

namespace {

constexpr std::string_view outbox_prefix = result_outbox_key_prefix;  // Durable: see core/ports.hpp.
// A node holds a bounded number of workloads; its outbox cannot hold more than a few results each.
constexpr std::size_t outbox_entries_max = 1'000'000;

std::string outbox_record(const ProvisionResult& result, std::int64_t first_attempt_ms) {
  return nlohmann::json{{"workload_id", result.workload_id}, {"state", static_cast<int>(result.state)},
                        {"message", result.message},         {"data_json", result.data_json},
                        {"epoch_s", result.epoch_s},         {"node_id", result.node_id},
                        {"signature_hex", result.signature_hex}, {"first_attempt_ms", first_attempt_ms}}
      .dump();
}

}  // namespace

ResultSender::ResultSender(Scheduler& scheduler, Explorer& explorer, Rng& rng, EventLog& events, Store& store,
                           Signer& signer, const Identity& identity, std::string node_id,
                           std::function<void(const ProvisionResult&)> accepted)
    : scheduler_(scheduler),
      explorer_(explorer),
      rng_(rng),
      events_(events),
      store_(store),
      signer_(signer),
      identity_(identity),
      node_id_(std::move(node_id)),
      accepted_(std::move(accepted)) {
  // Checked once here: each result is signed with this id without deriving it again.
  assert(node_id_ == identity_.node_id());
}

ResultSender::~ResultSender() {
  for (auto& [workload_id, queue] : queues_) {
    if (queue.retry_scheduled) scheduler_.cancel(queue.retry_timer);
  }
}

void ResultSender::send(const std::string& workload_id, ResultState state, std::string message,
                        std::string data_json) {
  assert(!workload_id.empty());
  Entry entry;
  entry.result.workload_id = workload_id;
  entry.result.state = state;
  entry.result.message = std::move(message);
  entry.result.data_json = std::move(data_json);
  entry.result.node_id = node_id_;
  entry.result.epoch_s = scheduler_.now_ms() / 1000;
  sign_result(signer_, identity_, node_id_, entry.result);
  entry.first_attempt_ms = scheduler_.now_ms();
  // Zero-padded, so that the Store's byte order is the order of sending.
  entry.key = fmt::format("{}{}/{:020}-{:010}", outbox_prefix, workload_id, scheduler_.now_ms(), sequence_++);
  store_.put(entry.key, outbox_record(entry.result, entry.first_attempt_ms));
  counters_.submitted += 1;
  events_.record("result_queued", fmt::format("workload={} state={}", trace_value(workload_id), to_string(state)));
  enqueue(std::move(entry));
}

void ResultSender::enqueue(Entry entry) {
  const std::string workload_id = entry.result.workload_id;
  Queue& queue = queues_[workload_id];
  assert(queue.entries.size() < queue_per_workload_max);
  queue.entries.push_back(std::move(entry));
  if (!queue.in_flight && !queue.retry_scheduled) submit_head(workload_id);
}

void ResultSender::resume() {
  assert(queues_.empty());
  const std::vector<std::string> keys = store_.keys(outbox_prefix);
  assert(keys.size() <= outbox_entries_max);
  for (const std::string& key : keys) {
    const std::optional<std::string> text = store_.get(key);
    assert(text.has_value());
    const nlohmann::json record = nlohmann::json::parse(*text);
    Entry entry;
    entry.key = key;
    entry.result.workload_id = record.at("workload_id").get<std::string>();
    entry.result.state = static_cast<ResultState>(record.at("state").get<int>());
    entry.result.message = record.at("message").get<std::string>();
    entry.result.data_json = record.at("data_json").get<std::string>();
    entry.result.epoch_s = record.at("epoch_s").get<std::int64_t>();
    entry.result.node_id = record.at("node_id").get<std::string>();
    entry.result.signature_hex = record.at("signature_hex").get<std::string>();
    entry.first_attempt_ms = record.at("first_attempt_ms").get<std::int64_t>();
    events_.record("result_resumed", fmt::format("workload={} state={}", trace_value(entry.result.workload_id),
                                                 to_string(entry.result.state)));
    enqueue(std::move(entry));
  }
}

bool ResultSender::pending(const std::string& workload_id, ResultState state) const {
  const auto found = queues_.find(workload_id);
  if (found == queues_.end()) return false;
  for (const Entry& entry : found->second.entries) {
    if (entry.result.state == state) return true;
  }
  return false;
}

std::size_t ResultSender::pending_total() const {
  std::size_t total = 0;
  for (const auto& [workload_id, queue] : queues_) total += queue.entries.size();
  return total;
}

void ResultSender::submit_head(const std::string& workload_id) {
  Queue& queue = queues_.at(workload_id);
  assert(!queue.entries.empty());
  assert(!queue.in_flight);
  queue.in_flight = true;
  queue.retry_scheduled = false;
  explorer_.submit_result(queue.entries.front().result, lifetime_.guard([this, workload_id](Status status) {
    on_submitted(workload_id, status);
  }));
}

void ResultSender::on_submitted(const std::string& workload_id, const Status& status) {
  const auto found = queues_.find(workload_id);
  assert(found != queues_.end());
  Queue& queue = found->second;
  assert(queue.in_flight && !queue.entries.empty());
  queue.in_flight = false;
  Entry& head = queue.entries.front();
  if (status.ok()) {
    counters_.accepted += 1;
    const ProvisionResult result = std::move(head.result);
    store_.erase(head.key);
    queue.entries.pop_front();
    accepted_(result);
  } else if (scheduler_.now_ms() - head.first_attempt_ms >= give_up_after_ms) {
    counters_.given_up += 1;
    events_.record("result_given_up", fmt::format("workload={} state={} error={}", trace_value(workload_id),
                                                  to_string(head.result.state), trace_value(status.error())));
    store_.erase(head.key);
    queue.entries.pop_front();
  } else {
    // Jitter of up to a quarter of the interval keeps many nodes from retrying in lockstep.
    const std::int64_t delay_ms = head.backoff_ms + static_cast<std::int64_t>(rng_.below(
                                                        static_cast<std::uint64_t>(head.backoff_ms / 4 + 1)));
    head.backoff_ms = std::min(head.backoff_ms * 2, backoff_max_ms);
    counters_.retries += 1;
    queue.retry_scheduled = true;
    queue.retry_timer = scheduler_.at(scheduler_.now_ms() + delay_ms, [this, workload_id] {
      queues_.at(workload_id).retry_scheduled = false;
      submit_head(workload_id);
    });
    return;
  }
  if (!queue.entries.empty()) {
    submit_head(workload_id);
  } else {
    queues_.erase(found);
  }
}

}  // namespace zsim::core
