// The diagnostic registry, the collecting engine and the three renderers.
#include "diag/diagnostic.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace edict::diag {

namespace {
const KindInfo kInfos[] = {
#define EDICT_DIAG(code, name, sev, msg) {#code, #name, Severity::sev, msg},
#include "diag/diagnostic_kinds.def"
};
}  // namespace

const KindInfo& Info(Kind kind) { return kInfos[static_cast<size_t>(kind)]; }

const std::vector<Kind>& AllKinds() {
  static const std::vector<Kind> all = [] {
    std::vector<Kind> v;
    for (size_t i = 0; i < std::size(kInfos); ++i) v.push_back(static_cast<Kind>(i));
    return v;
  }();
  return all;
}

Builder& Builder::Label(std::string text) {
  engine_->At(index_).label = std::move(text);
  return *this;
}
Builder& Builder::NoteAt(SourceRange range, std::string message) {
  engine_->At(index_).notes.push_back({range, std::move(message), true});
  return *this;
}
Builder& Builder::Note(std::string message) {
  engine_->At(index_).notes.push_back({{}, std::move(message), false});
  return *this;
}
Builder& Builder::Help(std::string message) {
  engine_->At(index_).helps.push_back(std::move(message));
  return *this;
}

Builder Engine::Push(Kind kind, SourceRange range, std::string message) {
  Diagnostic d{kind, Info(kind).severity, range, std::move(message), {}, {}, {},
               static_cast<uint32_t>(diags_.size())};
  (d.severity == Severity::Error ? errors_ : warnings_)++;
  diags_.push_back(std::move(d));
  return Builder(this, diags_.size() - 1);
}

void Engine::DenyWarnings() {
  for (auto& d : diags_) {
    if (d.severity == Severity::Warning) {
      d.severity = Severity::Error;
      --warnings_;
      ++errors_;
    }
  }
}

std::vector<Diagnostic> Engine::Sorted() const {
  std::vector<Diagnostic> out = diags_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.file != b.range.file) return a.range.file < b.range.file;
    if (a.range.begin != b.range.begin) return a.range.begin < b.range.begin;
    return a.seq < b.seq;
  });
  return out;
}

std::string Summary(size_t errors, size_t warnings) {
  auto plural = [](size_t n, const char* word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
  };
  if (errors == 0 && warnings == 0) return "no errors";
  if (warnings == 0) return plural(errors, "error");
  if (errors == 0) return plural(warnings, "warning");
  return plural(errors, "error") + ", " + plural(warnings, "warning");
}

namespace {

const char* SeverityWord(Severity s) { return s == Severity::Error ? "error" : "warning"; }

struct Style {
  bool on;
  std::string Paint(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
};

// Renders the line(s) of `range` with the span underlined by `mark`.
void Snippet(std::string& out, const SourceFile& file, SourceRange range, char mark,
             const std::string& label, size_t gutter, const Style& st) {
  LineCol b = file.Locate(range.begin);
  LineCol e = file.Locate(range.end);
  std::string pad(gutter, ' ');
  out += fmt::format("{} {}\n", pad, st.Paint("1;34", "|"));
  std::string_view line = file.Line(b.line);
  out += fmt::format("{} {} {}\n", st.Paint("1;34", fmt::format("{:>{}}", b.line, gutter)),
                     st.Paint("1;34", "|"), line);
  uint32_t line_cols = CodePoints(line);
  uint32_t start = b.column;
  uint32_t stop = (e.line == b.line) ? e.column : line_cols + 1;
  if (stop <= start) stop = start + 1;
  std::string marks(stop - start, mark);
  std::string under = std::string(start - 1, ' ') + marks;
  if (!label.empty()) under += " " + label;
  out += fmt::format("{} {} {}\n", pad, st.Paint("1;34", "|"),
                     st.Paint(mark == '^' ? "1;31" : "1;34", under));
}

size_t GutterFor(const SourceManager& sm, const Diagnostic& d) {
  uint32_t max_line = 1;
  auto consider = [&](SourceRange r) {
    if (r.file < sm.size()) max_line = std::max(max_line, sm.Get(r.file).Locate(r.begin).line);
  };
  consider(d.range);
  for (const auto& n : d.notes)
    if (n.has_range) consider(n.range);
  return fmt::format("{}", max_line).size();
}

std::string Location(const SourceManager& sm, SourceRange r) {
  if (r.file >= sm.size()) return "<unknown>";
  const SourceFile& f = sm.Get(r.file);
  LineCol lc = f.Locate(r.begin);
  return fmt::format("{}:{}:{}", f.path(), lc.line, lc.column);
}

std::string RenderHuman(const SourceManager& sm, const Diagnostic& d, const Style& st) {
  std::string out;
  const KindInfo& info = Info(d.kind);
  out += st.Paint(d.severity == Severity::Error ? "1;31" : "1;33",
                  fmt::format("{}[{}]", SeverityWord(d.severity), info.code));
  out += st.Paint("1", ": " + d.message) + "\n";
  size_t gutter = GutterFor(sm, d);
  std::string pad(gutter, ' ');
  if (d.range.file < sm.size()) {
    out += fmt::format("{}{} {}\n", pad, st.Paint("1;34", "-->"), Location(sm, d.range));
    Snippet(out, sm.Get(d.range.file), d.range, '^', d.label, gutter, st);
  }
  for (const auto& n : d.notes) {
    if (n.has_range && n.range.file < sm.size()) {
      out += fmt::format("{}{} {}\n", pad, st.Paint("1;34", "-->"), Location(sm, n.range));
      Snippet(out, sm.Get(n.range.file), n.range, '-', n.message, gutter, st);
    } else {
      out += fmt::format("{} {} note: {}\n", pad, st.Paint("1;34", "="), n.message);
    }
  }
  for (const auto& h : d.helps) out += fmt::format("{} {} help: {}\n", pad, st.Paint("1;34", "="), h);
  return out;
}

}  // namespace

std::string Render(const SourceManager& sm, const std::vector<Diagnostic>& diags, Format format,
                   bool color) {
  std::string out;
  Style st{color};
  switch (format) {
    case Format::Human:
      for (const auto& d : diags) out += RenderHuman(sm, d, st) + "\n";
      break;
    case Format::Short:
      for (const auto& d : diags) {
        out += fmt::format("{}: {}[{}]: {}\n", Location(sm, d.range), SeverityWord(d.severity),
                           Info(d.kind).code, d.message);
      }
      break;
    case Format::Json: {
      nlohmann::json arr = nlohmann::json::array();
      auto loc = [&](SourceRange r) {
        nlohmann::json j;
        if (r.file >= sm.size()) return j;
        const SourceFile& f = sm.Get(r.file);
        LineCol b = f.Locate(r.begin), e = f.Locate(r.end);
        j["file"] = f.path();
        j["line"] = b.line;
        j["column"] = b.column;
        j["end_line"] = e.line;
        j["end_column"] = e.column;
        return j;
      };
      for (const auto& d : diags) {
        nlohmann::json j;
        j["code"] = Info(d.kind).code;
        j["severity"] = SeverityWord(d.severity);
        j["message"] = d.message;
        j["span"] = loc(d.range);
        if (!d.label.empty()) j["label"] = d.label;
        nlohmann::json notes = nlohmann::json::array();
        for (const auto& n : d.notes) {
          nlohmann::json nj{{"message", n.message}};
          if (n.has_range) nj["span"] = loc(n.range);
          notes.push_back(nj);
        }
        j["notes"] = notes;
        j["help"] = d.helps;
        arr.push_back(j);
      }
      out = arr.dump(2) + "\n";
      break;
    }
  }
  return out;
}

}  // namespace edict::diag
