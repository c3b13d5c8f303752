#pragma once
// What `zsim fuzz` and `zsim fuzz merge` share: argument parsing helpers, the progress line, the
// summary file and the printed summary.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "sim/fuzz_campaign.hpp"

namespace zsim::cli {

// A whole decimal number, nothing else; false when the text is not one or overflows.
bool parse_u64(std::string_view text, std::uint64_t& value);
// "small, dense, grid" and the profiles with their descriptions, for errors and --help.
std::string profile_names();
std::string profile_help();

// campaign.json, or campaign-shard-I-of-N.json for a shard (so that shards may share a folder).
std::string summary_file_name(std::uint32_t shard_index, std::uint32_t shard_count);
// Writes through a temporary file and a rename, so a reader never sees half a summary.
core::Expected<void> write_text_file(const std::filesystem::path& path, const std::string& text);

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

void add_fuzz_merge_command(CLI::App& fuzz, int& exit_code);

}  // namespace zsim::cli
