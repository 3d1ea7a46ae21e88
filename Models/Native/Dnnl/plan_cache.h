// Per-kernel cache of oneDNN primitives, keyed by the input shapes they were made for. Creating a primitive
// (descriptor search, JIT code generation) costs milliseconds; a training step sees one shape per node, an
// embedding session one per batch size. Lookups and inserts are serialised; a plan is immutable once made, so
// several threads may execute it at once (each with its own scratch buffers).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace sphereface::dnnl_ops {

template <typename Plan>
class PlanCache {
 public:
  using Key = std::vector<int64_t>;

  // The plan for `key`, made by `make()` (returning std::unique_ptr<Plan>) on first use.
  template <typename Make>
  Plan& Get(const Key& key, Make&& make) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [k, plan] : plans_)
      if (k == key) return *plan;
    plans_.emplace_back(key, make());
    return *plans_.back().second;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<Key, std::unique_ptr<Plan>>> plans_;
};

}  // namespace sphereface::dnnl_ops
