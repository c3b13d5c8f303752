// Capacity through the whole engine: refusals name the resource, what was asked and what is free;
// what a workload holds is released exactly on its decommission; what the node reports to the
// explorer is what it holds.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/world_fixture.hpp"

namespace zsim::tests {
namespace {

using core::ResultState;

std::string first_message(TestWorld& w, const std::string& id) {
  if (!w.run_until_results(id, 2, 30'000)) return "<no result>";
  EXPECT_EQ(w.states(id), (std::vector<ResultState>{ResultState::error, ResultState::deleted}));
  return w.results(id)[0].message;
}

nlohmann::json sized(TestWorld& w, std::uint64_t cpu, std::uint64_t memory_mib, std::uint64_t disk_mib,
                     const char* disk_type) {
  nlohmann::json payload = w.container_payload();
  payload["capacity"] = {{"cpu", cpu}, {"memory", memory_mib}, {"disk_size", disk_mib}, {"disk_type", disk_type}};
  return payload;
}

TEST(Capacity, RefusalNamesTheResourceWhatWasAskedAndWhatIsFree) {
  TestWorld w(TestWorldOptions{.totals = {4, 4096, 8192, 8192}});
  const std::string holder = w.deliver_container(sized(w, 1, 1024, 1024, "ssd"));
  ASSERT_TRUE(w.run_until_results(holder, 1, 20'000));
  const core::CapacityUsage held{1, 1024, 1024, 0};
  ASSERT_EQ(w.node().used(), held);
  EXPECT_EQ(first_message(w, w.deliver_container(sized(w, 4, 1024, 1024, "ssd"))), "not enough cpu: asked 4 cores, free 3 cores");
  EXPECT_EQ(first_message(w, w.deliver_container(sized(w, 1, 4000, 1024, "ssd"))),
            "not enough memory: asked 4000 MiB, free 3072 MiB");
  EXPECT_EQ(first_message(w, w.deliver_container(sized(w, 1, 1024, 8000, "ssd"))),
            "not enough ssd: asked 8000 MiB, free 7168 MiB");
  EXPECT_EQ(first_message(w, w.deliver_container(sized(w, 1, 1024, 9000, "hdd"))),
            "not enough hdd: asked 9000 MiB, free 8192 MiB");
  EXPECT_EQ(first_message(w, w.deliver_volume(8, "ssd")), "not enough ssd: asked 8192 MiB, free 7168 MiB");
  // Refusals hold nothing, and what fits exactly still fits.
  EXPECT_EQ(w.node().used(), held);
  EXPECT_EQ(w.runtime().running().size(), 1u);
  const std::string exact = w.deliver_container(sized(w, 3, 3072, 7168, "ssd"));
  ASSERT_TRUE(w.run_until_results(exact, 1, 20'000));
  EXPECT_EQ(w.states(exact), std::vector<ResultState>{ResultState::ok});
  EXPECT_EQ(w.node().used(), (core::CapacityUsage{4, 4096, 8192, 0}));
}

TEST(Capacity, IsReleasedExactlyOnDecommissionAndReportedAsHeld) {
  TestWorld w;
  const std::string a = w.deliver_container(sized(w, 2, 2048, 4096, "hdd"));
  const std::string b = w.deliver_container(sized(w, 1, 256, 0, ""));
  const std::string volume = w.deliver_volume(3, "ssd");
  for (const std::string& id : {a, b, volume}) ASSERT_TRUE(w.run_until_results(id, 1, 20'000));
  w.run_for(1'000);
  const core::CapacityUsage all{3, 2304, 256 + 3072, 4096};
  EXPECT_EQ(w.node().used(), all);
  EXPECT_EQ(w.explorer().capacity(w.node_id()), all);
  ASSERT_TRUE(w.explorer().request_delete(a).ok());
  ASSERT_TRUE(w.run_until_results(a, 2, 30'000));
  w.run_for(1'000);
  const core::CapacityUsage without_a{1, 256, 256 + 3072, 0};
  EXPECT_EQ(w.node().used(), without_a);
  EXPECT_EQ(w.explorer().capacity(w.node_id()), without_a);
  // A second delete request of the same workload releases nothing more.
  EXPECT_FALSE(w.explorer().request_delete(a).ok());
  ASSERT_TRUE(w.explorer().request_delete(volume).ok());
  ASSERT_TRUE(w.explorer().request_delete(b).ok());
  ASSERT_TRUE(w.run_until_results(volume, 2, 30'000));
  ASSERT_TRUE(w.run_until_results(b, 2, 30'000));
  w.run_for(1'000);
  EXPECT_EQ(w.node().used(), core::CapacityUsage{});
  EXPECT_EQ(w.explorer().capacity(w.node_id()), core::CapacityUsage{});
  EXPECT_TRUE(w.runtime().volumes().empty());
}

}  // namespace
}  // namespace zsim::tests
