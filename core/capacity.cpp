#include "core/capacity.hpp"

#include <array>
#include <cassert>
#include <limits>

#include <fmt/format.h>

namespace zsim::core {

namespace {

struct Resource {
  const char* name;
  std::uint64_t CapacityUsage::*field;
  const char* unit;
};

// The order in which reserve() checks, and so which shortage a refusal names first.
constexpr std::array<Resource, 4> resources = {{
    {"cpu", &CapacityUsage::cpu, "cores"},
    {"memory", &CapacityUsage::memory_mib, "MiB"},
    {"ssd", &CapacityUsage::ssd_mib, "MiB"},
    {"hdd", &CapacityUsage::hdd_mib, "MiB"},
}};

// used <= totals for every resource, and used is exactly the sum of what workloads hold. The sum is
// computed with overflow checks so that a broken ledger is reported rather than wrapped around.
// It walks every workload, so it runs in asserts only.
[[maybe_unused]] bool invariants_hold(const CapacityUsage& totals, const CapacityUsage& used,
                                      const std::map<std::string, CapacityUsage>& held) {
  for (const Resource& resource : resources) {
    if (used.*resource.field > totals.*resource.field) {
      return false;
    }
    std::uint64_t sum = 0;
    for (const auto& [workload_id, usage] : held) {
      if (usage.*resource.field > std::numeric_limits<std::uint64_t>::max() - sum) {
        return false;
      }
      sum += usage.*resource.field;
    }
    if (sum != used.*resource.field) {
      return false;
    }
  }
  return true;
}

}  // namespace

CapacityLedger::CapacityLedger(CapacityUsage totals) : totals_(totals) {
  assert(used_ == CapacityUsage{});
  assert(invariants_hold(totals_, used_, held_));
}

Status CapacityLedger::reserve(const std::string& workload_id, const CapacityUsage& need) {
  assert(!workload_id.empty());
  assert(!holds(workload_id));
  if (holds(workload_id)) {
    return Error{fmt::format("capacity already reserved for workload {}", workload_id)};
  }
  // free = total - used cannot underflow (used <= total), and need <= free guarantees that
  // used + need <= total, so the addition below cannot overflow whatever need holds.
  for (const Resource& resource : resources) {
    const std::uint64_t total = totals_.*resource.field;
    const std::uint64_t used = used_.*resource.field;
    assert(used <= total);
    const std::uint64_t free = total - used;
    const std::uint64_t asked = need.*resource.field;
    if (asked > free) {
      return Error{fmt::format("not enough {}: asked {} {}, free {} {}", resource.name, asked, resource.unit, free,
                               resource.unit)};
    }
  }
  for (const Resource& resource : resources) {
    used_.*resource.field += need.*resource.field;
    assert(used_.*resource.field <= totals_.*resource.field);
  }
  held_.emplace(workload_id, need);
  assert(holds(workload_id));
  assert(invariants_hold(totals_, used_, held_));
  return {};
}

bool CapacityLedger::release(const std::string& workload_id) {
  const auto found = held_.find(workload_id);
  if (found == held_.end()) {
    return false;
  }
  for (const Resource& resource : resources) {
    assert(used_.*resource.field >= found->second.*resource.field);
    used_.*resource.field -= found->second.*resource.field;
  }
  held_.erase(found);
  assert(!holds(workload_id));
  assert(invariants_hold(totals_, used_, held_));
  return true;
}

bool CapacityLedger::holds(const std::string& workload_id) const { return held_.contains(workload_id); }

}  // namespace zsim::core
