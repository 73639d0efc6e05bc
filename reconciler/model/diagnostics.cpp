#include "reconciler/model/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace plumb::model {

void Diagnostics::error(std::string code, std::string message, SourceLocation where, std::string path,
                        std::string hint) {
  m_items.push_back(
      {Severity::error, std::move(code), std::move(message), std::move(where), std::move(path), std::move(hint)});
}

void Diagnostics::warning(std::string code, std::string message, SourceLocation where, std::string path,
                          std::string hint) {
  m_items.push_back(
      {Severity::warning, std::move(code), std::move(message), std::move(where), std::move(path), std::move(hint)});
}

void Diagnostics::append(const Diagnostics& other) {
  m_items.insert(m_items.end(), other.m_items.begin(), other.m_items.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(m_items.begin(), m_items.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const { return m_items.size() - error_count(); }

void Diagnostics::sort() {
  std::stable_sort(m_items.begin(), m_items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.location.file, a.location.line, a.location.column, a.code, a.message) <
           std::tie(b.location.file, b.location.line, b.location.column, b.code, b.message);
  });
}

std::string_view severity_name(Severity severity) { return severity == Severity::error ? "error" : "warning"; }

}  // namespace plumb::model
