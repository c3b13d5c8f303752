#pragma once
// Finds any of a set of secret values inside text, fast enough to run over every trace line and
// every published message of a large world. A naive scan costs (secrets x text). This one reads
// the text an 8-byte window at a time, at every stride-th offset only, and checks each window
// against a small bit table holding every 8-byte window that starts within the first `stride`
// bytes of some secret: an occurrence of a secret at any offset p covers an aligned window that
// starts j < stride bytes into the secret, so none is missed. Whole secrets are compared only on a
// table hit. With the generated secrets (28 bytes) the stride is 8: about one multiply per 8 bytes.

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
  static constexpr std::size_t stride_max = 8;
  static constexpr std::size_t table_bits = 1 << 16;
  static std::uint64_t window_at(const char* bytes);
  static std::size_t slot_of(std::uint64_t window);
  bool matches_at(std::string_view text, std::size_t offset, std::uint64_t window) const;

  struct Candidate {
    std::size_t secret = 0;       // Index in long_secrets_.
    std::size_t window_from = 0;  // Where in the secret the window starts (< stride_max).
  };
  std::array<std::uint64_t, table_bits / 64> table_{};
  // Secrets of at least window_bytes, and their windows at offsets 0..stride_max-1 (as far as the
  // secret reaches), by window.
  std::vector<std::string> long_secrets_;
  std::map<std::uint64_t, std::vector<Candidate>> candidates_;
  // The text is read every stride bytes: the shortest long secret must hold stride windows.
  std::size_t stride_ = stride_max;
  // Shorter secrets are rare (hand-written scenarios); they are searched one by one.
  std::vector<std::string> short_secrets_;
};

}  // namespace zsim::sim
