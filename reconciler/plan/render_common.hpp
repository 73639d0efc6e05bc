#pragma once
#include <string>
#include <vector>

#include "reconciler/plan/render.hpp"

namespace plumb::plan {

// The field lines of a change, without indentation: "~ spec.plan: \"a\" -> \"b\"", "+ path: v".
// Creates list their spec's top-level fields; deletes have none.
std::vector<std::string> field_lines(const Change& change);

// "Plan: 1 to create, ..." or "No changes. ...".
std::string summary_line(const Plan& plan);

// "commit abc123def456, database revision 42" (or "working directory, ...").
std::string provenance(const std::string& commit, std::int64_t revision);

}  // namespace plumb::plan
