// ONNX Runtime custom-op library with the A-Softmax margin function (see margin_math.h):
//   domain "ai.sphereface", version 1
//   Psi(cos_theta) -> psi                     attribute m (int, 1..8)
//   PsiGrad(cos_theta, dpsi) -> dcos_theta    attribute m (int, 1..8); inputs of equal shape
// Entry point RegisterCustomOps(OrtSessionOptions*, const OrtApiBase*), the name ORT's
// RegisterCustomOpsLibrary looks up. The library takes the API table from its host and does not link
// against onnxruntime. Kernels are stateless apart from the immutable m and its thresholds, so one kernel
// may run on several threads at once; large tensors are split over ORT's intra-op thread pool.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../Common/ort_kernel_support.h"
#include "margin_math.h"

namespace sphereface {
namespace {

constexpr const char* kDomain = "ai.sphereface";
constexpr std::size_t kChunk = 1 << 15;  // elements per thread-pool task

using PsiFn = void (*)(const float*, float*, std::size_t, const float*);
using PsiGradFn = void (*)(const float*, const float*, float*, std::size_t, const float*);

template <int... Ms>
struct Dispatch {
  static PsiFn Forward(int m) {
    PsiFn f = nullptr;
    ((m == Ms ? (f = &PsiRange<Ms>, 0) : 0), ...);
    return f;
  }
  static PsiGradFn Backward(int m) {
    PsiGradFn f = nullptr;
    ((m == Ms ? (f = &PsiGradRange<Ms>, 0) : 0), ...);
    return f;
  }
};
using Margins = Dispatch<1, 2, 3, 4, 5, 6, 7, 8>;

// Reads and validates attribute m; errors name the op, the node and the accepted range.
OrtStatus* ReadMargin(const OrtApi& api, const OrtKernelInfo* info, const char* op, int& m) {
  const std::string node = NodeName(info);
  int64_t value = 0;
  if (OrtStatus* s = api.KernelInfoGetAttribute_int64(info, "m", &value)) {
    api.ReleaseStatus(s);
    return api.CreateStatus(ORT_INVALID_ARGUMENT,
        (std::string(kDomain) + "." + op + " node '" + node + "': integer attribute 'm' is required").c_str());
  }
  if (value < kMinMargin || value > kMaxMargin) {
    return api.CreateStatus(ORT_INVALID_ARGUMENT,
        (std::string(kDomain) + "." + op + " node '" + node + "': attribute m = " + std::to_string(value) +
         " is not supported; expected an integer in [" + std::to_string(kMinMargin) + ", " +
         std::to_string(kMaxMargin) + "]").c_str());
  }
  m = static_cast<int>(value);
  return nullptr;
}

struct PsiKernel {
  PsiKernel(int m) : thresholds(m), fn(Margins::Forward(m)) {}

  OrtStatusPtr ComputeV2(OrtKernelContext* context) {
    return GuardStatus([&]() -> OrtStatusPtr {
      Ort::KernelContext ctx(context);
      auto input = ctx.GetInput(0);
      auto shape = input.GetTensorTypeAndShapeInfo().GetShape();
      const std::size_t n = input.GetTensorTypeAndShapeInfo().GetElementCount();
      auto output = ctx.GetOutput(0, shape);
      const float* x = input.GetTensorData<float>();
      float* y = output.GetTensorMutableData<float>();
      ParallelChunks(ctx, n, kChunk, [&](std::size_t begin, std::size_t count) { fn(x + begin, y + begin, count, thresholds.value); });
      return nullptr;
    });
  }

  MarginThresholds thresholds;
  PsiFn fn;
};

struct PsiGradKernel {
  PsiGradKernel(int m) : thresholds(m), fn(Margins::Backward(m)) {}

  OrtStatusPtr ComputeV2(OrtKernelContext* context) {
    return GuardStatus([&]() -> OrtStatusPtr {
      Ort::KernelContext ctx(context);
      auto cos_theta = ctx.GetInput(0);
      auto upstream = ctx.GetInput(1);
      auto shape = cos_theta.GetTensorTypeAndShapeInfo().GetShape();
      if (upstream.GetTensorTypeAndShapeInfo().GetShape() != shape)
        return Ort::GetApi().CreateStatus(ORT_INVALID_ARGUMENT,
            "ai.sphereface.PsiGrad: cos_theta and dpsi must have the same shape (no broadcasting)");
      const std::size_t n = cos_theta.GetTensorTypeAndShapeInfo().GetElementCount();
      auto output = ctx.GetOutput(0, shape);
      const float* x = cos_theta.GetTensorData<float>();
      const float* dy = upstream.GetTensorData<float>();
      float* dx = output.GetTensorMutableData<float>();
      ParallelChunks(ctx, n, kChunk, [&](std::size_t begin, std::size_t count) {
        fn(x + begin, dy + begin, dx + begin, count, thresholds.value);
      });
      return nullptr;
    });
  }

  MarginThresholds thresholds;
  PsiGradFn fn;
};

template <typename Kernel, std::size_t Inputs>
struct MarginOp : Ort::CustomOpBase<MarginOp<Kernel, Inputs>, Kernel, true> {
  explicit MarginOp(const char* name) : name_(name) {}

  OrtStatusPtr CreateKernelV2(const OrtApi& api, const OrtKernelInfo* info, void** kernel) const {
    int m = 0;
    if (OrtStatus* s = ReadMargin(api, info, name_, m)) return s;
    try {
      *kernel = new Kernel(m);
      return nullptr;
    } catch (const std::exception& e) {
      return api.CreateStatus(ORT_FAIL, e.what());
    }
  }

  // Output 0 has the shape of input 0.
  static OrtStatusPtr InferOutputShape(Ort::ShapeInferContext& ctx) {
    return ctx.SetOutputShape(0, ctx.GetInputShape(0)).release();
  }

  const char* GetName() const { return name_; }
  std::size_t GetInputTypeCount() const { return Inputs; }
  ONNXTensorElementDataType GetInputType(std::size_t) const { return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }
  std::size_t GetOutputTypeCount() const { return 1; }
  ONNXTensorElementDataType GetOutputType(std::size_t) const { return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT; }

 private:
  const char* name_;
};

const MarginOp<PsiKernel, 1> kPsiOp{"Psi"};
const MarginOp<PsiGradKernel, 2> kPsiGradOp{"PsiGrad"};

// A domain must outlive every session that uses it: the registered domains are kept until unload.
std::mutex g_domains_mutex;
std::vector<Ort::CustomOpDomain> g_domains;

}  // namespace
}  // namespace sphereface

extern "C" __attribute__((visibility("default"))) OrtStatus* ORT_API_CALL RegisterCustomOps(OrtSessionOptions* options,
                                                                                            const OrtApiBase* api_base) {
  OrtStatus* too_old = nullptr;
  const OrtApi* api = sphereface::HostApi(api_base, "libsphereface_margin", &too_old);
  if (api == nullptr) return too_old;
  Ort::InitApi(api);
  try {
    Ort::CustomOpDomain domain{sphereface::kDomain};
    domain.Add(&sphereface::kPsiOp);
    domain.Add(&sphereface::kPsiGradOp);
    Ort::UnownedSessionOptions(options).Add(domain);
    std::lock_guard<std::mutex> lock(sphereface::g_domains_mutex);
    sphereface::g_domains.push_back(std::move(domain));
    return nullptr;
  } catch (const Ort::Exception& e) {
    return api->CreateStatus(e.GetOrtErrorCode(), e.what());
  }
}
