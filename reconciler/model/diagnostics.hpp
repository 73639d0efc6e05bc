#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "reconciler/model/resource.hpp"

namespace plumb::model {

enum class Severity { error, warning };

// One problem in the user's input: a stable code (e.g. UNKNOWN_FIELD), where it is
// (file:line:column, 1-based) and which field (`spec.capabilities[2]`), what is wrong, and
// how to fix it. Codes are part of the CLI contract: add, never rename.
struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;
  std::string message;
  SourceLocation location;
  std::string path;  // field path inside the document, "" for the whole file/document
  std::string hint;  // e.g. "did you mean `displayName`?"; may be empty
};

// An ordered collection of diagnostics. Producers append everything they find, never
// stopping at the first problem; consumers sort() once for stable output.
class Diagnostics {
 public:
  void add(Diagnostic d) { m_items.push_back(std::move(d)); }
  void error(std::string code, std::string message, SourceLocation where, std::string path = {},
             std::string hint = {});
  void warning(std::string code, std::string message, SourceLocation where, std::string path = {},
               std::string hint = {});
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool empty() const { return m_items.empty(); }
  std::size_t size() const { return m_items.size(); }
  const std::vector<Diagnostic>& items() const { return m_items; }

  // Orders by file, line, column, code, message: the same input always prints the same way.
  void sort();

 private:
  std::vector<Diagnostic> m_items;
};

std::string_view severity_name(Severity severity);  // "error" | "warning"

}  // namespace plumb::model
