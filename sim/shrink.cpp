#include "sim/shrink.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <set>

#include "sim/fuzz_seed.hpp"

namespace zsim::sim {

namespace {

// The reservation id of a workload id "<reservation>-<number>"; 0 when it is not one.
std::uint64_t reservation_of(const std::string& workload) {
  const std::size_t dash = workload.find('-');
  if (dash == std::string::npos || dash == 0) return 0;
  std::uint64_t id = 0;
  for (std::size_t index = 0; index < dash; index += 1) {
    if (workload[index] < '0' || workload[index] > '9') return 0;
    id = id * 10 + static_cast<std::uint64_t>(workload[index] - '0');
  }
  return id;
}

// The reservation a step or check belongs to; 0 for none.
std::uint64_t step_reservation(const StepSpec& step) {
  if (step.kind == StepKind::deliver) return step.reservation;
  if (step.kind == StepKind::remove) return step.workload.empty() ? step.reservation : reservation_of(step.workload);
  if (step.kind == StepKind::crash) return reservation_of(step.workload);
  return 0;
}

std::uint64_t check_reservation(const Check& check) {
  switch (check.kind) {
    case CheckKind::result: return reservation_of(check.result.workload);
    case CheckKind::container: return reservation_of(check.container.workload);
    default: return 0;
  }
}

// Keeps the steps, checks and reservations that the predicates keep, and renames the paths so
// that messages point into the file the shrinker will write.
Scenario filtered(const Scenario& scenario, const std::set<std::uint64_t>& reservations_dropped,
                  const std::set<std::size_t>& steps_dropped) {
  Scenario out = scenario;
  out.reservations.clear();
  for (const ReservationSpec& reservation : scenario.reservations) {
    if (reservations_dropped.count(reservation.id) == 0) out.reservations.push_back(reservation);
  }
  out.steps.clear();
  for (std::size_t index = 0; index < scenario.steps.size(); index += 1) {
    const StepSpec& step = scenario.steps[index];
    if (steps_dropped.count(index) != 0 || reservations_dropped.count(step_reservation(step)) != 0) continue;
    out.steps.push_back(step);
    out.steps.back().path = fmt::format("steps[{}]", out.steps.size() - 1);
  }
  out.checks.clear();
  for (const Check& check : scenario.checks) {
    if (reservations_dropped.count(check_reservation(check)) == 0) out.checks.push_back(check);
  }
  out.stats_cadence.clear();
  for (const std::string& workload : scenario.stats_cadence) {
    if (reservations_dropped.count(reservation_of(workload)) == 0) out.stats_cadence.push_back(workload);
  }
  std::size_t results = 0;
  for (Check& check : out.checks) {
    if (check.kind == CheckKind::result) check.path = fmt::format("expect.results[{}]", results++);
  }
  for (std::size_t index = 0; index < out.reservations.size(); index += 1) {
    out.reservations[index].path = fmt::format("reservations[{}]", index);
  }
  return out;
}

class Shrinker {
 public:
  Shrinker(const std::string& property, const ShrinkOptions& options) : property_(property), options_(options) {}

  // The unit of one ddmin pass: indices into a list the caller turns into a candidate.
  using Candidate = std::function<Scenario(const std::vector<std::size_t>& removed)>;

  // Delta debugging (Zeller's ddmin, complement variant): removes chunks of n/2, n/4, ... 1 units,
  // keeping each removal after which the property still fails. Returns the units removed.
  std::vector<std::size_t> minimise(std::size_t units, const Candidate& candidate, Scenario& best) {
    std::vector<std::size_t> removed;
    std::size_t chunk = std::max<std::size_t>(units / 2, 1);
    while (units > 0 && budget_left()) {
      bool progress = false;
      for (std::size_t start = 0; start < units && budget_left(); start += chunk) {
        std::vector<std::size_t> trial = removed;
        for (std::size_t unit = start; unit < std::min(units, start + chunk); unit += 1) {
          if (std::find(removed.begin(), removed.end(), unit) == removed.end()) trial.push_back(unit);
        }
        if (trial.size() == removed.size()) continue;
        Scenario attempt = candidate(trial);
        if (!still_fails(attempt)) continue;
        removed = std::move(trial);
        best = std::move(attempt);
        progress = true;
      }
      if (chunk == 1 && !progress) break;
      chunk = std::max<std::size_t>(chunk / 2, 1);
    }
    return removed;
  }

  bool still_fails(const Scenario& scenario) {
    assert(budget_left());
    runs_ += 1;
    const bool fails = fails_with(scenario, property_);
    if (options_.progress) options_.progress(runs_, scenario.steps.size());
    return fails;
  }
  bool budget_left() const { return runs_ < options_.runs_max; }
  std::uint64_t runs() const { return runs_; }

 private:
  const std::string& property_;
  const ShrinkOptions& options_;
  std::uint64_t runs_ = 0;
};

// Fault windows count as one unit: a fault step and the heal that follows it for the same fault.
std::vector<std::vector<std::size_t>> step_units(const Scenario& scenario) {
  std::vector<std::vector<std::size_t>> units;
  std::set<std::size_t> paired;
  for (std::size_t index = 0; index < scenario.steps.size(); index += 1) {
    const StepSpec& step = scenario.steps[index];
    if (paired.count(index) != 0 || step.kind == StepKind::deliver) continue;
    if (step.kind == StepKind::advance && index + 1 == scenario.steps.size()) continue;  // The end.
    std::vector<std::size_t> unit{index};
    for (std::size_t later = index + 1; step.kind == StepKind::fault && later < scenario.steps.size(); later += 1) {
      const StepSpec& heal = scenario.steps[later];
      if (heal.kind == StepKind::heal && heal.fault.kind == step.fault.kind && heal.fault.target == step.fault.target &&
          heal.fault.point == step.fault.point) {
        unit.push_back(later);
        paired.insert(later);
        break;
      }
    }
    units.push_back(std::move(unit));
  }
  return units;
}

void shrink_nodes(Shrinker& shrinker, Scenario& best) {
  if (best.nodes.size() <= 1) return;
  const Scenario base = best;
  shrinker.minimise(base.nodes.size(), [&base](const std::vector<std::size_t>& removed) {
    std::set<std::string> labels;
    for (const std::size_t index : removed) labels.insert(base.nodes[index].label);
    Scenario out = base;
    if (labels.size() >= base.nodes.size()) return base;  // One node stays.
    out.nodes.clear();
    for (const NodeSpec& node : base.nodes) {
      if (labels.count(node.label) == 0) out.nodes.push_back(node);
    }
    std::set<std::uint64_t> reservations;
    for (const ReservationSpec& reservation : base.reservations) {
      if (labels.count(reservation.node) != 0) reservations.insert(reservation.id);
    }
    std::set<std::size_t> steps;
    for (std::size_t index = 0; index < base.steps.size(); index += 1) {
      const StepSpec& step = base.steps[index];
      if (labels.count(step.node) != 0 || labels.count(step.fault.target) != 0) steps.insert(index);
    }
    Scenario shrunk = filtered(out, reservations, steps);
    shrunk.nodes = out.nodes;
    return shrunk;
  }, best);
}

void shrink_reservations(Shrinker& shrinker, Scenario& best) {
  const Scenario base = best;
  shrinker.minimise(base.reservations.size(), [&base](const std::vector<std::size_t>& removed) {
    std::set<std::uint64_t> ids;
    for (const std::size_t index : removed) ids.insert(base.reservations[index].id);
    return filtered(base, ids, {});
  }, best);
}

void shrink_steps(Shrinker& shrinker, Scenario& best) {
  const Scenario base = best;
  const std::vector<std::vector<std::size_t>> units = step_units(base);
  shrinker.minimise(units.size(), [&base, &units](const std::vector<std::size_t>& removed) {
    std::set<std::size_t> steps;
    for (const std::size_t unit : removed) steps.insert(units[unit].begin(), units[unit].end());
    return filtered(base, {}, steps);
  }, best);
}

// A knob is removed by giving it back its default; each knob of each node is one unit.
void shrink_knobs(Shrinker& shrinker, Scenario& best) {
  const Scenario base = best;
  std::vector<std::pair<std::size_t, std::string>> knobs;
  for (std::size_t node = 0; node < base.nodes.size(); node += 1) {
    for (const auto& [name, value] : base.nodes[node].knobs) knobs.emplace_back(node, name);
  }
  if (knobs.empty()) return;
  shrinker.minimise(knobs.size(), [&base, &knobs](const std::vector<std::size_t>& removed) {
    Scenario out = base;
    for (const std::size_t unit : removed) out.nodes[knobs[unit].first].knobs.erase(knobs[unit].second);
    return out;
  }, best);
}

std::size_t knob_count(const Scenario& scenario) {
  std::size_t count = 0;
  for (const NodeSpec& node : scenario.nodes) count += node.knobs.size();
  return count;
}

// The run ends soon after the last step that is left: the final advance moves back to it (plus a
// minute, for the expectations judged at the end), if the property still fails then.
void shorten_run(Shrinker& shrinker, Scenario& best) {
  if (best.steps.size() < 2 || best.steps.back().kind != StepKind::advance || !shrinker.budget_left()) return;
  const std::int64_t last_ms = best.steps[best.steps.size() - 2].at_ms + 60'000;
  if (last_ms >= best.steps.back().at_ms) return;
  Scenario attempt = best;
  attempt.steps.back().at_ms = last_ms;
  attempt.end_ms = last_ms;
  if (shrinker.still_fails(attempt)) best = std::move(attempt);
}

std::size_t size_of(const Scenario& scenario) {
  return scenario.steps.size() + scenario.reservations.size() + scenario.nodes.size() + knob_count(scenario);
}

}  // namespace

ShrinkResult shrink_scenario(const Scenario& failing, const std::string& property, const ShrinkOptions& options) {
  assert(!property.empty());
  ShrinkResult result;
  result.steps_before = failing.steps.size();
  Scenario best = failing;
  Shrinker shrinker(property, options);
  // Passes repeat while one of them still makes the scenario smaller (each pass removes only
  // what keeps the failure, so the size never grows); the budget bounds the whole.
  for (std::size_t pass = 0; pass < 8 && shrinker.budget_left(); pass += 1) {
    const std::size_t before = size_of(best);
    shrink_nodes(shrinker, best);
    shrink_reservations(shrinker, best);
    shrink_steps(shrinker, best);
    shrink_knobs(shrinker, best);
    if (size_of(best) == before) break;
  }
  shorten_run(shrinker, best);
  best.name = failing.name + "-shrunk";
  best.description = fmt::format("{} Shrunk by zsim fuzz from {} steps to {} while the property {} still failed.",
                                 failing.description, result.steps_before, best.steps.size(), property);
  result.steps_after = best.steps.size();
  result.runs = shrinker.runs();
  result.scenario = std::move(best);
  assert(result.steps_after <= result.steps_before);
  return result;
}

}  // namespace zsim::sim
