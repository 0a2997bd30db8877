#pragma once
// Enums whose values are named, in config files and outputs, by their own identifiers ("gemini", "all_gather").
// GSIM_CHOICE(Name, a, b, c) declares `enum class Name { a, b, c }` and its names from that one list, as SimGrid's
// XBT_DECLARE_ENUM_CLASS does (xbt/utility.hpp), so a name can never drift from its value, and to_string,
// choice_names and choice_of serve every such enum (one implementation instead of a table and a to_string per
// enum). models/ stays SimGrid-free, hence this small equivalent. The enumerators take no explicit values:
// a value is its index in the list, which is also the order `gemini-sim keys` lists the names in.
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gsim {

/** The enumerators of a GSIM_CHOICE enum as written, "a, b, c"; empty for any other type. */
template <typename E> inline constexpr std::string_view kChoiceList{};

template <typename E>
concept Choice = std::is_enum_v<E> && not kChoiceList<E>.empty();

/** "a, b, c" -> {"a", "b", "c"}. */
std::vector<std::string> split_choice_list(std::string_view list);

/** The names of `E`'s values, in declaration order. */
template <Choice E> const std::vector<std::string>& choice_names()
{
  static const std::vector<std::string> names = split_choice_list(kChoiceList<E>);
  return names;
}

template <Choice E> std::string to_string(E e)
{
  return choice_names<E>().at(size_t(e));
}

/** The value named `name`, if any. */
template <Choice E> std::optional<E> choice_of(std::string_view name)
{
  const auto& names = choice_names<E>();
  for (size_t i = 0; i < names.size(); i++)
    if (names[i] == name)
      return E(i);
  return std::nullopt;
}

} // namespace gsim

// Inside namespace gsim (the names' template lives there).
#define GSIM_CHOICE(Name, ...)                                                                                         \
  enum class Name { __VA_ARGS__ };                                                                                     \
  template <> inline constexpr std::string_view kChoiceList<Name> = #__VA_ARGS__
