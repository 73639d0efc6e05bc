// plumb plan / apply / drift: desired state from DIR, actual state from the database (or a
// base Git ref for an offline plan), a pure plan in between (DESIGN §4).
#include <atomic>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "reconciler/cli/commands.hpp"
#include "reconciler/cli/database.hpp"
#include "reconciler/cli/inputs.hpp"
#include "reconciler/cli/keep_until_exit.hpp"
#include "reconciler/cli/planning.hpp"
#include "reconciler/cli/terminal.hpp"
#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan_record.hpp"
#include "reconciler/plan/render.hpp"

namespace plumb::cli {
namespace {

constexpr std::size_t k_max_plan_file = 512u << 20;

// Loads DIR; on invalid input prints the diagnostics and returns nullopt.
std::optional<model::DesiredState> desired_or_report(const GlobalOptions& global, const InputOptions& input) {
  auto loaded = load_input(input);
  if (!loaded) {
    fail(loaded.error().message);
    return std::nullopt;
  }
  if (loaded->result.diagnostics.has_errors()) {
    print_diagnostics(global, loaded->result.diagnostics);
    fail("the manifests in '" + input.dir + "' are not valid (" +
         std::to_string(loaded->result.diagnostics.error_count()) + " error(s)); nothing was planned");
    return std::nullopt;
  }
  return std::move(loaded->result.desired);
}

// The actual state in the database, through a read-only connection of its own.
Result<model::ActualState> read_actual(const DatabaseOptions& db) {
  auto store = open_store(db, /*read_only=*/true);
  if (!store) return tl::unexpected(store.error());
  spdlog::debug("reading actual state from {}", redact_url(db.url));
  return store->read_actual();
}

// The fresh plan of `plumb plan` and `plumb apply` without --plan (one-shot commands: the states
// it plans from are kept until exit).
Result<plan::Plan> compute_plan(const GlobalOptions& global, const PlanOptions& options) {
  auto policy = policy_from_flags(options.policies, options.max_delete_fraction, options.allow_mass_delete);
  if (!policy) return tl::unexpected(policy.error());
  // The database is read on its own thread while DIR loads: the two are independent, and at
  // 100k resources each takes seconds. Input errors are still reported first: an invalid DIR
  // waits for the read to end (the future's destructor) and ignores what it found.
  std::future<Result<model::ActualState>> read;
  if (options.base.empty()) read = std::async(std::launch::async, read_actual, options.db);
  auto desired = desired_or_report(global, options.input);
  if (!desired) return make_error(ErrorKind::terminal, "INVALID_INPUT", "");
  model::ActualState actual;
  if (!options.base.empty()) {
    auto base = actual_from_base(options.input, options.base);
    if (!base) return tl::unexpected(base.error());
    actual = std::move(*base);
  } else {
    auto got = read.get();
    if (!got) return tl::unexpected(got.error());
    actual = std::move(*got);
  }
  plan::Plan plan = plan::make_plan(std::move(*desired), actual, *policy);
  // Both states are freed by process exit: tearing down 100k resources twice, node by node, was
  // a sixth of a plan with no changes.
  keep_until_exit(std::move(*desired));
  keep_until_exit(std::move(actual));
  return plan;
}

Result<plan::Plan> read_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::terminal, "PLAN_FILE", "cannot read the plan file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > k_max_plan_file) {
    return make_error(ErrorKind::terminal, "PLAN_FILE", path + " is too large for a plan file");
  }
  auto doc = nlohmann::json::parse(buf.str(), nullptr, false);
  if (doc.is_discarded()) return make_error(ErrorKind::terminal, "PLAN_FILE", path + " is not JSON");
  auto parsed = plan::plan_from_json(doc);
  if (!parsed) return make_error(ErrorKind::terminal, "PLAN_FILE", path + ": " + parsed.error());
  return *parsed;
}

bool confirm(const ApplyOptions& options) {
  if (options.auto_approve) return true;
  if (!stdin_is_tty()) {
    fail("refusing to apply without confirmation: no terminal to ask on. Pass --auto-approve.");
    return false;
  }
  std::cout << "\nDo you want to apply these changes? Only 'yes' is accepted: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "yes") {
    std::cout << "Apply cancelled; nothing was changed.\n";
    return false;
  }
  return true;
}

// Prints a plan's text to stdout: at once, or on its own thread (`background`) so the caller can
// start applying it meanwhile. wait() (or the destructor) returns once it is all printed.
class PlanPrinter {
 public:
  PlanPrinter(const plan::Plan& plan, bool colour, bool background) {
    if (!background) {
      print(plan, colour);
      return;
    }
    m_thread = std::thread([this, &plan, colour] { print(plan, colour); });
  }
  PlanPrinter(const PlanPrinter&) = delete;
  PlanPrinter& operator=(const PlanPrinter&) = delete;
  ~PlanPrinter() { wait(); }
  void wait() {
    if (m_thread.joinable()) m_thread.join();
  }
  bool done() const { return m_done.load(); }

 private:
  void print(const plan::Plan& plan, bool colour) {
    std::cout << plan::render_plan_text(plan, colour) << std::flush;
    m_done = true;
  }
  std::atomic<bool> m_done{false};
  std::thread m_thread;
};

int report_apply(const store::ApplyResult& result) {
  std::cout << "\nApply complete: " << result.created << " created, " << result.updated << " updated, "
            << result.deleted << " deleted in " << result.duration_ms << " ms (sync run " << result.sync_run_id
            << ", database revision " << result.revision << ").\n";
  for (const auto& key : result.minted_tokens) {
    std::cout << "  New secret for " << key.str() << ": reveal it once with `plumb token reveal " << key.tenant << " "
              << key.name << "`\n";
  }
  return k_exit_ok;
}

}  // namespace

int run_plan(const GlobalOptions& global, const PlanOptions& options) {
  setup_logging(global);
  if (options.base.empty() && options.db.url.empty()) {
    return fail("plan needs a database (--database-url / PLUMB_DATABASE_URL) or a Git ref to compare with (--base)");
  }
  auto result = compute_plan(global, options);
  if (!result) return result.error().message.empty() ? k_exit_error : fail(result.error().message);
  if (!options.out.empty()) {
    if (auto err = write_file_atomically(options.out, plan::plan_to_json(*result).dump(2) + "\n"); !err.empty()) {
      return fail(err);
    }
  }
  std::cout << render_plan(*result, options.format, use_colour(global));
  if (!options.out.empty() && options.format == "text") {
    std::cout << "\nSaved the plan to " << options.out << "; apply exactly it with `plumb apply --plan " << options.out
              << "`.\n";
  }
  const int code = !result->applyable()                          ? k_exit_error
                   : options.detailed_exitcode && !result->empty() ? k_exit_changes
                                                                   : k_exit_ok;
  keep_until_exit(std::move(*result));
  return code;
}

int run_apply(const GlobalOptions& global, const ApplyOptions& options) {
  setup_logging(global);
  if (!options.plan.base.empty()) return fail("apply writes to a database: --base is only for plan");
  if (options.plan.db.url.empty()) return fail("apply needs --database-url (or PLUMB_DATABASE_URL)");
  Result<plan::Plan> result = options.plan_file.empty() ? compute_plan(global, options.plan)
                                                        : read_plan_file(options.plan_file);
  if (!result) return result.error().message.empty() ? k_exit_error : fail(result.error().message);
  plan::Plan& plan = *result;
  // With --auto-approve nobody reads the plan before the apply starts, so it is printed on a
  // second thread while the apply runs (at 100k changes rendering it takes about a second).
  // Otherwise it is printed first, for the user to confirm.
  const bool overlap = options.auto_approve && plan.applyable() && !plan.empty();
  PlanPrinter printer(plan, use_colour(global), overlap);
  if (!plan.applyable()) return fail("the plan cannot be applied; nothing was changed");
  if (plan.empty()) return k_exit_ok;
  if (!confirm(options)) return k_exit_error;

  auto store = open_store(options.plan.db);
  if (!store) {
    printer.wait();
    return fail(store.error().message);
  }
  store::ApplyOptions apply_options;
  apply_options.actor = cli_actor();
  apply_options.actor_type = "cli";
  apply_options.trigger = "cli";
  bool show_progress = stderr_is_tty() && plan.changes.size() > 1000;
  apply_options.progress = [show_progress, &printer](std::size_t done, std::size_t total) {
    // Not while the plan is still being printed: the two would interleave on a terminal.
    if (show_progress && printer.done()) std::cerr << "\rapplying: " << done << "/" << total << std::flush;
    spdlog::debug("applied {}/{} changes", done, total);
  };
  auto applied = store->apply(plan, apply_options);
  printer.wait();
  if (show_progress) std::cerr << "\n";
  if (!applied) {
    const Error& e = applied.error();
    if (e.code == "STALE_PLAN") return fail(e.message + "; nothing was changed");
    // The one failure after which "nothing was changed" may be false. Running apply again is
    // safe: it re-plans from the database, and a saved plan is refused as stale if it committed.
    if (e.code == "DB_IN_DOUBT")
      return fail(e.message + " (" + e.code + "); run plumb plan to see whether it was applied");
    // No retry here (the operator retries with backoff): a conflict says run it again.
    if (e.kind == ErrorKind::conflict)
      return fail(e.message + " (" + e.code + "); nothing was changed: run apply again");
    return fail(e.message + " (" + e.code + "); nothing was changed");
  }
  keep_until_exit(std::move(plan));
  return report_apply(*applied);
}

int run_drift(const GlobalOptions& global, const DriftOptions& options) {
  setup_logging(global);
  auto desired = desired_or_report(global, options.input);
  if (!desired) return k_exit_error;
  auto store = open_store(options.db, /*read_only=*/true);
  if (!store) return fail(store.error().message);
  auto actual = store->read_actual();
  if (!actual) return fail(actual.error().message);
  plan::DriftReport report = plan::make_drift(*desired, *actual);
  if (options.format == "json") {
    std::cout << plan::drift_to_json(report).dump(2) << '\n';
  } else if (options.format == "markdown") {
    std::cout << plan::render_drift_markdown(report);
  } else {
    std::cout << plan::render_drift_text(report, use_colour(global));
  }
  return report.empty() ? k_exit_ok : k_exit_changes;
}

}  // namespace plumb::cli
