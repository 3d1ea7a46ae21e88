#include "dnnl_context.h"

#include <omp.h>

#include <cstring>
#include <mutex>
#include <vector>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace sphereface::dnnl_ops {

const dnnl::engine& Engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& ThreadStream() {
  thread_local dnnl::stream stream(Engine());
  return stream;
}

void UseThreads(int threads) {
  if (threads > 0 && omp_get_max_threads() != threads) omp_set_num_threads(threads);
}

namespace {
const OrtMemoryInfo* CpuMemory() {
  static const Ort::MemoryInfo info = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  return info;
}
}  // namespace

Scratch::Scratch(OrtKernelContext* context) {
  Ort::ThrowOnError(Ort::GetApi().KernelContext_GetAllocator(context, CpuMemory(), &allocator_));
}

Scratch::~Scratch() {
  for (void* p : buffers_) allocator_->Free(allocator_, p);
  Ort::GetApi().ReleaseAllocator(allocator_);
}

void* Scratch::Get(std::size_t bytes) {
  void* p = allocator_->Alloc(allocator_, bytes == 0 ? 64 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  buffers_.push_back(p);
  return p;
}

namespace {
dnnl_cpu_isa_t EffectiveIsa() {
  static const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
  return isa;
}
bool Has(dnnl_cpu_isa_t isa) { return (EffectiveIsa() & isa) == isa; }
}  // namespace

std::string IsaName() {
  switch (EffectiveIsa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "none";
  }
}

int64_t PreferredBlock() {
  if (Has(dnnl_cpu_isa_avx512_core)) return 16;
  if (Has(dnnl_cpu_isa_sse41)) return 8;
  return 0;
}

std::string ImplementationName(const dnnl::primitive_desc_base& pd) {
  const char* name = nullptr;
  if (dnnl_primitive_desc_query(pd.get(), dnnl_query_impl_info_str, 0, &name) != dnnl_success || name == nullptr) return "?";
  return name;
}

namespace {
std::mutex g_implementations_mutex;
std::string g_implementations;
}  // namespace

void RecordImplementation(const std::string& op, const std::string& node, const dnnl::primitive_desc_base& pd) {
  RecordImplementation(op, node, ImplementationName(pd));
}

void RecordImplementation(const std::string& op, const std::string& node, const std::string& implementation) {
  std::lock_guard<std::mutex> lock(g_implementations_mutex);
  g_implementations += op + "\t" + node + "\t" + implementation + "\n";
}

}  // namespace sphereface::dnnl_ops

// Copies the records of every primitive made so far ("op<TAB>node<TAB>implementation" lines) into `buffer`
// (NUL-terminated, truncated to `size`) and returns the full length, so a caller can ask again with enough room.
extern "C" __attribute__((visibility("default"))) int SphereFaceDnnlImplementations(char* buffer, int size) {
  std::lock_guard<std::mutex> lock(sphereface::dnnl_ops::g_implementations_mutex);
  const std::string& all = sphereface::dnnl_ops::g_implementations;
  if (buffer != nullptr && size > 0) {
    const std::size_t n = std::min(all.size(), static_cast<std::size_t>(size - 1));
    std::memcpy(buffer, all.data(), n);
    buffer[n] = '\0';
  }
  return static_cast<int>(all.size());
}
