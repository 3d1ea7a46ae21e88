"""Writes the float tensors of a PyTorch checkpoint as a safetensors file (F32, row-major) for the SphereFace importer.

Usage: python3 torch_state_dict.py CHECKPOINT.pth OUT.safetensors

The checkpoint may be a state dict or a dict holding one under 'state_dict' or 'model'. It is read with
torch.load(weights_only=True), which unpickles tensors and plain containers only: a checkpoint is a pickle, and a
pickle of arbitrary objects can run code. A pickled nn.Module is refused (re-save its state_dict()).
'module.' prefixes (nn.DataParallel) are removed. Prints one line per tensor: name and shape.
"""
import json
import struct
import sys

import torch


def state_dict_of(obj):
    if isinstance(obj, dict):
        for key in ("state_dict", "model"):
            if key in obj and isinstance(obj[key], dict):
                return obj[key]
        return obj
    raise SystemExit(f"{sys.argv[1]}: holds a {type(obj).__name__}, not a state dict or module")


def main():
    source, target = sys.argv[1], sys.argv[2]
    try:
        obj = torch.load(source, map_location="cpu", weights_only=True)
    except Exception as e:  # a corrupt or foreign file, or objects beyond tensors: one line for the caller
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise SystemExit(f"{source}: not a PyTorch state dict readable with weights_only=True ({type(e).__name__}: {first})")
    header, blobs, offset = {}, [], 0
    for name, value in state_dict_of(obj).items():
        if not torch.is_tensor(value) or not value.is_floating_point():
            continue
        name = name[len("module."):] if name.startswith("module.") else name
        data = value.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
        print(name, list(value.shape))
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(target, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for data in blobs:
            f.write(data)


if __name__ == "__main__":
    main()
