// Float transcendental functions written branch-free, so that the loops calling them vectorise with
// the baseline flags (every value a select picks from is computed unconditionally first: with
// -ftrapping-math, GCC does not speculate a floating-point operation out of one arm of a ?:): exp of a non-positive argument (softmax) and the exact GELU with its
// derivative. Accuracy is stated beside each; the JS reference computes the same in double.
//
// Example:
//   for (i...) out[i] = pt::fast::gelu(x[i]);   // vectorises (4 floats at a time on SSE2)
#pragma once

#include <cstdint>
#include <cmath>
#include <cstring>

namespace pt {
namespace fast {

// exp(d) for d <= 0 (small positive d is fine too): Cephes' expf (range reduction by ln 2 in two
// parts, degree-6 polynomial), within 2 ulp. Below -87 (under the smallest normal) it is 0; -inf
// gives 0 and NaN stays NaN.
inline float exp_nonpositive(float d) {
  const float c = d < -87.0f ? -87.0f : d;  // NaN compares false and passes through
  // n = round(c / ln 2) by the 1.5·2^23 trick (no -ffast-math, so the compiler keeps it)
  const float n = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = c - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float v = e * scale;
  return d < -87.0f ? 0.0f : v;
}

// Φ(x), the standard normal CDF: 0.5·erfc(|x|/√2) by the Chebyshev fit of Numerical Recipes
// (erfcc, fractional error below 1.2e-7 for every argument), reflected for x > 0. The tail x < 0
// keeps its relative accuracy (no 1 − erf cancellation).
inline float normal_cdf(float x) {
  const float z = std::fabs(x) * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  const float half_erfc = 0.5f * t * exp_nonpositive(p - z * z);
  const float upper = 1.0f - half_erfc;
  return x < 0.0f ? half_erfc : upper;
}

// Exact GELU, x·Φ(x) (what x·0.5·(1 + erf(x/√2)) is). ±inf and NaN follow that formula:
// +inf → +inf, -inf → NaN (−inf·0), NaN → NaN.
inline float gelu(float x) { return x * normal_cdf(x); }

// d gelu / dx = Φ(x) + x·φ(x), with Φ(x) = y/x read off the forward output y (no erf); beyond
// |x| = 10 it is 1 or 0 to float precision (and ±inf has no quotient); NaN stays NaN.
inline float gelu_grad(float x, float y) {
  const float q = y / x;
  const float phi = x == 0.0f ? 0.5f : q;
  const float d = phi + x * 0.39894228040143267794f * exp_nonpositive(-0.5f * x * x);
  const float ax = std::fabs(x);
  return ax <= 10.0f ? d : (x > 0.0f ? 1.0f : (x < 0.0f ? 0.0f : x));
}

}  // namespace fast
}  // namespace pt
