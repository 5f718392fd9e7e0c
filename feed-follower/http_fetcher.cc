#include "feed-follower/http_fetcher.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace relmon::feeds {
namespace {

struct Transfer {
  HttpResponse* response;
  size_t max_body_bytes;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  Transfer* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response->body.size() + n > t->max_body_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  Transfer* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after a redirect): forget the previous one's headers.
    t->response->etag.clear();
    t->response->last_modified.clear();
    t->response->charset.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  if (name == "etag") {
    t->response->etag = value;
  } else if (name == "last-modified") {
    t->response->last_modified = value;
  } else if (name == "content-type") {
    std::string lower = absl::AsciiStrToLower(value);
    size_t at = lower.find("charset=");
    if (at != std::string::npos) {
      absl::string_view cs(value);
      cs.remove_prefix(at + 8);
      cs = absl::StripAsciiWhitespace(cs.substr(0, cs.find(';')));
      absl::ConsumePrefix(&cs, "\"");
      absl::ConsumeSuffix(&cs, "\"");
      t->response->charset = std::string(cs);
    }
  }
  return n;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpFetcher::HttpFetcher(HttpOptions options) : options_(std::move(options)) { GlobalInitOnce(); }

absl::StatusOr<HttpResponse> HttpFetcher::Get(const std::string& url, const std::string& etag,
                                              const std::string& last_modified) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  HttpResponse response;
  Transfer transfer{&response, options_.max_body_bytes};
  char error[CURL_ERROR_SIZE] = {0};

  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  // Only the web: no file://, gopher:// or the like, also not via redirects.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(options_.total_timeout)));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);

  struct curl_slist* headers = nullptr;
  if (!etag.empty()) headers = curl_slist_append(headers, absl::StrCat("If-None-Match: ", etag).c_str());
  if (!last_modified.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("If-Modified-Since: ", last_modified).c_str());
  }
  headers = curl_slist_append(headers,
                              "Accept: application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                              "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  CURLcode code = curl_easy_perform(h);
  curl_slist_free_all(headers);

  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return absl::ResourceExhaustedError(
        absl::StrCat("GET ", url, ": body larger than ", options_.max_body_bytes, " bytes"));
  }
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, ": ", error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) response.final_url = effective;
  if (response.status == 304) {
    response.not_modified = true;
    response.body.clear();
    return response;
  }
  if (response.status < 200 || response.status > 299) {
    std::string message = absl::StrCat("GET ", url, ": HTTP ", response.status);
    if (response.status == 429 || response.status >= 500) return absl::UnavailableError(message);
    return absl::FailedPreconditionError(message);
  }
  return response;
}

}  // namespace relmon::feeds
