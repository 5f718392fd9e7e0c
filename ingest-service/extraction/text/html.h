// Text cleaning at ingest: HTML reduced to plain text, plain text normalised
// (line endings, control characters, trailing spaces).
#ifndef RELMON_INGEST_EXTRACTION_TEXT_HTML_H_
#define RELMON_INGEST_EXTRACTION_TEXT_HTML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace relmon::extraction {

// True when `text` looks like an HTML document or fragment: an <html>,
// <body>, <p>, <div>, <br>, <article> ... tag or a <!DOCTYPE html> near the
// start, or several block tags anywhere. Plain text that merely contains a
// "<" (e.g. "a < b") is not HTML.
bool LooksLikeHtml(absl::string_view text);

// Parses `html` with libxml2's forgiving HTML parser (recover, no errors, no
// network) and returns its visible text: script, style, noscript, template,
// nav, header, footer, aside, form, iframe, svg are dropped; block elements
// (p, div, h1-h6, li, tr, br, article, section, ...) become line breaks
// (paragraph-level blocks become a blank line); entities are decoded;
// runs of spaces collapse; the result is passed through NormalizePlainText.
// Never fails: unparseable input gives its text content or "".
// Thread-safe (libxml2 is initialised once).
std::string HtmlToText(absl::string_view html);

// Normalises plain text: CRLF and lone CR become LF; control characters
// other than \n and \t are removed (as are invalid UTF-8 bytes, replaced by
// U+FFFD); U+00A0 and other Unicode spaces become ' '; trailing spaces and
// tabs on each line are trimmed; more than two consecutive blank lines
// collapse to one blank line; leading blank lines and trailing whitespace at
// the end are removed. Idempotent: NormalizePlainText(NormalizePlainText(x))
// == NormalizePlainText(x). All later offsets refer to this output.
std::string NormalizePlainText(absl::string_view text);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_HTML_H_
