// Winograd F(2x2, 3x3) convolution (Lavin & Gray, 2016). The output is cut into 2x2 tiles; the
// 4x4 input patch d under a tile and the 3x3 kernel g give the tile as
//   y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 -1 -1],
// 16 multiplies per tile and channel pair instead of 36. Summed over input channels, each of the
// 16 positions of the transformed 4x4 domain is a GEMM, M[pos] (out, tiles) = U[pos] (out, in) ·
// V[pos] (in, tiles): 2.25x fewer flops than the im2col GEMM. The coefficients are 0, ±1 and ±½,
// so the transforms add little rounding error.
//
// The backward passes reuse it. The input gradient is the forward convolution of gy, padded by
// 2 − pad, with the kernel flipped and its channel axes swapped. The weight gradient is the
// adjoint of the forward map, dg = Gᵀ [ Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B) ] G: 16 GEMMs again, with
// the tiles as the reduction axis.
//
// The transforms work on whole rows of tiles so that the compiler vectorises them, and several
// images share each GEMM, their tiles side by side, as in conv_wide.cpp.
#include "conv_winograd.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "conv_util.h"
#include "gemm.h"
#include "simd_clones.h"
#include "storage_pool.h"

namespace pt {
namespace {

using namespace conv_util;

constexpr int64_t kPositions = 16;
// The forward pass (and input gradient) runs per chunk of images when a chunk has at least this
// many tiles, else over groups of images (run_forward_grouped) of up to kGroupFloats (8 MiB) of
// transformed inputs and outputs. On ResNet-18's layers at 224x224, 8 images: grouped, the 28x28
// maps (196 tiles a chunk) ran 13-15% slower and the 56x56 ones up to 37%; the 14x14 ones (49) 10-15%
// faster, with groups of 8 MiB rather than 4 (7% slower), 16 (3-8%) or 32.
constexpr int64_t kMinGemmTiles = 128;
// Where conv_winograd_preferred sends a layer to Winograd before the direct and im2row kernels:
// at least 128 channels in and out a group, 128 tiles in the batch, maps at least 4x4 whose tiles
// cover at most a third more outputs than the map has. Measured forward / input gradient at 1 and
// 2 threads (ms): ResNet-18 at 224x224 (8 images), 7x7 maps of 512 channels 17.1-20.3 → 16.3-17.3
// and 9.6-10.2 → 8.7-9.2; 64 images, 4x4 maps of 128 channels 2.3 → 1.8 and 1.2 → 0.9, of 256
// channels 9.5-10.5 → 7.4-7.7; 6x6 of 128 channels 5.8 → 4.3-4.6; 8x8 of 128 channels 10.4 → 8.1,
// of 256 40 → 27. Below the thresholds the other paths win: 8x8 maps of 64 channels (2.7 against
// 3.1-3.2), 5x5 and 3x3 maps (44% and 78% more outputs: 3.7-3.8 against 4.3-4.4, 1.2 against
// 1.8-2.0), 2x2 and 1x1 maps, and one image of 7x7 (16 tiles: 4.3-5.5 against 7.3-7.9).
constexpr int64_t kPreferredChannels = 128;
constexpr int64_t kPreferredSide = 4;
constexpr int64_t kGroupFloats = int64_t{1} << 21;

// One Winograd convolution: in (n, groups·cin, h, w) → out (n, groups·cout, oh, ow), with
// oh = h + 2·pad_h − 2 and ow = w + 2·pad_w − 2.
struct Plan {
  int64_t n, groups, cin, cout, h, w, pad_h, pad_w, oh, ow;
  int64_t th, tw, tiles;  // 2x2 output tiles: rows, columns, per image
  int64_t hp, wp;         // the zero-padded input plane under every tile's 4x4 patch
};

Plan plan_of(int64_t n, int64_t groups, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t pad_h, int64_t pad_w) {
  Plan p{n, groups, cin, cout, h, w, pad_h, pad_w, h + 2 * pad_h - 2, w + 2 * pad_w - 2, 0, 0, 0, 0, 0};
  p.th = (p.oh + 1) / 2;
  p.tw = (p.ow + 1) / 2;
  p.tiles = p.th * p.tw;
  p.hp = 2 * p.th + 2;
  p.wp = 2 * p.tw + 2;
  return p;
}

// Kernels transformed a block at a time, one kernel a lane, so that the compiler vectorises the
// arithmetic across kernels.
constexpr int kLanes = 16;

// u[pos][l] = (G g_l Gᵀ)[pos] for the 3x3 kernels g_l given as k[tap][l] (tap = 3·row + column).
PT_SIMD_CLONES void kernel_transform_lanes(const float (&k)[9][kLanes], float (&u)[kPositions][kLanes]) {
  float t[4][3][kLanes];  // G g
  for (int j = 0; j < 3; ++j) {
    for (int l = 0; l < kLanes; ++l) {
      const float g0 = k[j][l], g1 = k[3 + j][l], g2 = k[6 + j][l];
      t[0][j][l] = g0;
      t[1][j][l] = 0.5f * (g0 + g1 + g2);
      t[2][j][l] = 0.5f * (g0 - g1 + g2);
      t[3][j][l] = g2;
    }
  }
  for (int i = 0; i < 4; ++i) {
    for (int l = 0; l < kLanes; ++l) {
      const float a = t[i][0][l], b = t[i][1][l], c = t[i][2][l];
      u[i * 4 + 0][l] = a;
      u[i * 4 + 1][l] = 0.5f * (a + b + c);
      u[i * 4 + 2][l] = 0.5f * (a - b + c);
      u[i * 4 + 3][l] = c;
    }
  }
}

// k (3x3, row-major) = Gᵀ D G for the 4x4 D at d[pos·stride]: the adjoint of kernel_transform.
void kernel_grad_transform(const float* d, int64_t stride, float* k) {
  float q[3][4];
  for (int l = 0; l < 4; ++l) {
    const float d0 = d[l * stride], d1 = d[(4 + l) * stride], d2 = d[(8 + l) * stride], d3 = d[(12 + l) * stride];
    q[0][l] = d0 + 0.5f * (d1 + d2);
    q[1][l] = 0.5f * (d1 - d2);
    q[2][l] = 0.5f * (d1 + d2) + d3;
  }
  for (int i = 0; i < 3; ++i) {
    k[i * 3 + 0] = q[i][0] + 0.5f * (q[i][1] + q[i][2]);
    k[i * 3 + 1] = 0.5f * (q[i][1] - q[i][2]);
    k[i * 3 + 2] = 0.5f * (q[i][1] + q[i][2]) + q[i][3];
  }
}

// k[tap][l] = src[9·l + tap]: 16 consecutive 3x3 kernels, one a lane.
PT_SIMD_CLONES void kernels_to_lanes(const float* __restrict src, float (&k)[9][kLanes]) {
  for (int tap = 0; tap < 9; ++tap) {
    for (int l = 0; l < kLanes; ++l) k[tap][l] = src[l * 9 + tap];
  }
}

// Transformed kernels [group][pos][out][in] of w (O, C/groups, 3, 3) into u. Forward: out = O's
// channels, in = C's. Backward input (`transpose`): the kernels rotated by 180°, out = C's
// channels, in = O's. Blocks of kLanes consecutive `in` channels, split over the threads by `out`.
void transformed_kernels(const float* w, const ConvGeometry& g, bool transpose, float* u) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups, per_pos = cg * og;
  const int64_t outs = transpose ? cg : og, ins = transpose ? og : cg;
  parallel_for(g.groups * outs, 4, [&](int64_t lo, int64_t hi) {
    alignas(64) float k[9][kLanes] = {};
    alignas(64) float t[kPositions][kLanes];
    for (int64_t go = lo; go < hi; ++go) {
      const int64_t gr = go / outs, a = go % outs;
      float* ug = u + gr * kPositions * per_pos + a * ins;
      for (int64_t b0 = 0; b0 < ins; b0 += kLanes) {
        const int64_t lanes = std::min<int64_t>(kLanes, ins - b0);
        if (!transpose && lanes == kLanes) {  // 16 kernels one after another
          kernels_to_lanes(w + ((gr * og + a) * cg + b0) * 9, k);
        } else {
          for (int64_t l = 0; l < lanes; ++l) {
            const int64_t o = transpose ? b0 + l : a, c = transpose ? a : b0 + l;
            const float* src = w + ((gr * og + o) * cg + c) * 9;
            for (int tap = 0; tap < 9; ++tap) k[tap][l] = src[transpose ? 8 - tap : tap];
          }
        }
        kernel_transform_lanes(k, t);
        if (lanes == kLanes) {
          for (int pos = 0; pos < kPositions; ++pos) std::memcpy(ug + pos * per_pos + b0, t[pos], sizeof t[pos]);
        } else {
          for (int pos = 0; pos < kPositions; ++pos) {
            std::memcpy(ug + pos * per_pos + b0, t[pos], static_cast<size_t>(lanes) * sizeof(float));
          }
        }
      }
    }
  });
}

// dst = src[0, n); returns nonzero when some value is an infinity or NaN. Without loop
// distribution: GCC would split the copy off into a memcpy call, which on the rows of 4 of a 4x4
// map cost more than the copy (at two threads the grouped input transform ran 1.0 ms a call
// against 0.5 at one; 0.18 without the calls).
__attribute__((optimize("no-tree-loop-distribute-patterns"))) uint32_t copy_checked(const float* __restrict src,
                                                                                     float* __restrict dst, int64_t n) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, src + i, sizeof bits);
    bad |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    dst[i] = src[i];
  }
  return bad;
}

// dst rows (wp apart) = the h rows of w floats at src; returns nonzero when some value is an
// infinity or NaN.
uint32_t copy_plane_checked(const float* src, int64_t h, int64_t w, float* dst, int64_t wp) {
  uint32_t bad = 0;
  for (int64_t y = 0; y < h; ++y) bad |= copy_checked(src + y * w, dst + y * wp, w);
  return bad;
}

// Splits src[0, 2·half) into its even and odd elements.
void deinterleave(const float* __restrict src, int64_t half, float* __restrict even, float* __restrict odd) {
  for (int64_t i = 0; i < half; ++i) {
    even[i] = src[2 * i];
    odd[i] = src[2 * i + 1];
  }
}

// Tile columns are 2 apart, so the transforms keep rows as their even and odd columns: every loop
// over tiles then reads and writes consecutive floats, and the compiler vectorises it. The loops
// are functions of their own because GCC trusts __restrict on parameters (not on local pointers),
// and without it would need more run-time overlap checks than it is willing to emit.

// Bᵀ d for n columns of patch rows r0..r3: t gets 4 rows of n.
void patch_rows(const float* __restrict r0, const float* __restrict r1, const float* __restrict r2,
                const float* __restrict r3, int64_t n, float* __restrict t) {
  for (int64_t j = 0; j < n; ++j) {
    t[j] = r0[j] - r2[j];
    t[n + j] = r1[j] + r2[j];
    t[2 * n + j] = r2[j] - r1[j];
    t[3 * n + j] = r1[j] - r3[j];
  }
}

// (Bᵀ d) B for one row of Bᵀ d, given as its even columns e and odd columns o (tw + 1 each): the 4
// positions of each of tw tiles go to v[tx], v[ps + tx], v[2·ps + tx], v[3·ps + tx].
void patch_cols(const float* __restrict e, const float* __restrict o, int64_t tw, float* __restrict v, int64_t ps) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    v[tx] = e[tx] - e[tx + 1];
    v[ps + tx] = o[tx] + e[tx + 1];
    v[2 * ps + tx] = e[tx + 1] - o[tx];
    v[3 * ps + tx] = o[tx] - o[tx + 1];
  }
}

// Aᵀ M A for tw tiles, M's 16 positions at m[pos·ps + tx]: rows 0 and 1 of the outputs, even
// columns to ye[0, tw) and ye[tw, 2·tw), odd ones likewise to yo.
void tile_outputs(const float* __restrict m, int64_t ps, int64_t tw, float* __restrict ye, float* __restrict yo) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    float s0[4], s1[4];  // Aᵀ M: rows 0 and 1 of the tile, per column
    for (int l = 0; l < 4; ++l) {
      const float z0 = m[l * ps + tx], z1 = m[(4 + l) * ps + tx], z2 = m[(8 + l) * ps + tx], z3 = m[(12 + l) * ps + tx];
      s0[l] = z0 + z1 + z2;
      s1[l] = z1 - z2 - z3;
    }
    ye[tx] = s0[0] + s0[1] + s0[2];
    yo[tx] = s0[1] - s0[2] - s0[3];
    ye[tw + tx] = s1[0] + s1[1] + s1[2];
    yo[tw + tx] = s1[1] - s1[2] - s1[3];
  }
}

// y[0, n) = even and odd columns interleaved, plus b (0 without a bias, as in the reference).
void interleave(const float* __restrict e, const float* __restrict o, int64_t n, float b, float* __restrict y) {
  for (int64_t i = 0; i < n / 2; ++i) {
    y[2 * i] = e[i] + b;
    y[2 * i + 1] = o[i] + b;
  }
  if (n % 2 != 0) y[n - 1] = e[n / 2] + b;
}

// A dY Aᵀ for tw tiles whose dY is (a, b; c, d) at [tx]: position pos goes to m[pos·ps + tx].
void grad_tiles(const float* __restrict a, const float* __restrict b, const float* __restrict c,
                const float* __restrict d, int64_t tw, float* __restrict m, int64_t ps) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    const float u[4] = {a[tx], a[tx] + c[tx], a[tx] - c[tx], -c[tx]};  // A dY, column 0
    const float v[4] = {b[tx], b[tx] + d[tx], b[tx] - d[tx], -d[tx]};  // A dY, column 1
    for (int i = 0; i < 4; ++i) {                                        // (A dY) Aᵀ
      m[(i * 4 + 0) * ps + tx] = u[i];
      m[(i * 4 + 1) * ps + tx] = u[i] + v[i];
      m[(i * 4 + 2) * ps + tx] = u[i] - v[i];
      m[(i * 4 + 3) * ps + tx] = -v[i];
    }
  }
}

// Floats of per-thread work space the transforms need: a padded row, the padded plane and 8 rows
// of tiles (grad_transform and output_transform need less).
int64_t input_work(const Plan& p) { return (p.hp + 1) * p.wp + 8 * (p.tw + 1); }

// Bᵀ d B of every tile of one image-group: in (cin, h, w) → v[(pos·cin + c)·ld + t], t the tile
// (row-major). False when `in` is not all finite.
bool input_transform(const float* in, const Plan& p, float* work, float* v, int64_t ld) {
  const int64_t ps = p.cin * ld;  // from one position's planes to the next
  const int64_t half = p.tw + 1;  // even (and odd) columns of the padded plane: wp = 2·half
  float* row = work;              // one padded input row
  float* even = row + p.wp;       // the padded plane, even columns: hp rows of `half`
  float* odd = even + p.hp * half;
  float* te = odd + p.hp * half;  // Bᵀ d of one tile row: 4 rows of `half`, even and odd columns
  float* to = te + 4 * half;
  uint32_t bad = 0;
  for (int64_t c = 0; c < p.cin; ++c) {
    std::fill(row, row + p.wp, 0.0f);
    for (int64_t py = 0; py < p.hp; ++py) {
      const int64_t iy = py - p.pad_h;
      if (iy >= 0 && iy < p.h) {
        bad |= copy_checked(in + (c * p.h + iy) * p.w, row + p.pad_w, p.w);
        deinterleave(row, half, even + py * half, odd + py * half);
      } else {
        std::fill(even + py * half, even + (py + 1) * half, 0.0f);
        std::fill(odd + py * half, odd + (py + 1) * half, 0.0f);
      }
    }
    for (int64_t ty = 0; ty < p.th; ++ty) {
      const float* re = even + 2 * ty * half;
      const float* ro = odd + 2 * ty * half;
      patch_rows(re, re + half, re + 2 * half, re + 3 * half, half, te);
      patch_rows(ro, ro + half, ro + 2 * half, ro + 3 * half, half, to);
      for (int k = 0; k < 4; ++k) {
        patch_cols(te + k * half, to + k * half, p.tw, v + (k * 4 * p.cin + c) * ld + ty * p.tw, ps);
      }
    }
  }
  return bad == 0;
}

// Aᵀ M A of every tile of one image-group: m[(pos·cout + o)·ld + t] → out (cout, oh, ow), plus
// bias (cout) when given; the parts of edge tiles beyond the output are dropped.
void output_transform(const float* m, int64_t ld, const Plan& p, const float* bias, float* work, float* out) {
  const int64_t ps = p.cout * ld;
  float* ye = work;  // output rows 2·ty and 2·ty + 1: even columns, then odd ones
  float* yo = work + 2 * p.tw;
  for (int64_t o = 0; o < p.cout; ++o) {
    for (int64_t ty = 0; ty < p.th; ++ty) {
      tile_outputs(m + o * ld + ty * p.tw, ps, p.tw, ye, yo);
      for (int64_t r = 0; r < 2 && 2 * ty + r < p.oh; ++r) {
        interleave(ye + r * p.tw, yo + r * p.tw, p.ow, bias == nullptr ? 0.0f : bias[o], out + (o * p.oh + 2 * ty + r) * p.ow);
      }
    }
  }
}

// A dY Aᵀ of every tile of one image-group: gy (cout, oh, ow) → m[(pos·cout + o)·ld + t], the
// parts of edge tiles beyond the output counting as 0. False when gy is not all finite.
bool grad_transform(const float* gy, int64_t ld, const Plan& p, float* work, float* m) {
  const int64_t ps = p.cout * ld;
  float* row = work;                // one output row, zero-padded to 2·tw
  float* de = work + 2 * p.tw;      // rows 2·ty and 2·ty + 1: even columns, then odd ones
  float* dodd = de + 2 * p.tw;
  uint32_t bad = 0;
  for (int64_t o = 0; o < p.cout; ++o) {
    for (int64_t ty = 0; ty < p.th; ++ty) {
      for (int64_t r = 0; r < 2; ++r) {
        const int64_t oy = 2 * ty + r;
        int64_t filled = 0;
        if (oy < p.oh) {
          bad |= copy_checked(gy + (o * p.oh + oy) * p.ow, row, p.ow);
          filled = p.ow;
        }
        std::fill(row + filled, row + 2 * p.tw, 0.0f);
        deinterleave(row, p.tw, de + r * p.tw, dodd + r * p.tw);
      }
      grad_tiles(de, dodd, de + p.tw, dodd + p.tw, p.tw, m + o * ld + ty * p.tw, ps);
    }
  }
  return bad == 0;
}

// The grouped path's transforms take 16 tiles at a time, one a lane, the tiles of a group's images
// one after another (run_forward's transforms walk rows of tiles, which on maps of 2 to 7 tiles a
// row leaves most of each vector empty). Tile T of a group is tile T % tiles of image T / tiles:
// `corner` holds its offset in the group's padded planes of one channel (image after image, hp·wp
// each), padded to whole blocks with the last tile's.
std::vector<int64_t> tile_corners(const Plan& p, int64_t images) {
  const int64_t count = images * p.tiles, blocks = (count + kLanes - 1) / kLanes;
  std::vector<int64_t> corner(static_cast<size_t>(blocks * kLanes));
  for (int64_t t = 0; t < blocks * kLanes; ++t) {
    const int64_t tt = std::min(t, count - 1), j = tt / p.tiles, k = tt % p.tiles;
    corner[static_cast<size_t>(t)] = j * p.hp * p.wp + 2 * (k / p.tw) * p.wp + 2 * (k % p.tw);
  }
  return corner;
}

// Bᵀ d B of the 16 tiles whose corners are corner[0, 16) in the padded plane (row length wp): the
// lanes < `lanes` of position pos go to v[pos·ps, +lanes).
PT_SIMD_CLONES void input_lanes(const float* __restrict plane, int64_t wp, const int64_t* __restrict corner,
                                int64_t lanes, float* __restrict v, int64_t ps) {
  float d[kPositions][kLanes];
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < kLanes; ++l) d[r * 4 + c][l] = plane[corner[l] + r * wp + c];
    }
  }
  float t[kPositions][kLanes];  // Bᵀ d
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < kLanes; ++l) {
      const float d0 = d[c][l], d1 = d[4 + c][l], d2 = d[8 + c][l], d3 = d[12 + c][l];
      t[c][l] = d0 - d2;
      t[4 + c][l] = d1 + d2;
      t[8 + c][l] = d2 - d1;
      t[12 + c][l] = d1 - d3;
    }
  }
  for (int r = 0; r < 4; ++r) {  // (Bᵀ d) B
    for (int l = 0; l < kLanes; ++l) {
      const float x0 = t[r * 4][l], x1 = t[r * 4 + 1][l], x2 = t[r * 4 + 2][l], x3 = t[r * 4 + 3][l];
      d[r * 4][l] = x0 - x2;
      d[r * 4 + 1][l] = x1 + x2;
      d[r * 4 + 2][l] = x2 - x1;
      d[r * 4 + 3][l] = x1 - x3;
    }
  }
  for (int pos = 0; pos < kPositions; ++pos) {
    for (int64_t l = 0; l < lanes; ++l) v[pos * ps + l] = d[pos][l];
  }
}

// Aᵀ M A of 16 tiles whose 16 positions are at z[pos]: the 2x2 outputs of lane l go to y[0..3][l]
// (row-major within the tile).
PT_SIMD_CLONES void output_lanes(const float (&z)[kPositions][kLanes], float (&y)[4][kLanes]) {
  float s0[4][kLanes], s1[4][kLanes];  // Aᵀ M, per column
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < kLanes; ++l) {
      s0[c][l] = z[c][l] + z[4 + c][l] + z[8 + c][l];
      s1[c][l] = z[4 + c][l] - z[8 + c][l] - z[12 + c][l];
    }
  }
  for (int l = 0; l < kLanes; ++l) {
    y[0][l] = s0[0][l] + s0[1][l] + s0[2][l];
    y[1][l] = s0[1][l] - s0[2][l] - s0[3][l];
    y[2][l] = s1[0][l] + s1[1][l] + s1[2][l];
    y[3][l] = s1[1][l] - s1[2][l] - s1[3][l];
  }
}

// input_transform for the grouped path and the chunks of small maps: channels [c0, c1) of the
// `images` images at in (cin, h, w each, image_stride apart) → v[(pos·cin + c)·ld + T]. False
// when they are not all finite.
bool input_transform_lanes(const float* in, int64_t image_stride, int64_t images, int64_t c0, int64_t c1,
                           const Plan& p, const int64_t* corner, float* planes, float* v, int64_t ld) {
  const int64_t ps = p.cin * ld, count = images * p.tiles;
  uint32_t bad = 0;
  std::fill(planes, planes + images * p.hp * p.wp, 0.0f);
  for (int64_t c = c0; c < c1; ++c) {
    for (int64_t j = 0; j < images; ++j) {
      bad |= copy_plane_checked(in + j * image_stride + c * p.h * p.w, p.h, p.w,
                                planes + j * p.hp * p.wp + p.pad_h * p.wp + p.pad_w, p.wp);
    }
    for (int64_t t0 = 0; t0 < count; t0 += kLanes) {
      input_lanes(planes, p.wp, corner + t0, std::min<int64_t>(kLanes, count - t0), v + c * ld + t0, ps);
    }
  }
  return bad == 0;
}

// Where a group's tile T puts its 2x2 outputs: the offset of the first from its image's output
// plane of channel 0 (images image_stride apart), and how many of its rows and columns lie inside
// the output (edge tiles of odd sizes keep 1).
struct TileOutput {
  int64_t offset;
  int32_t rows, cols;
};

std::vector<TileOutput> tile_outputs_of(const Plan& p, int64_t images, int64_t image_stride) {
  std::vector<TileOutput> outputs(static_cast<size_t>(images * p.tiles));
  for (int64_t t = 0; t < images * p.tiles; ++t) {
    const int64_t j = t / p.tiles, k = t % p.tiles, oy = 2 * (k / p.tw), ox = 2 * (k % p.tw);
    outputs[static_cast<size_t>(t)] = {j * image_stride + oy * p.ow + ox, static_cast<int32_t>(std::min<int64_t>(2, p.oh - oy)),
                                       static_cast<int32_t>(std::min<int64_t>(2, p.ow - ox))};
  }
  return outputs;
}

// output_transform for the grouped path: m[(pos·cout + o)·ld + T] → the output channels [o0, o1)
// of the group's ld tiles (outputs says where), plus bias.
void output_transform_lanes(const float* m, int64_t ld, int64_t o0, int64_t o1, const Plan& p,
                            const TileOutput* outputs, const float* bias, float* out) {
  const int64_t ps = p.cout * ld, count = ld;
  alignas(64) float z[kPositions][kLanes] = {};
  alignas(64) float y[4][kLanes];
  for (int64_t o = o0; o < o1; ++o) {
    const float b = bias == nullptr ? 0.0f : bias[o];
    float* plane = out + o * p.oh * p.ow;
    for (int64_t t0 = 0; t0 < count; t0 += kLanes) {
      const int64_t lanes = std::min<int64_t>(kLanes, count - t0);
      if (lanes == kLanes) {
        for (int pos = 0; pos < kPositions; ++pos) std::memcpy(z[pos], m + pos * ps + o * ld + t0, sizeof z[pos]);
      } else {
        for (int pos = 0; pos < kPositions; ++pos) {
          std::memcpy(z[pos], m + pos * ps + o * ld + t0, static_cast<size_t>(lanes) * sizeof(float));
        }
      }
      output_lanes(z, y);
      for (int64_t l = 0; l < lanes; ++l) {
        const TileOutput& to = outputs[t0 + l];
        float* at = plane + to.offset;
        at[0] = y[0][l] + b;
        if (to.cols == 2) at[1] = y[1][l] + b;
        if (to.rows == 2) {
          at[p.ow] = y[2][l] + b;
          if (to.cols == 2) at[p.ow + 1] = y[3][l] + b;
        }
      }
    }
  }
}

// run_forward over groups of images whose tiles sit side by side in one GEMM per position, the
// positions split over the threads: for maps of few tiles (14x14 ones have 49), where run_forward's
// chunks of one or two images make thin GEMMs that stream the transformed kernels again for every
// chunk. ResNet-18's 14x14 stage (256 channels, 8 images, groups of 5): 13.1-13.2 → 11.0-11.8 ms at
// one thread, 6.7-6.9 → 6.0-6.6 at two.
bool run_forward_grouped(const float* in, const float* u, const float* bias, float* out, const Plan& p) {
  const int64_t per_image = kPositions * (p.cin + p.cout) * p.tiles;
  const int64_t nb = std::clamp<int64_t>(kGroupFloats / per_image, 1, p.n);
  PooledFloats v(kPositions * p.cin * nb * p.tiles, false);
  PooledFloats m(kPositions * p.cout * nb * p.tiles, false);
  const int64_t in_stride = p.groups * p.cin * p.h * p.w, out_stride = p.groups * p.cout * p.oh * p.ow;
  const std::vector<int64_t> corner = tile_corners(p, nb);
  const std::vector<TileOutput> outputs = tile_outputs_of(p, nb, out_stride);
  std::atomic<bool> finite{true};
  for (int64_t i0 = 0; i0 < p.n; i0 += nb) {
    const int64_t cnt = std::min(nb, p.n - i0), ld = cnt * p.tiles;
    for (int64_t gr = 0; gr < p.groups; ++gr) {
      const float* in_g = in + (i0 * p.groups + gr) * p.cin * p.h * p.w;
      parallel_for(p.cin, 1, [&](int64_t lo, int64_t hi) {
        // nb planes, not cnt: the corners of a last, smaller group's padding lanes point up to them
        float* planes = grow(scratch().a, nb * p.hp * p.wp);
        if (!input_transform_lanes(in_g, in_stride, cnt, lo, hi, p, corner.data(), planes, v.data(), ld)) {
          finite.store(false, std::memory_order_relaxed);
        }
      });
      sgemm_batched(u + gr * kPositions * p.cout * p.cin, v.data(), m.data(), kPositions, p.cout, ld, p.cin, false,
                    false, p.cout * p.cin, p.cin * ld, false);
      parallel_for(p.cout, 1, [&](int64_t lo, int64_t hi) {
        output_transform_lanes(m.data(), ld, lo, hi, p, outputs.data(), bias == nullptr ? nullptr : bias + gr * p.cout,
                               out + (i0 * p.groups + gr) * p.cout * p.oh * p.ow);
      });
    }
  }
  return finite.load();
}

// Up to this many tiles a row (maps up to 16x16), run_forward's chunks transform their input 16
// tiles at a time across the chunk's images (input_transform_lanes), not a tile row at a time:
// one thread, the bench CNN's 14x14 layer (32 -> 64 channels, 128 images) forward 8.6-8.8 ->
// 8.1-8.2 ms, input gradient 9.9-10.1 -> 8.7-8.8; 16x16 level forward, input gradient 13.6 ->
// 12.2-13.3; 20x20 level; 28x28 (ResNet-18's 28x28 stage at 224) forward 11.0-11.2 -> 11.3-11.5 and
// 56x56 up to 10% slower, where a tile row fills a vector.
constexpr int64_t kMaxLaneTileColumns = 8;

// out = conv(in) (+ bias) over every image, with kernels u [group][pos][cout][cin]. False when
// `in` is not all finite.
bool run_forward(const float* in, const float* u, const float* bias, float* out, const Plan& p) {
  std::atomic<bool> finite{true};
  const int64_t per_image = kPositions * (p.cin + p.cout) * p.tiles;
  const int64_t chunk = images_per_chunk(p.n, per_image, num_threads());
  if (chunk * p.tiles < kMinGemmTiles && chunk < p.n) return run_forward_grouped(in, u, bias, out, p);
  const bool lanes = p.tw <= kMaxLaneTileColumns;
  const std::vector<int64_t> corner = lanes ? tile_corners(p, chunk) : std::vector<int64_t>();
  for_chunks(p.n, chunk, [&](int64_t i0, int64_t nb) {
    Scratch& s = scratch();
    const int64_t ld = nb * p.tiles;
    float* work = grow(s.a, input_work(p));
    float* v = grow(s.b, kPositions * p.cin * ld);
    float* m = grow(s.c, kPositions * p.cout * ld);
    bool ok = true;
    for (int64_t gr = 0; gr < p.groups; ++gr) {
      if (lanes) {
        // chunk planes, not nb: the corners of a last, smaller chunk's padding lanes point up to them
        float* planes = grow(s.d, chunk * p.hp * p.wp);
        ok &= input_transform_lanes(in + (i0 * p.groups + gr) * p.cin * p.h * p.w, p.groups * p.cin * p.h * p.w, nb, 0,
                                    p.cin, p, corner.data(), planes, v, ld);
      } else {
        for (int64_t j = 0; j < nb; ++j) {
          ok &= input_transform(in + ((i0 + j) * p.groups + gr) * p.cin * p.h * p.w, p, work, v + j * p.tiles, ld);
        }
      }
      sgemm_batched(u + gr * kPositions * p.cout * p.cin, v, m, kPositions, p.cout, ld, p.cin, false, false,
                    p.cout * p.cin, p.cin * ld, false);
      for (int64_t j = 0; j < nb; ++j) {
        output_transform(m + j * p.tiles, ld, p, bias == nullptr ? nullptr : bias + gr * p.cout, work,
                         out + ((i0 + j) * p.groups + gr) * p.cout * p.oh * p.ow);
      }
    }
    if (!ok) finite.store(false, std::memory_order_relaxed);
  });
  return finite.load();
}

}  // namespace

bool conv_winograd_applies(const ConvGeometry& g) {
  return g.kh == 3 && g.kw == 3 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 && g.dilation_w == 1 &&
         g.pad_h <= 2 && g.pad_w <= 2 && g.oh >= 1 && g.ow >= 1 && g.oh == g.h + 2 * g.pad_h - 2 &&
         g.ow == g.w + 2 * g.pad_w - 2 && g.c / g.groups >= kWinogradMinChannels &&
         g.o / g.groups >= kWinogradMinChannels;
}

bool conv_winograd_preferred(const ConvGeometry& g) {
  const Plan p = plan_of(g.n, g.groups, g.c / g.groups, g.o / g.groups, g.h, g.w, g.pad_h, g.pad_w);
  return conv_winograd_applies(g) && g.oh >= kPreferredSide && g.ow >= kPreferredSide && 3 * p.tiles <= g.oh * g.ow &&
         std::min(p.cin, p.cout) >= kPreferredChannels && g.n * p.tiles >= kMinGemmTiles;
}

bool conv2d_winograd(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  if (!all_finite(w, g.o * cg * 9)) return false;
  PooledFloats u(g.groups * kPositions * og * cg, false);
  transformed_kernels(w, g, false, u.data());
  return run_forward(x, u.data(), bias, y, plan_of(g.n, g.groups, cg, og, g.h, g.w, g.pad_h, g.pad_w));
}

bool conv2d_backward_input_winograd(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  if (!all_finite(w, g.o * cg * 9)) return false;
  PooledFloats u(g.groups * kPositions * og * cg, false);
  transformed_kernels(w, g, true, u.data());
  // gy padded by 2 − pad gives back H x W: (OH + 2·(2 − pad) − 2) = H for the standard OH.
  return run_forward(gy, u.data(), nullptr, gx, plan_of(g.n, g.groups, og, cg, g.oh, g.ow, 2 - g.pad_h, 2 - g.pad_w));
}

bool conv2d_backward_weight_winograd(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const Plan p = plan_of(g.n, g.groups, cg, og, g.h, g.w, g.pad_h, g.pad_w);
  const int64_t usize = g.groups * kPositions * og * cg;
  // Each task sums its images' transformed gradient [group][pos][og][cg] into its own accumulator.
  const int64_t tasks = accumulator_tasks(g.n);
  const int64_t nb = images_per_chunk(g.n, kPositions * (cg + og) * p.tiles, tasks);
  PooledFloats acc(tasks * usize, true);  // pooled: tens of MB a call for the widest layers
  std::atomic<bool> finite{true};
  run_tasks(tasks, [&](int64_t t) {
    Scratch& s = scratch();
    float* at = acc.data() + t * usize;
    bool ok = true;
    for (int64_t i0 = g.n * t / tasks, end = g.n * (t + 1) / tasks; i0 < end; i0 += nb) {
      const int64_t cnt = std::min(nb, end - i0);
      const int64_t ld = cnt * p.tiles;
      float* work = grow(s.a, input_work(p));
      float* v = grow(s.b, kPositions * cg * ld);
      float* m = grow(s.c, kPositions * og * ld);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        for (int64_t j = 0; j < cnt; ++j) {
          ok &= input_transform(x + ((i0 + j) * g.groups + gr) * cg * g.h * g.w, p, work, v + j * p.tiles, ld);
          ok &= grad_transform(gy + ((i0 + j) * g.groups + gr) * og * g.oh * g.ow, ld, p, work, m + j * p.tiles);
        }
        sgemm_batched(m, v, at + gr * kPositions * og * cg, kPositions, og, cg, ld, false, true, og * ld, cg * ld, true);
      }
    }
    if (!ok) finite.store(false, std::memory_order_relaxed);
  });
  if (!finite.load()) return false;
  // The tasks' accumulators added up in task order into the first, and its transforms, both over
  // the threads: serial, these were the whole of the second thread's gain on ResNet-18's 28x28
  // layer (8 tasks of 1 MiB, read 16 floats 64 KiB apart a weight).
  add_accumulators(acc.data(), acc.data() + usize, tasks - 1, usize);
  const float* sum = acc.data();
  const int64_t per_pos = og * cg;
  parallel_for(g.groups * og, 1, [&](int64_t lo, int64_t hi) {
    float d[kPositions];
    for (int64_t go = lo; go < hi; ++go) {
      const int64_t gr = go / og, o = go % og;
      for (int64_t c = 0; c < cg; ++c) {
        for (int64_t pos = 0; pos < kPositions; ++pos) d[pos] = sum[(gr * kPositions + pos) * per_pos + o * cg + c];
        kernel_grad_transform(d, 1, gw + (go * cg + c) * 9);
      }
    }
  });
  return true;
}

}  // namespace pt
