// GSIM_CHOICE enums: names come from the enumerators, in declaration order, and read back to the same value.
#include "models/calibration.hpp"
#include "models/choice.hpp"
#include "models/config.hpp"

#include <gtest/gtest.h>

namespace gsim {
namespace {

template <Choice E> void expect_round_trip(size_t count)
{
  const auto& names = choice_names<E>();
  ASSERT_EQ(names.size(), count);
  for (size_t i = 0; i < names.size(); i++) {
    EXPECT_EQ(to_string(E(i)), names[i]);
    EXPECT_EQ(choice_of<E>(names[i]), E(i)) << names[i];
  }
}

TEST(Choice, NamesAreTheEnumeratorsInOrder)
{
  EXPECT_EQ(choice_names<Scheme>(), (std::vector<std::string>{"none", "blocking", "naive", "no_pipeline", "gemini"}));
  EXPECT_EQ(to_string(CollOp::reduce_scatter), "reduce_scatter");
  EXPECT_EQ(to_string(IntraNode::nvlink_cube_mesh), "nvlink_cube_mesh");
  expect_round_trip<Scheme>(5);
  expect_round_trip<CollOp>(4);
  expect_round_trip<Activation>(4);
}

TEST(Choice, AnUnknownNameHasNoValue)
{
  EXPECT_FALSE(choice_of<Scheme>("Gemini").has_value()); // names are case-sensitive, as the config reader's
  EXPECT_FALSE(choice_of<Scheme>("").has_value());
  EXPECT_FALSE(choice_of<Dtype>("fp16 ").has_value());
}

TEST(Choice, TheListSplitsOnCommasAndTrimsSpaces)
{
  EXPECT_EQ(split_choice_list("a, b_c,d"), (std::vector<std::string>{"a", "b_c", "d"}));
  EXPECT_EQ(split_choice_list("only"), (std::vector<std::string>{"only"}));
  EXPECT_TRUE(split_choice_list("").empty());
}

} // namespace
} // namespace gsim
