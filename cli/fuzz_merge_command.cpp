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

#include "cli/arguments.hpp"
#include "cli/fuzz_output.hpp"
#include "cli/input_file.hpp"
#include "cli/output.hpp"
#include "cli/untrusted_text.hpp"
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

// A summary lists failures and coverage counters: megabytes at most, even for a large campaign.
constexpr std::size_t summary_file_bytes_max = std::size_t{64} << 20;

core::Expected<sim::CampaignSummary> read_summary(const std::filesystem::path& file) {
  const std::string shown = printable(file.string());
  const core::Expected<std::string> text = read_input_file(file.string(), summary_file_bytes_max, "a campaign summary");
  if (!text) return core::Error{fmt::format("{}: cannot read: {}", shown, text.error())};
  const nlohmann::json json = nlohmann::json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return core::Error{fmt::format("{}: not JSON", shown)};
  core::Expected<sim::CampaignSummary> summary = sim::campaign_summary_from_json(json);
  if (!summary) return core::Error{fmt::format("{}: {}", shown, summary.error())};
  return summary;
}

// Every shard I/N for I in 0..N-1 must be there once, all with the same N.
core::Expected<void> check_shards_complete(const sim::CampaignSummary& merged) {
  std::set<std::uint64_t> indexes;
  std::uint64_t count = 0;
  for (const std::string& shard : merged.shards) {
    const std::size_t slash = shard.find('/');
    const core::Expected<std::uint64_t> parsed_of =
        slash == std::string::npos ? core::Expected<std::uint64_t>(core::Error{"no '/'"})
                                   : parse_whole_number(std::string_view(shard).substr(slash + 1), 1, sim::campaign_shards_max);
    const core::Expected<std::uint64_t> parsed_index =
        parsed_of ? parse_whole_number(std::string_view(shard).substr(0, slash), 0, parsed_of.value() - 1) : parsed_of;
    if (!parsed_index) return core::Error{fmt::format("shard '{}' is not I/N: {}", printable_line(shard, 64), parsed_index.error())};
    const std::uint64_t index = parsed_index.value();
    const std::uint64_t of = parsed_of.value();
    if (count != 0 && of != count) {
      return core::Error{fmt::format("shard {} is of {} shards, the others of {}", printable_line(shard, 64), of, count)};
    }
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
    err("zsim fuzz merge: {}", files.error());
    return exit_unusable;
  }
  std::vector<sim::CampaignSummary> shards;
  for (const std::filesystem::path& file : files.value()) {
    core::Expected<sim::CampaignSummary> summary = read_summary(file);
    if (!summary) {
      err("zsim fuzz merge: {}", summary.error());
      return exit_unusable;
    }
    shards.push_back(std::move(summary).value());
  }
  const core::Expected<sim::CampaignSummary> merged = sim::merge_campaign_summaries(shards);
  if (!merged) {
    err("zsim fuzz merge: {}", merged.error());
    return exit_unusable;
  }
  if (core::Expected<void> complete = check_shards_complete(merged.value()); !complete && !arguments.allow_missing) {
    err("zsim fuzz merge: {}", complete.error());
    return exit_unusable;
  }
  std::string written = "(not written; --out FILE writes it)";
  if (!arguments.out_path.empty()) {
    const std::string text = json_text(campaign_summary_json(merged.value()), 2) + "\n";
    if (core::Expected<void> wrote = write_output_file(arguments.out_path, text); !wrote) {
      err("zsim fuzz merge: --out: {}", wrote.error());
      return exit_unusable;
    }
    written = arguments.out_path;
  }
  print_summary(merged.value(), arguments.json, written);
  return merged.value().failures.empty() ? 0 : 1;
}

}  // namespace

void add_fuzz_merge_command(CLI::App& fuzz, int& exit_code, CommandAction action) {
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
  command->callback([arguments, &exit_code, action] { exit_code = action == CommandAction::run ? run_merge(*arguments) : 0; });
}

}  // namespace zsim::cli
