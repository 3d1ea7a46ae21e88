using System.Diagnostics;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Models.Onnx;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;

namespace SphereFace.Tests.Training;

/// <summary>
/// <c>train --graph</c>: a graph folder written by <c>build-graph</c> trains to the same bits as the in-memory path; an
/// edit made to <c>train_step.onnx</c> with python3-onnx takes effect; a graph that breaks its manifest's contract is
/// refused naming the tensor; and the reference C++ client (Clients/Cpp) replays a recorded run to the same bits.
/// </summary>
[TestClass]
public sealed class GraphFolderTrainingTests
{
    private static readonly string[] Graph = ["--net", "sphere4", "--classes", "10", "--batch", "4", "--loss", "asoftmax"];
    private static readonly string[] Run = Steps(3);

    private static string[] Steps(int iterations) =>
        ["--data", "random:16", "--iterations", $"{iterations}", "--threads", "2", "--log-every", "1", "--checkpoint-every", $"{iterations}"];

    private static void Cli(params string[] args)
    {
        var (code, error) = CliRun.Run(args);
        Assert.AreEqual(0, code, $"sphereface {string.Join(" ", args)}: {error}");
    }

    private static Dictionary<string, float[]> Tensors(string path) =>
        SafeTensors.Read(path).Tensors.ToDictionary(t => t.Name, t => t.Data);

    private static void AssertBitwiseEqual(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, string what)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList(), $"{what}: tensor names");
        foreach (var (name, values) in expected) CollectionAssert.AreEqual(values, actual[name], $"{what}: '{name}' differs");
    }

    [TestMethod]
    public void GraphFolderTrainsToTheSameBitsAsTheInMemoryPath()
    {
        using var dir = new TempDir();
        Cli(["build-graph", .. Graph, "--out", dir.File("g")]);
        Cli(["train", "--graph", dir.File("g"), .. Run, "--out", dir.File("from-folder")]);
        Cli(["train", .. Graph, .. Run, "--out", dir.File("in-memory")]);
        var folder = CheckpointFile.Load(dir.File("from-folder/checkpoint.safetensors"));
        var memory = CheckpointFile.Load(dir.File("in-memory/checkpoint.safetensors"));
        AssertBitwiseEqual(memory.Tensors.ToDictionary(t => t.Name, t => t.Data), folder.Tensors.ToDictionary(t => t.Name, t => t.Data), "checkpoints");
        Assert.AreEqual(memory.Loss, folder.Loss);
        CollectionAssert.AreEquivalent(memory.Kinds.ToList(), folder.Kinds.ToList());
        // Both run folders keep the graph they trained, and it is the same model.
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("g/train_step.onnx")), File.ReadAllBytes(dir.File("from-folder/graph/train_step.onnx")));
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("g/train_step.onnx")), File.ReadAllBytes(dir.File("in-memory/graph/train_step.onnx")));

        // The folder's run exports and resumes like any other.
        Cli("export", "--checkpoint", dir.File("from-folder/checkpoint.safetensors"), "--out", dir.File("embedding.onnx"));
        Cli("train", "--resume", dir.File("from-folder/checkpoint.safetensors"), "--iterations", "4");
        Assert.AreEqual(4, CheckpointFile.Load(dir.File("from-folder/checkpoint.safetensors")).Iteration);
    }

    private const string EditScript = """
import sys, onnx, numpy as np
from onnx import numpy_helper, helper
m = onnx.load(sys.argv[1])
# The biases' learning-rate multiplier: the constant that the node sgd/lr_mult multiplies lr by (2 → 3).
node = next(n for n in m.graph.node if n.name.startswith("sgd/lr_mult"))
init = next(t for t in m.graph.initializer if t.name == node.input[1])
assert float(numpy_helper.to_array(init)) == 2.0
init.CopyFrom(numpy_helper.from_array(np.array(3.0, dtype=np.float32), init.name))
# An extra output the trainer does not know: the embedding.
m.graph.output.append(helper.make_tensor_value_info("fc5", onnx.TensorProto.FLOAT, [4, 512]))
onnx.save(m, sys.argv[1])
""";

    [TestMethod]
    public void AnEditedGraphTrainsWithTheEditInEffect()
    {
        using var dir = new TempDir();
        Cli(["build-graph", .. Graph, "--out", dir.File("g")]);
        Cli(["train", "--graph", dir.File("g"), .. Steps(1), "--out", dir.File("original")]);
        Python.Run(EditScript, dir.File("g/train_step.onnx"));
        Cli(["train", "--graph", dir.File("g"), .. Steps(1), "--out", dir.File("edited")]);
        var original = Tensors(dir.File("original/checkpoint.safetensors"));
        var edited = Tensors(dir.File("edited/checkpoint.safetensors"));
        // One step from zero momentum: a bias's momentum is lr·lr_mult·gradient, so it grows by 3/2; weights are untouched.
        var v = original["momentum/conv1_1/bias"];
        var w = edited["momentum/conv1_1/bias"];
        for (int i = 0; i < v.Length; i++) Assert.AreEqual(1.5 * v[i], w[i], 1e-6 * Math.Abs(v[i]) + 1e-12, $"momentum/conv1_1/bias[{i}]");
        CollectionAssert.AreEqual(original["momentum/conv1_1/weight"], edited["momentum/conv1_1/weight"]);
    }

    [TestMethod]
    [DataRow("missing-output")]
    [DataRow("reshaped-input")]
    [DataRow("unknown-input")]
    public void AGraphThatBreaksItsContractIsRefusedNamingTheTensor(string breakage)
    {
        using var dir = new TempDir();
        Cli(["build-graph", .. Graph, "--out", dir.File("g")]);
        string path = dir.File("g/train_step.onnx");
        var model = ModelFile.Load(path);
        string named;
        switch (breakage)
        {
            case "missing-output":
                var output = model.Graph.Output.First(o => o.Name == "next/momentum/fc5/weight");
                model.Graph.Output.Remove(output);
                named = "next/momentum/fc5/weight";
                break;
            case "reshaped-input":
                model.Graph.Input.First(i => i.Name == "conv2_1/bias").Type.TensorType.Shape.Dim[0].DimValue = 7;
                named = "conv2_1/bias";
                break;
            default:
                model.Graph.Input.Add(new ValueInfoProto { Name = "temperature", Type = model.Graph.Input.First(i => i.Name == "lr").Type.Clone() });
                named = "temperature";
                break;
        }
        ModelFile.Save(model, path);
        var (code, error) = CliRun.Run(["train", "--graph", dir.File("g"), .. Run, "--out", dir.File("run")]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, $"'{named}'");
        Assert.IsFalse(File.Exists(dir.File("run/checkpoint.safetensors")));
    }

    [TestMethod]
    public void FlagsTheGraphFixesAreRefused()
    {
        using var dir = new TempDir();
        Cli(["build-graph", .. Graph, "--out", dir.File("g")]);
        var (code, error) = CliRun.Run(["train", "--graph", dir.File("g"), .. Run, "--net", "sphere20", "--out", dir.File("run")]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "--net");
    }

    [TestMethod]
    public void TheCppClientReplaysARecordedRunToTheSameBits()
    {
        string client = Path.Combine(AppContext.BaseDirectory, "train_step_client");
        Assert.IsTrue(File.Exists(client), $"the C++ client was not built: {client}");
        using var dir = new TempDir();
        Cli(["build-graph", .. Graph, "--out", dir.File("g")]);
        Cli(["train", "--graph", dir.File("g"), .. Run, "--record-batches", dir.File("batches.bin"), "--out", dir.File("run")]);
        var psi = new ProcessStartInfo(client) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dir.File("g"), dir.File("batches.bin"), dir.File("client.safetensors"), "--threads", "2" }) psi.ArgumentList.Add(a);
        foreach (var library in new[] { "libsphereface_margin.so", "libsphereface_dnnl.so" })
        {
            psi.ArgumentList.Add("--plugin");
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, library));
        }
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, stderr);
        StringAssert.Contains(stdout, "3 steps");
        AssertBitwiseEqual(Tensors(dir.File("run/checkpoint.safetensors")), Tensors(dir.File("client.safetensors")), "client vs train --graph");
    }
}
