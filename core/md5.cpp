#include "core/md5.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace zsim::core {

namespace {

constexpr std::size_t block_size = 64;
constexpr std::size_t length_field_size = 8;

// The per-step left rotations of RFC 1321, section 3.4, four per round.
constexpr std::array<std::uint32_t, 64> shift_amounts = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,  //
    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,  //
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,  //
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

// T[i] = floor(2^32 * abs(sin(i + 1))), written out so that no floating point is involved.
constexpr std::array<std::uint32_t, 64> sine_table = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

using State = std::array<std::uint32_t, 4>;

std::uint32_t rotate_left(std::uint32_t value, std::uint32_t amount) {
  assert(amount > 0 && amount < 32);
  return (value << amount) | (value >> (32 - amount));
}

// MD5 reads its input as little-endian 32-bit words whatever the host's byte order is.
std::uint32_t load_le32(const std::uint8_t* bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | (static_cast<std::uint32_t>(bytes[1]) << 8) |
         (static_cast<std::uint32_t>(bytes[2]) << 16) | (static_cast<std::uint32_t>(bytes[3]) << 24);
}

// One application of the compression function (RFC 1321, section 3.4) to a 64-byte block.
void compress(State& state, const std::uint8_t* block) {
  std::array<std::uint32_t, 16> words{};
  for (std::size_t i = 0; i < words.size(); ++i) {
    words[i] = load_le32(block + 4 * i);
  }
  std::uint32_t a = state[0];
  std::uint32_t b = state[1];
  std::uint32_t c = state[2];
  std::uint32_t d = state[3];
  for (std::size_t step = 0; step < 64; ++step) {
    std::uint32_t mixed = 0;
    std::size_t word_index = 0;
    if (step < 16) {
      mixed = (b & c) | (~b & d);
      word_index = step;
    } else if (step < 32) {
      mixed = (d & b) | (~d & c);
      word_index = (5 * step + 1) % 16;
    } else if (step < 48) {
      mixed = b ^ c ^ d;
      word_index = (3 * step + 5) % 16;
    } else {
      mixed = c ^ (b | ~d);
      word_index = (7 * step) % 16;
    }
    const std::uint32_t rotated = rotate_left(a + mixed + sine_table[step] + words[word_index], shift_amounts[step]);
    a = d;
    d = c;
    c = b;
    b = b + rotated;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

std::string to_hex(const State& state) {
  constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(32);
  for (const std::uint32_t word : state) {
    // The digest is the state words written out little-endian, byte by byte.
    for (std::uint32_t byte_index = 0; byte_index < 4; ++byte_index) {
      const std::uint32_t byte = (word >> (8 * byte_index)) & 0xffU;
      hex.push_back(digits[byte >> 4]);
      hex.push_back(digits[byte & 0x0fU]);
    }
  }
  assert(hex.size() == 32);
  return hex;
}

}  // namespace

std::string md5_hex(std::string_view data) {
  State state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  const std::size_t full_blocks = data.size() / block_size;
  for (std::size_t block = 0; block < full_blocks; ++block) {
    compress(state, bytes + block * block_size);
  }

  // The tail: the remaining bytes, the 0x80 marker, zeros, and the message length in bits as a
  // little-endian 64-bit number. It takes two blocks when the marker and length do not fit in one.
  const std::size_t tail_size = data.size() - full_blocks * block_size;
  assert(tail_size < block_size);
  std::array<std::uint8_t, 2 * block_size> tail{};
  if (tail_size > 0) {
    std::memcpy(tail.data(), bytes + full_blocks * block_size, tail_size);
  }
  tail[tail_size] = 0x80;
  const std::size_t tail_blocks = (tail_size + 1 + length_field_size <= block_size) ? 1 : 2;
  // The length is modulo 2^64 bits, as RFC 1321 specifies; unsigned wrap-around does exactly that.
  const std::uint64_t length_bits = static_cast<std::uint64_t>(data.size()) * 8U;
  const std::size_t length_offset = tail_blocks * block_size - length_field_size;
  for (std::size_t i = 0; i < length_field_size; ++i) {
    tail[length_offset + i] = static_cast<std::uint8_t>(length_bits >> (8 * i));
  }
  for (std::size_t block = 0; block < tail_blocks; ++block) {
    compress(state, tail.data() + block * block_size);
  }
  return to_hex(state);
}

}  // namespace zsim::core
