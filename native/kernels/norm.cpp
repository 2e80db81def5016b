// Normalisation kernels. Layer norm splits rows over threads; its parameter gradients are summed
// per thread and then combined, so the result does not depend on the thread count's timing.
// Batch norm splits channels over threads.
#include "norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.h"
#include "simd_clones.h"

namespace pt {
namespace {

constexpr int64_t kGrainElements = 1 << 14;

int64_t grain_for(int64_t per_item) { return per_item > 0 ? (kGrainElements + per_item - 1) / per_item : kGrainElements; }

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
  parallel_for(c, grain_for(n * s), [&](int64_t lo, int64_t hi) {
    for (int64_t ch = lo; ch < hi; ++ch) {
      double m, v;
      if (training) {
        m = 0.0;
        for (int64_t i = 0; i < n; ++i) {
          const float* p = x + (i * c + ch) * s;
          for (int64_t j = 0; j < s; ++j) m += p[j];
        }
        m /= count;
        v = 0.0;
        for (int64_t i = 0; i < n; ++i) {
          const float* p = x + (i * c + ch) * s;
          for (int64_t j = 0; j < s; ++j) {
            const double d = p[j] - m;
            v += d * d;
          }
        }
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
      for (int64_t i = 0; i < n; ++i) {
        const float* p = x + (i * c + ch) * s;
        float* q = y + (i * c + ch) * s;
        for (int64_t j = 0; j < s; ++j) q[j] = static_cast<float>((p[j] - m) * rs * ga + be);
      }
    }
  });
}

void batch_norm_backward(const float* gy, const float* x, int64_t n, int64_t c, int64_t s,
                         const float* gamma, const float* mean, const float* rstd, bool training,
                         float* gx, float* ggamma, float* gbeta) {
  const double count = static_cast<double>(n * s);
  parallel_for(c, grain_for(n * s), [&](int64_t lo, int64_t hi) {
    for (int64_t ch = lo; ch < hi; ++ch) {
      const double m = mean[ch], rs = rstd[ch];
      double sg = 0.0, sgx = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const float* g = gy + (i * c + ch) * s;
        const float* p = x + (i * c + ch) * s;
        for (int64_t j = 0; j < s; ++j) {
          sg += g[j];
          sgx += g[j] * (p[j] - m) * rs;
        }
      }
      if (ggamma != nullptr) ggamma[ch] = static_cast<float>(sgx);
      if (gbeta != nullptr) gbeta[ch] = static_cast<float>(sg);
      const double ga = gamma == nullptr ? 1.0 : gamma[ch];
      for (int64_t i = 0; i < n; ++i) {
        const float* g = gy + (i * c + ch) * s;
        const float* p = x + (i * c + ch) * s;
        float* o = gx + (i * c + ch) * s;
        for (int64_t j = 0; j < s; ++j) {
          o[j] = static_cast<float>(training ? ga * rs / count * (count * g[j] - sg - (p[j] - m) * rs * sgx)
                                             : ga * rs * g[j]);
        }
      }
    }
  });
}

}  // namespace pt
