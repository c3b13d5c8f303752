#pragma once
// Grids for the scaling benchmarks of bench/grid_bench.cpp: worlds of many nodes where every
// container is valid and really runs, so that a grid of 1,000, 10,000 or 100,000 containers
// measures the cost of running them and not of refusing them.
//
// `zsim sim`'s random world (sim/random_world.*) is the reference grid, but it cannot grow past
// 254 nodes (its subnets are 10.<user>.<node + 1>.0/24) and on 100 nodes its nodes refuse most of
// 10,000 containers for capacity. A grid here keeps its density fixed instead: the caller picks the
// node count (the benchmarks use one node per ten containers, as the reference grid has), every node
// has room for every container sent to it, and five users have a network on every node, numbered
// so that 13,107 nodes still get distinct subnets. Containers carry logs and stats endpoints on one
// of three redis servers and a secret for one in three, run one of four well-behaved programs (the
// random world's chatty, stderr-splitting, long-line and quiet flists; none crashes or runs out
// of memory), arrive during the first half of the run and all run until its end. The world's Checker judges every run.

#include <cstdint>
#include <string>

namespace zsim::bench {

struct GridOptions {
  std::uint64_t seed = 3;
  std::uint32_t nodes = 100;
  std::uint32_t containers = 1000;
  // Containers arrive during its first half and all run until its end; the tail follows.
  std::int64_t duration_ms = 60 * 60'000;
};

inline constexpr std::int64_t grid_duration_min_ms = 60'000;
// Simulated time after the duration: the containers expire at its start (the expiry scan runs
// every 20 s), the networks a minute in, and the run ends when everything has had two more
// minutes to be decommissioned and reported.
inline constexpr std::int64_t grid_tail_ms = 3 * 60'000;
// Node indices of a grid stay below this, so that every (node, user) gets its own /24.
inline constexpr std::uint32_t grid_nodes_max = 13'107;

struct GridRun {
  std::string trace_hash;
  std::int64_t sim_seconds = 0;
  std::uint64_t scheduler_events = 0;
  std::uint64_t trace_events = 0;
  std::uint64_t containers_ok = 0;      // Containers whose result was ok.
  std::uint64_t results_error = 0;      // Every error result (a grid expects none).
  std::uint64_t stats_ticks = 0;        // Every tick of every container's stats clock.
  std::uint64_t log_lines_produced = 0;
  std::uint64_t messages_delivered = 0;  // Log lines and stats the fake redis took.
  std::uint64_t violations = 0;
  std::string first_violation;  // "property: detail" of the first one, if any.
};

// Builds and runs one grid to its end and has the checker judge it.
GridRun run_grid(const GridOptions& options);

struct IdleOptions {
  std::uint64_t seed = 5;
  std::uint32_t containers = 1000;
  bool endpoints = true;  // Logs and stats endpoints on every container (their sinks stay idle).
};

// The memory a grid holds per running, idle container: quiet programs (no output), no secret,
// 200 containers per node. Measured between two moments of one world: once every node is up with
// its networks, and once every container runs.
struct IdleMemory {
  std::uint64_t containers_running = 0;
  std::uint32_t nodes = 0;
  // The change of glibc's mallinfo2() bytes in use (arena chunks and mmapped chunks) per container.
  // Not the resident set: memory freed while the nodes came up is reused by the containers, so
  // the RSS barely moves.
  double malloc_bytes_per_container = 0;
};

IdleMemory measure_idle_memory(const IdleOptions& options);

}  // namespace zsim::bench
