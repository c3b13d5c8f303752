#include "sim/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "core/fault_points.hpp"
#include "core/md5.hpp"

namespace zsim::sim {

namespace {
// Streams of the world's PRNG, one per component, so that adding draws to one component never
// shifts the numbers another sees.
enum Stream : std::uint64_t {
  stream_explorer = 1,
  stream_redis = 2,
  stream_node_base = 1000,  // + 10 * node index + the node's own streams below.
  stream_user_base = 1'000'000,
};
enum NodeStream : std::uint64_t { node_identity = 0, node_runtime = 1, node_core = 2, node_faults = 3 };
constexpr std::size_t nodes_max = 10'000;

core::Seed32 seed_from(kernel::Prng prng) {
  core::Seed32 seed{};
  for (std::size_t index = 0; index < seed.size(); index += 8) {
    const std::uint64_t word = prng.next_u64();
    for (std::size_t byte = 0; byte < 8; byte += 1) seed[index + byte] = static_cast<std::uint8_t>(word >> (8 * byte));
  }
  return seed;
}

std::uint64_t user_stream(const std::string& user_id) {
  // FNV-1a: a fixed, portable hash of the user id.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : user_id) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return stream_user_base + hash % 1'000'000'000ULL;
}
}  // namespace

void SimFaultPoints::enable(const std::string& point, std::uint64_t numerator, std::uint64_t denominator) {
  assert(denominator > 0 && numerator <= denominator);
  rates_[point] = {numerator, denominator};
}

bool SimFaultPoints::fire(std::string_view point) {
  assert(core::is_fault_point(point));
  auto found = rates_.find(point);
  if (found == rates_.end()) {
    if (!self_activation_) return false;
    // The first reach decides for the run: one point in four comes on, at 1/2 to 1/100.
    const bool on = prng_.chance(1, 4);
    const std::uint64_t denominator = 2 + prng_.below(99);
    found = rates_.emplace(std::string(point), std::make_pair(on ? 1 : 0, on ? denominator : 1)).first;
  }
  const auto [numerator, denominator] = found->second;
  if (numerator == 0 || !prng_.chance(numerator, denominator)) return false;
  fired_ += 1;
  fired_per_point_[std::string(point)] += 1;
  if (on_fire_) on_fire_(point);
  return true;
}

World::World(std::uint64_t seed, core::Publisher* publisher)
    : seed_(seed),
      prng_(seed),
      scheduler_(world_epoch_ms),
      explorer_(std::make_unique<fakes::FakeExplorer>(scheduler_, trace_, "explorer", prng_.fork(stream_explorer))),
      hub_(std::make_unique<fakes::FakeHub>(scheduler_, trace_, "hub",
                                            [](std::string_view data) { return core::md5_hex(data); })),
      redis_(std::make_unique<fakes::FakeRedis>(scheduler_, trace_, prng_.fork(stream_redis), "redis")),
      publisher_(publisher != nullptr ? publisher : redis_.get()) {
  explorer_->use_signature_ledger(&signatures_);
}

void World::use_publisher(core::Publisher& publisher) {
  assert(nodes_.empty());
  publisher_ = &publisher;
}

World::~World() { stop_daemons(); }

std::size_t World::add_node(const NodeSetup& setup) {
  assert(nodes_.size() < nodes_max);
  assert(find_node(setup.label) == nodes_.size());
  const std::size_t index = nodes_.size();
  const std::uint64_t base = stream_node_base + 10 * index;
  auto slot = std::make_unique<NodeSlot>();
  slot->setup = setup;
  slot->config.identity_seed = seed_from(prng_.fork(base + node_identity));
  slot->config.totals = setup.totals;
  slot->config.ipv4_only = setup.ipv4_only;
  slot->config.planted = setup.planted;
  apply_node_knobs(setup.knobs, slot->config);
  fakes::FakeRuntimeConfig runtime_config;
  runtime_config.node_cpu_count = static_cast<std::uint32_t>(std::max<std::uint64_t>(setup.totals.cpu, 1));
  runtime_config.ipv4_only = setup.ipv4_only;
  runtime_config.ipv6_prefix = fmt::format("2a02:1802:5e:{:x}", 0x1100 + index);
  slot->runtime = std::make_unique<fakes::FakeRuntime>(scheduler_, trace_, setup.label,
                                                       prng_.fork(base + node_runtime), runtime_config);
  slot->store = std::make_unique<fakes::MemoryStore>();
  slot->rng = std::make_unique<kernel::Prng>(prng_.fork(base + node_core));
  slot->events = std::make_unique<TraceEventLog>(scheduler_, trace_, setup.label);
  slot->faults = std::make_unique<SimFaultPoints>(
      prng_.fork(base + node_faults), [this, index, label = setup.label](std::string_view point) {
        trace_.record(scheduler_.now_ms(), label, "fault_point_fired", fmt::format("point={}", point));
        const core::FaultPointInfo* info = core::find_fault_point(point);
        assert(info != nullptr);
        // The daemon dies inside its own call: it is replaced at the same moment, once that call
        // has returned (the core returns at once after a point that kills it).
        if (!info->kills_daemon || nodes_[index]->crash_pending) return;
        nodes_[index]->crash_pending = true;
        scheduler_.at(scheduler_.now_ms(), [this, index] { crash_daemon(index); });
      });
  slot->identity = core::Identity::from_seed(slot->config.identity_seed);
  slot->node_id = slot->identity.node_id();
  explorer_->register_node(slot->node_id, slot->identity.public_key);
  trace_.record(scheduler_.now_ms(), setup.label, "node_added",
                fmt::format("node_id={} cpu={} memory_mib={} ssd_mib={} hdd_mib={} ipv4_only={}", slot->node_id,
                            setup.totals.cpu, setup.totals.memory_mib, setup.totals.ssd_mib, setup.totals.hdd_mib,
                            setup.ipv4_only));
  if (!setup.knobs.empty()) trace_.record(scheduler_.now_ms(), setup.label, "node_knobs", format_node_knobs(setup.knobs));
  // By label and by node id, the first node of a name kept (find_node's first match).
  node_by_name_.emplace(slot->setup.label, index);
  node_by_name_.emplace(slot->node_id, index);
  node_by_label_.emplace(slot->setup.label, index);
  nodes_.push_back(std::move(slot));
  start_daemon(*nodes_.back());
  return index;
}

void World::start_daemon(NodeSlot& slot) {
  assert(slot.node == nullptr);
  core::NodePorts ports{scheduler_,  *explorer_,   *hub_,         *slot.runtime, *publisher_,
                        *slot.store, *slot.rng,    *slot.events,  *slot.faults,  signatures_};
  slot.node = std::make_unique<core::Node>(slot.config, ports);
  slot.node->start();
}

void World::stop_daemon(NodeSlot& slot) {
  if (slot.node == nullptr) return;
  core::accumulate(slot.delivery_retired, slot.node->delivery_totals(), /*abandoned=*/true);
  slot.node.reset();
}

core::PushersTotals World::delivery_totals(std::size_t index) const {
  const NodeSlot& slot = node(index);
  core::PushersTotals totals = slot.delivery_retired;
  if (slot.node != nullptr) core::accumulate(totals, slot.node->delivery_totals());
  return totals;
}

void World::restart_daemon(std::size_t index) {
  NodeSlot& slot = node(index);
  trace_.record(scheduler_.now_ms(), slot.setup.label, "daemon_restart", "");
  stop_daemon(slot);
  slot.daemon_restarts += 1;
  start_daemon(slot);
}

// The node's init system starts a dead daemon again after a delay, as zinit does: time moves on
// between two crashes, so a point that kills every daemon that reaches it is a crash loop that
// ends when the point is healed, never a loop within one millisecond.
void World::crash_daemon(std::size_t index) {
  NodeSlot& slot = node(index);
  trace_.record(scheduler_.now_ms(), slot.setup.label, "daemon_crash", fmt::format("restart_in_ms={}", daemon_respawn_ms));
  stop_daemon(slot);
  slot.daemon_restarts += 1;
  scheduler_.at(scheduler_.now_ms() + daemon_respawn_ms, [this, index] {
    NodeSlot& dead = node(index);
    dead.crash_pending = false;
    if (dead.node == nullptr) start_daemon(dead);
  });
}

void World::reboot_node(std::size_t index) {
  NodeSlot& slot = node(index);
  trace_.record(scheduler_.now_ms(), slot.setup.label, "node_reboot", "");
  stop_daemon(slot);
  slot.runtime->reboot();
  slot.store->wipe_for_reboot();
  slot.reboots += 1;
  start_daemon(slot);
}

void World::stop_daemons() {
  for (auto& slot : nodes_) stop_daemon(*slot);
}

void World::run_until(std::int64_t time_ms) {
  assert(time_ms >= scheduler_.now_ms());
  if (!pacer_) {
    scheduler_.run_until(time_ms);
    return;
  }
  // Event by event, so that the pacer sees each one coming. The loop ends because every turn runs
  // or drops at least one queued timer, and virtual time only grows and stops at time_ms. After a
  // clock step a timer may be overdue: it runs now, never "before now".
  while (scheduler_.pending() > 0 && scheduler_.next_time_ms() <= time_ms) {
    const std::int64_t next_ms = std::max(scheduler_.now_ms(), scheduler_.next_time_ms());
    pacer_(next_ms);
    scheduler_.run_until(next_ms);
  }
  pacer_(time_ms);
  scheduler_.run_until(time_ms);
}

const core::Identity& World::user_identity(const std::string& user_id) const {
  const auto found = user_identities_.find(user_id);
  if (found != user_identities_.end()) return found->second;
  // A pure function of the seed and the user id, so keeping it changes nothing but the cost.
  return user_identities_.emplace(user_id, core::Identity::from_seed(seed_from(prng_.fork(user_stream(user_id)))))
      .first->second;
}

std::string World::encrypt_secret(const std::string& user_id, const core::Identity& node, std::uint32_t version,
                                  std::string_view plaintext, std::uint64_t nonce_seed) {
  return secret_encryptor_.encrypt(user_identity(user_id), node.public_key, version, plaintext, nonce_seed);
}

std::size_t World::find_node(std::string_view label_or_id) const {
  // A map rather than a scan: the checker and the runner look nodes up per event, and a grid has
  // ten thousand of them.
  const auto found = node_by_name_.find(label_or_id);
  return found == node_by_name_.end() ? nodes_.size() : found->second;
}

std::size_t World::find_label(std::string_view label) const {
  const auto found = node_by_label_.find(label);
  return found == node_by_label_.end() ? nodes_.size() : found->second;
}

}  // namespace zsim::sim
