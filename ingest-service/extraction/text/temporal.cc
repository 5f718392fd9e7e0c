#include "ingest-service/extraction/text/temporal.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "ingest-service/extraction/text/scan.h"

namespace relmon::extraction {

const char* TimeKindName(TimeKind kind) {
  switch (kind) {
    case TimeKind::kDate:
      return "DATE";
    case TimeKind::kDayMonth:
      return "DAY_MONTH";
    case TimeKind::kMonthYear:
      return "MONTH_YEAR";
    case TimeKind::kMonth:
      return "MONTH";
    case TimeKind::kYear:
      return "YEAR";
    case TimeKind::kYearRange:
      return "YEAR_RANGE";
    case TimeKind::kDecade:
      return "DECADE";
    case TimeKind::kSince:
      return "SINCE";
    case TimeKind::kWeekday:
      return "WEEKDAY";
    case TimeKind::kRelative:
      return "RELATIVE";
    case TimeKind::kWithin:
      return "WITHIN";
    case TimeKind::kVague:
      return "VAGUE";
  }
  return "UNKNOWN";
}

namespace {

using internal::Token;

constexpr int kMinYear = 1000;
constexpr int kMaxYear = 2100;

bool ValidDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  absl::CivilDay day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

absl::CivilDay EndOfMonth(int y, int m) { return absl::CivilDay(absl::CivilMonth(y, m) + 1) - 1; }

int WeekdayIndex(absl::CivilDay day) {
  // absl::Weekday: monday = 0 ... sunday = 6.
  return static_cast<int>(absl::GetWeekday(day));
}

// The shape read at a position, before resolution.
struct Raw {
  size_t first = 0;  // token range [first, end)
  size_t end = 0;
  TimeKind kind = TimeKind::kDate;
  int year = 0, month = 0, day = 0, year2 = 0;
  int weekday = 0;      // ISO 1..7
  int rel = 0;          // -1 last, 0 none, +1 next, 2 this
  int period_days = 0;  // for relative periods
  int count = 1;        // "two weeks ago"
  int day_offset = 0;
  bool has_day_offset = false;
  bool ago = false;
  bool since = false;
  bool part = false;        // early/late/mid
  bool year_end = false;    // "last days of the year"
  bool year_start = false;  // "beginning of the year"
  bool vague_future = false;
  bool range_past = false;  // "the past two weeks"
};

class Scanner {
 public:
  // `tokens` are internal::Tokenize(text) and must outlive the scanner.
  Scanner(const DateWordTables& tables, absl::string_view text, const std::vector<Token>& tokens)
      : tables_(tables), cues_(tables.scanner_cues()), text_(text), tokens_(tokens) {
    // One table lookup per word up front: the matchers below ask several
    // questions of each token (month? weekday? count? cue?).
    info_.reserve(tokens_.size());
    for (const Token& t : tokens_) {
      info_.push_back(t.IsWord() ? &tables_.Lookup(t.lower) : &kNoWord);
    }
  }

  // False when no matcher of MatchCore can match at token i: every shape
  // starts with a number, or a word the date tables list (month, weekday,
  // cue, count, period), or a word MatchYearPart/MatchRelative test by name.
  // Most tokens of a sentence are neither, and are skipped unexamined.
  bool MayStartAt(size_t i) const {
    const Token& t = tokens_[i];
    if (t.IsNumber()) return true;
    if (!t.IsWord()) return false;
    if (DateWordTables::Listed(*info_[i])) return true;
    const absl::string_view w = t.lower;
    return w == "last" || w == "final" || w == "closing" || w == "end" || w == "first" ||
           w == "early" || w == "beginning" || w == "start" || w == "a" || w == "an";
  }

  // Expressions anchored at `pub`; when `unanchored` is set, also the
  // expressions FindTimeExpressions would return without a publication day,
  // from the same token scan (the shapes found do not depend on the day).
  std::vector<TimeExpression> Run(std::optional<absl::CivilDay> pub,
                                  std::vector<TimeExpression>* unanchored = nullptr);

 private:
  const Token* At(size_t i) const { return i < tokens_.size() ? &tokens_[i] : nullptr; }
  bool Glued(size_t i) const { return i < tokens_.size() && !tokens_[i].space_before; }
  bool IsWord(size_t i, absl::string_view w) const {
    return i < tokens_.size() && tokens_[i].IsWord(w);
  }
  bool IsPunct(size_t i, char32_t c) const { return i < tokens_.size() && tokens_[i].IsPunct(c); }
  bool IsDashAt(size_t i) const {
    return i < tokens_.size() && tokens_[i].kind == internal::TokenKind::kPunct &&
           internal::IsDash(tokens_[i].code_point);
  }
  int NumberAt(size_t i, size_t min_digits, size_t max_digits) const {
    const Token* t = At(i);
    if (t == nullptr || !t->IsNumber() || t->size() < min_digits || t->size() > max_digits) {
      return -1;
    }
    int v = 0;
    if (!absl::SimpleAtoi(t->lower, &v)) return -1;
    return v;
  }
  // A standalone number token: not glued to a letter, digit-dot-digit chain
  // or another number (so "G20", "1.2.3" and "2020s" are not years).
  bool Standalone(size_t i) const {
    if (i > 0 && Glued(i)) {
      const Token& p = tokens_[i - 1];
      if (p.IsWord() || p.IsNumber() || p.IsPunct('.') || p.IsPunct(',') || p.IsPunct(':') ||
          p.IsPunct('/')) {
        return false;
      }
      if (internal::IsDash(p.code_point) && i >= 2 && Glued(i - 1) &&
          (tokens_[i - 2].IsNumber() || tokens_[i - 2].IsWord())) {
        return tokens_[i - 2].IsWord("mid");  // "mid-2020" is fine, "Su-2000" is a name
      }
    }
    if (Glued(i + 1)) {
      const Token& n = tokens_[i + 1];
      if (n.IsWord() || n.IsNumber() || n.IsPunct(':') || n.IsPunct('%')) return false;
      if ((n.IsPunct('.') || n.IsPunct(',') || n.IsPunct('/')) && Glued(i + 2) &&
          At(i + 2)->IsNumber()) {
        return false;
      }
    }
    return true;
  }
  int MonthAt(size_t i, bool* abbreviated) const {
    const Token* t = At(i);
    if (t == nullptr || !t->IsWord()) return 0;
    if (!t->capitalized && !Info(i).month_lowercase) return 0;
    int m = Info(i).month;
    if (m == 0) return 0;
    *abbreviated = t->size() <= 4 && !t->IsWord("june") && !t->IsWord("july") && !t->IsWord("may");
    return m;
  }
  // Day number 1..31 at i with an optional ordinal suffix; returns the index
  // after it, or 0.
  size_t DayAt(size_t i, int* day) const {
    int d = NumberAt(i, 1, 2);
    if (d < 1 || d > 31) return 0;
    size_t j = i + 1;
    if (Glued(j) && At(j)->IsWord()) {
      const std::string& s = At(j)->lower;
      if (s != "st" && s != "nd" && s != "rd" && s != "th") return 0;
      ++j;
    } else if (Glued(j) && (At(j)->IsNumber() || IsPunct(j, ':') ||
                            ((IsPunct(j, '.') || IsPunct(j, ',')) && Glued(j + 1) && At(j + 1) &&
                             At(j + 1)->IsNumber()))) {
      return 0;
    }
    *day = d;
    return j;
  }
  int YearAt(size_t i) const {
    int y = NumberAt(i, 4, 4);
    if (y < kMinYear || y > kMaxYear) return -1;
    return y;
  }

  bool MatchCore(size_t i, Raw* raw) const;
  bool MatchNumericDate(size_t i, Raw* raw) const;
  bool MatchMonthFirst(size_t i, Raw* raw) const;
  bool MatchDayFirst(size_t i, Raw* raw) const;
  bool MatchYearShapes(size_t i, Raw* raw) const;
  bool MatchRelative(size_t i, Raw* raw) const;
  bool MatchYearPart(size_t i, Raw* raw) const;
  size_t CountAt(size_t i, int* count) const;
  // Extends `raw` to the left over cue words; returns false when a cue the
  // core requires (bare years, bare months) is missing.
  bool ExtendLeft(Raw* raw) const;
  // Trims `raw` so it does not overlap the last expression of `out`,
  // resolves it against `pub` and appends it to `out`.
  void Emit(Raw raw, std::optional<absl::CivilDay> pub, std::vector<TimeExpression>* out) const;
  bool FutureContext(size_t first) const;
  std::optional<TimeExpression> Resolve(const Raw& raw, std::optional<absl::CivilDay> pub) const;

  // What the date tables say about token i (only asked of word tokens).
  const DateWordTables::WordInfo& Info(size_t i) const { return *info_[i]; }
  bool Cue(size_t i, uint64_t bit) const { return (info_[i]->cues & bit) != 0; }

  static const DateWordTables::WordInfo kNoWord;

  const DateWordTables& tables_;
  const DateWordTables::ScannerCues& cues_;
  absl::string_view text_;
  const std::vector<Token>& tokens_;
  std::vector<const DateWordTables::WordInfo*> info_;
};

const DateWordTables::WordInfo Scanner::kNoWord;

bool Scanner::MatchNumericDate(size_t i, Raw* raw) const {
  if (i > 0 && Glued(i) &&
      (tokens_[i - 1].IsNumber() || tokens_[i - 1].IsWord() || tokens_[i - 1].IsPunct('.'))) {
    return false;
  }
  const Token* a = At(i);
  if (a == nullptr || !a->IsNumber()) return false;
  // D.M.YYYY, D/M/YYYY, D-M-YYYY
  for (char32_t sep : {U'.', U'/', U'-'}) {
    if (IsPunct(i + 1, sep) && Glued(i + 1) && Glued(i + 2) && Glued(i + 3) && Glued(i + 4) &&
        IsPunct(i + 3, sep)) {
      int d = NumberAt(i, 1, 2), m = NumberAt(i + 2, 1, 2), y = NumberAt(i + 4, 4, 4);
      if (d < 0 || m < 0 || y < 0) continue;
      if (y < kMinYear || y > kMaxYear) return false;
      if (Glued(i + 5) && At(i + 5) &&
          (At(i + 5)->IsNumber() || At(i + 5)->IsWord() ||
           ((IsPunct(i + 5, '.') || IsPunct(i + 5, sep)) && Glued(i + 6) && At(i + 6) &&
            At(i + 6)->IsNumber()))) {
        return false;
      }
      if (sep == '/') {
        // Day-first unless only month-first is possible; ambiguous D/M
        // with both <= 12 is read day-first (international usage).
        if (m > 12 && d <= 12) std::swap(d, m);
      }
      if (!ValidDate(y, m, d)) return false;
      raw->kind = TimeKind::kDate;
      raw->year = y;
      raw->month = m;
      raw->day = d;
      raw->first = i;
      raw->end = i + 5;
      return true;
    }
  }
  // YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD
  for (char32_t sep : {U'-', U'/', U'.'}) {
    if (IsPunct(i + 1, sep) && Glued(i + 1) && Glued(i + 2) && Glued(i + 3) && Glued(i + 4) &&
        IsPunct(i + 3, sep)) {
      int y = NumberAt(i, 4, 4), m = NumberAt(i + 2, 2, 2), d = NumberAt(i + 4, 2, 2);
      if (y < 0 || m < 0 || d < 0) continue;
      if (y < kMinYear || y > kMaxYear) return false;
      if (Glued(i + 5) && At(i + 5) && (At(i + 5)->IsNumber() || At(i + 5)->IsWord())) {
        // "2025-05-18T10:00" is still a date; other glued words are not.
        if (!(At(i + 5)->IsWord() && At(i + 5)->lower[0] == 't')) return false;
      }
      if (!ValidDate(y, m, d)) return false;
      raw->kind = TimeKind::kDate;
      raw->year = y;
      raw->month = m;
      raw->day = d;
      raw->first = i;
      raw->end = i + 5;
      return true;
    }
  }
  return false;
}

bool Scanner::MatchMonthFirst(size_t i, Raw* raw) const {
  size_t start = i;
  size_t j = i;
  // Optional weekday: "Monday, March 3, 2023".
  if (const Token* t = At(j); t && t->IsWord() && t->capitalized && Info(j).weekday) {
    size_t k = j + 1;
    if (IsPunct(k, '.')) ++k;
    if (IsPunct(k, ',')) ++k;
    bool abbr = false;
    if (MonthAt(k, &abbr) != 0) j = k;
  }
  bool abbreviated = false;
  int m = MonthAt(j, &abbreviated);
  if (m == 0) return false;
  size_t k = j + 1;
  bool dotted = false;
  if (IsPunct(k, '.') && Glued(k)) {
    ++k;
    dotted = true;
  }
  int day = 0;
  size_t after_day = DayAt(k, &day);
  if (after_day != 0) {  // "Feb 12", "Sept. 28", "December 26"
    size_t y_at = after_day;
    if (IsPunct(y_at, ',')) ++y_at;
    int y = YearAt(y_at);
    if (y > 0 && !(Glued(y_at + 1) && At(y_at + 1)->IsWord())) {
      if (!ValidDate(y, m, day)) return false;
      raw->kind = TimeKind::kDate;
      raw->year = y;
      raw->end = y_at + 1;
    } else {
      if (!ValidDate(2000, m, day)) return false;  // leap-year tolerant
      raw->kind = TimeKind::kDayMonth;
      raw->end = after_day;
    }
    raw->month = m;
    raw->day = day;
    raw->first = start;
    return true;
  }
  // Month Year: "January 2023", "June, 2020".
  size_t y_at = k;
  if (IsPunct(y_at, ',')) ++y_at;
  int y = YearAt(y_at);
  if (y > 0 && Standalone(y_at)) {
    raw->kind = TimeKind::kMonthYear;
    raw->year = y;
    raw->month = m;
    raw->first = start;
    raw->end = y_at + 1;
    return true;
  }
  if (abbreviated && !dotted) return false;  // "Mar", "Dec" alone are too risky
  // Other languages' month names count only with a day or year ("on Mars").
  if (Info(j).month_lowercase) return false;
  raw->kind = TimeKind::kMonth;
  raw->month = m;
  raw->first = start;
  raw->end = dotted ? j + 2 : j + 1;
  return true;
}

bool Scanner::MatchDayFirst(size_t i, Raw* raw) const {
  if (i > 0 && Glued(i) && (tokens_[i - 1].IsNumber() || tokens_[i - 1].IsWord())) return false;
  int day = 0;
  size_t j = DayAt(i, &day);
  if (j == 0) return false;
  if (At(j) && At(j)->IsWord() && Cue(j, cues_.date_joiner)) ++j;
  bool abbreviated = false;
  int m = MonthAt(j, &abbreviated);
  if (m == 0) return false;
  size_t k = j + 1;
  if (IsPunct(k, '.') && Glued(k)) ++k;
  size_t y_at = k;
  if (IsPunct(y_at, ',')) {
    ++y_at;
  } else if (At(y_at) && At(y_at)->IsWord() && !At(y_at)->IsWord("of") &&
             Cue(y_at, cues_.date_joiner) && YearAt(y_at + 1) > 0) {
    ++y_at;  // "22 de mayo de 2021"
  }
  int y = YearAt(y_at);
  raw->first = i;
  raw->month = m;
  raw->day = day;
  if (y > 0 && !(Glued(y_at + 1) && At(y_at + 1)->IsWord())) {
    if (!ValidDate(y, m, day)) return false;
    raw->kind = TimeKind::kDate;
    raw->year = y;
    raw->end = y_at + 1;
  } else {
    if (!ValidDate(2000, m, day)) return false;
    raw->kind = TimeKind::kDayMonth;
    raw->end = k;
  }
  return true;
}

bool Scanner::MatchYearShapes(size_t i, Raw* raw) const {
  int y = YearAt(i);
  if (y < 0) return false;
  if (i > 0 && Glued(i)) {
    const Token& p = tokens_[i - 1];
    bool mid =
        internal::IsDash(p.code_point) && i >= 2 && tokens_[i - 2].IsWord("mid") && Glued(i - 1);
    if (!mid && (p.IsWord() || p.IsNumber() || p.IsPunct('.') || p.IsPunct(',') ||
                 internal::IsDash(p.code_point) || p.IsPunct('/') || p.IsPunct(':'))) {
      return false;
    }
  }
  // Decade: "1990s", "1990's".
  if (Glued(i + 1) && At(i + 1)->IsWord("s") && y % 10 == 0) {
    raw->kind = TimeKind::kDecade;
    raw->year = y;
    raw->first = i;
    raw->end = i + 2;
    return true;
  }
  if (Glued(i + 1) && IsPunct(i + 1, '\'') && Glued(i + 2) && IsWord(i + 2, "s") && y % 10 == 0) {
    raw->kind = TimeKind::kDecade;
    raw->year = y;
    raw->first = i;
    raw->end = i + 3;
    return true;
  }
  // Year range: "1960-1961", "2020-21", "1960 – 1961".
  if (IsDashAt(i + 1)) {
    int y2 = NumberAt(i + 2, 4, 4);
    if (y2 < 0) {
      int yy = NumberAt(i + 2, 2, 2);
      if (yy >= 0 && Glued(i + 1) && Glued(i + 2)) y2 = (y / 100) * 100 + yy;
    }
    if (y2 > y && y2 - y <= 100 && y2 <= kMaxYear &&
        !(Glued(i + 3) && At(i + 3) && (At(i + 3)->IsWord() || At(i + 3)->IsNumber()))) {
      raw->kind = TimeKind::kYearRange;
      raw->year = y;
      raw->year2 = y2;
      raw->first = i;
      raw->end = i + 3;
      return true;
    }
  }
  if (!Standalone(i)) return false;
  raw->kind = TimeKind::kYear;
  raw->year = y;
  raw->first = i;
  raw->end = i + 1;
  // "between 1993 and 1994", "from 2001 to 2005".
  if ((IsWord(i + 1, "and") || IsWord(i + 1, "to") || IsWord(i + 1, "until")) &&
      YearAt(i + 2) > y && Standalone(i + 2)) {
    raw->kind = TimeKind::kYearRange;
    raw->year2 = YearAt(i + 2);
    raw->end = i + 3;
  }
  return true;
}

// A count before a period word: digits, a cardinal word, "a"/"an"; returns
// the index after it or 0.
size_t Scanner::CountAt(size_t i, int* count) const {
  const Token* t = At(i);
  if (t == nullptr) return 0;
  if (t->IsNumber() && t->size() <= 3) {
    int v = 0;
    if (absl::SimpleAtoi(t->lower, &v)) {
      *count = v;
      return i + 1;
    }
  }
  if (t->IsWord("a") || t->IsWord("an")) {
    *count = 1;
    return i + 1;
  }
  if (t->IsWord("few") || t->IsWord("several")) return 0;
  if (t->IsWord()) {
    int v = Info(i).cardinal;
    if (v > 0) {
      *count = v;
      return i + 1;
    }
  }
  return 0;
}

bool Scanner::MatchRelative(size_t i, Raw* raw) const {
  const Token* t = At(i);
  if (t == nullptr || (!t->IsWord() && !t->IsNumber())) return false;
  if (t->IsNumber()) {
    // "2 weeks ago".
    int count = 0;
    size_t p_at = CountAt(i, &count);
    const Token* p = At(p_at);
    if (p_at != 0 && p != nullptr && p->IsWord() && Info(p_at).period_days > 0 &&
        IsWord(p_at + 1, "ago") && !(i > 0 && Glued(i))) {
      raw->kind = TimeKind::kRelative;
      raw->ago = true;
      raw->count = count;
      raw->period_days = Info(p_at).period_days;
      raw->first = i;
      raw->end = p_at + 2;
      return true;
    }
    return false;
  }
  // Every shape below starts with a cue word, a weekday, a count word or
  // an article: one lookup rules out most words.
  const DateWordTables::WordInfo& w = Info(i);
  if (!w.any_cue && w.weekday == 0 && w.cardinal < 0 && !t->IsWord("a") && !t->IsWord("an")) {
    return false;
  }
  if (w.has_day_offset) {
    const int offset = w.day_offset;
    raw->kind = TimeKind::kRelative;
    raw->has_day_offset = true;
    raw->day_offset = offset;
    raw->first = i;
    raw->end = i + 1;
    return true;
  }
  // Weekday.
  if (t->capitalized && w.weekday != 0 && (t->size() >= 6 || IsPunct(i + 1, '.'))) {
    // "The Sunday Times", "Bloody Sunday Inquiry": a weekday inside a name
    // (next word capitalised, no cue before it) is not a day.
    const Token* next = At(i + 1);
    const Token* prev = i > 0 ? At(i - 1) : nullptr;
    bool cued = prev != nullptr && prev->IsWord() && Cue(i - 1, cues_.month_cue | cues_.year_cue);
    bool abbr = false;
    if (!cued && next != nullptr && next->IsWord() && next->capitalized &&
        !Cue(i + 1, cues_.day_part) && MonthAt(i + 1, &abbr) == 0) {
      return false;
    }
    raw->kind = TimeKind::kWeekday;
    raw->weekday = w.weekday;
    raw->first = i;
    raw->end = i + 1;
    // "Monday afternoon" keeps the part of the day in the span.
    if (At(i + 1) && At(i + 1)->IsWord() && Cue(i + 1, cues_.day_part)) {
      raw->end = i + 2;
    }
    return true;
  }
  // "two weeks ago", "a month ago"; "within two months".
  bool within = (w.cues & cues_.within) != 0;
  size_t c_at = within ? i + 1 : i;
  int count = 0;
  size_t p_at = CountAt(c_at, &count);
  if (p_at != 0) {
    if (IsDashAt(p_at) && Glued(p_at)) return false;  // "two-day exercises" is a duration
    const Token* p = At(p_at);
    if (p != nullptr && p->IsWord() && Info(p_at).period_days > 0) {
      if (within) {
        raw->kind = TimeKind::kWithin;
        raw->count = count;
        raw->period_days = Info(p_at).period_days;
        raw->first = i;
        raw->end = p_at + 1;
        return true;
      }
      if (IsWord(p_at + 1, "ago")) {
        raw->kind = TimeKind::kRelative;
        raw->ago = true;
        raw->count = count;
        raw->period_days = Info(p_at).period_days;
        raw->first = i;
        raw->end = p_at + 2;
        return true;
      }
    }
    return false;
  }
  // "last week", "this month", "next year", "last fiscal year", "the past two
  // weeks", "last Monday", "this January".
  int rel = 0;
  if (w.cues & cues_.rel_past) rel = -1;
  if (w.cues & cues_.rel_this) rel = 2;
  if (w.cues & cues_.rel_next) rel = 1;
  if (rel != 0) {
    size_t j = i + 1;
    if (IsWord(j, "fiscal") || IsWord(j, "calendar")) ++j;
    const Token* p = At(j);
    if (p == nullptr || !p->IsWord()) return false;
    int days = Info(j).period_days;
    bool plural = !p->lower.empty() && p->lower.back() == 's';
    if (days > 0 && !plural) {
      raw->kind = TimeKind::kRelative;
      raw->rel = rel;
      raw->period_days = days;
      raw->first = i;
      raw->end = j + 1;
      return true;
    }
    if (days > 0 && plural && rel == 1 && t->IsWord("coming")) {
      raw->kind = TimeKind::kVague;
      raw->vague_future = true;
      raw->first = i;
      raw->end = j + 1;
      return true;
    }
    int n = 0;
    size_t after_count = CountAt(j, &n);
    if (rel == -1 && after_count != 0 && !IsWord(j, "a") && At(after_count) &&
        At(after_count)->IsWord() && Info(after_count).period_days > 0) {
      raw->kind = TimeKind::kRelative;
      raw->range_past = true;
      raw->count = n;
      raw->period_days = Info(after_count).period_days;
      raw->first = i;
      raw->end = after_count + 1;
      return true;
    }
    if (p->capitalized && Info(j).weekday != 0) {
      raw->kind = TimeKind::kWeekday;
      raw->rel = rel;
      raw->weekday = Info(j).weekday;
      raw->first = i;
      raw->end = j + 1;
      return true;
    }
    bool abbr = false;
    int m = MonthAt(j, &abbr);
    if (m != 0 && !(abbr && !IsPunct(j + 1, '.')) && !Info(j).month_lowercase) {
      raw->kind = TimeKind::kMonth;
      raw->rel = rel;
      raw->month = m;
      raw->first = i;
      raw->end = j + 1;
      return true;
    }
    return false;
  }
  // "near future", "recent months" (the "in the" is added by ExtendLeft).
  if (w.cues & (cues_.vague_future | cues_.vague_past)) {
    const Token* p = At(i + 1);
    if (p != nullptr && p->IsWord() &&
        (p->IsWord("future") || (Info(i + 1).period_days > 0 && p->lower.back() == 's') ||
         p->IsWord("times"))) {
      raw->kind = TimeKind::kVague;
      raw->vague_future = (w.cues & cues_.vague_future) != 0;
      raw->first = i;
      raw->end = i + 2;
      return true;
    }
  }
  return false;
}

// "the last days of the year", "the end of the year", "the beginning of
// this year", "year-end".
bool Scanner::MatchYearPart(size_t i, Raw* raw) const {
  const Token* t = At(i);
  if (t == nullptr || !t->IsWord()) return false;
  size_t j = i;
  bool end_part = false, start_part = false;
  if ((t->IsWord("last") || t->IsWord("final") || t->IsWord("closing")) &&
      (IsWord(i + 1, "days") || IsWord(i + 1, "weeks") || IsWord(i + 1, "day") ||
       IsWord(i + 1, "week"))) {
    end_part = true;
    j = i + 2;
  } else if (t->IsWord("end")) {
    end_part = true;
    j = i + 1;
  } else if ((t->IsWord("first") || t->IsWord("early")) &&
             (IsWord(i + 1, "days") || IsWord(i + 1, "weeks"))) {
    start_part = true;
    j = i + 2;
  } else if (t->IsWord("beginning") || t->IsWord("start")) {
    start_part = true;
    j = i + 1;
  } else {
    return false;
  }
  if (!IsWord(j, "of")) return false;
  ++j;
  int rel = 0;
  if (IsWord(j, "the")) {
    ++j;
  } else if (IsWord(j, "this")) {
    rel = 2;
    ++j;
  } else if (IsWord(j, "last")) {
    rel = -1;
    ++j;
  } else if (IsWord(j, "next")) {
    rel = 1;
    ++j;
  } else {
    return false;
  }
  if (IsWord(j, "month")) {
    raw->kind = TimeKind::kRelative;
    raw->first = i;
    raw->end = j + 1;
    raw->rel = rel;
    raw->period_days = 30;
    raw->part = true;
    return true;
  }
  if (!IsWord(j, "year")) return false;
  raw->kind = TimeKind::kRelative;
  raw->first = i;
  raw->end = j + 1;
  raw->rel = rel;
  raw->period_days = 365;
  raw->year_end = end_part;
  raw->year_start = start_part;
  return true;
}

bool Scanner::MatchCore(size_t i, Raw* raw) const {
  *raw = Raw();
  return MatchNumericDate(i, raw) || MatchMonthFirst(i, raw) || MatchDayFirst(i, raw) ||
         MatchYearPart(i, raw) || MatchRelative(i, raw) || MatchYearShapes(i, raw);
}

bool Scanner::ExtendLeft(Raw* raw) const {
  const bool bare_year = raw->kind == TimeKind::kYear;
  const bool bare_month = raw->kind == TimeKind::kMonth && raw->rel == 0;
  bool cue_seen = false;
  size_t first = raw->first;
  // Words allowed to the left, nearest first; at most 4.
  for (int steps = 0; steps < 4 && first > 0; ++steps) {
    const Token& p = tokens_[first - 1];
    if (p.kind == internal::TokenKind::kPunct) {
      if (internal::IsDash(p.code_point) && !raw->since && first >= 2 &&
          tokens_[first - 2].IsWord("mid") && Glued(first - 1) && Glued(first)) {
        raw->part = true;
        first -= 2;
        cue_seen = true;
        continue;
      }
      break;
    }
    if (!p.IsWord()) break;
    // string_view compares inline (std::string == literal calls compare()).
    const absl::string_view w = p.lower;
    if (Cue(first - 1, cues_.since)) {
      raw->since = true;
      cue_seen = true;
      --first;
      continue;
    }
    if (w == "the") {
      // Kept only when a cue follows further left (trimmed below otherwise):
      // "in the early 1990s", "during the 2020-2023 period".
      --first;
      continue;
    }
    if (Cue(first - 1, cues_.part_early | cues_.part_late | cues_.part_mid)) {
      // "early March", "late 2023", "the early 1990s", "end of March".
      raw->part = true;
      cue_seen = true;
      --first;
      continue;
    }
    if (w == "of") {
      // "the war of 2020." / "the war of 2020 and ...": a year when nothing
      // after it makes it a count ("a crowd of 2000 people").
      if (bare_year && raw->year >= 1800) {
        const Token* next = At(raw->end);
        if (next == nullptr || next->kind == internal::TokenKind::kPunct ||
            (next->IsWord() &&
             (next->IsWord("and") || next->IsWord("or") || next->IsWord("in") ||
              next->IsWord("when") || next->IsWord("that") || next->IsWord("which") ||
              next->IsWord("to") || next->IsWord("with") || next->IsWord("between")))) {
          cue_seen = true;
          --first;
          break;
        }
      }
      // "the end of March", "the summer of 2020": only after a part/season word.
      if (first >= 2 && tokens_[first - 2].IsWord() &&
          Cue(first - 2, cues_.part_early | cues_.part_late | cues_.part_mid | cues_.year_cue)) {
        --first;
        continue;
      }
      break;
    }
    bool is_cue = (bare_year || raw->kind == TimeKind::kDecade || raw->kind == TimeKind::kYearRange)
                      ? Cue(first - 1, cues_.year_cue)
                      : Cue(first - 1, cues_.month_cue | cues_.year_cue);
    if (w == "earlier" || w == "later") is_cue = true;
    if (is_cue) {
      cue_seen = true;
      --first;
      continue;
    }
    break;
  }
  // A leading "the" belongs to the expression only after a cue word
  // ("in the early 1990s", not "The 1960-1961 talks").
  while (first < raw->first && tokens_[first].IsWord("the")) ++first;
  if (bare_year && !cue_seen) return false;
  if (bare_month && !cue_seen) {
    // A capitalised full month name inside a sentence is a month ("the March
    // agreement"); "May" needs a cue (the modal verb, the name).
    const Token& m = tokens_[raw->first];
    bool full_name = m.size() >= 5 || m.IsWord("june") || m.IsWord("july");
    if (raw->first == 0 || m.IsWord("may") || !full_name) return false;
  }
  raw->first = first;
  return true;
}

bool Scanner::FutureContext(size_t first) const {
  size_t from = first >= 8 ? first - 8 : 0;
  for (size_t k = from; k < first; ++k) {
    if (tokens_[k].IsWord() && Cue(k, cues_.future_cue)) return true;
  }
  return false;
}

std::optional<TimeExpression> Scanner::Resolve(const Raw& raw,
                                               std::optional<absl::CivilDay> pub) const {
  TimeExpression e;
  e.span = {tokens_[raw.first].begin, tokens_[raw.end - 1].end};
  e.kind = raw.kind;
  const bool future = FutureContext(raw.first);
  auto set_day = [&](absl::CivilDay d) {
    e.start = d;
    e.last = d;
    e.precision = DatePrecision::kDay;
    e.resolved = true;
  };
  auto set_month = [&](int y, int m) {
    e.start = absl::CivilDay(y, m, 1);
    e.last = EndOfMonth(y, m);
    e.precision = DatePrecision::kMonth;
    e.resolved = true;
  };
  auto set_year = [&](int y, int y2) {
    e.start = absl::CivilDay(y, 1, 1);
    e.last = absl::CivilDay(y2, 12, 31);
    e.precision = DatePrecision::kYear;
    e.resolved = true;
  };
  switch (raw.kind) {
    case TimeKind::kDate:
      set_day(absl::CivilDay(raw.year, raw.month, raw.day));
      break;
    case TimeKind::kDayMonth: {
      if (!pub) break;
      int y = static_cast<int>(pub->year());
      if (future) {
        while (!ValidDate(y, raw.month, raw.day) || absl::CivilDay(y, raw.month, raw.day) < *pub) {
          ++y;
          if (y > pub->year() + 4) return std::nullopt;
        }
      } else {
        while (!ValidDate(y, raw.month, raw.day) || absl::CivilDay(y, raw.month, raw.day) > *pub) {
          --y;
          if (y < pub->year() - 4) return std::nullopt;
        }
      }
      set_day(absl::CivilDay(y, raw.month, raw.day));
      e.future = future;
      break;
    }
    case TimeKind::kMonthYear:
      set_month(raw.year, raw.month);
      e.approximate = raw.part;
      break;
    case TimeKind::kMonth: {
      if (!pub) break;
      int y = static_cast<int>(pub->year());
      const int pm = pub->month();
      if (raw.rel == 2) {
        // "this January": that month of the publication year.
        e.future = raw.month > pm;
      } else if (raw.rel == -1) {
        if (raw.month >= pm) --y;
      } else if (raw.rel == 1) {
        if (raw.month <= pm) ++y;
        e.future = true;
      } else if (future) {
        if (raw.month < pm) ++y;
        e.future = true;
      } else if (raw.month > pm) {
        --y;
      }
      set_month(y, raw.month);
      e.approximate = raw.part;
      break;
    }
    case TimeKind::kYear:
      set_year(raw.year, raw.year);
      e.approximate = raw.part;
      if (pub && raw.year > pub->year()) e.future = true;
      break;
    case TimeKind::kYearRange:
      set_year(raw.year, raw.year2);
      e.is_range = true;
      break;
    case TimeKind::kDecade:
      set_year(raw.year, raw.year + 9);
      e.is_range = true;
      e.approximate = raw.part;
      break;
    case TimeKind::kWeekday: {
      if (!pub) break;
      int target = raw.weekday - 1;  // 0 = Monday
      int today = WeekdayIndex(*pub);
      int back = (today - target + 7) % 7;
      int ahead = (target - today + 7) % 7;
      if (raw.rel == -1) {
        set_day(*pub - (back == 0 ? 7 : back));
      } else if (raw.rel == 1) {
        set_day(*pub + (ahead == 0 ? 7 : ahead));
        e.future = true;
      } else if (future) {
        set_day(*pub + ahead);
        e.future = ahead > 0;
      } else {
        set_day(*pub - back);
      }
      break;
    }
    case TimeKind::kRelative: {
      if (!pub) break;
      if (raw.has_day_offset) {
        set_day(*pub + raw.day_offset);
        e.future = raw.day_offset > 0;
        break;
      }
      if (raw.year_end || raw.year_start) {
        int y = static_cast<int>(pub->year());
        if (raw.rel == -1) --y;
        if (raw.rel == 1) ++y;
        if (raw.year_end && raw.rel == 0 && pub->month() == 1) --y;
        set_month(y, raw.year_end ? 12 : 1);
        e.approximate = true;
        e.future = raw.rel == 1;
        break;
      }
      const int days = raw.period_days;
      if (raw.ago || raw.range_past) {
        absl::CivilDay point = *pub;
        if (days >= 365) {
          int y = static_cast<int>(pub->year()) - raw.count * (days / 365);
          if (raw.range_past) {
            set_year(y, static_cast<int>(pub->year()));
            e.is_range = true;
          } else {
            set_year(y, y);
          }
        } else if (days >= 28) {
          absl::CivilMonth m = absl::CivilMonth(*pub) - raw.count;
          if (raw.range_past) {
            e.start = absl::CivilDay(m);
            e.last = *pub;
            e.precision = DatePrecision::kMonth;
            e.resolved = true;
            e.is_range = true;
          } else {
            set_month(static_cast<int>(m.year()), m.month());
          }
        } else {
          point = *pub - static_cast<int64_t>(raw.count) * days;
          set_day(point);
          if (raw.range_past) {
            e.last = *pub;
            e.is_range = true;
          }
          e.approximate = days > 1;
        }
        break;
      }
      const int step = raw.rel == 2 ? 0 : raw.rel;  // -1, 0, +1
      e.future = step > 0;
      if (days >= 3650) {
        // "the past decade": the ten years up to publication.
        const int y = static_cast<int>(pub->year());
        if (step < 0) {
          set_year(y - 10, y);
        } else if (step > 0) {
          set_year(y, y + 10);
        } else {
          set_year(y / 10 * 10, y / 10 * 10 + 9);
        }
        e.is_range = true;
        e.approximate = true;
      } else if (days >= 365) {
        int y = static_cast<int>(pub->year()) + step;
        set_year(y, y);
      } else if (days >= 28) {
        absl::CivilMonth m = absl::CivilMonth(*pub) + step;
        set_month(static_cast<int>(m.year()), m.month());
        e.approximate = raw.part;
      } else if (days >= 7) {
        absl::CivilDay monday = *pub - WeekdayIndex(*pub) + 7 * step;
        set_day(monday);
        e.last = monday + 6;
        e.approximate = true;
      } else {
        set_day(*pub + step);
      }
      break;
    }
    case TimeKind::kWithin:
      if (!pub) break;
      e.start = *pub;
      e.last = *pub + static_cast<int64_t>(raw.count) * raw.period_days;
      e.precision = DatePrecision::kDay;
      e.resolved = true;
      e.is_range = true;
      e.future = true;
      e.approximate = raw.period_days > 1;
      break;
    case TimeKind::kVague:
      e.future = raw.vague_future;
      break;
    case TimeKind::kSince:
      break;
  }
  if (raw.since && e.resolved) {
    e.kind = TimeKind::kSince;
    e.is_range = true;
    if (pub && *pub > e.start) e.last = *pub;
  } else if (raw.since) {
    e.kind = TimeKind::kSince;
    e.is_range = true;
  }
  return e;
}

void Scanner::Emit(Raw raw, std::optional<absl::CivilDay> pub,
                   std::vector<TimeExpression>* out_ptr) const {
  std::vector<TimeExpression>& out = *out_ptr;
  // Never overlap the previous expression.
  if (!out.empty() && tokens_[raw.first].begin < out.back().span.end) {
    size_t f = raw.first;
    while (f < raw.end && tokens_[f].begin < out.back().span.end) ++f;
    raw.first = f;
  }
  if (raw.first >= raw.end) return;
  auto e = Resolve(raw, pub);
  if (!e) return;
  // "In September 2023, ... left within a week": a span counts
  // from the nearest dated expression before it in the sentence,
  // not from publication.
  if (raw.kind == TimeKind::kWithin) {
    int looked = 0;
    for (auto it = out.rbegin(); it != out.rend() && looked < 4; ++it, ++looked) {
      if (!it->resolved || it->kind == TimeKind::kWithin) continue;
      e->start = it->start;
      e->last = it->start + static_cast<int64_t>(raw.count) * raw.period_days;
      e->resolved = true;
      e->precision = DatePrecision::kDay;
      e->future = pub.has_value() && e->last > *pub;
      break;
    }
  }
  out.push_back(*e);
}

std::vector<TimeExpression> Scanner::Run(std::optional<absl::CivilDay> pub,
                                         std::vector<TimeExpression>* unanchored) {
  std::vector<TimeExpression> out;
  if (unanchored != nullptr) unanchored->clear();
  size_t i = 0;
  while (i < tokens_.size()) {
    Raw raw;
    if (MayStartAt(i) && MatchCore(i, &raw) && raw.end > i) {
      if (ExtendLeft(&raw)) {
        Emit(raw, pub, &out);
        if (unanchored != nullptr) Emit(raw, std::nullopt, unanchored);
      }
      i = std::max(raw.end, i + 1);
      continue;
    }
    ++i;
  }
  return out;
}

}  // namespace

std::vector<TimeExpression> FindTimeExpressions(const DateWordTables& tables,
                                                absl::string_view sentence,
                                                std::optional<absl::CivilDay> publication_day) {
  const std::vector<Token> tokens = internal::Tokenize(sentence);
  Scanner scanner(tables, sentence, tokens);
  return scanner.Run(publication_day);
}

std::vector<TimeExpression> FindTimeExpressions(const DateWordTables& tables,
                                                absl::string_view sentence,
                                                std::optional<absl::CivilDay> publication_day,
                                                std::vector<TimeExpression>* unanchored,
                                                std::vector<internal::Token>* tokens) {
  std::vector<Token> own;
  std::vector<Token>& sentence_tokens = tokens != nullptr ? *tokens : own;
  internal::TokenizeInto(sentence, &sentence_tokens);
  Scanner scanner(tables, sentence, sentence_tokens);
  return scanner.Run(publication_day, unanchored);
}

std::vector<TimeExpression> FindTimeExpressionsInTokens(
    const DateWordTables& tables, absl::string_view sentence,
    const std::vector<internal::Token>& tokens, std::optional<absl::CivilDay> publication_day) {
  Scanner scanner(tables, sentence, tokens);
  return scanner.Run(publication_day);
}

}  // namespace relmon::extraction
