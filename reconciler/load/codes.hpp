#pragma once

// Stable diagnostic codes of `plumb validate` (part of the CLI contract: add, never rename).
namespace plumb::load::codes {

// Reading the file
inline constexpr const char* k_file_too_large = "FILE_TOO_LARGE";            // over LoadLimits::max_file_bytes
inline constexpr const char* k_total_too_large = "TOTAL_SIZE_EXCEEDED";      // all files over max_total_bytes
inline constexpr const char* k_too_many_files = "TOO_MANY_FILES";
inline constexpr const char* k_invalid_utf8 = "INVALID_UTF8";
inline constexpr const char* k_nul_byte = "NUL_BYTE";

// Strict YAML
inline constexpr const char* k_yaml_syntax = "YAML_SYNTAX";
inline constexpr const char* k_yaml_anchor = "YAML_ANCHOR";
inline constexpr const char* k_yaml_alias = "YAML_ALIAS";
inline constexpr const char* k_yaml_tag = "YAML_TAG";
inline constexpr const char* k_yaml_merge_key = "YAML_MERGE_KEY";
inline constexpr const char* k_yaml_complex_key = "YAML_COMPLEX_KEY";
inline constexpr const char* k_duplicate_key = "DUPLICATE_KEY";
inline constexpr const char* k_too_deep = "TOO_DEEP";
inline constexpr const char* k_too_many_documents = "TOO_MANY_DOCUMENTS";
inline constexpr const char* k_scalar_too_long = "VALUE_TOO_LONG";
inline constexpr const char* k_ambiguous_boolean = "AMBIGUOUS_BOOLEAN";     // yes/no/on/off: quote it
inline constexpr const char* k_non_canonical_integer = "NON_CANONICAL_INTEGER";  // 010, 0x1F, +1, 1_000

// Shape (the same codes the JSON Schema check maps to)
inline constexpr const char* k_unsupported_api_version = "UNSUPPORTED_API_VERSION";
inline constexpr const char* k_unknown_kind = "UNKNOWN_KIND";
inline constexpr const char* k_unknown_field = "UNKNOWN_FIELD";
inline constexpr const char* k_missing_field = "MISSING_FIELD";
inline constexpr const char* k_type_mismatch = "TYPE_MISMATCH";
inline constexpr const char* k_expected_string = "EXPECTED_STRING";          // a plain 123/true/null where a string is meant
inline constexpr const char* k_invalid_value = "INVALID_VALUE";              // not one of the allowed values
inline constexpr const char* k_invalid_name = "INVALID_NAME";
inline constexpr const char* k_invalid_email = "INVALID_EMAIL";
inline constexpr const char* k_invalid_timestamp = "INVALID_TIMESTAMP";
inline constexpr const char* k_invalid_duration = "INVALID_DURATION";
inline constexpr const char* k_invalid_permission = "INVALID_PERMISSION";
inline constexpr const char* k_invalid_policy = "INVALID_POLICY";
inline constexpr const char* k_out_of_range = "OUT_OF_RANGE";
inline constexpr const char* k_too_long = "TOO_LONG";
inline constexpr const char* k_duplicate_item = "DUPLICATE_ITEM";
inline constexpr const char* k_schema = "SCHEMA_VIOLATION";                  // any other schema keyword

// Rules across fields and files
inline constexpr const char* k_conflicting_fields = "CONFLICTING_FIELDS";    // expiresAt with ttl
inline constexpr const char* k_owner_not_assignable = "OWNER_NOT_ASSIGNABLE";
inline constexpr const char* k_builtin_role = "BUILTIN_ROLE_REDECLARED";
inline constexpr const char* k_secret_in_manifest = "SECRET_IN_MANIFEST";
inline constexpr const char* k_duplicate_resource = "DUPLICATE_RESOURCE";
inline constexpr const char* k_unknown_tenant = "UNKNOWN_TENANT";
inline constexpr const char* k_unknown_workspace = "UNKNOWN_WORKSPACE";
inline constexpr const char* k_unknown_role = "UNKNOWN_ROLE";
inline constexpr const char* k_capability_not_in_plan = "CAPABILITY_NOT_IN_PLAN";

}  // namespace plumb::load::codes
