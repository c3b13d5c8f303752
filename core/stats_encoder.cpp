#include "core/stats_encoder.hpp"

#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <system_error>
#include <type_traits>

namespace zsim::core {

namespace {

// The fixed text between the numbers, in order. Each piece ends with the colon before its number.
constexpr std::string_view key_timestamp = "{\"timestamp\":";
constexpr std::string_view key_memory_usage = ",\"memory_usage\":";
constexpr std::string_view key_memory_limit = ",\"memory_limit\":";
constexpr std::string_view key_memory_cache = ",\"memory_cache\":";
constexpr std::string_view key_cpu_usage = ",\"cpu_usage\":";
constexpr std::string_view key_pids_current = ",\"pids_current\":";
constexpr std::size_t number_chars_max = 20;

constexpr std::size_t keys_bytes = key_timestamp.size() + key_memory_usage.size() + key_memory_limit.size() +
                                   key_memory_cache.size() + key_cpu_usage.size() + key_pids_current.size() +
                                   1;  // The closing brace.
static_assert(keys_bytes == 91);
static_assert(keys_bytes + 6 * number_chars_max <= stats_json_bytes_max,
              "the longest stats message must fit the buffer");

// A cursor over the buffer; every write is bounded by the static_assert above, and asserted again.
// Its two writes are forced inline: g++ kept number() out of line (six call sites), and inlining it
// takes about a seventh off a message (bench/stats_bench.cpp, BM_EncodeStats).
class Writer {
 public:
  explicit Writer(StatsBuffer& buffer) : begin_(buffer.data()), next_(buffer.data()), end_(buffer.data() + buffer.size()) {}

  [[gnu::always_inline]] void text(std::string_view piece) {
    assert(static_cast<std::size_t>(end_ - next_) >= piece.size());
    std::memcpy(next_, piece.data(), piece.size());
    next_ += piece.size();
  }

  template <class Integer>
  [[gnu::always_inline]] void number(Integer value) {
    // Most figures (memory in bytes below 4 GiB, pids, the timestamp until 2106) fit 32 bits, and
    // to_chars of a 32-bit integer divides by 100 with 32-bit multiplications: faster, same digits.
    constexpr auto max_32 = std::numeric_limits<std::uint32_t>::max();
    bool fits_32 = false;
    if constexpr (std::is_signed_v<Integer>) {
      fits_32 = value >= 0 && static_cast<std::uint64_t>(value) <= max_32;
    } else {
      fits_32 = value <= max_32;
    }
    if (fits_32) {
      digits(static_cast<std::uint32_t>(value));
    } else {
      digits(value);
    }
  }

  std::string_view view() const { return {begin_, static_cast<std::size_t>(next_ - begin_)}; }

 private:
  template <class Integer>
  [[gnu::always_inline]] void digits(Integer value) {
    const std::to_chars_result result = std::to_chars(next_, end_, value);
    assert(result.ec == std::errc{});
    assert(result.ptr - next_ <= static_cast<std::ptrdiff_t>(number_chars_max));
    next_ = result.ptr;
  }

  char* begin_;
  char* next_;
  char* end_;
};

}  // namespace

std::string_view encode_stats(std::int64_t timestamp_s, const ContainerStats& stats, StatsBuffer& buffer) {
  Writer writer(buffer);
  writer.text(key_timestamp);
  writer.number(timestamp_s);
  writer.text(key_memory_usage);
  writer.number(stats.memory_usage_bytes);
  writer.text(key_memory_limit);
  writer.number(stats.memory_limit_bytes);
  writer.text(key_memory_cache);
  writer.number(stats.memory_cache_bytes);
  writer.text(key_cpu_usage);
  writer.number(stats.cpu_usage_ns);
  writer.text(key_pids_current);
  writer.number(stats.pids_current);
  writer.text("}");
  const std::string_view message = writer.view();
  assert(message.size() >= keys_bytes + 6);
  assert(message.front() == '{' && message.back() == '}');
  return message;
}

}  // namespace zsim::core
