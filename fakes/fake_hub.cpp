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

// A status answered by the hub itself: its reason phrase, and the phrase as body, as a web server
// answers an error.
core::HubResponse status_response(int status) {
  const std::string_view reason = http_reason_phrase(status);
  return core::HubResponse{status, std::string(reason), std::string(reason)};
}

}  // namespace

std::string_view http_reason_phrase(int status) {
  // Go's net/http status table (status.go), the codes a web server answers with.
  static constexpr std::pair<int, std::string_view> phrases[] = {
      {100, "Continue"}, {101, "Switching Protocols"}, {102, "Processing"}, {103, "Early Hints"},
      {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {203, "Non-Authoritative Information"}, {204, "No Content"},
      {205, "Reset Content"}, {206, "Partial Content"}, {207, "Multi-Status"}, {208, "Already Reported"},
      {226, "IM Used"}, {300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"},
      {304, "Not Modified"}, {305, "Use Proxy"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"},
      {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"},
      {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"}, {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"},
      {411, "Length Required"}, {412, "Precondition Failed"}, {413, "Request Entity Too Large"},
      {414, "Request URI Too Long"}, {415, "Unsupported Media Type"}, {416, "Requested Range Not Satisfiable"},
      {417, "Expectation Failed"}, {418, "I'm a teapot"}, {421, "Misdirected Request"},
      {422, "Unprocessable Entity"}, {423, "Locked"}, {424, "Failed Dependency"}, {425, "Too Early"},
      {426, "Upgrade Required"}, {428, "Precondition Required"}, {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"}, {451, "Unavailable For Legal Reasons"},
      {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
      {503, "Service Unavailable"}, {504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"},
      {506, "Variant Also Negotiates"}, {507, "Insufficient Storage"}, {508, "Loop Detected"},
      {510, "Not Extended"}, {511, "Network Authentication Required"}};
  for (const auto& [code, phrase] : phrases) {
    if (code == status) return phrase;
  }
  return {};
}

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
  if (down_) response = core::HubResponse{status_unreachable, std::string(body_unreachable), ""};
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
  if (down_) return core::HubResponse{status_unreachable, std::string(body_unreachable), ""};
  const std::string_view url = path.ends_with(md5_suffix) ? path.substr(0, path.size() - md5_suffix.size()) : path;
  const auto forced = status_by_url_.find(flists_.contains(path) ? path : url);
  if (forced != status_by_url_.end()) return status_response(forced->second);
  if (status_all_ != 0) return status_response(status_all_);
  const auto flist = flists_.find(path);
  if (flist != flists_.end()) {
    if (not_found_.contains(path)) return not_found();
    return serve_flist(flist->first, flist->second);
  }
  if (path.ends_with(md5_suffix)) {
    const auto described = flists_.find(url);
    if (described != flists_.end() && !not_found_.contains(url)) return serve_md5(described->first, described->second);
  }
  return not_found();
}

core::HubResponse FakeHub::not_found() {
  return core::HubResponse{status_not_found, std::string(body_not_found), std::string(http_reason_phrase(status_not_found))};
}

// A corrupt flist and an md5 mismatch both serve altered bytes; they differ in the .md5 only.
core::HubResponse FakeHub::serve_flist(const std::string& url, const Flist& flist) const {
  if (corrupt_.contains(url) || md5_mismatch_.contains(url)) {
    return core::HubResponse{status_ok, corrupt_flist_bytes(flist.bytes), "OK"};
  }
  return core::HubResponse{status_ok, flist.bytes, "OK"};
}

// With an md5 mismatch the .md5 tells the truth about the stored flist; with a corrupt flist
// alone it describes the corrupt bytes, so the download checks out and only the mount can fail.
core::HubResponse FakeHub::serve_md5(const std::string& url, const Flist& flist) const {
  if (corrupt_.contains(url) && !md5_mismatch_.contains(url)) {
    return core::HubResponse{status_ok, md5_(corrupt_flist_bytes(flist.bytes)), "OK"};
  }
  return core::HubResponse{status_ok, flist.md5_hex, "OK"};
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

void FakeHub::set_status(const std::string& url, int status) {
  assert(!url.empty());
  assert(status == 0 || (status >= 100 && status <= 599));
  if (status == 0) {
    status_by_url_.erase(url);
  } else {
    assert(status_by_url_.size() < flists_max || status_by_url_.contains(url));
    status_by_url_[url] = status;
  }
  record_status_fault(url, status);
}

void FakeHub::set_status_all(int status) {
  assert(status == 0 || (status >= 100 && status <= 599));
  status_all_ = status;
  record_status_fault("", status);
}

void FakeHub::record_status_fault(std::string_view url, int status) {
  fmt::memory_buffer fields;
  fmt::format_to(std::back_inserter(fields), "fault=status value={}", status);
  if (!url.empty()) {
    fmt::format_to(std::back_inserter(fields), " url=");
    append_url(fields, url);
  }
  trace_.record(scheduler_.now_ms(), label_, "hub_fault", std::string_view(fields.data(), fields.size()));
}

void FakeHub::heal() {
  if (down_) set_down(false);
  if (latency_ms_ != 0) set_latency_ms(0);
  // Copies: set_url_fault erases from the set being walked.
  for (const std::string& url : std::set<std::string, std::less<>>(not_found_)) set_not_found(url, false);
  for (const std::string& url : std::set<std::string, std::less<>>(corrupt_)) set_corrupt(url, false);
  for (const std::string& url : std::set<std::string, std::less<>>(md5_mismatch_)) set_md5_mismatch(url, false);
  // A copy of the key: set_status erases the entry, and the trace needs the URL after that.
  while (!status_by_url_.empty()) set_status(std::string(status_by_url_.begin()->first), 0);
  if (status_all_ != 0) set_status_all(0);
  assert(!down_ && latency_ms_ == 0 && not_found_.empty() && corrupt_.empty() && md5_mismatch_.empty());
  assert(status_by_url_.empty() && status_all_ == 0);
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
