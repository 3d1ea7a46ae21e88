// F(4×4, 3×3) Winograd convolution on blocked activations (winograd.h). The tile transforms work on one channel
// block (8 or 16 lanes) as a vector and are compiled once per instruction set (AVX-512, AVX2, baseline), chosen by
// the instruction set oneDNN runs at (so ONEDNN_MAX_CPU_ISA caps both); the matrix products go to oneDNN's sgemm, one
// thread's block of tiles at a time.
#include "winograd.h"

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sphereface::dnnl_ops::winograd {

namespace {

#define SPHEREFACE_INLINE __attribute__((always_inline)) inline

// One channel block of one position as a vector (GCC vector extensions: one AVX2 or AVX-512 register per 8 or 16
// lanes where the instruction set has them, several narrower ones elsewhere).
template <int B> struct VectorOf;
template <> struct VectorOf<8> { typedef float type __attribute__((vector_size(32))); };
template <> struct VectorOf<16> { typedef float type __attribute__((vector_size(64))); };
template <int B> using Vec = typename VectorOf<B>::type;

template <int B> SPHEREFACE_INLINE Vec<B> Load(const float* p) {
  Vec<B> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <int B> SPHEREFACE_INLINE void Store(float* p, const Vec<B>& v) { std::memcpy(p, &v, sizeof v); }

// Where tile `t` (flattened over images and the tile grid) starts: image, first output row and column.
struct TilePosition {
  int64_t image, row, col;
};
SPHEREFACE_INLINE TilePosition Position(const Geometry& g, int64_t t) {
  const int64_t per_image = g.TilesH() * g.TilesW();
  const int64_t image = t / per_image, rest = t % per_image;
  return {image, (rest / g.TilesW()) * kOut, (rest % g.TilesW()) * kOut};
}

// The transforms' rows, applied to six (or four) values of one column.
template <typename T> SPHEREFACE_INLINE void BtRows(const T* d, T* o) {  // Bᵀ d
  o[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
  o[1] = -4.0f * d[1] - 4.0f * d[2] + d[3] + d[4];
  o[2] = 4.0f * d[1] - 4.0f * d[2] - d[3] + d[4];
  o[3] = -2.0f * d[1] - d[2] + 2.0f * d[3] + d[4];
  o[4] = 2.0f * d[1] - d[2] - 2.0f * d[3] + d[4];
  o[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}
template <typename T> SPHEREFACE_INLINE void AtRows(const T* m, T* o) {  // Aᵀ m (6 → 4)
  o[0] = m[0] + m[1] + m[2] + m[3] + m[4];
  o[1] = m[1] - m[2] + 2.0f * m[3] - 2.0f * m[4];
  o[2] = m[1] + m[2] + 4.0f * m[3] + 4.0f * m[4];
  o[3] = m[1] - m[2] + 8.0f * m[3] - 8.0f * m[4] + m[5];
}
template <typename T> SPHEREFACE_INLINE void ARows(const T* y, T* o) {  // A y (4 → 6)
  o[0] = y[0];
  o[1] = y[0] + y[1] + y[2] + y[3];
  o[2] = y[0] - y[1] + y[2] - y[3];
  o[3] = y[0] + 2.0f * y[1] + 4.0f * y[2] + 8.0f * y[3];
  o[4] = y[0] - 2.0f * y[1] + 4.0f * y[2] - 8.0f * y[3];
  o[5] = y[3];
}
// G and Gᵀ with their constants as products (a multiply rounds like the division it replaces to within an ulp).
constexpr float kQuarter = 0.25f, kSixth = 1.0f / 6.0f, kTwelfth = 1.0f / 12.0f, kTwentyFourth = 1.0f / 24.0f;
template <typename T> SPHEREFACE_INLINE void GRows(const T* k, T* o) {  // G k (3 → 6)
  o[0] = kQuarter * k[0];
  o[1] = -kSixth * (k[0] + k[1] + k[2]);
  o[2] = -kSixth * (k[0] - k[1] + k[2]);
  o[3] = kTwentyFourth * k[0] + kTwelfth * k[1] + kSixth * k[2];
  o[4] = kTwentyFourth * k[0] - kTwelfth * k[1] + kSixth * k[2];
  o[5] = k[2];
}
template <typename T> SPHEREFACE_INLINE void GtRows(const T* d, T* o) {  // Gᵀ d (6 → 3)
  o[0] = kQuarter * d[0] - kSixth * (d[1] + d[2]) + kTwentyFourth * (d[3] + d[4]);
  o[1] = kSixth * (d[2] - d[1]) + kTwelfth * (d[3] - d[4]);
  o[2] = kSixth * (d[3] + d[4] - d[1] - d[2]) + d[5];
}

// A block of tiles' matrix: tile k, point ξ, channel ch at k·row + ξ·xi + ch.
struct Layout {
  int64_t row, xi;
};

// V = Bᵀ d B for the tiles first .. first+count of the input x (blocked, B lanes; zero outside the image).
template <int B>
SPHEREFACE_INLINE void InputBlock(const Geometry& g, const float* x, int64_t first, int64_t count, float* v, Layout out) {
  using V = Vec<B>;
  const int64_t blocks = g.c / B;
  for (int64_t k = 0; k < count; ++k) {
    const TilePosition p = Position(g, first + k);
    const int64_t r0 = p.row - g.pt, c0 = p.col - g.pl;
    const bool interior = r0 >= 0 && c0 >= 0 && r0 + kTile <= g.h && c0 + kTile <= g.w;
    for (int64_t cb = 0; cb < blocks; ++cb) {
      const float* plane = x + ((p.image * blocks + cb) * g.h) * g.w * B;
      V t[kTile][kTile];  // t[i][j] = (Bᵀ d)[i][j]
      for (int j = 0; j < kTile; ++j) {
        V d[kTile], o[kTile];
        const int64_t c = c0 + j;
        for (int i = 0; i < kTile; ++i) {
          const int64_t r = r0 + i;
          d[i] = interior || (r >= 0 && r < g.h && c >= 0 && c < g.w) ? Load<B>(plane + (r * g.w + c) * B) : V{};
        }
        BtRows(d, o);
        for (int i = 0; i < kTile; ++i) t[i][j] = o[i];
      }
      float* dst = v + k * out.row + cb * B;
      for (int i = 0; i < kTile; ++i) {
        V o[kTile];
        BtRows(t[i], o);
        for (int j = 0; j < kTile; ++j) Store<B>(dst + (i * kTile + j) * out.xi, o[j]);
      }
    }
  }
}

// y for the tiles first .. first+count from M: Aᵀ M A, then + bias, PReLU, + residual, stored where inside the output.
template <int B>
SPHEREFACE_INLINE void OutputBlock(const Geometry& g, const float* mm, Layout in, int64_t first, int64_t count, const float* bias,
                                   const float* slope, const float* residual, float* y) {
  using V = Vec<B>;
  const int64_t blocks = g.m / B;
  for (int64_t k = 0; k < count; ++k) {
    const TilePosition p = Position(g, first + k);
    const int64_t rows = std::min<int64_t>(kOut, g.oh - p.row), cols = std::min<int64_t>(kOut, g.ow - p.col);
    for (int64_t mb = 0; mb < blocks; ++mb) {
      const float* src = mm + k * in.row + mb * B;
      V s[kOut][kTile];  // s[a][j] = (Aᵀ M)[a][j]
      for (int j = 0; j < kTile; ++j) {
        V m[kTile], o[kOut];
        for (int i = 0; i < kTile; ++i) m[i] = Load<B>(src + (i * kTile + j) * in.xi);
        AtRows(m, o);
        for (int a = 0; a < kOut; ++a) s[a][j] = o[a];
      }
      const V b = bias ? Load<B>(bias + mb * B) : V{};
      const V sl = slope ? Load<B>(slope + mb * B) : V{};
      const int64_t plane = ((p.image * blocks + mb) * g.oh) * g.ow * B;
      for (int a = 0; a < rows; ++a) {
        V o[kOut];
        AtRows(s[a], o);
        for (int c = 0; c < cols; ++c) {
          const int64_t at = plane + ((p.row + a) * g.ow + p.col + c) * B;
          V value = o[c] + b;
          if (slope) value = value < 0.0f ? value * sl : value;
          if (residual) value += Load<B>(residual + at);
          Store<B>(y + at, value);
        }
      }
    }
  }
}

// dM = A dY Aᵀ for the tiles first .. first+count of dY (zero beyond the output's edge).
template <int B>
SPHEREFACE_INLINE void OutputGradBlock(const Geometry& g, const float* dy, int64_t first, int64_t count, float* dm, Layout out) {
  using V = Vec<B>;
  const int64_t blocks = g.m / B;
  for (int64_t k = 0; k < count; ++k) {
    const TilePosition p = Position(g, first + k);
    const int64_t rows = std::min<int64_t>(kOut, g.oh - p.row), cols = std::min<int64_t>(kOut, g.ow - p.col);
    for (int64_t mb = 0; mb < blocks; ++mb) {
      const float* plane = dy + ((p.image * blocks + mb) * g.oh) * g.ow * B;
      V t[kTile][kOut];  // t[i][c] = (A dY)[i][c]
      for (int c = 0; c < kOut; ++c) {
        V e[kOut], o[kTile];
        for (int a = 0; a < kOut; ++a) e[a] = a < rows && c < cols ? Load<B>(plane + ((p.row + a) * g.ow + p.col + c) * B) : V{};
        ARows(e, o);
        for (int i = 0; i < kTile; ++i) t[i][c] = o[i];
      }
      float* dst = dm + k * out.row + mb * B;
      for (int i = 0; i < kTile; ++i) {
        V o[kTile];
        ARows(t[i], o);
        for (int j = 0; j < kTile; ++j) Store<B>(dst + (i * kTile + j) * out.xi, o[j]);
      }
    }
  }
}

constexpr int kLanes = 16;  // kernels transformed at once
using KernelLanes = Vec<kLanes>;

// U[ξ] (ξ stride `stride`) = G k Gᵀ for `count` ≤ kLanes 3×3 kernels, k[e][j] = element e of kernel j.
SPHEREFACE_INLINE void KernelTransformLanes(const KernelLanes* k, int count, float* u, int64_t stride) {
  KernelLanes t[kTile][3];
  for (int col = 0; col < 3; ++col) {
    KernelLanes in[3] = {k[col], k[3 + col], k[6 + col]}, o[kTile];
    GRows(in, o);
    for (int i = 0; i < kTile; ++i) t[i][col] = o[i];
  }
  for (int i = 0; i < kTile; ++i) {
    KernelLanes o[kTile];
    GRows(t[i], o);
    for (int j = 0; j < kTile; ++j) std::memcpy(u + (i * kTile + j) * stride, &o[j], sizeof(float) * count);
  }
}

// Gᵀ d G for `count` ≤ kLanes transformed gradients d[ξ] (ξ stride `stride`): k[e][j] = element e of kernel j.
SPHEREFACE_INLINE void KernelGradTransformLanes(const float* d, int64_t stride, int count, KernelLanes* k) {
  KernelLanes v[kPoints];
  for (int xi = 0; xi < kPoints; ++xi) {
    v[xi] = KernelLanes{};
    std::memcpy(&v[xi], d + xi * stride, sizeof(float) * count);
  }
  KernelLanes t[3][kTile];
  for (int col = 0; col < kTile; ++col) {
    KernelLanes in[kTile] = {v[col], v[6 + col], v[12 + col], v[18 + col], v[24 + col], v[30 + col]}, o[3];
    GtRows(in, o);
    for (int i = 0; i < 3; ++i) t[i][col] = o[i];
  }
  for (int i = 0; i < 3; ++i) {
    KernelLanes o[3];
    GtRows(t[i], o);
    for (int j = 0; j < 3; ++j) k[i * 3 + j] = o[j];
  }
}

// U for rows [begin, end): forward U[ξ, i, o] (c × m, row i, lanes over o); flipped U[ξ, o, i] (m × c) of the
// rotated kernels (row o, lanes over i).
SPHEREFACE_INLINE void TransformWeightRows(const float* w, int64_t m, int64_t c, bool flip, float* u, int64_t begin, int64_t end) {
  const int64_t lanes_of = flip ? c : m;
  for (int64_t row = begin; row < end; ++row)
    for (int64_t first = 0; first < lanes_of; first += kLanes) {
      const int count = static_cast<int>(std::min<int64_t>(kLanes, lanes_of - first));
      KernelLanes k[9];
      for (int e = 0; e < 9; ++e) {
        k[e] = KernelLanes{};
        for (int j = 0; j < count; ++j)
          k[e][j] = flip ? w[(row * c + first + j) * 9 + 8 - e] : w[((first + j) * c + row) * 9 + e];
      }
      KernelTransformLanes(k, count, u + row * lanes_of + first, c * m);
    }
}

// dW [m, c, 3, 3] for input channels [begin, end) from dU [ξ, c, m].
SPHEREFACE_INLINE void WeightGradRows(const float* du, int64_t m, int64_t c, float* dw, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    for (int64_t o = 0; o < m; o += kLanes) {
      const int count = static_cast<int>(std::min<int64_t>(kLanes, m - o));
      KernelLanes k[9];
      KernelGradTransformLanes(du + i * m + o, c * m, count, k);
      for (int j = 0; j < count; ++j)
        for (int e = 0; e < 9; ++e) dw[((o + j) * c + i) * 9 + e] = k[e][j];
    }
}

// The instruction set the transforms are compiled for: AVX-512, AVX2 or the baseline, one copy of each entry point per
// set (a function's target attribute applies to the templates inlined into it).
#define SPHEREFACE_ENTRY_POINTS(SUFFIX, TARGET)                                                                                        \
  TARGET void InputBlock##SUFFIX(const Geometry& g, const float* x, int64_t first, int64_t count, float* v, Layout out) {             \
    if (g.lanes == 16) InputBlock<16>(g, x, first, count, v, out);                                                                 \
    else InputBlock<8>(g, x, first, count, v, out);                                                                                \
  }                                                                                                                                  \
  TARGET void OutputBlock##SUFFIX(const Geometry& g, const float* mm, Layout in, int64_t first, int64_t count, const float* bias,    \
                                  const float* slope, const float* residual, float* y) {                                             \
    if (g.lanes == 16) OutputBlock<16>(g, mm, in, first, count, bias, slope, residual, y);                                         \
    else OutputBlock<8>(g, mm, in, first, count, bias, slope, residual, y);                                                        \
  }                                                                                                                                  \
  TARGET void OutputGradBlock##SUFFIX(const Geometry& g, const float* dy, int64_t first, int64_t count, float* dm, Layout out) {     \
    if (g.lanes == 16) OutputGradBlock<16>(g, dy, first, count, dm, out);                                                          \
    else OutputGradBlock<8>(g, dy, first, count, dm, out);                                                                         \
  }                                                                                                                                  \
  TARGET void TransformWeightRows##SUFFIX(const float* w, int64_t m, int64_t c, bool flip, float* u, int64_t begin, int64_t end) { \
    TransformWeightRows(w, m, c, flip, u, begin, end);                                                                             \
  }                                                                                                                                  \
  TARGET void WeightGradRows##SUFFIX(const float* du, int64_t m, int64_t c, float* dw, int64_t begin, int64_t end) {              \
    WeightGradRows(du, m, c, dw, begin, end);                                                                                      \
  }

SPHEREFACE_ENTRY_POINTS(Baseline, )
#if defined(__x86_64__)
SPHEREFACE_ENTRY_POINTS(Avx512, __attribute__((target("avx512f"))))
SPHEREFACE_ENTRY_POINTS(Avx2, __attribute__((target("avx2"))))
#else
#define InputBlockAvx512 InputBlockBaseline
#define OutputBlockAvx512 OutputBlockBaseline
#define OutputGradBlockAvx512 OutputGradBlockBaseline
#define TransformWeightRowsAvx512 TransformWeightRowsBaseline
#define WeightGradRowsAvx512 WeightGradRowsBaseline
#define InputBlockAvx2 InputBlockBaseline
#define OutputBlockAvx2 OutputBlockBaseline
#define OutputGradBlockAvx2 OutputGradBlockBaseline
#define TransformWeightRowsAvx2 TransformWeightRowsBaseline
#define WeightGradRowsAvx2 WeightGradRowsBaseline
#endif

enum class Isa { Baseline, Avx2, Avx512 };

// oneDNN's effective instruction set (ONEDNN_MAX_CPU_ISA caps it), read once.
Isa CurrentIsa() {
  static const Isa isa = [] {
#if defined(__x86_64__)
    const dnnl_cpu_isa_t effective = dnnl_get_effective_cpu_isa();
    if ((effective & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core && __builtin_cpu_supports("avx512f")) return Isa::Avx512;
    if ((effective & dnnl_cpu_isa_avx2) == dnnl_cpu_isa_avx2 && __builtin_cpu_supports("avx2")) return Isa::Avx2;
#endif
    return Isa::Baseline;
  }();
  return isa;
}

#define SPHEREFACE_DISPATCH(NAME, ...)                     \
  switch (CurrentIsa()) {                                  \
    case Isa::Avx512: return NAME##Avx512(__VA_ARGS__);    \
    case Isa::Avx2: return NAME##Avx2(__VA_ARGS__);        \
    default: return NAME##Baseline(__VA_ARGS__);           \
  }

void InputBlockAny(const Geometry& g, const float* x, int64_t first, int64_t count, float* v, Layout out) {
  SPHEREFACE_DISPATCH(InputBlock, g, x, first, count, v, out)
}
void OutputBlockAny(const Geometry& g, const float* mm, Layout in, int64_t first, int64_t count, const float* bias, const float* slope,
                    const float* residual, float* y) {
  SPHEREFACE_DISPATCH(OutputBlock, g, mm, in, first, count, bias, slope, residual, y)
}
void OutputGradBlockAny(const Geometry& g, const float* dy, int64_t first, int64_t count, float* dm, Layout out) {
  SPHEREFACE_DISPATCH(OutputGradBlock, g, dy, first, count, dm, out)
}
void TransformWeightRowsAny(const float* w, int64_t m, int64_t c, bool flip, float* u, int64_t begin, int64_t end) {
  SPHEREFACE_DISPATCH(TransformWeightRows, w, m, c, flip, u, begin, end)
}
void WeightGradRowsAny(const float* du, int64_t m, int64_t c, float* dw, int64_t begin, int64_t end) {
  SPHEREFACE_DISPATCH(WeightGradRows, du, m, c, dw, begin, end)
}

void Sgemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
  if (dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc) != dnnl_success) throw std::runtime_error("oneDNN sgemm failed");
}

// Runs body(thread, threads) on `threads` OpenMP threads; the first exception a thread throws is rethrown here.
template <typename Body>
void Parallel(int threads, Body body) {
  std::string error;
#pragma omp parallel num_threads(threads)
  {
    try {
      body(omp_get_thread_num(), omp_get_num_threads());
    } catch (const std::exception& e) {
#pragma omp critical(sphereface_winograd_error)
      if (error.empty()) error = e.what();
    }
  }
  if (!error.empty()) throw std::runtime_error("Winograd convolution: " + error);
}

}  // namespace

std::size_t Geometry::ForwardScratchPerThread() const { return static_cast<std::size_t>(kPoints * tile_block * (c + m)); }

std::size_t Geometry::WeightGradScratchPerThread() const { return ForwardScratchPerThread() + static_cast<std::size_t>(kPoints * c * m); }

bool Supports(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int64_t lanes, int64_t c,
              int64_t m) {
  const auto pad_ok = [](int64_t p) { return p >= 0 && p <= 2; };
  return kh == 3 && kw == 3 && sh == 1 && sw == 1 && pad_ok(pt) && pad_ok(pl) && pad_ok(pb) && pad_ok(pr) && (lanes == 8 || lanes == 16) &&
         c % lanes == 0 && m % lanes == 0;
}

Geometry MakeGeometry(int64_t n, int64_t c, int64_t h, int64_t w, int64_t m, int64_t oh, int64_t ow, int64_t pt, int64_t pl, int64_t lanes,
                      int threads) {
  Geometry g{n, c, h, w, m, oh, ow, pt, pl, lanes, 0};
  // About 128 tiles where a block's V and M stay near a core's L2 (64 channels), 64 for wider layers; the block count
  // a multiple of the thread count, so every thread gets as many blocks.
  const int64_t target = c + m <= 256 ? 128 : 64, team = Threads(threads);
  const int64_t blocks = ((g.Tiles() + target - 1) / target + team - 1) / team * team;
  g.tile_block = std::max<int64_t>(1, (g.Tiles() + blocks - 1) / blocks);
  return g;
}

int Threads(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

std::string ImplementationName() {
  switch (CurrentIsa()) {
    case Isa::Avx512: return "sphereface_wino_4x3:avx512";
    case Isa::Avx2: return "sphereface_wino_4x3:avx2";
    default: return "sphereface_wino_4x3:baseline";
  }
}

void TransformWeights(const float* w, int64_t m, int64_t c, bool flip, float* u, int threads) {
  const int64_t rows = flip ? m : c;
  Parallel(Threads(threads), [&](int thread, int count) {
    const int64_t chunk = (rows + count - 1) / count, begin = std::min(rows, thread * chunk), end = std::min(rows, begin + chunk);
    TransformWeightRowsAny(w, m, c, flip, u, begin, end);
  });
}

// A thread's block of `block` tiles of `channels` channels: tile-major (each tile's 36 points together; the ξ matrices
// have row stride 36·channels) or point-major (each ξ a dense [block, channels] matrix). Tile-major keeps a tile's
// transform writes in one run of memory; the weight gradient's products (whose inner dimension is the tiles) prefer
// dense matrices once the channels are many (AVX2, batch 32: 256 channels 18 vs 25 ms; 64 channels 20 vs 28 ms the
// other way round).
Layout BlockLayout(int64_t block, int64_t channels, bool tile_major) {
  return tile_major ? Layout{kPoints * channels, channels} : Layout{channels, block * channels};
}

void Forward(const Geometry& g, const float* x, const float* u, const float* bias, const float* slope, const float* residual, float* y,
             float* scratch, int threads) {
  const int64_t tiles = g.Tiles(), block = g.tile_block, blocks = (tiles + block - 1) / block;
  const Layout lv = BlockLayout(block, g.c, true), lm = BlockLayout(block, g.m, true);
  Parallel(Threads(threads), [&](int thread, int count) {
    float* v = scratch + thread * g.ForwardScratchPerThread();
    float* mm = v + kPoints * block * g.c;
    for (int64_t b = thread; b < blocks; b += count) {
      const int64_t first = b * block, n = std::min(block, tiles - first);
      InputBlockAny(g, x, first, n, v, lv);
      for (int xi = 0; xi < kPoints; ++xi)
        Sgemm('N', 'N', n, g.m, g.c, v + xi * lv.xi, lv.row, u + xi * g.c * g.m, g.m, 0.0f, mm + xi * lm.xi, lm.row);
      OutputBlockAny(g, mm, lm, first, n, bias, slope, residual, y);
    }
  });
}

void WeightGradient(const Geometry& g, const float* x, const float* dy, float* dw, float* db, float* scratch, int threads) {
  const int64_t tiles = g.Tiles(), block = g.tile_block, blocks = (tiles + block - 1) / block;
  const int64_t cm = g.c * g.m;
  const bool tile_major = std::max(g.c, g.m) <= 128;
  const Layout lv = BlockLayout(block, g.c, tile_major), lm = BlockLayout(block, g.m, tile_major);
  const int team = static_cast<int>(std::min<int64_t>(Threads(threads), blocks));
  // Each thread sums its blocks into its own dU; the threads' dU are then added in thread order (deterministic).
  Parallel(team, [&](int thread, int count) {
    float* v = scratch + thread * g.WeightGradScratchPerThread();
    float* dm = v + kPoints * block * g.c;
    float* du = dm + kPoints * block * g.m;
    bool first_block = true;
    for (int64_t b = thread; b < blocks; b += count) {
      const int64_t first = b * block, n = std::min(block, tiles - first);
      InputBlockAny(g, x, first, n, v, lv);
      OutputGradBlockAny(g, dy, first, n, dm, lm);
      for (int xi = 0; xi < kPoints; ++xi)
        Sgemm('T', 'N', g.c, g.m, n, v + xi * lv.xi, lv.row, dm + xi * lm.xi, lm.row, first_block ? 0.0f : 1.0f, du + xi * cm, g.m);
      first_block = false;
    }
  });
  float* total = scratch + g.ForwardScratchPerThread();  // thread 0's dU
  const int64_t elements = kPoints * cm;
  Parallel(Threads(threads), [&](int thread, int count) {
    const int64_t chunk = (elements + count - 1) / count, begin = thread * chunk, end = std::min(elements, begin + chunk);
    for (int t = 1; t < team; ++t) {
      const float* other = scratch + t * g.WeightGradScratchPerThread() + g.ForwardScratchPerThread();
      for (int64_t e = begin; e < end; ++e) total[e] += other[e];
    }
  });
  Parallel(Threads(threads), [&](int thread, int count) {
    const int64_t chunk = (g.c + count - 1) / count, begin = std::min(g.c, thread * chunk), end = std::min(g.c, begin + chunk);
    WeightGradRowsAny(total, g.m, g.c, dw, begin, end);
    if (db == nullptr) return;
    const int64_t hw = g.oh * g.ow, blocks_m = g.m / g.lanes;
    for (int64_t o = thread; o < g.m; o += count) {
      const int64_t mb = o / g.lanes, l = o % g.lanes;
      double sum = 0.0;
      for (int64_t n = 0; n < g.n; ++n) {
        const float* plane = dy + (n * blocks_m + mb) * hw * g.lanes + l;
        float partial = 0.0f;
        for (int64_t p = 0; p < hw; ++p) partial += plane[p * g.lanes];
        sum += partial;
      }
      db[o] = static_cast<float>(sum);
    }
  });
}

}  // namespace sphereface::dnnl_ops::winograd
