// ONNX Runtime custom-op library with oneDNN kernels for the SphereFace nets: domain "ai.sphereface.dnnl",
// version 1 (contract: kernels.h and docs/kernels.md). Entry point RegisterCustomOps(OrtSessionOptions*,
// const OrtApiBase*), as for libsphereface_margin; the library links oneDNN, not onnxruntime.
#include <mutex>
#include <vector>

#include "kernels.h"
#include "quantized_prelu.h"

namespace sphereface::dnnl_ops {

int SessionThreads(const OrtKernelInfo* info) {
  const std::string value = ConfigEntry(info, kThreadsConfigKey);
  if (value.empty()) return 0;
  try {
    return std::max(0, std::stoi(value));
  } catch (const std::exception&) {
    throw InvalidArgument(std::string("session config '") + kThreadsConfigKey + "' = '" + value + "' is not an integer");
  }
}

int64_t InputTensor::Elements() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

InputTensor ReadInput(Ort::KernelContext& ctx, std::size_t index) {
  InputTensor t;
  if (index >= ctx.GetInputCount()) return t;
  auto value = ctx.GetInput(index);
  if (value == nullptr) return t;
  auto info = value.GetTensorTypeAndShapeInfo();
  if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) throw InvalidArgument("input " + std::to_string(index) + " must be float32");
  t.shape = info.GetShape();
  t.data = value.GetTensorData<float>();
  return t;
}

namespace {

constexpr const char* kDomain = "ai.sphereface.dnnl";

// One custom op: `Inputs` float inputs of which the first `Required` are required, likewise for outputs.
template <typename Kernel, std::size_t Inputs, std::size_t Required, std::size_t Outputs, std::size_t RequiredOutputs>
struct DnnlOp : Ort::CustomOpBase<DnnlOp<Kernel, Inputs, Required, Outputs, RequiredOutputs>, Kernel, true> {
  explicit DnnlOp(const char* name) : name_(name) {}

  OrtStatusPtr CreateKernelV2(const OrtApi& api, const OrtKernelInfo* info, void** kernel) const {
    return GuardStatus([&]() -> OrtStatusPtr {
      (void)api;
      *kernel = new Kernel(info);
      return nullptr;
    });
  }

  const char* GetName() const { return name_; }
  std::size_t GetInputTypeCount() const { return Inputs; }
  ONNXTensorElementDataType GetInputType(std::size_t) const { return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }
  OrtCustomOpInputOutputCharacteristic GetInputCharacteristic(std::size_t i) const {
    return i < Required ? INPUT_OUTPUT_REQUIRED : INPUT_OUTPUT_OPTIONAL;
  }
  std::size_t GetOutputTypeCount() const { return Outputs; }
  ONNXTensorElementDataType GetOutputType(std::size_t) const { return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }
  OrtCustomOpInputOutputCharacteristic GetOutputCharacteristic(std::size_t i) const {
    return i < RequiredOutputs ? INPUT_OUTPUT_REQUIRED : INPUT_OUTPUT_OPTIONAL;
  }

 private:
  const char* name_;
};

// QLinearPRelu(X: uint8, x_scale: float, x_zero_point: uint8, slope: float, y_scale: float, y_zero_point: uint8) -> uint8.
struct QuantizedPReluOp : Ort::CustomOpBase<QuantizedPReluOp, QuantizedPReluKernel, true> {
  OrtStatusPtr CreateKernelV2(const OrtApi&, const OrtKernelInfo* info, void** kernel) const {
    return GuardStatus([&]() -> OrtStatusPtr {
      *kernel = new QuantizedPReluKernel(info);
      return nullptr;
    });
  }
  const char* GetName() const { return "QLinearPRelu"; }
  std::size_t GetInputTypeCount() const { return 6; }
  ONNXTensorElementDataType GetInputType(std::size_t i) const {
    return i == 0 || i == 2 || i == 5 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  }
  std::size_t GetOutputTypeCount() const { return 1; }
  ONNXTensorElementDataType GetOutputType(std::size_t) const { return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8; }
};

const DnnlOp<ConvForwardKernel, 5, 2, 1, 1> kConv{"Conv"};
const DnnlOp<ConvGradInputKernel, 2, 2, 1, 1> kConvGradInput{"ConvGradInput"};
const DnnlOp<ConvGradWeightKernel, 2, 2, 2, 1> kConvGradWeight{"ConvGradWeight"};
const DnnlOp<PReluKernel, 2, 2, 1, 1> kPRelu{"PRelu"};
const DnnlOp<PReluGradKernel, 3, 3, 2, 2> kPReluGrad{"PReluGrad"};
const DnnlOp<GemmKernel, 3, 2, 1, 1> kGemm{"Gemm"};
const QuantizedPReluOp kQuantizedPRelu;

// A domain must outlive every session that uses it: the registered domains are kept until unload.
std::mutex g_domains_mutex;
std::vector<Ort::CustomOpDomain> g_domains;

}  // namespace
}  // namespace sphereface::dnnl_ops

extern "C" __attribute__((visibility("default"))) OrtStatus* ORT_API_CALL RegisterCustomOps(OrtSessionOptions* options,
                                                                                            const OrtApiBase* api_base) {
  namespace ops = sphereface::dnnl_ops;
  OrtStatus* too_old = nullptr;
  const OrtApi* api = sphereface::HostApi(api_base, "libsphereface_dnnl", &too_old);
  if (api == nullptr) return too_old;
  Ort::InitApi(api);
  try {
    Ort::CustomOpDomain domain{ops::kDomain};
    domain.Add(&ops::kConv);
    domain.Add(&ops::kConvGradInput);
    domain.Add(&ops::kConvGradWeight);
    domain.Add(&ops::kPRelu);
    domain.Add(&ops::kPReluGrad);
    domain.Add(&ops::kGemm);
    domain.Add(&ops::kQuantizedPRelu);
    Ort::UnownedSessionOptions(options).Add(domain);
    std::lock_guard<std::mutex> lock(ops::g_domains_mutex);
    ops::g_domains.push_back(std::move(domain));
    return nullptr;
  } catch (const Ort::Exception& e) {
    return api->CreateStatus(e.GetOrtErrorCode(), e.what());
  } catch (const std::exception& e) {
    return api->CreateStatus(ORT_FAIL, e.what());
  }
}
