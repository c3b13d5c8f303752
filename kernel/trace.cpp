#include "kernel/trace.hpp"

#include <xxhash.h>

#include <cassert>
#include <charconv>

namespace zsim::kernel {

struct Trace::State {
  XXH64_state_t* xxh = nullptr;
};

namespace {
// A trace line longer than this is a bug in whoever records it (fields are short by design).
constexpr std::size_t line_length_max = 64 * 1024;
}  // namespace

Trace::Trace() : state_(new State{XXH64_createState()}) {
  assert(state_->xxh != nullptr);
  XXH64_reset(state_->xxh, 0);
  line_buffer_.reserve(256);
}

Trace::~Trace() {
  if (file_ != nullptr) std::fclose(file_);
  XXH64_freeState(state_->xxh);
  delete state_;
}

void Trace::keep_lines(std::size_t max_lines) { max_lines_ = max_lines; }

bool Trace::write_to(const std::string& path) {
  if (file_ != nullptr) std::fclose(file_);
  file_ = std::fopen(path.c_str(), "w");
  return file_ != nullptr;
}

void Trace::record(std::int64_t time_ms, std::string_view node, std::string_view kind, std::string_view fields) {
  assert(!node.empty());
  assert(!kind.empty());
  assert(fields.find('\n') == std::string_view::npos);
  line_buffer_.clear();
  char digits[24];
  const auto converted = std::to_chars(digits, digits + sizeof digits, time_ms);
  assert(converted.ec == std::errc());
  line_buffer_.append(digits, converted.ptr);
  line_buffer_.push_back(' ');
  line_buffer_.append(node);
  line_buffer_.push_back(' ');
  line_buffer_.append(kind);
  if (!fields.empty()) {
    line_buffer_.push_back(' ');
    line_buffer_.append(fields);
  }
  line_buffer_.push_back('\n');
  assert(line_buffer_.size() <= line_length_max);

  XXH64_update(state_->xxh, line_buffer_.data(), line_buffer_.size());
  events_ += 1;
  if (file_ != nullptr) std::fwrite(line_buffer_.data(), 1, line_buffer_.size(), file_);
  if (observer_) observer_(std::string_view(line_buffer_.data(), line_buffer_.size() - 1));
  if (max_lines_ > 0) {
    if (lines_.size() >= max_lines_) {
      // Dropping from the front of a vector is linear; traces kept in memory are small (tests,
      // explain), and the file path streams instead.
      lines_.erase(lines_.begin());
      lines_dropped_ += 1;
    }
    lines_.emplace_back(line_buffer_.data(), line_buffer_.size() - 1);
  }
}

std::uint64_t Trace::hash() const { return XXH64_digest(state_->xxh); }

std::string Trace::hash_hex() const {
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::uint64_t value = hash();
  std::string text(16, '0');
  for (int index = 15; index >= 0; index -= 1) {
    text[static_cast<std::size_t>(index)] = hex_digits[value & 0xf];
    value >>= 4;
  }
  return text;
}

}  // namespace zsim::kernel
