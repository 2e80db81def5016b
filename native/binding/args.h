// Argument checking for the N-API glue. Every value coming from JavaScript goes through an Args
// accessor before it reaches a kernel: typed arrays are checked for their element type, integers
// for being integral and in range, shapes for non-negative dimensions and overflow-free sizes.
// A failed check throws a JS TypeError or RangeError naming the kernel, the argument and the
// binding's source line, e.g.
//   polytask_native.matmul: 'out' has 5 elements, expected 6 [bind_gemm.cc:40]
//
// Order matters: reading a shape, an object field or an array element can run JavaScript (a
// getter) that could detach or shrink a typed array, so bindings read every other argument first
// and the typed arrays last; no JavaScript runs between that and the kernel call.
//
// Example (inside a binding function):
//   Args args(info, "clamp", 4);
//   const double lo = args.number(1, "lo");
//   F32 x = args.f32(0, "x");
//   PT_CHECK(args, x.size > 0, "'x' must not be empty");
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/shape.h"

namespace ptb {

// Largest dimension, index or count accepted (int32 range: int32 indices must reach every entry).
constexpr int64_t kMaxDim = 2147483647;
// Largest element count of one array (well above what V8 allocates).
constexpr int64_t kMaxElements = int64_t{1} << 48;
// Largest kernel size, stride, padding or dilation: keeps all index arithmetic far from overflow.
constexpr int64_t kMaxGeometry = int64_t{1} << 20;

// A typed array's memory. data is never null, even for an empty array (kernels may hand it to
// memcpy); is_null marks an optional argument that was passed as null.
template <class T>
struct View {
  T* data;
  int64_t size;
  bool is_null;
  // The pointer a kernel gets for an optional argument: nullptr when it was null.
  T* or_null() const { return is_null ? nullptr : data; }
};
using F32 = View<float>;
using I32 = View<int32_t>;

// A Float32Array or an Int32Array seen as 4-byte words, for dtype-agnostic data movement.
struct Words {
  uint32_t* data;
  int64_t size;
  bool is_int32;
};

class Args {
 public:
  // Throws unless exactly `count` arguments were passed.
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t count,
       const char* file = __builtin_FILE(), int line = __builtin_LINE());

  F32 f32(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  // is_null (and size 0) for null.
  F32 f32_or_null(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  I32 i32(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  Words words(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  int64_t integer(size_t i, const char* name, int64_t min, int64_t max,
                  const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  double number(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  bool boolean(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  std::string string(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  // An array of dimensions in [0, kMaxDim] whose product (of the non-zero ones) is at most
  // kMaxElements, so no partial product of it overflows.
  pt::Shape shape(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  // An array of integers each in [min, max].
  std::vector<int64_t> int_list(size_t i, const char* name, int64_t min, int64_t max,
                                const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  Napi::Object object(size_t i, const char* name, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;

  // Fields of an options/geometry object.
  int64_t field_integer(const Napi::Object& o, const char* obj, const char* key, int64_t min, int64_t max,
                        const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  double field_number(const Napi::Object& o, const char* obj, const char* key,
                      const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  bool field_boolean(const Napi::Object& o, const char* obj, const char* key,
                     const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;

  // Throws unless the array has exactly `expected` elements.
  template <class V>
  void expect_size(const V& v, int64_t expected, const char* name,
                   const char* file = __builtin_FILE(), int line = __builtin_LINE()) const {
    if (v.size != expected) size_mismatch(name, v.size, expected, file, line);
  }

  // a*b (or a+b), throwing instead of overflowing past kMaxElements.
  int64_t mul(int64_t a, int64_t b, const char* what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  int64_t add(int64_t a, int64_t b, const char* what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;

  [[noreturn]] void type_error(const std::string& msg, const char* file, int line) const;
  [[noreturn]] void range_error(const std::string& msg, const char* file, int line) const;

 private:
  [[noreturn]] void size_mismatch(const char* name, int64_t got, int64_t expected, const char* file, int line) const;
  std::string where(const char* name) const;

  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

// Throws a RangeError naming the kernel and this source line when `cond` is false.
#define PT_CHECK(args, cond, msg)                          \
  do {                                                     \
    if (!(cond)) (args).range_error((msg), __FILE__, __LINE__); \
  } while (0)

// "[2,3]" for messages.
std::string format_shape(const pt::Shape& s);

}  // namespace ptb
