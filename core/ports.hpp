#pragma once
// The provisioning core sees the world only through these interfaces, passed in explicitly (no
// globals), like FoundationDB's INetwork with its real Net2 and simulated Sim2. The simulation
// (sim/, fakes/) and the real world (adapters/) plug in behind them. Every callback runs on the
// one thread that owns the Scheduler; no port calls back from inside the call that started the
// operation, so callers never see re-entrancy (a port that can answer at once schedules the
// answer for "now" instead).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "core/reservation.hpp"
#include "core/timer_callback.hpp"

namespace zsim::core {

// ---------------------------------------------------------------------------------------------
// Time. Milliseconds since the Unix epoch: virtual under simulation, the wall clock in adapters/.

using TimerId = std::uint64_t;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::int64_t now_ms() const = 0;
  // Runs callback at time_ms, or at now_ms() when time_ms is in the past. Callbacks due at the same
  // time run in the order they were scheduled. Never runs the callback from inside at().
  virtual TimerId at(std::int64_t time_ms, TimerCallback callback) = 0;
  // Returns true when the timer was still pending; its callback will not run.
  virtual bool cancel(TimerId timer) = 0;
};

// ---------------------------------------------------------------------------------------------
// Randomness, only where the core needs it (backoff jitter). Seeded under simulation.

class Rng {
 public:
  virtual ~Rng() = default;
  virtual std::uint64_t next_u64() = 0;
  // Uniform in [0, bound); bound > 0. The range reduction is fixed by the implementation, never a
  // standard-library distribution, so that a seed means the same numbers everywhere.
  virtual std::uint64_t below(std::uint64_t bound) = 0;
};

// ---------------------------------------------------------------------------------------------
// Fault points (BUGGIFY): a named spot in the core where a simulation run may inject an error.
// Outside simulation nothing fires.

class FaultPoints {
 public:
  virtual ~FaultPoints() = default;
  virtual bool fire(std::string_view point) = 0;
};

// ---------------------------------------------------------------------------------------------
// What the core narrates of its own steps (for the trace and `zsim run --explain`). Details never
// contain secret values.

class EventLog {
 public:
  virtual ~EventLog() = default;
  virtual void record(std::string_view kind, std::string_view detail) = 0;
};

// ---------------------------------------------------------------------------------------------
// The explorer: the source of workloads and the sink of results.

enum class WorkloadType : std::uint8_t {
  network = 1,
  network_resource = 2,
  zdb = 3,
  volume = 4,
  container = 5,
  kubernetes = 6,
};

struct Workload {
  std::string id;                   // "<reservation id>-<workload id>".
  std::uint64_t reservation_id = 0; // The poll cursor: poll(from) returns reservation_id >= from.
  WorkloadType type = WorkloadType::container;
  std::string user_id;              // The owner of the reservation.
  std::string user_public_key_hex;  // The owner's ed25519 public key (secret env version 1).
  std::int64_t created_s = 0;       // Unix seconds.
  std::int64_t duration_s = 0;      // Expires at created_s + duration_s.
  std::uint32_t version = 0;        // Secret environment encryption version.
  bool to_delete = false;
  std::string payload_json;         // The type's payload (the seed document's form for containers).
};

enum class ResultState : std::uint8_t { error = 0, ok = 1, deleted = 2 };

struct ProvisionResult {
  std::string workload_id;
  ResultState state = ResultState::error;
  std::string message;
  std::string data_json;
  std::int64_t epoch_s = 0;
  std::string node_id;
  std::string signature_hex;  // ed25519 over byte(state) || message || data_json.
};

struct CapacityUsage {
  std::uint64_t cpu = 0;
  std::uint64_t memory_mib = 0;
  std::uint64_t ssd_mib = 0;
  std::uint64_t hdd_mib = 0;
  bool operator==(const CapacityUsage&) const = default;
};

class Explorer {
 public:
  virtual ~Explorer() = default;
  using PollDone = std::function<void(Expected<std::vector<Workload>>)>;
  // Workloads of this node to deploy with reservation_id >= from, and every workload to delete.
  virtual void poll(const std::string& node_id, std::uint64_t from_reservation_id, PollDone done) = 0;
  // A result (ok, error or deleted); done(error) when the explorer did not take it.
  virtual void submit_result(const ProvisionResult& result, std::function<void(Status)> done) = 0;
  // Fire and forget: what the node has reserved now.
  virtual void report_capacity(const std::string& node_id, const CapacityUsage& used) = 0;
};

// ---------------------------------------------------------------------------------------------
// Signing. In zos the provision engine does not sign itself: identityd holds the node's key and
// signs what it is asked to (over zbus). The core asks this port, with the node's identity; the
// real signer is libsodium (core::KeySigner, core/result_signing.hpp), and a simulation may wrap it
// to remember what it signed (fakes/signature_ledger.hpp).

struct Identity;

class Signer {
 public:
  virtual ~Signer() = default;
  // A detached ed25519 signature of message by identity's secret key, as 128 hex digits.
  virtual std::string sign_hex(const Identity& identity, std::string_view message) = 0;
};

// ---------------------------------------------------------------------------------------------
// The flist hub. status 200 is success, 0 means the hub could not be reached.

struct HubResponse {
  int status = 0;
  std::string body;
  std::string reason;  // The status line's reason phrase as the server sent it ("Not Found"); may be empty.
};

class FlistHub {
 public:
  virtual ~FlistHub() = default;
  using Done = std::function<void(HubResponse)>;
  // GET <url>.md5: the body is the hex md5 of the flist.
  virtual void fetch_md5(const std::string& url, Done done) = 0;
  // GET <url>: the body is the flist itself.
  virtual void fetch(const std::string& url, Done done) = 0;
};

// ---------------------------------------------------------------------------------------------
// The node's container runtime: flist mounts, volumes and containers, as containerd and the
// filesystem daemon offer them to the real node.

enum class OutputStream : std::uint8_t { out, err };
enum class Signal : std::uint8_t { term, kill };

// cgroup-style figures, as the stats pusher publishes them.
struct ContainerStats {
  std::uint64_t memory_usage_bytes = 0;
  std::uint64_t memory_limit_bytes = 0;
  std::uint64_t memory_cache_bytes = 0;
  std::uint64_t cpu_usage_ns = 0;  // Cumulative.
  std::uint64_t pids_current = 0;
};

struct BindMount {
  std::string volume_id;
  std::string target;  // Normalised mountpoint inside the container.
};

struct ContainerSpec {
  std::string name;        // The workload id.
  std::string root_mount;  // What mount_flist() returned.
  std::vector<BindMount> binds;
  // The environment, secrets decrypted. The runtime never traces or prints these values.
  std::vector<std::pair<std::string, std::string>> environment;
  std::string entrypoint;  // Ignored when interactive: coreX runs instead.
  bool interactive = false;
  std::uint64_t cpu = 0;
  std::uint64_t memory_mib = 0;
  std::string network_id;
  std::string ipv4;
  bool public_ip6 = false;
};

class ContainerObserver {
 public:
  virtual ~ContainerObserver() = default;
  // A chunk of output, not necessarily whole lines.
  virtual void on_output(OutputStream stream, std::string_view chunk) = 0;
  // The container's main process ended (by itself, by a crash or by a signal). Nothing follows.
  virtual void on_exit(int exit_code) = 0;
};

// How long after it is asked for a mount is done or has failed, whether or not anyone still waits.
inline constexpr std::int64_t mount_answer_max_ms = 5'000;

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  using MountDone = std::function<void(Expected<std::string>)>;
  // Mounts the flist read-write over a root disk, waiting up to 5 s for the filesystem daemon.
  // Returns the mount path. A corrupt flist fails the mount. The filesystem daemon is a process of
  // its own: a mount asked for by a daemon that has since died still happens, but never later than
  // mount_answer_max_ms after it was asked for.
  virtual void mount_flist(const std::string& name, const std::string& flist_bytes, std::uint64_t disk_size_mib,
                           DiskType disk_type, MountDone done) = 0;
  // Error "not mounted: NAME" when there is no such mount.
  virtual Status unmount(const std::string& name) = 0;

  virtual Status create_volume(const std::string& volume_id, std::uint64_t size_mib, DiskType type) = 0;
  virtual Status delete_volume(const std::string& volume_id) = 0;
  virtual bool volume_exists(const std::string& volume_id) const = 0;

  // Starts the container; the observer must outlive it (until on_exit or detach()).
  virtual Status start(const ContainerSpec& spec, ContainerObserver& observer) = 0;
  // After a daemon restart: binds a new observer to a container that still runs.
  virtual Status attach(const std::string& name, ContainerObserver& observer) = 0;
  // Forget the observer without stopping the container (the daemon is going away).
  virtual void detach(const std::string& name) = 0;
  // Error "no such container: NAME" when it is not running.
  virtual Status signal(const std::string& name, Signal signal) = 0;
  // Forget a container that has exited, so that its name can be started again.
  virtual Status remove(const std::string& name) = 0;
  virtual Expected<ContainerStats> stats(const std::string& name) = 0;
  // The container's network namespace, made when it joins its network and kept until it leaves,
  // whatever its processes do (zos: networkd's Join and Leave). With public_ip6 it holds the `pub`
  // interface, on which the node's router gives the container a public IPv6 address some time
  // later. Joining a namespace that exists keeps it as it is (a daemon restart joins again).
  // A runtime that models no network namespaces (a test double of the pushers) keeps these
  // defaults: nothing to make or remove.
  virtual Status join_network(const std::string& name, bool public_ip6) {
    (void)name;
    (void)public_ip6;
    return {};
  }
  virtual void leave_network(const std::string& name) { (void)name; }
  // The public IPv6 address on the `pub` interface of the container's namespace, once the router
  // gave one; an error until then ("waiting for more addresses"), or when there is no such
  // interface. A process that exited does not take the address with it.
  virtual Expected<std::string> public_ipv6(const std::string& name) = 0;
};

// ---------------------------------------------------------------------------------------------
// Publishing to redis. One connection per (server, user of it); publishes are pipelined and
// answered in order.

using ConnectionId = std::uint64_t;

class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void on_connected() = 0;
  // The connection could not be made or was lost. Publishes not yet answered are lost with it.
  // Nothing follows on this connection id.
  virtual void on_disconnected(std::string_view reason) = 0;
  // The answer to the oldest publish not yet answered on this connection.
  virtual void on_reply(bool ok) = 0;
};

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Starts connecting (with AUTH when the URL has a password); exactly one of on_connected or
  // on_disconnected follows.
  virtual ConnectionId connect(const RedisUrl& server, ConnectionObserver& observer) = 0;
  // Only while connected. One on_reply follows, or on_disconnected.
  virtual void publish(ConnectionId connection, std::string_view channel, std::string_view payload) = 0;
  // No callback follows a close.
  virtual void close(ConnectionId connection) = 0;
};

// ---------------------------------------------------------------------------------------------
// The node's persistent cache. It survives a daemon restart; a node reboot wipes it except the
// keys under the durable prefixes below, which are on the node's disk (docs/ARCHITECTURE.md, "The
// cache (Store keys)"). They are part of this contract: the core writes its durable keys under
// these names, and a Store that models a reboot (fakes/memory_store) keeps exactly these.

// Volumes: a volume outlives a reboot, and its record with it (volume_manager).
inline constexpr std::string_view volume_key_prefix = "volume/";
// The flist cache by md5 and the md5 last fetched for a URL (flist_cache): zos keeps its flists on
// disk, and a hub outage during a reboot must not destroy every running container.
inline constexpr std::string_view flist_content_key_prefix = "flist/";
inline constexpr std::string_view flist_url_key_prefix = "flist-url/";
// The result outbox (result_sender): a result signed before a reboot is sent after it, the same
// bytes, rather than a second, different one.
inline constexpr std::string_view result_outbox_key_prefix = "results/";
// The workloads answered "ok" and not ended since (node): after a reboot they are provisioned
// again before any workload the node never answered, so a reservation paid late cannot take the
// capacity or address of a container the user was told runs (a dense fuzz seed found one lost).
inline constexpr std::string_view promised_key_prefix = "promised/";

inline constexpr std::array<std::string_view, 5> durable_key_prefixes = {
    volume_key_prefix, flist_content_key_prefix, flist_url_key_prefix, result_outbox_key_prefix, promised_key_prefix};

// True when a reboot keeps this key.
constexpr bool survives_reboot(std::string_view key) {
  for (const std::string_view prefix : durable_key_prefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

class Store {
 public:
  virtual ~Store() = default;
  virtual void put(const std::string& key, std::string value) = 0;
  virtual std::optional<std::string> get(const std::string& key) const = 0;
  virtual void erase(const std::string& key) = 0;
  // Keys starting with prefix, in byte order.
  virtual std::vector<std::string> keys(std::string_view prefix) const = 0;
};

}  // namespace zsim::core
