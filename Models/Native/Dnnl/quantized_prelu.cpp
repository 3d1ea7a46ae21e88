// ai.sphereface.dnnl.QLinearPRelu: PReLU on uint8 activations whose channel is the last axis (NHWC), in one pass.
//
//   QLinearPRelu(X, x_scale, x_zero_point, slope, y_scale, y_zero_point) -> Y
//     t = (X - x_zero_point) · x_scale;  u = max(t, slope[c] · t);
//     Y = saturate_uint8(round_half_even(u / y_scale) + y_zero_point)
//
// It computes exactly what the QDQ form DequantizeLinear → Mul(slope) → Max → QuantizeLinear computes in float32
// (one rounding per Mul, a division in QuantizeLinear as ONNX specifies it), so the Embedder's int8 rewrite
// (Inference/GraphRewrites/QuantizedNhwcGraph.cs) keeps the model file's results. Why a kernel: ONNX Runtime has no
// int8 PRelu, and the float detour (DequantizeLinear twice, Mul, Max, QuantizeLinear) was half of SF-20's int8 run.
#include <cmath>

#include "quantized_prelu.h"

namespace sphereface::dnnl_ops {

namespace {

// Round half to even for |v| < 2^22 under the default rounding mode, in plain float arithmetic so it vectorises.
inline float RoundHalfEven(float v) {
  constexpr float kMagic = 12582912.0f;  // 1.5 · 2^23
  return (v + kMagic) - kMagic;
}

// `pixels` consecutive NHWC pixels of `c` channels.
__attribute__((target_clones("avx512f", "avx2", "default")))
void QuantizedPReluPixels(const uint8_t* x, uint8_t* y, int64_t pixels, int64_t c, const float* slope, float x_scale,
                          int32_t x_zero, float y_scale, int32_t y_zero) {
  // Clamping u / y_scale to [−y_zero − 1, 256 − y_zero] before rounding changes no saturated result and keeps the
  // rounding trick in range.
  const float low = static_cast<float>(-y_zero - 1), high = static_cast<float>(256 - y_zero);
  for (int64_t p = 0; p < pixels; ++p) {
    const uint8_t* xp = x + p * c;
    uint8_t* yp = y + p * c;
    for (int64_t k = 0; k < c; ++k) {
      const float t = static_cast<float>(static_cast<int32_t>(xp[k]) - x_zero) * x_scale;
      const float s = slope[k] * t;
      const float u = t > s ? t : s;
      float q = u / y_scale;
      q = q < low ? low : (q > high ? high : q);
      float r = RoundHalfEven(q) + static_cast<float>(y_zero);
      r = r < 0.0f ? 0.0f : (r > 255.0f ? 255.0f : r);
      yp[k] = static_cast<uint8_t>(static_cast<int32_t>(r));
    }
  }
}

template <typename T>
T Scalar(Ort::KernelContext& ctx, std::size_t index, const std::string& node, const char* what) {
  auto value = ctx.GetInput(index);
  if (value == nullptr || value.GetTensorTypeAndShapeInfo().GetElementCount() != 1)
    throw InvalidArgument("ai.sphereface.dnnl.QLinearPRelu node '" + node + "': " + what + " must be one value");
  return value.GetTensorData<T>()[0];
}

}  // namespace

QuantizedPReluKernel::QuantizedPReluKernel(const OrtKernelInfo* info) : node_(NodeName(info)) {}

OrtStatusPtr QuantizedPReluKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    auto x = ctx.GetInput(0);
    auto shape = x.GetTensorTypeAndShapeInfo().GetShape();
    if (shape.empty()) throw InvalidArgument("ai.sphereface.dnnl.QLinearPRelu node '" + node_ + "': X must have a channel axis");
    const int64_t c = shape.back();
    auto slope = ctx.GetInput(3);
    if (slope.GetTensorTypeAndShapeInfo().GetElementCount() != static_cast<std::size_t>(c))
      throw InvalidArgument("ai.sphereface.dnnl.QLinearPRelu node '" + node_ + "': slope must have " + std::to_string(c) +
                            " values (X's last axis)");
    const float x_scale = Scalar<float>(ctx, 1, node_, "x_scale");
    const int32_t x_zero = Scalar<uint8_t>(ctx, 2, node_, "x_zero_point");
    const float y_scale = Scalar<float>(ctx, 4, node_, "y_scale");
    const int32_t y_zero = Scalar<uint8_t>(ctx, 5, node_, "y_zero_point");
    if (!(x_scale > 0.0f) || !(y_scale > 0.0f) || !std::isfinite(x_scale) || !std::isfinite(y_scale))
      throw InvalidArgument("ai.sphereface.dnnl.QLinearPRelu node '" + node_ + "': scales must be finite and positive");
    auto y = ctx.GetOutput(0, shape);
    const int64_t pixels = c == 0 ? 0 : static_cast<int64_t>(x.GetTensorTypeAndShapeInfo().GetElementCount()) / c;
    const uint8_t* xd = x.GetTensorData<uint8_t>();
    uint8_t* yd = y.GetTensorMutableData<uint8_t>();
    const float* s = slope.GetTensorData<float>();
    // About 64 KiB of activations per task: enough work to amortise the hand-off, small enough to balance.
    const std::size_t chunk = static_cast<std::size_t>(std::max<int64_t>(1, 65536 / std::max<int64_t>(c, 1)));
    ParallelChunks(ctx, static_cast<std::size_t>(pixels), chunk, [&](std::size_t begin, std::size_t count) {
      QuantizedPReluPixels(xd + begin * c, yd + begin * c, static_cast<int64_t>(count), c, s, x_scale, x_zero, y_scale, y_zero);
    });
    return nullptr;
  });
}

}  // namespace sphereface::dnnl_ops
