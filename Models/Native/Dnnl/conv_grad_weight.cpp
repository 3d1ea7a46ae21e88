// ai.sphereface.dnnl.ConvGradWeight: the weight (and bias) gradient of a convolution (kernels.h).
#include "kernels.h"
#include "winograd.h"

namespace sphereface::dnnl_ops {

struct ConvGradWeightKernel::Plan {
  bool own_winograd = false;  // the plugin's own Winograd (winograd.h)
  winograd::Geometry geometry;
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights primitive;
  dnnl::memory::desc diff_weights;  // the format the primitive writes dW in
  bool reorder_weights = false;
  dnnl::reorder weights_reorder;    // diff_weights -> oihw, when they differ
};

namespace {

const dnnl::memory::desc BiasDesc(int64_t m) { return {{m}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::x}; }

std::unique_ptr<ConvGradWeightKernel::Plan> MakePlan(const ConvAttributes& a, const Activation& x, const Weights& w, const Activation& dy, bool bias,
                                                      int threads) {
  const bool own = OwnWinogradAllowed(a) && x.block == dy.block &&
                   winograd::Supports(w.kh, w.kw, a.sh, a.sw, a.pt, a.pl, a.pb, a.pr, dy.block, w.c, w.m);
  std::string failures;
  bool reference = false;
  for (auto algorithm : Algorithms(a, x.h, x.w)) {
    if (algorithm == dnnl::algorithm::convolution_direct && own) break;
    try {
      auto fwd = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm, x.Desc(), w.Any(), BiasDesc(w.m), dy.Desc(),
                                                        a.Strides(), a.PadsBegin(), a.PadsEnd())
                      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm, x.Desc(), w.Any(), dy.Desc(),
                                                        a.Strides(), a.PadsBegin(), a.PadsEnd());
      dnnl::convolution_forward::primitive_desc hint(fwd, Engine());
      auto desc = bias ? dnnl::convolution_backward_weights::desc(algorithm, x.Desc(), w.Any(), BiasDesc(w.m), dy.Desc(), a.Strides(), a.PadsBegin(), a.PadsEnd())
                       : dnnl::convolution_backward_weights::desc(algorithm, x.Desc(), w.Any(), dy.Desc(), a.Strides(), a.PadsBegin(), a.PadsEnd());
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      auto plan = std::make_unique<ConvGradWeightKernel::Plan>();
      plan->pd = dnnl::convolution_backward_weights::primitive_desc(desc, attr, Engine(), hint);
      if (IsReference(plan->pd)) {
        reference = true;
        continue;
      }
      plan->primitive = dnnl::convolution_backward_weights(plan->pd);
      plan->diff_weights = plan->pd.diff_weights_desc();
      plan->reorder_weights = plan->diff_weights != w.Plain();
      if (plan->reorder_weights) plan->weights_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), plan->diff_weights, Engine(), w.Plain()));
      RecordImplementation("ConvGradWeight", a.node, plan->pd);
      return plan;
    } catch (const dnnl::error& e) {
      failures += std::string(" ") + e.what() + ";";
    }
  }
  if (own) {
    auto plan = std::make_unique<ConvGradWeightKernel::Plan>();
    plan->own_winograd = true;
    plan->geometry = winograd::MakeGeometry(x.n, x.c, x.h, x.w, dy.c, dy.h, dy.w, a.pt, a.pl, dy.block, threads);
    RecordImplementation("ConvGradWeight", a.node, winograd::ImplementationName());
    return plan;
  }
  if (reference) RefuseReference("ConvGradWeight", a.node, std::to_string(x.c) + " → " + std::to_string(w.m) + " channels at " + std::to_string(x.h) + "x" + std::to_string(x.w), x.LayoutName() + " → " + dy.LayoutName());
  a.Fail("ConvGradWeight", "oneDNN has no backward-weights convolution for this shape (algorithm " + a.algorithm + "):" + failures);
}

}  // namespace

ConvGradWeightKernel::ConvGradWeightKernel(const OrtKernelInfo* info)
    : attributes_(ConvAttributes::Read(info)), threads_(SessionThreads(info)) {
  auto kernel = IntsAttribute(info, "kernel_shape", {});
  if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1) attributes_.Fail("ConvGradWeight", "attribute kernel_shape must be two integers >= 1");
  kh_ = kernel[0];
  kw_ = kernel[1];
  with_bias_ = Ort::ConstKernelInfo(info).GetOutputCount() > 1;
}

ConvGradWeightKernel::~ConvGradWeightKernel() = default;

OrtStatusPtr ConvGradWeightKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    const auto& a = attributes_;
    const InputTensor xt = ReadInput(ctx, 0), dyt = ReadInput(ctx, 1);
    const Activation x = Activation::FromShape(xt.shape, "input X");
    const Activation dy = Activation::FromShape(dyt.shape, "output gradient dY");
    const Weights w{dy.c, x.c, kh_, kw_};
    if (!dy.Blocked()) a.Fail("ConvGradWeight", "dY must be blocked (nChw8c or nChw16c)");
    const Activation expected = a.Output(x, w.m, w.kh, w.kw, dy.block);
    if (dy.n != x.n || dy.h != expected.h || dy.w != expected.w)
      a.Fail("ConvGradWeight", "dY must be the conv output [" + std::to_string(x.n) + "," + std::to_string(dy.c / dy.block) + "," +
                                   std::to_string(expected.h) + "," + std::to_string(expected.w) + "," + std::to_string(dy.block) + "]");

    Plan& plan = plans_.Get({x.n, x.c, x.h, x.w, x.block, w.m, dy.block}, [&] { return MakePlan(a, x, w, dy, with_bias_, threads_); });
    auto dw_out = ctx.GetOutput(0, {w.m, w.c, w.kh, w.kw});
    float* dwd = dw_out.GetTensorMutableData<float>();
    float* dbd = with_bias_ ? ctx.GetOutput(1, {w.m}).GetTensorMutableData<float>() : nullptr;

    Scratch scratch(context);
    if (plan.own_winograd) {
      float* work = static_cast<float*>(scratch.Get(winograd::Threads(threads_) * plan.geometry.WeightGradScratchPerThread() * sizeof(float)));
      winograd::WeightGradient(plan.geometry, xt.data, dyt.data, dwd, dbd, work, threads_);
      return nullptr;
    }

    const auto& eng = Engine();
    auto& stream = ThreadStream();
    UseThreads(threads_);
    dnnl::memory user_dw(w.Plain(), eng, dwd);
    dnnl::memory dw = plan.reorder_weights ? dnnl::memory(plan.diff_weights, eng, scratch.Get(plan.diff_weights.get_size())) : user_dw;
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, dnnl::memory(x.Desc(), eng, const_cast<float*>(xt.data))},
        {DNNL_ARG_DIFF_DST, dnnl::memory(dy.Desc(), eng, const_cast<float*>(dyt.data))},
        {DNNL_ARG_DIFF_WEIGHTS, dw},
        {DNNL_ARG_SCRATCHPAD, dnnl::memory(plan.pd.scratchpad_desc(), eng, scratch.Get(plan.pd.scratchpad_desc().get_size()))},
    };
    if (dbd) args[DNNL_ARG_DIFF_BIAS] = dnnl::memory(BiasDesc(w.m), eng, dbd);
    plan.primitive.execute(stream, args);
    if (plan.reorder_weights) plan.weights_reorder.execute(stream, dw, user_dw);
    stream.wait();
    return nullptr;
  });
}

}  // namespace sphereface::dnnl_ops
