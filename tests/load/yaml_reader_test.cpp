#include <catch2/catch.hpp>

#include "reconciler/load/load.hpp"
#include "reconciler/load/yaml_reader.hpp"

using namespace plumb;

namespace {

model::Diagnostics read(const std::string& text, load::LoadLimits limits = {}) {
  model::Diagnostics d;
  load::read_yaml(text, "f.yaml", limits, d);
  return d;
}

std::string first_code(const model::Diagnostics& d) { return d.empty() ? "" : d.items()[0].code; }

}  // namespace

TEST_CASE("a billion-laughs alias bomb is refused at its first anchor, instantly", "[load][yaml]") {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n";
  }
  auto d = read(bomb);
  CHECK(first_code(d) == "YAML_ANCHOR");
  CHECK(d.items()[0].location.line == 1);
}

TEST_CASE("nesting deeper than the limit is refused, even far past yaml-cpp's own limit", "[load][yaml]") {
  for (int depth : {40, 600, 5000}) {
    std::string text(static_cast<std::size_t>(depth), '[');
    text += std::string(static_cast<std::size_t>(depth), ']');
    auto d = read(text);
    INFO(depth);
    CHECK(first_code(d) == "TOO_DEEP");
  }
  CHECK(read("a: [[[[1]]]]\n").empty());
}

TEST_CASE("an oversized file is refused before it is parsed", "[load][yaml]") {
  load::LoadLimits limits;
  limits.max_file_bytes = 1024;
  std::string text = "a: " + std::string(2000, 'x') + "\n";
  auto d = read(text, limits);
  CHECK(first_code(d) == "FILE_TOO_LARGE");
}

TEST_CASE("too many documents in one file are refused", "[load][yaml]") {
  load::LoadLimits limits;
  limits.max_documents_per_file = 3;
  auto d = read("a: 1\n---\na: 2\n---\na: 3\n---\na: 4\n", limits);
  CHECK(first_code(d) == "TOO_MANY_DOCUMENTS");
}

TEST_CASE("an over-long scalar is refused", "[load][yaml]") {
  load::LoadLimits limits;
  limits.max_scalar_bytes = 10;
  CHECK(first_code(read("a: abcdefghijklmnop\n", limits)) == "VALUE_TOO_LONG");
}

TEST_CASE("complex keys are refused", "[load][yaml]") {
  CHECK(first_code(read("? [a, b]\n: 1\n")) == "YAML_COMPLEX_KEY");
}

TEST_CASE("positions are 1-based and count characters, not bytes", "[load][yaml]") {
  auto pos = load::position_of("ab\ncé d", 7);
  CHECK(pos.first == 2);
  CHECK(pos.second == 4);
}

TEST_CASE("garbage never throws and always yields a diagnostic or documents", "[load][yaml]") {
  std::vector<std::string> inputs = {"{", "]", "- - - -", ":::", "\t\tx", "a: |\n  b\n c", "\"unterminated",
                                     "&", "*", "!", "%YAML 1.1\n---\na: 1", "a: b: c", "---\n...\n---"};
  for (const auto& text : inputs) {
    INFO(text);
    CHECK_NOTHROW(load::load(std::vector<load::SourceFile>{{"g.yaml", text}}, {}));
  }
}
