// The kernel signature table and its reader. signatures.def declares every kernel's arguments as
// a list of entries (kind, name, where it comes from, range or size), and one generic reader checks
// a call against it. A declaration
//
//   #define SOFTMAX_ARGS(X) X(F32, x, IN(0), "outer*dim*inner") X(F32, out, IN(0), "x")
//     X(INT, outer, IN(1), 0, kMaxDim) X(INT, dim, IN(1), 0, kMaxDim) X(INT, inner, IN(1), 0, kMaxDim)
//     X(BOOL, log, IN(1))
//   PT_SIGNATURE(SoftmaxArgs, "softmax", 2, SOFTMAX_ARGS, ARRAYS(0), ATTRS(1))
//
// defines `struct SoftmaxArgs { F32 x, out; int64_t outer, dim, inner; bool log; }` and its
// signature: softmax(arrays, attrs) takes two objects, x is a Float32Array field of the first with
// outer*dim*inner elements, out one with as many as x, and so on. `add_kernel<SoftmaxArgs, run>`
// then exports a function that reads and checks every argument, calls an optional check of the
// attributes, reads the arrays and checks their sizes, and hands the filled struct to `run`.
//
// Kinds (the extra entries after the place):
//   F32, F32_OR_NULL, I32, WORDS (Float32Array or Int32Array)   [size expression]
//   INT min, max | NUMBER | BOOL | ENUM names | SHAPE | INTS min, max
//   AXIS shape (an integer in [0, rank-1] of that shape) | AXES shape (a list of them)
// Places: ARG(i) positional argument i; IN(i) field of the object argument i, of the same name;
// IN_AS(i, "key") field `key` (when the member name must differ from it).
// A size expression multiplies (or, with '/', divides by) integer arguments, shape sizes (their
// element count) and array lengths, left to right, each product checked for overflow; "" or no
// expression leaves the length free (the binding checks it).
//
// Order: a getter of an object field or of a shape's element can run JavaScript that detaches a
// typed array, so every field and every non-array argument is read first, arrays last, and no
// JavaScript runs between reading the arrays and the kernel call.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "args.h"

namespace ptb {

enum class Kind : uint8_t { F32, F32OrNull, I32, Words, Int, Number, Bool, Enum, Shape, Ints, Axis, Axes };

// The names of an enum argument in the order of the kernel's C++ enum; `label` names it in
// messages ("unknown unary op 'cube'").
struct EnumNames {
  const char* label;
  std::vector<const char*> names;
};

// Where an argument is: positional argument `slot`, or the field `key` (nullptr: the member's
// name) of the object passed there.
struct At {
  int slot;
  bool field;
  const char* key;
};
#define ARG(i) ::ptb::At{i, false, nullptr}
#define IN(i) ::ptb::At{i, true, nullptr}
#define IN_AS(i, key) ::ptb::At{i, true, key}

// An object argument: its position, its name in messages, and the prefix its fields are shown
// with ("" shows a field as 'key', "geometry" as geometry.key).
struct ObjectSlot {
  int slot;
  const char* name;
  const char* prefix;
};
#define ARRAYS(i) ::ptb::ObjectSlot{i, "arrays", ""}
#define ATTRS(i) ::ptb::ObjectSlot{i, "attrs", ""}
#define OBJECT(i, name) ::ptb::ObjectSlot{i, name, name}

// One parsed argument on its way into the kernel's struct.
struct Value {
  F32 f32{};
  I32 i32{};
  Words words{};
  int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  std::vector<int64_t> list;
};
using Store = void (*)(void* self, Value& v);

inline void take(F32& d, Value& v) { d = v.f32; }
inline void take(I32& d, Value& v) { d = v.i32; }
inline void take(Words& d, Value& v) { d = v.words; }
inline void take(int64_t& d, Value& v) { d = v.integer; }
inline void take(int& d, Value& v) { d = static_cast<int>(v.integer); }
inline void take(double& d, Value& v) { d = v.number; }
inline void take(bool& d, Value& v) { d = v.boolean; }
inline void take(std::vector<int64_t>& d, Value& v) { d = std::move(v.list); }

struct Param {
  const char* name;
  Kind kind;
  At at;
  int64_t min, max;        // INT, INTS
  const char* ref;         // arrays: size expression; AXIS, AXES: the shape argument
  const EnumNames* names;  // ENUM
  Store store;
};

inline Param param_F32(const char* n, At at, Store s, const char* size = nullptr) { return {n, Kind::F32, at, 0, 0, size, nullptr, s}; }
inline Param param_F32_OR_NULL(const char* n, At at, Store s, const char* size = nullptr) { return {n, Kind::F32OrNull, at, 0, 0, size, nullptr, s}; }
inline Param param_I32(const char* n, At at, Store s, const char* size = nullptr) { return {n, Kind::I32, at, 0, 0, size, nullptr, s}; }
inline Param param_WORDS(const char* n, At at, Store s, const char* size = nullptr) { return {n, Kind::Words, at, 0, 0, size, nullptr, s}; }
inline Param param_INT(const char* n, At at, Store s, int64_t min, int64_t max) { return {n, Kind::Int, at, min, max, nullptr, nullptr, s}; }
inline Param param_NUMBER(const char* n, At at, Store s) { return {n, Kind::Number, at, 0, 0, nullptr, nullptr, s}; }
inline Param param_BOOL(const char* n, At at, Store s) { return {n, Kind::Bool, at, 0, 0, nullptr, nullptr, s}; }
inline Param param_ENUM(const char* n, At at, Store s, const EnumNames& e) { return {n, Kind::Enum, at, 0, 0, nullptr, &e, s}; }
inline Param param_SHAPE(const char* n, At at, Store s) { return {n, Kind::Shape, at, 0, 0, nullptr, nullptr, s}; }
inline Param param_INTS(const char* n, At at, Store s, int64_t min, int64_t max) { return {n, Kind::Ints, at, min, max, nullptr, nullptr, s}; }
inline Param param_AXIS(const char* n, At at, Store s, const char* shape) { return {n, Kind::Axis, at, 0, 0, shape, nullptr, s}; }
inline Param param_AXES(const char* n, At at, Store s, const char* shape) { return {n, Kind::Axes, at, 0, 0, shape, nullptr, s}; }

#define PT_TYPE_F32 ::ptb::F32
#define PT_TYPE_F32_OR_NULL ::ptb::F32
#define PT_TYPE_I32 ::ptb::I32
#define PT_TYPE_WORDS ::ptb::Words
#define PT_TYPE_INT int64_t
#define PT_TYPE_NUMBER double
#define PT_TYPE_BOOL bool
#define PT_TYPE_ENUM int
#define PT_TYPE_SHAPE ::pt::Shape
#define PT_TYPE_INTS std::vector<int64_t>
#define PT_TYPE_AXIS int64_t
#define PT_TYPE_AXES std::vector<int64_t>

#define PT_MEMBER(kind, name, ...) PT_TYPE_##kind name{};
#define PT_PARAM(kind, name, at, ...) \
  ::ptb::param_##kind(#name, at, [](void* self, ::ptb::Value& v) { ::ptb::take(static_cast<Self*>(self)->name, v); }, ##__VA_ARGS__),

class Signature;

// Declares `Struct` with one member per entry of LIST and its Signature (kernel name, number of
// JavaScript arguments, then the object arguments).
#define PT_SIGNATURE(Struct, kernel, nargs, LIST, ...)                                                    \
  struct Struct {                                                                                         \
    LIST(PT_MEMBER)                                                                                       \
    static const ::ptb::Signature& signature() {                                                          \
      using Self = Struct;                                                                                \
      static const ::ptb::Signature sig(kernel, nargs, {__VA_ARGS__}, {LIST(PT_PARAM)}, __FILE__, __LINE__); \
      return sig;                                                                                         \
    }                                                                                                     \
  };

// Up to this many arguments and fields a kernel, and JavaScript arguments a call.
constexpr size_t kMaxParams = 32;
constexpr size_t kMaxArgs = 8;

// The raw values and sizes of one call while it is being read.
struct Call {
  napi_value raw[kMaxParams];  // as fetched; parsed in a later phase
  int64_t scalar[kMaxParams];  // an INT/AXIS value, a shape's element count, an array's length
  size_t rank[kMaxParams];     // a shape's rank
  bool present[kMaxParams];    // false for an optional array passed as null
};

class Signature {
 public:
  Signature(const char* kernel, size_t nargs, std::initializer_list<ObjectSlot> objects, std::initializer_list<Param> params,
            const char* file, int line);

  const char* kernel() const { return kernel_; }
  size_t nargs() const { return nargs_; }
  const char* file() const { return file_; }
  int line() const { return line_; }

  // Fetches every argument and field, then parses and stores every non-array one.
  void read_attributes(const Args& args, void* self, Call& call) const;
  // Parses and stores the arrays, then checks their lengths against the size expressions.
  void read_arrays(const Args& args, void* self, Call& call) const;

 private:
  struct Term {
    int index;
    bool divide;
  };
  int index_of(const char* name) const;
  int64_t evaluate(const Args& args, const std::vector<Term>& terms, const Call& call, const char* what) const;

  const char* kernel_;
  size_t nargs_;
  std::vector<ObjectSlot> objects_;
  std::vector<Param> params_;
  std::vector<std::string> shown_;        // each argument as messages show it
  std::vector<std::vector<Term>> sizes_;  // per array: its size expression, resolved
  std::vector<int> refs_;                 // per AXIS/AXES: the index of its shape
  const char* file_;
  int line_;
};

template <class S>
void no_check(const Args&, const S&) {}

// Reads a call of S's kernel, runs Check on the attributes and Run on everything.
template <class S, void (*Run)(const Args&, S&), void (*Check)(const Args&, const S&) = no_check<S>>
Napi::Value invoke(const Napi::CallbackInfo& info) {
  const Signature& sig = S::signature();
  Args args(info, sig.kernel(), sig.nargs(), sig.file(), sig.line());
  S s{};
  Call call;
  sig.read_attributes(args, &s, call);
  Check(args, s);
  sig.read_arrays(args, &s, call);
  Run(args, s);
  return info.Env().Undefined();
}

// Exports S's kernel under its name.
template <class S, void (*Run)(const Args&, S&), void (*Check)(const Args&, const S&) = no_check<S>>
void add_kernel(Napi::Env env, Napi::Object exports) {
  const char* name = S::signature().kernel();
  exports.Set(name, Napi::Function::New(env, invoke<S, Run, Check>, name));
}

}  // namespace ptb

// Every kernel's declaration.
#include "signatures.def"  // NOLINT(build/include)
