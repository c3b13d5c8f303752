#include "bench/grid_world.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/identity.hpp"
#include "core/secret_env.hpp"
#include "sim/checker.hpp"
#include "sim/flist_catalogue.hpp"
#include "sim/world.hpp"

namespace zsim::bench {
namespace {

constexpr std::array<const char*, 3> redis_servers{"10.1.0.1:6379", "10.1.0.2:6379", "10.1.0.3:6380"};
constexpr std::uint32_t users_count = 5;
constexpr std::uint32_t hosts_per_subnet = 250;
constexpr std::int64_t network_extra_ms = 60'000;
// Generous totals: a grid node never refuses a container for capacity (the benchmarks give a node
// ten containers on average, 200 for the idle measurement).
constexpr core::CapacityUsage grid_node_totals{1024, 1024 * 1024, 64 * 1024 * 1024, 256 * 1024 * 1024};
constexpr std::uint32_t idle_containers_per_node = 200;
// The idle measurement gives up waiting for its containers to run after this much simulated time.
constexpr std::int64_t idle_wait_max_ms = 60 * 60'000;

// The random world's well-behaved kinds (sim/flist_catalogue.hpp): one line every 5 s, one every
// second with every fourth on stderr and lines cut in three chunks, one every 3 s with every fifth
// long, and none at all.
std::vector<const sim::FlistKind*> grid_flists() {
  return {&sim::flist_kind("ubuntu-20.04"), &sim::flist_kind("busybox"), &sim::flist_kind("longlines"),
          &sim::flist_kind("quiet")};
}

// The subnet of a user's network on a node: distinct for every (node, user) below grid_nodes_max.
std::string subnet_prefix(std::uint32_t node, std::uint32_t user) {
  assert(node < grid_nodes_max && user >= 1 && user <= users_count);
  const std::uint32_t index = node * users_count + (user - 1);
  return fmt::format("10.{}.{}", index >> 8, index & 255);
}

// One world, its checker and the generator's own stream; the container counts of one run.
class Grid {
 public:
  Grid(std::uint64_t seed, std::uint32_t nodes, std::vector<const sim::FlistKind*> flists)
      : world_(seed), checker_(world_), prng_(world_.prng().fork(88)), flists_(std::move(flists)) {
    assert(nodes > 0 && nodes <= grid_nodes_max);
    for (std::uint32_t index = 0; index < nodes; index += 1) {
      sim::NodeSetup setup;
      setup.label = fmt::format("node-{}", index + 1);
      setup.totals = grid_node_totals;
      world_.add_node(setup);
    }
    for (const sim::FlistKind* flist : flists_) sim::add_flist_to_world(world_, *flist, prng_);
    for (const char* address : redis_servers) {
      world_.redis().add_server(address);
      checker_.watch_redis_server(address);
    }
    next_host_.assign(static_cast<std::size_t>(nodes) * users_count, 0);
  }

  sim::World& world() { return world_; }
  sim::Checker& checker() { return checker_; }
  kernel::Prng& prng() { return prng_; }

  // Every user gets a network on every node, live for lifetime_ms from now.
  void add_networks(std::int64_t lifetime_ms) {
    for (std::uint32_t user = 1; user <= users_count; user += 1) {
      for (std::uint32_t node = 0; node < world_.node_count(); node += 1) {
        core::Workload workload = base_workload(user, world_.now_ms(), lifetime_ms);
        workload.type = core::WorkloadType::network_resource;
        workload.id = fmt::format("{}-1", workload.reservation_id);
        workload.payload_json = nlohmann::json{{"name", fmt::format("net-{}", user)},
                                               {"subnet", subnet_prefix(node, user) + ".0/24"}}
                                    .dump();
        world_.explorer().add_workload(world_.node(node).node_id, workload, world_.now_ms());
      }
    }
  }

  // A container of user on node, created now and paid at deploy_ms, expiring lifetime_ms from now.
  void add_container(std::uint32_t user, std::uint32_t node, std::size_t flist, std::int64_t deploy_ms,
                     std::int64_t lifetime_ms, bool endpoints, bool secret) {
    assert(flist < flists_.size());
    core::Workload workload = base_workload(user, world_.now_ms(), lifetime_ms);
    workload.type = core::WorkloadType::container;
    workload.id = fmt::format("{}-1", workload.reservation_id);
    workload.payload_json = container_payload(workload, user, node, *flists_[flist], endpoints, secret);
    world_.explorer().add_workload(world_.node(node).node_id, workload, deploy_ms);
  }

 private:
  core::Workload base_workload(std::uint32_t user, std::int64_t created_ms, std::int64_t lifetime_ms) {
    core::Workload workload;
    workload.reservation_id = next_reservation_id_++;
    workload.user_id = fmt::format("user-{}", user);
    workload.user_public_key_hex = world_.user_identity(workload.user_id).public_key_hex();
    workload.created_s = created_ms / 1000;
    workload.duration_s = lifetime_ms / 1000;
    workload.version = 1;
    return workload;
  }

  std::string container_payload(const core::Workload& workload, std::uint32_t user, std::uint32_t node,
                                const sim::FlistKind& flist, bool endpoints, bool secret);
  std::string secret_for(const core::Workload& workload, std::uint32_t node);

  sim::World world_;
  sim::Checker checker_;
  kernel::Prng prng_;
  std::vector<const sim::FlistKind*> flists_;
  std::vector<std::uint32_t> next_host_;  // Per (node, user): the last host handed out.
  std::uint64_t next_reservation_id_ = 1;
};

std::string Grid::container_payload(const core::Workload& workload, std::uint32_t user, std::uint32_t node,
                                    const sim::FlistKind& flist, bool endpoints, bool secret) {
  // Hosts .2 to .251 in turn: a subnet holds 250 live containers, far more than a grid puts there.
  std::uint32_t& host = next_host_[static_cast<std::size_t>(node) * users_count + (user - 1)];
  host = host % hosts_per_subnet + 1;
  const std::string ip = fmt::format("{}.{}", subnet_prefix(node, user), host + 1);
  nlohmann::json payload{
      {"workload_id", 1},
      {"node_id", world_.node(node).node_id},
      {"flist", sim::flist_url(flist)},
      {"hub_url", ""},
      {"environment", {{"ZSIM_USER", workload.user_id}}},
      {"entrypoint", flist.entrypoint.empty() ? "/bin/sh -c 'while true; do date; sleep 1; done'" : ""},
      {"interactive", false},
      {"network_connection", {{{"network_id", fmt::format("net-{}", user)}, {"ipaddress", ip}, {"public_ip6", false}}}},
      {"capacity", {{"cpu", 1 + prng_.below(2)}, {"memory", 256 * (1 + prng_.below(4))}, {"disk_size", 512},
                    {"disk_type", prng_.chance(1, 3) ? "hdd" : "ssd"}}}};
  if (secret) payload["secret_environment"] = {{"TOKEN", secret_for(workload, node)}};
  if (endpoints) {
    const std::string server = redis_servers[prng_.below(redis_servers.size())];
    const std::string stats_channel = fmt::format("{}-stats", workload.id);
    payload["logs"] = {{{"type", "redis"},
                        {"data", {{"stdout", fmt::format("redis://{}/{}-stdout", server, workload.id)},
                                  {"stderr", fmt::format("redis://{}/{}-stderr", server, workload.id)}}}}};
    payload["stats_aggregator"] = {
        {{"type", "redis"}, {"data", {{"endpoint", fmt::format("redis://{}/{}", server, stats_channel)}}}}};
    // Nothing disturbs a grid: every container's stats must come every 2 s while it runs.
    checker_.expect_stats_cadence(workload.id, server, stats_channel);
  }
  return payload.dump();
}

std::string Grid::secret_for(const core::Workload& workload, std::uint32_t node) {
  const std::string plaintext = fmt::format("zsim-secret-{:016x}", prng_.next_u64());
  checker_.add_secret(plaintext);
  const core::Identity user = world_.user_identity(workload.user_id);
  const core::Identity node_identity = core::Identity::from_seed(world_.node(node).config.identity_seed);
  return core::encrypt_secret(user, node_identity.public_key, 1, plaintext, prng_.next_u64());
}

// The arrivals of a grid, in time order, spread over the first half of the duration; each
// container runs from its arrival to the end. One timer at a time creates the containers due and
// schedules itself at the next arrival, so 100,000 pending arrivals cost one vector, not 100,000
// timers.
class Arrivals {
 public:
  Arrivals(Grid& grid, const GridOptions& options) : grid_(grid), options_(options) {
    sim::World& world = grid.world();
    const std::int64_t window_ms = options.duration_ms / 2;
    for (std::uint32_t index = 0; index < options.containers; index += 1) {
      created_ms_.push_back(world.now_ms() + 1000 + static_cast<std::int64_t>(grid.prng().below(window_ms)));
    }
    std::sort(created_ms_.begin(), created_ms_.end());
    end_ms_ = world.now_ms() + options.duration_ms;
    if (!created_ms_.empty()) world.scheduler().at(created_ms_.front(), [this] { arrive(); });
  }

 private:
  void arrive() {
    sim::World& world = grid_.world();
    kernel::Prng& prng = grid_.prng();
    // Each turn creates one container; the cursor only grows, so this ends.
    while (next_ < created_ms_.size() && created_ms_[next_] <= world.now_ms()) {
      const std::int64_t created_ms = created_ms_[next_];
      next_ += 1;
      const auto user = 1 + static_cast<std::uint32_t>(prng.below(users_count));
      const auto node = static_cast<std::uint32_t>(prng.below(options_.nodes));
      const std::size_t flist = prng.below(4);
      // Paid at once: ids reach the explorer in order, so every poll finds every new container.
      grid_.add_container(user, node, flist, created_ms, end_ms_ - created_ms, /*endpoints=*/true, prng.chance(1, 3));
    }
    if (next_ < created_ms_.size()) world.scheduler().at(created_ms_[next_], [this] { arrive(); });
  }

  Grid& grid_;
  const GridOptions& options_;
  std::vector<std::int64_t> created_ms_;
  std::size_t next_ = 0;
  std::int64_t end_ms_ = 0;
};

void count_results(sim::World& world, GridRun& run) {
  for (const core::Workload& workload : world.explorer().workloads()) {
    for (const core::ProvisionResult& result : world.explorer().results(workload.id)) {
      if (result.state == core::ResultState::error) run.results_error += 1;
      if (result.state == core::ResultState::ok && workload.type == core::WorkloadType::container) {
        run.containers_ok += 1;
      }
    }
  }
  for (std::size_t node = 0; node < world.node_count(); node += 1) {
    const core::PushersTotals totals = world.delivery_totals(node);
    run.stats_ticks += totals.stats_ticks;
    run.log_lines_produced += totals.targets.lines_produced;
    run.messages_delivered += totals.targets.lines_delivered + totals.targets.stats_delivered;
  }
}

// Bytes the allocator has handed out and not had back: the arenas' chunks in use and the
// chunks mapped on their own. The benchmarks are single-threaded, so nothing moves meanwhile.
double malloc_in_use_bytes() {
  const struct mallinfo2 info = ::mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd);
}

std::uint64_t containers_running(sim::World& world) {
  std::uint64_t running = 0;
  for (std::size_t node = 0; node < world.node_count(); node += 1) running += world.node(node).runtime->running().size();
  return running;
}

}  // namespace

GridRun run_grid(const GridOptions& options) {
  assert(options.containers > 0 && options.duration_ms >= grid_duration_min_ms);
  Grid grid(options.seed, options.nodes, grid_flists());
  sim::World& world = grid.world();
  const std::int64_t start_ms = world.now_ms();
  grid.add_networks(options.duration_ms + network_extra_ms);
  Arrivals arrivals(grid, options);  // Its timers call back into it until the last arrival.
  const std::int64_t end_ms = start_ms + options.duration_ms + grid_tail_ms;
  world.run_until(end_ms);
  GridRun run;
  const std::vector<sim::Violation> violations = grid.checker().finish();
  run.violations = violations.size();
  if (!violations.empty()) run.first_violation = violations.front().property + ": " + violations.front().detail;
  run.trace_hash = world.trace().hash_hex();
  run.trace_events = world.trace().events();
  run.scheduler_events = world.scheduler().events_run();
  run.sim_seconds = (end_ms - start_ms) / 1000;
  count_results(world, run);
  return run;
}

IdleMemory measure_idle_memory(const IdleOptions& options) {
  assert(options.containers > 0);
  IdleMemory memory;
  memory.nodes = (options.containers + idle_containers_per_node - 1) / idle_containers_per_node;
  Grid grid(options.seed, memory.nodes, {&sim::flist_kind("quiet")});
  sim::World& world = grid.world();
  const std::int64_t lifetime_ms = 4 * idle_wait_max_ms;
  grid.add_networks(lifetime_ms);
  world.run_until(world.now_ms() + 60'000);  // Every node has polled and installed its networks.
  const double malloc_before = malloc_in_use_bytes();
  for (std::uint32_t index = 0; index < options.containers; index += 1) {
    const std::uint32_t node = index % memory.nodes;
    const std::uint32_t user = 1 + (index / memory.nodes) % users_count;
    grid.add_container(user, node, 0, world.now_ms() + index % 30'000, lifetime_ms, options.endpoints, false);
  }
  // Each turn advances 10 simulated seconds, up to idle_wait_max_ms in all.
  const std::int64_t give_up_ms = world.now_ms() + idle_wait_max_ms;
  while (world.now_ms() < give_up_ms) {
    world.run_until(world.now_ms() + 10'000);
    memory.containers_running = containers_running(world);
    if (memory.containers_running == options.containers) break;
  }
  const double containers = static_cast<double>(options.containers);
  memory.malloc_bytes_per_container = (malloc_in_use_bytes() - malloc_before) / containers;
  return memory;
}

}  // namespace zsim::bench
