#include "kernel/prng.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace zsim::kernel {
namespace {

// Known answers computed from the reference algorithms (splitmix64 and xoshiro256** 1.0 by
// Blackman and Vigna, Lemire's range reduction). A change to any of them changes every trace hash,
// so it must show here first.
TEST(Prng, SplitMixKnownAnswer) {
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
}

TEST(Prng, XoshiroKnownAnswer) {
  Prng zero(0);
  EXPECT_EQ(zero.next_u64(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(zero.next_u64(), 0xbf6e1f784956452aULL);
  Prng prng(42);
  const std::array<std::uint64_t, 4> expected{0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
                                              0xecb8ad4703b360a1ULL};
  for (std::uint64_t value : expected) EXPECT_EQ(prng.next_u64(), value);
}

TEST(Prng, RangeReductionKnownAnswer) {
  Prng small(42);
  std::vector<std::uint64_t> got;
  for (int index = 0; index < 10; index += 1) got.push_back(small.below(10));
  EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 3, 6, 9, 9, 7, 7, 8, 7, 5}));
  Prng large(7);
  got.clear();
  for (int index = 0; index < 5; index += 1) got.push_back(large.below(1000003));
  EXPECT_EQ(got, (std::vector<std::uint64_t>{700578, 278752, 839629, 981100, 990863}));
}

TEST(Prng, BelowStaysInRangeAndCoversIt) {
  Prng prng(1);
  std::array<int, 7> seen{};
  for (int index = 0; index < 7000; index += 1) {
    const std::uint64_t value = prng.below(7);
    ASSERT_LT(value, 7u);
    seen[value] += 1;
  }
  for (int count : seen) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
}

TEST(Prng, BetweenIsInclusiveAndChanceHonoursItsBounds) {
  Prng prng(3);
  bool saw_low = false;
  bool saw_high = false;
  for (int index = 0; index < 1000; index += 1) {
    const std::uint64_t value = prng.between(5, 8);
    ASSERT_GE(value, 5u);
    ASSERT_LE(value, 8u);
    saw_low = saw_low || value == 5;
    saw_high = saw_high || value == 8;
    EXPECT_FALSE(prng.chance(0, 10));
    EXPECT_TRUE(prng.chance(10, 10));
  }
  EXPECT_TRUE(saw_low);
  EXPECT_TRUE(saw_high);
}

TEST(Prng, ForkedStreamsAreIndependentAndReproducible) {
  const Prng parent(99);
  Prng first = parent.fork(1);
  Prng again = parent.fork(1);
  Prng second = parent.fork(2);
  const std::uint64_t a = first.next_u64();
  EXPECT_EQ(a, again.next_u64());
  EXPECT_NE(a, second.next_u64());
}

}  // namespace
}  // namespace zsim::kernel
