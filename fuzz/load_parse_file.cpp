// Fuzzes the YAML loader: any bytes as one manifest file must give resources or diagnostics,
// never a crash, a hang or unbounded memory (DESIGN §6: alias bombs, huge files, bad UTF-8).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "reconciler/load/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  plumb::load::SourceFile file{"tenants/fuzz/tenant.yaml", std::string(reinterpret_cast<const char*>(data), size)};
  plumb::load::LoadLimits limits;
  limits.max_file_bytes = 64 << 10;  // small enough to keep executions fast, large enough for real files
  plumb::load::ParsedFile parsed = plumb::load::parse_file(file, limits);
  // Bad input gets a clear error: every diagnostic carries a stable code and a message.
  for (const auto& d : parsed.diagnostics.items()) {
    if (d.code.empty() || d.message.empty()) std::abort();
  }
  // The cross-file pass must also hold on whatever one file produced.
  std::vector<plumb::load::ParsedFile> files;
  files.push_back(std::move(parsed));
  (void)plumb::load::assemble(std::move(files));
  return 0;
}
