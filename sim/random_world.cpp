#include "sim/random_world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <nlohmann/json.hpp>
#include <set>

#include "core/flist_image.hpp"
#include "core/secret_env.hpp"
#include "sim/faults.hpp"
#include "sim/flist_catalogue.hpp"

namespace zsim::sim {

namespace {

constexpr std::array<const char*, 3> redis_servers{"10.1.0.1:6379", "10.1.0.2:6379", "10.1.0.3:6380"};
constexpr std::uint32_t users_count = 5;
// Networks outlive every container by this much; the liveness phase outlives the networks.
constexpr std::int64_t network_extra_ms = 20 * 60'000;
constexpr std::int64_t liveness_ms = network_extra_ms + 10 * 60'000;
constexpr std::uint32_t reservations_max = 1'000'000;

// The kinds of invalid reservation whose exact error the checker pins.
enum class Invalid : std::uint8_t { none, cpu_zero, memory_low, network_empty, flist_missing, disk_type, network_unknown,
                                    ip_outside, secret_version, ipv6_on_ipv4_only };

class Generator {
 public:
  Generator(World& world, Checker& checker, const RandomWorldOptions& options, RunSummary& summary)
      : world_(world), checker_(checker), options_(options), summary_(summary), prng_(world.prng().fork(77)) {}

  void build() {
    choose_faults();
    setup_nodes();
    setup_hub_and_redis();
    setup_networks();
    schedule_reservations();
    schedule_faults();
  }

 private:
  bool enabled(const std::string& kind) const { return faults_.count(kind) != 0; }

  void choose_faults() {
    if (!options_.faults) return;
    // Fault kinds by their catalogue names (sim/faults.hpp), and the three node events by the
    // names of the scenario steps that cause them.
    static const std::array<const char*, 11> kinds{"hub.down",       "hub.slow",      "redis.down",
                                                   "redis.dropping", "redis.slow",    "explorer.down",
                                                   "explorer.result_failures", "crash", "restart_daemon",
                                                   "reboot",         "fs_daemon.dead"};
    for (const char* kind : kinds) {
      if (prng_.chance(1, 2)) faults_.insert(kind);
    }
    if (prng_.chance(1, 3)) faults_.insert("buggify");
    summary_.faults_enabled.assign(faults_.begin(), faults_.end());
    // Which redis server the redis faults hit; the others stay healthy for the stats cadence check.
    faulty_server_ = redis_servers[prng_.below(redis_servers.size())];
  }

  void setup_nodes() {
    for (std::uint32_t index = 0; index < options_.nodes; index += 1) {
      NodeSetup setup;
      setup.label = fmt::format("node-{}", index + 1);
      setup.totals.cpu = prng_.between(16, 64);
      setup.totals.memory_mib = prng_.between(32, 128) * 1024;
      setup.totals.ssd_mib = prng_.between(256, 1024) * 1024;
      setup.totals.hdd_mib = prng_.between(1024, 4096) * 1024;
      setup.ipv4_only = index > 0 && prng_.chance(1, 4);
      world_.add_node(setup);
    }
  }

  void setup_hub_and_redis() {
    for (const FlistKind& kind : flist_kinds) add_flist_to_world(world_, kind, prng_);
    for (const char* address : redis_servers) {
      world_.redis().add_server(address);
      checker_.watch_redis_server(address);
    }
  }

  // Every user has a network with a /24 on every node: 10.<user>.<node>.0/24.
  void setup_networks() {
    for (std::uint32_t user = 1; user <= users_count; user += 1) {
      for (std::size_t node = 0; node < world_.node_count(); node += 1) {
        core::Workload workload = base_workload(user, world_.now_ms(), options_.duration_ms + network_extra_ms);
        workload.type = core::WorkloadType::network_resource;
        workload.id = fmt::format("{}-1", workload.reservation_id);
        workload.payload_json =
            nlohmann::json{{"name", fmt::format("net-{}", user)}, {"subnet", fmt::format("10.{}.{}.0/24", user, node + 1)}}
                .dump();
        world_.explorer().add_workload(world_.node(node).node_id, workload, world_.now_ms());
        summary_.reservations += 1;
      }
    }
  }

  core::Workload base_workload(std::uint32_t user, std::int64_t created_ms, std::int64_t duration_ms) {
    core::Workload workload;
    workload.reservation_id = next_reservation_id_++;
    workload.user_id = fmt::format("user-{}", user);
    workload.user_public_key_hex = world_.user_identity(workload.user_id).public_key_hex();
    workload.created_s = created_ms / 1000;
    workload.duration_s = duration_ms / 1000;
    workload.version = 1;
    return workload;
  }

  void schedule_reservations() {
    assert(options_.reservations <= reservations_max);
    std::vector<std::int64_t> created_ms;
    const std::int64_t last_ms = std::max<std::int64_t>(options_.duration_ms - 5 * 60'000, 60'000);
    for (std::uint32_t index = 0; index < options_.reservations; index += 1) {
      created_ms.push_back(world_.now_ms() + 1000 + static_cast<std::int64_t>(prng_.below(last_ms)));
    }
    // Ids grow with creation time, as the explorer assigns them.
    std::sort(created_ms.begin(), created_ms.end());
    for (std::int64_t at_ms : created_ms) schedule_reservation(at_ms);
  }

  Invalid choose_invalid(bool ipv4_only) {
    if (!prng_.chance(1, 8)) return Invalid::none;
    const Invalid kinds[] = {Invalid::cpu_zero,        Invalid::memory_low, Invalid::network_empty,
                             Invalid::flist_missing,   Invalid::disk_type,  Invalid::network_unknown,
                             Invalid::ip_outside,      Invalid::secret_version, Invalid::ipv6_on_ipv4_only};
    Invalid kind = kinds[prng_.below(std::size(kinds))];
    if (kind == Invalid::ipv6_on_ipv4_only && !ipv4_only) kind = Invalid::cpu_zero;
    return kind;
  }

  void schedule_reservation(std::int64_t created_ms) {
    const std::uint32_t user = 1 + static_cast<std::uint32_t>(prng_.below(users_count));
    const std::size_t node = prng_.below(world_.node_count());
    const World::NodeSlot& slot = world_.node(node);
    const std::int64_t end_ms = world_.now_ms() + options_.duration_ms;
    const std::int64_t duration_ms = std::clamp<std::int64_t>(
        5 * 60'000 + static_cast<std::int64_t>(prng_.below(55 * 60'000)), 120'000, end_ms - created_ms);
    core::Workload container = base_workload(user, created_ms, duration_ms);
    const std::uint64_t reservation_id = container.reservation_id;
    std::vector<core::Workload> workloads;
    std::string volume_id;
    const Invalid invalid = choose_invalid(slot.setup.ipv4_only);
    // Only a valid container gets a volume: an invalid one's exact error is pinned, and on a full
    // node its volume may fail first and the container answer that instead (the provision checks
    // volumes before secrets, as zos does), which is no bug of the core.
    if (invalid == Invalid::none && prng_.chance(1, 5)) {
      core::Workload volume = container;
      volume.type = core::WorkloadType::volume;
      volume.id = fmt::format("{}-1", reservation_id);
      volume.payload_json =
          nlohmann::json{{"size", 1 + prng_.below(10)}, {"type", prng_.chance(1, 2) ? "ssd" : "hdd"}}.dump();
      volume_id = volume.id;
      workloads.push_back(volume);
    }
    container.type = core::WorkloadType::container;
    container.id = fmt::format("{}-{}", reservation_id, volume_id.empty() ? 1 : 2);
    container.payload_json = container_payload(container, user, node, volume_id, invalid);
    if (invalid == Invalid::secret_version) container.version = 7;
    workloads.push_back(container);
    // Payment takes a while; now and then long enough that a lower id deploys after higher ones.
    const std::int64_t deploy_ms =
        created_ms + (prng_.chance(1, 10) ? 60'000 + static_cast<std::int64_t>(prng_.below(60'000))
                                          : static_cast<std::int64_t>(prng_.below(20'000)));
    const bool deleted_early = prng_.chance(1, 10);
    const std::int64_t delete_ms = deploy_ms + 30'000 + static_cast<std::int64_t>(prng_.below(duration_ms / 2));
    world_.scheduler().at(created_ms, [this, workloads, node, deploy_ms, deleted_early, delete_ms] {
      for (const core::Workload& workload : workloads) {
        world_.explorer().add_workload(world_.node(node).node_id, workload, deploy_ms);
      }
      if (!deleted_early) return;
      world_.scheduler().at(delete_ms, [this, workloads] {
        for (const core::Workload& workload : workloads) (void)world_.explorer().request_delete(workload.id);
      });
    });
    summary_.reservations += workloads.size();
  }

  std::string container_payload(const core::Workload& workload, std::uint32_t user, std::size_t node,
                                 const std::string& volume_id, Invalid invalid) {
    const FlistKind& kind = flist_kinds[prng_.below(flist_kinds.size())];
    const bool interactive = prng_.chance(1, 7);
    std::string network = fmt::format("net-{}", user);
    // Valid containers take .2 to .251 in turn; an invalid one always .253, which no valid one
    // uses, so that on a dense node an address still taken cannot answer before its pinned error.
    std::string ip = fmt::format("10.{}.{}.253", user, node + 1);
    if (invalid == Invalid::none) {
      std::uint32_t& host = next_host_[{user, node}];
      host = host % 250 + 1;
      ip = fmt::format("10.{}.{}.{}", user, node + 1, host + 1);
    }
    const bool public_ip6 = invalid == Invalid::ipv6_on_ipv4_only || (!world_.node(node).setup.ipv4_only && prng_.chance(1, 10));
    nlohmann::json capacity{{"cpu", 1 + prng_.below(4)},
                            {"memory", 256 * (1 + prng_.below(16))},
                            {"disk_size", prng_.chance(1, 4) ? 0 : 512 * (1 + prng_.below(8))},
                            {"disk_type", prng_.chance(1, 3) ? "hdd" : (prng_.chance(1, 4) ? "" : "SSD")}};
    std::string flist = flist_url(kind);
    std::string expected;
    const std::string prefix(core::schema_error_prefix);
    switch (invalid) {
      case Invalid::none: break;
      case Invalid::cpu_zero:
        capacity["cpu"] = 0;
        expected = prefix + "cannot create a container with 0 CPU allocated";
        break;
      case Invalid::memory_low:
        capacity["memory"] = 32;
        expected = prefix + "amount of memory allocated for the container cannot be lower then 64 megabytes";
        break;
      case Invalid::network_empty:
        network.clear();
        expected = prefix + "network ID cannot be empty";
        break;
      case Invalid::flist_missing:
        flist.clear();
        expected = prefix + "missing flist url";
        break;
      case Invalid::disk_type:
        capacity["disk_type"] = "nvme";
        expected = "unknown disk type: nvme";
        break;
      case Invalid::network_unknown:
        network = "net-nowhere";
        expected = "network net-nowhere is not installed on this node";
        break;
      case Invalid::ip_outside:
        ip = fmt::format("10.{}.{}.7", user, node + 101);
        expected = fmt::format("IP {} is outside the subnet 10.{}.{}.0/24 of network {} on this node", ip, user,
                               node + 1, network);
        break;
      case Invalid::secret_version:
        expected = "failed to decrypt secret env var 'TOKEN': unknown encryption version 7";
        break;
      case Invalid::ipv6_on_ipv4_only:
        expected = "this node runs in IPv4 only mode and you asked for a public IPv6. Impossible to fulfill the request";
        break;
    }
    nlohmann::json payload{{"workload_id", 1},
                           {"node_id", world_.node(node).node_id},
                           {"flist", flist},
                           {"hub_url", ""},
                           {"environment", {{"ZSIM_USER", workload.user_id}}},
                           {"entrypoint", kind.entrypoint.empty() ? "/bin/sh -c 'while true; do date; sleep 1; done'" : ""},
                           {"interactive", interactive},
                           {"network_connection", {{{"network_id", network}, {"ipaddress", ip}, {"public_ip6", public_ip6}}}},
                           {"capacity", capacity}};
    if (!volume_id.empty()) payload["volumes"] = {{{"volume_id", volume_id}, {"mountpoint", "data//"}}};
    const bool with_secret = invalid == Invalid::secret_version || prng_.chance(1, 3);
    if (with_secret) payload["secret_environment"] = {{"TOKEN", secret_for(workload, node)}};
    add_endpoints(payload, workload, kind, public_ip6, interactive, invalid);
    if (!expected.empty()) checker_.expect_error(workload.id, expected);
    return payload.dump();
  }

  std::string secret_for(const core::Workload& workload, std::size_t node) {
    const std::string plaintext = fmt::format("zsim-secret-{:016x}", prng_.next_u64());
    checker_.add_secret(plaintext);
    return world_.encrypt_secret(workload.user_id, world_.node(node).identity, 1, plaintext, prng_.next_u64());
  }

  void add_endpoints(nlohmann::json& payload, const core::Workload& workload, const FlistKind& kind, bool public_ip6,
                     bool interactive, Invalid invalid) {
    const std::string server = redis_servers[prng_.below(redis_servers.size())];
    if (prng_.chance(3, 5)) {
      payload["logs"] = {{{"type", "redis"},
                          {"data", {{"stdout", fmt::format("redis://{}/{}-stdout", server, workload.id)},
                                    {"stderr", fmt::format("redis://{}/{}-stderr", server, workload.id)}}}}};
    }
    if (prng_.chance(3, 5)) {
      const std::string channel = fmt::format("{}-stats", workload.id);
      payload["stats_aggregator"] = {{{"type", "redis"}, {"data", {{"endpoint", fmt::format("redis://{}/{}", server, channel)}}}}};
      // Stats must come every 2 s when nothing disturbs this container: a healthy server, a node
      // without restarts or injected faults, a program that never exits, no IPv6 wait.
      // With a real redis (--redis) the checker does not see the messages, so there is no cadence to check.
      const bool undisturbed = server != faulty_server_ && faults_.empty() && world_.uses_fake_redis();
      if (undisturbed && !kind.exits && !public_ip6 && !interactive && invalid == Invalid::none) {
        checker_.expect_stats_cadence(workload.id, server, channel);
      }
    }
  }

  static FaultSpec fault_of(std::string kind, std::string target = "") {
    FaultSpec fault;
    fault.kind = std::move(kind);
    fault.target = std::move(target);
    return fault;
  }

  // Injected at start_ms and healed length_ms later, through the catalogue the scenarios use.
  void fault_window(std::int64_t start_ms, std::int64_t length_ms, FaultSpec fault) {
    assert(find_fault_kind(fault.kind) != nullptr);
    world_.scheduler().at(start_ms, [this, fault] { apply_fault(world_, fault, true); });
    world_.scheduler().at(start_ms + length_ms, [this, fault] { apply_fault(world_, fault, false); });
  }

  std::int64_t random_time() {
    return world_.now_ms() + 60'000 + static_cast<std::int64_t>(prng_.below(options_.duration_ms - 60'000));
  }

  void schedule_faults();

  World& world_;
  Checker& checker_;
  const RandomWorldOptions& options_;
  RunSummary& summary_;
  kernel::Prng prng_;
  std::set<std::string> faults_;
  std::string faulty_server_;
  std::uint64_t next_reservation_id_ = 1;
  std::map<std::pair<std::uint32_t, std::size_t>, std::uint32_t> next_host_;
};

void Generator::schedule_faults() {
  for (std::uint32_t index = 0; index < 3; index += 1) {
    const std::int64_t length_ms = 10'000 + static_cast<std::int64_t>(prng_.below(120'000));
    if (enabled("hub.down")) fault_window(random_time(), length_ms, fault_of("hub.down"));
    if (enabled("hub.slow")) {
      const std::int64_t latency_ms = 1000 + static_cast<std::int64_t>(prng_.below(4000));
      FaultSpec slow = fault_of("hub.slow");
      slow.latency_ms = latency_ms;
      fault_window(random_time(), length_ms, slow);
    }
    const std::string server = faulty_server_;
    if (enabled("redis.down")) fault_window(random_time(), length_ms, fault_of("redis.down", server));
    if (enabled("redis.dropping")) {
      FaultSpec dropping = fault_of("redis.dropping", server);
      dropping.numerator = 1;
      dropping.denominator = 100;
      fault_window(random_time(), length_ms, dropping);
    }
    if (enabled("redis.slow")) {
      FaultSpec slow = fault_of("redis.slow", server);
      slow.latency_ms = 300;
      fault_window(random_time(), length_ms, slow);
    }
    if (enabled("explorer.down")) fault_window(random_time(), length_ms, fault_of("explorer.down"));
    if (enabled("explorer.result_failures")) {
      FaultSpec failures = fault_of("explorer.result_failures");
      failures.numerator = 1;
      failures.denominator = 5;
      fault_window(random_time(), length_ms, failures);
    }
    if (enabled("fs_daemon.dead")) {
      const std::size_t node = prng_.below(world_.node_count());
      fault_window(random_time(), length_ms, fault_of("fs_daemon.dead", world_.node(node).setup.label));
    }
    if (enabled("restart_daemon")) {
      const std::size_t node = prng_.below(world_.node_count());
      world_.scheduler().at(random_time(), [this, node] { world_.restart_daemon(node); });
    }
  }
  if (enabled("crash")) {
    for (std::int64_t at_ms = world_.now_ms() + 120'000; at_ms < world_.now_ms() + options_.duration_ms; at_ms += 120'000) {
      world_.scheduler().at(at_ms, [this] {
        fakes::FakeRuntime& runtime = *world_.node(prng_.below(world_.node_count())).runtime;
        const std::vector<std::string> running = runtime.running();
        if (!running.empty()) (void)runtime.crash(running[prng_.below(running.size())]);
      });
    }
  }
  if (enabled("reboot")) {
    const std::size_t node = prng_.below(world_.node_count());
    const std::int64_t at_ms = random_time();
    world_.scheduler().at(at_ms, [this, node] { world_.reboot_node(node); });
    checker_.check_running_after_reboot(node, at_ms + 180'000);
  }
  if (enabled("buggify")) {
    for (std::size_t node = 0; node < world_.node_count(); node += 1) {
      world_.node(node).faults->set_self_activation(true);  // Every point of the core may come on.
    }
  }
  // The liveness phase: every fault heals, so every reservation can reach its end.
  world_.scheduler().at(world_.now_ms() + options_.duration_ms, [this] {
    world_.trace().record(world_.now_ms(), "-", "heal_all", "");
    world_.hub().heal();
    world_.redis().heal_all();
    world_.explorer().set_down(false);
    world_.explorer().set_latency_ms(0);
    world_.explorer().set_submit_failure_rate(0, 1);
    for (std::size_t node = 0; node < world_.node_count(); node += 1) {
      world_.node(node).faults->disable_all();
      world_.node(node).runtime->restart_fs_daemon();
    }
  });
}

}  // namespace

void summarise(World& world, RunSummary& summary) {
  summary.trace_hash = world.trace().hash_hex();
  summary.events = world.trace().events();
  summary.scheduler_events = world.scheduler().events_run();
  for (const core::Workload& workload : world.explorer().workloads()) {
    for (const core::ProvisionResult& result : world.explorer().results(workload.id)) {
      if (result.state == core::ResultState::ok) summary.results_ok += 1;
      if (result.state == core::ResultState::error) summary.results_error += 1;
      if (result.state == core::ResultState::deleted) summary.results_deleted += 1;
    }
  }
  for (std::size_t index = 0; index < world.node_count(); index += 1) {
    const core::DeliveryCounters totals = world.delivery_totals(index).targets;
    summary.log_lines_produced += totals.lines_produced;
    summary.log_lines_published += totals.lines_delivered;
    summary.log_lines_dropped += totals.lines_dropped;
    summary.stats_published += totals.stats_published;
    summary.stats_delivered += totals.stats_delivered;
    summary.stats_missed += totals.stats_missed;
  }
}

RunSummary run_random_world(const RandomWorldOptions& options) {
  assert(options.nodes > 0);
  assert(options.duration_ms >= 5 * 60'000);
  RunSummary summary;
  summary.seed = options.seed;
  World world(options.seed);
  if (!options.trace_path.empty() && !world.trace().write_to(options.trace_path)) {
    summary.violations.push_back(Violation{"io", "cannot write the trace to " + options.trace_path, 0});
    return summary;
  }
  if (options.publisher != nullptr) world.use_publisher(*options.publisher);
  if (options.pacer) world.set_pacer(options.pacer);
  Checker checker(world);
  Generator generator(world, checker, options, summary);
  generator.build();
  const std::int64_t end_ms = world.now_ms() + options.duration_ms + liveness_ms;
  world.run_until(end_ms);
  summary.violations = checker.finish();
  summarise(world, summary);
  summary.sim_seconds = (end_ms - world_epoch_ms) / 1000;
  return summary;
}

}  // namespace zsim::sim
