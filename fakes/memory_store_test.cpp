#include "fakes/memory_store.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace zsim::fakes {
namespace {

TEST(MemoryStore, PutGetEraseAndCounters) {
  MemoryStore store;
  EXPECT_FALSE(store.get("a").has_value());
  store.put("a", "1");
  store.put("a", "2");
  ASSERT_TRUE(store.get("a").has_value());
  EXPECT_EQ(*store.get("a"), "2");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.puts(), 2u);
  store.erase("missing");
  EXPECT_EQ(store.erases(), 0u);
  store.erase("a");
  EXPECT_EQ(store.erases(), 1u);
  EXPECT_FALSE(store.get("a").has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(MemoryStore, KeysWithPrefixInByteOrder) {
  MemoryStore store;
  for (const char* key : {"reservation/2", "volume/b", "reservation/10", "reservationx", "volume/a", "r"}) {
    store.put(key, "v");
  }
  EXPECT_EQ(store.keys("reservation/"), (std::vector<std::string>{"reservation/10", "reservation/2"}));
  EXPECT_EQ(store.keys("volume/"), (std::vector<std::string>{"volume/a", "volume/b"}));
  EXPECT_EQ(store.keys("nothing/").size(), 0u);
  EXPECT_EQ(store.keys("").size(), 6u);
}

TEST(MemoryStore, RebootKeepsOnlyVolumesFlistsAndTheOutbox) {
  MemoryStore store;
  store.put("volume/v1", "owner=alice");
  store.put("results/1-1/00000000000000000001-0000000000", "signed");
  store.put("flist/0123abcd", "bytes");
  store.put("flist-url/https://hub.grid.tf/a.flist", "0123abcd");
  store.put("volume", "not under the prefix");
  store.put("flistx/1", "not under a prefix either");
  store.put("reservation/1-1", "{}");
  store.put("network/n1", "{}");
  EXPECT_EQ(store.wipe_for_reboot(), 4u);
  EXPECT_EQ(store.keys(""), (std::vector<std::string>{"flist-url/https://hub.grid.tf/a.flist", "flist/0123abcd",
                                                      "results/1-1/00000000000000000001-0000000000", "volume/v1"}));
  EXPECT_EQ(*store.get("volume/v1"), "owner=alice");
  EXPECT_EQ(store.wipes(), 1u);
  EXPECT_EQ(store.keys_wiped(), 4u);
  // A daemon restart keeps the store as it is: nothing to call, and a second wipe erases nothing.
  EXPECT_EQ(store.wipe_for_reboot(), 0u);
}

// The store agrees with a plain ordered map under any sequence of operations.
RC_GTEST_PROP(MemoryStore, AgreesWithModel, ()) {
  MemoryStore store;
  std::map<std::string, std::string> model;
  const auto steps = *rc::gen::inRange(0, 200);
  for (int step = 0; step < steps; step += 1) {
    const std::string key =
        *rc::gen::element<std::string>("volume/a", "volume/b", "res/1", "res/2", "res/10", "x", "volume", "flist/m1",
                                      "flist-url/u1", "flistx", "results/1-1/1", "result");
    switch (*rc::gen::inRange(0, 4)) {
      case 0: {
        const auto value = *rc::gen::arbitrary<std::string>();
        store.put(key, value);
        model[key] = value;
        break;
      }
      case 1:
        store.erase(key);
        model.erase(key);
        break;
      case 2: {
        std::vector<std::string> expected;
        for (const auto& [model_key, value] : model) {
          if (model_key.starts_with("res/")) expected.push_back(model_key);
        }
        RC_ASSERT(store.keys("res/") == expected);
        break;
      }
      default: {
        store.wipe_for_reboot();
        std::erase_if(model, [](const auto& entry) {
          const std::string& k = entry.first;
          return !(k.starts_with("volume/") || k.starts_with("flist/") || k.starts_with("flist-url/") ||
                   k.starts_with("results/"));
        });
        break;
      }
    }
    const auto got = store.get(key);
    const auto expected = model.find(key);
    RC_ASSERT(got.has_value() == (expected != model.end()));
    if (got.has_value()) RC_ASSERT(*got == expected->second);
    RC_ASSERT(store.size() == model.size());
  }
}

}  // namespace
}  // namespace zsim::fakes
