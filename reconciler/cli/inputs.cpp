#include "reconciler/cli/inputs.hpp"

#include <cstdlib>
#include <filesystem>

#include "reconciler/source/directory.hpp"
#include "reconciler/source/git_source.hpp"

namespace plumb::cli {

load::LoadLimits limits_for(const InputOptions& input) {
  load::LoadLimits limits;
  limits.max_file_bytes = input.max_file_bytes;
  return limits;
}

namespace {

// validate --repo: fetch into a throw-away cache (or PLUMB_CACHE_DIR) and read the ref's tree.
Result<LoadedInput> load_repo(const InputOptions& input, const load::LoadLimits& limits) {
  source::GitSourceOptions options;
  options.repo = input.repo;
  options.ref = input.ref.empty() ? "main" : input.ref;
  options.path = input.path;
  options.limits = limits;
  const char* cache = std::getenv("PLUMB_CACHE_DIR");
  options.cache_dir = cache != nullptr && *cache != '\0'
                          ? std::string(cache)
                          : (std::filesystem::temp_directory_path() / "plumb-cache").string();
  if (const char* token = std::getenv("PLUMB_GIT_TOKEN_FILE")) options.credentials.token_file = token;
  if (const char* key = std::getenv("PLUMB_GIT_SSH_KEY_FILE")) options.credentials.ssh_key_file = key;
  if (const char* hosts = std::getenv("PLUMB_GIT_KNOWN_HOSTS_FILE")) options.credentials.known_hosts_file = hosts;
  auto git = source::GitSource::open(options);
  if (!git) return tl::unexpected(git.error());
  auto snapshot = (*git)->snapshot();
  if (!snapshot) return tl::unexpected(snapshot.error());
  LoadedInput loaded;
  loaded.file_count = (*snapshot)->files.size();
  loaded.result = load::load((*snapshot)->files, limits);
  loaded.result.desired.commit = (*snapshot)->commit;
  loaded.result.diagnostics.append((*snapshot)->diagnostics);
  loaded.result.diagnostics.sort();
  return loaded;
}

// `plumb validate file.yaml`: one file, with the same size limit as a directory walk.
Result<LoadedInput> load_single_file(const std::string& path, const load::LoadLimits& limits) {
  auto parent = std::filesystem::path(path).parent_path();
  load::LoadLimits one = limits;
  auto files = source::read_directory(parent.empty() ? "." : parent, one, source::display_prefix_for(parent.string()));
  if (!files) return tl::unexpected(files.error());
  std::string wanted = std::filesystem::path(path).lexically_normal().generic_string();
  LoadedInput loaded;
  std::vector<load::SourceFile> selected;
  for (auto& f : files->files) {
    if (std::filesystem::path(f.path).lexically_normal().generic_string() == wanted) selected.push_back(std::move(f));
  }
  if (selected.empty()) {
    return make_error(ErrorKind::terminal, "NOT_A_MANIFEST", path + " is not a readable *.yaml or *.yml manifest");
  }
  loaded.file_count = 1;
  loaded.result = load::load(selected, limits);
  return loaded;
}

}  // namespace

Result<LoadedInput> load_input(const InputOptions& input) {
  load::LoadLimits limits = limits_for(input);
  if (!input.repo.empty()) return load_repo(input, limits);
  if (std::filesystem::is_regular_file(input.dir)) return load_single_file(input.dir, limits);
  auto files = source::read_directory(input.dir, limits, source::display_prefix_for(input.dir));
  if (!files) return tl::unexpected(files.error());
  LoadedInput loaded;
  loaded.file_count = files->files.size();
  loaded.result = load::load(files->files, limits);
  loaded.result.diagnostics.append(files->diagnostics);
  loaded.result.diagnostics.sort();
  return loaded;
}

Result<plan::PlanPolicy> policy_from_flags(const std::vector<std::string>& flags, double max_delete_fraction,
                                           bool allow_mass_delete) {
  plan::PlanPolicy policy;
  policy.max_delete_fraction = max_delete_fraction;
  policy.allow_mass_delete = allow_mass_delete;
  for (const std::string& flag : flags) {
    auto eq = flag.find('=');
    auto kind = eq == std::string::npos ? std::nullopt : model::parse_kind(flag.substr(0, eq));
    auto value = eq == std::string::npos ? std::nullopt : model::parse_policy(flag.substr(eq + 1));
    if (!kind || !value) {
      return make_error(ErrorKind::terminal, "BAD_POLICY",
                        "--policy '" + flag +
                            "' is not KIND=POLICY (KIND: Tenant, Workspace, Pipeline, Role, ApiToken; "
                            "POLICY: full, create-only, no-delete, observe)");
    }
    policy.per_kind[*kind] = *value;
  }
  return policy;
}

}  // namespace plumb::cli
