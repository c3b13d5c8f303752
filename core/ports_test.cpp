#include "core/ports.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace zsim::core {
namespace {

// The durable prefixes are the contract with every Store that models a reboot; these are the keys
// docs/ARCHITECTURE.md ("The cache (Store keys)") lists as kept, and those it lists as lost.
TEST(Ports, ARebootKeepsVolumesFlistsTheOutboxAndPromisesOnly) {
  for (const std::string_view kept : {"volume/v1", "flist/0123abcd", "flist-url/https://hub.grid.tf/a.flist",
                                      "results/1-1/00000000000000000001-0000000000", "promised/1-1"}) {
    EXPECT_TRUE(survives_reboot(kept)) << kept;
  }
  for (const std::string_view lost : {"workload/1-1", "container-mount/1-1", "container-flist/1-1", "deleted/1-1",
                                      "provisioning/1-1", "promise/1-1", "volume", "volumes/v1", "flistx/1",
                                      "result/1", ""}) {
    EXPECT_FALSE(survives_reboot(lost)) << lost;
  }
}

// No durable prefix is empty or hides another (each names one owner's keys), and each ends the
// key's first path segment, so "volume/" never keeps "volumes/".
TEST(Ports, DurablePrefixesAreDistinctSegments) {
  for (const std::string_view prefix : durable_key_prefixes) {
    ASSERT_FALSE(prefix.empty());
    EXPECT_EQ(prefix.back(), '/') << prefix;
    EXPECT_EQ(prefix.find('/'), prefix.size() - 1) << prefix;
    for (const std::string_view other : durable_key_prefixes) {
      if (other != prefix) {
        EXPECT_FALSE(other.starts_with(prefix)) << other << " under " << prefix;
      }
    }
  }
  static_assert(survives_reboot("volume/x") && !survives_reboot("workload/x"));
}

}  // namespace
}  // namespace zsim::core
