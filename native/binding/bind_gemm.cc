// N-API glue of the GEMM: matmul, the micro-kernel / blocking / thread-count controls for tests
// and benchmarks, and the precision (fp32 or bf16, gemm_bf16.h) that autocast sets.
#include "../kernels/gemm.h"
#include "../kernels/gemm_bf16.h"
#include "../kernels/parallel.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// Elements a batched operand must have: (batch-1)*stride + rows*cols, or 0 when nothing is read.
int64_t operand_extent(const Args& args, int64_t batch, int64_t stride, int64_t rows, int64_t cols, const char* name) {
  const int64_t one = args.mul(rows, cols, name);
  if (batch == 0 || one == 0) return 0;
  return args.add(args.mul(batch - 1, stride, name), one, name);
}

void matmul(const Args& args, MatmulArgs& a) {
  args.expect_at_least(a.a.size, operand_extent(args, a.batch, a.aBatchStride, a.m, a.k, "a"), "'a'");
  args.expect_at_least(a.b.size, operand_extent(args, a.batch, a.bBatchStride, a.k, a.n, "b"), "'b'");
  pt::sgemm_batched(a.a.data, a.b.data, a.out.data, a.batch, a.m, a.n, a.k, a.transA, a.transB, a.aBatchStride,
                    a.bBatchStride, a.accumulate);
}

// gemmKernel(): the micro-kernel in use.
Napi::Value GemmKernel(const Napi::CallbackInfo& info) {
  Args args(info, "gemmKernel", 0);
  return Napi::String::New(info.Env(), pt::gemm_kernel_name());
}

// gemmKernels(): the micro-kernels this CPU runs, best first.
Napi::Value GemmKernels(const Napi::CallbackInfo& info) {
  Args args(info, "gemmKernels", 0);
  return Napi::String::New(info.Env(), pt::gemm_kernels_available());
}

// setGemmKernel(name): selects a micro-kernel for the whole process.
Napi::Value SetGemmKernel(const Napi::CallbackInfo& info) {
  Args args(info, "setGemmKernel", 1);
  const std::string name = args.string(args[0], "'name'");
  PT_CHECK(args, pt::set_gemm_kernel(name.c_str()),
           "unknown or unsupported kernel '" + name + "', expected one of " + pt::gemm_kernels_available());
  return info.Env().Undefined();
}

// gemmConfig(): { kernel, mr, nr, kc, mc, nc, blocks, l1d, l2, l3, caches, cpu } (see pt::GemmConfig).
Napi::Value GemmConfig(const Napi::CallbackInfo& info) {
  Args args(info, "gemmConfig", 0);
  const pt::GemmConfig c = pt::gemm_config();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("kernel", c.kernel);
  o.Set("mr", c.mr);
  o.Set("nr", c.nr);
  o.Set("kc", static_cast<double>(c.kc));
  o.Set("mc", static_cast<double>(c.mc));
  o.Set("nc", static_cast<double>(c.nc));
  o.Set("blocks", c.blocks_source);
  o.Set("l1d", static_cast<double>(c.l1d));
  o.Set("l2", static_cast<double>(c.l2));
  o.Set("l3", static_cast<double>(c.l3));
  o.Set("caches", c.cache_source);
  o.Set("cpu", c.cpu);
  return o;
}

// setGemmBlocks(kc, mc, nc): fixes the cache blocks for the whole process; (0, 0, 0) returns to
// the choice from the cache sizes.
Napi::Value SetGemmBlocks(const Napi::CallbackInfo& info) {
  Args args(info, "setGemmBlocks", 3);
  const int64_t kc = args.integer(args[0], "'kc'", 0, 65536, __FILE__, __LINE__);
  const int64_t mc = args.integer(args[1], "'mc'", 0, 65536, __FILE__, __LINE__);
  const int64_t nc = args.integer(args[2], "'nc'", 0, 65536, __FILE__, __LINE__);
  PT_CHECK(args, (kc == 0) == (mc == 0) && (mc == 0) == (nc == 0),
           "kc, mc and nc must be all positive, or all 0 for the automatic choice");
  PT_CHECK(args, pt::set_gemm_blocks(kc, mc, nc), "blocks out of range");
  return info.Env().Undefined();
}

// gemmPrecision(): 'fp32' or 'bf16', the precision matmul and the convolutions compute at.
Napi::Value GemmPrecision(const Napi::CallbackInfo& info) {
  Args args(info, "gemmPrecision", 0);
  return Napi::String::New(info.Env(), pt::gemm_precision() == pt::GemmPrecision::bf16 ? "bf16" : "fp32");
}

// setGemmPrecision('fp32' | 'bf16'): for the whole process (autocast flips it around its callback).
Napi::Value SetGemmPrecision(const Napi::CallbackInfo& info) {
  Args args(info, "setGemmPrecision", 1);
  const std::string name = args.string(args[0], "'precision'");
  PT_CHECK(args, name == "fp32" || name == "bf16", "unknown precision '" + name + "', expected fp32 or bf16");
  pt::set_gemm_precision(name == "bf16" ? pt::GemmPrecision::bf16 : pt::GemmPrecision::fp32);
  return info.Env().Undefined();
}

// gemmBf16Kernel(): what bf16 runs on with the fp32 kernel in use: 'amx-bf16', 'avx512bf16' or
// '<kernel>+emulated'.
Napi::Value GemmBf16Kernel(const Napi::CallbackInfo& info) {
  Args args(info, "gemmBf16Kernel", 0);
  return Napi::String::New(info.Env(), pt::gemm_bf16_kernel_name());
}

// gemmBf16Kernels(): the native bf16 kernels this CPU runs, best first, comma-separated ('' if none).
Napi::Value GemmBf16Kernels(const Napi::CallbackInfo& info) {
  Args args(info, "gemmBf16Kernels", 0);
  return Napi::String::New(info.Env(), pt::gemm_bf16_kernels());
}

// setGemmBf16Kernel(name): which native bf16 kernel bf16 mode runs on while the fp32 kernel is avx512.
Napi::Value SetGemmBf16Kernel(const Napi::CallbackInfo& info) {
  Args args(info, "setGemmBf16Kernel", 1);
  const std::string name = args.string(args[0], "'name'");
  PT_CHECK(args, pt::set_gemm_bf16_kernel(name.c_str()),
           "unknown or unsupported bf16 kernel '" + name + "' (this CPU runs: '" + pt::gemm_bf16_kernels() + "')");
  return info.Env().Undefined();
}

// numThreads(): the size of the thread pool (POLYTASK_NUM_THREADS or the hardware concurrency).
Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  Args args(info, "numThreads", 0);
  return Napi::Number::New(info.Env(), pt::num_threads());
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  add_kernel<MatmulArgs, matmul>(env, exports);
  exports.Set("gemmKernel", Napi::Function::New(env, GemmKernel, "gemmKernel"));
  exports.Set("gemmKernels", Napi::Function::New(env, GemmKernels, "gemmKernels"));
  exports.Set("setGemmKernel", Napi::Function::New(env, SetGemmKernel, "setGemmKernel"));
  exports.Set("gemmConfig", Napi::Function::New(env, GemmConfig, "gemmConfig"));
  exports.Set("setGemmBlocks", Napi::Function::New(env, SetGemmBlocks, "setGemmBlocks"));
  exports.Set("gemmPrecision", Napi::Function::New(env, GemmPrecision, "gemmPrecision"));
  exports.Set("setGemmPrecision", Napi::Function::New(env, SetGemmPrecision, "setGemmPrecision"));
  exports.Set("gemmBf16Kernel", Napi::Function::New(env, GemmBf16Kernel, "gemmBf16Kernel"));
  exports.Set("gemmBf16Kernels", Napi::Function::New(env, GemmBf16Kernels, "gemmBf16Kernels"));
  exports.Set("setGemmBf16Kernel", Napi::Function::New(env, SetGemmBf16Kernel, "setGemmBf16Kernel"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
}

}  // namespace ptb
