// The names of the config's choices, and the enums' names back (models/config_detail.hpp says why this
// is a file of its own).
#include "models/config_detail.hpp"

namespace gsim {

namespace config_detail {

extern const std::vector<std::pair<std::string, Dtype>> kDtypes = {
    {"fp16", Dtype::fp16}, {"bf16", Dtype::bf16}, {"fp32", Dtype::fp32}};
extern const std::vector<std::pair<std::string, IntraNode>> kIntra          = {{"nvswitch", IntraNode::nvswitch},
                                                                               {"nvlink_cube_mesh", IntraNode::nvlink_cube_mesh},
                                                                               {"nvlink_pair", IntraNode::nvlink_pair}};
extern const std::vector<std::pair<std::string, Scheme>> kSchemes           = {{"none", Scheme::none},
                                                                               {"blocking", Scheme::blocking},
                                                                               {"naive", Scheme::naive},
                                                                               {"no_pipeline", Scheme::no_pipeline},
                                                                               {"gemini", Scheme::gemini}};
extern const std::vector<std::pair<std::string, PlacementKind>> kPlacements = {
    {"group", PlacementKind::group}, {"ring", PlacementKind::ring}, {"mixed", PlacementKind::mixed}};
extern const std::vector<std::pair<std::string, PeerScope>> kPeerScopes = {
    {"other_instances", PeerScope::other_instances}, {"same_instance", PeerScope::same_instance}};
extern const std::vector<std::pair<std::string, Leftovers>> kLeftovers    = {{"delay_update", Leftovers::delay_update},
                                                                             {"artifact", Leftovers::artifact}};
extern const std::vector<std::pair<std::string, SpanSource>> kSpanSources = {{"physical", SpanSource::physical},
                                                                             {"profiler", SpanSource::profiler}};
extern const std::vector<std::pair<std::string, CollectiveMode>> kModes   = {
      {"analytic", CollectiveMode::analytic},
      {"flow", CollectiveMode::flow},
      {"hierarchical", CollectiveMode::hierarchical}};
extern const std::vector<std::pair<std::string, FailureModel>> kFailureModels = {
    {"independent", FailureModel::independent},
    {"simultaneous", FailureModel::simultaneous},
    {"correlated", FailureModel::correlated}};

extern const std::vector<std::pair<std::string, AttentionKernel>> kAttention = {{"eager", AttentionKernel::eager},
                                                                                {"flash", AttentionKernel::flash}};
extern const std::vector<std::pair<std::string, Activation>> kActivations    = {
       {"gelu_new", Activation::gelu_new},
       {"gelu", Activation::gelu},
       {"swiglu", Activation::swiglu},
       {"swiglu_fused", Activation::swiglu_fused}};
extern const std::vector<std::pair<std::string, NormKernel>> kNorms = {{"fused", NormKernel::fused},
                                                                       {"unfused", NormKernel::unfused}};

} // namespace config_detail

using namespace config_detail;

double element_bytes(Dtype d)
{
  return d == Dtype::fp32 ? 4 : 2;
}

std::string to_string(Dtype d)
{
  return name_of(d, kDtypes);
}
std::string to_string(IntraNode k)
{
  return name_of(k, kIntra);
}
std::string to_string(Scheme s)
{
  return name_of(s, kSchemes);
}
std::string to_string(PlacementKind p)
{
  return name_of(p, kPlacements);
}
std::string to_string(PeerScope p)
{
  return name_of(p, kPeerScopes);
}
std::string to_string(Leftovers l)
{
  return name_of(l, kLeftovers);
}
std::string to_string(SpanSource s)
{
  return name_of(s, kSpanSources);
}
std::string to_string(CollectiveMode m)
{
  return name_of(m, kModes);
}

std::string to_string(FailureModel m)
{
  return name_of(m, kFailureModels);
}
std::string to_string(AttentionKernel a)
{
  return name_of(a, kAttention);
}
std::string to_string(Activation a)
{
  return name_of(a, kActivations);
}
std::string to_string(NormKernel n)
{
  return name_of(n, kNorms);
}

} // namespace gsim
