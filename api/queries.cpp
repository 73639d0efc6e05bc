#include "api/queries.hpp"

#include <pqxx/pqxx>

namespace plumb::api {
namespace {

// Keys whose values are user-written maps: their inner keys are data, not field names.
bool opaque_map(const std::string& key) {
  return key == "labels" || key == "annotations" || key == "config" || key == "source" || key == "plan" ||
         key == "fields" || key == "details" || key == "before" || key == "after" || key == "counts" ||
         key == "integrations" || key == "transformations";
}

std::string camel(const std::string& key) {
  std::string out;
  bool upper = false;
  for (char c : key) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

std::string row_json_expr(const std::vector<std::string>& drop_columns) {
  std::string expr = "to_jsonb(r)";
  for (const auto& column : drop_columns) expr += " - '" + column + "'";
  return "(" + expr + ")::text";
}

std::string order_by(const ListQuery& q) {
  std::string out;
  for (const auto& key : q.keys) out += (out.empty() ? "" : ", ") + key.column + (q.descending ? " DESC" : " ASC");
  return out;
}

// "(a, b) > ($3::text, $4::text)": row comparison matches ORDER BY on the same columns.
std::string after_condition(const ListQuery& q, std::size_t first_param) {
  std::string lhs;
  std::string rhs;
  for (std::size_t i = 0; i < q.keys.size(); ++i) {
    lhs += (i ? ", " : "") + q.keys[i].column;
    rhs += (i ? ", $" : "$") + std::to_string(first_param + i) + "::" + q.keys[i].type;
  }
  return "(" + lhs + ") " + (q.descending ? "<" : ">") + " (" + rhs + ")";
}

}  // namespace

Json camel_keys(const Json& value) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(camel_keys(item));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [key, item] : value.items()) out[camel(key)] = opaque_map(key) ? item : camel_keys(item);
  return out;
}

Result<Page> read_page(DbPool& pool, const ListQuery& q, std::size_t limit,
                       const std::optional<std::vector<std::string>>& after) {
  std::vector<std::string> args = q.args;
  std::string where = "(" + q.where + ")";
  if (after) {
    if (after->size() != q.keys.size()) return make_error(ErrorKind::terminal, "INVALID_CURSOR", "cursor does not fit this list");
    where += " AND " + after_condition(q, args.size() + 1);
    args.insert(args.end(), after->begin(), after->end());
  }
  std::string keys_select;
  for (const auto& key : q.keys) keys_select += key.column + "::text, ";
  const std::string sql = "SELECT " + keys_select + row_json_expr(q.drop_columns) + " FROM " + q.table +
                          " r WHERE " + where + " ORDER BY " + order_by(q) + " LIMIT " + std::to_string(limit + 1);
  Page page;
  auto done = pool.with_connection([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    if (!q.parent_exists.empty()) {
      const pqxx::result parent =
          tx.exec_params("SELECT " + q.parent_exists, pqxx::prepare::make_dynamic_params(q.parent_args));
      if (parent.empty() || !parent[0][0].as<bool>()) {
        page.parent_missing = true;
        return;
      }
    }
    const pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(args));
    const std::size_t n = std::min<std::size_t>(rows.size(), limit);
    for (std::size_t i = 0; i < n; ++i) {
      page.items.push_back(Json::parse(rows[i][static_cast<int>(q.keys.size())].as<std::string>()));
    }
    if (rows.size() > limit && n > 0) {
      std::vector<std::string> last;
      for (std::size_t k = 0; k < q.keys.size(); ++k) last.push_back(rows[n - 1][static_cast<int>(k)].as<std::string>());
      page.next_key = std::move(last);
    }
  });
  if (!done) return tl::unexpected(done.error());
  return page;
}

Result<std::optional<Json>> read_one(DbPool& pool, const std::string& table, const std::string& where,
                                     const std::vector<std::string>& args, const std::vector<std::string>& drop_columns) {
  const std::string sql = "SELECT " + row_json_expr(drop_columns) + " FROM " + table + " r WHERE " + where + " LIMIT 1";
  auto text = read_scalar(pool, sql, args);
  if (!text) return tl::unexpected(text.error());
  if (!*text) return std::optional<Json>{};
  return std::optional<Json>(Json::parse(**text));
}

Result<std::optional<std::string>> read_scalar(DbPool& pool, const std::string& sql, const std::vector<std::string>& args) {
  std::optional<std::string> value;
  auto done = pool.with_connection([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(args));
    if (!rows.empty() && !rows[0][0].is_null()) value = rows[0][0].as<std::string>();
  });
  if (!done) return tl::unexpected(done.error());
  return value;
}

}  // namespace plumb::api
