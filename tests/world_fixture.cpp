#include "tests/world_fixture.hpp"

#include "kernel/trace_line.hpp"
#include "kernel/trace_value.hpp"

#include <fmt/format.h>

#include <cassert>

#include "core/flist_image.hpp"
#include "core/secret_env.hpp"

namespace zsim::tests {

namespace {
constexpr std::size_t trace_lines_kept = 1'000'000;
constexpr std::int64_t step_ms = 50;
constexpr std::int64_t network_duration_ms = 24 * 3'600'000;

// "user-3" -> 3: the second octet of the user's networks.
std::uint32_t user_number(const std::string& user) {
  assert(user.rfind("user-", 0) == 0);
  const std::uint32_t number = static_cast<std::uint32_t>(std::stoul(user.substr(5)));
  assert(number >= 1 && number <= 250);
  return number;
}

std::string_view type_name(core::WorkloadType type) { return core::to_string(type); }
}  // namespace

std::string TraceLine::field(std::string_view key) const { return kernel::trace_unescaped(kernel::trace_field(fields, key)); }

TestWorld::TestWorld(TestWorldOptions options) : world_(options.seed) {
  assert(options.nodes >= 1 && options.nodes <= 9);
  world_.trace().keep_lines(trace_lines_kept);
  core::FlistImage ubuntu{"ubuntu.flist", 300, std::string(ubuntu_entrypoint), {{"PATH", "/usr/bin:/bin"}}, "ubuntu"};
  core::FlistImage busybox{"busybox.flist", 5, "", {{"PATH", "/bin"}}, "busybox"};
  world_.hub().add_flist(std::string(ubuntu_flist), ubuntu);
  world_.hub().add_flist(std::string(busybox_flist), busybox);
  world_.redis().add_server(std::string(redis_a));
  world_.redis().add_server(std::string(redis_b));
  for (std::size_t index = 0; index < options.nodes; index += 1) {
    sim::NodeSetup setup;
    setup.label = fmt::format("node-{}", index + 1);
    setup.totals = options.totals;
    setup.ipv4_only = options.ipv4_only;
    world_.add_node(setup);
  }
  // Every node gets both users' networks; the first poll after they are paid installs them.
  std::vector<std::string> networks;
  for (std::size_t index = 0; index < options.nodes; index += 1) {
    for (const std::uint32_t user : {1u, 2u}) {
      Delivery delivery;
      delivery.user = fmt::format("user-{}", user);
      delivery.node = index;
      delivery.duration_ms = network_duration_ms;
      networks.push_back(deliver_network(fmt::format("net-{}", user), fmt::format("10.{}.{}.0/24", user, index + 1), delivery));
    }
  }
  for (const std::string& id : networks) {
    const bool installed = run_until_results(id, 1, 2 * poll_interval_ms);
    assert(installed && results(id).front().state == core::ResultState::ok);
    (void)installed;
  }
}

core::Node& TestWorld::node(std::size_t node) {
  assert(world_.node(node).node != nullptr);
  return *world_.node(node).node;
}

core::Identity TestWorld::node_identity(std::size_t node) const {
  return core::Identity::from_seed(world_.node(node).config.identity_seed);
}

nlohmann::json TestWorld::container_payload(std::size_t node, const std::string& user) {
  const std::uint32_t user_octet = user_number(user);
  std::uint32_t& host = next_host_[{user, node}];
  const std::string ip = fmt::format("10.{}.{}.{}", user_octet, node + 1, 10 + host);
  host += 1;
  assert(host < 200);
  return nlohmann::json{
      {"workload_id", 1},
      {"node_id", node_id(node)},
      {"flist", std::string(ubuntu_flist)},
      {"hub_url", ""},
      {"environment", {{"ZSIM_USER", user}}},
      {"entrypoint", ""},
      {"interactive", false},
      {"network_connection", {{{"network_id", fmt::format("net-{}", user_octet)}, {"ipaddress", ip}, {"public_ip6", false}}}},
      {"capacity", {{"cpu", 1}, {"memory", 512}, {"disk_size", 1024}, {"disk_type", "ssd"}}}};
}

std::string TestWorld::deliver(const std::string& payload_json, const Delivery& delivery) {
  core::Workload workload;
  workload.reservation_id = delivery.reservation_id.value_or(next_reservation_id());
  if (workload.reservation_id >= next_reservation_id_) next_reservation_id_ = workload.reservation_id + 1;
  workload.id = fmt::format("{}-{}", workload.reservation_id, delivery.workload_number);
  workload.type = delivery.type;
  workload.user_id = delivery.user;
  workload.user_public_key_hex = world_.user_identity(delivery.user).public_key_hex();
  workload.created_s = delivery.created_s.value_or(now_ms() / 1000);
  workload.duration_s = delivery.duration_ms / 1000;
  workload.version = delivery.version;
  workload.payload_json = payload_json;
  world_.trace().record(now_ms(), "-", "test_deliver",
                        fmt::format("workload={} type={}", workload.id, type_name(workload.type)));
  world_.explorer().add_workload(node_id(delivery.node), workload, now_ms() + delivery.deploy_delay_ms);
  return workload.id;
}

std::string TestWorld::deliver_container(const nlohmann::json& payload, Delivery delivery) {
  delivery.type = core::WorkloadType::container;
  return deliver(payload.dump(), delivery);
}

std::string TestWorld::deliver_volume(std::uint64_t size_gib, std::string_view disk_type, Delivery delivery) {
  delivery.type = core::WorkloadType::volume;
  return deliver(nlohmann::json{{"size", size_gib}, {"type", disk_type}}.dump(), delivery);
}

std::string TestWorld::deliver_network(const std::string& name, const std::string& subnet, Delivery delivery) {
  delivery.type = core::WorkloadType::network_resource;
  return deliver(nlohmann::json{{"name", name}, {"subnet", subnet}}.dump(), delivery);
}

std::string TestWorld::secret_for(const std::string& user, std::size_t node, std::uint32_t version,
                                  std::string_view plaintext) {
  const std::uint64_t nonce_seed = next_reservation_id_ * 7919 + plaintext.size();
  return core::encrypt_secret(world_.user_identity(user), node_identity(node).public_key, version, plaintext, nonce_seed);
}

void TestWorld::run_for(std::int64_t duration_ms) {
  assert(duration_ms >= 0);
  world_.run_until(now_ms() + duration_ms);
}

bool TestWorld::run_until_results(const std::string& workload_id, std::size_t count, std::int64_t max_ms) {
  const std::int64_t end_ms = now_ms() + max_ms;
  while (results(workload_id).size() < count && now_ms() < end_ms) {
    world_.run_until(std::min(now_ms() + step_ms, end_ms));
  }
  return results(workload_id).size() >= count;
}

void TestWorld::run_past_next_poll() {
  // Polls run at the daemon's start and every 10 s after, answered at once (no explorer latency).
  const std::uint64_t polls = world_.explorer().counts().polls;
  const std::int64_t end_ms = now_ms() + 2 * poll_interval_ms;
  while (world_.explorer().counts().polls == polls && now_ms() < end_ms) world_.run_until(now_ms() + step_ms);
  assert(world_.explorer().counts().polls > polls);
  // Let the jobs of that poll run (provisions take a few hundred ms).
  run_for(2'000);
}

std::vector<core::ResultState> TestWorld::states(const std::string& workload_id) const {
  std::vector<core::ResultState> states;
  for (const core::ProvisionResult& result : results(workload_id)) states.push_back(result.state);
  return states;
}

std::vector<TraceLine> TestWorld::trace(std::string_view kind, std::string_view node_label) const {
  std::vector<TraceLine> lines;
  for (const std::string& text : world_.trace().lines()) {
    const std::optional<kernel::TraceLineView> parsed = kernel::parse_trace_line(text);
    if (!parsed || parsed->kind != kind) continue;
    if (!node_label.empty() && parsed->node != node_label) continue;
    lines.push_back(TraceLine{parsed->time_ms, std::string(parsed->node), std::string(parsed->kind),
                              std::string(parsed->fields)});
  }
  return lines;
}

}  // namespace zsim::tests
