#include "core/lifetime_guard.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/flist_cache.hpp"
#include "core/ports.hpp"
#include "kernel/scheduler.hpp"

namespace zsim::core {
namespace {

// An owner as the core writes them: it asks the scheduler to call it back later, guarded.
class Owner {
 public:
  Owner(Scheduler& scheduler, int& runs) : scheduler_(scheduler), runs_(runs) {}
  void schedule(std::int64_t delay_ms) {
    scheduler_.at(scheduler_.now_ms() + delay_ms, lifetime_.guard([this] { runs_ += 1; }));
  }
  std::function<void(int)> completion() {
    return lifetime_.guard([this](int value) { runs_ += value; });
  }

 private:
  Scheduler& scheduler_;
  int& runs_;
  LifetimeGuard lifetime_;
};

TEST(LifetimeGuard, RunsTheCallbackWhileTheOwnerLives) {
  kernel::VirtualScheduler scheduler;
  int runs = 0;
  Owner owner(scheduler, runs);
  owner.schedule(10);
  owner.schedule(20);
  scheduler.run_until(100);
  EXPECT_EQ(runs, 2);
  std::function<void(int)> done = owner.completion();
  done(5);
  EXPECT_EQ(runs, 7);
}

TEST(LifetimeGuard, ATimerAfterTheOwnerDiedDoesNotRun) {
  kernel::VirtualScheduler scheduler;
  int runs = 0;
  auto owner = std::make_unique<Owner>(scheduler, runs);
  owner->schedule(10);
  owner->schedule(50);
  scheduler.run_until(20);
  ASSERT_EQ(runs, 1);
  owner.reset();
  // The second timer is still pending: the scheduler runs it, and the guard makes it nothing.
  ASSERT_EQ(scheduler.pending(), 1U);
  scheduler.run_until(100);
  EXPECT_EQ(scheduler.pending(), 0U);
  EXPECT_EQ(runs, 1);
}

TEST(LifetimeGuard, ACompletionAfterTheOwnerDiedDoesNotRunAndArgumentsAreForwarded) {
  kernel::VirtualScheduler scheduler;
  int runs = 0;
  auto owner = std::make_unique<Owner>(scheduler, runs);
  std::function<void(int)> done = owner->completion();
  std::function<void(int)> copy = done;  // Copies share the owner's fate.
  done(3);
  ASSERT_EQ(runs, 3);
  owner.reset();
  done(100);
  copy(100);
  EXPECT_EQ(runs, 3);
}

TEST(LifetimeGuard, AnOwnerDestroyedByOneCallbackSilencesTheNextDueAtTheSameTime) {
  kernel::VirtualScheduler scheduler;
  int runs = 0;
  auto owner = std::make_unique<Owner>(scheduler, runs);
  scheduler.at(10, [&owner] { owner.reset(); });
  owner->schedule(10);  // Due at the same time, after the reset (FIFO ties).
  scheduler.run_until(100);
  EXPECT_EQ(owner, nullptr);
  EXPECT_EQ(runs, 0);
}

TEST(LifetimeGuard, ArmedFollowsTheGuardAndAMutableCallbackKeepsItsState) {
  std::optional<LifetimeGuard> guard;
  guard.emplace();
  int last = 0;
  auto counter = guard->guard([&last, calls = 0]() mutable {
    calls += 1;
    last = calls;
  });
  EXPECT_TRUE(counter.armed());
  counter();
  counter();
  EXPECT_EQ(last, 2);
  guard.reset();
  EXPECT_FALSE(counter.armed());
  counter();
  EXPECT_EQ(last, 2);
}

// A port that keeps its answers, as a slow hub does, so the test decides when they arrive.
class HeldHub final : public FlistHub {
 public:
  void fetch_md5(const std::string& url, Done done) override { held.emplace_back(url + ".md5", std::move(done)); }
  void fetch(const std::string& url, Done done) override { held.emplace_back(url, std::move(done)); }
  std::vector<std::pair<std::string, Done>> held;
};

class MapStore final : public Store {
 public:
  void put(const std::string& key, std::string value) override { values_[key] = std::move(value); }
  std::optional<std::string> get(const std::string& key) const override {
    const auto found = values_.find(key);
    if (found == values_.end()) return std::nullopt;
    return found->second;
  }
  void erase(const std::string& key) override { values_.erase(key); }
  std::vector<std::string> keys(std::string_view prefix) const override {
    std::vector<std::string> keys;
    for (const auto& [key, value] : values_) {
      if (key.starts_with(prefix)) keys.push_back(key);
    }
    return keys;
  }

 private:
  std::map<std::string, std::string> values_;
};

class CountingLog final : public EventLog {
 public:
  void record(std::string_view, std::string_view) override { records += 1; }
  int records = 0;
};

// The control for the test below: while the cache lives, the md5 answer leads to the download.
TEST(LifetimeGuard, AHubAnswerWhileTheFlistCacheLivesGoesOn) {
  HeldHub hub;
  MapStore store;
  CountingLog log;
  FlistCache cache(hub, store, log);
  cache.fetch("https://hub.example/a.flist", [](Expected<std::string>) {});
  ASSERT_EQ(hub.held.size(), 1U);
  hub.held.front().second(HubResponse{200, "d41d8cd98f00b204e9800998ecf8427e", "OK"});
  ASSERT_EQ(hub.held.size(), 2U);
  EXPECT_EQ(hub.held.back().first, "https://hub.example/a.flist");
}

// The core's own use: a hub answer that arrives after the flist cache was destroyed (a daemon
// that stopped) touches nothing of it and never calls the requester back. Under ASan a missing
// guard here is a use-after-free.
TEST(LifetimeGuard, AHubAnswerAfterTheFlistCacheDiedIsDropped) {
  HeldHub hub;
  MapStore store;
  CountingLog log;
  int answers = 0;
  auto cache = std::make_unique<FlistCache>(hub, store, log);
  cache->fetch("https://hub.example/a.flist", [&answers](Expected<std::string>) { answers += 1; });
  ASSERT_EQ(hub.held.size(), 1U);
  cache.reset();
  hub.held.front().second(HubResponse{200, "d41d8cd98f00b204e9800998ecf8427e", "OK"});
  EXPECT_EQ(answers, 0);
  EXPECT_EQ(log.records, 0);
  EXPECT_EQ(hub.held.size(), 1U);  // No download was started either.
  EXPECT_TRUE(store.keys("").empty());
}

}  // namespace
}  // namespace zsim::core
