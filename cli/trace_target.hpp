#pragma once
// `zsim sim --trace FILE`. The random world writes its trace to a path and cannot report a write
// that failed, so the command proves the file right after the run instead: FILE must hold exactly
// the run's trace, which it checks by its xxHash64, the run's trace hash.
// - A regular file (or a new one) is written by the world and read back once.
// - Anything else (a device such as /dev/full, a pipe, a terminal) cannot be read back: the world
//   writes to a temporary regular file, which is checked the same way and then copied to FILE with
//   every write checked. Such a target receives the trace when the run ends.

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace zsim::cli {

class TraceTarget {
 public:
  // Empty path: no trace is written and finish() has nothing to check.
  static core::Expected<TraceTarget> open(const std::string& path);
  TraceTarget(TraceTarget&& other) noexcept;
  TraceTarget& operator=(TraceTarget&&) = delete;
  TraceTarget(const TraceTarget&) = delete;
  TraceTarget& operator=(const TraceTarget&) = delete;
  ~TraceTarget();

  // Where the world writes the trace.
  const std::string& world_path() const { return world_path_; }
  // After the run: "" when FILE holds the whole trace, else one line saying what went wrong.
  core::Expected<void> finish(std::string_view trace_hash_hex);

 private:
  TraceTarget(std::string path, std::string world_path) : path_(std::move(path)), world_path_(std::move(world_path)) {}

  std::string path_;        // As given.
  std::string world_path_;  // path_, or a temporary file for a target that is not a regular file.
};

}  // namespace zsim::cli
