#pragma once
// The trace: every externally visible event of a run, one line each —
// "<time_ms> <node> <kind> <fields>" — hashed with xxHash64 as it is written. The hash is the
// run's fingerprint: same seed, same hash. Lines can be kept in memory (bounded) or streamed to a
// file; the hash covers every line either way.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::kernel {

class Trace {
 public:
  Trace();
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // Node is "-" for events of the world rather than of a node. Fields must not hold a newline.
  void record(std::int64_t time_ms, std::string_view node, std::string_view kind, std::string_view fields);

  // Keep up to max_lines lines in memory (oldest dropped first); 0 keeps none.
  void keep_lines(std::size_t max_lines);
  // Also write every line to this file (opened for writing); false when it cannot be opened.
  bool write_to(const std::string& path);
  // Also hand every line (without its newline) to an observer, e.g. a property checker.
  void observe(std::function<void(std::string_view line)> observer) { observer_ = std::move(observer); }

  std::uint64_t hash() const;
  // The hash as 16 lower-case hex digits.
  std::string hash_hex() const;
  std::uint64_t events() const { return events_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  struct State;
  State* state_;  // xxHash64 streaming state (opaque, from libxxhash).
  std::uint64_t events_ = 0;
  std::size_t max_lines_ = 0;
  std::size_t lines_dropped_ = 0;
  std::vector<std::string> lines_;
  std::FILE* file_ = nullptr;
  std::function<void(std::string_view)> observer_;
  std::string line_buffer_;
};

}  // namespace zsim::kernel
