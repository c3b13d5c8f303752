#include "sim/flist_catalogue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "sim/world.hpp"

namespace zsim::sim {

const FlistKind& flist_kind(std::string_view name) {
  const auto found =
      std::find_if(flist_kinds.begin(), flist_kinds.end(), [name](const FlistKind& kind) { return kind.name == name; });
  assert(found != flist_kinds.end());
  return *found;
}

std::string flist_url(const FlistKind& kind) { return fmt::format("https://hub.grid.tf/zsim/{}.flist", kind.name); }

fakes::ContainerProgram flist_program(const FlistKind& kind) {
  fakes::ContainerProgram program;
  if (kind.name == "ubuntu-20.04") {
    program.line_interval_ms = 5000;
    program.memory_growth_bytes_per_s = 4096;
  } else if (kind.name == "busybox") {
    program.line_interval_ms = 1000;
    program.stderr_every_n_lines = 4;
    program.chunk_split = 3;
  } else if (kind.name == "crasher") {
    program.line_interval_ms = 2000;
    program.exit_after_ms = 10'000;
    program.crash = true;
  } else if (kind.name == "longlines") {
    program.line_interval_ms = 3000;
    program.long_line_every_n_lines = 5;
  } else if (kind.name == "quiet") {
    program.line_interval_ms = 0;
  } else {
    assert(kind.name == "memhog");
    program.line_interval_ms = 4000;
    program.memory_growth_bytes_per_s = 1024 * 1024;
  }
  assert(program.valid());
  assert((program.exit_after_ms > 0) == kind.exits);
  return program;
}

core::FlistImage flist_image(const FlistKind& kind, kernel::Prng& prng) {
  core::FlistImage image;
  image.name = fmt::format("{}.flist", kind.name);
  image.size_mib = 64 + prng.below(512);
  image.entrypoint = std::string(kind.entrypoint);
  image.environment = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  return image;
}

void add_flist_to_world(World& world, const FlistKind& kind, kernel::Prng& prng) {
  core::FlistImage image = flist_image(kind, prng);
  image.body = fmt::format("metadata of {} {}", kind.name, prng.next_u64());
  world.hub().add_flist(flist_url(kind), image);
  const fakes::ContainerProgram program = flist_program(kind);
  for (std::size_t node = 0; node < world.node_count(); node += 1) {
    world.node(node).runtime->set_program_for_flist(image.name, program);
  }
}

}  // namespace zsim::sim
