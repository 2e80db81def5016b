// Data-movement kernels. Elements are moved as uint32 bit patterns so one implementation serves
// float32 and int32 arrays.
#include "movement.h"

#include <algorithm>
#include <cstring>

namespace pt {
namespace {

// Odometer over the first `rank` dimensions of `dims`, tracking one offset per stride vector.
template <int K>
struct Odometer {
  const Shape& dims;
  size_t rank;
  const Shape* strides[K];
  Shape idx;
  int64_t off[K] = {};

  Odometer(const Shape& d, size_t r, const Shape* const (&st)[K]) : dims(d), rank(r), idx(r, 0) {
    for (int k = 0; k < K; ++k) strides[k] = st[k];
  }
  void next() {
    for (size_t d = rank; d-- > 0;) {
      for (int k = 0; k < K; ++k) off[k] += (*strides[k])[d];
      if (++idx[d] < dims[d]) return;
      for (int k = 0; k < K; ++k) off[k] -= (*strides[k])[d] * dims[d];
      idx[d] = 0;
    }
  }
};

// dst (rows, cols) contiguous = src with element (i, j) at i*si + j*sj, in cache-sized tiles.
void copy_2d(const uint32_t* src, int64_t si, int64_t sj, int64_t rows, int64_t cols, uint32_t* dst) {
  constexpr int64_t kTile = 32;
  for (int64_t i0 = 0; i0 < rows; i0 += kTile) {
    const int64_t i1 = std::min(rows, i0 + kTile);
    for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
      const int64_t j1 = std::min(cols, j0 + kTile);
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = j0; j < j1; ++j) dst[i * cols + j] = src[i * si + j * sj];
    }
  }
}

// Copies the box of box_shape at `begin` between big (big_shape) and packed (contiguous box).
void copy_box(uint32_t* big, const Shape& big_shape, uint32_t* packed, const Shape& box_shape,
              const std::vector<int64_t>& begin, bool to_packed) {
  const int64_t total = numel(box_shape);
  if (total == 0) return;
  const size_t rank = big_shape.size();
  if (rank == 0) {
    if (to_packed) packed[0] = big[0];
    else big[0] = packed[0];
    return;
  }
  const Shape str = strides_of(big_shape);
  int64_t base = 0;
  for (size_t d = 0; d < rank; ++d) base += begin[d] * str[d];
  const int64_t len = box_shape[rank - 1];
  const Shape* st[1] = {&str};
  Odometer<1> od(box_shape, rank - 1, st);
  for (int64_t p = 0; p < total; p += len, od.next()) {
    uint32_t* b = big + base + od.off[0];
    if (to_packed) std::memcpy(packed + p, b, static_cast<size_t>(len) * sizeof(uint32_t));
    else std::memcpy(b, packed + p, static_cast<size_t>(len) * sizeof(uint32_t));
  }
}

}  // namespace

void permute(const uint32_t* x, const Shape& shape, const std::vector<int64_t>& perm, uint32_t* out) {
  const int64_t total = numel(shape);
  if (total == 0) return;
  const Shape in_str = strides_of(shape);
  // Output dimensions with their stride in x: size-1 dimensions dropped, and neighbours that
  // stay adjacent in x merged, so a permute that moves little becomes a plain copy.
  Shape od, os;
  for (int64_t p : perm) {
    const int64_t d = shape[static_cast<size_t>(p)], st = in_str[static_cast<size_t>(p)];
    if (d == 1) continue;
    if (!od.empty() && os.back() == st * d) {
      od.back() *= d;
      os.back() = st;
    } else {
      od.push_back(d);
      os.push_back(st);
    }
  }
  if (od.size() <= 1) {
    // One dimension left: it is x's only non-trivial one, so it is contiguous.
    std::memcpy(out, x, static_cast<size_t>(total) * sizeof(uint32_t));
    return;
  }
  const size_t r = od.size();
  const Shape* st[1] = {&os};
  if (os.back() == 1) {
    const int64_t len = od.back();
    Odometer<1> it(od, r - 1, st);
    for (int64_t p = 0; p < total; p += len, it.next())
      std::memcpy(out + p, x + it.off[0], static_cast<size_t>(len) * sizeof(uint32_t));
    return;
  }
  // The innermost output dimension is strided in x: copy the two innermost as tiled 2-D blocks.
  const int64_t rows = od[r - 2], cols = od[r - 1], block = rows * cols;
  Odometer<1> it(od, r - 2, st);
  for (int64_t p = 0; p < total; p += block, it.next()) copy_2d(x + it.off[0], os[r - 2], os[r - 1], rows, cols, out + p);
}

void slice(const uint32_t* x, const Shape& shape, const std::vector<int64_t>& begin, uint32_t* out, const Shape& out_shape) {
  // copy_box only reads from big when copying to packed.
  copy_box(const_cast<uint32_t*>(x), shape, out, out_shape, begin, true);
}

void slice_assign(const uint32_t* src, const Shape& src_shape, uint32_t* dst, const Shape& dst_shape, const std::vector<int64_t>& begin) {
  // copy_box only reads from packed when copying into big.
  copy_box(dst, dst_shape, const_cast<uint32_t*>(src), src_shape, begin, false);
}

void index_select(const uint32_t* x, int64_t outer, int64_t dim, int64_t inner, const int32_t* indices, int64_t k, uint32_t* out) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      std::memcpy(out + (o * k + j) * inner, x + (o * dim + indices[j]) * inner, static_cast<size_t>(inner) * sizeof(uint32_t));
}

void index_add(const float* g, int64_t outer, int64_t dim, int64_t inner, const int32_t* indices, int64_t k, float* out) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < k; ++j) {
      float* dst = out + (o * dim + indices[j]) * inner;
      const float* src = g + (o * k + j) * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] += src[i];
    }
  }
}

void gather(const uint32_t* x, const Shape& shape, int64_t axis, const int32_t* index, const Shape& index_shape, uint32_t* out) {
  const int64_t total = numel(index_shape);
  if (total == 0) return;
  // Offset in x of every index position with the axis coordinate left out; the index adds it.
  Shape str = strides_of(shape);
  const int64_t axis_stride = str[static_cast<size_t>(axis)];
  str[static_cast<size_t>(axis)] = 0;
  const Shape* st[1] = {&str};
  Odometer<1> it(index_shape, index_shape.size(), st);
  for (int64_t o = 0; o < total; ++o, it.next()) out[o] = x[it.off[0] + index[o] * axis_stride];
}

void scatter_add(const float* g, const Shape& index_shape, int64_t axis, const int32_t* index, float* out, const Shape& out_shape) {
  const int64_t total = numel(index_shape);
  if (total == 0) return;
  Shape str = strides_of(out_shape);
  const int64_t axis_stride = str[static_cast<size_t>(axis)];
  str[static_cast<size_t>(axis)] = 0;
  const Shape* st[1] = {&str};
  Odometer<1> it(index_shape, index_shape.size(), st);
  for (int64_t o = 0; o < total; ++o, it.next()) out[it.off[0] + index[o] * axis_stride] += g[o];
}

}  // namespace pt
