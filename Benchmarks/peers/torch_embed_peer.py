"""PyTorch peer for `sphereface bench embed`: an embedding.onnx as a torch module (weights from its initializers) on
ready input tensors (network only), in the two configurations a PyTorch user would deploy on a CPU: eager
(`torch.inference_mode`) and TorchScript frozen for inference (`torch.jit.trace` → `torch.jit.freeze` →
`torch.jit.optimize_for_inference`, which prepacks the convolutions for oneDNN). Prints one JSON line per
configuration and batch size.

Usage: /usr/bin/python3 torch_embed_peer.py MODEL THREADS SECONDS BATCH [BATCH ...]
"""
import json
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxNet(torch.nn.Module):
    """The graph's Conv / PRelu / Add / Flatten / Gemm / Relu nodes as torch ops; weights are frozen parameters."""

    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        self.names = {}
        for i, t in enumerate(graph.initializer):
            name = f"w{i}"
            self.names[t.name] = name
            self.register_parameter(name, torch.nn.Parameter(torch.from_numpy(onnx.numpy_helper.to_array(t).copy()), requires_grad=False))

    def forward(self, x):
        values = {self.graph.input[0].name: x}
        for t, name in self.names.items():
            values[t] = getattr(self, name)
        for node in self.graph.node:
            a = attrs(node)
            i = [values[n] for n in node.input if n]
            if node.op_type == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])
                y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]), padding=(pads[0], pads[1]))
            elif node.op_type == "PRelu":
                y = F.prelu(i[0], i[1].reshape(-1))
            elif node.op_type == "Add":
                y = i[0] + i[1]
            elif node.op_type == "Flatten":
                y = torch.flatten(i[0], a.get("axis", 1))
            elif node.op_type == "Gemm":
                y = F.linear(i[0], i[1] if a.get("transB", 0) else i[1].t(), i[2] if len(i) > 2 else None)
            elif node.op_type == "Relu":
                y = F.relu(i[0])
            elif node.op_type == "Identity":
                y = i[0]
            else:
                raise SystemExit(f"unsupported op {node.op_type}")
            values[node.output[0]] = y
        return F.normalize(values[self.graph.output[0].name], dim=1)


def time_calls(fn, x, seconds):
    for _ in range(3):
        fn(x)
    times = []
    start = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    times.sort()
    return len(times) / total, 1000 * times[len(times) // 2], len(times)


def main():
    model, threads, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(threads)
    m = onnx.load(model)
    net = OnnxNet(m.graph).eval()
    shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim][1:]
    for batch in map(int, sys.argv[4:]):
        x = torch.from_numpy(np.random.default_rng(1).uniform(-1, 1, [batch] + shape).astype(np.float32))
        with torch.inference_mode():
            calls_per_s, median, calls = time_calls(net, x, seconds)
        print(json.dumps({"name": "pytorch eager network only", "batch": batch, "images_per_s": batch * calls_per_s,
                          "median_ms": median, "calls": calls}), flush=True)
        with torch.no_grad():
            frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(net, x)))
            calls_per_s, median, calls = time_calls(frozen, x, seconds)
        print(json.dumps({"name": "pytorch torchscript-frozen network only", "batch": batch, "images_per_s": batch * calls_per_s,
                          "median_ms": median, "calls": calls}), flush=True)


if __name__ == "__main__":
    main()
