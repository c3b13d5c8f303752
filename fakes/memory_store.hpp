#pragma once
// The node's persistent cache, in memory. A daemon restart keeps the object (and so every key); a
// node reboot calls wipe_for_reboot(), which keeps the keys under the port's durable prefixes
// (core::durable_key_prefixes: volumes, the flist cache, the result outbox, the promises), as the real node keeps
// them on disk, and loses its reservation cache.
// Losing the flists turned a hub outage during a reboot into the loss of every running container
// (scenarios/reboot-while-hub-down.json).

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"

namespace zsim::fakes {

class MemoryStore final : public core::Store {
 public:
  // A bound on the keys held: a node that caches more than this has a runaway loop.
  static constexpr std::size_t keys_max = std::size_t{1} << 22;
  // What a reboot keeps is the port's contract (core::survives_reboot), not this fake's choice.
  static bool survives_reboot(std::string_view key) { return core::survives_reboot(key); }

  void put(const std::string& key, std::string value) override;
  std::optional<std::string> get(const std::string& key) const override;
  void erase(const std::string& key) override;
  std::vector<std::string> keys(std::string_view prefix) const override;

  // Erases every key not under a survivor prefix; returns how many were erased.
  std::size_t wipe_for_reboot();

  std::size_t size() const { return entries_.size(); }
  // Every put() call, and every erase() call that removed a key (erasing a missing key is a no-op).
  std::uint64_t puts() const { return puts_; }
  std::uint64_t erases() const { return erases_; }
  std::uint64_t wipes() const { return wipes_; }
  std::uint64_t keys_wiped() const { return keys_wiped_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
  std::uint64_t puts_ = 0;
  std::uint64_t erases_ = 0;
  std::uint64_t wipes_ = 0;
  std::uint64_t keys_wiped_ = 0;
};

}  // namespace zsim::fakes
