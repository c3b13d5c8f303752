#include "kernel/prng.hpp"

#include <cassert>

namespace zsim::kernel {

namespace {
__extension__ typedef unsigned __int128 uint128;

std::uint64_t rotate_left(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Prng::Prng(std::uint64_t seed) : seed_(seed) {
  // splitmix64 spreads any seed, 0 included, over the 256-bit state; xoshiro's state is never all
  // zero this way.
  std::uint64_t mix_state = seed;
  for (std::uint64_t& word : state_) word = splitmix64(mix_state);
  assert((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

// xoshiro256** 1.0 (Blackman and Vigna).
std::uint64_t Prng::next_u64() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

// Lemire's multiply-shift with rejection: exact, and the same numbers on every platform.
std::uint64_t Prng::below(std::uint64_t bound) {
  assert(bound > 0);
  uint128 product = static_cast<uint128>(next_u64()) * bound;
  std::uint64_t low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    // Rejection happens with probability below bound / 2^64; 64 tries bound the loop far beyond
    // any realistic need.
    for (int tries = 0; low < threshold; tries += 1) {
      assert(tries < 64);
      product = static_cast<uint128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  const std::uint64_t value = static_cast<std::uint64_t>(product >> 64);
  assert(value < bound);
  return value;
}

std::uint64_t Prng::between(std::uint64_t low, std::uint64_t high) {
  assert(low <= high);
  if (low == 0 && high == UINT64_MAX) return next_u64();
  return low + below(high - low + 1);
}

bool Prng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  assert(denominator > 0);
  assert(numerator <= denominator);
  return below(denominator) < numerator;
}

Prng Prng::fork(std::uint64_t stream) const {
  std::uint64_t mix_state = seed_ ^ (0xD1B54A32D192ED03ULL * (stream + 1));
  return Prng(splitmix64(mix_state));
}

}  // namespace zsim::kernel
