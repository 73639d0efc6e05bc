// plumb validate: offline schema + semantic checks of every manifest (DESIGN §4).
#include <iostream>

#include "reconciler/cli/commands.hpp"
#include "reconciler/cli/inputs.hpp"
#include "reconciler/cli/keep_until_exit.hpp"
#include "reconciler/cli/terminal.hpp"
#include "reconciler/load/render_diagnostics.hpp"

namespace plumb::cli {

int run_validate(const GlobalOptions& global, const ValidateOptions& options) {
  setup_logging(global);
  auto loaded = load_input(options.input);
  if (!loaded) return fail(loaded.error().message);
  const model::Diagnostics& diagnostics = loaded->result.diagnostics;
  std::size_t resources = loaded->result.desired.resources.size();

  if (options.format == "json") {
    std::cout << load::render_diagnostics_json(diagnostics) << '\n';
  } else if (options.format == "github") {
    std::cout << load::render_diagnostics_github(diagnostics);
  } else {
    bool colour = use_colour(global);
    std::cout << load::render_diagnostics_text(diagnostics, colour);
    std::string summary;
    if (diagnostics.has_errors()) {
      summary = std::to_string(diagnostics.error_count()) + " error(s), " + std::to_string(diagnostics.warning_count()) +
                " warning(s) in " + std::to_string(loaded->file_count) + " file(s): not valid";
    } else {
      summary = std::to_string(resources) + " resource(s) in " + std::to_string(loaded->file_count) +
                " file(s) are valid";
      if (diagnostics.warning_count() > 0) summary += " (" + std::to_string(diagnostics.warning_count()) + " warning(s))";
    }
    if (colour) summary = (diagnostics.has_errors() ? "\033[31m" : "\033[32m") + summary + "\033[0m";
    std::cout << summary << '\n';
  }
  const int code = diagnostics.has_errors() ? k_exit_error : k_exit_ok;
  keep_until_exit(std::move(*loaded));
  return code;
}

}  // namespace plumb::cli
