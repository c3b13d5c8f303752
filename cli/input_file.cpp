#include "cli/input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

namespace zsim::cli {

namespace {

constexpr std::size_t read_chunk_bytes = std::size_t{64} << 10;
// Turns that read nothing in a row (an interrupted call, a spurious wake-up) before giving up: each
// other turn reads at least one byte, so the loop is bounded by bytes_max plus this.
constexpr int empty_turns_max = 1000;

std::string too_large(std::size_t bytes_max, std::string_view what) {
  return fmt::format("larger than the limit of {} bytes for {}", bytes_max, what);
}

// Waits until fd has something to read, or its writer left; an error after input_idle_timeout_ms.
core::Expected<void> wait_readable(int fd) {
  pollfd waiting{fd, POLLIN, 0};
  const int ready = ::poll(&waiting, 1, input_idle_timeout_ms);
  if (ready == 0) {
    return core::Error{fmt::format("nothing to read for {} s (a FIFO that no writer opened, or a terminal?)",
                                   input_idle_timeout_ms / 1000)};
  }
  if (ready < 0 && errno != EINTR) return core::Error{std::strerror(errno)};
  return {};
}

// Reads fd (non-blocking) to its end into content, at most bytes_max + 1 bytes. A stream is polled
// before each read: a FIFO that no writer opened reads as an empty file, but polls as silent.
core::Expected<void> read_all(int fd, bool stream, std::size_t bytes_max, std::string& content) {
  int empty_turns = 0;
  char chunk[read_chunk_bytes];
  while (content.size() <= bytes_max) {
    if (stream) {
      if (core::Expected<void> ready = wait_readable(fd); !ready) return ready;
    }
    const std::size_t wanted = std::min(read_chunk_bytes, bytes_max + 1 - content.size());
    const ssize_t got = ::read(fd, chunk, wanted);
    if (got > 0) {
      content.append(chunk, static_cast<std::size_t>(got));
      empty_turns = 0;
      continue;
    }
    if (got == 0) return {};
    if (errno != EINTR && errno != EAGAIN) return core::Error{std::strerror(errno)};
    if (++empty_turns > empty_turns_max) return core::Error{"the stream keeps waking up with nothing to read"};
    if (errno == EINTR || stream) continue;
    if (core::Expected<void> ready = wait_readable(fd); !ready) return ready;
  }
  return {};
}

}  // namespace

core::Expected<std::string> read_input_file(const std::string& path, std::size_t bytes_max, std::string_view what) {
  assert(bytes_max > 0);
  // Non-blocking, so that opening a FIFO does not wait for a writer; poll() waits, bounded.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return core::Error{std::strerror(errno)};
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return core::Error{reason};
  }
  if (S_ISDIR(status.st_mode)) {
    ::close(fd);
    return core::Error{std::strerror(EISDIR)};
  }
  std::string content;
  if (S_ISREG(status.st_mode)) {
    const auto size_bytes = static_cast<std::uint64_t>(status.st_size);
    if (size_bytes > bytes_max) {
      ::close(fd);
      return core::Error{fmt::format("is {} bytes, {}", size_bytes, too_large(bytes_max, what))};
    }
    content.reserve(static_cast<std::size_t>(size_bytes));
  }
  const core::Expected<void> read = read_all(fd, !S_ISREG(status.st_mode), bytes_max, content);
  ::close(fd);
  if (!read) return core::Error{read.error()};
  // A regular file may grow while it is read; a stream has no size to check first.
  if (content.size() > bytes_max) return core::Error{too_large(bytes_max, what)};
  return content;
}

core::Status check_no_nul(std::string_view text) {
  const std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return {};
  return core::Error{fmt::format("byte {} is a NUL byte; JSON holds none (the text would end there)", nul)};
}

}  // namespace zsim::cli
