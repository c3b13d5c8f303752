#pragma once
// A benchmark harness: a container runtime that only answers stats(), with figures of realistic
// width (a 10-digit timestamp is the encoder's; here 8-9 digit memory, 12-13 digit CPU time) that
// change with every read, so that no two messages are the same and nothing can be folded away.
// Everything else is not the pushers' to call and fails.

#include <cassert>
#include <cstdint>
#include <string>

#include "core/ports.hpp"

namespace zsim::bench {

class StatsRuntime final : public core::ContainerRuntime {
 public:
  std::uint64_t reads() const { return reads_; }

  core::Expected<core::ContainerStats> stats(const std::string& name) override {
    assert(!name.empty());
    reads_ += 1;
    return core::ContainerStats{.memory_usage_bytes = 150'000'000 + (reads_ & 0xffff) * 4096,
                                .memory_limit_bytes = std::uint64_t{256} << 20,
                                .memory_cache_bytes = 12'000'000 + (reads_ & 0xff) * 4096,
                                .cpu_usage_ns = 4'000'000'000'000 + reads_ * 1'000'003,
                                .pids_current = 3 + (reads_ & 7)};
  }

  // Never called by the pushers; answering from inside the call would break the port's contract.
  void mount_flist(const std::string&, const std::string&, std::uint64_t, core::DiskType, MountDone) override {
    assert(false && "the pushers never mount");
  }
  core::Status unmount(const std::string&) override { return unused(); }
  core::Status create_volume(const std::string&, std::uint64_t, core::DiskType) override { return unused(); }
  core::Status delete_volume(const std::string&) override { return unused(); }
  bool volume_exists(const std::string&) const override { return false; }
  core::Status start(const core::ContainerSpec&, core::ContainerObserver&) override { return unused(); }
  core::Status attach(const std::string&, core::ContainerObserver&) override { return unused(); }
  void detach(const std::string&) override {}
  core::Status signal(const std::string&, core::Signal) override { return unused(); }
  core::Status remove(const std::string&) override { return unused(); }
  core::Expected<std::string> public_ipv6(const std::string&) override { return unused(); }

 private:
  static core::Error unused() { return core::Error{"not part of the benchmark runtime"}; }

  std::uint64_t reads_ = 0;
};

}  // namespace zsim::bench
