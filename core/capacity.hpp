#pragma once
// Capacity accounting for one node: CPU cores, memory MiB, SSD MiB and HDD MiB. A reservation is
// checked against the node's totals before anything is provisioned, and released exactly once.

#include <cstdint>
#include <map>
#include <string>

#include "core/expected.hpp"
#include "core/ports.hpp"

namespace zsim::core {

class CapacityLedger {
 public:
  explicit CapacityLedger(CapacityUsage totals);

  // Reserves need for the workload, all or nothing. Refusal names the first resource short, in the
  // order cpu, memory, ssd, hdd, with what was asked and what is free:
  // "not enough memory: asked 4096 MiB, free 1024 MiB" (cpu: "asked 4 cores, free 2 cores").
  // Reserving again for a workload that holds capacity is a precondition violation (an assert; a
  // release build refuses it with "capacity already reserved for workload ID" instead).
  Status reserve(const std::string& workload_id, const CapacityUsage& need);
  // Releases what the workload holds; false when it holds nothing.
  bool release(const std::string& workload_id);
  bool holds(const std::string& workload_id) const;

  const CapacityUsage& totals() const { return totals_; }
  const CapacityUsage& used() const { return used_; }
  // What each workload holds, by workload id; used() is always the sum of these.
  const std::map<std::string, CapacityUsage>& held() const { return held_; }

 private:
  CapacityUsage totals_;
  CapacityUsage used_;
  std::map<std::string, CapacityUsage> held_;
};

}  // namespace zsim::core
