#include "core/node.hpp"
#include "core/trace_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

namespace zsim::core {

namespace {
constexpr std::string_view workload_prefix = "workload/";
constexpr std::string_view deleted_prefix = "deleted/";
// A workload this node ended (rolled back, decommissioned, or given up on): never provisioned
// here again, even when its "deleted" never reached the explorer (the sender gave up) and the
// explorer lists it for deploy at the next resync (a fuzz seed found it provisioned again, "ok"
// after its terminal error). "deleted/" says the explorer took the "deleted"; this says we sent it.
constexpr std::string_view ended_prefix = "ended/";
// Markers of accepted "deleted" results are kept this long, then pruned: long enough for every
// poll that was in flight when the explorer took the result to have come back.
constexpr std::int64_t deleted_marker_keep_ms = 10 * 60'000;

// How long a job waits when its container is busy with something else.
constexpr std::int64_t busy_retry_ms = 1'000;

std::string job_key(const Workload& workload) { return workload.to_delete ? workload.id + "#delete" : workload.id; }
}  // namespace

std::string_view to_string(WorkloadType type) {
  switch (type) {
    case WorkloadType::network: return "network";
    case WorkloadType::network_resource: return "network_resource";
    case WorkloadType::zdb: return "zdb";
    case WorkloadType::volume: return "volume";
    case WorkloadType::container: return "container";
    case WorkloadType::kubernetes: return "kubernetes";
  }
  return "unknown";
}

int type_order(WorkloadType type) { return static_cast<int>(type); }

// The node's planted bugs reach the parts that carry them (test-only; core/planted_bugs.hpp).
NodeConfig with_bugs_handed_down(NodeConfig config) {
  config.container.planted = config.planted;
  config.container.delivery.planted = config.planted;
  return config;
}

Node::Node(NodeConfig config, NodePorts ports)
    : config_(with_bugs_handed_down(std::move(config))),
      ports_(ports),
      identity_(Identity::from_seed(config_.identity_seed)),
      node_id_(identity_.node_id()),
      ledger_(config_.totals),
      volumes_(ports.runtime, ports.store, ledger_, config_.planted),
      flists_(ports.hub, ports.store, ports.events),
      results_(ports.scheduler, ports.explorer, ports.rng, ports.events, ports.store, ports.signer, identity_, node_id_,
               [this](const ProvisionResult& result) { on_result_accepted(result); }),
      containers_(ContainerManager::Ports{ports.scheduler, ports.runtime, ports.publisher, ports.store, ports.rng,
                                          ports.events, ports.faults},
                  identity_, config_.ipv4_only, config_.container, ledger_, networks_, volumes_, flists_,
                  [this](const std::string& workload_id, const std::string& message) {
                    on_self_decommissioned(workload_id, message);
                  }) {
  assert(config_.poll_interval_ms > 0);
  assert(config_.expiry_scan_interval_ms > 0);
}

Node::~Node() {
  if (started_) {
    ports_.scheduler.cancel(poll_timer_);
    ports_.scheduler.cancel(expiry_timer_);
  }
  containers_.detach_all();
}

void Node::start() {
  assert(!started_);
  started_ = true;
  ports_.events.record("daemon_start", fmt::format("node={}", trace_value(node_id_)));
  // The outbox first: a result the stopped daemon signed is sent as it was, and restore() then
  // sees it pending rather than signing another.
  results_.resume();
  restore();
  last_resync_ms_ = ports_.scheduler.now_ms();
  schedule_poll(0);
  expiry_timer_ = ports_.scheduler.at(ports_.scheduler.now_ms() + config_.expiry_scan_interval_ms, lifetime_.guard([this] {
    scan_expired();
  }));
}

// The cache in the Store is what survived: all of it after a daemon restart, only volumes after a
// reboot. Networks come back before the containers that join them, as the engine's type order.
void Node::restore() {
  std::vector<Cached> restored;
  for (const std::string& key : ports_.store.keys(workload_prefix)) {
    const std::optional<std::string> text = ports_.store.get(key);
    assert(text.has_value());
    const nlohmann::json record = nlohmann::json::parse(*text);
    Expected<Workload> workload = workload_from_json(record.at("workload").dump());
    assert(workload.ok());
    restored.push_back(Cached{std::move(workload).value(), static_cast<ResultState>(record.at("state").get<int>()),
                              record.at("data_json").get<std::string>()});
  }
  std::stable_sort(restored.begin(), restored.end(), [](const Cached& a, const Cached& b) {
    return type_order(a.workload.type) < type_order(b.workload.type);
  });
  volumes_.restore();
  containers_.reap_unfinished();
  for (Cached& cached : restored) {
    // Cached before it is restored: a restore that fails at once decommissions the workload from
    // inside restore(), and that must forget the entry rather than find nothing and leave it for
    // the expiry scan to decommission (and answer "deleted") a second time (a fuzz seed found it).
    const std::string workload_id = cached.workload.id;
    const auto [entry, inserted] = cache_.emplace(workload_id, std::move(cached));
    assert(inserted);
    const Workload workload = entry->second.workload;
    if (workload.type == WorkloadType::network_resource) {
      const Expected<NetworkResource> network = parse_network_resource(workload.payload_json);
      assert(network.ok());
      (void)networks_.install(workload.id, network.value());
    } else if (workload.type == WorkloadType::container) {
      const std::string data_json = entry->second.data_json;  // The entry may go during the call.
      containers_.restore(workload, data_json);
    }
  }
  report_capacity();
}

void Node::schedule_poll(std::int64_t delay_ms) {
  poll_timer_ = ports_.scheduler.at(ports_.scheduler.now_ms() + delay_ms, lifetime_.guard([this] {
    poll();
    schedule_poll(config_.poll_interval_ms);
  }));
}

void Node::poll() {
  if (poll_in_flight_) return;  // The explorer is slow: never stack polls.
  const std::int64_t now_ms = ports_.scheduler.now_ms();
  const bool resync = now_ms - last_resync_ms_ >= config_.resync_interval_ms;
  const std::uint64_t from = (first_poll_ || resync) ? 0 : cursor_;
  // The first poll after a start re-sends the results of cached workloads (daemon restart).
  const bool resend = first_poll_;
  poll_in_flight_ = true;
  counters_.polls += 1;
  ports_.explorer.poll(node_id_, from,
                       lifetime_.guard([this, resend, resync, now_ms](Expected<std::vector<Workload>> workloads) {
                         poll_in_flight_ = false;
                         // A resync counts only once it succeeded: a failed one (explorer down) is
                         // tried again at the next poll, or a reservation paid late with a lower id
                         // would wait a whole further interval (a small fuzz seed found it).
                         if (resync && workloads) last_resync_ms_ = now_ms;
                         on_polled(std::move(workloads), resend);
                       }));
}

void Node::on_polled(Expected<std::vector<Workload>> workloads, bool resend) {
  if (!workloads) {
    counters_.polls_failed += 1;
    ports_.events.record("poll_failed", fmt::format("error={}", trace_value(workloads.error())));
    return;
  }
  containers_.begin_poll();
  std::vector<Workload> batch = std::move(workloads).value();
  // The first listing after a start is a full one (from 0): it says which promises still stand.
  const std::set<std::string> promised = first_poll_ ? promises_to_restore(batch) : std::set<std::string>{};
  first_poll_ = false;
  // Provisions in type order (networks before the containers that join them); deletes after them
  // in reverse type order, so a container lets go of a volume before the volume goes. Within a
  // type the explorer's order is kept: zos sorted the poll by type alone (explorer/source.go), with
  // an unstable sort; ours is stable (docs/ZOS.md, "Engine"). After a reboot, the workloads once
  // answered "ok" come before all others (docs/ZOS.md, "order after a reboot").
  std::stable_sort(batch.begin(), batch.end(), [&promised](const Workload& a, const Workload& b) {
    if (a.to_delete != b.to_delete) return !a.to_delete;
    if (!a.to_delete) {
      const bool promised_a = promised.count(a.id) != 0;
      const bool promised_b = promised.count(b.id) != 0;
      if (promised_a != promised_b) return promised_a;
    }
    const int order_a = type_order(a.type);
    const int order_b = type_order(b.type);
    return a.to_delete ? order_a > order_b : order_a < order_b;
  });
  for (const Workload& workload : batch) {
    cursor_ = std::max(cursor_, workload.reservation_id);
    enqueue(workload, resend);
  }
  process_next();
}

// The promises ("ok" sent, not ended since) of workloads the explorer still lists for deploy and
// this node no longer caches: a reboot lost them. The promises of workloads it no longer lists
// for deploy (deleted or expired while the node was down) are dropped: nothing is owed to them.
std::set<std::string> Node::promises_to_restore(const std::vector<Workload>& listing) {
  std::set<std::string> deployable;
  for (const Workload& workload : listing) {
    if (!workload.to_delete) deployable.insert(workload.id);
  }
  std::set<std::string> lost;
  for (const std::string& key : ports_.store.keys(promised_key_prefix)) {
    const std::string workload_id = key.substr(promised_key_prefix.size());
    if (deployable.count(workload_id) == 0) {
      ports_.store.erase(key);
    } else if (cache_.count(workload_id) == 0) {
      lost.insert(workload_id);
    }
  }
  assert(lost.size() <= deployable.size());
  return lost;
}

void Node::enqueue(const Workload& workload, bool resend) {
  const std::string key = job_key(workload);
  if (queued_.count(key) != 0) return;
  assert(queue_.size() < config_.queue_max);
  queued_.insert(key);
  queue_.push_back(Job{workload, resend});
}

void Node::process_next() {
  if (processing_ || queue_.empty()) return;
  Job job = std::move(queue_.front());
  queue_.pop_front();
  queued_.erase(job_key(job.workload));
  processing_ = true;
  process(std::move(job));
}

void Node::job_done() {
  assert(processing_);
  processing_ = false;
  // Continue on a fresh stack: a long run of synchronous jobs must not nest calls.
  ports_.scheduler.at(ports_.scheduler.now_ms(), lifetime_.guard([this] {
    process_next();
  }));
}

void Node::process(Job job) {
  const Workload& workload = job.workload;
  if (containers_.busy(workload.id)) {
    // Its container is still being restored or torn down: try again a little later.
    ports_.scheduler.at(ports_.scheduler.now_ms() + busy_retry_ms, lifetime_.guard([this, job] {
      enqueue(job.workload, job.resend);
      process_next();
    }));
    return job_done();
  }
  if (workload.to_delete) return decommission(workload);
  const auto cached = cache_.find(workload.id);
  if (cached != cache_.end()) {
    // Re-delivery: never provision twice. After a start the cached result goes out again.
    if (job.resend && !results_.pending(workload.id, cached->second.state)) {
      counters_.results_resent += 1;
      results_.send(workload.id, cached->second.state, "", cached->second.data_json);
    }
    return job_done();
  }
  if (ports_.store.get(std::string(deleted_prefix) + workload.id)) return job_done();  // Already gone.
  if (ports_.store.get(std::string(ended_prefix) + workload.id)) return job_done();    // Ended here.
  if (results_.pending(workload.id, ResultState::deleted)) return job_done();
  provision(workload);
}

Status Node::check_engine_rules(const Workload& workload) const {
  const std::int64_t now_s = ports_.scheduler.now_ms() / 1000;
  if (workload.duration_s <= 0) return Error{fmt::format("reservation {} has not duration", workload.id)};
  if (workload.created_s <= 0 || workload.created_s > now_s + config_.creation_skew_max_s) {
    return Error{fmt::format("wrong creation date in reservation {}", workload.id)};
  }
  if (workload.created_s + workload.duration_s <= now_s) {
    return Error{fmt::format("reservation {} has expired", workload.id)};
  }
  return {};
}

void Node::provision(const Workload& workload) {
  // zos sent no result for these engine-level failures, leaving the user waiting; ours answers.
  if (const Status rules = check_engine_rules(workload); !rules) return failed(workload, rules.error());
  ports_.events.record("provision", fmt::format("workload={} type={}", trace_value(workload.id), to_string(workload.type)));
  switch (workload.type) {
    case WorkloadType::network_resource: {
      const Expected<NetworkResource> network = parse_network_resource(workload.payload_json);
      if (!network) return failed(workload, network.error());
      if (const Status installed = networks_.install(workload.id, network.value()); !installed) {
        return failed(workload, installed.error());
      }
      return provisioned(workload, nlohmann::json{{"network", network.value().name}}.dump());
    }
    case WorkloadType::volume: {
      const Expected<std::string> data = volumes_.provision(workload);
      if (!data) return failed(workload, data.error());
      return provisioned(workload, data.value());
    }
    case WorkloadType::container: {
      containers_.provision(workload, lifetime_.guard([this, workload](ContainerOutcome outcome) {
        if (outcome.ok) return provisioned(workload, outcome.data_json);
        failed(workload, outcome.message);
      }));
      return;
    }
    default:
      return failed(workload, fmt::format("type of reservation not supported: {}", to_string(workload.type)));
  }
}

void Node::provisioned(const Workload& workload, const std::string& data_json) {
  // A crash point: the daemon dies with the provision done and nothing of it saved. The provision's
  // "unfinished" marker is still in the store (below), so the next daemon reaps what runs.
  if (ports_.faults.fire("node.before_result_saved")) return;
  Cached cached{workload, ResultState::ok, data_json};
  save(cached);
  if (workload.type == WorkloadType::container) containers_.commit(workload.id);
  ports_.store.put(std::string(promised_key_prefix) + workload.id, "");
  cache_.insert_or_assign(workload.id, std::move(cached));
  counters_.provisioned += 1;
  results_.send(workload.id, ResultState::ok, "", data_json);
  report_capacity();
  job_done();
}

// On error zos rolled back, sent the error, then "deleted"; the explorer keeps the error text.
void Node::failed(const Workload& workload, const std::string& message) {
  counters_.provision_errors += 1;
  results_.send(workload.id, ResultState::error, message, "");
  results_.send(workload.id, ResultState::deleted, message, "");
  mark_ended(workload.id, workload);
  job_done();
}

void Node::decommission(const Workload& workload) {
  const auto cached = cache_.find(workload.id);
  if (cached == cache_.end() && workload.type == WorkloadType::volume && volumes_.find(workload.id)) {
    // A reboot wiped the cache but kept the volume: it is still here to decommission.
    ports_.events.record("decommission", fmt::format("workload={} type=volume after=reboot", trace_value(workload.id)));
    const Status gone = volumes_.decommission(workload.id);
    if (!gone) return decommission_deferred(workload, gone);
    return decommissioned(workload.id);
  }
  if (cached == cache_.end()) {
    // Nothing here holds it; the explorer still waits for its "deleted" unless one is on its way.
    const bool known_gone = ports_.store.get(std::string(deleted_prefix) + workload.id).has_value();
    if (!known_gone && !results_.pending(workload.id, ResultState::deleted)) {
      results_.send(workload.id, ResultState::deleted, "", "");
    }
    return job_done();
  }
  ports_.events.record("decommission", fmt::format("workload={} type={}", trace_value(workload.id), to_string(workload.type)));
  switch (cached->second.workload.type) {
    case WorkloadType::network_resource:
      (void)networks_.remove(workload.id);
      return decommissioned(workload.id);
    case WorkloadType::volume: {
      const Status gone = volumes_.decommission(workload.id);
      if (!gone) return decommission_deferred(workload, gone);
      return decommissioned(workload.id);
    }
    case WorkloadType::container: {
      containers_.decommission(workload.id, lifetime_.guard([this, workload](ContainerOutcome outcome) {
        if (!outcome.ok) return decommission_deferred(workload, Error{outcome.message});
        decommissioned(workload.id);
      }));
      return;
    }
    default:
      return decommissioned(workload.id);
  }
}

// The workload stays cached and its "deleted" unsent: the explorer lists it again at every poll
// (and the expiry scan finds it again), so the decommission is tried again until it succeeds.
void Node::decommission_deferred(const Workload& workload, const Status& why) {
  ports_.events.record("decommission_deferred",
                       fmt::format("workload={} error={}", trace_value(workload.id), trace_value(why.error())));
  job_done();
}

void Node::decommissioned(const std::string& workload_id) {
  mark_ended(workload_id);
  forget(workload_id);
  counters_.decommissioned += 1;
  results_.send(workload_id, ResultState::deleted, "", "");
  report_capacity();
  job_done();
}

void Node::on_self_decommissioned(const std::string& workload_id, const std::string& message) {
  // Not a job: the crash policy acts on its own, between jobs or during one.
  mark_ended(workload_id);
  forget(workload_id);
  counters_.self_decommissions += 1;
  // zos's DecommissionCached decommissions first (which sends "deleted"), then replies with the
  // error (engine.go; docs/ZOS.md, "Crashes").
  results_.send(workload_id, ResultState::deleted, message, "");
  results_.send(workload_id, ResultState::error, message, "");
  report_capacity();
}

// The marker holds the time it may go: once the workload has expired the explorer lists it only
// for deletion, so it can no longer be provisioned by mistake (and at least the keep time of
// "deleted/" markers, for workloads without a known expiry).
void Node::mark_ended(const std::string& workload_id, std::optional<Workload> workload) {
  if (!workload) {
    const auto cached = cache_.find(workload_id);
    if (cached != cache_.end()) workload = cached->second.workload;
  }
  std::int64_t keep_until_ms = ports_.scheduler.now_ms() + deleted_marker_keep_ms;
  if (workload && workload->duration_s > 0 && workload->created_s > 0 &&
      workload->duration_s < INT64_MAX / 2000 - workload->created_s) {
    keep_until_ms = std::max(keep_until_ms, (workload->created_s + workload->duration_s) * 1000);
  }
  ports_.store.put(std::string(ended_prefix) + workload_id, std::to_string(keep_until_ms));
  // Every end of a workload passes here (forget() follows it), so the promise goes here alone.
  ports_.store.erase(std::string(promised_key_prefix) + workload_id);
}

void Node::on_result_accepted(const ProvisionResult& result) {
  if (result.state != ResultState::deleted) return;
  ports_.store.put(std::string(deleted_prefix) + result.workload_id, std::to_string(ports_.scheduler.now_ms()));
}

// Expired workloads are decommissioned as if the explorer had asked; the explorer will ask as well,
// and whichever comes second finds nothing left to do.
void Node::scan_expired() {
  const std::int64_t now_ms = ports_.scheduler.now_ms();
  std::vector<Workload> expired;
  for (const auto& [workload_id, cached] : cache_) {
    if (cached.workload.created_s + cached.workload.duration_s > now_ms / 1000) continue;
    expired.push_back(cached.workload);
    expired.back().to_delete = true;
  }
  // Like the deletes of a poll, in reverse type order: a container lets go of its volume first.
  std::stable_sort(expired.begin(), expired.end(), [](const Workload& a, const Workload& b) {
    return type_order(a.type) > type_order(b.type);
  });
  for (const Workload& workload : expired) enqueue(workload, false);
  // The capacity report is fire and forget: one sent while the explorer was down is lost, so the
  // report goes out again with every scan and the explorer is never stale for long (a provision in
  // flight is left out of it, see report_capacity()).
  report_capacity();
  for (const std::string& key : ports_.store.keys(deleted_prefix)) {
    const std::optional<std::string> at_ms = ports_.store.get(key);
    if (at_ms && now_ms - std::stoll(*at_ms) > deleted_marker_keep_ms) ports_.store.erase(key);
  }
  for (const std::string& key : ports_.store.keys(ended_prefix)) {
    const std::optional<std::string> until_ms = ports_.store.get(key);
    if (until_ms && now_ms > std::stoll(*until_ms)) ports_.store.erase(key);
  }
  process_next();
  expiry_timer_ = ports_.scheduler.at(now_ms + config_.expiry_scan_interval_ms, lifetime_.guard([this] {
    scan_expired();
  }));
}

void Node::save(const Cached& cached) {
  const nlohmann::json record{{"workload", nlohmann::json::parse(workload_to_json(cached.workload))},
                              {"state", static_cast<int>(cached.state)},
                              {"data_json", cached.data_json}};
  ports_.store.put(std::string(workload_prefix) + cached.workload.id, record.dump());
}

void Node::forget(const std::string& workload_id) {
  cache_.erase(workload_id);
  ports_.store.erase(std::string(workload_prefix) + workload_id);
}

// zos reported after each provision or decommission completed (engine.go), so what it reported
// never held a provision still in progress; ours reports also with every expiry scan (a report
// lost while the explorer was down stayed lost), and leaves a provision in flight out of it.
void Node::report_capacity() { ports_.explorer.report_capacity(node_id_, reported_usage()); }

CapacityUsage Node::reported_usage() const {
  const CapacityUsage& used = ledger_.used();
  const CapacityUsage in_flight = containers_.in_flight_usage();
  assert(in_flight.cpu <= used.cpu && in_flight.memory_mib <= used.memory_mib);
  assert(in_flight.ssd_mib <= used.ssd_mib && in_flight.hdd_mib <= used.hdd_mib);
  return CapacityUsage{used.cpu - in_flight.cpu, used.memory_mib - in_flight.memory_mib,
                       used.ssd_mib - in_flight.ssd_mib, used.hdd_mib - in_flight.hdd_mib};
}

std::vector<std::string> Node::cached_workloads() const {
  std::vector<std::string> ids;
  for (const auto& [workload_id, cached] : cache_) ids.push_back(workload_id);
  return ids;
}

bool Node::idle() const { return !processing_ && queue_.empty() && results_.pending_total() == 0; }

std::string workload_to_json(const Workload& workload) {
  return nlohmann::json{{"id", workload.id},
                        {"reservation_id", workload.reservation_id},
                        {"type", static_cast<int>(workload.type)},
                        {"user_id", workload.user_id},
                        {"user_public_key_hex", workload.user_public_key_hex},
                        {"created_s", workload.created_s},
                        {"duration_s", workload.duration_s},
                        {"version", workload.version},
                        {"to_delete", workload.to_delete},
                        {"payload_json", workload.payload_json}}
      .dump();
}

Expected<Workload> workload_from_json(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return Error{"workload: not a JSON object"};
  try {
    Workload workload;
    workload.id = json.at("id").get<std::string>();
    workload.reservation_id = json.at("reservation_id").get<std::uint64_t>();
    workload.type = static_cast<WorkloadType>(json.at("type").get<int>());
    workload.user_id = json.at("user_id").get<std::string>();
    workload.user_public_key_hex = json.at("user_public_key_hex").get<std::string>();
    workload.created_s = json.at("created_s").get<std::int64_t>();
    workload.duration_s = json.at("duration_s").get<std::int64_t>();
    workload.version = json.at("version").get<std::uint32_t>();
    workload.to_delete = json.at("to_delete").get<bool>();
    workload.payload_json = json.at("payload_json").get<std::string>();
    return workload;
  } catch (const nlohmann::json::exception& error) {
    return Error{fmt::format("workload: {}", error.what())};
  }
}

}  // namespace zsim::core
