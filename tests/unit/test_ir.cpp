// The IR contract: every program the front end lowers passes the verifier,
// the verifier catches broken programs, and lowering resolves dates (rule
// windows after amendments, set membership by date) as docs/semantics.md says.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "driver/driver.h"
#include "edict/runtime/date.h"
#include "ir/lower.h"

using namespace edict;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<driver::Compilation> Load(const std::vector<std::string>& files) {
  diag::Engine diags;
  auto c = driver::Compile(files, {}, diags);
  REQUIRE_FALSE(diags.HasErrors());
  return c;
}

ir::Program LowerRegime(const driver::Compilation& c, const std::vector<std::string>& modules) {
  ir::LowerOptions lo;
  lo.modules = modules;
  std::string error;
  auto p = ir::Lower(c.checked, lo, &error);
  INFO(error);
  REQUIRE(p.has_value());
  return std::move(*p);
}

std::vector<std::string> StdlibFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(EDICT_SOURCE_DIR) / "stdlib")) {
    if (e.path().extension() == ".edict") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const ir::Rule& RuleNamed(const ir::Program& p, const std::string& name) {
  auto it = std::find_if(p.rules.begin(), p.rules.end(), [&](const ir::Rule& r) { return r.name == name; });
  REQUIRE(it != p.rules.end());
  return *it;
}

int32_t Day(const char* s) { return *rt::ParseDate(s); }

}  // namespace

TEST_CASE("every stdlib regime lowers to a well-formed program") {
  auto c = Load(StdlibFiles());
  auto regimes = ir::Regimes(c->checked);
  REQUIRE(regimes.size() >= 3);
  for (const auto& [name, modules] : regimes) {
    INFO("regime ", name);
    ir::Program p = LowerRegime(*c, modules);
    CHECK(ir::Verify(p).empty());
    CHECK_FALSE(p.rules.empty());
  }
}

TEST_CASE("rule windows: compliance date, suspension, and a whole regulation suspended") {
  auto c = Load(StdlibFiles());
  // As written: from the compliance date 2025-05-15, open-ended.
  ir::Program as_written = LowerRegime(*c, {"diffusion_2025"});
  const ir::Rule& lpp = RuleNamed(as_written, "lpp");
  CHECK_FALSE(lpp.InForce(Day("2025-05-14")));
  CHECK(lpp.InForce(Day("2025-05-15")));
  CHECK(lpp.InForce(Day("2027-06-01")));
  // With the rescission (suspended from 2025-05-13): never in force.
  ir::Program rescinded = LowerRegime(*c, {"diffusion_2025", "rescission_2025"});
  CHECK(RuleNamed(rescinded, "lpp").in_force.empty());
}

TEST_CASE("the affiliates rule is suspended 2025-11-10 through 2026-11-09 and back the next day") {
  auto c = Load(StdlibFiles());
  ir::Program p = LowerRegime(*c, {"affiliates_2025", "affiliates_suspension_2025"});
  const ir::Rule& r = RuleNamed(p, "affiliates");
  CHECK(r.InForce(Day("2025-09-29")));
  CHECK(r.InForce(Day("2025-11-09")));
  CHECK_FALSE(r.InForce(Day("2025-11-10")));
  CHECK_FALSE(r.InForce(Day("2026-11-09")));
  CHECK(r.InForce(Day("2026-11-10")));
}

TEST_CASE("dated set membership is resolved per date") {
  auto c = Load({(fs::path(EDICT_SOURCE_DIR) / "examples" / "tutorial" / "chips.edict").string()});
  ir::Program p = LowerRegime(*c, {});
  auto it = std::find_if(p.sets.begin(), p.sets.end(), [](const ir::DatedSet& s) { return s.name == "Embargoed"; });
  REQUIRE(it != p.sets.end());
  REQUIRE(it->versions.size() == 2);
  CHECK(it->versions[1].from == Day("2025-06-01"));
  CHECK(it->versions[1].members.size() == it->versions[0].members.size() + 1);
}

TEST_CASE("the verifier catches broken programs") {
  auto c = Load({(fs::path(EDICT_SOURCE_DIR) / "examples" / "tutorial" / "chips.edict").string()});
  ir::Program good = LowerRegime(*c, {});
  REQUIRE(ir::Verify(good).empty());

  ir::Program forward = good;  // an operand that does not precede its user
  auto user = std::find_if(forward.insts.begin(), forward.insts.end(),
                           [](const ir::Inst& in) { return in.a != ir::kNoInst; });
  REQUIRE(user != forward.insts.end());
  user->a = static_cast<ir::InstId>(forward.insts.size() - 1);
  CHECK_FALSE(ir::Verify(forward).empty());

  ir::Program base_after = good;  // an exception listed before its base
  auto exc = std::find_if(base_after.rules.begin(), base_after.rules.end(), [](const ir::Rule& r) { return r.base >= 0; });
  REQUIRE(exc != base_after.rules.end());
  exc->base = static_cast<int32_t>(base_after.rules.size() - 1);
  CHECK_FALSE(ir::Verify(base_after).empty());

  ir::Program bad_when = good;  // a condition that is not a Bool
  auto field = std::find_if(bad_when.insts.begin(), bad_when.insts.end(),
                            [](const ir::Inst& in) { return in.ty == ir::Ty::Int; });
  REQUIRE(field != bad_when.insts.end());
  bad_when.rules[0].when = static_cast<ir::InstId>(field - bad_when.insts.begin());
  CHECK_FALSE(ir::Verify(bad_when).empty());
}
