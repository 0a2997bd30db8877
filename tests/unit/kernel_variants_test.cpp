// Kernel variants (training.attention / activation / norm) priced from the shipped kernels.json, the LM
// head's GEMM at its own vocabulary's alignment, and the llama ZeRO-3 program. These tests read the shipped
// H200 calibration (traces/calibration/h200), whose kernel entries are the measurements compared against.
#include "models/config_error.hpp"
#include "models/gemm_efficiency.hpp"
#include "models/transformer.hpp"
#include "models/zero3_schedule.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

using namespace gsim;

namespace {

const ClusterSpec& cluster(const std::string& name)
{
  static std::map<std::string, ClusterSpec> c;
  if (not c.count(name))
    c[name] = load_cluster("configs/clusters/" + name + ".json");
  return c[name];
}

// The median the loader computed for one kernels.json entry, looked up by its name.
double measured_s(const std::string& name)
{
  const Series* s = shipped().find(name.substr(0, name.find('/')));
  if (s == nullptr)
    throw std::runtime_error("no series for " + name);
  for (size_t i = 0; i < s->names.size(); i++)
    if (s->names[i] == name)
      return s->median_s[i];
  throw std::runtime_error("no entry " + name);
}

Experiment experiment(std::vector<std::string> sets)
{
  sets.push_back("checkpoint.scheme=none");
  return load_experiment("configs/p4d16.json", sets);
}

std::vector<std::string> llama(const std::string& model, std::vector<std::string> more = {})
{
  std::vector<std::string> s = {"cluster=clusters/p4de.json", "model=models/" + model + ".json",
                                "training.precision=bf16", "training.sequence_length=8192", "training.micro_batch=1"};
  s.insert(s.end(), more.begin(), more.end());
  return s;
}
std::vector<std::string> llama8b(std::vector<std::string> more = {})
{
  return llama("llama3-8b", std::move(more));
}

const ComputeStep& step(const Zero3Program& p, const std::string& label)
{
  for (const auto& s : p.steps)
    if (s.label == label)
      return s;
  throw std::runtime_error("no step " + label);
}

const AttentionShape kGpt2_100b{8, 512, 64, 64, 128, true, 0.1}; // GPT-2 100B at the paper's 8 x 512

} // namespace

TEST(KernelVariantConfig, DefaultsAreWhatHfRunsPerFamily)
{
  const auto g = experiment({});
  EXPECT_EQ(g.training.attention, AttentionKernel::eager);
  EXPECT_EQ(g.training.activation, Activation::gelu_new);
  EXPECT_EQ(g.training.norm, NormKernel::fused);
  const auto b = experiment({"model=models/bert-100b.json"});
  EXPECT_EQ(b.training.activation, Activation::gelu);
  EXPECT_EQ(b.training.norm, NormKernel::fused);
  const auto l = experiment(llama8b());
  EXPECT_EQ(l.training.activation, Activation::swiglu);
  EXPECT_EQ(l.training.norm, NormKernel::unfused);
}

TEST(KernelVariantConfig, RefusesAVariantTheFamilyDoesNotHave)
{
  for (const auto& sets :
       std::vector<std::vector<std::string>>{{"training.activation=swiglu"},
                                             {"model=models/roberta-100b.json", "training.activation=gelu_new"},
                                             llama8b({"training.activation=gelu"}),
                                             {"training.attention=sparse"}}) {
    try {
      experiment(sets);
      ADD_FAILURE() << "accepted " << sets.back();
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file().rfind("configs/p4d16.json", 0), 0u) << e.what(); // "(--set)" marks an override
      EXPECT_EQ(e.key().rfind("training.", 0), 0u) << e.what();
    }
  }
  EXPECT_NO_THROW(experiment({"training.activation=gelu", "training.norm=unfused", "training.attention=flash"}));
  EXPECT_NO_THROW(experiment(llama8b({"training.activation=swiglu_fused", "training.norm=fused"})));
}

// On the GPU that measured them, the attention entries are priced as measured: flash is cheaper than eager
// at GPT-2 100B's shape by exactly the measured ratio.
TEST(KernelCost, FlashIsCheaperThanEagerByTheMeasuredRatio)
{
  const CostModel h200(shipped(), cluster("h200"));
  const std::string shape = "b:8/s:512/heads:64/kv_heads:64/d:128/causal:1/dropout:0.1";
  const double eager      = measured_s("attn_eager_fwd/" + shape + "/style:gpt2/fp16") +
                       measured_s("attn_eager_bwd/" + shape + "/style:gpt2/fp16");
  const double flash =
      measured_s("attn_flash_fwd/" + shape + "/fp16") + measured_s("attn_flash_bwd/" + shape + "/fp16");
  auto priced = [&](const CostModel& c, AttentionKernel k) {
    return c.attention_time(kGpt2_100b, k, false, Dtype::fp16, "gpt2")->seconds +
           c.attention_time(kGpt2_100b, k, true, Dtype::fp16, "gpt2")->seconds;
  };
  EXPECT_NEAR(priced(h200, AttentionKernel::eager), eager, 1e-9 * eager);
  EXPECT_NEAR(priced(h200, AttentionKernel::flash), flash, 1e-9 * flash);
  EXPECT_GT(eager / flash, 3.0); // 4.3x measured (traces/calibration/README.md)
  EXPECT_NEAR(priced(h200, AttentionKernel::eager) / priced(h200, AttentionKernel::flash), eager / flash, 1e-9);
  // Transferred to the A100, flash stays cheaper.
  const CostModel a100(shipped(), cluster("p4d"));
  EXPECT_LT(priced(a100, AttentionKernel::flash), priced(a100, AttentionKernel::eager) / 2);
  EXPECT_GT(priced(a100, AttentionKernel::flash), priced(h200, AttentionKernel::flash) * 2);
}

// The attention entry replaces the batched GEMMs and the scale / mask / softmax / dropout passes: the program's
// attention step is the entry plus the merge-heads copy, nothing else, and flash vs eager changes the compute by
// exactly the entries' difference in each of the forward, the recomputation and the backward.
TEST(KernelCost, TheAttentionEntryReplacesTheGemmsAndPassesOnce)
{
  const auto eager = experiment({});
  const auto flash = experiment({"training.attention=flash"});
  const CostModel cost(shipped(), eager.cluster);
  const auto pe = make_zero3_program(eager, cost), pf = make_zero3_program(flash, cost);
  const double merge = cost.memory_time_s(2.0 * 4096 * 8192 * 2); // read + write T x h fp16
  const auto f       = cost.attention_time(kGpt2_100b, AttentionKernel::eager, false, Dtype::fp16, "gpt2");
  EXPECT_NEAR(step(pe, "fwd h7.attn.attn_dropout").seconds, f->seconds + merge, 1e-12);
  double d = 0;
  for (bool backward : {false, true})
    d += (backward ? 1 : 2) *
         (cost.attention_time(kGpt2_100b, AttentionKernel::eager, backward, Dtype::fp16, "gpt2")->seconds -
          cost.attention_time(kGpt2_100b, AttentionKernel::flash, backward, Dtype::fp16, "gpt2")->seconds);
  EXPECT_NEAR(pe.compute_s() - pf.compute_s(), eager.model.layers * d, 1e-9 * pe.compute_s());
  EXPECT_GT(d, 0);
}

TEST(KernelCost, AnUnmeasuredShapeIsScaledFromTheNearestEntryByItsWork)
{
  const CostModel h200(shipped(), cluster("h200"));
  AttentionShape twice = kGpt2_100b;
  twice.b              = 16; // not measured
  const auto f16       = h200.attention_time(twice, AttentionKernel::flash, false, Dtype::fp16, "gpt2");
  const auto f8        = h200.attention_time(kGpt2_100b, AttentionKernel::flash, false, Dtype::fp16, "gpt2");
  EXPECT_NEAR(f16->seconds, 2 * f8->seconds, 1e-12); // twice the FLOPs
  EXPECT_NE(f16->source.find("not measured"), std::string::npos) << f16->source;
  EXPECT_EQ(f8->source.find("not measured"), std::string::npos) << f8->source;
  const auto a = h200.rowwise_kernel_time("act_gelu_new_eager_fwd", 4096, 32768, Dtype::fp16);
  const auto b = h200.rowwise_kernel_time("act_gelu_new_eager_fwd", 3 * 4096, 32768, Dtype::fp16);
  EXPECT_NEAR(b->seconds, 3 * a->seconds, 1e-12); // three times the bytes
  EXPECT_NE(b->source.find("bytes ratio x3"), std::string::npos) << b->source;
  // Memory-bound kernels transfer by the HBM bandwidth: on the A100 (1555 GB/s) close to 4800 / 1555 slower.
  const auto a100 =
      CostModel(shipped(), cluster("p4d")).rowwise_kernel_time("act_gelu_new_eager_fwd", 4096, 32768, Dtype::fp16);
  EXPECT_NEAR(a100->seconds / a->seconds, 4800.0 / 1555.0, 0.02);
}

// torch.compile's small SwiGLU backward is slower than eager (host overhead per call): it is not the fused
// kernel's speed, so that shape is priced from a compiled entry that ran faster than eager, by its bytes.
TEST(KernelCost, HostBoundCompiledEntriesAreLeftOut)
{
  const CostModel h200(shipped(), cluster("h200"));
  const double compiled_8b = measured_s("act_swiglu_compiled_bwd/tokens:8192/width:14336/bf16");
  const double eager_8b    = measured_s("act_swiglu_eager_bwd/tokens:8192/width:14336/bf16");
  ASSERT_GT(compiled_8b, eager_8b) << "the calibration no longer shows the host-bound entry this test is about";
  const auto k = h200.rowwise_kernel_time("act_swiglu_compiled_bwd", 8192, 14336, Dtype::bf16);
  EXPECT_NEAR(k->seconds, measured_s("act_swiglu_compiled_bwd/tokens:8192/width:28672/bf16") * 14336 / 28672, 1e-12);
  EXPECT_LT(k->seconds, eager_8b);
  EXPECT_NE(k->source.find("left out"), std::string::npos) << k->source;
}

TEST(KernelCost, WithoutKernelsJsonOnlyTheCountedPassVariantsArePriced)
{
  const auto e = experiment({"training.attention=flash"});
  const CostModel cost(fixture(), e.cluster);
  EXPECT_FALSE(cost.attention_time(kGpt2_100b, AttentionKernel::eager, false, Dtype::fp16, "gpt2"));
  try {
    make_zero3_program(e, cost);
    ADD_FAILURE() << "flash priced without a measurement";
  } catch (const ConfigError& err) {
    EXPECT_EQ(err.file(), kFixture);
    EXPECT_EQ(err.key(), "attn_flash_fwd");
  }
  EXPECT_NO_THROW(make_zero3_program(experiment({}), cost)); // eager, gelu_new, fused LayerNorm: counted passes
  EXPECT_THROW(make_zero3_program(experiment(llama8b()), CostModel(fixture(), cluster("p4de"))), ConfigError);
}

TEST(KernelCost, FlashAttentionNeedsAnAmpereOrNewerGpu)
{
  const CostModel v100(shipped(), cluster("p3dn"));
  EXPECT_THROW(v100.attention_time(kGpt2_100b, AttentionKernel::flash, false, Dtype::fp16, "gpt2"), ConfigError);
  EXPECT_TRUE(v100.attention_time(kGpt2_100b, AttentionKernel::eager, false, Dtype::fp16, "gpt2"));
}

// An odd vocabulary (50265) runs 5x slower than a padded one (50304): its penalty must not leak into the
// LM head of a model with an aligned vocabulary that is not measured, nor an aligned one into an odd one.
TEST(GemmAlignment, AnOddVocabularysPenaltyDoesNotLeakIntoAnotherLmHead)
{
  // Built field by field: GCC 12 warns (-Wmaybe-uninitialized, falsely) on a braced GemmPoint temporary here.
  auto head = [](double n, double efficiency) {
    GemmPoint p;
    p.shape      = GemmShape{"", 4096, n, 8192, 1};
    p.efficiency = efficiency;
    return p;
  };
  std::vector<GemmPoint> pts;
  for (double n : {8192.0, 24576.0, 32768.0, 50304.0})
    pts.push_back(head(n, 0.72));
  pts.push_back(head(50265, 0.137));
  EXPECT_NEAR(interpolate_gemm_efficiency(pts, {"", 4096, 50368, 8192, 1}), 0.72, 1e-12);
  EXPECT_NEAR(interpolate_gemm_efficiency(pts, {"", 4096, 50257, 8192, 1}), 0.137, 1e-12);
  EXPECT_DOUBLE_EQ(interpolate_gemm_efficiency(pts, {"", 4096, 50265, 8192, 1}), 0.137); // exact

  // The shipped calibration: GPT-2 100B's head at 50265 and at padded vocabularies measured or not.
  const CostModel m(shipped(), cluster("h200"));
  const double odd    = m.gemm_efficiency({"", 4096, 50265, 8192, 1}, Dtype::fp16);
  const double padded = m.gemm_efficiency({"", 4096, 50304, 8192, 1}, Dtype::fp16);
  ASSERT_GT(padded / odd, 3.0) << "the calibration no longer shows the odd-vocabulary penalty";
  const double unmeasured_aligned = m.gemm_efficiency({"", 4096, 50432, 8192, 1}, Dtype::fp16);
  EXPECT_GT(unmeasured_aligned, 0.8 * padded);
  const double unmeasured_odd = m.gemm_efficiency({"", 4096, 50281, 8192, 1}, Dtype::fp16);
  EXPECT_LT(unmeasured_odd, 1.5 * odd);
  // Llama 3's 128256 (a multiple of 64) at Llama 3 70B's LM head: aligned efficiency, nowhere near 50265's.
  EXPECT_GT(m.gemm_efficiency({"", 8192, 128256, 8192, 1}, Dtype::bf16), 3 * odd);
}

// HF LlamaForCausalLM's parameters, no biases, untied LM head: every gradient reduce-scattered once, and the
// all-gathers by today's rule (as for GPT-2, zero3_replay_test): every partitioned weight gathered for the forward
// and again for the recomputation and backward, except where stage3_max_reuse_distance (1e9 elements) keeps it.
// Llama 3 70B: a block (856 M) and the LM head (1.05 G) each nearly fill that window, so no block stays gathered
// across the turn from forward to backward; the LM head stays (its backward follows its forward), and so it is
// gathered once; the last block's q_proj is gathered a third time (released during that block's recomputation,
// its backward use being more than 1e9 elements of parameter uses later, then prefetched again).
TEST(Zero3ProgramLlama, ParametersAndAllGathersMatchTheTransformer)
{
  const auto e  = experiment(llama("llama3-70b"));
  const auto p  = make_zero3_program(e, CostModel(shipped(), e.cluster));
  const auto& m = e.model;
  ASSERT_FALSE(m.tie_embeddings);
  double rs = 0, ag = 0, tensors = 0;
  for (const auto& c : p.comms)
    if (c.op == CollOp::reduce_scatter)
      rs += c.numel;
    else {
      ag += c.numel;
      tensors += c.tensors;
      EXPECT_DOUBLE_EQ(c.bytes, 2 * c.numel); // bf16
    }
  EXPECT_DOUBLE_EQ(rs, total_params(m));
  const double h = m.hidden, vh = double(m.vocab) * h;
  const double persistent  = (2.0 * m.layers + 1) * h; // the RMSNorm weights (< 1e5 elements: never gathered)
  const double partitioned = total_params(m) - persistent;
  EXPECT_NEAR(ag, 2 * partitioned - vh, h * h);      // within one q_proj
  EXPECT_NEAR(tensors, 2 * 7 * m.layers + 2 + 1, 1); // 7 weights a block, the embeddings twice, the head once
  // The GQA-narrow k_proj / v_proj and the untied head, where gathered alone.
  bool head = false;
  for (const auto& c : p.comms) {
    if (c.op != CollOp::all_gather || c.tensors != 1)
      continue;
    if (c.label.find("k_proj.weight") != std::string::npos || c.label.find("v_proj.weight") != std::string::npos) {
      EXPECT_DOUBLE_EQ(c.numel, h * m.kv() * m.head_dim()) << c.label;
    }
    if (c.label.find("lm_head.weight") != std::string::npos) {
      EXPECT_DOUBLE_EQ(c.numel, vh);
      head = true;
    }
  }
  EXPECT_TRUE(head);
  // Tied (Llama 3.2 1B's layout): the head shares the embedding's parameter, v x h parameters fewer.
  const auto tied = experiment(llama8b({"model.tie_embeddings=true"}));
  const auto pt   = make_zero3_program(tied, CostModel(shipped(), tied.cluster));
  EXPECT_DOUBLE_EQ(pt.comm_bytes(CollOp::reduce_scatter) / 2, total_params(tied.model));
  const auto untied = experiment(llama8b());
  EXPECT_DOUBLE_EQ(total_params(untied.model) - total_params(tied.model), double(m.vocab) * untied.model.hidden);
  for (const auto& c : pt.comms)
    EXPECT_EQ(c.label.find("lm_head.weight"), std::string::npos) << c.label;
}

TEST(Zero3ProgramLlama, EveryLayerRunsRopeAttentionSwigluAndTwoRmsNorms)
{
  const auto e = experiment(llama8b({"training.attention=flash"}));
  const CostModel cost(shipped(), e.cluster);
  const auto p = make_zero3_program(e, cost);
  for (const char* part : {".input_layernorm", ".post_attention_layernorm", ".self_attn.apply_rotary_pos_emb",
                           ".self_attn.attention_interface", ".mlp.act_fn", ".self_attn.k_proj", ".mlp.gate_proj"}) {
    EXPECT_GT(step(p, "fwd model.layers.0" + std::string(part)).seconds, 0) << part;
    EXPECT_GT(step(p, "bwd model.layers.31" + std::string(part)).seconds, 0) << part;
  }
  const AttentionShape a{1, 8192, 32, 8, 128, true, 0.0};
  const double merge = cost.memory_time_s(2.0 * 8192 * 4096 * 2);
  EXPECT_NEAR(step(p, "fwd model.layers.3.self_attn.attention_interface").seconds,
              cost.attention_time(a, AttentionKernel::flash, false, Dtype::bf16, "llama")->seconds + merge, 1e-12);
  EXPECT_NEAR(step(p, "fwd model.layers.3.self_attn.apply_rotary_pos_emb").seconds,
              cost.rope_time(a, false, Dtype::bf16)->seconds, 1e-12);
  // Eager RMSNorm (the default) is the measured 8-kernel formula; fused is F.rms_norm, several times faster.
  const auto fused = experiment(llama8b({"training.attention=flash", "training.norm=fused"}));
  const auto pf    = make_zero3_program(fused, cost);
  EXPECT_GT(step(p, "fwd model.norm").seconds, 3 * step(pf, "fwd model.norm").seconds);
  bool said = false;
  for (const auto& s : p.kernel_sources)
    said = said || s.find("norm_rmsnorm_unfused_fwd/tokens:8192/width:4096/bf16") != std::string::npos;
  EXPECT_TRUE(said);
}
