// The diagnostic registry: codes are unique and well-formed, every kind has
// a golden test, and the renderers put file, line and column where a
// reader (or an editor) expects them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "diag/diagnostic.h"

namespace fs = std::filesystem;
using namespace edict;

TEST_CASE("diagnostic codes are unique and follow the E/W numbering") {
  std::set<std::string_view> codes;
  for (diag::Kind k : diag::AllKinds()) {
    const auto& info = diag::Info(k);
    CHECK(codes.insert(info.code).second);
    REQUIRE(info.code.size() == 5);
    CHECK(info.code[0] == (info.severity == diag::Severity::Error ? 'E' : 'W'));
    // Message style: lowercase start, no final period.
    std::string_view f = info.format;
    CHECK_FALSE(f.empty());
    CHECK(f.back() != '.');
    CHECK_FALSE((f[0] >= 'A' && f[0] <= 'Z'));
  }
}

TEST_CASE("every diagnostic kind has a golden test") {
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(EDICT_SOURCE_DIR) / "tests" / "golden")) {
    if (entry.path().extension() != ".expected") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    all += buf.str();
  }
  for (diag::Kind k : diag::AllKinds()) {
    const auto& info = diag::Info(k);
    std::string needle = std::string(info.severity == diag::Severity::Error ? "error[" : "warning[") +
                         std::string(info.code) + "]";
    INFO("no golden test shows ", info.code, " (", info.name, ")");
    CHECK(all.find(needle) != std::string::npos);
  }
}

TEST_CASE("renderers place the span") {
  SourceManager sm;
  uint32_t f = sm.Add("a.edict", "regulation x\nlet y = 1 + \"z\"\n");
  diag::Engine diags;
  diags.Emit(diag::Kind::BadOperands, SourceRange{f, 21, 28}, "+", "Int", "Text").Help("do something");
  auto sorted = diags.Sorted();
  std::string human = diag::Render(sm, sorted, diag::Format::Human, false);
  CHECK(human.find("error[E0303]: `+` is not defined for `Int` and `Text`") == 0);
  CHECK(human.find("--> a.edict:2:9") != std::string::npos);
  CHECK(human.find("2 | let y = 1 + \"z\"") != std::string::npos);
  CHECK(human.find("  |         ^^^^^^^") != std::string::npos);
  CHECK(human.find("= help: do something") != std::string::npos);
  CHECK(diag::Render(sm, sorted, diag::Format::Short, false) ==
        "a.edict:2:9: error[E0303]: `+` is not defined for `Int` and `Text`\n");
  std::string json = diag::Render(sm, sorted, diag::Format::Json, false);
  CHECK(json.find("\"code\": \"E0303\"") != std::string::npos);
  CHECK(json.find("\"line\": 2") != std::string::npos);
  CHECK(json.find("\"column\": 9") != std::string::npos);
}

TEST_CASE("columns count characters, not bytes") {
  SourceManager sm;
  uint32_t f = sm.Add("b.edict", "// §740.29 — LPP\nx");
  CHECK(sm.Get(f).Locate(17).line == 1);
  CHECK(sm.Get(f).Locate(5).column == 5);  // after "// §": 5 bytes, 4 code points
  CHECK(sm.Get(f).Locate(static_cast<uint32_t>(std::string("// §740.29 — LPP\n").size())).line == 2);
}

TEST_CASE("--deny-warnings turns warnings into errors") {
  SourceManager sm;
  uint32_t f = sm.Add("c.edict", "rule r");
  diag::Engine diags;
  diags.Emit(diag::Kind::MissingCitation, SourceRange{f, 5, 6}, "rule", "r");
  CHECK_FALSE(diags.HasErrors());
  CHECK(diags.warnings() == 1);
  diags.DenyWarnings();
  CHECK(diags.HasErrors());
  CHECK(diags.warnings() == 0);
}
