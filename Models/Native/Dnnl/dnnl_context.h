// Process-wide oneDNN state shared by the kernels of libsphereface_dnnl: the CPU engine, a stream and scratch
// buffers per calling thread, and the thread count a kernel runs oneDNN with.
//
// Threading: Debian's oneDNN uses OpenMP. A kernel sets the calling thread's OpenMP team size to the count its
// session asked for (session config entry kThreadsConfigKey, written by the C# side from IntraOpNumThreads)
// right before each primitive runs, so oneDNN never uses more threads than the session; ONNX Runtime's own pool
// is idle while a custom kernel runs on the session's thread.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../Common/ort_kernel_support.h"

namespace sphereface::dnnl_ops {

// Session config entry with oneDNN's thread count ("0" or absent: OpenMP's default, OMP_NUM_THREADS or all cores).
constexpr const char* kThreadsConfigKey = "sphereface.dnnl.threads";

// The CPU engine (created on first use, lives until the library unloads).
const dnnl::engine& Engine();

// A stream on Engine() for the calling thread.
dnnl::stream& ThreadStream();

// Sets the calling thread's OpenMP team size for the next oneDNN primitive (no-op for threads <= 0).
void UseThreads(int threads);

// Temporary buffers of one kernel call (oneDNN scratchpads, reordered weights) from the session's CPU allocator,
// freed when the call ends. They come from ONNX Runtime's arena, so they reuse memory that activations freed
// earlier in the step instead of holding buffers of their own between calls (Winograd's scratchpads reach 140 MB).
class Scratch {
 public:
  explicit Scratch(OrtKernelContext* context);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  // A fresh buffer of at least `bytes` bytes (64-byte aligned), valid until this object is destroyed.
  void* Get(std::size_t bytes);

 private:
  OrtAllocator* allocator_ = nullptr;
  std::vector<void*> buffers_;
};

// The instruction set oneDNN runs at on this CPU (after ONEDNN_MAX_CPU_ISA), e.g. "avx2", "avx512_core".
std::string IsaName();

// The channel block this instruction set's kernels want: 16 from AVX-512 on, 8 below; 0 when oneDNN has no blocked
// kernels at all (no SSE4.1, or not an x86-64 CPU).
int64_t PreferredBlock();

// oneDNN's name of the implementation a primitive descriptor chose (e.g. "jit_wino_4x3:avx512_core").
std::string ImplementationName(const dnnl::primitive_desc_base& pd);

// Records that `node` (op `op`) made a primitive with `pd`, for SphereFaceDnnlImplementations (a diagnostic:
// which oneDNN implementation each node runs, e.g. to confirm Winograd was chosen).
void RecordImplementation(const std::string& op, const std::string& node, const dnnl::primitive_desc_base& pd);
// The same for a kernel of the plugin's own (e.g. "sphereface_wino_4x3:avx2").
void RecordImplementation(const std::string& op, const std::string& node, const std::string& implementation);

}  // namespace sphereface::dnnl_ops
