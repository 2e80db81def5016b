// Internals shared by the GEMM driver and its dispatcher.
#pragma once

#include <cstdint>

#include "cpu_caches.h"
#include "gemm_kernel.h"

namespace pt {

// The micro-kernel currently selected (see gemm_dispatch.cpp), at the current precision.
const GemmKernel& active_gemm_kernel();

// Cache blocking of the driver (gemm_driver.cpp): k steps per packed panel, rows of A per packed
// block, columns of B per packed panel; mc a multiple of MR and nc of NR. The driver evens the
// automatic blocks out over each problem (k = 512 with KC = 272 runs two panels of 256, not
// 272 + 240), KC in multiples of the kernel's k_unit; `exact` blocks (fixed by the user) are used
// as given, so the tests reach every edge.
struct GemmBlocks {
  int64_t kc, mc, nc;
  bool exact;
};

// The blocks the cache sizes call for with an MR x NR micro-kernel.
GemmBlocks gemm_blocks_for(int mr, int nr, const CpuCaches& caches);

// The blocks in use: POLYTASK_GEMM_BLOCKS or set_gemm_blocks when given (mc, nc rounded up to
// whole tiles), else gemm_blocks_for(mr, nr, cpu_caches()).
GemmBlocks gemm_blocks(int mr, int nr);

// The fp32 micro-kernel currently selected, whatever the precision.
const GemmKernel& fp32_gemm_kernel();

}  // namespace pt
