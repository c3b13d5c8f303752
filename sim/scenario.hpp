#pragma once
// Scenario files, format 1: a grid (nodes, hub flists, redis servers), reservations in the seed's
// payload form, timed steps (deliver, delete, advance, inject or heal a fault, crash a container,
// restart a daemon, reboot a node) and expectations (results, capacity, messages per channel,
// delivery counters, containers, trace lines, no secret leaked, the trace hash). scenarios/README.md
// explains the format to people; scenarios/schema.json describes it to editors. This file is the
// model and the loader: every mistake in a file is reported as "FILE: JSON.PATH: what is wrong".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "core/flist_image.hpp"
#include "core/ports.hpp"
#include "fakes/container_program.hpp"
#include "sim/node_knobs.hpp"

namespace zsim::sim {

inline constexpr int scenario_format_version = 1;
// Bounds on what one file may ask for: a scenario is a readable regression test, not a load test.
inline constexpr std::size_t scenario_nodes_max = 64;
inline constexpr std::size_t scenario_items_max = 4096;  // Per list: reservations, steps, checks...
inline constexpr std::int64_t scenario_time_max_ms = std::int64_t{30} * 24 * 3600 * 1000;
inline constexpr std::size_t scenario_file_bytes_max = std::size_t{4} << 20;
// How much of a file name an error shows (escaped: a name may hold any byte).
inline constexpr std::size_t scenario_file_name_bytes_max = 4096;
// The text itself: nesting and string length are bounded by core/json_text.hpp (json_depth_max,
// json_string_bytes_max), before anything copies or prints a value.

// An exact count or an inclusive range; {"min": a} alone has no upper bound.
struct CountRange {
  std::uint64_t min = 0;
  std::uint64_t max = UINT64_MAX;
  bool contains(std::uint64_t value) const { return value >= min && value <= max; }
  // "7", "at least 3", "at most 9" or "3..9".
  std::string describe() const;
};

struct NetworkSpec {
  std::string name;
  std::string subnet;
  std::string owner;
  std::string workload_id;  // "0-<k>": assigned by the loader in file order.
};

struct VolumeSpec {
  std::string workload_id;  // As written: "<reservation id>-<workload number>".
  std::string owner;
  std::uint64_t size_gib = 1;
  std::string disk_type = "ssd";
};

struct NodeSpec {
  std::string label;
  core::CapacityUsage totals{16, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024};
  bool ipv4_only = false;
  NodeKnobs knobs;  // Only the knobs that differ from their default (sim/node_knobs.hpp).
  std::vector<NetworkSpec> networks;
  std::vector<VolumeSpec> volumes;
};

struct FlistSpec {
  std::string url;
  core::FlistImage image;
  std::optional<fakes::ContainerProgram> program;  // What containers of this flist run.
  bool not_found = false;
  bool corrupt = false;
  bool md5_mismatch = false;
  int status = 0;  // An HTTP status the hub answers this flist (and its .md5) with; 0: none.
};

struct RedisSpec {
  std::string address;  // host:port
  std::string password;
};

// A secret environment value: plaintext the runner encrypts for the node, or ciphertext as is.
struct SecretSpec {
  std::string name;
  std::string plaintext;
  std::string ciphertext_hex;
  bool raw = false;
};

struct WorkloadSpec {
  core::WorkloadType type = core::WorkloadType::container;
  nlohmann::json payload;            // The seed's payload form; secret_environment handled apart.
  std::vector<SecretSpec> secrets;   // In the payload's key order.
  std::uint32_t secret_version = 1;  // Workload.version; other than 0 and 1 is the zos bug's case.
  std::optional<fakes::ContainerProgram> program;  // Overrides the flist's program.
};

struct ReservationSpec {
  std::uint64_t id = 0;
  std::string owner;
  std::string node;  // Label.
  std::int64_t duration_ms = 3'600'000;
  std::int64_t paid_after_ms = 0;
  std::vector<WorkloadSpec> workloads;  // Workload ids are "<id>-1", "<id>-2", ...
  std::string path;                     // JSON path, for messages.
};

enum class StepKind : std::uint8_t { deliver, remove, advance, fault, heal, heal_all, crash, restart_daemon, reboot };
std::string_view to_string(StepKind kind);

// Fault kinds, as written in files: "hub.down", "redis.dropping", ...
struct FaultSpec {
  std::string kind;
  std::string target;  // A server address, an flist URL or a node label; may be empty.
  std::string point;   // buggify: the fault point in the core.
  std::int64_t latency_ms = 0;
  std::int64_t by_ms = 0;  // clock.step
  std::uint64_t count = 0;
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;
  int status = 0;  // hub.status
};
// Every fault kind the format knows, in the order the README lists them.
const std::vector<std::string_view>& fault_kinds();

struct StepSpec {
  StepKind kind = StepKind::advance;
  std::int64_t at_ms = 0;  // From the start of the scenario, computed by the loader.
  std::uint64_t reservation = 0;  // deliver, delete (whole reservation)
  std::string workload;           // delete (one workload), crash
  std::string node;               // restart_daemon, reboot
  FaultSpec fault;                // fault, heal
  // crash with "if_running", delete with "if_live": a step a generated scenario cannot time
  // exactly; when the container is not running (or the workload already ended) it is skipped and
  // traced, not a failure.
  bool if_possible = false;
  std::string note;
  std::string path;
};

enum class CheckKind : std::uint8_t { result, capacity, messages, delivery, container, trace };

struct ResultCheck {
  std::string workload;
  // A result of this state exists; message and data are checked on the first of them (on the last
  // for "deleted"; without a state, on the terminal result: the first ok or error).
  std::optional<core::ResultState> state;
  std::optional<std::string> message;
  nlohmann::json data;                     // Fields the result's data must have (null: none asked).
  std::optional<std::vector<core::ResultState>> sequence;  // Every result, in order.
  std::optional<std::string> explorer_state;               // "deploy", "delete", "deleted", ...
  // The result picked (as for message) reached the explorer before this workload's terminal result.
  std::optional<std::string> before;
};

struct CapacityCheck {
  std::string node;
  std::optional<core::CapacityUsage> used;  // None: only the report is checked.
  bool reported = true;  // The explorer's last report must say the same as used.
  std::optional<core::CapacityUsage> reported_usage;  // The explorer's last report must say this.
};

struct MessagesCheck {
  std::string server;
  std::string channel;
  CountRange count;
  nlohmann::json last_json;  // Fields the last payload (a JSON object) must have; null: none.
  std::optional<std::string> last_text;  // The last payload, byte for byte (a log line's '\n' included).
};

struct DeliveryCheck {
  std::string node;
  std::map<std::string, CountRange> counters;  // "lines_delivered" -> range, ...
};
const std::vector<std::string_view>& delivery_counter_names();

struct ContainerCheck {
  std::string workload;
  std::optional<bool> running;
  std::optional<std::string> ipv4;
  std::optional<std::string> entrypoint;
  std::optional<bool> interactive;
  std::optional<std::vector<std::string>> env_names;
  std::optional<std::vector<core::BindMount>> binds;
  std::optional<std::uint64_t> cpu_limit_millicores;
  std::optional<std::uint64_t> memory_mib;
};

struct TraceCheck {
  std::string node;  // Empty: any.
  std::string kind;
  std::map<std::string, std::string> fields;  // Each key=value must appear in the line.
  CountRange count;
};

struct Check {
  CheckKind kind = CheckKind::result;
  std::optional<std::int64_t> at_ms;  // None: at the end of the scenario.
  std::string path;                   // "expect.results[2]"
  ResultCheck result;
  CapacityCheck capacity;
  MessagesCheck messages;
  DeliveryCheck delivery;
  ContainerCheck container;
  TraceCheck trace;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  std::uint64_t seed = 1;
  std::vector<NodeSpec> nodes;
  std::vector<FlistSpec> flists;
  std::vector<RedisSpec> redis;
  std::vector<ReservationSpec> reservations;
  std::vector<StepSpec> steps;
  std::int64_t end_ms = 0;  // The last step, the last timed check, or run_for: whichever is latest.
  std::vector<Check> checks;
  bool no_secret_leaked = true;
  // Containers whose stats channel must get a message every stats interval of their node while they
  // run (expect.stats_cadence): the file promises their endpoint stays healthy.
  std::vector<std::string> stats_cadence;
  std::optional<std::string> trace_hash;
  // "buggify": true: the core's fault points switch themselves on when first reached (a fuzz run's
  // world), until the first heal_all or the wind-down.
  bool buggify = false;
  // "plant_bugs": ["hdd_never_released", ...]: test-only bugs planted in every node's core
  // (core/planted_bugs.hpp), so a found bug's file replays with the bug in place.
  std::vector<std::string> planted_bugs;
  bool poll_descending = false;  // "explorer": {"poll_order": "descending"}: polls list ids high to low.

  const ReservationSpec* reservation(std::uint64_t id) const;
  const NodeSpec* node(std::string_view label) const;
};

// Reads and checks a scenario. Errors are one line: "FILE: PATH: what is wrong", where PATH is the
// JSON path ("steps[3].fault", "expect.results[0].state", "(top level)").
// The stats endpoint (redis URL) of a container workload of the scenario: the first of its
// stats_aggregator; nullopt when the id names no such workload or it sends no stats.
std::optional<std::string> stats_endpoint(const Scenario& scenario, const std::string& workload_id);

core::Expected<Scenario> load_scenario_file(const std::string& path);
core::Expected<Scenario> load_scenario_text(std::string_view text, const std::string& file);

// The flist's metadata body as the hub serves it: derived from the name and size, so a file need
// not (and cannot) spell it out, and a generated scenario written to a file keeps its md5.
std::string scenario_flist_body(const core::FlistImage& image);

// Times in scenario messages: "+mm:ss.mmm" from the start (minutes may pass 59).
std::string format_offset(std::int64_t offset_ms);
std::string_view to_string(CheckKind kind);
core::Expected<core::ResultState> parse_result_state(std::string_view text);

}  // namespace zsim::sim
