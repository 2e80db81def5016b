// Each binding file adds its kernels to the module's exports.
#pragma once

#include <napi.h>

namespace ptb {

void register_gemm(Napi::Env env, Napi::Object exports);
void register_elementwise(Napi::Env env, Napi::Object exports);
void register_reduce(Napi::Env env, Napi::Object exports);
void register_movement(Napi::Env env, Napi::Object exports);
void register_conv(Napi::Env env, Napi::Object exports);
void register_pool(Napi::Env env, Napi::Object exports);
void register_softmax(Napi::Env env, Napi::Object exports);
void register_norm(Napi::Env env, Napi::Object exports);
void register_optim(Napi::Env env, Napi::Object exports);
void register_memory(Napi::Env env, Napi::Object exports);

}  // namespace ptb
