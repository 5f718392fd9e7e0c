// Extractor implementation: cleans the text, reads the header, splits
// sentences, finds actors and time expressions per sentence, then events,
// agreements and figures, and assembles cited facts.
#include "ingest-service/extraction/extractor.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/country_gazetteer.h"
#include "ingest-service/extraction/actors.h"
#include "ingest-service/extraction/agreements.h"
#include "ingest-service/extraction/context.h"
#include "ingest-service/extraction/data_files.h"
#include "ingest-service/extraction/events.h"
#include "ingest-service/extraction/figure_attribution.h"
#include "ingest-service/extraction/text/article_header.h"
#include "ingest-service/extraction/text/html.h"
#include "ingest-service/extraction/text/language.h"
#include "ingest-service/extraction/text/sentences.h"
#include "ingest-service/extraction/text/temporal.h"
#include "ingest-service/extraction/text/text_tables.h"

namespace relmon::extraction {
namespace {

// Longest quote a citation carries. A fact's quote is its sentence, but an
// endless "sentence" (a page without full stops) would otherwise be copied
// into every fact of it and make one log event too large for consumers; the
// citation's offsets still span the whole sentence.
constexpr size_t kMaxQuoteBytes = 2048;

std::string QuoteOf(absl::string_view sentence) {
  if (sentence.size() <= kMaxQuoteBytes) return std::string(sentence);
  size_t cut = kMaxQuoteBytes;
  // Back up to the start of a UTF-8 character.
  while (cut > 0 && (static_cast<unsigned char>(sentence[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(sentence.substr(0, cut), "\u2026");
}


// Bumped when the rules in code change.
constexpr char kCodeVersion[] = "relmon-extractor/1.2";
constexpr size_t kMaxSummary = 240;

using relations::v1::Article;

google::protobuf::Timestamp ToTimestamp(absl::CivilDay day) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(absl::FromCivil(day, absl::UTCTimeZone())));
  return ts;
}

relations::v1::DatePrecision ToProto(DatePrecision p) {
  return static_cast<relations::v1::DatePrecision>(static_cast<int>(p));
}

std::string Summary(absl::string_view sentence) {
  if (sentence.size() <= kMaxSummary) return std::string(sentence);
  size_t cut = sentence.rfind(' ', kMaxSummary);
  if (cut == absl::string_view::npos || cut < kMaxSummary / 2) cut = kMaxSummary;
  // Do not cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(sentence[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(sentence.substr(0, cut), "\xE2\x80\xA6");
}

// A photo caption: the sentence is followed on its line by a credit in
// parentheses ("... on October 5, 2020. ( Fatemeh Bahrami - Anadolu Agency )").
// Captions describe the picture, often from another day: not analysed.
bool IsPhotoCaption(absl::string_view text, const TextSpan& span) {
  size_t k = span.end;
  while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
  if (k >= text.size() || text[k] != '(') return false;
  const size_t close = text.find(')', k);
  const size_t eol = text.find('\n', k);
  if (close == absl::string_view::npos || (eol != absl::string_view::npos && close > eol)) {
    return false;
  }
  absl::string_view credit = text.substr(k + 1, close - k - 1);
  if (credit.find(" - ") == absl::string_view::npos && credit.find('/') == absl::string_view::npos) {
    return false;
  }
  size_t after = close + 1;
  while (after < text.size() && (text[after] == ' ' || text[after] == '\t')) ++after;
  return after >= text.size() || text[after] == '\n';
}

// Where the lede starts in a sentence that opens with a wire dateline
// ("BAKU, March 3, 2024 - Azerbaijan and ...", "DUBAI, March 10 (Reuters)
// — Iran ...", "Feb 12, 2024 - ..."): just after the first dash separator
// at or after `from` and within the first 100 bytes, when at least three
// words follow it; npos when the sentence is all dateline or has no such
// dash. Wire copy puts the most important sentence there, so it must be
// analysed rather than skipped with the dateline.
size_t LedeAfterDateline(absl::string_view sentence, size_t from) {
  static constexpr absl::string_view kSeparators[] = {" - ", " -- ", " \xE2\x80\x94 ", " \xE2\x80\x93 ",
                                                      " \xE2\x80\x95 ", "\xE2\x80\x94"};
  size_t best = absl::string_view::npos, best_len = 0;
  for (absl::string_view sep : kSeparators) {
    size_t p = sentence.find(sep, std::min(from, sentence.size()));
    if (p != absl::string_view::npos && p < best) {
      best = p;
      best_len = sep.size();
    }
  }
  if (best == absl::string_view::npos || best > 100) return absl::string_view::npos;
  size_t start = best + best_len;
  while (start < sentence.size() && sentence[start] == ' ') ++start;
  int words = 0;
  bool in_word = false;
  for (size_t k = start; k < sentence.size(); ++k) {
    const bool letter = absl::ascii_isalpha(static_cast<unsigned char>(sentence[k])) ||
                        static_cast<unsigned char>(sentence[k]) >= 0x80;
    if (letter && !in_word) ++words;
    in_word = letter;
  }
  return words >= 3 ? start : absl::string_view::npos;
}

class RuleExtractor final : public Extractor {
 public:
  RuleExtractor() = default;

  absl::Status Init(const ExtractorOptions& options) {
    auto gazetteer = CountryGazetteer::Load(options.iso_codes_dir, options.resources_dir);
    if (!gazetteer.ok()) return gazetteer.status();
    gazetteer_ = std::move(*gazetteer);
    auto text = TextTables::Load(options.resources_dir, options.iso_codes_dir);
    if (!text.ok()) return text.status();
    text_ = std::move(*text);
    auto actors = ActorFinder::Create(*gazetteer_, options.resources_dir);
    if (!actors.ok()) return actors.status();
    actors_ = std::move(*actors);
    auto modality = ModalityTables::Create(options.resources_dir);
    if (!modality.ok()) return modality.status();
    modality_ = std::move(*modality);
    auto events = EventFinder::Create(options.resources_dir);
    if (!events.ok()) return events.status();
    events_ = std::move(*events);
    auto agreements = AgreementFinder::Create(options.resources_dir, *gazetteer_);
    if (!agreements.ok()) return agreements.status();
    agreements_ = std::move(*agreements);
    auto figures = FigureAttributor::Create(options.resources_dir, gazetteer_.get());
    if (!figures.ok()) return figures.status();
    figures_ = std::move(*figures);
    // The digest covers every data file read: data/*.tsv and the iso-codes
    // tables (countries, currencies).
    std::string iso;
    for (const char* file : {"/iso_3166-1.json", "/iso_4217.json"}) {
      std::ifstream in(options.iso_codes_dir + file, std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      iso += StableDigest({content.str()});
    }
    version_ = absl::StrCat(kCodeVersion, "+data.",
                            StableDigest({DigestDataDir(options.resources_dir), iso}).substr(0, 12));
    return absl::OkStatus();
  }

  std::string CleanText(absl::string_view raw) const override {
    if (LooksLikeHtml(raw)) return HtmlToText(raw);
    return NormalizePlainText(raw);
  }

  ExtractionResult Extract(const Article& article) const override;

  const std::string& version() const override { return version_; }

 private:
  void Citation(const ExtractionResult& r, const SentenceContext& s,
                relations::v1::Citation* c) const {
    c->set_article_id(r.article.id());
    c->set_source(r.article.source());
    c->set_url(r.article.url());
    if (r.article.has_published_at()) *c->mutable_published_at() = r.article.published_at();
    c->set_quote(QuoteOf(s.text));
    c->set_begin_offset(static_cast<int32_t>(s.offset));
    c->set_end_offset(static_cast<int32_t>(s.offset + s.text.size()));
  }

  std::unique_ptr<CountryGazetteer> gazetteer_;
  std::shared_ptr<const TextTables> text_;
  std::unique_ptr<ActorFinder> actors_;
  std::unique_ptr<ModalityTables> modality_;
  std::unique_ptr<EventFinder> events_;
  std::unique_ptr<AgreementFinder> agreements_;
  std::unique_ptr<FigureAttributor> figures_;
  std::string version_;
};

ExtractionResult RuleExtractor::Extract(const Article& article) const {
  ExtractionResult r;
  r.article = article;
  const std::string& text = r.article.text();
  r.analysis.set_article_id(article.id());
  r.analysis.set_extractor_version(version_);

  // Header: client metadata wins.
  ArticleHeader header = ParseArticleHeader(text_->dates, text);
  if (r.article.title().empty() && !header.title.empty()) r.article.set_title(header.title);
  if (r.article.has_published_at()) {
    r.date_source = relations::v1::DATE_SOURCE_METADATA;
  } else if (header.published.has_value()) {
    *r.article.mutable_published_at() = ToTimestamp(*header.published);
    r.date_source = relations::v1::DATE_SOURCE_TEXT;
  } else {
    r.date_source = relations::v1::DATE_SOURCE_UNKNOWN;
  }
  ArticleContext a;
  a.article_id = article.id();
  if (r.article.has_published_at()) {
    a.day = absl::ToCivilDay(absl::FromUnixSeconds(r.article.published_at().seconds()),
                             absl::UTCTimeZone());
  }

  // Language: the client's declaration wins.
  std::string language = r.article.language();
  if (language.empty()) {
    language = DetectLanguage(text_->language, text);
    if (language == "und") language = "en";
    r.article.set_language(language);
  }
  r.analysis.set_language(language);
  const std::string primary = language.substr(0, language.find('-'));
  if (primary != "en") {
    r.analysis.set_analyzed(false);
    r.analysis.set_not_analyzed_reason(absl::StrCat(
        "language \"", language, "\" is not analysed (only English is supported)"));
    return r;
  }
  r.analysis.set_analyzed(true);

  // Sentences with their tokens, actors, times and hedges.
  std::vector<TextSpan> spans = SplitSentences(text_->sentences, text);
  std::vector<SentenceContext> sentences;
  sentences.reserve(spans.size());
  // Per sentence, the figures found in it (attributed below, once the
  // article's agreements are known). They are read right after the time
  // scan, from its tokens and its time expressions without a publication
  // day (masked out of figures): one token buffer serves every sentence.
  std::vector<std::vector<FigureMention>> sentence_figures;
  sentence_figures.reserve(spans.size());
  std::vector<TimeExpression> unanchored;
  std::vector<internal::Token> sentence_text_tokens;
  int body_index = 0;
  for (const TextSpan& span : spans) {
    const bool overlaps_title =
        !header.title_span.empty() && span.begin < header.title_span.end &&
        header.title_span.begin < span.end;
    const bool overlaps_date = !header.date_span.empty() && span.begin < header.date_span.end &&
                               header.date_span.begin < span.end;
    absl::string_view sentence = span.In(text);
    // A byline, dateline or stamp is not analysed, but the lede that wire
    // copy runs on after a dateline's dash is.
    size_t lede = absl::string_view::npos;
    const bool is_dateline = !header.dateline.empty() && sentence == header.dateline;
    if ((!overlaps_title && overlaps_date) || is_dateline) {
      const size_t date_end = overlaps_date && header.date_span.end > span.begin
                                  ? header.date_span.end - span.begin
                                  : 0;
      lede = LedeAfterDateline(sentence, date_end);
      if (lede == absl::string_view::npos) continue;
    }
    if (IsPhotoCaption(text, span)) continue;
    SentenceContext s;
    s.text = sentence;
    s.offset = span.begin;
    if (lede != absl::string_view::npos) {
      s.text = sentence.substr(lede);
      s.offset = span.begin + lede;
    }
    s.is_title = overlaps_title;
    if (overlaps_title && !header.title_span.empty()) {
      // Only the headline part of a " date 2025-05-18 Headline" line.
      size_t b = std::max(span.begin, header.title_span.begin);
      size_t e = std::min(span.end, header.title_span.end);
      s.text = absl::string_view(text).substr(b, e - b);
      s.offset = b;
    }
    TokenizeInto(s.text, &s.tokens);
    // Only prose counts towards the lede ("Politics", "post-img" do not).
    int words = 0;
    for (const Token& t : s.tokens) words += t.is_word ? 1 : 0;
    s.body_index = s.is_title ? -1 : (words >= 6 ? body_index++ : body_index);
    actors_->Find(s.tokens, a.day, &s.actors);
    for (TimeExpression& t : FindTimeExpressions(text_->dates, s.text, a.day, &unanchored,
                                                        &sentence_text_tokens)) {
      if (s.times.size() >= PatternSet::kMaxMatchesPerSentence) break;
      TimeRef ref;
      ref.first = -1;
      ref.last = -1;
      for (size_t k = 0; k < s.tokens.size(); ++k) {
        if (s.tokens[k].begin >= t.span.begin && s.tokens[k].end <= t.span.end) {
          if (ref.first < 0) ref.first = static_cast<int>(k);
          ref.last = static_cast<int>(k);
        }
      }
      if (ref.first < 0) continue;
      for (int k = std::max(0, ref.first - 2); k < ref.first; ++k) {
        if (actors_->IsWord("reporting", s.tokens[k].lower)) ref.after_reporting = true;
      }
      ref.expr = std::move(t);
      s.times.push_back(std::move(ref));
    }
    modality_->Annotate(&s);
    s.bilateral_reference = actors_->HasBilateralReference(s.tokens);
    std::vector<FigureMention> found =
        FindFiguresInTokens(*text_->figures, s.text, unanchored, sentence_text_tokens);
    if (found.size() > PatternSet::kMaxMatchesPerSentence) {
      found.resize(PatternSet::kMaxMatchesPerSentence);
    }
    sentence_figures.push_back(std::move(found));
    sentences.push_back(std::move(s));
  }

  // The article's main dyad: the two most mentioned countries (places count
  // half), ties broken by first mention.
  {
    absl::flat_hash_map<std::string, std::pair<int, int>> score;  // code -> (2*count, -first)
    int order = 0;
    for (const SentenceContext& s : sentences) {
      for (const ActorMention& m : s.actors) {
        auto [it, inserted] = score.try_emplace(m.code, 0, -(order++));
        it->second.first += m.is_place ? 1 : 2;
      }
    }
    std::vector<std::pair<std::pair<int, int>, std::string>> ranked;
    for (auto& [code, sc] : score) ranked.push_back({sc, code});
    std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    if (ranked.size() >= 2 && ranked[1].first.first >= 2) {
      a.main_dyad = {ranked[0].second, ranked[1].second};
      std::sort(a.main_dyad.begin(), a.main_dyad.end());
    }
    std::vector<std::string> countries;
    for (auto& [sc, code] : ranked) countries.push_back(code);
    std::sort(countries.begin(), countries.end());
    for (const std::string& c : countries) r.analysis.add_countries(c);
  }

  // Events and agreements per sentence.
  std::vector<std::vector<EventFact>> events(sentences.size());
  std::vector<AgreementFact> agreements;
  for (size_t i = 0; i < sentences.size(); ++i) {
    events_->Find(sentences[i], a, &events[i]);
    agreements_->Find(sentences[i], a, static_cast<int>(i), &agreements);
  }
  agreements_->Resolve(&agreements);

  // Figures, attributed with the agreements and events known so far.
  std::vector<std::vector<std::string>> agreement_figures(agreements.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    const SentenceContext& s = sentences[i];
    for (const FigureMention& m : sentence_figures[i]) {
      relations::v1::Figure figure;
      int agreement_index = -1;
      if (!figures_->Attribute(m, s, a, static_cast<int>(i), agreements, events[i], &figure,
                               &agreement_index)) {
        continue;
      }
      figure.set_value(m.value);
      figure.set_upper_value(m.upper_value);
      figure.set_unit(m.unit);
      figure.set_original_text(m.original_text);
      figure.set_qualifier(m.qualifier);
      figure.set_figure_id(StableDigest({article.id(), absl::StrCat(s.offset + m.span.begin),
                                         figure.quantity(), absl::StrCat(m.value)}));
      Citation(r, s, figure.mutable_citation());
      if (agreement_index >= 0) agreement_figures[agreement_index].push_back(figure.figure_id());
      *r.analysis.add_figures() = std::move(figure);
    }
  }

  for (size_t i = 0; i < sentences.size(); ++i) {
    const SentenceContext& s = sentences[i];
    for (const EventFact& f : events[i]) {
      relations::v1::Event* e = r.analysis.add_events();
      const std::string type_name = relations::v1::EventType_Name(f.type);
      e->set_event_id(StableDigest({article.id(), absl::StrCat(s.offset), type_name,
                                    f.dyad[0], f.dyad[1]}));
      e->set_type(f.type);
      for (const std::string& c : f.dyad) e->add_actors(c);
      if (f.date.day.has_value()) {
        *e->mutable_occurred_at() = ToTimestamp(*f.date.day);
        e->set_date_precision(ToProto(f.date.precision));
      }
      e->set_weight(f.weight);
      e->set_summary(Summary(s.text));
      Citation(r, s, e->add_citations());
      for (const std::string& p : f.people) e->add_people(p);
      e->set_retrospective(f.date.retrospective);
      e->set_report_count(1);
      e->set_cue(f.cue);
    }
  }

  for (size_t k = 0; k < agreements.size(); ++k) {
    const AgreementFact& g = agreements[k];
    const bool keep = g.status != relations::v1::AGREEMENT_STATUS_UNSPECIFIED || g.proper ||
                      !agreement_figures[k].empty();
    if (!keep || g.parties.empty()) continue;
    relations::v1::AgreementMention* m = r.analysis.add_agreement_mentions();
    m->set_name(g.name);
    m->set_canonical_key(g.canonical_key);
    for (const std::string& p : g.parties) m->add_parties(p);
    m->set_kind(g.kind);
    m->set_status(g.status);
    if (g.status != relations::v1::AGREEMENT_STATUS_UNSPECIFIED && g.date.day.has_value()) {
      *m->mutable_occurred_at() = ToTimestamp(*g.date.day);
      m->set_date_precision(ToProto(g.date.precision));
    }
    Citation(r, sentences[g.sentence], m->mutable_citation());
    for (const std::string& id : agreement_figures[k]) m->add_figure_ids(id);
  }
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Extractor>> Extractor::Create(const ExtractorOptions& options) {
  auto extractor = std::make_unique<RuleExtractor>();
  absl::Status status = extractor->Init(options);
  if (!status.ok()) return status;
  return std::unique_ptr<Extractor>(std::move(extractor));
}

}  // namespace relmon::extraction
