#pragma once
// The node's flist cache, keyed by md5, kept in the Store under "flist/<md5>" (a daemon restart
// keeps it, a reboot wipes it). Fetching asks the hub for <url>.md5 first and reuses a cached
// copy with that md5; otherwise it downloads the flist and verifies its md5 before caching it.
// zos neither verified the download nor used its cache while the hub was down; this cache does
// both: when the hub cannot be reached, the last copy fetched for that URL is used.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/expected.hpp"
#include "core/lifetime_guard.hpp"
#include "core/ports.hpp"

namespace zsim::core {

struct FlistCacheCounters {
  std::uint64_t hits = 0;
  std::uint64_t downloads = 0;
  std::uint64_t offline_hits = 0;  // Served from cache because the hub was unreachable.
  std::uint64_t md5_mismatches = 0;
};

class FlistCache {
 public:
  using Done = std::function<void(Expected<std::string>)>;  // The flist's bytes.

  FlistCache(FlistHub& hub, Store& store, EventLog& events);
  ~FlistCache();
  FlistCache(const FlistCache&) = delete;
  FlistCache& operator=(const FlistCache&) = delete;

  // Errors: "fail to download flist: <status line>" ("404 Not Found", Go's resp.Status; the same
  // for the .md5 request), "flist <url> is not reachable and not cached",
  // "flist <url> does not match its md5 (want X, got Y)".
  void fetch(const std::string& url, Done done);
  // The copy last fetched for that URL, without asking the hub: what a container restored after
  // a daemon restart was mounted from (its mount outlived the daemon; the hub has no say in it).
  std::optional<std::string> cached(const std::string& url) const { return cached_for_url(url); }
  // The cached copy with this md5: the very bytes a container was mounted from, even when the URL
  // has since been fetched again with other content (a corrupt copy must not replace them).
  std::optional<std::string> cached_content(const std::string& md5) const;
  const FlistCacheCounters& counters() const { return counters_; }

 private:
  void on_md5(const std::string& url, const HubResponse& response, Done done);
  void download(const std::string& url, const std::string& want_md5, Done done);
  std::optional<std::string> cached_for_url(const std::string& url) const;

  FlistHub& hub_;
  Store& store_;
  EventLog& events_;
  FlistCacheCounters counters_;
  // Last, so destroyed first: no hub answer runs into a half-destroyed cache.
  LifetimeGuard lifetime_;
};

}  // namespace zsim::core
