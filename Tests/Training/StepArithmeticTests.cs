using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Benchmarks.Training;
using SphereFace.Models.Onnx;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Training;

/// <summary>The multiply-adds <see cref="StepArithmetic"/> reads from a real ONNX Runtime profile, against the textbook counts.</summary>
[TestClass]
public sealed class StepArithmeticTests
{
    [TestMethod]
    public void ProfileMultiplyAddsMatchTheFormulas()
    {
        var g = new GraphBuilder("arithmetic", ParameterMode.Inputs);
        var x = g.Input("x", ElementType.Float, 2, 3, 9, 8);
        var w = g.Input("w", ElementType.Float, 5, 3, 3, 3);
        var conv = g.Node("Conv", [x, w], [Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1)]);
        var t = g.Input("t", ElementType.Float, 2, 4, 3, 3);
        var tw = g.Input("tw", ElementType.Float, 4, 6, 2, 2);
        var deconv = g.Node("ConvTranspose", [t, tw], [Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2)]);
        var a = g.Input("a", ElementType.Float, 7, 4);
        var b = g.Input("b", ElementType.Float, 7, 3);
        var gemm = g.Node("Gemm", [a, b], [Attr.Int("transA", 1)]);
        var m = g.Input("m", ElementType.Float, 4, 5);
        var n = g.Input("n", ElementType.Float, 5, 6);
        var matmul = g.Node("MatMul", [m, n]);
        foreach (var o in new[] { conv, deconv, gemm, matmul }) g.Output(o);

        const int runs = 3;
        string profile = RunProfiled(g, runs);
        try
        {
            var shares = StepArithmetic.FromProfile(profile, runs).ToDictionary(s => s.OpType);
            // Conv: N·M·Ho·Wo·C·kh·kw with Ho = ⌊(9 + 2 − 3)/2⌋ + 1 = 5, Wo = ⌊(8 + 2 − 3)/2⌋ + 1 = 4.
            Assert.AreEqual(2.0 * 5 * 5 * 4 * 3 * 3 * 3, shares["Conv"].GigaMacsPerStep * 1e9, 1e-6);
            // ConvTranspose: every input element meets every weight of its input channel: N·Cin·H·W·Cout·kh·kw.
            Assert.AreEqual(2.0 * 4 * 3 * 3 * 6 * 2 * 2, shares["ConvTranspose"].GigaMacsPerStep * 1e9, 1e-6);
            // Gemm with transA: Aᵀ is 4×7, B is 7×3 → 4·3·7.
            Assert.AreEqual(4.0 * 3 * 7, shares["Gemm"].GigaMacsPerStep * 1e9, 1e-6);
            // MatMul: 4×5 · 5×6.
            Assert.AreEqual(4.0 * 6 * 5, shares["MatMul"].GigaMacsPerStep * 1e9, 1e-6);
            Assert.IsTrue(shares.Values.All(s => s.Nodes == 1 && s.MillisecondsPerStep > 0));
        }
        finally { File.Delete(profile); }
    }

    [TestMethod]
    public void OneDnnConvAndItsGradientsAreCounted()
    {
        var g = new GraphBuilder("arithmetic_dnnl", ParameterMode.Inputs);
        int b = TestKernels.Block;   // this machine's layout: 16 channels in blocks of 8 (AVX2) or 16 (AVX-512)
        var x = g.Input("x", ElementType.Float, 2, 16 / b, 9, 8, b);
        var w = g.Input("w", ElementType.Float, 32, 16, 3, 3);
        var geometry = new[] { Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1), Attr.String("algorithm", "direct"), Attr.Int("block", b) };
        var y = g.Node(DnnlPlugin.ConvOp, [x, w], geometry, domain: DnnlPlugin.Domain);
        var dy = g.Input("dy", ElementType.Float, 2, 32 / b, 5, 4, b);
        var dx = g.Node(DnnlPlugin.ConvGradInputOp, [dy, w], [.. geometry, Attr.Ints("input_shape", 2, 16 / b, 9, 8, b)], domain: DnnlPlugin.Domain);
        var dw = g.Node(DnnlPlugin.ConvGradWeightOp, [x, dy], [.. geometry, Attr.Ints("kernel_shape", 3, 3)], domain: DnnlPlugin.Domain);
        foreach (var o in new[] { y, dx, dw }) g.Output(o);

        const int runs = 2;
        string profile = RunProfiled(g, runs, warmupRuns: 1);
        try
        {
            var shares = StepArithmetic.FromProfile(profile, runs, warmupRuns: 1).ToDictionary(s => s.OpType);
            // Each is N·M·Ho·Wo·C·kh·kw with Ho = ⌊(9 + 2 − 3)/2⌋ + 1 = 5, Wo = 4: the forward and both gradients do the same work.
            double macs = 2.0 * 32 * 5 * 4 * 16 * 3 * 3;
            Assert.AreEqual(macs, shares["Conv"].GigaMacsPerStep * 1e9, 1e-6);
            Assert.AreEqual(macs, shares["ConvGradInput"].GigaMacsPerStep * 1e9, 1e-6);
            Assert.AreEqual(macs, shares["ConvGradWeight"].GigaMacsPerStep * 1e9, 1e-6);
            Assert.IsTrue(shares.Values.All(s => s.Nodes == 1));
        }
        finally { File.Delete(profile); }
    }

    private static string RunProfiled(GraphBuilder g, int runs, int warmupRuns = 0)
    {
        var model = g.ToModel();
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1, EnableProfiling = true,
            ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), $"sphereface-arith-{Environment.ProcessId}"),
        };
        PluginLibrary.RegisterFor(options, model);
        using var session = new InferenceSession(model.ToByteArray(), options);
        var values = new List<OrtValue>();
        try
        {
            var names = new List<string>();
            foreach (var input in model.Graph.Input)
            {
                var shape = input.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
                values.Add(OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (p, d) => p * d)], shape));
                names.Add(input.Name);
            }
            using var runOptions = new RunOptions();
            for (int i = 0; i < runs + warmupRuns; i++)
                using (session.Run(runOptions, names, values, model.Graph.Output.Select(o => o.Name).ToArray())) { }
        }
        finally { foreach (var v in values) v.Dispose(); }
        return session.EndProfiling();
    }
}
