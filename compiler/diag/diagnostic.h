// Diagnostics: kinds from diagnostic_kinds.def, a collecting engine, and the
// human / short / json renderers used by the CLI and the golden tests.
#pragma once

#include <fmt/args.h>
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/source.h"

namespace edict::diag {

enum class Severity { Error, Warning };

enum class Kind {
#define EDICT_DIAG(code, name, sev, msg) name,
#include "diag/diagnostic_kinds.def"
};

struct KindInfo {
  std::string_view code;
  std::string_view name;
  Severity severity;
  std::string_view format;
};

const KindInfo& Info(Kind kind);
const std::vector<Kind>& AllKinds();

struct Note {
  SourceRange range;
  std::string message;
  bool has_range = true;
};

struct Diagnostic {
  Kind kind;
  Severity severity;
  SourceRange range;
  std::string message;
  std::string label;             // text beside the underline, may be empty
  std::vector<Note> notes;       // secondary locations and remarks
  std::vector<std::string> helps;
  uint32_t seq = 0;              // emission order, for stable sorting
};

class Engine;

// Returned by Engine::Emit so that notes and help lines can be chained.
class Builder {
 public:
  Builder(Engine* engine, size_t index) : engine_(engine), index_(index) {}
  Builder& Label(std::string text);
  Builder& NoteAt(SourceRange range, std::string message);
  Builder& Note(std::string message);
  Builder& Help(std::string message);

 private:
  Engine* engine_;
  size_t index_;
};

class Engine {
 public:
  template <typename... Args>
  Builder Emit(Kind kind, SourceRange range, const Args&... args) {
    fmt::dynamic_format_arg_store<fmt::format_context> store;
    (store.push_back(args), ...);
    return Push(kind, range, fmt::vformat(Info(kind).format, store));
  }
  Builder Push(Kind kind, SourceRange range, std::string message);

  bool HasErrors() const { return errors_ > 0; }
  size_t errors() const { return errors_; }
  size_t warnings() const { return warnings_; }
  // Diagnostics sorted by file, position, then emission order.
  std::vector<Diagnostic> Sorted() const;
  // Turns every warning into an error (--deny-warnings).
  void DenyWarnings();
  Diagnostic& At(size_t i) { return diags_[i]; }

 private:
  std::vector<Diagnostic> diags_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

enum class Format { Human, Short, Json };

std::string Render(const SourceManager& sm, const std::vector<Diagnostic>& diags, Format format,
                   bool color);
// The closing summary line of the human format, e.g. "2 errors, 1 warning".
std::string Summary(size_t errors, size_t warnings);

}  // namespace edict::diag
