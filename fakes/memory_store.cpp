#include "fakes/memory_store.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace zsim::fakes {

void MemoryStore::put(const std::string& key, std::string value) {
  assert(!key.empty());
  auto [entry, inserted] = entries_.try_emplace(key);
  assert(!inserted || entries_.size() <= keys_max);
  entry->second = std::move(value);
  puts_ += 1;
}

std::optional<std::string> MemoryStore::get(const std::string& key) const {
  const auto entry = entries_.find(key);
  if (entry == entries_.end()) return std::nullopt;
  return entry->second;
}

void MemoryStore::erase(const std::string& key) {
  if (entries_.erase(key) > 0) erases_ += 1;
  assert(!entries_.contains(key));
}

std::vector<std::string> MemoryStore::keys(std::string_view prefix) const {
  std::vector<std::string> found;
  // The map is ordered by bytes, so the keys with a prefix are one contiguous run from lower_bound.
  for (auto entry = entries_.lower_bound(prefix); entry != entries_.end(); ++entry) {
    if (!std::string_view(entry->first).starts_with(prefix)) break;
    found.push_back(entry->first);
  }
  assert(found.size() <= entries_.size());
  return found;
}

std::size_t MemoryStore::wipe_for_reboot() {
  [[maybe_unused]] const std::size_t size_before = entries_.size();
  std::size_t wiped = 0;
  for (auto entry = entries_.begin(); entry != entries_.end();) {
    if (survives_reboot(entry->first)) {
      ++entry;
    } else {
      entry = entries_.erase(entry);
      wiped += 1;
    }
  }
  assert(entries_.size() + wiped == size_before);
  wipes_ += 1;
  keys_wiped_ += wiped;
  return wiped;
}

}  // namespace zsim::fakes
