#pragma once
// The trace: every externally visible event of a run, one line each —
// "<time_ms> <node> <kind> <fields>" — hashed with xxHash64 as it is written. The hash is the
// run's fingerprint: same seed, same hash. Lines can be kept in memory (bounded in lines and in
// bytes; the oldest is dropped in O(1)) or streamed to a file (every write checked: a failed write
// is remembered, never silent); the hash covers every line either way.

#include <cstdint>
#include <cstdio>
#include <deque>
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

  // Keep up to lines_max lines, and up to bytes_max bytes of them, in memory (oldest dropped
  // first); 0 lines keeps none.
  void keep_lines(std::size_t lines_max, std::size_t bytes_max = SIZE_MAX);
  // Also write every line to this file (opened for writing); false when it cannot be opened.
  bool write_to(const std::string& path);
  // Flushes and closes the file: "" when every line reached it, else why not ("No space left on
  // device"). After a failed write the file gets no more lines; the hash still covers them all.
  std::string close_file();
  // The first write error of the file so far ("" while none).
  const std::string& file_error() const { return file_error_; }
  // Also hand every line (without its newline) to an observer, e.g. a property checker.
  void observe(std::function<void(std::string_view line)> observer) { observer_ = std::move(observer); }

  std::uint64_t hash() const;
  // The hash as 16 lower-case hex digits.
  std::string hash_hex() const;
  std::uint64_t events() const { return events_; }
  const std::deque<std::string>& lines() const { return lines_; }
  // The kept lines, moved out (the trace keeps none of them after).
  std::vector<std::string> take_lines();
  std::uint64_t lines_dropped() const { return lines_dropped_; }

 private:
  void keep(std::string_view line);

  struct State;
  State* state_;  // xxHash64 streaming state (opaque, from libxxhash).
  std::uint64_t events_ = 0;
  std::size_t lines_max_ = 0;
  std::size_t bytes_max_ = 0;
  std::size_t bytes_kept_ = 0;  // Sum of the kept lines' sizes.
  std::uint64_t lines_dropped_ = 0;
  std::deque<std::string> lines_;
  std::FILE* file_ = nullptr;
  std::string file_error_;
  std::function<void(std::string_view)> observer_;
  std::string line_buffer_;
};

}  // namespace zsim::kernel
