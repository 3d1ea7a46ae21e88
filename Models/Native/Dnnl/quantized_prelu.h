// ai.sphereface.dnnl.QLinearPRelu (quantized_prelu.cpp): uint8 PReLU over the last (channel) axis.
#pragma once
#include <cstdint>
#include <string>

#include "../Common/ort_kernel_support.h"

namespace sphereface::dnnl_ops {

class QuantizedPReluKernel {
 public:
  explicit QuantizedPReluKernel(const OrtKernelInfo* info);
  OrtStatusPtr ComputeV2(OrtKernelContext* context);

 private:
  std::string node_;
};

}  // namespace sphereface::dnnl_ops
