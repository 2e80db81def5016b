// Internals shared by the GEMM driver and its dispatcher.
#pragma once

#include "gemm_kernel.h"

namespace pt {

// The micro-kernel currently selected (see gemm_dispatch.cpp), at the current precision.
const GemmKernel& active_gemm_kernel();

// The fp32 micro-kernel currently selected, whatever the precision.
const GemmKernel& fp32_gemm_kernel();

}  // namespace pt
