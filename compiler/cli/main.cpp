// The `edict` command: check, dump-ast, dump-ir, run, test, --version, --help.
// Exit codes: 0 clean (warnings allowed) / all rows decided / all tests
// passed, 1 errors in the rule files or failing tests, 2 usage errors (bad
// flags, unreadable files), 3 some ledger rows were rejected (ERROR rows).
// See README.md.
#include <pthread.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include <filesystem>
#include <thread>

#include "driver/driver.h"
#include "edict/runtime/date.h"
#include "edict/runtime/self.h"
#include "exec/backend.h"
#include "exec/run.h"
#include "ir/lower.h"

namespace {

struct Settings {
  std::vector<std::string> files;
  std::string format = "human";
  std::string color = "auto";
  bool deny_warnings = false;
  std::vector<std::string> library_paths;
  std::string regime;
  std::string input_record;
  edict::exec::RunOptions run;
  std::string as_of;
  std::vector<std::string> tables;  // NAME=FILE
  std::string backend = edict::exec::DefaultBackend();  // interp | jit
  std::string jit_cache;  // --jit-cache DIR|off: passed to the JIT as EDICT_CACHE_DIR
  bool jit_cache_given = false;
};

// The rule library: ../share/edict/stdlib from the running edict when it is
// there (where `cmake --install` puts it), else the source tree's stdlib/
// (a build tree's edict).
std::string RuleLibrary() {
  const std::string dir = edict::rt::ExecutableDir();
  std::error_code ec;
  if (!dir.empty() && std::filesystem::is_directory(dir + "../share/edict/stdlib", ec)) {
    return std::filesystem::weakly_canonical(dir + "../share/edict/stdlib", ec).string();
  }
  return EDICT_STDLIB_DIR;
}

edict::diag::Format ParseFormat(const std::string& s) {
  if (s == "short") return edict::diag::Format::Short;
  if (s == "json") return edict::diag::Format::Json;
  return edict::diag::Format::Human;
}

// Prints the diagnostics; returns the exit code they call for.
int Report(const edict::driver::Compilation& c, edict::diag::Engine& diags, const Settings& s) {
  if (s.deny_warnings) diags.DenyWarnings();
  edict::diag::Format fmt_kind = ParseFormat(s.format);
  bool color = s.color == "always" || (s.color == "auto" && isatty(fileno(stderr)));
  std::string text = edict::diag::Render(c.sources, diags.Sorted(), fmt_kind, color);
  if (fmt_kind == edict::diag::Format::Json) {
    std::cout << text;
  } else {
    std::cerr << text;
    if (fmt_kind == edict::diag::Format::Human && (diags.errors() || diags.warnings())) {
      std::cerr << edict::diag::Summary(diags.errors(), diags.warnings()) << "\n";
    }
  }
  if (c.unreadable) return 2;
  return diags.HasErrors() ? 1 : 0;
}

int RunCheck(const Settings& s) {
  edict::diag::Engine diags;
  edict::driver::Options opts;
  opts.library_paths = s.library_paths;
  auto c = edict::driver::Compile(s.files, opts, diags);
  int code = Report(*c, diags, s);
  if (code == 0 && s.format != "json") {
    size_t n = c->modules.size();
    std::cerr << "checked " << n << " file" << (n == 1 ? "" : "s") << ": ok\n";
  }
  return code;
}

// Loads the rule files (or, when none are given, every rule file of the
// library paths), checks them and lowers the chosen regime to IR. Returns an
// exit code, or -1 on success with *program set.
int Build(const Settings& s, std::unique_ptr<edict::driver::Compilation>* c, edict::ir::Program* program) {
  namespace fs = std::filesystem;
  edict::diag::Engine diags;
  edict::driver::Options opts;
  opts.library_paths = s.library_paths;
  std::vector<std::string> files = s.files;
  if (files.empty()) {
    std::vector<std::string> dirs = s.library_paths;
    if (dirs.empty()) dirs.push_back(RuleLibrary());
    for (const auto& d : dirs) {
      std::error_code ec;
      for (fs::recursive_directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".edict") files.push_back(it->path().string());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::cerr << "edict: no rule files given, and none found in the library paths\n";
      return 2;
    }
  }
  *c = edict::driver::Compile(files, opts, diags);
  int code = Report(**c, diags, s);
  if (code != 0) return code;
  edict::ir::LowerOptions lo;
  lo.input = s.input_record;
  if (!s.regime.empty()) {
    for (const auto& [name, modules] : edict::ir::Regimes((*c)->checked)) {
      if (name == s.regime) {
        lo.modules = modules;
        lo.regime_name = name;
      }
    }
    if (lo.regime_name.empty()) {
      std::string known;
      for (const auto& [name, modules] : edict::ir::Regimes((*c)->checked)) known += " " + name;
      std::cerr << "edict: no regime named `" << s.regime << "`"
                << (known.empty() ? " is declared" : "; the rule files declare:" + known) << "\n";
      return 2;
    }
  }
  std::string error;
  auto p = edict::ir::Lower((*c)->checked, lo, &error);
  if (!p) {
    std::cerr << "edict: " << error << "\n";
    return 2;
  }
  auto problems = edict::ir::Verify(*p);
  if (!problems.empty()) {
    for (const auto& pr : problems) std::cerr << "edict: internal error: IR: " << pr << "\n";
    return 1;
  }
  *program = std::move(*p);
  return -1;
}

int RunDumpIr(const Settings& s) {
  std::unique_ptr<edict::driver::Compilation> c;
  edict::ir::Program p;
  int code = Build(s, &c, &p);
  if (code >= 0) return code;
  std::cout << edict::ir::Print(p, c->sources);
  return 0;
}

// Each module's tests run against that module and the regulations it amends
// (and the libraries they use), not against unrelated rule files.
int RunTest(const Settings& s) {
  // The JIT loads while the rules are read (waited for on return).
  std::future<void> preparing = edict::exec::PrepareBackend(s.backend);
  std::unique_ptr<edict::driver::Compilation> c;
  edict::ir::Program all;
  int code = Build(s, &c, &all);
  if (code >= 0) return code;
  uint64_t passed = 0, failed = 0;
  bool jit_failure_shown = false;
  for (const auto& m : c->modules) {
    bool has_tests = false;
    for (const auto& d : m->decls) has_tests |= d->kind == edict::ast::DeclKind::Test;
    if (!has_tests) continue;
    edict::ir::LowerOptions lo;
    lo.input = s.input_record;
    lo.modules.push_back(m->header.name.name);
    for (const edict::ast::Module* cur = m.get(); cur && cur->header.target;) {
      const edict::ast::Module* next = nullptr;
      for (const auto& x : c->modules) {
        if (x->header.name.name == cur->header.target->name) next = x.get();
      }
      if (!next || std::find(lo.modules.begin(), lo.modules.end(), next->header.name.name) != lo.modules.end()) break;
      lo.modules.push_back(next->header.name.name);
      cur = next;
    }
    std::string error;
    auto p = edict::ir::Lower(c->checked, lo, &error);
    if (!p) {
      std::cerr << "edict: " << m->header.name.name << ": " << error << "\n";
      return 2;
    }
    // Only this module's own tests (those of the regulations it amends run on their own).
    auto& tests = p->tests;
    tests.erase(std::remove_if(tests.begin(), tests.end(),
                               [&](const edict::ir::Test& t) { return t.module != m->header.name.name; }),
                tests.end());
    edict::exec::TestReport rep = edict::exec::RunTests(*p, c->sources, s.backend);
    if (!rep.fatal.empty()) {
      std::cerr << "edict: " << rep.fatal << "\n";
      return 2;
    }
    // The tests' results are the same either way; that the JIT could not be
    // used is said once, as `edict run` says it.
    if (!jit_failure_shown && rep.backend_report.rfind("jit: nothing compiled", 0) == 0) {
      std::cerr << "  " << rep.backend_report << "\n";
      jit_failure_shown = true;
    }
    passed += rep.passed;
    failed += rep.failed;
    std::string text = rep.text.substr(0, rep.text.rfind('\n', rep.text.size() - 2) + 1);
    if (rep.text.find('\n') == rep.text.size() - 1) text.clear();  // only the closing line
    std::cout << text;
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed ? 1 : 0;
}

int RunRun(Settings s) {
  // The JIT loads while the rules are read (waited for on return); with
  // --threads 1, on this thread when it is needed.
  std::future<void> preparing;
  if (s.run.threads != 1) preparing = edict::exec::PrepareBackend(s.backend);
  if (!s.as_of.empty()) {
    auto d = edict::rt::ParseDate(s.as_of);
    if (!d) {
      std::cerr << "edict: --as-of `" << s.as_of << "` is not a date (YYYY-MM-DD)\n";
      return 2;
    }
    s.run.as_of = *d;
  }
  for (const auto& t : s.tables) {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == t.size()) {
      std::cerr << "edict: --table wants NAME=FILE, got `" << t << "`\n";
      return 2;
    }
    s.run.tables[t.substr(0, eq)] = t.substr(eq + 1);
  }
  std::unique_ptr<edict::driver::Compilation> c;
  edict::ir::Program p;
  int code = Build(s, &c, &p);
  if (code >= 0) return code;
  s.run.progress = isatty(fileno(stderr));
  s.run.backend = s.backend;
  edict::exec::RunSummary sum = edict::exec::RunLedger(p, c->sources, s.run);
  if (!sum.fatal.empty()) {
    std::cerr << "edict: " << sum.fatal << "\n";
    return 2;
  }
  std::cerr << edict::exec::FormatSummary(p, sum);
  if (!sum.backend_report.empty()) std::cerr << "  " << sum.backend_report << "\n";
  return sum.errors ? 3 : 0;
}

int RunDumpAst(const Settings& s) {
  edict::diag::Engine diags;
  auto c = edict::driver::ParseOnly(s.files.at(0), diags);
  if (!c->modules.empty()) std::cout << edict::ast::Print(*c->modules.front(), c->sources);
  return Report(*c, diags, s);
}

int Main(int argc, char** argv) {
  CLI::App app{"edict: check and run regulation rule files"};
  app.set_version_flag("--version", [] {
    const std::string jit = edict::exec::JitPluginPath();
    return std::string("edict ") + EDICT_VERSION + "\nrule library: " + RuleLibrary() + "\nJIT plugin: " +
           (!edict::exec::JitAvailable() ? "not built (-DEDICT_ENABLE_JIT=OFF)"
            : jit.empty()               ? "not found (runs interpret every rule)"
                                        : jit);
  });
  app.require_subcommand(1);
  Settings s;
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--diagnostic-format", s.format, "how problems are printed")
        ->check(CLI::IsMember({"human", "short", "json"}));
    cmd->add_option("--color", s.color, "colour in diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
  };
  CLI::App* check = app.add_subcommand("check", "check rule files; exit 0 clean, 1 errors, 2 usage");
  check->add_option("files", s.files, "rule files (.edict)")->required();
  // One value per flag (repeat the flag for more), so `-L lib a.edict` keeps a.edict a file.
  check->add_option("-L,--lib", s.library_paths, "directory searched for modules named by `use` or `to`")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  check->add_flag("--deny-warnings", s.deny_warnings, "treat warnings as errors");
  add_common(check);
  CLI::App* dump = app.add_subcommand("dump-ast", "print the syntax tree of one rule file");
  dump->add_option("file", s.files, "a rule file")->required()->expected(1);
  add_common(dump);

  auto add_program = [&](CLI::App* cmd) {
    cmd->add_option("rules", s.files, "rule files (default: every file of the rule library)");
    cmd->add_option("-L,--lib", s.library_paths, "directory searched for modules (default: the rule library)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
    cmd->add_option("--regime", s.regime, "a regime declared in the rule files, e.g. in_force");
    cmd->add_option("--record", s.input_record, "the input to judge when the rules declare several: its name (`m`) or its record (`ModelExport`)");
    add_common(cmd);
  };
  // The same decisions either way; jit compiles the rules to machine code.
  auto add_backend = [&](CLI::App* cmd) {
    cmd->add_option("--backend", s.backend,
                    std::string("how rules are evaluated: interp or jit (default: ") + edict::exec::DefaultBackend() +
                        (edict::exec::JitAvailable() ? ")" : "; this build has no JIT)"))
        ->check(CLI::IsMember({"interp", "jit"}));
    cmd->add_option_function<std::string>(
           "--jit-cache",
           [&](const std::string& dir) {
             s.jit_cache = dir;
             s.jit_cache_given = true;
           },
           "where the JIT keeps compiled code between runs, or `off` (default: $EDICT_CACHE_DIR, else "
           "$XDG_CACHE_HOME/edict, else ~/.cache/edict)")
        ->expected(1);
  };
  CLI::App* run = app.add_subcommand("run", "judge every row of a ledger; exit 0 all decided, 3 some rows ERROR");
  add_program(run);
  run->add_option("--input", s.run.input, "the ledger (CSV with a header row)")->required();
  run->add_option("--output", s.run.output, "where to write decisions: FILE.csv, FILE.jsonl or - (stdout)");
  run->add_option("--as-of", s.as_of, "judge every row as if on this date (YYYY-MM-DD)");
  s.run.threads = 0;  // exec::DefaultThreads
  run->add_option("--threads", s.run.threads,
                  "threads (1: all in one; 2: the ledger is read on its own thread; N >= 3: the ledger cut into "
                  "pieces on one, read on N - 2); the output is the same (default: the cores + 2 with the JIT, the "
                  "cores + 1 with the interpreter)")
      ->check(CLI::Range(1, 64));
  run->add_flag("--explain", s.run.explain, "add a JSON trace per row: rules in force, overrides, caps too full");
  run->add_option("--table", s.tables, "bind a table declared in the rules to a CSV file: NAME=FILE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  add_backend(run);
  CLI::App* test = app.add_subcommand("test", "run the tests written inside rule files");
  add_program(test);
  add_backend(test);
  CLI::App* dump_ir = app.add_subcommand("dump-ir", "print the IR of rule files (or of a regime)");
  add_program(dump_ir);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // The JIT reads its cache directory from the environment (it is the only
  // reader): the flag overrides EDICT_CACHE_DIR for this process.
  if (s.jit_cache_given) setenv("EDICT_CACHE_DIR", s.jit_cache.empty() ? "off" : s.jit_cache.c_str(), 1);
  if (check->parsed()) return RunCheck(s);
  if (dump->parsed()) return RunDumpAst(s);
  if (dump_ir->parsed()) return RunDumpIr(s);
  if (test->parsed()) return RunTest(s);
  if (run->parsed()) return RunRun(s);
  return 2;
}

struct Args {
  int argc;
  char** argv;
  int result;
};

}  // namespace

int main(int argc, char** argv) {
  // The parser and checker recurse over nested expressions: run them on a
  // thread with a large stack, so that no input file can overflow it.
  Args args{argc, argv, 2};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{512} << 20);
  pthread_t thread;
  auto body = [](void* p) -> void* {
    auto* a = static_cast<Args*>(p);
    a->result = Main(a->argc, a->argv);
    return nullptr;
  };
  if (pthread_create(&thread, &attr, body, &args) != 0) return Main(argc, argv);
  pthread_join(thread, nullptr);
  return args.result;
}
