#include "sim/sweep/sweep_progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace gsim {

namespace {
constexpr int kBarWidth = 30;
}

SweepProgress::SweepProgress(size_t total, size_t skipped)
    : tty_(::isatty(STDERR_FILENO) == 1), total_(total), done_(skipped), skipped_(skipped)
{
  report();
}

void SweepProgress::point_done(const std::string& failure)
{
  done_++;
  if (not failure.empty()) {
    failed_++;
    std::fprintf(stderr, "%ssweep: %s\n", tty_ ? "\r\033[K" : "", failure.c_str());
  }
  report();
}

void SweepProgress::finish()
{
  if (tty_)
    std::fprintf(stderr, "\n");
}

void SweepProgress::report()
{
  if (not tty_) {
    std::fprintf(stderr, "sweep: %zu/%zu done (%zu skipped, %zu failed)\n", done_, total_, skipped_, failed_);
    return;
  }
  const int filled = total_ ? int(double(kBarWidth) * double(done_) / double(total_)) : kBarWidth;
  std::string bar(size_t(filled), '#');
  bar.resize(kBarWidth, '.');
  std::fprintf(stderr, "\r\033[Ksweep [%s] %zu/%zu done (%zu skipped, %zu failed)", bar.c_str(), done_, total_,
               skipped_, failed_);
}

} // namespace gsim
