// The `edict` command: check, dump-ast, --version, --help.
// Exit codes: 0 clean (warnings allowed), 1 errors in the rule files,
// 2 usage errors (bad flags, unreadable files). See README.md.
#include <pthread.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "driver/driver.h"

namespace {

struct Settings {
  std::vector<std::string> files;
  std::string format = "human";
  std::string color = "auto";
  bool deny_warnings = false;
  std::vector<std::string> library_paths;
};

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

int RunDumpAst(const Settings& s) {
  edict::diag::Engine diags;
  auto c = edict::driver::ParseOnly(s.files.at(0), diags);
  if (!c->modules.empty()) std::cout << edict::ast::Print(*c->modules.front(), c->sources);
  return Report(*c, diags, s);
}

int Main(int argc, char** argv) {
  CLI::App app{"edict: check and run regulation rule files"};
  app.set_version_flag("--version", std::string("edict ") + EDICT_VERSION);
  app.require_subcommand(1);
  Settings s;
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--diagnostic-format", s.format, "how problems are printed")
        ->check(CLI::IsMember({"human", "short", "json"}));
    cmd->add_option("--color", s.color, "colour in diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
  };
  CLI::App* check = app.add_subcommand("check", "check rule files; exit 0 clean, 1 errors, 2 usage");
  check->add_option("files", s.files, "rule files (.edict)")->required();
  check->add_option("-L,--lib", s.library_paths, "directory searched for modules named by `use` or `to`");
  check->add_flag("--deny-warnings", s.deny_warnings, "treat warnings as errors");
  add_common(check);
  CLI::App* dump = app.add_subcommand("dump-ast", "print the syntax tree of one rule file");
  dump->add_option("file", s.files, "a rule file")->required()->expected(1);
  add_common(dump);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (check->parsed()) return RunCheck(s);
  if (dump->parsed()) return RunDumpAst(s);
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
