using System.Diagnostics;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Losses;

/// <summary>Runs python3-onnx's checker (full check, strict shape inference) on loss.onnx.</summary>
[TestClass]
public sealed class OnnxCheckerTests
{
    // Prints "checked", then one line per node output: "<op> <name> <dims or ?>".
    private const string Script = """
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
print("checked")
inf = onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
known = {v.name: v for v in list(inf.graph.value_info) + list(inf.graph.output)}
for n in m.graph.node:
    for o in n.output:
        v = known.get(o)
        has = v is not None and v.type.tensor_type.HasField("shape")
        print(n.domain or "ai.onnx", n.op_type, o, "shape" if has else "?")
""";

    private static string[] Check(LossConfig config)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sphereface-checker-{Environment.ProcessId}-{config.ToJson().ToJsonString().GetHashCode():x8}");
        Directory.CreateDirectory(dir);
        try
        {
            string model = Path.Combine(dir, "loss.onnx"), script = Path.Combine(dir, "check.py");
            ModelFile.Save(LossGraph.Build(config, 20, 512, new ParameterStore(3)), model);
            File.WriteAllText(script, Script);
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, model]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.AreEqual(0, p.ExitCode, $"onnx checker failed on {config}: {stderr}");
            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("softmax")]
    [DataRow("modified")]
    [DataRow("amsoftmax")]
    public void StandardHeadsPassTheCheckerWithEveryShapeInferred(string kind)
    {
        var lines = Check(TestLoss.Of(kind));
        Assert.AreEqual("checked", lines[0]);
        CollectionAssert.AreEqual(Array.Empty<string>(), lines.Skip(1).Where(l => l.EndsWith(" ?")).ToArray());
    }

    [TestMethod]
    [DataRow("loss")]
    [DataRow("memory-bank")]
    public void IRSoftmaxAMPassesTheCheckerWithEveryShapeInferred(string centres)
    {
        var lines = Check(TestLoss.Of("irsoftmax-am", centres: centres));
        Assert.AreEqual("checked", lines[0]);
        CollectionAssert.AreEqual(Array.Empty<string>(), lines.Skip(1).Where(l => l.EndsWith(" ?")).ToArray());
    }

    [TestMethod]
    public void TwinASoftmaxPassesTheCheckerWithEveryShapeInferred()
    {
        var lines = Check(TestLoss.Of("asoftmax", m: 4, plugin: false));
        Assert.AreEqual("checked", lines[0]);
        Assert.IsFalse(lines.Any(l => l.StartsWith("ai.sphereface")), "the twin has no custom-domain node");
        CollectionAssert.AreEqual(Array.Empty<string>(), lines.Skip(1).Where(l => l.EndsWith(" ?")).ToArray());
    }

    [TestMethod]
    public void PluginASoftmaxPassesTheCheckerButItsCustomNodeHasNoInferredShape()
    {
        var lines = Check(TestLoss.Of("asoftmax", m: 4));
        Assert.AreEqual("checked", lines[0]);
        // The checker accepts nodes of an unregistered domain without a schema; shape inference cannot see
        // through them, so the Psi output (and what depends on it) stays without an inferred shape.
        var custom = lines.Where(l => l.StartsWith("ai.sphereface Psi ")).ToArray();
        Assert.HasCount(1, custom);
        Assert.EndsWith(" ?", custom[0]);
    }
}
