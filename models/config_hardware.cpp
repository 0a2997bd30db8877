// The cluster and model files an experiment names (models/config_detail.hpp says why this is a file of its
// own): read, validated and converted to SI units.
#include "models/config_detail.hpp"

#include "models/calibration_paths.hpp"

#include <filesystem>

namespace gsim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace config_detail {

namespace {

GpuSpec read_gpu(JsonReader r)
{
  GpuSpec g;
  g.name            = r.string("name");
  g.peak_flops_fp16 = r.number("peak_tflops_fp16", 1e-3, 1e6) * 1e12;
  g.peak_flops_bf16 = r.number("peak_tflops_bf16", 0, 1e6) * 1e12; // 0: not supported (V100)
  g.peak_flops_fp32 = r.number("peak_tflops_fp32", 1e-3, 1e6) * 1e12;
  g.hbm_bytes       = r.number("hbm_GiB", 1e-3, 1e6) * kGiB;
  g.hbm_Bps         = r.number("hbm_bandwidth_GBps", 1e-3, 1e6) * 1e9;
  g.matmul_ceiling  = r.number_or("matmul_ceiling", 0, 0, 1); // 0: none published (datasheet transfer)
  r.finish();
  return g;
}

// A published efficiency file named by `key` of `r`, relative to traces/calibration of the cluster file's
// data root (models/calibration_paths.hpp), e.g. "published/efa.json": the published numbers belong to the
// calibration data, and a cluster file copied out of the tree still finds them.
PublishedNetwork read_published(JsonReader& r, const std::string& key, const std::string& cluster_file)
{
  const std::string name = r.string(key);
  const std::string root = data_root_for(cluster_file);
  const fs::path base    = root.empty() ? fs::path(cluster_file).parent_path() : fs::path(root) / "traces/calibration";
  const std::string f    = (base / name).lexically_normal().string();
  if (const auto problem = file_problem(f); name.empty() || not problem.empty())
    r.fail(key, "\"" + name + "\" (relative to traces/calibration): " + (name.empty() ? "an empty path" : problem));
  return load_published_network(f);
}

} // namespace

ClusterSpec read_cluster(const json& j, const std::string& file, const std::string& path, KeyLog* log)
{
  JsonReader r(j, file, path, log);
  ClusterSpec c;
  c.file              = file;
  c.name              = r.string("name");
  c.gpus_per_instance = int(r.integer("gpus_per_instance", 1, 64));
  c.gpu               = read_gpu(r.object("gpu"));
  {
    auto n            = r.object("intra_node");
    c.intra_kind      = read_enum<IntraNode>(n, "kind");
    c.intra_Bps       = n.number("bandwidth_GBps", 1e-3, 1e6) * 1e9;
    c.intra_latency_s = n.number("latency_us", 0, 1e6) * 1e-6;
    c.nvlink          = read_published(n, "efficiency_file", file);
    n.finish();
  }
  {
    auto p                 = r.object("pcie");
    c.pcie_Bps             = p.number("gpu_cpu_bandwidth_GBps", 1e-3, 1e6) * 1e9;
    c.pcie_latency_s       = p.number("latency_us", 0, 1e6) * 1e-6;
    c.gpus_per_pcie_switch = int(p.integer("gpus_per_switch", 1, 64));
    c.pcie_switch_Bps      = p.number("switch_uplink_GBps", 1e-3, 1e6) * 1e9;
    p.finish();
    if (c.gpus_per_instance % c.gpus_per_pcie_switch != 0)
      r.fail("pcie.gpus_per_switch", "must divide gpus_per_instance (" + std::to_string(c.gpus_per_instance) + ")");
  }
  {
    auto n          = r.object("nic");
    c.nics          = int(n.integer("count", 0, 64));
    c.nic_Bps       = n.number("bandwidth_Gbps", 0, 1e6) * 1e9 / 8;
    c.nic_latency_s = n.number("latency_us", 0, 1e6) * 1e-6;
    if (c.nics > 0 || n.has("efficiency_file")) { // a cluster without NICs has no network to price
      c.network      = read_published(n, "efficiency_file", file);
      c.network_note = n.string("efficiency_note");
    }
    n.finish();
    if (c.nics > c.gpus_per_instance && c.nics % c.gpus_per_instance != 0) // models/topology.hpp: NIC ports
      n.fail("count", std::to_string(c.nics) + " NICs above the " + std::to_string(c.gpus_per_instance) +
                          " GPUs must be a multiple of them (each GPU drives an equal share, as p5's 4 EFA per GPU)");
    if (c.nics > 0 && c.nic_Bps < 1e-3 * 1e9 / 8) // 0 only for a cluster without NICs (h200.json)
      n.fail("bandwidth_Gbps", "must be at least 0.001 when count > 0, got " + std::to_string(c.nic_Bps * 8 / 1e9));
  }
  c.cpu_memory_bytes        = r.number("cpu_memory_GiB", 1e-3, 1e9) * kGiB;
  c.framework_reserve_bytes = r.number("framework_reserve_GiB", 0, 1e6) * kGiB;
  r.finish();
  if (c.framework_reserve_bytes >= c.gpu.hbm_bytes)
    r.fail("framework_reserve_GiB", "must be smaller than gpu.hbm_GiB");
  return c;
}

ModelSpec read_model(const json& j, const std::string& file, const std::string& path, KeyLog* log)
{
  JsonReader r(j, file, path, log);
  ModelSpec m;
  m.file          = file;
  m.name          = r.string("name");
  m.family        = r.choice("family", {"gpt2", "bert", "roberta", "llama"});
  m.layers        = int(r.integer("layers", 1, 100000));
  m.hidden        = int(r.integer("hidden", 1, 1 << 20));
  m.intermediate  = int(r.integer("intermediate", 1, 1 << 22));
  m.heads         = int(r.integer("heads", 1, 1 << 12));
  m.kv_heads      = int(r.integer_or("kv_heads", m.heads, 1, 1 << 12));
  m.vocab         = int(r.integer("vocab", 1, 1 << 24));
  m.max_positions = int(r.integer("max_positions", 1, 1 << 24));
  // Defaults as the HF classes: GPT-2, BERT and RoBERTa tie their output head, Llama does not (ModelSpec).
  m.tie_embeddings = r.boolean_or("tie_embeddings", not m.is_llama());
  r.finish();
  if (m.hidden % m.heads != 0)
    r.fail("heads", "must divide hidden (" + std::to_string(m.hidden) + ")");
  if (m.heads % m.kv_heads != 0)
    r.fail("kv_heads", "must divide heads (" + std::to_string(m.heads) + "): each key/value head serves a whole group");
  if (not m.is_llama() && m.kv_heads != m.heads)
    r.fail("kv_heads", "grouped-query attention (kv_heads < heads) is modelled for family llama only; " + m.family +
                           " has kv_heads = heads (" + std::to_string(m.heads) + ")");
  return m;
}

} // namespace config_detail

using namespace config_detail;

double GpuSpec::peak_flops(Dtype d) const
{
  switch (d) {
  case Dtype::fp16:
    return peak_flops_fp16;
  case Dtype::bf16:
    return peak_flops_bf16;
  case Dtype::fp32:
    return peak_flops_fp32;
  }
  return 0;
}

ClusterSpec load_cluster(const std::string& file)
{
  return read_cluster(read_json_file(file), file, "");
}
ModelSpec load_model(const std::string& file)
{
  return read_model(read_json_file(file), file, "");
}

} // namespace gsim
