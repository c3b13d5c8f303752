#pragma once
// Shrinking: a failing scenario is minimised by delta debugging over its steps, reservations,
// nodes, fault windows and knob values, keeping each cut only while the same property still fails.

#include <cstdint>
#include <functional>
#include <string>

#include "sim/scenario.hpp"

namespace zsim::sim {

struct ShrinkOptions {
  std::uint64_t runs_max = 400;  // Scenario runs the shrinker may spend.
  // Called after each run with the runs so far and the current size in steps (progress output).
  std::function<void(std::uint64_t runs, std::size_t steps)> progress;
};

struct ShrinkResult {
  Scenario scenario;       // The smallest scenario found that still fails with the property.
  std::uint64_t runs = 0;  // Scenario runs spent.
  std::size_t steps_before = 0;
  std::size_t steps_after = 0;
};

// property: the failing check's property name (SeedResult::property); the failing scenario must
// fail with it.
ShrinkResult shrink_scenario(const Scenario& failing, const std::string& property, const ShrinkOptions& options = {});

}  // namespace zsim::sim
