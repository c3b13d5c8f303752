#include "fakes/fake_runtime.hpp"

#include "core/secret_env.hpp"

#include "kernel/trace_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

namespace zsim::fakes {

namespace {
constexpr std::size_t trace_value_bytes_max = 512;
constexpr std::int64_t delay_max_ms = std::int64_t{24} * 3600 * 1000;
// zos gave a container without a memory figure 256 MiB and without a CPU figure one core.
constexpr std::uint64_t default_memory_mib = 256;
constexpr std::uint64_t default_cpu = 1;
constexpr std::string_view corrupt_prefix = "corrupt flist: ";

std::string trace_value(std::string_view text) { return kernel::trace_value(text, trace_value_bytes_max); }

std::string_view disk_name(core::DiskType type) { return type == core::DiskType::hdd ? "hdd" : "ssd"; }

// FNV-1a: the address suffix depends on the name only, so a container keeps its IPv6 across
// restarts and reboots, as zos derived it from a MAC address computed from the name.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string env_names(const core::ContainerSpec& spec) {
  std::string names;
  for (const auto& [name, value] : spec.environment) {
    if (!names.empty()) names.push_back(',');
    names += name;
  }
  return names;
}
}  // namespace

FakeRuntime::FakeRuntime(core::Scheduler& scheduler, kernel::Trace& trace, std::string label, kernel::Prng prng,
                         FakeRuntimeConfig config, DecodeFlist decode)
    : scheduler_(scheduler),
      trace_(trace),
      label_(std::move(label)),
      prng_(prng),
      config_(std::move(config)),
      decode_(std::move(decode)) {
  assert(!label_.empty());
  assert(decode_);
  assert(config_.node_cpu_count >= 1 && config_.node_cpu_count <= cpu_millicores_max / 1000);
  assert(config_.mount_latency_ms >= 0 && config_.mount_latency_ms <= delay_max_ms);
  assert(config_.ipv6_delay_ms >= 0 && config_.ipv6_delay_ms <= delay_max_ms);
  assert(config_.containers_max >= 1);
  assert(config_.ipv4_only || !config_.ipv6_prefix.empty());
  assert(default_program_.valid());
}

FakeRuntime::~FakeRuntime() {
  // Timers capture this runtime; none may run after it is gone.
  for (auto& [name, container] : containers_) cancel_timers(container);
  for (auto& [id, pending] : pending_mounts_) scheduler_.cancel(pending.timer);
}

void FakeRuntime::record(std::string_view kind, std::string_view fields) {
  trace_.record(scheduler_.now_ms(), label_, kind, fields);
}

// --- Mounts -----------------------------------------------------------------------------------

void FakeRuntime::mount_flist(const std::string& name, const std::string& flist_bytes, std::uint64_t disk_size_mib,
                              core::DiskType disk_type, MountDone done) {
  assert(!name.empty());
  assert(done);
  assert(pending_mounts_.size() + mounts_.size() < mounts_max);
  const std::int64_t now_ms = scheduler_.now_ms();
  const std::uint64_t pending_id = next_pending_id_++;
  PendingMount pending{name,     flist_bytes, disk_size_mib, disk_type, now_ms + config_.mount_latency_ms,
                       now_ms + fs_daemon_wait_ms, std::move(done), 0};
  const std::int64_t first_check_ms = std::min(pending.ready_at_ms, pending.deadline_ms);
  auto [entry, inserted] = pending_mounts_.emplace(pending_id, std::move(pending));
  assert(inserted);
  entry->second.timer = scheduler_.at(first_check_ms, [this, pending_id] { check_mount(pending_id); });
}

// The daemon answers a mount after the latency when it is up; when it is down (or slower than
// 5 s) the node polls until its 5 s wait runs out, as zos waited for 0-fs.
void FakeRuntime::check_mount(std::uint64_t pending_id) {
  const auto found = pending_mounts_.find(pending_id);
  assert(found != pending_mounts_.end());
  PendingMount& pending = found->second;
  const std::int64_t now_ms = scheduler_.now_ms();
  if (!fs_daemon_down_ && now_ms >= pending.ready_at_ms) {
    PendingMount ready = std::move(pending);
    pending_mounts_.erase(found);
    finish_mount(std::move(ready));
    return;
  }
  if (now_ms >= pending.deadline_ms) {
    PendingMount failed = std::move(pending);
    pending_mounts_.erase(found);
    counts_.mount_failures += 1;
    record("mount", fmt::format("name={} outcome=failed reason=daemon_not_responding", trace_value(failed.name)));
    failed.done(core::Error{"filesystem daemon not responding"});
    return;
  }
  const std::int64_t next_ms =
      std::min(pending.deadline_ms, fs_daemon_down_ ? now_ms + fs_daemon_poll_ms : pending.ready_at_ms);
  assert(next_ms > now_ms);
  pending.timer = scheduler_.at(next_ms, [this, pending_id] { check_mount(pending_id); });
}

void FakeRuntime::finish_mount(PendingMount pending) {
  core::Expected<core::FlistImage> image = decode_(pending.flist_bytes);
  if (!image.ok()) {
    std::string reason = image.error();
    if (reason.rfind(corrupt_prefix, 0) != 0) reason = std::string(corrupt_prefix) + reason;
    counts_.mount_failures += 1;
    record("mount", fmt::format("name={} outcome=failed reason={}", trace_value(pending.name), trace_value(reason)));
    pending.done(core::Error{reason});
    return;
  }
  const auto existing = mounts_.find(pending.name);
  // A live mount of that name is reused; a stale one is replaced by a fresh daemon's mount.
  const bool reused = existing != mounts_.end() && !existing->second.stale;
  if (!reused) {
    mounts_[pending.name] = Mount{std::string(mount_root) + pending.name, std::move(image).value(),
                                  pending.disk_size_mib, pending.disk_type, false};
  }
  const Mount& mount = mounts_.at(pending.name);
  counts_.mounts += 1;
  record("mount", fmt::format("name={} flist={} disk_size_mib={} disk_type={} outcome={}", trace_value(pending.name),
                              trace_value(mount.image.name), mount.disk_size_mib, disk_name(mount.disk_type),
                              reused ? "reused" : "mounted"));
  pending.done(mount.path);
}

core::Status FakeRuntime::unmount(const std::string& name) {
  const auto found = mounts_.find(name);
  if (found == mounts_.end()) return core::Error{fmt::format("not mounted: {}", name)};
  const auto users = root_users_.find(found->second.path);
  if (users != root_users_.end()) {
    assert(users->second > 0);
    record("unmount", fmt::format("name={} outcome=busy", trace_value(name)));
    return core::Error{fmt::format("unmount {}: target is busy", name)};
  }
  const bool stale = found->second.stale;
  mounts_.erase(found);
  record("unmount", fmt::format("name={} outcome=unmounted stale={}", trace_value(name), stale));
  return {};
}

const FakeRuntime::Mount* FakeRuntime::mount_at(const std::string& path) const {
  if (path.rfind(mount_root, 0) != 0) return nullptr;
  const auto found = mounts_.find(path.substr(mount_root.size()));
  return found == mounts_.end() ? nullptr : &found->second;
}

// --- Volumes ----------------------------------------------------------------------------------

core::Status FakeRuntime::create_volume(const std::string& volume_id, std::uint64_t size_mib, core::DiskType type) {
  assert(!volume_id.empty());
  if (volumes_.count(volume_id) == 1) return core::Error{fmt::format("volume already exists: {}", volume_id)};
  if (volumes_.size() >= volumes_max) return core::Error{"too many volumes"};
  volumes_.emplace(volume_id, Volume{size_mib, type});
  record("volume_create", fmt::format("volume={} size_mib={} type={}", trace_value(volume_id), size_mib, disk_name(type)));
  return {};
}

core::Status FakeRuntime::delete_volume(const std::string& volume_id) {
  const auto found = volumes_.find(volume_id);
  if (found == volumes_.end()) return core::Error{fmt::format("no such volume: {}", volume_id)};
  if (volume_users_.count(volume_id) == 1) {
    record("volume_delete", fmt::format("volume={} outcome=busy", trace_value(volume_id)));
    return core::Error{fmt::format("volume {} is in use", volume_id)};
  }
  volumes_.erase(found);
  record("volume_delete", fmt::format("volume={} outcome=deleted", trace_value(volume_id)));
  return {};
}

bool FakeRuntime::volume_exists(const std::string& volume_id) const { return volumes_.count(volume_id) == 1; }

// --- Starting ---------------------------------------------------------------------------------

core::Status FakeRuntime::check_start(const core::ContainerSpec& spec, const Mount** root) const {
  if (containers_.count(spec.name) == 1) return core::Error{fmt::format("container already exists: {}", spec.name)};
  if (containers_.size() >= config_.containers_max) return core::Error{"too many containers on this node"};
  *root = mount_at(spec.root_mount);
  if (*root == nullptr) return core::Error{fmt::format("rootfs not mounted: {}", spec.root_mount)};
  if ((*root)->stale) return core::Error{"transport endpoint is not connected"};
  for (const core::BindMount& bind : spec.binds) {
    if (volumes_.count(bind.volume_id) == 0) {
      return core::Error{fmt::format("bind mount source missing: volume {}", bind.volume_id)};
    }
  }
  if (!spec.interactive && spec.entrypoint.empty() && (*root)->image.entrypoint.empty()) {
    return core::Error{"invalid entrypoint definition ''"};
  }
  const std::uint64_t cpu = spec.cpu == 0 ? default_cpu : spec.cpu;
  if (cpu > config_.node_cpu_count) {
    return core::Error{fmt::format("asked {} CRU while only {} are available", cpu, config_.node_cpu_count)};
  }
  const std::uint64_t memory_mib = spec.memory_mib == 0 ? default_memory_mib : spec.memory_mib;
  if (memory_mib > memory_bytes_max / mib_bytes) return core::Error{"memory limit out of range"};
  return {};
}

std::pair<ContainerProgram, std::string_view> FakeRuntime::choose_program(const core::ContainerSpec& spec,
                                                                          const Mount& root) const {
  if (const auto named = programs_by_name_.find(spec.name); named != programs_by_name_.end()) {
    return {named->second, "named"};
  }
  if (spec.interactive) return {ContainerProgram::corex(), "corex"};
  if (const auto flist = programs_by_flist_.find(root.image.name); flist != programs_by_flist_.end()) {
    return {flist->second, "flist"};
  }
  return {default_program_, "default"};
}

core::Status FakeRuntime::start(const core::ContainerSpec& spec, core::ContainerObserver& observer) {
  assert(!spec.name.empty());
  const Mount* root = nullptr;
  core::Status status = check_start(spec, &root);
  if (status.ok() && fail_next_starts_ > 0) {
    fail_next_starts_ -= 1;
    status = core::Error{"failed to start task: injected fault"};
  }
  if (!status.ok()) {
    counts_.start_failures += 1;
    record("container_start", fmt::format("name={} outcome=failed reason={}", trace_value(spec.name),
                                          trace_value(status.error())));
    return status;
  }
  Container container;
  container.spec = spec;
  // Values are dropped here, before anything else sees the spec: only names are kept. The
  // flist's default environment (.startup.toml) joins under the names the spec does not set.
  for (auto& entry : container.spec.environment) core::wipe_secret(entry.second);  // Zeroed, not just emptied.
  for (const auto& default_entry : root->image.environment) {
    // A plain reference, not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& name = default_entry.first;
    const auto& env = container.spec.environment;
    const bool set = std::any_of(env.begin(), env.end(), [&](const auto& item) { return item.first == name; });
    if (!set) container.spec.environment.emplace_back(name, std::string());
  }
  if (!spec.interactive && spec.entrypoint.empty()) container.spec.entrypoint = root->image.entrypoint;
  if (container.spec.cpu == 0) container.spec.cpu = default_cpu;
  if (container.spec.memory_mib == 0) container.spec.memory_mib = default_memory_mib;
  auto [program, source] = choose_program(spec, *root);
  assert(program.valid());
  container.program = std::move(program);
  container.observer = &observer;
  container.incarnation = next_incarnation_++;
  container.started_ms = scheduler_.now_ms();
  container.cpu_limit_millicores = cpu_limit_millicores(container.spec.cpu);
  container.chunk_prng = prng_.fork(container.incarnation);
  root_users_[spec.root_mount] += 1;
  for (const core::BindMount& bind : spec.binds) volume_users_[bind.volume_id] += 1;
  auto [entry, inserted] = containers_.emplace(spec.name, std::move(container));
  assert(inserted);
  counts_.starts += 1;
  const core::ContainerSpec& started = entry->second.spec;
  record("container_start",
         fmt::format("name={} outcome=started ip={} network={} cpu={} memory_mib={} interactive={} entrypoint={} "
                     "env={} binds={} public_ip6={} program={} cpu_limit_millicores={}",
                     trace_value(started.name), trace_value(started.ipv4), trace_value(started.network_id),
                     started.cpu, started.memory_mib, started.interactive,
                     trace_value(started.interactive ? "corex" : started.entrypoint), trace_value(env_names(started)),
                     started.binds.size(), started.public_ip6, source, entry->second.cpu_limit_millicores));
  schedule_program(entry->first, entry->second);
  return {};
}

// --- Playing a program --------------------------------------------------------------------------

void FakeRuntime::schedule_program(const std::string& name, Container& container) {
  const ContainerProgram& program = container.program;
  const std::uint64_t incarnation = container.incarnation;
  const std::int64_t now_ms = scheduler_.now_ms();
  if (!program.banner.empty()) {
    container.timers[banner_timer] = scheduler_.at(now_ms, [this, name, incarnation] { print_banner(name, incarnation); });
  }
  if (program.line_interval_ms > 0) {
    container.timers[line_timer] =
        scheduler_.at(now_ms + program.line_interval_ms, [this, name, incarnation] { print_line(name, incarnation); });
  }
  if (program.exit_after_ms > 0) {
    schedule_exit(name, container, natural_exit_timer, now_ms + program.exit_after_ms, natural_exit_code(program),
                  program.crash ? "crash" : "exit");
  }
  const std::uint64_t limit_bytes = container.spec.memory_mib * mib_bytes;
  const std::int64_t oom_ms = oom_after_ms(program, limit_bytes);
  if (oom_ms >= 0) schedule_exit(name, container, oom_timer, now_ms + oom_ms, exit_code_oom, "oom");
}

FakeRuntime::Container* FakeRuntime::live(const std::string& name, std::uint64_t incarnation) {
  const auto found = containers_.find(name);
  if (found == containers_.end()) return nullptr;
  Container& container = found->second;
  if (container.incarnation != incarnation || container.phase != Phase::running) return nullptr;
  return &container;
}

void FakeRuntime::print_banner(const std::string& name, std::uint64_t incarnation) {
  Container* container = live(name, incarnation);
  assert(container != nullptr);  // Timers are cancelled when a container exits.
  container->timers[banner_timer].reset();
  emit(name, incarnation, core::OutputStream::out, banner_text(container->program));
}

void FakeRuntime::print_line(const std::string& name, std::uint64_t incarnation) {
  Container* container = live(name, incarnation);
  assert(container != nullptr);
  const ContainerProgram& program = container->program;
  container->lines_printed += 1;
  const std::uint64_t line_number = container->lines_printed;
  counts_.lines += 1;
  // The next line is scheduled before this one is handed out, so whatever the observer does
  // (signal, detach) finds the container in a consistent state.
  container->timers[line_timer] =
      scheduler_.at(scheduler_.now_ms() + program.line_interval_ms, [this, name, incarnation] { print_line(name, incarnation); });
  emit(name, incarnation, line_stream(program, line_number), line_text(program, name, line_number));
}

void FakeRuntime::emit(const std::string& name, std::uint64_t incarnation, core::OutputStream stream,
                       std::string_view text) {
  Container* container = live(name, incarnation);
  assert(container != nullptr);
  const std::vector<std::string_view> chunks =
      split_into_chunks(text, container->program.chunk_split, container->chunk_prng);
  for (const std::string_view chunk : chunks) {
    assert(!chunk.empty() && chunk.size() <= output_chunk_bytes_max);
    // An observer may do anything, a node reboot included: look the container up again each time.
    container = live(name, incarnation);
    if (container == nullptr) return;
    counts_.chunks += 1;
    if (container->observer == nullptr) {
      counts_.chunks_unobserved += 1;
      continue;
    }
    container->observer->on_output(stream, chunk);
  }
}

void FakeRuntime::schedule_exit(const std::string& name, Container& container, TimerSlot slot, std::int64_t at_ms,
                                int code, std::string_view reason) {
  assert(container.phase == Phase::running);
  // A second request for the same kind of exit keeps the first (SIGTERM twice does not postpone).
  if (container.timers[slot].has_value()) return;
  const std::uint64_t incarnation = container.incarnation;
  container.timers[slot] = scheduler_.at(at_ms, [this, name, incarnation, slot, code, reason = std::string(reason)] {
    exit_now(name, incarnation, slot, code, reason);
  });
}

void FakeRuntime::cancel_timers(Container& container) {
  for (std::optional<core::TimerId>& timer : container.timers) {
    if (timer.has_value()) scheduler_.cancel(*timer);
    timer.reset();
  }
}

void FakeRuntime::release_users(const Container& container) {
  const auto root = root_users_.find(container.spec.root_mount);
  assert(root != root_users_.end() && root->second > 0);
  if (--root->second == 0) root_users_.erase(root);
  for (const core::BindMount& bind : container.spec.binds) {
    const auto volume = volume_users_.find(bind.volume_id);
    assert(volume != volume_users_.end() && volume->second > 0);
    if (--volume->second == 0) volume_users_.erase(volume);
  }
}

void FakeRuntime::exit_now(const std::string& name, std::uint64_t incarnation, TimerSlot slot, int code,
                           std::string_view reason) {
  Container* container = live(name, incarnation);
  assert(container != nullptr);
  container->timers[slot].reset();
  cancel_timers(*container);
  container->phase = Phase::exited;
  container->exit_code = code;
  container->exited_ms = scheduler_.now_ms();
  release_users(*container);
  counts_.exits += 1;
  if (reason == "oom") counts_.oom_kills += 1;
  if (reason == "crash") counts_.crashes += 1;
  record("container_exit", fmt::format("name={} code={} reason={} lines={} ran_ms={}", trace_value(name), code, reason,
                                       container->lines_printed, container->exited_ms - container->started_ms));
  // The state is final before the observer hears of it: on_exit may remove and restart the name.
  core::ContainerObserver* observer = std::exchange(container->observer, nullptr);
  if (observer != nullptr) observer->on_exit(code);
}

// --- Controlling a running container -----------------------------------------------------------

core::Status FakeRuntime::attach(const std::string& name, core::ContainerObserver& observer) {
  const auto found = containers_.find(name);
  if (found == containers_.end() || found->second.phase != Phase::running) {
    return core::Error{fmt::format("no such container: {}", name)};
  }
  found->second.observer = &observer;
  record("container_attach", fmt::format("name={}", trace_value(name)));
  return {};
}

void FakeRuntime::detach(const std::string& name) {
  const auto found = containers_.find(name);
  if (found == containers_.end() || found->second.phase != Phase::running) return;
  found->second.observer = nullptr;
  record("container_detach", fmt::format("name={}", trace_value(name)));
}

core::Status FakeRuntime::signal(const std::string& name, core::Signal signal) {
  const auto found = containers_.find(name);
  if (found == containers_.end() || found->second.phase != Phase::running) {
    return core::Error{fmt::format("no such container: {}", name)};
  }
  Container& container = found->second;
  const bool term = signal == core::Signal::term;
  const bool ignored = term && container.program.ignores_sigterm;
  record("signal", fmt::format("name={} signal={} ignored={}", trace_value(name), term ? "term" : "kill", ignored));
  if (!term) {
    counts_.kills += 1;
    schedule_exit(name, container, now_exit_timer, scheduler_.now_ms(), exit_code_sigkill, "sigkill");
    return {};
  }
  counts_.terms += 1;
  if (!ignored) {
    schedule_exit(name, container, sigterm_timer, scheduler_.now_ms() + container.program.sigterm_exit_delay_ms,
                  exit_code_sigterm, "sigterm");
  }
  return {};
}

core::Status FakeRuntime::crash(const std::string& name) {
  const auto found = containers_.find(name);
  if (found == containers_.end() || found->second.phase != Phase::running) {
    return core::Error{fmt::format("no such container: {}", name)};
  }
  record("container_crash", fmt::format("name={}", trace_value(name)));
  schedule_exit(name, found->second, now_exit_timer, scheduler_.now_ms(), exit_code_crash, "crash");
  return {};
}

core::Status FakeRuntime::remove(const std::string& name) {
  const auto found = containers_.find(name);
  if (found == containers_.end()) return core::Error{fmt::format("no such container: {}", name)};
  if (found->second.phase == Phase::running) return core::Error{fmt::format("cannot remove running container: {}", name)};
  containers_.erase(found);
  record("container_remove", fmt::format("name={}", trace_value(name)));
  return {};
}

std::uint64_t FakeRuntime::cpu_limit_millicores(std::uint64_t cpu) const {
  assert(cpu >= 1 && cpu <= config_.node_cpu_count);
  if (!cpu_limit_inverted_) return cpu * 1000;
  // zos before PR #1214 (cruToLimit): quota = 1 s and period = ceil(cpu / node_cpus * 1 s), the two
  // swapped. The grant is quota / period = node_cpus / cpu cores: one core on an 8-core node may
  // use all 8, and only a container asking for every core is held to one.
  const std::uint64_t period_us = (cpu * 1'000'000 + config_.node_cpu_count - 1) / config_.node_cpu_count;
  assert(period_us >= 1 && period_us <= 1'000'000);
  return std::uint64_t{1'000'000'000} / period_us;
}

core::Expected<core::ContainerStats> FakeRuntime::stats(const std::string& name) {
  const auto found = containers_.find(name);
  if (found == containers_.end() || found->second.phase != Phase::running) {
    return core::Error{fmt::format("no such container: {}", name)};
  }
  const Container& container = found->second;
  const ContainerProgram& program = container.program;
  const std::int64_t elapsed_ms = scheduler_.now_ms() - container.started_ms;
  assert(elapsed_ms >= 0);
  const std::uint64_t limit_bytes = container.spec.memory_mib * mib_bytes;
  // The cgroup counts page cache in usage and reclaims it before it kills: the cache fills what
  // the resident set leaves, and usage never reads above the limit.
  const std::uint64_t resident_bytes = std::min(memory_resident_bytes(program, elapsed_ms), limit_bytes);
  const std::uint64_t cache_bytes = std::min(program.memory_cache_bytes, limit_bytes - resident_bytes);
  const std::uint64_t granted_millicores =
      std::min<std::uint64_t>({program.cpu_millicores, container.cpu_limit_millicores,
                               std::uint64_t{config_.node_cpu_count} * 1000});
  core::ContainerStats stats;
  stats.memory_usage_bytes = resident_bytes + cache_bytes;
  stats.memory_limit_bytes = limit_bytes;
  stats.memory_cache_bytes = cache_bytes;
  // One millicore for one millisecond is 1000 ns of CPU time.
  stats.cpu_usage_ns = granted_millicores * 1000 * static_cast<std::uint64_t>(elapsed_ms);
  stats.pids_current = program.pids;
  assert(stats.memory_usage_bytes <= stats.memory_limit_bytes);
  return stats;
}

std::string FakeRuntime::ipv6_address(const std::string& name) const {
  const std::uint64_t suffix = fnv1a(name);
  return fmt::format("{}:{:x}:{:x}:{:x}:{:x}", config_.ipv6_prefix, (suffix >> 48) & 0xffff, (suffix >> 32) & 0xffff,
                     (suffix >> 16) & 0xffff, suffix & 0xffff);
}

// --- Network namespaces and the pub interface ------------------------------------------------

core::Status FakeRuntime::join_network(const std::string& name, bool public_ip6) {
  assert(!name.empty());
  if (namespaces_.contains(name)) return {};  // A daemon restart joins again: the namespace stays.
  if (namespaces_.size() >= config_.containers_max) return core::Error{"too many network namespaces on this node"};
  namespaces_.emplace(name, Namespace{public_ip6 && !config_.ipv4_only, scheduler_.now_ms()});
  record("network_join", fmt::format("name={} pub={}", trace_value(name), public_ip6 && !config_.ipv4_only));
  return {};
}

void FakeRuntime::leave_network(const std::string& name) {
  if (namespaces_.erase(name) == 0) return;
  record("network_leave", fmt::format("name={}", trace_value(name)));
}

// The router's answer comes ipv6_delay_ms after the pub interface was made, as zos's macvlan got its
// address by router advertisement some seconds after the network join; the container's processes
// play no part in it. The errors are the words zos's wait logged (networker.go, container.go).
core::Expected<std::string> FakeRuntime::public_ipv6(const std::string& name) {
  if (config_.ipv4_only) return core::Error{"node runs in IPv4 only mode"};
  const auto found = namespaces_.find(name);
  if (found == namespaces_.end() || !found->second.pub) return core::Error{"failed to get interface pub: Link not found"};
  if (no_ipv6_ || scheduler_.now_ms() < found->second.joined_ms + config_.ipv6_delay_ms) {
    return core::Error{"waiting for more addresses"};
  }
  return ipv6_address(name);
}

void FakeRuntime::set_no_ipv6(bool no_ipv6) {
  no_ipv6_ = no_ipv6;
  record("runtime_fault", fmt::format("no_ipv6={}", no_ipv6));
}

// --- Programs and faults -------------------------------------------------------------------------

void FakeRuntime::set_program(const std::string& container_name, const ContainerProgram& program) {
  assert(program.valid());
  assert(programs_by_name_.size() < programs_max || programs_by_name_.count(container_name) == 1);
  programs_by_name_[container_name] = program;
  record("program", fmt::format("name={} {}", trace_value(container_name), program.describe()));
}

void FakeRuntime::set_program_for_flist(const std::string& flist_name, const ContainerProgram& program) {
  assert(program.valid());
  assert(programs_by_flist_.size() < programs_max || programs_by_flist_.count(flist_name) == 1);
  programs_by_flist_[flist_name] = program;
  record("program", fmt::format("flist={} {}", trace_value(flist_name), program.describe()));
}

void FakeRuntime::set_default_program(const ContainerProgram& program) {
  assert(program.valid());
  default_program_ = program;
  record("program", fmt::format("scope=default {}", program.describe()));
}

void FakeRuntime::set_fs_daemon_down(bool down) {
  fs_daemon_down_ = down;
  record("fs_daemon", fmt::format("state={}", down ? "down" : "up"));
}

void FakeRuntime::kill_fs_daemon() {
  fs_daemon_dead_ = true;
  for (auto& [name, mount] : mounts_) mount.stale = true;
  record("fs_daemon", fmt::format("state=killed stale_mounts={}", mounts_.size()));
}

void FakeRuntime::restart_fs_daemon() {
  fs_daemon_dead_ = false;
  for (auto& [name, mount] : mounts_) mount.stale = false;
  record("fs_daemon", fmt::format("state=restarted mounts={}", mounts_.size()));
}

void FakeRuntime::set_mount_latency_ms(std::int64_t latency_ms) {
  assert(latency_ms >= 0 && latency_ms <= delay_max_ms);
  config_.mount_latency_ms = latency_ms;
  record("runtime_fault", fmt::format("mount_latency_ms={}", latency_ms));
}

void FakeRuntime::fail_next_starts(std::uint64_t count) {
  fail_next_starts_ = count;
  record("runtime_fault", fmt::format("fail_next_starts={}", count));
}

void FakeRuntime::set_cpu_limit_inverted(bool inverted) {
  cpu_limit_inverted_ = inverted;
  record("runtime_fault", fmt::format("cpu_limit_inverted={}", inverted));
}

void FakeRuntime::reboot() {
  std::size_t running_count = 0;
  for (auto& [name, container] : containers_) {
    cancel_timers(container);
    running_count += container.phase == Phase::running ? 1 : 0;
  }
  for (auto& [id, pending] : pending_mounts_) scheduler_.cancel(pending.timer);
  record("reboot", fmt::format("containers={} running={} mounts={} pending_mounts={} volumes={}", containers_.size(),
                               running_count, mounts_.size(), pending_mounts_.size(), volumes_.size()));
  // The daemons die with the node: no on_exit, no mount answer. Only volumes are on disk.
  containers_.clear();
  namespaces_.clear();
  pending_mounts_.clear();
  mounts_.clear();
  root_users_.clear();
  volume_users_.clear();
  fs_daemon_dead_ = false;
  counts_.reboots += 1;
}

// --- Queries ---------------------------------------------------------------------------------------

std::vector<std::string> FakeRuntime::running() const {
  std::vector<std::string> names;
  for (const auto& [name, container] : containers_) {
    if (container.phase == Phase::running) names.push_back(name);
  }
  return names;
}

std::vector<std::string> FakeRuntime::exited() const {
  std::vector<std::string> names;
  for (const auto& [name, container] : containers_) {
    if (container.phase == Phase::exited) names.push_back(name);
  }
  return names;
}

std::vector<MountInfo> FakeRuntime::mounts() const {
  std::vector<MountInfo> infos;
  infos.reserve(mounts_.size());
  for (const auto& [name, mount] : mounts_) {
    infos.push_back(MountInfo{name, mount.path, mount.image.name, mount.disk_size_mib, mount.disk_type, mount.stale});
  }
  return infos;
}

std::vector<core::BindMount> FakeRuntime::bind_mounts(const std::string& name) const {
  const auto found = containers_.find(name);
  if (found == containers_.end()) return {};
  return found->second.spec.binds;
}

std::optional<core::ContainerSpec> FakeRuntime::spec(const std::string& name) const {
  const auto found = containers_.find(name);
  if (found == containers_.end()) return std::nullopt;
  return found->second.spec;
}

std::optional<int> FakeRuntime::exit_code(const std::string& name) const {
  const auto found = containers_.find(name);
  if (found == containers_.end() || found->second.phase != Phase::exited) return std::nullopt;
  return found->second.exit_code;
}

std::optional<ContainerProgram> FakeRuntime::program_of(const std::string& name) const {
  const auto found = containers_.find(name);
  if (found == containers_.end()) return std::nullopt;
  return found->second.program;
}

std::optional<std::uint64_t> FakeRuntime::container_cpu_limit_millicores(const std::string& name) const {
  const auto found = containers_.find(name);
  if (found == containers_.end()) return std::nullopt;
  return found->second.cpu_limit_millicores;
}

std::vector<std::string> FakeRuntime::volumes() const {
  std::vector<std::string> ids;
  ids.reserve(volumes_.size());
  for (const auto& [id, volume] : volumes_) ids.push_back(id);
  return ids;
}

}  // namespace zsim::fakes
