#include "sim/scenario_writer.hpp"

#include <fmt/format.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/node.hpp"
#include "core/result_sender.hpp"
#include "sim/duration.hpp"

namespace zsim::sim {

namespace {

// Insertion order is the order a reader expects: format, name, description, then the world.
using ordered = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Printing: one line per item of each list, each item compact with a space after ':' and ','.

std::string compact(const ordered& value) {
  switch (value.type()) {
    case ordered::value_t::object: {
      std::string text = "{";
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        text += first ? "" : ", ";
        text += ordered(key).dump(-1, ' ', false, ordered::error_handler_t::replace) + ": " + compact(member);
        first = false;
      }
      return text + "}";
    }
    case ordered::value_t::array: {
      std::string text = "[";
      for (std::size_t index = 0; index < value.size(); index += 1) text += (index == 0 ? "" : ", ") + compact(value[index]);
      return text + "]";
    }
    default: return value.dump(-1, ' ', false, ordered::error_handler_t::replace);
  }
}

bool holds_lists(const ordered& object) {
  for (const auto& [key, member] : object.items()) {
    if (member.is_array() || member.is_object()) return true;
  }
  return false;
}

std::string block(const ordered& object, std::size_t indent);

// A member of a block: a list gets a line per item; an object of lists is a block of its own.
std::string member_text(const ordered& value, std::size_t indent) {
  const std::string inner(indent + 2, ' ');
  if (value.is_array() && !value.empty()) {
    std::string text = "[\n";
    for (std::size_t index = 0; index < value.size(); index += 1) {
      text += inner + compact(value[index]) + (index + 1 < value.size() ? ",\n" : "\n");
    }
    return text + std::string(indent, ' ') + "]";
  }
  if (value.is_object() && holds_lists(value)) return block(value, indent);
  return compact(value);
}

std::string block(const ordered& object, std::size_t indent) {
  assert(object.is_object());
  const std::string inner(indent + 2, ' ');
  std::string text = "{\n";
  std::size_t index = 0;
  for (const auto& [key, member] : object.items()) {
    index += 1;
    text += inner + ordered(key).dump() + ": " + member_text(member, indent + 2) + (index < object.size() ? ",\n" : "\n");
  }
  return text + std::string(indent, ' ') + "}";
}

// ---------------------------------------------------------------------------------------------
// The world: nodes, flists, redis servers, reservations.

ordered usage_json(const core::CapacityUsage& usage) {
  return ordered{{"cpu", usage.cpu}, {"memory_mib", usage.memory_mib}, {"ssd_mib", usage.ssd_mib}, {"hdd_mib", usage.hdd_mib}};
}

ordered node_json(const NodeSpec& node) {
  ordered out{{"label", node.label}};
  const NodeSpec defaults;
  if (!(node.totals == defaults.totals)) out["capacity"] = usage_json(node.totals);
  if (node.ipv4_only) out["ipv4_only"] = true;
  if (!node.knobs.empty()) {
    out["knobs"] = ordered::object();
    for (const auto& [name, value] : node.knobs) out["knobs"][name] = value;
  }
  if (!node.networks.empty()) {
    out["networks"] = ordered::array();
    for (const NetworkSpec& network : node.networks) {
      out["networks"].push_back(ordered{{"name", network.name}, {"subnet", network.subnet}, {"owner", network.owner}});
    }
  }
  if (!node.volumes.empty()) {
    out["volumes"] = ordered::array();
    for (const VolumeSpec& volume : node.volumes) {
      out["volumes"].push_back(ordered{{"id", volume.workload_id}, {"owner", volume.owner},
                                       {"size_gib", volume.size_gib}, {"type", volume.disk_type}});
    }
  }
  return out;
}

// Only what differs from a default program, so a file says what is special about its containers.
ordered program_json(const fakes::ContainerProgram& program) {
  const fakes::ContainerProgram defaults;
  ordered out = ordered::object();
  if (program.banner != defaults.banner) out["banner"] = program.banner;
  if (program.line_interval_ms != defaults.line_interval_ms) out["line_interval"] = format_duration(program.line_interval_ms);
  if (program.line_bytes != defaults.line_bytes) out["line_bytes"] = program.line_bytes;
  if (program.stderr_every_n_lines != 0) out["stderr_every"] = program.stderr_every_n_lines;
  if (program.long_line_every_n_lines != 0) out["long_line_every"] = program.long_line_every_n_lines;
  if (program.memory_start_bytes != defaults.memory_start_bytes) out["memory_start_bytes"] = program.memory_start_bytes;
  if (program.memory_growth_bytes_per_s != 0) out["memory_growth_bytes_per_s"] = program.memory_growth_bytes_per_s;
  if (program.memory_cache_bytes != defaults.memory_cache_bytes) out["memory_cache_bytes"] = program.memory_cache_bytes;
  if (program.cpu_millicores != defaults.cpu_millicores) out["cpu_millicores"] = program.cpu_millicores;
  if (program.pids != defaults.pids) out["pids"] = program.pids;
  if (program.exit_after_ms != 0) out["exit_after"] = format_duration(program.exit_after_ms);
  if (program.exit_code != 0) out["exit_code"] = program.exit_code;
  if (program.crash) out["crash"] = true;
  if (program.ignores_sigterm) out["ignores_sigterm"] = true;
  if (program.sigterm_exit_delay_ms != defaults.sigterm_exit_delay_ms) {
    out["sigterm_exit_delay"] = format_duration(program.sigterm_exit_delay_ms);
  }
  if (program.chunk_split != 1) out["chunk_split"] = program.chunk_split;
  return out;
}

ordered flist_json(const FlistSpec& flist) {
  ordered out{{"url", flist.url}};
  const std::size_t slash = flist.url.rfind('/');
  const std::string default_name = slash == std::string::npos ? flist.url : flist.url.substr(slash + 1);
  if (flist.image.name != default_name) out["name"] = flist.image.name;
  if (flist.image.size_mib != 64) out["size_mib"] = flist.image.size_mib;
  if (!flist.image.entrypoint.empty()) out["entrypoint"] = flist.image.entrypoint;
  if (!flist.image.environment.empty()) {
    ordered environment = ordered::object();
    for (const auto& [name, value] : flist.image.environment) environment[name] = value;
    out["environment"] = std::move(environment);
  }
  if (flist.program) out["program"] = program_json(*flist.program);
  ordered faults = ordered::array();
  if (flist.not_found) faults.push_back("not_found");
  if (flist.corrupt) faults.push_back("corrupt");
  if (flist.md5_mismatch) faults.push_back("md5_mismatch");
  if (flist.status != 0) faults.push_back(ordered{{"status", flist.status}});
  if (!faults.empty()) out["faults"] = std::move(faults);
  return out;
}

ordered redis_json(const RedisSpec& server) {
  ordered out{{"address", server.address}};
  if (!server.password.empty()) out["password"] = server.password;
  return out;
}

ordered workload_json(const WorkloadSpec& workload) {
  ordered out{{"type", std::string(core::to_string(workload.type))}};
  ordered payload = workload.payload;
  if (!workload.secrets.empty()) {
    ordered secrets = ordered::object();
    for (const SecretSpec& secret : workload.secrets) {
      secrets[secret.name] = secret.raw ? ordered{{"ciphertext_hex", secret.ciphertext_hex}} : ordered(secret.plaintext);
    }
    payload["secret_environment"] = std::move(secrets);
  }
  out["payload"] = std::move(payload);
  if (workload.secret_version != 1) out["secret_version"] = workload.secret_version;
  if (workload.program) out["program"] = program_json(*workload.program);
  return out;
}

ordered reservation_json(const ReservationSpec& reservation) {
  ordered out{{"id", reservation.id},
              {"owner", reservation.owner},
              {"node", reservation.node},
              {"duration", format_duration(reservation.duration_ms)}};
  if (reservation.paid_after_ms != 0) out["paid_after"] = format_duration(reservation.paid_after_ms);
  out["workloads"] = ordered::array();
  for (const WorkloadSpec& workload : reservation.workloads) out["workloads"].push_back(workload_json(workload));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Steps, in the loader's terms: the fields each fault kind reads are the fields written.

void fault_target_json(const FaultSpec& fault, ordered& out) {
  const std::string& kind = fault.kind;
  if (kind.rfind("redis.", 0) == 0) {
    out["server"] = fault.target;
  } else if (kind == "hub.not_found" || kind == "hub.corrupt" || kind == "hub.md5_mismatch") {
    out["flist"] = fault.target;
  } else if (kind == "hub.status" || kind == "buggify") {
    if (!fault.target.empty()) out[kind == "hub.status" ? "flist" : "node"] = fault.target;
  } else if (kind.rfind("fs_daemon.", 0) == 0 || kind.rfind("runtime.", 0) == 0) {
    out["node"] = fault.target;
  }
}

void fault_parameters_json(const FaultSpec& fault, ordered& out) {
  const std::string& kind = fault.kind;
  const std::string rate = fmt::format("{}/{}", fault.numerator, fault.denominator);
  if (kind == "hub.slow" || kind == "redis.slow" || kind == "explorer.slow" || kind == "runtime.mount_latency") {
    out["latency"] = format_duration(fault.latency_ms);
  } else if (kind == "redis.dropping") {
    out["rate"] = rate;
  } else if (kind == "explorer.result_failures" && fault.numerator != 0) {
    out["rate"] = rate;
  } else if (kind == "explorer.result_failures" || kind == "runtime.fail_starts") {
    out["count"] = fault.count;
  } else if (kind == "buggify") {
    out["rate"] = rate;
  } else if (kind == "clock.step") {
    out["by"] = format_duration(fault.by_ms);
  } else if (kind == "hub.status") {
    out["status"] = fault.status;
  }
}

// Advance steps keep no amount of their own: it is the time to the next step (or to the end).
ordered step_json(const StepSpec& step, std::int64_t next_at_ms) {
  ordered out{{"at", format_duration(step.at_ms)}};
  switch (step.kind) {
    case StepKind::deliver: out["deliver"] = step.reservation; break;
    case StepKind::remove:
      if (step.workload.empty()) out["delete"] = step.reservation;
      else out["delete"] = step.workload;
      if (step.if_possible) out["if_live"] = true;
      break;
    case StepKind::advance:
      assert(next_at_ms >= step.at_ms);
      out["advance"] = format_duration(next_at_ms - step.at_ms);
      break;
    case StepKind::fault:
    case StepKind::heal:
      out[step.kind == StepKind::fault ? "fault" : "heal"] = step.fault.kind;
      fault_target_json(step.fault, out);
      if (step.fault.kind == "buggify") out["point"] = step.fault.point;
      if (step.kind == StepKind::fault) fault_parameters_json(step.fault, out);
      break;
    case StepKind::heal_all: out["heal_all"] = true; break;
    case StepKind::crash:
      out["crash"] = step.workload;
      if (step.if_possible) out["if_running"] = true;
      break;
    case StepKind::restart_daemon: out["restart_daemon"] = step.node; break;
    case StepKind::reboot: out["reboot"] = step.node; break;
  }
  if (!step.note.empty()) out["note"] = step.note;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expectations.

ordered count_json(const CountRange& range) {
  if (range.min == range.max) return range.min;
  ordered out = ordered::object();
  if (range.min != 0 || range.max == UINT64_MAX) out["min"] = range.min;
  if (range.max != UINT64_MAX) out["max"] = range.max;
  return out;
}

ordered result_check_json(const ResultCheck& check) {
  ordered out{{"workload", check.workload}};
  if (check.state) out["state"] = std::string(core::to_string(*check.state));
  if (check.message) out["message"] = *check.message;
  if (!check.data.is_null()) out["data"] = ordered(check.data);
  if (check.sequence) {
    out["sequence"] = ordered::array();
    for (const core::ResultState state : *check.sequence) out["sequence"].push_back(std::string(core::to_string(state)));
  }
  if (check.explorer_state) out["explorer_state"] = *check.explorer_state;
  if (check.before) out["before"] = *check.before;
  return out;
}

ordered capacity_check_json(const CapacityCheck& check) {
  ordered out{{"node", check.node}};
  if (check.used) out["used"] = usage_json(*check.used);
  if (check.reported_usage) out["reported"] = usage_json(*check.reported_usage);
  else if (!check.reported) out["reported"] = false;
  return out;
}

ordered messages_check_json(const MessagesCheck& check) {
  ordered out{{"server", check.server}, {"channel", check.channel}, {"count", count_json(check.count)}};
  if (!check.last_json.is_null()) out["last_json"] = ordered(check.last_json);
  if (check.last_text) out["last_text"] = *check.last_text;
  return out;
}

ordered delivery_check_json(const DeliveryCheck& check) {
  ordered out{{"node", check.node}};
  for (const std::string_view name : delivery_counter_names()) {
    const auto found = check.counters.find(std::string(name));
    if (found != check.counters.end()) out[std::string(name)] = count_json(found->second);
  }
  return out;
}

ordered container_check_json(const ContainerCheck& check) {
  ordered out{{"workload", check.workload}};
  if (check.running) out["running"] = *check.running;
  if (check.ipv4) out["ipv4"] = *check.ipv4;
  if (check.entrypoint) out["entrypoint"] = *check.entrypoint;
  if (check.interactive) out["interactive"] = *check.interactive;
  if (check.env_names) out["env_names"] = *check.env_names;
  if (check.binds) {
    out["binds"] = ordered::array();
    for (const core::BindMount& bind : *check.binds) out["binds"].push_back(ordered{{"volume_id", bind.volume_id}, {"target", bind.target}});
  }
  if (check.cpu_limit_millicores) out["cpu_limit_millicores"] = *check.cpu_limit_millicores;
  if (check.memory_mib) out["memory_mib"] = *check.memory_mib;
  return out;
}

ordered trace_check_json(const TraceCheck& check) {
  ordered out = ordered::object();
  if (!check.node.empty()) out["node"] = check.node;
  out["kind"] = check.kind;
  if (!check.fields.empty()) {
    ordered fields = ordered::object();
    for (const auto& [key, value] : check.fields) fields[key] = value;
    out["fields"] = std::move(fields);
  }
  out["count"] = count_json(check.count);
  return out;
}

ordered check_json(const Check& check) {
  ordered body;
  switch (check.kind) {
    case CheckKind::result: body = result_check_json(check.result); break;
    case CheckKind::capacity: body = capacity_check_json(check.capacity); break;
    case CheckKind::messages: body = messages_check_json(check.messages); break;
    case CheckKind::delivery: body = delivery_check_json(check.delivery); break;
    case CheckKind::container: body = container_check_json(check.container); break;
    case CheckKind::trace: body = trace_check_json(check.trace); break;
  }
  if (!check.at_ms) return body;
  ordered out{{"at", format_duration(*check.at_ms)}};
  for (auto& [key, value] : body.items()) out[key] = value;
  return out;
}

ordered expect_json(const Scenario& scenario) {
  ordered out = ordered::object();
  // Sections in the loader's order; inside each, the checks in file order.
  for (const CheckKind kind : {CheckKind::result, CheckKind::capacity, CheckKind::messages, CheckKind::delivery,
                               CheckKind::container, CheckKind::trace}) {
    ordered section = ordered::array();
    for (const Check& check : scenario.checks) {
      if (check.kind == kind) section.push_back(check_json(check));
    }
    if (!section.empty()) out[std::string(to_string(kind))] = std::move(section);
  }
  if (!scenario.no_secret_leaked) out["no_secret_leaked"] = false;
  if (!scenario.stats_cadence.empty()) out["stats_cadence"] = scenario.stats_cadence;
  if (scenario.trace_hash) out["trace_hash"] = *scenario.trace_hash;
  return out;
}

ordered scenario_json(const Scenario& scenario) {
  ordered out{{"format", scenario_format_version}, {"name", scenario.name}, {"description", scenario.description},
              {"seed", scenario.seed}};
  if (!scenario.tags.empty()) out["tags"] = scenario.tags;
  out["nodes"] = ordered::array();
  for (const NodeSpec& node : scenario.nodes) out["nodes"].push_back(node_json(node));
  if (!scenario.flists.empty()) out["flists"] = ordered::array();
  for (const FlistSpec& flist : scenario.flists) out["flists"].push_back(flist_json(flist));
  if (!scenario.redis.empty()) out["redis"] = ordered::array();
  for (const RedisSpec& server : scenario.redis) out["redis"].push_back(redis_json(server));
  if (!scenario.reservations.empty()) out["reservations"] = ordered::array();
  for (const ReservationSpec& reservation : scenario.reservations) out["reservations"].push_back(reservation_json(reservation));
  if (scenario.poll_descending) out["explorer"] = ordered{{"poll_order", "descending"}};
  if (scenario.buggify) out["buggify"] = true;
  if (!scenario.planted_bugs.empty()) out["plant_bugs"] = scenario.planted_bugs;
  if (!scenario.steps.empty()) out["steps"] = ordered::array();
  for (std::size_t index = 0; index < scenario.steps.size(); index += 1) {
    const std::int64_t next_at_ms = index + 1 < scenario.steps.size() ? scenario.steps[index + 1].at_ms : scenario.end_ms;
    out["steps"].push_back(step_json(scenario.steps[index], next_at_ms));
  }
  out["run_for"] = format_duration(scenario.end_ms);
  ordered expect = expect_json(scenario);
  if (!expect.empty()) out["expect"] = std::move(expect);
  return out;
}

}  // namespace

std::string format_scenario(const Scenario& scenario) {
  assert(scenario.end_ms >= 0);
  assert(std::is_sorted(scenario.steps.begin(), scenario.steps.end(),
                        [](const StepSpec& a, const StepSpec& b) { return a.at_ms < b.at_ms; }));
  std::string text = block(scenario_json(scenario), 0) + "\n";
  assert(!text.empty() && text.back() == '\n');
  return text;
}

std::string scenario_file_name(std::string_view property, std::uint64_t seed) {
  assert(!property.empty());
  // A property name is a label ("results_sequence", "expect.trace"); anything else becomes '_' so
  // the name is always one safe path component.
  std::string name;
  for (const char c : property) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    name.push_back(safe ? c : '_');
  }
  if (name.front() == '.') name.front() = '_';
  return fmt::format("{}-seed{}.json", name, seed);
}

core::Expected<void> write_scenario_file(const std::filesystem::path& path, const Scenario& scenario) {
  const std::string text = format_scenario(scenario);
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return core::Error{fmt::format("{}: cannot create the file: {}", temporary.string(), std::strerror(errno))};
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return core::Error{fmt::format("{}: cannot write the file: {}", temporary.string(), std::strerror(errno))};
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return core::Error{fmt::format("{}: cannot rename the written file into place: {}", path.string(), error.message())};
  }
  return {};
}

}  // namespace zsim::sim
