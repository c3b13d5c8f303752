#include "core/volume_manager.hpp"

#include <fmt/format.h>

#include <cassert>
#include <nlohmann/json.hpp>

namespace zsim::core {

namespace {
constexpr std::string_view volume_prefix = volume_key_prefix;  // Durable: see core/ports.hpp.
// A bound on what one volume may ask, in GiB: 1 PiB.
constexpr std::uint64_t volume_size_max_gib = 1024 * 1024;

std::string key_for(const std::string& volume_id) { return std::string(volume_prefix) + volume_id; }

std::string encode(const VolumeRecord& record) {
  return nlohmann::json{{"volume_id", record.volume_id},
                        {"owner", record.owner},
                        {"size_mib", record.size_mib},
                        {"type", std::string(to_string(record.type))}}
      .dump();
}

std::optional<VolumeRecord> decode(const std::string& text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  VolumeRecord record;
  record.volume_id = json.value("volume_id", "");
  record.owner = json.value("owner", "");
  record.size_mib = json.value("size_mib", std::uint64_t{0});
  const Expected<DiskType> type = parse_disk_type(json.value("type", ""));
  if (!type || record.volume_id.empty()) return std::nullopt;
  record.type = type.value();
  return record;
}
}  // namespace

CapacityUsage capacity_of(const VolumeRequest& request) {
  CapacityUsage need;
  (request.type == DiskType::ssd ? need.ssd_mib : need.hdd_mib) = request.size_mib;
  return need;
}

Expected<VolumeRequest> parse_volume_request(std::string_view payload_json) {
  const nlohmann::json payload = nlohmann::json::parse(payload_json, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return Error{"volume: payload is not a JSON object"};
  const auto size = payload.find("size");
  if (size == payload.end() || !size->is_number_unsigned() || size->get<std::uint64_t>() == 0 ||
      size->get<std::uint64_t>() > volume_size_max_gib) {
    return Error{"volume: size: expected a positive number of GiB"};
  }
  const auto type_text = payload.find("type");
  std::string type_value;
  if (type_text != payload.end() && type_text->is_string()) type_value = type_text->get<std::string>();
  const Expected<DiskType> type = parse_disk_type(type_value);
  if (!type) return Error{type.error()};
  return VolumeRequest{size->get<std::uint64_t>() * 1024, type.value()};
}

VolumeManager::VolumeManager(ContainerRuntime& runtime, Store& store, CapacityLedger& ledger, PlantedBugs planted)
    : runtime_(runtime), store_(store), ledger_(ledger), planted_(planted) {}

Expected<std::string> VolumeManager::provision(const Workload& workload) {
  assert(workload.type == WorkloadType::volume);
  const Expected<VolumeRequest> request = parse_volume_request(workload.payload_json);
  if (!request) return Error{request.error()};
  const std::string data = nlohmann::json{{"volume_id", workload.id}}.dump();
  const std::optional<VolumeRecord> existing = find(workload.id);
  if (existing) {
    // Re-delivery after a reboot: the volume and its capacity are still here.
    assert(ledger_.holds(workload.id));
    if (!runtime_.volume_exists(workload.id)) {
      const Status created = runtime_.create_volume(workload.id, existing->size_mib, existing->type);
      if (!created) return Error{created.error()};
    }
    return data;
  }
  const Status reserved = ledger_.reserve(workload.id, capacity_of(request.value()));
  if (!reserved) return Error{reserved.error()};
  const Status created = runtime_.create_volume(workload.id, request.value().size_mib, request.value().type);
  if (!created) {
    ledger_.release(workload.id);
    return Error{created.error()};
  }
  store_.put(key_for(workload.id),
             encode(VolumeRecord{workload.id, workload.user_id, request.value().size_mib, request.value().type}));
  return data;
}

Status VolumeManager::decommission(const std::string& volume_id) {
  // A volume already gone (zos #403, #312, #1024 failed here) is not an error.
  if (runtime_.volume_exists(volume_id)) {
    const Status deleted = runtime_.delete_volume(volume_id);
    // Still on disk (a container still binds it): releasing it now would leave it there for good,
    // its space counted free while it is used.
    if (!deleted && runtime_.volume_exists(volume_id)) return deleted;
  }
  const std::optional<VolumeRecord> record = find(volume_id);
  const bool hdd = record && record->type == DiskType::hdd;
  if (!(hdd && planted_.has(PlantedBug::hdd_never_released))) ledger_.release(volume_id);
  store_.erase(key_for(volume_id));
  return {};
}

Status VolumeManager::check_use(const std::string& volume_id, const std::string& user_id) const {
  const std::optional<VolumeRecord> record = find(volume_id);
  if (!record || !runtime_.volume_exists(volume_id)) {
    return Error{fmt::format("failed to retrieve the owner of volume {}", volume_id)};
  }
  if (record->owner != user_id) {
    return Error{fmt::format("cannot use volume {}, user {} is not the owner of it", volume_id, user_id)};
  }
  return {};
}

std::optional<VolumeRecord> VolumeManager::find(const std::string& volume_id) const {
  const std::optional<std::string> text = store_.get(key_for(volume_id));
  if (!text) return std::nullopt;
  return decode(*text);
}

void VolumeManager::restore() {
  for (const VolumeRecord& record : all()) {
    if (ledger_.holds(record.volume_id)) continue;
    VolumeRequest request{record.size_mib, record.type};
    const Status reserved = ledger_.reserve(record.volume_id, capacity_of(request));
    // The volumes fitted before the restart; the totals did not shrink.
    assert(reserved.ok());
  }
}

std::vector<VolumeRecord> VolumeManager::all() const {
  std::vector<VolumeRecord> records;
  for (const std::string& key : store_.keys(volume_prefix)) {
    const std::optional<std::string> text = store_.get(key);
    if (!text) continue;
    std::optional<VolumeRecord> record = decode(*text);
    if (record) records.push_back(std::move(*record));
  }
  return records;
}

}  // namespace zsim::core
