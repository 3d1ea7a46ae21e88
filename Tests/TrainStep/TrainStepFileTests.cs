using SphereFace.Cli;
using SphereFace.Graphs.Export;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.TrainStep;

/// <summary><c>build-graph</c> writes train_step.onnx and its manifest section; python3-onnx's full checker accepts the file.</summary>
[TestClass]
public sealed class TrainStepFileTests
{
    // full_check = type and shape inference in strict mode; nodes of a custom domain have no schema there,
    // so the checker skips them (their outputs get no inferred shape); every standard node is checked.
    private const string CheckerScript = """
import sys, onnx
from onnx import shape_inference
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
inferred = shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
custom = sorted({n.domain for n in m.graph.node if n.domain not in ("", "ai.onnx")})
print(len(m.graph.node), len(m.graph.input), len(m.graph.output), ",".join(custom) or "-")
""";

    [TestMethod]
    [DataRow("softmax", 16, "standard", "-")]
    [DataRow("asoftmax", 15, "standard", "ai.sphereface")]
    [DataRow("softmax", 16, "onednn", "ai.sphereface.dnnl")]
    [DataRow("asoftmax", 15, "onednn", "ai.sphereface,ai.sphereface.dnnl")]
    public void BuildGraphWritesACheckerCleanTrainStep(string loss, int parameters, string kernels, string customDomains)
    {
        using var dir = new TempDir();
        string outDir = dir.File("g");
        var (code, error) = CliRun.Run("build-graph", "--net", "sphere4", "--classes", "10", "--batch", "4", "--loss", loss, "--kernels", kernels, "--out", outDir);
        Assert.AreEqual(0, code, error);

        var manifest = Manifest.Load(Path.Combine(outDir, Manifest.FileName));
        Assert.AreEqual("train_step.onnx", manifest.Files["train_step"]);
        var section = manifest.Sections["train_step"]!;
        Assert.AreEqual(4, (int)section["batch_size"]!);
        Assert.AreEqual(kernels, (string)section["kernels"]!);
        var carried = section["carried"]!.AsArray();
        // SF-4: 4 convs (weight, bias, slope) + fc5 (weight, bias) + classifier weight (+ bias for softmax), each with a momentum.
        Assert.AreEqual(2 * parameters, carried.Count);
        Assert.AreEqual("next/momentum/conv1_1/weight", (string)carried.First(c => (string)c!["input"]! == "momentum/conv1_1/weight")!["output"]!);

        var fields = Python.Run(CheckerScript, Path.Combine(outDir, "train_step.onnx")).Trim().Split(' ');
        Assert.AreEqual(4 + 2 * parameters, int.Parse(fields[1]), "graph inputs");
        Assert.AreEqual(2 + 2 * parameters, int.Parse(fields[2]), "graph outputs");
        Assert.AreEqual(customDomains, fields[3], "custom domains");
    }
}
