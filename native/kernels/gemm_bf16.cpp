// The bf16 precision mode of the GEMM (gemm_bf16.h): the switch, the choice between the
// AVX512-BF16 kernel and the emulation over the fp32 kernel in use, the emulation's packing
// (fp32 packing, then each packed value rounded to bf16), and the naive loops of small problems.
#include "gemm_bf16.h"

#include <atomic>
#include <cstring>
#include <string>

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

bool named(const GemmKernel& k, const char* name) { return std::strcmp(k.name, name) == 0; }

// By name, so that a retuned copy of an fp32 table still finds its bf16 twin.
const GemmKernel& bf16_for(const GemmKernel& fp32) {
  if (named(fp32, "avx512")) {
    static const GemmKernel* native = cpu_has_avx512bf16() ? gemm_kernel_avx512bf16() : nullptr;
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

}  // namespace pt
