#include "cli/trace_target.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/untrusted_text.hpp"

namespace zsim::cli {

namespace {

constexpr std::size_t copy_chunk_bytes = std::size_t{1} << 20;

std::string hex16(std::uint64_t value) { return fmt::format("{:016x}", value); }

// Writes all of data to fd, retrying short writes; false with errno set when a write fails.
bool write_all(int fd, const char* data, std::size_t size) {
  std::size_t done = 0;
  // Each turn writes at least one byte or ends.
  while (done < size) {
    const ssize_t wrote = ::write(fd, data + done, size - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      if (wrote == 0) errno = EIO;
      return false;
    }
    done += static_cast<std::size_t>(wrote);
  }
  return true;
}

// Reads the file at path to its end, hashing it, and copying it to copy_fd when that is not -1.
core::Expected<std::uint64_t> hash_file(const std::string& path, int copy_fd, const std::string& shown) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::Error{fmt::format("cannot read {} back: {}", shown, std::strerror(errno))};
  XXH64_state_t* state = XXH64_createState();
  XXH64_reset(state, 0);
  std::string chunk(copy_chunk_bytes, '\0');
  std::string error;
  // Each turn reads at least one byte or ends: the loop is bounded by the file's size.
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) error = fmt::format("cannot read {} back: {}", shown, std::strerror(errno));
    if (got <= 0) break;
    XXH64_update(state, chunk.data(), static_cast<std::size_t>(got));
    if (copy_fd >= 0 && !write_all(copy_fd, chunk.data(), static_cast<std::size_t>(got))) {
      error = fmt::format("cannot write {}: {}", shown, std::strerror(errno));
      break;
    }
  }
  ::close(fd);
  const std::uint64_t hash = XXH64_digest(state);
  XXH64_freeState(state);
  if (!error.empty()) return core::Error{error};
  return hash;
}

}  // namespace

core::Expected<TraceTarget> TraceTarget::open(const std::string& path) {
  if (path.empty()) return TraceTarget("", "");
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0 || S_ISREG(status.st_mode)) return TraceTarget(path, path);
  if (S_ISDIR(status.st_mode)) return core::Error{fmt::format("cannot write the trace to {}: it is a folder", printable(path))};
  std::string temporary = (std::filesystem::temp_directory_path() / "zsim-trace-XXXXXX").string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) return core::Error{fmt::format("cannot make a temporary file for the trace: {}", std::strerror(errno))};
  ::close(fd);
  return TraceTarget(path, temporary);
}

TraceTarget::TraceTarget(TraceTarget&& other) noexcept
    : path_(std::move(other.path_)), world_path_(std::move(other.world_path_)) {
  other.path_.clear();
  other.world_path_.clear();
}

TraceTarget::~TraceTarget() {
  if (!world_path_.empty() && world_path_ != path_) ::unlink(world_path_.c_str());
}

core::Expected<void> TraceTarget::finish(std::string_view trace_hash_hex) {
  if (path_.empty()) return {};
  const std::string shown = printable(path_);
  int copy_fd = -1;
  if (world_path_ != path_) {
    // Non-blocking to open, so that a FIFO nobody reads is refused (ENXIO) instead of waiting
    // forever; blocking to write, so that a slow reader is waited for.
    copy_fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (copy_fd < 0) return core::Error{fmt::format("cannot write {}: {}", shown, std::strerror(errno))};
    ::fcntl(copy_fd, F_SETFL, ::fcntl(copy_fd, F_GETFL) & ~O_NONBLOCK);
  }
  const core::Expected<std::uint64_t> hash = hash_file(world_path_, copy_fd, shown);
  const int closed = copy_fd >= 0 ? ::close(copy_fd) : 0;
  if (!hash) return core::Error{hash.error()};
  if (closed != 0) return core::Error{fmt::format("cannot write {}: {}", shown, std::strerror(errno))};
  if (hex16(hash.value()) != trace_hash_hex) {
    return core::Error{fmt::format("{} does not hold the whole trace (its hash is {}, the run's {}): a write failed, "
                                   "or the disk is full", shown, hex16(hash.value()), trace_hash_hex)};
  }
  return {};
}

}  // namespace zsim::cli
