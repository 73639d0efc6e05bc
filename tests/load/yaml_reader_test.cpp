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

TEST_CASE("nesting deeper than the limit is refused, however deep the file goes", "[load][yaml]") {
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

TEST_CASE("scalars keep their style: quoted is a string, plain words and nulls stay plain", "[load][yaml]") {
  model::Diagnostics d;
  auto docs = load::read_yaml("a: 'x'\nb: \"\"\nc: |\n  lit\nd: plain\ne:\nf: ~\ng: NULL\nh: 'null'\n", "f.yaml", {}, d);
  REQUIRE(d.empty());
  REQUIRE(docs.size() == 1);
  const load::YamlNode& map = docs[0];
  CHECK(map.find("a")->quoted);
  CHECK(map.find("b")->is_scalar());
  CHECK(map.find("b")->value.empty());
  CHECK(map.find("c")->quoted);
  CHECK(map.find("c")->value == "lit\n");
  CHECK_FALSE(map.find("d")->quoted);
  CHECK(map.find("e")->is_null());
  CHECK(map.find("f")->is_null());
  CHECK(map.find("g")->is_null());
  CHECK(map.find("h")->is_scalar());
  CHECK(map.find("h")->value == "null");
  CHECK(map.find("d")->line == 5);
  CHECK(map.find("d")->column == 4);
}

TEST_CASE("a syntax error is located and names what the parser expected", "[load][yaml]") {
  model::Diagnostics d = read("a: 1\nb: [x, y\nc: 2\n");
  REQUIRE(first_code(d) == "YAML_SYNTAX");
  CHECK(d.items()[0].location.line >= 2);
  CHECK(d.items()[0].message.find("flow sequence") != std::string::npos);
  CHECK(first_code(read("x: ! word\n")) == "YAML_TAG");
  CHECK(first_code(read("x: &a 1\ny: *a\n")) == "YAML_ANCHOR");
  CHECK(first_code(read("x: *a\n")) == "YAML_ALIAS");
}

TEST_CASE("documents after a fatal problem are not returned; empty documents are skipped", "[load][yaml]") {
  model::Diagnostics d;
  auto docs = load::read_yaml("---\na: 1\n---\n---\nb: &x 2\n---\nc: 3\n", "f.yaml", {}, d);
  CHECK(docs.size() == 1);
  CHECK(first_code(d) == "YAML_ANCHOR");
}
