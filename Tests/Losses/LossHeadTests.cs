using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Native;

namespace SphereFace.Tests.Losses;

[TestClass]
public sealed class LossHeadTests
{
    private const int Classes = 10, Width = 16, Batch = 32;
    private static readonly float[] Lambdas = [0f, 5f, 1000f];

    private static (float[] Feature, long[] Label) Batch_(ulong seed, double scale = 3)
    {
        var rng = new SeededRandom(seed);
        var feature = new float[Batch * Width];
        for (int i = 0; i < feature.Length; i++) feature[i] = (float)(rng.NextGaussian() * scale);
        var label = new long[Batch];
        for (int i = 0; i < Batch; i++) label[i] = rng.NextInt(Classes);
        return (feature, label);
    }

    private static IEnumerable<LossConfig> Configs(bool plugin)
    {
        yield return LossConfig.Of("softmax");
        yield return LossConfig.Of("softmax", ("bias", false));
        yield return LossConfig.Of("modified");
        for (int m = 1; m <= 4; m++) yield return LossConfig.Of("asoftmax", ("m", m), ("use_plugin", plugin));
        yield return LossConfig.Of("amsoftmax", ("margin", 0.35f), ("scale", 30f));
        yield return LossConfig.Of("amsoftmax", ("margin", 0.1f), ("scale", 8f));
    }

    private static Dictionary<string, float[]> Run(GraphSession s, float[] feature, long[] label, float lambda) =>
        s.Run((LossGraph.FeatureName, feature, [label.Length, feature.Length / label.Length]),
              (LossGraph.LabelName, label, [label.Length]),
              (LossGraph.LambdaName, new[] { lambda }, []));

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void EveryHeadMatchesTheDoublePrecisionReference(bool plugin)
    {
        ulong seed = 100;
        foreach (var config in Configs(plugin))
        {
            var store = new ParameterStore(5);
            var model = LossGraph.Build(config, Classes, Width, store);
            using var session = new GraphSession(model, plugin);
            float[] weight = store[Classifier.WeightName].Data;
            float[]? bias = store.Contains(Classifier.BiasName) ? store[Classifier.BiasName].Data : null;
            Assert.AreEqual(config.Head == "softmax" && config.Bool("bias"), bias is not null, "only softmax with bias = true has a bias");
            foreach (float lambda in Lambdas)
            {
                var (feature, label) = Batch_(seed++);
                var got = Run(session, feature, label, lambda);
                var want = LossReference.Compute(config, feature, label, lambda, weight, bias, Classes);
                string what = $"{config} λ={lambda}";
                for (int i = 0; i < Batch; i++)
                    for (int j = 0; j < Classes; j++)
                        Assert.AreEqual(want.Logits[i, j], got[LossGraph.LogitsName][i * Classes + j], 1e-4 * (1 + Math.Abs(want.Logits[i, j])), $"{what}: logit [{i},{j}]");
                Assert.AreEqual(want.Loss, got[LossGraph.LossName][0], 1e-4 * (1 + want.Loss), $"{what}: loss");
                if (LossReference.SmallestTopGap(want.Logits) > 1e-3)
                    Assert.AreEqual(want.Accuracy, got[LossGraph.AccuracyName][0], 1e-6, $"{what}: accuracy");
            }
        }
    }

    [TestMethod]
    public void ASoftmaxWithMarginOneIsModifiedSoftmaxForAnyLambda()
    {
        var (feature, label) = Batch_(9);
        using var modified = new GraphSession(LossGraph.Build(LossConfig.Of("modified"), Classes, Width, new ParameterStore(5)), plugin: false);
        using var margin1 = new GraphSession(LossGraph.Build(LossConfig.Of("asoftmax", ("m", 1)), Classes, Width, new ParameterStore(5)), plugin: true);
        float reference = Run(modified, feature, label, 0f)[LossGraph.LossName][0];
        foreach (float lambda in Lambdas)
            Assert.AreEqual(reference, Run(margin1, feature, label, lambda)[LossGraph.LossName][0], 1e-4);
    }

    [TestMethod]
    public void PluginAndTwinLossGraphsAgree()
    {
        for (int m = 2; m <= 4; m++)
        {
            using var plugin = new GraphSession(LossGraph.Build(LossConfig.Of("asoftmax", ("m", m)), Classes, Width, new ParameterStore(5)), plugin: true);
            using var twin = new GraphSession(LossGraph.Build(LossConfig.Of("asoftmax", ("m", m), ("use_plugin", false)), Classes, Width, new ParameterStore(5)), plugin: false);
            foreach (float lambda in Lambdas)
            {
                var (feature, label) = Batch_((ulong)(m * 10) + (ulong)lambda);
                var a = Run(plugin, feature, label, lambda);
                var b = Run(twin, feature, label, lambda);
                CollectionAssert.AreEqual(b[LossGraph.LogitsName], a[LossGraph.LogitsName], $"m={m} λ={lambda}");
                Assert.AreEqual(b[LossGraph.LossName][0], a[LossGraph.LossName][0], 1e-6);
            }
        }
    }

    [TestMethod]
    [DataRow("softmax")]
    [DataRow("modified")]
    [DataRow("asoftmax")]
    [DataRow("amsoftmax")]
    public void NaNFeaturesGiveANaNLossAndLeaveOtherRowsIntact(string head)
    {
        var config = LossConfig.Of(head);
        var store = new ParameterStore(5);
        using var session = new GraphSession(LossGraph.Build(config, Classes, Width, store), plugin: true);
        var (feature, label) = Batch_(21);
        var clean = Run(session, feature, label, 5f);
        feature[3 * Width + 2] = float.NaN;   // one value of row 3
        var dirty = Run(session, feature, label, 5f);
        Assert.IsTrue(float.IsNaN(dirty[LossGraph.LossName][0]), "loss");
        for (int j = 0; j < Classes; j++) Assert.IsTrue(float.IsNaN(dirty[LossGraph.LogitsName][3 * Classes + j]), "row 3 logits");
        for (int j = 0; j < Classes; j++) Assert.AreEqual(clean[LossGraph.LogitsName][j], dirty[LossGraph.LogitsName][j], "row 0 logits");
    }

    [TestMethod]
    [DataRow("softmax", Classes)]
    [DataRow("softmax", -1L)]
    [DataRow("asoftmax", Classes + 5L)]
    [DataRow("asoftmax", -1L)]
    [DataRow("amsoftmax", -Classes - 1L)]
    public void LabelOutOfRangeIsARunTimeError(string head, long bad)
    {
        using var session = new GraphSession(LossGraph.Build(LossConfig.Of(head), Classes, Width, new ParameterStore(5)), plugin: true);
        var (feature, label) = Batch_(31);
        label[7] = bad;
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => Run(session, feature, label, 5f));
        StringAssert.Contains(e.Message, "GatherElements");
    }

    [TestMethod]
    public void LambdaScheduleFollowsTheCaffeFormula()
    {
        var schedule = new LambdaSchedule();
        Assert.AreEqual(1000f, schedule.At(0));
        foreach (long iter in new long[] { 1, 10, 100, 1000, 5000, 100_000 })
            Assert.AreEqual(Math.Max(5, 1000 / (1 + 0.12 * iter)), schedule.At(iter), 1e-3, $"iter {iter}");
        var custom = new LambdaSchedule { Base = 100, Gamma = 0.5f, Power = 2, Min = 0.5f };
        Assert.AreEqual(Math.Max(0.5, 100 * Math.Pow(1 + 0.5 * 3, -2)), custom.At(3), 1e-5);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => schedule.At(-1));
        Assert.AreEqual("lambda.gamma", Assert.ThrowsExactly<Models.Errors.RunSpecException>(() => new LambdaSchedule { Gamma = float.NaN }.Validate()).Field);
    }

    [TestMethod]
    public void ClassifierUsesCaffeInitialisation()
    {
        var store = new ParameterStore(5);
        LossGraph.Build(LossConfig.Of("softmax"), Classes, Width, store);
        var w = store[Classifier.WeightName];
        var b = store[Classifier.BiasName];
        CollectionAssert.AreEqual(new long[] { Classes, Width }, w.Shape);
        double limit = Math.Sqrt(3.0 / Width);
        Assert.IsTrue(w.Data.All(v => Math.Abs(v) <= limit) && w.Data.Max() > 0.8 * limit && w.Data.Min() < -0.8 * limit, "Xavier ±sqrt(3/fan_in)");
        Assert.IsTrue(b.Data.All(v => v == 0f));
        Assert.AreEqual(2f, b.LrMult);
        Assert.AreEqual(0f, b.DecayMult);
    }

    [TestMethod]
    public void InvalidConfigurationsAreRejectedWhenBuilding()
    {
        Assert.ThrowsExactly<Models.Errors.InputException>(() => LossGraph.Build(LossConfig.Of("asoftmax", ("m", 0)), Classes, Width, new ParameterStore(1)));
        Assert.ThrowsExactly<Models.Errors.InputException>(() => LossGraph.Build(LossConfig.Of("asoftmax", ("m", 9), ("use_plugin", false)), Classes, Width, new ParameterStore(1)));
        Assert.ThrowsExactly<Models.Errors.InputException>(() => LossGraph.Build(LossConfig.Of("amsoftmax", ("scale", 0)), Classes, Width, new ParameterStore(1)));
        Assert.ThrowsExactly<ArgumentException>(() => LossGraph.Build(LossConfig.Of("softmax"), 1, Width, new ParameterStore(1)), "too few classes is the caller's bug");
        Assert.ThrowsExactly<Models.Errors.InputException>(() => LossConfig.Of("arcface"));
        Assert.ThrowsExactly<Models.Errors.InputException>(() => LossConfig.Of("softmax", ("m", 4)), "a parameter the head does not have");
        Assert.ThrowsExactly<Models.Errors.InputException>(() => LossConfig.Of("asoftmax", ("m", 2.5)), "m is an integer");
        Assert.AreEqual("amsoftmax", LossConfig.Of("AMSoftmax").Head);
        Assert.AreEqual("irsoftmax-a", LossConfig.Of("IRSoftmax_A").Head);
    }
}
