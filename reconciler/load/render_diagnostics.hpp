#pragma once
#include <string>

#include "reconciler/model/diagnostics.hpp"

namespace plumb::load {

// For people: `file:line:col: error[CODE]: message`, then `  at <field path>` and
// `  hint: ...` lines. ANSI colour only when `colour` is true. Diagnostics in the given order.
std::string render_diagnostics_text(const model::Diagnostics& diagnostics, bool colour);

// For tools, stable (version 1):
// {"version":1,"valid":bool,"errors":N,"warnings":N,
//  "diagnostics":[{"severity","code","message","file","line","column","path","hint"}]}
std::string render_diagnostics_json(const model::Diagnostics& diagnostics);

// GitHub Actions workflow commands, one per line:
// `::error file=F,line=L,col=C,title=CODE::message (at path; hint)`, escaped as GitHub requires.
std::string render_diagnostics_github(const model::Diagnostics& diagnostics);

}  // namespace plumb::load
