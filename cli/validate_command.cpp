// `zsim validate FILE...`: parses and validates container reservation files the way a node would,
// one line per file on stdout. Exit 0 when all are valid, 1 when any is invalid (malformed JSON
// included), 2 when a file cannot be read; an unreadable file does not stop the others.

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/expected.hpp"
#include "core/reservation.hpp"
#include "core/secret_env.hpp"

namespace zsim::cli {

namespace {

// A reservation is a few kilobytes; anything this large is not one, and reading stops there
// rather than filling memory with whatever was passed by mistake.
constexpr std::size_t file_size_max_bytes = 16U << 20U;
constexpr std::size_t read_chunk_bytes = 64U << 10U;

enum class FileVerdict { valid, invalid, unreadable };

// The whole file, or "cannot read: <strerror>". Plain POSIX calls keep errno exact.
core::Expected<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::Error{std::strerror(errno)};
  std::string content;
  std::string error;
  // Each pass reads at most one chunk, so the loop ends by the size bound if not by end of file.
  for (std::size_t pass = 0; pass <= file_size_max_bytes / read_chunk_bytes; pass++) {
    const std::size_t before = content.size();
    content.resize(before + read_chunk_bytes);
    const ssize_t got = ::read(fd, content.data() + before, read_chunk_bytes);
    if (got < 0 && errno == EINTR) {
      content.resize(before);
      continue;
    }
    if (got < 0) error = std::strerror(errno);
    content.resize(before + static_cast<std::size_t>(got < 0 ? 0 : got));
    if (got <= 0) break;
  }
  ::close(fd);
  assert(content.size() <= file_size_max_bytes + read_chunk_bytes);
  if (error.empty() && content.size() > file_size_max_bytes) {
    error = fmt::format("file is larger than {} MiB, not a reservation", file_size_max_bytes >> 20U);
  }
  if (!error.empty()) return core::Error{error};
  return content;
}

// The node's rules (core::validate), then what a node refuses later at provision time and this
// tool can tell without a node: a volume without an id (the node finds no volume "" and fails), a
// volume without a mountpoint (zos would have mounted it over the container's root), a secret
// value that is not hex (the node's decryption fails with Go's words).
core::Status check_reservation(const core::ContainerReservation& reservation) {
  if (core::Status status = core::validate(reservation); !status) return status;
  for (std::size_t index = 0; index < reservation.volumes.size(); index += 1) {
    const core::ContainerMount& mount = reservation.volumes[index];
    if (mount.volume_id.empty()) {
      return core::Error{fmt::format(
          "volumes[{}].volume_id: missing; a node refuses it with \"failed to retrieve the owner of volume \"", index)};
    }
    if (mount.mountpoint.empty()) {
      return core::Error{fmt::format(
          "volumes[{}].mountpoint: missing; the volume would be mounted over the container's root /", index)};
    }
  }
  for (const auto& [name, value] : reservation.secret_environment) {
    if (core::Status encoded = core::check_secret_encoding(name, value); !encoded) return encoded;
  }
  return {};
}

FileVerdict validate_file(const std::string& path) {
  const core::Expected<std::string> content = read_file(path);
  if (!content) {
    // stdout first, so that a terminal shows the lines in the order the files were given.
    std::fflush(stdout);
    fmt::print(stderr, "{}: cannot read: {}\n", path, content.error());
    return FileVerdict::unreadable;
  }
  const core::Expected<core::ContainerReservation> reservation = core::parse_container_text(content.value());
  if (!reservation) {
    fmt::print("{}: error: {}\n", path, reservation.error());
    return FileVerdict::invalid;
  }
  const core::Status status = check_reservation(reservation.value());
  if (!status) {
    fmt::print("{}: error: {}\n", path, status.error());
    return FileVerdict::invalid;
  }
  const std::vector<std::string> skipped = core::usable_endpoints(reservation.value()).skipped;
  if (skipped.empty()) {
    fmt::print("{}: ok\n", path);
  } else {
    // A node provisions it and ships nothing to these: say so, on the file's one line.
    fmt::print("{}: ok (a node skips {})\n", path, fmt::join(skipped, "; "));
  }
  return FileVerdict::valid;
}

int validate_files(const std::vector<std::string>& paths) {
  assert(!paths.empty());
  bool any_invalid = false;
  bool any_unreadable = false;
  for (const std::string& path : paths) {
    const FileVerdict verdict = validate_file(path);
    any_invalid = any_invalid || verdict == FileVerdict::invalid;
    any_unreadable = any_unreadable || verdict == FileVerdict::unreadable;
  }
  std::fflush(stdout);
  if (any_unreadable) return 2;
  return any_invalid ? 1 : 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "validate",
      "Check container reservation files (the explorer's JSON payload) as a node would: JSON types, then "
      "the provisioning rules with the node's exact error messages.");
  // The option keeps a pointer to the vector, which must outlive parsing: the callback shares it.
  auto paths = std::make_shared<std::vector<std::string>>();
  // Existence is not checked by CLI11: an unreadable file is reported in the listing, with the
  // system's reason, and does not hide the verdicts on the other files.
  command->add_option("FILE", *paths, "Reservation files (JSON), one or more")->required()->type_name("");
  command->footer(
      "Prints one line per file on stdout, 'FILE: ok' or 'FILE: error: MESSAGE'; a logs or stats\n"
      "endpoint a node would skip (zos never failed a provision for one) is named after the ok:\n"
      "'FILE: ok (a node skips logs[0].data.stdout: REASON)'. A file that cannot be read is reported\n"
      "on stderr as 'FILE: cannot read: REASON'.\n"
      "Exit codes: 0 every file is valid, 1 some file is invalid (malformed JSON included),\n"
      "2 some file cannot be read, or no file was given.\n"
      "\n"
      "Example:\n"
      "  $ zsim validate examples/reservations/ok-plain-entrypoint.json examples/reservations/bad-zero-cpu.json\n"
      "  examples/reservations/ok-plain-entrypoint.json: ok\n"
      "  examples/reservations/bad-zero-cpu.json: error: container provision schema not valid: cannot create "
      "a container with 0 CPU allocated");
  command->callback([paths, &exit_code] { exit_code = validate_files(*paths); });
}

}  // namespace zsim::cli
