#include "sim/secret_scanner.hpp"

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
  const std::uint64_t window = window_at(secret.data());
  const std::size_t slot = slot_of(window);
  table_[slot / 64] |= std::uint64_t{1} << (slot % 64);
  long_secrets_[window].push_back(std::move(secret));
}

bool SecretScanner::found_in(std::string_view text) const {
  for (const std::string& secret : short_secrets_) {
    if (text.find(secret) != std::string_view::npos) return true;
  }
  if (long_secrets_.empty() || text.size() < window_bytes) return false;
  for (std::size_t offset = 0; offset + window_bytes <= text.size(); offset += 1) {
    const std::uint64_t window = window_at(text.data() + offset);
    const std::size_t slot = slot_of(window);
    if ((table_[slot / 64] & (std::uint64_t{1} << (slot % 64))) == 0) continue;
    const auto candidates = long_secrets_.find(window);
    if (candidates == long_secrets_.end()) continue;
    for (const std::string& secret : candidates->second) {
      if (text.substr(offset, secret.size()) == secret) return true;
    }
  }
  return false;
}

}  // namespace zsim::sim
