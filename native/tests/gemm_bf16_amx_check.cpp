// Checks the AMX-BF16 GEMM kernel (native/kernels/gemm_bf16_amx.cpp) against sgemm_reference_bf16,
// and times it. CI's machines have no AMX, so the same source builds two ways:
//   -DPT_AMX_SOFTWARE_TILES: the tile instructions (TDPBF16PS, tile loads and stores) replaced by
//     loops over arrays, on any CPU with AVX512-BF16: the kernel's packing of both operands, its
//     blocks of 16 pairs and its left-over pairs (VDPBF16PS) are checked for real, the tile
//     arithmetic by its definition; test/backends/native-amx.test.ts runs it.
//   without it: the real instructions, on a CPU with AMX-BF16 (Linux grants the tile state); it
//     then also runs whole products through sgemm in bf16 mode (threads, blocks, edges), and with
//     --time prints GFLOP/s of sgemm in fp32, bf16 on VDPBF16PS and bf16 on AMX.
// Built from the repository root (g++ 11 or later), one command on one line:
//   g++ -O2 -std=c++17 -mamx-tile -mamx-bf16 -mavx512f -mavx512bw -mavx512vl -mavx512bf16 -mavx2 -mfma
//     [-DPT_AMX_SOFTWARE_TILES] -Inative/kernels native/tests/gemm_bf16_amx_check.cpp
//     native/kernels/{gemm_bf16_avx512,gemm_bf16,gemm_reference,gemm_dispatch,gemm_driver,gemm_avx512,gemm_avx2,gemm_generic,cpu_caches,parallel}.cpp
//     -lpthread -o /tmp/amx-check
// Exit status: 0 all agree, 1 a disagreement, 2 no AMX to run on (real build only).
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(PT_AMX_SOFTWARE_TILES)
namespace software_tiles {
uint32_t tmm[8][16][16];  // 8 tiles of 16 rows of 64 bytes
int config_loads = 0;
void load(int t, const void* base, long stride) {
  for (int r = 0; r < 16; ++r) std::memcpy(tmm[t][r], static_cast<const char*>(base) + r * stride, 64);
}
void store(int t, void* base, long stride) {
  for (int r = 0; r < 16; ++r) std::memcpy(static_cast<char*>(base) + r * stride, tmm[t][r], 64);
}
float half(uint32_t word, bool high) {
  const uint32_t u = high ? word & 0xffff0000u : word << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
// TDPBF16PS by its definition: C(m, n) += sum over pairs q of A(m, q) . B(q, n), both halves.
void dot(int c, int a, int b) {
  for (int m = 0; m < 16; ++m) {
    for (int n = 0; n < 16; ++n) {
      float s;
      std::memcpy(&s, &tmm[c][m][n], 4);
      for (int q = 0; q < 16; ++q) {
        s += half(tmm[a][m][q], false) * half(tmm[b][q][n], false) + half(tmm[a][m][q], true) * half(tmm[b][q][n], true);
      }
      std::memcpy(&tmm[c][m][n], &s, 4);
    }
  }
}
}  // namespace software_tiles
#undef _tile_loadd
#undef _tile_stored
#undef _tile_zero
#undef _tile_dpbf16ps
#define _tile_loadd(t, base, stride) software_tiles::load(t, base, stride)
#define _tile_stored(t, base, stride) software_tiles::store(t, base, stride)
#define _tile_zero(t) std::memset(software_tiles::tmm[t], 0, sizeof software_tiles::tmm[t])
#define _tile_dpbf16ps(c, a, b) software_tiles::dot(c, a, b)
#define _tile_loadconfig(p) (++software_tiles::config_loads, (void)(p))
#endif

#include "../kernels/gemm.h"
#include "../kernels/gemm_bf16_amx.cpp"

namespace {

unsigned g_seed = 7;
float next_value() {  // multiples of 1/250 in [-4, 4]: exact in bf16 up to rounding of the value
  g_seed = g_seed * 1103515245u + 12345u;
  return static_cast<float>(static_cast<int>((g_seed >> 8) % 2001) - 1000) / 250.0f;
}

// Worst |got - want| over the fp32-summation allowance of a k-long sum of products up to 16.
double worst_error(const std::vector<float>& got, const std::vector<float>& want, int64_t k) {
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double allowed = 2e-3 * std::sqrt(static_cast<double>(std::max<int64_t>(k, 1))) + 1e-5 * std::fabs(want[i]);
    const double e = std::fabs(static_cast<double>(got[i]) - want[i]) / allowed;
    if (!(e <= worst)) worst = e;  // NaN wins
  }
  return worst;
}

struct Case {
  int64_t m, n, k;
  bool ta, tb, acc;
};

struct Operands {
  int64_t lda, ldb, ldc;
  std::vector<float> a, b, c, want;
  explicit Operands(const Case& g)
      : lda((g.ta ? g.m : g.k) + 3),
        ldb((g.tb ? g.k : g.n) + 2),
        ldc(g.n + 5),
        a(static_cast<size_t>((g.ta ? g.k : g.m) * lda)),
        b(static_cast<size_t>((g.tb ? g.n : g.k) * ldb)),
        c(static_cast<size_t>(g.m * ldc)) {
    for (float& x : a) x = next_value();
    for (float& x : b) x = next_value();
    for (float& x : c) x = next_value();
    want = c;
    pt::sgemm_reference_bf16(g.ta, g.tb, g.m, g.n, g.k, a.data(), lda, b.data(), ldb, want.data(), ldc, g.acc);
  }
};

// The table alone, as gemm_driver.cpp's macro kernel drives it over one panel: pack, then every
// tile (whole tiles in place, edge tiles aside).
void run_table(const pt::GemmKernel& kr, const Case& g, Operands& o) {
  const int64_t mp = (g.m + kr.mr - 1) / kr.mr * kr.mr, np = (g.n + kr.nr - 1) / kr.nr * kr.nr;
  std::vector<float> storage(static_cast<size_t>((mp + np) * g.k + 32));
  float* pa = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(storage.data()) + 63) / 64 * 64);
  float* pb = pa + mp * g.k;
  kr.pack_a(g.ta, g.m, g.k, o.a.data(), o.lda, pa);
  kr.pack_b(g.tb, g.k, g.n, o.b.data(), o.ldb, pb);
  alignas(64) float edge[32 * 32];
  for (int64_t i = 0; i < g.m; i += kr.mr) {
    for (int64_t j = 0; j < g.n; j += kr.nr) {
      const int64_t rows = std::min<int64_t>(kr.mr, g.m - i), cols = std::min<int64_t>(kr.nr, g.n - j);
      float* ct = o.c.data() + i * o.ldc + j;
      if (rows == kr.mr && cols == kr.nr) {
        kr.micro(g.k, pa + i * g.k, pb + j * g.k, ct, o.ldc, g.acc);
        continue;
      }
      if (rows < kr.mr) {
        kr.micro_rows(static_cast<int>(rows), g.k, pa + i * g.k, pb + j * g.k, edge, kr.nr);
      } else {
        kr.micro(g.k, pa + i * g.k, pb + j * g.k, edge, kr.nr, false);
      }
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t q = 0; q < cols; ++q) ct[r * o.ldc + q] = (g.acc ? ct[r * o.ldc + q] : 0.0f) + edge[r * kr.nr + q];
      }
    }
  }
}

int check_table(const pt::GemmKernel& kr) {
  int cases = 0, failed = 0;
  for (int64_t m : {1, 5, 31, 32, 33, 70}) {
    for (int64_t n : {1, 17, 32, 33, 65}) {
      // k: one step, odd and even left-over pairs, whole blocks of 16 pairs, both, several blocks
      for (int64_t k : {1, 2, 3, 15, 16, 17, 31, 32, 33, 34, 63, 64, 65, 100, 192, 200}) {
        for (int flags = 0; flags < 8; ++flags) {
          const Case g{m, n, k, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0};
          Operands o(g);
          run_table(kr, g, o);
          ++cases;
          const double e = worst_error(o.c, o.want, k);
          if (!(e <= 1.0) && ++failed <= 10) {
            std::printf("table: m%lld n%lld k%lld transA %d transB %d accumulate %d: error %.3g of the allowance\n",
                        static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k), g.ta, g.tb, g.acc,
                        e);
          }
        }
      }
    }
  }
  std::printf("table %s: %d cases, %d disagree\n", kr.name, cases, failed);
  return failed;
}

#if !defined(PT_AMX_SOFTWARE_TILES)
// Whole products through sgemm in bf16 mode on AMX: the driver's blocks (automatic and small fixed
// ones, so every edge of a panel is met), its threads and its accumulate.
int check_sgemm() {
  int cases = 0, failed = 0;
  const int64_t blocks[][3] = {{0, 0, 0}, {48, 64, 64}, {17, 32, 32}};
  for (const auto& bl : blocks) {
    pt::set_gemm_blocks(bl[0], bl[1], bl[2]);
    for (const Case& g : {Case{300, 257, 600, false, false, false}, Case{129, 513, 1000, true, false, true},
                          Case{64, 700, 288, false, true, false}, Case{513, 100, 77, true, true, true},
                          Case{1024, 1024, 1024, false, false, false}}) {
      Operands o(g);
      pt::sgemm(g.ta, g.tb, g.m, g.n, g.k, o.a.data(), o.lda, o.b.data(), o.ldb, o.c.data(), o.ldc, g.acc);
      ++cases;
      const double e = worst_error(o.c, o.want, g.k);
      if (!(e <= 1.0) && ++failed <= 10) {
        std::printf("sgemm: blocks %lld,%lld,%lld m%lld n%lld k%lld: error %.3g of the allowance\n",
                    static_cast<long long>(bl[0]), static_cast<long long>(bl[1]), static_cast<long long>(bl[2]),
                    static_cast<long long>(g.m), static_cast<long long>(g.n), static_cast<long long>(g.k), e);
      }
    }
  }
  pt::set_gemm_blocks(0, 0, 0);
  std::printf("sgemm on %s: %d cases, %d disagree\n", pt::gemm_bf16_kernel_name(), cases, failed);
  return failed;
}

double gflops(int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), c(static_cast<size_t>(m * n));
  for (float& x : a) x = next_value();
  for (float& x : b) x = next_value();
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  double best = 1e30;
  for (int rep = 0; rep < 7; ++rep) {
    int calls = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double s = 0.0;
    do {
      pt::sgemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, c.data(), n, false);
      ++calls;
      s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (s < 0.05);
    best = std::min(best, s / calls);
  }
  return 2.0 * m * n * k / best * 1e-9;
}

void time_shapes() {
  struct Shape {
    const char* label;
    int64_t m, n, k;
    bool ta, tb;
  };
  const Shape shapes[] = {
      {"1024^3", 1024, 1024, 1024, false, false},
      {"256^3", 256, 256, 256, false, false},
      {"W2 conv2 fwd", 64, 18816, 800, false, false},
      {"W2 conv2 bwd-in", 800, 18816, 64, true, false},
      {"W2 conv2 bwd-w", 64, 800, 18816, false, true},
      {"W2 fc1 fwd", 128, 128, 3136, false, true},
      {"R18 layer1 fwd", 64, 25088, 576, false, false},
      {"R18 layer3 fwd", 256, 1568, 2304, false, false},
      {"R18 layer4 fwd", 512, 392, 4608, false, false},
  };
  std::printf("%-18s %22s %9s %9s %9s %7s %7s\n", "GFLOP/s", "m x n x k", "fp32", "avx512bf16", "amx-bf16", "amx/fp32",
              "amx/vdp");
  for (const Shape& s : shapes) {
    pt::set_gemm_precision(pt::GemmPrecision::fp32);
    const double f = gflops(s.m, s.n, s.k, s.ta, s.tb);
    pt::set_gemm_precision(pt::GemmPrecision::bf16);
    pt::set_gemm_bf16_kernel("avx512bf16");
    const double v = gflops(s.m, s.n, s.k, s.ta, s.tb);
    pt::set_gemm_bf16_kernel("amx-bf16");
    const double x = gflops(s.m, s.n, s.k, s.ta, s.tb);
    char dims[64];
    std::snprintf(dims, sizeof dims, "%lldx%lldx%lld%s%s", static_cast<long long>(s.m), static_cast<long long>(s.n),
                  static_cast<long long>(s.k), s.ta ? " tA" : "", s.tb ? " tB" : "");
    std::printf("%-18s %22s %9.1f %9.1f %9.1f %7.2f %7.2f\n", s.label, dims, f, v, x, x / f, x / v);
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
#if defined(PT_AMX_SOFTWARE_TILES)
  (void)argc;
  (void)argv;
  const pt::GemmKernel* kr = pt::gemm_kernel_amx_bf16();
  if (kr == nullptr) {
    std::puts("this build has no AMX-BF16 table");
    return 1;
  }
  int failed = check_table(*kr);
  std::printf("tile configuration loads: %d (one per thread)\n", software_tiles::config_loads);
  // bf16 mode's self-check before it offers AMX (gemm_bf16.cpp): passes on this table, fails on a
  // table whose A packing is AVX512-BF16's layout instead of the tiles'.
  const pt::GemmKernel& vdp = *pt::gemm_kernel_avx512bf16();
  pt::GemmKernel wrong_layout = *kr;
  wrong_layout.pack_a = vdp.pack_a;
  const bool agrees = pt::gemm_bf16_tile_agrees(*kr, vdp), wrong_agrees = pt::gemm_bf16_tile_agrees(wrong_layout, vdp);
  std::printf("self-check: amx-bf16 %s, a wrong A layout %s\n", agrees ? "agrees" : "DISAGREES",
              wrong_agrees ? "AGREES" : "disagrees");
  failed += (agrees ? 0 : 1) + (wrong_agrees ? 1 : 0);
  return failed == 0 && software_tiles::config_loads == 1 ? 0 : 1;
#else
  const std::string kernels = pt::gemm_bf16_kernels();
  std::printf("CPU: %s; GEMM kernels: %s; native bf16 kernels: '%s'\n", pt::gemm_config().cpu, pt::gemm_kernel_name(),
              kernels.c_str());
  if (kernels.find("amx-bf16") == std::string::npos) {
    std::puts("no AMX-BF16 here (CPU, XCR0 or the kernel's permission)");
    return 2;
  }
  int failed = check_table(*pt::gemm_kernel_amx_bf16());
  pt::set_gemm_precision(pt::GemmPrecision::bf16);
  pt::set_gemm_bf16_kernel("amx-bf16");
  failed += check_sgemm();
  if (argc > 1 && std::strcmp(argv[1], "--time") == 0) time_shapes();
  return failed == 0 ? 0 : 1;
#endif
}
