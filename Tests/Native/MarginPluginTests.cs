using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Tests.Native;

[TestClass]
public sealed class MarginPluginTests
{
    private const int Angles = 12_001;

    private static (double[] Theta, float[] X) Sweep()
    {
        var theta = new double[Angles];
        var x = new float[Angles];
        for (int i = 0; i < Angles; i++)
        {
            theta[i] = Math.PI * i / (Angles - 1);
            x[i] = (float)Math.Cos(theta[i]);
        }
        return (theta, x);
    }

    [TestMethod]
    public void PsiMatchesDoublePrecisionReferenceOnEveryInterval()
    {
        var (theta, x) = Sweep();
        for (int m = 1; m <= 8; m++)
        {
            float[] psi = PsiGraphs.RunForward(m, plugin: true, x);
            var perInterval = new int[m];
            double maxError = 0;
            for (int i = 0; i < Angles; i++)
            {
                perInterval[MarginReference.Interval(theta[i], m)]++;
                maxError = Math.Max(maxError, Math.Abs(psi[i] - MarginReference.Psi(x[i], m)));
            }
            Assert.IsTrue(perInterval.All(c => c > 1000), $"m={m}: samples per k interval {string.Join(",", perInterval)}");
            Console.WriteLine($"m={m}: max |ψ_plugin − ψ_reference| = {maxError:E3} over {Angles} angles");
            Assert.IsLessThan(1e-5, maxError, $"m={m}: max |ψ − reference| = {maxError:E3}");
        }
    }

    [TestMethod]
    public void PsiDecreasesMonotonicallyFromOneToOneMinusTwoM()
    {
        var (_, x) = Sweep();
        for (int m = 1; m <= 8; m++)
        {
            float[] psi = PsiGraphs.RunForward(m, plugin: true, x);
            Assert.AreEqual(1.0, psi[0], 1e-6, $"m={m}: ψ(0)");
            Assert.AreEqual(1.0 - 2 * m, psi[^1], 1e-5, $"m={m}: ψ(π)");
            for (int i = 1; i < Angles; i++)
                Assert.IsLessThanOrEqualTo(psi[i - 1], psi[i], $"m={m}: ψ increases between θ index {i - 1} and {i}: {psi[i - 1]} → {psi[i]}");
        }
    }

    [TestMethod]
    public void GradientMatchesCentralDifferencesAwayFromJoints()
    {
        var rng = new SeededRandom(7);
        for (int m = 1; m <= 5; m++)
        {
            const double h = 1e-4;
            var xs = new List<float>();
            for (int i = 0; i < 4000; i++)
            {
                double theta = rng.Uniform(0, Math.PI);
                float x = (float)Math.Cos(theta);
                // Keep x ± h inside one k interval and inside (−1, 1).
                bool nearJoint = Enumerable.Range(0, m + 1).Any(j => Math.Abs(x - Math.Cos(j * Math.PI / m)) < 4 * h);
                if (!nearJoint) xs.Add(x);
            }
            float[] x0 = [.. xs];
            float[] dy = x0.Select(_ => (float)rng.Uniform(0.5, 2)).ToArray();
            float[] dx = PsiGraphs.RunBackward(m, plugin: true, x0, dy);
            for (int i = 0; i < x0.Length; i++)
            {
                double fd = (MarginReference.Psi(x0[i] + h, m) - MarginReference.Psi(x0[i] - h, m)) / (2 * h);
                double expected = fd * dy[i];
                Assert.AreEqual(expected, dx[i], 2e-4 * Math.Max(1, Math.Abs(expected)), $"m={m}, x={x0[i]}");
            }
        }
    }

    [TestMethod]
    public void GradientIsFiniteAndExactAtZeroAndPi()
    {
        for (int m = 1; m <= 8; m++)
        {
            float[] dx = PsiGraphs.RunBackward(m, plugin: true, [1f, -1f], [1f, 1f]);
            // One-sided differences of the reference towards the interior, h small against 1/m².
            const double h = 1e-7;
            double atZero = (MarginReference.Psi(1, m) - MarginReference.Psi(1 - h, m)) / h;
            double atPi = (MarginReference.Psi(-1 + h, m) - MarginReference.Psi(-1, m)) / h;
            Assert.AreEqual(atZero, dx[0], 1e-3 * m * m, $"m={m}: dψ/dx at θ=0");
            Assert.AreEqual(atPi, dx[1], 1e-3 * m * m, $"m={m}: dψ/dx at θ=π");
        }
    }

    [TestMethod]
    public void PluginAndTwinAgreeForwardAndBackward()
    {
        var rng = new SeededRandom(11);
        var x = new List<float> { -1.5f, -1f, 0f, 1f, 1.25f, float.Epsilon };
        for (int i = 0; i < 20_000; i++) x.Add((float)rng.Uniform(-1.05, 1.05));
        float[] xs = [.. x];
        float[] dy = xs.Select(_ => (float)rng.Uniform(-2, 2)).ToArray();
        for (int m = 1; m <= 8; m++)
        {
            float[] plugin = PsiGraphs.RunForward(m, true, xs), twin = PsiGraphs.RunForward(m, false, xs);
            float[] gPlugin = PsiGraphs.RunBackward(m, true, xs, dy), gTwin = PsiGraphs.RunBackward(m, false, xs, dy);
            for (int i = 0; i < xs.Length; i++)
            {
                Assert.AreEqual(twin[i], plugin[i], 1e-6, $"m={m}, x={xs[i]}: ψ");
                Assert.AreEqual(gTwin[i], gPlugin[i], 1e-6, $"m={m}, x={xs[i]}: dψ");
            }
        }
    }

    [TestMethod]
    public void ClampsOutOfRangeInputsAndPropagatesNaN()
    {
        float[] psi = PsiGraphs.RunForward(3, true, [1.5f, -2f, float.NaN]);
        float[] dx = PsiGraphs.RunBackward(3, true, [1.5f, -2f, float.NaN], [1f, 1f, 1f]);
        Assert.AreEqual(MarginReference.Psi(1, 3), psi[0], 1e-6);
        Assert.AreEqual(MarginReference.Psi(-1, 3), psi[1], 1e-6);
        Assert.IsTrue(float.IsNaN(psi[2]));
        Assert.AreEqual(0f, dx[0]);
        Assert.AreEqual(0f, dx[1]);
        Assert.IsTrue(float.IsNaN(dx[2]));
    }

    [TestMethod]
    public void LargeInputsSplitOverThreadsGiveTheSameResult()
    {
        var rng = new SeededRandom(3);
        float[] x = new float[1 << 20];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.Uniform(-1, 1);
        float[] single = PsiGraphs.RunForward(4, true, x, threads: 1);
        float[] multi = PsiGraphs.RunForward(4, true, x, threads: 2);
        CollectionAssert.AreEqual(single, multi);
        for (int i = 0; i < x.Length; i += 997)
            Assert.AreEqual(MarginReference.Psi(x[i], 4), single[i], 1e-5);
    }

    [TestMethod]
    public void ConcurrentRunsOfOneSessionAgree()
    {
        var rng = new SeededRandom(5);
        float[] x = Enumerable.Range(0, 50_000).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        float[] dy = Enumerable.Range(0, x.Length).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        using var session = new GraphSession(PsiGraphs.Backward(5, plugin: true), plugin: true, threads: 2);
        float[] expected = session.Run(("x", x, [x.Length]), ("dy", dy, [dy.Length]))["dx"];
        var results = new float[8][];
        Parallel.For(0, results.Length, i => results[i] = session.Run(("x", x, [x.Length]), ("dy", dy, [dy.Length]))["dx"]);
        foreach (var r in results) CollectionAssert.AreEqual(expected, r);
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(9L)]
    [DataRow(-3L)]
    public void InvalidMarginFailsAtSessionCreationWithAClearMessage(long m)
    {
        var model = PsiGraphs.Forward(2, plugin: true);
        model.Graph.Node.Single(n => n.OpType == MarginPlugin.PsiOp).Attribute.Single(a => a.Name == "m").I = m;
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => new GraphSession(model, plugin: true).Dispose());
        StringAssert.Contains(e.Message, $"m = {m}");
        StringAssert.Contains(e.Message, "[1, 8]");
    }

    [TestMethod]
    public void MissingMarginAttributeFailsAtSessionCreation()
    {
        var model = PsiGraphs.Forward(2, plugin: true);
        model.Graph.Node.Single(n => n.OpType == MarginPlugin.PsiOp).Attribute.Clear();
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => new GraphSession(model, plugin: true).Dispose());
        StringAssert.Contains(e.Message, "'m' is required");
    }

    [TestMethod]
    public void GraphBuilderRejectsInvalidMargin()
    {
        var g = new GraphBuilder("bad");
        string x = g.Input("x", ElementType.Float, 4);
        var e = Assert.ThrowsExactly<GraphBuildException>(() => g.Node(MarginPlugin.PsiOp, [x], [Attr.Int("m", 0)], domain: MarginPlugin.Domain));
        StringAssert.Contains(e.Message, "m = 0");
    }

    [TestMethod]
    public void MissingLibraryIsAClearError()
    {
        using var options = new SessionOptions();
        string path = Path.Combine(Path.GetTempPath(), "no-such-dir", MarginPlugin.LibraryFileName);
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => MarginPlugin.Register(options, path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "loss.use_plugin = false");
    }

    [TestMethod]
    public void LibraryIsCopiedNextToTheTestAssembly()
    {
        Assert.AreEqual(Path.Combine(AppContext.BaseDirectory, MarginPlugin.LibraryFileName), MarginPlugin.Path);
    }
}
