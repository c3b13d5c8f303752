#pragma once
// Finds any of a set of secret values inside text, fast enough to run over every trace line and
// every published message of a large world. A naive scan costs (secrets x text); this one slides
// an 8-byte window over the text and checks a small bit table of the secrets' first 8 bytes, so
// it costs about one multiply per byte, and compares whole secrets only on a table hit.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::sim {

class SecretScanner {
 public:
  void add(std::string secret);
  // True when some added secret occurs in text.
  bool found_in(std::string_view text) const;
  std::size_t size() const { return long_secrets_.size() + short_secrets_.size(); }

 private:
  static constexpr std::size_t window_bytes = 8;
  static constexpr std::size_t table_bits = 1 << 16;
  static std::uint64_t window_at(const char* bytes);
  static std::size_t slot_of(std::uint64_t window);

  std::array<std::uint64_t, table_bits / 64> table_{};
  // Secrets of at least window_bytes, by their first window.
  std::map<std::uint64_t, std::vector<std::string>> long_secrets_;
  // Shorter secrets are rare (hand-written scenarios); they are searched one by one.
  std::vector<std::string> short_secrets_;
};

}  // namespace zsim::sim
