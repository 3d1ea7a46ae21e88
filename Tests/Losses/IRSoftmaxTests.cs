using SphereFace.Graphs.Building;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Losses;

[TestClass]
public sealed class IRSoftmaxTests
{
    private const int Classes = 5, Width = 8, Batch = 10, K = 3;

    private static float[] Features(SeededRandom rng, int batch)
    {
        var f = new float[batch * Width];
        for (int i = 0; i < f.Length; i++) f[i] = (float)(rng.NextGaussian() * 2 + (i % Width == 0 ? 1 : 0));
        return f;
    }

    private static double[] Unit(ReadOnlySpan<float> x)
    {
        double n = 0;
        foreach (float v in x) n += (double)v * v;
        n = Math.Sqrt(n);
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++) r[i] = x[i] / n;
        return r;
    }

    [TestMethod]
    [DataRow("irsoftmax-a", true)]
    [DataRow("irsoftmax-a", false)]
    [DataRow("irsoftmax-am", true)]
    public void MemoryBankCentresAreNormalisedMeansOfTheLastKFeatures(string kind, bool plugin)
    {
        var config = TestLoss.Of(kind, m: 3, margin: 0.2f, scale: 10f, plugin: plugin, centres: "memory-bank", bankSize: K);
        var model = LossGraph.Build(config, Classes, Width, new ParameterStore(1));
        using var session = new GraphSession(model, plugin);
        var bank = new float[Classes * K * Width];
        var count = new float[Classes];
        var history = Enumerable.Range(0, Classes).Select(_ => new List<double[]>()).ToArray();
        var rng = new SeededRandom(17);
        for (int step = 0; step < 5; step++)
        {
            // Each class at most twice per batch (≤ K), so the ring buffer wraps after two steps.
            long[] label = Enumerable.Range(0, Batch).Select(i => (long)((i * 3 + step) % Classes)).ToArray();
            float[] feature = Features(rng, Batch);
            float lambda = 5f;
            var outs = session.Run((LossGraph.FeatureName, feature, [Batch, Width]), (LossGraph.LabelName, label, [Batch]),
                (LossGraph.LambdaName, new[] { lambda }, []),
                (IRSoftmax.BankName, bank, [Classes * K, Width]), (IRSoftmax.CountName, count, [Classes]));
            for (int i = 0; i < Batch; i++) history[label[i]].Add(Unit(feature.AsSpan(i * Width, Width)));

            var centres = new float[Classes * Width];
            for (int c = 0; c < Classes; c++)
            {
                var last = history[c].TakeLast(K).ToArray();
                var mean = new double[Width];
                foreach (var f in last) for (int d = 0; d < Width; d++) mean[d] += f[d] / last.Length;
                double norm = Math.Sqrt(mean.Sum(v => v * v));
                for (int d = 0; d < Width; d++)
                {
                    centres[c * Width + d] = (float)(mean[d] / norm);
                    Assert.AreEqual(mean[d] / norm, outs[LossGraph.CentresName][c * Width + d], 1e-5, $"step {step}, class {c}, dim {d}");
                }
                Assert.AreEqual(history[c].Count, outs["next/" + IRSoftmax.CountName][c], $"step {step}: count of class {c}");
            }
            // The logits are those of the base head with the centres as class weights.
            var want = LossReference.Compute(TestLoss.BaseOf(config), feature, label, lambda, centres, null, Classes);
            for (int i = 0; i < Batch; i++)
                for (int j = 0; j < Classes; j++)
                    Assert.AreEqual(want.Logits[i, j], outs[LossGraph.LogitsName][i * Classes + j], 1e-4 * (1 + Math.Abs(want.Logits[i, j])), $"step {step}: logit [{i},{j}]");
            Assert.AreEqual(want.Loss, outs[LossGraph.LossName][0], 1e-4 * (1 + want.Loss), $"step {step}: loss");
            bank = outs["next/" + IRSoftmax.BankName];
            count = outs["next/" + IRSoftmax.CountName];
        }
    }

    [TestMethod]
    public void ClassesWithoutFeaturesHaveZeroCentres()
    {
        var config = TestLoss.Of("irsoftmax-am", plugin: false, centres: "memory-bank", bankSize: K);
        using var session = new GraphSession(LossGraph.Build(config, Classes, Width, new ParameterStore(1)), plugin: false);
        long[] label = [0, 1, 0, 1];
        float[] feature = Features(new SeededRandom(2), 4);
        var outs = session.Run((LossGraph.FeatureName, feature, [4, Width]), (LossGraph.LabelName, label, [4]), (LossGraph.LambdaName, new[] { 0f }, []),
            (IRSoftmax.BankName, new float[Classes * K * Width], [Classes * K, Width]), (IRSoftmax.CountName, new float[Classes], [Classes]));
        for (int c = 2; c < Classes; c++)
            for (int d = 0; d < Width; d++) Assert.AreEqual(0f, outs[LossGraph.CentresName][c * Width + d]);
        Assert.IsTrue(float.IsFinite(outs[LossGraph.LossName][0]));
    }

    [TestMethod]
    [DataRow("irsoftmax-a")]
    [DataRow("irsoftmax-am")]
    public void CentreLossFormAddsTheCentreTermToTheBaseLoss(string kind)
    {
        var config = TestLoss.Of(kind, m: 4, margin: 0.3f, scale: 16f, centreWeight: 0.5f);
        var store = new ParameterStore(8);
        using var session = new GraphSession(LossGraph.Build(config, Classes, Width, store), plugin: true);
        float[] centres = store[IRSoftmax.CentresName].Data;
        var rng = new SeededRandom(4);
        float[] feature = Features(rng, Batch);
        long[] label = Enumerable.Range(0, Batch).Select(_ => (long)rng.NextInt(Classes)).ToArray();
        var outs = session.Run((LossGraph.FeatureName, feature, [Batch, Width]), (LossGraph.LabelName, label, [Batch]), (LossGraph.LambdaName, new[] { 5f }, []));

        var main = LossReference.Compute(TestLoss.BaseOf(config), feature, label, 5, centres, null, Classes);
        double centreTerm = 0;
        for (int i = 0; i < Batch; i++)
        {
            var x = Unit(feature.AsSpan(i * Width, Width));
            for (int d = 0; d < Width; d++) centreTerm += Math.Pow(centres[label[i] * Width + d] - x[d], 2) / Batch;
        }
        Assert.AreEqual(main.Loss + 0.5 * centreTerm, outs[LossGraph.LossName][0], 1e-4 * (1 + main.Loss));
        for (int i = 0; i < Batch * Classes; i++)
            Assert.AreEqual(main.Logits[i / Classes, i % Classes], outs[LossGraph.LogitsName][i], 1e-4 * (1 + Math.Abs(main.Logits[i / Classes, i % Classes])));
    }

    [TestMethod]
    public void CentreLossFormStopsGradientsBetweenFeaturesAndCentres()
    {
        var g = new GraphBuilder("ir", ParameterMode.Inputs);
        string feature = g.Input("feature", ElementType.Float, Batch, Width);
        string label = g.Input("label", ElementType.Int64, Batch);
        string lambda = g.Input("lambda", ElementType.Float);
        var outs = LossHeads.Append(g, feature, label, lambda, Classes, TestLoss.Of("irsoftmax-a", m: 2), new ParameterStore(1));
        CollectionAssert.AreEqual(new[] { IRSoftmax.CentresName }, outs.UnitRowParameters.ToArray());
        var total = g.Nodes.Single(n => n.Output.Contains(outs.Loss));
        Assert.AreEqual("Add", total.OpType);
        string mainLoss = total.Input[0], centreLoss = total.Input[1];

        var fromCentres = Reachable(g, IRSoftmax.CentresName);
        var fromFeature = Reachable(g, feature);
        // The main loss (through the logits) sees the centres only behind a stop-gradient …
        Assert.DoesNotContain(outs.Logits, fromCentres);
        Assert.DoesNotContain(mainLoss, fromCentres);
        Assert.Contains(centreLoss, fromCentres);
        // … and the centre loss sees the features only behind one.
        Assert.DoesNotContain(centreLoss, fromFeature);
        Assert.Contains(mainLoss, fromFeature);
    }

    // Values reachable from a source without passing through a stop-gradient marker.
    private static HashSet<string> Reachable(GraphBuilder g, string source)
    {
        var seen = new HashSet<string> { source };
        foreach (var node in g.Nodes)
        {
            if (StopGradient.IsMarker(node.OpType, node.Name)) continue;
            if (node.Input.Any(seen.Contains)) foreach (var o in node.Output) seen.Add(o);
        }
        return seen;
    }

    [TestMethod]
    public void ManifestDescribesStateAndUnitRowParameters()
    {
        var bankSection = LossGraph.ManifestSection(TestLoss.Of("irsoftmax-am", centres: "memory-bank", bankSize: 4), Classes, Width, "loss.onnx");
        Assert.AreEqual("memory-bank", (string?)bankSection["constants"]!["centres"]);
        Assert.AreEqual(IRSoftmax.BankName, (string?)bankSection["state"]![0]!["name"]);
        Assert.AreEqual(Classes * 4L, (long)bankSection["state"]![0]!["shape"]![0]!);
        Assert.IsFalse((bool)bankSection["needs_plugin"]!);
        var lossSection = LossGraph.ManifestSection(TestLoss.Of("irsoftmax-a"), Classes, Width, "loss.onnx");
        Assert.AreEqual(IRSoftmax.CentresName, (string?)lossSection["unit_row_parameters"]![0]);
        Assert.IsTrue((bool)lossSection["needs_plugin"]!);
    }
}
