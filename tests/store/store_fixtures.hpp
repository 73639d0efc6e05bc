#pragma once
// Helpers for store tests: a fresh migrated database per test case, resources of every kind in
// canonical form, and a tiny reference planner (the real make_plan lives in reconciler/plan).
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "reconciler/model/state.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/store/store.hpp"

namespace plumb::store::testing {

// A fresh database, migrated, and a Store opened on it.
struct TestDb {
  std::string url;
  Store store;
};
TestDb fresh_store();

// Unwraps a Result, failing the test (with the error) if it holds an error.
template <class T>
T must(Result<T> result);
void must(Result<void> result);

model::Resource tenant(const std::string& name, const std::string& plan = "growth");
model::Resource role(const std::string& tenant, const std::string& name,
                     std::vector<std::string> permissions);
model::Resource workspace(const std::string& tenant, const std::string& name,
                          std::vector<std::string> caps = {});
model::Resource pipeline(const std::string& tenant, const std::string& ws, const std::string& name);
model::Resource token(const std::string& tenant, const std::string& name, const std::string& role,
                      const std::string& ttl = "", const std::string& expires_at = "");

// Pairs desired with actual: creates (reactivating soft-deleted rows), updates (rotating a token
// whose rotation increased), deletes of managed rows absent from desired; creates first.
plan::Plan simple_plan(const std::vector<model::Resource>& desired, const model::ActualState& actual);

// The resources of `actual` that are live (not soft-deleted), as plain resources.
std::vector<model::Resource> live(const model::ActualState& actual);

// Every payload NOTIFY delivers on a channel, as `listener.get_notifs()` hands them over:
// `NotificationLog log(listener, "plumb_changes");`.
struct NotificationLog : pqxx::notification_receiver {
  using pqxx::notification_receiver::notification_receiver;
  std::vector<std::string> payloads;
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
};

}  // namespace plumb::store::testing

#include <catch2/catch.hpp>

namespace plumb::store::testing {
template <class T>
T must(Result<T> result) {
  if (!result) FAIL(result.error().code + ": " + result.error().message);
  return std::move(*result);
}
}  // namespace plumb::store::testing
