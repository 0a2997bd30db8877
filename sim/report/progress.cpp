#include "sim/report/progress.hpp"

#include <unistd.h>

namespace gsim {

namespace {
constexpr int kBarWidth       = 30;
constexpr size_t kDetailWidth = 24;
} // namespace

Progress::Progress(std::string label, size_t total, size_t done, ProgressStyle style, std::string detail)
    : Progress(std::move(label), total, done, style, std::move(detail), stderr, ::isatty(STDERR_FILENO) == 1)
{
}

Progress::Progress(std::string label, size_t total, size_t done, ProgressStyle style, std::string detail, FILE* out,
                   bool tty)
    : label_(std::move(label)), total_(total), done_(done), style_(style), out_(out), tty_(tty),
      detail_(std::move(detail)), start_(std::chrono::steady_clock::now())
{
  {
    std::lock_guard lock(mutex_);
    draw(true);
  }
  if (tty_) // only a terminal is redrawn: off one, nothing may depend on wall time
    ticker_ = std::thread([this] { tick(); });
}

Progress::~Progress()
{
  finish();
}

void Progress::tick()
{
  std::unique_lock lock(mutex_);
  while (not finished_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (not finished_)
      draw(false);
  }
}

void Progress::advance(const std::string& detail)
{
  std::lock_guard lock(mutex_);
  done_++;
  detail_ = detail;
  draw(true);
}

void Progress::detail(const std::string& detail)
{
  std::lock_guard lock(mutex_);
  detail_ = detail;
  draw(false);
}

void Progress::above(const std::function<void()>& print)
{
  std::lock_guard lock(mutex_);
  if (tty_ && drawn_)
    std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  print();
  std::fflush(stdout);
  if (tty_ && drawn_)
    draw(false);
}

void Progress::finish()
{
  {
    std::lock_guard lock(mutex_);
    if (finished_)
      return;
    finished_ = true;
    if (tty_ && drawn_)
      std::fprintf(out_, style_.keep ? "\n" : "\r\033[K");
    std::fflush(out_);
  }
  wake_.notify_all();
  if (ticker_.joinable())
    ticker_.join();
}

void Progress::draw(bool plain_line)
{
  if (finished_)
    return;
  if (not tty_) {
    if (plain_line && style_.lines_off_terminal)
      std::fprintf(out_, "%s: %zu/%zu done%s\n", label_.c_str(), done_, total_, detail_.c_str());
    return;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (elapsed < style_.delay_s)
    return;
  const int filled = total_ ? int(double(kBarWidth) * double(done_) / double(total_)) : kBarWidth;
  std::string bar(size_t(filled), '#');
  bar.resize(kBarWidth, '.');
  // Cut so that the line fits an 80-column terminal: a wrapped line cannot be redrawn in place.
  const std::string detail = detail_.size() > kDetailWidth ? detail_.substr(0, kDetailWidth - 3) + "..." : detail_;
  std::fprintf(out_, "\r\033[K%s [%s] %zu/%zu done%s %.0f s", label_.c_str(), bar.c_str(), done_, total_,
               detail.c_str(), elapsed);
  std::fflush(out_);
  drawn_ = true;
}

} // namespace gsim
