#include "kernel/trace.hpp"

#include <xxhash.h>

#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace zsim::kernel {

struct Trace::State {
  XXH64_state_t* xxh = nullptr;
};

namespace {
// Why the last stdio call failed; a stream may fail without errno (a write of 0 bytes).
std::string write_failure() { return errno != 0 ? std::strerror(errno) : "write failed"; }

// A trace line longer than this is a bug in whoever records it (fields are short by design).
constexpr std::size_t line_length_max = 64 * 1024;
}  // namespace

Trace::Trace() : state_(new State{XXH64_createState()}) {
  assert(state_->xxh != nullptr);
  XXH64_reset(state_->xxh, 0);
  line_buffer_.reserve(256);
}

Trace::~Trace() {
  (void)close_file();
  XXH64_freeState(state_->xxh);
  delete state_;
}

void Trace::keep_lines(std::size_t lines_max, std::size_t bytes_max) {
  lines_max_ = lines_max;
  bytes_max_ = bytes_max;
}

bool Trace::write_to(const std::string& path) {
  (void)close_file();
  file_error_.clear();
  file_ = std::fopen(path.c_str(), "w");
  return file_ != nullptr;
}

std::string Trace::close_file() {
  if (file_ == nullptr) return file_error_;
  errno = 0;
  if (std::fflush(file_) != 0 && file_error_.empty()) file_error_ = write_failure();
  // Closing reports what only the end of a file on a network file system can tell.
  if (std::fclose(file_) != 0 && file_error_.empty()) file_error_ = write_failure();
  file_ = nullptr;
  return file_error_;
}

std::vector<std::string> Trace::take_lines() {
  std::vector<std::string> taken(std::make_move_iterator(lines_.begin()), std::make_move_iterator(lines_.end()));
  lines_.clear();
  bytes_kept_ = 0;
  return taken;
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
  if (file_ != nullptr && file_error_.empty() &&
      std::fwrite(line_buffer_.data(), 1, line_buffer_.size(), file_) != line_buffer_.size()) {
    file_error_ = write_failure();
  }
  if (observer_) observer_(std::string_view(line_buffer_.data(), line_buffer_.size() - 1));
  if (lines_max_ > 0) keep(std::string_view(line_buffer_.data(), line_buffer_.size() - 1));
}

void Trace::keep(std::string_view line) {
  lines_.emplace_back(line);
  bytes_kept_ += line.size();
  // A deque drops its front in O(1); each turn drops one line, and the newest always stays.
  while (lines_.size() > 1 && (lines_.size() > lines_max_ || bytes_kept_ > bytes_max_)) {
    bytes_kept_ -= lines_.front().size();
    lines_.pop_front();
    lines_dropped_ += 1;
  }
  assert(lines_.size() <= lines_max_);
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
