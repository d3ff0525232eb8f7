// The JIT's disk cache of object files (no LLVM types here).
//
// One file per program: DIR/jit-<16 hex digits>.bin, named after a hash of
// its key (everything the machine code depends on, see session.cpp), holding
// the full key and the object files of the program's modules, with a
// checksum of it all. A file whose checksum or key does not match, or that
// cannot be read, is as good as absent: the kernels are compiled again and
// the file replaced. Files are written to a temporary name and renamed, so a
// reader never sees half a file, even with several processes at once.
//
// The directory is bounded (MaxBytes): after each write the least recently
// used files go, by modification time, which a hit refreshes. Only our own
// files are ever removed: jit-*.bin, and temporary files a crashed writer
// left behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edict::jit::cache {

// The cache directory: $EDICT_CACHE_DIR if set ("off" or "" disables the
// cache: returns ""), else $XDG_CACHE_HOME/edict (if absolute), else
// $HOME/.cache/edict, else "" (no cache).
std::string Directory();

std::string Hex(uint64_t h);
std::string FilePath(const std::string& dir, uint64_t hash);

// Identifies the build of the code holding this function (the JIT's code
// generator): the ELF build id of its executable or shared object, else its
// file's size, time and inode; "" if neither can be found.
std::string BuildIdentity();

// The bound on the jit-*.bin files of the directory, in bytes:
// $EDICT_CACHE_MAX_MB MiB if it is a whole number (0: keep only the file just
// written), else 256 MiB.
uint64_t MaxBytes();

// Removes the oldest (by modification time) jit-*.bin files of `dir` but
// `keep` until the rest total at most `max_bytes`, and our temporary files
// older than an hour. Never fails: a file that cannot be removed, or that
// another process removed first, is skipped.
void Evict(const std::string& dir, const std::string& keep, uint64_t max_bytes);

// The objects of the file at `path` if it holds exactly `key`, refreshing its
// modification time (it was used); false with *why otherwise (never crashes
// on a damaged file).
bool Read(const std::string& path, const std::string& key, std::vector<std::string>* objects, std::string* why);

// Writes the file atomically (temporary file, then rename), creating `dir`,
// then evicts down to MaxBytes().
bool Write(const std::string& dir, const std::string& path, const std::string& key,
           const std::vector<std::string>& objects, std::string* error);

}  // namespace edict::jit::cache
