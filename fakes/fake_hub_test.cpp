#include "fakes/fake_hub.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "kernel/scheduler.hpp"
#include "kernel/trace.hpp"

namespace zsim::fakes {
namespace {

// A stand-in digest (FNV-1a 64 in hex): the hub only needs some function of the bytes.
std::string fake_digest(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char character : data) {
    hash ^= static_cast<unsigned char>(character);
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

constexpr const char* url = "https://hub.grid.tf/zaibon/zaibon-ubuntu-ssh-0.0.2.flist";
constexpr const char* content = "flist v1\nname zaibon-ubuntu-ssh\nbody 0123456789abcdef\nchecksum 42\n";

struct Harness {
  kernel::VirtualScheduler scheduler{1'000'000};
  kernel::Trace trace;
  FakeHub hub{scheduler, trace, "-", fake_digest};

  Harness() {
    trace.keep_lines(1000);
    hub.add_flist_bytes(url, content);
  }

  // Issues the request and checks that the answer does not come from inside the call.
  std::optional<core::HubResponse> get(bool md5, const std::string& target, std::int64_t wait_ms = 0) {
    std::optional<core::HubResponse> answer;
    auto done = [&answer](core::HubResponse response) { answer = std::move(response); };
    if (md5) {
      hub.fetch_md5(target, done);
    } else {
      hub.fetch(target, done);
    }
    EXPECT_FALSE(answer.has_value()) << "answered from inside the call";
    scheduler.run_until(scheduler.now_ms() + wait_ms);
    return answer;
  }
};

TEST(FakeHub, ServesFlistAndItsMd5Asynchronously) {
  Harness harness;
  const auto md5 = harness.get(true, url);
  ASSERT_TRUE(md5.has_value());
  EXPECT_EQ(md5->status, 200);
  EXPECT_EQ(md5->body, fake_digest(content));
  const auto flist = harness.get(false, url);
  ASSERT_TRUE(flist.has_value());
  EXPECT_EQ(flist->status, 200);
  EXPECT_EQ(flist->body, content);
  // The hub also serves the .md5 path to a plain GET.
  const auto md5_by_get = harness.get(false, std::string(url) + ".md5");
  ASSERT_TRUE(md5_by_get.has_value());
  EXPECT_EQ(md5_by_get->body, fake_digest(content));

  EXPECT_EQ(harness.hub.md5_requests(), 1u);
  EXPECT_EQ(harness.hub.flist_requests(), 2u);
  EXPECT_EQ(harness.hub.flist_downloads(), 1u);
  EXPECT_EQ(harness.hub.bytes_served(), 2 * fake_digest(content).size() + std::string(content).size());
  EXPECT_EQ(harness.hub.requests_in_flight(), 0u);
}

TEST(FakeHub, UnknownUrlIsNotFound) {
  Harness harness;
  for (const bool md5 : {true, false}) {
    const auto answer = harness.get(md5, "https://hub.grid.tf/nobody/missing.flist");
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 404);
  }
  // A .md5 of a .md5 is not a thing the hub has.
  EXPECT_EQ(harness.get(true, std::string(url) + ".md5")->status, 404);
  EXPECT_EQ(harness.hub.flist_downloads(), 0u);
  EXPECT_EQ(harness.hub.bytes_served(), 0u);
}

TEST(FakeHub, EveryAnswerCarriesItsReasonPhrase) {
  Harness harness;
  EXPECT_EQ(harness.get(false, url)->reason, "OK");
  EXPECT_EQ(harness.get(true, url)->reason, "OK");
  EXPECT_EQ(harness.get(false, "https://hub.grid.tf/nobody/missing.flist")->reason, "Not Found");
  EXPECT_EQ(http_reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(http_reason_phrase(418), "I'm a teapot");
  EXPECT_EQ(http_reason_phrase(299), "");
}

TEST(FakeHub, AnyStatusForOneFlistOrTheWholeHubAndHealed) {
  Harness harness;
  harness.hub.set_status(url, 500);
  for (const bool md5 : {true, false}) {
    const auto answer = harness.get(md5, url);
    EXPECT_EQ(answer->status, 500);
    EXPECT_EQ(answer->reason, "Internal Server Error");
  }
  EXPECT_EQ(harness.get(false, "https://hub.grid.tf/nobody/missing.flist")->status, 404);
  harness.hub.set_status_all(503);
  EXPECT_EQ(harness.get(false, "https://hub.grid.tf/nobody/missing.flist")->status, 503);
  EXPECT_EQ(harness.get(false, url)->status, 500);  // The flist's own status wins.
  harness.hub.set_status(url, 0);
  EXPECT_EQ(harness.get(true, url)->reason, "Service Unavailable");
  harness.hub.set_status(url, 299);  // A status without a known phrase.
  EXPECT_EQ(harness.get(false, url)->status, 299);
  EXPECT_EQ(harness.get(false, url)->reason, "");
  harness.hub.heal();
  EXPECT_EQ(harness.get(false, url)->status, 200);
  EXPECT_EQ(harness.hub.flist_downloads(), 1u);
}

TEST(FakeHub, DownAndHealed) {
  Harness harness;
  harness.hub.set_down(true);
  for (const bool md5 : {true, false}) {
    const auto answer = harness.get(md5, url);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 0);
    EXPECT_EQ(answer->body, "unreachable");
  }
  harness.hub.set_down(false);
  EXPECT_EQ(harness.get(false, url)->status, 200);
}

TEST(FakeHub, GoingDownBreaksRequestsInFlight) {
  Harness harness;
  harness.hub.set_latency_ms(5000);
  std::optional<core::HubResponse> answer;
  harness.hub.fetch(url, [&answer](core::HubResponse response) { answer = std::move(response); });
  harness.scheduler.run_until(harness.scheduler.now_ms() + 1000);
  harness.hub.set_down(true);
  harness.scheduler.run_until(harness.scheduler.now_ms() + 5000);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 0);
}

TEST(FakeHub, LatencyDelaysAnswersAndHeals) {
  Harness harness;
  harness.hub.set_latency_ms(3000);
  const std::int64_t start_ms = harness.scheduler.now_ms();
  std::vector<std::int64_t> answered_ms;
  for (int index = 0; index < 3; index += 1) {
    harness.hub.fetch_md5(url, [&](core::HubResponse response) {
      EXPECT_EQ(response.status, 200);
      answered_ms.push_back(harness.scheduler.now_ms());
    });
  }
  harness.scheduler.run_until(start_ms + 2999);
  EXPECT_TRUE(answered_ms.empty());
  EXPECT_EQ(harness.hub.requests_in_flight(), 3u);
  harness.scheduler.run_until(start_ms + 3000);
  EXPECT_EQ(answered_ms, (std::vector<std::int64_t>(3, start_ms + 3000)));
  harness.hub.set_latency_ms(0);
  EXPECT_TRUE(harness.get(true, url).has_value());
}

TEST(FakeHub, LatencyAboveTenMinutesIsAPreconditionFailure) {
#ifdef NDEBUG
  GTEST_SKIP() << "assertions are compiled out";
#else
  Harness harness;
  harness.hub.set_latency_ms(FakeHub::latency_max_ms);
  EXPECT_DEATH(harness.hub.set_latency_ms(FakeHub::latency_max_ms + 1), "latency_max_ms");
#endif
}

TEST(FakeHub, NotFoundPerUrlCoversTheMd5AndHeals) {
  Harness harness;
  const std::string other = "https://hub.grid.tf/tf-official-apps/redis.flist";
  harness.hub.add_flist_bytes(other, "other flist");
  harness.hub.set_not_found(url, true);
  EXPECT_EQ(harness.get(true, url)->status, 404);
  EXPECT_EQ(harness.get(false, url)->status, 404);
  EXPECT_EQ(harness.get(false, std::string(url) + ".md5")->status, 404);
  EXPECT_EQ(harness.get(false, other)->status, 200);
  harness.hub.set_not_found(url, false);
  EXPECT_EQ(harness.get(false, url)->status, 200);
}

TEST(FakeHub, CorruptFlistHasAMatchingMd5) {
  Harness harness;
  harness.hub.set_corrupt(url, true);
  const auto md5 = harness.get(true, url);
  const auto flist = harness.get(false, url);
  ASSERT_TRUE(md5.has_value() && flist.has_value());
  EXPECT_EQ(flist->status, 200);
  EXPECT_NE(flist->body, content);
  EXPECT_EQ(flist->body.size(), std::string(content).size());
  EXPECT_EQ(md5->body, fake_digest(flist->body)) << "the download must check out";
  EXPECT_EQ(flist->body, corrupt_flist_bytes(content));
  // Deterministic: the same bytes every time.
  EXPECT_EQ(harness.get(false, url)->body, flist->body);
  harness.hub.set_corrupt(url, false);
  EXPECT_EQ(harness.get(false, url)->body, content);
  EXPECT_EQ(harness.get(true, url)->body, fake_digest(content));
}

TEST(FakeHub, Md5MismatchTellsTheTruthAboutOtherContent) {
  Harness harness;
  harness.hub.set_md5_mismatch(url, true);
  const auto md5 = harness.get(true, url);
  const auto flist = harness.get(false, url);
  ASSERT_TRUE(md5.has_value() && flist.has_value());
  EXPECT_EQ(md5->body, fake_digest(content));
  EXPECT_NE(flist->body, content);
  EXPECT_NE(fake_digest(flist->body), md5->body) << "the download must be rejected";
  // Both faults at once: the .md5 still tells the truth.
  harness.hub.set_corrupt(url, true);
  EXPECT_EQ(harness.get(true, url)->body, fake_digest(content));
  harness.hub.heal();
  EXPECT_EQ(harness.get(false, url)->body, content);
}

TEST(FakeHub, HealClearsEveryFault) {
  Harness harness;
  harness.hub.set_down(true);
  harness.hub.set_latency_ms(1000);
  harness.hub.set_not_found(url, true);
  harness.hub.set_corrupt(url, true);
  harness.hub.set_md5_mismatch(url, true);
  harness.hub.heal();
  EXPECT_FALSE(harness.hub.down());
  EXPECT_EQ(harness.hub.latency_ms(), 0);
  const auto md5 = harness.get(true, url);
  const auto flist = harness.get(false, url);
  ASSERT_TRUE(md5.has_value() && flist.has_value());
  EXPECT_EQ(flist->body, content);
  EXPECT_EQ(md5->body, fake_digest(content));
}

TEST(FakeHub, RemovedFlistIsNotFound) {
  Harness harness;
  EXPECT_TRUE(harness.hub.remove_flist(url));
  EXPECT_FALSE(harness.hub.remove_flist(url));
  EXPECT_FALSE(harness.hub.has_flist(url));
  EXPECT_EQ(harness.get(false, url)->status, 404);
}

TEST(FakeHub, TraceNamesEveryAnswerWithoutCredentials) {
  Harness harness;
  const std::string secret_url = "https://alice:hunter2@hub.grid.tf/alice/app flist.flist";
  harness.hub.add_flist_bytes(secret_url, "x");
  harness.get(true, url);
  harness.get(false, secret_url);
  harness.get(false, "https://hub.grid.tf/missing.flist");
  const auto& lines = harness.trace.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], fmt::format("1000000 - hub_md5 url={}.md5 status=200 bytes={}", url, fake_digest(content).size()));
  EXPECT_EQ(lines[1], "1000000 - hub_fetch url=https://***@hub.grid.tf/alice/app%20flist.flist status=200 bytes=1");
  EXPECT_EQ(lines[2], "1000000 - hub_fetch url=https://hub.grid.tf/missing.flist status=404 bytes=18");
  for (const auto& line : lines) EXPECT_EQ(line.find("hunter2"), std::string::npos);
}

std::string run_and_hash(std::int64_t latency_ms) {
  Harness harness;
  harness.hub.set_latency_ms(latency_ms);
  harness.hub.set_corrupt(url, true);
  for (int index = 0; index < 5; index += 1) {
    harness.hub.fetch_md5(url, [](core::HubResponse) {});
    harness.hub.fetch(url, [](core::HubResponse) {});
    harness.scheduler.run_until(harness.scheduler.now_ms() + 700);
  }
  harness.scheduler.run_until(harness.scheduler.now_ms() + 10'000);
  return harness.trace.hash_hex();
}

TEST(FakeHub, SameRunSameTraceHash) {
  EXPECT_EQ(run_and_hash(1000), run_and_hash(1000));
  EXPECT_NE(run_and_hash(1000), run_and_hash(2000));
}

RC_GTEST_PROP(FakeHub, CorruptBytesAlwaysDiffer, (const std::string& bytes)) {
  const std::string corrupted = corrupt_flist_bytes(bytes);
  RC_ASSERT(corrupted != bytes);
  RC_ASSERT(corrupted == corrupt_flist_bytes(bytes));
  if (!bytes.empty()) RC_ASSERT(corrupted.size() == bytes.size());
}

}  // namespace
}  // namespace zsim::fakes
