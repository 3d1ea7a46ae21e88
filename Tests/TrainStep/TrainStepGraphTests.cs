using SphereFace.Tests.Losses;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Autodiff;

namespace SphereFace.Tests.TrainStep;

/// <summary>
/// The whole SF-4 + loss training step in ONNX Runtime: the gradient it applies matches central finite
/// differences of its own loss output, and the update follows Caffe's SGD with momentum and multipliers.
/// </summary>
[TestClass]
public sealed class TrainStepGraphTests
{
    private const int Batch = 2, Classes = 5;

    private static (TrainStepGraph Step, ParameterStore Store, Dictionary<string, (long[], Array)> Feeds) Build(LossConfig loss)
    {
        var store = new ParameterStore(7);
        var config = new TrainStepConfig(new SphereNetConfig(4, EmbeddingSize: 16), loss, Classes, Batch, new SolverSpec());
        var step = TrainStepGraph.Build(config, store);
        var rng = new SeededRandom(3);
        var data = new float[Batch * 3 * 112 * 96];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        var feeds = new Dictionary<string, (long[], Array)>(StringComparer.Ordinal)
        {
            ["data"] = (new long[] { Batch, 3, 112, 96 }, data),
            ["label"] = (new long[] { Batch }, new long[] { 1, 3 }),
            ["lr"] = (Array.Empty<long>(), new[] { 1f }),
            ["lambda"] = (Array.Empty<long>(), new[] { 2.5f }),
        };
        foreach (var c in step.Carried)
            feeds[c.Input] = (c.Shape, c.Kind == CarriedKind.Parameter ? (float[])store[c.Input].Data.Clone() : new float[c.Shape.Aggregate(1L, (a, d) => a * d)]);
        return (step, store, feeds);
    }

    [TestMethod]
    public void CarriedTensorsFollowTheContract()
    {
        var (step, store, _) = Build(TestLoss.Of("softmax"));
        var inputs = step.Model.Graph.Input.Select(i => i.Name).ToArray();
        var outputs = step.Model.Graph.Output.Select(o => o.Name).ToArray();
        CollectionAssert.AreEqual(new[] { "data", "label", "lr", "lambda" }.Concat(step.Carried.Select(c => c.Input)).ToArray(), inputs);
        CollectionAssert.AreEqual(new[] { "loss", "accuracy" }.Concat(step.Carried.Select(c => c.Output)).ToArray(), outputs);
        Assert.AreEqual(2 * store.All.Count, step.Carried.Count);
        foreach (var c in step.Carried) Assert.AreEqual("next/" + c.Input, c.Output);
    }

    [TestMethod]
    [DataRow("softmax", false)]
    [DataRow("asoftmax", true)]
    [DataRow("asoftmax", false)]
    [DataRow("amsoftmax", false)]
    [DataRow("modified", false)]
    public void AppliedGradientMatchesFiniteDifferencesAndCaffeUpdate(string kind, bool plugin)
    {
        var (step, store, feeds) = Build(TestLoss.Of(kind, m: 4, plugin: plugin));
        Assert.AreEqual(plugin, step.NeedsPlugin);
        using var model = new OrtModel(step.Model, threads: 2);
        var solver = step.Config.Solver;
        string[] probe = ["conv1_1/weight", "conv1_1/bias", "relu1_1/slope", "conv3_1/weight", "fc5/weight", "fc6/weight",
            .. kind == "softmax" ? new[] { "fc6/bias" } : []];
        var outputs = new List<string> { "loss" };
        outputs.AddRange(probe.Select(p => "next/" + p));
        outputs.AddRange(probe.Select(p => "next/momentum/" + p));

        // lr = 1, v = 0: next/w = w − lr_mult·(g + decay·decay_mult·w) → recover g.
        var run = model.Run(feeds, outputs);
        var rng = new SeededRandom(5);
        for (int k = 0; k < probe.Length; k++)
        {
            var p = store[probe[k]];
            var (lrMult, decayMult) = solver.MultipliersFor(p);
            var w = (float[])feeds[p.Name].Item2;
            var g = new double[w.Length];
            for (int i = 0; i < w.Length; i++) g[i] = (w[i] - (double)run[1 + k][i]) / lrMult - solver.WeightDecay * decayMult * w[i];
            int best = Enumerable.Range(0, 64).Select(_ => rng.NextInt(w.Length)).MaxBy(i => Math.Abs(g[i]));
            float saved = w[best];
            double eps = 1e-3;
            w[best] = (float)(saved + eps);
            double plus = model.Run(feeds, ["loss"])[0][0];
            w[best] = (float)(saved - eps);
            double minus = model.Run(feeds, ["loss"])[0][0];
            w[best] = saved;
            double fd = (plus - minus) / ((double)(float)(saved + eps) - (float)(saved - eps));
            Assert.IsTrue(Math.Abs(fd - g[best]) <= 5e-4 + 5e-2 * Math.Abs(fd), $"{p.Name}[{best}]: applied gradient {g[best]:G6}, finite difference {fd:G6}");
            Assert.IsTrue(Math.Abs(g[best]) > 1e-4, $"{p.Name}: gradient vanishes");
        }

        // With momentum and another lr the update is v' = μv + lr·lr_mult·(g + decay·w), w' = w − v'.
        float lr = 0.05f;
        feeds["lr"] = (Array.Empty<long>(), new[] { lr });
        var velocities = new Dictionary<string, float[]>();
        foreach (var name in probe)
        {
            var v = (float[])feeds["momentum/" + name].Item2;
            for (int i = 0; i < v.Length; i++) v[i] = (float)rng.Uniform(-0.01, 0.01);
            velocities[name] = v;
        }
        var second = model.Run(feeds, outputs);
        for (int k = 0; k < probe.Length; k++)
        {
            var p = store[probe[k]];
            var (lrMult, decayMult) = solver.MultipliersFor(p);
            var w = (float[])feeds[p.Name].Item2;
            var v = velocities[p.Name];
            for (int i = 0; i < w.Length; i += Math.Max(1, w.Length / 50))
            {
                double g = (w[i] - (double)run[1 + k][i]) / lrMult - solver.WeightDecay * decayMult * w[i];
                double vNext = solver.Momentum * v[i] + lr * lrMult * (g + solver.WeightDecay * decayMult * w[i]);
                Assert.AreEqual(vNext, second[1 + probe.Length + k][i], 1e-6 + 1e-4 * Math.Abs(vNext), $"momentum of {p.Name}[{i}]");
                Assert.AreEqual(w[i] - vNext, second[1 + k][i], 1e-6 + 1e-5 * Math.Abs(w[i]), $"{p.Name}[{i}]");
            }
        }
    }
}
