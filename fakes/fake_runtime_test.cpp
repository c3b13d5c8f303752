#include "fakes/fake_runtime.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "kernel/scheduler.hpp"

namespace zsim::fakes {
namespace {

// A small flist codec for these tests (core/flist_image.cpp lives on another branch): header lines
// and a checksum line over them, so that a flipped byte is detected as the real decoder does.
std::uint64_t checksum(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return hash;
}

std::string encode(const core::FlistImage& image) {
  std::string text = fmt::format("name={}\nentrypoint={}\n", image.name, image.entrypoint);
  for (const auto& [name, value] : image.environment) text += fmt::format("env={}={}\n", name, value);
  return text + fmt::format("sum={:016x}\n", checksum(text));
}

core::Expected<core::FlistImage> decode(std::string_view bytes) {
  const std::size_t sum_at = bytes.rfind("sum=");
  if (sum_at == std::string_view::npos) return core::Error{"corrupt flist: no checksum"};
  if (bytes.substr(sum_at) != fmt::format("sum={:016x}\n", checksum(bytes.substr(0, sum_at)))) {
    return core::Error{"corrupt flist: checksum mismatch"};
  }
  core::FlistImage image;
  std::string_view rest = bytes.substr(0, sum_at);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (line.rfind("name=", 0) == 0) image.name = line.substr(5);
    if (line.rfind("entrypoint=", 0) == 0) image.entrypoint = line.substr(11);
    if (line.rfind("env=", 0) == 0) {
      const std::string_view pair = line.substr(4);
      const std::size_t equals = pair.find('=');
      image.environment.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
    }
  }
  return image;
}

core::FlistImage ubuntu() {
  core::FlistImage image;
  image.name = "ubuntu.flist";
  image.entrypoint = "/sbin/my_init";
  image.environment = {{"PATH", "/usr/bin"}};
  return image;
}

// Records everything a container tells its observer, and whether anything came after on_exit.
struct Recorder final : core::ContainerObserver {
  std::vector<std::pair<core::OutputStream, std::string>> chunks;
  std::string out;
  std::string err;
  std::vector<int> exits;
  std::vector<std::int64_t> exit_times_ms;
  bool output_after_exit = false;
  const core::Scheduler* scheduler = nullptr;

  void on_output(core::OutputStream stream, std::string_view chunk) override {
    if (!exits.empty()) output_after_exit = true;
    chunks.emplace_back(stream, std::string(chunk));
    (stream == core::OutputStream::out ? out : err) += chunk;
  }
  void on_exit(int exit_code) override {
    exits.push_back(exit_code);
    exit_times_ms.push_back(scheduler == nullptr ? -1 : scheduler->now_ms());
  }
};

class FakeRuntimeTest : public ::testing::Test {
 protected:
  FakeRuntimeTest() {
    trace.keep_lines(100000);
    recorder.scheduler = &scheduler;
  }

  core::Expected<std::string> mount(const std::string& name, const std::string& bytes) {
    std::optional<core::Expected<std::string>> answer;
    runtime.mount_flist(name, bytes, 256, core::DiskType::ssd,
                        [&](core::Expected<std::string> got) { answer = std::move(got); });
    EXPECT_FALSE(answer.has_value());  // Never answered inside the call.
    while (!answer.has_value() && scheduler.run_next()) {
    }
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(core::Error{"no answer"});
  }

  core::ContainerSpec spec_for(const std::string& name, const std::string& root) {
    core::ContainerSpec spec;
    spec.name = name;
    spec.root_mount = root;
    spec.entrypoint = "/bin/app --serve";
    spec.cpu = 1;
    spec.memory_mib = 512;
    spec.network_id = "net1";
    spec.ipv4 = "10.1.1.5";
    spec.public_ip6 = true;
    return spec;
  }

  // Mounts a root for name and starts it with program.
  void start_with(const std::string& name, const ContainerProgram& program, Recorder& observer) {
    const auto root = mount(name, encode(ubuntu()));
    ASSERT_TRUE(root.ok()) << root.error();
    runtime.set_program(name, program);
    const core::Status started = runtime.start(spec_for(name, root.value()), observer);
    ASSERT_TRUE(started.ok()) << started.error();
  }

  bool trace_has(std::string_view needle) const {
    for (const auto& line : trace.lines()) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  kernel::VirtualScheduler scheduler{0};
  kernel::Trace trace;
  FakeRuntime runtime{scheduler, trace, "node-1", kernel::Prng(9), FakeRuntimeConfig{}, decode};
  Recorder recorder;
};

TEST_F(FakeRuntimeTest, MountAnswersAfterItsLatency) {
  std::optional<core::Expected<std::string>> answer;
  runtime.mount_flist("m1", encode(ubuntu()), 256, core::DiskType::ssd,
                      [&](core::Expected<std::string> got) { answer = std::move(got); });
  scheduler.run_until(99);
  EXPECT_FALSE(answer.has_value());
  scheduler.run_until(100);
  ASSERT_TRUE(answer.has_value() && answer->ok());
  EXPECT_EQ(answer->value(), std::string(FakeRuntime::mount_root) + "m1");
  ASSERT_EQ(runtime.mounts().size(), 1u);
  EXPECT_EQ(runtime.mounts()[0].flist_name, "ubuntu.flist");
  EXPECT_TRUE(trace_has("100 node-1 mount name=m1 flist=ubuntu.flist"));
}

TEST_F(FakeRuntimeTest, CorruptFlistFailsTheMount) {
  std::string bytes = encode(ubuntu());
  bytes[2] = 'X';
  const auto mounted = mount("m1", bytes);
  ASSERT_FALSE(mounted.ok());
  EXPECT_EQ(mounted.error(), "corrupt flist: checksum mismatch");
  EXPECT_TRUE(runtime.mounts().empty());
  EXPECT_EQ(runtime.counts().mount_failures, 1u);
}

TEST_F(FakeRuntimeTest, FsDaemonDownFailsMountsAfterFiveSeconds) {
  runtime.set_fs_daemon_down(true);
  std::optional<core::Expected<std::string>> answer;
  runtime.mount_flist("m1", encode(ubuntu()), 256, core::DiskType::ssd,
                      [&](core::Expected<std::string> got) { answer = std::move(got); });
  scheduler.run_until(4999);
  EXPECT_FALSE(answer.has_value());
  scheduler.run_until(5000);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->error(), "filesystem daemon not responding");
  // Healed within the 5 s wait, the mount goes through at the next check.
  answer.reset();
  runtime.mount_flist("m2", encode(ubuntu()), 256, core::DiskType::ssd,
                      [&](core::Expected<std::string> got) { answer = std::move(got); });
  scheduler.run_until(6000);
  runtime.set_fs_daemon_down(false);
  scheduler.run_until(6250);
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->ok());
}

TEST_F(FakeRuntimeTest, MountSlowerThanFiveSecondsFails) {
  runtime.set_mount_latency_ms(6000);
  EXPECT_EQ(mount("m1", encode(ubuntu())).error(), "filesystem daemon not responding");
  EXPECT_EQ(scheduler.now_ms(), 5000);
  runtime.set_mount_latency_ms(100);
  EXPECT_TRUE(mount("m1", encode(ubuntu())).ok());
}

// zos #1017/#1268: after the filesystem daemon died, restarting a container on its mount failed.
TEST_F(FakeRuntimeTest, DeadFsDaemonLeavesStaleMountsUntilRestarted) {
  start_with("c1", ContainerProgram{}, recorder);
  const std::string root = runtime.spec("c1")->root_mount;
  runtime.kill_fs_daemon();
  EXPECT_TRUE(runtime.mounts()[0].stale);
  ASSERT_TRUE(runtime.crash("c1").ok());
  scheduler.run_until(scheduler.now_ms());
  ASSERT_EQ(recorder.exits, std::vector<int>{139});
  ASSERT_TRUE(runtime.remove("c1").ok());
  Recorder second;
  EXPECT_EQ(runtime.start(spec_for("c1", root), second).error(), "transport endpoint is not connected");
  // A new mount gets its own daemon and works meanwhile.
  EXPECT_TRUE(mount("other", encode(ubuntu())).ok());
  runtime.restart_fs_daemon();
  EXPECT_TRUE(runtime.start(spec_for("c1", root), second).ok());
}

TEST_F(FakeRuntimeTest, UnmountErrorsAndBusyTarget) {
  EXPECT_EQ(runtime.unmount("nope").error(), "not mounted: nope");
  start_with("c1", ContainerProgram{}, recorder);
  EXPECT_EQ(runtime.unmount("c1").error(), "unmount c1: target is busy");
  ASSERT_TRUE(runtime.signal("c1", core::Signal::kill).ok());
  scheduler.run_until(scheduler.now_ms());
  EXPECT_TRUE(runtime.unmount("c1").ok());
  EXPECT_TRUE(runtime.mounts().empty());
}

TEST_F(FakeRuntimeTest, VolumesAndBindMounts) {
  ASSERT_TRUE(runtime.create_volume("v1", 1024, core::DiskType::hdd).ok());
  EXPECT_EQ(runtime.create_volume("v1", 1024, core::DiskType::hdd).error(), "volume already exists: v1");
  EXPECT_TRUE(runtime.volume_exists("v1"));
  const auto root = mount("c1", encode(ubuntu()));
  core::ContainerSpec spec = spec_for("c1", root.value());
  spec.binds = {{"v1", "/data"}, {"v2", "/other"}};
  EXPECT_EQ(runtime.start(spec, recorder).error(), "bind mount source missing: volume v2");
  spec.binds.pop_back();
  ASSERT_TRUE(runtime.start(spec, recorder).ok());
  ASSERT_EQ(runtime.bind_mounts("c1").size(), 1u);
  EXPECT_EQ(runtime.bind_mounts("c1")[0].target, "/data");
  EXPECT_EQ(runtime.delete_volume("v1").error(), "volume v1 is in use");
  runtime.reboot();
  EXPECT_TRUE(runtime.volume_exists("v1"));
  EXPECT_TRUE(runtime.delete_volume("v1").ok());
  EXPECT_EQ(runtime.delete_volume("v1").error(), "no such volume: v1");
}

TEST_F(FakeRuntimeTest, OutputLinesAreTheProgramsLinesOnTheirStreams) {
  ContainerProgram program;
  program.line_interval_ms = 100;
  program.line_bytes = 50;
  program.stderr_every_n_lines = 3;
  start_with("c1", program, recorder);
  const std::int64_t started_ms = scheduler.now_ms();
  scheduler.run_until(started_ms + 1000);
  std::string expected_out;
  std::string expected_err;
  for (std::uint64_t n = 1; n <= 10; n += 1) {
    (n % 3 == 0 ? expected_err : expected_out) += line_text(program, "c1", n);
  }
  EXPECT_EQ(recorder.out, expected_out);
  EXPECT_EQ(recorder.err, expected_err);
  EXPECT_EQ(recorder.chunks.size(), 10u);  // chunk_split 1: one chunk per short line.
  EXPECT_EQ(runtime.counts().lines, 10u);
}

TEST_F(FakeRuntimeTest, ChunksSplitLinesAndLongLinesArrive) {
  ContainerProgram program;
  program.line_interval_ms = 10;
  program.line_bytes = 200;
  program.chunk_split = 5;
  program.long_line_every_n_lines = 4;
  start_with("c1", program, recorder);
  scheduler.run_until(scheduler.now_ms() + 200);
  std::string expected;
  for (std::uint64_t n = 1; n <= 20; n += 1) expected += line_text(program, "c1", n);
  EXPECT_EQ(recorder.out, expected);
  EXPECT_GT(recorder.chunks.size(), 40u);  // Lines really were cut.
  std::size_t partial = 0;
  for (const auto& [stream, chunk] : recorder.chunks) {
    EXPECT_LE(chunk.size(), output_chunk_bytes_max);
    partial += chunk.back() != '\n' ? 1 : 0;
  }
  EXPECT_GT(partial, 20u);
  EXPECT_NE(recorder.out.find(line_text(program, "c1", 8)), std::string::npos);
  EXPECT_EQ(line_text(program, "c1", 8).size(), long_line_bytes);
}

TEST_F(FakeRuntimeTest, SigtermExitsAfterTheProgramsDelay) {
  ContainerProgram program;
  program.sigterm_exit_delay_ms = 300;
  start_with("c1", program, recorder);
  const std::int64_t signalled_ms = scheduler.now_ms() + 500;
  scheduler.run_until(signalled_ms);
  ASSERT_TRUE(runtime.signal("c1", core::Signal::term).ok());
  scheduler.run_until(signalled_ms + 100);
  ASSERT_TRUE(runtime.signal("c1", core::Signal::term).ok());  // A second TERM does not postpone.
  scheduler.run_until(signalled_ms + 10'000);
  ASSERT_EQ(recorder.exits, std::vector<int>{exit_code_sigterm});
  EXPECT_EQ(recorder.exit_times_ms[0], signalled_ms + 300);
  EXPECT_FALSE(recorder.output_after_exit);
  EXPECT_EQ(runtime.exit_code("c1"), exit_code_sigterm);
  EXPECT_EQ(runtime.signal("c1", core::Signal::term).error(), "no such container: c1");
  EXPECT_EQ(runtime.exited(), std::vector<std::string>{"c1"});
  EXPECT_EQ(runtime.counts().terms, 2u);
}

TEST_F(FakeRuntimeTest, IgnoredSigtermNeedsAKill) {
  ContainerProgram program;
  program.ignores_sigterm = true;
  start_with("c1", program, recorder);
  for (int attempt = 0; attempt < 3; attempt += 1) {
    ASSERT_TRUE(runtime.signal("c1", core::Signal::term).ok());
    scheduler.run_until(scheduler.now_ms() + 1000);
  }
  EXPECT_TRUE(recorder.exits.empty());
  EXPECT_EQ(runtime.running(), std::vector<std::string>{"c1"});
  ASSERT_TRUE(runtime.signal("c1", core::Signal::kill).ok());
  EXPECT_TRUE(recorder.exits.empty());  // Scheduled, not called back inside signal().
  const std::int64_t killed_ms = scheduler.now_ms();
  scheduler.run_until(killed_ms + 5000);
  ASSERT_EQ(recorder.exits, std::vector<int>{exit_code_sigkill});
  EXPECT_EQ(recorder.exit_times_ms[0], killed_ms);
  EXPECT_FALSE(recorder.output_after_exit);
  EXPECT_EQ(runtime.counts().kills, 1u);
}

TEST_F(FakeRuntimeTest, RemoveOnlyAfterExitThenTheNameIsFree) {
  start_with("c1", ContainerProgram{}, recorder);
  const std::string root = runtime.spec("c1")->root_mount;
  EXPECT_EQ(runtime.start(spec_for("c1", root), recorder).error(), "container already exists: c1");
  EXPECT_EQ(runtime.remove("c1").error(), "cannot remove running container: c1");
  ASSERT_TRUE(runtime.signal("c1", core::Signal::kill).ok());
  scheduler.run_until(scheduler.now_ms());
  EXPECT_EQ(runtime.start(spec_for("c1", root), recorder).error(), "container already exists: c1");
  ASSERT_TRUE(runtime.remove("c1").ok());
  EXPECT_EQ(runtime.remove("c1").error(), "no such container: c1");
  Recorder again;
  EXPECT_TRUE(runtime.start(spec_for("c1", root), again).ok());
}

TEST_F(FakeRuntimeTest, CpuLimitIsEnforcedUnlessInverted) {
  ContainerProgram hungry;
  hungry.cpu_millicores = 4000;
  start_with("c1", hungry, recorder);
  scheduler.run_until(scheduler.now_ms() + 1000);
  EXPECT_EQ(runtime.stats("c1").value().cpu_usage_ns, 1'000'000'000u);  // One core for one second.
  runtime.set_cpu_limit_inverted(true);
  Recorder second;
  start_with("c2", hungry, second);
  scheduler.run_until(scheduler.now_ms() + 1000);
  EXPECT_EQ(runtime.stats("c2").value().cpu_usage_ns, 4'000'000'000u);  // The 1-CPU limit is not held.
  // zos cruToLimit on 8 CPUs: quota 1 s, period cpu/8 s.
  EXPECT_EQ(runtime.cpu_limit_millicores(1), 8000u);
  EXPECT_EQ(runtime.cpu_limit_millicores(3), 2666u);
  EXPECT_EQ(runtime.cpu_limit_millicores(8), 1000u);
  runtime.set_cpu_limit_inverted(false);
  EXPECT_EQ(runtime.cpu_limit_millicores(3), 3000u);
}

TEST_F(FakeRuntimeTest, CpuAboveTheNodesCountIsRefused) {
  const auto root = mount("c1", encode(ubuntu()));
  core::ContainerSpec spec = spec_for("c1", root.value());
  spec.cpu = 9;
  EXPECT_EQ(runtime.start(spec, recorder).error(), "asked 9 CRU while only 8 are available");
}

TEST_F(FakeRuntimeTest, MemoryOverTheLimitIsAnOomKill) {
  ContainerProgram leaky;
  leaky.memory_start_bytes = 16 * mib_bytes;
  leaky.memory_growth_bytes_per_s = 16 * mib_bytes;
  leaky.memory_cache_bytes = 4 * mib_bytes;
  const auto root = mount("c1", encode(ubuntu()));
  runtime.set_program("c1", leaky);
  core::ContainerSpec spec = spec_for("c1", root.value());
  spec.memory_mib = 64;
  ASSERT_TRUE(runtime.start(spec, recorder).ok());
  const std::int64_t started_ms = scheduler.now_ms();
  scheduler.run_until(started_ms + 1000);
  const core::ContainerStats stats = runtime.stats("c1").value();
  EXPECT_EQ(stats.memory_limit_bytes, 64 * mib_bytes);
  EXPECT_EQ(stats.memory_usage_bytes, 32 * mib_bytes + 4 * mib_bytes);
  EXPECT_EQ(stats.memory_cache_bytes, 4 * mib_bytes);
  EXPECT_EQ(stats.pids_current, 1u);
  scheduler.run_until(started_ms + 2999);
  EXPECT_LE(runtime.stats("c1").value().memory_usage_bytes, 64 * mib_bytes);  // Cache reclaimed first.
  scheduler.run_until(started_ms + 10'000);
  ASSERT_EQ(recorder.exits, std::vector<int>{exit_code_oom});
  EXPECT_EQ(recorder.exit_times_ms[0], started_ms + 3001);
  EXPECT_EQ(runtime.counts().oom_kills, 1u);
  EXPECT_EQ(runtime.stats("c1").error(), "no such container: c1");
  EXPECT_TRUE(trace_has("container_exit name=c1 code=137 reason=oom"));
}

TEST_F(FakeRuntimeTest, ProgramsExitAndCrashByThemselves) {
  ContainerProgram quits;
  quits.exit_after_ms = 500;
  quits.exit_code = 3;
  start_with("c1", quits, recorder);
  ContainerProgram segfaults = quits;
  segfaults.crash = true;
  Recorder second;
  start_with("c2", segfaults, second);
  scheduler.run_until(scheduler.now_ms() + 1000);
  EXPECT_EQ(recorder.exits, std::vector<int>{3});
  EXPECT_EQ(second.exits, std::vector<int>{139});
  EXPECT_EQ(runtime.counts().crashes, 1u);
  EXPECT_EQ(runtime.crash("c1").error(), "no such container: c1");
}

TEST_F(FakeRuntimeTest, RebootKillsWithoutCallbacksAndKeepsVolumes) {
  ASSERT_TRUE(runtime.create_volume("v1", 10, core::DiskType::ssd).ok());
  ContainerProgram chatty;
  chatty.line_interval_ms = 10;
  start_with("c1", chatty, recorder);
  Recorder second;
  start_with("c2", chatty, second);
  std::optional<core::Expected<std::string>> pending;
  runtime.mount_flist("late", encode(ubuntu()), 256, core::DiskType::ssd,
                      [&](core::Expected<std::string> got) { pending = std::move(got); });
  scheduler.run_until(scheduler.now_ms() + 50);
  runtime.reboot();
  const std::size_t chunks_before = recorder.chunks.size() + second.chunks.size();
  scheduler.run_until(scheduler.now_ms() + 60'000);
  EXPECT_TRUE(recorder.exits.empty());
  EXPECT_TRUE(second.exits.empty());
  EXPECT_EQ(recorder.chunks.size() + second.chunks.size(), chunks_before);
  EXPECT_FALSE(pending.has_value());
  EXPECT_TRUE(runtime.running().empty());
  EXPECT_TRUE(runtime.exited().empty());
  EXPECT_TRUE(runtime.mounts().empty());
  EXPECT_EQ(runtime.volumes(), std::vector<std::string>{"v1"});
  EXPECT_EQ(scheduler.pending(), 0u);  // Nothing of the old boot is left to run.
  EXPECT_TRUE(trace_has("reboot containers=2 running=2 mounts=2 pending_mounts=1 volumes=1"));
}

TEST_F(FakeRuntimeTest, PublicIpv6ComesToThePubInterfaceAfterADelayFromTheJoin) {
  EXPECT_EQ(runtime.public_ipv6("c1").error(), "failed to get interface pub: Link not found");
  ASSERT_TRUE(runtime.join_network("c1", true).ok());
  const std::int64_t joined_ms = scheduler.now_ms();
  EXPECT_TRUE(runtime.has_network_namespace("c1"));
  EXPECT_EQ(runtime.public_ipv6("c1").error(), "waiting for more addresses");
  scheduler.run_until(joined_ms + 2999);
  EXPECT_EQ(runtime.public_ipv6("c1").error(), "waiting for more addresses");
  scheduler.run_until(joined_ms + 3000);
  const auto address = runtime.public_ipv6("c1");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address.value().rfind("2a02:1802:5e:1102:", 0), 0u);
  EXPECT_EQ(std::count(address.value().begin(), address.value().end(), ':'), 7);
  // The address depends on the name only: another runtime gives the same one.
  kernel::VirtualScheduler scheduler_b;
  kernel::Trace trace_b;
  FakeRuntime runtime_b(scheduler_b, trace_b, "node-2", kernel::Prng(1), FakeRuntimeConfig{}, decode);
  ASSERT_TRUE(runtime_b.join_network("c1", true).ok());
  scheduler_b.run_until(3100);
  EXPECT_EQ(runtime_b.public_ipv6("c1").value(), address.value());
  // A namespace without the pub interface has no public address.
  ASSERT_TRUE(runtime.join_network("c2", false).ok());
  scheduler.run_until(scheduler.now_ms() + 10'000);
  EXPECT_EQ(runtime.public_ipv6("c2").error(), "failed to get interface pub: Link not found");
}

TEST_F(FakeRuntimeTest, TheAddressBelongsToTheNamespaceNotToTheProcess) {
  ASSERT_TRUE(runtime.join_network("c1", true).ok());
  ContainerProgram quick;
  quick.exit_after_ms = 500;
  start_with("c1", quick, recorder);  // Mounts (100 ms), starts, exits 500 ms later.
  scheduler.run_until(scheduler.now_ms() + 5'000);
  ASSERT_EQ(recorder.exits.size(), 1u);
  EXPECT_TRUE(runtime.public_ipv6("c1").ok());
  ASSERT_TRUE(runtime.remove("c1").ok());
  EXPECT_TRUE(runtime.public_ipv6("c1").ok());
  // Joining again (a daemon restart) keeps it; leaving removes it; a reboot removes them all.
  ASSERT_TRUE(runtime.join_network("c1", true).ok());
  EXPECT_TRUE(runtime.public_ipv6("c1").ok());
  runtime.leave_network("c1");
  EXPECT_FALSE(runtime.has_network_namespace("c1"));
  EXPECT_EQ(runtime.public_ipv6("c1").error(), "failed to get interface pub: Link not found");
  ASSERT_TRUE(runtime.join_network("c3", true).ok());
  runtime.reboot();
  EXPECT_FALSE(runtime.has_network_namespace("c3"));
}

TEST_F(FakeRuntimeTest, TheNoIpv6FaultKeepsTheRouterSilentUntilHealed) {
  ASSERT_TRUE(runtime.join_network("c1", true).ok());
  runtime.set_no_ipv6(true);
  scheduler.run_until(scheduler.now_ms() + 600'000);
  EXPECT_EQ(runtime.public_ipv6("c1").error(), "waiting for more addresses");
  runtime.set_no_ipv6(false);
  EXPECT_TRUE(runtime.public_ipv6("c1").ok());
  EXPECT_TRUE(trace_has("no_ipv6=true"));
}

TEST_F(FakeRuntimeTest, Ipv4OnlyNodeHasNoPublicIpv6) {
  FakeRuntimeConfig config;
  config.ipv4_only = true;
  FakeRuntime ipv4(scheduler, trace, "node-4", kernel::Prng(1), config, decode);
  std::optional<core::Expected<std::string>> root;
  ipv4.mount_flist("c1", encode(ubuntu()), 256, core::DiskType::ssd, [&](auto got) { root = std::move(got); });
  scheduler.run_until(100);
  ASSERT_TRUE(ipv4.join_network("c1", true).ok());
  ASSERT_TRUE(ipv4.start(spec_for("c1", root->value()), recorder).ok());
  scheduler.run_until(60'000);
  EXPECT_EQ(ipv4.public_ipv6("c1").error(), "node runs in IPv4 only mode");
}

TEST_F(FakeRuntimeTest, FailNextStartsThenHeals) {
  const auto root = mount("c1", encode(ubuntu()));
  runtime.fail_next_starts(2);
  EXPECT_EQ(runtime.start(spec_for("c1", root.value()), recorder).error(), "failed to start task: injected fault");
  EXPECT_EQ(runtime.start(spec_for("c1", root.value()), recorder).error(), "failed to start task: injected fault");
  EXPECT_TRUE(runtime.start(spec_for("c1", root.value()), recorder).ok());
  EXPECT_EQ(runtime.counts().start_failures, 2u);
  EXPECT_EQ(runtime.counts().starts, 1u);
}

TEST_F(FakeRuntimeTest, StartNeedsAMountedRootAndAnEntrypoint) {
  EXPECT_EQ(runtime.start(spec_for("c1", "/nowhere"), recorder).error(), "rootfs not mounted: /nowhere");
  core::FlistImage bare = ubuntu();
  bare.entrypoint.clear();
  const auto root = mount("c1", encode(bare));
  core::ContainerSpec spec = spec_for("c1", root.value());
  spec.entrypoint.clear();
  EXPECT_EQ(runtime.start(spec, recorder).error(), "invalid entrypoint definition ''");
  spec.interactive = true;  // coreX needs no entrypoint.
  EXPECT_TRUE(runtime.start(spec, recorder).ok());
  // The flist's default entrypoint fills an empty one.
  const auto root2 = mount("c2", encode(ubuntu()));
  core::ContainerSpec spec2 = spec_for("c2", root2.value());
  spec2.entrypoint.clear();
  Recorder second;
  ASSERT_TRUE(runtime.start(spec2, second).ok());
  EXPECT_EQ(runtime.spec("c2")->entrypoint, "/sbin/my_init");
}

TEST_F(FakeRuntimeTest, ProgramChoiceNameThenCorexThenFlistThenDefault) {
  ContainerProgram by_flist;
  by_flist.line_interval_ms = 7;
  ContainerProgram by_default;
  by_default.line_interval_ms = 13;
  ContainerProgram by_name;
  by_name.line_interval_ms = 21;
  runtime.set_program_for_flist("ubuntu.flist", by_flist);
  runtime.set_default_program(by_default);
  core::FlistImage alpine = ubuntu();
  alpine.name = "alpine.flist";
  const auto root_a = mount("a", encode(ubuntu()));
  const auto root_b = mount("b", encode(alpine));
  const auto root_c = mount("c", encode(ubuntu()));
  const auto root_d = mount("d", encode(ubuntu()));
  runtime.set_program("d", by_name);
  core::ContainerSpec interactive = spec_for("c", root_c.value());
  interactive.interactive = true;
  core::ContainerSpec named = spec_for("d", root_d.value());
  named.interactive = true;
  Recorder ra, rb, rc, rd;
  ASSERT_TRUE(runtime.start(spec_for("a", root_a.value()), ra).ok());
  ASSERT_TRUE(runtime.start(spec_for("b", root_b.value()), rb).ok());
  ASSERT_TRUE(runtime.start(interactive, rc).ok());
  ASSERT_TRUE(runtime.start(named, rd).ok());
  EXPECT_EQ(runtime.program_of("a"), by_flist);
  EXPECT_EQ(runtime.program_of("b"), by_default);
  EXPECT_EQ(runtime.program_of("c"), ContainerProgram::corex());
  EXPECT_EQ(runtime.program_of("d"), by_name);
  scheduler.run_until(scheduler.now_ms());
  EXPECT_EQ(rc.out, "corex listening on :7681\n");
}

TEST_F(FakeRuntimeTest, DetachDropsOutputAndAttachRebinds) {
  ContainerProgram program;
  program.line_interval_ms = 100;
  program.exit_after_ms = 1000;
  start_with("c1", program, recorder);
  const std::int64_t started_ms = scheduler.now_ms();
  scheduler.run_until(started_ms + 250);
  runtime.detach("c1");
  scheduler.run_until(started_ms + 550);
  Recorder second;
  ASSERT_TRUE(runtime.attach("c1", second).ok());
  scheduler.run_until(started_ms + 2000);
  EXPECT_EQ(recorder.out, line_text(program, "c1", 1) + line_text(program, "c1", 2));
  EXPECT_TRUE(recorder.exits.empty());
  EXPECT_EQ(second.out.rfind(line_text(program, "c1", 6), 0), 0u);
  EXPECT_EQ(second.exits, std::vector<int>{0});
  EXPECT_EQ(runtime.counts().chunks_unobserved, 3u);
  EXPECT_EQ(runtime.attach("c1", second).error(), "no such container: c1");
}

TEST_F(FakeRuntimeTest, EnvironmentValuesNeverLeave) {
  const std::string secret = "s3cr3t-value-do-not-leak";
  const auto root = mount("c1", encode(ubuntu()));
  core::ContainerSpec spec = spec_for("c1", root.value());
  spec.environment = {{"DB_PASSWORD", secret}, {"MODE", "prod"}};
  ContainerProgram program;
  program.line_interval_ms = 10;
  program.stderr_every_n_lines = 2;
  runtime.set_program("c1", program);
  ASSERT_TRUE(runtime.start(spec, recorder).ok());
  scheduler.run_until(scheduler.now_ms() + 1000);
  ASSERT_TRUE(runtime.signal("c1", core::Signal::term).ok());
  scheduler.run_until(scheduler.now_ms() + 1000);
  ASSERT_FALSE(trace.lines().empty());
  for (const auto& line : trace.lines()) EXPECT_EQ(line.find(secret), std::string::npos) << line;
  EXPECT_TRUE(trace_has("env=DB_PASSWORD,MODE,PATH"));
  EXPECT_EQ(recorder.out.find(secret), std::string::npos);
  EXPECT_EQ(recorder.err.find(secret), std::string::npos);
  const auto kept = runtime.spec("c1");
  ASSERT_TRUE(kept.has_value());
  ASSERT_EQ(kept->environment.size(), 3u);
  for (const auto& [name, value] : kept->environment) EXPECT_TRUE(value.empty()) << name;
}

// An observer that acts on the runtime from inside its callbacks, as the core does.
struct Restarter final : core::ContainerObserver {
  FakeRuntime* runtime = nullptr;
  core::ContainerSpec spec;
  int restarts_left = 2;
  std::vector<int> exits;
  std::string out;
  void on_output(core::OutputStream, std::string_view chunk) override { out += chunk; }
  void on_exit(int exit_code) override {
    exits.push_back(exit_code);
    if (restarts_left == 0) return;
    restarts_left -= 1;
    EXPECT_TRUE(runtime->remove(spec.name).ok());
    EXPECT_TRUE(runtime->start(spec, *this).ok());
  }
};

TEST_F(FakeRuntimeTest, ObserverMayRemoveAndRestartFromOnExit) {
  ContainerProgram crashy;
  crashy.line_interval_ms = 100;
  crashy.exit_after_ms = 250;
  crashy.crash = true;
  const auto root = mount("c1", encode(ubuntu()));
  runtime.set_program("c1", crashy);
  Restarter restarter;
  restarter.runtime = &runtime;
  restarter.spec = spec_for("c1", root.value());
  ASSERT_TRUE(runtime.start(restarter.spec, restarter).ok());
  scheduler.run_until(scheduler.now_ms() + 5000);
  EXPECT_EQ(restarter.exits, (std::vector<int>{139, 139, 139}));
  EXPECT_EQ(runtime.counts().starts, 3u);
  // Each incarnation prints its own lines 1 and 2 before crashing at 250 ms.
  const std::string two = line_text(crashy, "c1", 1) + line_text(crashy, "c1", 2);
  EXPECT_EQ(restarter.out, two + two + two);
  EXPECT_EQ(scheduler.pending(), 0u);
}

struct Rebooter final : core::ContainerObserver {
  FakeRuntime* runtime = nullptr;
  std::size_t chunks = 0;
  bool exited = false;
  void on_output(core::OutputStream, std::string_view) override {
    chunks += 1;
    if (chunks == 2) runtime->reboot();  // The node dies in the middle of a line.
  }
  void on_exit(int) override { exited = true; }
};

TEST_F(FakeRuntimeTest, RebootFromInsideAnOutputCallbackStopsTheLine) {
  ContainerProgram program;
  program.line_interval_ms = 100;
  program.long_line_every_n_lines = 1;  // Three chunks per line.
  const auto root = mount("c1", encode(ubuntu()));
  runtime.set_program("c1", program);
  Rebooter rebooter;
  rebooter.runtime = &runtime;
  ASSERT_TRUE(runtime.start(spec_for("c1", root.value()), rebooter).ok());
  scheduler.run_until(scheduler.now_ms() + 1000);
  EXPECT_EQ(rebooter.chunks, 2u);
  EXPECT_FALSE(rebooter.exited);
  EXPECT_TRUE(runtime.running().empty());
}

// A run with mounts, faults, signals, crashes and a reboot; returns the trace hash and a digest
// of everything the observers saw (chunk boundaries depend on the seed, the trace does not).
std::pair<std::string, std::vector<std::size_t>> scenario(std::uint64_t seed) {
  kernel::VirtualScheduler scheduler;
  kernel::Trace trace;
  FakeRuntime runtime(scheduler, trace, "node-1", kernel::Prng(seed), FakeRuntimeConfig{}, decode);
  ContainerProgram program;
  program.line_interval_ms = 15;
  program.chunk_split = 4;
  program.stderr_every_n_lines = 5;
  program.long_line_every_n_lines = 7;
  program.memory_growth_bytes_per_s = 8 * mib_bytes;
  runtime.set_default_program(program);
  std::vector<Recorder> recorders(6);
  for (std::size_t index = 0; index < recorders.size(); index += 1) {
    const std::string name = fmt::format("{}-1", index);
    runtime.mount_flist(name, encode(ubuntu()), 256, core::DiskType::ssd,
                        [&runtime, &recorders, index, name](core::Expected<std::string> root) {
                          core::ContainerSpec spec;
                          spec.name = name;
                          spec.root_mount = root.value();
                          spec.entrypoint = "/bin/app";
                          spec.cpu = 1;
                          spec.memory_mib = 64 + 32 * index;
                          EXPECT_TRUE(runtime.start(spec, recorders[index]).ok());
                        });
  }
  scheduler.run_until(2000);
  EXPECT_TRUE(runtime.signal("0-1", core::Signal::term).ok());
  EXPECT_TRUE(runtime.crash("1-1").ok());
  runtime.kill_fs_daemon();
  scheduler.run_until(4000);
  runtime.restart_fs_daemon();
  runtime.reboot();
  scheduler.run_until(8000);
  std::vector<std::size_t> digest;
  for (const Recorder& recorder : recorders) {
    for (const auto& [stream, chunk] : recorder.chunks) digest.push_back(chunk.size());
    digest.insert(digest.end(), recorder.exits.begin(), recorder.exits.end());
  }
  return {trace.hash_hex(), digest};
}

TEST(FakeRuntimeDeterminism, SameSeedSameTraceAndOutput) {
  const auto first = scenario(5);
  const auto again = scenario(5);
  EXPECT_EQ(first.first, again.first);
  EXPECT_EQ(first.second, again.second);
  const auto other = scenario(6);
  EXPECT_NE(first.second, other.second);  // The seed moves chunk boundaries.
  EXPECT_FALSE(first.second.empty());
}

}  // namespace
}  // namespace zsim::fakes
