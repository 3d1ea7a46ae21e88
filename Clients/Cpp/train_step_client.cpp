// The reference C++ client of the training-step graph (docs/train-step.md): everything it binds comes from the
// documented I/O contract, nothing from the C# code that wrote the graph.
//
//   train_step_client GRAPH_DIR BATCHES OUT.safetensors [--threads T] [--plugin LIB.so ...] [--steps K]
//
// Loads GRAPH_DIR/train_step.onnx with the given custom-op libraries registered, starts every carried tensor (each
// input X other than data, label, lr, lambda, with an output next/X) from GRAPH_DIR/initial.safetensors, runs the
// steps recorded in BATCHES (`train --record-batches`; all of them, or the first K) with ping-pong IOBindings, prints
// each step's loss and accuracy, and writes the carried tensors after the last step to OUT.safetensors.
#include <onnxruntime_cxx_api.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "safetensors.h"

namespace {

struct Arguments {
  std::string graph, batches, out;
  int threads = 0;
  long steps = -1;
  std::vector<std::string> plugins;
};

Arguments Parse(int argc, char** argv) {
  Arguments a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--threads") a.threads = std::stoi(value());
    else if (arg == "--steps") a.steps = std::stol(value());
    else if (arg == "--plugin") a.plugins.push_back(value());
    else positional.push_back(arg);
  }
  if (positional.size() != 3)
    throw std::invalid_argument("usage: train_step_client GRAPH_DIR BATCHES OUT.safetensors [--threads T] [--plugin LIB.so ...] [--steps K]");
  a.graph = positional[0];
  a.batches = positional[1];
  a.out = positional[2];
  return a;
}

// A batch recording (Training/Runs/BatchRecording.cs): magic, batch, image dims, then records to the end of the file.
class Batches {
 public:
  explicit Batches(const std::string& path) : in_(path, std::ios::binary), path_(path) {
    if (!in_) throw std::runtime_error(path + ": cannot open");
    char magic[8];
    if (!in_.read(magic, 8) || std::memcmp(magic, "SFBATCH1", 8) != 0) throw std::runtime_error(path + ": not a batch recording (magic SFBATCH1)");
    batch = Read<int64_t>();
    int64_t rank = Read<int64_t>();
    image = 1;
    for (int64_t k = 0; k < rank; ++k) {
      int64_t d = Read<int64_t>();
      dims.push_back(d);
      image *= d;
    }
  }

  // Reads the next record into the buffers; false at the end of the file.
  bool Next(int64_t& iteration, float& lr, float& lambda, int64_t* labels, float* data) {
    if (!in_.read(reinterpret_cast<char*>(&iteration), 8)) return false;
    lr = Read<float>();
    lambda = Read<float>();
    if (!in_.read(reinterpret_cast<char*>(labels), batch * 8) || !in_.read(reinterpret_cast<char*>(data), batch * image * 4))
      throw std::runtime_error(path_ + ": truncated record of iteration " + std::to_string(iteration));
    return true;
  }

  int64_t batch = 0, image = 0;
  std::vector<int64_t> dims;

 private:
  template <typename T>
  T Read() {
    T v{};
    if (!in_.read(reinterpret_cast<char*>(&v), sizeof v)) throw std::runtime_error(path_ + ": truncated header");
    return v;
  }
  std::ifstream in_;
  std::string path_;
};

bool IsBatchInput(const std::string& name) { return name == "data" || name == "label" || name == "lr" || name == "lambda"; }

int Run(const Arguments& a) {
  Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "train_step_client");
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(a.threads);
  options.SetInterOpNumThreads(1);
  options.SetExecutionMode(ORT_SEQUENTIAL);
  options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  options.DisableMemPattern();
  // What the oneDNN plugin expects of its host (docs/kernels.md): its thread count, and no spinning workers.
  options.AddConfigEntry("sphereface.dnnl.threads", std::to_string(a.threads).c_str());
  options.AddConfigEntry("session.intra_op.allow_spinning", "0");
  for (const auto& plugin : a.plugins) options.RegisterCustomOpsLibrary(plugin.c_str());
  Ort::Session session(env, (a.graph + "/train_step.onnx").c_str(), options);

  // The carried tensors: every non-batch input X whose output next/X exists.
  Ort::AllocatorWithDefaultOptions allocator;
  std::vector<std::string> outputs;
  for (size_t k = 0; k < session.GetOutputCount(); ++k) outputs.push_back(session.GetOutputNameAllocated(k, allocator).get());
  std::vector<std::string> carried;
  bool has_lambda = false;
  for (size_t k = 0; k < session.GetInputCount(); ++k) {
    std::string name = session.GetInputNameAllocated(k, allocator).get();
    if (name == "lambda") has_lambda = true;
    if (IsBatchInput(name)) continue;
    bool found = false;
    for (const auto& o : outputs) found = found || o == "next/" + name;
    if (!found) throw std::runtime_error("input '" + name + "' has no output 'next/" + name + "'");
    carried.push_back(name);
  }

  std::map<std::string, client::Tensor> initial;
  for (auto& t : client::ReadSafeTensors(a.graph + "/initial.safetensors")) initial[t.name] = std::move(t);
  Batches batches(a.batches);
  auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

  // Two buffer sets per carried tensor: step t reads set t%2 and writes the other.
  std::vector<client::Tensor> sets[2];
  for (int s = 0; s < 2; ++s)
    for (const auto& name : carried) {
      auto it = initial.find(name);
      if (it == initial.end()) throw std::runtime_error("initial.safetensors has no tensor '" + name + "'");
      sets[s].push_back(it->second);
    }
  std::vector<int64_t> data_shape{batches.batch};
  data_shape.insert(data_shape.end(), batches.dims.begin(), batches.dims.end());
  std::vector<float> data(static_cast<size_t>(batches.batch * batches.image));
  std::vector<int64_t> labels(static_cast<size_t>(batches.batch));
  float lr = 0, lambda = 0, loss = 0, accuracy = 0;
  int64_t label_shape[] = {batches.batch};
  auto data_value = Ort::Value::CreateTensor<float>(memory, data.data(), data.size(), data_shape.data(), data_shape.size());
  auto label_value = Ort::Value::CreateTensor<int64_t>(memory, labels.data(), labels.size(), label_shape, 1);
  auto lr_value = Ort::Value::CreateTensor<float>(memory, &lr, 1, nullptr, 0);
  auto lambda_value = Ort::Value::CreateTensor<float>(memory, &lambda, 1, nullptr, 0);
  auto loss_value = Ort::Value::CreateTensor<float>(memory, &loss, 1, nullptr, 0);
  auto accuracy_value = Ort::Value::CreateTensor<float>(memory, &accuracy, 1, nullptr, 0);

  std::vector<Ort::Value> values[2];
  for (int s = 0; s < 2; ++s)
    for (auto& t : sets[s]) values[s].push_back(Ort::Value::CreateTensor<float>(memory, t.data.data(), t.data.size(), t.shape.data(), t.shape.size()));
  std::vector<Ort::IoBinding> bindings;
  for (int s = 0; s < 2; ++s) {
    Ort::IoBinding binding(session);
    binding.BindInput("data", data_value);
    binding.BindInput("label", label_value);
    binding.BindInput("lr", lr_value);
    if (has_lambda) binding.BindInput("lambda", lambda_value);
    for (size_t k = 0; k < carried.size(); ++k) {
      binding.BindInput(carried[k].c_str(), values[s][k]);
      binding.BindOutput(("next/" + carried[k]).c_str(), values[1 - s][k]);
    }
    binding.BindOutput("loss", loss_value);
    binding.BindOutput("accuracy", accuracy_value);
    bindings.push_back(std::move(binding));
  }

  Ort::RunOptions run_options;
  long steps = 0;
  int64_t iteration = 0;
  while ((a.steps < 0 || steps < a.steps) && batches.Next(iteration, lr, lambda, labels.data(), data.data())) {
    session.Run(run_options, bindings[steps % 2]);
    std::printf("iteration %lld: loss %.6f accuracy %.4f\n", static_cast<long long>(iteration), loss, accuracy);
    ++steps;
  }
  client::WriteSafeTensors(a.out, sets[steps % 2]);
  std::printf("%ld steps; %zu carried tensors -> %s\n", steps, carried.size(), a.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(Parse(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "train_step_client: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_step_client: %s\n", e.what());
    return 1;
  }
}
