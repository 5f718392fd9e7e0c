#include "relctl/progress.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace relctl {

std::string RenderProgressLine(int64_t done, int64_t total, absl::Duration elapsed, int width) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? done / seconds : 0;
  const double fraction = total > 0 ? std::min(1.0, static_cast<double>(done) / total) : 1.0;
  std::string eta = "--:--";
  if (done >= total) {
    eta = "0:00";
  } else if (rate > 0) {
    const int64_t left = static_cast<int64_t>((total - done) / rate + 0.5);
    eta = left >= 3600 ? absl::StrFormat("%d:%02d:%02d", left / 3600, left / 60 % 60, left % 60)
                       : absl::StrFormat("%d:%02d", left / 60, left % 60);
  }
  const std::string tail = absl::StrFormat("  %d/%d  %3d%%  %.1f/s  ETA %s", done, total,
                                           static_cast<int>(fraction * 100), rate, eta);
  const int bar_width = std::max(0, std::min(40, width - static_cast<int>(tail.size()) - 2));
  if (bar_width < 5) return tail.substr(2);
  const int filled = static_cast<int>(fraction * bar_width);
  return absl::StrCat("[", std::string(filled, '#'), std::string(bar_width - filled, '.'), "]",
                      tail);
}

ProgressBar::ProgressBar(int64_t total, bool enabled, int width)
    : total_(total), enabled_(enabled), width_(width > 0 ? width : 80), start_(absl::Now()) {}

void ProgressBar::Update(int64_t done) {
  last_done_ = done;
  if (!enabled_) return;
  const absl::Time now = absl::Now();
  if (done < total_ && now - last_draw_ < absl::Milliseconds(100)) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Draw(int64_t done) {
  std::string line =
      absl::StrCat("\r\033[K", RenderProgressLine(done, total_, absl::Now() - start_, width_ - 1));
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  Draw(last_done_);
  std::fputs("\n", stderr);
  std::fflush(stderr);
}

}  // namespace relctl
