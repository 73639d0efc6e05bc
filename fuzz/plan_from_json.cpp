// Fuzzes the saved-plan reader (`plumb apply --plan FILE`): any bytes either fail with a
// message or give a Plan that serialises back to a document the reader accepts unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "reconciler/plan/plan_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) return 0;
  const auto plan = plumb::plan::plan_from_json(document);
  if (!plan) {
    if (plan.error().empty()) std::abort();  // a refusal must say why
    return 0;
  }
  // Round trip: what the writer makes of an accepted plan, the reader accepts, and it is stable.
  const nlohmann::json written = plumb::plan::plan_to_json(*plan);
  const auto again = plumb::plan::plan_from_json(written);
  if (!again) std::abort();
  if (plumb::plan::plan_to_json(*again) != written) std::abort();
  return 0;
}
