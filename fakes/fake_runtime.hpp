#pragma once
// containerd and the filesystem daemon of one node, as the provisioning core sees them.
//
// Flist mounts answer after a mount latency; a corrupt flist fails the mount; a daemon that does
// not respond makes a mount wait up to 5 s and fail (zos waited 5 s for 0-fs). A daemon that dies
// leaves its mounts stale until it is restarted: starting a container on a stale mount fails with
// "transport endpoint is not connected" (zos #1017/#1268). Volumes survive reboots; mounts and
// containers do not. A container plays a ContainerProgram in virtual time: output chunks, memory
// that may grow into an OOM kill, CPU time granted up to the enforced limit (or the inverted
// quota/period of zos before PR #1214, behind a switch), exits by itself, by a signal or a crash.
// A container's network namespace lives from its network join to its leave, apart from its
// processes: its pub interface gets the public IPv6 address ipv6_delay_ms after the join, restarts
// and exits of the process notwithstanding (unless the "no IPv6" fault keeps the router silent).
//
// Every answer and every callback runs on the scheduler, never inside the call that caused it.
// Environment values (decrypted secrets among them) are dropped at start(): the runtime keeps,
// traces and returns only their names.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/flist_image.hpp"
#include "core/ports.hpp"
#include "fakes/container_program.hpp"
#include "kernel/prng.hpp"
#include "kernel/trace.hpp"

namespace zsim::fakes {

struct FakeRuntimeConfig {
  std::uint32_t node_cpu_count = 8;  // The node's logical CPUs: a container never runs faster.
  bool ipv4_only = false;
  std::string ipv6_prefix = "2a02:1802:5e:1102";  // The node's /64, four groups without "::".
  std::int64_t mount_latency_ms = 100;
  std::int64_t ipv6_delay_ms = 3000;
  std::size_t containers_max = 100'000;
};

// A mount as the checker sees it.
struct MountInfo {
  std::string name;
  std::string path;
  std::string flist_name;
  std::uint64_t disk_size_mib = 0;
  core::DiskType disk_type = core::DiskType::ssd;
  bool stale = false;
};

struct RuntimeCounts {
  std::uint64_t mounts = 0;
  std::uint64_t mount_failures = 0;
  std::uint64_t starts = 0;
  std::uint64_t start_failures = 0;
  std::uint64_t exits = 0;
  std::uint64_t kills = 0;  // SIGKILL signals received.
  std::uint64_t terms = 0;  // SIGTERM signals received.
  std::uint64_t oom_kills = 0;
  std::uint64_t crashes = 0;
  std::uint64_t reboots = 0;
  std::uint64_t chunks = 0;
  std::uint64_t lines = 0;
  std::uint64_t chunks_unobserved = 0;  // Printed while no observer was attached.
};

class FakeRuntime final : public core::ContainerRuntime {
 public:
  using DecodeFlist = std::function<core::Expected<core::FlistImage>(std::string_view)>;
  static constexpr std::int64_t fs_daemon_wait_ms = core::mount_answer_max_ms;
  static constexpr std::int64_t fs_daemon_poll_ms = 250;
  static constexpr std::size_t mounts_max = 200'000;
  static constexpr std::size_t volumes_max = 200'000;
  static constexpr std::size_t programs_max = 100'000;
  static constexpr std::string_view mount_root = "/var/cache/modules/flistd/mountpoint/";

  // label names the node in trace lines. decode turns mounted bytes into an image (a test may
  // inject its own); it defaults to core::decode_flist.
  FakeRuntime(core::Scheduler& scheduler, kernel::Trace& trace, std::string label, kernel::Prng prng,
              FakeRuntimeConfig config = {}, DecodeFlist decode = core::decode_flist);
  ~FakeRuntime() override;
  FakeRuntime(const FakeRuntime&) = delete;
  FakeRuntime& operator=(const FakeRuntime&) = delete;

  // --- core::ContainerRuntime ---------------------------------------------------------------
  void mount_flist(const std::string& name, const std::string& flist_bytes, std::uint64_t disk_size_mib,
                   core::DiskType disk_type, MountDone done) override;
  core::Status unmount(const std::string& name) override;
  core::Status create_volume(const std::string& volume_id, std::uint64_t size_mib, core::DiskType type) override;
  core::Status delete_volume(const std::string& volume_id) override;
  bool volume_exists(const std::string& volume_id) const override;
  core::Status start(const core::ContainerSpec& spec, core::ContainerObserver& observer) override;
  core::Status attach(const std::string& name, core::ContainerObserver& observer) override;
  void detach(const std::string& name) override;
  core::Status signal(const std::string& name, core::Signal signal) override;
  core::Status remove(const std::string& name) override;
  core::Expected<core::ContainerStats> stats(const std::string& name) override;
  core::Status join_network(const std::string& name, bool public_ip6) override;
  void leave_network(const std::string& name) override;
  core::Expected<std::string> public_ipv6(const std::string& name) override;

  // --- Programs ------------------------------------------------------------------------------
  // What a container runs: set_program by name, else coreX when interactive, else the program of
  // the flist mounted at its root, else the default.
  void set_program(const std::string& container_name, const ContainerProgram& program);
  void set_program_for_flist(const std::string& flist_name, const ContainerProgram& program);
  void set_default_program(const ContainerProgram& program);

  // --- Faults, each with its heal -----------------------------------------------------------
  void set_fs_daemon_down(bool down);  // Mounts wait up to 5 s, then fail.
  void kill_fs_daemon();               // Existing mounts go stale...
  void restart_fs_daemon();            // ...until the daemon is back.
  void set_mount_latency_ms(std::int64_t latency_ms);
  void fail_next_starts(std::uint64_t count);
  void set_cpu_limit_inverted(bool inverted);  // zos before PR #1214.
  void set_no_ipv6(bool no_ipv6);  // The router never gives a pub interface its public IPv6.
  bool has_network_namespace(const std::string& name) const { return namespaces_.contains(name); }
  core::Status crash(const std::string& name);  // Exits with 139, now (scheduled).
  // The node goes down and up: containers die without on_exit, pending mounts never answer,
  // mounts vanish, volumes stay.
  void reboot();

  // --- Queries for checkers -----------------------------------------------------------------
  std::vector<std::string> running() const;
  std::vector<std::string> exited() const;
  std::vector<MountInfo> mounts() const;
  std::vector<core::BindMount> bind_mounts(const std::string& name) const;
  // The spec as started, environment values blanked (names only).
  std::optional<core::ContainerSpec> spec(const std::string& name) const;
  std::optional<int> exit_code(const std::string& name) const;
  std::optional<ContainerProgram> program_of(const std::string& name) const;
  // The CPU limit the container got when it started, in millicores; none for an unknown name.
  std::optional<std::uint64_t> container_cpu_limit_millicores(const std::string& name) const;
  std::vector<std::string> volumes() const;
  const RuntimeCounts& counts() const { return counts_; }
  bool fs_daemon_down() const { return fs_daemon_down_; }
  bool fs_daemon_dead() const { return fs_daemon_dead_; }
  // The CPU the container may use, in millicores, as the cgroup grants it.
  std::uint64_t cpu_limit_millicores(std::uint64_t cpu) const;

 private:
  struct Mount {
    std::string path;
    core::FlistImage image;
    std::uint64_t disk_size_mib = 0;
    core::DiskType disk_type = core::DiskType::ssd;
    bool stale = false;
  };
  struct PendingMount {
    std::string name;
    std::string flist_bytes;
    std::uint64_t disk_size_mib = 0;
    core::DiskType disk_type = core::DiskType::ssd;
    std::int64_t ready_at_ms = 0;
    std::int64_t deadline_ms = 0;
    MountDone done;
    core::TimerId timer = 0;
  };
  struct Volume {
    std::uint64_t size_mib = 0;
    core::DiskType type = core::DiskType::ssd;
  };
  enum class Phase : std::uint8_t { running, exited };
  enum TimerSlot : std::uint8_t { banner_timer, line_timer, natural_exit_timer, oom_timer, sigterm_timer, now_exit_timer };
  static constexpr std::size_t timer_slots = 6;
  struct Container {
    core::ContainerSpec spec;  // Environment values blanked.
    ContainerProgram program;
    core::ContainerObserver* observer = nullptr;
    Phase phase = Phase::running;
    std::uint64_t incarnation = 0;
    std::int64_t started_ms = 0;
    std::int64_t exited_ms = 0;
    std::uint64_t lines_printed = 0;
    int exit_code = 0;
    std::uint64_t cpu_limit_millicores = 0;
    kernel::Prng chunk_prng{0};
    // Pending timers by purpose, cancelled at exit and at reboot; a slot is emptied when it fires.
    std::array<std::optional<core::TimerId>, timer_slots> timers{};
  };

  void check_mount(std::uint64_t pending_id);
  void finish_mount(PendingMount pending);
  core::Status check_start(const core::ContainerSpec& spec, const Mount** root) const;
  std::pair<ContainerProgram, std::string_view> choose_program(const core::ContainerSpec& spec,
                                                               const Mount& root) const;
  void schedule_program(const std::string& name, Container& container);
  void print_banner(const std::string& name, std::uint64_t incarnation);
  void print_line(const std::string& name, std::uint64_t incarnation);
  void emit(const std::string& name, std::uint64_t incarnation, core::OutputStream stream, std::string_view text);
  void schedule_exit(const std::string& name, Container& container, TimerSlot slot, std::int64_t at_ms, int code,
                     std::string_view reason);
  void exit_now(const std::string& name, std::uint64_t incarnation, TimerSlot slot, int code, std::string_view reason);
  void release_users(const Container& container);
  Container* live(const std::string& name, std::uint64_t incarnation);
  const Mount* mount_at(const std::string& path) const;
  std::string ipv6_address(const std::string& name) const;
  void cancel_timers(Container& container);
  void record(std::string_view kind, std::string_view fields);

  core::Scheduler& scheduler_;
  kernel::Trace& trace_;
  std::string label_;
  kernel::Prng prng_;
  FakeRuntimeConfig config_;
  DecodeFlist decode_;

  std::map<std::string, Mount> mounts_;
  std::map<std::uint64_t, PendingMount> pending_mounts_;
  std::map<std::string, Volume> volumes_;
  std::map<std::string, Container> containers_;
  // Network namespaces by container name: made at network join, gone at leave or reboot.
  struct Namespace {
    bool pub = false;  // Holds the pub interface (public IPv6 asked, node not IPv4-only).
    std::int64_t joined_ms = 0;
  };
  std::map<std::string, Namespace> namespaces_;
  // How many running containers use a root mount path or a volume: unmount and delete_volume
  // refuse while it is non-zero, as the kernel refuses to unmount a busy target.
  std::map<std::string, std::uint64_t> root_users_;
  std::map<std::string, std::uint64_t> volume_users_;
  std::map<std::string, ContainerProgram> programs_by_name_;
  std::map<std::string, ContainerProgram> programs_by_flist_;
  ContainerProgram default_program_;

  std::uint64_t next_pending_id_ = 1;
  std::uint64_t next_incarnation_ = 1;
  bool fs_daemon_down_ = false;
  bool fs_daemon_dead_ = false;
  bool cpu_limit_inverted_ = false;
  bool no_ipv6_ = false;
  std::uint64_t fail_next_starts_ = 0;
  RuntimeCounts counts_;
};

}  // namespace zsim::fakes
