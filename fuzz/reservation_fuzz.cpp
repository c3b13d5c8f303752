// The reservation parser and validator on arbitrary bytes, as `zsim validate` and the node read a
// payload: parse, validate, the endpoints a node uses, the root disk, the mountpoints, and the
// explorer form written back (parse_container(to_json(r)) == r).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/reservation.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace zsim;

void check_parsed(core::ContainerReservation reservation) {
  const core::Status status = core::validate(reservation);
  if (!status) fuzz::require_one_line_error(status.error());
  const core::UsableEndpoints usable = core::usable_endpoints(reservation);
  for (const std::string& skipped : usable.skipped) fuzz::require_one_line_error(skipped);
  const core::Expected<core::ContainerReservation> again = core::parse_container(core::to_json(reservation));
  fuzz::require(again.ok(), "the explorer form parses again", again.ok() ? "" : again.error());
  fuzz::require(again.value() == reservation, "the explorer form reads back the same reservation");
  if (status) (void)core::root_disk(reservation);
  for (const core::ContainerMount& mount : reservation.volumes) {
    const std::string normal = core::normalise_mountpoint(mount.mountpoint);
    fuzz::require(core::normalise_mountpoint(normal) == normal, "a normalised mountpoint is a fixed point", normal);
  }
  core::resolve_relative_volumes(reservation, 12);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const core::Expected<core::ContainerReservation> parsed = core::parse_container_text(text);
  if (!parsed) {
    fuzz::require_one_line_error(parsed.error());
    return 0;
  }
  check_parsed(parsed.value());
  return 0;
}
