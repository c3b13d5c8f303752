#include "core/reservation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstddef>
#include <optional>
#include <utility>

#include "core/untrusted_text.hpp"

namespace zsim::core {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Reading the payload. A FieldReader records the first type error and turns every later read into
// a no-op, so that the parse functions read field after field without an early return each time.

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string index_path(std::string_view parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

// What a value is, for "got ..." in type errors. Where an integer is expected, a wrong number (a
// negative count, a fraction) is shown because it is easier to fix when seen; text is never
// shown, as it may be secret.
std::string describe(const json& value, bool show_numbers) {
  if (show_numbers && value.is_number()) return value.dump();
  if (value.is_number()) return "number";
  return value.type_name();
}

class FieldReader {
 public:
  bool failed() const { return error_.has_value(); }
  const std::string& error() const {
    assert(failed());
    return *error_;
  }

  // The value of object[key], or nullptr when absent. object must be an object (or null).
  const json* find(const json& object, std::string_view key) const {
    if (failed() || !object.is_object()) return nullptr;
    const auto found = object.find(key);
    return found == object.end() ? nullptr : &*found;
  }

  void fail_type(std::string_view path, std::string_view expected, const json& got, bool show_numbers) {
    if (failed()) return;
    error_ = fmt::format("{}: expected {}, got {}", path, expected, describe(got, show_numbers));
  }

  void read_string(const json& object, std::string_view key, std::string_view parent, std::string& out) {
    const json* value = find(object, key);
    if (value == nullptr) return;
    if (!value->is_string()) return fail_type(join_path(parent, key), "a string", *value, false);
    if (!check_length(join_path(parent, key), value->get_ref<const std::string&>())) return;
    out = value->get<std::string>();
  }

  // A payload's strings end up in events, results and trace lines, which are bounded; a value
  // beyond the limit is refused here, by name, rather than cut or asserted on later.
  bool check_length(std::string_view path, std::string_view text) {
    if (failed()) return false;
    if (text.size() <= reservation_string_bytes_max) return true;
    error_ = fmt::format("{}: longer than {} bytes (limit reservation_string_bytes_max)", path,
                         reservation_string_bytes_max);
    return false;
  }

  void fail_count(std::string_view path, std::string_view what, std::size_t limit, std::string_view limit_name) {
    if (failed()) return;
    error_ = fmt::format("{}: more than {} {} (limit {})", path, limit, what, limit_name);
  }

  void read_bool(const json& object, std::string_view key, std::string_view parent, bool& out) {
    const json* value = find(object, key);
    if (value == nullptr) return;
    if (!value->is_boolean()) return fail_type(join_path(parent, key), "a boolean", *value, false);
    out = value->get<bool>();
  }

  void read_u64(const json& object, std::string_view key, std::string_view parent, std::uint64_t& out) {
    const json* value = find(object, key);
    if (value == nullptr) return;
    // nlohmann keeps non-negative integers as number_unsigned; negative ones and fractions are
    // the other number kinds, and a number beyond 2^64-1 becomes a float, refused here as well.
    if (!value->is_number_unsigned()) {
      return fail_type(join_path(parent, key), "a non-negative integer", *value, true);
    }
    out = value->get<std::uint64_t>();
  }

  // The explorer sends the disk type as tfexplorer's DiskTypeEnum, a uint8 (0 hdd, 1 ssd); its
  // String() names any other value "UNKNOWN", which the node then refuses as an unknown disk type
  // (docs/ZOS.md, "Wire form"). A name ("ssd", "HDD") is accepted as well and kept as written.
  void read_disk_type(const json& object, std::string_view key, std::string_view parent, std::string& out) {
    const json* value = find(object, key);
    if (value == nullptr) return;
    if (value->is_string()) {
      if (check_length(join_path(parent, key), value->get_ref<const std::string&>())) out = value->get<std::string>();
      return;
    }
    // is_number_integer() holds for unsigned numbers too; a negative one or a fraction is refused.
    const bool small = value->is_number_integer() && value->get<std::int64_t>() >= 0 && value->get<std::int64_t>() <= 255;
    if (!small) return fail_type(join_path(parent, key), "0 (hdd), 1 (ssd) or a disk type name", *value, true);
    const std::int64_t number = value->get<std::int64_t>();
    out = number == 0 ? "hdd" : number == 1 ? "ssd" : "UNKNOWN";
  }

  // A map of strings (environment, secret_environment). Type errors name the kind of the wrong
  // value only, never the value: in secret_environment even a number may be meant as a secret.
  void read_string_map(const json& object, std::string_view key, std::string_view parent,
                       std::map<std::string, std::string>& out) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return;
    const std::string path = join_path(parent, key);
    if (!value->is_object()) return fail_type(path, "an object of strings", *value, false);
    if (value->size() > reservation_environment_entries_max) {
      return fail_count(path, "entries", reservation_environment_entries_max, "reservation_environment_entries_max");
    }
    for (const auto& [name, item] : value->items()) {
      if (!check_length(path, name)) return;
      const std::string item_path = join_path(path, escape_untrusted(name, 64));
      if (!item.is_string()) return fail_type(item_path, "a string", item, false);
      if (!check_length(item_path, item.get_ref<const std::string&>())) return;
      out.emplace(name, item.get<std::string>());
    }
  }

  // The array at object[key] (nullptr when absent or null), or a type error.
  const json* find_array(const json& object, std::string_view key, std::string_view parent) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return nullptr;
    if (!value->is_array()) {
      fail_type(join_path(parent, key), "an array", *value, false);
      return nullptr;
    }
    if (value->size() > reservation_list_items_max) {
      fail_count(join_path(parent, key), "items", reservation_list_items_max, "reservation_list_items_max");
      return nullptr;
    }
    return value;
  }

  // The object at object[key] (nullptr when absent or null), or a type error.
  const json* find_object(const json& object, std::string_view key, std::string_view parent) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return nullptr;
    if (!value->is_object()) {
      fail_type(join_path(parent, key), "an object", *value, false);
      return nullptr;
    }
    return value;
  }

  // True when item (an array element at path) is an object; a type error otherwise.
  bool expect_object(const json& item, std::string_view path) {
    if (failed()) return false;
    if (item.is_object()) return true;
    fail_type(path, "an object", item, false);
    return false;
  }

 private:
  std::optional<std::string> error_;
};

void read_volumes(FieldReader& reader, const json& payload, std::vector<ContainerMount>& out) {
  const json* list = reader.find_array(payload, "volumes", "");
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); i++) {
    const std::string path = index_path("volumes", i);
    const json& item = (*list)[i];
    if (!reader.expect_object(item, path)) return;
    ContainerMount mount;
    reader.read_string(item, "volume_id", path, mount.volume_id);
    reader.read_string(item, "mountpoint", path, mount.mountpoint);
    out.push_back(std::move(mount));
  }
}

void read_networks(FieldReader& reader, const json& payload, std::vector<NetworkConnection>& out) {
  const json* list = reader.find_array(payload, "network_connection", "");
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); i++) {
    const std::string path = index_path("network_connection", i);
    const json& item = (*list)[i];
    if (!reader.expect_object(item, path)) return;
    NetworkConnection connection;
    reader.read_string(item, "network_id", path, connection.network_id);
    reader.read_string(item, "ipaddress", path, connection.ipaddress);
    reader.read_bool(item, "public_ip6", path, connection.public_ip6);
    out.push_back(std::move(connection));
  }
}

void read_capacity(FieldReader& reader, const json& payload, ContainerCapacity& out) {
  const json* capacity = reader.find_object(payload, "capacity", "");
  if (capacity == nullptr) return;
  reader.read_u64(*capacity, "cpu", "capacity", out.cpu);
  reader.read_u64(*capacity, "memory", "capacity", out.memory_mib);
  reader.read_u64(*capacity, "disk_size", "capacity", out.disk_size_mib);
  reader.read_disk_type(*capacity, "disk_type", "capacity", out.disk_type);
}

void read_logs(FieldReader& reader, const json& payload, std::vector<LogsEndpoint>& out) {
  const json* list = reader.find_array(payload, "logs", "");
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); i++) {
    const std::string path = index_path("logs", i);
    const json& item = (*list)[i];
    if (!reader.expect_object(item, path)) return;
    LogsEndpoint endpoint;
    reader.read_string(item, "type", path, endpoint.type);
    const std::string data_path = join_path(path, "data");
    if (const json* data = reader.find_object(item, "data", path); data != nullptr) {
      reader.read_string(*data, "stdout", data_path, endpoint.stdout_url);
      reader.read_string(*data, "stderr", data_path, endpoint.stderr_url);
    }
    out.push_back(std::move(endpoint));
  }
}

void read_stats(FieldReader& reader, const json& payload, std::vector<StatsEndpoint>& out) {
  const json* list = reader.find_array(payload, "stats_aggregator", "");
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); i++) {
    const std::string path = index_path("stats_aggregator", i);
    const json& item = (*list)[i];
    if (!reader.expect_object(item, path)) return;
    StatsEndpoint endpoint;
    reader.read_string(item, "type", path, endpoint.type);
    const std::string data_path = join_path(path, "data");
    if (const json* data = reader.find_object(item, "data", path); data != nullptr) {
      reader.read_string(*data, "endpoint", data_path, endpoint.endpoint_url);
    }
    out.push_back(std::move(endpoint));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Expected<DiskType> parse_disk_type(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  if (lower.empty() || lower == "ssd") return DiskType::ssd;
  if (lower == "hdd") return DiskType::hdd;
  return Error{fmt::format("unknown disk type: {}", escape_untrusted(text))};
}

void resolve_relative_volumes(ContainerReservation& reservation, std::uint64_t reservation_id) {
  for (ContainerMount& mount : reservation.volumes) {
    if (mount.volume_id.starts_with('-')) mount.volume_id = std::to_string(reservation_id) + mount.volume_id;
  }
}

std::string_view to_string(DiskType type) {
  switch (type) {
    case DiskType::ssd:
      return "ssd";
    case DiskType::hdd:
      return "hdd";
  }
  assert(false && "unknown DiskType");
  return "ssd";
}

Expected<ContainerReservation> parse_container(const json& payload) {
  if (!payload.is_object()) {
    return Error{fmt::format("reservation: expected a JSON object, got {}", describe(payload, false))};
  }
  FieldReader reader;
  ContainerReservation reservation;
  reader.read_u64(payload, "workload_id", "", reservation.workload_id);
  reader.read_string(payload, "node_id", "", reservation.node_id);
  reader.read_string(payload, "flist", "", reservation.flist);
  reader.read_string(payload, "hub_url", "", reservation.hub_url);
  reader.read_string_map(payload, "environment", "", reservation.environment);
  reader.read_string_map(payload, "secret_environment", "", reservation.secret_environment);
  reader.read_string(payload, "entrypoint", "", reservation.entrypoint);
  reader.read_bool(payload, "interactive", "", reservation.interactive);
  read_volumes(reader, payload, reservation.volumes);
  read_networks(reader, payload, reservation.network_connection);
  read_capacity(reader, payload, reservation.capacity);
  read_logs(reader, payload, reservation.logs);
  read_stats(reader, payload, reservation.stats_aggregator);
  if (reader.failed()) return Error{reader.error()};
  // Lists are read whole or not at all: an element that fails ends the parse.
  assert(reservation.volumes.size() == payload.value("volumes", json::array()).size() ||
         payload.at("volumes").is_null());
  return reservation;
}

Expected<ContainerReservation> parse_container_text(std::string_view text) {
  json payload;
  if (const std::optional<JsonTextError> error = parse_json_text(text, payload)) {
    if (error->path.empty()) return Error{error->message};
    return Error{fmt::format("{}: {}", error->path, error->message)};
  }
  return parse_container(payload);
}

json to_json(const ContainerReservation& reservation) {
  json volumes = json::array();
  for (const ContainerMount& mount : reservation.volumes) {
    volumes.push_back({{"volume_id", mount.volume_id}, {"mountpoint", mount.mountpoint}});
  }
  json networks = json::array();
  for (const NetworkConnection& connection : reservation.network_connection) {
    networks.push_back({{"network_id", connection.network_id},
                        {"ipaddress", connection.ipaddress},
                        {"public_ip6", connection.public_ip6}});
  }
  json logs = json::array();
  for (const LogsEndpoint& endpoint : reservation.logs) {
    logs.push_back({{"type", endpoint.type},
                    {"data", {{"stdout", endpoint.stdout_url}, {"stderr", endpoint.stderr_url}}}});
  }
  json stats = json::array();
  for (const StatsEndpoint& endpoint : reservation.stats_aggregator) {
    stats.push_back({{"type", endpoint.type}, {"data", {{"endpoint", endpoint.endpoint_url}}}});
  }
  const ContainerCapacity& capacity = reservation.capacity;
  json payload = {
      {"workload_id", reservation.workload_id},
      {"node_id", reservation.node_id},
      {"flist", reservation.flist},
      {"hub_url", reservation.hub_url},
      {"environment", json(reservation.environment)},
      {"secret_environment", json(reservation.secret_environment)},
      {"entrypoint", reservation.entrypoint},
      {"interactive", reservation.interactive},
      {"volumes", std::move(volumes)},
      {"network_connection", std::move(networks)},
      {"capacity",
       {{"cpu", capacity.cpu},
        {"memory", capacity.memory_mib},
        {"disk_size", capacity.disk_size_mib},
        {"disk_type", capacity.disk_type}}},
      {"logs", std::move(logs)},
      {"stats_aggregator", std::move(stats)},
  };
  assert(payload.is_object());
  return payload;
}

RootDisk root_disk(const ContainerReservation& reservation) {
  const Expected<DiskType> type = parse_disk_type(reservation.capacity.disk_type);
  assert(type.ok() && "root_disk() needs a validated reservation");
  RootDisk disk;
  if (reservation.capacity.disk_size_mib != 0) disk.size_mib = reservation.capacity.disk_size_mib;
  if (type.ok()) disk.type = type.value();
  assert(disk.size_mib > 0);
  return disk;
}

std::string normalise_mountpoint(std::string_view mountpoint) {
  // Each segment is at least one character plus its slash, so there are at most size/2 + 1 of them.
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= mountpoint.size(); i++) {
    if (i < mountpoint.size() && mountpoint[i] != '/') continue;
    const std::string_view segment = mountpoint.substr(start, i - start);
    start = i + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  if (segments.empty()) return std::string("/");
  std::string result;
  for (const std::string_view segment : segments) {
    result += '/';
    result += segment;
  }
  assert(result.front() == '/' && result.back() != '/');
  return result;
}

bool is_ipv4_address(std::string_view text) {
  std::size_t octets = 0;
  std::size_t start = 0;
  // At most four octets are read; a fifth dot ends the loop with a refusal.
  while (octets < 4) {
    const std::size_t dot = text.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? text.size() : dot;
    const std::string_view octet = text.substr(start, end - start);
    if (octet.empty() || octet.size() > 3) return false;
    if (octet.size() > 1 && octet.front() == '0') return false;
    unsigned value = 0;
    const auto [last, error] = std::from_chars(octet.data(), octet.data() + octet.size(), value);
    if (error != std::errc() || last != octet.data() + octet.size() || value > 255) return false;
    octets++;
    if (dot == std::string_view::npos) return octets == 4;
    start = dot + 1;
  }
  return false;
}

bool is_hex(std::string_view text) {
  if (text.size() % 2 != 0) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

}  // namespace zsim::core
