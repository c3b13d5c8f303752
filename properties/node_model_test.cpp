// A rapidcheck stateful model of one node (rc::state): random sequences of commands run against a
// sim::World with one node running the real provisioning core, and after each command, once the
// world has settled, the world must agree with a plain model (properties/node_model.hpp) on:
// - every workload's results at the explorer: exactly one terminal result, ok for a valid container
//   with room, a free address and a reachable (or cached) flist, else the exact error, in the core's
//   order of checks; "deleted" after a delete or an error; the crash policy's "deleted" and error
//   after the 4th crash within a minute; the explorer's state to match;
// - whether the explorer takes a delete (it refuses one for a workload that already ended);
// - the capacity the node's ledger holds (the volume plus every live container's cpu, memory and
//   root disk) and that the explorer was last told exactly that;
// - which containers run, each with its own IP, after crashes, daemon restarts and reboots;
// - log delivery: delivered + dropped + buffered + in flight = produced always, delivered +
//   dropped = produced once redis has been up for 10 s, nothing dropped before a redis outage or a
//   daemon stop, and a chatty container with a logs endpoint keeps producing (and, redis up,
//   delivering) lines.
// At the end the world winds down (faults healed, everything deleted) and the Checker's properties
// of zsim sim must hold: one "deleted" each, everything released, no secret leaked, logs in order.
//
// Not checked, on purpose: the stats cadence and message contents (the Checker and the scenario
// tests cover them), expiry (reservations outlive every case), the explorer's or the runtime's own
// faults, timing inside a settle window (only its end state), and when the hub fails during a
// provision window of a flist the node has not cached the model accepts ok or either flist error.
//
// Each case has at most 30 commands (about a simulated hour at most) and ctest runs 100 cases with
// the fixed seed of the root CMakeLists.txt. Longer campaigns:
//   RC_PARAMS="max_success=2000 seed=7" ZSIM_NODE_MODEL_COMMANDS=100 build/bin/properties_tests
//       --gtest_filter='NodeModel.*'      (one command line)
// ZSIM_NODE_MODEL_COMMANDS caps the commands of a case (default 30); rapidcheck's size, which grows
// from 0 to max_size (default 100) over a run, bounds it too, so add max_size=N beyond 100.
// Everything random in a case comes from rapidcheck's generators and the world's seeded PRNG, so
// RC_PARAMS="seed=N" replays it and a failure shrinks to a short command sequence.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

#include "properties/node_model.hpp"

namespace zsim::properties {
namespace {

using Command = rc::state::Command<NodeModel, NodeWorld>;

constexpr int commands_max_default = 29;  // A sequence has at most this many + 1 commands.
constexpr int commands_max_limit = 1000;

int commands_max() {
  const char* text = std::getenv("ZSIM_NODE_MODEL_COMMANDS");
  if (text == nullptr) return commands_max_default;
  const int value = std::atoi(text);
  return std::clamp(value - 1, 0, commands_max_limit);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += "\n  " + line;
  return text;
}

void expect_agreement(NodeWorld& sut, const NodeModel& model, bool lines_grow) {
  const std::vector<std::string> differences = sut.differences(model, lines_grow);
  if (!differences.empty()) RC_FAIL("the world differs from the model:" + joined(differences));
}

// A container that surely ran the chatty flist with a logs endpoint from before to after a command.
bool logged_throughout(const NodeModel& before, const NodeModel& after) {
  for (std::size_t index = 0; index < before.workloads.size(); index += 1) {
    const ModelWorkload& workload = before.workloads[index];
    if (workload.surely_holds() && after.workloads[index].surely_holds() && workload.ask.logs && workload.ask.flist == 0) {
      return true;
    }
  }
  return false;
}

// A command acts on the world, the world runs for the command's settle time, then it must agree
// with the model after the command. (apply and run are not `final`: with it, g++ 12 at -O2 made
// run() jump into an exception landing pad after nextState() and crash.)
class NodeCommand : public Command {
 public:
  void apply(NodeModel& model) const override {
    change(model);
    model.advance(settle_ms());
  }
  void run(const NodeModel& before, NodeWorld& sut) const override {
    RC_ASSERT(sut.elapsed_ms() == before.now_ms);
    act(before, sut);
    sut.run_for(settle_ms());
    const NodeModel after = nextState(before);
    expect_agreement(sut, after, settle_ms() >= lines_growth_min_ms && logged_throughout(before, after));
  }

 protected:
  virtual void change(NodeModel& model) const = 0;
  virtual void act(const NodeModel& before, NodeWorld& sut) const = 0;
  virtual std::int64_t settle_ms() const = 0;
};

template <typename T>
rc::Gen<T> one_of(std::vector<T> values) {
  return rc::gen::elementOf(std::move(values));
}

rc::Gen<Ask> ask_for(const NodeModel& model) {
  // By value: a command's generator runs again when rapidcheck shrinks it, after the model is gone.
  const bool ipv4_only = model.shape.ipv4_only;
  const bool hub_down = model.hub_down;
  return rc::gen::exec([ipv4_only, hub_down] {
    Ask ask;
    std::vector<Invalid> kinds{Invalid::cpu_zero,      Invalid::memory_low,      Invalid::network_empty,
                               Invalid::flist_missing, Invalid::disk_type,       Invalid::network_unknown,
                               Invalid::ip_outside,    Invalid::volume_not_owner, Invalid::secret_version};
    if (ipv4_only) kinds.push_back(Invalid::ipv6_on_ipv4_only);
    if (*one_of<int>({0, 1, 2, 3}) == 0) ask.invalid = *one_of(kinds);
    ask.cpu = *one_of<std::uint64_t>({1, 2, 3, 4});
    ask.memory_mib = 256 * *one_of<std::uint64_t>({1, 2, 4, 8});
    ask.disk_mib = 512 * *one_of<std::uint64_t>({0, 1, 2, 4});
    ask.disk_type = *one_of<std::string>({"", "SSD", "hdd"});
    ask.flist = *one_of<std::uint32_t>({0, 1});
    ask.host = *one_of<std::uint32_t>({2, 3, 4, 5, 6, 7});
    ask.logs = *rc::gen::arbitrary<bool>();
    ask.stats = *rc::gen::arbitrary<bool>();
    ask.secret = *one_of<int>({0, 1, 2}) == 0;
    if (!hub_down && *one_of<int>({0, 1, 2, 3, 4, 5}) == 0) {
      ask.hub_fails_after_ms = *one_of<std::int64_t>({0, 2'000, 5'000, 9'000, 12'000});
    }
    return ask;
  });
}

class Deliver final : public NodeCommand {
 public:
  explicit Deliver(const NodeModel& model) : ask_(*ask_for(model)) {}
  void checkPreconditions(const NodeModel& model) const override {
    const bool hub_may_fail = ask_.hub_fails_after_ms < 0 || !model.hub_down;
    const bool ipv6_kind_fits = ask_.invalid != Invalid::ipv6_on_ipv4_only || model.shape.ipv4_only;
    RC_PRE(hub_may_fail);
    RC_PRE(ipv6_kind_fits);
  }
  void show(std::ostream& os) const override {
    os << fmt::format("Deliver({} cpu={} memory_mib={} disk_mib={} disk_type='{}' flist={} ip_host={} logs={} stats={} secret={}",
                      to_string(ask_.invalid), ask_.cpu, ask_.memory_mib, ask_.disk_mib, ask_.disk_type, ask_.flist,
                      ask_.host, ask_.logs, ask_.stats, ask_.secret)
       << (ask_.hub_fails_after_ms >= 0 ? fmt::format(" hub_fails_after_ms={}", ask_.hub_fails_after_ms) : "") << ")";
  }

 protected:
  void change(NodeModel& model) const override { model.deliver(ask_); }
  void act(const NodeModel& before, NodeWorld& sut) const override {
    // The Checker is told the error only when the model knows it exactly (an address conflict may
    // pre-empt an invalid kind's own error).
    const Prediction prediction = before.predict(ask_);
    const bool exact = !prediction.may_ok && !prediction.any_capacity_error && prediction.errors.size() == 1;
    sut.deliver(before.next_id(), ask_, exact ? std::optional<std::string>(*prediction.errors.begin()) : std::nullopt);
  }
  std::int64_t settle_ms() const override { return deliver_settle_ms; }

 private:
  Ask ask_;
};

class Delete final : public NodeCommand {
 public:
  explicit Delete(const NodeModel& model)
      : index_(model.workloads.empty() ? 0 : *rc::gen::inRange<std::size_t>(0, model.workloads.size())) {}
  void checkPreconditions(const NodeModel& model) const override { RC_PRE(index_ < model.workloads.size()); }
  void show(std::ostream& os) const override { os << fmt::format("Delete({}-1)", index_ + 1); }

 protected:
  void change(NodeModel& model) const override { model.request_delete(index_); }
  void act(const NodeModel& before, NodeWorld& sut) const override {
    const core::Status taken = sut.request_delete(before.workloads[index_].id);
    const Taken want = before.delete_taken(index_);
    if (want == Taken::yes && !taken) RC_FAIL("the explorer refused the delete of a live workload: " + taken.error());
    if (want == Taken::no && taken) RC_FAIL("the explorer took the delete of a workload that had ended");
  }
  std::int64_t settle_ms() const override { return delete_settle_ms; }

 private:
  std::size_t index_;
};

std::vector<std::size_t> surely_running(const NodeModel& model) {
  std::vector<std::size_t> indices;
  for (std::size_t index = 0; index < model.workloads.size(); index += 1) {
    if (model.workloads[index].surely_holds()) indices.push_back(index);
  }
  return indices;
}

class Crash final : public NodeCommand {
 public:
  explicit Crash(const NodeModel& model) {
    const std::vector<std::size_t> running = surely_running(model);
    index_ = running.empty() ? model.workloads.size() : *rc::gen::elementOf(running);
  }
  void checkPreconditions(const NodeModel& model) const override {
    // A bool first: rapidcheck's assertion macros capture the expression, and an && inside them
    // would not short-circuit.
    const bool runs = index_ < model.workloads.size() && model.workloads[index_].surely_holds();
    RC_PRE(runs);
  }
  void show(std::ostream& os) const override { os << fmt::format("Crash({}-1)", index_ + 1); }

 protected:
  void change(NodeModel& model) const override { model.crash(index_); }
  void act(const NodeModel& before, NodeWorld& sut) const override {
    const core::Status crashed = sut.crash(before.workloads[index_].id);
    if (!crashed) RC_FAIL("the runtime could not crash a container that should run: " + crashed.error());
  }
  std::int64_t settle_ms() const override { return crash_settle_ms; }

 private:
  std::size_t index_ = 0;
};

class Advance final : public NodeCommand {
 public:
  // 51, 54 and 57 s put a crash exactly one minute after an earlier one with a crash's 3 s between
  // them: the crash window's inclusive end is reached.
  Advance()
      : ms_(*one_of<std::int64_t>({1'000, 2'000, 5'000, 10'000, 20'000, 45'000, 51'000, 54'000, 57'000, 60'000, 90'000,
                                   120'000})) {}
  void show(std::ostream& os) const override { os << fmt::format("Advance({} s)", ms_ / 1000); }

 protected:
  void change(NodeModel&) const override {}
  void act(const NodeModel&, NodeWorld&) const override {}
  std::int64_t settle_ms() const override { return ms_; }

 private:
  std::int64_t ms_;
};

class RestartDaemon final : public NodeCommand {
 public:
  void show(std::ostream& os) const override { os << "RestartDaemon"; }

 protected:
  void change(NodeModel& model) const override { model.daemon_stopped(); }
  void act(const NodeModel&, NodeWorld& sut) const override { sut.restart_daemon(); }
  std::int64_t settle_ms() const override { return restart_settle_ms; }
};

class Reboot final : public NodeCommand {
 public:
  void show(std::ostream& os) const override { os << "Reboot"; }

 protected:
  void change(NodeModel& model) const override { model.daemon_stopped(); }
  void act(const NodeModel&, NodeWorld& sut) const override { sut.reboot(); }
  std::int64_t settle_ms() const override { return reboot_settle_ms; }
};

// Takes the hub (or redis) down when `down`, up otherwise; only a change of state is a command.
template <bool down>
class HubSwitch final : public NodeCommand {
 public:
  void checkPreconditions(const NodeModel& model) const override { RC_PRE(model.hub_down != down); }
  void show(std::ostream& os) const override { os << (down ? "HubDown" : "HubUp"); }

 protected:
  void change(NodeModel& model) const override { model.hub_down = down; }
  void act(const NodeModel&, NodeWorld& sut) const override { sut.set_hub_down(down); }
  std::int64_t settle_ms() const override { return toggle_settle_ms; }
};

template <bool down>
class RedisSwitch final : public NodeCommand {
 public:
  void checkPreconditions(const NodeModel& model) const override { RC_PRE(model.redis_down != down); }
  void show(std::ostream& os) const override { os << (down ? "RedisDown" : "RedisUp"); }

 protected:
  void change(NodeModel& model) const override { model.set_redis_down(down); }
  void act(const NodeModel&, NodeWorld& sut) const override { sut.set_redis_down(down); }
  std::int64_t settle_ms() const override { return toggle_settle_ms; }
};

rc::Gen<Shape> shape() {
  return rc::gen::exec([] {
    Shape shape;
    shape.seed = *rc::gen::arbitrary<std::uint64_t>();
    shape.totals.cpu = *one_of<std::uint64_t>({4, 6, 8, 12});
    shape.totals.memory_mib = 1024 * *one_of<std::uint64_t>({2, 4, 8, 12});
    shape.totals.ssd_mib = 1024 * *one_of<std::uint64_t>({2, 3, 4, 6});  // The volume takes 1 GiB of it.
    shape.totals.hdd_mib = 1024 * *one_of<std::uint64_t>({1, 2, 4});
    shape.ipv4_only = *rc::gen::arbitrary<bool>();
    return shape;
  });
}

RC_GTEST_PROP(NodeModel, TheNodeDoesWhatTheModelPredicts, ()) {
  const Shape node_shape = *shape();
  RC_TAG(node_shape.ipv4_only ? "ipv4-only node" : "dual-stack node");
  NodeWorld sut(node_shape);
  const NodeModel initial = NodeModel::initial(node_shape);
  expect_agreement(sut, initial, false);
  const auto generate = rc::state::gen::execOneOfWithArgs<Deliver, Deliver, Deliver, Delete, Crash, Crash, Advance,
                                                          RestartDaemon, Reboot, HubSwitch<true>, HubSwitch<false>,
                                                          RedisSwitch<true>, RedisSwitch<false>>();
  const int limit = commands_max();
  const auto commands = *rc::gen::withSize([&](int size) {
    return rc::gen::resize(std::min(size, limit), rc::state::gen::commands(initial, generate));
  });
  rc::state::runAll(commands, initial, sut);
  NodeModel last = initial;
  rc::state::applyAll(commands, last);
  RC_CLASSIFY(last.workloads.size() >= 5, "5 or more workloads");
  RC_CLASSIFY(std::any_of(last.workloads.begin(), last.workloads.end(), [](const ModelWorkload& w) { return w.gave_up; }),
              "a container gave up");
  RC_CLASSIFY(std::any_of(last.workloads.begin(), last.workloads.end(),
                          [](const ModelWorkload& w) { return w.prediction.may_ok && w.prediction.may_error(); }),
              "an uncertain outcome");
  const std::vector<std::string> problems = sut.wind_down(last);
  if (!problems.empty()) RC_FAIL("after the wind-down:" + joined(problems));
}

}  // namespace
}  // namespace zsim::properties
