// `zsim validate FILE...`: parses and validates container reservation files the way a node would,
// one line per file on stdout. Exit 0 when all are valid, 1 when any is invalid (malformed JSON
// included), 2 when a file cannot be read; an unreadable file does not stop the others.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cassert>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_file.hpp"
#include "cli/output.hpp"
#include "core/expected.hpp"
#include "core/reservation.hpp"
#include "core/secret_env.hpp"

namespace zsim::cli {

namespace {

// A reservation is a few kilobytes; anything this large is not one, and reading stops there
// rather than filling memory with whatever was passed by mistake.
constexpr std::size_t reservation_file_bytes_max = std::size_t{16} << 20;

enum class FileVerdict { valid, invalid, unreadable };

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
  const core::Expected<std::string> content = read_input_file(path, reservation_file_bytes_max, "a reservation file");
  if (!content) {
    err("{}: cannot read: {}", path, content.error());
    return FileVerdict::unreadable;
  }
  if (const core::Status clean = check_no_nul(content.value()); !clean) {
    out("{}: error: {}", path, clean.error());
    return FileVerdict::invalid;
  }
  const core::Expected<core::ContainerReservation> reservation = core::parse_container_text(content.value());
  if (!reservation) {
    out("{}: error: {}", path, reservation.error());
    return FileVerdict::invalid;
  }
  const core::Status status = check_reservation(reservation.value());
  if (!status) {
    out("{}: error: {}", path, status.error());
    return FileVerdict::invalid;
  }
  const std::vector<std::string> skipped = core::usable_endpoints(reservation.value()).skipped;
  if (skipped.empty()) {
    out("{}: ok", path);
  } else {
    // A node provisions it and ships nothing to these: say so, on the file's one line.
    out("{}: ok (a node skips {})", path, fmt::join(skipped, "; "));
  }
  return FileVerdict::valid;
}

// What is checked before a file is read.
int check_arguments(const std::vector<std::string>& paths) {
  // CLI11 would report a missing FILE before an unknown option; checked here, `zsim validate -x`
  // is named as the unknown option it is.
  if (paths.empty()) {
    err("zsim validate: FILE is required (one or more reservation files)");
    return exit_unusable;
  }
  return 0;
}

int validate_files(const std::vector<std::string>& paths) {
  if (const int checked = check_arguments(paths); checked != 0) return checked;
  bool any_invalid = false;
  bool any_unreadable = false;
  for (const std::string& path : paths) {
    const FileVerdict verdict = validate_file(path);
    any_invalid = any_invalid || verdict == FileVerdict::invalid;
    any_unreadable = any_unreadable || verdict == FileVerdict::unreadable;
  }
  if (any_unreadable) return exit_unusable;
  return any_invalid ? 1 : 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code, CommandAction action) {
  CLI::App* command = app.add_subcommand(
      "validate",
      "Check container reservation files (the explorer's JSON payload) as a node would: JSON types, then "
      "the provisioning rules with the node's exact error messages.");
  // The option keeps a pointer to the vector, which must outlive parsing: the callback shares it.
  auto paths = std::make_shared<std::vector<std::string>>();
  // Existence is not checked by CLI11: an unreadable file is reported in the listing, with the
  // system's reason, and does not hide the verdicts on the other files.
  command->add_option("FILE", *paths, "Reservation files (JSON), one or more; put -- before a name that starts with '-'")
      ->type_name("");
  command->footer(
      "Prints one line per file on stdout, 'FILE: ok' or 'FILE: error: MESSAGE'; a logs or stats\n"
      "endpoint a node would skip (zos never failed a provision for one) is named after the ok:\n"
      "'FILE: ok (a node skips logs[0].data.stdout: REASON)'. A file that cannot be read is reported\n"
      "on stderr as 'FILE: cannot read: REASON' (a file over 16 MiB, a stream silent for 10 s).\n"
      "Control characters and bytes that are not UTF-8 are printed escaped (\\n, \\xNN).\n"
      "Exit codes: 0 every file is valid, 1 some file is invalid (malformed JSON included),\n"
      "2 some file cannot be read, no file was given, or stdout cannot be written.\n"
      "\n"
      "Example:\n"
      "  $ zsim validate examples/reservations/ok-plain-entrypoint.json examples/reservations/bad-zero-cpu.json\n"
      "  examples/reservations/ok-plain-entrypoint.json: ok\n"
      "  examples/reservations/bad-zero-cpu.json: error: container provision schema not valid: cannot create "
      "a container with 0 CPU allocated");
  command->callback([paths, &exit_code, action] {
    exit_code = action == CommandAction::run ? validate_files(*paths) : check_arguments(*paths);
  });
}

}  // namespace zsim::cli
