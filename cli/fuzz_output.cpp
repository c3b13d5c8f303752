#include "cli/fuzz_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cassert>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <utility>

#include "cli/output.hpp"
#include "cli/untrusted_text.hpp"
#include "sim/scenario.hpp"
#include "sim/faults.hpp"

namespace zsim::cli {

std::string profile_names() {
  std::string names;
  for (const sim::SwarmProfile& profile : sim::swarm_profiles()) names += (names.empty() ? "" : ", ") + profile.name;
  return names;
}

std::string profile_help() {
  std::string help;
  for (const sim::SwarmProfile& profile : sim::swarm_profiles()) {
    help += fmt::format("\n  {:<6} {}", profile.name, profile.description);
  }
  return help;
}

std::string summary_file_name(std::uint32_t shard_index, std::uint32_t shard_count) {
  assert(shard_index < shard_count);
  if (shard_count == 1) return "campaign.json";
  return fmt::format("campaign-shard-{}-of-{}.json", shard_index, shard_count);
}

ProgressPrinter::ProgressPrinter(bool quiet, std::function<std::int64_t()> wall_clock_ms)
    : quiet_(quiet), terminal_(isatty(fileno(stderr)) == 1), wall_clock_ms_(std::move(wall_clock_ms)) {
  last_print_ms_ = wall_clock_ms_();
}

namespace {

std::string format_eta(double seconds) {
  const auto whole = static_cast<std::int64_t>(seconds + 0.5);
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, whole / 60 % 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}

std::string progress_text(const sim::CampaignProgress& report) {
  return fmt::format("{}/{} seeds  {} failed  {:.1f} seeds/s  ETA {}", report.seeds_done, report.seeds_total,
                     report.failures, report.seeds_per_second, format_eta(report.eta_seconds));
}

}  // namespace

void ProgressPrinter::update(const sim::CampaignProgress& report) {
  if (quiet_) return;
  const std::int64_t now_ms = wall_clock_ms_();
  if (report.new_failure != nullptr) {
    if (line_open_) err_raw("\r\033[K");
    line_open_ = false;
    err("seed {} failed: {}: {}", report.new_failure->seed, report.new_failure->property,
               report.new_failure->message);
  }
  const bool last = report.seeds_done == report.seeds_total;
  const std::int64_t interval_ms = terminal_ ? 200 : 10'000;
  if (!last && now_ms - last_print_ms_ < interval_ms && report.new_failure == nullptr) return;
  last_print_ms_ = now_ms;
  if (!terminal_) {
    err("zsim fuzz: {}", progress_text(report));
    return;
  }
  constexpr int bar_width = 30;
  const int filled = report.seeds_total == 0
                         ? bar_width
                         : static_cast<int>(bar_width * report.seeds_done / report.seeds_total);
  // The control codes redraw the line; the text in it is escaped like every printed line.
  err_raw(fmt::format("\r\033[K[{}{}] {}", std::string(static_cast<std::size_t>(filled), '#'),
                      std::string(static_cast<std::size_t>(bar_width - filled), '.'), printable_line(progress_text(report))));
  line_open_ = true;
}

void ProgressPrinter::finish() {
  if (line_open_) err_raw("\n");
  line_open_ = false;
}

namespace {

std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

void print_coverage(const sim::CampaignSummary& summary) {
  const nlohmann::ordered_json json = campaign_summary_json(summary);
  const auto& coverage = json.at("coverage");
  const std::vector<std::string> kinds_never = coverage.at("fault_kinds_never");
  const std::vector<std::string> points_never = coverage.at("points_never");
  const std::size_t kinds_known = sim::swarm_fault_kinds().size();
  out("coverage: {} of {} fault kinds{}; {} of {} fault points{}; {} trace event kinds",
             kinds_known - kinds_never.size(), kinds_known,
             kinds_never.empty() ? "" : fmt::format(" (never: {})", listed(kinds_never)),
             summary.points_known.size() - points_never.size(), summary.points_known.size(),
             points_never.empty() ? "" : fmt::format(" (never: {})", listed(points_never)), summary.trace_kinds.size());
}

}  // namespace

void print_summary(const sim::CampaignSummary& summary, bool json, const std::string& summary_path) {
  if (json) {
    out_raw(json_text(campaign_summary_json(summary)) + "\n");
    return;
  }
  out("zsim fuzz: profile {} {}, seeds {}..{} (shard {}): {} of {} seeds run in {:.1f} s, {:.1f} seeds/s{}",
             summary.profile, summary.faults ? "with faults" : "without faults", summary.seed_first,
             summary.seed_last, listed(summary.shards), summary.seeds_run, summary.seeds_planned,
             summary.wall_seconds, summary.seeds_per_second,
             summary.stopped == "done" ? "" : fmt::format(" (stopped: {})", summary.stopped));
  if (!summary.planted_bugs.empty()) out("planted bugs: {}", listed(summary.planted_bugs));
  print_coverage(summary);
  for (const sim::CampaignFailure& failure : summary.failures) {
    out("FAIL seed {}: {}: {}", failure.seed, failure.property, failure.message);
    out("  shrunk from {} to {} steps in {} runs; the file {} the failure", failure.steps_before,
               failure.steps_after, failure.shrink_runs, failure.replays ? "replays" : "does NOT replay");
    if (!failure.scenario_file.empty()) out("  replay: zsim run {}", failure.scenario_file);
  }
  out("summary: {}", summary_path);
  out("{}", summary.failures.empty() ? "PASS: no seed failed"
                                             : fmt::format("FAIL: {} seeds failed", summary.failures.size()));
}

}  // namespace zsim::cli
