// Argument checking for the N-API glue (see args.h).
#include "args.h"

#include <cmath>
#include <cstring>

namespace ptb {
namespace {

constexpr size_t kMaxRank = 64;

const char* basename_of(const char* path) {
  const char* slash = std::strrchr(path, '/');
  const char* back = std::strrchr(path, '\\');
  if (back != nullptr && (slash == nullptr || back > slash)) slash = back;
  return slash == nullptr ? path : slash + 1;
}

const char* typed_array_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "typed array";
  }
}

// What a value is, for "expected X, got Y" messages.
std::string describe(const Napi::Value& v) {
  if (v.IsTypedArray()) return typed_array_name(v.As<Napi::TypedArray>().TypedArrayType());
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsArray()) return "an Array";
  if (v.IsNumber()) return "the number " + v.ToString().Utf8Value();
  if (v.IsBoolean()) return "a boolean";
  if (v.IsString()) return "a string";
  if (v.IsFunction()) return "a function";
  return "an object";
}

// Stands in for the (possibly null) data pointer of an empty typed array.
alignas(64) uint32_t empty_storage[1];

template <class T>
T* non_null(T* p) {
  return p != nullptr ? p : reinterpret_cast<T*>(empty_storage);
}

bool is_typed(const Napi::Value& v, napi_typedarray_type t) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == t;
}

// Whether v is an integral number in [min, max]; writes it to out.
bool integral_in(const Napi::Value& v, int64_t min, int64_t max, int64_t* out) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

}  // namespace

std::string format_shape(const pt::Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

Args::Args(const Napi::CallbackInfo& info, const char* kernel, size_t count, const char* file, int line)
    : info_(info), kernel_(kernel) {
  if (info.Length() != count) {
    type_error("expected " + std::to_string(count) + " arguments, got " + std::to_string(info.Length()), file, line);
  }
}

void Args::type_error(const std::string& msg, const char* file, int line) const {
  throw Napi::TypeError::New(info_.Env(), std::string("polytask_native.") + kernel_ + ": " + msg + " [" +
                                              basename_of(file) + ":" + std::to_string(line) + "]");
}

void Args::range_error(const std::string& msg, const char* file, int line) const {
  throw Napi::RangeError::New(info_.Env(), std::string("polytask_native.") + kernel_ + ": " + msg + " [" +
                                               basename_of(file) + ":" + std::to_string(line) + "]");
}

void Args::size_mismatch(const std::string& what, int64_t got, int64_t expected, const char* bound, const char* file,
                         int line) const {
  range_error(what + " has " + std::to_string(got) + " elements, expected " + bound + std::to_string(expected), file, line);
}

F32 Args::f32(const Napi::Value& v, const std::string& what, bool nullable, const char* file, int line) const {
  if (nullable && v.IsNull()) return {non_null<float>(nullptr), 0, true};
  if (!is_typed(v, napi_float32_array)) {
    type_error(what + " must be a Float32Array" + (nullable ? " or null" : "") + ", got " + describe(v), file, line);
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  return {non_null(a.Data()), static_cast<int64_t>(a.ElementLength()), false};
}

I32 Args::i32(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  if (!is_typed(v, napi_int32_array)) type_error(what + " must be an Int32Array, got " + describe(v), file, line);
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  return {non_null(a.Data()), static_cast<int64_t>(a.ElementLength()), false};
}

Words Args::words(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  if (is_typed(v, napi_float32_array)) {
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    return {non_null(reinterpret_cast<uint32_t*>(a.Data())), static_cast<int64_t>(a.ElementLength()), false};
  }
  if (is_typed(v, napi_int32_array)) {
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    return {non_null(reinterpret_cast<uint32_t*>(a.Data())), static_cast<int64_t>(a.ElementLength()), true};
  }
  type_error(what + " must be a Float32Array or an Int32Array, got " + describe(v), file, line);
}

int64_t Args::integer(const Napi::Value& v, const std::string& what, int64_t min, int64_t max, const char* file,
                      int line) const {
  int64_t out = 0;
  if (!integral_in(v, min, max, &out)) {
    range_error(what + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                    describe(v),
                file, line);
  }
  return out;
}

double Args::number(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  if (!v.IsNumber()) type_error(what + " must be a number, got " + describe(v), file, line);
  return v.As<Napi::Number>().DoubleValue();
}

bool Args::boolean(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  if (!v.IsBoolean()) type_error(what + " must be a boolean, got " + describe(v), file, line);
  return v.As<Napi::Boolean>().Value();
}

std::string Args::string(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  if (!v.IsString()) type_error(what + " must be a string, got " + describe(v), file, line);
  return v.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Args::int_list(const Napi::Value& v, const std::string& what, int64_t min, int64_t max,
                                    const char* file, int line) const {
  if (!v.IsArray()) type_error(what + " must be an array of integers, got " + describe(v), file, line);
  Napi::Array arr = v.As<Napi::Array>();
  const uint32_t n = arr.Length();
  if (n > kMaxRank) range_error(what + " has " + std::to_string(n) + " entries, at most " + std::to_string(kMaxRank) + " allowed", file, line);
  std::vector<int64_t> out(n);
  for (uint32_t k = 0; k < n; ++k) {
    const Napi::Value e = arr.Get(k);
    if (!integral_in(e, min, max, &out[k])) {
      range_error(what + "[" + std::to_string(k) + "] must be an integer in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "], got " + describe(e),
                  file, line);
    }
  }
  return out;
}

pt::Shape Args::shape(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  pt::Shape s = int_list(v, what, 0, kMaxDim, file, line);
  // Zero dimensions are skipped so that every partial product (strides, outer sizes) is bounded
  // too, even in an empty tensor.
  int64_t n = 1;
  for (int64_t d : s) n = d == 0 ? n : mul(n, d, what.c_str(), file, line);
  return s;
}

Napi::Object Args::object(const Napi::Value& v, const std::string& what, const char* file, int line) const {
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray() || v.IsFunction()) {
    type_error(what + " must be an object, got " + describe(v), file, line);
  }
  return v.As<Napi::Object>();
}

int64_t Args::mul(int64_t a, int64_t b, const char* what, const char* file, int line) const {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxElements) {
    range_error(std::string(what) + ": size " + std::to_string(a) + "*" + std::to_string(b) + " is too large", file, line);
  }
  return r;
}

int64_t Args::add(int64_t a, int64_t b, const char* what, const char* file, int line) const {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r) || r > kMaxElements) {
    range_error(std::string(what) + ": size " + std::to_string(a) + "+" + std::to_string(b) + " is too large", file, line);
  }
  return r;
}

}  // namespace ptb
