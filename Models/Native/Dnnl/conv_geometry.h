// Geometry of a 2-D convolution as the ONNX graph states it, mapped onto oneDNN descriptors.
//
// Activation layouts (docs/kernels.md): a 4-D tensor [N,C,H,W] is plain NCHW; a 5-D tensor [N,C/b,H,W,b] with b = 8
// or 16 is oneDNN's nChw8c or nChw16c (channel c at block c/b, lane c%b): 16 is AVX-512's vector of floats, 8 AVX2's.
// Weights are always ONNX's [M,C,kh,kw] (oihw), biases [M].
// Pads are ONNX's (top, left, bottom, right); the output size is ONNX's floor((H + pt + pb − kh) / sh) + 1.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../Common/ort_kernel_support.h"

namespace sphereface::dnnl_ops {

// Whether `block` is a channel block the kernels take (8 or 16).
inline bool IsBlock(int64_t block) { return block == 8 || block == 16; }

// Logical NCHW sizes of an activation tensor and its layout.
struct Activation {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t block = 0;  // 0: plain NCHW; 8 or 16: nChw8c or nChw16c

  // Reads an ONNX shape (4-D NCHW or 5-D nChw8c / nChw16c); `what` names the tensor in errors.
  static Activation FromShape(const std::vector<int64_t>& shape, const std::string& what);
  bool Blocked() const { return block != 0; }
  // The ONNX shape of this activation in its layout.
  std::vector<int64_t> Shape() const;
  dnnl::memory::dims Dims() const { return {n, c, h, w}; }
  dnnl::memory::format_tag Tag() const {
    return block == 16 ? dnnl::memory::format_tag::nChw16c : block == 8 ? dnnl::memory::format_tag::nChw8c : dnnl::memory::format_tag::nchw;
  }
  // The layout's name for messages ("nChw8c", "nChw16c", "NCHW").
  std::string LayoutName() const { return block ? "nChw" + std::to_string(block) + "c" : "NCHW"; }
  dnnl::memory::desc Desc() const { return {Dims(), dnnl::memory::data_type::f32, Tag()}; }
  int64_t Elements() const { return n * c * h * w; }
};

// Attributes shared by the convolution ops, read once at kernel creation.
struct ConvAttributes {
  int64_t sh = 1, sw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  // "direct", "winograd" (oneDNN's), "auto" (Winograd where it pays on this CPU, else direct), or "plugin_winograd"
  // (the plugin's own Winograd on any CPU where the shape allows, else direct: for tests and benchmarks).
  std::string algorithm = "direct";
  // The channel block of the output (Conv's attribute "block": 8 or 16; 16 when absent).
  int64_t block = 16;
  std::string node;

  static ConvAttributes Read(const OrtKernelInfo* info);
  dnnl::memory::dims Strides() const { return {sh, sw}; }
  dnnl::memory::dims PadsBegin() const { return {pt, pl}; }
  dnnl::memory::dims PadsEnd() const { return {pb, pr}; }
  int64_t OutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end) const;
  // Output activation (blocked with `block` lanes) of this conv on `src` with weights [m, src.c, kh, kw].
  Activation Output(const Activation& src, int64_t m, int64_t kh, int64_t kw, int64_t block) const;
  // Throws InvalidArgument naming the node: `message` prefixed with the op and node name.
  [[noreturn]] void Fail(const char* op, const std::string& message) const;
};

// Weights [M,C,kh,kw] from an ONNX shape.
struct Weights {
  int64_t m = 0, c = 0, kh = 0, kw = 0;
  static Weights FromShape(const std::vector<int64_t>& shape, const std::string& what);
  dnnl::memory::dims Dims() const { return {m, c, kh, kw}; }
  dnnl::memory::desc Plain() const { return {Dims(), dnnl::memory::data_type::f32, dnnl::memory::format_tag::oihw}; }
  dnnl::memory::desc Any() const { return {Dims(), dnnl::memory::data_type::f32, dnnl::memory::format_tag::any}; }
};

// The oneDNN algorithms to try, in order, for `attributes.algorithm` on a convolution whose input map is h×w:
// "winograd" oneDNN's Winograd; "auto" oneDNN's Winograd on maps of at least 8×8, then direct; "direct" direct.
// Below 8×8 (SF-20's last stage, 7×6) F(4×4, 3×3)'s 8×8 tiling is mostly padding and oneDNN's weight-gradient
// scratchpad (140 MB at batch 32) sat at the training step's memory peak for no gain (docs/kernels.md).
std::vector<dnnl::algorithm> Algorithms(const ConvAttributes& attributes, int64_t h, int64_t w);

// Whether `attributes` asks for Winograd where there is one ("winograd" or "auto").
inline bool WantsWinograd(const ConvAttributes& attributes) { return attributes.algorithm != "direct"; }

// Whether the plugin's own Winograd (winograd.h) may run for a node: asked for by name ("plugin_winograd"), or wanting
// Winograd where oneDNN has none for this CPU (below AVX-512), at any map size (SF-20 on AVX2: its 7×6 stage 1.6×
// faster than direct).
bool OwnWinogradAllowed(const ConvAttributes& attributes);

// The error for a primitive that only oneDNN's reference implementation computes on this CPU: such a kernel is orders
// of magnitude slower (a training step of minutes), so it is refused rather than run. The message names the op, the
// node, the layout and the instruction set, and starts with kReferenceRefused so hosts can tell it apart.
constexpr const char* kReferenceRefused = "no optimised oneDNN kernel";
[[noreturn]] void RefuseReference(const std::string& op, const std::string& node, const std::string& what, const std::string& layout);

// True when `pd` is oneDNN's reference implementation ("ref:any", "ref_int8:any", ...).
bool IsReference(const dnnl::primitive_desc_base& pd);

}  // namespace sphereface::dnnl_ops
