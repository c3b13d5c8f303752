#pragma once
// The project's own PRNG: xoshiro256** seeded through splitmix64, with Lemire's multiply-shift
// range reduction and rejection (exact and portable). Standard-library distributions differ
// between implementations and are never used.

#include <array>
#include <cstdint>

#include "core/ports.hpp"

namespace zsim::kernel {

std::uint64_t splitmix64(std::uint64_t& state);

class Prng final : public core::Rng {
 public:
  explicit Prng(std::uint64_t seed);

  std::uint64_t next_u64() override;
  std::uint64_t below(std::uint64_t bound) override;
  // Uniform in [low, high], inclusive; low <= high.
  std::uint64_t between(std::uint64_t low, std::uint64_t high);
  // True with probability numerator / denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  // An independent stream for a sub-component, derived from this one's seed and a stream number,
  // so adding draws in one component does not shift the numbers another sees.
  Prng fork(std::uint64_t stream) const;

 private:
  std::uint64_t seed_;
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace zsim::kernel
