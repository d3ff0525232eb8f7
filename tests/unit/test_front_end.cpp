// The front end as a library: parse + check small programs and assert the
// diagnostics a user relies on (codes and where they point), plus the
// properties the golden files cannot show (e.g. no cascades, exactness).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sema/check.h"
#include "syntax/parse.h"

using namespace edict;

namespace {

struct Result {
  std::vector<std::string> codes;   // in source order
  std::vector<uint32_t> lines;
  std::unique_ptr<ast::Module> first;
};

const char* kHeader =
    "regulation r \"t\" cites \"c\" effective 2025-01-01\n"
    "unit TPP \"t\"\nunit chip \"c\"\n"
    "record S { id: Text key, date: Date, c: Country, q: Int [chip], tpp: Int [TPP/chip], lic: optional Text }\n"
    "input s: S\n";

Result CheckFiles(const std::vector<std::string>& texts) {
  SourceManager sm;
  diag::Engine diags;
  std::vector<std::unique_ptr<ast::Module>> mods;
  for (size_t i = 0; i < texts.size(); ++i) {
    uint32_t id = sm.Add("f" + std::to_string(i) + ".edict", texts[i]);
    mods.push_back(syntax::Parse(sm, id, diags));
  }
  std::vector<const ast::Module*> ptrs;
  for (auto& m : mods) ptrs.push_back(m.get());
  sema::Check(ptrs, diags);
  Result r;
  for (const auto& d : diags.Sorted()) {
    r.codes.emplace_back(diag::Info(d.kind).code);
    r.lines.push_back(d.range.file < sm.size() ? sm.Get(d.range.file).Locate(d.range.begin).line : 0);
  }
  r.first = std::move(mods.front());
  return r;
}

Result CheckBody(const std::string& body) { return CheckFiles({kHeader + body}); }

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the tutorial checks clean") {
  auto dir = std::filesystem::path(EDICT_SOURCE_DIR) / "examples" / "tutorial";
  Result r = CheckFiles({ReadFile(dir / "chips.edict"), ReadFile(dir / "chips_amendment.edict")});
  CHECK(r.codes.empty());
}

TEST_CASE("units multiply, and a charge must be in the cap's unit") {
  const std::string cap = "cap c \"t\" cites \"x\" counts TPP per s.id each calendar year limit 10 TPP\n";
  CHECK(CheckBody(cap + "rule a \"t\" cites \"x\" when true charge c by s.q * s.tpp flag F\nflags { F }\n").codes.empty());
  Result wrong = CheckBody(cap + "rule a \"t\" cites \"x\" when true charge c by s.q flag F\nflags { F }\n");
  REQUIRE(wrong.codes.size() == 1);
  CHECK(wrong.codes[0] == "E0306");
}

TEST_CASE("adding TPP to a count, or comparing them, is a unit error") {
  CHECK(CheckBody("let x = s.q * s.tpp + s.q\n").codes == std::vector<std::string>{"E0302"});
  CHECK(CheckBody("let x = s.q * s.tpp > 5 chip\n").codes == std::vector<std::string>{"E0302"});
  CHECK(CheckBody("let x = s.q * s.tpp > 5 TPP\n").codes.empty());
}

TEST_CASE("whole numbers are 64-bit and never wrap") {
  CHECK(CheckBody("const a = 9_223_372_036_854_775_807\n").codes.empty());
  CHECK(CheckBody("const a = 9_223_372_036_854_775_808\n").codes == std::vector<std::string>{"E0105"});
  CHECK(CheckBody("const a = 9_223_372_036_854_775_807 + 1\n").codes == std::vector<std::string>{"E0312"});
  CHECK(CheckBody("const a = 4_611_686_018_427_387_904\nconst b = a * 2\n").codes ==
        std::vector<std::string>{"E0312"});
}

TEST_CASE("country codes are validated") {
  CHECK(CheckBody("set A: Country = { US, MO, XK }\n").codes.empty());
  CHECK(CheckBody("set A: Country = { US, XX }\n").codes == std::vector<std::string>{"E0205"});
  CHECK(CheckBody("set A: Country = { USA }\n").codes == std::vector<std::string>{"E0205"});
}

TEST_CASE("dates are calendar dates and stay in order") {
  CHECK(CheckFiles({"regulation r \"t\" cites \"c\" effective 2025-02-30\n"}).codes ==
        std::vector<std::string>{"E0102"});
  CHECK(CheckFiles({"regulation r \"t\" cites \"c\" effective 2025-05-01 sunset 2025-04-01\n"}).codes ==
        std::vector<std::string>{"E0401"});
}

TEST_CASE("one syntax error is one diagnostic, and later declarations still parse") {
  Result r = CheckBody("let a = (1 +\nlet b = 2\nconst c = 3\n");
  REQUIRE(r.codes.size() == 1);
  CHECK(r.codes[0] == "E0101");
  bool has_c = false;
  for (const auto& d : r.first->decls) has_c |= d->name.name == "c";
  CHECK(has_c);
}

TEST_CASE("an unknown name is reported once, not at every use") {
  Result r = CheckBody("let a = nosuch + 1\nlet b = a + 1\nlet c = b * 2\n");
  CHECK(r.codes == std::vector<std::string>{"E0201"});
}

TEST_CASE("amendments must name what exists in the amended regulation") {
  std::string base = std::string(kHeader) + "outcome D { NLR, NO } otherwise NLR\n" +
                     "rule r1 \"t\" cites \"x\" when s.c == CN then NO\n";
  CHECK(CheckFiles({base, "amendment a to r \"t\" cites \"x\" effective 2025-06-01\n"
                          "suspend r1 from 2025-06-01 through 2025-12-31\n"}).codes.empty());
  Result bad = CheckFiles({base, "amendment a to r \"t\" cites \"x\" effective 2025-06-01\n"
                                 "repeal r2 on 2025-06-01\n"});
  CHECK(bad.codes == std::vector<std::string>{"E0207"});
  Result window = CheckFiles({base, "amendment a to r \"t\" cites \"x\" effective 2025-06-01\n"
                                    "suspend r1 from 2025-06-01 through 2025-05-01\n"});
  CHECK(window.codes == std::vector<std::string>{"E0402"});
}

TEST_CASE("exceptions: unknown base and cycles") {
  std::string base = std::string(kHeader) + "outcome D { NLR, NO } otherwise NLR\n";
  CHECK(CheckBody("outcome D { NLR, NO } otherwise NLR\nexception e to nope \"t\" cites \"x\" when true then NLR\n")
            .codes == std::vector<std::string>{"E0207"});
  Result cyc = CheckFiles({base + "exception a to b \"t\" cites \"x\" when true then NO\n"
                                  "exception b to a \"t\" cites \"x\" when true then NLR\n"});
  CHECK(cyc.codes == std::vector<std::string>{"E0501"});
}

TEST_CASE("nesting too deep is refused, not a stack overflow") {
  std::string deep = "let a = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n";
  Result r = CheckBody(deep);
  REQUIRE_FALSE(r.codes.empty());
  CHECK(r.codes[0] == "E0106");
}

TEST_CASE("suspend, repeal and replace of every kind of declaration: one diagnostic, never a crash") {
  std::string base = std::string(kHeader) +
                     "unit H100e = 15_832 TPP\nenum E { A, B }\noutcome D { NLR, NO } otherwise NLR\n"
                     "table T { k: Text key }\nconst K = 1\nlet L = s.q\nset Z: Country = { US }\n"
                     "cap C \"t\" cites \"x\" counts TPP each month limit 3 TPP\nflags { F }\n"
                     "rule r1 \"t\" cites \"x\" when s.c == CN then NO\nregime G includes r\n";
  std::string lib = "library lib \"l\"\nconst LK = 1\n";
  struct Case {
    const char* target;
    bool suspend_ok, replace_ok;
  };
  const Case cases[] = {{"TPP", false, false}, {"H100e", false, false}, {"E", false, false},
                        {"A", false, false},   {"D", false, false},     {"NLR", false, false},
                        {"S", false, false},   {"T", false, false},     {"s", false, false},
                        {"K", false, true},    {"L", false, false},     {"Z", false, true},
                        {"C", false, false},   {"F", false, false},     {"G", false, false},
                        {"r1", true, true},    {"r", true, false},      {"lib", false, false},
                        {"a", false, false},   {"r.C", false, false}};
  for (const Case& c : cases) {
    for (const char* action : {"suspend", "repeal", "replace"}) {
      std::string line = std::string(action) + " " + c.target +
                         (std::string(action) == "suspend" ? " from 2025-06-01\n" : " on 2025-06-01");
      if (std::string(action) == "replace") {
        std::string t = c.target;
        line += t == "K" ? " with 2\n" : t == "Z" ? " with { GB }\n" : t == "r1" ? " with r2\n" : " with 3\n";
      } else if (std::string(action) == "repeal") {
        line += "\n";
      }
      std::string amend = "amendment a to r \"t\" cites \"x\" effective 2025-06-01\nuse lib\n"
                          "rule r2 \"t\" cites \"x\" when true then NO\n" + line;
      Result r = CheckFiles({base, amend, lib});
      bool ok = std::string(action) == "replace" ? c.replace_ok : c.suspend_ok;
      INFO(line);
      if (ok) {
        CHECK(r.codes.empty());
      } else {
        REQUIRE(r.codes.size() == 1);
        CHECK(r.codes[0] == "E0510");
      }
    }
  }
}

TEST_CASE("a byte that is not UTF-8, or a run of bad characters, is one diagnostic") {
  CHECK(CheckBody("const a = \xff 1\n").codes == std::vector<std::string>{"E0104"});
  CHECK(CheckBody("const a = 1 @ 2\n").codes == std::vector<std::string>{"E0104"});
  CHECK(CheckBody("const a = @#$%^ 1\nconst b = 2 @\n").codes == std::vector<std::string>{"E0104", "E0104"});
}

TEST_CASE("enum variants are found in every visible module and chosen by the expected type") {
  std::string lib = "library veu \"l\"\nenum VeuStatus { UVEU, NVEU }\nenum Review { CASE, DENIAL }\n"
                    "outcome D { NLR, LR(Review) } otherwise NLR\n";
  std::string reg = "regulation r \"t\" cites \"c\" effective 2025-01-01\nuse veu\nenum Other { UVEU, X }\n"
                    "record S { id: Text key, v: VeuStatus }\ninput s: S\n";
  CHECK(CheckFiles({reg + "let a = s.v == UVEU\nlet b = s.v == VeuStatus.UVEU\n", lib}).codes.empty());
  CHECK(CheckFiles({reg + "let a = UVEU\n", lib}).codes == std::vector<std::string>{"E0210"});
  CHECK(CheckFiles({reg + "rule q \"t\" cites \"x\" when true then LR(UVEU)\n", lib}).codes ==
        std::vector<std::string>{"E0301"});
}

TEST_CASE("a name declared by two used modules is ambiguous; a local declaration hides them") {
  std::string l1 = "library l1 \"a\"\nconst N = 1\n";
  std::string l2 = "library l2 \"b\"\nconst N = 2\n";
  std::string reg = "regulation r \"t\" cites \"c\" effective 2025-01-01\nuse l1\nuse l2\n";
  CHECK(CheckFiles({reg + "const M = N + 1\n", l1, l2}).codes == std::vector<std::string>{"E0210"});
  CHECK(CheckFiles({reg + "const M = l2.N + 1\n", l1, l2}).codes.empty());
  CHECK(CheckFiles({reg + "const N = 3\nconst M = N + 1\n", l1, l2}).codes.empty());
}

TEST_CASE("prefer ranks exceptions to one rule, or general rules") {
  std::string rules = "outcome D { NLR, NO } otherwise NLR\n"
                      "rule g1 \"t\" cites \"x\" when true then NO\nrule g2 \"t\" cites \"x\" when s.c == CN then NO\n"
                      "exception e1 to g1 \"t\" cites \"x\" when s.c == US then NLR\n"
                      "exception e2 to g1 \"t\" cites \"x\" when s.c == GB then NLR\n"
                      "exception e3 to g2 \"t\" cites \"x\" when s.c == FR then NLR\n";
  CHECK(CheckBody(rules + "prefer e1, e2\nprefer g1, g2\n").codes.empty());
  CHECK(CheckBody(rules + "prefer e1, e3\n").codes == std::vector<std::string>{"E0208"});
  CHECK(CheckBody(rules + "prefer e1, g1\n").codes == std::vector<std::string>{"E0208"});
  CHECK(CheckBody(rules + "prefer e1, e2, e1\n").codes == std::vector<std::string>{"E0202"});
}
