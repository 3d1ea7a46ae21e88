#!/usr/bin/python3
"""PyTorch peer of `sphereface bench train`: the same SphereFace net, batch and thread count, one SGD
(momentum 0.9, weight decay 5e-4) step per iteration with a softmax classifier head, in eager mode with NCHW or
channels_last tensors (--memory-format; the two configurations a PyTorch user would pick on a CPU). Prints one JSON
line: images/s, seconds per step, peak RSS. Run with Debian's /usr/bin/python3 (python3-torch)."""
import argparse, json, resource, time
import torch
import torch.nn as nn

UNITS = {4: [0, 0, 0, 0], 10: [0, 1, 2, 0], 20: [1, 2, 4, 1], 36: [2, 4, 8, 2], 64: [3, 8, 16, 3]}
WIDTHS = [64, 128, 256, 512]


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.PReLU(c),
                                  nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.PReLU(c))

    def forward(self, x):
        return x + self.body(x)


def sphere_net(depth, embedding):
    layers, cin = [], 3
    for stage, units in enumerate(UNITS[depth]):
        w = WIDTHS[stage]
        layers += [nn.Conv2d(cin, w, 3, 2, 1), nn.PReLU(w)]
        layers += [Residual(w) for _ in range(units)]
        cin = w
    layers += [nn.Flatten(), nn.Linear(512 * 7 * 6, embedding)]
    return nn.Sequential(*layers)


def peak_rss_kib():
    # VmHWM belongs to this process's own address space; ru_maxrss would also count the parent's RSS at
    # fork time (Linux keeps it across execve).
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--classes", type=int, default=10572)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--memory-format", choices=["nchw", "channels_last"], default="nchw")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = nn.Sequential(sphere_net(a.depth, 512), nn.Linear(512, a.classes))
    decay = [p for n, p in model.named_parameters() if not n.endswith("bias")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": biases, "weight_decay": 0.0, "lr": 0.02}],
                          lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(a.batch, 3, 112, 96) * 2 - 1
    y = torch.randint(0, a.classes, (a.batch,))
    if a.memory_format == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = time.perf_counter() - t0
    peak_kib = peak_rss_kib()
    print(json.dumps({"images_per_s": a.batch * a.steps / dt, "seconds_per_step": dt / a.steps,
                      "peak_rss_mib": peak_kib / 1024.0, "torch": torch.__version__, "threads": a.threads,
                      "memory_format": a.memory_format}))


if __name__ == "__main__":
    main()
