#include "reconciler/load/render_diagnostics.hpp"

#include <nlohmann/json.hpp>

namespace plumb::load {
namespace {

// GitHub's escaping for the message part of a workflow command.
std::string escape_data(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

// ... and for property values, which also may not contain ':' or ','.
std::string escape_property(const std::string& text) {
  std::string out;
  for (char c : escape_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

}  // namespace

std::string render_diagnostics_text(const model::Diagnostics& diagnostics, bool colour) {
  std::string out;
  for (const auto& d : diagnostics.items()) {
    bool error = d.severity == model::Severity::error;
    std::string where = d.location.str();
    std::string label = std::string(model::severity_name(d.severity)) + "[" + d.code + "]";
    if (colour) label = (error ? "\033[1;31m" : "\033[1;33m") + label + "\033[0m";
    if (colour && !where.empty()) where = "\033[1m" + where + "\033[0m";
    out += (where.empty() ? "" : where + ": ") + label + ": " + d.message + "\n";
    if (!d.path.empty()) out += "  at " + d.path + "\n";
    if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  }
  return out;
}

std::string render_diagnostics_json(const model::Diagnostics& diagnostics) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& d : diagnostics.items()) {
    items.push_back({{"severity", model::severity_name(d.severity)},
                     {"code", d.code},
                     {"message", d.message},
                     {"file", d.location.file},
                     {"line", d.location.line},
                     {"column", d.location.column},
                     {"path", d.path},
                     {"hint", d.hint}});
  }
  nlohmann::json doc = {{"version", 1},
                        {"valid", !diagnostics.has_errors()},
                        {"errors", diagnostics.error_count()},
                        {"warnings", diagnostics.warning_count()},
                        {"diagnostics", items}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_diagnostics_github(const model::Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics.items()) {
    out += d.severity == model::Severity::error ? "::error " : "::warning ";
    std::string props;
    if (!d.location.file.empty()) props += "file=" + escape_property(d.location.file);
    if (d.location.line > 0) props += ",line=" + std::to_string(d.location.line);
    if (d.location.column > 0) props += ",col=" + std::to_string(d.location.column);
    props += std::string(props.empty() ? "" : ",") + "title=" + escape_property(d.code);
    std::string message = d.message;
    if (!d.path.empty()) message += " (at " + d.path + ")";
    if (!d.hint.empty()) message += "; hint: " + d.hint;
    out += props + "::" + escape_data(message) + "\n";
  }
  return out;
}

}  // namespace plumb::load
