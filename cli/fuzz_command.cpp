// `zsim fuzz`: a swarm campaign over many seeds of one profile, every property checked, each failure
// shrunk to a scenario file that `zsim run` replays; `zsim fuzz merge` joins shard summaries.
// Exit 0 when no seed failed, 1 when one did, 2 on bad arguments or unwritable output.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/fuzz_output.hpp"
#include "cli/output.hpp"
#include "cli/untrusted_text.hpp"
#include "core/planted_bugs.hpp"
#include "sim/duration.hpp"
#include "sim/fuzz_campaign.hpp"

namespace zsim::cli {

namespace {

struct FuzzArguments {
  std::uint64_t count = 1000;
  std::string seeds;
  std::string profile = "small";
  unsigned jobs = 0;
  std::string shard;
  std::string out_dir = "fuzz-out";
  std::string time_budget;
  std::uint32_t failures_max = 20;
  std::uint64_t shrink_runs_max = 400;
  bool no_shrink = false;
  bool no_faults = false;
  std::vector<std::string> planted_bugs;
  bool json = false;
  std::string junit_path;
  bool quiet = false;
};

std::int64_t wall_clock_ms() {
  // Only the campaign's budget and rate read this; no world sees it.
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "A..B" (inclusive) into the options; an error names the argument.
core::Expected<void> parse_seed_range(const std::string& text, sim::CampaignOptions& options) {
  const std::size_t dots = text.find("..");
  if (dots == std::string::npos) {
    return core::Error{fmt::format("--seeds: '{}' is not a range A..B of seeds (e.g. 1..1000)", printable_line(text, 64))};
  }
  const core::Expected<std::uint64_t> first = parse_whole_number(text.substr(0, dots), 0, UINT64_MAX);
  if (!first) return core::Error{fmt::format("--seeds: the first seed A of A..B: {}", first.error())};
  const core::Expected<std::uint64_t> last = parse_whole_number(text.substr(dots + 2), 0, UINT64_MAX);
  if (!last) return core::Error{fmt::format("--seeds: the last seed B of A..B: {}", last.error())};
  if (first.value() > last.value()) return core::Error{fmt::format("--seeds: {} comes after {}", first.value(), last.value())};
  if (last.value() - first.value() >= sim::campaign_seeds_max) {
    return core::Error{fmt::format("--seeds: at most {} seeds in one campaign", sim::campaign_seeds_max)};
  }
  options.seed_first = first.value();
  options.seed_last = last.value();
  return {};
}

// --shard I/N, or else JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) with ZSIM_FUZZ_SHARDS.
core::Expected<void> parse_shard(const std::string& flag, sim::CampaignOptions& options) {
  std::string text = flag;
  std::string source = "--shard";
  const char* index = std::getenv("JOB_COMPLETION_INDEX");
  if (text.empty() && index != nullptr) {
    const char* shards = std::getenv("ZSIM_FUZZ_SHARDS");
    if (shards == nullptr) return core::Error{"JOB_COMPLETION_INDEX is set but ZSIM_FUZZ_SHARDS (the shard count) is not"};
    text = fmt::format("{}/{}", index, shards);
    source = "JOB_COMPLETION_INDEX/ZSIM_FUZZ_SHARDS";
  }
  if (text.empty()) return {};
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) {
    return core::Error{fmt::format("{}: '{}' is not I/N (e.g. 0/8)", source, printable_line(text, 64))};
  }
  const core::Expected<std::uint64_t> count = parse_whole_number(text.substr(slash + 1), 1, sim::campaign_shards_max);
  if (!count) return core::Error{fmt::format("{}: the shard count N of I/N: {}", source, count.error())};
  const core::Expected<std::uint64_t> shard = parse_whole_number(text.substr(0, slash), 0, count.value() - 1);
  if (!shard) return core::Error{fmt::format("{}: the shard I of I/N: {}", source, shard.error())};
  options.shard_index = static_cast<std::uint32_t>(shard.value());
  options.shard_count = static_cast<std::uint32_t>(count.value());
  return {};
}

core::Expected<sim::CampaignOptions> campaign_options(const FuzzArguments& arguments, bool seeds_given) {
  sim::CampaignOptions options;
  const sim::SwarmProfile* profile = sim::find_swarm_profile(arguments.profile);
  if (profile == nullptr) return core::Error{fmt::format("--profile: no profile '{}' ({})", arguments.profile, profile_names())};
  options.profile = *profile;
  if (seeds_given) {
    if (core::Expected<void> parsed = parse_seed_range(arguments.seeds, options); !parsed) return core::Error{parsed.error()};
  } else {
    options.seed_first = 1;
    options.seed_last = arguments.count;
  }
  if (core::Expected<void> parsed = parse_shard(arguments.shard, options); !parsed) return core::Error{parsed.error()};
  if (!arguments.time_budget.empty()) {
    const core::Expected<std::int64_t> budget_ms = sim::parse_duration_ms(arguments.time_budget);
    if (!budget_ms) return core::Error{fmt::format("--time-budget: {}", budget_ms.error())};
    options.time_budget_ms = budget_ms.value();
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  options.jobs = arguments.jobs == 0 ? std::min(cores, sim::campaign_jobs_max) : arguments.jobs;
  options.faults = !arguments.no_faults;
  for (const std::string& bug : arguments.planted_bugs) {
    if (core::find_planted_bug(bug)) continue;
    return core::Error{fmt::format("--plant-bug: unknown bug '{}', expected one of {}", bug, core::planted_bug_list())};
  }
  options.planted_bugs = arguments.planted_bugs;
  options.failures_max = arguments.failures_max;
  options.shrink = !arguments.no_shrink;
  options.shrink_runs_max = arguments.shrink_runs_max;
  options.out_dir = arguments.out_dir;
  options.wall_clock_ms = wall_clock_ms;
  return options;
}

int check_arguments(const FuzzArguments& arguments, bool seeds_given) {
  const core::Expected<sim::CampaignOptions> options = campaign_options(arguments, seeds_given);
  if (options) return 0;
  err("zsim fuzz: {}", options.error());
  return exit_unusable;
}

int run_fuzz(const FuzzArguments& arguments, bool seeds_given) {
  core::Expected<sim::CampaignOptions> options = campaign_options(arguments, seeds_given);
  if (!options) {
    err("zsim fuzz: {}", options.error());
    return exit_unusable;
  }
  std::error_code error;
  std::filesystem::create_directories(options.value().out_dir, error);
  if (error) {
    err("zsim fuzz: --out: cannot create {}: {}", arguments.out_dir, error.message());
    return exit_unusable;
  }
  ProgressPrinter printer(arguments.quiet, wall_clock_ms);
  const sim::CampaignSummary summary =
      sim::run_campaign(options.value(), [&printer](const sim::CampaignProgress& report) { printer.update(report); });
  printer.finish();
  const std::filesystem::path summary_path =
      options.value().out_dir / summary_file_name(options.value().shard_index, options.value().shard_count);
  if (core::Expected<void> written = write_output_file(summary_path, json_text(campaign_summary_json(summary), 2) + "\n"); !written) {
    err("zsim fuzz: --out: {}", written.error());
    return exit_unusable;
  }
  if (!arguments.junit_path.empty()) {
    if (core::Expected<void> written = write_output_file(arguments.junit_path, sim::campaign_junit_xml(summary)); !written) {
      err("zsim fuzz: --junit: {}", written.error());
      return exit_unusable;
    }
  }
  print_summary(summary, arguments.json, summary_path.string());
  return summary.failures.empty() ? 0 : 1;
}

void add_campaign_options(CLI::App& command, FuzzArguments& arguments) {
  CLI::Option* count = command.add_option("--count", arguments.count, "Run the seeds 1..N")
                           ->check(whole_number(1, sim::campaign_seeds_max))
                           ->capture_default_str();
  command.add_option("--seeds", arguments.seeds, "Run the seeds A..B (inclusive), e.g. 5000..5999")->excludes(count);
  command.add_option("--profile", arguments.profile, fmt::format("The swarm profile: {}", profile_help()))
      ->capture_default_str();
  command.add_option("--jobs,-j", arguments.jobs, "Worker threads (default: one per core)")
      ->check(whole_number(1, sim::campaign_jobs_max));
  command.add_option("--shard", arguments.shard,
                     "Run only the seeds s with s mod N = I (I/N, e.g. 3/8); without it, JOB_COMPLETION_INDEX\n"
                     "with ZSIM_FUZZ_SHARDS does the same");
  command.add_option("--out", arguments.out_dir, "Where failures' scenario files and the summary go")->capture_default_str();
  command.add_option("--time-budget", arguments.time_budget, "Start no seed after this much wall time, e.g. 10m");
  command.add_option("--max-failures", arguments.failures_max, "Stop once this many seeds failed")
      ->check(whole_number(1, sim::campaign_failures_max))
      ->capture_default_str();
  command.add_option("--shrink-runs", arguments.shrink_runs_max, "Scenario runs the shrinker may spend on one failure")
      ->check(whole_number(1, 100'000))
      ->capture_default_str();
  command.add_flag("--no-shrink", arguments.no_shrink, "Write failing scenarios as generated, unshrunk");
  command.add_flag("--no-faults", arguments.no_faults, "Inject no faults (the clean core must pass every seed)");
  command.add_option("--plant-bug", arguments.planted_bugs,
                     "Test only: plant a known bug in the core, to see the fuzzer find it (repeatable;\n"
                     "names in docs/PROPERTIES.md)");
  command.add_flag("--json", arguments.json, "Print the summary as JSON (as written to the summary file)");
  command.add_option("--junit", arguments.junit_path, "Also write JUnit XML (one testcase per failure) to FILE");
  command.add_flag("--quiet,-q", arguments.quiet, "No progress output");
}

}  // namespace

void add_fuzz_command(CLI::App& app, int& exit_code, CommandAction action) {
  auto arguments = std::make_shared<FuzzArguments>();
  CLI::App* command = app.add_subcommand(
      "fuzz",
      "Fuzz the real provisioning core: run many seeds of a swarm profile, each a generated world of\n"
      "nodes, reservations (valid and invalid), deletes and a random subset of the fault catalogue,\n"
      "then a liveness phase where every fault heals and every live reservation must converge; every\n"
      "property is checked. Each failing seed is shrunk (delta debugging over nodes, reservations,\n"
      "steps and fault windows, while the same property fails) and written to\n"
      "OUT/<property>-seed<N>.json, which `zsim run` replays. The summary (failures, seeds/s, and\n"
      "coverage: runs per fault kind, hits per fault point and trace event kind) goes to\n"
      "OUT/campaign.json; `zsim fuzz merge` joins the summaries of shards.");
  add_campaign_options(*command, *arguments);
  add_fuzz_merge_command(*command, exit_code, action);
  command->footer(
      "Examples:\n"
      "  zsim fuzz                                  # seeds 1..1000 of the small profile\n"
      "  zsim fuzz --count 10000 --profile dense --time-budget 10m\n"
      "  zsim fuzz --seeds 1..100000 --shard 3/8 --out shard-3\n"
      "  zsim run fuzz-out/ip_unique-seed17.json     # replay a failure\n"
      "  zsim fuzz merge shard-*                      # one summary of all shards\n"
      "Exit codes: 0 no seed failed, 1 a seed failed (see OUT), 2 bad arguments or unwritable output.");
  command->callback([arguments, command, &exit_code, action] {
    if (command->got_subcommand("merge")) return;
    const bool seeds_given = command->count("--seeds") > 0;
    exit_code = action == CommandAction::run ? run_fuzz(*arguments, seeds_given) : check_arguments(*arguments, seeds_given);
  });
}

}  // namespace zsim::cli
