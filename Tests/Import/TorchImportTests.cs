using SphereFace.Inference.Output;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Import;

/// <summary>
/// import torch against PyTorch's own forward: a sphere20a-layout module (conv1_1 … conv4_3 with biases, per-channel
/// PReLUs, fc5, a classifier fc6) with random weights, saved as a state dict and run by python3-torch on BGR input;
/// the imported embedding.onnx on the same face in RGB order gives the same fc5 output.
/// </summary>
[TestClass]
public sealed class TorchImportTests
{
    private const string Sphere20a = """
import sys, numpy as np, torch
from torch import nn
torch.manual_seed(7)
units = [1, 2, 4, 1]
widths = [64, 128, 256, 512]
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        cin = 3
        for s in range(4):
            w = widths[s]
            for i in range(1, 2 + 2 * units[s]):
                setattr(self, f"conv{s+1}_{i}", nn.Conv2d(cin if i == 1 else w, w, 3, 2 if i == 1 else 1, 1))
                setattr(self, f"relu{s+1}_{i}", nn.PReLU(w))
            cin = w
        self.fc5 = nn.Linear(512 * 7 * 6, 512)
        self.fc6 = nn.Linear(512, 10)
    def block(self, s, i, x):
        return getattr(self, f"relu{s}_{i}")(getattr(self, f"conv{s}_{i}")(x))
    def forward(self, x):
        for s in range(1, 5):
            x = self.block(s, 1, x)
            for u in range(units[s - 1]):
                x = x + self.block(s, 2 * u + 3, self.block(s, 2 * u + 2, x))
        return self.fc5(x.flatten(1))
net = Net().eval()
with torch.no_grad():
    for name, p in net.named_parameters():
        if name.startswith("relu"): p.uniform_(0.1, 0.4)
        elif name.endswith("bias"): p.normal_(0, 0.05)
        else: p.normal_(0, (2.0 / (p[0].numel())) ** 0.5 * 0.7)
torch.save(net.state_dict(), sys.argv[1])
bgr = torch.from_numpy(np.load(sys.argv[2]).reshape(1, 3, 112, 96))
with torch.no_grad():
    np.save(sys.argv[3], net(bgr).numpy().astype(np.float32))
""";

    [TestMethod]
    public void ImportedSphere20aMatchesPyTorchsForward()
    {
        using var dir = new TempDir();
        var (rgb, bgr) = ImportReference.Face(11);
        NpyFile.WriteMatrix(dir.File("bgr.npy"), bgr, 1, bgr.Length);
        Python.Run(Sphere20a, dir.File("sphere20a.pth"), dir.File("bgr.npy"), dir.File("torch.npy"));

        var (code, error) = CliRun.Run("import", "torch", "--checkpoint", dir.File("sphere20a.pth"), "--layout", "sphere20a", "--out", dir.File("imported"));
        Assert.AreEqual(0, code, error);
        var ours = ImportReference.Run(Path.Combine(dir.File("imported"), "embedding.onnx"), rgb);
        var (reference, _, _) = NpyFile.ReadMatrix(dir.File("torch.npy"));
        Assert.IsLessThan(1e-5, ImportReference.RelativeMax(ours, reference, "sphere20a vs PyTorch"));
    }

    [TestMethod]
    public void TensorsOfEveryFloatTypeAndLayoutReadAsPyTorchHasThem()
    {
        using var dir = new TempDir();
        // Double, half, bfloat16, a transposed (non-contiguous) view, a slice at an offset into a shared storage, a
        // scalar, an integer tensor (left out) and nn.DataParallel's prefix; the expected values as PyTorch prints them.
        Python.Run("""
import sys, json, torch
torch.manual_seed(3)
base = torch.randn(4, 6)
d = {"module.a": torch.randn(3, 5, dtype=torch.float64), "h": torch.randn(7).half(), "b": torch.randn(2, 3).bfloat16(),
     "t": base.t(), "s": base[1:3, 2:5], "z": torch.tensor(2.5), "n": torch.arange(5)}
torch.save({"state_dict": d}, sys.argv[1])
json.dump({k: v.float().flatten().tolist() for k, v in d.items() if v.is_floating_point()}, open(sys.argv[2], "w"))
""", dir.File("types.pth"), dir.File("types.json"));
        var got = SphereFace.Graphs.Import.Torch.TorchCheckpointFile.Read(dir.File("types.pth")).ToDictionary(t => t.Name);
        var want = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, float[]>>(File.ReadAllText(dir.File("types.json")))!;
        CollectionAssert.AreEquivalent(new[] { "a", "h", "b", "t", "s", "z" }, got.Keys.ToArray());
        foreach (var (name, values) in want)
            CollectionAssert.AreEqual(values, got[name.Replace("module.", "")].Data, name);
        CollectionAssert.AreEqual(new long[] { 6, 4 }, got["t"].Shape);
        Assert.IsEmpty(got["z"].Shape);
    }

    [TestMethod]
    public void ACheckpointThatWouldRunCodeIsRefusedWithoutRunningIt()
    {
        using var dir = new TempDir();
        string marker = dir.File("marker");
        Python.Run("""
import os, sys, torch
class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
torch.save({"conv1_1.weight": torch.zeros(1), "x": Payload()}, sys.argv[1])
lin = torch.nn.Linear(2, 2)
torch.jit.save(torch.jit.trace(lin, torch.zeros(1, 2)), sys.argv[3])
torch.save(lin.state_dict(), sys.argv[4], _use_new_zipfile_serialization=False)
""", dir.File("payload.pth"), marker, dir.File("scripted.pt"), dir.File("legacy.pth"));
        Assert.IsFalse(File.Exists(marker), "writing the payload ran nothing");
        foreach (var (file, expected) in new[] { ("payload.pth", "refusing to call posix.system"), ("scripted.pt", "TorchScript archive"), ("legacy.pth", "legacy") })
        {
            var (code, error) = CliRun.Run("import", "torch", "--checkpoint", dir.File(file), "--layout", "sphere20a", "--out", dir.File("imported"));
            Assert.AreEqual(2, code, error);
            StringAssert.Contains(error, file);
            StringAssert.Contains(error, expected);
            Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
        }
        Assert.IsFalse(File.Exists(marker), "the payload never ran");
        Assert.IsFalse(Directory.Exists(dir.File("imported")), "nothing was written");
    }

    [TestMethod]
    public void AStateDictOfAnotherLayoutIsRefusedNamingTheTensor()
    {
        using var dir = new TempDir();
        Python.Run("import sys, torch; torch.save({'conv1_1.weight': torch.zeros(64, 3, 3, 3), 'conv1_1.bias': torch.zeros(32)}, sys.argv[1])", dir.File("other.pth"));
        var (code, error) = CliRun.Run("import", "torch", "--checkpoint", dir.File("other.pth"), "--layout", "sphere20a", "--out", dir.File("imported"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "conv1_1.bias");
        StringAssert.Contains(error, "[64]");
        File.WriteAllText(dir.File("junk.pth"), "not a checkpoint");
        (code, error) = CliRun.Run("import", "torch", "--checkpoint", dir.File("junk.pth"), "--layout", "sphere20a", "--out", dir.File("imported"));
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(error, "junk.pth");
        Assert.IsFalse(error.Contains("   at "), "no stack trace");
    }
}
