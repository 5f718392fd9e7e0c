// HttpFetcher: bounded HTTP(S) GETs with libcurl (timeouts, a redirect
// limit, a body size cap, conditional requests with ETag/Last-Modified).
#ifndef RELMON_FEED_FOLLOWER_HTTP_FETCHER_H_
#define RELMON_FEED_FOLLOWER_HTTP_FETCHER_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace relmon::feeds {

struct HttpOptions {
  absl::Duration connect_timeout = absl::Seconds(10);
  // Whole transfer, redirects included.
  absl::Duration total_timeout = absl::Seconds(30);
  int max_redirects = 5;
  // Larger bodies are an error (a feed or page is never this big).
  size_t max_body_bytes = 8 << 20;
  std::string user_agent = "relations-monitor-feed-follower/0.1 (+https://example.invalid/relmon)";
};

struct HttpResponse {
  long status = 0;
  // True on 304 Not Modified (body empty).
  bool not_modified = false;
  std::string body;
  std::string etag;
  std::string last_modified;
  // charset parameter of Content-Type, when given.
  std::string charset;
  // URL after redirects.
  std::string final_url;
};

class HttpFetcher {
 public:
  explicit HttpFetcher(HttpOptions options);

  // GET url. Sends If-None-Match / If-Modified-Since when etag /
  // last_modified are non-empty. Transport failures and statuses other than
  // 2xx and 304 are errors (UNAVAILABLE for ones worth retrying).
  absl::StatusOr<HttpResponse> Get(const std::string& url, const std::string& etag = "",
                                   const std::string& last_modified = "") const;

 private:
  HttpOptions options_;
};

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_HTTP_FETCHER_H_
