// Table: aligned text columns for relctl's human-readable output, with
// optional ANSI colour (only ever enabled for a terminal) and truncation of
// the widest column to fit a terminal's width.
#ifndef RELMON_RELCTL_TABLE_H_
#define RELMON_RELCTL_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace relctl {

// ANSI SGR colours used by the printers; kNone prints plain.
enum class Color { kNone, kRed, kYellow, kGreen, kBrightGreen, kCyan, kDim, kBold };

struct Cell {
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT: implicit by design
  Cell(const char* t) : text(t) {}             // NOLINT
  Cell(std::string t, Color c) : text(std::move(t)), color(c) {}
  std::string text;
  Color color = Color::kNone;
};

// Number of terminal columns `text` occupies (UTF-8 code points; the
// services' text is mostly Latin, so one column per code point is adequate).
int DisplayWidth(absl::string_view text);

// Cuts `text` to at most `width` columns, ending in "…" when cut.
std::string TruncateToWidth(absl::string_view text, int width);

// Wraps `text` in the colour's escape sequence (unchanged for kNone).
std::string Colorize(absl::string_view text, Color color);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  void AddRow(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }

  // Renders headers and rows separated by two spaces, every line ending in
  // '\n'. `max_width` > 0 truncates the widest column so lines fit.
  std::string Render(bool color, int max_width = 0) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace relctl

#endif  // RELMON_RELCTL_TABLE_H_
