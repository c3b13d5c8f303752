#include "core/capacity.hpp"

#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace zsim::core {
namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

CapacityUsage usage(std::uint64_t cpu, std::uint64_t memory_mib, std::uint64_t ssd_mib, std::uint64_t hdd_mib) {
  return CapacityUsage{cpu, memory_mib, ssd_mib, hdd_mib};
}

CapacityUsage sum_of_held(const CapacityLedger& ledger) {
  CapacityUsage sum;
  for (const auto& [workload_id, held] : ledger.held()) {
    sum.cpu += held.cpu;
    sum.memory_mib += held.memory_mib;
    sum.ssd_mib += held.ssd_mib;
    sum.hdd_mib += held.hdd_mib;
  }
  return sum;
}

bool within(const CapacityUsage& used, const CapacityUsage& totals) {
  return used.cpu <= totals.cpu && used.memory_mib <= totals.memory_mib && used.ssd_mib <= totals.ssd_mib &&
         used.hdd_mib <= totals.hdd_mib;
}

TEST(CapacityLedger, ReserveAndReleaseAccountExactly) {
  CapacityLedger ledger(usage(8, 16384, 100000, 200000));
  ASSERT_TRUE(ledger.reserve("1-1", usage(2, 2048, 256, 0)).ok());
  ASSERT_TRUE(ledger.reserve("2-1", usage(1, 1024, 0, 5000)).ok());
  EXPECT_EQ(ledger.used(), usage(3, 3072, 256, 5000));
  EXPECT_TRUE(ledger.holds("1-1"));
  EXPECT_EQ(ledger.held().size(), 2U);
  EXPECT_TRUE(ledger.release("1-1"));
  EXPECT_FALSE(ledger.holds("1-1"));
  EXPECT_EQ(ledger.used(), usage(1, 1024, 0, 5000));
  EXPECT_TRUE(ledger.release("2-1"));
  EXPECT_EQ(ledger.used(), CapacityUsage{});
  EXPECT_EQ(ledger.totals(), usage(8, 16384, 100000, 200000));
}

TEST(CapacityLedger, ReleaseOfNothingIsFalseAndReleasesOnce) {
  CapacityLedger ledger(usage(4, 4096, 4096, 4096));
  EXPECT_FALSE(ledger.release("9-9"));
  ASSERT_TRUE(ledger.reserve("1-1", usage(1, 64, 0, 0)).ok());
  EXPECT_TRUE(ledger.release("1-1"));
  EXPECT_FALSE(ledger.release("1-1"));
  EXPECT_EQ(ledger.used(), CapacityUsage{});
}

TEST(CapacityLedger, RefusalsNameTheResourceAskedAndFree) {
  CapacityLedger ledger(usage(4, 4096, 2048, 1024));
  ASSERT_TRUE(ledger.reserve("base", usage(2, 3072, 1024, 512)).ok());
  EXPECT_EQ(ledger.reserve("a", usage(4, 0, 0, 0)).error(), "not enough cpu: asked 4 cores, free 2 cores");
  EXPECT_EQ(ledger.reserve("b", usage(0, 4096, 0, 0)).error(), "not enough memory: asked 4096 MiB, free 1024 MiB");
  EXPECT_EQ(ledger.reserve("c", usage(0, 0, 1025, 0)).error(), "not enough ssd: asked 1025 MiB, free 1024 MiB");
  EXPECT_EQ(ledger.reserve("d", usage(0, 0, 0, 513)).error(), "not enough hdd: asked 513 MiB, free 512 MiB");
  // A refusal reserves nothing.
  EXPECT_EQ(ledger.used(), usage(2, 3072, 1024, 512));
  EXPECT_EQ(ledger.held().size(), 1U);
  EXPECT_FALSE(ledger.holds("a"));
}

TEST(CapacityLedger, RefusalNamesTheFirstShortResourceInOrderCpuMemorySsdHdd) {
  CapacityLedger ledger(usage(1, 1, 1, 1));
  EXPECT_EQ(ledger.reserve("a", usage(2, 2, 2, 2)).error(), "not enough cpu: asked 2 cores, free 1 cores");
  EXPECT_EQ(ledger.reserve("a", usage(1, 2, 2, 2)).error(), "not enough memory: asked 2 MiB, free 1 MiB");
  EXPECT_EQ(ledger.reserve("a", usage(1, 1, 2, 2)).error(), "not enough ssd: asked 2 MiB, free 1 MiB");
  EXPECT_EQ(ledger.reserve("a", usage(1, 1, 1, 2)).error(), "not enough hdd: asked 2 MiB, free 1 MiB");
  EXPECT_TRUE(ledger.reserve("a", usage(1, 1, 1, 1)).ok());
}

TEST(CapacityLedger, ExactFitIsAcceptedAndOneMoreIsNot) {
  CapacityLedger ledger(usage(2, 2048, 512, 512));
  ASSERT_TRUE(ledger.reserve("full", usage(2, 2048, 512, 512)).ok());
  EXPECT_EQ(ledger.used(), ledger.totals());
  EXPECT_EQ(ledger.reserve("more", usage(1, 0, 0, 0)).error(), "not enough cpu: asked 1 cores, free 0 cores");
  // A workload that needs nothing still fits a full node.
  EXPECT_TRUE(ledger.reserve("nothing", CapacityUsage{}).ok());
  EXPECT_TRUE(ledger.holds("nothing"));
}

// used + need would wrap around to a small number; the ledger must refuse, not wrap.
TEST(CapacityLedger, HugeNeedsDoNotOverflow) {
  CapacityLedger ledger(usage(u64_max, u64_max, u64_max, 10));
  ASSERT_TRUE(ledger.reserve("a", usage(u64_max - 1, 5, 5, 5)).ok());
  const Status status = ledger.reserve("b", usage(u64_max, 0, 0, 0));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), fmt::format("not enough cpu: asked {} cores, free 1 cores", u64_max));
  EXPECT_EQ(ledger.reserve("c", usage(0, 0, 0, u64_max)).error(),
            fmt::format("not enough hdd: asked {} MiB, free 5 MiB", u64_max));
  EXPECT_EQ(ledger.used(), usage(u64_max - 1, 5, 5, 5));
  ASSERT_TRUE(ledger.reserve("d", usage(1, u64_max - 5, u64_max - 5, 5)).ok());
  EXPECT_EQ(ledger.used(), ledger.totals());
}

TEST(CapacityLedger, ZeroTotalsRefuseEverythingButNothing) {
  CapacityLedger ledger(CapacityUsage{});
  EXPECT_EQ(ledger.reserve("a", usage(0, 1, 0, 0)).error(), "not enough memory: asked 1 MiB, free 0 MiB");
  EXPECT_TRUE(ledger.reserve("b", CapacityUsage{}).ok());
}

#ifdef NDEBUG
// With asserts compiled out, a second reservation for the same workload is still refused rather
// than counted twice.
TEST(CapacityLedger, ReservingTwiceIsRefusedInReleaseBuilds) {
  CapacityLedger ledger(usage(4, 4096, 4096, 4096));
  ASSERT_TRUE(ledger.reserve("1-1", usage(1, 64, 0, 0)).ok());
  EXPECT_EQ(ledger.reserve("1-1", usage(1, 64, 0, 0)).error(), "capacity already reserved for workload 1-1");
  EXPECT_EQ(ledger.used(), usage(1, 64, 0, 0));
}
#else
TEST(CapacityLedgerDeathTest, ReservingTwiceIsAPreconditionViolation) {
  CapacityLedger ledger(usage(4, 4096, 4096, 4096));
  ASSERT_TRUE(ledger.reserve("1-1", usage(1, 64, 0, 0)).ok());
  EXPECT_DEATH((void)ledger.reserve("1-1", usage(1, 64, 0, 0)), "holds");
}
#endif

// Any sequence of reserves and releases keeps used within the totals and equal to the sum of what
// workloads hold, every refusal changes nothing, and releasing everything returns used to zero.
RC_GTEST_PROP(CapacityLedgerProperty, UsedStaysWithinTotalsAndEqualsHeld, ()) {
  const auto totals = CapacityUsage{*rc::gen::inRange<std::uint64_t>(0, 64), *rc::gen::inRange<std::uint64_t>(0, 65536),
                                    *rc::gen::inRange<std::uint64_t>(0, 1u << 20),
                                    *rc::gen::inRange<std::uint64_t>(0, 1u << 20)};
  CapacityLedger ledger(totals);
  const auto operations = *rc::gen::container<std::vector<std::pair<bool, std::uint8_t>>>(
      rc::gen::pair(rc::gen::arbitrary<bool>(), rc::gen::inRange<std::uint8_t>(0, 16)));
  for (const auto& [is_reserve, workload] : operations) {
    const std::string workload_id = fmt::format("{}-1", workload);
    const CapacityUsage before = ledger.used();
    if (is_reserve && !ledger.holds(workload_id)) {
      const CapacityUsage need{*rc::gen::inRange<std::uint64_t>(0, 17),
                               *rc::gen::inRange<std::uint64_t>(0, 20000),
                               *rc::gen::inRange<std::uint64_t>(0, 300000),
                               *rc::gen::inRange<std::uint64_t>(0, 300000)};
      const Status status = ledger.reserve(workload_id, need);
      RC_ASSERT(status.ok() == ledger.holds(workload_id));
      if (!status.ok()) RC_ASSERT(ledger.used() == before);
    } else if (!is_reserve) {
      const bool held = ledger.holds(workload_id);
      RC_ASSERT(ledger.release(workload_id) == held);
      RC_ASSERT(!ledger.holds(workload_id));
    }
    RC_ASSERT(within(ledger.used(), ledger.totals()));
    RC_ASSERT(ledger.used() == sum_of_held(ledger));
    RC_ASSERT(ledger.totals() == totals);
  }
  const std::vector<std::string> remaining = [&] {
    std::vector<std::string> ids;
    for (const auto& [workload_id, held] : ledger.held()) ids.push_back(workload_id);
    return ids;
  }();
  for (const std::string& workload_id : remaining) {
    RC_ASSERT(ledger.release(workload_id));
  }
  RC_ASSERT(ledger.used() == CapacityUsage{});
  RC_ASSERT(ledger.held().empty());
}

}  // namespace
}  // namespace zsim::core
