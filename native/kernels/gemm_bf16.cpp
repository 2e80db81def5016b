// The bf16 precision mode of the GEMM (gemm_bf16.h): the switch, the choice among the AMX-BF16
// and AVX512-BF16 kernels and the emulation over the fp32 kernel in use, the emulation's packing
// (fp32 packing, then each packed value rounded to bf16), and the naive loops of small problems.
#include "gemm_bf16.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "gemm.h"
#include "gemm_internal.h"

namespace pt {
namespace {

std::atomic<GemmPrecision> g_precision{GemmPrecision::fp32};

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

void round_span(float* p, int64_t count) {
  for (int64_t i = 0; i < count; ++i) p[i] = round_to_bf16(p[i]);
}

}  // namespace

// sgemm_reference's loops over bf16-rounded operands (double sums, as the fp32 oracle).
void sgemm_reference_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        const float av = round_to_bf16(trans_a ? a[p * lda + i] : a[i * lda + p]);
        const float bv = round_to_bf16(trans_b ? b[j * ldb + p] : b[p * ldb + j]);
        s += static_cast<double>(av) * bv;
      }
      float* out = c + i * ldc + j;
      *out = accumulate ? static_cast<float>(*out + s) : static_cast<float>(s);
    }
  }
}

bool gemm_bf16_tile_agrees(const GemmKernel& k, const GemmKernel& reference) {
  constexpr int64_t kTile = 32, kSteps = 40;
  if (k.mr != kTile || k.nr != kTile || reference.mr > kTile || reference.nr != kTile) return false;
  alignas(64) float a[kTile * kSteps], b[kSteps * kTile], packed_a[kTile * kSteps], packed_b[kSteps * kTile];
  alignas(64) float c[kTile * kTile], want[kTile * kTile];
  for (int64_t i = 0; i < kTile * kSteps; ++i) {
    a[i] = static_cast<float>(i % 7 - 3);
    b[i] = static_cast<float>((5 * i) % 9 - 4);
  }
  k.pack_a(false, kTile, kSteps, a, kSteps, packed_a);
  k.pack_b(false, kSteps, kTile, b, kTile, packed_b);
  k.micro(kSteps, packed_a, packed_b, c, kTile, false);
  reference.pack_b(false, kSteps, kTile, b, kTile, packed_b);
  for (int64_t i = 0; i < kTile; i += reference.mr) {  // the reference's row slivers, in turn
    const int64_t rows = std::min<int64_t>(reference.mr, kTile - i);
    reference.pack_a(false, rows, kSteps, a + i * kSteps, kSteps, packed_a);
    if (rows == reference.mr) {
      reference.micro(kSteps, packed_a, packed_b, want + i * kTile, kTile, false);
    } else {
      reference.micro_rows(static_cast<int>(rows), kSteps, packed_a, packed_b, want + i * kTile, kTile);
    }
  }
  return std::memcmp(c, want, sizeof c) == 0;
}

namespace {

// The emulation over fp32 kernel Base: its micro-kernel, its packing followed by rounding.
template <const GemmKernel* (*Base)()>
struct Emulated {
  static void pack_a(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
    const GemmKernel& k = *Base();
    k.pack_a(trans_a, mc, kc, a, lda, dst);
    round_span(dst, round_up(mc, k.mr) * kc);
  }
  static void pack_b(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
    const GemmKernel& k = *Base();
    k.pack_b(trans_b, kc, nc, b, ldb, dst);
    round_span(dst, round_up(nc, k.nr) * kc);
  }
  static const GemmKernel* table() {
    static const GemmKernel* t = [] {
      const GemmKernel* k = Base();
      if (k == nullptr) return static_cast<const GemmKernel*>(nullptr);
      static std::string name = std::string(k->name) + "+emulated";
      static const GemmKernel e{name.c_str(), k->mr,  k->nr, k->micro, k->micro_rows,
                                pack_a,       pack_b, sgemm_reference_bf16};
      return &e;
    }();
    return t;
  }
};

bool cpu_has_avx512bf16() {
#if defined(__x86_64__) || defined(__i386__)
  // libgcc reports AVX-512 features only when the OS has enabled the zmm state (XGETBV).
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

// AMX-BF16 in CPUID, the tile state enabled by the OS in XCR0, and Linux's permission for this
// process to use it (asked once; refused, for one, when a thread's signal stack is too small).
bool cpu_runs_amx_bf16() {
#if defined(__x86_64__) && defined(__linux__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  const bool amx_bf16 = (edx >> 22) & 1u, amx_tile = (edx >> 24) & 1u;
  if (!amx_bf16 || !amx_tile) return false;
  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  if (((ecx >> 27) & 1u) == 0) return false;  // OSXSAVE: XGETBV is there to ask
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  constexpr unsigned kTileState = (1u << 17) | (1u << 18);  // XTILECFG, XTILEDATA
  if ((lo & kTileState) != kTileState) return false;
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}

// The native bf16 kernels the CPU runs, best first. AMX (which needs AVX512-BF16 for its left-over
// pairs) is offered only after it has computed one tile as AVX512-BF16 does: its tile instructions
// have so far been checked only under software tiles (native/tests/gemm_bf16_amx_check.cpp), and a
// CPU or hypervisor that lists AMX but does not keep its state must not return wrong sums.
struct NativeBf16 {
  const GemmKernel* kernels[2] = {nullptr, nullptr};
  int count = 0;
  std::string names;
  NativeBf16() {
    const GemmKernel* vdp = cpu_has_avx512bf16() ? gemm_kernel_avx512bf16() : nullptr;
    const GemmKernel* amx = vdp != nullptr && cpu_runs_amx_bf16() ? gemm_kernel_amx_bf16() : nullptr;
    if (amx != nullptr) {
      if (gemm_bf16_tile_agrees(*amx, *vdp)) {
        add(amx);
      } else {
        std::fprintf(stderr,
                     "polytask: the AMX-BF16 kernel's self-check disagreed with AVX512-BF16; bf16 runs on avx512bf16\n");
      }
    }
    if (vdp != nullptr) add(vdp);
  }
  void add(const GemmKernel* k) {
    kernels[count++] = k;
    names += (names.empty() ? "" : ",") + std::string(k->name);
  }
  const GemmKernel* find(const char* name) const {
    for (int i = 0; i < count; ++i) {
      if (std::strcmp(kernels[i]->name, name) == 0) return kernels[i];
    }
    return nullptr;
  }
};

const NativeBf16& native_bf16() {
  static const NativeBf16 n;
  return n;
}

// The native bf16 kernel in use (nullptr: none, emulate): POLYTASK_GEMM_BF16_KERNEL's when it
// names one the CPU runs (any other value is named on stderr and ignored), else the best.
std::atomic<const GemmKernel*>& chosen_bf16() {
  static std::atomic<const GemmKernel*> k{[] {
    const NativeBf16& n = native_bf16();
    const char* env = std::getenv("POLYTASK_GEMM_BF16_KERNEL");
    if (env != nullptr && *env != '\0') {
      if (const GemmKernel* named_kernel = n.find(env)) return named_kernel;
      std::fprintf(stderr, "polytask: POLYTASK_GEMM_BF16_KERNEL='%s' ignored: this CPU runs '%s'\n", env,
                   n.names.c_str());
    }
    return n.count > 0 ? n.kernels[0] : static_cast<const GemmKernel*>(nullptr);
  }()};
  return k;
}

bool named(const GemmKernel& k, const char* name) { return std::strcmp(k.name, name) == 0; }

// By name, so that a retuned copy of an fp32 table still finds its bf16 twin.
const GemmKernel& bf16_for(const GemmKernel& fp32) {
  if (named(fp32, "avx512")) {
    const GemmKernel* native = chosen_bf16().load(std::memory_order_acquire);
    return native != nullptr ? *native : *Emulated<gemm_kernel_avx512>::table();
  }
  if (named(fp32, "avx2")) return *Emulated<gemm_kernel_avx2>::table();
  return *Emulated<gemm_kernel_generic>::table();
}

}  // namespace

void set_gemm_precision(GemmPrecision p) { g_precision.store(p, std::memory_order_release); }

GemmPrecision gemm_precision() { return g_precision.load(std::memory_order_acquire); }

const GemmKernel& gemm_kernel_at_precision(const GemmKernel& fp32) {
  return gemm_precision() == GemmPrecision::bf16 ? bf16_for(fp32) : fp32;
}

const char* gemm_bf16_kernel_name() { return bf16_for(fp32_gemm_kernel()).name; }

const char* gemm_bf16_kernels() { return native_bf16().names.c_str(); }

bool set_gemm_bf16_kernel(const char* name) {
  const GemmKernel* k = native_bf16().find(name);
  if (k == nullptr) return false;
  chosen_bf16().store(k, std::memory_order_release);
  return true;
}

}  // namespace pt
