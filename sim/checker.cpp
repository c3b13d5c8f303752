#include "sim/checker.hpp"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/reservation.hpp"
#include "kernel/trace_line.hpp"
#include "kernel/trace_value.hpp"

namespace zsim::sim {

namespace {
using kernel::parse_trace_line;
// Field values as written in the trace.
std::string_view field(std::string_view fields, std::string_view key) { return kernel::trace_field(fields, key); }

bool is_self_decommission_error(const std::vector<core::ProvisionResult>& results, std::size_t index) {
  return index > 0 && results[index].state == core::ResultState::error && !results[index].message.empty();
}

// A container that gave up (too many crashes) after it ran: zos sends "deleted", then the error
// with its reason, so that error is the one result allowed after "deleted".
bool is_error_after_give_up(const std::vector<core::ProvisionResult>& results, std::size_t index) {
  return index >= 2 && is_self_decommission_error(results, index) &&
         results[index - 1].state == core::ResultState::deleted && results[index - 2].state == core::ResultState::ok;
}

// A disk type as a reservation writes it: a name in any case ("" is SSD), or zos's numbers
// (0 HDD, 1 SSD). Nullopt for anything the node refuses.
std::optional<bool> is_hdd(const nlohmann::json& type) {
  if (type.is_null()) return false;
  if (type.is_number_integer()) {
    const std::int64_t number = type.get<std::int64_t>();
    if (number == 0 || number == 1) return number == 0;
    return std::nullopt;
  }
  if (!type.is_string()) return std::nullopt;
  std::string lower = type.get<std::string>();
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower.empty() || lower == "ssd") return false;
  if (lower == "hdd") return true;
  return std::nullopt;
}

// What a reservation asks its node to hold, by the primitive's rules (docs/PROPERTIES.md,
// "capacity_charged"): a container its CPU cores, its memory and its root disk (disk_size MiB, 256
// when 0) on the disk type it names; a volume its size in GiB on its type. Computed from the payload
// the user wrote, not by the core's code. Nullopt for other kinds and for payloads that cannot be read.
std::optional<core::CapacityUsage> asked_capacity(const core::Workload& workload) {
  const nlohmann::json payload = nlohmann::json::parse(workload.payload_json, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return std::nullopt;
  core::CapacityUsage asked;
  if (workload.type == core::WorkloadType::volume) {
    const std::optional<bool> hdd = is_hdd(payload.value("type", nlohmann::json()));
    const nlohmann::json size = payload.value("size", nlohmann::json());
    if (!hdd || !size.is_number_unsigned() || size.get<std::uint64_t>() > UINT64_MAX / 1024) return std::nullopt;
    (*hdd ? asked.hdd_mib : asked.ssd_mib) = size.get<std::uint64_t>() * 1024;
    return asked;
  }
  if (workload.type != core::WorkloadType::container) return std::nullopt;
  const nlohmann::json capacity = payload.value("capacity", nlohmann::json::object());
  if (!capacity.is_object()) return std::nullopt;
  const std::optional<bool> hdd = is_hdd(capacity.value("disk_type", nlohmann::json()));
  const nlohmann::json cpu = capacity.value("cpu", nlohmann::json(0));
  const nlohmann::json memory = capacity.value("memory", nlohmann::json(0));
  const nlohmann::json disk = capacity.value("disk_size", nlohmann::json(0));
  if (!hdd || !cpu.is_number_unsigned() || !memory.is_number_unsigned() || !disk.is_number_unsigned()) {
    return std::nullopt;
  }
  asked.cpu = cpu.get<std::uint64_t>();
  asked.memory_mib = memory.get<std::uint64_t>();
  const std::uint64_t disk_mib = disk.get<std::uint64_t>() == 0 ? core::root_disk_default_mib : disk.get<std::uint64_t>();
  (*hdd ? asked.hdd_mib : asked.ssd_mib) = disk_mib;
  return asked;
}

std::string describe(const core::CapacityUsage& usage) {
  return fmt::format("cpu={} memory_mib={} ssd_mib={} hdd_mib={}", usage.cpu, usage.memory_mib, usage.ssd_mib,
                     usage.hdd_mib);
}
}  // namespace

Checker::Checker(World& world) : world_(world) {
  world_.trace().observe([this](std::string_view line) { on_trace_line(line); });
}

Checker::~Checker() { world_.trace().observe(nullptr); }

void Checker::watch_redis_server(const std::string& address) {
  world_.redis().psubscribe(address, "*", [this, address](std::string_view channel, std::string_view payload) {
    on_published(address, channel, payload);
  });
}

void Checker::expect_error(const std::string& workload_id, std::string message) {
  expected_errors_[workload_id] = std::move(message);
}

void Checker::add_secret(std::string plaintext) {
  assert(!plaintext.empty());
  secrets_.add(std::move(plaintext));
}

void Checker::expect_stats_cadence(const std::string& workload_id, const std::string& address,
                                   const std::string& channel, std::int64_t interval_ms) {
  assert(interval_ms > 0);
  Cadence& cadence = cadences_[workload_id];
  cadence = Cadence{address, channel, interval_ms, 0, first_exit_ms_.count(workload_id) != 0};
  cadence_channels_[address + "/" + channel] = &cadence;
}

void Checker::check_running_after_reboot(std::size_t node_index, std::int64_t at_ms) {
  world_.scheduler().at(at_ms, [this, node_index] { check_reboot(node_index); });
}

void Checker::violate(std::string property, std::string detail) {
  if (violations_.size() >= violations_max_) return;
  violations_.push_back(Violation{std::move(property), std::move(detail), world_.now_ms()});
}

void Checker::check_secrets(std::string_view where, std::string_view text) {
  // The report names where, never the secret itself.
  if (secrets_.found_in(text)) violate("secret_leaked", fmt::format("a secret value appeared in plaintext in {}", where));
}

void Checker::count(Counts& counts, std::string_view key) {
  if (key.empty()) return;
  const auto found = counts.find(key);
  if (found != counts.end()) {
    found->second += 1;
    return;
  }
  // Kinds and points are names from the code, a few dozen at most; the map stays small.
  assert(counts.size() < 10'000);
  counts.emplace(std::string(key), 1);
}

void Checker::on_trace_line(std::string_view line) {
  check_secrets("the trace", line);
  const std::optional<kernel::TraceLineView> parsed = parse_trace_line(line);
  if (!parsed) return;
  count_trace_kind(parsed->kind);
  if (parsed->kind == "fault_point_fired") count(points_fired_, field(parsed->fields, "point"));
  const std::string node(parsed->node);
  if (parsed->kind == "provision_start") {
    const std::string workload(field(parsed->fields, "workload"));
    if (provisioned_[node].count(workload) != 0) {
      violate("provisioned_twice", fmt::format("{} provisioned {} again while it was running", node, workload));
    }
  } else if (parsed->kind == "provision_ok") {
    provisioned_[node].insert(std::string(field(parsed->fields, "workload")));
  } else if (parsed->kind == "provision_error" || parsed->kind == "container_released") {
    provisioned_[node].erase(std::string(field(parsed->fields, "workload")));
  } else if (parsed->kind == "node_reboot") {
    provisioned_[node].clear();
  }
  if (parsed->kind == "container_exited" || parsed->kind == "decommission_start" ||
      parsed->kind == "self_decommission" || parsed->kind == "container_restarted" ||
      parsed->kind == "container_released" || parsed->kind == "daemon_start" || parsed->kind == "node_reboot") {
    check_crash_policy(*parsed);
  }
  if (parsed->kind == "step" && field(parsed->fields, "fault") == "clock.step") clock_stepped_ms_ = parsed->time_ms;
  if (parsed->kind == "container_start" || parsed->kind == "container_remove" || parsed->kind == "node_reboot") {
    check_ip_unique(*parsed);
  }
  if (parsed->kind == "result_queued") check_capacity_charged(node, parsed->fields);
  if (parsed->kind == "container_exit") {
    // Stats stop for good once the container's task is gone (zos; docs/ZOS.md, "Stats"), even when
    // the crash policy starts the process again: the cadence is owed only until the first exit.
    const std::string_view name = field(parsed->fields, "name");
    first_exit_ms_.emplace(std::string(name), parsed->time_ms);
    if (const auto cadence = cadences_.find(std::string(name)); cadence != cadences_.end()) cadence->second.exited = true;
  } else if (parsed->kind == "container_start" && field(parsed->fields, "outcome") == "started") {
    // A new incarnation numbers its lines from 1 again: one more restart of the count is allowed
    // on each of its channels (lines of the old incarnation may still be buffered).
    const std::string_view name = field(parsed->fields, "name");
    const auto started = starts_.find(name);
    if (started == starts_.end()) {
      starts_.emplace(std::string(name), 1);
    } else {
      started->second += 1;
    }
  }
}

void Checker::count_trace_kind(std::string_view kind) {
  if (kind.empty()) return;
  const std::size_t slot =
      (kind.size() * 31 + static_cast<unsigned char>(kind[kind.size() / 2]) * 7 + static_cast<unsigned char>(kind.back())) %
      kind_slots_.size();
  Counts::value_type*& entry = kind_slots_[slot];
  if (entry != nullptr && entry->first == kind) {
    entry->second += 1;
    return;
  }
  count(trace_kinds_, kind);
  entry = &*trace_kinds_.find(kind);
  assert(entry->first == kind && entry->second >= 1);
}

// The crash policy of docs/ZOS.md ("Crashes"): exits are counted in a window opened by the first
// exit of a burst and closed crash_window_ms later, inclusive; the 4th exit of a window ends the
// container (self_decommission), any earlier one restarts it 2 s later (a node's knobs may set
// other numbers: the checker holds each node to its own). Exits of a container being
// decommissioned do not count; a daemon start (or reboot) forgets every window of its node, as
// zos's in-memory cache did.
void Checker::check_crash_policy(const kernel::TraceLineView& line) {
  const std::string node(line.node);
  if (line.kind == "daemon_start" || line.kind == "node_reboot") {
    crash_windows_.erase(node);
    return;
  }
  const World::NodeSlot* slot = node_slot(node);
  if (slot == nullptr) return;
  // The node's own policy: its knobs may differ from zos's (sim/node_knobs.hpp).
  const std::uint32_t crashes_max = slot->config.container.crashes_max;
  const std::int64_t crash_window_ms = slot->config.container.crash_window_ms;
  const std::int64_t restart_delay_ms = slot->config.container.restart_delay_ms;
  const std::string workload(field(line.fields, "workload"));
  std::map<std::string, CrashWindow>& windows = crash_windows_[node];
  CrashWindow& window = windows[workload];
  if (line.kind == "container_released") {
    windows.erase(workload);
  } else if (line.kind == "decommission_start") {
    window.stopping = true;
  } else if (line.kind == "container_exited" && !window.stopping) {
    const bool open = window.exits > 0 && line.time_ms <= window.start_ms + crash_window_ms;
    if (!open) window = CrashWindow{line.time_ms, 0, false, 0};
    window.exits += 1;
    window.last_exit_ms = line.time_ms;
  } else if (line.kind == "self_decommission" &&
             kernel::trace_unescaped(field(line.fields, "reason")).find("so many crashes") != std::string::npos) {
    if (window.exits != crashes_max) {
      violate("crash_policy", fmt::format("{}: gave up at exit {} of its crash window, want exit {}", workload,
                                          window.exits, crashes_max));
    }
    window.stopping = true;
  } else if (line.kind == "container_restarted") {
    if (window.exits >= crashes_max) {
      violate("crash_policy", fmt::format("{}: restarted after exit {} of its crash window, want given up at exit {}",
                                          workload, window.exits, crashes_max));
    } else if (field(line.fields, "remounted").empty() && window.exits > 0 &&
               line.time_ms - window.last_exit_ms != restart_delay_ms &&
               !(clock_stepped_ms_ >= window.last_exit_ms && line.time_ms - window.last_exit_ms > restart_delay_ms)) {
      // (A clock step between the exit and the restart makes the restart timer fire late.)
      violate("crash_policy", fmt::format("{}: restarted {} ms after its exit, want {} ms", workload,
                                          line.time_ms - window.last_exit_ms, restart_delay_ms));
    }
  }
}

// Two live containers never share an address in one network of a node: an address is taken when
// the runtime starts a container with it and given back when the runtime removes the container.
void Checker::check_ip_unique(const kernel::TraceLineView& line) {
  const std::string node(line.node);
  if (line.kind == "node_reboot") {
    addresses_.erase(node);
    return;
  }
  const std::string name(field(line.fields, "name"));
  std::map<std::string, std::string>& taken = addresses_[node];  // "network ip" -> container.
  if (line.kind == "container_remove") {
    for (auto entry = taken.begin(); entry != taken.end();) {
      entry = entry->second == name ? taken.erase(entry) : std::next(entry);
    }
    return;
  }
  if (field(line.fields, "outcome") != "started") return;
  const std::string_view ip = field(line.fields, "ip");
  if (ip.empty()) return;
  const std::string key = fmt::format("{} {}", field(line.fields, "network"), ip);
  const auto [entry, inserted] = taken.emplace(key, name);
  if (!inserted && entry->second != name) {
    violate("ip_unique", fmt::format("{}: {} started with {} in network {}, which {} still holds", node, name, ip,
                                     field(line.fields, "network"), entry->second));
  }
}

// Capacity is charged by kind and amount as each reservation asks, at every moment a result goes
// out: a workload whose ok is sent holds what it asked, one whose error or "deleted" is sent holds
// nothing, and everything the node holds is what its workload asked.
void Checker::check_capacity_charged(const std::string& node, std::string_view fields) {
  const World::NodeSlot* slot = node_slot(node);
  if (slot == nullptr || slot->node == nullptr) return;
  const std::map<std::string, core::CapacityUsage>& held = slot->node->capacity_held();
  const std::string workload_id(field(fields, "workload"));
  const core::Workload* workload = world_.explorer().workload(workload_id);
  if (workload != nullptr && (workload->type == core::WorkloadType::container || workload->type == core::WorkloadType::volume)) {
    const bool holds = held.count(workload_id) != 0;
    const std::string_view state = field(fields, "state");
    if (state == "ok" && !holds) {
      violate("capacity_charged", fmt::format("{}: {} is ok and holds no capacity", node, workload_id));
    } else if (state != "ok" && holds) {
      violate("capacity_charged", fmt::format("{}: {} is {} and still holds {}", node, workload_id, state,
                                              describe(held.at(workload_id))));
    }
  }
  for (const auto& [holder, usage] : held) {
    const std::optional<core::CapacityUsage>& asked = asked_capacity_of(holder);
    if (asked && *asked != usage) {
      violate("capacity_charged", fmt::format("{}: {} holds {}, it asked {}", node, holder, describe(usage), describe(*asked)));
    }
  }
}

// A workload's payload never changes once the explorer has it, so what it asks is read once: every
// result of a node judges every holder, and parsing each holder's payload each time made the
// check quadratic in the containers of a node.
const std::optional<core::CapacityUsage>& Checker::asked_capacity_of(const std::string& workload_id) {
  const auto found = asked_capacity_.find(workload_id);
  if (found != asked_capacity_.end()) return found->second;
  const core::Workload* workload = world_.explorer().workload(workload_id);
  // A workload the explorer does not know yet is asked again next time rather than remembered.
  if (workload == nullptr) {
    static const std::optional<core::CapacityUsage> unknown;
    return unknown;
  }
  return asked_capacity_.emplace(workload_id, asked_capacity(*workload)).first->second;
}

const World::NodeSlot* Checker::node_slot(std::string_view label) {
  const std::size_t index = world_.find_label(label);
  return index < world_.node_count() ? &world_.node(index) : nullptr;
}

void Checker::on_published(const std::string& address, std::string_view channel, std::string_view payload) {
  if (secrets_.found_in(payload)) {
    violate("secret_leaked", fmt::format("a secret value appeared in plaintext in a message on {}/{}", address, channel));
  }
  check_log_order(address, channel, payload);
  if (!cadence_channels_.empty()) count_cadence_message(address, channel);
}

// The cadence is owed until the container's first exit: a stats loop whose tick falls after the
// restart finds the task again and goes on (zos reads the task at each tick), and those later
// messages are no part of what is owed.
void Checker::count_cadence_message(const std::string& address, std::string_view channel) {
  key_buffer_.assign(address).append("/").append(channel);
  const auto found = cadence_channels_.find(key_buffer_);
  if (found == cadence_channels_.end()) return;
  Cadence& cadence = *found->second;
  if (!cadence.exited) cadence.messages += 1;
}

// Fake containers number their lines "<name> line <n> ..." (or "error" on stderr). On one channel
// the numbers of one incarnation of a container only grow; a restart begins again.
void Checker::check_log_order(const std::string& address, std::string_view channel, std::string_view payload) {
  const std::size_t name_end = payload.find(' ');
  if (name_end == std::string_view::npos) return;
  const std::size_t word_end = payload.find(' ', name_end + 1);
  if (word_end == std::string_view::npos) return;
  const std::string_view word = payload.substr(name_end + 1, word_end - name_end - 1);
  if (word != "line" && word != "error") return;
  std::uint64_t number = 0;
  const char* digits = payload.data() + word_end + 1;
  const auto [end, ec] = std::from_chars(digits, payload.data() + payload.size(), number);
  // A node may cut a long line into pieces (its line_bytes_max knob, as small as 16 bytes): only a
  // number followed by its space is whole ("line 100" may be the first piece of "line 1000"), and
  // only a name of a container that started is one (a later piece may begin in the middle of the
  // first one's name). Pieces that are not a line's first are not judged here.
  if (ec != std::errc() || end == digits || end == payload.data() + payload.size() || *end != ' ') return;
  const std::string_view name = payload.substr(0, name_end);
  const auto started = name.empty() ? starts_.end() : starts_.find(name);
  if (started == starts_.end()) return;
  lines_checked_ += 1;
  // One lookup per line, by a key built in a reused buffer: this runs for every log line of a
  // world, and the keys share long prefixes (the redis address), so each comparison is a memcmp.
  key_buffer_.assign(address).append("/").append(channel).append("/").append(name);
  auto position = log_positions_.find(key_buffer_);
  if (position == log_positions_.end()) position = log_positions_.emplace(key_buffer_, LogPosition{}).first;
  LogPosition& log = position->second;
  const std::uint64_t starts = started->second;
  if (number <= log.last && log.restarts_seen + 1 < starts) {
    log.restarts_seen += 1;
  } else if (number <= log.last) {
    violate("log_order", fmt::format("on {}: line {} came after line {}", key_buffer_, number, log.last));
  }
  log.last = number;
}

void Checker::check_results() {
  fakes::FakeExplorer& explorer = world_.explorer();
  for (const core::Workload& workload : explorer.workloads()) {
    const std::vector<core::ProvisionResult>& results = explorer.results(workload.id);
    std::size_t terminal = 0;
    std::size_t deleted = 0;
    std::size_t errors = 0;
    for (std::size_t index = 0; index < results.size(); index += 1) {
      const core::ProvisionResult& result = results[index];
      check_secrets(fmt::format("the results of {}", workload.id), result.message + result.data_json);
      if (result.state == core::ResultState::deleted) {
        deleted += 1;
      } else if (deleted > 0 && !is_error_after_give_up(results, index)) {
        violate("results_sequence", fmt::format("{}: a result after \"deleted\"", workload.id));
      } else if (result.state == core::ResultState::error) {
        errors += 1;
        if (terminal > 0 && !is_self_decommission_error(results, index)) {
          violate("results_sequence", fmt::format("{}: an error after another terminal result", workload.id));
        }
        terminal += 1;
      } else {
        // An ok may be sent again (re-delivery, daemon restart, reboot), always with the same data.
        if (terminal > 0 && (results[index - 1].state != core::ResultState::ok ||
                             results[index - 1].data_json != result.data_json)) {
          violate("results_sequence", fmt::format("{}: ok with other data after a terminal result", workload.id));
        }
        terminal += 1;
      }
    }
    if (deleted != 1) {
      violate("one_deleted", fmt::format("{}: {} \"deleted\" results, want exactly 1", workload.id, deleted));
    }
    if (errors > 1) violate("one_terminal", fmt::format("{}: {} error results", workload.id, errors));
    const auto expected = expected_errors_.find(workload.id);
    if (expected == expected_errors_.end()) continue;
    // Deleted before its node ever saw it deployable: there was nothing to validate.
    if (!results.empty() && results.front().state == core::ResultState::deleted) continue;
    const std::string expiry = fmt::format("reservation {} has expired", workload.id);
    const bool matched = !results.empty() && results.front().state == core::ResultState::error &&
                         (results.front().message == expected->second || results.front().message == expiry);
    if (!matched) {
      violate("exact_error", fmt::format("{}: want error \"{}\", got {} \"{}\"", workload.id, expected->second,
                                         results.empty() ? "nothing" : std::string(fakes::to_string(results.front().state)),
                                         results.empty() ? "" : results.front().message));
    }
  }
}

void Checker::check_released() {
  for (std::size_t index = 0; index < world_.node_count(); index += 1) {
    World::NodeSlot& slot = world_.node(index);
    const std::string& label = slot.setup.label;
    if (!slot.runtime->running().empty()) {
      violate("released", fmt::format("{}: {} containers still run, e.g. {}", label, slot.runtime->running().size(),
                                      slot.runtime->running().front()));
    }
    if (!slot.runtime->mounts().empty()) {
      violate("released", fmt::format("{}: {} mounts left", label, slot.runtime->mounts().size()));
    }
    if (!slot.runtime->volumes().empty()) {
      violate("released", fmt::format("{}: {} volumes left on disk, e.g. {}", label, slot.runtime->volumes().size(),
                                      slot.runtime->volumes().front()));
    }
    if (slot.node == nullptr) continue;
    const core::CapacityUsage& used = slot.node->used();
    if (used != core::CapacityUsage{}) {
      violate("capacity_zero", fmt::format("{}: capacity still used: cpu={} memory_mib={} ssd_mib={} hdd_mib={}", label,
                                           used.cpu, used.memory_mib, used.ssd_mib, used.hdd_mib));
    }
    const std::optional<core::CapacityUsage> reported = world_.explorer().capacity(slot.node_id);
    if (reported && *reported != used) violate("capacity_reported", fmt::format("{}: reported usage differs", label));
    if (slot.node->networks().addresses_in_use() != 0) {
      violate("released", fmt::format("{}: {} addresses still taken", label, slot.node->networks().addresses_in_use()));
    }
  }
  if (world_.redis().connections_open() != 0) {
    violate("released", fmt::format("{} redis connections still open", world_.redis().connections_open()));
  }
}

void Checker::check_delivery() {
  for (std::size_t index = 0; index < world_.node_count(); index += 1) {
    const core::DeliveryCounters totals = world_.delivery_totals(index).targets;
    if (totals.lines_delivered + totals.lines_dropped != totals.lines_produced) {
      violate("delivery_accounting",
              fmt::format("{}: delivered {} + dropped {} != produced {} ({} buffered, {} in flight)",
                          world_.node(index).setup.label, totals.lines_delivered, totals.lines_dropped,
                          totals.lines_produced, totals.lines_buffered, totals.lines_in_flight));
    }
  }
}

// A node never counts delivered what redis did not receive: every publish it counts delivered was
// answered by a server that had taken it (the servers may hold more: a reply lost with its
// connection is counted dropped or failed by the node, received by redis).
void Checker::check_delivery_honest() {
  if (!world_.uses_fake_redis()) return;
  std::uint64_t delivered = 0;
  for (std::size_t index = 0; index < world_.node_count(); index += 1) {
    const core::DeliveryCounters totals = world_.delivery_totals(index).targets;
    delivered += totals.lines_delivered + totals.stats_delivered;
  }
  const std::uint64_t received = world_.redis().publishes_delivered();
  if (delivered > received) {
    violate("delivery_honest", fmt::format("the nodes count {} publishes delivered, redis received {}", delivered, received));
  }
}

void Checker::check_stats_cadence() {
  for (const auto& [workload_id, cadence] : cadences_) {
    const std::vector<core::ProvisionResult>& results = world_.explorer().results(workload_id);
    if (results.size() < 2 || results.front().state != core::ResultState::ok ||
        results.back().state != core::ResultState::deleted) {
      continue;  // It never ran, or ended by itself: no cadence to hold it to.
    }
    std::int64_t ended_s = results.back().epoch_s;
    if (const auto exit = first_exit_ms_.find(workload_id); exit != first_exit_ms_.end()) {
      ended_s = std::min(ended_s, exit->second / 1000);
    }
    const std::int64_t ran_s = std::max<std::int64_t>(0, ended_s - results.front().epoch_s);
    const std::int64_t want = ran_s * 1000 / cadence.interval_ms;
    const std::int64_t got = static_cast<std::int64_t>(cadence.messages);
    // The pushers start a little before the ok result and stop at the decommission's first step.
    if (got < want - 3 || got > want + 3) {
      violate("stats_cadence", fmt::format("{}: {} stats messages in {} s on {}, want about {}", workload_id, got,
                                           ran_s, cadence.channel, want));
    }
  }
}

void Checker::check_reboot(std::size_t node_index) {
  World::NodeSlot& slot = world_.node(node_index);
  fakes::FakeExplorer& explorer = world_.explorer();
  const std::int64_t now_s = world_.now_ms() / 1000;
  for (const core::Workload& workload : explorer.workloads()) {
    if (workload.type != core::WorkloadType::container) continue;
    if (explorer.node_of(workload.id) != slot.node_id) continue;
    if (explorer.state(workload.id) != fakes::NextAction::deploy) continue;
    if (workload.created_s + workload.duration_s <= now_s + 30) continue;
    const std::vector<core::ProvisionResult>& results = explorer.results(workload.id);
    if (results.empty() || results.back().state != core::ResultState::ok) continue;
    const core::Expected<core::ContainerReservation> reservation = core::parse_container_text(workload.payload_json);
    if (!reservation) continue;
    const std::optional<core::ContainerSpec> spec = slot.runtime->spec(workload.id);
    const std::string& want_ip = reservation.value().network_connection.front().ipaddress;
    if (!spec || spec->ipv4 != want_ip) {
      violate("same_ip_after_reboot", fmt::format("{}: {} does not run again with IP {} after the reboot",
                                                  slot.setup.label, workload.id, want_ip));
    }
  }
}

std::vector<Violation> Checker::finish() {
  check_results();
  check_released();
  check_delivery();
  check_delivery_honest();
  check_stats_cadence();
  return violations_;
}

}  // namespace zsim::sim
