"""PyTorch peer for `sphereface bench embed`: runs an embedding.onnx with torch ops, weights read from the ONNX
initializers, on ready input tensors (network only). Prints one JSON line per batch size.

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


def forward(graph, weights, x):
    values = dict(weights)
    values[graph.input[0].name] = x
    for node in graph.node:
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
            w = i[1].t() if a.get("transB", 0) else i[1]
            y = i[0] @ w + (i[2] if len(i) > 2 else 0)
        elif node.op_type == "Relu":
            y = F.relu(i[0])
        elif node.op_type == "Identity":
            y = i[0]
        else:
            raise SystemExit(f"unsupported op {node.op_type}")
        values[node.output[0]] = y
    return values[graph.output[0].name]


def main():
    model, threads, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(threads)
    m = onnx.load(model)
    weights = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim][1:]
    for batch in map(int, sys.argv[4:]):
        x = torch.from_numpy(np.random.default_rng(1).uniform(-1, 1, [batch] + shape).astype(np.float32))
        times = []
        with torch.inference_mode():
            for _ in range(2):
                forward(m.graph, weights, x)
            start = time.perf_counter()
            while len(times) < 3 or time.perf_counter() - start < seconds:
                t0 = time.perf_counter()
                y = F.normalize(forward(m.graph, weights, x), dim=1)
                times.append(time.perf_counter() - t0)
            total = time.perf_counter() - start
        times.sort()
        print(json.dumps({"batch": batch, "images_per_s": batch * len(times) / total,
                          "median_ms": 1000 * times[len(times) // 2], "calls": len(times)}), flush=True)


if __name__ == "__main__":
    main()
