#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plumb::model {

// Pure parsers for the scalar vocabularies of DESIGN §1. No clock, no locale.

// A Go-style duration ("8h", "720h", "90m", "1h30m", "45s"); units h, m, s; positive.
// Returns whole seconds, or nullopt if malformed, zero, or over 100 years.
std::optional<std::int64_t> parse_duration(std::string_view text);

// An RFC 3339 timestamp ("2027-01-31T12:00:00Z", "...+02:00", optional fraction). Returns it
// normalised to UTC as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (fraction only if non-zero, trailing
// zeros dropped), or nullopt if malformed or out of range (years 1970-9999).
std::optional<std::string> normalize_timestamp(std::string_view text);

// Slug: ^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])?$ (DESIGN §1).
bool is_slug(std::string_view text);

// A permission `resource:action` with resource in {tenants, workspaces, pipelines, roles,
// tokens, drift, syncs, audit, *} and action in {read, write, trigger, reveal, *}.
bool is_permission(std::string_view text);

// Names of built-in roles present in every tenant: owner, admin, editor, viewer, auditor.
bool is_builtin_role(std::string_view name);

}  // namespace plumb::model
