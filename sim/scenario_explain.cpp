#include "sim/scenario_explain.hpp"

#include "kernel/trace_line.hpp"
#include "kernel/trace_value.hpp"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <optional>
#include <string_view>

#include "sim/scenario.hpp"

namespace zsim::sim {

namespace {

constexpr std::size_t timeline_lines_max = 1'000'000;
constexpr std::int64_t lasting_ms = std::int64_t{30} * 24 * 3'600'000;

using Event = kernel::TraceLineView;

// The value of key in "k=v k2=v2 ...", its escaping undone ("%20" is a space): every event of the
// trace is key=value with values escaped by one escaper (core/trace_value.hpp).
std::string field(std::string_view fields, std::string_view key) {
  return kernel::trace_unescaped(kernel::trace_field(fields, key));
}

class Timeline {
 public:
  Timeline(const std::map<std::string, std::string>& labels, std::int64_t start_ms) : labels_(labels), start_ms_(start_ms) {}

  void add(const Event& event) {
    time_ms_ = event.time_ms;
    if (event.kind == "redis_publish") return count_publish(event);
    const std::string text = describe(event);
    if (text.empty()) return;
    emit(std::string(event.node), text);
  }

  std::vector<std::string> finish() {
    flush_repeat();
    flush_publishes();
    return std::move(lines_);
  }

 private:
  std::string label(const std::string& node_id) const {
    const auto found = labels_.find(node_id);
    return found == labels_.end() ? node_id : found->second;
  }
  std::string when(std::int64_t time_ms) const { return format_offset(time_ms - start_ms_); }

  void push(std::string line) {
    if (lines_.size() < timeline_lines_max) lines_.push_back(std::move(line));
  }

  void emit(const std::string& who, const std::string& text) {
    if (who == last_who_ && text == last_text_) {
      repeats_ += 1;
      repeat_last_ms_ = time_ms_;
      return;
    }
    flush_repeat();
    flush_publishes();
    push(fmt::format("{}  {:<10} {}", when(time_ms_), who, text));
    last_who_ = who;
    last_text_ = text;
  }

  void flush_repeat() {
    if (repeats_ == 0) return;
    push(fmt::format("{}  {:<10}   (the line above {} more time{}, the last now)", when(repeat_last_ms_), last_who_,
                     repeats_, repeats_ == 1 ? "" : "s"));
    repeats_ = 0;
  }

  void count_publish(const Event& event) {
    const std::string key = field(event.fields, "address") + "/" + field(event.fields, "channel");
    Published& published = publishes_[key];
    if (published.ok + published.refused == 0) published.first_ms = time_ms_;
    published.last_ms = time_ms_;
    (field(event.fields, "reply") == "ok" ? published.ok : published.refused) += 1;
    if (publishes_first_ms_ < 0) publishes_first_ms_ = time_ms_;
  }

  void flush_publishes() {
    if (publishes_.empty()) return;
    std::string text;
    std::int64_t last_ms = publishes_first_ms_;
    for (const auto& [channel, published] : publishes_) {
      text += fmt::format("{}{} on {}", text.empty() ? "" : ", ", published.ok, channel);
      if (published.refused > 0) text += fmt::format(" (+{} refused)", published.refused);
      last_ms = std::max(last_ms, published.last_ms);
    }
    const std::string span = last_ms == publishes_first_ms_ ? "" : fmt::format(" until {}", when(last_ms));
    push(fmt::format("{}  {:<10} published {}{}", when(publishes_first_ms_), "redis", text, span));
    publishes_.clear();
    publishes_first_ms_ = -1;
    last_who_.clear();
    last_text_.clear();
  }

  std::string describe(const Event& event);
  std::string describe_world(const Event& event);
  std::string describe_core(const Event& event);
  std::string describe_runtime(const Event& event);
  std::string describe_step(const Event& event);

  struct Published {
    std::uint64_t ok = 0;
    std::uint64_t refused = 0;
    std::int64_t first_ms = 0;
    std::int64_t last_ms = 0;
  };

  const std::map<std::string, std::string>& labels_;
  std::int64_t start_ms_;
  std::int64_t time_ms_ = 0;
  std::vector<std::string> lines_;
  std::map<std::string, Published> publishes_;
  std::int64_t publishes_first_ms_ = -1;
  std::string last_who_;
  std::string last_text_;
  std::uint64_t repeats_ = 0;
  std::int64_t repeat_last_ms_ = 0;
  std::map<std::string, std::int64_t> added_ms_;           // Workload -> when the explorer got it.
  std::map<std::string, std::string> capacity_reported_;   // Node -> last report shown.
};

std::string Timeline::describe(const Event& event) {
  const std::string_view kind = event.kind;
  if (event.node == "scenario") return describe_step(event);
  if (kind.rfind("explorer_", 0) == 0 || kind.rfind("hub_", 0) == 0 || kind.rfind("redis_", 0) == 0) {
    return describe_world(event);
  }
  std::string text = describe_runtime(event);
  return text.empty() ? describe_core(event) : text;
}

std::string Timeline::describe_step(const Event& event) {
  const std::string action = field(event.fields, "action");
  const std::string note = field(event.fields, "note");
  const std::string suffix = note.empty() ? "" : "  — " + note;
  if (event.kind == "scenario_start") {
    return fmt::format("scenario {} starts (seed {})", field(event.fields, "name"), field(event.fields, "seed"));
  }
  if (event.kind == "wind_down") return "== end of the scenario's steps: every fault heals, what still lives is deleted ==";
  if (event.kind == "scenario_end") return "== every reservation has ended ==";
  if (action == "deliver") {
    const std::string paid = field(event.fields, "paid_after_ms");
    return fmt::format("STEP deliver reservation {} to {} ({} workload(s){}){}", field(event.fields, "reservation"),
                       field(event.fields, "node"), field(event.fields, "workloads"),
                       paid == "0" ? "" : fmt::format(", paid {} ms later", paid), suffix);
  }
  if (action == "delete") return fmt::format("STEP delete workload {}{}", field(event.fields, "workload"), suffix);
  if (action == "crash") return fmt::format("STEP crash container {}{}", field(event.fields, "workload"), suffix);
  if (action == "fault" || action == "heal") {
    const std::string target = field(event.fields, "target");
    const std::string point = field(event.fields, "point");
    return fmt::format("STEP {} {}{}{}{}", action == "fault" ? "inject fault" : "heal", field(event.fields, "fault"),
                       target.empty() ? "" : " on " + target, point.empty() ? "" : " at " + point, suffix);
  }
  if (action == "heal_all") return fmt::format("STEP heal every fault ({} active)", field(event.fields, "faults"));
  if (action == "restart_daemon") return fmt::format("STEP restart the daemon of {}{}", field(event.fields, "node"), suffix);
  if (action == "reboot") return fmt::format("STEP reboot {}{}", field(event.fields, "node"), suffix);
  return fmt::format("{} {}", event.kind, event.fields);
}

std::string Timeline::describe_world(const Event& event) {
  const std::string_view kind = event.kind;
  const std::string workload = field(event.fields, "workload");
  if (kind == "explorer_add") {
    added_ms_[workload] = time_ms_;
    const std::int64_t deploy_ms = std::stoll(field(event.fields, "deploy_at_ms"));
    const std::int64_t expires_ms = std::stoll(field(event.fields, "expires_at_ms"));
    // What is present at start lives past any scenario; its expiry says nothing.
    const bool lasting = expires_ms < 0 || expires_ms - start_ms_ > lasting_ms;
    return fmt::format("workload {} for {} created{}{}", workload, label(field(event.fields, "node")),
                       deploy_ms == time_ms_ ? "" : ", paid at " + when(deploy_ms),
                       lasting ? "" : ", expires at " + when(expires_ms));
  }
  if (kind == "explorer_deploy") return added_ms_[workload] == time_ms_ ? "" : fmt::format("workload {} paid: nodes see it now", workload);
  if (kind == "explorer_expire") return fmt::format("workload {} expired: the node must delete it", workload);
  if (kind == "explorer_delete") return fmt::format("delete of workload {} requested (was {})", workload, field(event.fields, "was"));
  if (kind == "explorer_poll") {
    const std::string error = field(event.fields, "error");
    return error.empty() ? "" : fmt::format("poll from {} failed: explorer {}", label(field(event.fields, "node")), error);
  }
  if (kind == "explorer_result") {
    const std::string outcome = field(event.fields, "outcome");
    const std::string state = field(event.fields, "state");
    const std::string message = field(event.fields, "message");
    if (outcome == "accepted") return fmt::format("result {} {}{}", workload, state, message.empty() ? "" : ": " + message);
    return fmt::format("result {} {} not taken ({}): {}", workload, state, outcome, field(event.fields, "reason"));
  }
  if (kind == "explorer_capacity") {
    const std::string node = label(field(event.fields, "node"));
    const std::string usage = fmt::format("cpu={} memory_mib={} ssd_mib={} hdd_mib={}", field(event.fields, "cpu"),
                                          field(event.fields, "memory_mib"), field(event.fields, "ssd_mib"),
                                          field(event.fields, "hdd_mib"));
    if (field(event.fields, "outcome") == "lost") return fmt::format("capacity report of {} lost", node);
    if (capacity_reported_[node] == usage) return "";
    capacity_reported_[node] = usage;
    return fmt::format("{} reports capacity used: {}", node, usage);
  }
  if (kind == "hub_md5" || kind == "hub_fetch") {
    const std::string status = field(event.fields, "status");
    if (kind == "hub_md5" && status == "200") return "";
    return fmt::format("GET {} -> {}", field(event.fields, "url"), status == "0" ? "unreachable" : status);
  }
  // redis_connect, redis_up, redis_down, redis_close and explorer_node are told by the node's side;
  // the fault switches by the scenario's steps.
  return "";
}

std::string Timeline::describe_runtime(const Event& event) {
  const std::string_view kind = event.kind;
  const std::string name = field(event.fields, "name");
  if (kind == "container_start") {
    if (field(event.fields, "outcome") != "started") return fmt::format("container {} failed to start: {}", name, field(event.fields, "reason"));
    return fmt::format("container {} runs {} (ip {}, {} cpu, {} MiB, cpu limit {} millicores)", name,
                       field(event.fields, "entrypoint"), field(event.fields, "ip"), field(event.fields, "cpu"),
                       field(event.fields, "memory_mib"), field(event.fields, "cpu_limit_millicores"));
  }
  if (kind == "container_exit") {
    return fmt::format("container {} exited with code {} ({}) after {} ms, {} lines printed", name, field(event.fields, "code"),
                       field(event.fields, "reason"), field(event.fields, "ran_ms"), field(event.fields, "lines"));
  }
  if (kind == "mount") {
    if (field(event.fields, "outcome") != "mounted") return fmt::format("mount for {} failed: {}", name, field(event.fields, "reason"));
    return fmt::format("flist {} mounted for {} on {} MiB of {}", field(event.fields, "flist"), name,
                       field(event.fields, "disk_size_mib"), field(event.fields, "disk_type"));
  }
  if (kind == "unmount") return field(event.fields, "outcome") == "unmounted" ? "" : fmt::format("unmount {}: {}", name, field(event.fields, "outcome"));
  if (kind == "signal") return fmt::format("SIG{} to {}{}", field(event.fields, "signal") == "term" ? "TERM" : "KILL", name,
                                           field(event.fields, "ignored") == "true" ? " (ignored)" : "");
  if (kind == "volume_create") return fmt::format("volume {} created ({} MiB {})", field(event.fields, "volume"), field(event.fields, "size_mib"), field(event.fields, "type"));
  if (kind == "volume_delete") return fmt::format("volume {} deleted: {}", field(event.fields, "volume"), field(event.fields, "outcome"));
  if (kind == "fs_daemon") return fmt::format("filesystem daemon {}", field(event.fields, "state"));
  if (kind == "reboot") return fmt::format("node reboots: {} containers and {} mounts gone, {} volumes kept", field(event.fields, "running"),
                                           field(event.fields, "mounts"), field(event.fields, "volumes"));
  if (kind == "container_attach") return fmt::format("daemon re-attached to container {}", name);
  return "";
}

std::string Timeline::describe_core(const Event& event) {
  const std::string_view kind = event.kind;
  const std::string workload = field(event.fields, "workload");
  if (kind == "node_added") {
    return fmt::format("node added: {} cpu, {} MiB memory, {} MiB ssd, {} MiB hdd{}", field(event.fields, "cpu"),
                       field(event.fields, "memory_mib"), field(event.fields, "ssd_mib"), field(event.fields, "hdd_mib"),
                       field(event.fields, "ipv4_only") == "true" ? ", IPv4 only" : "");
  }
  if (kind == "daemon_start") return "provisioning daemon starts";
  if (kind == "daemon_restart") return "the daemon stops (restart)";
  if (kind == "node_reboot") return "the node goes down (reboot)";
  if (kind == "provision") return fmt::format("provisioning {} ({})", workload, field(event.fields, "type"));
  if (kind == "provision_error") return fmt::format("provisioning {} failed: {}", workload, field(event.fields, "error"));
  if (kind == "flist_cache") return fmt::format("flist {} from {}", field(event.fields, "url"), field(event.fields, "source"));
  if (kind == "container_restarted") return fmt::format("container {} restarted{}", workload, field(event.fields, "remounted") == "true" ? " on a fresh mount" : "");
  if (kind == "container_remount") return fmt::format("restart of {} failed ({}): mounting the flist again", workload, field(event.fields, "error"));
  if (kind == "self_decommission") return fmt::format("{} decommissions itself: {}", workload, field(event.fields, "reason"));
  if (kind == "decommission") return fmt::format("decommissioning {} ({})", workload, field(event.fields, "type"));
  if (kind == "container_released") return fmt::format("{} released: everything it held is given back", workload);
  if (kind == "restore_start") return fmt::format("restoring {} from the cache", workload);
  if (kind == "restore_attached") return fmt::format("{} restored", workload);
  if (kind == "reap_unfinished") return fmt::format("cleaning up the unfinished provision of {}", workload);
  if (kind == "kill_timeout") return fmt::format("{} did not exit after SIGKILL: released anyway", workload);
  if (kind == "result_given_up") return fmt::format("gave up sending the {} result of {}: {}", field(event.fields, "state"), workload, field(event.fields, "error"));
  if (kind == "redis.connected") return fmt::format("{} connected to redis {}", workload, field(event.fields, "address"));
  if (kind == "redis.disconnected") {
    return fmt::format("{} lost redis {}: {}", workload, field(event.fields, "address"), field(event.fields, "reason"));
  }
  if (kind.rfind("delivery.", 0) == 0) return fmt::format("{} {}", kind, event.fields);
  if (kind == "endpoint_skipped") return fmt::format("{}: endpoint skipped: {}", workload, field(event.fields, "reason"));
  if (kind == "ipv6_wait") return fmt::format("{}: no public IPv6 yet ({}), next try in {} ms", workload, field(event.fields, "error"), field(event.fields, "delay_ms"));
  if (kind == "stats.stopped") return fmt::format("stats of {} stop for good: the container's task is gone", workload);
  return "";  // provision_start, provision_ok, container_started, container_exited, result_queued...
}

}  // namespace

std::vector<std::string> explain_timeline(const std::vector<std::string>& trace_lines,
                                          const std::map<std::string, std::string>& node_labels, std::int64_t start_ms) {
  Timeline timeline(node_labels, start_ms);
  for (const std::string& line : trace_lines) {
    const std::optional<Event> event = kernel::parse_trace_line(line);
    if (event) timeline.add(*event);
  }
  return timeline.finish();
}

}  // namespace zsim::sim
