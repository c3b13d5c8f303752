#include "sim/fuzz_campaign_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <set>

#include "sim/faults.hpp"
#include "sim/scenario.hpp"
#include "sim/scenario_report.hpp"

namespace zsim::sim {

namespace {

constexpr int summary_format = 1;

// The order of severity when shards stopped for different reasons.
int stop_rank(const std::string& stopped) {
  if (stopped == "failures_max") return 2;
  if (stopped == "time_budget") return 1;
  return 0;
}

nlohmann::ordered_json failure_json(const CampaignFailure& failure) {
  return nlohmann::ordered_json{{"seed", failure.seed},
                                {"property", failure.property},
                                {"message", failure.message},
                                {"scenario_file", failure.scenario_file},
                                {"steps_before", failure.steps_before},
                                {"steps_after", failure.steps_after},
                                {"shrink_runs", failure.shrink_runs},
                                {"replays", failure.replays}};
}

// A reader of one JSON object that remembers the first wrong field (summaries come from files).
class FieldReader {
 public:
  FieldReader(const nlohmann::json& json, std::string path) : json_(json), path_(std::move(path)) {}

  template <class T>
  T get(const char* key) {
    if (!error_.empty()) return T{};
    const auto found = json_.find(key);
    if (found == json_.end()) {
      error_ = fmt::format("{}.{}: missing", path_, key);
      return T{};
    }
    try {
      return found->get<T>();
    } catch (const nlohmann::json::exception&) {
      error_ = fmt::format("{}.{}: wrong type ({})", path_, key, found->type_name());
      return T{};
    }
  }
  const std::string& error() const { return error_; }

 private:
  const nlohmann::json& json_;
  std::string path_;
  std::string error_;
};

core::Expected<CampaignFailure> failure_from_json(const nlohmann::json& json, const std::string& path) {
  if (!json.is_object()) return core::Error{fmt::format("{}: not an object", path)};
  FieldReader read(json, path);
  CampaignFailure failure;
  failure.seed = read.get<std::uint64_t>("seed");
  failure.property = read.get<std::string>("property");
  failure.message = read.get<std::string>("message");
  failure.scenario_file = read.get<std::string>("scenario_file");
  failure.steps_before = read.get<std::size_t>("steps_before");
  failure.steps_after = read.get<std::size_t>("steps_after");
  failure.shrink_runs = read.get<std::uint64_t>("shrink_runs");
  failure.replays = read.get<bool>("replays");
  if (!read.error().empty()) return core::Error{read.error()};
  return failure;
}

using Counts = std::map<std::string, std::uint64_t>;

}  // namespace

std::vector<std::string> never_hit(const Counts& counts, const std::vector<std::string>& known) {
  std::vector<std::string> missing;
  for (const std::string& name : known) {
    const auto found = counts.find(name);
    if (found == counts.end() || found->second == 0) missing.push_back(name);
  }
  return missing;
}

nlohmann::ordered_json campaign_summary_json(const CampaignSummary& summary) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const CampaignFailure& failure : summary.failures) failures.push_back(failure_json(failure));
  return nlohmann::ordered_json{
      {"format", summary_format},
      {"profile", summary.profile},
      {"faults", summary.faults},
      {"planted_bugs", summary.planted_bugs},
      {"seed_first", summary.seed_first},
      {"seed_last", summary.seed_last},
      {"shards", summary.shards},
      {"seeds_planned", summary.seeds_planned},
      {"seeds", summary.seeds_run},
      {"stopped", summary.stopped},
      {"failures", failures},
      {"events", summary.events},
      {"sim_ms", summary.sim_ms},
      {"wall_seconds", summary.wall_seconds},
      {"seeds_per_second", summary.seeds_per_second},
      {"coverage",
       {{"fault_kinds", summary.fault_kinds},
        {"fault_kinds_never", never_hit(summary.fault_kinds, swarm_fault_kinds())},
        {"points_hit", summary.points_hit},
        {"points_never", never_hit(summary.points_hit, summary.points_known)},
        {"trace_kinds", summary.trace_kinds}}}};
}

core::Expected<CampaignSummary> campaign_summary_from_json(const nlohmann::json& json) {
  if (!json.is_object()) return core::Error{"the summary is not a JSON object"};
  FieldReader read(json, "summary");
  if (read.get<int>("format") != summary_format && read.error().empty()) {
    return core::Error{fmt::format("summary.format: {} is not format {}", json.at("format").dump(), summary_format)};
  }
  CampaignSummary summary;
  summary.profile = read.get<std::string>("profile");
  summary.faults = read.get<bool>("faults");
  summary.planted_bugs = read.get<std::vector<std::string>>("planted_bugs");
  summary.seed_first = read.get<std::uint64_t>("seed_first");
  summary.seed_last = read.get<std::uint64_t>("seed_last");
  summary.shards = read.get<std::vector<std::string>>("shards");
  summary.seeds_planned = read.get<std::uint64_t>("seeds_planned");
  summary.seeds_run = read.get<std::uint64_t>("seeds");
  summary.stopped = read.get<std::string>("stopped");
  summary.events = read.get<std::uint64_t>("events");
  summary.sim_ms = read.get<std::int64_t>("sim_ms");
  summary.wall_seconds = read.get<double>("wall_seconds");
  summary.seeds_per_second = read.get<double>("seeds_per_second");
  const nlohmann::json coverage = read.get<nlohmann::json>("coverage");
  const nlohmann::json failures = read.get<nlohmann::json>("failures");
  if (!read.error().empty()) return core::Error{read.error()};
  FieldReader read_coverage(coverage, "summary.coverage");
  summary.fault_kinds = read_coverage.get<Counts>("fault_kinds");
  summary.points_hit = read_coverage.get<Counts>("points_hit");
  summary.trace_kinds = read_coverage.get<Counts>("trace_kinds");
  if (!read_coverage.error().empty()) return core::Error{read_coverage.error()};
  // The points known are those of the code that wrote the summary: never-hit ones come back too.
  for (const auto& [point, count] : summary.points_hit) summary.points_known.push_back(point);
  const std::vector<std::string> never = coverage.value("points_never", std::vector<std::string>{});
  summary.points_known.insert(summary.points_known.end(), never.begin(), never.end());
  std::sort(summary.points_known.begin(), summary.points_known.end());
  if (!failures.is_array()) return core::Error{"summary.failures: not an array"};
  for (std::size_t index = 0; index < failures.size() && index < campaign_summary_failures_max; index += 1) {
    core::Expected<CampaignFailure> failure = failure_from_json(failures[index], fmt::format("summary.failures[{}]", index));
    if (!failure) return core::Error{failure.error()};
    summary.failures.push_back(std::move(failure).value());
  }
  if (failures.size() > campaign_summary_failures_max) {
    return core::Error{fmt::format("summary.failures: more than {}", campaign_summary_failures_max)};
  }
  return summary;
}

core::Expected<CampaignSummary> merge_campaign_summaries(const std::vector<CampaignSummary>& shards) {
  if (shards.empty()) return core::Error{"no summary to merge"};
  CampaignSummary merged;
  merged.profile = shards.front().profile;
  merged.faults = shards.front().faults;
  merged.planted_bugs = shards.front().planted_bugs;
  merged.seed_first = shards.front().seed_first;
  merged.seed_last = shards.front().seed_last;
  merged.stopped = "done";
  std::set<std::string> shard_names;
  std::set<std::string> points_known;
  for (const CampaignSummary& shard : shards) {
    if (shard.profile != merged.profile || shard.faults != merged.faults || shard.planted_bugs != merged.planted_bugs ||
        shard.seed_first != merged.seed_first || shard.seed_last != merged.seed_last) {
      return core::Error{fmt::format("shard {} is of another campaign (profile {}, seeds {}..{}), not of profile {}, seeds {}..{}",
                                     shard.shards.empty() ? "?" : shard.shards.front(), shard.profile, shard.seed_first,
                                     shard.seed_last, merged.profile, merged.seed_first, merged.seed_last)};
    }
    for (const std::string& name : shard.shards) {
      if (!shard_names.insert(name).second) return core::Error{fmt::format("shard {} appears twice", name)};
      merged.shards.push_back(name);
    }
    merged.seeds_planned += shard.seeds_planned;
    merged.seeds_run += shard.seeds_run;
    if (stop_rank(shard.stopped) > stop_rank(merged.stopped)) merged.stopped = shard.stopped;
    merged.failures.insert(merged.failures.end(), shard.failures.begin(), shard.failures.end());
    merged.events += shard.events;
    merged.sim_ms += shard.sim_ms;
    // Shards run side by side: the campaign took as long as the slowest and ran at their summed rate.
    merged.wall_seconds = std::max(merged.wall_seconds, shard.wall_seconds);
    merged.seeds_per_second += shard.seeds_per_second;
    for (const auto& [key, count] : shard.fault_kinds) merged.fault_kinds[key] += count;
    for (const auto& [key, count] : shard.points_hit) merged.points_hit[key] += count;
    for (const auto& [key, count] : shard.trace_kinds) merged.trace_kinds[key] += count;
    points_known.insert(shard.points_known.begin(), shard.points_known.end());
  }
  merged.points_known.assign(points_known.begin(), points_known.end());
  std::stable_sort(merged.failures.begin(), merged.failures.end(),
                   [](const CampaignFailure& a, const CampaignFailure& b) { return a.seed < b.seed; });
  return merged;
}

std::string campaign_junit_xml(const CampaignSummary& summary) {
  const std::string suite = fmt::format("zsim fuzz {}", summary.profile);
  const std::uint64_t passed = summary.seeds_run - std::min<std::uint64_t>(summary.seeds_run, summary.failures.size());
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", summary.failures.size() + 1,
                     summary.failures.size(), summary.wall_seconds);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", xml_escape(suite),
                     summary.failures.size() + 1, summary.failures.size(), summary.wall_seconds);
  for (const CampaignFailure& failure : summary.failures) {
    xml += fmt::format("    <testcase classname=\"{}\" name=\"seed {}\">\n", xml_escape(suite), failure.seed);
    xml += fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n", xml_escape(failure.property),
                       xml_escape(failure.message),
                       xml_escape(failure.scenario_file.empty() ? "no scenario file was written"
                                                                : "zsim run " + failure.scenario_file));
    xml += "    </testcase>\n";
  }
  xml += fmt::format("    <testcase classname=\"{}\" name=\"{} seeds passed\"/>\n", xml_escape(suite), passed);
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace zsim::sim
