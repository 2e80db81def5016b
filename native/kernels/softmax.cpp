// Softmax family. Rows (outer x inner positions) are independent and split over threads when the
// tensor is large.
#include "softmax.h"

#include <cmath>
#include <limits>

#include "fast_math.h"
#include "parallel.h"
#include "simd_clones.h"

namespace pt {
namespace {

constexpr int64_t kGrainElements = 1 << 14;

int64_t row_grain(int64_t dim) { return dim > 0 ? (kGrainElements + dim - 1) / dim : kGrainElements; }

// Softmax (or log-softmax) of one row of dim values `stride` apart. The max and the sum follow the
// reference (NaN anywhere makes the row NaN; an all -inf row has max 0); the sum is in double.
inline void softmax_row(const float* px, int64_t dim, int64_t stride, bool log, float* po) {
  // the max and the NaN test over eight lanes, so that the loop vectorises
  float lane_mx[8];
  int32_t lane_nan[8];
  for (int l = 0; l < 8; ++l) {
    lane_mx[l] = -std::numeric_limits<float>::infinity();
    lane_nan[l] = 0;
  }
  int64_t k0 = 0;
  for (; k0 + 8 <= dim; k0 += 8)
    for (int l = 0; l < 8; ++l) {
      const float v = px[(k0 + l) * stride];
      lane_nan[l] |= v != v ? 1 : 0;
      lane_mx[l] = v > lane_mx[l] ? v : lane_mx[l];
    }
  for (; k0 < dim; ++k0) {
    const float v = px[k0 * stride];
    lane_nan[0] |= v != v ? 1 : 0;
    lane_mx[0] = v > lane_mx[0] ? v : lane_mx[0];
  }
  float mx = lane_mx[0];
  bool nan = lane_nan[0] != 0;
  for (int l = 1; l < 8; ++l) {
    nan |= lane_nan[l] != 0;
    mx = lane_mx[l] > mx ? lane_mx[l] : mx;
  }
  if (nan) {
    for (int64_t k = 0; k < dim; ++k) po[k * stride] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  if (mx == -std::numeric_limits<float>::infinity()) mx = 0.0f;
  // exp into po first (a loop that vectorises), then its sum in double over four lanes
  for (int64_t k = 0; k < dim; ++k) po[k * stride] = fast::exp_nonpositive(px[k * stride] - mx);
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t k = 0;
  for (; k + 4 <= dim; k += 4)
    for (int j = 0; j < 4; ++j) acc[j] += po[(k + j) * stride];
  for (; k < dim; ++k) acc[0] += po[k * stride];
  const double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  if (log) {
    const double lse = mx + std::log(s);
    for (int64_t k2 = 0; k2 < dim; ++k2) po[k2 * stride] = static_cast<float>(px[k2 * stride] - lse);
    return;
  }
  const float inv = static_cast<float>(1.0 / s);
  for (int64_t k2 = 0; k2 < dim; ++k2) po[k2 * stride] *= inv;
}

// Contiguous rows (inner == 1, the attention scores' case), cloned per ISA (simd_clones.h).
PT_SIMD_CLONES void softmax_rows(const float* x, int64_t rows, int64_t dim, bool log, float* out) {
  for (int64_t r = 0; r < rows; ++r) softmax_row(x + r * dim, dim, 1, log, out + r * dim);
}

// gx = p * (gy - sum(gy * p)) over contiguous rows of y = p, the sum in double over four lanes
// (so that it vectorises), cloned per ISA.
PT_SIMD_CLONES void softmax_backward_rows(const float* y, const float* gy, int64_t rows, int64_t dim, float* gx) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* py = y + r * dim;
    const float* pg = gy + r * dim;
    float* po = gx + r * dim;
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    int64_t k = 0;
    for (; k + 4 <= dim; k += 4)
      for (int j = 0; j < 4; ++j) acc[j] += static_cast<double>(pg[k + j]) * py[k + j];
    for (; k < dim; ++k) acc[0] += static_cast<double>(pg[k]) * py[k];
    const double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (int64_t k2 = 0; k2 < dim; ++k2) po[k2] = static_cast<float>(py[k2] * (pg[k2] - s));
  }
}

}  // namespace

void softmax(const float* x, int64_t outer, int64_t dim, int64_t inner, bool log, float* out) {
  if (inner == 1) {
    parallel_for(outer, row_grain(dim), [&](int64_t lo, int64_t hi) {
      softmax_rows(x + lo * dim, hi - lo, dim, log, out + lo * dim);
    });
    return;
  }
  parallel_for(outer * inner, row_grain(dim), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t base = (r / inner) * dim * inner + r % inner;
      softmax_row(x + base, dim, inner, log, out + base);
    }
  });
}

void softmax_backward(const float* y, const float* gy, int64_t outer, int64_t dim, int64_t inner, bool log, float* gx) {
  if (inner == 1 && !log) {
    parallel_for(outer, row_grain(dim), [&](int64_t lo, int64_t hi) {
      softmax_backward_rows(y + lo * dim, gy + lo * dim, hi - lo, dim, gx + lo * dim);
    });
    return;
  }
  parallel_for(outer * inner, row_grain(dim), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t base = (r / inner) * dim * inner + r % inner;
      const float* py = y + base;
      const float* pg = gy + base;
      float* po = gx + base;
      double s = 0.0;
      if (log) {
        // y = log p: gx = gy - p * sum(gy)
        for (int64_t k = 0; k < dim; ++k) s += pg[k * inner];
        for (int64_t k = 0; k < dim; ++k) po[k * inner] = static_cast<float>(pg[k * inner] - std::exp(static_cast<double>(py[k * inner])) * s);
      } else {
        // y = p: gx = p * (gy - sum(gy * p))
        for (int64_t k = 0; k < dim; ++k) s += static_cast<double>(pg[k * inner]) * py[k * inner];
        for (int64_t k = 0; k < dim; ++k) po[k * inner] = static_cast<float>(py[k * inner] * (pg[k * inner] - s));
      }
    }
  });
}

void softmax_cross_entropy(const float* logits, const int32_t* targets, int64_t rows, int64_t classes,
                           double smoothing, int64_t ignore_index, float* loss, float* grad) {
  const double off = smoothing / static_cast<double>(classes);
  parallel_for(rows, row_grain(classes), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* z = logits + r * classes;
      float* g = grad == nullptr ? nullptr : grad + r * classes;
      const int64_t t = targets[r];
      if (t == ignore_index) {
        loss[r] = 0.0f;
        if (g != nullptr) {
          for (int64_t c = 0; c < classes; ++c) g[c] = 0.0f;
        }
        continue;
      }
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t c = 0; c < classes; ++c) {
        const double v = z[c];
        if (v > mx || std::isnan(v)) mx = v;
        if (std::isnan(mx)) break;
      }
      double s = 0.0;
      for (int64_t c = 0; c < classes; ++c) s += std::exp(z[c] - mx);
      const double lse = mx + std::log(s);
      double l = 0.0;
      for (int64_t c = 0; c < classes; ++c) {
        const double q = (c == t ? 1.0 - smoothing : 0.0) + off;
        if (q != 0.0) l -= q * (z[c] - lse);
        if (g != nullptr) g[c] = static_cast<float>(std::exp(z[c] - lse) - q);
      }
      loss[r] = static_cast<float>(l);
    }
  });
}

}  // namespace pt
