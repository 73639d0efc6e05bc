// plumb_bench_libyaml: the parser limit of bench/run (issue 7). Walks DIR for *.yaml / *.yml,
// reads every file and runs libyaml's event parser over it, single-threaded, building nothing.
// Prints one JSON line: files, bytes, documents, events, seconds. Exit 1 on a parse error.
//   plumb_bench_libyaml DIR
#include <yaml.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Totals {
  std::size_t files = 0;
  std::size_t bytes = 0;
  std::size_t documents = 0;
  std::size_t events = 0;
};

// Parses one buffer to the end of its stream; false (with a message on stderr) on a YAML error.
bool parse_buffer(const std::string& path, const std::string& text, Totals& totals) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return false;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  bool ok = true;
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      std::fprintf(stderr, "%s:%zu: %s\n", path.c_str(), parser.problem_mark.line + 1,
                   parser.problem != nullptr ? parser.problem : "parse error");
      ok = false;
      break;
    }
    ++totals.events;
    if (event.type == YAML_DOCUMENT_START_EVENT) ++totals.documents;
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return ok;
}

bool is_manifest(const fs::path& path) {
  const auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: plumb_bench_libyaml DIR\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<fs::path> paths;
  for (const auto& entry : fs::recursive_directory_iterator(argv[1])) {
    if (entry.is_regular_file() && is_manifest(entry.path())) paths.push_back(entry.path());
  }
  Totals totals;
  bool ok = true;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++totals.files;
    totals.bytes += text.size();
    ok = parse_buffer(path.string(), text, totals) && ok;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"files\": %zu, \"bytes\": %zu, \"documents\": %zu, \"events\": %zu, \"seconds\": %.6f}\n",
              totals.files, totals.bytes, totals.documents, totals.events, seconds);
  return ok ? 0 : 1;
}
