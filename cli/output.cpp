#include "cli/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "cli/untrusted_text.hpp"

namespace zsim::cli {

namespace {

// The first error of a write to stdout, as strerror; empty while every write worked.
std::string stdout_error;  // NOLINT: one per process, like stdout itself.

void remember_stdout_error() {
  if (stdout_error.empty()) stdout_error = errno != 0 ? std::strerror(errno) : "write failed";
}

// capture_output(): where the lines go instead of the streams, while set.
std::string* captured_out = nullptr;  // NOLINT: test support, one per process like the streams.
std::string* captured_err = nullptr;  // NOLINT

void write_checked(std::FILE* stream, std::string_view bytes) {
  if (bytes.empty()) return;
  if (captured_out != nullptr) {
    (stream == stdout ? captured_out : captured_err)->append(bytes);
    return;
  }
  errno = 0;
  const std::size_t written = std::fwrite(bytes.data(), 1, bytes.size(), stream);
  if (written != bytes.size() && stream == stdout) remember_stdout_error();
}

// Strings nested deeper than this are left to dump()'s replacement of invalid UTF-8: zsim's own
// documents are a few levels deep.
constexpr int json_depth_max = 64;

void make_printable(nlohmann::ordered_json& value, int depth) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (!is_printable(text)) value = printable(text);
    return;
  }
  if (depth >= json_depth_max || !value.is_structured()) return;
  if (value.is_array()) {
    for (nlohmann::ordered_json& item : value) make_printable(item, depth + 1);
    return;
  }
  nlohmann::ordered_json escaped = nlohmann::ordered_json::object();
  for (auto& [key, item] : value.items()) {
    make_printable(item, depth + 1);
    escaped[printable(key)] = std::move(item);
  }
  value = std::move(escaped);
}

core::Expected<void> write_fd(int fd, std::string_view text) {
  std::size_t done = 0;
  // Each turn writes at least one byte or ends, so the loop ends; EINTR retries the same bytes.
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return core::Error{wrote < 0 ? std::strerror(errno) : "nothing written"};
    done += static_cast<std::size_t>(wrote);
  }
  return {};
}

core::Expected<void> write_and_close(const std::string& path, int flags, std::string_view text) {
  const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) return core::Error{fmt::format("cannot write {}: {}", printable(path), std::strerror(errno))};
  const core::Expected<void> written = write_fd(fd, text);
  // close() reports what a network file system could only tell at the end.
  const int closed = ::close(fd);
  if (!written) return core::Error{fmt::format("cannot write {}: {}", printable(path), written.error())};
  if (closed != 0) return core::Error{fmt::format("cannot write {}: {}", printable(path), std::strerror(errno))};
  return {};
}

}  // namespace

void capture_output(std::string* out_text, std::string* err_text) {
  assert((out_text == nullptr) == (err_text == nullptr));
  captured_out = out_text;
  captured_err = err_text;
}

void out_line(std::string_view line) {
  std::string text = printable_line(line);
  text.push_back('\n');
  write_checked(stdout, text);
}

void flush_out() {
  errno = 0;
  if (std::fflush(stdout) != 0) remember_stdout_error();
}

void err_line(std::string_view line) {
  flush_out();
  std::string text = printable_line(line);
  text.push_back('\n');
  write_checked(stderr, text);
}

void out_raw(std::string_view bytes) { write_checked(stdout, bytes); }

void err_raw(std::string_view bytes) { write_checked(stderr, bytes); }

std::string json_text(const nlohmann::ordered_json& document, int indent) {
  nlohmann::ordered_json copy = document;
  make_printable(copy, 0);
  return copy.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int finish_output(int exit_code) {
  flush_out();
  if (std::ferror(stdout) != 0) remember_stdout_error();
  // Closing reports what only the end of a file on a network file system can tell.
  errno = 0;
  if (std::fclose(stdout) != 0) remember_stdout_error();
  if (stdout_error.empty()) return exit_code;
  const std::string line = fmt::format("zsim: cannot write standard output: {}\n", stdout_error);
  std::fwrite(line.data(), 1, line.size(), stderr);
  return exit_unusable;
}

core::Expected<void> write_output_file(const std::filesystem::path& path, std::string_view text) {
  struct stat status {};
  const std::string target = path.string();
  if (::stat(target.c_str(), &status) == 0 && !S_ISREG(status.st_mode)) {
    if (S_ISDIR(status.st_mode)) return core::Error{fmt::format("cannot write {}: it is a folder", printable(target))};
    return write_and_close(target, 0, text);
  }
  const std::string temporary = target + ".partial";
  if (core::Expected<void> written = write_and_close(temporary, O_CREAT | O_TRUNC, text); !written) {
    ::unlink(temporary.c_str());
    return written;
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return core::Error{fmt::format("cannot write {}: {}", printable(target), reason)};
  }
  return {};
}

}  // namespace zsim::cli
