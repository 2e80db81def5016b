// The GEMM driver: Goto/BLIS-style blocking around the selected micro-kernel, and threading.
//
// Loop nest of one thread (kc x nc panel of B packed once and kept in L2; each MR x kc sliver of
// packed A stays in L1 while it meets every NR sliver of the B panel):
//   for jc (NC cols) / for pc (KC steps): pack B / for ic (MC rows): pack A /
//     for ir (MR rows) / for jr (NR cols): micro-kernel
// KC, MC and NC come from the cache sizes of the CPU (gemm_blocks_for) unless
// POLYTASK_GEMM_BLOCKS or set_gemm_blocks fixes them. Threads share each packed B panel and split
// its row blocks (gemm_shared_panels), or, on products of one KC panel with enough rows, each take
// independent tiles of C (gemm_tiles). Tiny problems skip packing and run the reference loops.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "cpu_caches.h"
#include "gemm.h"
#include "gemm_internal.h"
#include "parallel.h"

namespace pt {
namespace {

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
int64_t round_down(int64_t x, int64_t to) { return std::max<int64_t>(to, x / to * to); }

// Bounds of the automatic choice (see gemm_blocks_for) and of a fixed one.
constexpr int64_t kMinKC = 128, kMaxKC = 512, kMaxBlock = 1 << 16;
constexpr int64_t kMaxTile = 16 * 64;  // upper bound of MR*NR over all kernels

// Blocks fixed by POLYTASK_GEMM_BLOCKS or set_gemm_blocks; 0 = chosen from the cache sizes. Each
// value is valid on its own, so a call that races a change still runs a correct GEMM.
std::atomic<int64_t> g_kc{0}, g_mc{0}, g_nc{0};
std::atomic<const char*> g_source{"cache sizes"};

// "KC,MC,NC": three integers in [1, kMaxBlock]; false otherwise.
bool parse_blocks(const char* text, int64_t out[3]) {
  const char* p = text;
  for (int i = 0; i < 3; ++i) {
    char* end = nullptr;
    const long long v = std::strtoll(p, &end, 10);
    if (end == p || v < 1 || v > kMaxBlock) return false;
    out[i] = v;
    if (i < 2 && *end != ',') return false;
    p = end + (i < 2 ? 1 : 0);
  }
  return *p == '\0';
}

// Reads POLYTASK_GEMM_BLOCKS once, on the first GEMM; a malformed value is named on stderr and
// ignored (the automatic blocks are always correct, only slower or faster).
void read_env_once() {
  static const bool done = [] {
    const char* env = std::getenv("POLYTASK_GEMM_BLOCKS");
    if (env == nullptr || *env == '\0') return true;
    int64_t b[3];
    if (!parse_blocks(env, b)) {
      std::fprintf(stderr,
                   "polytask: POLYTASK_GEMM_BLOCKS='%s' ignored: expected KC,MC,NC, three integers in [1, %lld]\n",
                   env, static_cast<long long>(kMaxBlock));
      return true;
    }
    g_kc.store(b[0]);
    g_mc.store(b[1]);
    g_nc.store(b[2]);
    g_source.store("POLYTASK_GEMM_BLOCKS");
    return true;
  }();
  (void)done;
}

}  // namespace

GemmBlocks gemm_blocks_for(int mr, int nr, const CpuCaches& caches) {
  constexpr int64_t f = sizeof(float);
  // KC: the MR x KC sliver of A that stays in L1 and the NR x KC sliver of B that streams past it
  // fit in the L1 data cache together (a multiple of 16 steps in [128, 512]).
  const int64_t kc = std::clamp<int64_t>(caches.l1d / (f * (mr + nr)) / 16 * 16, kMinKC, kMaxKC);
  // NC: the KC x NC panel of B, which every row sliver of A streams through, takes half of L2.
  const int64_t l2 = caches.l2 > 0 ? caches.l2 : 256 * 1024;
  const int64_t nc = round_down(l2 / 2 / (f * kc), nr);
  // MC: the block of packed A (each thread packs its own) a quarter of L2.
  const int64_t mc = round_down(l2 / 4 / (f * kc), mr);
  return GemmBlocks{kc, mc, nc, false};
}

GemmBlocks gemm_blocks(int mr, int nr) {
  read_env_once();
  const int64_t kc = g_kc.load(std::memory_order_relaxed), mc = g_mc.load(std::memory_order_relaxed),
                nc = g_nc.load(std::memory_order_relaxed);
  if (kc == 0 || mc == 0 || nc == 0) return gemm_blocks_for(mr, nr, cpu_caches());
  return GemmBlocks{kc, round_up(mc, mr), round_up(nc, nr), true};
}

bool set_gemm_blocks(int64_t kc, int64_t mc, int64_t nc) {
  read_env_once();
  const bool automatic = kc == 0 && mc == 0 && nc == 0;
  for (const int64_t v : {kc, mc, nc}) {
    if (!automatic && (v < 1 || v > kMaxBlock)) return false;
  }
  g_kc.store(kc);
  g_mc.store(mc);
  g_nc.store(nc);
  g_source.store(automatic ? "cache sizes" : "set_gemm_blocks");
  return true;
}

GemmConfig gemm_config() {
  const GemmKernel& kr = active_gemm_kernel();
  const GemmBlocks b = gemm_blocks(kr.mr, kr.nr);
  const CpuCaches& c = cpu_caches();
  const bool fixed = g_kc.load() != 0;
  return GemmConfig{kr.name, kr.mr, kr.nr, b.kc, b.mc, b.nc, fixed ? g_source.load() : "cache sizes",
                    c.l1d, c.l2, c.l3, c.source, cpu_model()};
}

namespace {

// The block to use along an extent of `extent` elements: `block` itself when exact, else the
// extent split into round(extent / block) equal parts (at least one), rounded up to `unit`.
int64_t block_along(int64_t extent, int64_t block, int64_t unit, bool exact) {
  if (exact) return std::min(block, round_up(extent, unit));
  const int64_t parts = std::max<int64_t>(1, (2 * extent + block) / (2 * block));
  return round_up((extent + parts - 1) / parts, unit);
}

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
void blocked_gemm(const GemmKernel& kr, const GemmBlocks& bl, const Problem& g) {
  const int64_t mc_max = block_along(g.m, bl.mc, kr.mr, bl.exact);
  const int64_t nc_max = block_along(g.n, bl.nc, kr.nr, bl.exact);
  const int64_t kc_max = block_along(g.k, bl.kc, kr.k_unit, bl.exact);
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
void gemm_serial(const GemmKernel& kr, const GemmBlocks& bl, const Problem& g) {
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
  blocked_gemm(kr, bl, g);
}

// Pieces of work a thread gets in the parallel driver: handed out one at a time, so a thread the
// OS preempts on a busy machine holds the others up for a small piece only. Smaller row blocks
// cost nothing here: every sliver of A streams the whole B panel from L2 whatever the block.
constexpr int64_t kTasksPerThread = 4;

// The row blocks of C the parallel driver deals out: exact blocks are MC rows each; otherwise the
// MR-row slivers are split evenly into a multiple of `threads` blocks (at least ceil(m / MC) and
// kTasksPerThread a thread), so no thread is left with one block more than the others (1024 rows
// in 5 blocks of 216 would keep one of two threads busy 3/5 of the time).
class RowBlocks {
 public:
  RowBlocks(const GemmKernel& kr, const GemmBlocks& bl, int64_t m, int threads) : m_(m), mr_(kr.mr), exact_(bl.exact) {
    slivers_ = (m + mr_ - 1) / mr_;
    if (exact_) {
      size_ = bl.mc;
      count_ = (m + size_ - 1) / size_;
    } else {
      count_ = std::min(round_up(std::max<int64_t>((m + bl.mc - 1) / bl.mc, kTasksPerThread * threads), threads),
                        slivers_);
      size_ = (slivers_ + count_ - 1) / count_ * mr_;
    }
  }
  int64_t count() const { return count_; }
  // Rows of the largest block (a multiple of MR).
  int64_t max_rows() const { return round_up(size_, mr_); }
  // First row of block b; block b ends where block b + 1 starts.
  int64_t start(int64_t b) const { return exact_ ? std::min(m_, b * size_) : std::min(m_, slivers_ * b / count_ * mr_); }

 private:
  int64_t m_, mr_, slivers_ = 0, count_ = 0, size_ = 0;
  bool exact_;
};

// Packed B panels filled between two synchronisations of the threads: every KC panel of an NC
// column block up to this many bytes and panels (784 x 512 floats for an MLP layer), so a product
// pays two hand-overs per NC column block instead of two per KC x NC panel.
constexpr int64_t kPackedBBytes = 4 << 20, kPackedBPanels = 8;

// All threads on one problem, the way BLIS does it: for each group of kc x nc panels of B, the
// threads pack the panels together into one shared buffer, then each takes row blocks of A
// (packing only its own block, panel by panel) and multiplies them by the panels. Every element of
// A and B is packed once, instead of once per tile of C. When A has fewer row blocks than threads
// (a small batch), the panels' columns are split too, and those row blocks are packed once per
// column group.
void gemm_shared_panels(const GemmKernel& kr, const GemmBlocks& bl, const Problem& g, int threads) {
  const int64_t nc_max = block_along(g.n, bl.nc, kr.nr, bl.exact);
  const int64_t kc_max = block_along(g.k, bl.kc, kr.k_unit, bl.exact);
  const int64_t panel_floats = kc_max * nc_max;
  const int64_t k_panels = (g.k + kc_max - 1) / kc_max;
  const int64_t group = std::clamp<int64_t>(kPackedBBytes / (panel_floats * static_cast<int64_t>(sizeof(float))), 1,
                                             std::min(k_panels, kPackedBPanels));
  const RowBlocks rows(kr, bl, g.m, threads);
  // The shared panels live in the calling thread's buffer; workers pack A into their own.
  float* pb = tl_pack_b.reserve(static_cast<size_t>(group * panel_floats));
  for (int64_t jc = 0; jc < g.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, g.n - jc);
    const int64_t slivers = (nc + kr.nr - 1) / kr.nr;
    const int64_t col_groups = std::min<int64_t>(slivers, (threads + rows.count() - 1) / rows.count());
    const int64_t group_slivers = (slivers + col_groups - 1) / col_groups;
    const int64_t pack_parts = std::min<int64_t>(kTasksPerThread * threads, slivers);
    for (int64_t p0 = 0; p0 < k_panels; p0 += group) {
      const int64_t panels = std::min(group, k_panels - p0);
      parallel_tasks(panels * pack_parts, [&](int64_t t) {
        const int64_t pc = (p0 + t / pack_parts) * kc_max, kc = std::min(kc_max, g.k - pc);
        const int64_t part = t % pack_parts;
        const int64_t s0 = slivers * part / pack_parts, s1 = slivers * (part + 1) / pack_parts;
        const int64_t j0 = s0 * kr.nr, j1 = std::min(nc, s1 * kr.nr);
        float* panel = pb + (t / pack_parts) * panel_floats;
        if (j0 < j1) kr.pack_b(g.tb, kc, j1 - j0, b_at(g, pc, jc + j0), g.ldb, panel + j0 * kc);
      });
      parallel_tasks(rows.count() * col_groups, [&](int64_t t) {
        const int64_t i0 = rows.start(t / col_groups), mc = rows.start(t / col_groups + 1) - i0;
        const int64_t j0 = (t % col_groups) * group_slivers * kr.nr;
        if (j0 >= nc || mc <= 0) return;
        const int64_t cols = std::min(group_slivers * kr.nr, nc - j0);
        float* pa = tl_pack_a.reserve(static_cast<size_t>(rows.max_rows() * kc_max));
        for (int64_t p = 0; p < panels; ++p) {
          const int64_t pc = (p0 + p) * kc_max, kc = std::min(kc_max, g.k - pc);
          kr.pack_a(g.ta, mc, kc, a_at(g, i0, pc), g.lda, pa);
          macro_kernel(kr, mc, cols, kc, pa, pb + p * panel_floats + j0 * kc, g.c + i0 * g.ldc + jc + j0, g.ldc,
                       g.accumulate || pc > 0);
        }
      });
    }
  }
}

// Independent tiles (gemm_tiles), for products whose k is one KC panel: a tile packs the B panel
// of its columns itself, which costs about 1/kTileMinRows of its multiply-adds for each element of
// B packed again (a packed float costs the micro-kernel's time of about 24 flops: 9% at 128 rows,
// 5% at 256). At 256x256x256 on 2 threads two tiles of 128 rows still beat the shared panel by
// 3-5% (no hand-over between packing and multiplying, no half of the panel packed on the other
// core). With several KC panels the shared panels win (1024: 423 against 395 GFLOP/s): a row
// block of C stays in L2 across its panels there, while a tile rereads C from L3 for each.
constexpr int64_t kTileMinRows = 128;

// The grid of independent tiles for `threads` threads, or {0, 0} when the product is too small for
// it or has more than one KC panel. Columns: the product's NC column blocks (A is then packed as
// often as one thread packs it), rounded up to a multiple of the threads when there are at least
// as many (or the threads are no multiple of them), so that no thread is left a tile more than the
// others; rows: the threads left over (a tile row's B is packed by each thread working in it).
// gemm_tiles then deals the tiles' rows out in blocks.
struct TileGrid {
  int64_t rows, cols;
};
TileGrid tile_grid(const GemmKernel& kr, const GemmBlocks& bl, const Problem& g, int threads) {
  if (block_along(g.k, bl.kc, kr.k_unit, bl.exact) < g.k) return {0, 0};
  const int64_t nc_max = block_along(g.n, bl.nc, kr.nr, bl.exact);
  const int64_t blocks = (g.n + nc_max - 1) / nc_max;
  int64_t cols = blocks, rows = 1;
  if (blocks >= threads || threads % blocks != 0) {
    cols = round_up(blocks, threads);
  } else {
    rows = threads / blocks;
  }
  if (g.m / rows < kTileMinRows || g.n < cols * kr.nr) return {0, 0};
  return {rows, cols};
}

// Rows of C a thread claims at a time in gemm_tiles: about kTileBlocksPerThread blocks a thread
// (whole MR slivers, at least one), so a thread the OS preempts in the middle of its block holds
// the others up for that block only, not for half of the product.
constexpr int64_t kTileBlocksPerThread = 4;

// All threads on one product of one KC panel, no hand-over between them but the last. C is cut
// into grid.cols column tiles (whole NR slivers) and each tile into row blocks (whole MR slivers,
// about kTileBlocksPerThread blocks a thread in all). Thread k starts on tile k * cols / threads:
// it packs that tile's panel of B into its own buffer (kept in its core's L2), then claims the
// tile's row blocks one at a time from the tile's counter, packing each block of A itself; when
// they are all claimed it moves on to the next tile that has blocks left. A thread that wakes late
// or is preempted claims fewer blocks instead of holding the others up for a fixed share, and one
// that finds every block claimed packs nothing.
void gemm_tiles(const GemmKernel& kr, const GemmBlocks& bl, const Problem& g, TileGrid grid, int threads) {
  const int64_t cols = grid.cols, kc = g.k;
  const int64_t slivers = (g.m + kr.mr - 1) / kr.mr;
  const int64_t target = std::max<int64_t>(1, (kTileBlocksPerThread * threads + cols - 1) / cols);
  const int64_t per_block = (slivers + target - 1) / target;
  const int64_t row_blocks = (slivers + per_block - 1) / per_block;
  const int64_t nc_max = block_along(g.n, bl.nc, kr.nr, bl.exact);
  const int64_t mc_max = std::min(per_block * kr.mr, block_along(g.m, bl.mc, kr.mr, bl.exact));
  const std::unique_ptr<std::atomic<int64_t>[]> next(new std::atomic<int64_t>[cols]);
  for (int64_t c = 0; c < cols; ++c) next[c].store(0, std::memory_order_relaxed);
  parallel_tasks(threads, [&](int64_t k) {
    float* pa = nullptr;
    float* pb = nullptr;
    for (int64_t o = 0; o < cols; ++o) {
      const int64_t c = (k * cols / threads + o) % cols;
      const int64_t j0 = std::min(g.n, g.n * c / cols / kr.nr * kr.nr);
      const int64_t j1 = c + 1 == cols ? g.n : std::min(g.n, g.n * (c + 1) / cols / kr.nr * kr.nr);
      // A tile wider than NC (more NC blocks than the grid has columns) repacks its blocks of B
      // for each row block; a tile of one NC block packs it once.
      bool packed = false;
      for (int64_t r; (r = next[c].fetch_add(1, std::memory_order_relaxed)) < row_blocks;) {
        const int64_t i0 = std::min(g.m, r * per_block * kr.mr), i1 = std::min(g.m, (r + 1) * per_block * kr.mr);
        if (i0 >= i1 || j0 >= j1) continue;
        if (pb == nullptr) {
          pb = tl_pack_b.reserve(static_cast<size_t>(nc_max * kc));
          pa = tl_pack_a.reserve(static_cast<size_t>(mc_max * kc));
        }
        for (int64_t jc = j0; jc < j1; jc += nc_max) {
          const int64_t nc = std::min(nc_max, j1 - jc);
          if (!packed) kr.pack_b(g.tb, kc, nc, b_at(g, 0, jc), g.ldb, pb);
          packed = j1 - j0 <= nc_max;
          for (int64_t ic = i0; ic < i1; ic += mc_max) {
            const int64_t mc = std::min(mc_max, i1 - ic);
            kr.pack_a(g.ta, mc, kc, a_at(g, ic, 0), g.lda, pa);
            macro_kernel(kr, mc, nc, kc, pa, pb, g.c + ic * g.ldc + jc, g.ldc, g.accumulate);
          }
        }
      }
    }
  });
}

void gemm_auto(const GemmKernel& kr, const GemmBlocks& bl, const Problem& g) {
  const int threads = num_threads();
  if (threads > 1 && !in_parallel_region() && g.k > 0 && g.m * g.n * g.k >= kParallelWork) {
    const TileGrid grid = tile_grid(kr, bl, g, threads);
    if (grid.rows > 0) {
      gemm_tiles(kr, bl, g, grid, threads);
    } else {
      gemm_shared_panels(kr, bl, g, threads);
    }
  } else {
    gemm_serial(kr, bl, g);
  }
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
           int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  const GemmKernel& kr = active_gemm_kernel();
  gemm_auto(kr, gemm_blocks(kr.mr, kr.nr), Problem{trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc, accumulate});
}

void sgemm_batched(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n,
                   int64_t k, bool trans_a, bool trans_b, int64_t a_batch_stride,
                   int64_t b_batch_stride, bool accumulate) {
  if (batch <= 0 || m == 0 || n == 0) return;
  const GemmKernel& kr = active_gemm_kernel();
  const GemmBlocks bl = gemm_blocks(kr.mr, kr.nr);
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
      for (int64_t i = 0; i < batch; ++i) gemm_serial(kr, bl, matrix(i));
    } else {
      parallel_tasks(batch, [&](int64_t i) { gemm_serial(kr, bl, matrix(i)); });
    }
  } else {
    for (int64_t i = 0; i < batch; ++i) gemm_auto(kr, bl, matrix(i));
  }
}

}  // namespace pt
