// ProgressBar: the one-line progress display of `relctl ingest` (count,
// percentage, rate and ETA), redrawn in place on a terminal's stderr.
#ifndef RELMON_RELCTL_PROGRESS_H_
#define RELMON_RELCTL_PROGRESS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace relctl {

// "[#########.........]  45/100  45%  12.3/s  ETA 0:04" fitted in `width`
// columns (the bar shrinks first).
std::string RenderProgressLine(int64_t done, int64_t total, absl::Duration elapsed, int width);

class ProgressBar {
 public:
  // Draws nothing unless `enabled` (stderr is a terminal and not --quiet).
  ProgressBar(int64_t total, bool enabled, int width);
  // Redraws at most ten times a second (and always for the last item).
  void Update(int64_t done);
  // Draws the final state and ends the line.
  void Finish();

 private:
  void Draw(int64_t done);
  int64_t total_;
  bool enabled_;
  int width_;
  int64_t last_done_ = 0;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
};

}  // namespace relctl

#endif  // RELMON_RELCTL_PROGRESS_H_
