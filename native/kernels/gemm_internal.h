// Internals shared by the GEMM driver and its dispatcher.
#pragma once

#include "gemm_kernel.h"

namespace pt {

// The micro-kernel currently selected (see gemm_dispatch.cpp).
const GemmKernel& active_gemm_kernel();

}  // namespace pt
