// edict_mutate: feeds mutated copies of real rule files (bytes dropped,
// duplicated, swapped, replaced) through the whole front end and all three
// diagnostic renderers, in process. A crash or hang fails the run; the input
// that crashed is written to edict_mutate_crash.edict.
//
// usage: edict_mutate [--iterations N] [--seed S] PATH...   (files or folders)
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "sema/check.h"
#include "syntax/parse.h"

namespace fs = std::filesystem;

namespace {

const std::string* g_current = nullptr;

void OnCrash(int sig) {
  if (g_current) {
    int fd = open("edict_mutate_crash.edict", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t ignored = write(fd, g_current->data(), g_current->size());
      (void)ignored;
      close(fd);
    }
  }
  const char msg[] = "edict_mutate: crashed; input saved to edict_mutate_crash.edict\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Mutate(std::string text, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  int rounds = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < rounds && !text.empty(); ++i) {
    size_t at = pick(text.size());
    size_t len = std::min(text.size() - at, 1 + pick(16));
    switch (pick(5)) {
      case 0: text.erase(at, len); break;                                  // drop
      case 1: text.insert(at, text.substr(at, len)); break;                // duplicate
      case 2: {                                                            // swap two ranges
        size_t other = pick(text.size());
        size_t olen = std::min(text.size() - other, len);
        if (other + olen <= at || at + len <= other) {
          std::string a = text.substr(at, len), b = text.substr(other, olen);
          if (at < other) {
            text.replace(other, olen, a);
            text.replace(at, len, b);
          } else {
            text.replace(at, len, b);
            text.replace(other, olen, a);
          }
        }
        break;
      }
      case 3: text[at] = static_cast<char>(rng() & 0xFF); break;           // replace one byte
      default: text.insert(at, 1, "{}()[]\"/.,=-_0123456789 \n"[pick(25)]);  // insert punctuation
    }
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 1000;
  unsigned long long seed = 1;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) iterations = std::stol(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (fs::is_directory(a)) {
      for (const auto& e : fs::recursive_directory_iterator(a)) {
        if (e.path().extension() == ".edict") files.push_back(e.path());
      }
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "edict_mutate: no .edict files given\n");
    return 2;
  }
  std::vector<std::string> texts;
  for (const auto& f : files) texts.push_back(Read(f));
  signal(SIGSEGV, OnCrash);
  signal(SIGABRT, OnCrash);
  signal(SIGFPE, OnCrash);
  signal(SIGBUS, OnCrash);

  std::mt19937_64 rng(seed);
  long with_errors = 0;
  size_t diagnostics = 0;
  for (long it = 0; it < iterations; ++it) {
    size_t victim = static_cast<size_t>(rng() % files.size());
    std::string mutated = Mutate(texts[victim], rng);
    g_current = &mutated;
    // Check the mutated file together with the unmodified files of its folder,
    // so that cross-file resolution (use, amendments) is exercised too.
    edict::SourceManager sm;
    edict::diag::Engine diags;
    std::vector<std::unique_ptr<edict::ast::Module>> modules;
    for (size_t k = 0; k < files.size(); ++k) {
      if (k != victim && files[k].parent_path() != files[victim].parent_path()) continue;
      uint32_t id = sm.Add(files[k].string(), k == victim ? mutated : texts[k]);
      modules.push_back(edict::syntax::Parse(sm, id, diags));
    }
    std::vector<const edict::ast::Module*> mods;
    for (const auto& m : modules) mods.push_back(m.get());
    edict::sema::Check(mods, diags);
    auto sorted = diags.Sorted();
    for (auto f : {edict::diag::Format::Human, edict::diag::Format::Short, edict::diag::Format::Json}) {
      edict::diag::Render(sm, sorted, f, false);
    }
    for (const auto& m : modules) edict::ast::Print(*m, sm);
    with_errors += diags.HasErrors();
    diagnostics += sorted.size();
  }
  g_current = nullptr;
  std::printf("%ld mutations of %zu files: no crash; %ld had errors (%zu diagnostics in all)\n", iterations,
              files.size(), with_errors, diagnostics);
  return 0;
}
