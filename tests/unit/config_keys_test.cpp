// The config key registry (`gemini-sim keys`): the keys the readers record while validating are every key
// any shipped config uses, with the ranges and values the validation enforces; "did you mean" on typos.
#include "models/config.hpp"
#include "models/json_reader.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

using namespace gsim;
namespace fs = std::filesystem;

namespace {

bool is_citation(const std::string& key)
{
  const std::string leaf = key.substr(key.rfind('.') + 1);
  return leaf == "source" || leaf == "notes" || leaf == "description" ||
         (leaf.size() > 7 && leaf.compare(leaf.size() - 7, 7, "_source") == 0);
}

// The leaves of a resolved config, as dotted keys ("cluster.nic.count").
void leaves(const nlohmann::json& j, const std::string& path, std::set<std::string>& out)
{
  for (const auto& [k, v] : j.items()) {
    const std::string key = path.empty() ? k : path + "." + k;
    if (v.is_object())
      leaves(v, key, out);
    else if (not is_citation(key))
      out.insert(key);
  }
}

std::map<std::string, KeySpec> keys_of(const std::string& file)
{
  std::map<std::string, KeySpec> m;
  for (auto& k : experiment_keys(file))
    m.emplace(k.key, k);
  return m;
}

std::string text(const nlohmann::json& v)
{
  return v.dump();
}

} // namespace

// Drift guard: a key some shipped config uses but that the default experiment's readers do not record (read
// only under a condition, or by a reader that does not record) would be missing from `gemini-sim keys`.
TEST(ConfigKeys, EveryKeyOfEveryShippedExperimentIsListed)
{
  const auto listed = keys_of("configs/p4d16.json");
  size_t configs    = 0;
  for (const auto* dir : {"configs", "configs/validation"})
    for (const auto& f : fs::directory_iterator(dir)) {
      if (f.path().extension() != ".json")
        continue;
      configs++;
      std::set<std::string> used;
      leaves(load_experiment(f.path().string()).effective, "", used);
      for (const auto& k : used)
        EXPECT_TRUE(listed.count(k)) << f.path() << " uses " << k << ", which `keys` does not list";
      for (const auto& [k, spec] : keys_of(f.path().string()))
        EXPECT_TRUE(listed.count(k)) << f.path() << " records " << k << ", which the default config does not";
    }
  EXPECT_GE(configs, 5u);
  // Optional keys absent from the default config are listed too, with what their absence means.
  ASSERT_TRUE(listed.count("training.attention"));
  EXPECT_FALSE(listed.at("training.attention").required);
  EXPECT_EQ(listed.at("training.attention").fallback, "eager");
  ASSERT_TRUE(listed.count("cluster.nic.count"));
  EXPECT_EQ(listed.at("cluster.nic.count").type, "integer");
  EXPECT_EQ(listed.at("cluster.nic.count").value, 4);
  ASSERT_TRUE(listed.count("model"));
  EXPECT_EQ(listed.at("model").type, "path");
}

// The listed range is the enforced one: just outside each bound is refused, naming that key; a listed
// choice refuses any other value.
TEST(ConfigKeys, ListedRangesAndChoicesAreWhatValidationRefuses)
{
  const std::string f = "configs/p4d16.json";
  size_t checked      = 0;
  for (const auto& [key, k] : keys_of(f)) {
    std::vector<std::string> outside;
    if (k.type == "number" || k.type == "integer") {
      const double lo = k.min.get<double>(), hi = k.max.get<double>();
      outside.push_back(key + "=" +
                        text(k.type == "integer" ? nlohmann::json(k.min.get<int64_t>() - 1) : nlohmann::json(lo - 1)));
      if (k.type == "number" && hi < 1e300)
        outside.push_back(key + "=" + text(hi * 2 + 1));
      if (k.type == "integer" && k.max.get<int64_t>() < std::numeric_limits<int64_t>::max())
        outside.push_back(key + "=" + text(k.max.get<int64_t>() + 1));
    } else if (k.type == "choice") {
      outside.push_back(key + "=\"not-a-" + key + "\"");
    }
    for (const auto& set : outside) {
      const std::string why = load_error(f, {set});
      EXPECT_NE(why.find(": " + key + ": "), std::string::npos) << set << " -> " << why;
      checked++;
    }
  }
  EXPECT_GE(checked, 60u);
}

TEST(ConfigKeys, NearestKeyOnlyForSmallEdits)
{
  EXPECT_EQ(nearest_key("cont", {"count", "latency_us"}), "count");
  EXPECT_EQ(nearest_key("schme", {"scheme", "sub_buffers"}), "scheme");
  EXPECT_EQ(nearest_key("zzzzzz", {"scheme", "count"}), "");
  EXPECT_EQ(nearest_key("ab", {"xy"}), "");        // two edits of a two-letter key is another key
  EXPECT_EQ(nearest_key("mu", {"mu2", "nu"}), ""); // one edit of two letters is half the key: no guess
}

TEST(ConfigKeys, UnknownSetKeySuggestsTheNearestKnownOne)
{
  const std::string f = "configs/p4d16.json";
  auto why            = load_error(f, {"cluster.nic.cont=4"});
  EXPECT_NE(why.find("p4d16.json (--set): cluster.nic.cont: unknown key (did you mean \"cluster.nic.count\"?)"),
            std::string::npos)
      << why;
  why = load_error(f, {"checkpoint.schme=none"});
  EXPECT_NE(why.find("checkpoint.schme: unknown key (did you mean \"checkpoint.scheme\"?)"), std::string::npos) << why;
  why = load_error(f, {"instancs=32"});
  EXPECT_NE(why.find("instancs: unknown key (did you mean \"instances\"?)"), std::string::npos) << why;
  why = load_error(f, {"chekpoint.scheme=none"});
  EXPECT_NE(why.find("(did you mean \"checkpoint\"?)"), std::string::npos) << why;
  why = load_error(f, {"checkpoint.zzzzzzzz=1"}); // nothing near: no guess
  EXPECT_NE(why.find("checkpoint.zzzzzzzz: unknown key"), std::string::npos) << why;
  EXPECT_EQ(why.find("did you mean"), std::string::npos) << why;
}

TEST(ConfigKeys, UnknownFileKeySuggestsTheNearestKnownOne)
{
  auto j = read_json_file("configs/p4d16.json");
  // Absolute paths: the copy lives in a temporary directory.
  j["cluster"]              = fs::absolute("configs/" + j["cluster"].get<std::string>()).string();
  j["model"]                = fs::absolute("configs/" + j["model"].get<std::string>()).string();
  j["training"]["atention"] = "flash";
  const fs::path file       = fs::temp_directory_path() / "gsim_config_keys_typo.json";
  std::ofstream(file) << j.dump(2);
  const auto why = load_error(file.string(), {});
  fs::remove(file);
  EXPECT_NE(why.find(file.string() + ": training.atention: unknown key (did you mean \"training.attention\"?)"),
            std::string::npos)
      << why;
}
