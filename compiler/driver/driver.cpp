// Compile: load -> parse -> find referenced modules -> check.
#include "driver/driver.h"

#include <filesystem>
#include <set>

#include "syntax/parse.h"

namespace edict::driver {
namespace fs = std::filesystem;

namespace {

bool LoadFile(Compilation& c, const std::string& path, diag::Engine& diags) {
  std::string error;
  std::optional<uint32_t> id = c.sources.Load(path, &error);
  if (!id) {
    std::error_code ec;
    bool dir = fs::is_directory(path, ec);
    diags.Emit(diag::Kind::CannotReadFile, SourceRange{UINT32_MAX, 0, 0}, path, error)
        .Help(dir ? fmt::format("name the rule files in it, e.g. `{}`", (fs::path(path) / "*.edict").string())
                  : std::string("check the path; rule files end in `.edict`"));
    c.unreadable = true;
    return false;
  }
  c.modules.push_back(syntax::Parse(c.sources, *id, diags));
  return true;
}

// Module names the loaded modules refer to.
std::set<std::string> Wanted(const Compilation& c) {
  std::set<std::string> want;
  for (const auto& m : c.modules) {
    for (const auto& u : m->uses) want.insert(u.name);
    if (m->header.target) want.insert(m->header.target->name);
    for (const auto& d : m->decls) {
      if (auto* r = ast::As<ast::RegimeDecl>(d.get())) {
        for (const auto& n : r->includes) want.insert(n.name);
      }
    }
  }
  for (const auto& m : c.modules) want.erase(m->header.name.name);
  return want;
}

}  // namespace

std::unique_ptr<Compilation> ParseOnly(const std::string& file, diag::Engine& diags) {
  auto c = std::make_unique<Compilation>();
  LoadFile(*c, file, diags);
  return c;
}

std::unique_ptr<Compilation> Compile(const std::vector<std::string>& files, const Options& options,
                                     diag::Engine& diags) {
  auto c = std::make_unique<Compilation>();
  std::vector<std::string> dirs;
  auto add_dir = [&](const fs::path& d) {
    std::string s = d.empty() ? "." : d.string();
    if (std::find(dirs.begin(), dirs.end(), s) == dirs.end()) dirs.push_back(s);
  };
  for (const auto& f : files) {
    if (LoadFile(*c, f, diags)) add_dir(fs::path(f).parent_path());
  }
  for (const auto& p : options.library_paths) add_dir(p);

  // Load referenced modules found as NAME.edict beside the given files or on
  // the library path, until nothing new turns up.
  std::set<std::string> tried;
  for (bool grew = true; grew;) {
    grew = false;
    for (const std::string& name : Wanted(*c)) {
      if (!tried.insert(name).second) continue;
      for (const auto& d : dirs) {
        fs::path p = fs::path(d) / (name + ".edict");
        std::error_code ec;
        if (fs::is_regular_file(p, ec) && LoadFile(*c, p.string(), diags)) {
          add_dir(p.parent_path());
          grew = true;
          break;
        }
      }
    }
  }
  std::vector<const ast::Module*> mods;
  for (const auto& m : c->modules) mods.push_back(m.get());
  c->checked = sema::Check(mods, diags);
  return c;
}

}  // namespace edict::driver
