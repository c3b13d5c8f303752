// Properties of the reservation model, checked with rapidcheck over generated reservations:
// - a reservation assembled from valid parts validates;
// - corrupting any single field makes it fail with an error that names that field (a logs or stats
//   endpoint is skipped, naming it: zos never failed a provision for one);
// - parse -> serialise -> parse is the identity;
// - no error ever shows a secret value or a redis password.
// Every value is drawn from rapidcheck's generators, so a run is reproduced by its seed
// (RC_PARAMS="seed=N"), and a failure shrinks to a small reservation.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/reservation.hpp"
#include "core/secret_env.hpp"

namespace zsim::core {

// rapidcheck prints a counterexample with showValue, found by argument-dependent lookup.
void showValue(const ContainerReservation& reservation, std::ostream& os) {
  os << to_json(reservation).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Generators of valid parts. Alphabets are kept apart where a property looks for one text inside
// another: secret values and passwords use letters that no other generated text contains.

rc::Gen<std::string> text_of(std::string alphabet, int min_size, int max_size) {
  return rc::gen::exec([alphabet = std::move(alphabet), min_size, max_size] {
    const int size = *rc::gen::inRange(min_size, max_size + 1);
    return *rc::gen::container<std::string>(static_cast<std::size_t>(size), rc::gen::elementOf(alphabet));
  });
}

rc::Gen<std::string> name() { return text_of("abcdefghijklmnopqrstuvwxyz0123456789-", 1, 12); }
rc::Gen<std::string> env_name() { return text_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 1, 10); }
rc::Gen<std::string> secret_hex() {
  return rc::gen::map(text_of("0123456789abcdefABCDEF", 1, 16), [](std::string half) { return half + half; });
}
// Passwords (and plaintext secrets built from them) use characters no other generated text has,
// so finding one inside an error message can only mean it leaked.
rc::Gen<std::string> password() { return text_of("~!^*+=", 6, 12); }

rc::Gen<std::string> ipv4() {
  return rc::gen::exec([] {
    const auto octet = rc::gen::inRange(0, 256);
    return fmt::format("{}.{}.{}.{}", *octet, *octet, *octet, *octet);
  });
}

// A valid redis URL, with or without a port and a password.
rc::Gen<std::string> redis_url() {
  return rc::gen::exec([] {
    const std::string host = *rc::gen::oneOf(name(), ipv4());
    const bool with_port = *rc::gen::arbitrary<bool>();
    const bool with_password = *rc::gen::arbitrary<bool>();
    const std::string auth = with_password ? ":" + *password() + "@" : "";
    const std::string port = with_port ? fmt::format(":{}", *rc::gen::inRange(1, 65536)) : "";
    return fmt::format("redis://{}{}{}/{}", auth, host, port, *name());
  });
}

rc::Gen<ContainerReservation> valid_reservation() {
  return rc::gen::exec([] {
    ContainerReservation r;
    r.workload_id = *rc::gen::arbitrary<std::uint64_t>();
    r.node_id = *name();
    r.flist = "https://hub.grid.tf/" + *name() + ".flist";
    r.hub_url = *rc::gen::element<std::string>("", "https://hub.grid.tf");
    r.environment = *rc::gen::container<std::map<std::string, std::string>>(env_name(), name());
    r.secret_environment = *rc::gen::container<std::map<std::string, std::string>>(env_name(), secret_hex());
    r.entrypoint = *rc::gen::element<std::string>("", "/sbin/my_init", "/bin/sh -c 'sleep 1000'");
    r.interactive = *rc::gen::arbitrary<bool>();
    const int volumes = *rc::gen::inRange(0, 4);
    for (int i = 0; i < volumes; i++) r.volumes.push_back({*name(), "/" + *name()});
    r.network_connection.push_back({*name(), *ipv4(), *rc::gen::arbitrary<bool>()});
    r.capacity.cpu = *rc::gen::inRange<std::uint64_t>(1, 65);
    r.capacity.memory_mib = *rc::gen::inRange<std::uint64_t>(memory_min_mib, 1U << 20U);
    r.capacity.disk_size_mib = *rc::gen::inRange<std::uint64_t>(0, 1U << 22U);
    r.capacity.disk_type = *rc::gen::element<std::string>("", "ssd", "hdd", "SSD", "HDD");
    const int logs = *rc::gen::inRange(0, 3);
    for (int i = 0; i < logs; i++) r.logs.push_back({"redis", *redis_url(), *redis_url()});
    const int stats = *rc::gen::inRange(0, 3);
    for (int i = 0; i < stats; i++) r.stats_aggregator.push_back({"redis", *redis_url()});
    return r;
  });
}

// Any reservation at all, valid or not, with printable ASCII text (JSON text must be UTF-8).
rc::Gen<ContainerReservation> any_reservation() {
  return rc::gen::exec([] {
    const auto text = rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~' + 1));
    ContainerReservation r = *valid_reservation();
    r.node_id = *text;
    r.flist = *text;
    r.entrypoint = *text;
    r.environment = *rc::gen::container<std::map<std::string, std::string>>(text, text);
    // Within the parser's limits (reservation_list_items_max; strings and maps stay far below theirs).
    const auto connections = *rc::gen::inRange<std::size_t>(0, reservation_list_items_max + 1);
    r.network_connection = *rc::gen::container<std::vector<NetworkConnection>>(connections, rc::gen::exec([text] {
      return NetworkConnection{*text, *text, *rc::gen::arbitrary<bool>()};
    }));
    r.capacity = {*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<std::uint64_t>(),
                  *rc::gen::arbitrary<std::uint64_t>(), *text};
    r.logs.push_back({*text, *text, *text});
    r.stats_aggregator.push_back({*text, *text});
    return r;
  });
}

// A redis URL that parse_redis_url refuses.
rc::Gen<std::string> bad_redis_url() {
  return rc::gen::exec([] {
    const std::string host = *name();
    return *rc::gen::element<std::string>("http://" + host + "/ch", "redis://" + host, "redis://" + host + "/",
                                          "redis://" + host + ":0/ch", "redis://" + host + ":70000/ch",
                                          "redis://" + host + ":port/ch", "redis:///ch", "",
                                          "redis://user:pw@" + host + "/ch");
  });
}

// Uniform in [0, count): rapidcheck's inRange grows with the test size and would seldom reach the
// last choices, so a choice among kinds of corruption is drawn from a list instead.
rc::Gen<std::size_t> choice(std::size_t count) {
  std::vector<std::size_t> choices(count);
  for (std::size_t i = 0; i < count; i++) choices[i] = i;
  return rc::gen::elementOf(std::move(choices));
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// ---------------------------------------------------------------------------------------------

RC_GTEST_PROP(ReservationProperties, ValidPartsValidate, ()) {
  const ContainerReservation r = *valid_reservation();
  const Status status = validate(r);
  RC_ASSERT(status.ok());
  const RootDisk disk = root_disk(r);
  RC_ASSERT(disk.size_mib == (r.capacity.disk_size_mib == 0 ? root_disk_default_mib : r.capacity.disk_size_mib));
}

RC_GTEST_PROP(ReservationProperties, ParseSerialiseParseIsTheIdentity, ()) {
  const ContainerReservation r = *any_reservation();
  const Expected<ContainerReservation> again = parse_container(to_json(r));
  RC_ASSERT(again.ok());
  RC_ASSERT(again.value() == r);
  const std::string text = to_json(r).dump();
  const Expected<ContainerReservation> from_text = parse_container_text(text);
  RC_ASSERT(from_text.ok());
  RC_ASSERT(from_text.value() == r);
  RC_ASSERT(to_json(from_text.value()).dump() == text);
}

// One field of a valid reservation made invalid, and the text its error must contain.
struct Corruption {
  ContainerReservation reservation;
  std::string field;
};

Corruption corrupt_schema(ContainerReservation r, std::size_t kind) {
  switch (kind) {
    case 0:
      r.network_connection[0].network_id.clear();
      return {r, "network ID"};
    case 1:
      r.network_connection.clear();
      return {r, "network ID"};
    case 2:
      r.network_connection.push_back(r.network_connection[0]);
      return {r, "network_connection"};
    case 3:
      r.network_connection[0].ipaddress.clear();
      return {r, "IP address"};
    case 4:
      r.network_connection[0].ipaddress =
          *rc::gen::element<std::string>("1.2.3", "256.0.0.1", "01.2.3.4", "fd00::1", "host", "1.2.3.4.5");
      return {r, "network_connection[0].ipaddress"};
    case 5:
      r.flist.clear();
      return {r, "flist"};
    case 6:
      r.capacity.memory_mib = *rc::gen::inRange<std::uint64_t>(0, memory_min_mib);
      return {r, "memory"};
    case 7:
      r.capacity.cpu = 0;
      return {r, "CPU"};
    default:
      r.capacity.disk_type = *rc::gen::element<std::string>("nvme", "HHD", "tape", " ssd");
      return {r, "disk type"};
  }
}

Corruption corrupt_endpoint(ContainerReservation r, std::size_t kind) {
  if (r.logs.empty()) r.logs.push_back({"redis", *redis_url(), *redis_url()});
  if (r.stats_aggregator.empty()) r.stats_aggregator.push_back({"redis", *redis_url()});
  const std::size_t log = *choice(r.logs.size());
  const std::size_t stat = *choice(r.stats_aggregator.size());
  switch (kind) {
    case 0:
      r.logs[log].type = *rc::gen::element<std::string>("file", "Redis", "", "syslog");
      return {r, fmt::format("logs[{}].type", log)};
    case 1:
      r.logs[log].stdout_url = *bad_redis_url();
      return {r, fmt::format("logs[{}].data.stdout", log)};
    case 2:
      r.logs[log].stderr_url = *bad_redis_url();
      return {r, fmt::format("logs[{}].data.stderr", log)};
    case 3:
      r.stats_aggregator[stat].type = *rc::gen::element<std::string>("influxdb", "REDIS", "");
      return {r, fmt::format("stats_aggregator[{}].type", stat)};
    default:
      r.stats_aggregator[stat].endpoint_url = *bad_redis_url();
      return {r, fmt::format("stats_aggregator[{}].data.endpoint", stat)};
  }
}

RC_GTEST_PROP(ReservationProperties, AnyCorruptedFieldIsNamed, ()) {
  const ContainerReservation valid = *valid_reservation();
  const Corruption corruption = corrupt_schema(valid, *choice(9));
  const Status status = validate(corruption.reservation);
  RC_ASSERT_FALSE(status.ok());
  RC_LOG() << status.error() << "\n";
  RC_ASSERT(contains(status.error(), corruption.field));
}

// zos never failed a provision for its logs or stats endpoints: a bad one validates, and the node
// skips it with a reason that names it.
RC_GTEST_PROP(ReservationProperties, AnyCorruptedEndpointIsSkippedAndNamed, ()) {
  const Corruption corruption = corrupt_endpoint(*valid_reservation(), *choice(5));
  RC_ASSERT(validate(corruption.reservation).ok());
  const std::vector<std::string> skipped = usable_endpoints(corruption.reservation).skipped;
  RC_ASSERT(std::any_of(skipped.begin(), skipped.end(),
                        [&](const std::string& line) { return line.starts_with(corruption.field + ": "); }));
}

// Every leaf and container of a payload, as (JSON pointer, the path that errors name).
void collect_paths(const json& value, const json::json_pointer& pointer, const std::string& path,
                   std::vector<std::pair<json::json_pointer, std::string>>& out) {
  if (!path.empty()) out.emplace_back(pointer, path);
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      collect_paths(item, pointer / key, path.empty() ? key : path + "." + key, out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); i++) {
      collect_paths(value[i], pointer / i, fmt::format("{}[{}]", path, i), out);
    }
  }
}

// A value of a kind the field does not accept (null is accepted for lists, maps and objects).
json wrong_kind_for(const json& value, const std::string& path) {
  // The disk type is a name or the explorer's number from 0 to 255: other numbers are its wrong kinds.
  if (path == "capacity.disk_type") return *rc::gen::element<json>(json(256), json(-1), json(true), json::array());
  if (value.is_string()) return *rc::gen::element<json>(json(42), json(true), json::array(), json::object());
  if (value.is_boolean()) return *rc::gen::element<json>(json("true"), json(1), json::array());
  if (value.is_number()) return *rc::gen::element<json>(json("12"), json(-1), json(1.5), json(false));
  if (value.is_array()) return *rc::gen::element<json>(json("[]"), json(0), json::object());
  return *rc::gen::element<json>(json("{}"), json(0), json::array());
}

RC_GTEST_PROP(ReservationProperties, AnyFieldOfAWrongTypeIsNamedByItsPath, ()) {
  const ContainerReservation valid = *valid_reservation();
  json payload = to_json(valid);
  std::vector<std::pair<json::json_pointer, std::string>> paths;
  collect_paths(payload, json::json_pointer(), "", paths);
  RC_PRE(!paths.empty());
  const auto& [pointer, path] = *rc::gen::elementOf(paths);
  payload[pointer] = wrong_kind_for(payload[pointer], path);
  const Expected<ContainerReservation> parsed = parse_container(payload);
  RC_ASSERT_FALSE(parsed.ok());
  RC_LOG() << parsed.error() << "\n";
  RC_ASSERT(parsed.error().starts_with(path + ": expected "));
}

RC_GTEST_PROP(ReservationProperties, ErrorsNeverShowSecretsOrPasswords, ()) {
  ContainerReservation r = *valid_reservation();
  // A plaintext secret someone forgot to encrypt, and a redis URL with a password and a bad port.
  const std::string plaintext = "~plain" + *password();
  r.secret_environment[*env_name()] = plaintext;
  const std::string secret_password = *password();
  if (*rc::gen::arbitrary<bool>()) {
    r.logs.push_back({"redis", "redis://:" + secret_password + "@host:bad/ch", *redis_url()});
  }
  // The secret is refused when the node decodes it (Go's hex message names one byte, never more);
  // the endpoint is skipped with a reason that never shows the password.
  for (const auto& [variable, value] : r.secret_environment) {
    const Status encoded = check_secret_encoding(variable, value);
    if (!encoded.ok()) {
      RC_ASSERT_FALSE(contains(encoded.error(), plaintext));
    }
  }
  bool refused = false;
  for (const auto& [variable, value] : r.secret_environment) {
    refused = refused || (value == plaintext && !check_secret_encoding(variable, value).ok());
  }
  RC_ASSERT(refused);
  for (const std::string& line : usable_endpoints(r).skipped) RC_ASSERT_FALSE(contains(line, secret_password));
  // A secret of the wrong JSON type is refused without showing it either.
  json payload = to_json(r);
  payload["secret_environment"]["LEAK"] = json::array({plaintext});
  const Expected<ContainerReservation> parsed = parse_container(payload);
  RC_ASSERT_FALSE(parsed.ok());
  RC_ASSERT_FALSE(contains(parsed.error(), plaintext));
}

RC_GTEST_PROP(ReservationProperties, RedisUrlDisplayMasksThePassword, ()) {
  const std::string url = *redis_url();
  const Expected<RedisUrl> parsed = parse_redis_url(url);
  RC_ASSERT(parsed.ok());
  const std::string shown = parsed.value().display();
  if (parsed.value().password.empty()) {
    // Without a password, display() is the URL with its port spelled out, and parses back.
    const Expected<RedisUrl> again = parse_redis_url(shown);
    RC_ASSERT(again.ok());
    RC_ASSERT(again.value() == parsed.value());
  } else {
    RC_ASSERT_FALSE(contains(shown, parsed.value().password));
    RC_ASSERT(contains(shown, ":***@"));
  }
}

RC_GTEST_PROP(ReservationProperties, NormalisedMountpointsAreCleanAndStable, ()) {
  const std::string raw = *rc::gen::container<std::string>(rc::gen::element('a', 'b', '.', '/'));
  const std::string clean = normalise_mountpoint(raw);
  RC_ASSERT(clean.starts_with('/'));
  RC_ASSERT(normalise_mountpoint(clean) == clean);
  RC_ASSERT_FALSE(contains(clean, "//"));
  RC_ASSERT_FALSE(contains(clean + "/", "/./"));
  RC_ASSERT_FALSE(contains(clean + "/", "/../"));
  RC_ASSERT(clean == "/" || !clean.ends_with('/'));
}

}  // namespace
}  // namespace zsim::core
