#include "sim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cassert>
#include <fstream>
#include <iterator>
#include <set>

#include "core/fault_points.hpp"
#include "core/json_text.hpp"
#include "core/planted_bugs.hpp"
#include "core/network_registry.hpp"
#include "core/reservation.hpp"
#include "core/untrusted_text.hpp"
#include "sim/duration.hpp"
#include "sim/faults.hpp"

namespace zsim::sim {

namespace {

using nlohmann::json;

// A mistake in the file: where (a JSON path) and what. Thrown inside the loader only, caught at its
// entry and turned into one line; a scenario file is read once, so clarity wins over speed here.
struct LoadError {
  std::string path;
  std::string message;
};

[[noreturn]] void fail(const std::string& path, std::string message) { throw LoadError{path, std::move(message)}; }

std::string kind_of(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return fmt::format("the number {}", value.dump());
    case json::value_t::number_float: return fmt::format("the number {}", value.dump());
    default: return "something else";
  }
}

// Text from the file in a message: escaped and cut, so that an error stays one short line.
std::string shown(std::string_view text) { return core::escape_untrusted(text); }

// What a value is, never what it holds: for places where even a number may be a secret.
std::string kind_name(const json& value) { return value.is_number() ? "a number" : kind_of(value); }

// A value that should have been one of a few names: the string itself (escaped and cut), or what it is.
std::string describe_name(const json& value) {
  return value.is_string() ? fmt::format("\"{}\"", shown(value.get_ref<const std::string&>())) : kind_of(value);
}

std::string join(const std::vector<std::string_view>& names) {
  std::string text;
  for (const std::string_view name : names) text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

// An object being read: fields are taken by name, and unknown fields are an error at the end, so
// that a typo ("dleiver") is reported instead of silently ignored.
class Object {
 public:
  Object(const json& value, std::string path) : value_(value), path_(std::move(path)) {
    if (!value_.is_object()) fail(display(), fmt::format("expected an object, got {}", kind_of(value_)));
  }
  const std::string& path() const { return path_; }
  // Keys may come from the file (environment names, trace fields): escaped and cut like any text.
  std::string at(std::string_view key) const {
    const std::string name = core::escape_untrusted(key, 64);
    return path_.empty() ? name : path_ + "." + name;
  }
  bool has(std::string_view key) {
    seen_.insert(std::string(key));
    return value_.contains(key);
  }
  const json& get(std::string_view key) {
    seen_.insert(std::string(key));
    const auto found = value_.find(key);
    if (found == value_.end()) fail(display(), fmt::format("missing field '{}'", key));
    return *found;
  }
  std::string string(std::string_view key) {
    const json& value = get(key);
    if (!value.is_string()) fail(at(key), fmt::format("expected a string, got {}", kind_of(value)));
    return value.get<std::string>();
  }
  std::string string_or(std::string_view key, std::string fallback) { return has(key) ? string(key) : fallback; }
  std::string text(std::string_view key) {  // A string that must not be empty.
    std::string value = string(key);
    if (value.empty()) fail(at(key), "must not be empty");
    return value;
  }
  std::uint64_t unsigned_number(std::string_view key, std::uint64_t max = UINT64_MAX) {
    const json& value = get(key);
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      fail(at(key), fmt::format("expected a non-negative integer, got {}", kind_of(value)));
    }
    const std::uint64_t number = value.get<std::uint64_t>();
    if (number > max) fail(at(key), fmt::format("must be at most {}, got {}", max, number));
    return number;
  }
  std::uint64_t unsigned_or(std::string_view key, std::uint64_t fallback, std::uint64_t max = UINT64_MAX) {
    return has(key) ? unsigned_number(key, max) : fallback;
  }
  bool boolean(std::string_view key) {
    const json& value = get(key);
    if (!value.is_boolean()) fail(at(key), fmt::format("expected true or false, got {}", kind_of(value)));
    return value.get<bool>();
  }
  bool boolean_or(std::string_view key, bool fallback) { return has(key) ? boolean(key) : fallback; }
  std::int64_t duration(std::string_view key) {
    const json& value = get(key);
    if (!value.is_string()) {
      fail(at(key), fmt::format("expected a duration string like \"500ms\", \"2s\", \"10m\" or \"1h\", got {}",
                                kind_of(value)));
    }
    const core::Expected<std::int64_t> parsed = parse_duration_ms(value.get<std::string>());
    if (!parsed) fail(at(key), parsed.error());
    if (parsed.value() > scenario_time_max_ms) fail(at(key), "must be at most 30d (limit scenario_time_max_ms)");
    return parsed.value();
  }
  std::int64_t duration_or(std::string_view key, std::int64_t fallback) { return has(key) ? duration(key) : fallback; }
  const json& array(std::string_view key) {
    const json& value = get(key);
    if (!value.is_array()) fail(at(key), fmt::format("expected an array, got {}", kind_of(value)));
    if (value.size() > scenario_items_max) fail(at(key), fmt::format("at most {} items (limit scenario_items_max)", scenario_items_max));
    return value;
  }
  // Call once every field was read: anything left is unknown.
  void finish(const std::vector<std::string_view>& also_allowed = {}) const {
    for (const auto& [key, value] : value_.items()) {
      if (seen_.count(key) != 0) continue;
      if (std::find(also_allowed.begin(), also_allowed.end(), key) != also_allowed.end()) continue;
      fail(display(), fmt::format("unknown field '{}'", shown(key)));
    }
  }
  std::string display() const { return path_.empty() ? "(top level)" : path_; }

 private:
  const json& value_;
  std::string path_;
  std::set<std::string> seen_;
};

std::string item(const std::string& path, std::size_t index) { return fmt::format("{}[{}]", path, index); }

CountRange read_count(const json& value, const std::string& path) {
  CountRange range;
  if (value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    range.min = range.max = value.get<std::uint64_t>();
    return range;
  }
  if (!value.is_object()) {
    fail(path, fmt::format("expected a count (a non-negative integer) or a range {{\"min\": A, \"max\": B}}, got {}",
                           kind_of(value)));
  }
  Object range_object(value, path);
  if (!range_object.has("min") && !range_object.has("max")) fail(path, "a range needs \"min\", \"max\" or both");
  range.min = range_object.unsigned_or("min", 0);
  range.max = range_object.unsigned_or("max", UINT64_MAX);
  range_object.finish();
  if (range.min > range.max) fail(path, fmt::format("min {} is greater than max {}", range.min, range.max));
  return range;
}

bool is_workload_id(std::string_view id, std::uint64_t* reservation = nullptr) {
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= id.size()) return false;
  const auto digits = [](std::string_view text) {
    return !text.empty() && text.size() <= 18 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(id.substr(0, dash)) || !digits(id.substr(dash + 1))) return false;
  if (reservation != nullptr) *reservation = std::stoull(std::string(id.substr(0, dash)));
  return true;
}

bool is_label(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// "1/10" -> (1, 10).
void read_rate(Object& object, std::string_view key, FaultSpec& fault) {
  const std::string text = object.string(key);
  const std::size_t slash = text.find('/');
  const auto bad = [&] { fail(object.at(key), fmt::format("expected a rate like \"1/10\", got \"{}\"", shown(text))); };
  if (slash == std::string::npos) bad();
  try {
    std::size_t used = 0;
    fault.numerator = std::stoull(text.substr(0, slash), &used);
    if (used != slash) bad();
    fault.denominator = std::stoull(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) bad();
  } catch (const std::exception&) {
    bad();
  }
  if (fault.denominator == 0 || fault.numerator > fault.denominator) bad();
}

}  // namespace

std::string CountRange::describe() const {
  if (min == max) return std::to_string(min);
  if (max == UINT64_MAX) return fmt::format("at least {}", min);
  if (min == 0) return fmt::format("at most {}", max);
  return fmt::format("{}..{}", min, max);
}

std::string scenario_flist_body(const core::FlistImage& image) {
  return fmt::format("metadata of {} ({} MiB)", image.name, image.size_mib);
}

std::string format_offset(std::int64_t offset_ms) {
  const char* sign = offset_ms < 0 ? "-" : "+";
  const std::int64_t magnitude = offset_ms < 0 ? -offset_ms : offset_ms;
  return fmt::format("{}{:02}:{:02}.{:03}", sign, magnitude / 60'000, (magnitude / 1000) % 60, magnitude % 1000);
}

std::string_view to_string(StepKind kind) {
  switch (kind) {
    case StepKind::deliver: return "deliver";
    case StepKind::remove: return "delete";
    case StepKind::advance: return "advance";
    case StepKind::fault: return "fault";
    case StepKind::heal: return "heal";
    case StepKind::heal_all: return "heal_all";
    case StepKind::crash: return "crash";
    case StepKind::restart_daemon: return "restart_daemon";
    case StepKind::reboot: return "reboot";
  }
  return "unknown";
}

std::string_view to_string(CheckKind kind) {
  switch (kind) {
    case CheckKind::result: return "results";
    case CheckKind::capacity: return "capacity";
    case CheckKind::messages: return "messages";
    case CheckKind::delivery: return "delivery";
    case CheckKind::container: return "containers";
    case CheckKind::trace: return "trace";
  }
  return "unknown";
}

const std::vector<std::string_view>& fault_kinds() {
  static const std::vector<std::string_view> kinds = [] {
    std::vector<std::string_view> names;
    for (const FaultKindInfo& info : fault_catalogue()) names.push_back(info.name);
    return names;
  }();
  return kinds;
}

const std::vector<std::string_view>& delivery_counter_names() {
  static const std::vector<std::string_view> names{
      "lines_produced", "lines_delivered", "lines_dropped", "lines_buffered", "lines_in_flight", "stats_ticks",
      "stats_published", "stats_delivered", "stats_failed", "stats_missed", "lines_out", "lines_err",
      "long_line_pieces"};
  return names;
}

core::Expected<core::ResultState> parse_result_state(std::string_view text) {
  if (text == "ok") return core::ResultState::ok;
  if (text == "error") return core::ResultState::error;
  if (text == "deleted") return core::ResultState::deleted;
  return core::Error{fmt::format("unknown result state '{}', expected ok, error or deleted", shown(text))};
}

const ReservationSpec* Scenario::reservation(std::uint64_t id) const {
  for (const ReservationSpec& spec : reservations) {
    if (spec.id == id) return &spec;
  }
  return nullptr;
}

const NodeSpec* Scenario::node(std::string_view label) const {
  for (const NodeSpec& spec : nodes) {
    if (spec.label == label) return &spec;
  }
  return nullptr;
}

std::optional<std::string> stats_endpoint(const Scenario& scenario, const std::string& workload_id) {
  const std::size_t dash = workload_id.find('-');
  if (dash == std::string::npos) return std::nullopt;
  std::uint64_t reservation_id = 0;
  std::uint64_t number = 0;
  const char* end = workload_id.data() + workload_id.size();
  const auto [id_end, id_error] = std::from_chars(workload_id.data(), workload_id.data() + dash, reservation_id);
  const auto [number_end, number_error] = std::from_chars(workload_id.data() + dash + 1, end, number);
  if (id_error != std::errc() || id_end != workload_id.data() + dash || number_error != std::errc() || number_end != end) {
    return std::nullopt;
  }
  const ReservationSpec* reservation = scenario.reservation(reservation_id);
  if (reservation == nullptr || number == 0 || number > reservation->workloads.size()) return std::nullopt;
  const WorkloadSpec& workload = reservation->workloads[number - 1];
  if (workload.type != core::WorkloadType::container || !workload.payload.is_object()) return std::nullopt;
  const auto stats = workload.payload.find("stats_aggregator");
  if (stats == workload.payload.end() || !stats->is_array() || stats->empty()) return std::nullopt;
  const nlohmann::json& first = stats->front();
  if (!first.is_object() || !first.contains("data") || !first["data"].is_object()) return std::nullopt;
  const auto endpoint = first["data"].find("endpoint");
  if (endpoint == first["data"].end() || !endpoint->is_string()) return std::nullopt;
  return endpoint->get<std::string>();
}

namespace {

// The loader proper: one method per section, each reading into the scenario under construction.
class Loader {
 public:
  explicit Loader(Scenario& scenario) : scenario_(scenario) {}

  void load(const json& document) {
    Object top(document, "");
    const std::uint64_t format = top.unsigned_number("format");
    if (format != scenario_format_version) {
      fail("format", fmt::format("unsupported format {}, this zsim reads format {}", format, scenario_format_version));
    }
    scenario_.name = top.text("name");
    if (!is_label(scenario_.name)) fail("name", "use lower-case letters, digits, '-', '_' and '.' (at most 64)");
    scenario_.description = top.text("description");
    scenario_.seed = top.unsigned_number("seed");
    if (top.has("tags")) {
      const json& tags = top.array("tags");
      for (std::size_t index = 0; index < tags.size(); index += 1) {
        if (!tags[index].is_string()) fail(item("tags", index), "expected a string");
        scenario_.tags.push_back(tags[index].get<std::string>());
      }
    }
    read_nodes(top.array("nodes"));
    if (top.has("flists")) read_flists(top.array("flists"));
    if (top.has("redis")) read_redis(top.array("redis"));
    if (top.has("reservations")) read_reservations(top.array("reservations"));
    check_setup_ids();
    if (top.has("steps")) read_steps(top.array("steps"));
    scenario_.end_ms = std::max(scenario_.end_ms, top.duration_or("run_for", 0));
    if (top.has("explorer")) read_explorer(top.get("explorer"));
    scenario_.buggify = top.boolean_or("buggify", false);
    if (top.has("plant_bugs")) read_planted_bugs(top.array("plant_bugs"));
    if (top.has("expect")) read_expect(top.get("expect"));
    top.finish({"$schema", "comment"});
    assert(std::is_sorted(scenario_.steps.begin(), scenario_.steps.end(),
                          [](const StepSpec& a, const StepSpec& b) { return a.at_ms < b.at_ms; }));
    assert(scenario_.end_ms >= 0 && scenario_.end_ms <= scenario_time_max_ms);
  }

 private:
  void read_nodes(const json& nodes) {
    if (nodes.empty()) fail("nodes", "a scenario needs at least one node");
    if (nodes.size() > scenario_nodes_max) fail("nodes", fmt::format("at most {} nodes (limit scenario_nodes_max)", scenario_nodes_max));
    for (std::size_t index = 0; index < nodes.size(); index += 1) {
      Object node(nodes[index], item("nodes", index));
      NodeSpec spec;
      spec.label = node.text("label");
      if (!is_label(spec.label)) fail(node.at("label"), "use lower-case letters, digits, '-', '_' and '.'");
      if (scenario_.node(spec.label) != nullptr) fail(node.at("label"), fmt::format("node '{}' is defined twice", spec.label));
      if (node.has("capacity")) {
        Object capacity(node.get("capacity"), node.at("capacity"));
        spec.totals.cpu = capacity.unsigned_or("cpu", spec.totals.cpu, 1024);
        spec.totals.memory_mib = capacity.unsigned_or("memory_mib", spec.totals.memory_mib, std::uint64_t{1} << 40);
        spec.totals.ssd_mib = capacity.unsigned_or("ssd_mib", spec.totals.ssd_mib, std::uint64_t{1} << 40);
        spec.totals.hdd_mib = capacity.unsigned_or("hdd_mib", spec.totals.hdd_mib, std::uint64_t{1} << 40);
        capacity.finish();
        if (spec.totals.cpu == 0) fail(capacity.at("cpu"), "a node has at least 1 CPU");
      }
      spec.ipv4_only = node.boolean_or("ipv4_only", false);
      if (node.has("knobs")) spec.knobs = read_knobs(node.get("knobs"), node.at("knobs"));
      if (node.has("networks")) read_networks(node.array("networks"), node.at("networks"), spec);
      if (node.has("volumes")) read_volumes(node.array("volumes"), node.at("volumes"), spec);
      node.finish();
      scenario_.nodes.push_back(std::move(spec));
    }
  }

  // {"crash_window_ms": 30000, ...}: integers within each knob's range (sim/node_knobs.hpp). A knob
  // set to its default is kept out, so that a file read and written again says the same.
  NodeKnobs read_knobs(const json& value, const std::string& path) {
    Object object(value, path);
    NodeKnobs knobs;
    for (const auto& [name, number] : value.items()) {
      const NodeKnobInfo* info = find_node_knob(name);
      if (info == nullptr) fail(object.at(name), fmt::format("unknown knob, expected one of {}", node_knob_list()));
      if (!number.is_number_integer()) fail(object.at(name), fmt::format("expected an integer, got {}", kind_of(number)));
      const std::int64_t knob = number.is_number_unsigned() && number.get<std::uint64_t>() > INT64_MAX
                                    ? INT64_MAX
                                    : number.get<std::int64_t>();
      if (knob < info->min || knob > info->max) {
        fail(object.at(name), fmt::format("must be within {}..{}, got {}", info->min, info->max, number.dump()));
      }
      if (knob != info->default_value) knobs[name] = knob;
    }
    if (const core::Status checked = check_node_knobs(knobs); !checked) fail(path, checked.error());
    return knobs;
  }

  void read_networks(const json& networks, const std::string& path, NodeSpec& spec) {
    for (std::size_t index = 0; index < networks.size(); index += 1) {
      Object network(networks[index], item(path, index));
      NetworkSpec net;
      net.name = network.text("name");
      net.subnet = network.text("subnet");
      if (const core::Expected<core::Ipv4Subnet> subnet = core::parse_subnet(net.subnet); !subnet) {
        fail(network.at("subnet"), subnet.error());
      }
      net.owner = network.text("owner");
      network.finish();
      setup_count_ += 1;
      net.workload_id = fmt::format("0-{}", setup_count_);
      claim_workload_id(net.workload_id, network.path());
      spec.networks.push_back(std::move(net));
    }
  }

  void read_volumes(const json& volumes, const std::string& path, NodeSpec& spec) {
    for (std::size_t index = 0; index < volumes.size(); index += 1) {
      Object volume(volumes[index], item(path, index));
      VolumeSpec vol;
      vol.workload_id = volume.text("id");
      std::uint64_t reservation = 0;
      if (!is_workload_id(vol.workload_id, &reservation)) {
        fail(volume.at("id"), fmt::format("expected a workload id \"<reservation id>-<number>\", got \"{}\"", shown(vol.workload_id)));
      }
      setup_reservation_max_ = std::max(setup_reservation_max_, reservation);
      vol.owner = volume.text("owner");
      vol.size_gib = volume.unsigned_or("size_gib", 1, 1 << 20);
      vol.disk_type = volume.string_or("type", "ssd");
      if (vol.disk_type != "ssd" && vol.disk_type != "hdd") fail(volume.at("type"), "expected \"ssd\" or \"hdd\"");
      volume.finish();
      claim_workload_id(vol.workload_id, volume.path());
      spec.volumes.push_back(std::move(vol));
    }
  }

  void claim_workload_id(const std::string& id, const std::string& path) {
    if (!workload_ids_.insert(id).second) fail(path, fmt::format("workload id {} is used twice", id));
  }

  void read_flists(const json& flists) {
    for (std::size_t index = 0; index < flists.size(); index += 1) {
      Object flist(flists[index], item("flists", index));
      FlistSpec spec;
      spec.url = flist.text("url");
      for (const FlistSpec& other : scenario_.flists) {
        if (other.url == spec.url) fail(flist.at("url"), "this flist is defined twice");
      }
      const std::size_t slash = spec.url.rfind('/');
      spec.image.name = flist.string_or("name", slash == std::string::npos ? spec.url : spec.url.substr(slash + 1));
      spec.image.size_mib = flist.unsigned_or("size_mib", 64, std::uint64_t{1} << 20);
      spec.image.entrypoint = flist.string_or("entrypoint", "");
      if (flist.has("environment")) {
        Object environment(flist.get("environment"), flist.at("environment"));
        for (const auto& [name, value] : flist.get("environment").items()) {
          spec.image.environment.emplace_back(name, environment.string(name));
        }
        environment.finish();
      }
      spec.image.body = scenario_flist_body(spec.image);
      if (flist.has("program")) spec.program = read_program(flist.get("program"), flist.at("program"));
      if (flist.has("faults")) read_flist_faults(flist.array("faults"), flist.at("faults"), spec);
      flist.finish();
      scenario_.flists.push_back(std::move(spec));
    }
  }

  void read_flist_faults(const json& faults, const std::string& path, FlistSpec& spec) {
    for (std::size_t index = 0; index < faults.size(); index += 1) {
      const json& fault = faults[index];
      if (fault.is_object()) {  // {"status": 503}: the hub answers this flist with that status.
        Object status(fault, item(path, index));
        spec.status = read_http_status(status, "status");
        status.finish();
        continue;
      }
      const std::string name = fault.is_string() ? fault.get<std::string>() : "";
      if (name == "not_found") spec.not_found = true;
      else if (name == "corrupt") spec.corrupt = true;
      else if (name == "md5_mismatch") spec.md5_mismatch = true;
      else fail(item(path, index), fmt::format("unknown flist fault {}, expected \"not_found\", \"corrupt\", \"md5_mismatch\" or {{\"status\": N}}", describe_name(fault)));
    }
  }

  fakes::ContainerProgram read_program(const json& value, const std::string& path) {
    Object program(value, path);
    fakes::ContainerProgram spec;
    spec.banner = program.string_or("banner", "");
    spec.line_interval_ms = program.duration_or("line_interval", spec.line_interval_ms);
    spec.line_bytes = static_cast<std::uint32_t>(program.unsigned_or("line_bytes", spec.line_bytes, fakes::line_bytes_max));
    spec.stderr_every_n_lines = static_cast<std::uint32_t>(program.unsigned_or("stderr_every", 0, 1'000'000));
    spec.long_line_every_n_lines = static_cast<std::uint32_t>(program.unsigned_or("long_line_every", 0, 1'000'000));
    spec.memory_start_bytes = program.unsigned_or("memory_start_bytes", spec.memory_start_bytes, fakes::memory_bytes_max);
    spec.memory_growth_bytes_per_s = program.unsigned_or("memory_growth_bytes_per_s", 0, fakes::memory_bytes_max);
    spec.memory_cache_bytes = program.unsigned_or("memory_cache_bytes", spec.memory_cache_bytes, fakes::memory_bytes_max);
    spec.cpu_millicores = static_cast<std::uint32_t>(program.unsigned_or("cpu_millicores", spec.cpu_millicores, fakes::cpu_millicores_max));
    spec.pids = static_cast<std::uint32_t>(program.unsigned_or("pids", spec.pids, fakes::pids_max));
    spec.exit_after_ms = program.duration_or("exit_after", 0);
    spec.exit_code = static_cast<int>(program.unsigned_or("exit_code", 0, 255));
    spec.crash = program.boolean_or("crash", false);
    spec.ignores_sigterm = program.boolean_or("ignores_sigterm", false);
    spec.sigterm_exit_delay_ms = program.duration_or("sigterm_exit_delay", spec.sigterm_exit_delay_ms);
    spec.chunk_split = static_cast<std::uint32_t>(program.unsigned_or("chunk_split", 1, fakes::chunk_split_max));
    program.finish();
    if (spec.chunk_split == 0) fail(program.at("chunk_split"), "must be at least 1");
    if (spec.pids == 0) fail(program.at("pids"), "must be at least 1");
    if (!spec.valid()) fail(path, "the program is out of bounds (banner must be printable ASCII, at most 1024 bytes)");
    return spec;
  }

  void read_redis(const json& servers) {
    for (std::size_t index = 0; index < servers.size(); index += 1) {
      Object server(servers[index], item("redis", index));
      RedisSpec spec;
      spec.address = server.text("address");
      const core::Expected<core::RedisUrl> url = core::parse_redis_url("redis://" + spec.address + "/probe");
      if (!url || url.value().address() != spec.address) {
        fail(server.at("address"), fmt::format("expected \"host:port\", got \"{}\"", shown(spec.address)));
      }
      for (const RedisSpec& other : scenario_.redis) {
        if (other.address == spec.address) fail(server.at("address"), "this server is defined twice");
      }
      spec.password = server.string_or("password", "");
      server.finish();
      scenario_.redis.push_back(std::move(spec));
    }
  }

  void read_reservations(const json& reservations) {
    for (std::size_t index = 0; index < reservations.size(); index += 1) {
      Object reservation(reservations[index], item("reservations", index));
      ReservationSpec spec;
      spec.path = reservation.path();
      spec.id = reservation.unsigned_number("id", 999'999'999'999);
      if (spec.id == 0) fail(reservation.at("id"), "reservation id 0 holds the networks present at start; use 1 or more");
      if (scenario_.reservation(spec.id) != nullptr) fail(reservation.at("id"), fmt::format("reservation {} is defined twice", spec.id));
      spec.owner = reservation.text("owner");
      spec.node = reservation.text("node");
      if (scenario_.node(spec.node) == nullptr) fail(reservation.at("node"), fmt::format("no node labelled '{}'", shown(spec.node)));
      spec.duration_ms = reservation.duration_or("duration", spec.duration_ms);
      spec.paid_after_ms = reservation.duration_or("paid_after", 0);
      const json& workloads = reservation.array("workloads");
      if (workloads.empty()) fail(reservation.at("workloads"), "a reservation has at least one workload");
      for (std::size_t number = 0; number < workloads.size(); number += 1) {
        spec.workloads.push_back(read_workload(workloads[number], item(reservation.at("workloads"), number)));
        claim_workload_id(fmt::format("{}-{}", spec.id, number + 1), item(reservation.at("workloads"), number));
      }
      reservation.finish({"comment"});
      scenario_.reservations.push_back(std::move(spec));
    }
  }

  WorkloadSpec read_workload(const json& value, const std::string& path) {
    Object workload(value, path);
    WorkloadSpec spec;
    const std::string type = workload.text("type");
    static const std::vector<std::pair<std::string_view, core::WorkloadType>> types{
        {"network", core::WorkloadType::network}, {"network_resource", core::WorkloadType::network_resource},
        {"zdb", core::WorkloadType::zdb},         {"volume", core::WorkloadType::volume},
        {"container", core::WorkloadType::container}, {"kubernetes", core::WorkloadType::kubernetes}};
    const auto found = std::find_if(types.begin(), types.end(), [&](const auto& entry) { return entry.first == type; });
    if (found == types.end()) {
      fail(workload.at("type"), fmt::format("unknown workload type '{}', expected network, network_resource, zdb, "
                                            "volume, container or kubernetes", shown(type)));
    }
    spec.type = found->second;
    spec.payload = workload.get("payload");
    if (!spec.payload.is_object()) fail(workload.at("payload"), fmt::format("expected an object, got {}", kind_of(spec.payload)));
    spec.secret_version = static_cast<std::uint32_t>(workload.unsigned_or("secret_version", 1, 1'000'000));
    if (workload.has("program")) spec.program = read_program(workload.get("program"), workload.at("program"));
    workload.finish({"comment"});
    read_secrets(spec, workload.at("payload") + ".secret_environment");
    return spec;
  }

  // Secret values are written in plaintext (the runner encrypts them for the node, as a client
  // would) or as {"ciphertext_hex": "..."}, used as it is.
  void read_secrets(WorkloadSpec& spec, const std::string& path) {
    if (!spec.payload.contains("secret_environment")) return;
    const json& secrets = spec.payload["secret_environment"];
    if (!secrets.is_object()) fail(path, fmt::format("expected an object of NAME: value, got {}", kind_name(secrets)));
    for (const auto& [name, value] : secrets.items()) {
      SecretSpec secret;
      secret.name = name;
      const std::string value_path = path + "." + core::escape_untrusted(name, 64);
      if (value.is_string()) {
        secret.plaintext = value.get<std::string>();
        if (secret.plaintext.size() < 4) fail(value_path, "a secret value has at least 4 characters (so that it can be searched for)");
      } else {
        // Never the value itself, not even a number: it is meant as a secret.
        if (!value.is_object()) {
          fail(value_path, fmt::format("expected a string (the plaintext) or {{\"ciphertext_hex\": \"...\"}}, got {}",
                                       kind_name(value)));
        }
        Object raw(value, value_path);
        secret.ciphertext_hex = raw.string("ciphertext_hex");
        secret.raw = true;
        raw.finish();
      }
      spec.secrets.push_back(std::move(secret));
    }
    spec.payload.erase("secret_environment");
  }

  // The workloads present at start carry reservation ids below every reservation's, or the node's
  // poll cursor would already be past a reservation when it is delivered (zos #672 on purpose).
  void check_setup_ids() {
    for (const ReservationSpec& reservation : scenario_.reservations) {
      if (reservation.id <= setup_reservation_max_) {
        fail(reservation.path + ".id",
             fmt::format("reservation ids must be above the reservation ids of the volumes present at start "
                         "(up to {})", setup_reservation_max_));
      }
    }
  }

  void read_steps(const json& steps) {
    std::int64_t now_ms = 0;
    for (std::size_t index = 0; index < steps.size(); index += 1) {
      Object step(steps[index], item("steps", index));
      StepSpec spec;
      spec.path = step.path();
      if (step.has("at")) {
        const std::int64_t at_ms = step.duration("at");
        if (at_ms < now_ms) {
          fail(step.at("at"), fmt::format("steps run in time order: {} is before the previous step's time {}",
                                          format_offset(at_ms), format_offset(now_ms)));
        }
        now_ms = at_ms;
      }
      spec.note = step.string_or("note", "");
      read_step_action(step, spec, now_ms);
      spec.at_ms = now_ms;
      if (spec.kind == StepKind::advance) now_ms += step.duration("advance");
      if (now_ms > scenario_time_max_ms) fail(step.display(), "a scenario lasts at most 30d (limit scenario_time_max_ms)");
      step.finish();
      scenario_.end_ms = std::max(scenario_.end_ms, now_ms);
      scenario_.steps.push_back(std::move(spec));
    }
  }

  void read_step_action(Object& step, StepSpec& spec, std::int64_t now_ms) {
    static const std::vector<std::string_view> actions{"deliver", "delete", "advance", "fault", "heal",
                                                       "heal_all", "crash", "restart_daemon", "reboot"};
    std::vector<std::string_view> present;
    for (const std::string_view action : actions) {
      if (step.has(action)) present.push_back(action);
    }
    if (present.size() != 1) {
      fail(step.display(), present.empty() ? fmt::format("a step needs one action: {}", join(actions))
                                           : fmt::format("a step has one action, got {}", join(present)));
    }
    const std::string_view action = present.front();
    if (action == "deliver") {
      spec.kind = StepKind::deliver;
      spec.reservation = step.unsigned_number("deliver");
      if (scenario_.reservation(spec.reservation) == nullptr) fail(step.at("deliver"), fmt::format("no reservation {}", spec.reservation));
      if (!delivered_.insert(spec.reservation).second) fail(step.at("deliver"), fmt::format("reservation {} is delivered twice", spec.reservation));
    } else if (action == "delete") {
      spec.kind = StepKind::remove;
      read_delete_target(step, spec);
      spec.if_possible = step.boolean_or("if_live", false);
    } else if (action == "advance") {
      spec.kind = StepKind::advance;
      (void)step.duration("advance");
    } else if (action == "fault" || action == "heal") {
      spec.kind = action == "fault" ? StepKind::fault : StepKind::heal;
      read_fault(step, std::string(action), spec.fault);
    } else if (action == "heal_all") {
      spec.kind = StepKind::heal_all;
      if (!step.boolean("heal_all")) fail(step.at("heal_all"), "write \"heal_all\": true");
    } else if (action == "crash") {
      spec.kind = StepKind::crash;
      spec.workload = step.text("crash");
      if (!is_workload_id(spec.workload)) fail(step.at("crash"), "expected a workload id like \"10-1\"");
      spec.if_possible = step.boolean_or("if_running", false);
    } else {
      spec.kind = action == "reboot" ? StepKind::reboot : StepKind::restart_daemon;
      spec.node = step.text(action);
      if (scenario_.node(spec.node) == nullptr) fail(step.at(action), fmt::format("no node labelled '{}'", shown(spec.node)));
    }
    (void)now_ms;
  }

  void read_delete_target(Object& step, StepSpec& spec) {
    const json& target = step.get("delete");
    if (target.is_string()) {
      spec.workload = target.get<std::string>();
      std::uint64_t reservation = 0;
      if (!is_workload_id(spec.workload, &reservation) || scenario_.reservation(reservation) == nullptr) {
        fail(step.at("delete"), fmt::format("expected a reservation id or the id of one of its workloads, got \"{}\"", shown(spec.workload)));
      }
      return;
    }
    spec.reservation = step.unsigned_number("delete");
    if (scenario_.reservation(spec.reservation) == nullptr) fail(step.at("delete"), fmt::format("no reservation {}", spec.reservation));
  }

  // The fields a fault step reads are the catalogue's (sim/faults.hpp): its target, then, when it
  // injects, its parameter.
  void read_fault(Object& step, const std::string& action, FaultSpec& fault) {
    fault.kind = step.text(action);
    const FaultKindInfo* info = find_fault_kind(fault.kind);
    if (info == nullptr) fail(step.at(action), fmt::format("unknown fault '{}', expected one of {}", shown(fault.kind), join(fault_kinds())));
    const bool healing = action == "heal";
    read_fault_target(step, *info, fault);
    if (!info->heals && healing) fail(step.at(action), fmt::format("{} is a one-off event and cannot be healed", fault.kind));
    if (info->parameter == FaultParameter::point_and_rate) fault.point = read_fault_point(step);  // A heal names it too.
    if (!healing) read_fault_parameter(step, *info, fault);
  }

  void read_fault_target(Object& step, const FaultKindInfo& info, FaultSpec& fault) {
    switch (info.target) {
      case FaultTarget::none: return;
      case FaultTarget::server: {
        fault.target = step.text("server");
        bool known = false;
        for (const RedisSpec& server : scenario_.redis) known = known || server.address == fault.target;
        if (!known) fail(step.at("server"), fmt::format("no redis server '{}' in \"redis\"", shown(fault.target)));
        return;
      }
      case FaultTarget::flist:
      case FaultTarget::flist_or_all: {
        fault.target = info.target == FaultTarget::flist ? step.text("flist") : step.string_or("flist", "");
        if (fault.target.empty()) return;
        bool known = false;
        for (const FlistSpec& flist : scenario_.flists) known = known || flist.url == fault.target;
        if (!known) fail(step.at("flist"), fmt::format("no flist '{}' in \"flists\"", shown(fault.target)));
        return;
      }
      case FaultTarget::node:
      case FaultTarget::node_or_all:
        fault.target = step.string_or("node", "");
        if (info.target == FaultTarget::node && fault.target.empty()) {
          fail(step.display(), fmt::format("fault {} needs \"node\"", fault.kind));
        }
        if (!fault.target.empty() && scenario_.node(fault.target) == nullptr) {
          fail(step.at("node"), fmt::format("no node labelled '{}'", shown(fault.target)));
        }
        return;
    }
  }

  void read_fault_parameter(Object& step, const FaultKindInfo& info, FaultSpec& fault) {
    switch (info.parameter) {
      case FaultParameter::none: return;
      case FaultParameter::latency:
        fault.latency_ms = step.duration("latency");
        if (fault.latency_ms > 10 * 60'000) fail(step.at("latency"), "at most 10m");
        return;
      case FaultParameter::rate:
      case FaultParameter::point_and_rate: return read_rate(step, "rate", fault);
      case FaultParameter::rate_or_count:
        if (step.has("rate")) return read_rate(step, "rate", fault);
        fault.count = step.unsigned_number("count", 1'000'000);
        return;
      case FaultParameter::count: fault.count = step.unsigned_number("count", 1'000'000); return;
      case FaultParameter::by: fault.by_ms = step.duration("by"); return;
      case FaultParameter::status: fault.status = read_http_status(step, "status"); return;
    }
  }

  static std::string read_fault_point(Object& step) {
    const std::string point = step.text("point");
    if (!core::is_fault_point(point)) {
      std::string known;
      for (const core::FaultPointInfo& info : core::fault_points) known += (known.empty() ? "" : ", ") + std::string(info.name);
      fail(step.at("point"), fmt::format("unknown fault point '{}', expected one of {}", shown(point), known));
    }
    return point;
  }

  static int read_http_status(Object& object, std::string_view key) {
    const std::uint64_t status = object.unsigned_number(key, 599);
    if (status < 100) fail(object.at(key), fmt::format("expected an HTTP status from 100 to 599, got {}", status));
    return static_cast<int>(status);
  }

  void read_planted_bugs(const json& bugs) {
    for (std::size_t index = 0; index < bugs.size(); index += 1) {
      const std::string name = bugs[index].is_string() ? bugs[index].get<std::string>() : "";
      if (!core::find_planted_bug(name)) {
        fail(item("plant_bugs", index),
             fmt::format("unknown planted bug {}, expected one of {}", describe_name(bugs[index]), core::planted_bug_list()));
      }
      scenario_.planted_bugs.push_back(name);
    }
  }

  // How the fake explorer behaves: the order a poll lists workloads in.
  void read_explorer(const json& value) {
    Object explorer(value, "explorer");
    const std::string order = explorer.string_or("poll_order", "ascending");
    if (order != "ascending" && order != "descending") fail(explorer.at("poll_order"), "expected \"ascending\" or \"descending\"");
    scenario_.poll_descending = order == "descending";
    explorer.finish();
  }

  static core::CapacityUsage read_usage(Object& object, std::string_view key) {
    Object usage(object.get(key), object.at(key));
    core::CapacityUsage result;
    result.cpu = usage.unsigned_or("cpu", 0);
    result.memory_mib = usage.unsigned_or("memory_mib", 0);
    result.ssd_mib = usage.unsigned_or("ssd_mib", 0);
    result.hdd_mib = usage.unsigned_or("hdd_mib", 0);
    usage.finish();
    return result;
  }

  void read_expect(const json& value) {
    Object expect(value, "expect");
    if (expect.has("results")) read_checks(expect.array("results"), "expect.results", CheckKind::result);
    if (expect.has("capacity")) read_checks(expect.array("capacity"), "expect.capacity", CheckKind::capacity);
    if (expect.has("messages")) read_checks(expect.array("messages"), "expect.messages", CheckKind::messages);
    if (expect.has("delivery")) read_checks(expect.array("delivery"), "expect.delivery", CheckKind::delivery);
    if (expect.has("containers")) read_checks(expect.array("containers"), "expect.containers", CheckKind::container);
    if (expect.has("trace")) read_checks(expect.array("trace"), "expect.trace", CheckKind::trace);
    scenario_.no_secret_leaked = expect.boolean_or("no_secret_leaked", true);
    if (expect.has("stats_cadence")) read_stats_cadence(expect.array("stats_cadence"));
    if (expect.has("trace_hash")) {
      const std::string hash = expect.string("trace_hash");
      const bool hex = hash.size() == 16 && std::all_of(hash.begin(), hash.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      });
      if (!hex) fail("expect.trace_hash", "expected 16 lower-case hex digits, as `zsim run` prints it");
      scenario_.trace_hash = hash;
    }
    expect.finish();
  }

  // Container workloads of the file that send stats to one of its redis servers.
  void read_stats_cadence(const json& workloads) {
    for (std::size_t index = 0; index < workloads.size(); index += 1) {
      const std::string path = item("expect.stats_cadence", index);
      if (!workloads[index].is_string()) fail(path, fmt::format("expected a workload id, got {}", kind_of(workloads[index])));
      const std::string workload = workloads[index].get<std::string>();
      const std::optional<std::string> endpoint = stats_endpoint(scenario_, workload);
      if (!endpoint) fail(path, "expected a container workload of this file with a stats_aggregator endpoint");
      const core::Expected<core::RedisUrl> url = core::parse_redis_url(*endpoint);
      const bool known = url && std::any_of(scenario_.redis.begin(), scenario_.redis.end(), [&url](const RedisSpec& server) {
        return server.address == url.value().address();
      });
      if (!known) fail(path, fmt::format("the stats endpoint of {} is not a redis server of this file", workload));
      scenario_.stats_cadence.push_back(workload);
    }
  }

  void read_checks(const json& checks, const std::string& path, CheckKind kind) {
    for (std::size_t index = 0; index < checks.size(); index += 1) {
      Object object(checks[index], item(path, index));
      Check check;
      check.kind = kind;
      check.path = object.path();
      if (object.has("at")) {
        check.at_ms = object.duration("at");
        scenario_.end_ms = std::max(scenario_.end_ms, *check.at_ms);
      }
      switch (kind) {
        case CheckKind::result: read_result_check(object, check.result); break;
        case CheckKind::capacity: read_capacity_check(object, check.capacity); break;
        case CheckKind::messages: read_messages_check(object, check.messages); break;
        case CheckKind::delivery: read_delivery_check(object, check.delivery); break;
        case CheckKind::container: read_container_check(object, check.container); break;
        case CheckKind::trace: read_trace_check(object, check.trace); break;
      }
      object.finish({"comment"});
      scenario_.checks.push_back(std::move(check));
    }
  }

  static core::ResultState state_at(const json& value, const std::string& path) {
    if (!value.is_string()) fail(path, fmt::format("expected \"ok\", \"error\" or \"deleted\", got {}", kind_of(value)));
    const core::Expected<core::ResultState> state = parse_result_state(value.get<std::string>());
    if (!state) fail(path, state.error());
    return state.value();
  }

  void read_result_check(Object& object, ResultCheck& check) {
    check.workload = object.text("workload");
    if (!workload_ids_.count(check.workload)) fail(object.at("workload"), fmt::format("no workload {} in this scenario", shown(check.workload)));
    if (object.has("state")) check.state = state_at(object.get("state"), object.at("state"));
    if (object.has("message")) check.message = object.string("message");
    if (object.has("data")) {
      check.data = object.get("data");
      if (!check.data.is_object()) fail(object.at("data"), "expected an object of fields the result's data must have");
    }
    if (object.has("sequence")) {
      const json& sequence = object.array("sequence");
      check.sequence.emplace();
      for (std::size_t index = 0; index < sequence.size(); index += 1) {
        check.sequence->push_back(state_at(sequence[index], item(object.at("sequence"), index)));
      }
    }
    if (object.has("explorer_state")) {
      check.explorer_state = object.text("explorer_state");
      static const std::set<std::string> states{"pay", "deploy", "delete", "invalid", "deleted"};
      if (states.count(*check.explorer_state) == 0) {
        fail(object.at("explorer_state"), "expected pay, deploy, delete, invalid or deleted");
      }
    }
    if (object.has("before")) {
      check.before = object.text("before");
      if (!workload_ids_.count(*check.before)) fail(object.at("before"), fmt::format("no workload {} in this scenario", shown(*check.before)));
      if (*check.before == check.workload) fail(object.at("before"), "a result cannot come before itself");
    }
    if (!check.state && !check.message && check.data.is_null() && !check.sequence && !check.explorer_state && !check.before) {
      fail(object.display(), "say what to check: state, message, data, sequence, explorer_state or before");
    }
  }

  void need_node(Object& object, std::string& node) {
    node = object.text("node");
    if (scenario_.node(node) == nullptr) fail(object.at("node"), fmt::format("no node labelled '{}'", shown(node)));
  }

  // "reported" is true/false (the report says the same as "used", or is not checked) or a usage
  // of its own, for the moments the two differ (a provision in flight is held, not reported).
  void read_capacity_check(Object& object, CapacityCheck& check) {
    need_node(object, check.node);
    const bool reported_usage = object.has("reported") && object.get("reported").is_object();
    if (reported_usage) check.reported_usage = read_usage(object, "reported");
    if (object.has("used") || !reported_usage) check.used = read_usage(object, "used");
    check.reported = reported_usage ? false : object.boolean_or("reported", true);
  }

  void read_messages_check(Object& object, MessagesCheck& check) {
    check.server = object.text("server");
    bool known = false;
    for (const RedisSpec& server : scenario_.redis) known = known || server.address == check.server;
    if (!known) fail(object.at("server"), fmt::format("no redis server '{}' in \"redis\"", shown(check.server)));
    check.channel = object.text("channel");
    check.count = read_count(object.get("count"), object.at("count"));
    if (object.has("last_json")) {
      check.last_json = object.get("last_json");
      if (!check.last_json.is_object()) fail(object.at("last_json"), "expected an object of fields the last message must have");
    }
    if (object.has("last_text")) check.last_text = object.string("last_text");
  }

  void read_delivery_check(Object& object, DeliveryCheck& check) {
    need_node(object, check.node);
    for (const std::string_view name : delivery_counter_names()) {
      if (object.has(name)) check.counters[std::string(name)] = read_count(object.get(name), object.at(name));
    }
    if (check.counters.empty()) fail(object.display(), fmt::format("name at least one counter: {}", join(delivery_counter_names())));
  }

  void read_container_check(Object& object, ContainerCheck& check) {
    check.workload = object.text("workload");
    if (!workload_ids_.count(check.workload)) fail(object.at("workload"), fmt::format("no workload {} in this scenario", shown(check.workload)));
    if (object.has("running")) check.running = object.boolean("running");
    if (object.has("ipv4")) check.ipv4 = object.string("ipv4");
    if (object.has("entrypoint")) check.entrypoint = object.string("entrypoint");
    if (object.has("interactive")) check.interactive = object.boolean("interactive");
    if (object.has("env_names")) {
      const json& names = object.array("env_names");
      check.env_names.emplace();
      for (std::size_t index = 0; index < names.size(); index += 1) {
        if (!names[index].is_string()) fail(item(object.at("env_names"), index), "expected a string");
        check.env_names->push_back(names[index].get<std::string>());
      }
    }
    if (object.has("binds")) {
      const json& binds = object.array("binds");
      check.binds.emplace();
      for (std::size_t index = 0; index < binds.size(); index += 1) {
        Object bind(binds[index], item(object.at("binds"), index));
        check.binds->push_back(core::BindMount{bind.text("volume_id"), bind.text("target")});
        bind.finish();
      }
    }
    if (object.has("cpu_limit_millicores")) check.cpu_limit_millicores = object.unsigned_number("cpu_limit_millicores");
    if (object.has("memory_mib")) check.memory_mib = object.unsigned_number("memory_mib");
  }

  void read_trace_check(Object& object, TraceCheck& check) {
    check.node = object.string_or("node", "");
    check.kind = object.text("kind");
    if (object.has("fields")) {
      Object fields(object.get("fields"), object.at("fields"));
      for (const auto& [key, value] : object.get("fields").items()) check.fields[key] = fields.string(key);
      fields.finish();
    }
    check.count = read_count(object.get("count"), object.at("count"));
  }

  Scenario& scenario_;
  std::size_t setup_count_ = 0;
  std::uint64_t setup_reservation_max_ = 0;
  std::set<std::string> workload_ids_;
  std::set<std::uint64_t> delivered_;
};

}  // namespace

core::Expected<Scenario> load_scenario_text(std::string_view text, const std::string& file) {
  // The file name is the user's, but may hold any byte (a name that is not UTF-8, a newline).
  const std::string file_shown = core::escape_untrusted(file, scenario_file_name_bytes_max);
  json document;
  // The limits of core/json_text.hpp hold before the loader copies or prints any value, and its
  // errors give a line and column or a JSON path, never an excerpt: a scenario holds secrets in
  // plaintext.
  if (const std::optional<core::JsonTextError> error = core::parse_json_text(text, document)) {
    return core::Error{fmt::format("{}: {}: {}", file_shown, error->path.empty() ? "(top level)" : error->path,
                                   error->message)};
  }
  Scenario scenario;
  scenario.file = file;
  try {
    Loader(scenario).load(document);
  } catch (const LoadError& error) {
    return core::Error{fmt::format("{}: {}: {}", file_shown, error.path.empty() ? "(top level)" : error.path, error.message)};
  }
  return scenario;
}

core::Expected<Scenario> load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error{fmt::format("{}: (top level): cannot read the file",
                                   core::escape_untrusted(path, scenario_file_name_bytes_max))};
  std::string text;
  text.reserve(4096);
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > scenario_file_bytes_max) {
      return core::Error{fmt::format("{}: (top level): larger than {} bytes (limit scenario_file_bytes_max)",
                                     core::escape_untrusted(path, scenario_file_name_bytes_max), scenario_file_bytes_max)};
    }
  }
  return load_scenario_text(text, path);
}

}  // namespace zsim::sim
