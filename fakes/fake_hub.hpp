#pragma once
// A fake of the flist hub (hub.grid.tf): it serves flists by URL and, beside each, "<url>.md5"
// with the hex md5 of the flist. Every answer arrives through the scheduler, never from inside the
// call. Every answer carries its status line's reason phrase ("404 Not Found"), which zos put in
// its errors. Fault switches, each settable and healable at any time: down (status 0), slow
// (latency), 404 per URL, any HTTP status per URL or for the whole hub, a corrupt flist whose .md5 matches the corrupt bytes (the mount must fail), and an
// md5 mismatch (the .md5 tells the truth but the content differs, so the download must be rejected).
//
// The hub must outlive every answer it has scheduled (the world owns both it and the scheduler).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/flist_image.hpp"
#include "core/ports.hpp"
#include "kernel/trace.hpp"

namespace zsim::fakes {

class FakeHub final : public core::FlistHub {
 public:
  // The digest the hub publishes; the world passes core::md5_hex. Tests may pass any function.
  using Md5Function = std::function<std::string(std::string_view)>;

  // A slower hub is a misconfigured scenario, not a fault worth simulating.
  static constexpr std::int64_t latency_max_ms = 10 * 60 * 1000;
  static constexpr std::size_t flists_max = std::size_t{1} << 16;
  static constexpr std::size_t flist_size_max = std::size_t{1} << 30;
  // Requests answered "not found" when the hub has no such path.
  static constexpr int status_ok = 200;
  static constexpr int status_not_found = 404;
  static constexpr int status_unreachable = 0;

  FakeHub(core::Scheduler& scheduler, kernel::Trace& trace, std::string label, Md5Function md5);

  // Stores encode_flist(image) at url. Defined here so that only its callers need core's encoder.
  void add_flist(const std::string& url, const core::FlistImage& image) {
    add_flist_bytes(url, core::encode_flist(image));
  }
  // Stores these bytes at url (replacing what was there).
  void add_flist_bytes(const std::string& url, std::string bytes);
  // The hub deletes the flist: later requests get 404. False when there was none.
  bool remove_flist(const std::string& url);
  bool has_flist(const std::string& url) const { return flists_.contains(url); }

  // GET <url>.md5. The answer comes through the scheduler after the latency.
  void fetch_md5(const std::string& url, Done done) override;
  // GET <url>. A URL ending in ".md5" beside a stored flist gets that flist's md5, as on the hub.
  void fetch(const std::string& url, Done done) override;

  // Faults. Each takes effect for requests answered from now on: a request in flight when the hub
  // goes down is answered with status 0.
  void set_down(bool down);
  void set_latency_ms(std::int64_t latency_ms);
  void set_not_found(const std::string& url, bool not_found);
  void set_corrupt(const std::string& url, bool corrupt);
  void set_md5_mismatch(const std::string& url, bool md5_mismatch);
  // That flist and its .md5 are answered with this HTTP status (and its reason phrase, body
  // empty); 0 heals. Any status from 100 to 599 (200 serves an empty body).
  void set_status(const std::string& url, int status);
  // Every request is answered with this status (a hub in trouble: 500, 502, 503...); 0 heals. A
  // status for one flist wins over it.
  void set_status_all(int status);
  // Clears every fault.
  void heal();

  bool down() const { return down_; }
  std::int64_t latency_ms() const { return latency_ms_; }

  // Counters. md5_requests and flist_requests count calls; downloads and bytes count 200 answers.
  std::uint64_t md5_requests() const { return md5_requests_; }
  std::uint64_t flist_requests() const { return flist_requests_; }
  std::uint64_t flist_downloads() const { return flist_downloads_; }
  std::uint64_t bytes_served() const { return bytes_served_; }
  std::size_t requests_in_flight() const { return requests_in_flight_; }

 private:
  struct Flist {
    std::string bytes;
    std::string md5_hex;  // Of bytes, computed once when stored.
  };
  enum class Kind : std::uint8_t { md5, flist };

  void request(std::string path, Kind kind, Done done);
  void answer(const std::string& path, Kind kind, core::HubResponse response, const Done& done);
  core::HubResponse resolve(std::string_view path) const;
  core::HubResponse serve_flist(const std::string& url, const Flist& flist) const;
  core::HubResponse serve_md5(const std::string& url, const Flist& flist) const;
  void set_url_fault(std::set<std::string, std::less<>>& faulty, std::string_view fault, const std::string& url,
                     bool on);
  void record_fault(std::string_view fault, std::string_view url, bool on);
  void record_status_fault(std::string_view url, int status);
  static core::HubResponse not_found();

  core::Scheduler& scheduler_;
  kernel::Trace& trace_;
  std::string label_;
  Md5Function md5_;

  std::map<std::string, Flist, std::less<>> flists_;
  bool down_ = false;
  std::int64_t latency_ms_ = 0;
  std::set<std::string, std::less<>> not_found_;
  std::set<std::string, std::less<>> corrupt_;
  std::set<std::string, std::less<>> md5_mismatch_;
  std::map<std::string, int, std::less<>> status_by_url_;
  int status_all_ = 0;

  std::uint64_t md5_requests_ = 0;
  std::uint64_t flist_requests_ = 0;
  std::uint64_t flist_downloads_ = 0;
  std::uint64_t bytes_served_ = 0;
  std::size_t requests_in_flight_ = 0;
};

// The standard reason phrase of an HTTP status, as Go's http.StatusText names it ("Not Found",
// "Service Unavailable"); empty for a status it does not know.
std::string_view http_reason_phrase(int status);

// The bytes a corrupt flist is served as: a few bytes flipped at fixed places, never equal to the
// input. Public so that tests and checkers can name what the hub serves.
std::string corrupt_flist_bytes(std::string_view bytes);

}  // namespace zsim::fakes
