#include "models/idle_profile.hpp"

#include "models/config_error.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gsim {

namespace {

// The profile is in milliseconds; the threshold in the config is converted with the same factor, so a gap
// equal to the threshold compares equal (and is dropped, as the artifact's strict '>' drops it).
constexpr double kMs = 1e-3;

std::vector<std::string> tokens(const std::string& line)
{
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string t;
  while (in >> t)
    out.push_back(t);
  return out;
}

double parse_ms(const std::string& t, const std::string& file, const std::string& where)
{
  double v        = 0;
  const char* end = t.data() + t.size();
  const auto res  = std::from_chars(t.data(), end, v);
  if (res.ec != std::errc() || res.ptr != end || not std::isfinite(v))
    throw ConfigError(file, where, "'" + t + "' is not a number of milliseconds");
  if (v < 0)
    throw ConfigError(file, where, "negative idle time " + t + " ms");
  return v * kMs;
}

} // namespace

IdleProfile read_idle_profile(const std::string& file)
{
  std::ifstream in(file);
  if (not in)
    throw ConfigError(file, "idle profile", "cannot open the file");
  IdleProfile p;
  p.file = file;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  // Blank lines at the end (a trailing newline, an editor's) are not iterations; anywhere else they are.
  while (not lines.empty() && tokens(lines.back()).empty())
    lines.pop_back();
  if (lines.empty())
    throw ConfigError(file, "line 1", "the profile is empty (one line of idle spans per iteration expected)");

  for (size_t n = 0; n < lines.size(); n++) {
    const std::string where = "line " + std::to_string(n + 1);
    const auto t            = tokens(lines[n]);
    if (t.empty())
      throw ConfigError(file, where, "empty line (an iteration without idle spans)");
    size_t dash = t.size();
    for (size_t i = 0; i < t.size(); i++)
      if (t[i] == "-") {
        if (dash != t.size())
          throw ConfigError(file, where, "more than one '-' separator");
        dash = i;
      }
    if (dash == t.size())
      throw ConfigError(file, where, "no '-' separator (the artifact writes the gaps, '-', then the iteration time)");
    if (dash == 0)
      throw ConfigError(file, where, "no idle span before '-'");
    if (dash + 1 == t.size())
      throw ConfigError(file, where, "nothing after '-' (the artifact writes the reduce-scatter-free intervals there)");
    std::vector<double> gaps, trailer;
    for (size_t i = 0; i < dash; i++)
      gaps.push_back(parse_ms(t[i], file, where));
    for (size_t i = dash + 1; i < t.size(); i++)
      trailer.push_back(parse_ms(t[i], file, where));
    p.gaps_s.push_back(std::move(gaps));
    p.trailer_s.push_back(std::move(trailer));
  }
  return p;
}

std::vector<std::vector<double>> IdleProfile::values_s() const
{
  std::vector<std::vector<double>> out;
  for (size_t i = 0; i < gaps_s.size(); i++) {
    out.push_back(gaps_s[i]);
    out.back().insert(out.back().end(), trailer_s[i].begin(), trailer_s[i].end());
  }
  return out;
}

double ReducedSpans::kept_total_s() const
{
  double s = 0;
  for (const auto& k : kept)
    s += k.seconds;
  return s;
}

std::vector<double> ReducedSpans::kept_seconds() const
{
  std::vector<double> out;
  for (const auto& k : kept)
    out.push_back(k.seconds);
  return out;
}

ReducedSpans reduce_idle_spans(const std::vector<std::vector<double>>& spans_s, int warmup, double threshold_s)
{
  if (warmup < 0)
    throw std::invalid_argument("negative warm-up count");
  ReducedSpans r;
  r.iterations_total = int(spans_s.size());
  if (warmup >= r.iterations_total)
    throw std::invalid_argument("the " + std::to_string(warmup) + " warm-up iterations leave none of the " +
                                std::to_string(r.iterations_total) + " to reduce");
  r.iterations_used = r.iterations_total - warmup;
  for (size_t it = size_t(warmup); it < spans_s.size(); it++)
    for (size_t i = 0; i < spans_s[it].size(); i++) {
      const double v = spans_s[it][i];
      if (not(v >= 0) || not std::isfinite(v))
        throw std::invalid_argument("iteration " + std::to_string(it) + ", span " + std::to_string(i) +
                                    ": not a finite non-negative time");
      if (i == r.min_s.size())
        r.min_s.push_back(v);
      else
        r.min_s[i] = std::min(r.min_s[i], v);
    }
  for (size_t i = 0; i < r.min_s.size(); i++)
    if (r.min_s[i] > threshold_s)
      r.kept.push_back({int(i), r.min_s[i]});
  return r;
}

ReducedSpans reduce_idle_profile(const IdleProfile& profile, int warmup, double threshold_s)
{
  if (warmup >= int(profile.gaps_s.size()))
    throw ConfigError(profile.file, "checkpoint.profile_warmup_lines",
                      "skipping " + std::to_string(warmup) + " warm-up lines leaves none of the profile's " +
                          std::to_string(profile.gaps_s.size()));
  return reduce_idle_spans(profile.values_s(), warmup, threshold_s);
}

} // namespace gsim
