#pragma once
// The volume primitive: a volume of a size and disk type, owned by the user who reserved it. Its
// record lives in the Store under "volume/<workload id>", which a node reboot keeps, so a volume
// and its data survive a reboot while everything else is provisioned again.

#include <cstdint>
#include <string>
#include <vector>

#include "core/capacity.hpp"
#include "core/expected.hpp"
#include "core/planted_bugs.hpp"
#include "core/ports.hpp"
#include "core/reservation.hpp"

namespace zsim::core {

// The payload of a volume workload: {"size": <GiB>, "type": "ssd"|"hdd"}, as zos (size in GiB).
struct VolumeRequest {
  std::uint64_t size_mib = 0;
  DiskType type = DiskType::ssd;
};
Expected<VolumeRequest> parse_volume_request(std::string_view payload_json);

struct VolumeRecord {
  std::string volume_id;
  std::string owner;
  std::uint64_t size_mib = 0;
  DiskType type = DiskType::ssd;
};

class VolumeManager {
 public:
  VolumeManager(ContainerRuntime& runtime, Store& store, CapacityLedger& ledger, PlantedBugs planted = {});

  // Creates the volume (or finds it again after a reboot or re-delivery) and holds its capacity.
  // Returns the result data {"volume_id": ...}.
  Expected<std::string> provision(const Workload& workload);
  // Deletes the volume and releases its capacity; one already gone is not an error. A volume the
  // runtime cannot delete yet (still bound into a running container) is kept, with its capacity and
  // record, and the error returned: the caller tries again later.
  Status decommission(const std::string& volume_id);
  // Errors, as zos: "failed to retrieve the owner of volume %s" and
  // "cannot use volume %s, user %s is not the owner of it".
  Status check_use(const std::string& volume_id, const std::string& user_id) const;
  std::optional<VolumeRecord> find(const std::string& volume_id) const;
  // Re-holds the capacity of every stored volume (after a daemon restart or a reboot).
  void restore();
  std::vector<VolumeRecord> all() const;

 private:
  ContainerRuntime& runtime_;
  Store& store_;
  CapacityLedger& ledger_;
  PlantedBugs planted_;
};

CapacityUsage capacity_of(const VolumeRequest& request);

}  // namespace zsim::core
