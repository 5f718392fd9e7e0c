#include "relctl/format.h"

#include <cmath>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "relctl/dates.h"
#include "relctl/table.h"

namespace relctl {
namespace {

using relations::v1::Citation;

std::string StripPrefix(const std::string& name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(name, prefix));
}

// "phone-call" / "Phone Call" -> "PREFIX_PHONE_CALL".
std::string EnumSpelling(absl::string_view prefix, absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &upper);
  if (absl::StartsWith(upper, prefix)) return upper;
  return absl::StrCat(prefix, upper);
}

Color LevelColor(relations::v1::RelationsLevel level) {
  switch (level) {
    case relations::v1::RELATIONS_LEVEL_HOSTILE:
      return Color::kRed;
    case relations::v1::RELATIONS_LEVEL_TENSE:
      return Color::kYellow;
    case relations::v1::RELATIONS_LEVEL_COOPERATIVE:
      return Color::kGreen;
    case relations::v1::RELATIONS_LEVEL_CLOSE:
      return Color::kBrightGreen;
    default:
      return Color::kNone;
  }
}

Color TrendColor(relations::v1::Trend trend) {
  if (trend == relations::v1::TREND_IMPROVING) return Color::kGreen;
  if (trend == relations::v1::TREND_DETERIORATING) return Color::kRed;
  return Color::kNone;
}

Color WeightColor(double weight) {
  if (weight <= -0.5) return Color::kRed;
  if (weight >= 0.5) return Color::kGreen;
  return Color::kNone;
}

Color StatusColor(relations::v1::AgreementStatus status) {
  switch (status) {
    case relations::v1::AGREEMENT_STATUS_SIGNED:
    case relations::v1::AGREEMENT_STATUS_OPERATIONAL:
      return Color::kGreen;
    case relations::v1::AGREEMENT_STATUS_UNDER_CONSTRUCTION:
      return Color::kCyan;
    case relations::v1::AGREEMENT_STATUS_SUSPENDED:
    case relations::v1::AGREEMENT_STATUS_CANCELLED:
      return Color::kRed;
    default:
      return Color::kNone;
  }
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items,
                   absl::string_view separator) {
  return absl::StrJoin(items.begin(), items.end(), separator);
}

// "Anadolu Agency 2021-11-22", or the article id when the outlet is unknown.
std::string CitationSource(const Citation& citation) {
  std::string who = citation.source().empty() ? citation.article_id() : citation.source();
  if (IsSet(citation.published_at())) {
    absl::StrAppend(&who, " ", FormatDate(citation.published_at()));
  }
  return who;
}

std::string OneLine(absl::string_view text) {
  std::string out(text);
  absl::StrReplaceAll({{"\r\n", " "}, {"\n", " "}, {"\t", " "}}, &out);
  return out;
}

std::string KeyValues(const std::vector<std::pair<std::string, Cell>>& rows,
                      const OutputStyle& style) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string out;
  for (const auto& row : rows) {
    std::string key = row.first + std::string(width - row.first.size() + 2, ' ');
    absl::StrAppend(&out, style.color ? Colorize(key, Color::kBold) : key,
                    style.color ? Colorize(row.second.text, row.second.color) : row.second.text,
                    "\n");
  }
  return out;
}

// A score as a bar around zero: "   ---|" for -3, "|+++++" for +5 (one
// mark per point, ten each side).
std::string ScoreBar(double score) {
  const int marks = static_cast<int>(std::lround(std::min(10.0, std::fabs(score))));
  if (score < 0) return absl::StrCat(std::string(10 - marks, ' '), std::string(marks, '-'), "|");
  return absl::StrCat(std::string(10, ' '), "|", std::string(marks, '+'));
}

std::string Section(absl::string_view title, const OutputStyle& style) {
  std::string line = absl::StrCat("\n", title, "\n");
  return style.color ? Colorize(line, Color::kBold) : line;
}

}  // namespace

std::string EventTypeName(relations::v1::EventType type) {
  return StripPrefix(relations::v1::EventType_Name(type), "EVENT_TYPE_");
}
std::string LevelName(relations::v1::RelationsLevel level) {
  return StripPrefix(relations::v1::RelationsLevel_Name(level), "RELATIONS_LEVEL_");
}
std::string TrendName(relations::v1::Trend trend) {
  return StripPrefix(relations::v1::Trend_Name(trend), "TREND_");
}
std::string StatusName(relations::v1::AgreementStatus status) {
  return StripPrefix(relations::v1::AgreementStatus_Name(status), "AGREEMENT_STATUS_");
}
std::string KindName(relations::v1::AgreementKind kind) {
  return StripPrefix(relations::v1::AgreementKind_Name(kind), "AGREEMENT_KIND_");
}

absl::StatusOr<relations::v1::EventType> ParseEventType(absl::string_view text) {
  relations::v1::EventType type;
  if (!relations::v1::EventType_Parse(EnumSpelling("EVENT_TYPE_", text), &type) ||
      type == relations::v1::EVENT_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat("--type: unknown event type '", text, "'"));
  }
  return type;
}

absl::StatusOr<relations::v1::AgreementStatus> ParseAgreementStatus(absl::string_view text) {
  relations::v1::AgreementStatus status;
  if (!relations::v1::AgreementStatus_Parse(EnumSpelling("AGREEMENT_STATUS_", text), &status) ||
      status == relations::v1::AGREEMENT_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat("--status: unknown status '", text, "'"));
  }
  return status;
}

absl::StatusOr<relations::v1::Granularity> ParseGranularity(absl::string_view text) {
  relations::v1::Granularity granularity;
  if (!relations::v1::Granularity_Parse(EnumSpelling("GRANULARITY_", text), &granularity) ||
      granularity == relations::v1::GRANULARITY_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--granularity: '", text, "' is not day, week, month, quarter or year"));
  }
  return granularity;
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return absl::StrCat(value);
  const double rounded = std::round(value);
  if (std::fabs(value - rounded) < 1e-9 && std::fabs(value) < 1e15) {
    std::string digits = absl::StrCat(static_cast<int64_t>(std::fabs(rounded)));
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
      out.push_back(digits[i]);
    }
    return rounded < 0 ? absl::StrCat("-", out) : out;
  }
  std::string out = absl::StrFormat("%.3f", value);
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string FormatValue(double value, absl::string_view unit) {
  const double magnitude = std::fabs(value);
  if (unit == "m") {
    return magnitude >= 1000 ? absl::StrCat(FormatNumber(value / 1000), " km")
                             : absl::StrCat(FormatNumber(value), " m");
  }
  if (unit == "kg") {
    return magnitude >= 1000 ? absl::StrCat(FormatNumber(value / 1000), " t")
                             : absl::StrCat(FormatNumber(value), " kg");
  }
  if (unit == "s") {
    if (magnitude >= 86400) return absl::StrCat(FormatNumber(value / 86400), " days");
    if (magnitude >= 3600) return absl::StrCat(FormatNumber(value / 3600), " h");
    return absl::StrCat(FormatNumber(value), " s");
  }
  if (unit == "%") return absl::StrCat(FormatNumber(value), "%");
  if (unit == "count" || unit.empty()) return FormatNumber(value);
  // Money ("EUR") and rates of anything large ("USD/year", "m3/year") read
  // better in words: "10 billion USD/year".
  const bool currency = unit.size() >= 3 && absl::ascii_isupper(unit[0]) &&
                        absl::ascii_isupper(unit[1]) && absl::ascii_isupper(unit[2]) &&
                        (unit.size() == 3 || unit[3] == '/');
  if (currency || absl::StrContains(unit, "/")) {
    if (magnitude >= 1e12) return absl::StrCat(FormatNumber(value / 1e12), " trillion ", unit);
    if (magnitude >= 1e9) return absl::StrCat(FormatNumber(value / 1e9), " billion ", unit);
    if (magnitude >= 1e6) return absl::StrCat(FormatNumber(value / 1e6), " million ", unit);
  }
  return absl::StrCat(FormatNumber(value), " ", unit);
}

std::string FormatScore(double score) { return absl::StrFormat("%+.1f", score); }

std::string RenderState(const relations::v1::RelationsState& state, const OutputStyle& style) {
  std::string pair = absl::StrCat(state.country_a(), "-", state.country_b());
  std::vector<std::pair<std::string, Cell>> rows;
  rows.push_back({"pair", pair});
  rows.push_back({"as of", IsSet(state.as_of()) ? FormatDate(state.as_of()) : "latest"});
  if (state.level() == relations::v1::RELATIONS_LEVEL_UNSPECIFIED) {
    rows.push_back({"level", Cell("UNSPECIFIED (nothing known about this pair)", Color::kDim)});
    return KeyValues(rows, style);
  }
  rows.push_back(
      {"score", absl::StrCat(FormatScore(state.score()), "  ", ScoreBar(state.score()))});
  rows.push_back({"level", Cell(LevelName(state.level()), LevelColor(state.level()))});
  rows.push_back({"trend", Cell(TrendName(state.trend()), TrendColor(state.trend()))});
  rows.push_back({"events", absl::StrCat(state.event_count())});
  std::string out = KeyValues(rows, style);
  if (state.evidence_size() > 0) {
    absl::StrAppend(&out, Section("Evidence (the events that weigh most):", style),
                    RenderEvents(state.evidence(), style));
  }
  return out;
}

std::string RenderTimeline(const relations::v1::ListRelationsTimelineResponse& timeline,
                           relations::v1::Granularity granularity, const OutputStyle& style) {
  if (timeline.points_size() == 0) return "no dated events for this pair\n";
  Table table({"PERIOD", "SCORE", "LEVEL", "TREND", "EVENTS", "-10        0        +10"});
  for (const auto& point : timeline.points()) {
    // Points are "as of the end of their period": label the period that
    // ends there (one second earlier is inside it for either convention).
    absl::Time inside = ToAbslTime(point.as_of()) - absl::Seconds(1);
    std::string period;
    switch (granularity) {
      case relations::v1::GRANULARITY_DAY:
      case relations::v1::GRANULARITY_WEEK:
        period = absl::FormatTime("%Y-%m-%d", inside, absl::UTCTimeZone());
        break;
      case relations::v1::GRANULARITY_QUARTER: {
        absl::CivilMonth month = absl::ToCivilMonth(inside, absl::UTCTimeZone());
        period = absl::StrCat(month.year(), "-Q", (month.month() - 1) / 3 + 1);
        break;
      }
      case relations::v1::GRANULARITY_YEAR:
        period = absl::FormatTime("%Y", inside, absl::UTCTimeZone());
        break;
      default:
        period = absl::FormatTime("%Y-%m", inside, absl::UTCTimeZone());
    }
    const bool known = point.level() != relations::v1::RELATIONS_LEVEL_UNSPECIFIED;
    table.AddRow({period, known ? FormatScore(point.score()) : "-",
                  Cell(LevelName(point.level()), LevelColor(point.level())),
                  Cell(TrendName(point.trend()), TrendColor(point.trend())),
                  absl::StrCat(point.event_count()),
                  Cell(known ? ScoreBar(point.score()) : "", WeightColor(point.score()))});
  }
  return table.Render(style.color, style.max_width);
}

std::string RenderEvents(const google::protobuf::RepeatedPtrField<relations::v1::Event>& events,
                         const OutputStyle& style) {
  if (events.empty()) return "no events\n";
  Table table({"DATE", "TYPE", "WEIGHT", "ACTORS", "REPORTS", "SUMMARY"});
  for (const auto& event : events) {
    std::string date = FormatDate(event.occurred_at(), event.date_precision());
    if (event.retrospective()) absl::StrAppend(&date, "*");
    table.AddRow({date, EventTypeName(event.type()),
                  Cell(FormatScore(event.weight()), WeightColor(event.weight())),
                  Joined(event.actors(), "-"),
                  absl::StrCat(std::max(event.report_count(), event.citations_size())),
                  OneLine(event.summary())});
  }
  return table.Render(style.color, style.max_width);
}

std::string RenderAgreements(
    const google::protobuf::RepeatedPtrField<relations::v1::Agreement>& agreements,
    const OutputStyle& style) {
  if (agreements.empty()) return "no agreements\n";
  Table table({"ID", "STATUS", "SINCE", "PARTIES", "KIND", "FIGURES", "NAME"});
  for (const auto& agreement : agreements) {
    std::string since = "-";
    if (agreement.history_size() > 0) {
      const auto& last = agreement.history(agreement.history_size() - 1);
      since = FormatDate(last.changed_at(), last.date_precision());
    }
    table.AddRow({agreement.agreement_id(),
                  Cell(StatusName(agreement.status()), StatusColor(agreement.status())), since,
                  Joined(agreement.parties(), "-"), KindName(agreement.kind()),
                  absl::StrCat(agreement.figures_size()), OneLine(agreement.name())});
  }
  return table.Render(style.color, style.max_width);
}

std::string RenderAgreement(const relations::v1::Agreement& agreement, const OutputStyle& style) {
  std::vector<std::pair<std::string, Cell>> rows = {
      {"agreement", agreement.agreement_id()},
      {"name", agreement.name()},
      {"aliases", agreement.aliases().empty() ? "-" : Joined(agreement.aliases(), "; ")},
      {"parties", Joined(agreement.parties(), ", ")},
      {"kind", KindName(agreement.kind())},
      {"status", Cell(StatusName(agreement.status()), StatusColor(agreement.status()))},
  };
  std::string out = KeyValues(rows, style);
  if (agreement.history_size() > 0) {
    Table history({"DATE", "STATUS", "SOURCE", "QUOTE"});
    for (const auto& change : agreement.history()) {
      history.AddRow({FormatDate(change.changed_at(), change.date_precision()),
                      Cell(StatusName(change.status()), StatusColor(change.status())),
                      CitationSource(change.citation()), OneLine(change.citation().quote())});
    }
    absl::StrAppend(&out, Section("History:", style), history.Render(style.color, style.max_width));
  }
  if (agreement.figures_size() > 0) {
    absl::StrAppend(&out, Section("Figures:", style), RenderFigures(agreement.figures(), style));
  }
  if (agreement.citations_size() > 0) {
    Table citations({"SOURCE", "QUOTE"});
    for (const auto& citation : agreement.citations()) {
      citations.AddRow({CitationSource(citation), OneLine(citation.quote())});
    }
    absl::StrAppend(&out, Section("Mentions:", style),
                    citations.Render(style.color, style.max_width));
  }
  return out;
}

std::string RenderFigures(const google::protobuf::RepeatedPtrField<relations::v1::Figure>& figures,
                          const OutputStyle& style) {
  if (figures.empty()) return "no figures\n";
  Table table({"QUANTITY", "VALUE", "AS WRITTEN", "PARTIES", "SOURCE", "SUBJECT"});
  for (const auto& figure : figures) {
    std::string value = FormatValue(figure.value(), figure.unit());
    if (figure.upper_value() > figure.value()) {
      value = absl::StrCat(value, " - ", FormatValue(figure.upper_value(), figure.unit()));
    }
    if (!figure.qualifier().empty()) value = absl::StrCat(figure.qualifier(), " ", value);
    table.AddRow({figure.quantity(), value, OneLine(figure.original_text()),
                  Joined(figure.parties(), "-"), CitationSource(figure.citation()),
                  OneLine(figure.subject())});
  }
  return table.Render(style.color, style.max_width);
}

std::string RenderDisputes(
    const google::protobuf::RepeatedPtrField<relations::v1::DisputedFigure>& disputes,
    const OutputStyle& style) {
  if (disputes.empty()) return "no disputed figures\n";
  Table table({"QUANTITY", "PARTIES", "RANGE", "CLAIM", "AS WRITTEN", "SOURCE", "SUBJECT"});
  for (const auto& dispute : disputes) {
    bool first = true;
    for (const auto& claim : dispute.claims()) {
      table.AddRow(
          {first ? dispute.quantity() : "", first ? Joined(dispute.parties(), "-") : "",
           first ? Cell(absl::StrCat(FormatValue(dispute.min_value(), dispute.unit()), " .. ",
                                     FormatValue(dispute.max_value(), dispute.unit())),
                        Color::kYellow)
                 : Cell(""),
           FormatValue(claim.value(), claim.unit()), OneLine(claim.original_text()),
           CitationSource(claim.citation()), first ? OneLine(dispute.subject()) : ""});
      first = false;
    }
  }
  return table.Render(style.color, style.max_width);
}

std::string RenderArticle(const relations::v1::ArticleSummary& article, const OutputStyle& style) {
  std::string date = IsSet(article.published_at()) ? FormatDate(article.published_at()) : "unknown";
  if (article.date_source() != relations::v1::DATE_SOURCE_UNSPECIFIED) {
    absl::StrAppend(&date, " (",
                    absl::AsciiStrToLower(StripPrefix(
                        relations::v1::DateSource_Name(article.date_source()), "DATE_SOURCE_")),
                    ")");
  }
  std::vector<std::pair<std::string, Cell>> rows = {
      {"article", article.article_id()},
      {"title", article.title().empty() ? "-" : OneLine(article.title())},
      {"source", article.source().empty() ? "-" : article.source()},
      {"url", article.url().empty() ? "-" : article.url()},
      {"published", date},
      {"language", article.language().empty() ? "-" : article.language()},
      {"analyzed", article.analyzed() ? "yes" : "no"},
      {"sequence", absl::StrCat(article.sequence())},
      {"events", absl::StrCat(article.event_count())},
      {"figures", absl::StrCat(article.figure_count())},
      {"agreements", absl::StrCat(article.agreement_mention_count())},
      {"countries", article.countries().empty() ? "-" : Joined(article.countries(), ", ")},
      {"extractor", article.extractor_version().empty() ? "-" : article.extractor_version()},
  };
  return KeyValues(rows, style);
}

void IngestTally::Add(const relations::v1::StreamArticlesResponse& response) {
  switch (response.outcome()) {
    case relations::v1::INGEST_OUTCOME_ACCEPTED:
      ++accepted;
      break;
    case relations::v1::INGEST_OUTCOME_DUPLICATE:
      ++duplicate;
      break;
    default:
      ++rejected;
      rejections.emplace_back(response.client_ref(),
                              response.message().empty()
                                  ? relations::v1::IngestOutcome_Name(response.outcome())
                                  : response.message());
  }
  if (response.sequence() > max_sequence) max_sequence = response.sequence();
  responses.push_back(response);
}

void IngestTally::AddLocalRejection(const std::string& client_ref, const std::string& message) {
  ++rejected;
  rejections.emplace_back(client_ref, message);
  local_rejections.emplace_back(client_ref, message);
}

std::string RenderIngestSummary(const IngestTally& tally, const OutputStyle& style) {
  const double rate = tally.seconds > 0 ? tally.done() / tally.seconds : 0;
  std::string out = absl::StrFormat(
      "%d articles in %.1f s (%.1f/s): %s accepted, %s duplicate, %s rejected; "
      "highest sequence %d\n",
      tally.done(), tally.seconds, rate,
      style.color ? Colorize(absl::StrCat(tally.accepted), Color::kGreen)
                  : absl::StrCat(tally.accepted),
      absl::StrCat(tally.duplicate),
      style.color && tally.rejected > 0 ? Colorize(absl::StrCat(tally.rejected), Color::kRed)
                                        : absl::StrCat(tally.rejected),
      tally.max_sequence);
  if (!tally.rejections.empty()) {
    absl::StrAppend(&out, "rejected:\n");
    for (const auto& [ref, message] : tally.rejections) {
      absl::StrAppend(&out, "  ", ref, ": ", OneLine(message), "\n");
    }
  }
  return out;
}

std::string IngestSummaryJson(const IngestTally& tally, bool pretty) {
  nlohmann::json out;
  out["results"] = nlohmann::json::array();
  for (const auto& response : tally.responses) {
    out["results"].push_back(nlohmann::json::parse(ToJson(response, false)));
  }
  // Items that never reached the service (unreadable file, bad JSON line).
  out["rejectedLocally"] = nlohmann::json::array();
  for (const auto& [ref, message] : tally.local_rejections) {
    out["rejectedLocally"].push_back({{"clientRef", ref}, {"message", message}});
  }
  out["accepted"] = tally.accepted;
  out["duplicate"] = tally.duplicate;
  out["rejected"] = tally.rejected;
  // uint64 as a string, as the proto3 JSON mapping writes 64-bit integers.
  out["maxSequence"] = absl::StrCat(tally.max_sequence);
  out["seconds"] = tally.seconds;
  return out.dump(pretty ? 2 : -1);
}

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return absl::StrCat("{\"error\": \"", status.ToString(), "\"}");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace relctl
