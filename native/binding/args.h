// Argument checking for the N-API glue. Every value coming from JavaScript is parsed by an Args
// method before it reaches a kernel: typed arrays are checked for their element type, integers
// for being integral and in range, shapes for non-negative dimensions and overflow-free sizes.
// A failed check throws a JS TypeError or RangeError naming the kernel, the argument and the
// source line of the check or of the kernel's declaration, e.g.
//   polytask_native.matmul: 'out' has 5 elements, expected 6 [signatures.def:28]
//
// Bindings do not call these one argument at a time: each kernel declares its arguments in a
// table (signature.h) and one generic reader parses them in a safe order.
//
// Example (a control function without a table):
//   Args args(info, "setGemmKernel", 1);
//   const std::string name = args.string(args[0], "'name'");
//   PT_CHECK(args, !name.empty(), "'name' must not be empty");
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

// The call being checked. `what` arguments are the names shown in messages: "'x'" for an
// argument or a field of an arrays/attrs object, "geometry.n" for a field of a named object.
class Args {
 public:
  // Throws unless exactly `count` arguments were passed.
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t count,
       const char* file = __builtin_FILE(), int line = __builtin_LINE());

  Napi::Value operator[](size_t i) const { return info_[i]; }
  Napi::Env env() const { return info_.Env(); }

  // A Float32Array; with `nullable`, null gives is_null (and size 0).
  F32 f32(const Napi::Value& v, const std::string& what, bool nullable, const char* file, int line) const;
  I32 i32(const Napi::Value& v, const std::string& what, const char* file, int line) const;
  Words words(const Napi::Value& v, const std::string& what, const char* file, int line) const;
  int64_t integer(const Napi::Value& v, const std::string& what, int64_t min, int64_t max, const char* file, int line) const;
  double number(const Napi::Value& v, const std::string& what, const char* file, int line) const;
  bool boolean(const Napi::Value& v, const std::string& what, const char* file, int line) const;
  std::string string(const Napi::Value& v, const std::string& what,
                     const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  // An array of integers each in [min, max].
  std::vector<int64_t> int_list(const Napi::Value& v, const std::string& what, int64_t min, int64_t max,
                                const char* file, int line) const;
  // An array of dimensions in [0, kMaxDim] whose product (of the non-zero ones) is at most
  // kMaxElements, so no partial product of it overflows.
  pt::Shape shape(const Napi::Value& v, const std::string& what, const char* file, int line) const;
  // A plain object (not an array, typed array or function).
  Napi::Object object(const Napi::Value& v, const std::string& what, const char* file, int line) const;

  // Throws unless the array has exactly `expected` elements.
  void expect_size(int64_t size, int64_t expected, const std::string& what,
                   const char* file = __builtin_FILE(), int line = __builtin_LINE()) const {
    if (size != expected) size_mismatch(what, size, expected, "", file, line);
  }
  // Throws unless the array has at least `expected` elements.
  void expect_at_least(int64_t size, int64_t expected, const std::string& what,
                       const char* file = __builtin_FILE(), int line = __builtin_LINE()) const {
    if (size < expected) size_mismatch(what, size, expected, "at least ", file, line);
  }

  // a*b (or a+b), throwing instead of overflowing past kMaxElements.
  int64_t mul(int64_t a, int64_t b, const char* what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;
  int64_t add(int64_t a, int64_t b, const char* what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) const;

  [[noreturn]] void type_error(const std::string& msg, const char* file, int line) const;
  [[noreturn]] void range_error(const std::string& msg, const char* file, int line) const;

 private:
  [[noreturn]] void size_mismatch(const std::string& what, int64_t got, int64_t expected, const char* bound,
                                  const char* file, int line) const;

  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

// Throws a RangeError naming the kernel and this source line when `cond` is false.
#define PT_CHECK(args, cond, msg)                               \
  do {                                                          \
    if (!(cond)) (args).range_error((msg), __FILE__, __LINE__); \
  } while (0)

// "[2,3]" for messages.
std::string format_shape(const pt::Shape& s);

}  // namespace ptb
