// `zsim fuzz merge DIR|FILE...`: joins the summaries of a sharded campaign into one summary and one
// coverage report. Exit 0 when no shard failed, 1 when one did, 2 when a summary is unreadable,
// belongs to another campaign, or the shards do not add up (a missing shard is named).

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/fuzz_output.hpp"
#include "sim/fuzz_campaign.hpp"

namespace zsim::cli {

namespace {

struct MergeArguments {
  std::vector<std::string> inputs;
  std::string out_path;
  bool json = false;
  bool allow_missing = false;
};

// A folder stands for the campaign*.json summaries in it, in name order.
core::Expected<std::vector<std::filesystem::path>> summary_files(const std::vector<std::string>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const std::string& input : inputs) {
    std::error_code error;
    if (!std::filesystem::is_directory(input, error)) {
      if (!std::filesystem::is_regular_file(input, error)) return core::Error{fmt::format("{}: no such file or folder", input)};
      files.emplace_back(input);
      continue;
    }
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(input, error)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("campaign", 0) == 0 && entry.path().extension() == ".json") found.push_back(entry.path());
    }
    if (error) return core::Error{fmt::format("{}: {}", input, error.message())};
    if (found.empty()) return core::Error{fmt::format("{}: no campaign*.json summary in this folder", input)};
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

core::Expected<sim::CampaignSummary> read_summary(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return core::Error{fmt::format("{}: not JSON", file.string())};
  core::Expected<sim::CampaignSummary> summary = sim::campaign_summary_from_json(json);
  if (!summary) return core::Error{fmt::format("{}: {}", file.string(), summary.error())};
  return summary;
}

// Every shard I/N for I in 0..N-1 must be there once, all with the same N.
core::Expected<void> check_shards_complete(const sim::CampaignSummary& merged) {
  std::set<std::uint64_t> indexes;
  std::uint64_t count = 0;
  for (const std::string& shard : merged.shards) {
    const std::size_t slash = shard.find('/');
    std::uint64_t index = 0;
    std::uint64_t of = 0;
    if (slash == std::string::npos || !parse_u64(shard.substr(0, slash), index) || !parse_u64(shard.substr(slash + 1), of)) {
      return core::Error{fmt::format("shard '{}' is not I/N", shard)};
    }
    if (count != 0 && of != count) return core::Error{fmt::format("shard {} is of {} shards, the others of {}", shard, of, count)};
    count = of;
    indexes.insert(index);
  }
  std::string missing;
  for (std::uint64_t index = 0; index < count && index < sim::campaign_shards_max; index += 1) {
    if (indexes.count(index) == 0) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", index, count);
  }
  if (!missing.empty()) return core::Error{fmt::format("shards missing: {} (--allow-missing merges what is there)", missing)};
  return {};
}

int run_merge(const MergeArguments& arguments) {
  const core::Expected<std::vector<std::filesystem::path>> files = summary_files(arguments.inputs);
  if (!files) {
    fmt::print(stderr, "zsim fuzz merge: {}\n", files.error());
    return 2;
  }
  std::vector<sim::CampaignSummary> shards;
  for (const std::filesystem::path& file : files.value()) {
    core::Expected<sim::CampaignSummary> summary = read_summary(file);
    if (!summary) {
      fmt::print(stderr, "zsim fuzz merge: {}\n", summary.error());
      return 2;
    }
    shards.push_back(std::move(summary).value());
  }
  const core::Expected<sim::CampaignSummary> merged = sim::merge_campaign_summaries(shards);
  if (!merged) {
    fmt::print(stderr, "zsim fuzz merge: {}\n", merged.error());
    return 2;
  }
  if (core::Expected<void> complete = check_shards_complete(merged.value()); !complete && !arguments.allow_missing) {
    fmt::print(stderr, "zsim fuzz merge: {}\n", complete.error());
    return 2;
  }
  std::string written = "(not written; --out FILE writes it)";
  if (!arguments.out_path.empty()) {
    const std::string text = campaign_summary_json(merged.value()).dump(2) + "\n";
    if (core::Expected<void> wrote = write_text_file(arguments.out_path, text); !wrote) {
      fmt::print(stderr, "zsim fuzz merge: --out: {}\n", wrote.error());
      return 2;
    }
    written = arguments.out_path;
  }
  print_summary(merged.value(), arguments.json, written);
  return merged.value().failures.empty() ? 0 : 1;
}

}  // namespace

void add_fuzz_merge_command(CLI::App& fuzz, int& exit_code) {
  auto arguments = std::make_shared<MergeArguments>();
  CLI::App* command = fuzz.add_subcommand(
      "merge",
      "Merge the summaries of a sharded campaign (the campaign*.json files that `zsim fuzz --shard I/N`\n"
      "wrote) into one summary: seeds, failures in seed order, seeds/s summed over shards, and one\n"
      "coverage report. Every shard 0..N-1 must be there exactly once.");
  command->add_option("inputs", arguments->inputs, "Summary files, or folders holding campaign*.json")->required();
  command->add_option("--out", arguments->out_path, "Write the merged summary (JSON) to FILE");
  command->add_flag("--json", arguments->json, "Print the merged summary as JSON");
  command->add_flag("--allow-missing", arguments->allow_missing, "Merge even when some shards are missing");
  command->footer(
      "Examples:\n"
      "  zsim fuzz merge shard-0 shard-1 shard-2 shard-3 --out campaign.json\n"
      "  zsim fuzz merge results/*/campaign-shard-*.json --json\n"
      "Exit codes: 0 no seed failed, 1 a seed failed, 2 unreadable, mismatched or incomplete summaries.");
  command->callback([arguments, &exit_code] { exit_code = run_merge(*arguments); });
}

}  // namespace zsim::cli
