using SphereFace.Tests.Support;
using SphereFace.Models.Native;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.IO;
using SphereFace.Models.Onnx;
using SphereFace.Inference;
using SphereFace.Inference.GraphRewrites;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>
/// <see cref="PReluAsBlockedOps"/>: the rewritten graph against Conv → PRelu → residual Add in double precision,
/// the layout ONNX Runtime then chooses, and the Embedder with and without the rewrite.
/// </summary>
[TestClass]
public sealed class PReluRewriteTests
{
    private const int C = 16, H = 5, W = 7, N = 2;

    [TestMethod]
    public void RewrittenConvPReluResidualEqualsDoublePrecisionReference()
    {
        // Slopes across the range the rewrite accepts: negative, zero, ordinary, exactly one.
        var slopes = Enumerable.Range(0, C).Select(c => c switch { 0 => 0f, 1 => 1f, 2 => -0.7f, _ => (float)(c / (double)C) }).ToArray();
        var rng = new Random(5);
        var weight = Enumerable.Range(0, C * C * 9).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.4f).ToArray();
        var x = Enumerable.Range(0, N * C * H * W).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        x[3] = 0f;
        var model = ConvPReluResidual(weight, slopes);

        Assert.AreEqual(1, PReluAsBlockedOps.Apply(model));
        CollectionAssert.DoesNotContain(model.Graph.Node.Select(n => n.OpType).ToList(), "PRelu");
        Assert.IsFalse(model.Graph.Initializer.Any(t => t.Name == "slope"), "the unused slope initializer is dropped");

        var actual = Run(model, x);
        var expected = Reference(weight, slopes, x);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs(expected[i])));
        Assert.IsTrue(worst < 2e-6, $"largest relative difference {worst:E2}");
    }

    [TestMethod]
    public void SlopeAboveOneKeepsThePRelu()
    {
        var slopes = Enumerable.Repeat(0.25f, C).ToArray();
        slopes[7] = 1.5f;
        var model = ConvPReluResidual(new float[C * C * 9], slopes);
        int nodes = model.Graph.Node.Count;
        Assert.AreEqual(0, PReluAsBlockedOps.Apply(model));
        Assert.AreEqual(nodes, model.Graph.Node.Count);
        Assert.AreEqual(1, model.Graph.Node.Count(n => n.OpType == "PRelu"));
    }

    [TestMethod]
    public void RewrittenNetStaysInTheBlockedLayout()
    {
        var original = ModelFile.Load(ModelPath);
        var rewritten = original.Clone();
        Assert.AreEqual(4, PReluAsBlockedOps.Apply(rewritten), "SF-4 has four PRelus");
        int before = ReorderOutputs(original), after = ReorderOutputs(rewritten);
        // Before: every PRelu leaves the blocked layout; after: only the flatten before fc5 does.
        Assert.IsTrue(before >= 4, $"original graph: {before} ReorderOutput nodes");
        Assert.AreEqual(1, after, "rewritten graph: ReorderOutput nodes");
    }

    [TestMethod]
    public void EmbedderWithAndWithoutRewriteAgree()
    {
        using var blocked = new Embedder(ModelPath, new EmbedderOptions { Kernels = Kernels.Standard });
        using var plain = new Embedder(ModelPath, new EmbedderOptions { Kernels = Kernels.Standard, BlockedLayoutPRelu = false });
        Assert.AreEqual(4, blocked.RewrittenPRelus);
        Assert.AreEqual(0, plain.RewrittenPRelus);
        using var face = RandomImage(96, 112, 3);
        var expected = plain.EmbedAligned(face).Select(v => (double)v).ToArray();
        AssertClose(expected, blocked.EmbedAligned(face), 1e-6, "embedding");
    }

    /// <summary>y = x + PRelu(Conv(x, W), s): one residual unit of a SphereFace net with constant weights.</summary>
    private static ModelProto ConvPReluResidual(float[] weight, float[] slopes)
    {
        var g = new GraphBuilder("conv_prelu_residual");
        var x = g.Input("x", ElementType.Float, N, C, H, W);
        var w = g.AddInitializer("weight", weight, [C, C, 3, 3]);
        var s = g.AddInitializer("slope", slopes, [C, 1, 1]);
        var conv = g.Node("Conv", [x, w], [Attr.Ints("kernel_shape", 3, 3), Attr.Ints("pads", 1, 1, 1, 1)]);
        var act = g.Node("PRelu", [conv, s]);
        g.Output(g.Node("Add", [x, act]), "y");
        return g.ToModel();
    }

    private static double[] Reference(float[] weight, float[] slopes, float[] x)
    {
        var y = new double[x.Length];
        for (int n = 0; n < N; n++)
        for (int o = 0; o < C; o++)
        for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
        {
            double sum = 0;
            for (int c = 0; c < C; c++)
            for (int ki = 0; ki < 3; ki++)
            for (int kj = 0; kj < 3; kj++)
            {
                int r = i + ki - 1, q = j + kj - 1;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                sum += (double)weight[((o * C + c) * 3 + ki) * 3 + kj] * x[((n * C + c) * H + r) * W + q];
            }
            int at = ((n * C + o) * H + i) * W + j;
            y[at] = x[at] + (sum > 0 ? sum : slopes[o] * sum);
        }
        return y;
    }

    private static float[] Run(ModelProto model, float[] x)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [N, C, H, W]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [input], ["y"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>ReorderOutput nodes (blocked → plain layout) in ONNX Runtime's fully optimised graph.</summary>
    private static int ReorderOutputs(ModelProto model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sphereface-optimised-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = path })
            using (new InferenceSession(model.ToByteArray(), options)) { }
            return ModelFile.Load(path).Graph.Node.Count(n => n.OpType == "ReorderOutput");
        }
        finally { File.Delete(path); }
    }
}
