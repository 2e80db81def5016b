// The generic argument reader of the kernel signature table (see signature.h).
#include "signature.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ptb {
namespace {

bool is_array(Kind k) { return k == Kind::F32 || k == Kind::F32OrNull || k == Kind::I32 || k == Kind::Words; }

// A mistake in a declaration is a programming error: stop at the first call instead of
// checking against a wrong table.
[[noreturn]] void bad_declaration(const char* kernel, const std::string& msg) {
  std::fprintf(stderr, "polytask_native: bad signature of %s: %s\n", kernel, msg.c_str());
  std::abort();
}

}  // namespace

Signature::Signature(const char* kernel, size_t nargs, std::initializer_list<ObjectSlot> objects,
                     std::initializer_list<Param> params, const char* file, int line)
    : kernel_(kernel), nargs_(nargs), objects_(objects), params_(params), file_(file), line_(line) {
  if (params_.size() > kMaxParams || nargs > kMaxArgs) bad_declaration(kernel, "too many arguments");
  for (const Param& p : params_) {
    const char* key = p.at.key != nullptr ? p.at.key : p.name;
    std::string shown = std::string("'") + key + "'";
    if (p.at.slot < 0 || static_cast<size_t>(p.at.slot) >= nargs) bad_declaration(kernel, std::string(p.name) + " is at no argument");
    if (p.at.field) {
      const ObjectSlot* o = nullptr;
      for (const ObjectSlot& s : objects_)
        if (s.slot == p.at.slot) o = &s;
      if (o == nullptr) bad_declaration(kernel, std::string(p.name) + " is a field of an undeclared object");
      if (o->prefix[0] != '\0') shown = std::string(o->prefix) + "." + key;
    }
    shown_.push_back(shown);
  }
  sizes_.resize(params_.size());
  refs_.assign(params_.size(), -1);
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (p.kind == Kind::Axis || p.kind == Kind::Axes) {
      const int r = index_of(p.ref);
      if (r < 0 || static_cast<size_t>(r) >= i || params_[r].kind != Kind::Shape) {
        bad_declaration(kernel, std::string(p.name) + ": '" + p.ref + "' is no shape declared before it");
      }
      refs_[i] = r;
    }
    if (!is_array(p.kind) || p.ref == nullptr) continue;
    // "a*b/c": names separated by operators.
    const char* s = p.ref;
    bool divide = false;
    while (*s != '\0') {
      const char* end = s;
      while (*end != '\0' && *end != '*' && *end != '/') ++end;
      const std::string name(s, end);
      const int idx = index_of(name.c_str());
      if (idx < 0) bad_declaration(kernel, std::string(p.name) + ": unknown '" + name + "' in its size");
      const Kind k = params_[idx].kind;
      if (k != Kind::Int && k != Kind::Axis && k != Kind::Shape && !is_array(k)) {
        bad_declaration(kernel, std::string(p.name) + ": '" + name + "' has no size");
      }
      if (is_array(k) && static_cast<size_t>(idx) == i) bad_declaration(kernel, std::string(p.name) + " is sized by itself");
      sizes_[i].push_back({idx, divide});
      if (*end == '\0') break;
      divide = *end == '/';
      s = end + 1;
    }
  }
}

int Signature::index_of(const char* name) const {
  for (size_t i = 0; i < params_.size(); ++i)
    if (std::strcmp(params_[i].name, name) == 0) return static_cast<int>(i);
  return -1;
}

void Signature::read_attributes(const Args& args, void* self, Call& call) const {
  // 1. Every value, fields included (getters may run here).
  napi_value objects[kMaxArgs];
  for (const ObjectSlot& o : objects_) {
    objects[o.slot] = args.object(args[o.slot], std::string("'") + o.name + "'", file_, line_);
  }
  const Napi::Env env = args.env();
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    const char* key = p.at.key != nullptr ? p.at.key : p.name;
    call.raw[i] = p.at.field ? Napi::Object(env, objects[p.at.slot]).Get(key) : args[p.at.slot];
  }
  // 2. Every non-array value, in declaration order (a shape before the axes that refer to it).
  Value v;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    const std::string& shown = shown_[i];
    const Napi::Value raw(env, call.raw[i]);
    switch (p.kind) {
      case Kind::Int:
        v.integer = args.integer(raw, shown, p.min, p.max, file_, line_);
        call.scalar[i] = v.integer;
        break;
      case Kind::Number: v.number = args.number(raw, shown, file_, line_); break;
      case Kind::Bool: v.boolean = args.boolean(raw, shown, file_, line_); break;
      case Kind::Enum: {
        const std::string s = args.string(raw, shown, file_, line_);
        const std::vector<const char*>& names = p.names->names;
        v.integer = -1;
        for (size_t k = 0; k < names.size() && v.integer < 0; ++k)
          if (s == names[k]) v.integer = static_cast<int64_t>(k);
        if (v.integer < 0) {
          std::string expected;
          for (size_t k = 0; k < names.size(); ++k) expected += (k == 0 ? "" : ", ") + std::string(names[k]);
          args.range_error("unknown " + std::string(p.names->label) + " '" + s + "', expected one of " + expected, file_, line_);
        }
        break;
      }
      case Kind::Shape:
        v.list = args.shape(raw, shown, file_, line_);
        call.scalar[i] = pt::numel(v.list);
        call.rank[i] = v.list.size();
        break;
      case Kind::Ints:
        v.list = args.int_list(raw, shown, p.min, p.max, file_, line_);
        break;
      case Kind::Axis: {
        const int64_t rank = static_cast<int64_t>(call.rank[refs_[i]]);
        v.integer = args.integer(raw, shown, 0, rank > 0 ? rank - 1 : 0, file_, line_);
        call.scalar[i] = v.integer;
        break;
      }
      case Kind::Axes:
        v.list = args.int_list(raw, shown, 0, static_cast<int64_t>(call.rank[refs_[i]]) - 1, file_, line_);
        break;
      default:
        continue;  // arrays come last
    }
    p.store(self, v);
  }
}

int64_t Signature::evaluate(const Args& args, const std::vector<Term>& terms, const Call& call, const char* what) const {
  int64_t n = 1;
  for (const Term& t : terms) {
    const int64_t x = call.scalar[t.index];
    if (t.divide) n = x == 0 ? 0 : n / x;
    else n = args.mul(n, x, what, file_, line_);
  }
  return n;
}

void Signature::read_arrays(const Args& args, void* self, Call& call) const {
  const Napi::Env env = args.env();
  Value v;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    const std::string& shown = shown_[i];
    call.present[i] = true;
    switch (p.kind) {
      case Kind::F32: case Kind::F32OrNull:
        v.f32 = args.f32(Napi::Value(env, call.raw[i]), shown, p.kind == Kind::F32OrNull, file_, line_);
        call.scalar[i] = v.f32.size;
        call.present[i] = !v.f32.is_null;
        break;
      case Kind::I32:
        v.i32 = args.i32(Napi::Value(env, call.raw[i]), shown, file_, line_);
        call.scalar[i] = v.i32.size;
        break;
      case Kind::Words:
        v.words = args.words(Napi::Value(env, call.raw[i]), shown, file_, line_);
        call.scalar[i] = v.words.size;
        break;
      default:
        continue;
    }
    p.store(self, v);
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    if (sizes_[i].empty() || !call.present[i]) continue;
    args.expect_size(call.scalar[i], evaluate(args, sizes_[i], call, params_[i].name), shown_[i], file_, line_);
  }
}

}  // namespace ptb
