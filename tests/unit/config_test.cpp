// The experiment loader: unit conversion, file resolution, --set, and one-line errors.
#include "models/config.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace gsim;

TEST(Config, DefaultExperimentLoadsWithSiUnits)
{
  const auto e = load_experiment("configs/p4d16.json");
  EXPECT_EQ(e.instances, 16);
  EXPECT_EQ(e.gpus(), 128);
  EXPECT_EQ(e.cluster.name, "p4d.24xlarge");
  EXPECT_DOUBLE_EQ(e.cluster.instance_Bps(), 400e9 / 8); // 4 x 100 Gbps EFA
  EXPECT_DOUBLE_EQ(e.cluster.gpu.peak_flops(Dtype::fp16), 312e12);
  EXPECT_DOUBLE_EQ(e.storage.bandwidth_Bps, 20e9 / 8);
  EXPECT_DOUBLE_EQ(e.checkpoint.gpu_buffer_bytes, 128.0 * 1024 * 1024);
  EXPECT_EQ(e.checkpoint.scheme, Scheme::gemini);
  EXPECT_EQ(e.model.layers, 124);
  EXPECT_TRUE(e.effective["cluster"].is_object()); // the echoed config has the files inlined
}

TEST(Config, SetOverridesNumbersStringsAndNestedFileKeys)
{
  const auto e =
      load_experiment("configs/p4d16.json", {"instances=32", "checkpoint.scheme=none", "cluster.nic.bandwidth_Gbps=200",
                                             "model=models/bert-40b.json"});
  EXPECT_EQ(e.instances, 32);
  EXPECT_EQ(e.checkpoint.scheme, Scheme::none);
  EXPECT_DOUBLE_EQ(e.cluster.nic_Bps, 200e9 / 8);
  EXPECT_EQ(e.model.family, "bert");
}

TEST(Config, EveryShippedExperimentLoads)
{
  for (const auto& f : std::filesystem::directory_iterator("configs")) {
    if (f.path().extension() == ".json") {
      EXPECT_NO_THROW(load_experiment(f.path().string())) << f.path();
    }
  }
}

namespace {
std::string error_of(const std::vector<std::string>& sets, const std::string& file = "configs/p4d16.json")
{
  return load_error(file, sets);
}
} // namespace

TEST(Config, ErrorsNameTheFileTheKeyAndTheProblem)
{
  EXPECT_EQ(error_of({"checkpoint.shceme=none"}),
            "configs/p4d16.json (--set): checkpoint.shceme: unknown key (did you mean \"checkpoint.scheme\"?)");
  EXPECT_EQ(error_of({"instances=\"many\""}),
            "configs/p4d16.json (--set): instances: must be an integer, got \"many\"");
  EXPECT_EQ(error_of({"checkpoint.mu=1.5"}),
            "configs/p4d16.json (--set): checkpoint.mu: must be in [1e-06, 1], got 1.5");
  EXPECT_NE(error_of({"checkpoint.replicas=17"}).find("checkpoint.replicas: m = 17 exceeds the 16 instances"),
            std::string::npos);
  EXPECT_NE(error_of({"checkpoint.gpu_buffer_MiB=50000"}).find("does not fit in the GPU's memory"), std::string::npos);
  EXPECT_NE(error_of({"model=models/nope.json"}).find("model: file configs/models/nope.json does not exist"),
            std::string::npos);
  EXPECT_EQ(error_of({"no_equals_sign"}),
            "--set: no_equals_sign: expected key=value (for example checkpoint.scheme=none)");
}

TEST(Config, ErrorsInsideAClusterFileNameThatFile)
{
  auto dir = std::filesystem::temp_directory_path() / "gsim_config_test";
  std::filesystem::create_directories(dir / "clusters");
  std::filesystem::copy_file("configs/clusters/p4d.json", dir / "clusters/bad.json",
                             std::filesystem::copy_options::overwrite_existing);
  {
    auto j                     = nlohmann::json::parse(std::ifstream("configs/clusters/p4d.json"));
    j["nic"]["bandwidth_Gbps"] = -1;
    std::ofstream(dir / "clusters/bad.json") << j.dump();
    auto x       = nlohmann::json::parse(std::ifstream("configs/p4d16.json"));
    x["cluster"] = "clusters/bad.json";
    x["model"]   = std::filesystem::absolute("configs/models/gpt2-100b.json").string();
    std::ofstream(dir / "exp.json") << x.dump();
  }
  const std::string what = error_of({}, (dir / "exp.json").string());
  EXPECT_NE(what.find("clusters/bad.json: cluster.nic.bandwidth_Gbps: must be in [0,"), std::string::npos) << what;
  std::filesystem::remove_all(dir);
}
