using SphereFace.Models.Errors;
using SphereFace.Models.Native;
using OpenCvSharp;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Inference;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Inference;

/// <summary>Bad models and bad inputs give clear errors.</summary>
[TestClass]
public sealed class EmbedderErrorTests
{
    [TestMethod]
    public void MissingModelNamesTheFile()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => new Embedder("/nonexistent/embedding.onnx"));
        StringAssert.Contains(e.Message, "/nonexistent/embedding.onnx");
    }

    [TestMethod]
    public void TruncatedModelIsRejected()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(ModelPath);
        string path = dir.File("truncated.onnx");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Embedder(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void ModelWithoutContractIsRejected()
    {
        using var dir = new TempDir();
        var model = EmbeddingGraph.Build(SphereNetConfig.Parse("sphere4"), new ParameterStore(1));
        model.MetadataProps.Clear();
        string path = dir.File("plain.onnx");
        ModelFile.Save(model, path);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Embedder(path));
        StringAssert.Contains(e.Message, "sphereface.");
    }

    [TestMethod]
    public void ContractThatDisagreesWithTheGraphIsRejected()
    {
        using var dir = new TempDir();
        var model = EmbeddingGraph.Build(SphereNetConfig.Parse("sphere4"), new ParameterStore(1));
        model.MetadataProps.First(p => p.Key == "sphereface.embedding_size").Value = "256";
        string path = dir.File("mismatch.onnx");
        ModelFile.Save(model, path);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Embedder(path));
        StringAssert.Contains(e.Message, "256");
    }

    [TestMethod]
    public void CudaOnCpuBuildSaysHowToRebuild()
    {
        var e = Assert.ThrowsExactly<SphereFace.Models.Errors.SphereFaceException>(() => new Embedder(ModelPath, new EmbedderOptions { Device = ExecutionDevice.Cuda }));
        StringAssert.Contains(e.Message, "-p:UseCuda=true");
    }

    [TestMethod]
    public void BadImagesAndLandmarksAreRejected()
    {
        using var embedder = new Embedder(ModelPath);
        using var photo = RandomImage(250, 250, 3);
        var e1 = Assert.ThrowsExactly<FaceInputException>(() => embedder.EmbedAligned(photo));
        Assert.AreEqual(FaceInputError.WrongSize, e1.Reason);
        StringAssert.Contains(e1.Message, "250×250");
        StringAssert.Contains(e1.Message, "landmarks");

        using var empty = new Mat();
        Assert.AreEqual(FaceInputError.UnsupportedImage, Assert.ThrowsExactly<FaceInputException>(() => embedder.EmbedAligned(empty)).Reason);
        Point2f[] good = [new(100, 110), new(150, 112), new(125, 140), new(105, 165), new(148, 166)];
        Assert.AreEqual(FaceInputError.UnsupportedImage, Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(empty, good)).Reason);

        var nan = good.ToArray();
        nan[2] = new Point2f(float.NaN, 140);
        var e2 = Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(photo, nan));
        Assert.AreEqual(FaceInputError.InvalidLandmarks, e2.Reason);
        StringAssert.Contains(e2.Message, "nose");
        Assert.AreEqual(FaceInputError.InvalidLandmarks, Assert.ThrowsExactly<FaceInputException>(() => embedder.Embed(photo, good.AsSpan(0, 4))).Reason);

        var tensor = new float[3 * 112 * 96];
        tensor[7] = float.NaN;
        Assert.ThrowsExactly<ArgumentException>(() => embedder.EmbedTensor(tensor));
        Assert.ThrowsExactly<ArgumentException>(() => embedder.EmbedTensor(new float[100]));
    }
}
