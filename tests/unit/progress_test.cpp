// The one progress report (sim/report/progress.hpp): silent off a terminal unless plain lines are asked
// for, a bar redrawn in place on one, lines printed above it never sharing its line.
#include "sim/report/progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

using namespace gsim;

namespace {

// Everything written to `f` so far.
std::string contents(FILE* f)
{
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;)
    s += char(c);
  return s;
}

} // namespace

TEST(Progress, SilentOffTerminalByDefault)
{
  FILE* f = std::tmpfile();
  {
    Progress p("run", 3, 0, {}, "", f, /*tty=*/false);
    p.detail(" (simulation)");
    p.advance(" (simulation)");
    p.above([] {});
    p.advance("");
  }
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

TEST(Progress, PlainLinesOffTerminalWhenAsked)
{
  FILE* f = std::tmpfile();
  {
    Progress p("sweep", 4, 1, {.lines_off_terminal = true}, " (1 skipped, 0 failed)", f, false);
    p.detail(" (ignored: no step done)");
    p.above([f] { std::fputs("sweep: point 2 failed: why\n", f); });
    p.advance(" (1 skipped, 1 failed)");
  }
  EXPECT_EQ(contents(f), "sweep: 1/4 done (1 skipped, 0 failed)\n"
                         "sweep: point 2 failed: why\n"
                         "sweep: 2/4 done (1 skipped, 1 failed)\n");
  std::fclose(f);
}

TEST(Progress, BarOnTerminalClearedForLinesAboveAndKeptAtTheEnd)
{
  FILE* f = std::tmpfile();
  {
    Progress p("figure all", 2, 0, {}, "", f, /*tty=*/true);
    p.advance(" (last: figure 9)");
    p.above([f] { std::fputs("figure 9: written\n", f); });
    p.advance(" (last: a label far longer than the line has room for)");
  }
  const std::string s = contents(f);
  EXPECT_NE(s.find("\r\033[Kfigure all [###############...............] 1/2 done (last: figure 9) "), s.npos) << s;
  EXPECT_NE(s.find("\r\033[Kfigure 9: written\n\r\033[Kfigure all [#"), s.npos) << s; // cleared, printed, redrawn
  EXPECT_NE(s.find("2/2 done (last: a label far l... "), s.npos) << s;                // cut to fit 80 columns
  EXPECT_EQ(s.back(), '\n');                                                          // kept
  std::fclose(f);
}

TEST(Progress, DelayedOnTerminalShowsNothingForAQuickJob)
{
  FILE* f = std::tmpfile();
  {
    Progress p("run", 7, 0, {.delay_s = 60, .keep = false}, "", f, true);
    for (int i = 0; i < 7; i++)
      p.advance(" (stage)");
  }
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}
