#include "core/timer_callback.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace zsim::core {
namespace {

TEST(TimerCallback, EmptyByDefaultAndFromNull) {
  TimerCallback none;
  EXPECT_FALSE(none);
  TimerCallback null = nullptr;
  EXPECT_FALSE(null);
}

TEST(TimerCallback, RunsAnInlineLambdaWithItsCaptures) {
  int runs = 0;
  int seen = 0;
  const int value = 42;
  TimerCallback callback = [&runs, &seen, value] {
    runs += 1;
    seen = value;
  };
  ASSERT_TRUE(callback);
  callback();
  callback();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(seen, 42);
}

TEST(TimerCallback, AMoveTakesTheCallableAndEmptiesTheSource) {
  int runs = 0;
  TimerCallback first = [&runs] { runs += 1; };
  TimerCallback second = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): the moved-from state is the point.
  ASSERT_TRUE(second);
  second();
  TimerCallback third;
  third = std::move(second);
  EXPECT_FALSE(second);  // NOLINT(bugprone-use-after-move)
  third();
  EXPECT_EQ(runs, 2);
}

TEST(TimerCallback, AHeapCallableIsDestroyedExactlyOnceWhateverTheMoves) {
  auto token = std::make_shared<int>(7);
  std::string seen;
  {
    // A captured string and shared_ptr: not trivially copyable, so the callable lives on the heap.
    TimerCallback callback = [token, text = std::string(100, 'x'), &seen] { seen = text; };
    EXPECT_EQ(token.use_count(), 2);
    TimerCallback moved = std::move(callback);
    TimerCallback assigned;
    assigned = std::move(moved);
    EXPECT_EQ(token.use_count(), 2);
    assigned();
    EXPECT_EQ(seen, std::string(100, 'x'));
    assigned = nullptr;
    EXPECT_EQ(token.use_count(), 1);
  }
  EXPECT_EQ(token.use_count(), 1);
}

TEST(TimerCallback, AssigningOverAHeapCallableDestroysIt) {
  auto token = std::make_shared<int>(1);
  TimerCallback callback = [token] {};
  EXPECT_EQ(token.use_count(), 2);
  int runs = 0;
  callback = [&runs] { runs += 1; };
  EXPECT_EQ(token.use_count(), 1);
  callback();
  EXPECT_EQ(runs, 1);
}

TEST(TimerCallback, TakesAStdFunction) {
  int runs = 0;
  std::function<void()> function = [&runs] { runs += 1; };
  TimerCallback callback = function;
  callback();
  EXPECT_EQ(runs, 1);
  function();  // The copy is independent of the original.
  EXPECT_EQ(runs, 2);
}

TEST(TimerCallback, AMutableLambdaKeepsItsStateBetweenRuns) {
  int last = 0;
  TimerCallback callback = [&last, count = 0]() mutable {
    count += 1;
    last = count;
  };
  callback();
  callback();
  callback();
  EXPECT_EQ(last, 3);
}

}  // namespace
}  // namespace zsim::core
