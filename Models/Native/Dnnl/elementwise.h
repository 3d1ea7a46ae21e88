// Element-wise passes over blocked activations (nChw8c or nChw16c), split over ONNX Runtime's intra-op thread pool.
#pragma once
#include <cstdint>

#include "../Common/ort_kernel_support.h"

namespace sphereface::dnnl_ops {

// In place on y [N, C/lanes, hw, lanes] (lanes 8 or 16): y = prelu(y, slope) (slope: C values, or null for none),
// then y += residual (same layout, or null). PReLU as ONNX defines it: y for y >= 0, slope·y otherwise.
void PReluResidualBlocked(Ort::KernelContext& ctx, float* y, const float* slope, const float* residual,
                          int64_t n, int64_t c, int64_t hw, int64_t lanes);

}  // namespace sphereface::dnnl_ops
