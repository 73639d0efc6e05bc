#include <catch2/catch.hpp>

#include "reconciler/model/state.hpp"

using namespace plumb::model;

namespace {

ActualResource row(const std::string& name, const std::string& description) {
  ActualResource a;
  a.resource.key = ResourceKey{Kind::role, "acme", "", name};
  a.resource.spec = {{"description", description}};
  a.managed = true;
  return a;
}

std::string names(const ActualState& state) {
  std::string out;
  for (const auto& a : state.resources)
    out += a.resource.key.name + "=" + a.resource.spec.value("description", "") + " ";
  return out;
}

}  // namespace

TEST_CASE("replace_rows swaps in the named rows, drops the vanished ones and keeps the rest in order",
          "[model]") {
  ActualState state{7, {row("a", "1"), row("c", "1"), row("e", "1"), row("g", "1")}};
  // c changed, e was deleted, d and h are new; b is named but has no row (deleted before we saw it).
  ActualState rows{9, {row("c", "2"), row("d", "2"), row("h", "2")}};
  replace_rows(state, rows,
               {row("h", "").resource.key, row("c", "").resource.key, row("e", "").resource.key,
                row("d", "").resource.key, row("b", "").resource.key, row("c", "").resource.key});
  CHECK(names(state) == "a=1 c=2 d=2 g=1 h=2 ");
  CHECK(state.revision == 9);
}

TEST_CASE("replace_rows updates rows where they are when every named key keeps its row", "[model]") {
  ActualState state{7, {row("a", "1"), row("c", "1"), row("e", "1")}};
  const ActualResource* first = state.resources.data();
  // c and e changed, b is named but has no row either side, x is a stray row nobody asked about.
  ActualState rows{8, {row("c", "2"), row("e", "2"), row("x", "2")}};
  replace_rows(state, rows, {row("e", "").resource.key, row("b", "").resource.key, row("c", "").resource.key});
  CHECK(names(state) == "a=1 c=2 e=2 ");
  CHECK(state.revision == 8);
  CHECK(state.resources.data() == first);  // in place: the other rows were not moved
}

TEST_CASE("replace_rows ignores rows it was not asked about and handles empty sides", "[model]") {
  ActualState state{1, {row("a", "1")}};
  replace_rows(state, ActualState{2, {row("a", "stale"), row("z", "stray")}}, {});
  CHECK(names(state) == "a=1 ");
  CHECK(state.revision == 2);

  ActualState empty{0, {}};
  replace_rows(empty, ActualState{3, {row("a", "2"), row("b", "2")}}, {row("a", "").resource.key});
  CHECK(names(empty) == "a=2 ");

  ActualState all_gone{4, {row("a", "1"), row("b", "1")}};
  replace_rows(all_gone, ActualState{5, {}}, {row("a", "").resource.key, row("b", "").resource.key});
  CHECK(all_gone.resources.empty());
}
