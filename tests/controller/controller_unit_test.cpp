#include <catch2/catch.hpp>

#include "reconciler/controller/backoff.hpp"
#include "reconciler/controller/decision.hpp"
#include "reconciler/controller/pg_session.hpp"
#include "reconciler/controller/trigger.hpp"
#include "reconciler/controller/wiring.hpp"

using namespace plumb;
using namespace plumb::controller;

TEST_CASE("backoff doubles from one second and is capped at five minutes", "[controller]") {
  BackoffPolicy p;
  CHECK(backoff_delay(p, 0) == Millis{0});
  CHECK(backoff_delay(p, 1) == Millis{1000});
  CHECK(backoff_delay(p, 2) == Millis{2000});
  CHECK(backoff_delay(p, 5) == Millis{16000});
  CHECK(backoff_delay(p, 9) == Millis{256000});
  CHECK(backoff_delay(p, 10) == Millis{300000});
  CHECK(backoff_delay(p, 100000) == Millis{300000});
}

TEST_CASE("jitter spreads the interval within the configured fraction", "[controller]") {
  CHECK(jittered(Millis{60000}, 0.1, 0.0) == Millis{54000});
  CHECK(jittered(Millis{60000}, 0.1, 0.5) == Millis{60000});
  CHECK(jittered(Millis{60000}, 0.1, 0.999999).count() <= 66000);
  CHECK(jittered(Millis{60000}, 0.0, 0.9) == Millis{60000});
  CHECK(jittered(Millis{0}, 0.5, 0.0) == Millis{1});
}

namespace {

plan::Plan plan_with(std::size_t changes, bool error = false) {
  plan::Plan p;
  for (std::size_t i = 0; i < changes; ++i) p.changes.push_back(plan::Change{});
  if (error) p.diagnostics.error("MASS_DELETE", "too many deletes", {});
  return p;
}

}  // namespace

TEST_CASE("a new revision is applied whole, with or without self-heal", "[controller]") {
  CHECK(decide(plan_with(2), "c2", "c1", false).action == PassAction::apply);
  CHECK(decide(plan_with(2), "c2", "c1", true).action == PassAction::apply);
  CHECK(decide(plan_with(2), "c1", "", false).action == PassAction::apply);  // nothing synced on record yet
}

TEST_CASE("out-of-band differences on the synced revision are reverted only with self-heal", "[controller]") {
  CHECK(decide(plan_with(1), "c1", "c1", false).action == PassAction::report_drift);
  CHECK(decide(plan_with(1), "c1", "c1", true).action == PassAction::apply);
}

TEST_CASE("an empty plan does nothing and an unapplyable plan is refused", "[controller]") {
  CHECK(decide(plan_with(0), "c2", "c1", false).action == PassAction::nothing);
  CHECK(decide(plan_with(3, true), "c2", "c1", true).action == PassAction::refuse);
}

TEST_CASE("a directory revision is a digest of its canonical resources", "[controller]") {
  model::DesiredState a;
  model::Resource r;
  r.key = model::ResourceKey{model::Kind::tenant, "acme", "", "acme"};
  r.spec = {{"plan", "starter"}};
  a.resources.push_back(r);
  model::DesiredState b = a;
  CHECK(revision_of(a) == revision_of(b));
  CHECK(revision_of(a).rfind("sha256:", 0) == 0);
  b.resources[0].spec["plan"] = "growth";
  CHECK(revision_of(a) != revision_of(b));
  b.commit = "abc";
  CHECK(revision_of(b) == "abc");
}

TEST_CASE("trigger names round-trip", "[controller]") {
  for (auto t : {Trigger::startup, Trigger::interval, Trigger::webhook, Trigger::api, Trigger::notify}) {
    CHECK(parse_trigger(trigger_name(t)) == t);
  }
  CHECK_FALSE(parse_trigger("cron"));
}

TEST_CASE("a forwarded pass request survives the NOTIFY payload and hostile ids stay in their field", "[controller]") {
  auto payload = encode_forwarded(Request{Trigger::webhook, "corr-1234|evil"}, "abcdef0123");
  auto back = decode_forwarded(payload);
  REQUIRE(back);
  CHECK(back->first.reason == Trigger::webhook);
  CHECK(back->first.correlation_id == "corr-1234evil");
  CHECK(back->second == "abcdef0123");
  CHECK_FALSE(decode_forwarded("garbage"));
  CHECK_FALSE(decode_forwarded("cron|x|y"));
}

TEST_CASE("a change notification names its row, a rename both keys, and anything else no key", "[controller]") {
  auto keys = decode_change(R"({"kind":"Pipeline","tenant":"acme","workspace":"ws","name":"p","op":"update"})");
  REQUIRE(keys);
  REQUIRE(keys->size() == 1);
  CHECK((*keys)[0] == model::ResourceKey{model::Kind::pipeline, "acme", "ws", "p"});
  auto tenant = decode_change(R"({"kind":"Tenant","tenant":"","workspace":"","name":"acme","op":"delete"})");
  REQUIRE(tenant);
  CHECK((*tenant)[0] == model::ResourceKey{model::Kind::tenant, "", "", "acme"});
  auto renamed = decode_change(R"({"kind":"Role","tenant":"acme","workspace":"","name":"new","op":"update",)"
                               R"("previous":{"tenant":"acme","workspace":"","name":"old"}})");
  REQUIRE(renamed);
  REQUIRE(renamed->size() == 2);
  CHECK((*renamed)[1] == model::ResourceKey{model::Kind::role, "acme", "", "old"});
  // No key in an apply's note, a TRUNCATE, or garbage (an apply's note is read by decode_apply).
  for (const char* unkeyed : {
           R"({"op":"apply","syncRunId":"abc","revision":12})",
           R"({"kind":"Tenant","op":"truncate"})",
           R"({"kind":"Tenant","tenant":"","workspace":"","name":"acme","op":"select"})",
           R"({"kind":"Cluster","tenant":"","workspace":"","name":"x","op":"insert"})",
           R"({"kind":"Tenant","tenant":"acme","workspace":"","name":"acme","op":"insert"})",  // a Tenant has no tenant
           R"({"kind":"Role","tenant":"","workspace":"","name":"ops","op":"insert"})",         // a Role needs one
           R"({"kind":"Role","tenant":"a","workspace":"w","name":"ops","op":"insert"})",       // and no workspace
           R"({"kind":"Tenant","tenant":"","workspace":"","name":"","op":"insert"})",
           R"({"kind":"Tenant","tenant":"","workspace":"","name":7,"op":"insert"})",
           R"({"kind":"Tenant","tenant":"","workspace":"","name":"a","op":"update","previous":"a"})",
           R"({"kind":"Tenant","tenant":"","workspace":"","name":"a","op":"update","previous":{"name":"b"}})",
           R"([1,2])", "", "not json", "{\"kind\"", "null"}) {
    INFO(unkeyed);
    CHECK_FALSE(decode_change(unkeyed));
  }
  CHECK_FALSE(decode_change(std::string(9000, ' ')));
}

TEST_CASE("an apply's note tells its revision; no other note does", "[controller]") {
  CHECK(decode_apply(R"({"op":"apply","syncRunId":"abc","revision":12})") == 12);
  for (const char* other : {R"({"op":"apply","syncRunId":"abc"})", R"({"op":"apply","revision":"12"})",
                            R"({"op":"apply","revision":0})", R"({"op":"apply","revision":-3})",
                            R"({"op":"apply","revision":1.5})", R"({"op":"update","revision":12})",
                            R"({"kind":"Tenant","tenant":"","workspace":"","name":"acme","op":"insert"})",
                            R"({"kind":"Tenant","op":"truncate"})", "[1]", "", "not json", "null"}) {
    INFO(other);
    CHECK_FALSE(decode_apply(other));
  }
  CHECK_FALSE(decode_apply(std::string(9000, ' ')));
}

TEST_CASE("the fence condition names the advisory lock's two halves and the holder", "[controller]") {
  auto sql = fence_sql(Fence{(std::int64_t{7} << 32) | 9, 4242});
  CHECK(sql.find("classid = 7") != std::string::npos);
  CHECK(sql.find("objid = 9") != std::string::npos);
  CHECK(sql.find("pid = 4242") != std::string::npos);
}

TEST_CASE("installations in different schemas elect leaders on different lock keys", "[controller]") {
  PostgresWiring a;
  PostgresWiring b;
  b.store.schema = "plumb_staging";
  CHECK(leader_key_for(a) == k_default_leader_key);
  CHECK(leader_key_for(b) != k_default_leader_key);
  b.leader_key = 77;
  CHECK(leader_key_for(b) == 77);
}
