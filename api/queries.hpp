#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/db_pool.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::api {

using Json = nlohmann::json;

// A sort-key column of a keyset-paginated list and the SQL type its cursor value is cast to.
struct KeyColumn {
  std::string column;
  std::string type = "text";
};

// A keyset-paginated read: rows of `table` matching `where` (parameters $1..$n from `args`),
// ordered by `keys` (unique together), each row rendered by PostgreSQL's to_jsonb(row).
struct ListQuery {
  std::string table;
  std::string where = "TRUE";
  std::vector<std::string> args;
  std::vector<KeyColumn> keys;
  bool descending = false;
  std::vector<std::string> drop_columns;  // removed from the row JSON in SQL (e.g. a plan blob)
  // Optional SQL condition over `parent_args` checked first in the same snapshot (the tenant or
  // workspace the list belongs to exists); when false the page is reported as `parent_missing`.
  std::string parent_exists;
  std::vector<std::string> parent_args;
};

// One page: the rows' JSON (after `shape`) and, if more rows follow, the last row's key.
struct Page {
  bool parent_missing = false;
  std::vector<Json> items;
  std::optional<std::vector<std::string>> next_key;
};

// Reads up to `limit` rows strictly after `after` (the previous page's last key) in one
// read-only transaction. New rows inserted meanwhile land before or after the cursor, never
// shift it, so pages have no duplicates or gaps.
Result<Page> read_page(DbPool& pool, const ListQuery& query, std::size_t limit,
                       const std::optional<std::vector<std::string>>& after);

// The to_jsonb of the single row of `table` matching `where`, or nullopt.
Result<std::optional<Json>> read_one(DbPool& pool, const std::string& table, const std::string& where,
                                     const std::vector<std::string>& args,
                                     const std::vector<std::string>& drop_columns = {});

// Runs `sql` (one row, one column, text or NULL) read-only and returns the value.
Result<std::optional<std::string>> read_scalar(DbPool& pool, const std::string& sql, const std::vector<std::string>& args);

// snake_case keys to camelCase, recursively through objects, except inside free-form maps
// (labels, annotations, config, plan, ...), whose keys are the user's data.
Json camel_keys(const Json& value);

}  // namespace plumb::api
