#include "reconciler/controller/pg_session.hpp"

#include <algorithm>
#include <functional>

#include <pqxx/pqxx>

namespace plumb::controller {

namespace {

Error db_error(const std::exception& e, std::string_view what) {
  return Error{ErrorKind::transient, "DB_UNAVAILABLE", std::string(what) + ": " + e.what()};
}

// Sessions set an application_name so the audit of out-of-band writes and pg_stat_activity
// show who they are.
std::unique_ptr<pqxx::connection> open_session(const std::string& url, const char* role) {
  auto c = std::make_unique<pqxx::connection>(url);
  pqxx::nontransaction tx(*c);
  tx.exec0(std::string("SET application_name = 'plumb-") + role + "'");
  return c;
}

class PgLeaderLock final : public LeaderLock {
 public:
  PgLeaderLock(std::unique_ptr<pqxx::connection> conn, std::int64_t key, int pid)
      : m_conn(std::move(conn)), m_fence{key, pid} {}

  Result<bool> try_acquire() override {
    try {
      pqxx::nontransaction tx(*m_conn);
      auto row = tx.exec1("SELECT pg_try_advisory_lock(" + std::to_string(m_fence.key) + ")");
      m_held = row[0].as<bool>();
      return m_held;
    } catch (const std::exception& e) {
      m_held = false;
      return tl::unexpected(db_error(e, "pg_try_advisory_lock"));
    }
  }

  // Asks the server, not our memory: a terminated session or a restarted server loses the lock.
  Result<bool> still_held() override {
    try {
      pqxx::nontransaction tx(*m_conn);
      auto row = tx.exec1("SELECT " + fence_sql(m_fence));
      m_held = row[0].as<bool>();
      return m_held;
    } catch (const std::exception& e) {
      m_held = false;
      return tl::unexpected(db_error(e, "checking the leader lock"));
    }
  }

  void release() override {
    try {
      if (m_held) {
        pqxx::nontransaction tx(*m_conn);
        tx.exec1("SELECT pg_advisory_unlock(" + std::to_string(m_fence.key) + ")");
      }
    } catch (const std::exception&) {
      // The session ending releases the lock anyway.
    }
    m_held = false;
  }

  Fence fence() const override { return m_fence; }

  Result<void> forward(const Request& request, const std::string& pass_id) override {
    try {
      pqxx::nontransaction tx(*m_conn);
      tx.exec("SELECT pg_notify(" + tx.quote(std::string(k_trigger_channel)) + ", " +
               tx.quote(encode_forwarded(request, pass_id)) + ")");
      return {};
    } catch (const std::exception& e) {
      return tl::unexpected(db_error(e, "forwarding a pass request to the leader"));
    }
  }

 private:
  std::unique_ptr<pqxx::connection> m_conn;
  Fence m_fence;
  bool m_held = false;
};

class PgChangeFeed final : public ChangeFeed {
 public:
  explicit PgChangeFeed(std::unique_ptr<pqxx::connection> conn)
      : m_conn(std::move(conn)),
        m_changes(*m_conn, k_changes_channel,
                  [this](const std::string& payload) {
                    m_events.changed = true;
                    if (auto keys = decode_change(payload)) {
                      m_events.keys.insert(m_events.keys.end(), keys->begin(), keys->end());
                    } else if (auto revision = decode_apply(payload)) {
                      m_events.applied_revision = std::max(m_events.applied_revision, *revision);
                    } else {
                      m_events.unkeyed = true;
                    }
                  }),
        m_triggers(*m_conn, k_trigger_channel, [this](const std::string& payload) {
          if (auto r = decode_forwarded(payload)) m_events.requests.push_back(std::move(*r));
        }) {}

  Result<FeedEvents> wait(std::chrono::milliseconds timeout) override {
    try {
      m_events = FeedEvents{};
      const long secs = static_cast<long>(timeout.count() / 1000);
      const long usecs = static_cast<long>((timeout.count() % 1000) * 1000);
      m_conn->await_notification(secs, usecs);
      // Drain whatever else arrived, so a burst of writes is one wake-up.
      while (m_conn->get_notifs() > 0) {
      }
      if (!m_conn->is_open()) throw pqxx::broken_connection("change feed session closed");
      return std::move(m_events);
    } catch (const std::exception& e) {
      return tl::unexpected(db_error(e, "LISTEN plumb_changes"));
    }
  }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection& c, const std::string& channel, std::function<void(const std::string&)> on)
        : pqxx::notification_receiver(c, channel), m_on(std::move(on)) {}
    void operator()(const std::string& payload, int) override { m_on(payload); }

   private:
    std::function<void(const std::string&)> m_on;
  };
  std::unique_ptr<pqxx::connection> m_conn;
  FeedEvents m_events;
  Receiver m_changes;
  Receiver m_triggers;
};

}  // namespace

std::string encode_forwarded(const Request& request, const std::string& pass_id) {
  std::string correlation = request.correlation_id.substr(0, 128);
  std::erase(correlation, '|');
  return std::string(trigger_name(request.reason)) + "|" + correlation + "|" + pass_id.substr(0, 64);
}

std::optional<std::pair<Request, std::string>> decode_forwarded(std::string_view payload) {
  auto a = payload.find('|');
  auto b = a == std::string_view::npos ? a : payload.find('|', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  auto reason = parse_trigger(payload.substr(0, a));
  if (!reason) return std::nullopt;
  return std::make_pair(Request{*reason, std::string(payload.substr(a + 1, b - a - 1))},
                        std::string(payload.substr(b + 1)));
}

namespace {

// A key as the trigger writes it: kind, tenant, workspace and name strings, checked like the
// loader checks metadata (a Tenant has no tenant, only a Pipeline has a workspace).
std::optional<model::ResourceKey> key_of(const model::Json& note, model::Kind kind) {
  auto text = [&](const char* field) -> std::optional<std::string> {
    auto it = note.find(field);
    if (it == note.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto tenant = text("tenant");
  auto workspace = text("workspace");
  auto name = text("name");
  if (!tenant || !workspace || !name || name->empty()) return std::nullopt;
  if (model::has_tenant(kind) == tenant->empty() || model::has_workspace(kind) == workspace->empty()) {
    return std::nullopt;
  }
  return model::ResourceKey{kind, std::move(*tenant), std::move(*workspace), std::move(*name)};
}

}  // namespace

std::optional<std::vector<model::ResourceKey>> decode_change(std::string_view payload) {
  if (payload.size() > 8000) return std::nullopt;  // PostgreSQL's own limit on a payload
  const model::Json note = model::Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!note.is_object()) return std::nullopt;
  auto op = note.find("op");
  if (op == note.end() || !op->is_string()) return std::nullopt;
  const auto& verb = op->get_ref<const std::string&>();
  if (verb != "insert" && verb != "update" && verb != "delete") return std::nullopt;
  auto kind_field = note.find("kind");
  if (kind_field == note.end() || !kind_field->is_string()) return std::nullopt;
  auto kind = model::parse_kind(kind_field->get_ref<const std::string&>());
  if (!kind) return std::nullopt;
  auto key = key_of(note, *kind);
  if (!key) return std::nullopt;
  std::vector<model::ResourceKey> keys{std::move(*key)};
  if (auto previous = note.find("previous"); previous != note.end()) {
    if (!previous->is_object()) return std::nullopt;
    auto old_key = key_of(*previous, *kind);
    if (!old_key) return std::nullopt;
    keys.push_back(std::move(*old_key));
  }
  return keys;
}

std::optional<std::int64_t> decode_apply(std::string_view payload) {
  if (payload.size() > 8000) return std::nullopt;
  const model::Json note = model::Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!note.is_object() || note.value("op", model::Json()) != "apply") return std::nullopt;
  auto revision = note.find("revision");
  if (revision == note.end() || !revision->is_number_integer()) return std::nullopt;
  const auto value = revision->get<std::int64_t>();
  if (value <= 0) return std::nullopt;
  return value;
}

std::string fence_sql(const Fence& fence) {
  // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits,
  // objsubid = 1.
  const auto key = static_cast<std::uint64_t>(fence.key);
  return "EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND classid = " +
         std::to_string(key >> 32) + " AND objid = " + std::to_string(key & 0xffffffffu) +
         " AND objsubid = 1 AND granted AND pid = " + std::to_string(fence.holder_pid) + ")";
}

Result<std::unique_ptr<LeaderLock>> connect_leader_lock(const std::string& database_url, std::int64_t key) {
  try {
    auto conn = open_session(database_url, "leader");
    int pid = conn->backendpid();
    return std::unique_ptr<LeaderLock>(new PgLeaderLock(std::move(conn), key, pid));
  } catch (const std::exception& e) {
    return tl::unexpected(db_error(e, "connecting the leader-election session"));
  }
}

Result<std::unique_ptr<ChangeFeed>> connect_change_feed(const std::string& database_url) {
  try {
    auto conn = open_session(database_url, "listen");
    return std::unique_ptr<ChangeFeed>(new PgChangeFeed(std::move(conn)));
  } catch (const std::exception& e) {
    return tl::unexpected(db_error(e, "connecting the LISTEN session"));
  }
}

}  // namespace plumb::controller
