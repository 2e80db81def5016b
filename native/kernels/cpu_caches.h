// The data-cache sizes of the CPU this process runs on, for the GEMM's block sizes.
//
// Read once: from CPUID on x86 (leaf 0x8000001D on AMD, leaf 4 on Intel and others: the
// deterministic cache parameters, ways x partitions x line x sets), else from Linux's
// /sys/devices/system/cpu/cpu0/cache/index*/size, else conservative defaults (32 KiB L1d,
// 256 KiB L2, no L3). The L1 and L2 sizes are those of one core; the L3 size is the whole cache.
//
// Example:
//   const pt::CpuCaches& c = pt::cpu_caches();   // c.l1d == 49152, c.l2 == 1048576 on a Zen 5
#pragma once

#include <cstdint>

namespace pt {

struct CpuCaches {
  int64_t l1d;         // bytes of level-1 data cache
  int64_t l2;          // bytes of level-2 cache (0 when there is none)
  int64_t l3;          // bytes of level-3 cache (0 when there is none)
  const char* source;  // "cpuid", "sysfs" or "default"
};

const CpuCaches& cpu_caches();

// The CPU's brand string (CPUID 0x80000002-4, else /proc/cpuinfo's "model name"), or "".
const char* cpu_model();

}  // namespace pt
