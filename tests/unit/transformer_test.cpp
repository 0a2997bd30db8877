// Parameter and FLOP arithmetic, checked against published parameter counts of real checkpoints.
#include "models/transformer.hpp"
#include "models/zero3_memory.hpp"

#include <gtest/gtest.h>

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
