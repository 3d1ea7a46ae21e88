using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using Google.Protobuf;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Native;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;

namespace SphereFace.Tests.Losses;

/// <summary>
/// The loss-head registry: the built-in heads are found without a list, every head's defaults validate and round-trip
/// through JSON, and a head written as one file elsewhere (<see cref="NormFaceHead"/>) builds, trains and is accepted
/// by the command line.
/// </summary>
[TestClass]
public sealed class LossRegistryTests
{
    private static Registration? _toyHead;

    [ClassInitialize]
    public static void RegisterTheToyHead(TestContext _) => _toyHead = LossHeads.RegisterAll(typeof(NormFaceHead).Assembly);

    // Later test classes see the built-in heads only.
    [ClassCleanup]
    public static void RemoveTheToyHead() => _toyHead?.Dispose();

    [TestMethod]
    public void ARegistrationEndsWhenDisposedAndRestoresWhatItReplaced()
    {
        using (LossHeads.Register(new NormFaceHead()))
            Assert.AreEqual("normface", LossHeads.Get("normface").Name);
        Assert.AreEqual("normface", LossHeads.Get("normface").Name, "the class's own registration still stands");
        var softmax = LossHeads.Get("softmax");
        var impostor = new NamedAs(softmax, "softmax");
        using (LossHeads.Register(impostor))
            Assert.AreSame(impostor, LossHeads.Get("softmax"));
        Assert.AreSame(softmax, LossHeads.Get("softmax"), "the replaced built-in head is back");
        using (LossHeads.Register(new NamedAs(softmax, "transient")))
            Assert.AreEqual("transient", LossHeads.Get("transient").Name);
        Assert.ThrowsExactly<SphereFace.Models.Errors.InputException>(() => LossHeads.Get("transient"));
    }

    [TestMethod]
    public void BuiltInHeadsAreDiscoveredAndTheirDefaultsValidateAndRoundTrip()
    {
        var names = LossHeads.All.Select(h => h.Name).ToList();
        foreach (var expected in new[] { "softmax", "modified", "asoftmax", "amsoftmax", "irsoftmax-a", "irsoftmax-am" })
            CollectionAssert.Contains(names, expected);
        foreach (var head in LossHeads.All)
        {
            var config = LossConfig.Of(head.Name);
            head.Validate(config);
            var again = LossConfig.FromJson(config.ToJson(), "test");
            Assert.AreEqual(config, again, head.Name);
            Assert.AreEqual(config.ToString(), again.ToString(), head.Name);
            Assert.AreEqual(head.Parameters.Count, config.Effective().Count, $"{head.Name}: every parameter has an effective value");
        }
    }

    [TestMethod]
    public void AOneFileHeadComputesItsFormula()
    {
        const int classes = 5, width = 8, batch = 6;
        var config = LossConfig.Of("normface", ("scale", 10.0));
        var store = new ParameterStore(3);
        using var session = new GraphSession(LossGraph.Build(config, classes, width, store), plugin: false);
        var rng = new SeededRandom(8);
        float[] feature = Enumerable.Range(0, batch * width).Select(_ => (float)rng.NextGaussian()).ToArray();
        long[] label = Enumerable.Range(0, batch).Select(i => (long)(i % classes)).ToArray();
        var got = session.Run((LossGraph.FeatureName, feature, [batch, width]), (LossGraph.LabelName, label, [batch]), (LossGraph.LambdaName, new[] { 0f }, []));
        float[] w = store[Classifier.WeightName].Data;
        var logits = new double[batch, classes];
        for (int i = 0; i < batch; i++)
            for (int j = 0; j < classes; j++)
            {
                double xw = 0, xx = 0, ww = 0;
                for (int d = 0; d < width; d++)
                {
                    xw += (double)feature[i * width + d] * w[j * width + d];
                    xx += (double)feature[i * width + d] * feature[i * width + d];
                    ww += (double)w[j * width + d] * w[j * width + d];
                }
                logits[i, j] = 10.0 * xw / Math.Sqrt(xx * ww);
                Assert.AreEqual(logits[i, j], got[LossGraph.LogitsName][i * classes + j], 1e-4, $"logit [{i},{j}]");
            }
        Assert.AreEqual(LossReference.MeanCrossEntropy(logits, label), got[LossGraph.LossName][0], 1e-4);
        Assert.AreEqual("NormFace s=10", config.ToString());
        Assert.ThrowsExactly<ArgumentException>(() => LossGraph.Build(LossConfig.Of("normface", ("scale", -1.0)), classes, width, new ParameterStore(1)));
    }

    [TestMethod]
    public void AOneFileHeadTrainsThroughTheCommandLineWithItsParameter()
    {
        using var dir = new TempDir();
        var (code, error) = CliRun.Run("train", "--net", "sphere4", "--loss", "normface", "--loss-param", "scale=8", "--classes", "4", "--data", "random:8",
            "--batch", "4", "--iterations", "2", "--lr", "0.01", "--threads", "2", "--out", dir.File("run"));
        Assert.AreEqual(0, code, error);
        var checkpoint = CheckpointFile.Load(dir.File("run/checkpoint.safetensors"));
        Assert.AreEqual("NormFace s=8", checkpoint.Loss);
        Assert.IsTrue(checkpoint.Tensors.Single(t => t.Name == Classifier.WeightName).Data.All(float.IsFinite));
        // The graph folder records the head and its parameters, and a folder built from that record is the same model.
        var set = GraphFolder.Build(new GraphFolderSpec(new SphereNetConfig(4), LossConfig.Of("normface", ("scale", 8.0)), 4, 4, new SolverSpec(), TestKernels.For(Kernels.OneDnn), 1));
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("run/graph/train_step.onnx")), set.TrainStep.Model.ToByteArray());

        (code, error) = CliRun.Run("train", "--net", "sphere4", "--loss", "normface", "--m", "3", "--classes", "4", "--data", "random:8", "--out", dir.File("bad"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--m does not apply to loss normface");
    }
}

/// <summary>A head that answers to another name and otherwise is <paramref name="inner"/>.</summary>
internal sealed class NamedAs(ILossHead inner, string name) : ILossHead
{
    public string Name => name;
    public string Description => inner.Description;
    public IReadOnlyList<LossParameter> Parameters => inner.Parameters;
    public bool UsesLambda => inner.UsesLambda;
    public void Validate(LossConfig config) => inner.Validate(config);
    public bool NeedsPlugin(LossConfig config) => inner.NeedsPlugin(config);
    public LossOutputs Append(LossInputs inputs, LossConfig config) => inner.Append(inputs, config);
    public string Describe(LossConfig config) => inner.Describe(config);
}
