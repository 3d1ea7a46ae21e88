// Geometry of a 2-D convolution as the ONNX graph states it, mapped onto oneDNN descriptors.
//
// Activation layouts (docs/kernels.md): a 4-D tensor [N,C,H,W] is plain NCHW; a 5-D tensor [N,C/16,H,W,16] is
// oneDNN's nChw16c (channel c at block c/16, lane c%16). Weights are always ONNX's [M,C,kh,kw] (oihw), biases [M].
// Pads are ONNX's (top, left, bottom, right); the output size is ONNX's floor((H + pt + pb − kh) / sh) + 1.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../Common/ort_kernel_support.h"

namespace sphereface::dnnl_ops {

constexpr int64_t kBlock = 16;

// Logical NCHW sizes of an activation tensor and its layout.
struct Activation {
  int64_t n = 0, c = 0, h = 0, w = 0;
  bool blocked = false;

  // Reads an ONNX shape (4-D NCHW or 5-D nChw16c); `what` names the tensor in errors.
  static Activation FromShape(const std::vector<int64_t>& shape, const std::string& what);
  // The ONNX shape of this activation in its layout.
  std::vector<int64_t> Shape() const;
  dnnl::memory::dims Dims() const { return {n, c, h, w}; }
  dnnl::memory::format_tag Tag() const { return blocked ? dnnl::memory::format_tag::nChw16c : dnnl::memory::format_tag::nchw; }
  dnnl::memory::desc Desc() const { return {Dims(), dnnl::memory::data_type::f32, Tag()}; }
  int64_t Elements() const { return n * c * h * w; }
};

// Attributes shared by the convolution ops, read once at kernel creation.
struct ConvAttributes {
  int64_t sh = 1, sw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  // "direct", "winograd", or "auto" (Winograd where oneDNN offers it for the shape, else direct).
  std::string algorithm = "direct";
  std::string node;

  static ConvAttributes Read(const OrtKernelInfo* info);
  dnnl::memory::dims Strides() const { return {sh, sw}; }
  dnnl::memory::dims PadsBegin() const { return {pt, pl}; }
  dnnl::memory::dims PadsEnd() const { return {pb, pr}; }
  int64_t OutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end) const;
  // Output activation (always nChw16c) of this conv on `src` with weights [m, src.c, kh, kw].
  Activation Output(const Activation& src, int64_t m, int64_t kh, int64_t kw) const;
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

// The algorithms to try for `attributes.algorithm`, in order (Winograd first for "auto").
std::vector<dnnl::algorithm> Algorithms(const ConvAttributes& attributes);

}  // namespace sphereface::dnnl_ops
