// Helpers shared by the project's ONNX Runtime custom-op libraries (margin and oneDNN kernels): turning C++
// exceptions into ORT statuses, reading attributes with errors that name the node, splitting element-wise work
// over ORT's intra-op thread pool, and the library entry point's API-version check.
// Each library includes this header once per translation unit that needs it; nothing here has global state.
#pragma once
#ifndef ORT_API_MANUAL_INIT
#define ORT_API_MANUAL_INIT
#endif
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sphereface {

// An error a kernel reports to ORT as ORT_INVALID_ARGUMENT (bad shapes, attributes, inputs).
struct InvalidArgument : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs a kernel body, turning any exception into an ORT status (exceptions must not cross the C API).
template <typename Body>
OrtStatusPtr GuardStatus(Body&& body) {
  try {
    return body();
  } catch (const Ort::Exception& e) {
    return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
  } catch (const InvalidArgument& e) {
    return Ort::GetApi().CreateStatus(ORT_INVALID_ARGUMENT, e.what());
  } catch (const std::exception& e) {
    return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
  }
}

// The node's name for error messages ("?" when ORT cannot say).
inline std::string NodeName(const OrtKernelInfo* info) {
  try {
    return Ort::ConstKernelInfo(info).GetNodeName();
  } catch (const Ort::Exception&) {
    return "?";
  }
}

// Integer-list attribute, or `fallback` when the node does not have it.
inline std::vector<int64_t> IntsAttribute(const OrtKernelInfo* info, const char* name, std::vector<int64_t> fallback) {
  try {
    return Ort::ConstKernelInfo(info).GetAttributes<int64_t>(name);
  } catch (const Ort::Exception&) {
    return fallback;
  }
}

// Integer attribute, or `fallback` when the node does not have it.
inline int64_t IntAttribute(const OrtKernelInfo* info, const char* name, int64_t fallback) {
  int64_t value = 0;
  if (OrtStatus* s = Ort::GetApi().KernelInfoGetAttribute_int64(info, name, &value)) {
    Ort::GetApi().ReleaseStatus(s);
    return fallback;
  }
  return value;
}

// String attribute, or `fallback` when the node does not have it.
inline std::string StringAttribute(const OrtKernelInfo* info, const char* name, std::string fallback) {
  try {
    return Ort::ConstKernelInfo(info).GetAttribute<std::string>(name);
  } catch (const Ort::Exception&) {
    return fallback;
  }
}

// A session configuration entry (OrtSessionOptions::AddConfigEntry), or "" when absent.
inline std::string ConfigEntry(const OrtKernelInfo* info, const char* key) {
  try {
    auto entries = Ort::ConstKernelInfo(info).GetConfigEntries();
    const char* value = entries.GetValue(key);
    return value == nullptr ? std::string() : std::string(value);
  } catch (const Ort::Exception&) {
    return std::string();
  }
}

// Splits [0, n) into chunks of `chunk` elements run on the intra-op thread pool (inline when n is small).
template <typename Body>
void ParallelChunks(Ort::KernelContext& ctx, std::size_t n, std::size_t chunk, Body body) {
  const std::size_t chunks = (n + chunk - 1) / chunk;
  if (chunks <= 1) {
    body(std::size_t{0}, n);
    return;
  }
  struct Job {
    Body* body;
    std::size_t n;
    std::size_t chunk;
  } job{&body, n, chunk};
  ctx.ParallelFor(
      [](void* data, std::size_t index) {
        auto* j = static_cast<Job*>(data);
        const std::size_t begin = index * j->chunk;
        (*j->body)(begin, std::min(j->n, begin + j->chunk) - begin);
      },
      chunks, 0, &job);
}

// The API table of the host runtime, or null (with `error` set) when the host is older than these headers.
inline const OrtApi* HostApi(const OrtApiBase* api_base, const char* library, OrtStatus** error) {
  *error = nullptr;
  const OrtApi* api = api_base->GetApi(ORT_API_VERSION);
  if (api != nullptr) return api;
  // No status can be made without an API table, so fall back to the oldest table to report it.
  const OrtApi* oldest = api_base->GetApi(1);
  if (oldest != nullptr)
    *error = oldest->CreateStatus(ORT_FAIL,
        (std::string(library) + ": the ONNX Runtime loading it is older than the version it was built for").c_str());
  return nullptr;
}

}  // namespace sphereface
