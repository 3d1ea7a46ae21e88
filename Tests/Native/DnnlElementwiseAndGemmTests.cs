using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Autodiff;
using SphereFace.Tests.Support;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Native;

/// <summary>
/// The oneDNN plugin's PRelu / PReluGrad and Gemm against double-precision formulas: PReLU and its two gradients on
/// both activation layouts (values on both sides of the kink and exactly 0), and ONNX Gemm semantics (transposes,
/// alpha, beta, every broadcast form of C).
/// </summary>
[TestClass]
[TestCategory("KernelPaths")]
public sealed class DnnlElementwiseAndGemmTests
{
    private static float[] Random(SeededRandom rng, long count, double scale = 1)
    {
        var a = new float[count];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.Uniform(-1, 1) * scale);
        return a;
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void PReluAndItsGradientsMatchTheFormula(bool blocked)
    {
        const long n = 2, c = 32, h = 5, w = 3;
        var rng = new SeededRandom(3);
        var x = Random(rng, n * c * h * w);
        x[0] = 0f;
        x[7] = -0f;
        var slope = Random(rng, c);
        var dy = Random(rng, n * c * h * w);
        int b = TestKernels.Block;
        long[] shape = blocked ? [n, c / b, h, w, b] : [n, c, h, w];
        var g = new GraphBuilder("prelu");
        g.Input("x", ElementType.Float, shape);
        g.Input("slope", ElementType.Float, c, 1, 1);
        g.Input("dy", ElementType.Float, shape);
        string y = g.Node(DnnlPlugin.PReluOp, ["x", "slope"], domain: DnnlPlugin.Domain);
        string loss = g.Node("ReduceSum", [g.Node("Mul", [y, "dy"]), g.ConstInts(Enumerable.Range(0, shape.Length).Select(i => (long)i).ToArray())], [Attr.Int("keepdims", 0)]);
        var grads = ReverseMode.Differentiate(g, loss, ["x", "slope"]);
        g.Output(y, "y_out");
        g.Output(grads["x"]!, "dx");
        g.Output(grads["slope"]!, "dslope");
        using var session = new GraphSession(g.ToModel(), plugin: true, threads: 2);
        float[] Layout(float[] v) => blocked ? ConvReference.ToBlocked(v, n, c, h, w, b) : v;
        float[] Plain(float[] v) => blocked ? ConvReference.ToPlain(v, n, c, h, w, b) : v;
        var o = session.Run(("x", Layout(x), shape), ("slope", slope, [c, 1, 1]), ("dy", Layout(dy), shape));
        var (yOut, dx, dslope) = (Plain(o["y_out"]), Plain(o["dx"]), o["dslope"]);
        var wantDslope = new double[c];
        for (long i = 0; i < x.Length; i++)
        {
            long ch = i / (h * w) % c;
            double s = slope[ch];
            Assert.AreEqual(x[i] < 0 ? s * x[i] : x[i], yOut[i], 1e-7, $"y[{i}]");
            Assert.AreEqual(x[i] > 0 ? dy[i] : s * dy[i], dx[i], 1e-7, $"dx[{i}] at x = {x[i]}");
            wantDslope[ch] += (double)dy[i] * Math.Min(x[i], 0f);
        }
        for (int ch = 0; ch < c; ch++) Assert.AreEqual(wantDslope[ch], dslope[ch], 1e-5, $"dslope[{ch}]");
    }

    [TestMethod]
    [DataRow(false, false, 1f, 1f, "none")]
    [DataRow(false, true, 1f, 1f, "row")]
    [DataRow(true, false, 0.5f, 1f, "row")]
    [DataRow(true, true, 1f, 0.25f, "matrix")]
    [DataRow(false, true, 2f, 3f, "column")]
    [DataRow(false, false, 1f, 1f, "scalar")]
    [DataRow(false, true, 1f, 2f, "row")]
    public void GemmFollowsOnnxSemantics(bool transA, bool transB, float alpha, float beta, string cForm)
    {
        const int m = 7, k = 33, n = 19;
        var rng = new SeededRandom(9);
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        long[] cShape = cForm switch { "row" => [n], "column" => [m, 1], "matrix" => [m, n], "scalar" => [], _ => [] };
        var c = cForm == "none" ? null : Random(rng, cShape.Aggregate(1L, (p, d) => p * d));
        var g = new GraphBuilder("gemm");
        g.Input("a", ElementType.Float, transA ? [k, m] : [m, k]);
        g.Input("b", ElementType.Float, transB ? [n, k] : [k, n]);
        if (c is not null) g.Input("c", ElementType.Float, cShape);
        g.Output(g.Node(DnnlPlugin.GemmOp, c is null ? ["a", "b"] : ["a", "b", "c"],
            [Attr.Int("transA", transA ? 1 : 0), Attr.Int("transB", transB ? 1 : 0), Attr.Float("alpha", alpha), Attr.Float("beta", beta)], domain: DnnlPlugin.Domain), "y");
        using var session = new GraphSession(g.ToModel(), plugin: true, threads: 2);
        var feeds = new List<(string, Array, long[])> { ("a", a, transA ? [k, m] : [m, k]), ("b", b, transB ? [n, k] : [k, n]) };
        if (c is not null) feeds.Add(("c", c, cShape));
        var y = session.Run([.. feeds])["y"];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int q = 0; q < k; q++) sum += (double)(transA ? a[q * m + i] : a[i * k + q]) * (transB ? b[j * k + q] : b[q * n + j]);
                double cij = c is null ? 0 : cForm switch { "row" => c[j], "column" => c[i], "matrix" => c[i * n + j], _ => c[0] };
                Assert.AreEqual(alpha * sum + beta * cij, y[i * n + j], 1e-5, $"y[{i},{j}]");
            }
    }
}
