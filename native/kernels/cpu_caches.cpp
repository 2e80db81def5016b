// Cache sizes from CPUID or sysfs (see cpu_caches.h).
#include "cpu_caches.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace pt {
namespace {

struct Found {
  int64_t l1d = 0, l2 = 0, l3 = 0;
  bool any() const { return l1d > 0; }
  void add(int level, bool data_or_unified, int64_t bytes) {
    if (!data_or_unified || bytes <= 0) return;
    if (level == 1) l1d = bytes;
    if (level == 2) l2 = bytes;
    if (level == 3) l3 = bytes;
  }
};

#if defined(__x86_64__) || defined(__i386__)
// Walks a deterministic-cache-parameters leaf (4 or 0x8000001D: the same register layout).
Found from_cpuid_leaf(unsigned leaf) {
  Found f;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    __cpuid_count(leaf, i, a, b, c, d);
    const unsigned type = a & 31;  // 0 none, 1 data, 2 instruction, 3 unified
    if (type == 0) break;
    const int level = static_cast<int>((a >> 5) & 7);
    const int64_t ways = ((b >> 22) & 1023) + 1, partitions = ((b >> 12) & 1023) + 1;
    const int64_t line = (b & 4095) + 1, sets = static_cast<int64_t>(c) + 1;
    f.add(level, type == 1 || type == 3, ways * partitions * line * sets);
  }
  return f;
}

Found from_cpuid() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) == 0) return {};
  __cpuid(0, a, b, c, d);
  const bool amd = b == 0x68747541 || b == 0x6f677948;  // "Auth"enticAMD, "Hygo"nGenuine
  if (amd) {
    // Leaf 0x8000001D exists when the topology extensions (CPUID 0x80000001 ECX bit 22) do.
    if (__get_cpuid_max(0x80000000, nullptr) >= 0x8000001D && __get_cpuid(0x80000001, &a, &b, &c, &d) &&
        ((c >> 22) & 1) != 0) {
      return from_cpuid_leaf(0x8000001D);
    }
    return {};
  }
  if (__get_cpuid_max(0, nullptr) >= 4) return from_cpuid_leaf(4);
  return {};
}

std::string brand_from_cpuid() {
  if (__get_cpuid_max(0x80000000, nullptr) < 0x80000004) return "";
  unsigned regs[12];
  for (unsigned i = 0; i < 3; ++i) __cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2], regs[4 * i + 3]);
  char text[49];
  std::memcpy(text, regs, 48);
  text[48] = '\0';
  return text;
}
#else
Found from_cpuid() { return {}; }
std::string brand_from_cpuid() { return ""; }
#endif

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

// "48K", "1024K", "32M" (sysfs's format) -> bytes; 0 when unreadable.
int64_t parse_size(const std::string& s) {
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || v <= 0) return 0;
  if (*end == 'K') return v * 1024;
  if (*end == 'M') return v * 1024 * 1024;
  if (*end == 'G') return v * 1024 * 1024 * 1024;
  return *end == '\0' ? v : 0;
}

Found from_sysfs() {
  Found f;
  for (int i = 0; i < 16; ++i) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    const std::string level = read_line(dir + "level");
    if (level.empty()) break;
    const std::string type = read_line(dir + "type");
    f.add(std::atoi(level.c_str()), type == "Data" || type == "Unified", parse_size(read_line(dir + "size")));
  }
  return f;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string brand_from_proc() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return trim(line.substr(colon + 1));
    }
  }
  return "";
}

CpuCaches detect() {
  Found f = from_cpuid();
  const char* source = "cpuid";
  if (!f.any()) {
    f = from_sysfs();
    source = "sysfs";
  }
  if (!f.any()) return CpuCaches{32 * 1024, 256 * 1024, 0, "default"};
  return CpuCaches{f.l1d, f.l2, f.l3, source};
}

}  // namespace

const CpuCaches& cpu_caches() {
  static const CpuCaches caches = detect();
  return caches;
}

const char* cpu_model() {
  static const std::string model = [] {
    std::string s = trim(brand_from_cpuid());
    return s.empty() ? brand_from_proc() : s;
  }();
  return model.c_str();
}

}  // namespace pt
