#include "fakes/fake_hub.hpp"

#include "kernel/trace_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

namespace zsim::fakes {

namespace {

// A world that keeps this many requests in flight has a runaway retry loop.
constexpr std::size_t requests_in_flight_max = std::size_t{1} << 20;
constexpr std::string_view md5_suffix = ".md5";
constexpr std::string_view body_unreachable = "unreachable";
constexpr std::string_view body_not_found = "404 page not found";

void append_escaped(fmt::memory_buffer& out, std::string_view value) { kernel::append_trace_escaped(out, value); }

// A URL may carry credentials ("https://user:password@host/..."); the trace shows "***" instead.
void append_url(fmt::memory_buffer& out, std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::size_t authority_begin = scheme_end + 3;
    const std::size_t authority_end = std::min(url.find('/', authority_begin), url.size());
    const std::size_t at = url.substr(0, authority_end).rfind('@');
    if (at != std::string_view::npos && at >= authority_begin) {
      append_escaped(out, url.substr(0, authority_begin));
      append_escaped(out, "***");
      append_escaped(out, url.substr(at));
      return;
    }
  }
  append_escaped(out, url);
}

}  // namespace

std::string corrupt_flist_bytes(std::string_view bytes) {
  if (bytes.empty()) return std::string(1, '\xff');
  std::string corrupted(bytes);
  // Eight places spread over the content, each flipped once: short inputs map several places to
  // the same byte, so a place equal to the previous one is skipped (a second flip would undo it).
  constexpr std::size_t places = 8;
  std::size_t previous = corrupted.size();
  for (std::size_t place = 0; place < places; place += 1) {
    const std::size_t position = corrupted.size() * (2 * place + 1) / (2 * places);
    assert(position < corrupted.size());
    if (position == previous) continue;
    corrupted[position] = static_cast<char>(corrupted[position] ^ 0x01);
    previous = position;
  }
  assert(corrupted != bytes);
  return corrupted;
}

FakeHub::FakeHub(core::Scheduler& scheduler, kernel::Trace& trace, std::string label, Md5Function md5)
    : scheduler_(scheduler), trace_(trace), label_(std::move(label)), md5_(std::move(md5)) {
  assert(!label_.empty());
  assert(label_.find(' ') == std::string::npos);
  assert(md5_);
}

void FakeHub::add_flist_bytes(const std::string& url, std::string bytes) {
  assert(!url.empty());
  assert(bytes.size() <= flist_size_max);
  auto [entry, inserted] = flists_.try_emplace(url);
  assert(!inserted || flists_.size() <= flists_max);
  entry->second.md5_hex = md5_(bytes);
  entry->second.bytes = std::move(bytes);
  assert(!entry->second.md5_hex.empty());
}

bool FakeHub::remove_flist(const std::string& url) { return flists_.erase(url) > 0; }

void FakeHub::fetch_md5(const std::string& url, Done done) {
  assert(!url.empty());
  md5_requests_ += 1;
  std::string path;
  path.reserve(url.size() + md5_suffix.size());
  path.append(url).append(md5_suffix);
  request(std::move(path), Kind::md5, std::move(done));
}

void FakeHub::fetch(const std::string& url, Done done) {
  assert(!url.empty());
  flist_requests_ += 1;
  request(url, Kind::flist, std::move(done));
}

// The hub decides the answer when the request arrives; the latency only delays it. A hub that
// goes down meanwhile breaks the connection, which answer() turns into status 0.
void FakeHub::request(std::string path, Kind kind, Done done) {
  assert(done);
  assert(requests_in_flight_ < requests_in_flight_max);
  core::HubResponse response = resolve(path);
  requests_in_flight_ += 1;
  scheduler_.at(scheduler_.now_ms() + latency_ms_,
                [this, path = std::move(path), kind, response = std::move(response), done = std::move(done)]() mutable {
                  answer(path, kind, std::move(response), done);
                });
}

void FakeHub::answer(const std::string& path, Kind kind, core::HubResponse response, const Done& done) {
  assert(requests_in_flight_ > 0);
  requests_in_flight_ -= 1;
  if (down_) response = core::HubResponse{status_unreachable, std::string(body_unreachable)};
  if (response.status == status_ok) {
    bytes_served_ += response.body.size();
    if (kind == Kind::flist && !path.ends_with(md5_suffix)) flist_downloads_ += 1;
  }
  fmt::memory_buffer fields;
  fmt::format_to(std::back_inserter(fields), "url=");
  append_url(fields, path);
  fmt::format_to(std::back_inserter(fields), " status={} bytes={}", response.status, response.body.size());
  trace_.record(scheduler_.now_ms(), label_, kind == Kind::md5 ? "hub_md5" : "hub_fetch",
                std::string_view(fields.data(), fields.size()));
  done(std::move(response));
}

core::HubResponse FakeHub::resolve(std::string_view path) const {
  if (down_) return core::HubResponse{status_unreachable, std::string(body_unreachable)};
  const auto flist = flists_.find(path);
  if (flist != flists_.end()) {
    if (not_found_.contains(path)) return core::HubResponse{status_not_found, std::string(body_not_found)};
    return serve_flist(flist->first, flist->second);
  }
  if (path.ends_with(md5_suffix)) {
    const std::string_view url = path.substr(0, path.size() - md5_suffix.size());
    const auto described = flists_.find(url);
    if (described != flists_.end() && !not_found_.contains(url)) return serve_md5(described->first, described->second);
  }
  return core::HubResponse{status_not_found, std::string(body_not_found)};
}

// A corrupt flist and an md5 mismatch both serve altered bytes; they differ in the .md5 only.
core::HubResponse FakeHub::serve_flist(const std::string& url, const Flist& flist) const {
  if (corrupt_.contains(url) || md5_mismatch_.contains(url)) {
    return core::HubResponse{status_ok, corrupt_flist_bytes(flist.bytes)};
  }
  return core::HubResponse{status_ok, flist.bytes};
}

// With an md5 mismatch the .md5 tells the truth about the stored flist; with a corrupt flist
// alone it describes the corrupt bytes, so the download checks out and only the mount can fail.
core::HubResponse FakeHub::serve_md5(const std::string& url, const Flist& flist) const {
  if (corrupt_.contains(url) && !md5_mismatch_.contains(url)) {
    return core::HubResponse{status_ok, md5_(corrupt_flist_bytes(flist.bytes))};
  }
  return core::HubResponse{status_ok, flist.md5_hex};
}

void FakeHub::set_down(bool down) {
  down_ = down;
  record_fault("down", "", down);
}

void FakeHub::set_latency_ms(std::int64_t latency_ms) {
  assert(latency_ms >= 0);
  assert(latency_ms <= latency_max_ms);
  latency_ms_ = latency_ms;
  fmt::memory_buffer fields;
  fmt::format_to(std::back_inserter(fields), "fault=latency_ms value={}", latency_ms);
  trace_.record(scheduler_.now_ms(), label_, "hub_fault", std::string_view(fields.data(), fields.size()));
}

void FakeHub::set_not_found(const std::string& url, bool not_found) {
  set_url_fault(not_found_, "not_found", url, not_found);
}

void FakeHub::set_corrupt(const std::string& url, bool corrupt) { set_url_fault(corrupt_, "corrupt", url, corrupt); }

void FakeHub::set_md5_mismatch(const std::string& url, bool md5_mismatch) {
  set_url_fault(md5_mismatch_, "md5_mismatch", url, md5_mismatch);
}

void FakeHub::heal() {
  if (down_) set_down(false);
  if (latency_ms_ != 0) set_latency_ms(0);
  // Copies: set_url_fault erases from the set being walked.
  for (const std::string& url : std::set<std::string, std::less<>>(not_found_)) set_not_found(url, false);
  for (const std::string& url : std::set<std::string, std::less<>>(corrupt_)) set_corrupt(url, false);
  for (const std::string& url : std::set<std::string, std::less<>>(md5_mismatch_)) set_md5_mismatch(url, false);
  assert(!down_ && latency_ms_ == 0 && not_found_.empty() && corrupt_.empty() && md5_mismatch_.empty());
}

// A fault may name a URL before the flist is added, as a scenario may break a URL it adds later.
void FakeHub::set_url_fault(std::set<std::string, std::less<>>& faulty, std::string_view fault,
                            const std::string& url, bool on) {
  assert(!url.empty());
  if (on) {
    assert(faulty.size() < flists_max);
    faulty.insert(url);
  } else {
    faulty.erase(url);
  }
  record_fault(fault, url, on);
}

void FakeHub::record_fault(std::string_view fault, std::string_view url, bool on) {
  fmt::memory_buffer fields;
  fmt::format_to(std::back_inserter(fields), "fault={} value={}", fault, on ? 1 : 0);
  if (!url.empty()) {
    fmt::format_to(std::back_inserter(fields), " url=");
    append_url(fields, url);
  }
  trace_.record(scheduler_.now_ms(), label_, "hub_fault", std::string_view(fields.data(), fields.size()));
}

}  // namespace zsim::fakes
