using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Native;
using SphereFace.Tests.Losses;
using SphereFace.Tests.Support;
using SphereFace.Training.Session;

namespace SphereFace.Tests.TrainStep;

/// <summary>
/// One SF-10 + softmax training step (stride-2 and residual stride-1 convs, PReLU, the embedding FC, the classifier,
/// mean cross-entropy, Caffe's SGD with its multipliers) against the same step computed from the definitions in double
/// precision, for each kernel choice on this machine: standard ONNX ops, the oneDNN kernels with Winograd (oneDNN's
/// on AVX-512, the plugin's own on AVX2) and with direct convolution. PReLU slopes are 1 (the net is linear up to the
/// loss), so float32 rounding cannot flip a branch and every element is comparable; the seeded slopes are compared
/// between kernel choices by <see cref="KernelEquivalenceTests"/>.
/// </summary>
[TestClass]
[TestCategory("KernelPaths")]
public sealed class StepReferenceTests
{
    private const int Batch = 2, Classes = 5, Embedding = 16;
    private const float Lr = 1f;

    /// <summary>
    /// Tolerances, relative max per tensor (max|Δ| / max|reference|) over momenta (the applied gradients: one step from
    /// zero momenta) and parameters. Measured on AMD EPYC Zen 5 (worst tensor): standard 1.3e-6; AVX-512 path (nChw16c)
    /// Winograd 2.3e-6, direct 1.8e-6; AVX2 path (nChw8c, ONEDNN_MAX_CPU_ISA=AVX2) Winograd 5.5e-6, direct 3.1e-6.
    /// </summary>
    [TestMethod]
    [DataRow(Kernels.Standard, 1e-5)]
    [DataRow(Kernels.OneDnn, 3e-5)]
    [DataRow(Kernels.OneDnnDirect, 2e-5)]
    public void OneStepMatchesTheDoublePrecisionStep(Kernels kernels, double tolerance)
    {
        var net = new SphereNetConfig(10, EmbeddingSize: Embedding);
        var store = new ParameterStore(13);
        var solver = new SolverSpec();
        var step = TrainStepGraph.Build(new TrainStepConfig(net, TestLoss.Of("softmax"), Classes, Batch, solver, TestKernels.For(kernels)), store);
        var plugins = step.Plugins;
        var start = store.All.ToDictionary(p => p.Name, p => p.Name.EndsWith("/slope", StringComparison.Ordinal) ? Ones(p.Data.Length) : (float[])p.Data.Clone());
        var rng = new SeededRandom(29);
        var data = new float[Batch * 3 * 112 * 96];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        long[] labels = [3, 1];

        Dictionary<string, float[]> got;
        using (var session = new TrainStepSession(step.Model, step.Contract, new TrainSessionOptions(Threads: 2, Configure: o => { foreach (var p in plugins) p.Register(o); })))
        {
            foreach (var c in step.Carried.Where(c => c.Kind == CarriedKind.Parameter)) session.WriteCarried(c.Input, start[c.Input]);
            data.CopyTo(session.DataBuffer);
            labels.CopyTo(session.LabelBuffer);
            session.Step(Lr, 1f);
            got = session.Carried.ToDictionary(c => c.Input, c => session.ReadCarried(c.Input));
        }

        var gradients = ReferenceStep.Gradients(net, start, data, labels, Classes);
        double worst = 0;
        string worstName = "";
        foreach (var p in store.All)
        {
            var g = gradients[p.Name];
            // From zero momenta: v = lr·lr_mult·(g + decay·decay_mult·w), w' = w − v.
            double decay = solver.WeightDecay * p.DecayMult;
            var v = g.Select((x, i) => Lr * p.LrMult * (x + decay * start[p.Name][i])).ToArray();
            var w = v.Select((x, i) => start[p.Name][i] - x).ToArray();
            foreach (var (name, want) in new[] { (CarriedTensor.MomentumPrefix + p.Name, v), (p.Name, w) })
            {
                double e = RelativeMax(got[name], want);
                if (e > worst) (worst, worstName) = (e, name);
            }
        }
        Console.WriteLine($"{TestKernels.For(kernels)}: worst relative max {worst:G3} ({worstName})");
        Assert.IsTrue(worst <= tolerance, $"'{worstName}' differs from the double-precision step by {worst:G3} (relative max)");
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    private static double RelativeMax(float[] got, double[] want)
    {
        double diff = 0, scale = 1e-30;
        for (int i = 0; i < want.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(got[i] - want[i]));
            scale = Math.Max(scale, Math.Abs(want[i]));
        }
        return diff / scale;
    }
}

/// <summary>
/// The gradients of one SphereNet + softmax-classifier step in double precision, from the definitions: 3×3 convs
/// (pad 1; stride 2 with a bias opening each stage, stride 1 without in the residual units), PReLU per channel, the
/// residual sums, the embedding FC on the NCHW-flattened last stage, logits f·Wᵀ + b and the mean cross-entropy.
/// </summary>
internal static class ReferenceStep
{
    private sealed record Act(double[] V, int C, int H, int W);

    public static Dictionary<string, double[]> Gradients(SphereNetConfig net, IReadOnlyDictionary<string, float[]> p, float[] data, long[] labels, int classes)
    {
        int n = labels.Length;
        var tape = new List<Action<Dictionary<string, double[]>>>(); // backward closures, run in reverse
        var grads = new Dictionary<string, double[]>();
        var x = new Act(data.Select(v => (double)v).ToArray(), 3, 112, 96);
        var dOf = new Dictionary<Act, double[]>(ReferenceEqualityComparer.Instance);
        double[] D(Act a) => dOf.TryGetValue(a, out var d) ? d : dOf[a] = new double[a.V.Length];

        Act ConvPRelu(Act input, string name, int cout, int stride, bool bias)
        {
            var w = p[$"{name}/weight"];
            var b = bias ? p[$"{name}/bias"] : null;
            var y = Conv(input, w, b, cout, stride, n);
            var slope = p[$"relu{name[4..]}/slope"];
            int hw = y.H * y.W;
            var z = new Act(y.V.Select((v, i) => v >= 0 ? v : slope[i / hw % cout] * v).ToArray(), cout, y.H, y.W);
            tape.Add(_ =>
            {
                var dz = D(z);
                var dy = new double[dz.Length];
                var ds = new double[cout];
                for (int i = 0; i < dz.Length; i++)
                {
                    double pre = y.V[i];
                    dy[i] = pre > 0 ? dz[i] : slope[i / hw % cout] * dz[i];
                    ds[i / hw % cout] += dz[i] * Math.Min(pre, 0);
                }
                grads[$"relu{name[4..]}/slope"] = ds;
                var (dx, dw, db) = ConvBackward(input, w, dy, cout, stride, n, y.H, y.W);
                grads[$"{name}/weight"] = dw;
                if (bias) grads[$"{name}/bias"] = db;
                var dIn = D(input);
                for (int i = 0; i < dIn.Length; i++) dIn[i] += dx[i];
            });
            return z;
        }

        int channels = 3;
        for (int stage = 0; stage < 4; stage++)
        {
            int width = SphereNetConfig.Widths[stage], k = 1;
            x = ConvPRelu(x, $"conv{stage + 1}_{k++}", width, 2, bias: true);
            for (int u = 0; u < net.Units[stage]; u++)
            {
                var skip = x;
                var a = ConvPRelu(x, $"conv{stage + 1}_{k++}", width, 1, net.ResidualBias);
                var c = ConvPRelu(a, $"conv{stage + 1}_{k++}", width, 1, net.ResidualBias);
                var sum = new Act(skip.V.Zip(c.V, (s, t) => s + t).ToArray(), width, c.H, c.W);
                tape.Add(_ =>
                {
                    var ds = D(sum);
                    var dSkip = D(skip);
                    var dc = D(c);
                    for (int i = 0; i < ds.Length; i++) { dSkip[i] += ds[i]; dc[i] += ds[i]; }
                });
                x = sum;
            }
            channels = width;
        }
        int flat = channels * x.H * x.W, e = net.EmbeddingSize;
        var (w5, b5, w6, b6) = (p["fc5/weight"], p["fc5/bias"], p[Classifier.WeightName], p[Classifier.BiasName]);
        var f = new double[n * e];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < e; o++)
            {
                double s = b5[o];
                for (int j = 0; j < flat; j++) s += x.V[i * flat + j] * w5[o * flat + j];
                f[i * e + o] = s;
            }
        var dLogits = new double[n * classes];
        for (int i = 0; i < n; i++)
        {
            var logits = new double[classes];
            for (int c = 0; c < classes; c++)
            {
                double s = b6[c];
                for (int o = 0; o < e; o++) s += f[i * e + o] * w6[c * e + o];
                logits[c] = s;
            }
            double max = logits.Max(), z = logits.Sum(l => Math.Exp(l - max));
            for (int c = 0; c < classes; c++) dLogits[i * classes + c] = (Math.Exp(logits[c] - max) / z - (c == labels[i] ? 1 : 0)) / n;
        }
        var dw6 = new double[classes * e];
        var db6 = new double[classes];
        var df = new double[n * e];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++)
            {
                double g = dLogits[i * classes + c];
                db6[c] += g;
                for (int o = 0; o < e; o++) { dw6[c * e + o] += g * f[i * e + o]; df[i * e + o] += g * w6[c * e + o]; }
            }
        grads[Classifier.WeightName] = dw6;
        grads[Classifier.BiasName] = db6;
        var dw5 = new double[e * flat];
        var db5 = new double[e];
        var dx5 = D(x);
        for (int i = 0; i < n; i++)
            for (int o = 0; o < e; o++)
            {
                double g = df[i * e + o];
                db5[o] += g;
                for (int j = 0; j < flat; j++) { dw5[o * flat + j] += g * x.V[i * flat + j]; dx5[i * flat + j] += g * w5[o * flat + j]; }
            }
        grads["fc5/weight"] = dw5;
        grads["fc5/bias"] = db5;
        for (int t = tape.Count - 1; t >= 0; t--) tape[t](grads);
        return grads;
    }

    /// <summary>y[n,m,i,j] = b[m] + Σ_c,u,v x[n,c,s·i+u−1,s·j+v−1]·w[m,c,u,v] (zero outside).</summary>
    private static Act Conv(Act x, float[] w, float[]? b, int m, int s, int n)
    {
        int oh = (x.H + 2 - 3) / s + 1, ow = (x.W + 2 - 3) / s + 1, c = x.C;
        var y = new double[n * m * oh * ow];
        Parallel.For(0, n * m, nm =>
        {
            int img = nm / m, o = nm % m;
            var plane = y.AsSpan(nm * oh * ow, oh * ow);
            if (b is not null) plane.Fill(b[o]);
            for (int ch = 0; ch < c; ch++)
                for (int u = 0; u < 3; u++)
                    for (int v = 0; v < 3; v++)
                    {
                        double wt = w[((o * c + ch) * 3 + u) * 3 + v];
                        int xBase = (img * c + ch) * x.H * x.W;
                        for (int i = 0; i < oh; i++)
                        {
                            int xi = s * i + u - 1;
                            if (xi < 0 || xi >= x.H) continue;
                            for (int j = 0; j < ow; j++)
                            {
                                int xj = s * j + v - 1;
                                if (xj >= 0 && xj < x.W) plane[i * ow + j] += wt * x.V[xBase + xi * x.W + xj];
                            }
                        }
                    }
        });
        return new Act(y, m, oh, ow);
    }

    private static (double[] Dx, double[] Dw, double[] Db) ConvBackward(Act x, float[] w, double[] dy, int m, int s, int n, int oh, int ow)
    {
        int c = x.C;
        var dx = new double[x.V.Length];
        var dw = new double[m * c * 9];
        var db = new double[m];
        Parallel.For(0, n * c, nc =>
        {
            int img = nc / c, ch = nc % c;
            int xBase = (img * c + ch) * x.H * x.W;
            for (int o = 0; o < m; o++)
                for (int u = 0; u < 3; u++)
                    for (int v = 0; v < 3; v++)
                    {
                        double wt = w[((o * c + ch) * 3 + u) * 3 + v];
                        int yBase = (img * m + o) * oh * ow;
                        for (int i = 0; i < oh; i++)
                        {
                            int xi = s * i + u - 1;
                            if (xi < 0 || xi >= x.H) continue;
                            for (int j = 0; j < ow; j++)
                            {
                                int xj = s * j + v - 1;
                                if (xj >= 0 && xj < x.W) dx[xBase + xi * x.W + xj] += wt * dy[yBase + i * ow + j];
                            }
                        }
                    }
        });
        Parallel.For(0, m, o =>
        {
            for (int img = 0; img < n; img++)
            {
                int yBase = (img * m + o) * oh * ow;
                for (int p = 0; p < oh * ow; p++) db[o] += dy[yBase + p];
                for (int ch = 0; ch < c; ch++)
                {
                    int xBase = (img * c + ch) * x.H * x.W;
                    for (int u = 0; u < 3; u++)
                        for (int v = 0; v < 3; v++)
                        {
                            double sum = 0;
                            for (int i = 0; i < oh; i++)
                            {
                                int xi = s * i + u - 1;
                                if (xi < 0 || xi >= x.H) continue;
                                for (int j = 0; j < ow; j++)
                                {
                                    int xj = s * j + v - 1;
                                    if (xj >= 0 && xj < x.W) sum += dy[yBase + i * ow + j] * x.V[xBase + xi * x.W + xj];
                                }
                            }
                            dw[((o * c + ch) * 3 + u) * 3 + v] += sum;
                        }
                }
            }
        });
        return (dx, dw, db);
    }
}
