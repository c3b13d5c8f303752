#include "properties/node_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>

#include <nlohmann/json.hpp>

#include "core/identity.hpp"
#include "core/reservation.hpp"
#include "core/secret_env.hpp"
#include "sim/scenario.hpp"

namespace zsim::properties {

namespace {

using nlohmann::json;

constexpr std::string_view redis_address = "10.1.0.1:6379";
constexpr std::int64_t setup_lifetime_s = 30 * 24 * 3600;
constexpr std::int64_t container_lifetime_s = 24 * 3600;  // No case runs that long: nothing expires.
constexpr std::uint64_t nonce_stream = 7'000'000'000ULL;
constexpr std::int64_t wind_down_step_ms = 10'000;
constexpr std::int64_t wind_down_max_ms = 30 * 60'000;
constexpr std::string_view volume_id = "0-3";

struct FlistKind {
  const char* name;
  const char* entrypoint;
  std::int64_t line_interval_ms;
};
constexpr std::array<FlistKind, flists_count> flist_kinds{{{"chatty", "/bin/chatty", 1000}, {"quiet", "/bin/sleep", 0}}};

bool fits(const core::CapacityUsage& used, const core::CapacityUsage& need, const core::CapacityUsage& totals) {
  return used.cpu + need.cpu <= totals.cpu && used.memory_mib + need.memory_mib <= totals.memory_mib &&
         used.ssd_mib + need.ssd_mib <= totals.ssd_mib && used.hdd_mib + need.hdd_mib <= totals.hdd_mib;
}

void add(core::CapacityUsage& into, const core::CapacityUsage& more) {
  into.cpu += more.cpu;
  into.memory_mib += more.memory_mib;
  into.ssd_mib += more.ssd_mib;
  into.hdd_mib += more.hdd_mib;
}

bool within(const core::CapacityUsage& low, const core::CapacityUsage& value, const core::CapacityUsage& high) {
  return low.cpu <= value.cpu && value.cpu <= high.cpu && low.memory_mib <= value.memory_mib &&
         value.memory_mib <= high.memory_mib && low.ssd_mib <= value.ssd_mib && value.ssd_mib <= high.ssd_mib &&
         low.hdd_mib <= value.hdd_mib && value.hdd_mib <= high.hdd_mib;
}

std::string describe(const core::CapacityUsage& used) {
  return fmt::format("cpu={} memory_mib={} ssd_mib={} hdd_mib={}", used.cpu, used.memory_mib, used.ssd_mib, used.hdd_mib);
}

// The ledger's refusal (core/capacity.cpp checks cpu, memory, ssd, hdd in this order), written
// here from the reservation's figures rather than by calling the core.
std::string capacity_refusal(const core::CapacityUsage& used, const core::CapacityUsage& need,
                             const core::CapacityUsage& totals) {
  struct Resource {
    const char* name;
    std::uint64_t core::CapacityUsage::*field;
    const char* unit;
  };
  constexpr std::array<Resource, 4> resources{{{"cpu", &core::CapacityUsage::cpu, "cores"},
                                               {"memory", &core::CapacityUsage::memory_mib, "MiB"},
                                               {"ssd", &core::CapacityUsage::ssd_mib, "MiB"},
                                               {"hdd", &core::CapacityUsage::hdd_mib, "MiB"}}};
  for (const Resource& resource : resources) {
    const std::uint64_t free = totals.*resource.field - used.*resource.field;
    if (need.*resource.field > free) {
      return fmt::format("not enough {}: asked {} {}, free {} {}", resource.name, need.*resource.field, resource.unit,
                         free, resource.unit);
    }
  }
  assert(false && "capacity_refusal of a need that fits");
  return "";
}

// The exact error of an invalid kind decided before the network join (none for the others).
std::optional<std::string> early_error(Invalid invalid) {
  const std::string prefix(core::schema_error_prefix);
  switch (invalid) {
    case Invalid::cpu_zero: return prefix + "cannot create a container with 0 CPU allocated";
    case Invalid::memory_low: return prefix + "amount of memory allocated for the container cannot be lower then 64 megabytes";
    case Invalid::network_empty: return prefix + "network ID cannot be empty";
    case Invalid::flist_missing: return prefix + "missing flist url";
    case Invalid::disk_type: return std::string("unknown disk type: nvme");
    case Invalid::network_unknown: return std::string("network net-nowhere is not installed on this node");
    case Invalid::ip_outside:
      return std::string("IP 10.1.101.7 is outside the subnet 10.1.1.0/24 of network net-1 on this node");
    default: return std::nullopt;
  }
}

// The exact error of an invalid kind decided after the network's address check, before the capacity.
std::optional<std::string> late_error(Invalid invalid) {
  switch (invalid) {
    case Invalid::volume_not_owner:
      return fmt::format("cannot use volume {}, user user-2 is not the owner of it", volume_id);
    case Invalid::secret_version: return std::string("failed to decrypt secret env var 'TOKEN': unknown encryption version 7");
    case Invalid::ipv6_on_ipv4_only:
      return std::string(
          "this node runs in IPv4 only mode and you asked for a public IPv6. Impossible to fulfill the request");
    default: return std::nullopt;
  }
}

}  // namespace

std::string flist_url(std::uint32_t flist) {
  assert(flist < flists_count);
  return fmt::format("https://hub.grid.tf/zsim/{}.flist", flist_kinds[flist].name);
}

std::string_view to_string(Invalid invalid) {
  switch (invalid) {
    case Invalid::none: return "valid";
    case Invalid::cpu_zero: return "cpu_zero";
    case Invalid::memory_low: return "memory_low";
    case Invalid::network_empty: return "network_empty";
    case Invalid::flist_missing: return "flist_missing";
    case Invalid::disk_type: return "disk_type";
    case Invalid::network_unknown: return "network_unknown";
    case Invalid::ip_outside: return "ip_outside";
    case Invalid::volume_not_owner: return "volume_not_owner";
    case Invalid::secret_version: return "secret_version";
    case Invalid::ipv6_on_ipv4_only: return "ipv6_on_ipv4_only";
  }
  return "?";
}

void showValue(const Shape& shape, std::ostream& os) {
  os << fmt::format("seed={} totals: {}{}", shape.seed, describe(shape.totals), shape.ipv4_only ? " ipv4_only" : "");
}

bool Prediction::allows_error(const std::string& message) const {
  return errors.contains(message) || (any_capacity_error && message.starts_with("not enough "));
}

// What the container asks of the ledger: its CPU and memory, and its root disk (256 MiB when no
// size is given) on SSD unless the type is "hdd".
core::CapacityUsage need_of(const Ask& ask) {
  core::CapacityUsage need{ask.cpu, ask.memory_mib, 0, 0};
  const std::uint64_t disk_mib = ask.disk_mib == 0 ? 256 : ask.disk_mib;
  (ask.disk_type == "hdd" ? need.hdd_mib : need.ssd_mib) = disk_mib;
  return need;
}

std::string ip_of(const Ask& ask) {
  if (ask.invalid == Invalid::ip_outside) return "10.1.101.7";
  if (ask.invalid == Invalid::volume_not_owner) return fmt::format("10.2.1.{}", ask.host);
  return fmt::format("10.1.1.{}", ask.host);
}

NodeModel NodeModel::initial(const Shape& shape) {
  NodeModel model;
  model.shape = shape;
  return model;
}

core::CapacityUsage NodeModel::surely_used() const {
  core::CapacityUsage used{0, 0, volume_mib, 0};
  for (const ModelWorkload& workload : workloads) {
    if (workload.surely_holds()) add(used, workload.need);
  }
  return used;
}

core::CapacityUsage NodeModel::maybe_used() const {
  core::CapacityUsage used{0, 0, volume_mib, 0};
  for (const ModelWorkload& workload : workloads) {
    if (workload.may_hold()) add(used, workload.need);
  }
  return used;
}

// The core's order of checks (core/container_provision.cpp): the payload's own validity, the
// network and its address, volumes, secrets, the public IPv6, the capacity, then the flist.
Prediction NodeModel::predict(const Ask& ask) const {
  Prediction out;
  if (const std::optional<std::string> error = early_error(ask.invalid)) {
    out.errors.insert(*error);
    return out;
  }
  bool ip_surely_taken = false;
  predict_ip(ask, ip_of(ask), out, ip_surely_taken);
  if (ip_surely_taken) return out;
  if (const std::optional<std::string> error = late_error(ask.invalid)) {
    out.errors.insert(*error);
    return out;
  }
  bool surely_refused = false;
  predict_capacity(need_of(ask), out, surely_refused);
  if (surely_refused) return out;
  predict_hub(ask, out);
  return out;
}

void NodeModel::predict_ip(const Ask& ask, const std::string& ip, Prediction& out, bool& ip_surely_taken) const {
  if (ask.invalid == Invalid::volume_not_owner) return;  // net-2 has no other container.
  for (const ModelWorkload& holder : workloads) {
    if (!holder.may_hold() || holder.ip != ip) continue;
    const std::string message = fmt::format("IP {} is already used by container {} in network net-1", ip, holder.id);
    if (holder.surely_holds()) {
      out = Prediction{};
      out.errors.insert(message);
      ip_surely_taken = true;
      return;
    }
    out.errors.insert(message);
  }
}

void NodeModel::predict_capacity(const core::CapacityUsage& need, Prediction& out, bool& surely_refused) const {
  const core::CapacityUsage low = surely_used();
  const core::CapacityUsage high = maybe_used();
  if (fits(high, need, shape.totals)) return;
  surely_refused = !fits(low, need, shape.totals);
  if (low == high) {
    out.errors.insert(capacity_refusal(low, need, shape.totals));
  } else {
    out.any_capacity_error = true;
  }
}

// The flist comes from the hub's .md5 then the flist itself, or from the node's cache when the
// hub cannot be reached (core/flist_cache.cpp). A cached flist never needs the hub.
void NodeModel::predict_hub(const Ask& ask, Prediction& out) const {
  const Cached cached = flists.at(ask.flist);
  const std::string url = flist_url(ask.flist);
  const std::string offline = fmt::format("flist {} is not reachable and not cached", url);
  if (cached == Cached::yes || (!hub_down && ask.hub_fails_after_ms < 0)) {
    out.may_ok = true;
    return;
  }
  if (hub_down) {
    out.errors.insert(offline);
    out.may_ok = out.may_ok || cached == Cached::maybe;
    return;
  }
  // The hub fails at some moment of the provision window: before the .md5, between it and the
  // download, or after both.
  out.may_ok = true;
  out.errors.insert(offline);
  out.errors.insert("fail to download flist: hub unreachable");
}

void NodeModel::deliver(const Ask& ask) {
  ModelWorkload workload;
  workload.id = next_id();
  workload.ask = ask;
  workload.ip = ip_of(ask);
  workload.need = need_of(ask);
  workload.prediction = predict(ask);
  if (workload.prediction.may_ok && ask.invalid == Invalid::none) {
    Cached& cached = flists.at(ask.flist);
    if (workload.prediction.surely_ok()) cached = Cached::yes;
    if (cached == Cached::no) cached = Cached::maybe;
  }
  if (ask.hub_fails_after_ms >= 0) hub_down = true;
  workloads.push_back(std::move(workload));
}

Taken NodeModel::delete_taken(std::size_t index) const {
  const ModelWorkload& workload = workloads.at(index);
  if (workload.surely_holds()) return Taken::yes;
  if (!workload.may_hold()) return Taken::no;  // Ended: the explorer says it is already deleted.
  return Taken::maybe;
}

void NodeModel::request_delete(std::size_t index) {
  if (delete_taken(index) != Taken::no) workloads.at(index).delete_requested = true;
}

// The crash policy (core/container_lifecycle.cpp, count_exit): a window opens at the first exit of
// a burst and lasts a minute, inclusive; the 4th exit inside it ends the container.
void NodeModel::crash(std::size_t index) {
  ModelWorkload& workload = workloads.at(index);
  assert(workload.surely_holds());
  const bool window_open = workload.crash_count > 0 && now_ms <= workload.crash_window_start_ms + 60'000;
  if (!window_open) {
    workload.crash_window_start_ms = now_ms;
    workload.crash_count = 0;
  }
  workload.crash_count += 1;
  if (workload.crash_count >= 4) workload.gave_up = true;
}

void NodeModel::daemon_stopped() {
  lossless = false;
  for (ModelWorkload& workload : workloads) workload.crash_count = 0;
}

void NodeModel::set_redis_down(bool down) {
  if (down) lossless = false;
  if (!down) redis_up_since_ms = now_ms;
  redis_down = down;
}

// ---------------------------------------------------------------------------------------------
// The system under test.

NodeWorld::NodeWorld(const Shape& shape) : world_(shape.seed), checker_(world_), nonces_(world_.prng().fork(nonce_stream)) {
  world_.redis().add_server(std::string(redis_address));
  checker_.watch_redis_server(std::string(redis_address));
  sim::NodeSetup setup;
  setup.label = "node-1";
  setup.totals = shape.totals;
  setup.ipv4_only = shape.ipv4_only;
  world_.add_node(setup);
  for (std::uint32_t flist = 0; flist < flists_count; flist += 1) {
    const FlistKind& kind = flist_kinds[flist];
    core::FlistImage image{std::string(kind.name) + ".flist", 64, kind.entrypoint, {{"PATH", "/bin"}}, ""};
    image.body = sim::scenario_flist_body(image);
    world_.hub().add_flist(flist_url(flist), image);
    fakes::ContainerProgram program;
    program.line_interval_ms = kind.line_interval_ms;
    world_.node(0).runtime->set_program_for_flist(image.name, program);
  }
  add_setup_workloads();
  run_for(setup_settle_ms);
}

// The networks of user-1 and user-2 and a volume of user-1, present from the start as the scenario
// runner installs them (workloads of reservation 0).
void NodeWorld::add_setup_workloads() {
  const std::string& node_id = world_.node(0).node_id;
  const auto base = [this](std::string id, const std::string& owner, core::WorkloadType type, json payload) {
    core::Workload workload;
    workload.id = std::move(id);
    workload.user_id = owner;
    workload.user_public_key_hex = world_.user_identity(owner).public_key_hex();
    workload.created_s = world_.now_ms() / 1000;
    workload.duration_s = setup_lifetime_s;
    workload.version = 1;
    workload.type = type;
    workload.payload_json = payload.dump();
    return workload;
  };
  const core::WorkloadType network = core::WorkloadType::network_resource;
  world_.explorer().add_workload(node_id, base("0-1", "user-1", network, {{"name", "net-1"}, {"subnet", "10.1.1.0/24"}}),
                                 world_.now_ms());
  world_.explorer().add_workload(node_id, base("0-2", "user-2", network, {{"name", "net-2"}, {"subnet", "10.2.1.0/24"}}),
                                 world_.now_ms());
  world_.explorer().add_workload(
      node_id, base(std::string(volume_id), "user-1", core::WorkloadType::volume, {{"size", volume_mib / 1024}, {"type", "ssd"}}),
      world_.now_ms());
}

// The payload as a client writes it (sim/swarm.cpp's container, corrupted as apply_invalid does),
// secrets encrypted for this node.
std::string NodeWorld::payload_for(const std::string& id, const Ask& ask) {
  const bool user_2 = ask.invalid == Invalid::volume_not_owner;
  json payload{{"workload_id", 1},
               {"node_id", world_.node(0).node_id},
               {"flist", flist_url(ask.flist)},
               {"environment", {{"ZSIM_USER", user_2 ? "user-2" : "user-1"}}},
               {"interactive", false},
               {"network_connection",
                {{{"network_id", user_2 ? "net-2" : "net-1"}, {"ipaddress", ip_of(ask)},
                  {"public_ip6", ask.invalid == Invalid::ipv6_on_ipv4_only}}}},
               {"capacity", {{"cpu", ask.cpu}, {"memory", ask.memory_mib}, {"disk_size", ask.disk_mib},
                             {"disk_type", ask.disk_type}}}};
  if (ask.invalid == Invalid::cpu_zero) payload["capacity"]["cpu"] = 0;
  if (ask.invalid == Invalid::memory_low) payload["capacity"]["memory"] = 32;
  if (ask.invalid == Invalid::network_empty) payload["network_connection"][0]["network_id"] = "";
  if (ask.invalid == Invalid::flist_missing) payload["flist"] = "";
  if (ask.invalid == Invalid::disk_type) payload["capacity"]["disk_type"] = "nvme";
  if (ask.invalid == Invalid::network_unknown) payload["network_connection"][0]["network_id"] = "net-nowhere";
  if (user_2) payload["volumes"] = {{{"volume_id", volume_id}, {"mountpoint", "/steal"}}};
  if (ask.logs) {
    payload["logs"] = {{{"type", "redis"},
                        {"data", {{"stdout", fmt::format("redis://{}/{}-stdout", redis_address, id)},
                                  {"stderr", fmt::format("redis://{}/{}-stderr", redis_address, id)}}}}};
  }
  if (ask.stats) {
    payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", fmt::format("redis://{}/{}-stats", redis_address, id)}}}}};
  }
  if (ask.secret || ask.invalid == Invalid::secret_version) {
    const std::string plaintext = fmt::format("zsim-model-secret-{:016x}", nonces_.next_u64());
    checker_.add_secret(plaintext);
    const core::Identity user = world_.user_identity(user_2 ? "user-2" : "user-1");
    const core::Identity node = core::Identity::from_seed(world_.node(0).config.identity_seed);
    payload["secret_environment"] = {{"TOKEN", core::encrypt_secret(user, node.public_key, 1, plaintext, nonces_.next_u64())}};
  }
  return payload.dump();
}

void NodeWorld::deliver(const std::string& id, const Ask& ask, const std::optional<std::string>& exact_error) {
  const bool user_2 = ask.invalid == Invalid::volume_not_owner;
  core::Workload workload;
  workload.id = id;
  workload.reservation_id = std::stoull(id.substr(0, id.find('-')));
  workload.type = core::WorkloadType::container;
  workload.user_id = user_2 ? "user-2" : "user-1";
  workload.user_public_key_hex = world_.user_identity(workload.user_id).public_key_hex();
  workload.created_s = world_.now_ms() / 1000;
  workload.duration_s = container_lifetime_s;
  workload.version = ask.invalid == Invalid::secret_version ? 7 : 1;
  workload.payload_json = payload_for(id, ask);
  if (exact_error) checker_.expect_error(id, *exact_error);
  world_.explorer().add_workload(world_.node(0).node_id, workload, world_.now_ms());
  if (ask.hub_fails_after_ms >= 0) {
    world_.scheduler().at(world_.now_ms() + ask.hub_fails_after_ms, [this] { world_.hub().set_down(true); });
  }
}

core::Status NodeWorld::request_delete(const std::string& id) { return world_.explorer().request_delete(id); }

core::Status NodeWorld::crash(const std::string& id) { return world_.node(0).runtime->crash(id); }

void NodeWorld::set_redis_down(bool down) { world_.redis().set_down(redis_address, down); }

// ---------------------------------------------------------------------------------------------
// Comparing the world with the model.

namespace {

// What the explorer holds for one workload, classified.
enum class Seen : std::uint8_t { nothing, ok, ok_deleted, gave_up, error, malformed };

struct Observed {
  Seen seen = Seen::nothing;
  std::string message;  // Of the error (the give-up's error for gave_up).
  std::string data_json;
};

std::string_view to_string(Seen seen) {
  switch (seen) {
    case Seen::nothing: return "no result";
    case Seen::ok: return "ok";
    case Seen::ok_deleted: return "ok, deleted";
    case Seen::gave_up: return "ok, deleted, error";
    case Seen::error: return "error, deleted";
    case Seen::malformed: return "a malformed sequence";
  }
  return "?";
}

// One terminal result: [error, deleted], or ok (sent again, with the same data, after a restart or
// a reboot) then nothing, "deleted", or "deleted" and the crash policy's error.
Observed observe(const std::vector<core::ProvisionResult>& results) {
  using core::ResultState;
  Observed observed;
  if (results.empty()) return observed;
  observed.seen = Seen::malformed;
  if (results.front().state == ResultState::error) {
    if (results.size() == 2 && results[1].state == ResultState::deleted) observed.seen = Seen::error;
    observed.message = results.front().message;
    return observed;
  }
  if (results.front().state != ResultState::ok) return observed;
  observed.data_json = results.front().data_json;
  std::size_t oks = 0;
  while (oks < results.size() && results[oks].state == ResultState::ok) {
    if (results[oks].data_json != observed.data_json) return observed;
    oks += 1;
  }
  const std::size_t rest = results.size() - oks;
  if (rest == 0) observed.seen = Seen::ok;
  if (rest >= 1 && results[oks].state != ResultState::deleted) return observed;
  if (rest == 1) observed.seen = Seen::ok_deleted;
  if (rest == 2 && results[oks + 1].state == ResultState::error) {
    observed.seen = Seen::gave_up;
    observed.message = results[oks + 1].message;
  }
  return observed;
}

std::string describe(const std::vector<core::ProvisionResult>& results) {
  std::string text;
  for (const core::ProvisionResult& result : results) {
    text += fmt::format("{}{} \"{}\"", text.empty() ? "" : ", ", fakes::to_string(result.state), result.message);
  }
  return "[" + text + "]";
}

std::string describe(const Prediction& prediction) {
  std::string text = prediction.may_ok ? "ok" : "";
  for (const std::string& error : prediction.errors) text += fmt::format("{}error \"{}\"", text.empty() ? "" : " or ", error);
  if (prediction.any_capacity_error) text += std::string(text.empty() ? "" : " or ") + "a capacity refusal";
  return text;
}

// Whether what the explorer holds is one of the answers the model allows, and why not.
std::optional<std::string> judge(const ModelWorkload& workload, const Observed& observed,
                                 std::optional<fakes::NextAction> state) {
  const Prediction& prediction = workload.prediction;
  const Seen ok_kind = workload.gave_up ? Seen::gave_up : workload.delete_requested ? Seen::ok_deleted : Seen::ok;
  bool allowed = false;
  if (observed.seen == Seen::error) allowed = prediction.allows_error(observed.message);
  if (observed.seen == ok_kind && prediction.may_ok) {
    const json want{{"id", workload.id}, {"ipv4", workload.ip}, {"ipv6", ""}};
    const json got = json::parse(observed.data_json, nullptr, false);
    if (got != want) return fmt::format("ok with data {}, want {}", observed.data_json, want.dump());
    allowed = ok_kind != Seen::gave_up || observed.message == gave_up_message;
  }
  if (!allowed) {
    return fmt::format("got {}, want {}{}", to_string(observed.seen), describe(prediction),
                       prediction.may_ok ? fmt::format(" (the ok as {})", to_string(ok_kind)) : "");
  }
  const fakes::NextAction want_state = observed.seen == Seen::ok ? fakes::NextAction::deploy : fakes::NextAction::deleted;
  if (state != want_state) {
    return fmt::format("explorer state {}, want {}", state ? fakes::to_string(*state) : "none", fakes::to_string(want_state));
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> NodeWorld::differences(const NodeModel& model, bool lines_grow) {
  std::vector<std::string> out;
  if (elapsed_ms() != model.now_ms) out.push_back(fmt::format("world time {} ms, model time {} ms", elapsed_ms(), model.now_ms));
  const sim::World::NodeSlot& slot = world_.node(0);
  if (slot.node == nullptr) {
    out.push_back("the daemon is down");
    return out;
  }
  if (!slot.node->idle()) out.push_back("the node is not idle after settling");
  differences_in_results(model, out);
  differences_in_capacity(model, out);
  differences_in_containers(model, out);
  differences_in_delivery(model, lines_grow, out);
  return out;
}

void NodeWorld::differences_in_results(const NodeModel& model, std::vector<std::string>& out) {
  for (const ModelWorkload& workload : model.workloads) {
    const std::vector<core::ProvisionResult>& results = world_.explorer().results(workload.id);
    const std::optional<std::string> wrong = judge(workload, observe(results), world_.explorer().state(workload.id));
    if (wrong) out.push_back(fmt::format("{} ({}): {}; results {}", workload.id, to_string(workload.ask.invalid), *wrong, describe(results)));
  }
}

void NodeWorld::differences_in_capacity(const NodeModel& model, std::vector<std::string>& out) {
  const sim::World::NodeSlot& slot = world_.node(0);
  const core::CapacityUsage& used = slot.node->used();
  const core::CapacityUsage low = model.surely_used();
  const core::CapacityUsage high = model.maybe_used();
  if (!within(low, used, high)) {
    out.push_back(low == high ? fmt::format("capacity used {}, want {}", describe(used), describe(low))
                              : fmt::format("capacity used {}, want between {} and {}", describe(used), describe(low), describe(high)));
  }
  const std::optional<core::CapacityUsage> reported = world_.explorer().capacity(slot.node_id);
  if (!reported || *reported != used) {
    out.push_back(fmt::format("the explorer was told {}, the ledger holds {}", reported ? describe(*reported) : "nothing", describe(used)));
  }
}

// Containers that surely hold run, with their own address; those that cannot hold do not run.
void NodeWorld::differences_in_containers(const NodeModel& model, std::vector<std::string>& out) {
  const fakes::FakeRuntime& runtime = *world_.node(0).runtime;
  const std::vector<std::string> running = runtime.running();
  for (const ModelWorkload& workload : model.workloads) {
    const bool runs = std::find(running.begin(), running.end(), workload.id) != running.end();
    if (workload.surely_holds() && !runs) out.push_back(fmt::format("{} does not run", workload.id));
    if (!workload.may_hold() && runs) out.push_back(fmt::format("{} runs, but it ended", workload.id));
    const std::optional<core::ContainerSpec> spec = runtime.spec(workload.id);
    if (runs && (!spec || spec->ipv4 != workload.ip)) out.push_back(fmt::format("{} runs without its IP {}", workload.id, workload.ip));
  }
  for (const std::string& name : running) {
    const bool known = std::any_of(model.workloads.begin(), model.workloads.end(),
                                   [&](const ModelWorkload& workload) { return workload.id == name; });
    if (!known) out.push_back(fmt::format("{} runs, but it was never delivered", name));
  }
}

void NodeWorld::differences_in_delivery(const NodeModel& model, bool lines_grow, std::vector<std::string>& out) {
  const core::DeliveryCounters now = world_.delivery_totals(0).targets;
  const std::string figures = fmt::format("produced {} delivered {} dropped {} buffered {} in flight {}", now.lines_produced,
                                          now.lines_delivered, now.lines_dropped, now.lines_buffered, now.lines_in_flight);
  if (now.lines_delivered + now.lines_dropped + now.lines_buffered + now.lines_in_flight != now.lines_produced) {
    out.push_back("log lines do not add up: " + figures);
  }
  const bool flushed = !model.redis_down && model.now_ms - model.redis_up_since_ms >= redis_flush_ms;
  if (flushed && now.lines_delivered + now.lines_dropped != now.lines_produced) {
    out.push_back("redis is up, yet delivered + dropped != produced: " + figures);
  }
  if (model.lossless && now.lines_dropped != 0) out.push_back("log lines dropped without any outage: " + figures);
  if (now.lines_produced < last_counters_.lines_produced || now.lines_delivered < last_counters_.lines_delivered ||
      now.lines_dropped < last_counters_.lines_dropped) {
    out.push_back("a delivery counter went down: " + figures);
  }
  if (lines_grow && now.lines_produced == last_counters_.lines_produced) {
    out.push_back("a chatty container ran with a logs endpoint, yet no line was produced: " + figures);
  }
  if (lines_grow && flushed && now.lines_delivered == last_counters_.lines_delivered) {
    out.push_back("a chatty container logs to a healthy redis, yet no line was delivered: " + figures);
  }
  last_counters_ = now;
}

std::vector<std::string> NodeWorld::wind_down(const NodeModel& model) {
  world_.hub().set_down(false);
  set_redis_down(false);
  for (const core::Workload& workload : world_.explorer().workloads()) {
    const std::optional<fakes::NextAction> state = world_.explorer().state(workload.id);
    if (state == fakes::NextAction::pay || state == fakes::NextAction::deploy) (void)world_.explorer().request_delete(workload.id);
  }
  const auto settled = [this] {
    for (const core::Workload& workload : world_.explorer().workloads()) {
      if (world_.explorer().state(workload.id) != fakes::NextAction::deleted) return false;
    }
    const sim::World::NodeSlot& slot = world_.node(0);
    return slot.node != nullptr && slot.node->idle() && slot.runtime->running().empty() && world_.redis().connections_open() == 0;
  };
  const std::int64_t deadline_ms = world_.now_ms() + wind_down_max_ms;
  while (world_.now_ms() < deadline_ms && !settled()) run_for(wind_down_step_ms);
  run_for(wind_down_step_ms);
  std::vector<std::string> out;
  if (!settled()) out.push_back("the world did not wind down in 30 minutes");
  for (const sim::Violation& violation : checker_.finish()) out.push_back("property " + violation.property + ": " + violation.detail);
  for (const ModelWorkload& workload : model.workloads) {
    const Observed observed = observe(world_.explorer().results(workload.id));
    if (observed.seen == Seen::ok || observed.seen == Seen::nothing || observed.seen == Seen::malformed) {
      out.push_back(fmt::format("{} did not end: {}", workload.id, describe(world_.explorer().results(workload.id))));
    }
  }
  return out;
}

}  // namespace zsim::properties
