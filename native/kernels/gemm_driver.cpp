// The GEMM driver: Goto/BLIS-style blocking around the selected micro-kernel, and threading.
//
// Loop nest of one thread (kc x nc panel of B packed once and kept in L2; each MR x kc sliver of
// packed A stays in L1 while it meets every NR sliver of the B panel):
//   for jc (NC cols) / for pc (KC steps): pack B / for ic (MC rows): pack A /
//     for ir (MR rows) / for jr (NR cols): micro-kernel
// Threads share each packed B panel and split its row blocks (gemm_shared_panels). Tiny problems
// skip packing and run the reference loops.
#include <algorithm>
#include <cstdlib>
#include <new>

#include "gemm.h"
#include "gemm_internal.h"
#include "parallel.h"

namespace pt {
namespace {

constexpr int64_t kKC = 256;  // k steps per panel: an MR x KC sliver of A is 12 KiB at MR = 12
constexpr int64_t kMC = 144;  // rows of A packed at once (a multiple of every MR: 4, 6, 12)
constexpr int64_t kNC = 512;  // cols of the B panel: KC x NC floats = 512 KiB, half of a Zen 4 L2
constexpr int64_t kMaxTile = 16 * 64;  // upper bound of MR*NR over all kernels

// Up to this many multiply-adds the packing overhead outweighs its gain: the naive loops run.
constexpr int64_t kNaiveWork = 24 * 24 * 24;
// Below this many multiply-adds one thread finishes before a second would wake up.
constexpr int64_t kParallelWork = 48 * 48 * 48;

struct Problem {
  bool ta, tb;
  int64_t m, n, k;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
  bool accumulate;
};

const float* a_at(const Problem& g, int64_t i, int64_t p) { return g.ta ? g.a + p * g.lda + i : g.a + i * g.lda + p; }
const float* b_at(const Problem& g, int64_t p, int64_t j) { return g.tb ? g.b + j * g.ldb + p : g.b + p * g.ldb + j; }

// Per-thread, 64-byte aligned packing buffers, grown on demand and kept for the thread's life.
class PackBuffer {
 public:
  ~PackBuffer() { std::free(data_); }
  float* reserve(size_t floats) {
    if (floats > capacity_) {
      std::free(data_);
      data_ = nullptr;
      capacity_ = 0;
      const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (data_ == nullptr) throw std::bad_alloc();
      capacity_ = floats;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

thread_local PackBuffer tl_pack_a;
thread_local PackBuffer tl_pack_b;

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// C[0:mc,0:nc] (+)= packed A block · packed B panel.
void macro_kernel(const GemmKernel& kr, int64_t mc, int64_t nc, int64_t kc, const float* pa,
                  const float* pb, float* c, int64_t ldc, bool accumulate) {
  alignas(64) float edge[kMaxTile];
  for (int64_t ir = 0; ir < mc; ir += kr.mr) {
    const int64_t mr = std::min<int64_t>(kr.mr, mc - ir);
    const float* as = pa + ir * kc;
    for (int64_t jr = 0; jr < nc; jr += kr.nr) {
      const int64_t nr = std::min<int64_t>(kr.nr, nc - jr);
      const float* bs = pb + jr * kc;
      float* ct = c + ir * ldc + jr;
      if (mr == kr.mr && nr == kr.nr) {
        kr.micro(kc, as, bs, ct, ldc, accumulate);
        continue;
      }
      // Partial tile: compute its rows aside, then write only the part inside C.
      if (mr < kr.mr) {
        kr.micro_rows(static_cast<int>(mr), kc, as, bs, edge, kr.nr);
      } else {
        kr.micro(kc, as, bs, edge, kr.nr, false);
      }
      for (int64_t r = 0; r < mr; ++r) {
        float* row = ct + r * ldc;
        const float* e = edge + r * kr.nr;
        for (int64_t j = 0; j < nr; ++j) row[j] = accumulate ? row[j] + e[j] : e[j];
      }
    }
  }
}

// One thread's blocked GEMM over the whole of g (k > 0).
void blocked_gemm(const GemmKernel& kr, const Problem& g) {
  const int64_t mc_max = std::min(round_up(kMC, kr.mr), round_up(g.m, kr.mr));
  const int64_t nc_max = std::min(round_up(kNC, kr.nr), round_up(g.n, kr.nr));
  const int64_t kc_max = std::min(kKC, g.k);
  float* pa = tl_pack_a.reserve(static_cast<size_t>(mc_max * kc_max));
  float* pb = tl_pack_b.reserve(static_cast<size_t>(nc_max * kc_max));
  for (int64_t jc = 0; jc < g.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, g.n - jc);
    for (int64_t pc = 0; pc < g.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, g.k - pc);
      kr.pack_b(g.tb, kc, nc, b_at(g, pc, jc), g.ldb, pb);
      const bool accumulate = g.accumulate || pc > 0;
      for (int64_t ic = 0; ic < g.m; ic += mc_max) {
        const int64_t mc = std::min(mc_max, g.m - ic);
        kr.pack_a(g.ta, mc, kc, a_at(g, ic, pc), g.lda, pa);
        macro_kernel(kr, mc, nc, kc, pa, pb, g.c + ic * g.ldc + jc, g.ldc, accumulate);
      }
    }
  }
}

// Whole problem on the calling thread.
void gemm_serial(const GemmKernel& kr, const Problem& g) {
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) {
    if (!g.accumulate) {
      for (int64_t i = 0; i < g.m; ++i) std::fill(g.c + i * g.ldc, g.c + i * g.ldc + g.n, 0.0f);
    }
    return;
  }
  if (g.m * g.n * g.k <= kNaiveWork) {
    (kr.naive != nullptr ? kr.naive : sgemm_reference)(g.ta, g.tb, g.m, g.n, g.k, g.a, g.lda, g.b, g.ldb, g.c,
                                                         g.ldc, g.accumulate);
    return;
  }
  blocked_gemm(kr, g);
}

// Row blocks of C for the parallel driver: about kMC rows each, evened out so the last block is
// not a sliver, and at least one per thread when there are enough rows.
int64_t row_block(const GemmKernel& kr, int64_t m, int threads) {
  int64_t blocks = std::max<int64_t>((m + kMC - 1) / kMC, std::min<int64_t>(threads, m / kr.mr));
  blocks = std::max<int64_t>(blocks, 1);
  return round_up((m + blocks - 1) / blocks, kr.mr);
}

// All threads on one problem, the way BLIS does it: for each kc x nc panel of B, the threads pack
// the panel together into one shared buffer, then each takes MC-row blocks of A (packing only its
// own block) and multiplies them by the whole panel. Every element of A and B is packed once,
// instead of once per tile of C. When A has fewer row blocks than threads (a small batch), the
// panel's columns are split too, and those row blocks are packed once per column group.
void gemm_shared_panels(const GemmKernel& kr, const Problem& g, int threads) {
  const int64_t nc_max = std::min(round_up(kNC, kr.nr), round_up(g.n, kr.nr));
  const int64_t kc_max = std::min(kKC, g.k);
  const int64_t mc = row_block(kr, g.m, threads);
  const int64_t row_blocks = (g.m + mc - 1) / mc;
  // The shared panel lives in the calling thread's buffer; workers pack A into their own.
  float* pb = tl_pack_b.reserve(static_cast<size_t>(nc_max * kc_max));
  for (int64_t jc = 0; jc < g.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, g.n - jc);
    const int64_t slivers = (nc + kr.nr - 1) / kr.nr;
    const int64_t col_groups = std::min<int64_t>(slivers, (threads + row_blocks - 1) / row_blocks);
    const int64_t group_slivers = (slivers + col_groups - 1) / col_groups;
    const int64_t pack_tasks = std::min<int64_t>(threads, slivers);
    for (int64_t pc = 0; pc < g.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, g.k - pc);
      parallel_tasks(pack_tasks, [&](int64_t t) {
        const int64_t s0 = slivers * t / pack_tasks, s1 = slivers * (t + 1) / pack_tasks;
        const int64_t j0 = s0 * kr.nr, j1 = std::min(nc, s1 * kr.nr);
        if (j0 < j1) kr.pack_b(g.tb, kc, j1 - j0, b_at(g, pc, jc + j0), g.ldb, pb + j0 * kc);
      });
      const bool accumulate = g.accumulate || pc > 0;
      parallel_tasks(row_blocks * col_groups, [&](int64_t t) {
        const int64_t i0 = (t / col_groups) * mc, rows = std::min(mc, g.m - i0);
        const int64_t j0 = (t % col_groups) * group_slivers * kr.nr;
        if (j0 >= nc) return;
        const int64_t cols = std::min(group_slivers * kr.nr, nc - j0);
        float* pa = tl_pack_a.reserve(static_cast<size_t>(round_up(rows, kr.mr) * kc_max));
        kr.pack_a(g.ta, rows, kc, a_at(g, i0, pc), g.lda, pa);
        macro_kernel(kr, rows, cols, kc, pa, pb + j0 * kc, g.c + i0 * g.ldc + jc + j0, g.ldc, accumulate);
      });
    }
  }
}

void gemm_auto(const GemmKernel& kr, const Problem& g) {
  const int threads = num_threads();
  if (threads > 1 && !in_parallel_region() && g.k > 0 && g.m * g.n * g.k >= kParallelWork) {
    gemm_shared_panels(kr, g, threads);
  } else {
    gemm_serial(kr, g);
  }
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
           int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  gemm_auto(active_gemm_kernel(), Problem{trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc, accumulate});
}

void sgemm_batched(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n,
                   int64_t k, bool trans_a, bool trans_b, int64_t a_batch_stride,
                   int64_t b_batch_stride, bool accumulate) {
  if (batch <= 0 || m == 0 || n == 0) return;
  const GemmKernel& kr = active_gemm_kernel();
  const Problem first{trans_a, trans_b, m, n, k, a, trans_a ? m : k, b, trans_b ? k : n, c, n, accumulate};
  auto matrix = [&](int64_t i) {
    Problem g = first;
    g.a = a + i * a_batch_stride;
    g.b = b + i * b_batch_stride;
    g.c = c + i * m * n;
    return g;
  };
  const int threads = num_threads();
  // Many matrices: one thread per matrix. Few: each matrix is split over the threads.
  if (batch >= threads || m * n * k < kParallelWork) {
    if (batch * m * n * k < kParallelWork) {
      for (int64_t i = 0; i < batch; ++i) gemm_serial(kr, matrix(i));
    } else {
      parallel_tasks(batch, [&](int64_t i) { gemm_serial(kr, matrix(i)); });
    }
  } else {
    for (int64_t i = 0; i < batch; ++i) gemm_auto(kr, matrix(i));
  }
}

}  // namespace pt
