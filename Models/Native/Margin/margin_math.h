// ψ(θ) of A-Softmax and its derivative with respect to cos θ, evaluated from x = cos θ alone.
//   ψ(θ) = (−1)^k cos(mθ) − 2k  for θ ∈ [kπ/m, (k+1)π/m],  k ∈ [0, m−1]
//   cos(mθ) = T_m(x)  (Chebyshev polynomial of the first kind, by its three-term recurrence)
//   k       = #{ j ∈ 1..m−1 : x ≤ cos(jπ/m) }   (comparisons, no acos)
//   dψ/dx   = (−1)^k · T_m'(x) = (−1)^k · m · U_{m−1}(x)   (second kind; no division by sin θ)
// x is clamped to [−1, 1]; the gradient is 0 where the input lies outside [−1, 1] (derivative of the clamp).
// NaN in → NaN out (the clamp and the comparisons let NaN through).
// Every step is one float operation in the same order as the pure-ONNX twin, so both round identically.
#pragma once
#include <cmath>
#include <cstddef>

namespace sphereface {

constexpr int kMinMargin = 1;
constexpr int kMaxMargin = 8;

// cos(jπ/m) for j = 1..m−1, rounded to float (the twin uses the same float constants).
struct MarginThresholds {
  float value[kMaxMargin] = {};
  explicit MarginThresholds(int m) {
    const double pi = 3.14159265358979323846;
    for (int j = 1; j < m; ++j) value[j - 1] = static_cast<float>(std::cos(j * pi / m));
  }
};

inline float ClampUnit(float c) {
  float x = c < -1.0f ? -1.0f : c;
  return x > 1.0f ? 1.0f : x;
}

// (−1)^k and k for one clamped x.
template <int M>
inline void IntervalOf(float x, const float* thresholds, float& sign, float& k) {
  sign = 1.0f;
  k = 0.0f;
  for (int j = 0; j < M - 1; ++j) {
    const float b = x <= thresholds[j] ? 1.0f : 0.0f;
    k = k + b;
    sign = sign * (1.0f - b * 2.0f);
  }
}

template <int M>
void PsiRange(const float* cos_theta, float* psi, std::size_t n, const float* thresholds) {
  for (std::size_t i = 0; i < n; ++i) {
    const float x = ClampUnit(cos_theta[i]);
    const float two_x = x * 2.0f;
    float t_prev = 1.0f, t = x;  // T_0, T_1
    for (int d = 1; d < M; ++d) {
      const float t_next = two_x * t - t_prev;
      t_prev = t;
      t = t_next;
    }
    float sign, k;
    IntervalOf<M>(x, thresholds, sign, k);
    psi[i] = sign * t - k * 2.0f;
  }
}

template <int M>
void PsiGradRange(const float* cos_theta, const float* dy, float* dx, std::size_t n, const float* thresholds) {
  for (std::size_t i = 0; i < n; ++i) {
    const float c = cos_theta[i];
    const float x = ClampUnit(c);
    const float two_x = x * 2.0f;
    float u_prev = 1.0f, u = M == 1 ? 1.0f : two_x;  // U_0, U_1
    for (int d = 2; d < M; ++d) {
      const float u_next = two_x * u - u_prev;
      u_prev = u;
      u = u_next;
    }
    float sign, k;
    IntervalOf<M>(x, thresholds, sign, k);
    const float slope = u * static_cast<float>(M) * sign;
    const float grad = slope * dy[i];
    const bool outside = (c < -1.0f) | (c > 1.0f);
    dx[i] = outside ? 0.0f : grad;
  }
}

}  // namespace sphereface
