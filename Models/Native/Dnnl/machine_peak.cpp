// SphereFaceDnnlSgemmGflops: the rate of oneDNN's single-precision GEMM on square matrices, the practical fp32
// peak that `bench` sets the matrix work of a step against. Not an op; a C export for the benchmarks.
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "dnnl_context.h"

// Best GFLOP/s of `repeats` timed C = A·B runs (after one untimed run) with `threads` OpenMP threads; -1 on error.
extern "C" __attribute__((visibility("default"))) double SphereFaceDnnlSgemmGflops(int threads, int size, int repeats) {
  if (size < 1 || repeats < 1) return -1;
  sphereface::dnnl_ops::UseThreads(threads);
  const std::size_t n = static_cast<std::size_t>(size);
  std::vector<float> a(n * n), b(n * n), c(n * n);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>(i % 13) * 0.01f - 0.06f;
    b[i] = static_cast<float>(i % 7) * 0.02f - 0.07f;
  }
  double best = 0;
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (dnnl_sgemm('N', 'N', size, size, size, 1.0f, a.data(), size, b.data(), size, 0.0f, c.data(), size) != dnnl_success) return -1;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r > 0) best = std::max(best, 2.0 * size * size * static_cast<double>(size) / seconds / 1e9);
  }
  return best;
}
