#pragma once
// What `zsim fuzz` and `zsim fuzz merge` share: profile names, the progress line, the summary file
// and the printed summary.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "core/expected.hpp"
#include "sim/fuzz_campaign.hpp"

namespace zsim::cli {

// "small, dense, grid" and the profiles with their descriptions, for errors and --help.
std::string profile_names();
std::string profile_help();

// campaign.json, or campaign-shard-I-of-N.json for a shard (so that shards may share a folder).
std::string summary_file_name(std::uint32_t shard_index, std::uint32_t shard_count);

// Progress on stderr: on a terminal one line redrawn in place (bar, seeds done/total, failures,
// seeds/s, ETA) at most 5 times a second; otherwise a plain line every 10 s and on each failure.
class ProgressPrinter {
 public:
  ProgressPrinter(bool quiet, std::function<std::int64_t()> wall_clock_ms);
  void update(const sim::CampaignProgress& report);
  void finish();

 private:
  bool quiet_;
  bool terminal_;
  std::function<std::int64_t()> wall_clock_ms_;
  std::int64_t last_print_ms_ = 0;
  bool line_open_ = false;
};

// The summary as text (or, with json, the summary file's JSON) on stdout.
void print_summary(const sim::CampaignSummary& summary, bool json, const std::string& summary_path);

// Its arguments need nothing checked beyond CLI11's (the summaries are read when it runs).
void add_fuzz_merge_command(CLI::App& fuzz, int& exit_code, CommandAction action);

}  // namespace zsim::cli
