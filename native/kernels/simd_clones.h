// PT_SIMD_CLONES: compiles one function three times, for x86-64-v4 (AVX-512), x86-64-v3 (AVX2)
// and the baseline, and lets the loader pick the best the CPU has (GCC's target_clones, an ifunc).
// For loops of transcendental math (fast_math.h's exp and GELU, softmax, layer norm, Adam) and a
// few convolution loops (depthwise dot products, bias-gradient sums) that the baseline build runs
// on 4-float SSE2 vectors or in scalar doubles: on this EPYC a GELU over
// 4M floats takes 44-60 ms on the baseline and 2 ms on AVX-512. Put it on the function that holds
// the loop itself (a lambda passed to parallel_for is a function of its own and is not cloned).
// The addon is built with -std=c++17, which keeps -ffp-contract=off: no clone fuses a multiply and
// an add, so every clone rounds as the baseline does. Elsewhere (other compilers, non-x86 targets,
// C libraries without ifuncs) the macro is empty.
//
// Example:
//   PT_SIMD_CLONES void gelu_span(const float* x, float* out, int64_t n);
#pragma once

#include <cstddef>  // defines __GLIBC__ where the C library is glibc (ifuncs need it; musl has none)

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define PT_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PT_SIMD_CLONES
#endif
