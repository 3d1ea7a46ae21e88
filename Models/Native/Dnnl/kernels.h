// The kernels of domain "ai.sphereface.dnnl" (version 1); docs/kernels.md is their contract.
//
//   Conv(X, W, B?, slope?, residual?) -> Y
//       Y = prelu(conv(X, W) + B, slope) + residual, each post-op only when its input is given.
//       X: [N,C,H,W] or [N,C/16,H,W,16]; W: [M,C,kh,kw]; B, slope: M values; Y and residual: [N,M/16,OH,OW,16].
//       Attributes: strides, pads, algorithm (direct | winograd | auto), constant_weights (0 | 1: W never
//       changes, so its reordered copy is kept).
//   ConvGradInput(dY, W) -> dX          dX = ∂(Σ dY·conv(X, W))/∂X, in the layout of attribute input_shape.
//   ConvGradWeight(X, dY) -> dW, dB?    dW [M,C,kh,kw] (attribute kernel_shape), dB [M] when asked for.
//   PRelu(X, slope) -> Y                Y = X where X >= 0, slope[c]·X elsewhere; X NCHW or nChw16c, slope C values.
//   PReluGrad(X, slope, dY) -> dX, dSlope   dX = dY where X > 0, slope[c]·dY elsewhere; dSlope[c] = Σ dY·min(X, 0).
//   Gemm(A, B, C?) -> Y                 ONNX Gemm (transA, transB, alpha, beta; C broadcast to [M,N]) on oneDNN matmul.
//
// Every kernel caches its primitives per input shape, runs oneDNN with the session's thread count, and reports
// bad shapes as ORT_INVALID_ARGUMENT naming the node.
#pragma once
#include <memory>

#include "conv_geometry.h"
#include "dnnl_context.h"
#include "plan_cache.h"

namespace sphereface::dnnl_ops {

class ConvForwardKernel {
 public:
  explicit ConvForwardKernel(const OrtKernelInfo* info);
  ~ConvForwardKernel();
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

  struct Plan;

 private:
  ConvAttributes attributes_;
  int threads_;
  bool constant_weights_;
  PlanCache<Plan> plans_;
};

class ConvGradInputKernel {
 public:
  explicit ConvGradInputKernel(const OrtKernelInfo* info);
  ~ConvGradInputKernel();
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

  struct Plan;

 private:
  ConvAttributes attributes_;
  std::vector<int64_t> input_shape_;
  int threads_;
  PlanCache<Plan> plans_;
};

class ConvGradWeightKernel {
 public:
  explicit ConvGradWeightKernel(const OrtKernelInfo* info);
  ~ConvGradWeightKernel();
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

  struct Plan;

 private:
  ConvAttributes attributes_;
  int64_t kh_, kw_;
  bool with_bias_;
  int threads_;
  PlanCache<Plan> plans_;
};

class PReluKernel {
 public:
  explicit PReluKernel(const OrtKernelInfo* info);
  ~PReluKernel();
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

  struct Plan;

 private:
  std::string node_;
  int threads_;
  PlanCache<Plan> plans_;
};

class PReluGradKernel {
 public:
  explicit PReluGradKernel(const OrtKernelInfo* info);
  ~PReluGradKernel();
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

  struct Plan;

 private:
  std::string node_;
  int threads_;
  PlanCache<Plan> plans_;
};

class GemmKernel {
 public:
  explicit GemmKernel(const OrtKernelInfo* info);
  ~GemmKernel();
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

  struct Plan;

 private:
  std::string node_;
  int threads_;
  bool trans_a_, trans_b_;
  float alpha_, beta_;
  PlanCache<Plan> plans_;
};

// The thread count a kernel's session asked for (kThreadsConfigKey), 0 when unset.
int SessionThreads(const OrtKernelInfo* info);

// Float tensor data and shape of input `index`; null data when an optional input is absent.
struct InputTensor {
  const float* data = nullptr;
  std::vector<int64_t> shape;
  int64_t Elements() const;
};
InputTensor ReadInput(Ort::KernelContext& ctx, std::size_t index);

}  // namespace sphereface::dnnl_ops
