#pragma once

// The flists that generated worlds draw from: the random world of `zsim sim`, the fuzz swarm and
// the benchmark grids. Each kind has one name, one default entrypoint and one program that the
// fake runtime plays for its containers, so the three generators cannot drift apart.

#include <array>
#include <string>
#include <string_view>

#include "core/flist_image.hpp"
#include "fakes/container_program.hpp"
#include "kernel/prng.hpp"

namespace zsim::sim {

class World;

struct FlistKind {
  std::string_view name;
  std::string_view entrypoint;  // The flist's own default; empty: the reservation must give one.
  bool exits;                   // Its containers exit by themselves (the crash policy's case).
};

inline constexpr std::array<FlistKind, 6> flist_kinds{{{"ubuntu-20.04", "/sbin/my_init", false},
                                                       {"busybox", "", false},
                                                       {"crasher", "/bin/crash", true},
                                                       {"longlines", "/bin/verbose", false},
                                                       {"quiet", "/bin/sleep", false},
                                                       {"memhog", "/bin/hog", false}}};

// The kind of that name; the name must be one of flist_kinds.
const FlistKind& flist_kind(std::string_view name);

// Where the fake hub serves the kind: https://hub.grid.tf/zsim/<name>.flist.
std::string flist_url(const FlistKind& kind);

// What a container of the kind does: how often it prints, how its memory grows, whether it exits.
fakes::ContainerProgram flist_program(const FlistKind& kind);

// The kind's image without its body: name, size (one draw of prng), entrypoint, environment.
core::FlistImage flist_image(const FlistKind& kind, kernel::Prng& prng);

// Serves the kind from the world's hub (its body names it and one more draw of prng) and tells
// every node's runtime to play flist_program for its containers.
void add_flist_to_world(World& world, const FlistKind& kind, kernel::Prng& prng);

}  // namespace zsim::sim
