// The JIT's disk cache of object files: the file format, atomic writes, the
// cache directory and the identity of this build (see cache.h).
//
// File layout (little-endian, as written by this machine; a file from another
// byte order fails the checksum or the key):
//   "EDICTJC1"                       8 bytes
//   key size, object count           u64, u64
//   object sizes                     u64 each
//   the key, then the objects        bytes
//   xxHash64 of everything above     u64
#include "jit/cache.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

namespace edict::jit::cache {

namespace {

constexpr char kMagic[8] = {'E', 'D', 'I', 'C', 'T', 'J', 'C', '1'};
constexpr uint64_t kMaxFile = uint64_t{1} << 32;  // 4 GiB: anything larger is not ours
constexpr uint64_t kDefaultMaxMiB = 256;
// A temporary file this old is a crashed writer's: no write takes an hour.
constexpr auto kStaleTemp = std::chrono::hours(1);

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}
// jit-*.bin, and jit-*.bin.tmp-* as Write names its temporary files.
bool IsCacheFile(const std::string& name) { return name.rfind("jit-", 0) == 0 && EndsWith(name, ".bin"); }
bool IsTempFile(const std::string& name) {
  return name.rfind("jit-", 0) == 0 && name.find(".bin.tmp-") != std::string::npos;
}

void PutU64(std::string* s, uint64_t v) { s->append(reinterpret_cast<const char*>(&v), sizeof v); }
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

struct Found {
  uintptr_t address;
  std::string id;
  std::string file;  // the object's file name ("" for the main program)
  bool found = false;
};

int FindBuildId(dl_phdr_info* info, size_t, void* data) {
  auto* f = static_cast<Found*>(data);
  bool contains = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD && f->address >= lo && f->address < lo + ph.p_memsz) contains = true;
  }
  if (!contains) return 0;
  f->found = true;
  f->file = info->dlpi_name ? info->dlpi_name : "";
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) n;
      std::memcpy(&n, p, sizeof n);
      const char* name = p + sizeof n;
      const char* desc = name + ((n.n_namesz + 3) & ~3u);
      const char* next = desc + ((n.n_descsz + 3) & ~3u);
      if (next > end) break;
      if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0 && n.n_descsz > 0) {
        static const char* digits = "0123456789abcdef";
        for (uint32_t k = 0; k < n.n_descsz; ++k) {
          const auto b = static_cast<unsigned char>(desc[k]);
          f->id += digits[b >> 4];
          f->id += digits[b & 15];
        }
        return 1;
      }
      p = next;
    }
  }
  return 1;
}

}  // namespace

std::string Hex(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string FilePath(const std::string& dir, uint64_t hash) { return dir + "/jit-" + Hex(hash) + ".bin"; }

std::string Directory() {
  if (const char* e = std::getenv("EDICT_CACHE_DIR")) {
    if (*e == '\0' || std::strcmp(e, "off") == 0) return "";
    return e;
  }
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && x[0] == '/') return std::string(x) + "/edict";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/edict";
  return "";
}

std::string BuildIdentity() {
  Found f;
  f.address = reinterpret_cast<uintptr_t>(&BuildIdentity);
  dl_iterate_phdr(FindBuildId, &f);
  if (!f.id.empty()) return "gnu-build-id " + f.id;
  // No build id: the file's size, modification time and inode.
  std::string file = f.file.empty() ? "/proc/self/exe" : f.file;
  struct stat st{};
  if (!f.found || stat(file.c_str(), &st) != 0) return "";
  return "file " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
}

uint64_t MaxBytes() {
  const char* e = std::getenv("EDICT_CACHE_MAX_MB");
  if (!e || !*e) return kDefaultMaxMiB << 20;
  constexpr uint64_t kLimit = UINT64_MAX >> 20;
  uint64_t mib = 0;
  bool huge = false;
  for (const char* p = e; *p; ++p) {
    if (*p < '0' || *p > '9') return kDefaultMaxMiB << 20;  // not a number: ignored
    if (!huge) mib = mib * 10 + static_cast<uint64_t>(*p - '0');  // mib <= kLimit: no overflow
    if (mib > kLimit) huge = true;
  }
  return huge ? UINT64_MAX : mib << 20;
}

void Evict(const std::string& dir, const std::string& keep, uint64_t max_bytes) {
  namespace fs = std::filesystem;
  struct File {
    fs::file_time_type mtime;
    std::string name;
    uint64_t size;
  };
  std::vector<File> files;
  uint64_t total = 0;
  const std::string keep_name = fs::path(keep).filename().string();
  const auto now = fs::file_time_type::clock::now();
  // Other processes may add and remove files meanwhile: every call takes an
  // error_code, and a file that fails any of them is left alone.
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool temp = IsTempFile(name);
    if (!temp && !IsCacheFile(name)) continue;
    std::error_code e;
    // Not followed: a link or directory under our name is not ours.
    if (it->symlink_status(e).type() != fs::file_type::regular || e) continue;
    const fs::file_time_type mtime = fs::last_write_time(it->path(), e);
    if (e) continue;
    if (temp) {
      if (now - mtime > kStaleTemp) fs::remove(it->path(), e);
      continue;
    }
    const uintmax_t size = fs::file_size(it->path(), e);
    if (e) continue;
    total += size;
    if (name != keep_name) files.push_back({mtime, name, size});
  }
  if (total <= max_bytes) return;
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return std::tie(a.mtime, a.name) < std::tie(b.mtime, b.name); });
  for (const File& f : files) {
    if (total <= max_bytes) break;
    std::error_code e;
    fs::remove(fs::path(dir) / f.name, e);  // false without error: another process removed it
    if (!e) total -= f.size;
  }
}

bool Read(const std::string& path, const std::string& key, std::vector<std::string>* objects, std::string* why) {
  objects->clear();
  // read(), not mmap: a file truncated under us must not fault.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *why = errno == ENOENT ? "no cache file" : std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  std::string data;
  struct stat st{};
  if (fstat(fd, &st) == 0 && st.st_size > 0 && static_cast<uint64_t>(st.st_size) < kMaxFile) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = std::string("cannot read: ") + std::strerror(errno);
      close(fd);
      return false;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxFile) break;
  }
  close(fd);
  const size_t fixed = sizeof kMagic + 16;
  if (data.size() < fixed + 8 || data.size() > kMaxFile || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
    *why = "not a cache file (or truncated)";
    return false;
  }
  const size_t body = data.size() - 8;
  if (llvm::xxHash64(llvm::StringRef(data.data(), body)) != GetU64(data.data() + body)) {
    *why = "checksum mismatch (damaged or truncated)";
    return false;
  }
  const uint64_t key_size = GetU64(data.data() + sizeof kMagic);
  const uint64_t count = GetU64(data.data() + sizeof kMagic + 8);
  if (count > (body - fixed) / 8) {
    *why = "bad object count";
    return false;
  }
  size_t at = fixed + count * 8;
  if (key_size > body - at || llvm::StringRef(data.data() + at, key_size) != key) {
    *why = "a different key (hash collision or another program)";
    return false;
  }
  at += key_size;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t size = GetU64(data.data() + fixed + i * 8);
    if (size > body - at) {
      *why = "bad object size";
      objects->clear();
      return false;
    }
    objects->emplace_back(data.data() + at, size);
    at += size;
  }
  if (at != body) {
    *why = "trailing bytes";
    objects->clear();
    return false;
  }
  // Used: now the newest for eviction. utimensat with "now" needs only write
  // permission, not ownership (a shared cache); a failure only makes the file
  // look older.
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  return true;
}

bool Write(const std::string& dir, const std::string& path, const std::string& key,
           const std::vector<std::string>& objects, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  std::string data(kMagic, sizeof kMagic);
  PutU64(&data, key.size());
  PutU64(&data, objects.size());
  for (const auto& o : objects) PutU64(&data, o.size());
  data += key;
  for (const auto& o : objects) data += o;
  PutU64(&data, llvm::xxHash64(data));
  // A name no other writer uses: pid, thread and a counter.
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" +
                          std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()) & 0xffffff) + "-" +
                          std::to_string(counter++);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot create " + tmp + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot write " + tmp + ": " + std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  Evict(dir, path, MaxBytes());
  return true;
}

}  // namespace edict::jit::cache
