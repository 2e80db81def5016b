// Shapes as the kernels see them: row-major dimension vectors, validated by the binding (every
// dimension >= 0, element counts that fit in int64 and match the arrays).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pt {

using Shape = std::vector<int64_t>;

inline int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Row-major strides in elements.
inline Shape strides_of(const Shape& s) {
  Shape st(s.size());
  int64_t acc = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

}  // namespace pt
