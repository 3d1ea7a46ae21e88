// ai.sphereface.dnnl.Conv: forward convolution with optional PReLU and residual-add post-ops (kernels.h).
#include <cstring>
#include <mutex>

#include "kernels.h"
#include "elementwise.h"
#include "winograd.h"

namespace sphereface::dnnl_ops {

struct ConvForwardKernel::Plan {
  // The plugin's own Winograd (winograd.h) where oneDNN has none for this CPU; else a oneDNN primitive.
  bool own_winograd = false;
  winograd::Geometry geometry;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  dnnl::memory::desc weights;       // the format the primitive reads weights in
  bool reorder_weights = false;
  dnnl::reorder weights_reorder;    // oihw -> weights, when they differ
  bool fused_post_ops = false;      // PReLU / residual run inside the primitive
  // Constant weights: the reordered copy, made once for the weights at `cached_from`.
  std::mutex cache_mutex;
  const float* cached_from = nullptr;
  dnnl::memory cached_weights;
  std::vector<float> cached_transform;  // own Winograd: U of the constant weights
};

namespace {

dnnl::post_ops PostOps(bool prelu, bool residual, const dnnl::memory::desc& dst) {
  dnnl::post_ops ops;
  if (prelu) ops.append_prelu(1 << 1);  // one slope per output channel
  if (residual) ops.append_binary(dnnl::algorithm::binary_add, dst);
  return ops;
}

// Creates the primitive and the weight reorder of a chosen primitive descriptor.
std::unique_ptr<ConvForwardKernel::Plan> Finish(std::unique_ptr<ConvForwardKernel::Plan> plan, const ConvAttributes& a, const Weights& w) {
  plan->conv = dnnl::convolution_forward(plan->pd);
  plan->weights = plan->pd.weights_desc();
  plan->reorder_weights = plan->weights != w.Plain();
  if (plan->reorder_weights) plan->weights_reorder = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), w.Plain(), Engine(), plan->weights));
  RecordImplementation("Conv", a.node, plan->pd);
  return plan;
}

std::unique_ptr<ConvForwardKernel::Plan> OwnWinograd(const ConvAttributes& a, const Activation& x, const Activation& y, int threads) {
  auto plan = std::make_unique<ConvForwardKernel::Plan>();
  plan->own_winograd = true;
  plan->fused_post_ops = true;
  plan->geometry = winograd::MakeGeometry(x.n, x.c, x.h, x.w, y.c, y.h, y.w, a.pt, a.pl, y.block, threads);
  RecordImplementation("Conv", a.node, winograd::ImplementationName());
  return plan;
}

std::unique_ptr<ConvForwardKernel::Plan> MakePlan(const ConvAttributes& a, bool inference, const Activation& x, const Weights& w, bool bias,
                                                   bool prelu, bool residual, int threads) {
  const Activation y = a.Output(x, w.m, w.kh, w.kw, a.block);
  const dnnl::memory::desc bias_md({w.m}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::x);
  const auto prop = inference ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
  const bool own = OwnWinogradAllowed(a) && x.block == y.block &&
                   winograd::Supports(w.kh, w.kw, a.sh, a.sw, a.pt, a.pl, a.pb, a.pr, y.block, x.c, y.c);
  std::string failures;
  bool reference = false;
  for (auto algorithm : Algorithms(a, x.h, x.w)) {
    // oneDNN's Winograd where it has one for this CPU (AVX-512), else the plugin's own.
    if (algorithm == dnnl::algorithm::convolution_direct && own) return OwnWinograd(a, x, y, threads);
    auto desc = bias ? dnnl::convolution_forward::desc(prop, algorithm, x.Desc(), w.Any(), bias_md, y.Desc(), a.Strides(), a.PadsBegin(), a.PadsEnd())
                     : dnnl::convolution_forward::desc(prop, algorithm, x.Desc(), w.Any(), y.Desc(), a.Strides(), a.PadsBegin(), a.PadsEnd());
    // Post-ops inside the primitive where this algorithm supports them, else as a pass after it: oneDNN offers only its
    // reference implementation for some combinations (a direct convolution with a PReLU post-op).
    for (bool fuse : {true, false}) {
      if (fuse && !prelu && !residual) continue;
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      if (fuse) attr.set_post_ops(PostOps(prelu, residual, y.Desc()));
      try {
        auto plan = std::make_unique<ConvForwardKernel::Plan>();
        plan->pd = dnnl::convolution_forward::primitive_desc(desc, attr, Engine(), true);
        plan->fused_post_ops = fuse;
        if (IsReference(plan->pd)) {
          reference = true;
          continue;
        }
        return Finish(std::move(plan), a, w);
      } catch (const dnnl::error& e) {
        failures += std::string(" ") + e.what() + ";";
      }
    }
  }
  if (a.algorithm == "winograd" && own) return OwnWinograd(a, x, y, threads);
  if (reference) RefuseReference("Conv", a.node, std::to_string(x.c) + "x" + std::to_string(x.h) + "x" + std::to_string(x.w) + " → " + std::to_string(y.c) + " channels", x.LayoutName() + " → " + y.LayoutName());
  a.Fail("Conv", "oneDNN has no convolution for input " + std::to_string(x.c) + "x" + std::to_string(x.h) + "x" + std::to_string(x.w) +
                     " (algorithm " + a.algorithm + "):" + failures);
}

}  // namespace

ConvForwardKernel::ConvForwardKernel(const OrtKernelInfo* info)
    : attributes_(ConvAttributes::Read(info)),
      threads_(SessionThreads(info)),
      constant_weights_(IntAttribute(info, "constant_weights", 0) != 0) {}

ConvForwardKernel::~ConvForwardKernel() = default;

OrtStatusPtr ConvForwardKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    const auto& a = attributes_;
    const InputTensor xt = ReadInput(ctx, 0), wt = ReadInput(ctx, 1);
    const InputTensor bt = ReadInput(ctx, 2), st = ReadInput(ctx, 3), rt = ReadInput(ctx, 4);
    const Activation x = Activation::FromShape(xt.shape, "input X");
    const Weights w = Weights::FromShape(wt.shape, "weights W");
    if (x.c != w.c) a.Fail("Conv", "input has " + std::to_string(x.c) + " channels, weights expect " + std::to_string(w.c));
    const Activation y = a.Output(x, w.m, w.kh, w.kw, a.block);
    if (bt.data && bt.Elements() != w.m) a.Fail("Conv", "bias must have " + std::to_string(w.m) + " values");
    if (st.data && st.Elements() != w.m) a.Fail("Conv", "slope must have " + std::to_string(w.m) + " values (one per output channel)");
    if (rt.data && rt.shape != y.Shape()) a.Fail("Conv", "residual must have the output's shape");

    Plan& plan = plans_.Get({x.n, x.c, x.h, x.w, x.block, w.m, w.kh, w.kw, bt.data != nullptr, st.data != nullptr, rt.data != nullptr},
                            [&] { return MakePlan(a, constant_weights_, x, w, bt.data, st.data, rt.data, threads_); });
    auto out = ctx.GetOutput(0, y.Shape());
    float* yd = out.GetTensorMutableData<float>();
    if (y.n == 0) return nullptr;

    Scratch scratch(context);
    if (plan.own_winograd) {
      const float* u = nullptr;
      if (constant_weights_) {
        std::lock_guard<std::mutex> lock(plan.cache_mutex);
        if (plan.cached_from != wt.data) {
          plan.cached_transform.resize(winograd::TransformedWeightFloats(w.c, w.m));
          winograd::TransformWeights(wt.data, w.m, w.c, false, plan.cached_transform.data(), threads_);
          plan.cached_from = wt.data;
        }
        u = plan.cached_transform.data();
      } else {
        float* fresh = static_cast<float*>(scratch.Get(winograd::TransformedWeightFloats(w.c, w.m) * sizeof(float)));
        winograd::TransformWeights(wt.data, w.m, w.c, false, fresh, threads_);
        u = fresh;
      }
      float* work = static_cast<float*>(scratch.Get(winograd::Threads(threads_) * plan.geometry.ForwardScratchPerThread() * sizeof(float)));
      winograd::Forward(plan.geometry, xt.data, u, bt.data, st.data, rt.data, yd, work, threads_);
      return nullptr;
    }

    const auto& eng = Engine();
    auto& stream = ThreadStream();
    UseThreads(threads_);
    dnnl::memory weights(w.Plain(), eng, const_cast<float*>(wt.data));
    if (plan.reorder_weights) {
      if (constant_weights_) {
        std::lock_guard<std::mutex> lock(plan.cache_mutex);
        if (plan.cached_from != wt.data) {
          plan.cached_weights = dnnl::memory(plan.weights, eng);
          plan.weights_reorder.execute(stream, weights, plan.cached_weights);
          stream.wait();
          plan.cached_from = wt.data;
        }
        weights = plan.cached_weights;
      } else {
        dnnl::memory reordered(plan.weights, eng, scratch.Get(plan.weights.get_size()));
        plan.weights_reorder.execute(stream, weights, reordered);
        weights = reordered;
      }
    }
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, dnnl::memory(x.Desc(), eng, const_cast<float*>(xt.data))},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DST, dnnl::memory(y.Desc(), eng, yd)},
        {DNNL_ARG_SCRATCHPAD, dnnl::memory(plan.pd.scratchpad_desc(), eng, scratch.Get(plan.pd.scratchpad_desc().get_size()))},
    };
    if (bt.data) args[DNNL_ARG_BIAS] = dnnl::memory({{w.m}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::x}, eng, const_cast<float*>(bt.data));
    if (plan.fused_post_ops) {
      int index = 0;
      if (st.data)
        args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index++) | DNNL_ARG_WEIGHTS] =
            dnnl::memory({{1, w.m, 1, 1}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nchw}, eng, const_cast<float*>(st.data));
      if (rt.data) args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index++) | DNNL_ARG_SRC_1] = dnnl::memory(y.Desc(), eng, const_cast<float*>(rt.data));
    }
    plan.conv.execute(stream, args);
    stream.wait();
    if (!plan.fused_post_ops && (st.data || rt.data)) PReluResidualBlocked(ctx, yd, st.data, rt.data, y.n, y.c, y.h * y.w, y.block);
    return nullptr;
  });
}

}  // namespace sphereface::dnnl_ops
