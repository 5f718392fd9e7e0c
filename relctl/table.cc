#include "relctl/table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace relctl {
namespace {

const char* EscapeFor(Color color) {
  switch (color) {
    case Color::kRed:
      return "\033[31m";
    case Color::kYellow:
      return "\033[33m";
    case Color::kGreen:
      return "\033[32m";
    case Color::kBrightGreen:
      return "\033[1;32m";
    case Color::kCyan:
      return "\033[36m";
    case Color::kDim:
      return "\033[2m";
    case Color::kBold:
      return "\033[1m";
    case Color::kNone:
      return "";
  }
  return "";
}

}  // namespace

int DisplayWidth(absl::string_view text) {
  int width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

std::string TruncateToWidth(absl::string_view text, int width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width <= 0) return "";
  // Keep width-1 code points, then the ellipsis.
  int kept = 0;
  size_t end = 0;
  while (end < text.size()) {
    size_t next = end + 1;
    while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
    if (kept + 1 > width - 1) break;
    ++kept;
    end = next;
  }
  return absl::StrCat(text.substr(0, end), "…");
}

std::string Colorize(absl::string_view text, Color color) {
  if (color == Color::kNone) return std::string(text);
  return absl::StrCat(EscapeFor(color), text, "\033[0m");
}

std::string Table::Render(bool color, int max_width) const {
  const size_t columns = headers_.size();
  std::vector<int> widths(columns, 0);
  for (size_t c = 0; c < columns; ++c) widths[c] = DisplayWidth(headers_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < columns && c < row.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c].text));
    }
  }
  if (max_width > 0 && columns > 0) {
    int total = 0;
    for (int w : widths) total += w;
    total += 2 * static_cast<int>(columns - 1);
    if (total > max_width) {
      size_t widest = std::max_element(widths.begin(), widths.end()) - widths.begin();
      widths[widest] = std::max(8, widths[widest] - (total - max_width));
    }
  }
  std::string out;
  auto append_line = [&](const std::vector<Cell>& cells, bool header) {
    std::string line;
    for (size_t c = 0; c < columns; ++c) {
      std::string text = c < cells.size() ? TruncateToWidth(cells[c].text, widths[c]) : "";
      const bool last = c + 1 == columns;
      const int pad = last ? 0 : widths[c] - DisplayWidth(text);
      Color cell_color = header ? Color::kBold : (c < cells.size() ? cells[c].color : Color::kNone);
      absl::StrAppend(&line, color ? Colorize(text, cell_color) : text, std::string(pad, ' '),
                      last ? "" : "  ");
    }
    // No trailing blanks (the last column is not padded, but may be empty).
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  };
  std::vector<Cell> header_cells(headers_.begin(), headers_.end());
  append_line(header_cells, true);
  for (const auto& row : rows_) append_line(row, false);
  return out;
}

}  // namespace relctl
