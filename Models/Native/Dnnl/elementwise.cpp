#include "elementwise.h"

#include "conv_geometry.h"

namespace sphereface::dnnl_ops {

namespace {

// One channel block of one image: hw positions of B lanes.
template <int B>
__attribute__((always_inline)) inline void PReluResidualLanes(float* y, const float* slope, const float* residual, int64_t hw) {
  float s[B];
  for (int l = 0; l < B; ++l) s[l] = slope ? slope[l] : 1.0f;
  for (int64_t p = 0; p < hw; ++p) {
    float* v = y + p * B;
    const float* r = residual ? residual + p * B : nullptr;
    for (int l = 0; l < B; ++l) {
      float t = v[l] < 0.0f ? v[l] * s[l] : v[l];
      v[l] = r ? t + r[l] : t;
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void PReluResidualBlock(float* y, const float* slope, const float* residual, int64_t hw, int64_t block) {
  if (block == 16) PReluResidualLanes<16>(y, slope, residual, hw);
  else PReluResidualLanes<8>(y, slope, residual, hw);
}

}  // namespace

void PReluResidualBlocked(Ort::KernelContext& ctx, float* y, const float* slope, const float* residual,
                          int64_t n, int64_t c, int64_t hw, int64_t lanes) {
  const int64_t blocks = c / lanes;
  const int64_t plane = hw * lanes;
  ParallelChunks(ctx, static_cast<std::size_t>(n * blocks), 1, [&](std::size_t begin, std::size_t count) {
    for (std::size_t i = begin; i < begin + count; ++i) {
      const int64_t cb = static_cast<int64_t>(i) % blocks;
      PReluResidualBlock(y + i * plane, slope ? slope + cb * lanes : nullptr, residual ? residual + i * plane : nullptr, hw, lanes);
    }
  });
}

}  // namespace sphereface::dnnl_ops
