// Parameter and FLOP arithmetic, checked against published parameter counts of real checkpoints.
#include "models/transformer.hpp"
#include "models/zero3_memory.hpp"

#include "models/config_error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace gsim;

namespace {
ModelSpec spec(const char* family, int layers, int hidden, int inter, int heads, int vocab, int positions)
{
  ModelSpec m;
  m.name          = family;
  m.family        = family;
  m.layers        = layers;
  m.hidden        = hidden;
  m.intermediate  = inter;
  m.heads         = heads;
  m.vocab         = vocab;
  m.max_positions = positions;
  return m;
}
} // namespace

// HuggingFace "gpt2" (GPT2Model) has 124,439,808 parameters; "gpt2-xl" 1,557,611,200.
TEST(Transformer, Gpt2ParameterCountsMatchPublishedCheckpoints)
{
  EXPECT_EQ(total_params(spec("gpt2", 12, 768, 3072, 12, 50257, 1024)), 124439808.0);
  EXPECT_EQ(total_params(spec("gpt2", 48, 1600, 6400, 25, 50257, 1024)), 1557611200.0);
}

// HuggingFace "bert-base-uncased" BertModel: 109,482,240 parameters (with pooler); our BERT adds the
// MLM head's transform, norm and output bias (h^2 + h + 2h + vocab) as BertForMaskedLM trains it.
TEST(Transformer, BertParameterCountMatchesPublishedCheckpoint)
{
  const auto m     = spec("bert", 12, 768, 3072, 12, 30522, 512);
  const double mlm = 768.0 * 768 + 768 + 2 * 768 + 30522;
  EXPECT_EQ(total_params(m) - mlm, 109482240.0);
}

TEST(Transformer, PaperTableTwoSizesAreWhatTheirNamesSay)
{
  // 12 L h^2 is the usual estimate (shared/gemini-paper.md checks 20B, 40B and 100B with it).
  EXPECT_NEAR(total_params(load_model("configs/models/gpt2-100b.json")) / 1e9, 100.3, 0.1);
  EXPECT_NEAR(total_params(load_model("configs/models/gpt2-40b.json")) / 1e9, 40.6, 0.2);
  EXPECT_NEAR(total_params(load_model("configs/models/gpt2-20b.json")) / 1e9, 20.4, 0.2);
}

TEST(Transformer, ForwardFlopsAreTwicePerParameterPerTokenPlusAttention)
{
  const auto m = spec("gpt2", 4, 1024, 4096, 16, 1000, 2048);
  TrainingSpec t;
  t.micro_batch              = 2;
  t.sequence_length          = 512;
  t.activation_recomputation = true;
  const double tokens        = 2.0 * 512;
  const double weights       = 4.0 * 1024 * 1024 + 2.0 * 1024 * 4096; // matmul weights of one block
  const double attention     = 2.0 * 2 * 2 * 512.0 * 512 * 1024;      // QK^T and AV, 2 FLOPs per MAC
  const double head          = 2.0 * tokens * 1024 * 1000;
  const auto f               = micro_batch_flops(m, t);
  EXPECT_DOUBLE_EQ(f.forward, 4 * (2 * weights * tokens + attention) + head);
  EXPECT_DOUBLE_EQ(f.backward, 2 * f.forward);
  EXPECT_DOUBLE_EQ(f.recomputation, 4 * (2 * weights * tokens + attention));
  t.activation_recomputation = false;
  EXPECT_EQ(micro_batch_flops(m, t).recomputation, 0);
}

TEST(Transformer, BackwardGemmsHaveTwiceTheForwardFlops)
{
  const auto m = spec("gpt2", 1, 512, 2048, 8, 100, 128);
  double fwd = 0, bwd = 0;
  for (const auto& g : layer_forward_gemms(m, 4, 128))
    fwd += g.flops();
  for (const auto& g : layer_backward_gemms(m, 4, 128))
    bwd += g.flops();
  EXPECT_DOUBLE_EQ(bwd, 2 * fwd);
}

// The paper (§5): GPT-2 100B has a 9.4 GB checkpoint per GPU on 128 GPUs.
TEST(Zero3, CheckpointShardIsTwelveBytesPerParameterPerGpu)
{
  const auto e = load_experiment("configs/p4d16.json");
  EXPECT_NEAR(checkpoint_bytes_per_gpu(e) / 1e9, 9.4, 0.05);
  const auto b = zero3_bytes_per_gpu(1280.0, 128);
  EXPECT_DOUBLE_EQ(b.param_shard, 20);
  EXPECT_DOUBLE_EQ(b.optimizer_shard, 120);
  EXPECT_DOUBLE_EQ(b.model_states(), 160);
}

TEST(Zero3, MemoryEstimateGrowsWithTheModelAndShrinksWithMoreGpus)
{
  auto small = load_experiment("configs/p4d16.json", {"model=models/gpt2-40b.json"});
  auto big   = load_experiment("configs/p4d16.json");
  auto wide  = load_experiment("configs/p4d16.json", {"instances=32"});
  EXPECT_LT(estimate_gpu_memory(small).total(), estimate_gpu_memory(big).total());
  EXPECT_LT(estimate_gpu_memory(wide).total(), estimate_gpu_memory(big).total());
  EXPECT_TRUE(estimate_gpu_memory(big).fits());
  // Without recomputation every block's activations stay: GPT-2 100B no longer fits on 40 GB A100s.
  auto no_recompute = load_experiment("configs/p4d16.json", {"training.activation_recomputation=false"});
  EXPECT_FALSE(estimate_gpu_memory(no_recompute).fits());
}

// ---- Llama (RMSNorm, SwiGLU, rotary, grouped-query attention, untied head) and tie_embeddings.

namespace {
// The parameters of a Llama decoder written out from HF's LlamaForCausalLM module list, independently of
// models/transformer.cpp: per layer q_proj h*h, k_proj and v_proj h*(kv*d), o_proj h*h, gate/up/down 3*h*i,
// two RMSNorm scales; embed_tokens V*h, final norm h, lm_head V*h (untied).
double llama_params_by_hand(double layers, double h, double i, double heads, double kv, double vocab)
{
  const double d = h / heads;
  return layers * (h * h + 2 * h * kv * d + h * h + 3 * h * i + 2 * h) + vocab * h + h + vocab * h;
}
} // namespace

// Published counts: Llama 3 8B 8.03B, 70B 70.55B (Meta's model cards round 70.6B), 405B 405.9B (HF Hub's
// safetensors totals 8,030,261,248 / 70,553,706,496 / 405,853,388,800).
TEST(Transformer, Llama3ParameterCountsMatchPublishedOnes)
{
  struct Case {
    const char* file;
    double layers, h, i, heads, kv, published_billions, rounding;
  };
  for (const Case& c : {Case{"configs/models/llama3-8b.json", 32, 4096, 14336, 32, 8, 8.03, 0.005},
                        Case{"configs/models/llama3-70b.json", 80, 8192, 28672, 64, 8, 70.55, 0.005},
                        Case{"configs/models/llama3-405b.json", 126, 16384, 53248, 128, 8, 405.9, 0.05}}) {
    const ModelSpec m = load_model(c.file);
    EXPECT_EQ(m.family, "llama") << c.file;
    EXPECT_FALSE(m.tie_embeddings) << c.file;
    EXPECT_EQ(m.kv_heads, c.kv) << c.file;
    EXPECT_EQ(total_params(m), llama_params_by_hand(c.layers, c.h, c.i, c.heads, c.kv, 128256)) << c.file;
    EXPECT_NEAR(total_params(m) / 1e9, c.published_billions, c.rounding) << c.file;
  }
  EXPECT_EQ(total_params(load_model("configs/models/llama3-8b.json")), 8030261248.0);
}

// GPT-2 XL ("1.5B"; HF GPT2LMHeadModel 1,557,611,200 with its tied head) and BERT-large ("340M" in the BERT
// paper; HF bert-large-uncased BertModel 335,141,888 with the pooler, plus the MLM head our BERT trains).
TEST(Transformer, Gpt2XlAndBertLargeMatchPublishedCounts)
{
  const auto xl = spec("gpt2", 48, 1600, 6400, 25, 50257, 1024);
  EXPECT_EQ(total_params(xl), 1557611200.0);
  EXPECT_NEAR(total_params(xl) / 1e9, 1.5, 0.06);
  const auto large = spec("bert", 24, 1024, 4096, 16, 30522, 512);
  const double mlm = 1024.0 * 1024 + 1024 + 2 * 1024 + 30522;
  EXPECT_EQ(total_params(large) - mlm, 335141888.0);
  EXPECT_NEAR(total_params(large) / 1e6, 340, 6);
}

TEST(Transformer, UntyingTheEmbeddingsAddsOneVocabularyByHiddenMatrix)
{
  for (const char* family : {"gpt2", "bert", "roberta"}) {
    auto m              = spec(family, 2, 256, 1024, 4, 1000, 128);
    const double tied   = total_params(m);
    m.tie_embeddings    = false;
    const double untied = total_params(m);
    EXPECT_EQ(untied - tied, 1000.0 * 256) << family;
  }
  auto llama           = spec("llama", 2, 256, 688, 4, 1000, 4096);
  llama.kv_heads       = 2;
  llama.tie_embeddings = true; // as Llama 3.2 1B / 3B
  const double tied    = total_params(llama);
  llama.tie_embeddings = false;
  EXPECT_EQ(total_params(llama) - tied, 1000.0 * 256);
  EXPECT_EQ(embedding_params(llama), 2 * 1000.0 * 256 + 256); // no position table: rotary
}

// Forward FLOPs of one Llama micro-batch, written out: per token and layer 2 x (q, o: h^2 each; k, v: h x kv d
// each; gate, up, down: h x i each) plus the attention scores (Q K^T and A V: 2 x 2 s h per token, whole s x s
// matrix); the LM head 2 h V per token. No MLM transform.
TEST(Transformer, LlamaForwardFlopsCountThreeMlpMatricesAndNarrowKeyValues)
{
  auto m     = spec("llama", 3, 1024, 2816, 16, 5000, 8192);
  m.kv_heads = 4;
  TrainingSpec t;
  t.micro_batch              = 2;
  t.sequence_length          = 256;
  t.activation_recomputation = false;
  const double tokens = 2.0 * 256, h = 1024, kv_width = 4.0 * 64;
  const double weights   = 2 * h * h + 2 * h * kv_width + 3 * h * 2816;
  const double attention = 2.0 * 2 * 2 * 256.0 * 256 * h;
  const double head      = 2.0 * tokens * h * 5000;
  const auto f           = micro_batch_flops(m, t);
  EXPECT_DOUBLE_EQ(f.forward, 3 * (2 * weights * tokens + attention) + head);
  EXPECT_DOUBLE_EQ(f.backward, 2 * f.forward);
  EXPECT_EQ(f.recomputation, 0);
  // GQA narrows K and V only: with kv_heads = heads the layer costs 2 x 2 h (h - kv d) more per token.
  auto mha     = m;
  mha.kv_heads = 16;
  EXPECT_DOUBLE_EQ(micro_batch_flops(mha, t).forward - f.forward, 3 * tokens * 2 * 2 * h * (h - kv_width));
  double fwd = 0, bwd = 0;
  for (const auto& g : layer_forward_gemms(m, 2, 256))
    fwd += g.flops();
  for (const auto& g : layer_backward_gemms(m, 2, 256))
    bwd += g.flops();
  EXPECT_DOUBLE_EQ(bwd, 2 * fwd);
  ASSERT_EQ(head_forward_gemms(m, 2, 256).size(), 1u); // lm_head only
  double head_bwd = 0;
  for (const auto& g : head_backward_gemms(m, 2, 256))
    head_bwd += g.flops();
  EXPECT_DOUBLE_EQ(head_bwd, 2 * head);
}

namespace {
// Writes a model file with `extra` keys (JSON members, comma-led) and returns load_model's error, "" if none.
std::string model_error(const std::string& family, const std::string& extra)
{
  const auto path = std::filesystem::temp_directory_path() / ("gsim-transformer-test-" + family + ".json");
  {
    std::ofstream out(path);
    out << R"({"name": "t", "family": ")" << family
        << R"(", "layers": 2, "hidden": 512, "intermediate": 1376, "heads": 8, "vocab": 100, "max_positions": 64)"
        << extra << "}";
  }
  std::string error;
  try {
    load_model(path.string());
  } catch (const ConfigError& e) {
    error = e.what();
  }
  std::filesystem::remove(path);
  return error;
}
} // namespace

TEST(Transformer, ModelFileKeysForLlamaAreValidated)
{
  EXPECT_EQ(model_error("llama", R"(, "kv_heads": 2)"), "");
  EXPECT_EQ(model_error("gpt2", R"(, "tie_embeddings": false)"), "");
  auto has = [](const std::string& error, const std::string& text) {
    return error.find(text) != std::string::npos && error.find("gsim-transformer-test-") != std::string::npos;
  };
  EXPECT_TRUE(has(model_error("llama", R"(, "kv_heads": 3)"), "kv_heads"))
      << model_error("llama", R"(, "kv_heads": 3)");
  EXPECT_TRUE(has(model_error("llama", R"(, "kv_heads": 3)"), "must divide heads"));
  EXPECT_TRUE(has(model_error("llama", R"(, "kv_heads": 0)"), "kv_heads"));
  EXPECT_TRUE(has(model_error("llama", R"(, "kv_heads": 16)"), "must divide heads"));
  EXPECT_TRUE(has(model_error("gpt2", R"(, "kv_heads": 4)"), "llama only"));
  EXPECT_TRUE(has(model_error("bert", R"(, "tie_embeddings": "no")"), "tie_embeddings"));
  EXPECT_TRUE(has(model_error("mistral", ""), "family"));
  // Defaults: llama unties, the others tie; kv_heads defaults to heads.
  const auto path = std::filesystem::temp_directory_path() / "gsim-transformer-test-defaults.json";
  for (const char* family : {"llama", "gpt2"}) {
    {
      std::ofstream out(path);
      out << R"({"name": "t", "family": ")" << family
          << R"(", "layers": 2, "hidden": 512, "intermediate": 1376, "heads": 8, "vocab": 100, "max_positions": 64})";
    }
    const ModelSpec m = load_model(path.string());
    EXPECT_EQ(m.tie_embeddings, std::string(family) != "llama") << family;
    EXPECT_EQ(m.kv_heads, 8) << family;
  }
  std::filesystem::remove(path);
}

// HF eager attention keeps the fp32 softmax and its bf16 copy (a s elements each per token); FlashAttention keeps
// a log-sum-exp per head instead, so at sequence 8192 Llama 70B's block shrinks to its s-independent part.
TEST(Zero3, LlamaLayerActivationsDropTheScoresUnderFlashAttention)
{
  const ModelSpec m  = load_model("configs/models/llama3-70b.json");
  const double eager = layer_activation_bytes(m, 1, 8192, 2, false);
  const double flash = layer_activation_bytes(m, 1, 8192, 2, true);
  const double h = 8192, i = 28672, a = 64, kv_width = 8 * 128;
  EXPECT_DOUBLE_EQ(flash, 8192 * (2 * (10 * h + 2 * kv_width + 4 * i) + 8 * h + 4 * a));
  EXPECT_DOUBLE_EQ(eager - flash, 8192 * ((4 + 2) * a * 8192 - 4 * a));
  // GPT-2 keeps Korthikanti et al.'s count: s b h (34 + 5 a s / h) in fp16.
  const ModelSpec g = load_model("configs/models/gpt2-100b.json");
  EXPECT_DOUBLE_EQ(layer_activation_bytes(g, 8, 512, 2), 512.0 * 8 * 8192 * (34 + 5.0 * 64 * 512 / 8192));
}
