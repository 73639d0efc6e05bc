#include "reconciler/cli/planning.hpp"

#include <iostream>

#include "reconciler/cli/terminal.hpp"
#include "reconciler/load/render_diagnostics.hpp"
#include "reconciler/plan/plan_record.hpp"
#include "reconciler/plan/render.hpp"
#include "reconciler/source/directory.hpp"
#include "reconciler/source/ref_tree.hpp"

namespace plumb::cli {

model::ActualState actual_from_desired(const model::DesiredState& desired) {
  model::ActualState actual;
  actual.resources.reserve(desired.resources.size());
  for (const model::Resource& resource : desired.resources) {
    model::ActualResource row;
    row.resource = resource;
    row.resource.source = {};
    row.managed = true;
    row.source_file = resource.source.file;
    row.commit = desired.commit;
    actual.resources.push_back(std::move(row));
  }
  return actual;
}

Result<model::ActualState> actual_from_base(const InputOptions& input, const std::string& base) {
  load::LoadLimits limits = limits_for(input);
  auto snapshot = source::read_ref_tree(input.dir, base, limits);
  if (!snapshot) return tl::unexpected(snapshot.error());
  source::apply_display_prefix(*snapshot, source::display_prefix_for(input.dir));
  load::LoadResult loaded = load::load(snapshot->files, limits);
  loaded.diagnostics.append(snapshot->diagnostics);
  if (loaded.diagnostics.has_errors()) {
    loaded.diagnostics.sort();
    return make_error(ErrorKind::terminal, "BASE_INVALID",
                      "the base ref '" + base + "' does not validate, so there is nothing sound to plan against:\n" +
                          load::render_diagnostics_text(loaded.diagnostics, false));
  }
  loaded.desired.commit = snapshot->commit;
  return actual_from_desired(loaded.desired);
}

void print_diagnostics(const GlobalOptions& global, const model::Diagnostics& diagnostics) {
  std::cerr << load::render_diagnostics_text(diagnostics, !global.no_color && stderr_is_tty());
}

std::string render_plan(const plan::Plan& plan, const std::string& format, bool colour) {
  if (format == "json") return plan::plan_to_json(plan).dump(2) + "\n";
  if (format == "markdown") return plan::render_plan_markdown(plan);
  return plan::render_plan_text(plan, colour);
}

}  // namespace plumb::cli
