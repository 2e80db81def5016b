// Depthwise convolution (multiplier 1) with the channels innermost. Per image:
//   xt (H·W, C) = the image transposed, wt (T, C) = the weights transposed (once a call),
//   forward:          yt[p]  = bias + Σ_t wt[t] ⊙ xt[off(p, t)]       then y = ytᵀ
//   backward input:   gxt[q] = Σ_(p, t: off(p, t) = q) wt[t] ⊙ gyt[p]     then gx = gxtᵀ
//   backward weight:  gwt[t] = Σ_images Σ_p gyt[p] ⊙ xt[off(p, t)]   (float an image, double over images)
// where off(p, t) is the input position that tap t of output position p reads (pairs in the
// padding are left out) and ⊙ runs along the C channels. Each pass is one routine, `dot_lists`:
// out[key] (+)= Σ_(a, b) in list[key] A[a] ⊙ B[b], over lists built once a call, with the
// channels in blocks of kBlock held in registers across a key's entries. The sums run in the
// order of the direct loops (positions, then taps), so the results match the row-walking paths
// of conv_depthwise.cpp up to the reference's rounding.
// Images go one a task; the weight gradient's tasks take a share of the images each, with their
// own double accumulators, added up at the end in task order.
#include "conv_depthwise_nhwc.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "conv_transpose.h"
#include "conv_util.h"
#include "parallel.h"

namespace pt {
namespace {

using namespace conv_util;

// Scratch floats an image may need (input and output transposed): 4 MiB.
constexpr int64_t kMaxImageFloats = 1 << 20;
// Channels a vector; fewer channels take the row-walking loops of conv_depthwise.cpp.
constexpr int64_t kBlock = 16;
// Output positions at most (32x32): the weight gradient sums a plane's positions in float, and
// larger planes vectorise well along their rows in conv_depthwise.cpp.
constexpr int64_t kMaxPositions = 1024;

// Lists of (a, b) offsets (in floats) per key: key k's entries are [start[k], start[k + 1]).
struct Lists {
  std::vector<int64_t> start, a, b;
};

// For each key (outer, in order), its cands(key) candidates in order; `entry(key, e)` returns
// whether the e-th exists and sets its offsets.
template <class F>
Lists build(int64_t keys, const std::function<int64_t(int64_t)>& cands, F entry) {
  Lists l;
  l.start.reserve(static_cast<size_t>(keys + 1));
  for (int64_t k = 0; k < keys; ++k) {
    l.start.push_back(static_cast<int64_t>(l.a.size()));
    const int64_t n = cands(k);
    for (int64_t e = 0; e < n; ++e) {
      int64_t a = 0, b = 0;
      if (entry(k, e, &a, &b)) {
        l.a.push_back(a);
        l.b.push_back(b);
      }
    }
  }
  l.start.push_back(static_cast<int64_t>(l.a.size()));
  return l;
}

// Sixteen floats as one GCC vector: a zmm register under AVX-512, two ymm or four xmm otherwise.
// Loaded and stored with memcpy (unaligned), never passed by value (that would change the
// calling convention between the clones).
typedef float V16 __attribute__((vector_size(64)));

// out[k·c + ch] = init[ch] (or 0) + Σ_e A[a_e + ch] · B[b_e + ch]: channels in blocks of 32 and
// 16 held in vector registers across a key's entries, then one by one.
PT_SIMD_CLONES
void dot_lists(const Lists& l, const float* A, const float* B, int64_t c, const float* init, float* out) {
  const int64_t keys = static_cast<int64_t>(l.start.size()) - 1;
  const int64_t* la = l.a.data();
  const int64_t* lb = l.b.data();
  for (int64_t k = 0; k < keys; ++k) {
    const int64_t e0 = l.start[static_cast<size_t>(k)], e1 = l.start[static_cast<size_t>(k) + 1];
    float* o = out + k * c;
    int64_t ch = 0;
    V16 acc0, acc1, a0, a1, b0, b1;
    for (; ch + 2 * kBlock <= c; ch += 2 * kBlock) {
      acc0 = V16{};
      acc1 = V16{};
      if (init != nullptr) {
        std::memcpy(&acc0, init + ch, sizeof acc0);
        std::memcpy(&acc1, init + ch + kBlock, sizeof acc1);
      }
      for (int64_t e = e0; e < e1; ++e) {
        const float* av = A + la[e] + ch;
        const float* bv = B + lb[e] + ch;
        std::memcpy(&a0, av, sizeof a0);
        std::memcpy(&b0, bv, sizeof b0);
        std::memcpy(&a1, av + kBlock, sizeof a1);
        std::memcpy(&b1, bv + kBlock, sizeof b1);
        acc0 += a0 * b0;
        acc1 += a1 * b1;
      }
      std::memcpy(o + ch, &acc0, sizeof acc0);
      std::memcpy(o + ch + kBlock, &acc1, sizeof acc1);
    }
    for (; ch + kBlock <= c; ch += kBlock) {
      acc0 = V16{};
      if (init != nullptr) std::memcpy(&acc0, init + ch, sizeof acc0);
      for (int64_t e = e0; e < e1; ++e) {
        std::memcpy(&a0, A + la[e] + ch, sizeof a0);
        std::memcpy(&b0, B + lb[e] + ch, sizeof b0);
        acc0 += a0 * b0;
      }
      std::memcpy(o + ch, &acc0, sizeof acc0);
    }
    for (; ch < c; ++ch) {
      float acc = init == nullptr ? 0.0f : init[ch];
      for (int64_t e = e0; e < e1; ++e) acc += A[la[e] + ch] * B[lb[e] + ch];
      o[ch] = acc;
    }
  }
}

// sum[j] += part[j] for j < n, in double.
PT_SIMD_CLONES
void add_to(const float* part, int64_t n, double* sum) {
  for (int64_t j = 0; j < n; ++j) sum[j] += part[j];
}

// The input position of output position p (oy·OW + ox) and tap t (ki·KW + kj), or -1 in the padding.
int64_t input_of(const ConvGeometry& g, int64_t p, int64_t t) {
  const int64_t iy = (p / g.ow) * g.stride_h - g.pad_h + (t / g.kw) * g.dilation_h;
  const int64_t ix = (p % g.ow) * g.stride_w - g.pad_w + (t % g.kw) * g.dilation_w;
  return iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? iy * g.w + ix : -1;
}

// wt (T, C) from w (C, T).
std::vector<float> weights_t(const float* w, const ConvGeometry& g) {
  const int64_t taps = g.kh * g.kw;
  std::vector<float> wt(static_cast<size_t>(taps * g.c));
  transpose(w, g.c, taps, wt.data());
  return wt;
}

// Runs body(image) for every image over the pool.
template <class F>
void for_images(const ConvGeometry& g, F body) {
  parallel_for(g.n, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) body(i);
  });
}

}  // namespace

bool conv_depthwise_nhwc_applies(const ConvGeometry& g) {
  return g.groups == g.c && g.o == g.c && g.c >= kBlock && g.oh * g.ow <= kMaxPositions &&
         (g.h * g.w + g.oh * g.ow) * g.c <= kMaxImageFloats;
}

void conv2d_depthwise_nhwc(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const int64_t c = g.c, hw = g.h * g.w, sp = g.oh * g.ow, taps = g.kh * g.kw;
  // key p; entries (t, off(p, t)) in t order.
  const Lists l = build(sp, [&](int64_t) { return taps; }, [&](int64_t p, int64_t t, int64_t* a, int64_t* b) {
    const int64_t q = input_of(g, p, t);
    *a = t * c;
    *b = q * c;
    return q >= 0;
  });
  const std::vector<float> wt = weights_t(w, g);
  for_images(g, [&](int64_t i) {
    Scratch& s = scratch();
    float* xt = grow(s.a, hw * c);
    float* yt = grow(s.b, sp * c);
    transpose(x + i * c * hw, c, hw, xt);
    dot_lists(l, wt.data(), xt, c, bias, yt);
    transpose(yt, sp, c, y + i * c * sp);
  });
}

void conv2d_backward_input_depthwise_nhwc(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const int64_t c = g.c, hw = g.h * g.w, sp = g.oh * g.ow, taps = g.kh * g.kw;
  // key q; entries (t, p) with off(p, t) = q, p increasing (a position reads q by one tap at most).
  std::vector<std::vector<int64_t>> reads(static_cast<size_t>(hw));
  for (int64_t p = 0; p < sp; ++p) {
    for (int64_t t = 0; t < taps; ++t) {
      const int64_t q = input_of(g, p, t);
      if (q >= 0) reads[static_cast<size_t>(q)].push_back(p * taps + t);
    }
  }
  const auto count = [&](int64_t q) { return static_cast<int64_t>(reads[static_cast<size_t>(q)].size()); };
  const Lists l = build(hw, count, [&](int64_t q, int64_t e, int64_t* a, int64_t* b) {
    const int64_t pt = reads[static_cast<size_t>(q)][static_cast<size_t>(e)];
    *a = (pt % taps) * c;
    *b = (pt / taps) * c;
    return true;
  });
  const std::vector<float> wt = weights_t(w, g);
  for_images(g, [&](int64_t i) {
    Scratch& s = scratch();
    float* gyt = grow(s.a, sp * c);
    float* gxt = grow(s.b, hw * c);
    transpose(gy + i * c * sp, c, sp, gyt);
    dot_lists(l, wt.data(), gyt, c, nullptr, gxt);
    transpose(gxt, hw, c, gx + i * c * hw);
  });
}

void conv2d_backward_weight_depthwise_nhwc(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const int64_t c = g.c, hw = g.h * g.w, sp = g.oh * g.ow, taps = g.kh * g.kw;
  // key: the taps that meet the image somewhere (the others' gradient is 0: gy is finite);
  // entries (p, off(p, t)) in p order.
  std::vector<int64_t> live;
  for (int64_t t = 0; t < taps; ++t) {
    for (int64_t p = 0; p < sp; ++p) {
      if (input_of(g, p, t) >= 0) {
        live.push_back(t);
        break;
      }
    }
  }
  const int64_t nl = static_cast<int64_t>(live.size());
  const Lists l = build(nl, [&](int64_t) { return sp; }, [&](int64_t k, int64_t p, int64_t* a, int64_t* b) {
    const int64_t q = input_of(g, p, live[static_cast<size_t>(k)]);
    *a = p * c;
    *b = q * c;
    return q >= 0;
  });
  const int64_t tasks = std::min<int64_t>(std::max<int64_t>(g.n, 1), accumulator_tasks(g.n));
  std::vector<double> acc(static_cast<size_t>(tasks * nl * c), 0.0);
  run_tasks(tasks, [&](int64_t task) {
    Scratch& s = scratch();
    float* xt = grow(s.a, hw * c);
    float* gyt = grow(s.b, sp * c);
    float* part = grow(s.c, nl * c);
    double* sum = acc.data() + task * nl * c;
    for (int64_t i = g.n * task / tasks; i < g.n * (task + 1) / tasks; ++i) {
      transpose(x + i * c * hw, c, hw, xt);
      transpose(gy + i * c * sp, c, sp, gyt);
      dot_lists(l, gyt, xt, c, nullptr, part);
      add_to(part, nl * c, sum);
    }
  });
  for (int64_t task = 1; task < tasks; ++task) {
    const double* src = acc.data() + task * nl * c;
    for (int64_t j = 0; j < nl * c; ++j) acc[static_cast<size_t>(j)] += src[j];
  }
  std::fill(gw, gw + c * taps, 0.0f);
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t k = 0; k < nl; ++k) gw[ch * taps + live[static_cast<size_t>(k)]] = static_cast<float>(acc[static_cast<size_t>(k * c + ch)]);
  }
}

}  // namespace pt
