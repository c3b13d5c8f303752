#pragma once
// A seeded random world for `zsim sim`: nodes, users with a network on every node, flists with
// different behaviours, redis servers, and reservations arriving over time — valid ones and invalid
// ones whose exact error is known, deletes, expiries — with a swarm of light faults (each seed
// enables a random subset of fault kinds, as FoundationDB and TigerBeetle do). After the fault phase
// every fault heals and the world runs until every reservation has ended (the liveness phase);
// then the checker judges it.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/checker.hpp"

namespace zsim::sim {

struct RandomWorldOptions {
  std::uint64_t seed = 1;
  std::uint32_t nodes = 3;
  std::uint32_t reservations = 200;
  std::int64_t duration_ms = 60 * 60'000;  // The fault phase; the liveness phase follows.
  bool faults = true;
  std::string trace_path;  // Empty: the trace is hashed, not written.
  // A real publisher (--redis) instead of the fake redis, and the pacer that drives its I/O.
  core::Publisher* publisher = nullptr;
  std::function<void(std::int64_t next_event_ms)> pacer;
};

struct RunSummary {
  std::uint64_t seed = 0;
  std::string trace_hash;
  std::uint64_t events = 0;        // Trace events.
  std::uint64_t scheduler_events = 0;
  std::uint64_t results_ok = 0;
  std::uint64_t results_error = 0;
  std::uint64_t results_deleted = 0;
  std::uint64_t reservations = 0;  // Workloads delivered to the explorer.
  std::uint64_t stats_published = 0;
  std::uint64_t stats_delivered = 0;
  std::uint64_t stats_missed = 0;
  std::uint64_t log_lines_produced = 0;
  std::uint64_t log_lines_published = 0;  // Delivered.
  std::uint64_t log_lines_dropped = 0;
  std::int64_t sim_seconds = 0;
  std::vector<std::string> faults_enabled;
  std::vector<Violation> violations;
};

RunSummary run_random_world(const RandomWorldOptions& options);

// Sums what a finished world did into a summary (shared with scenario runs).
void summarise(World& world, RunSummary& summary);

}  // namespace zsim::sim
