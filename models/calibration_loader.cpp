// Reads traces/calibration/<gpu>/*.json (Google Benchmark JSON, schema in traces/calibration/README.md)
// into Series: one per benchmark family and rank count, one point per benchmark name, the median over
// its repetitions. Every malformed input is a ConfigError naming the file and the entry.
#include "models/alpha_beta_fit.hpp"
#include "models/calibration.hpp"
#include "models/config_error.hpp"
#include "models/json_reader.hpp"
#include "models/measuring_cluster.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

namespace gsim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The numeric attributes the benchmarks may report, as user counters (schema: README.md).
// The kernel variants (kernels.json) are keyed by their shape counters and priced per entry, not fitted
// (models/kernel_cost.cpp): they report min_bytes and model_flops, not bytes or flops.
const std::vector<std::string> kCounters = {
    "bytes",         "ranks",          "m",       "n",          "k",          "batch",
    "flops",         "tflops",         "GBps",    "algbw_GBps", "busbw_GBps", "concurrent_gpus",
    "slowdown_comm", "slowdown_other", "b",       "s",          "heads",      "kv_heads",
    "head_dim",      "causal",         "dropout", "tokens",     "width",      "min_bytes",
    "model_flops"};
// Counters that tell series apart within a family: the same family on 1 and 2 GPUs are two curves.
const std::vector<std::string> kSeriesCounters = {"ranks", "concurrent_gpus"};
// Context keys the benchmark binaries add, echoed as the machine description.
const std::vector<std::string> kContextKeys = {
    "gpu_name",       "gpu_count",    "driver_version", "cuda_runtime_version",
    "cublas_version", "nccl_version", "host_name",      "date"};

struct Point {
  std::string file;
  std::string family;
  std::string name;
  std::string label;
  std::vector<double> times_s;
  std::map<std::string, std::vector<double>> counters;
};

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double time_unit_s(const std::string& unit, const std::string& file, const std::string& where)
{
  if (unit == "ns")
    return 1e-9;
  if (unit == "us")
    return 1e-6;
  if (unit == "ms")
    return 1e-3;
  if (unit == "s")
    return 1;
  throw ConfigError(file, where + ".time_unit", "must be one of ns, us, ms, s; got \"" + unit + "\"");
}

std::string counter_text(double v)
{
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string scalar_text(const json& v)
{
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Google Benchmark writes a non-finite counter as a bare NaN / Infinity / -Infinity token (e.g. the cv
// aggregate of a busbw that is 0 on one GPU: 0 / 0), which is not JSON. Outside strings, such tokens become
// null, so the file parses; an entry we use that holds one is then reported as not a number.
std::string nonfinite_to_null(const std::string& text)
{
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    bool replaced = false;
    for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
      const std::string t = token;
      if (text.compare(i, t.size(), t) == 0) {
        out += "null";
        i += t.size() - 1;
        replaced = true;
        break;
      }
    }
    if (not replaced)
      out += c;
  }
  return out;
}

json parse_benchmark_file(const std::string& file)
{
  std::ifstream in(file);
  if (not in)
    throw ConfigError(file, "(file)", "cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(nonfinite_to_null(text.str()));
  } catch (const json::parse_error& e) {
    throw ConfigError(file, "(syntax)", "not valid JSON at byte " + std::to_string(e.byte));
  }
}

// One file: its context keys into `context`, its benchmark entries into `points` (keyed by file + name).
void read_file(const std::string& file, std::map<std::string, Point>& points,
               std::map<std::string, std::string>& context)
{
  const json doc = parse_benchmark_file(file);
  if (not doc.is_object())
    throw ConfigError(file, "(root)", "must be a JSON object (Google Benchmark --benchmark_format=json)");
  if (doc.contains("context")) {
    const json& c = doc["context"];
    if (not c.is_object())
      throw ConfigError(file, "context", "must be an object");
    for (const auto& key : kContextKeys)
      if (c.contains(key)) {
        if (not c[key].is_string() && not c[key].is_number())
          throw ConfigError(file, "context." + key, "must be a string or a number, got " + c[key].dump());
        context[key] = scalar_text(c[key]);
      }
  }
  if (not doc.contains("benchmarks"))
    throw ConfigError(file, "benchmarks", "missing key");
  const json& list = doc["benchmarks"];
  if (not list.is_array())
    throw ConfigError(file, "benchmarks", "must be an array");

  for (size_t i = 0; i < list.size(); i++) {
    const json& b    = list[i];
    std::string here = "benchmarks[" + std::to_string(i) + "]";
    if (not b.is_object())
      throw ConfigError(file, here, "must be an object");
    auto text = [&](const std::string& key) -> std::string {
      if (not b[key].is_string())
        throw ConfigError(file, here + "." + key, "must be a string, got " + b[key].dump());
      return b[key].get<std::string>();
    };
    const std::string key_name = b.contains("run_name") ? "run_name" : "name";
    if (not b.contains(key_name))
      throw ConfigError(file, here + ".name", "missing key");
    const std::string name = text(key_name);
    here += " (" + name + ")";
    if (b.contains("run_type") && text("run_type") == "aggregate")
      continue; // we take medians ourselves, over the repetitions
    if (b.contains("error_occurred")) {
      if (not b["error_occurred"].is_boolean())
        throw ConfigError(file, here + ".error_occurred", "must be true or false, got " + b["error_occurred"].dump());
      if (b["error_occurred"].get<bool>())
        continue; // e.g. a 2-GPU benchmark on a 1-GPU machine: SkipWithError
    }
    if (not b.contains("real_time"))
      throw ConfigError(file, here + ".real_time", "missing key");
    if (not b["real_time"].is_number() || not std::isfinite(b["real_time"].get<double>()) ||
        b["real_time"].get<double>() <= 0)
      throw ConfigError(file, here + ".real_time", "must be a positive number, got " + b["real_time"].dump());
    const std::string unit = b.contains("time_unit") ? text("time_unit") : "ns";

    Point& p = points[file + "\n" + name];
    p.file   = file;
    p.name   = name;
    p.family = name.substr(0, name.find('/'));
    if (b.contains("label"))
      p.label = text("label");
    p.times_s.push_back(b["real_time"].get<double>() * time_unit_s(unit, file, here));
    for (const auto& c : kCounters)
      if (b.contains(c)) {
        if (not b[c].is_number() || not std::isfinite(b[c].get<double>()))
          throw ConfigError(file, here + "." + c,
                            "must be a finite number, got " + (b[c].is_null() ? "NaN or infinity" : b[c].dump()));
        p.counters[c].push_back(b[c].get<double>());
      }
  }
}

// The size a point is priced by: bytes moved, or FLOPs for a GEMM; 0 when the benchmark reports neither
// (e.g. an interference benchmark that only reports slowdowns): such a series is loaded but not fitted.
double point_size(const std::map<std::string, double>& c)
{
  if (c.count("bytes"))
    return c.at("bytes");
  if (c.count("m") && c.count("n") && c.count("k"))
    return 2 * c.at("m") * c.at("n") * c.at("k") * (c.count("batch") ? c.at("batch") : 1);
  if (c.count("flops"))
    return c.at("flops");
  return 0;
}

} // namespace

bool is_gemm_family(const std::string& family)
{
  return family.rfind("gemm", 0) == 0;
}

std::string Series::key() const
{
  std::string k = family;
  for (const auto& [name, value] : labels)
    if (name != "dtype")
      k += " " + name + "=" + value;
  return k;
}

namespace {

// The points grouped into series: family x (ranks, concurrent_gpus), per file; medians over repetitions.
std::map<std::string, Series> series_of(const std::map<std::string, Point>& points)
{
  std::map<std::string, Series> by_key;
  for (const auto& [id, p] : points) {
    std::map<std::string, double> c;
    for (const auto& [name, values] : p.counters)
      c[name] = median(values);
    std::map<std::string, std::string> labels;
    for (const auto& name : kSeriesCounters)
      if (c.count(name))
        labels[name] = counter_text(c[name]);
    for (const char* dtype : {"fp16", "bf16", "fp32"})
      if (is_gemm_family(p.family) && p.family.size() > 4 && p.family.compare(p.family.size() - 4, 4, dtype) == 0)
        labels["dtype"] = dtype;
    std::string key = p.file + "\n" + p.family;
    for (const auto& [k, v] : labels)
      key += " " + k + "=" + v;
    Series& s = by_key[key];
    s.file    = source_relative(p.file);
    s.family  = p.family;
    s.labels  = labels;
    s.sizes.push_back(point_size(c));
    s.median_s.push_back(median(p.times_s));
    s.min_s.push_back(*std::min_element(p.times_s.begin(), p.times_s.end()));
    s.max_s.push_back(*std::max_element(p.times_s.begin(), p.times_s.end()));
    s.names.push_back(p.name);
    s.point_labels.push_back(p.label);
    s.counters.push_back(c);
    s.repetitions.push_back(static_cast<int>(p.times_s.size()));
  }
  return by_key;
}

// Sorts a series' points by size (then name, for equal sizes: the fits need ascending sizes) and fits it.
void order_and_fit(Series& s)
{
  std::vector<size_t> order(s.sizes.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return s.sizes[a] != s.sizes[b] ? s.sizes[a] < s.sizes[b] : s.names[a] < s.names[b];
  });
  auto permute = [&](auto& v) {
    auto copy = v;
    for (size_t i = 0; i < order.size(); i++)
      v[i] = copy[order[i]];
  };
  permute(s.sizes);
  permute(s.median_s);
  permute(s.min_s);
  permute(s.max_s);
  permute(s.names);
  permute(s.point_labels);
  permute(s.counters);
  permute(s.repetitions);
  // A GEMM's time depends on its shape, not on its FLOPs alone: GEMMs are priced per shape
  // (models/gemm_efficiency.hpp), so no alpha-beta line is fitted through them.
  if (not is_gemm_family(s.family) && s.sizes.front() > 0)
    s.fit = fit_piecewise(s.sizes, s.median_s);
}

} // namespace

Calibration Calibration::load(const std::string& dir)
{
  if (not fs::is_directory(dir))
    throw ConfigError(dir, "(directory)", "calibration directory does not exist");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw ConfigError(dir, "(directory)", "holds no *.json calibration files");

  Calibration cal;
  cal.dir_ = dir;
  std::map<std::string, Point> points;
  std::map<std::string, std::set<std::string>> context_values;
  std::string gpu_file; // a file that named the GPU, for error messages
  for (const auto& f : files) {
    std::map<std::string, std::string> context;
    read_file(f, points, context);
    for (const auto& [k, v] : context)
      context_values[k].insert(v);
    if (context.count("gpu_name")) {
      if (not gpu_file.empty() && *context_values["gpu_name"].begin() != context["gpu_name"])
        throw ConfigError(f, "context.gpu_name",
                          "\"" + context["gpu_name"] + "\" differs from " + gpu_file +
                              ": one calibration directory holds one GPU model");
      gpu_file = f;
    }
  }
  if (gpu_file.empty())
    throw ConfigError(dir, "context.gpu_name", "no file says which GPU it measured");
  for (const auto& [k, values] : context_values) {
    std::string joined;
    for (const auto& v : values)
      joined += (joined.empty() ? "" : "; ") + v;
    cal.machine_[k] = joined;
  }
  if (context_values.count("gpu_count")) { // a 1-GPU and a 2-GPU run: the machine had the most
    double most = 0;
    for (const auto& v : context_values["gpu_count"])
      most = std::max(most, std::atof(v.c_str()));
    cal.machine_["gpu_count"] = counter_text(most);
  }

  std::set<std::string> keys;
  for (auto& [id, s] : series_of(points)) {
    if (not keys.insert(s.key()).second)
      throw ConfigError(s.file, s.family, "series \"" + s.key() + "\" is measured in two files of " + dir);
    order_and_fit(s);
    cal.series_.push_back(std::move(s));
  }
  std::sort(cal.series_.begin(), cal.series_.end(), [](const Series& a, const Series& b) { return a.key() < b.key(); });

  // The cluster files beside the calibration (its data root), so that a checkout, an installed tree and a
  // test fixture under tests/data each find their own configs/clusters.
  const std::string root = data_root_for(dir);
  cal.measured_on_       = cluster_for_gpu(cal.machine_.at("gpu_name"), (fs::path(root) / "configs/clusters").string(),
                                           source_relative(gpu_file));
  return cal;
}

const Series* Calibration::find(const std::string& family, int ranks) const
{
  const Series* best = nullptr;
  for (const auto& s : series_) {
    if (s.family != family)
      continue;
    const int r = s.labels.count("ranks") ? std::atoi(s.labels.at("ranks").c_str()) : 0;
    if (ranks > 0 && r != ranks)
      continue;
    const int best_r = best && best->labels.count("ranks") ? std::atoi(best->labels.at("ranks").c_str()) : -1;
    if (best == nullptr || r > best_r)
      best = &s;
  }
  return best;
}

const Calibration& Calibration::cached(const std::string& dir)
{
  static std::map<std::string, Calibration> loaded;
  if (auto it = loaded.find(dir); it != loaded.end())
    return it->second;
  bool any = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    any = any || e.path().extension() == ".json";
  if (not any)
    throw ConfigError(source_relative(dir), "(directory)",
                      "no calibration committed here: run the GPU microbenchmarks (bench/gpu, scripts) and commit "
                      "their JSON, or point run.calibration at one");
  return loaded.emplace(dir, load(dir)).first->second;
}

} // namespace gsim
