// Structured logging: one JSON object per line on stderr.
//
// Abseil 20220623 has no absl/log, and both services need logs a collector
// can parse, so this is a deliberately small logger:
//   relmon::Log(relmon::LogLevel::kInfo, "article accepted",
//               {{"article_id", id}, {"sequence", absl::StrCat(seq)}});
#ifndef RELMON_COMMON_LOG_H_
#define RELMON_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace relmon {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the service name written in every line ("ingest-service").
void SetLogComponent(absl::string_view component);
// Lines below this level are dropped (default kInfo).
void SetMinLogLevel(LogLevel level);
// Parses "debug", "info", "warning", "error"; false on anything else.
bool ParseLogLevel(absl::string_view text, LogLevel* level);

using LogField = std::pair<absl::string_view, std::string>;

// Writes one line atomically (a single write(2) under a mutex).
void Log(LogLevel level, absl::string_view message,
         std::initializer_list<LogField> fields = {});

inline void LogInfo(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarning(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarning, m, f);
}
inline void LogError(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

// Escapes a string for inclusion in a JSON string literal (no quotes added).
std::string JsonEscape(absl::string_view text);

}  // namespace relmon

#endif  // RELMON_COMMON_LOG_H_
