// Source files, byte-offset ranges and line/column lookup for diagnostics.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edict {

// INVARIANT: `file` indexes SourceManager; begin <= end are byte offsets.
struct SourceRange {
  uint32_t file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct LineCol {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in code points
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol Locate(uint32_t offset) const;
  // The text of a 1-based line, without its line break.
  std::string_view Line(uint32_t line) const;
  uint32_t LineCount() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

class SourceManager {
 public:
  uint32_t Add(std::string path, std::string text);
  // Reads a file; nullopt (and `error` set) when it cannot be read.
  std::optional<uint32_t> Load(const std::string& path, std::string* error);
  const SourceFile& Get(uint32_t id) const { return *files_.at(id); }
  size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Counts code points in UTF-8 text (continuation bytes are not counted).
uint32_t CodePoints(std::string_view text);

}  // namespace edict
