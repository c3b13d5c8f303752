#include "sim/secret_scanner.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace zsim::sim {

std::uint64_t SecretScanner::window_at(const char* bytes) {
  std::uint64_t window = 0;
  std::memcpy(&window, bytes, window_bytes);
  return window;
}

std::size_t SecretScanner::slot_of(std::uint64_t window) {
  return static_cast<std::size_t>((window * 0x9E3779B97F4A7C15ULL) >> 48);
}

void SecretScanner::add(std::string secret) {
  assert(!secret.empty());
  if (secret.size() < window_bytes) {
    short_secrets_.push_back(std::move(secret));
    return;
  }
  // A secret of n bytes holds n - 7 windows; the stride may not exceed that, or an occurrence
  // could fall between two aligned windows.
  const std::size_t windows = std::min(stride_max, secret.size() - window_bytes + 1);
  stride_ = std::min(stride_, windows);
  const std::size_t index = long_secrets_.size();
  for (std::size_t from = 0; from < windows; from += 1) {
    const std::uint64_t window = window_at(secret.data() + from);
    const std::size_t slot = slot_of(window);
    table_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    candidates_[window].push_back(Candidate{index, from});
  }
  long_secrets_.push_back(std::move(secret));
  assert(stride_ >= 1 && stride_ <= stride_max);
}

// The window at offset matched the table: does a secret holding it occur around it?
bool SecretScanner::matches_at(std::string_view text, std::size_t offset, std::uint64_t window) const {
  const auto found = candidates_.find(window);
  if (found == candidates_.end()) return false;  // A hash collision in the bit table.
  for (const Candidate& candidate : found->second) {
    if (candidate.window_from > offset) continue;
    const std::string& secret = long_secrets_[candidate.secret];
    const std::size_t start = offset - candidate.window_from;
    if (text.substr(start, secret.size()) == secret) return true;
  }
  return false;
}

bool SecretScanner::found_in(std::string_view text) const {
  for (const std::string& secret : short_secrets_) {
    if (text.find(secret) != std::string_view::npos) return true;
  }
  if (long_secrets_.empty() || text.size() < window_bytes) return false;
  // An occurrence at p has the aligned offset p + j (j < stride) inside it with a full window,
  // because the secret holds at least stride windows; the last aligned offset may need to be the
  // text's final window, which the loop's bound reaches.
  for (std::size_t offset = 0; offset + window_bytes <= text.size(); offset += stride_) {
    const std::uint64_t window = window_at(text.data() + offset);
    const std::size_t slot = slot_of(window);
    if ((table_[slot / 64] & (std::uint64_t{1} << (slot % 64))) == 0) continue;
    if (matches_at(text, offset, window)) return true;
  }
  return false;
}

}  // namespace zsim::sim
