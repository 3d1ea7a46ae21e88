using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Autodiff;
using SphereFace.Tests.Support;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Native;

/// <summary>
/// The oneDNN plugin's Conv, ConvGradInput and ConvGradWeight against a double-precision convolution and its
/// analytic gradients (<see cref="ConvReference"/>), against the standard ONNX Conv with the project's standard
/// gradient rule, and against finite differences; over strides, pads, odd sizes and both activation layouts.
/// </summary>
[TestClass]
[TestCategory("KernelPaths")]
public sealed class DnnlConvTests
{
    /// <summary>
    /// One case: geometry, input layout (NCHW or blocked) and the algorithm attribute; blocked tensors in this machine's
    /// block unless <see cref="Block"/> is given.
    /// </summary>
    private sealed record Case(long N, long C, long H, long W, long M, long Stride, long Pad, bool Bias, bool BlockedInput, string Algorithm, int? ForcedBlock = null)
    {
        public ConvReference Reference => new(N, C, H, W, M, 3, Stride, Pad, Pad);
        public int Block => ForcedBlock ?? TestKernels.Block;
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
        int block = c.Block;
        long[] xShape = blockedIn ? [c.N, c.C / block, c.H, c.W, block] : [c.N, c.C, c.H, c.W];
        long[] yShape = dnnl ? [c.N, c.M / block, r.OutH, r.OutW, block] : [c.N, c.M, r.OutH, r.OutW];
        g.Input("x", ElementType.Float, xShape);
        g.Input("w", ElementType.Float, c.M, c.C, 3, 3);
        if (c.Bias) g.Input("b", ElementType.Float, c.M);
        g.Input("dy", ElementType.Float, yShape);
        var inputs = c.Bias ? new[] { "x", "w", "b" } : ["x", "w"];
        var geometry = new[] { Attr.Ints("strides", c.Stride, c.Stride), Attr.Ints("pads", c.Pad, c.Pad, c.Pad, c.Pad) };
        string y = dnnl
            ? g.Node(DnnlPlugin.ConvOp, inputs, [.. geometry, Attr.String("algorithm", c.Algorithm), Attr.Int("block", block)], name: NodeName(c), domain: DnnlPlugin.Domain)
            : g.Node("Conv", inputs, [Attr.Ints("kernel_shape", 3, 3), .. geometry]);
        string loss = g.Node("ReduceSum", [g.Node("Mul", [y, "dy"]), g.ConstInts(Enumerable.Range(0, yShape.Length).Select(i => (long)i).ToArray())], [Attr.Int("keepdims", 0)]);
        // A plain (NCHW) input is the data a net starts from: its gradient is never needed, and oneDNN has no optimised
        // kernel that writes one, so the plugin refuses it.
        var wrt = c.BlockedInput ? inputs : inputs.Where(i => i != "x").ToArray();
        var grads = ReverseMode.Differentiate(g, loss, wrt);
        g.Output(y, "y_out");
        foreach (var i in wrt) g.Output(grads[i]!, $"d_{i}");
        using var session = new GraphSession(g.ToModel(), plugin: dnnl, threads: 2);
        var feeds = new List<(string, Array, long[])>
        {
            ("x", blockedIn ? ConvReference.ToBlocked(x, c.N, c.C, c.H, c.W, block) : x, xShape), ("w", w, [c.M, c.C, 3, 3]),
            ("dy", dnnl ? ConvReference.ToBlocked(dy, c.N, c.M, r.OutH, r.OutW, block) : dy, yShape),
        };
        if (c.Bias) feeds.Add(("b", b!, [c.M]));
        var o = session.Run([.. feeds]);
        float[] yOut = dnnl ? ConvReference.ToPlain(o["y_out"], c.N, c.M, r.OutH, r.OutW, block) : o["y_out"];
        float[] dx = !c.BlockedInput ? [] : blockedIn ? ConvReference.ToPlain(o["d_x"], c.N, c.C, c.H, c.W, block) : o["d_x"];
        return (yOut, dx, o["d_w"], c.Bias ? o["d_b"] : null);
    }

    private static string NodeName(Case c) => $"conv_{c.N}x{c.C}x{c.H}x{c.W}_m{c.M}_s{c.Stride}_p{c.Pad}_{(c.BlockedInput ? "blocked" : "plain")}{c.Block}_{c.Algorithm}";

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
                     ("Y", plugin.Y, standard.Y, y), ("dW", plugin.Dw, standard.Dw, dw),
                 }.Concat(c.BlockedInput ? [("dX", plugin.Dx, standard.Dx, dx)] : []).Concat(c.Bias ? [("dB", plugin.Db!, standard.Db!, db)] : []))
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
    [TestMethod]
    public void WinogradWhereOffered()
    {
        var c = new Case(2, 32, 10, 9, 32, 1, 1, false, true, "auto");
        Check(8, c, tolerance: 1e-4);
        // "auto" is Winograd on this CPU: oneDNN's on AVX-512, the plugin's own below; say which ran.
        var chosen = Chosen(c);
        Assert.AreEqual(3, chosen.Length, "forward, input and weight gradient each make one primitive");
        Assert.IsTrue(chosen.All(n => n.Contains("wino", StringComparison.Ordinal)), $"not Winograd: {string.Join(", ", chosen)}");
    }

    /// <summary>
    /// The plugin's own F(4×4, 3×3) Winograd (algorithm <c>plugin_winograd</c> forces it on any CPU) in both blocks:
    /// maps that are no multiple of the 4×4 tile, smaller than one tile, pads 0 and 2, more output than input channels,
    /// a batch of 3. Tolerance 1e-4 relative max (measured: ≤ 2e-5 against the double-precision reference).
    /// </summary>
    [TestMethod]
    [DataRow(8)]
    [DataRow(16)]
    public void PluginWinogradMatchesTheReference(int block)
    {
        ulong seed = 40;
        foreach (var c in new Case[]
                 {
                     new(2, 16, 9, 7, 32, 1, 1, true, true, "plugin_winograd", block),
                     new(3, 32, 7, 6, 16, 1, 1, false, true, "plugin_winograd", block),
                     new(1, 16, 3, 2, 16, 1, 1, true, true, "plugin_winograd", block),
                     new(2, 16, 8, 5, 16, 1, 0, false, true, "plugin_winograd", block),
                     new(2, 16, 6, 7, 16, 1, 2, true, true, "plugin_winograd", block),
                 })
        {
            Check(seed++, c, tolerance: 1e-4);
            var chosen = Chosen(c);
            Assert.IsTrue(chosen.Length == 3 && chosen.All(n => n.Contains("sphereface_wino_4x3", StringComparison.Ordinal)), $"{c}: {string.Join(", ", chosen)}");
        }
    }

    /// <summary>The inference fusion on the plugin's Winograd: y = prelu(conv(x) + b, slope) + residual in one node.</summary>
    [TestMethod]
    [DataRow(8)]
    [DataRow(16)]
    public void PluginWinogradFusesBiasPReluAndResidual(int block)
    {
        const long n = 2, c = 16, h = 7, w = 9, m = 32;
        var rng = new SeededRandom(61);
        var reference = new ConvReference(n, c, h, w, m, 3, 1, 1, 1);
        var x = Random(rng, n * c * h * w);
        var weights = Random(rng, m * c * 9, 0.3);
        var bias = Random(rng, m);
        var slope = Random(rng, m);
        var residual = Random(rng, n * m * h * w);
        var g = new GraphBuilder("fused");
        g.Input("x", ElementType.Float, n, c / block, h, w, block);
        g.Input("r", ElementType.Float, n, m / block, h, w, block);
        string y = g.Node(DnnlPlugin.ConvOp, ["x", g.AddInitializer("w", weights, [m, c, 3, 3]), g.AddInitializer("b", bias, [m]), g.AddInitializer("s", slope, [m]), "r"],
            [Attr.Ints("strides", 1, 1), Attr.Ints("pads", 1, 1, 1, 1), Attr.String("algorithm", "plugin_winograd"), Attr.Int("block", block), Attr.Int("constant_weights", 1)],
            domain: DnnlPlugin.Domain);
        g.Output(y, "y");
        using var session = new GraphSession(g.ToModel(), plugin: true, threads: 2);
        var got = ConvReference.ToPlain(session.Run(("x", ConvReference.ToBlocked(x, n, c, h, w, block), [n, c / block, h, w, block]),
            ("r", ConvReference.ToBlocked(residual, n, m, h, w, block), [n, m / block, h, w, block]))["y"], n, m, h, w, block);
        var want = reference.Forward(x, weights, bias);
        for (long i = 0; i < want.Length; i++)
        {
            double v = want[i];
            want[i] = (v < 0 ? slope[i / (h * w) % m] * v : v) + residual[i];
        }
        double e = ConvReference.RelativeMaxDifference(got, want);
        Assert.IsTrue(e <= 1e-4, $"fused Winograd differs from prelu(conv + b) + residual by {e:G3}");
    }

    /// <summary>"op: implementation" of the primitives the case's node made.</summary>
    private static string[] Chosen(Case c)
    {
        var chosen = DnnlPlugin.Implementations().Where(i => i.Node.Contains(NodeName(c), StringComparison.Ordinal)).Select(i => $"{i.Op}: {i.Name}").Distinct().ToArray();
        Console.WriteLine($"{NodeName(c)}: {string.Join(", ", chosen)}");
        return chosen;
    }

    /// <summary>
    /// A graph in a block whose layout this CPU's oneDNN has no optimised kernel for is refused with a message that
    /// names the op, the layout and the instruction set, rather than run on oneDNN's reference code (minutes a step).
    /// </summary>
    [TestMethod]
    public void ReferenceImplementationsAreRefused()
    {
        int other = DnnlPlugin.Blocks.Single(b => b != TestKernels.Block);
        if (DnnlPlugin.ProblemWith(other) is null)
        {
            Console.WriteLine($"oneDNN {DnnlPlugin.Machine.Isa} runs nChw{other}c too; nothing to refuse here");
            return;
        }
        // A stride-2 conv and a PReLU in the other block: whichever this CPU's oneDNN has only reference code for is refused.
        var g = new GraphBuilder("other_block");
        g.Input("x", ElementType.Float, 1, 16 / other, 8, 6, other);
        string y = g.Node(DnnlPlugin.ConvOp, ["x", g.AddInitializer("w", new float[16 * 16 * 9], [16, 16, 3, 3])],
            [Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1), Attr.String("algorithm", "direct"), Attr.Int("block", other)], domain: DnnlPlugin.Domain);
        g.Output(g.Node(DnnlPlugin.PReluOp, [y, g.AddInitializer("s", new float[16], [16, 1, 1])], domain: DnnlPlugin.Domain), "y");
        using var session = new GraphSession(g.ToModel(), plugin: true, threads: 2);
        var e = Assert.ThrowsExactly<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => session.Run(("x", new float[16 * 48], [1, 16 / other, 8, 6, other])));
        StringAssert.Contains(e.Message, DnnlPlugin.ReferenceRefused);
        StringAssert.Contains(e.Message, $"nChw{other}c");
        StringAssert.Contains(e.Message, DnnlPlugin.Machine.Isa);
    }

    [TestMethod]
    public void GradientsMatchFiniteDifferences()
    {
        foreach (var (stride, blocked) in new[] { (1L, true), (2L, true) })
        {
            var check = new GradientCheck(20 + (ulong)stride)
                .Float("x", blocked ? [2, 16 / TestKernels.Block, 7, 6, TestKernels.Block] : [2, 16, 7, 6])
                .Float("w", [16, 16, 3, 3], lo: -0.3, hi: 0.3)
                .Float("b", [16]);
            check.Run(g => g.Node(DnnlPlugin.ConvOp, ["x", "w", "b"],
                [Attr.Ints("strides", stride, stride), Attr.Ints("pads", 1, 1, 1, 1), Attr.String("algorithm", "direct"), Attr.Int("block", TestKernels.Block)], domain: DnnlPlugin.Domain),
                eps: 1e-2, rtol: 1e-2, atol: 2e-3, coordinates: 8);
        }
    }
}
