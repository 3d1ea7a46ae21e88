using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SphereFace.Cli;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.TrainStep;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Runs;
using SphereFace.Models.Onnx;
using SphereFace.Models;

namespace SphereFace.Tests.Training;

[TestClass]
public sealed class ExportTests
{
    private static readonly RunSpec Config = new() { Net = new NetSpec("sphere4", embeddingSize: 16), Classes = 3, Seed = 21 };

    /// <summary>A checkpoint holding a sphere4's parameters from a store seeded with <paramref name="seed"/>, plus momenta and a classifier.</summary>
    private static (Checkpoint Checkpoint, ParameterStore Store) MakeCheckpoint(ulong seed, Func<string, bool>? keep = null)
    {
        var store = new ParameterStore(seed);
        EmbeddingGraph.Build(Config.NetConfig, store);
        var tensors = store.All.Where(p => keep?.Invoke(p.Name) ?? true).Select(p => new NamedTensor(p.Name, p.Shape, p.Data))
            .Concat(store.All.Select(p => new NamedTensor("momentum/" + p.Name, p.Shape, new float[p.Count])))
            .Append(new NamedTensor("fc6/weight", [3, 16], new float[48]))
            .ToArray();
        return (new Checkpoint
        {
            Iteration = 77, Net = "sphere4", Loss = Config.LossName, SampleOrder = new SampleOrderState(21, 0, 0),
            ConfigJson = Config.ToJson(), Tensors = tensors, Kinds = tensors.ToDictionary(t => t.Name, t => CarriedTensor.KindFromName(t.Name)),
        }, store);
    }

    private static float[] Embed(string modelPath, float[] image)
    {
        using var session = new InferenceSession(modelPath);
        var input = new DenseTensor<float>(image, [1, 3, SphereNetConfig.InputHeight, SphereNetConfig.InputWidth]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", input)]);
        return results[0].AsEnumerable<float>().ToArray();
    }

    [TestMethod]
    public void ExportedModelComputesTheCheckpointWeightsEmbedding()
    {
        using var temp = new TempDir();
        var (checkpoint, store) = MakeCheckpoint(seed: 5);
        CheckpointFile.Save(temp.File("c.safetensors"), checkpoint);

        var (code, error) = CliRun.Run("export", "--checkpoint", temp.File("c.safetensors"), "--out", temp.File("e.onnx"));
        Assert.AreEqual(0, code, error);

        // Independent reference: the embedding graph built straight from the same parameter store.
        ModelFile.Save(EmbeddingGraph.Build(Config.NetConfig, store), temp.File("ref.onnx"));
        // And one from other weights, which must differ (the export really carries the checkpoint's weights).
        ModelFile.Save(EmbeddingGraph.Build(Config.NetConfig, new ParameterStore(6)), temp.File("other.onnx"));
        var rng = new SeededRandom(1);
        var image = new float[3 * SphereNetConfig.InputHeight * SphereNetConfig.InputWidth];
        for (int i = 0; i < image.Length; i++) image[i] = (float)rng.Uniform(-1, 1);

        var exported = Embed(temp.File("e.onnx"), image);
        CollectionAssert.AreEqual(Embed(temp.File("ref.onnx"), image), exported);
        var other = Embed(temp.File("other.onnx"), image);
        Assert.IsGreaterThan(1e-3, exported.Zip(other, (a, b) => Math.Abs(a - b)).Max());
        var model = ModelFile.Load(temp.File("e.onnx"));
        Assert.AreEqual("77", model.MetadataProps.Single(m => m.Key == InputContract.Prefix + "trained_iterations").Value);
        Assert.AreEqual(0, model.Graph.Input.Count(i => i.Name.StartsWith("momentum/", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void CheckpointWithoutABackboneParameterIsRefused()
    {
        var (checkpoint, _) = MakeCheckpoint(seed: 5, keep: n => n != "conv3_1/weight");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SphereFace.Training.Export.CheckpointExport.Build(checkpoint, "c.safetensors"));
        StringAssert.Contains(e.Message, "conv3_1/weight");
    }
}
