using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Autodiff;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Native;

/// <summary>
/// The oneDNN plugin's Conv, ConvGradInput and ConvGradWeight against a double-precision convolution and its
/// analytic gradients (<see cref="ConvReference"/>), against the standard ONNX Conv with the project's standard
/// gradient rule, and against finite differences; over strides, pads, odd sizes and both activation layouts.
/// </summary>
[TestClass]
public sealed class DnnlConvTests
{
    /// <summary>One case: geometry, input layout (NCHW or nChw16c) and the algorithm attribute.</summary>
    private sealed record Case(long N, long C, long H, long W, long M, long Stride, long Pad, bool Bias, bool BlockedInput, string Algorithm)
    {
        public ConvReference Reference => new(N, C, H, W, M, 3, Stride, Pad, Pad);
    }

    private static float[] Random(SeededRandom rng, long count, double scale = 1)
    {
        var a = new float[count];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.Uniform(-1, 1) * scale);
        return a;
    }

    /// <summary>Forward Y and the gradients dX, dW, dB of Σ dY·Y, all in NCHW, from the plugin (dnnl) or standard ops.</summary>
    private static (float[] Y, float[] Dx, float[] Dw, float[]? Db) Run(Case c, float[] x, float[] w, float[]? b, float[] dy, bool dnnl)
    {
        var r = c.Reference;
        var g = new GraphBuilder("conv_case");
        bool blockedIn = dnnl && c.BlockedInput;
        long[] xShape = blockedIn ? [c.N, c.C / 16, c.H, c.W, 16] : [c.N, c.C, c.H, c.W];
        long[] yShape = dnnl ? [c.N, c.M / 16, r.OutH, r.OutW, 16] : [c.N, c.M, r.OutH, r.OutW];
        g.Input("x", ElementType.Float, xShape);
        g.Input("w", ElementType.Float, c.M, c.C, 3, 3);
        if (c.Bias) g.Input("b", ElementType.Float, c.M);
        g.Input("dy", ElementType.Float, yShape);
        var inputs = c.Bias ? new[] { "x", "w", "b" } : ["x", "w"];
        var geometry = new[] { Attr.Ints("strides", c.Stride, c.Stride), Attr.Ints("pads", c.Pad, c.Pad, c.Pad, c.Pad) };
        string y = dnnl
            ? g.Node(DnnlPlugin.ConvOp, inputs, [.. geometry, Attr.String("algorithm", c.Algorithm)], name: NodeName(c), domain: DnnlPlugin.Domain)
            : g.Node("Conv", inputs, [Attr.Ints("kernel_shape", 3, 3), .. geometry]);
        string loss = g.Node("ReduceSum", [g.Node("Mul", [y, "dy"]), g.ConstInts(Enumerable.Range(0, yShape.Length).Select(i => (long)i).ToArray())], [Attr.Int("keepdims", 0)]);
        var grads = ReverseMode.Differentiate(g, loss, inputs);
        g.Output(y, "y_out");
        foreach (var i in inputs) g.Output(grads[i]!, $"d_{i}");
        using var session = new GraphSession(g.ToModel(), plugin: dnnl, threads: 2);
        var feeds = new List<(string, Array, long[])>
        {
            ("x", blockedIn ? ConvReference.ToBlocked(x, c.N, c.C, c.H, c.W) : x, xShape), ("w", w, [c.M, c.C, 3, 3]),
            ("dy", dnnl ? ConvReference.ToBlocked(dy, c.N, c.M, r.OutH, r.OutW) : dy, yShape),
        };
        if (c.Bias) feeds.Add(("b", b!, [c.M]));
        var o = session.Run([.. feeds]);
        float[] yOut = dnnl ? ConvReference.ToPlain(o["y_out"], c.N, c.M, r.OutH, r.OutW) : o["y_out"];
        float[] dx = blockedIn ? ConvReference.ToPlain(o["d_x"], c.N, c.C, c.H, c.W) : o["d_x"];
        return (yOut, dx, o["d_w"], c.Bias ? o["d_b"] : null);
    }

    private static string NodeName(Case c) => $"conv_{c.N}x{c.C}x{c.H}x{c.W}_m{c.M}_s{c.Stride}_p{c.Pad}_{(c.BlockedInput ? "blocked" : "plain")}_{c.Algorithm}";

    private static void Check(ulong seed, Case c, double tolerance = 1e-5)
    {
        var rng = new SeededRandom(seed);
        var r = c.Reference;
        var x = Random(rng, c.N * c.C * c.H * c.W);
        var w = Random(rng, c.M * c.C * 9, 0.3);
        var b = c.Bias ? Random(rng, c.M) : null;
        var dy = Random(rng, c.N * c.M * r.OutH * r.OutW);
        var y = r.Forward(x, w, b);
        var (dx, dw, db) = r.Backward(x, w, dy);

        var plugin = Run(c, x, w, b, dy, dnnl: true);
        var standard = Run(c, x, w, b, dy, dnnl: false);
        foreach (var (name, got, standardGot, want) in new[]
                 {
                     ("Y", plugin.Y, standard.Y, y), ("dX", plugin.Dx, standard.Dx, dx), ("dW", plugin.Dw, standard.Dw, dw),
                 }.Concat(c.Bias ? [("dB", plugin.Db!, standard.Db!, db)] : []))
        {
            double e = ConvReference.RelativeMaxDifference(got, want);
            Assert.IsTrue(e <= tolerance, $"{c}: plugin {name} differs from the double-precision reference by {e:G3} (relative max)");
            double s = ConvReference.RelativeMaxDifference(standardGot, want);
            Assert.IsTrue(s <= 1e-5, $"{c}: standard {name} differs by {s:G3}");
        }
    }

    [TestMethod] public void Stride1Blocked() => Check(1, new(2, 16, 9, 7, 32, 1, 1, false, true, "direct"));
    [TestMethod] public void Stride1BlockedWithBias() => Check(2, new(2, 32, 6, 5, 16, 1, 1, true, true, "direct"));
    [TestMethod] public void Stride2OddSizes() => Check(3, new(2, 16, 9, 7, 32, 2, 1, true, true, "direct"));
    [TestMethod] public void Stride2RowNeverRead() => Check(4, new(2, 16, 8, 6, 16, 2, 1, true, true, "direct"));   // (8 + 2 − 3) odd, like 112×96
    [TestMethod] public void Stride2NoPad() => Check(5, new(1, 16, 8, 7, 16, 2, 0, false, true, "direct"));       // a row beyond the end pad
    [TestMethod] public void FirstLayerPlainInput() => Check(6, new(2, 3, 11, 9, 16, 2, 1, true, false, "direct"));
    [TestMethod] public void PlainInputStride1() => Check(7, new(2, 16, 7, 6, 16, 1, 1, false, false, "direct"));
    [TestMethod]
    public void WinogradWhereOffered()
    {
        var c = new Case(2, 32, 10, 9, 32, 1, 1, false, true, "auto");
        Check(8, c, tolerance: 1e-4);
        // "auto" is Winograd where this CPU's oneDNN has it (AVX-512), direct elsewhere; say which ran.
        var chosen = DnnlPlugin.Implementations().Where(i => i.Node.Contains(NodeName(c), StringComparison.Ordinal)).Select(i => $"{i.Op}: {i.Name}").ToArray();
        Console.WriteLine($"oneDNN implementations: {string.Join(", ", chosen)}");
        Assert.AreEqual(3, chosen.Length, "forward, input and weight gradient each make one primitive");
        Assert.IsTrue(chosen.All(n => n.Contains(": jit", StringComparison.Ordinal)), $"a reference (slow) oneDNN implementation ran: {string.Join(", ", chosen)}");
    }

    [TestMethod]
    public void GradientsMatchFiniteDifferences()
    {
        foreach (var (stride, blocked) in new[] { (1L, true), (2L, true), (2L, false) })
        {
            var check = new GradientCheck(20 + (ulong)stride)
                .Float("x", blocked ? [2, 1, 7, 6, 16] : [2, 16, 7, 6])
                .Float("w", [16, 16, 3, 3], lo: -0.3, hi: 0.3)
                .Float("b", [16]);
            check.Run(g => g.Node(DnnlPlugin.ConvOp, ["x", "w", "b"],
                [Attr.Ints("strides", stride, stride), Attr.Ints("pads", 1, 1, 1, 1), Attr.String("algorithm", "direct")], domain: DnnlPlugin.Domain),
                eps: 1e-2, rtol: 1e-2, atol: 2e-3, coordinates: 8);
        }
    }
}
