#include "core/flist_cache.hpp"

#include <fmt/format.h>

#include <cassert>
#include <utility>

#include "core/md5.hpp"
#include "core/trace_value.hpp"

namespace zsim::core {

namespace {
std::string content_key(const std::string& md5) { return std::string(flist_content_key_prefix) + md5; }
// Which md5 a URL pointed to when it was last fetched; it lets the cache serve that URL while the
// hub is down.
std::string url_key(const std::string& url) { return std::string(flist_url_key_prefix) + url; }

bool is_md5_hex(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Go's resp.Status, which zos put in its download errors: "404 Not Found" (docs/ZOS.md, "Flists").
std::string status_line(const HubResponse& response) {
  if (response.reason.empty()) return std::to_string(response.status);
  return fmt::format("{} {}", response.status, response.reason);
}

std::string trimmed_lower(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}
}  // namespace

FlistCache::FlistCache(FlistHub& hub, Store& store, EventLog& events) : hub_(hub), store_(store), events_(events) {}

FlistCache::~FlistCache() = default;

std::optional<std::string> FlistCache::cached_for_url(const std::string& url) const {
  const std::optional<std::string> md5 = store_.get(url_key(url));
  if (!md5) return std::nullopt;
  return store_.get(content_key(*md5));
}

std::optional<std::string> FlistCache::cached_content(const std::string& md5) const {
  if (!is_md5_hex(md5)) return std::nullopt;
  return store_.get(content_key(md5));
}

void FlistCache::fetch(const std::string& url, Done done) {
  assert(!url.empty());
  hub_.fetch_md5(url, lifetime_.guard([this, url, done = std::move(done)](HubResponse response) mutable {
    on_md5(url, response, std::move(done));
  }));
}

void FlistCache::on_md5(const std::string& url, const HubResponse& response, Done done) {
  if (response.status == 0) {
    std::optional<std::string> cached = cached_for_url(url);
    if (!cached) {
      done(Error{fmt::format("flist {} is not reachable and not cached", url)});
      return;
    }
    counters_.offline_hits += 1;
    events_.record("flist_cache", fmt::format("url={} source=cache-offline", trace_value(url)));
    done(std::move(*cached));
    return;
  }
  if (response.status != 200) {
    done(Error{"fail to download flist: " + status_line(response)});
    return;
  }
  const std::string md5 = trimmed_lower(response.body);
  if (!is_md5_hex(md5)) {
    done(Error{fmt::format("flist {}: the hub's .md5 is not an md5 digest", url)});
    return;
  }
  std::optional<std::string> cached = store_.get(content_key(md5));
  if (cached && md5_hex(*cached) == md5) {
    counters_.hits += 1;
    store_.put(url_key(url), md5);
    events_.record("flist_cache", fmt::format("url={} source=cache md5={}", trace_value(url), md5));
    done(std::move(*cached));
    return;
  }
  // A cached copy that no longer matches its key is damaged: download again.
  download(url, md5, std::move(done));
}

void FlistCache::download(const std::string& url, const std::string& want_md5, Done done) {
  hub_.fetch(url, lifetime_.guard([this, url, want_md5, done = std::move(done)](HubResponse response) {
    if (response.status == 0) {
      done(Error{fmt::format("fail to download flist: hub unreachable")});
      return;
    }
    if (response.status != 200) {
      done(Error{"fail to download flist: " + status_line(response)});
      return;
    }
    const std::string got_md5 = md5_hex(response.body);
    if (got_md5 != want_md5) {
      counters_.md5_mismatches += 1;
      done(Error{fmt::format("flist {} does not match its md5 (want {}, got {})", url, want_md5, got_md5)});
      return;
    }
    counters_.downloads += 1;
    store_.put(content_key(got_md5), response.body);
    store_.put(url_key(url), got_md5);
    events_.record("flist_cache", fmt::format("url={} source=hub md5={}", trace_value(url), got_md5));
    done(std::move(response.body));
  }));
}

}  // namespace zsim::core
