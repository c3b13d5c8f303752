// Provisioning a container: steps 1-11 of docs/ZOS.md ("The container primitive"), in order, each step either calling
// the next or failing with rollback of everything the earlier steps acquired.

#include <fmt/format.h>

#include <cassert>
#include <nlohmann/json.hpp>

#include "core/container_manager_internal.hpp"
#include "core/flist_image.hpp"
#include "core/md5.hpp"
#include "core/secret_env.hpp"
#include "core/shell_words.hpp"

namespace zsim::core {

std::string unfinished_key(const std::string& workload_id) { return "provisioning/" + workload_id; }

CapacityUsage capacity_of(const ContainerReservation& reservation, const PlantedBugs& planted) {
  CapacityUsage need;
  need.cpu = reservation.capacity.cpu;
  need.memory_mib = reservation.capacity.memory_mib;
  const RootDisk disk = root_disk(reservation);
  const bool on_ssd = disk.type == DiskType::ssd || planted.has(PlantedBug::hdd_root_disk_charged_as_ssd);
  (on_ssd ? need.ssd_mib : need.hdd_mib) = disk.size_mib;
  return need;
}

void ContainerManager::provision(const Workload& workload, Done done) {
  assert(workload.type == WorkloadType::container);
  assert(!has(workload.id));
  const Settled settled(*this, workload.id);
  auto container = std::make_unique<Container>();
  container->workload = workload;
  container->state = Container::State::provisioning;
  container->provision_done = std::move(done);
  containers_.emplace(workload.id, std::move(container));
  // Marks the provision as unfinished until it succeeds or is rolled back, so that a daemon that
  // stops in the middle leaves a note for the next one to clean up after it.
  ports_.store.put(unfinished_key(workload.id), "");
  ports_.events.record("provision_start", fmt::format("workload={} type=container", trace_value(workload.id)));
  step_check(workload.id);
}

// Steps 2-6: everything that can be decided without side effects, then the capacity.
void ContainerManager::step_check(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  Expected<ContainerReservation> parsed = parse_container_text(container.workload.payload_json);
  if (!parsed) return fail(workload_id, parsed.error());
  container.reservation = std::move(parsed).value();
  resolve_relative_volumes(container.reservation, container.workload.reservation_id);
  const ContainerReservation& reservation = container.reservation;
  if (const Status valid = validate(reservation); !valid) return fail(workload_id, valid.error());
  const NetworkConnection& connection = reservation.network_connection.front();
  const bool same_poll = ip_checks_in_poll_ > 0;
  ip_checks_in_poll_ += 1;
  if (const Status can_join = networks_.check_join(connection.network_id, connection.ipaddress, workload_id);
      !can_join && !ip_check_skipped(container, can_join, same_poll)) {
    return fail(workload_id, can_join.error());
  }
  for (const ContainerMount& mount : reservation.volumes) {
    if (const Status usable = volumes_.check_use(mount.volume_id, container.workload.user_id); !usable) {
      return fail(workload_id, usable.error());
    }
  }
  Expected<std::vector<std::pair<std::string, std::string>>> secrets = decrypt_secrets(container.workload, reservation);
  if (!secrets) return fail(workload_id, secrets.error());
  container.secrets = std::move(secrets).value();
  if (connection.public_ip6 && ipv4_only_) {
    return fail(workload_id,
                "this node runs in IPv4 only mode and you asked for a public IPv6. Impossible to fulfill the request");
  }
  container.need = capacity_of(reservation, policy_.planted);
  if (const Status reserved = ledger_.reserve(workload_id, container.need); !reserved) {
    return fail(workload_id, reserved.error());
  }
  container.capacity_held = true;
  if (!container.ip_unregistered) networks_.join(connection.network_id, connection.ipaddress, workload_id);
  container.network_joined = !container.ip_unregistered;
  if (ports_.faults.fire("container.network_join")) return fail(workload_id, "failed to join network: injected fault");
  // zos's network join makes the container's namespace, with the pub interface when a public IPv6
  // is asked, before anything is mounted or started (docs/ZOS.md, "Public IPv6").
  if (const Status joined = ports_.runtime.join_network(workload_id, connection.public_ip6); !joined) {
    return fail(workload_id, joined.error());
  }
  container.namespace_joined = true;
  step_flist(workload_id);
}

// Planted bug ip_check_skipped_in_poll (test-only): the second container checked in the same
// instant (one poll's batch) takes an address in use without registering it.
bool ContainerManager::ip_check_skipped(Container& container, const Status& can_join, bool same_poll) {
  if (!policy_.planted.has(PlantedBug::ip_check_skipped_in_poll) || !same_poll) return false;
  if (can_join.error().find("is already used by container") == std::string::npos) return false;
  container.ip_unregistered = true;
  return true;
}

Expected<std::vector<std::pair<std::string, std::string>>> ContainerManager::decrypt_secrets(
    const Workload& workload, const ContainerReservation& reservation) const {
  std::vector<std::pair<std::string, std::string>> secrets;
  for (const auto& [name, value_hex] : reservation.secret_environment) {
    Expected<std::string> plain =
        decrypt_secret(identity_, workload.version, workload.user_public_key_hex, name, value_hex);
    if (!plain) {
      wipe_secret_values(secrets);  // The values decrypted before the one that failed.
      return Error{plain.error()};
    }
    secrets.emplace_back(name, std::move(plain).value());
    wipe_secret(plain.value());  // What the move left behind (a short value is copied, not moved).
  }
  return secrets;
}

// Step 7, first half: the flist through the md5-keyed cache.
void ContainerManager::step_flist(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  flists_.fetch(container.reservation.flist, lifetime_.guard([this, workload_id](Expected<std::string> bytes) {
    if (!has(workload_id)) return;
    const Settled settled(*this, workload_id);
    if (!bytes) return fail(workload_id, bytes.error());
    step_mount(workload_id, std::move(bytes).value());
  }));
}

// Step 7, second half: the root filesystem over a root disk of the asked size and type.
void ContainerManager::step_mount(const std::string& workload_id, std::string flist_bytes) {
  Container& container = *containers_.at(workload_id);
  const Expected<FlistImage> image = decode_flist(flist_bytes);
  if (!image) return fail(workload_id, "failed to mount flist: " + image.error());
  container.image_entrypoint = image.value().entrypoint;
  container.image_environment = image.value().environment;
  if (ports_.faults.fire("container.mount")) return fail(workload_id, "failed to mount flist: injected fault");
  container.flist_md5 = md5_hex(flist_bytes);
  const RootDisk disk = root_disk(container.reservation);
  ports_.runtime.mount_flist(workload_id, flist_bytes, disk.size_mib, disk.type,
                             lifetime_.guard([this, workload_id](Expected<std::string> mount) {
                               if (!has(workload_id)) return;
                               const Settled settled(*this, workload_id);
                               if (!mount) return fail(workload_id, "failed to mount flist: " + mount.error());
                               Container& mounted = *containers_.at(workload_id);
                               mounted.mount = std::move(mount).value();
                               mounted.mounted = true;
                               remember_mount(mounted);
                               if (ports_.faults.fire("container.mounted")) {
                                 return fail(workload_id, "failed to prepare the root filesystem: injected fault");
                               }
                               step_start(workload_id);
                             }));
}

// Steps 8-9: volumes bound at their normalised mountpoints, then the entrypoint or coreX.
void ContainerManager::step_start(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  Expected<ContainerSpec> spec = build_spec(container);
  // The spec holds the secrets now (a restart reuses it); the decrypted list is not needed again.
  wipe_secret_values(container.secrets);
  if (!spec) return fail(workload_id, "error starting container: " + spec.error());
  container.spec = std::move(spec).value();
  container.pushers = make_pushers(workload_id, container.reservation);
  container.observer = std::make_unique<Observer>(*this, workload_id);
  if (ports_.faults.fire("container.start")) return fail(workload_id, "error starting container: injected fault");
  const Status started = ports_.runtime.start(container.spec, *container.observer);
  if (!started) return fail(workload_id, "error starting container: " + started.error());
  container.started = true;
  container.pushers->start();
  ports_.events.record("container_started", fmt::format("workload={} ip={}", trace_value(workload_id), trace_value(container.spec.ipv4)));
  step_ipv6(workload_id);
}

Expected<ContainerSpec> ContainerManager::build_spec(const Container& container) const {
  const ContainerReservation& reservation = container.reservation;
  ContainerSpec spec;
  spec.name = container.workload.id;
  spec.root_mount = container.mount;
  for (const ContainerMount& mount : reservation.volumes) {
    spec.binds.push_back(BindMount{mount.volume_id, normalise_mountpoint(mount.mountpoint)});
  }
  // The flist's .startup.toml gives defaults; the reservation overrides them, and secrets override both.
  std::map<std::string, std::string> environment(container.image_environment.begin(),
                                                 container.image_environment.end());
  for (const auto& [name, value] : reservation.environment) environment[name] = value;
  for (const auto& [name, value] : container.secrets) environment[name] = value;
  spec.environment.assign(environment.begin(), environment.end());
  // The map held copies of the secrets; the spec keeps the one copy the runtime needs.
  for (auto& entry : environment) wipe_secret(entry.second);
  spec.interactive = reservation.interactive;
  if (!reservation.interactive) {
    // The flist's default applies only to an entrypoint that is exactly empty; anything else is
    // split shell-style, and no words at all, or a split that fails, is refused with the text as
    // written (docs/ZOS.md, "Entrypoint").
    spec.entrypoint = reservation.entrypoint.empty() ? container.image_entrypoint : reservation.entrypoint;
    const Expected<std::vector<std::string>> words = split_shell_words(spec.entrypoint);
    if (!words || words.value().empty()) {
      return Error{fmt::format("invalid entrypoint definition '{}'", spec.entrypoint)};
    }
  }
  spec.cpu = reservation.capacity.cpu;
  spec.memory_mib = reservation.capacity.memory_mib;
  const NetworkConnection& connection = reservation.network_connection.front();
  spec.network_id = connection.network_id;
  spec.ipv4 = connection.ipaddress;
  spec.public_ip6 = connection.public_ip6;
  return spec;
}

// Step 10: the public IPv6 address comes to the pub interface some time after the network join;
// wait for it with zos's randomised backoff. The process may exit meanwhile: the crash policy
// restarts it (on_exit), and the address, which belongs to the namespace, still comes.
void ContainerManager::step_ipv6(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  if (!container.spec.public_ip6) return succeed(workload_id, "");
  container.ipv6_wait_started_ms = ports_.scheduler.now_ms();
  container.ipv6_interval_ms = policy_.ipv6_interval_initial_ms;
  try_ipv6(workload_id);
}

void ContainerManager::try_ipv6(const std::string& workload_id) {
  Container& container = *containers_.at(workload_id);
  assert(container.state == Container::State::provisioning && !container.ipv6_timer_set);
  Expected<std::string> address = ports_.runtime.public_ipv6(workload_id);
  if (address) return succeed(workload_id, std::move(address).value());
  const std::int64_t now_ms = ports_.scheduler.now_ms();
  if (now_ms - container.ipv6_wait_started_ms > policy_.ipv6_wait_max_ms) {
    // zos v0.4.5 returned here without its rollback (the error was a shadowed variable, so the
    // deferred cleanups saw none); ours rolls back as for any failure (docs/ZOS.md, differences).
    return fail(workload_id, "error reading container ipv6: failed to get an IP for interface pub: " + address.error());
  }
  // The wait is drawn within +-50 % of the interval, then the interval grows by half, at most to
  // its maximum (cenkalti/backoff's ExponentialBackOff with zos's settings).
  const std::int64_t interval_ms = container.ipv6_interval_ms;
  const std::int64_t low_ms = interval_ms - interval_ms / 2;
  const std::int64_t high_ms = interval_ms + interval_ms / 2;
  const std::int64_t delay_ms = low_ms + static_cast<std::int64_t>(ports_.rng.below(static_cast<std::uint64_t>(high_ms - low_ms + 1)));
  assert(delay_ms >= low_ms && delay_ms <= high_ms && delay_ms > 0);
  container.ipv6_interval_ms = std::min(interval_ms + interval_ms / 2, policy_.ipv6_interval_max_ms);
  ports_.events.record("ipv6_wait", fmt::format("workload={} delay_ms={} error={}", trace_value(workload_id), delay_ms,
                                                trace_value(address.error())));
  container.ipv6_timer = ports_.scheduler.at(now_ms + delay_ms, lifetime_.guard([this, workload_id] {
    if (!has(workload_id)) return;
    const Settled settled(*this, workload_id);
    containers_.at(workload_id)->ipv6_timer_set = false;
    try_ipv6(workload_id);
  }));
  container.ipv6_timer_set = true;
}

// Step 11: the result data {"id", "ipv4", "ipv6"}, and the coreX console of an interactive container.
void ContainerManager::succeed(const std::string& workload_id, std::string ipv6) {
  Container& container = *containers_.at(workload_id);
  nlohmann::ordered_json data{{"id", workload_id}, {"ipv4", container.spec.ipv4}, {"ipv6", ipv6}};
  if (container.spec.interactive) data["console"] = container.spec.ipv4 + ":7681";
  container.data_json = data.dump();
  // A process that exited while its address was awaited has its restart scheduled already.
  container.state = container.exited ? Container::State::restarting : Container::State::running;
  assert(!container.exited || container.timer_set);
  // The "unfinished" marker stays until the engine has saved the record (commit()): a daemon that
  // dies in between leaves a running container that nothing else would own (a fuzz campaign found
  // it provisioned twice after node.before_result_saved).
  ports_.events.record("provision_ok", fmt::format("workload={}", trace_value(workload_id)));
  Done done = std::move(container.provision_done);
  container.provision_done = nullptr;
  done(ContainerOutcome{true, "", container.data_json});
}

void ContainerManager::fail(const std::string& workload_id, std::string message) {
  Container& container = *containers_.at(workload_id);
  assert(container.state == Container::State::provisioning);
  ports_.events.record("provision_error", fmt::format("workload={} error={}", trace_value(workload_id), trace_value(message)));
  container.failure_message = std::move(message);
  // Rollback goes through the same teardown as a decommission, killing at once.
  teardown(workload_id, /*graceful=*/false);
}

}  // namespace zsim::core

namespace zsim::core {

namespace {
std::string mount_key(const std::string& workload_id) { return "container-mount/" + workload_id; }
std::string mount_flist_key(const std::string& workload_id) { return "container-flist/" + workload_id; }
}  // namespace

void ContainerManager::remember_mount(const Container& container) {
  ports_.store.put(mount_key(container.workload.id), container.mount);
  if (!container.flist_md5.empty()) ports_.store.put(mount_flist_key(container.workload.id), container.flist_md5);
}

void ContainerManager::forget_mount(const std::string& workload_id) {
  ports_.store.erase(mount_key(workload_id));
  ports_.store.erase(mount_flist_key(workload_id));
}

// After a daemon restart the node's cache still lists the container: take back its capacity and
// address, then re-attach to it if it still runs, or start it again on a fresh mount if it died
// while the daemon was away.
void ContainerManager::restore(const Workload& workload, const std::string& data_json) {
  assert(!has(workload.id));
  const Settled settled(*this, workload.id);
  auto owned = std::make_unique<Container>();
  Container& container = *owned;
  container.workload = workload;
  container.data_json = data_json;
  container.state = Container::State::restoring;
  containers_.emplace(workload.id, std::move(owned));
  ports_.events.record("restore_start", fmt::format("workload={}", trace_value(workload.id)));
  // What outlived the daemon is known before anything can fail, so that a restore that fails
  // tears down the mount and the namespace too (self_decommission reaps the process).
  const std::optional<std::string> mount = ports_.store.get(mount_key(workload.id));
  if (mount) {
    container.mount = *mount;
    container.mounted = true;
  }
  container.namespace_joined = true;
  Expected<ContainerReservation> parsed = parse_container_text(workload.payload_json);
  assert(parsed.ok());  // It was provisioned from this very payload.
  container.reservation = std::move(parsed).value();
  resolve_relative_volumes(container.reservation, workload.reservation_id);
  Expected<std::vector<std::pair<std::string, std::string>>> secrets = decrypt_secrets(workload, container.reservation);
  if (!secrets) return self_decommission(workload.id, secrets.error());
  container.secrets = std::move(secrets).value();
  container.need = capacity_of(container.reservation, policy_.planted);
  if (const Status reserved = ledger_.reserve(workload.id, container.need); !reserved) {
    return self_decommission(workload.id, reserved.error());
  }
  container.capacity_held = true;
  const NetworkConnection& connection = container.reservation.network_connection.front();
  if (const Status can_join = networks_.check_join(connection.network_id, connection.ipaddress, workload.id);
      !can_join) {
    return self_decommission(workload.id, can_join.error());
  }
  networks_.join(connection.network_id, connection.ipaddress, workload.id);
  container.network_joined = true;
  // The namespace outlived the daemon; joining again keeps it (and its address) as it is.
  if (const Status joined = ports_.runtime.join_network(workload.id, connection.public_ip6); !joined) {
    return self_decommission(workload.id, joined.error());
  }
  // The container was provisioned from this flist, so the cache holds it: a restore never waits
  // for the hub, and a hub that fails now cannot decommission a container that runs well (a
  // fuzz seed found a running container orphaned that way: decommissioned before it was attached).
  const std::optional<std::string> mounted_from = ports_.store.get(mount_flist_key(workload.id));
  std::optional<std::string> cached = mounted_from ? flists_.cached_content(*mounted_from) : std::nullopt;
  if (cached) container.flist_md5 = *mounted_from;
  if (!cached) cached = flists_.cached(container.reservation.flist);
  if (cached) {
    ports_.events.record("flist_cache", fmt::format("url={} source=cache-restore", trace_value(container.reservation.flist)));
    return restore_attach(workload.id, decode_flist(*cached));
  }
  flists_.fetch(container.reservation.flist, lifetime_.guard([this, id = workload.id](Expected<std::string> bytes) {
    if (!has(id)) return;
    const Settled settled(*this, id);
    if (!bytes) return self_decommission(id, "error starting container: " + bytes.error());
    restore_attach(id, decode_flist(bytes.value()));
  }));
}

void ContainerManager::commit(const std::string& workload_id) {
  assert(has(workload_id));
  ports_.store.erase(unfinished_key(workload_id));
}

void ContainerManager::reap_unfinished() {
  for (const std::string& key : ports_.store.keys("provisioning/")) {
    const std::string workload_id = key.substr(std::string_view("provisioning/").size());
    if (!has(workload_id)) reap(workload_id);
  }
}

// The teardown of a container this daemon did not provision: stop whatever runs under its name,
// remove it and its mount. Nothing was reserved or joined by this daemon, so nothing else is released.
void ContainerManager::reap(const std::string& workload_id) {
  const Settled settled(*this, workload_id);
  auto owned = std::make_unique<Container>();
  Container& container = *owned;
  container.workload.id = workload_id;
  container.state = Container::State::stopping;
  const std::optional<std::string> mount = ports_.store.get(mount_key(workload_id));
  container.mounted = mount.has_value();
  container.observer = std::make_unique<Observer>(*this, workload_id);
  containers_.emplace(workload_id, std::move(owned));
  ports_.events.record("reap_unfinished", fmt::format("workload={}", trace_value(workload_id)));
  const bool running = ports_.runtime.attach(workload_id, *container.observer).ok();
  container.started = true;  // So that finish() removes whatever exited under this name.
  container.exited = !running;
  container.namespace_joined = true;  // Whatever network namespace it had goes with it.
  if (container.mounted || running) return teardown(workload_id, /*graceful=*/false);
  // No mount was recorded, yet the dead daemon may have asked for one that the filesystem daemon
  // still makes (a dense fuzz seed found that mount left behind). It is made or has failed within
  // mount_answer_max_ms of the request, which came before this daemon started: wait that long,
  // holding the name (a new provision of it waits too), then unmount whatever is there.
  arm_timer(workload_id, mount_answer_max_ms, [this, workload_id] {
    containers_.at(workload_id)->mounted = true;  // Unmounting nothing is harmless.
    teardown(workload_id, /*graceful=*/false);
  });
}

void ContainerManager::restore_attach(const std::string& workload_id, const Expected<FlistImage>& image) {
  Container& container = *containers_.at(workload_id);
  if (!image) return self_decommission(workload_id, "failed to mount flist: " + image.error());
  container.image_entrypoint = image.value().entrypoint;
  container.image_environment = image.value().environment;
  Expected<ContainerSpec> spec = build_spec(container);
  // The spec holds the secrets now (a restart reuses it); the decrypted list is not needed again.
  wipe_secret_values(container.secrets);
  if (!spec) return self_decommission(workload_id, "error starting container: " + spec.error());
  container.spec = std::move(spec).value();
  container.pushers = make_pushers(workload_id, container.reservation);
  container.observer = std::make_unique<Observer>(*this, workload_id);
  if (container.mounted && ports_.runtime.attach(workload_id, *container.observer)) {
    container.started = true;
    container.state = Container::State::running;
    container.pushers->start();
    ports_.events.record("restore_attached", fmt::format("workload={}", trace_value(workload_id)));
    return;
  }
  container.state = Container::State::restarting;
  container.exited = true;
  // What exited under this name while the daemon was away is still in the runtime: counted as
  // started, so that whoever ends the container removes it too (a dense fuzz seed found a failed
  // remount leave it there, its address reused by the next container).
  container.started = true;
  remount_and_start(workload_id);
}

}  // namespace zsim::core
