// Softmax family. Rows (outer x inner positions) are independent and split over threads when the
// tensor is large.
#include "softmax.h"

#include <cmath>
#include <limits>

#include "parallel.h"

namespace pt {
namespace {

constexpr int64_t kGrainElements = 1 << 14;

int64_t row_grain(int64_t dim) { return dim > 0 ? (kGrainElements + dim - 1) / dim : kGrainElements; }

// The max of dim strided values; NaN if any is NaN (as Math.max); 0 for an all -inf (or empty) row.
double row_max(const float* p, int64_t dim, int64_t stride) {
  double mx = -std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k < dim; ++k) {
    const double v = p[k * stride];
    if (v > mx || std::isnan(v)) mx = v;
    if (std::isnan(mx)) break;
  }
  return mx == -std::numeric_limits<double>::infinity() ? 0.0 : mx;
}

}  // namespace

void softmax(const float* x, int64_t outer, int64_t dim, int64_t inner, bool log, float* out) {
  parallel_for(outer * inner, row_grain(dim), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t base = (r / inner) * dim * inner + r % inner;
      const float* px = x + base;
      float* po = out + base;
      const double mx = row_max(px, dim, inner);
      double s = 0.0;
      for (int64_t k = 0; k < dim; ++k) s += std::exp(px[k * inner] - mx);
      if (log) {
        const double lse = mx + std::log(s);
        for (int64_t k = 0; k < dim; ++k) po[k * inner] = static_cast<float>(px[k * inner] - lse);
      } else {
        for (int64_t k = 0; k < dim; ++k) po[k * inner] = static_cast<float>(std::exp(px[k * inner] - mx) / s);
      }
    }
  });
}

void softmax_backward(const float* y, const float* gy, int64_t outer, int64_t dim, int64_t inner, bool log, float* gx) {
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
