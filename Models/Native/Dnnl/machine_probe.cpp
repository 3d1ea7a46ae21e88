// What the kernels would run on this CPU, asked before a graph is built or a session is made (C exports for the
// C# side's kernel choice, DnnlPlugin.Probe): oneDNN's instruction set, the channel block its kernels want, and the
// implementation oneDNN picks for each kind of primitive a SphereFace net makes in a given layout. A "ref"
// implementation among them means the plugin would refuse that node (conv_geometry.h), so the caller builds the graph
// from standard ops instead.
#include <cstring>
#include <string>

#include "conv_geometry.h"
#include "dnnl_context.h"
#include "winograd.h"

namespace sphereface::dnnl_ops {
namespace {

using tag = dnnl::memory::format_tag;
constexpr auto f32 = dnnl::memory::data_type::f32;

dnnl::memory::desc Act(int64_t c, int64_t h, int64_t w, tag t) { return {{2, c, h, w}, f32, t}; }
dnnl::memory::desc AnyWeights(int64_t m, int64_t c) { return {{m, c, 3, 3}, f32, tag::any}; }

std::string Line(const std::string& what, const std::string& implementation) { return what + "\t" + implementation + "\n"; }

// The forward, backward-data and backward-weights implementations of a 3×3 convolution c → m at h×w.
std::string Convolution(const std::string& name, int64_t c, int64_t m, int64_t h, int64_t w, int64_t stride, tag in, tag out,
                        dnnl::algorithm algorithm, bool backward_data) {
  const int64_t oh = (h + 2 - 3) / stride + 1, ow = (w + 2 - 3) / stride + 1;
  const auto x = Act(c, h, w, in), y = Act(m, oh, ow, out);
  const dnnl::memory::dims strides{stride, stride}, pads{1, 1};
  std::string lines;
  try {
    dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, algorithm, x, AnyWeights(m, c), y, strides, pads, pads);
    dnnl::convolution_forward::primitive_desc hint(fd, Engine());
    lines += Line("Conv " + name, ImplementationName(hint));
    if (backward_data) {
      dnnl::convolution_backward_data::desc bd(algorithm, x, AnyWeights(m, c), y, strides, pads, pads);
      lines += Line("ConvGradInput " + name, ImplementationName(dnnl::convolution_backward_data::primitive_desc(bd, Engine(), hint)));
    }
    dnnl::convolution_backward_weights::desc bw(algorithm, x, AnyWeights(m, c), y, strides, pads, pads);
    lines += Line("ConvGradWeight " + name, ImplementationName(dnnl::convolution_backward_weights::primitive_desc(bw, Engine(), hint)));
  } catch (const dnnl::error& e) {
    lines += Line("Conv " + name, std::string("unavailable (") + e.what() + ")");
  }
  return lines;
}

std::string Probe(int64_t block) {
  if (!IsBlock(block)) throw InvalidArgument("block " + std::to_string(block) + " is not 8 or 16");
  const tag blocked = block == 16 ? tag::nChw16c : tag::nChw8c;
  std::string lines;
  lines += Convolution("3→64 stride 2 from NCHW", 3, 64, 112, 96, 2, tag::nchw, blocked, dnnl::algorithm::convolution_direct, false);
  lines += Convolution("64→128 stride 2", 64, 128, 56, 48, 2, blocked, blocked, dnnl::algorithm::convolution_direct, true);
  lines += Convolution("64→64 stride 1 direct", 64, 64, 28, 24, 1, blocked, blocked, dnnl::algorithm::convolution_direct, true);
  // Winograd for the stride-1 convs: oneDNN's where it has one, else the plugin's own (which always takes the shape).
  std::string wino = Convolution("64→64 stride 1 winograd", 64, 64, 28, 24, 1, blocked, blocked, dnnl::algorithm::convolution_winograd, true);
  if (wino.find("unavailable") != std::string::npos) {
    const std::string own = winograd::ImplementationName();
    wino = Line("Conv 64→64 stride 1 winograd", own) + Line("ConvGradInput 64→64 stride 1 winograd", own) +
           Line("ConvGradWeight 64→64 stride 1 winograd", own);
  }
  lines += wino;
  const auto act = Act(64, 28, 24, blocked);
  const dnnl::memory::desc slope({1, 64, 1, 1}, f32, tag::any);
  dnnl::prelu_forward::primitive_desc prelu(dnnl::prelu_forward::desc(dnnl::prop_kind::forward_training, act, slope), Engine());
  lines += Line("PRelu", ImplementationName(prelu));
  lines += Line("PReluGrad", ImplementationName(dnnl::prelu_backward::primitive_desc(dnnl::prelu_backward::desc(act, slope, act, slope), Engine(), prelu)));
  dnnl::matmul::desc mm({{32, 512}, f32, tag::ab}, {{512, 1000}, f32, tag::ab}, {{32, 1000}, f32, tag::ab});
  lines += Line("Gemm", ImplementationName(dnnl::matmul::primitive_desc(mm, Engine())));
  return lines;
}

int Copy(const std::string& text, char* buffer, int size) {
  if (buffer != nullptr && size > 0) {
    const std::size_t n = std::min(text.size(), static_cast<std::size_t>(size - 1));
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
  }
  return static_cast<int>(text.size());
}

}  // namespace
}  // namespace sphereface::dnnl_ops

// oneDNN's instruction set on this CPU (after ONEDNN_MAX_CPU_ISA), e.g. "avx2"; returns the full length (as
// SphereFaceDnnlImplementations does, so a caller can ask again with more room).
extern "C" __attribute__((visibility("default"))) int SphereFaceDnnlIsa(char* buffer, int size) {
  return sphereface::dnnl_ops::Copy(sphereface::dnnl_ops::IsaName(), buffer, size);
}

// The channel block the kernels want on this CPU: 16 (AVX-512), 8 (AVX2, SSE4.1) or 0 (no blocked kernels).
extern "C" __attribute__((visibility("default"))) int SphereFaceDnnlPreferredBlock() {
  return static_cast<int>(sphereface::dnnl_ops::PreferredBlock());
}

// "what<TAB>implementation" lines for the primitives a SphereFace net makes with activations in blocks of `block`
// channels (8 or 16); an implementation starting with "ref" or "unavailable" is one the plugin cannot run fast.
// Returns the full length, or -1 (with the error in the buffer) when oneDNN fails.
extern "C" __attribute__((visibility("default"))) int SphereFaceDnnlProbe(int block, char* buffer, int size) {
  try {
    return sphereface::dnnl_ops::Copy(sphereface::dnnl_ops::Probe(block), buffer, size);
  } catch (const std::exception& e) {
    sphereface::dnnl_ops::Copy(e.what(), buffer, size);
    return -1;
  }
}
