// Reduces HTML to plain text: feed descriptions (a fragment) and linked
// article pages (the main text, without navigation and other boilerplate).
#ifndef RELMON_FEED_FOLLOWER_HTML_TEXT_H_
#define RELMON_FEED_FOLLOWER_HTML_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace relmon::feeds {

// Text of an HTML fragment (a feed item's description or content): block
// elements become paragraph breaks, entities are decoded, scripts and styles
// dropped. Text without markup comes back with its whitespace tidied.
std::string HtmlFragmentToText(absl::string_view html);

// Main text of a whole page: drops script/style/nav/header/footer/aside/form
// (and similar), then keeps the largest <article>, else <main>, else the
// element whose paragraphs hold the most text. `charset` is the HTTP
// Content-Type's charset when known (empty: from the page's <meta>).
// Sets *title to the page's <title> (or first <h1>) when title is not null.
std::string HtmlPageToText(absl::string_view html, absl::string_view charset = "",
                           std::string* title = nullptr);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_HTML_TEXT_H_
