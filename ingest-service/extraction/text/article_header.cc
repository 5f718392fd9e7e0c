#include "ingest-service/extraction/text/article_header.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ingest-service/extraction/text/scan.h"
#include "ingest-service/extraction/text/temporal.h"

namespace relmon::extraction {
namespace {

using internal::Token;

constexpr size_t kHeaderBytes = 600;
constexpr int kHeaderLines = 8;
// Longer lines are prose or captions: only a dateline at their start counts.
constexpr size_t kProseLineBytes = 150;
constexpr size_t kMaxTitleBytes = 250;
// Lines read at the end of the article for a publication stamp or byline.
constexpr size_t kTrailingLines = 3;

enum class LineKind { kOther, kUpdate, kPublished, kByline, kDateline, kDateLine };

struct Line {
  size_t begin = 0;  // trimmed, in the article text
  size_t end = 0;
  LineKind kind = LineKind::kOther;
  std::vector<Token> tokens;
  std::vector<TimeExpression> dates;  // full dates only, offsets in the line
  size_t first_time = SIZE_MAX;       // start of the first time expression of any kind
  bool trailing = false;              // read from the end of the article
};

bool IsSeparator(const Token& t) {
  return t.IsPunct(',') || t.IsPunct('|') || t.IsPunct('(') || t.IsPunct(':') ||
         t.IsPunct(0x2022) || t.IsPunct(0xB7) ||
         (t.kind == internal::TokenKind::kPunct && internal::IsDash(t.code_point));
}

int WordCount(const std::vector<Token>& tokens, size_t from = 0, size_t to = SIZE_MAX) {
  int words = 0;
  for (size_t i = from; i < tokens.size() && i < to; ++i) {
    if (tokens[i].IsWord() || tokens[i].IsNumber()) ++words;
  }
  return words;
}

// Index of the first token at or after byte `pos` of the line.
size_t TokenAt(const std::vector<Token>& tokens, size_t pos) {
  size_t i = 0;
  while (i < tokens.size() && tokens[i].begin < pos) ++i;
  return i;
}

// Text of the line between two byte offsets, trimmed of separators.
std::string CleanPiece(absl::string_view line, size_t b, size_t e) {
  absl::string_view piece = line.substr(b, e > b ? e - b : 0);
  auto strip = [](absl::string_view s) {
    static const absl::string_view kEdge = " \t,|:;-\xE2\x80\x93\x94";
    while (!s.empty() && kEdge.find(s.front()) != absl::string_view::npos) s.remove_prefix(1);
    while (!s.empty() && kEdge.find(s.back()) != absl::string_view::npos) s.remove_suffix(1);
    return s;
  };
  return std::string(strip(piece));
}

// Length (in tokens) of an all-caps place at the start of the line:
// "TEHRAN", "NEW DELHI"; 0 if none.
size_t DatelinePlaceTokens(const std::vector<Token>& t) {
  size_t i = 0;
  while (i < t.size() && t[i].IsWord() && t[i].all_caps && t[i].size() >= 2) ++i;
  if (i == 0) return 0;
  if (i == t.size() || IsSeparator(t[i])) return i;
  return 0;
}

// The line starts with its first date, possibly after a weekday name:
// "10.03.2023", "Mon, 05 Mar 2024", "Monday 22 November 2021".
bool StartsWithDate(const DateWordTables& tables, const std::vector<Token>& t, size_t date_begin) {
  for (const Token& tok : t) {
    if (tok.begin >= date_begin) return true;
    if (tok.IsWord() && tables.Weekday(tok.lower) != 0) continue;
    if (tok.IsPunct(',') || tok.IsPunct('.')) continue;
    return false;
  }
  return false;
}

// An all-caps place at the start of `t` (of `place` tokens) opens a
// dateline: "TEHRAN, Iran", "MOSCOW, 14 January 2022", "DUBAI, March 10
// (Reuters) - ...", "BAKU, Azerbaijan (AP) — ...". A sentence that merely
// starts with an acronym ("NATO, the EU and ...") does not.
bool IsDateline(const std::vector<Token>& t, size_t place, const Line& line) {
  if (place == t.size()) return true;
  const size_t line_bytes = line.end - line.begin;
  if (line.first_time != SIZE_MAX && line.first_time <= t[place - 1].end + 4) return true;
  if (line_bytes <= kProseLineBytes && (WordCount(t) <= 4 || !line.dates.empty())) return true;
  for (size_t k = place; k < t.size() && k < place + 10; ++k) {
    if (t[k].IsPunct('(')) return true;
    if (t[k].kind == internal::TokenKind::kPunct && internal::IsDash(t[k].code_point) &&
        t[k].space_before) {
      return true;
    }
    if (t[k].IsWord() && !t[k].capitalized) return false;
  }
  return false;
}

}  // namespace

ArticleHeader ParseArticleHeader(const DateWordTables& tables, absl::string_view text) {
  ArticleHeader header;
  std::vector<Line> lines;
  size_t pos = 0;
  int non_empty = 0;
  // Classifies the line [b, e) and appends it to `lines`. Trailing lines
  // (the end of the article) count only as publication stamps or bylines.
  auto classify = [&](size_t b, size_t e, bool trailing) {
    Line line;
    line.begin = b;
    line.end = e;
    absl::string_view s = text.substr(b, e - b);
    line.tokens = internal::Tokenize(s);
    for (auto& expr : FindTimeExpressionsInTokens(tables, s, line.tokens, std::nullopt)) {
      line.first_time = std::min(line.first_time, expr.span.begin);
      if (expr.kind == TimeKind::kDate && expr.resolved) line.dates.push_back(expr);
    }
    const auto& t = line.tokens;
    if (t.empty()) return;
    if (trailing) {
      const bool stamp = t[0].IsWord() && tables.Is("published_cue", t[0].lower) &&
                         !line.dates.empty() && TokenAt(t, line.dates[0].span.begin) <= 3;
      const bool byline = t[0].IsWord() && tables.Is("byline_cue", t[0].lower) && t.size() > 1 &&
                          t[1].IsWord() && t[1].capitalized && !line.dates.empty() &&
                          s.size() <= kProseLineBytes;
      if (!stamp && !byline) return;
      line.kind = stamp ? LineKind::kPublished : LineKind::kByline;
      line.trailing = true;
      lines.push_back(std::move(line));
      return;
    }
    // Classify.
    const bool long_line = s.size() > kProseLineBytes;
    if (t[0].IsWord() && tables.Is("update_cue", t[0].lower)) {
      line.kind = LineKind::kUpdate;
    } else if (t[0].IsWord("last") && t.size() > 1 && t[1].IsWord() &&
               tables.Is("update_cue", t[1].lower)) {
      line.kind = LineKind::kUpdate;
    } else if (t[0].IsWord() && tables.Is("published_cue", t[0].lower) && !line.dates.empty() &&
               TokenAt(t, line.dates[0].span.begin) <= 3) {
      line.kind = LineKind::kPublished;
    } else if (t[0].IsWord() && tables.Is("byline_cue", t[0].lower) && t.size() > 1 &&
               t[1].IsWord() && t[1].capitalized && !long_line) {
      line.kind = LineKind::kByline;
      size_t stop = line.dates.empty() ? s.size() : line.dates[0].span.begin;
      size_t name_end = 1;
      while (name_end < t.size() && t[name_end].begin < stop && !IsSeparator(t[name_end])) {
        ++name_end;
      }
      if (header.byline.empty() && name_end > 1) {
        header.byline = CleanPiece(s, t[1].begin, t[name_end - 1].end);
      }
    } else if (size_t place = DatelinePlaceTokens(t); place > 0 && IsDateline(t, place, line)) {
      line.kind = LineKind::kDateline;
      {
        // The place ends at the first time expression, "(Agency)" or dash.
        size_t place_end = std::min(s.size(), line.first_time);
        size_t dateline_end = s.size();
        for (size_t k = place; k < t.size() && k < place + 12; ++k) {
          if (t[k].IsPunct('(') ||
              (internal::IsDash(t[k].code_point) && t[k].kind == internal::TokenKind::kPunct &&
               t[k].space_before)) {
            place_end = std::min(place_end, t[k].begin);
            if (t[k].IsPunct('(')) {
              size_t close = k;
              while (close < t.size() && !t[close].IsPunct(')')) ++close;
              dateline_end = close < t.size() ? t[close].end : t[k].begin;
            } else {
              dateline_end = t[k].begin;
            }
            break;
          }
        }
        if (header.dateline_place.empty()) {
          header.dateline_place = CleanPiece(s, 0, place_end);
          header.dateline = long_line ? CleanPiece(s, 0, dateline_end) : std::string(s);
        }
        // A long dateline line keeps only dates right after the place.
        if (long_line) {
          std::vector<TimeExpression> kept;
          for (const auto& d : line.dates) {
            if (d.span.begin <= std::min<size_t>(dateline_end, 80)) kept.push_back(d);
          }
          line.dates = kept;
        }
      }
    } else if (!line.dates.empty() && StartsWithDate(tables, t, line.dates[0].span.begin)) {
      line.kind = LineKind::kDateLine;
      // "Jan 21, 2021 — Energy Desk": the desk is the byline.
      size_t after = TokenAt(t, line.dates[0].span.end);
      if (after < t.size() && IsSeparator(t[after]) && header.byline.empty()) {
        std::string rest = CleanPiece(s, line.dates[0].span.end, s.size());
        if (!rest.empty() && WordCount(t, after) <= 4 && line.dates.size() == 1) {
          header.byline = rest;
        }
      }
    } else if (!line.dates.empty() && !long_line) {
      // "Muhammet Kursun | 22.11.2021 - Update : 22.11.2021": a short run of
      // capitalised words, a separator, then the date.
      size_t date_tok = TokenAt(t, line.dates[0].span.begin);
      if (date_tok >= 2 && IsSeparator(t[date_tok - 1])) {
        bool names = date_tok - 1 <= 5;
        for (size_t k = 0; k + 1 < date_tok && names; ++k) {
          names = t[k].IsWord() && t[k].capitalized;
        }
        if (names) {
          line.kind = LineKind::kByline;
          if (header.byline.empty()) header.byline = CleanPiece(s, 0, t[date_tok - 1].begin);
        }
      }
    }
    lines.push_back(std::move(line));
  };
  auto trim = [&](size_t* b, size_t* e) {
    while (*b < *e && absl::ascii_isspace(static_cast<unsigned char>(text[*b]))) ++*b;
    while (*e > *b && absl::ascii_isspace(static_cast<unsigned char>(text[*e - 1]))) --*e;
  };
  while (pos < text.size() && non_empty < kHeaderLines && pos < kHeaderBytes) {
    size_t nl = text.find('\n', pos);
    if (nl == absl::string_view::npos) nl = text.size();
    size_t b = pos, e = nl;
    trim(&b, &e);
    pos = nl + 1;
    if (e <= b) continue;
    ++non_empty;
    classify(b, e, /*trailing=*/false);
  }
  // The last few lines after the header zone: "Published 19 May 2024" or
  // "By Jane Doe, May 19, 2024" printed at the end of the story.
  {
    std::vector<std::pair<size_t, size_t>> tail;
    size_t end = text.size();
    while (end > pos && tail.size() < kTrailingLines) {
      size_t nl = text.rfind('\n', end - 1);
      size_t b = (nl == absl::string_view::npos || nl < pos) ? pos : nl + 1;
      size_t e = end;
      end = b > pos ? b - 1 : pos;
      trim(&b, &e);
      // Stamps and bylines are short lines; prose is skipped unread.
      if (e > b && e - b <= kProseLineBytes) tail.emplace_back(b, e);
      if (b <= pos) break;
    }
    for (auto it = tail.rbegin(); it != tail.rend(); ++it) classify(it->first, it->second, true);
  }

  // The publication date: the first primary date in reading order, else the
  // first update stamp.
  std::optional<std::pair<TimeExpression, HeaderDateSource>> primary, trailing_stamp, update;
  size_t primary_line = 0, trailing_line = 0, update_line = 0;
  for (size_t li = 0; li < lines.size(); ++li) {
    const Line& line = lines[li];
    if (line.kind == LineKind::kOther) continue;
    size_t prev_end = 0;
    for (const auto& d : line.dates) {
      // The cue nearest before this date (since the previous date) decides.
      HeaderDateSource source;
      switch (line.kind) {
        case LineKind::kUpdate:
          source = HeaderDateSource::kUpdateStamp;
          break;
        case LineKind::kPublished:
          source = HeaderDateSource::kPublishedStamp;
          break;
        case LineKind::kByline:
          source = HeaderDateSource::kByline;
          break;
        case LineKind::kDateline:
          source = HeaderDateSource::kDateline;
          break;
        default:
          source = HeaderDateSource::kDateLine;
          break;
      }
      for (size_t k = TokenAt(line.tokens, prev_end);
           k < line.tokens.size() && line.tokens[k].begin < d.span.begin; ++k) {
        const Token& tok = line.tokens[k];
        if (!tok.IsWord()) continue;
        if (tables.Is("update_cue", tok.lower)) source = HeaderDateSource::kUpdateStamp;
        if (tables.Is("published_cue", tok.lower) && k + 3 >= TokenAt(line.tokens, d.span.begin)) {
          source = HeaderDateSource::kPublishedStamp;
        }
      }
      prev_end = d.span.end;
      if (source == HeaderDateSource::kUpdateStamp) {
        if (!update) {
          update.emplace(d, source);
          update_line = li;
        }
      } else if (line.trailing) {
        if (!trailing_stamp) {
          trailing_stamp.emplace(d, source);
          trailing_line = li;
        }
      } else if (!primary) {
        primary.emplace(d, source);
        primary_line = li;
      }
    }
  }
  auto chosen = primary ? primary : trailing_stamp ? trailing_stamp : update;
  size_t chosen_line = primary ? primary_line : trailing_stamp ? trailing_line : update_line;
  if (chosen) {
    header.published = chosen->first.start;
    header.date_source = chosen->second;
    header.date_span = {lines[chosen_line].begin + chosen->first.span.begin,
                        lines[chosen_line].begin + chosen->first.span.end};
  }

  // The title.
  for (const Line& line : lines) {
    if (line.trailing) break;
    absl::string_view s = text.substr(line.begin, line.end - line.begin);
    size_t b = 0;
    if (line.kind == LineKind::kPublished && !line.dates.empty()) {
      b = line.dates[0].span.end;  // " date 2025-05-18 Baku Deepens ..."
    } else if (line.kind != LineKind::kOther) {
      continue;
    }
    std::string candidate = CleanPiece(s, b, s.size());
    if (candidate.empty() || candidate.size() > kMaxTitleBytes) continue;
    auto tokens = internal::Tokenize(candidate);
    if (WordCount(tokens) < 4) continue;
    size_t rel = s.find(candidate, b);
    size_t offset = line.begin + (rel == absl::string_view::npos ? b : rel);
    header.title = candidate;
    header.title_span = {offset, offset + candidate.size()};
    break;
  }
  return header;
}

}  // namespace relmon::extraction
