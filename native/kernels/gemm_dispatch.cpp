// Run-time choice of the GEMM micro-kernel: the best one the CPU (and OS) supports, unless
// POLYTASK_GEMM_KERNEL names another supported one; tests switch kernels with set_gemm_kernel.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gemm.h"
#include "gemm_bf16.h"
#include "gemm_internal.h"
#include "gemm_kernel.h"

namespace pt {
namespace {

bool cpu_runs(const GemmKernel* k) {
  if (k == nullptr) return false;
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's checks include the OS having enabled the ymm/zmm register state (XGETBV).
  if (std::strcmp(k->name, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  if (std::strcmp(k->name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return true;
}

// Best first.
const GemmKernel* candidate(int i) {
  switch (i) {
    case 0: return gemm_kernel_avx512();
    case 1: return gemm_kernel_avx2();
    case 2: return gemm_kernel_generic();
    default: return nullptr;
  }
}
constexpr int kCandidates = 3;

const GemmKernel* find(const char* name) {
  for (int i = 0; i < kCandidates; ++i) {
    const GemmKernel* k = candidate(i);
    if (cpu_runs(k) && std::strcmp(k->name, name) == 0) return k;
  }
  return nullptr;
}

const GemmKernel* initial() {
  const char* env = std::getenv("POLYTASK_GEMM_KERNEL");
  if (env != nullptr && *env != '\0') {
    if (const GemmKernel* k = find(env)) return k;
  }
  for (int i = 0; i < kCandidates; ++i) {
    if (cpu_runs(candidate(i))) return candidate(i);
  }
  return gemm_kernel_generic();
}

std::atomic<const GemmKernel*>& active() {
  static std::atomic<const GemmKernel*> k{initial()};
  return k;
}

}  // namespace

const GemmKernel& fp32_gemm_kernel() { return *active().load(std::memory_order_acquire); }

// In bf16 mode (gemm_bf16.h) the fp32 kernel's bf16 twin computes.
const GemmKernel& active_gemm_kernel() { return gemm_kernel_at_precision(fp32_gemm_kernel()); }

const char* gemm_kernel_name() { return fp32_gemm_kernel().name; }

const char* gemm_kernels_available() {
  static const std::string list = [] {
    std::string s;
    for (int i = 0; i < kCandidates; ++i) {
      if (!cpu_runs(candidate(i))) continue;
      if (!s.empty()) s += ",";
      s += candidate(i)->name;
    }
    return s;
  }();
  return list.c_str();
}

bool set_gemm_kernel(const char* name) {
  const GemmKernel* k = find(name);
  if (k == nullptr) return false;
  active().store(k, std::memory_order_release);
  return true;
}

}  // namespace pt
