#include "conv_geometry.h"

#include "dnnl_context.h"

namespace sphereface::dnnl_ops {

namespace {
std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}
}  // namespace

Activation Activation::FromShape(const std::vector<int64_t>& shape, const std::string& what) {
  Activation a;
  if (shape.size() == 4) {
    a = {shape[0], shape[1], shape[2], shape[3], false};
  } else if (shape.size() == 5 && IsBlock(shape[4])) {
    a = {shape[0], shape[1] * shape[4], shape[2], shape[3], shape[4]};
  } else {
    throw InvalidArgument(what + " has shape " + ShapeText(shape) + "; expected 4-D NCHW or 5-D [N,C/b,H,W,b] (nChw8c or nChw16c)");
  }
  if (a.n < 0 || a.c <= 0 || a.h <= 0 || a.w <= 0) throw InvalidArgument(what + " has shape " + ShapeText(shape) + " with an empty or dynamic axis");
  return a;
}

std::vector<int64_t> Activation::Shape() const {
  if (block) return {n, c / block, h, w, block};
  return {n, c, h, w};
}

ConvAttributes ConvAttributes::Read(const OrtKernelInfo* info) {
  ConvAttributes a;
  a.node = NodeName(info);
  auto strides = IntsAttribute(info, "strides", {1, 1});
  auto pads = IntsAttribute(info, "pads", {0, 0, 0, 0});
  auto dilations = IntsAttribute(info, "dilations", {1, 1});
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1) throw InvalidArgument("node '" + a.node + "': strides must be two integers >= 1");
  if (pads.size() != 4 || *std::min_element(pads.begin(), pads.end()) < 0) throw InvalidArgument("node '" + a.node + "': pads must be four integers >= 0");
  if (dilations != std::vector<int64_t>{1, 1}) throw InvalidArgument("node '" + a.node + "': only dilations [1,1] are supported");
  a.sh = strides[0];
  a.sw = strides[1];
  a.pt = pads[0];
  a.pl = pads[1];
  a.pb = pads[2];
  a.pr = pads[3];
  a.algorithm = StringAttribute(info, "algorithm", "direct");
  a.block = IntAttribute(info, "block", 16);
  if (!IsBlock(a.block)) throw InvalidArgument("node '" + a.node + "': block " + std::to_string(a.block) + " is not 8 or 16");
  if (a.algorithm != "direct" && a.algorithm != "winograd" && a.algorithm != "auto" && a.algorithm != "plugin_winograd")
    throw InvalidArgument("node '" + a.node + "': algorithm '" + a.algorithm + "' is not one of direct, winograd, auto, plugin_winograd");
  return a;
}

int64_t ConvAttributes::OutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end) const {
  return (in + pad_begin + pad_end - kernel) / stride + 1;
}

Activation ConvAttributes::Output(const Activation& src, int64_t m, int64_t kh, int64_t kw, int64_t out_block) const {
  Activation y{src.n, m, OutputSize(src.h, kh, sh, pt, pb), OutputSize(src.w, kw, sw, pl, pr), out_block};
  if (y.h < 1 || y.w < 1) Fail("Conv", "input " + std::to_string(src.h) + "x" + std::to_string(src.w) + " is smaller than the kernel");
  if (m % out_block != 0)
    Fail("Conv", "output channels " + std::to_string(m) + " are not a multiple of " + std::to_string(out_block) + " (the " + y.LayoutName() + " layout)");
  return y;
}

void ConvAttributes::Fail(const char* op, const std::string& message) const {
  throw InvalidArgument(std::string("ai.sphereface.dnnl.") + op + " node '" + node + "': " + message);
}

Weights Weights::FromShape(const std::vector<int64_t>& shape, const std::string& what) {
  if (shape.size() != 4 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0)
    throw InvalidArgument(what + " has shape " + ShapeText(shape) + "; expected [M,C,kh,kw]");
  return {shape[0], shape[1], shape[2], shape[3]};
}

std::vector<dnnl::algorithm> Algorithms(const ConvAttributes& attributes, int64_t h, int64_t w) {
  if (attributes.algorithm == "winograd") return {dnnl::algorithm::convolution_winograd};
  if (attributes.algorithm == "plugin_winograd") return {dnnl::algorithm::convolution_direct};  // the plugin's own first (OwnWinogradAllowed)
  if (attributes.algorithm == "auto" && h >= 8 && w >= 8) return {dnnl::algorithm::convolution_winograd, dnnl::algorithm::convolution_direct};
  return {dnnl::algorithm::convolution_direct};
}

bool OwnWinogradAllowed(const ConvAttributes& attributes) {
  return attributes.algorithm == "plugin_winograd" || (WantsWinograd(attributes) && PreferredBlock() != 16);
}

bool IsReference(const dnnl::primitive_desc_base& pd) { return ImplementationName(pd).rfind("ref", 0) == 0; }

void RefuseReference(const std::string& op, const std::string& node, const std::string& what, const std::string& layout) {
  throw InvalidArgument(std::string(kReferenceRefused) + ": ai.sphereface.dnnl." + op + " node '" + node + "' (" + what + ", " + layout +
                        ") would run oneDNN's reference implementation on this CPU (oneDNN instruction set " + IsaName() +
                        "); build the graph for this machine (--kernels auto) or use --kernels standard");
}

}  // namespace sphereface::dnnl_ops
