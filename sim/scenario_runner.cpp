#include "sim/scenario_runner.hpp"

#include "kernel/trace_line.hpp"
#include "kernel/trace_value.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>
#include <set>

#include "core/identity.hpp"
#include "core/planted_bugs.hpp"
#include "core/reservation.hpp"
#include "core/secret_env.hpp"
#include "sim/checker.hpp"
#include "sim/faults.hpp"
#include "sim/world.hpp"

namespace zsim::sim {

namespace {

using nlohmann::json;

// The networks and volumes present at start outlive any scenario by this much.
constexpr std::int64_t setup_lifetime_extra_ms = std::int64_t{30} * 24 * 3'600'000;
constexpr std::int64_t wind_down_step_ms = 10'000;
// The PRNG stream of the runner's own draws (secret nonces), apart from the world's components.
constexpr std::uint64_t runner_stream = 5'000'000'000ULL;

// A result as expectations name it: ok "", error "message".
std::string describe_result(const core::ProvisionResult& result) {
  return fmt::format("{} \"{}\"", fakes::to_string(result.state), result.message);
}

std::string describe_states(const std::vector<core::ResultState>& states) {
  std::string text = "[";
  for (std::size_t index = 0; index < states.size(); index += 1) {
    text += (index == 0 ? "" : ", ") + std::string(fakes::to_string(states[index]));
  }
  return text + "]";
}

// The fields of want that got lacks or holds with another value, as "key: expected X, got Y".
std::optional<std::pair<std::string, std::string>> compare_fields(const json& want, const json& got) {
  for (const auto& [key, value] : want.items()) {
    if (!got.is_object() || !got.contains(key)) return std::pair{fmt::format("{}={}", key, value.dump()), "no " + key};
    if (got[key] != value) return std::pair{fmt::format("{}={}", key, value.dump()), fmt::format("{}={}", key, got[key].dump())};
  }
  return std::nullopt;
}

// "<time_ms> <node> <kind> <fields>": does the line match node, kind and every key=value?
bool trace_line_matches(std::string_view line, const TraceCheck& check) {
  const std::optional<kernel::TraceLineView> parsed = kernel::parse_trace_line(line);
  if (!parsed) return false;
  if (!check.node.empty() && parsed->node != check.node) return false;
  if (parsed->kind != check.kind) return false;
  const std::string_view fields = parsed->fields;
  for (const auto& [key, value] : check.fields) {
    const std::string token = key + "=" + value;
    std::size_t position = 0;
    bool found = false;
    while (!found && (position = fields.find(token, position)) != std::string_view::npos) {
      const bool starts = position == 0 || fields[position - 1] == ' ';
      const std::size_t end = position + token.size();
      found = starts && (end == fields.size() || fields[end] == ' ');
      position += 1;
    }
    if (!found) return false;
  }
  return true;
}

using Outcome = std::optional<std::pair<std::string, std::string>>;  // None: the check held.

bool has_trace_checks(const Scenario& scenario) {
  return std::any_of(scenario.checks.begin(), scenario.checks.end(),
                     [](const Check& check) { return check.kind == CheckKind::trace; });
}

class Runner {
 public:
  Runner(const Scenario& scenario, const ScenarioRunOptions& options, ScenarioRun& run)
      : scenario_(scenario),
        run_(run),
        world_(scenario.seed, options.publisher),
        checker_(world_),
        prng_(world_.prng().fork(runner_stream)),
        trace_path_(options.trace_path) {
    if (options.keep_trace_lines || has_trace_checks(scenario)) {
      world_.trace().keep_lines(scenario_trace_lines_max, scenario_trace_bytes_max);
    }
    if (options.pacer) world_.set_pacer(options.pacer);
    if (!options.trace_path.empty() && !world_.trace().write_to(options.trace_path)) {
      run_.io_error = fmt::format("cannot write the trace to {}", options.trace_path);
    }
  }

  void run() {
    build();
    schedule_steps();
    evaluate_checks();
    wind_down();
    judge();
  }

 private:
  std::int64_t offset_now() const { return world_.now_ms() - world_epoch_ms; }
  void record(std::string_view kind, const std::string& fields) {
    world_.trace().record(world_.now_ms(), "scenario", kind, fields);
  }
  std::size_t node_index(const std::string& label) const {
    const std::size_t index = world_.find_node(label);
    assert(index < world_.node_count());
    return index;
  }

  void build() {
    record("scenario_start", fmt::format("name={} seed={}", escaped(scenario_.name), scenario_.seed));
    for (const RedisSpec& server : scenario_.redis) {
      world_.redis().add_server(server.address, server.password);
      checker_.watch_redis_server(server.address);
      if (!server.password.empty()) checker_.add_secret(server.password);
    }
    for (const NodeSpec& node : scenario_.nodes) {
      NodeSetup setup;
      setup.label = node.label;
      setup.totals = node.totals;
      setup.ipv4_only = node.ipv4_only;
      setup.knobs = node.knobs;
      for (const std::string& bug : scenario_.planted_bugs) setup.planted.plant(*core::find_planted_bug(bug));
      const std::size_t index = world_.add_node(setup);
      run_.node_labels[world_.node(index).node_id] = node.label;
    }
    for (const FlistSpec& flist : scenario_.flists) {
      world_.hub().add_flist(flist.url, flist.image);
      if (flist.not_found) world_.hub().set_not_found(flist.url, true);
      if (flist.corrupt) world_.hub().set_corrupt(flist.url, true);
      if (flist.md5_mismatch) world_.hub().set_md5_mismatch(flist.url, true);
      if (flist.status != 0) world_.hub().set_status(flist.url, flist.status);
      if (!flist.program) continue;
      for (std::size_t index = 0; index < world_.node_count(); index += 1) {
        world_.node(index).runtime->set_program_for_flist(flist.image.name, *flist.program);
      }
    }
    for (const NodeSpec& node : scenario_.nodes) add_setup_workloads(node);
    if (scenario_.poll_descending) world_.explorer().set_poll_order(fakes::FakeExplorer::PollOrder::descending);
    for (std::size_t index = 0; scenario_.buggify && index < world_.node_count(); index += 1) {
      world_.node(index).faults->set_self_activation(true);
    }
    expect_stats_cadences();
  }

  // The loader checked that each names a container with stats on a server of the file. With a
  // real redis (--redis) the checker does not see what is published: there is nothing to count.
  void expect_stats_cadences() {
    if (!world_.uses_fake_redis()) return;
    for (const std::string& workload : scenario_.stats_cadence) {
      const std::optional<std::string> endpoint = stats_endpoint(scenario_, workload);
      assert(endpoint.has_value());
      const core::Expected<core::RedisUrl> url = core::parse_redis_url(*endpoint);
      assert(url.ok());
      const ReservationSpec* reservation = scenario_.reservation(std::stoull(workload));
      assert(reservation != nullptr);
      const std::size_t index = world_.find_node(reservation->node);
      assert(index < world_.node_count());
      checker_.expect_stats_cadence(workload, url.value().address(), url.value().channel,
                                    world_.node(index).config.container.stats_interval_ms);
    }
  }

  // The core's fault points, self-activated ones included, go quiet for the liveness phase.
  void quiet_fault_points() {
    if (!scenario_.buggify) return;
    for (std::size_t index = 0; index < world_.node_count(); index += 1) world_.node(index).faults->disable_all();
  }

  core::Workload base_workload(const std::string& id, std::uint64_t reservation_id, const std::string& owner) {
    core::Workload workload;
    workload.id = id;
    workload.reservation_id = reservation_id;
    workload.user_id = owner;
    workload.user_public_key_hex = world_.user_identity(owner).public_key_hex();
    workload.created_s = world_.now_ms() / 1000;
    workload.version = 1;
    return workload;
  }

  void add_setup_workloads(const NodeSpec& node) {
    const std::string& node_id = world_.node(node_index(node.label)).node_id;
    const std::int64_t lifetime_s = (scenario_.end_ms + setup_lifetime_extra_ms) / 1000;
    for (const NetworkSpec& network : node.networks) {
      core::Workload workload = base_workload(network.workload_id, 0, network.owner);
      workload.type = core::WorkloadType::network_resource;
      workload.duration_s = lifetime_s;
      workload.payload_json = json{{"name", network.name}, {"subnet", network.subnet}}.dump();
      world_.explorer().add_workload(node_id, workload, world_.now_ms());
    }
    for (const VolumeSpec& volume : node.volumes) {
      const std::uint64_t reservation_id = std::stoull(volume.workload_id.substr(0, volume.workload_id.find('-')));
      core::Workload workload = base_workload(volume.workload_id, reservation_id, volume.owner);
      workload.type = core::WorkloadType::volume;
      workload.duration_s = lifetime_s;
      workload.payload_json = json{{"size", volume.size_gib}, {"type", volume.disk_type}}.dump();
      world_.explorer().add_workload(node_id, workload, world_.now_ms());
    }
  }

  // Steps run as events at their time, scheduled before anything else that happens at that time,
  // in file order.
  void schedule_steps() {
    for (const StepSpec& step : scenario_.steps) {
      if (step.kind == StepKind::advance) continue;
      world_.scheduler().at(world_epoch_ms + step.at_ms, [this, &step] { execute(step); });
    }
  }

  void step_failed(const StepSpec& step, const std::string& expected, const std::string& got) {
    run_.failures.push_back(CheckFailure{step.path + " " + std::string(to_string(step.kind)), expected, got, offset_now()});
  }

  void execute(const StepSpec& step) {
    // A step never runs early; it runs late only after a clock step jumped over its time.
    assert(world_.now_ms() >= world_epoch_ms + step.at_ms);
    switch (step.kind) {
      case StepKind::deliver: return deliver(*scenario_.reservation(step.reservation), step);
      case StepKind::remove: return remove(step);
      case StepKind::fault:
      case StepKind::heal: return apply_fault(step.fault, step.kind == StepKind::fault, step.note);
      case StepKind::heal_all: return heal_all();
      case StepKind::crash: return crash(step);
      case StepKind::restart_daemon:
        record("step", fmt::format("action=restart_daemon node={}{}", escaped(step.node), note_field(step.note)));
        return world_.restart_daemon(node_index(step.node));
      case StepKind::reboot:
        record("step", fmt::format("action=reboot node={}{}", escaped(step.node), note_field(step.note)));
        return world_.reboot_node(node_index(step.node));
      case StepKind::advance: return;
    }
  }

  // A value of the scenario file, escaped as every trace value is (the loader bounds its length).
  static std::string escaped(const std::string& value) { return kernel::trace_value(value, SIZE_MAX); }

  static std::string note_field(const std::string& note) {
    if (note.empty()) return "";
    return " note=" + escaped(note);
  }

  void deliver(const ReservationSpec& reservation, const StepSpec& step) {
    const std::size_t index = node_index(reservation.node);
    World::NodeSlot& slot = world_.node(index);
    record("step", fmt::format("action=deliver reservation={} node={} workloads={} paid_after_ms={}{}", reservation.id,
                               escaped(reservation.node), reservation.workloads.size(), reservation.paid_after_ms,
                               note_field(step.note)));
    for (std::size_t number = 0; number < reservation.workloads.size(); number += 1) {
      const WorkloadSpec& spec = reservation.workloads[number];
      const std::string id = fmt::format("{}-{}", reservation.id, number + 1);
      core::Workload workload = base_workload(id, reservation.id, reservation.owner);
      workload.type = spec.type;
      workload.duration_s = reservation.duration_ms / 1000;
      workload.version = spec.secret_version;
      workload.payload_json = payload_for(spec, slot, reservation.owner, number + 1);
      if (spec.program) slot.runtime->set_program(id, *spec.program);
      world_.explorer().add_workload(slot.node_id, workload, world_.now_ms() + reservation.paid_after_ms);
    }
  }

  // The payload as the explorer hands it over: the node id and workload number filled in when the
  // file leaves them out, and secrets encrypted for this node by the owner, as a client does.
  std::string payload_for(const WorkloadSpec& spec, const World::NodeSlot& slot, const std::string& owner,
                          std::size_t number) {
    json payload = spec.payload;
    if (spec.type != core::WorkloadType::container) return payload.dump();
    if (!payload.contains("node_id")) payload["node_id"] = slot.node_id;
    if (!payload.contains("workload_id")) payload["workload_id"] = number;
    if (spec.secrets.empty()) return payload.dump();
    const core::Identity& node = slot.identity;
    json secrets = json::object();
    for (const SecretSpec& secret : spec.secrets) {
      if (secret.raw) {
        secrets[secret.name] = secret.ciphertext_hex;
        continue;
      }
      checker_.add_secret(secret.plaintext);
      // An unknown version is what the zos bug needs; its ciphertext is of version 1.
      const std::uint32_t version = spec.secret_version == 0 ? 0 : 1;
      secrets[secret.name] = world_.encrypt_secret(owner, node, version, secret.plaintext, prng_.next_u64());
    }
    payload["secret_environment"] = secrets;
    return payload.dump();
  }

  void remove(const StepSpec& step) {
    std::vector<std::string> ids;
    if (!step.workload.empty()) {
      ids.push_back(step.workload);
    } else {
      const ReservationSpec& reservation = *scenario_.reservation(step.reservation);
      for (std::size_t number = 1; number <= reservation.workloads.size(); number += 1) {
        ids.push_back(fmt::format("{}-{}", reservation.id, number));
      }
    }
    for (const std::string& id : ids) {
      record("step", fmt::format("action=delete workload={}{}", escaped(id), note_field(step.note)));
      const core::Status deleted = world_.explorer().request_delete(id);
      if (!deleted && step.if_possible) record("step_skipped", fmt::format("action=delete workload={}", escaped(id)));
      if (!deleted && !step.if_possible) step_failed(step, "the explorer takes the delete of " + id, deleted.error());
    }
  }

  void crash(const StepSpec& step) {
    record("step", fmt::format("action=crash workload={}{}", escaped(step.workload), note_field(step.note)));
    const std::optional<std::string> node_id = world_.explorer().node_of(step.workload);
    const std::size_t index = node_id ? world_.find_node(*node_id) : world_.node_count();
    const core::Status crashed = index < world_.node_count() ? world_.node(index).runtime->crash(step.workload)
                                                             : core::Status{core::Error{"not delivered"}};
    if (!crashed && step.if_possible) return record("step_skipped", fmt::format("action=crash workload={}", escaped(step.workload)));
    if (index >= world_.node_count()) return step_failed(step, "a delivered workload " + step.workload, "none");
    if (!crashed) step_failed(step, "container " + step.workload + " running", crashed.error());
  }

  static std::string fault_key(const FaultSpec& fault) { return fault.kind + "|" + fault.target + "|" + fault.point; }

  void apply_fault(const FaultSpec& fault, bool on, const std::string& note) {
    record("step", fmt::format("action={} fault={}{}{}{}", on ? "fault" : "heal", escaped(fault.kind),
                               fault.target.empty() ? "" : " target=" + escaped(fault.target),
                               fault.point.empty() ? "" : " point=" + escaped(fault.point), note_field(note)));
    if (on && fault.kind != "clock.step") active_faults_.emplace(fault_key(fault), fault);
    if (!on) active_faults_.erase(fault_key(fault));
    sim::apply_fault(world_, fault, on);
  }

  void heal_all() {
    record("step", fmt::format("action=heal_all faults={}", active_faults_.size()));
    // A copy: healing erases from the map.
    const std::map<std::string, FaultSpec> active = active_faults_;
    for (const auto& [key, fault] : active) apply_fault(fault, false, "");
    quiet_fault_points();
  }

  // --- Expectations ---------------------------------------------------------------------------

  // Each check runs once the world has run through its time (everything due at that time included).
  void evaluate_checks() {
    std::set<std::int64_t> times;
    for (const Check& check : scenario_.checks) times.insert(check.at_ms.value_or(scenario_.end_ms));
    for (const StepSpec& step : scenario_.steps) times.insert(step.at_ms);
    times.insert(scenario_.end_ms);
    for (const std::int64_t at_ms : times) {
      world_.run_until(std::max(world_.now_ms(), world_epoch_ms + at_ms));
      for (const Check& check : scenario_.checks) {
        if (check.at_ms.value_or(scenario_.end_ms) == at_ms) evaluate(check);
      }
    }
    run_.end_ms = offset_now();
  }

  void evaluate(const Check& check) {
    assert(world_.now_ms() >= world_epoch_ms + check.at_ms.value_or(scenario_.end_ms));
    run_.checks_total += 1;
    Outcome outcome;
    std::string subject;
    switch (check.kind) {
      case CheckKind::result: subject = check.result.workload; outcome = check_result(check.result); break;
      case CheckKind::capacity: subject = check.capacity.node; outcome = check_capacity(check.capacity); break;
      case CheckKind::messages:
        if (!world_.uses_fake_redis()) {
          run_.checks_total -= 1;
          run_.checks_skipped += 1;
          return;
        }
        subject = check.messages.server + "/" + check.messages.channel;
        outcome = check_messages(check.messages);
        break;
      case CheckKind::delivery: subject = check.delivery.node; outcome = check_delivery(check.delivery); break;
      case CheckKind::container: subject = check.container.workload; outcome = check_container(check.container); break;
      case CheckKind::trace: subject = check.trace.kind; outcome = check_trace(check.trace); break;
    }
    if (outcome) run_.failures.push_back(CheckFailure{check.path + " " + subject, outcome->first, outcome->second, offset_now()});
  }

  // The result a check looks at: the first of the state asked for (the last, for "deleted"), or
  // without a state the terminal one (the first ok or error).
  static const core::ProvisionResult* pick_result(const std::vector<core::ProvisionResult>& results,
                                                  std::optional<core::ResultState> state) {
    if (state == core::ResultState::deleted) {
      for (auto it = results.rbegin(); it != results.rend(); ++it) {
        if (it->state == core::ResultState::deleted) return &*it;
      }
      return nullptr;
    }
    for (const core::ProvisionResult& result : results) {
      if (state ? result.state == *state : result.state != core::ResultState::deleted) return &result;
    }
    return nullptr;
  }

  Outcome check_result(const ResultCheck& check) {
    const std::vector<core::ProvisionResult>& results = world_.explorer().results(check.workload);
    if (check.sequence) {
      std::vector<core::ResultState> states;
      for (const core::ProvisionResult& result : results) states.push_back(result.state);
      if (states != *check.sequence) return std::pair{describe_states(*check.sequence), describe_states(states)};
    }
    if (check.explorer_state) {
      const std::optional<fakes::NextAction> state = world_.explorer().state(check.workload);
      const std::string got = state ? std::string(fakes::to_string(*state)) : "not at the explorer";
      if (got != *check.explorer_state) return std::pair{"explorer state " + *check.explorer_state, "explorer state " + got};
    }
    if (check.before) {
      if (Outcome order = check_result_order(check, results)) return order;
    }
    if (!check.state && !check.message && check.data.is_null()) return std::nullopt;
    const core::ProvisionResult* result = pick_result(results, check.state);
    const std::string want = fmt::format("{}{}", check.state ? std::string(fakes::to_string(*check.state)) : "a result",
                                         check.message ? fmt::format(" \"{}\"", *check.message) : "");
    if (result == nullptr) {
      // Show what came instead: the terminal result, or the states of all.
      const core::ProvisionResult* terminal = pick_result(results, std::nullopt);
      if (terminal != nullptr) return std::pair{want, describe_result(*terminal)};
      std::vector<core::ResultState> states;
      for (const core::ProvisionResult& each : results) states.push_back(each.state);
      return std::pair{want, results.empty() ? std::string("no result") : "results " + describe_states(states)};
    }
    if ((check.state && result->state != *check.state) || (check.message && result->message != *check.message)) {
      return std::pair{want, describe_result(*result)};
    }
    if (!check.data.is_null()) {
      const json data = json::parse(result->data_json.empty() ? "{}" : result->data_json, nullptr, false);
      if (auto difference = compare_fields(check.data, data)) {
        return std::pair{"data " + difference->first, "data " + difference->second};
      }
    }
    return std::nullopt;
  }

  // "before": the result this check picks reached the explorer before the other's terminal result.
  Outcome check_result_order(const ResultCheck& check, const std::vector<core::ProvisionResult>& results) {
    const std::string& other_id = *check.before;
    const std::vector<core::ProvisionResult>& others = world_.explorer().results(other_id);
    const core::ProvisionResult* mine = pick_result(results, check.state);
    const core::ProvisionResult* theirs = pick_result(others, std::nullopt);
    const std::string what = check.state ? std::string(fakes::to_string(*check.state)) + " result" : "terminal result";
    const std::string want = fmt::format("the {} of {} before the terminal result of {}", what, check.workload, other_id);
    if (mine == nullptr) return std::pair{want, fmt::format("no {} of {}", what, check.workload)};
    if (theirs == nullptr) return std::pair{want, fmt::format("no terminal result of {}", other_id)};
    const std::uint64_t my_rank = world_.explorer().accepted_rank(check.workload, static_cast<std::size_t>(mine - results.data()));
    const std::uint64_t their_rank = world_.explorer().accepted_rank(other_id, static_cast<std::size_t>(theirs - others.data()));
    if (my_rank < their_rank) return std::nullopt;
    return std::pair{want, fmt::format("{}'s came first", other_id)};
  }

  static std::string describe_usage(const core::CapacityUsage& used) {
    return fmt::format("cpu={} memory_mib={} ssd_mib={} hdd_mib={}", used.cpu, used.memory_mib, used.ssd_mib, used.hdd_mib);
  }

  Outcome check_capacity(const CapacityCheck& check) {
    const World::NodeSlot& slot = world_.node(node_index(check.node));
    if (check.used) {
      const std::string want = describe_usage(*check.used);
      if (slot.node == nullptr) return std::pair{want, "the daemon is down"};
      if (slot.node->used() != *check.used) return std::pair{want, describe_usage(slot.node->used())};
    }
    const std::optional<core::CapacityUsage> want_reported = check.reported_usage ? check.reported_usage
                                                             : check.reported    ? check.used
                                                                                 : std::nullopt;
    if (!want_reported) return std::nullopt;
    return check_reported(slot, *want_reported);
  }

  Outcome check_reported(const World::NodeSlot& slot, const core::CapacityUsage& want_usage) {
    const std::string want = "reported " + describe_usage(want_usage);
    const std::optional<core::CapacityUsage> reported = world_.explorer().capacity(slot.node_id);
    if (!reported) return std::pair{want, "nothing reported"};
    if (*reported != want_usage) return std::pair{want, "reported " + describe_usage(*reported)};
    return std::nullopt;
  }

  Outcome check_messages(const MessagesCheck& check) {
    const std::uint64_t count = world_.redis().messages(check.server, check.channel);
    if (!check.count.contains(count)) {
      return std::pair{fmt::format("{} messages", check.count.describe()), fmt::format("{} messages", count)};
    }
    if (check.last_json.is_null() && !check.last_text) return std::nullopt;
    const std::vector<std::string> recent = world_.redis().recent_payloads(check.server, check.channel);
    if (recent.empty()) return std::pair{"a last message", "no message"};
    if (check.last_text && recent.back() != *check.last_text) {
      return std::pair{"last message " + json(*check.last_text).dump(), "last message " + json(recent.back()).dump()};
    }
    if (check.last_json.is_null()) return std::nullopt;
    const json last = json::parse(recent.back(), nullptr, false);
    if (auto difference = compare_fields(check.last_json, last)) {
      return std::pair{"last message " + difference->first, "last message " + difference->second};
    }
    return std::nullopt;
  }

  Outcome check_delivery(const DeliveryCheck& check) {
    const core::PushersTotals totals = world_.delivery_totals(node_index(check.node));
    const core::DeliveryCounters& t = totals.targets;
    const std::map<std::string, std::uint64_t> values{
        {"lines_produced", t.lines_produced},   {"lines_delivered", t.lines_delivered},
        {"lines_dropped", t.lines_dropped},     {"lines_buffered", t.lines_buffered},
        {"lines_in_flight", t.lines_in_flight}, {"stats_ticks", totals.stats_ticks},
        {"stats_published", t.stats_published}, {"stats_delivered", t.stats_delivered},
        {"stats_failed", t.stats_failed},       {"stats_missed", t.stats_missed},
        {"lines_out", totals.lines_out},        {"lines_err", totals.lines_err},
        {"long_line_pieces", totals.long_line_pieces}};
    for (const auto& [name, range] : check.counters) {
      const std::uint64_t value = values.at(name);
      if (!range.contains(value)) return std::pair{fmt::format("{}={}", name, range.describe()), fmt::format("{}={}", name, value)};
    }
    return std::nullopt;
  }

  Outcome check_container(const ContainerCheck& check) {
    const std::optional<std::string> node_id = world_.explorer().node_of(check.workload);
    const std::size_t index = node_id ? world_.find_node(*node_id) : world_.node_count();
    if (index >= world_.node_count()) return std::pair{"a delivered workload", "not delivered"};
    const fakes::FakeRuntime& runtime = *world_.node(index).runtime;
    const std::vector<std::string> running = runtime.running();
    const bool is_running = std::find(running.begin(), running.end(), check.workload) != running.end();
    if (check.running && *check.running != is_running) {
      return std::pair{*check.running ? "running" : "not running", is_running ? "running" : "not running"};
    }
    const std::optional<core::ContainerSpec> spec = runtime.spec(check.workload);
    const bool asks_spec = check.ipv4 || check.entrypoint || check.interactive || check.env_names || check.binds ||
                           check.cpu_limit_millicores || check.memory_mib;
    if (!asks_spec) return std::nullopt;
    if (!spec) return std::pair{"a container", "no container"};
    if (check.ipv4 && spec->ipv4 != *check.ipv4) return std::pair{"ipv4 " + *check.ipv4, "ipv4 " + spec->ipv4};
    if (check.entrypoint && spec->entrypoint != *check.entrypoint) {
      return std::pair{"entrypoint \"" + *check.entrypoint + "\"", "entrypoint \"" + spec->entrypoint + "\""};
    }
    if (check.interactive && spec->interactive != *check.interactive) {
      return std::pair{fmt::format("interactive={}", *check.interactive), fmt::format("interactive={}", spec->interactive)};
    }
    if (check.env_names) {
      std::vector<std::string> names;
      for (const auto& [name, value] : spec->environment) names.push_back(name);
      std::sort(names.begin(), names.end());
      std::vector<std::string> want = *check.env_names;
      std::sort(want.begin(), want.end());
      if (names != want) return std::pair{"env " + fmt::format("{}", fmt::join(want, ",")), "env " + fmt::format("{}", fmt::join(names, ","))};
    }
    const auto same_binds = [](const std::vector<core::BindMount>& a, const std::vector<core::BindMount>& b) {
      return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const core::BindMount& x, const core::BindMount& y) {
        return x.volume_id == y.volume_id && x.target == y.target;
      });
    };
    if (check.binds && !same_binds(spec->binds, *check.binds)) {
      const auto show = [](const std::vector<core::BindMount>& binds) {
        std::string text;
        for (const core::BindMount& bind : binds) text += (text.empty() ? "" : ",") + bind.volume_id + ":" + bind.target;
        return "binds [" + text + "]";
      };
      return std::pair{show(*check.binds), show(spec->binds)};
    }
    if (check.memory_mib && spec->memory_mib != *check.memory_mib) {
      return std::pair{fmt::format("memory_mib={}", *check.memory_mib), fmt::format("memory_mib={}", spec->memory_mib)};
    }
    if (check.cpu_limit_millicores) {
      const std::uint64_t limit = runtime.container_cpu_limit_millicores(check.workload).value_or(0);
      if (limit != *check.cpu_limit_millicores) {
        return std::pair{fmt::format("cpu_limit_millicores={}", *check.cpu_limit_millicores), fmt::format("cpu_limit_millicores={}", limit)};
      }
    }
    return std::nullopt;
  }

  Outcome check_trace(const TraceCheck& check) {
    const auto& lines = world_.trace().lines();
    if (world_.trace().events() != lines.size()) {
      return std::pair{"a trace kept whole", fmt::format("more than {} lines or {} bytes (scenario_trace_lines_max, "
                                                         "scenario_trace_bytes_max)", scenario_trace_lines_max,
                                                         scenario_trace_bytes_max)};
    }
    const std::uint64_t count = static_cast<std::uint64_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& line) { return trace_line_matches(line, check); }));
    if (check.count.contains(count)) return std::nullopt;
    return std::pair{fmt::format("{} lines", check.count.describe()), fmt::format("{} lines", count)};
  }

  // --- The end ------------------------------------------------------------------------------

  bool settled() {
    for (const core::Workload& workload : world_.explorer().workloads()) {
      const std::optional<fakes::NextAction> state = world_.explorer().state(workload.id);
      if (state != fakes::NextAction::deleted && state != fakes::NextAction::invalid) return false;
    }
    for (std::size_t index = 0; index < world_.node_count(); index += 1) {
      const World::NodeSlot& slot = world_.node(index);
      if (slot.node == nullptr || !slot.node->idle() || !slot.runtime->running().empty()) return false;
    }
    return world_.redis().connections_open() == 0;
  }

  // Every fault heals and every reservation still alive is deleted, so that the checker can judge
  // a finished world: one terminal result and one "deleted" each, everything released.
  void wind_down() {
    record("wind_down", fmt::format("faults={}", active_faults_.size()));
    const std::map<std::string, FaultSpec> active = active_faults_;
    for (const auto& [key, fault] : active) apply_fault(fault, false, "");
    quiet_fault_points();
    for (const core::Workload& workload : world_.explorer().workloads()) {
      const std::optional<fakes::NextAction> state = world_.explorer().state(workload.id);
      if (state == fakes::NextAction::pay || state == fakes::NextAction::deploy) {
        (void)world_.explorer().request_delete(workload.id);
      }
    }
    assert(active_faults_.empty());
    const std::int64_t deadline_ms = world_.now_ms() + scenario_wind_down_max_ms;
    while (world_.now_ms() < deadline_ms) {
      world_.run_until(world_.now_ms() + wind_down_step_ms);
      if (settled()) break;
    }
    // A last stretch lets the deleted-markers' pruning and any pusher drain end on their own.
    world_.run_until(world_.now_ms() + wind_down_step_ms);
    record("scenario_end", "");
    run_.wound_down_ms = offset_now();
  }

  void judge() {
    run_.checks_total += 1;  // The properties, as one check.
    for (const Violation& violation : checker_.finish()) {
      if (violation.property == "secret_leaked" && !scenario_.no_secret_leaked) continue;
      const std::string check = violation.property == "secret_leaked" ? "expect.no_secret_leaked" : "property " + violation.property;
      run_.failures.push_back(CheckFailure{check, "no violation", violation.detail, violation.time_ms - world_epoch_ms});
    }
    summarise(world_, run_.summary);
    run_.summary.seed = scenario_.seed;
    run_.summary.sim_seconds = run_.wound_down_ms / 1000;
    run_.trace_hash = world_.trace().hash_hex();
    run_.events = world_.trace().events();
    if (scenario_.trace_hash && !world_.uses_fake_redis()) {
      run_.checks_skipped += 1;
    } else if (scenario_.trace_hash) {
      run_.checks_total += 1;
      if (*scenario_.trace_hash != run_.trace_hash) {
        run_.failures.push_back(CheckFailure{"expect.trace_hash", *scenario_.trace_hash, run_.trace_hash, run_.wound_down_ms});
      }
    }
    run_.trace_lines = world_.trace().take_lines();
    run_.trace_kinds = checker_.trace_kinds();
    run_.points_fired = checker_.points_fired();
    // Every line is recorded by now: a write that failed, or the final flush, fails the run.
    if (const std::string error = world_.trace().close_file(); !error.empty() && run_.io_error.empty()) {
      run_.io_error = fmt::format("cannot write the trace to {}: {}", trace_path_, error);
    }
    run_.passed = run_.failures.empty() && run_.io_error.empty();
    assert(run_.checks_total + run_.checks_skipped >= scenario_.checks.size() + 1);
    assert(run_.wound_down_ms >= run_.end_ms);
  }

  const Scenario& scenario_;
  ScenarioRun& run_;
  World world_;
  Checker checker_;
  kernel::Prng prng_;
  std::string trace_path_;
  std::map<std::string, FaultSpec> active_faults_;
};

}  // namespace

std::string CheckFailure::line() const {
  return fmt::format("{} at {}: expected {}, got {}", check, format_offset(at_ms), expected, got);
}

ScenarioRun run_scenario(const Scenario& scenario, const ScenarioRunOptions& options) {
  assert(!scenario.nodes.empty());
  ScenarioRun run;
  Runner runner(scenario, options, run);
  if (!run.io_error.empty()) return run;
  runner.run();
  return run;
}

}  // namespace zsim::sim
