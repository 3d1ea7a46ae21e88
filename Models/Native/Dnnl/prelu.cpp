// ai.sphereface.dnnl.PRelu and PReluGrad on oneDNN's PReLU primitive (kernels.h).
#include "kernels.h"

namespace sphereface::dnnl_ops {

namespace {

dnnl::memory::desc SlopeAny(int64_t c) { return {{1, c, 1, 1}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::any}; }
dnnl::memory::desc SlopePlain(int64_t c) { return {{1, c, 1, 1}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nchw}; }

// The slope (C values in channel order) in the format `wanted`; a converted copy in `scratch` when they differ.
dnnl::memory SlopeIn(const dnnl::memory::desc& wanted, int64_t c, const float* slope, dnnl::stream& stream, Scratch& scratch) {
  dnnl::memory plain(SlopePlain(c), Engine(), const_cast<float*>(slope));
  if (wanted == plain.get_desc()) return plain;
  dnnl::memory converted(wanted, Engine(), scratch.Get(wanted.get_size()));
  dnnl::reorder(plain, converted).execute(stream, plain, converted);
  return converted;
}

Activation ReadActivation(const InputTensor& t, const std::string& node, const char* op) {
  try {
    return Activation::FromShape(t.shape, "input X");
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("ai.sphereface.dnnl.") + op + " node '" + node + "': " + e.what());
  }
}

void CheckSlope(const InputTensor& slope, const Activation& x, const std::string& node, const char* op) {
  if (slope.Elements() != x.c)
    throw InvalidArgument(std::string("ai.sphereface.dnnl.") + op + " node '" + node + "': slope must have " + std::to_string(x.c) +
                          " values (one per channel)");
}

}  // namespace

struct PReluKernel::Plan {
  dnnl::prelu_forward::primitive_desc pd;
  dnnl::prelu_forward primitive;
};

struct PReluGradKernel::Plan {
  dnnl::prelu_backward::primitive_desc pd;
  dnnl::prelu_backward primitive;
};

PReluKernel::PReluKernel(const OrtKernelInfo* info) : node_(NodeName(info)), threads_(SessionThreads(info)) {}
PReluKernel::~PReluKernel() = default;

OrtStatusPtr PReluKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    const InputTensor xt = ReadInput(ctx, 0), st = ReadInput(ctx, 1);
    const Activation x = ReadActivation(xt, node_, "PRelu");
    CheckSlope(st, x, node_, "PRelu");
    Plan& plan = plans_.Get({x.n, x.c, x.h, x.w, x.block}, [&] {
      auto plan = std::make_unique<Plan>();
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      plan->pd = dnnl::prelu_forward::primitive_desc(dnnl::prelu_forward::desc(dnnl::prop_kind::forward_training, x.Desc(), SlopeAny(x.c)), attr, Engine());
      if (IsReference(plan->pd)) RefuseReference("PRelu", node_, std::to_string(x.c) + " channels", x.LayoutName());
      plan->primitive = dnnl::prelu_forward(plan->pd);
      RecordImplementation("PRelu", node_, plan->pd);
      return plan;
    });
    auto out = ctx.GetOutput(0, xt.shape);
    if (x.n == 0) return nullptr;
    auto& stream = ThreadStream();
    Scratch scratch(context);
    UseThreads(threads_);
    plan.primitive.execute(stream, {
        {DNNL_ARG_SRC, dnnl::memory(x.Desc(), Engine(), const_cast<float*>(xt.data))},
        {DNNL_ARG_WEIGHTS, SlopeIn(plan.pd.weights_desc(), x.c, st.data, stream, scratch)},
        {DNNL_ARG_DST, dnnl::memory(x.Desc(), Engine(), out.GetTensorMutableData<float>())},
        {DNNL_ARG_SCRATCHPAD, dnnl::memory(plan.pd.scratchpad_desc(), Engine(), scratch.Get(plan.pd.scratchpad_desc().get_size()))},
    });
    stream.wait();
    return nullptr;
  });
}

PReluGradKernel::PReluGradKernel(const OrtKernelInfo* info) : node_(NodeName(info)), threads_(SessionThreads(info)) {}
PReluGradKernel::~PReluGradKernel() = default;

OrtStatusPtr PReluGradKernel::ComputeV2(OrtKernelContext* context) {
  return GuardStatus([&]() -> OrtStatusPtr {
    Ort::KernelContext ctx(context);
    const InputTensor xt = ReadInput(ctx, 0), st = ReadInput(ctx, 1), dyt = ReadInput(ctx, 2);
    const Activation x = ReadActivation(xt, node_, "PReluGrad");
    CheckSlope(st, x, node_, "PReluGrad");
    if (dyt.shape != xt.shape) throw InvalidArgument("ai.sphereface.dnnl.PReluGrad node '" + node_ + "': dY must have X's shape");
    Plan& plan = plans_.Get({x.n, x.c, x.h, x.w, x.block}, [&] {
      auto plan = std::make_unique<Plan>();
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::prelu_forward::primitive_desc hint(dnnl::prelu_forward::desc(dnnl::prop_kind::forward_training, x.Desc(), SlopeAny(x.c)), Engine());
      plan->pd = dnnl::prelu_backward::primitive_desc(dnnl::prelu_backward::desc(x.Desc(), SlopeAny(x.c), x.Desc(), SlopeAny(x.c)), attr, Engine(), hint);
      if (IsReference(plan->pd)) RefuseReference("PReluGrad", node_, std::to_string(x.c) + " channels", x.LayoutName());
      plan->primitive = dnnl::prelu_backward(plan->pd);
      RecordImplementation("PReluGrad", node_, plan->pd);
      return plan;
    });
    auto dx = ctx.GetOutput(0, xt.shape);
    auto dslope = ctx.GetOutput(1, {x.c});
    auto& stream = ThreadStream();
    Scratch scratch(context);
    UseThreads(threads_);
    const auto& dw_md = plan.pd.diff_weights_desc();
    dnnl::memory dslope_user(SlopePlain(x.c), Engine(), dslope.GetTensorMutableData<float>());
    dnnl::memory dslope_mem = dw_md == dslope_user.get_desc() ? dslope_user : dnnl::memory(dw_md, Engine(), scratch.Get(dw_md.get_size()));
    plan.primitive.execute(stream, {
        {DNNL_ARG_SRC, dnnl::memory(x.Desc(), Engine(), const_cast<float*>(xt.data))},
        {DNNL_ARG_WEIGHTS, SlopeIn(plan.pd.weights_desc(), x.c, st.data, stream, scratch)},
        {DNNL_ARG_DIFF_DST, dnnl::memory(x.Desc(), Engine(), const_cast<float*>(dyt.data))},
        {DNNL_ARG_DIFF_SRC, dnnl::memory(x.Desc(), Engine(), dx.GetTensorMutableData<float>())},
        {DNNL_ARG_DIFF_WEIGHTS, dslope_mem},
        {DNNL_ARG_SCRATCHPAD, dnnl::memory(plan.pd.scratchpad_desc(), Engine(), scratch.Get(plan.pd.scratchpad_desc().get_size()))},
    });
    if (dslope_mem != dslope_user) dnnl::reorder(dslope_mem, dslope_user).execute(stream, dslope_mem, dslope_user);
    stream.wait();
    return nullptr;
  });
}

}  // namespace sphereface::dnnl_ops
