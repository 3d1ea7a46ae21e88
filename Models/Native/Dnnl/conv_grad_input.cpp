// ai.sphereface.dnnl.ConvGradInput: the input gradient of a convolution (kernels.h).
#include "kernels.h"
#include "winograd.h"

namespace sphereface::dnnl_ops {

struct ConvGradInputKernel::Plan {
  // The plugin's own Winograd: the forward convolution of dY with the rotated, transposed weights and pads 2 − p.
  bool own_winograd = false;
  winograd::Geometry geometry;
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data primitive;
  dnnl::memory::desc weights;
  bool reorder_weights = false;
  dnnl::reorder weights_reorder;
};

namespace {

std::unique_ptr<ConvGradInputKernel::Plan> MakePlan(const ConvAttributes& a, const Activation& dx, const Weights& w, const Activation& dy, int threads) {
  const bool own = OwnWinogradAllowed(a) && dx.block == dy.block &&
                   winograd::Supports(w.kh, w.kw, a.sh, a.sw, a.pt, a.pl, a.pb, a.pr, dy.block, w.c, w.m);
  std::string failures;
  bool reference = false;
  for (auto algorithm : Algorithms(a, dx.h, dx.w)) {
    if (algorithm == dnnl::algorithm::convolution_direct && own) break;
    try {
      // The backward primitive is found through a forward one of the same geometry (oneDNN's hint).
      dnnl::convolution_forward::desc fwd(dnnl::prop_kind::forward_training, algorithm, dx.Desc(), w.Any(), dy.Desc(),
                                          a.Strides(), a.PadsBegin(), a.PadsEnd());
      dnnl::convolution_forward::primitive_desc hint(fwd, Engine());
      dnnl::convolution_backward_data::desc desc(algorithm, dx.Desc(), w.Any(), dy.Desc(), a.Strides(), a.PadsBegin(), a.PadsEnd());
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      auto plan = std::make_unique<ConvGradInputKernel::Plan>();
      plan->pd = dnnl::convolution_backward_data::primitive_desc(desc, attr, Engine(), hint);
      if (IsReference(plan->pd)) {
        reference = true;
        continue;
      }
      plan->primitive = dnnl::convolution_backward_data(plan->pd);
      plan->weights = plan->pd.weights_desc();
      plan->reorder_weights = plan->weights != w.Plain();
      if (plan->reorder_weights) plan->weights_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), w.Plain(), Engine(), plan->weights));
      RecordImplementation("ConvGradInput", a.node, plan->pd);
      return plan;
    } catch (const dnnl::error& e) {
      failures += std::string(" ") + e.what() + ";";
    }
  }
  if (own) {
    auto plan = std::make_unique<ConvGradInputKernel::Plan>();
    plan->own_winograd = true;
    plan->geometry = winograd::MakeGeometry(dy.n, w.m, dy.h, dy.w, w.c, dx.h, dx.w, 2 - a.pt, 2 - a.pl, dy.block, threads);
    RecordImplementation("ConvGradInput", a.node, winograd::ImplementationName());
    return plan;
  }
  if (reference) RefuseReference("ConvGradInput", a.node, std::to_string(w.m) + " → " + std::to_string(w.c) + " channels at " + std::to_string(dx.h) + "x" + std::to_string(dx.w), dy.LayoutName() + " → " + dx.LayoutName());
  a.Fail("ConvGradInput", "oneDNN has no backward-data convolution for this shape (algorithm " + a.algorithm + "):" + failures);
}

}  // namespace

ConvGradInputKernel::ConvGradInputKernel(const OrtKernelInfo* info)
    : attributes_(ConvAttributes::Read(info)), input_shape_(IntsAttribute(info, "input_shape", {})), threads_(SessionThreads(info)) {
  Activation::FromShape(input_shape_, "ai.sphereface.dnnl.ConvGradInput node '" + attributes_.node + "': attribute input_shape");
}

ConvGradInputKernel::~ConvGradInputKernel() = default;

OrtStatusPtr ConvGradInputKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    const auto& a = attributes_;
    const InputTensor dyt = ReadInput(ctx, 0), wt = ReadInput(ctx, 1);
    const Activation dy = Activation::FromShape(dyt.shape, "output gradient dY");
    const Weights w = Weights::FromShape(wt.shape, "weights W");
    Activation dx = Activation::FromShape(input_shape_, "input_shape");
    dx.n = dy.n;  // the batch may be dynamic
    if (dx.c != w.c) a.Fail("ConvGradInput", "input_shape has " + std::to_string(dx.c) + " channels, weights expect " + std::to_string(w.c));
    if (!dy.Blocked()) a.Fail("ConvGradInput", "dY must be blocked (nChw8c or nChw16c)");
    const Activation expected = a.Output(dx, w.m, w.kh, w.kw, dy.block);
    if (dy.c != expected.c || dy.h != expected.h || dy.w != expected.w)
      a.Fail("ConvGradInput", "dY must be the conv output [N," + std::to_string(expected.c / dy.block) + "," + std::to_string(expected.h) + "," +
                                  std::to_string(expected.w) + "," + std::to_string(dy.block) + "]");

    Plan& plan = plans_.Get({dy.n, dy.block, w.m, w.c, w.kh, w.kw}, [&] { return MakePlan(a, dx, w, dy, threads_); });
    auto out = ctx.GetOutput(0, dx.Shape());
    float* dxd = out.GetTensorMutableData<float>();
    if (dx.n == 0) return nullptr;

    Scratch scratch(context);
    if (plan.own_winograd) {
      float* u = static_cast<float*>(scratch.Get(winograd::TransformedWeightFloats(w.m, w.c) * sizeof(float)));
      winograd::TransformWeights(wt.data, w.m, w.c, true, u, threads_);
      float* work = static_cast<float*>(scratch.Get(winograd::Threads(threads_) * plan.geometry.ForwardScratchPerThread() * sizeof(float)));
      winograd::Forward(plan.geometry, dyt.data, u, nullptr, nullptr, nullptr, dxd, work, threads_);
      return nullptr;
    }

    const auto& eng = Engine();
    auto& stream = ThreadStream();
    UseThreads(threads_);
    dnnl::memory weights(w.Plain(), eng, const_cast<float*>(wt.data));
    if (plan.reorder_weights) {
      dnnl::memory reordered(plan.weights, eng, scratch.Get(plan.weights.get_size()));
      plan.weights_reorder.execute(stream, weights, reordered);
      weights = reordered;
    }
    plan.primitive.execute(stream, {
        {DNNL_ARG_DIFF_DST, dnnl::memory(dy.Desc(), eng, const_cast<float*>(dyt.data))},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DIFF_SRC, dnnl::memory(dx.Desc(), eng, dxd)},
        {DNNL_ARG_SCRATCHPAD, dnnl::memory(plan.pd.scratchpad_desc(), eng, scratch.Get(plan.pd.scratchpad_desc().get_size()))},
    });
    stream.wait();
    return nullptr;
  });
}

}  // namespace sphereface::dnnl_ops
