#include "elementwise.h"

#include "conv_geometry.h"

namespace sphereface::dnnl_ops {

namespace {

// One channel block of one image: hw positions of 16 lanes.
__attribute__((target_clones("avx512f", "avx2", "default")))
void PReluResidualBlock(float* y, const float* slope16, const float* residual, int64_t hw) {
  float s[kBlock];
  for (int l = 0; l < kBlock; ++l) s[l] = slope16 ? slope16[l] : 1.0f;
  for (int64_t p = 0; p < hw; ++p) {
    float* v = y + p * kBlock;
    const float* r = residual ? residual + p * kBlock : nullptr;
    for (int l = 0; l < kBlock; ++l) {
      float t = v[l] < 0.0f ? v[l] * s[l] : v[l];
      v[l] = r ? t + r[l] : t;
    }
  }
}

}  // namespace

void PReluResidualBlocked(Ort::KernelContext& ctx, float* y, const float* slope, const float* residual,
                          int64_t n, int64_t c, int64_t hw) {
  const int64_t blocks = c / kBlock;
  const int64_t block = hw * kBlock;
  ParallelChunks(ctx, static_cast<std::size_t>(n * blocks), 1, [&](std::size_t begin, std::size_t count) {
    for (std::size_t i = begin; i < begin + count; ++i) {
      const int64_t cb = static_cast<int64_t>(i) % blocks;
      PReluResidualBlock(y + i * block, slope ? slope + cb * kBlock : nullptr, residual ? residual + i * block : nullptr, hw);
    }
  });
}

}  // namespace sphereface::dnnl_ops
