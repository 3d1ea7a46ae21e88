// The plugin's own Winograd convolution F(4×4, 3×3) (Lavin & Gray, 2016) for 3×3 stride-1 convolutions on blocked
// activations (nChw8c or nChw16c), used where oneDNN has no Winograd implementation for the CPU at hand (oneDNN 2.6
// has one for AVX-512 only). A 6×6 input tile d gives a 4×4 output tile
//     Y = Aᵀ [ Σ_c (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// computed as: the input transform V = Bᵀ d B of a block of tiles, 36 matrix products M_ξ[tiles, M] = V_ξ[tiles, C] ·
// U_ξ[C, M] through oneDNN's sgemm (U = G g Gᵀ, the weight transform), and the output transform Aᵀ M A with bias,
// PReLU and residual add applied as it is stored. Every tile's work stays in the thread's cache-sized block.
//
// Gradients: the input gradient of a stride-1 convolution is the forward convolution of dY with the flipped,
// in/out-transposed weights and pads 2 − p (WinogradForward with TransformWeights(flip = true)); the weight gradient
// is the chain rule through the same formula: dU_ξ = Σ_tiles V_ξᵀ · (A dY Aᵀ)_ξ and dW = Gᵀ dU G, so it equals the
// convolution's exact gradient in exact arithmetic.
//
// Rounding: the transforms are plain multiplies and adds (no contraction into FMAs), so they round the same on every
// instruction set; the matrix products round as oneDNN's sgemm does on the CPU at hand.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sphereface::dnnl_ops::winograd {

constexpr int kTile = 6;       // input tile edge (α = m + r − 1)
constexpr int kOut = 4;        // output tile edge (m)
constexpr int kPoints = 36;    // α²: transform points ξ

// The geometry of one Winograd convolution: input [n, c, h, w] and output [n, m, oh, ow] in blocks of `lanes`
// channels, pads top/left (the bottom/right pads only set oh, ow).
struct Geometry {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t m = 0, oh = 0, ow = 0;
  int64_t pt = 0, pl = 0;
  int64_t lanes = 8;       // channel block of both activations: 8 or 16
  int64_t tile_block = 0;  // tiles a thread transforms and multiplies at once

  int64_t TilesH() const { return (oh + kOut - 1) / kOut; }
  int64_t TilesW() const { return (ow + kOut - 1) / kOut; }
  int64_t Tiles() const { return n * TilesH() * TilesW(); }
  // Floats of one thread's work area in the forward pass: V [36, block, c] and M [36, block, m].
  std::size_t ForwardScratchPerThread() const;
  // Floats of one thread's work area in the weight gradient: V, dM and its own dU [36, c, m].
  std::size_t WeightGradScratchPerThread() const;
};

// Whether the plugin's Winograd takes this convolution: 3×3, stride 1, no dilation, pads in [0, 2], blocked input and
// output with 8 or 16 lanes and channel counts that are multiples of them.
bool Supports(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int64_t lanes,
              int64_t c, int64_t m);

// A geometry with its tile block chosen for the channel counts and the thread count.
Geometry MakeGeometry(int64_t n, int64_t c, int64_t h, int64_t w, int64_t m, int64_t oh, int64_t ow, int64_t pt, int64_t pl,
                      int64_t lanes, int threads);

// Floats of the transformed weights U [36, in, out].
inline std::size_t TransformedWeightFloats(int64_t in, int64_t out) { return static_cast<std::size_t>(kPoints * in * out); }

// U[ξ, c, m] = (G w[m, c] Gᵀ)_ξ for weights w [m, c, 3, 3]; with `flip`, the weights of the input gradient:
// U[ξ, m, c] = (G rot180(w[m, c]) Gᵀ)_ξ, i.e. a convolution from m channels to c.
void TransformWeights(const float* w, int64_t m, int64_t c, bool flip, float* u, int threads);

// y = prelu(conv(x, w) + bias, slope) + residual, each term optional (null), with U from TransformWeights.
// `scratch` holds threads × ForwardScratchPerThread() floats.
void Forward(const Geometry& g, const float* x, const float* u, const float* bias, const float* slope, const float* residual,
             float* y, float* scratch, int threads);

// dW [m, c, 3, 3] of the convolution (geometry g) from x and dY, and dB [m] when db is not null. `scratch` holds
// threads × WeightGradScratchPerThread() floats.
void WeightGradient(const Geometry& g, const float* x, const float* dy, float* dw, float* db, float* scratch, int threads);

// The implementation name the kernels record: "sphereface_wino_4x3:" and the instruction set the transforms run at.
std::string ImplementationName();

// The number of OpenMP threads the calls above use for `threads` (<= 0: OpenMP's default).
int Threads(int threads);

}  // namespace sphereface::dnnl_ops::winograd
