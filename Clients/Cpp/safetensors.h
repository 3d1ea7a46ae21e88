// Reading and writing the safetensors files of a graph folder (initial.safetensors) and of the client's result:
// an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
// {"dtype":"F32","shape":[...],"data_offsets":[begin,end]} (plus "__metadata__"), then the tensor bytes.
// Only float32 tensors occur. Errors are std::runtime_error naming the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace client {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

std::vector<Tensor> ReadSafeTensors(const std::string& path);
void WriteSafeTensors(const std::string& path, const std::vector<Tensor>& tensors);

}  // namespace client
