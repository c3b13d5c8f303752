#pragma once
// Sends signed results to the explorer. Results of one workload go out in order (an error before
// its "deleted"); a submission the explorer does not take is retried with exponential backoff
// (500 ms doubling, at most 15 s between tries) and given up after 3 minutes, as zos did.
// Every result waiting to be taken is kept in the Store ("results/<workload>/<sequence>") until
// the explorer takes it, and a new daemon sends those first, the very same signed bytes: a daemon
// that stops while a submission is in flight cannot know whether it landed, and sending the same
// result again is harmless (the explorer keeps one result per workload), where a second, newly
// signed "deleted" would be another result.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "core/identity.hpp"
#include "core/lifetime_guard.hpp"
#include "core/ports.hpp"

namespace zsim::core {

struct ResultSenderCounters {
  std::uint64_t submitted = 0;   // Results handed to send().
  std::uint64_t accepted = 0;    // Taken by the explorer.
  std::uint64_t retries = 0;     // Submissions after a failure.
  std::uint64_t given_up = 0;    // Dropped after 3 minutes of failures.
};

class ResultSender {
 public:
  static constexpr std::int64_t backoff_initial_ms = 500;
  static constexpr std::int64_t backoff_max_ms = 15'000;
  static constexpr std::int64_t give_up_after_ms = 3 * 60'000;
  // A workload has at most a handful of results in flight (ok or error, then deleted); more is a bug.
  static constexpr std::size_t queue_per_workload_max = 8;

  // accepted(result) runs when the explorer took a result.
  ResultSender(Scheduler& scheduler, Explorer& explorer, Rng& rng, EventLog& events, Store& store, Signer& signer,
               const Identity& identity, std::string node_id, std::function<void(const ProvisionResult&)> accepted);
  // Sends what a stopped daemon left in the outbox, in its order; call once, at start.
  void resume();
  ~ResultSender();
  ResultSender(const ResultSender&) = delete;
  ResultSender& operator=(const ResultSender&) = delete;

  // Signs and queues a result for the workload; epoch is now.
  void send(const std::string& workload_id, ResultState state, std::string message, std::string data_json);
  // True while a result of this workload and state waits or is being submitted.
  bool pending(const std::string& workload_id, ResultState state) const;
  std::size_t pending_total() const;
  const ResultSenderCounters& counters() const { return counters_; }

 private:
  struct Entry {
    ProvisionResult result;
    std::string key;  // Its place in the Store's outbox.
    std::int64_t first_attempt_ms = 0;
    std::int64_t backoff_ms = backoff_initial_ms;
  };
  struct Queue {
    std::deque<Entry> entries;
    bool in_flight = false;
    TimerId retry_timer = 0;
    bool retry_scheduled = false;
  };
  void submit_head(const std::string& workload_id);
  void enqueue(Entry entry);
  void on_submitted(const std::string& workload_id, const Status& status);

  Scheduler& scheduler_;
  Explorer& explorer_;
  Rng& rng_;
  EventLog& events_;
  Store& store_;
  Signer& signer_;
  const Identity& identity_;
  std::string node_id_;
  std::function<void(const ProvisionResult&)> accepted_;
  std::map<std::string, Queue> queues_;
  std::uint64_t sequence_ = 0;  // Orders the outbox keys of one millisecond.
  ResultSenderCounters counters_;
  // Callbacks from the explorer may arrive after this object is gone (a daemon restart destroys
  // the node); they are guarded by this, declared last so that it is destroyed first.
  LifetimeGuard lifetime_;
};

std::string_view to_string(ResultState state);

}  // namespace zsim::core
