#include <algorithm>

#include <catch2/catch.hpp>

#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/plan/plan_record.hpp"
#include "reconciler/plan/render.hpp"
#include "tests/plan/fixtures.hpp"

using namespace plumb;
using namespace plumb::testing;
using plan::Action;

TEST_CASE("an empty database gets every resource created, in dependency order", "[plan]") {
  auto p = plan::make_plan(desired({pipeline("acme", "ws", "p"), token("acme", "bot"), tenant("acme"),
                                    role("acme", "ops")}),
                           actual({}), {});
  REQUIRE(p.changes.size() == 4);
  CHECK(p.changes[0].key.kind == model::Kind::tenant);
  CHECK(p.changes[1].key.kind == model::Kind::role);
  CHECK(p.changes[2].key.kind == model::Kind::pipeline);
  CHECK(p.changes[3].key.kind == model::Kind::api_token);
  CHECK(p.changes[3].rotate_secret);
  CHECK(p.summary.create == 4);
  CHECK(p.actual_revision == 7);
  CHECK(p.commit == "c0ffee");
  CHECK(p.applyable());
}

TEST_CASE("equal desired and actual state plan nothing", "[plan]") {
  auto p = plan::make_plan(desired({tenant("acme")}), actual({managed(tenant("acme"))}), {});
  CHECK(p.empty());
  CHECK(p.summary.unchanged == 1);
  CHECK(plan::render_plan_text(p, false).find("No changes.") != std::string::npos);
}

TEST_CASE("updates list each differing field by path, nested config included", "[plan]") {
  auto after = pipeline("acme", "ws", "p");
  after.spec["source"]["config"]["url"] = "https://y.example";
  after.spec["enabled"] = false;
  after.labels["team"] = "data";
  auto p = plan::make_plan(desired({after}), actual({managed(pipeline("acme", "ws", "p"))}), {});
  REQUIRE(p.changes.size() == 1);
  const auto& fields = p.changes[0].fields;
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].path == "metadata.labels.team");
  CHECK_FALSE(fields[0].before);
  CHECK(fields[1].path == "spec.enabled");
  CHECK(fields[2].path == "spec.source.config.url");
  CHECK(*fields[2].after == "https://y.example");
}

TEST_CASE("array elements diff by index and annotation keys are quoted", "[plan]") {
  auto before = tenant("acme");
  auto after = tenant("acme");
  after.annotations["plumb.dev/policy"] = "full";
  auto fields = plan::diff_resources(before, after);
  REQUIRE(fields.size() == 1);
  CHECK(fields[0].path == "metadata.annotations[\"plumb.dev/policy\"]");
  auto r1 = role("acme", "ops");
  auto r2 = role("acme", "ops");
  r2.spec["permissions"] = {"pipelines:write"};
  CHECK(plan::diff_resources(r1, r2)[0].path == "spec.permissions[0]");
}

TEST_CASE("managed rows gone from Git are deleted in reverse dependency order", "[plan]") {
  auto p = plan::make_plan(desired({tenant("keep1"), tenant("keep2"), tenant("keep3"), tenant("keep4")}),
                           actual({managed(tenant("keep1")), managed(tenant("keep2")), managed(tenant("keep3")),
                                   managed(tenant("keep4")), managed(tenant("acme")), managed(role("acme", "ops"))}),
                           policy({}, 0.5));
  REQUIRE(p.changes.size() == 2);
  CHECK(p.changes[0].key.kind == model::Kind::role);
  CHECK(p.changes[1].key.kind == model::Kind::tenant);
  CHECK(p.changes[1].action == Action::remove);
  CHECK(p.applyable());
}

TEST_CASE("unmanaged rows not in Git are never touched, and declared ones are adopted", "[plan]") {
  model::ActualResource stranger;
  stranger.resource = tenant("other");
  model::ActualResource adopted;
  adopted.resource = tenant("acme");
  auto p = plan::make_plan(desired({tenant("acme")}), actual({stranger, adopted}), {});
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].key.name == "acme");
  CHECK(p.changes[0].action == Action::update);
  CHECK(p.changes[0].reason.find("adopting") != std::string::npos);
}

TEST_CASE("policies restrict what a plan may do", "[plan]") {
  auto changed = tenant("acme", "growth");
  SECTION("observe never writes") {
    auto d = changed;
    d.annotations["plumb.dev/policy"] = "observe";
    auto p = plan::make_plan(desired({d, tenant("new")}), actual({managed(tenant("acme"))}),
                             policy({{model::Kind::tenant, model::Policy::observe}}));
    CHECK(p.empty());
    CHECK(p.summary.skipped == 2);
  }
  SECTION("create-only creates but never updates or deletes") {
    auto pol = policy({{model::Kind::tenant, model::Policy::create_only}});
    auto p = plan::make_plan(desired({changed, tenant("new")}), actual({managed(tenant("acme")), managed(tenant("old"))}),
                             pol);
    REQUIRE(p.changes.size() == 1);
    CHECK(p.changes[0].key.name == "new");
    CHECK(p.summary.skipped == 2);
  }
  SECTION("no-delete updates but never deletes") {
    auto pol = policy({{model::Kind::tenant, model::Policy::no_delete}});
    auto p = plan::make_plan(desired({changed}), actual({managed(tenant("acme")), managed(tenant("old"))}), pol);
    REQUIRE(p.changes.size() == 1);
    CHECK(p.changes[0].action == Action::update);
  }
  SECTION("a resource's annotation wins over the kind's policy") {
    auto d = changed;
    d.annotations["plumb.dev/policy"] = "full";
    auto a = tenant("acme");
    a.annotations["plumb.dev/policy"] = "full";
    auto pol = policy({{model::Kind::tenant, model::Policy::observe}});
    auto p = plan::make_plan(desired({d}), actual({managed(a)}), pol);
    CHECK(p.summary.update == 1);
  }
}

TEST_CASE("prevent-destroy makes a plan that deletes the resource not applyable", "[plan]") {
  auto guarded = tenant("acme");
  guarded.annotations["plumb.dev/prevent-destroy"] = "true";
  auto p = plan::make_plan(desired({}), actual({managed(guarded)}), {});
  CHECK_FALSE(p.applyable());
  CHECK(p.diagnostics.items()[0].code == "PREVENT_DESTROY");
}

TEST_CASE("the mass-delete guard refuses large or whole-kind deletions unless allowed", "[plan]") {
  std::vector<model::ActualResource> rows;
  std::vector<model::Resource> keep;
  for (int i = 0; i < 10; ++i) {
    rows.push_back(managed(tenant("t" + std::to_string(100 + i))));
    if (i >= 3) keep.push_back(tenant("t" + std::to_string(100 + i)));
  }
  auto p = plan::make_plan(desired(keep), actual(rows), {});  // 3 of 10 = 30% > 25%
  CHECK_FALSE(p.applyable());
  CHECK(p.diagnostics.items()[0].code == "MASS_DELETE");
  auto allowed = plan::make_plan(desired(keep), actual(rows), policy({}, 0.25, true));
  CHECK(allowed.applyable());
  keep.push_back(tenant("t100"));  // 2 of 10 = 20%: fine
  CHECK(plan::make_plan(desired(keep), actual(rows), {}).applyable());
  // Every role deleted while tenants stay: refused even though the share is small.
  std::vector<model::ActualResource> with_roles = rows;
  with_roles.push_back(managed(role("t100", "a1a")));
  with_roles.push_back(managed(role("t100", "b2b")));
  std::vector<model::Resource> all_tenants;
  for (int i = 0; i < 10; ++i) all_tenants.push_back(tenant("t" + std::to_string(100 + i)));
  auto p2 = plan::make_plan(desired(all_tenants), actual(with_roles), policy({}, 0.9));
  CHECK_FALSE(p2.applyable());
  // A single deletion is never a mass deletion.
  CHECK(plan::make_plan(desired({}), actual({managed(tenant("only"))}), {}).applyable());
}

TEST_CASE("token rotation mints a new secret only when the generation goes up", "[plan]") {
  auto up = plan::make_plan(desired({token("acme", "bot", 2)}), actual({managed(token("acme", "bot", 1))}), {});
  REQUIRE(up.changes.size() == 1);
  CHECK(up.changes[0].rotate_secret);
  auto down = plan::make_plan(desired({token("acme", "bot", 0)}), actual({managed(token("acme", "bot", 1))}), {});
  CHECK_FALSE(down.applyable());
  CHECK(down.diagnostics.items()[0].code == "ROTATION_DECREASED");
  auto other = token("acme", "bot", 1);
  other.spec["description"] = "changed";
  auto edit = plan::make_plan(desired({other}), actual({managed(token("acme", "bot", 1))}), {});
  CHECK_FALSE(edit.changes[0].rotate_secret);
}

TEST_CASE("a soft-deleted row declared again is reactivated", "[plan]") {
  auto row = managed(tenant("acme"));
  row.deleted = true;
  auto p = plan::make_plan(desired({tenant("acme")}), actual({row}), {});
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].action == Action::create);
  CHECK(p.changes[0].reactivate);
  // And a soft-deleted row absent from Git is left alone.
  CHECK(plan::make_plan(desired({}), actual({row}), {}).empty());
}

TEST_CASE("plans are deterministic", "[plan]") {
  auto d = desired({tenant("b"), tenant("a"), role("a", "r1"), token("a", "t01")});
  auto a = actual({managed(tenant("c")), managed(tenant("a", "growth"))});
  auto p1 = plan::make_plan(d, a, policy({}, 0.25, true));
  auto p2 = plan::make_plan(d, a, policy({}, 0.25, true));
  CHECK(plan::render_plan_text(p1, false) == plan::render_plan_text(p2, false));
}

TEST_CASE("a plan made from a desired state given up equals the plan made from a copy", "[plan]") {
  auto changed = token("a", "t01", 2);
  auto d = desired({tenant("b"), tenant("a"), role("a", "r1"), changed, pipeline("a", "w", "p"), tenant("same")});
  auto a = actual({managed(tenant("c")), managed(tenant("a", "growth")), managed(token("a", "t01", 1)),
                   managed(tenant("same"))});
  auto copied = plan::make_plan(d, a, policy({}, 0.25, true));
  auto moved = plan::make_plan(model::DesiredState(d), a, policy({}, 0.25, true));
  CHECK(plan::plan_to_json(moved) == plan::plan_to_json(copied));
  CHECK(plan::render_plan_text(moved, false) == plan::render_plan_text(copied, false));
  CHECK(moved.changes.size() == 6);  // creates b, r1 and the pipeline; updates a and t01; deletes c
  CHECK(moved.summary.unchanged == 1);
}

TEST_CASE("a plan large enough to render in halves shows every change once, in plan order", "[plan][render]") {
  std::vector<model::Resource> tenants;
  for (int i = 0; i < 4321; ++i) tenants.push_back(tenant("t" + std::to_string(100000 + i)));
  auto p = plan::make_plan(desired(tenants), actual({}), {});
  REQUIRE(p.changes.size() == 4321);
  const std::string text = plan::render_plan_text(p, false);
  std::size_t at = 0;
  for (const auto& change : p.changes) {
    const std::string line = "  + " + change.key.str() + "\n";
    const std::size_t found = text.find(line, at);
    REQUIRE(found != std::string::npos);
    at = found + line.size();
  }
  std::size_t creates = 0;
  for (std::size_t pos = text.find("\n  + "); pos != std::string::npos; pos = text.find("\n  + ", pos + 1)) ++creates;
  CHECK(creates == 4321);
  CHECK(text.find("Plan: 4321 to create, 0 to update, 0 to delete") != std::string::npos);
}

TEST_CASE("drift reports missing, modified, unmanaged and orphaned resources", "[plan][drift]") {
  auto modified = tenant("mod", "growth");
  model::ActualResource stranger;
  stranger.resource = tenant("zzz");
  auto report = plan::make_drift(desired({tenant("miss"), modified}),
                                 actual({managed(tenant("mod")), managed(tenant("gone")), stranger}));
  REQUIRE(report.items.size() == 4);
  CHECK(report.items[0].key.name == "gone");
  CHECK(report.items[0].type == plan::DriftType::orphaned);
  CHECK(report.items[1].type == plan::DriftType::missing);
  CHECK(report.items[2].type == plan::DriftType::modified);
  CHECK(report.items[2].fields[0].path == "spec.plan");
  CHECK(report.items[3].type == plan::DriftType::unmanaged);
}

TEST_CASE("sensitive config values never appear in rendered plans", "[plan][render]") {
  auto after = pipeline("acme", "ws", "p");
  after.spec["source"]["config"]["apiKey"] = "hunter2-new";
  auto p = plan::make_plan(desired({after}), actual({managed(pipeline("acme", "ws", "p"))}), {});
  std::string text = plan::render_plan_text(p, false) + plan::render_plan_markdown(p);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("(sensitive)") != std::string::npos);
  auto created = plan::make_plan(desired({after}), actual({}), {});
  CHECK(plan::render_plan_text(created, false).find("hunter2") == std::string::npos);
}

TEST_CASE("drift after an apply keeps only what the plan did not change", "[plan][drift]") {
  auto modified = tenant("mod", "growth");
  auto observed = tenant("obs", "growth");
  model::ActualResource stranger;
  stranger.resource = tenant("zzz");
  const auto d = desired({tenant("miss"), modified, observed});
  const auto a = actual({managed(tenant("mod")), managed(tenant("gone")), managed(tenant("obs")), stranger});
  auto p = plan::make_plan(d, a, {});
  // Leave "obs" out of the plan, as a policy would: its drift must survive.
  std::erase_if(p.changes, [](const plan::Change& c) { return c.key.name == "obs"; });
  const auto before = plan::make_drift(d, a);
  REQUIRE(before.items.size() == 5);
  const auto after = plan::drift_after_apply(before, p, 42);
  CHECK(after.actual_revision == 42);
  CHECK(after.commit == before.commit);
  REQUIRE(after.items.size() == 2);
  CHECK(after.items[0].key.name == "obs");
  CHECK(after.items[0].type == plan::DriftType::modified);
  CHECK(after.items[1].key.name == "zzz");  // unmanaged: never planned, still reported
  CHECK(after.items[1].type == plan::DriftType::unmanaged);
}

TEST_CASE("drift updated for the notified rows equals the drift of the whole state", "[plan][drift]") {
  const auto d = desired({tenant("acme"), tenant("beta"), role("acme", "ops"), pipeline("acme", "ws", "p"),
                          pipeline("acme", "ws", "q"), token("acme", "bot")});
  model::ActualResource stranger;
  stranger.resource = tenant("zzz");
  const auto before_rows = actual({managed(tenant("acme")), managed(tenant("beta", "growth")),
                                   managed(role("acme", "ops")), managed(pipeline("acme", "ws", "p")),
                                   managed(pipeline("acme", "ws", "q")), managed(token("acme", "bot")), stranger});
  const auto before = plan::make_drift(d, before_rows);
  REQUIRE(drift_text(before) == "modified Tenant/beta spec.plan\nunmanaged Tenant/zzz\n");

  // Out of band: beta fixed by hand, acme's plan changed, pipeline q renamed to r, the token
  // deleted, the stranger deactivated, a new unmanaged role inserted.
  auto acme = managed(tenant("acme", "enterprise"));
  auto renamed = managed(pipeline("acme", "ws", "r"));
  auto deactivated = stranger;
  deactivated.deleted = true;
  model::ActualResource inserted;
  inserted.resource = role("acme", "extra");
  const auto after_rows = actual({acme, managed(tenant("beta")), managed(role("acme", "ops")), inserted,
                                  managed(pipeline("acme", "ws", "p")), renamed, deactivated}, 9);
  const std::vector<model::ResourceKey> heard = {
      acme.resource.key,          tenant("beta").key,     pipeline("acme", "ws", "q").key, renamed.resource.key,
      token("acme", "bot").key,   stranger.resource.key,  inserted.resource.key,           acme.resource.key};
  // Only the rows that exist among the heard keys, as Store::read_resources returns them.
  model::ActualState rows{9, {}};
  for (const auto& r : after_rows.resources) {
    if (std::find(heard.begin(), heard.end(), r.resource.key) != heard.end()) rows.resources.push_back(r);
  }

  const auto updated = plan::update_drift(before, d, rows, heard);
  const auto whole = plan::make_drift(d, after_rows);
  CHECK(drift_text(updated) == drift_text(whole));
  CHECK(drift_text(updated) ==
        "modified Tenant/acme spec.plan\nunmanaged Role/acme/extra\nmissing Pipeline/acme/ws/q\n"
        "orphaned Pipeline/acme/ws/r\nmissing ApiToken/acme/bot\n");
  CHECK(updated.actual_revision == 9);
  CHECK(updated.commit == before.commit);
  // A key heard whose row did not change leaves the report as it was.
  CHECK(drift_text(plan::update_drift(before, d, before_rows, {tenant("beta").key})) == drift_text(before));
}

TEST_CASE("plan and drift made in one pass equal make_plan and make_drift made apart", "[plan][drift]") {
  model::ActualResource stranger;
  stranger.resource = tenant("zzz");
  auto soft_deleted = managed(tenant("back"));
  soft_deleted.deleted = true;
  auto gone_deleted = managed(tenant("old"));
  gone_deleted.deleted = true;
  model::ActualResource unmanaged_declared;
  unmanaged_declared.resource = role("acme", "adopt");
  auto observed = tenant("obs", "growth");
  observed.annotations[std::string(model::k_annotation_policy)] = "observe";
  const auto d = desired({tenant("acme"), tenant("back"), tenant("miss"), tenant("mod", "growth"), observed,
                          role("acme", "adopt"), token("acme", "bot", 2), pipeline("acme", "ws", "p")});
  const auto a = actual({managed(tenant("acme")), soft_deleted, gone_deleted, managed(tenant("mod")),
                         managed(tenant("obs")), managed(tenant("gone")), stranger, unmanaged_declared,
                         managed(token("acme", "bot", 1)), managed(pipeline("acme", "ws", "orphan"))},
                        17);
  for (const auto& pol : {policy({}, 0.25, true), policy({}, 0.25, false)}) {
    const auto both = plan::make_plan_and_drift(d, a, pol);
    const auto plan_alone = plan::make_plan(d, a, pol);
    const auto drift_alone = plan::make_drift(d, a);
    CHECK(plan::plan_to_json(both.plan) == plan::plan_to_json(plan_alone));
    CHECK(plan::render_plan_text(both.plan, false) == plan::render_plan_text(plan_alone, false));
    CHECK(drift_text(both.drift) == drift_text(drift_alone));
    CHECK(both.drift.actual_revision == 17);
    CHECK(both.drift.commit == drift_alone.commit);
  }
  CHECK(drift_text(plan::make_drift(d, a)) ==
        "missing Tenant/back\norphaned Tenant/gone\nmissing Tenant/miss\nmodified Tenant/mod spec.plan\n"
        "modified Tenant/obs metadata.annotations[\"plumb.dev/policy\"] spec.plan\nunmanaged Tenant/zzz\n"
        "orphaned Pipeline/acme/ws/orphan\nmissing Pipeline/acme/ws/p\nmodified ApiToken/acme/bot spec.rotation\n");
}

TEST_CASE("a plan that rechecks only the keys that changed since the last one equals a full plan", "[plan][drift]") {
  model::ActualResource stranger;
  stranger.resource = tenant("zzz");
  const auto d1 = desired({tenant("acme"), tenant("beta"), tenant("mod", "growth"), role("acme", "ops"),
                           token("acme", "bot", 1), pipeline("acme", "ws", "p"), pipeline("acme", "ws", "q")});
  const auto a1 = actual({managed(tenant("acme")), managed(tenant("beta")), managed(tenant("mod")),
                          managed(role("acme", "ops")), managed(token("acme", "bot", 1)),
                          managed(pipeline("acme", "ws", "p")), managed(pipeline("acme", "ws", "q")), stranger},
                         20);
  const auto first = plan::make_plan_and_drift(d1, a1, {});
  std::vector<model::ResourceKey> recheck;
  for (const auto& item : first.drift.items) recheck.push_back(item.key);
  CHECK(drift_text(first.drift) == "modified Tenant/mod spec.plan\nunmanaged Tenant/zzz\n");

  // Since then: Git edits beta and drops q; the database changed the ops role and the token.
  const auto d2 = desired({tenant("acme"), tenant("beta", "enterprise"), tenant("mod", "growth"),
                           role("acme", "ops"), token("acme", "bot", 1), pipeline("acme", "ws", "p")});
  auto ops = managed(role("acme", "ops"));
  ops.resource.spec["description"] = "edited by hand";
  const auto a2 = actual({managed(tenant("acme")), managed(tenant("beta")), managed(tenant("mod")), ops,
                          managed(token("acme", "bot", 2)), managed(pipeline("acme", "ws", "p")),
                          managed(pipeline("acme", "ws", "q")), stranger},
                         21);
  for (const auto& key : {tenant("beta").key, pipeline("acme", "ws", "q").key, ops.resource.key,
                          token("acme", "bot").key}) {
    recheck.push_back(key);
  }
  const auto full = plan::make_plan_and_drift(d2, a2, policy({}, 0.25, true));
  const auto partial = plan::make_plan_and_drift(d2, a2, policy({}, 0.25, true), recheck);
  CHECK(plan::plan_to_json(partial.plan) == plan::plan_to_json(full.plan));
  CHECK(plan::render_plan_text(partial.plan, false) == plan::render_plan_text(full.plan, false));
  CHECK(drift_text(partial.drift) == drift_text(full.drift));
  CHECK(partial.plan.summary.unchanged == full.plan.summary.unchanged);
  CHECK(full.plan.changes.size() == 5);  // beta, mod, ops, bot updated; q deleted

  // The caller's word is taken: a changed pair left out of `recheck` counts as unchanged.
  std::vector<model::ResourceKey> incomplete(recheck.begin(), recheck.end() - 1);  // forgets the token
  const auto wrong = plan::make_plan_and_drift(d2, a2, policy({}, 0.25, true), incomplete);
  CHECK(wrong.plan.changes.size() == 4);
  CHECK(wrong.plan.summary.unchanged == full.plan.summary.unchanged + 1);
}
