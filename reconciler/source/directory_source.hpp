#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "reconciler/load/load.hpp"
#include "reconciler/source/source.hpp"

namespace plumb::source {

// A plain directory as a Source (for `plumb dev` and `plumb run --repo DIR` without Git
// history): read_directory on every call; blob ids are content hashes, so the parse cache
// still skips unchanged files. The commit is always "".
class DirectorySource final : public Source {
 public:
  DirectorySource(std::filesystem::path root, load::LoadLimits limits, std::string display_prefix = "");

  // Reads the directory now. Terminal DIRECTORY_NOT_FOUND / NOT_A_DIRECTORY if the root is gone.
  Result<std::shared_ptr<const Snapshot>> snapshot(std::stop_token stop = {}) override;
  std::string describe() const override;

 private:
  std::filesystem::path m_root;
  load::LoadLimits m_limits;
  std::string m_display_prefix;
};

}  // namespace plumb::source
