using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Losses;

/// <summary>IR-Softmax through the autodiff engine and the training step.</summary>
[TestClass]
public sealed class IRSoftmaxGradientTests
{
    private const int Classes = 4, Width = 6, Batch = 5;
    private const float CentreWeight = 0.7f;

    private sealed record Built(GraphBuilder G, LossOutputs Outs, string MainLoss, string CentreLoss, ParameterStore Store);

    private static Built Build(string kind)
    {
        var store = new ParameterStore(12);
        var g = new GraphBuilder("ir", ParameterMode.Inputs);
        string feature = g.Input("feature", ElementType.Float, Batch, Width);
        string label = g.Input("label", ElementType.Int64, Batch);
        string lambda = g.Input("lambda", ElementType.Float);
        var outs = LossHeads.Append(g, feature, label, lambda, Classes, TestLoss.Of(kind, m: 3, scale: 8f, centreWeight: CentreWeight), store);
        var total = g.Nodes.Single(n => n.Output.Contains(outs.Loss));
        return new Built(g, outs, total.Input[0], total.Input[1], store);
    }

    [TestMethod]
    [DataRow("irsoftmax-a")]
    [DataRow("irsoftmax-am")]
    public void CentreLossGradientReachesOnlyTheCentresAndMainLossOnlyTheFeatures(string kind)
    {
        var b = Build(kind);
        var centreGrads = ReverseMode.Differentiate(b.G, b.CentreLoss, ["feature", IRSoftmax.CentresName]);
        Assert.IsNull(centreGrads["feature"], "centre loss must not reach the features");
        Assert.IsNotNull(centreGrads[IRSoftmax.CentresName]);
        var mainGrads = ReverseMode.Differentiate(b.G, b.MainLoss, ["feature", IRSoftmax.CentresName]);
        Assert.IsNull(mainGrads[IRSoftmax.CentresName], "main loss must not reach the centres");
        Assert.IsNotNull(mainGrads["feature"]);
    }

    [TestMethod]
    [DataRow("irsoftmax-a", true)]
    [DataRow("irsoftmax-a", false)]
    [DataRow("irsoftmax-am", false)]
    public void GradientsOfTheTotalLossMatchTheirReferences(string kind, bool plugin)
    {
        var b = Build(kind);
        if (!plugin)
        {
            var twin = TestLoss.Of(kind, m: 3, scale: 8f, centreWeight: CentreWeight, plugin: false);
            var g2 = new GraphBuilder("ir", ParameterMode.Inputs);
            string f2 = g2.Input("feature", ElementType.Float, Batch, Width);
            string l2 = g2.Input("label", ElementType.Int64, Batch);
            string la2 = g2.Input("lambda", ElementType.Float);
            var o2 = LossHeads.Append(g2, f2, l2, la2, Classes, twin, b.Store);
            var t2 = g2.Nodes.Single(n => n.Output.Contains(o2.Loss));
            b = new Built(g2, o2, t2.Input[0], t2.Input[1], b.Store);
        }
        var g = b.G;
        var grads = ReverseMode.Differentiate(g, b.Outs.Loss, ["feature", IRSoftmax.CentresName]);
        g.Output(b.Outs.Loss, "total");
        g.Output(b.MainLoss, "main");
        g.Output(grads["feature"]!, "d_feature");
        g.Output(grads[IRSoftmax.CentresName]!, "d_centres");
        using var session = new GraphSession(g.ToModel(), plugin);

        var rng = new SeededRandom(99);
        float[] feature = Enumerable.Range(0, Batch * Width).Select(_ => (float)(rng.NextGaussian() * 2)).ToArray();
        long[] label = [0, 2, 2, 3, 1];
        float[] centres = b.Store[IRSoftmax.CentresName].Data;
        float lambda = 2f;
        Dictionary<string, float[]> Run(float[] f) => session.Run(("feature", f, [Batch, Width]), ("label", label, [Batch]),
            ("lambda", new[] { lambda }, []), (IRSoftmax.CentresName, centres, [Classes, Width]));
        var outs = Run(feature);

        // d total / d c_j = 2w/B · Σ_{i: y_i = j} (c_j − x̂_i): the centre term only.
        for (int j = 0; j < Classes; j++)
            for (int d = 0; d < Width; d++)
            {
                double want = 0;
                for (int i = 0; i < Batch; i++)
                {
                    if (label[i] != j) continue;
                    double norm = Math.Sqrt(Enumerable.Range(0, Width).Sum(k => (double)feature[i * Width + k] * feature[i * Width + k]));
                    want += 2.0 * CentreWeight / Batch * (centres[j * Width + d] - feature[i * Width + d] / norm);
                }
                Assert.AreEqual(want, outs["d_centres"][j * Width + d], 1e-5, $"d centres [{j},{d}]");
            }

        // d total / d x = d main / d x (the centre term sees x behind a stop-gradient): central differences of "main".
        const float eps = 1e-2f;
        for (int k = 0; k < feature.Length; k += 3)
        {
            float saved = feature[k];
            feature[k] = saved + eps;
            double plus = Run(feature)["main"][0];
            feature[k] = saved - eps;
            double minus = Run(feature)["main"][0];
            feature[k] = saved;
            double fd = (plus - minus) / (2 * eps);
            Assert.AreEqual(fd, outs["d_feature"][k], 2e-3 + 2e-2 * Math.Abs(fd), $"d feature [{k}]");
        }
    }

    private static (TrainStepGraph Step, ParameterStore Store, Dictionary<string, (long[] Shape, Array Data)> Feeds) TrainStep(LossConfig loss)
    {
        var store = new ParameterStore(7);
        var step = TrainStepGraph.Build(new TrainStepConfig(new SphereNetConfig(4, EmbeddingSize: 8), loss, Classes, 2, new SolverSpec()), store);
        var rng = new SeededRandom(3);
        var data = new float[2 * 3 * 112 * 96];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.Uniform(-1, 1);
        var feeds = new Dictionary<string, (long[], Array)>(StringComparer.Ordinal)
        {
            ["data"] = ([2, 3, 112, 96], data), ["label"] = ([2], new long[] { 1, 3 }),
            ["lr"] = ([], new[] { 0.5f }), ["lambda"] = ([], new[] { 5f }),
        };
        foreach (var c in step.Carried)
            feeds[c.Input] = (c.Shape, c.Kind == CarriedKind.Parameter ? (float[])store[c.Input].Data.Clone() : new float[c.Shape.Aggregate(1L, (a, d) => a * d)]);
        return (step, store, feeds);
    }

    private static Dictionary<string, float[]> RunStep(TrainStepGraph step, Dictionary<string, (long[] Shape, Array Data)> feeds)
    {
        using var session = new GraphSession(step.Model, step.NeedsPlugin);
        return session.Run(step.Model.Graph.Input.Select(i => (i.Name, feeds[i.Name].Data, feeds[i.Name].Shape)).ToArray());
    }

    [TestMethod]
    public void TrainStepRenormalisesTheCentresAfterTheUpdate()
    {
        var (step, store, feeds) = TrainStep(TestLoss.Of("irsoftmax-a", m: 2));
        var outs = RunStep(step, feeds);
        float[] before = store[IRSoftmax.CentresName].Data, after = outs["next/" + IRSoftmax.CentresName];
        for (int j = 0; j < Classes; j++)
        {
            var row = after.AsSpan(j * 8, 8);
            double norm = Math.Sqrt(row.ToArray().Sum(v => (double)v * v));
            Assert.AreEqual(1.0, norm, 1e-5, $"centre {j} is not a unit vector after the step");
            double moved = Enumerable.Range(0, 8).Max(d => Math.Abs(after[j * 8 + d] - before[j * 8 + d]));
            if (j is 1 or 3) Assert.IsGreaterThan(1e-4, moved, $"centre {j} of a class in the batch did not move");
            else Assert.IsLessThan(1e-6, moved, $"centre {j} of a class not in the batch moved");
        }
    }

    [TestMethod]
    public void TrainStepCarriesTheMemoryBankAsState()
    {
        var (step, _, feeds) = TrainStep(TestLoss.Of("irsoftmax-am", centres: "memory-bank", bankSize: 2));
        var state = step.Carried.Where(c => c.Kind == CarriedKind.State).Select(c => c.Input).ToArray();
        CollectionAssert.AreEqual(new[] { IRSoftmax.BankName, IRSoftmax.CountName }, state);
        var inputs = step.Model.Graph.Input.Select(i => i.Name).ToArray();
        CollectionAssert.AreEqual(step.Carried.Select(c => c.Input).ToArray(), inputs.Skip(4).ToArray(), "inputs follow the carried order");
        var outs = RunStep(step, feeds);
        CollectionAssert.AreEqual(new float[] { 0, 1, 0, 1 }, outs["next/" + IRSoftmax.CountName]);
        float[] bank = outs["next/" + IRSoftmax.BankName];
        for (int row = 0; row < Classes * 2; row++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 8).Sum(d => (double)bank[row * 8 + d] * bank[row * 8 + d]));
            // Class 1 and 3 wrote their first feature into slot 0 (rows 2 and 6).
            Assert.AreEqual(row is 2 or 6 ? 1.0 : 0.0, norm, 1e-5, $"bank row {row}");
        }
    }
}
