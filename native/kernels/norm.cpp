// Normalisation kernels. Layer norm splits rows over threads; its parameter gradients are summed
// per thread and then combined, so the result does not depend on the thread count's timing.
// Batch norm splits channels over threads.
#include "norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "parallel.h"
#include "simd_clones.h"

namespace pt {
namespace {

constexpr int64_t kGrainElements = 1 << 14;

int64_t grain_for(int64_t per_item) { return per_item > 0 ? (kGrainElements + per_item - 1) / per_item : kGrainElements; }

// Batch norm's passes over one image's run of `s` values of a channel, in double as the scalar
// loops below: the same sums in 8 double lanes (so in another order: they differ from the scalar
// sums by rounding only) and the same elementwise formulas. Compiled for AVX-512 alone and used
// where the CPU has it and a run holds at least one vector.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PT_NORM_AVX512 1
constexpr int64_t kLanes = 8;

// (The maskz forms: GCC 12 warns about the undefined vector inside the plain ones.)
__attribute__((target("avx512f"))) double hsum(__m512d v) {
  alignas(64) double lanes[kLanes];
  _mm512_store_pd(lanes, v);
  double r = 0.0;
  for (double l : lanes) r += l;
  return r;
}

__attribute__((target("avx512f"))) __m512d widen(const float* p) {
  return _mm512_maskz_cvtps_pd(static_cast<__mmask8>(0xFF), _mm256_loadu_ps(p));
}

__attribute__((target("avx512f"))) double run_sum_avx512(const float* p, int64_t s) {
  __m512d acc = _mm512_setzero_pd();
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) acc = _mm512_add_pd(acc, widen(p + j));
  double r = hsum(acc);
  for (; j < s; ++j) r += p[j];
  return r;
}

__attribute__((target("avx512f"))) double run_dev2_avx512(const float* p, int64_t s, double m) {
  const __m512d vm = _mm512_set1_pd(m);
  __m512d acc = _mm512_setzero_pd();
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) {
    const __m512d d = _mm512_sub_pd(widen(p + j), vm);
    acc = _mm512_add_pd(acc, _mm512_mul_pd(d, d));
  }
  double r = hsum(acc);
  for (; j < s; ++j) {
    const double d = p[j] - m;
    r += d * d;
  }
  return r;
}

// q = (p - m) * rs * ga + be
__attribute__((target("avx512f"))) void run_out_avx512(const float* p, float* q, int64_t s, double m, double rs,
                                                      double ga, double be) {
  const __m512d vm = _mm512_set1_pd(m), vrs = _mm512_set1_pd(rs), vga = _mm512_set1_pd(ga), vbe = _mm512_set1_pd(be);
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) {
    const __m512d d = _mm512_sub_pd(widen(p + j), vm);
    _mm256_storeu_ps(q + j, _mm512_maskz_cvtpd_ps(static_cast<__mmask8>(0xFF), _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(d, vrs), vga), vbe)));
  }
  for (; j < s; ++j) q[j] = static_cast<float>((p[j] - m) * rs * ga + be);
}

// sg += g, sgx += g * (p - m) * rs
__attribute__((target("avx512f"))) void run_grad_sums_avx512(const float* g, const float* p, int64_t s, double m,
                                                            double rs, double* sg, double* sgx) {
  const __m512d vm = _mm512_set1_pd(m), vrs = _mm512_set1_pd(rs);
  __m512d a = _mm512_setzero_pd(), b = _mm512_setzero_pd();
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) {
    const __m512d vg = widen(g + j);
    const __m512d d = _mm512_sub_pd(widen(p + j), vm);
    a = _mm512_add_pd(a, vg);
    b = _mm512_add_pd(b, _mm512_mul_pd(_mm512_mul_pd(vg, d), vrs));
  }
  double ra = hsum(a), rb = hsum(b);
  for (; j < s; ++j) {
    ra += g[j];
    rb += g[j] * (p[j] - m) * rs;
  }
  *sg += ra;
  *sgx += rb;
}

// o = ga * rs / count * (count * g - sg - (p - m) * rs * sgx)
__attribute__((target("avx512f"))) void run_grad_out_avx512(const float* g, const float* p, float* o, int64_t s,
                                                           double m, double rs, double ga, double count, double sg,
                                                           double sgx) {
  const __m512d vm = _mm512_set1_pd(m), vrs = _mm512_set1_pd(rs), vcount = _mm512_set1_pd(count);
  const __m512d vsg = _mm512_set1_pd(sg), vsgx = _mm512_set1_pd(sgx), vk = _mm512_set1_pd(ga * rs / count);
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) {
    const __m512d vg = widen(g + j);
    const __m512d d = _mm512_sub_pd(widen(p + j), vm);
    const __m512d t = _mm512_sub_pd(_mm512_sub_pd(_mm512_mul_pd(vcount, vg), vsg), _mm512_mul_pd(_mm512_mul_pd(d, vrs), vsgx));
    _mm256_storeu_ps(o + j, _mm512_maskz_cvtpd_ps(static_cast<__mmask8>(0xFF), _mm512_mul_pd(vk, t)));
  }
  for (; j < s; ++j) o[j] = static_cast<float>(ga * rs / count * (count * g[j] - sg - (p[j] - m) * rs * sgx));
}

const bool kNormAvx512 = __builtin_cpu_supports("avx512f");
#endif

// Whether batch norm's runs of `s` values take the AVX-512 passes.
bool vector_runs(int64_t s) {
#ifdef PT_NORM_AVX512
  return kNormAvx512 && s >= 8;
#else
  (void)s;
  return false;
#endif
}

// Batch norm's passes over one run: the scalar loops, or their AVX-512 twins when `vec`.
#ifdef PT_NORM_AVX512
#define PT_NORM_VECTOR(call) \
  if (vec) {                 \
    call;                    \
    return;                  \
  }
#else
#define PT_NORM_VECTOR(call) (void)vec;
#endif

void acc_sum(double& m, const float* p, int64_t s, bool vec) {
  PT_NORM_VECTOR(m += run_sum_avx512(p, s))
  for (int64_t j = 0; j < s; ++j) m += p[j];
}

void acc_dev2(double& v, const float* p, int64_t s, double m, bool vec) {
  PT_NORM_VECTOR(v += run_dev2_avx512(p, s, m))
  for (int64_t j = 0; j < s; ++j) {
    const double d = p[j] - m;
    v += d * d;
  }
}

void out_run(const float* p, float* q, int64_t s, double m, double rs, double ga, double be, bool vec) {
  PT_NORM_VECTOR(run_out_avx512(p, q, s, m, rs, ga, be))
  for (int64_t j = 0; j < s; ++j) q[j] = static_cast<float>((p[j] - m) * rs * ga + be);
}

void acc_grad(double& sg, double& sgx, const float* g, const float* p, int64_t s, double m, double rs, bool vec) {
  PT_NORM_VECTOR(run_grad_sums_avx512(g, p, s, m, rs, &sg, &sgx))
  for (int64_t j = 0; j < s; ++j) {
    sg += g[j];
    sgx += g[j] * (p[j] - m) * rs;
  }
}

void grad_out_run(const float* g, const float* p, float* o, int64_t s, double m, double rs, double ga, double count,
                  double sg, double sgx, bool vec) {
  PT_NORM_VECTOR(run_grad_out_avx512(g, p, o, s, m, rs, ga, count, sg, sgx))
  for (int64_t j = 0; j < s; ++j) o[j] = static_cast<float>(ga * rs / count * (count * g[j] - sg - (p[j] - m) * rs * sgx));
}
#undef PT_NORM_VECTOR

// Sum of n floats in double over four lanes (so that the loop vectorises).
inline double sum4(const float* p, int64_t n) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int l = 0; l < 4; ++l) acc[l] += p[j + l];
  for (; j < n; ++j) acc[0] += p[j];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// Layer norm of rows [lo, hi), in double like the reference, cloned per ISA (simd_clones.h).
PT_SIMD_CLONES void layer_norm_rows(const float* x, const float* gamma, const float* beta, int64_t lo, int64_t hi,
                                    int64_t cols, double eps, float* y, float* mean, float* rstd) {
  for (int64_t r = lo; r < hi; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const double m = sum4(xr, cols) / static_cast<double>(cols);
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    int64_t j = 0;
    for (; j + 4 <= cols; j += 4)
      for (int l = 0; l < 4; ++l) {
        const double d = xr[j + l] - m;
        acc[l] += d * d;
      }
    for (; j < cols; ++j) acc[0] += (xr[j] - m) * (xr[j] - m);
    const double v = ((acc[0] + acc[1]) + (acc[2] + acc[3])) / static_cast<double>(cols);
    const double rs = 1.0 / std::sqrt(v + eps);
    mean[r] = static_cast<float>(m);
    rstd[r] = static_cast<float>(rs);
    if (gamma != nullptr && beta != nullptr) {
      for (int64_t k = 0; k < cols; ++k) yr[k] = static_cast<float>((xr[k] - m) * rs * gamma[k] + beta[k]);
    } else {
      for (int64_t k = 0; k < cols; ++k) {
        const double xh = (xr[k] - m) * rs;
        yr[k] = static_cast<float>(xh * (gamma == nullptr ? 1.0 : gamma[k]) + (beta == nullptr ? 0.0 : beta[k]));
      }
    }
  }
}

// Layer norm's input gradient for rows [lo, hi), and when pg is not null, the rows' sums of
// gy·x̂ (pg[0, cols)) and gy (pg[cols, 2·cols)) added into pg; in double, the row sums over four
// lanes; cloned per ISA.
PT_SIMD_CLONES void layer_norm_backward_rows(const float* gy, const float* x, const float* gamma, const float* mean,
                                             const float* rstd, int64_t lo, int64_t hi, int64_t cols, float* gx,
                                             double* pg) {
  for (int64_t r = lo; r < hi; ++r) {
    const float* gr = gy + r * cols;
    const float* xr = x + r * cols;
    const double m = mean[r], rs = rstd[r];
    double sg[4] = {0.0, 0.0, 0.0, 0.0}, sgx[4] = {0.0, 0.0, 0.0, 0.0};
    int64_t j = 0;
    for (; j + 4 <= cols; j += 4)
      for (int l = 0; l < 4; ++l) {
        const double xh = (xr[j + l] - m) * rs;
        const double g = static_cast<double>(gr[j + l]) * (gamma == nullptr ? 1.0 : gamma[j + l]);
        sg[l] += g;
        sgx[l] += g * xh;
      }
    for (; j < cols; ++j) {
      const double xh = (xr[j] - m) * rs;
      const double g = static_cast<double>(gr[j]) * (gamma == nullptr ? 1.0 : gamma[j]);
      sg[0] += g;
      sgx[0] += g * xh;
    }
    const double sgs = (sg[0] + sg[1]) + (sg[2] + sg[3]);
    const double sgxs = (sgx[0] + sgx[1]) + (sgx[2] + sgx[3]);
    if (pg != nullptr) {
      for (int64_t k = 0; k < cols; ++k) {
        pg[k] += gr[k] * ((xr[k] - m) * rs);
        pg[cols + k] += gr[k];
      }
    }
    float* o = gx + r * cols;
    const double scale = rs / static_cast<double>(cols);
    for (int64_t k = 0; k < cols; ++k) {
      const double xh = (xr[k] - m) * rs;
      const double g = static_cast<double>(gr[k]) * (gamma == nullptr ? 1.0 : gamma[k]);
      o[k] = static_cast<float>(scale * (static_cast<double>(cols) * g - sgs - xh * sgxs));
    }
  }
}

}  // namespace

void layer_norm(const float* x, const float* gamma, const float* beta, int64_t rows, int64_t cols,
                double eps, float* y, float* mean, float* rstd) {
  parallel_for(rows, grain_for(cols), [&](int64_t lo, int64_t hi) {
    layer_norm_rows(x, gamma, beta, lo, hi, cols, eps, y, mean, rstd);
  });
}

void layer_norm_backward(const float* gy, const float* x, const float* gamma, const float* mean,
                         const float* rstd, int64_t rows, int64_t cols, float* gx, float* ggamma, float* gbeta) {
  const bool param_grads = ggamma != nullptr || gbeta != nullptr;
  // One (ggamma, gbeta) partial sum per chunk of rows; chunk boundaries depend only on the sizes.
  const int64_t chunks = rows == 0 ? 1 : std::min<int64_t>(num_threads(), (rows + grain_for(cols) - 1) / grain_for(cols));
  std::vector<double> partial(param_grads ? static_cast<size_t>(chunks * 2 * cols) : 0, 0.0);
  parallel_tasks(chunks, [&](int64_t t) {
    const int64_t lo = rows * t / chunks, hi = rows * (t + 1) / chunks;
    layer_norm_backward_rows(gy, x, gamma, mean, rstd, lo, hi, cols, gx, param_grads ? partial.data() + t * 2 * cols : nullptr);
  });
  for (int64_t j = 0; j < cols && param_grads; ++j) {
    double sgam = 0.0, sbet = 0.0;
    for (int64_t t = 0; t < chunks; ++t) {
      sgam += partial[t * 2 * cols + j];
      sbet += partial[t * 2 * cols + cols + j];
    }
    if (ggamma != nullptr) ggamma[j] = static_cast<float>(sgam);
    if (gbeta != nullptr) gbeta[j] = static_cast<float>(sbet);
  }
}

void batch_norm(const float* x, int64_t n, int64_t c, int64_t s, const float* gamma, const float* beta,
                bool training, double momentum, double eps, float* running_mean, float* running_var,
                float* y, float* mean, float* rstd) {
  const double count = static_cast<double>(n * s);
  const bool vec = vector_runs(s);
  parallel_for(c, grain_for(n * s), [&](int64_t lo, int64_t hi) {
    for (int64_t ch = lo; ch < hi; ++ch) {
      double m, v;
      if (training) {
        m = 0.0;
        for (int64_t i = 0; i < n; ++i) acc_sum(m, x + (i * c + ch) * s, s, vec);
        m /= count;
        v = 0.0;
        for (int64_t i = 0; i < n; ++i) acc_dev2(v, x + (i * c + ch) * s, s, m, vec);
        v /= count;
        if (running_mean != nullptr && running_var != nullptr) {
          const double unbiased = count > 1 ? v * count / (count - 1) : v;
          running_mean[ch] = static_cast<float>((1 - momentum) * running_mean[ch] + momentum * m);
          running_var[ch] = static_cast<float>((1 - momentum) * running_var[ch] + momentum * unbiased);
        }
      } else {
        m = running_mean == nullptr ? 0.0 : running_mean[ch];
        v = running_var == nullptr ? 1.0 : running_var[ch];
      }
      const double rs = 1.0 / std::sqrt(v + eps);
      mean[ch] = static_cast<float>(m);
      rstd[ch] = static_cast<float>(rs);
      const double ga = gamma == nullptr ? 1.0 : gamma[ch];
      const double be = beta == nullptr ? 0.0 : beta[ch];
      for (int64_t i = 0; i < n; ++i) out_run(x + (i * c + ch) * s, y + (i * c + ch) * s, s, m, rs, ga, be, vec);
    }
  });
}

void batch_norm_backward(const float* gy, const float* x, int64_t n, int64_t c, int64_t s,
                         const float* gamma, const float* mean, const float* rstd, bool training,
                         float* gx, float* ggamma, float* gbeta) {
  const double count = static_cast<double>(n * s);
  const bool vec = vector_runs(s);
  parallel_for(c, grain_for(n * s), [&](int64_t lo, int64_t hi) {
    for (int64_t ch = lo; ch < hi; ++ch) {
      const double m = mean[ch], rs = rstd[ch];
      double sg = 0.0, sgx = 0.0;
      for (int64_t i = 0; i < n; ++i) acc_grad(sg, sgx, gy + (i * c + ch) * s, x + (i * c + ch) * s, s, m, rs, vec);
      if (ggamma != nullptr) ggamma[ch] = static_cast<float>(sgx);
      if (gbeta != nullptr) gbeta[ch] = static_cast<float>(sg);
      const double ga = gamma == nullptr ? 1.0 : gamma[ch];
      for (int64_t i = 0; i < n; ++i) {
        const float* g = gy + (i * c + ch) * s;
        const float* p = x + (i * c + ch) * s;
        float* o = gx + (i * c + ch) * s;
        if (training) {
          grad_out_run(g, p, o, s, m, rs, ga, count, sg, sgx, vec);
        } else {
          for (int64_t j = 0; j < s; ++j) o[j] = static_cast<float>(ga * rs * g[j]);
        }
      }
    }
  });
}

}  // namespace pt
