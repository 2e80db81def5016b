// N-API glue of the GEMM: matmul, and the micro-kernel / thread-count controls for tests and
// benchmarks.
#include "../kernels/gemm.h"
#include "../kernels/parallel.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// Elements a batched operand must have: (batch-1)*stride + rows*cols, or 0 when nothing is read.
int64_t operand_extent(const Args& args, int64_t batch, int64_t stride, int64_t rows, int64_t cols, const char* name) {
  const int64_t one = args.mul(rows, cols, name);
  if (batch == 0 || one == 0) return 0;
  return args.add(args.mul(batch - 1, stride, name), one, name);
}

// matmul(a, b, out, batch, m, n, k, transA, transB, aBatchStride, bBatchStride, accumulate)
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Args args(info, "matmul", 12);
  const int64_t batch = args.integer(3, "batch", 0, kMaxDim);
  const int64_t m = args.integer(4, "m", 0, kMaxDim);
  const int64_t n = args.integer(5, "n", 0, kMaxDim);
  const int64_t k = args.integer(6, "k", 0, kMaxDim);
  const bool trans_a = args.boolean(7, "transA");
  const bool trans_b = args.boolean(8, "transB");
  const int64_t a_stride = args.integer(9, "aBatchStride", 0, kMaxElements);
  const int64_t b_stride = args.integer(10, "bBatchStride", 0, kMaxElements);
  const bool accumulate = args.boolean(11, "accumulate");
  const int64_t need_a = operand_extent(args, batch, a_stride, m, k, "a");
  const int64_t need_b = operand_extent(args, batch, b_stride, k, n, "b");
  const int64_t need_out = args.mul(args.mul(batch, m, "out"), n, "out");
  F32 a = args.f32(0, "a");
  F32 b = args.f32(1, "b");
  F32 out = args.f32(2, "out");
  PT_CHECK(args, a.size >= need_a, "'a' has " + std::to_string(a.size) + " elements, expected at least " + std::to_string(need_a));
  PT_CHECK(args, b.size >= need_b, "'b' has " + std::to_string(b.size) + " elements, expected at least " + std::to_string(need_b));
  args.expect_size(out, need_out, "out");
  pt::sgemm_batched(a.data, b.data, out.data, batch, m, n, k, trans_a, trans_b, a_stride, b_stride, accumulate);
  return info.Env().Undefined();
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
  const std::string name = args.string(0, "name");
  PT_CHECK(args, pt::set_gemm_kernel(name.c_str()),
           "unknown or unsupported kernel '" + name + "', expected one of " + pt::gemm_kernels_available());
  return info.Env().Undefined();
}

// numThreads(): the size of the thread pool (POLYTASK_NUM_THREADS or the hardware concurrency).
Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  Args args(info, "numThreads", 0);
  return Napi::Number::New(info.Env(), pt::num_threads());
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
  exports.Set("gemmKernel", Napi::Function::New(env, GemmKernel, "gemmKernel"));
  exports.Set("gemmKernels", Napi::Function::New(env, GemmKernels, "gemmKernels"));
  exports.Set("setGemmKernel", Napi::Function::New(env, SetGemmKernel, "setGemmKernel"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
}

}  // namespace ptb
