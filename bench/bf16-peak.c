/*
 * The instruction ceiling of bf16 on an AVX512-BF16 CPU: the peak FLOP rate of one core running
 * only independent VFMADD231PS zmm (fp32: 16 multiply-adds, 32 FLOP an instruction) against only
 * independent VDPBF16PS zmm (bf16: 32 products summed in pairs into 16 fp32 lanes, 64 FLOP), 24
 * accumulators each (enough to cover either instruction's latency at two a cycle). Times are this
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID), best of 7, so other jobs on the machine slow it
 * little. The ratio is the most bf16 can gain over fp32 in a GEMM's inner loop on this CPU; the
 * README's Performance section uses it for the Amdahl bound of a whole training step. Not part of
 * the addon; a CPU without AVX512-BF16 stops with SIGILL.
 *
 * usage: gcc -O2 -mavx512f -mavx512bf16 bench/bf16-peak.c -o /tmp/bf16-peak && /tmp/bf16-peak
 *
 * Example output (the 2-core AMD EPYC, family 26, of 2026-12-05):
 *   peak GFLOP/s, one core, best of 7: fp32 FMA 244.0, bf16 VDPBF16PS 489.8, ratio 2.01
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

enum { kAcc = 24, kReps = 7 };
static const long kIters = 20000000;

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* kIters rounds of kAcc independent fp32 FMAs; returns a sum so that nothing is optimised away. */
__attribute__((noinline)) static float fma_loop(long iters) {
  __m512 acc[kAcc];
  __m512 a = _mm512_set1_ps(1.0001f), b = _mm512_set1_ps(0.9999f);
  for (int i = 0; i < kAcc; i++) acc[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 24
    for (int i = 0; i < kAcc; i++) acc[i] = _mm512_fmadd_ps(a, b, acc[i]);
    __asm__ volatile("" : "+v"(a));
  }
  __m512 s = acc[0];
  for (int i = 1; i < kAcc; i++) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

/* The same with VDPBF16PS (operands: bf16 pairs of 1.0). */
__attribute__((noinline)) static float dpbf16_loop(long iters) {
  __m512 acc[kAcc];
  __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80), b = (__m512bh)_mm512_set1_epi32(0x3f803f80);
  for (int i = 0; i < kAcc; i++) acc[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 24
    for (int i = 0; i < kAcc; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    __asm__ volatile("" : "+v"(a));
  }
  __m512 s = acc[0];
  for (int i = 1; i < kAcc; i++) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

int main(void) {
  double best_fp32 = 0, best_bf16 = 0;
  float sink = 0;
  for (int r = 0; r < kReps; r++) {
    double t = cpu_seconds();
    sink += fma_loop(kIters);
    double g = (double)kIters * kAcc * 32 / (cpu_seconds() - t) / 1e9;
    if (g > best_fp32) best_fp32 = g;
    t = cpu_seconds();
    sink += dpbf16_loop(kIters);
    g = (double)kIters * kAcc * 64 / (cpu_seconds() - t) / 1e9;
    if (g > best_bf16) best_bf16 = g;
  }
  printf("peak GFLOP/s, one core, best of %d: fp32 FMA %.1f, bf16 VDPBF16PS %.1f, ratio %.2f (checksum %g)\n", kReps,
         best_fp32, best_bf16, best_bf16 / best_fp32, (double)sink);
  return 0;
}
