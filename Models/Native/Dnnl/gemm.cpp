// ai.sphereface.dnnl.Gemm: ONNX Gemm (Y = alpha·A'·B' + beta·C, A' = transA ? Aᵀ : A, likewise B', C broadcast
// unidirectionally to [M,N]) on oneDNN's matmul (kernels.h).
#include <cstring>

#include "kernels.h"

namespace sphereface::dnnl_ops {

struct GemmKernel::Plan {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul primitive;
  bool bias = false;        // C is an [N] row added by the primitive (beta = 1)
  bool accumulate = false;  // C is broadcast into Y first, then Y = alpha·A'B' + beta·Y (sum post-op)
};

namespace {

// How C enters: none, a row bias the primitive adds, or a copy into Y that the primitive accumulates onto.
enum class CForm { None, Bias, Accumulate };

std::unique_ptr<GemmKernel::Plan> MakePlan(int64_t m, int64_t k, int64_t n, bool trans_a, bool trans_b, float alpha, float beta, CForm c) {
  using tag = dnnl::memory::format_tag;
  const auto f32 = dnnl::memory::data_type::f32;
  dnnl::memory::desc a({m, k}, f32, trans_a ? tag::ba : tag::ab);
  dnnl::memory::desc b({k, n}, f32, trans_b ? tag::ba : tag::ab);
  dnnl::memory::desc y({m, n}, f32, tag::ab);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  if (c == CForm::Accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(beta);
    attr.set_post_ops(ops);
  }
  auto plan = std::make_unique<GemmKernel::Plan>();
  auto desc = c == CForm::Bias ? dnnl::matmul::desc(a, b, dnnl::memory::desc({1, n}, f32, tag::ab), y) : dnnl::matmul::desc(a, b, y);
  plan->pd = dnnl::matmul::primitive_desc(desc, attr, Engine());
  plan->primitive = dnnl::matmul(plan->pd);
  plan->bias = c == CForm::Bias;
  plan->accumulate = c == CForm::Accumulate;
  return plan;
}

// Y[M,N] = C broadcast unidirectionally (C is [], [N], [1,N], [M,1] or [M,N]).
void BroadcastInto(float* y, const InputTensor& c, int64_t m, int64_t n) {
  const auto& s = c.shape;
  const int64_t rows = s.size() == 2 ? s[0] : 1, cols = s.empty() ? 1 : s.back();
  for (int64_t i = 0; i < m; ++i) {
    const float* src = c.data + (rows == 1 ? 0 : i) * cols;
    float* dst = y + i * n;
    if (cols == n) std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
    else std::fill(dst, dst + n, src[0]);
  }
}

}  // namespace

GemmKernel::GemmKernel(const OrtKernelInfo* info)
    : node_(NodeName(info)),
      threads_(SessionThreads(info)),
      trans_a_(IntAttribute(info, "transA", 0) != 0),
      trans_b_(IntAttribute(info, "transB", 0) != 0) {
  float alpha = 1.0f, beta = 1.0f;
  if (OrtStatus* s = Ort::GetApi().KernelInfoGetAttribute_float(info, "alpha", &alpha)) Ort::GetApi().ReleaseStatus(s);
  if (OrtStatus* s = Ort::GetApi().KernelInfoGetAttribute_float(info, "beta", &beta)) Ort::GetApi().ReleaseStatus(s);
  alpha_ = alpha;
  beta_ = beta;
}
GemmKernel::~GemmKernel() = default;

OrtStatusPtr GemmKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    const InputTensor at = ReadInput(ctx, 0), bt = ReadInput(ctx, 1), ct = ReadInput(ctx, 2);
    auto fail = [&](const std::string& message) { throw InvalidArgument("ai.sphereface.dnnl.Gemm node '" + node_ + "': " + message); };
    if (at.shape.size() != 2 || bt.shape.size() != 2) fail("A and B must be 2-D");
    const int64_t m = trans_a_ ? at.shape[1] : at.shape[0], k = trans_a_ ? at.shape[0] : at.shape[1];
    const int64_t kb = trans_b_ ? bt.shape[1] : bt.shape[0], n = trans_b_ ? bt.shape[0] : bt.shape[1];
    if (k != kb) fail("inner dimensions differ (" + std::to_string(k) + " vs " + std::to_string(kb) + ")");
    CForm form = CForm::None;
    if (ct.data && beta_ != 0.0f) {
      const auto& s = ct.shape;
      const bool ok = s.size() <= 2 && (s.empty() || s.back() == 1 || s.back() == n) && (s.size() < 2 || s[0] == 1 || s[0] == m);
      if (!ok) fail("C does not broadcast to [" + std::to_string(m) + "," + std::to_string(n) + "]");
      const bool row = (s.size() == 1 && s[0] == n) || (s.size() == 2 && s[0] == 1 && s[1] == n);
      // oneDNN scales the bias with the output scale, so the primitive adds C as a bias only when alpha is 1.
      form = row && beta_ == 1.0f && alpha_ == 1.0f ? CForm::Bias : CForm::Accumulate;
    }
    Plan& plan = plans_.Get({m, k, n, static_cast<int64_t>(form)}, [&] {
      auto p = MakePlan(m, k, n, trans_a_, trans_b_, alpha_, beta_, form);
      if (IsReference(p->pd)) RefuseReference("Gemm", node_, std::to_string(m) + "x" + std::to_string(k) + " · " + std::to_string(k) + "x" + std::to_string(n), "matrices");
      RecordImplementation("Gemm", node_, p->pd);
      return p;
    });
    auto out = ctx.GetOutput(0, {m, n});
    float* y = out.GetTensorMutableData<float>();
    if (m == 0 || n == 0) return nullptr;
    if (plan.accumulate) BroadcastInto(y, ct, m, n);
    const auto& eng = Engine();
    auto& stream = ThreadStream();
    Scratch scratch(context);
    UseThreads(threads_);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, dnnl::memory(plan.pd.src_desc(), eng, const_cast<float*>(at.data))},
        {DNNL_ARG_WEIGHTS, dnnl::memory(plan.pd.weights_desc(), eng, const_cast<float*>(bt.data))},
        {DNNL_ARG_DST, dnnl::memory(plan.pd.dst_desc(), eng, y)},
        {DNNL_ARG_SCRATCHPAD, dnnl::memory(plan.pd.scratchpad_desc(), eng, scratch.Get(plan.pd.scratchpad_desc().get_size()))},
    };
    if (plan.bias) args[DNNL_ARG_BIAS] = dnnl::memory(plan.pd.bias_desc(), eng, const_cast<float*>(ct.data));
    plan.primitive.execute(stream, args);
    stream.wait();
    return nullptr;
  });
}

}  // namespace sphereface::dnnl_ops
