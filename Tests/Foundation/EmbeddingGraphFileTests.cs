using System.Security.Cryptography;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Support;
using SphereFace.Models.Onnx;
using SphereFace.Models;

namespace SphereFace.Tests.Foundation;

[TestClass]
public sealed class EmbeddingGraphFileTests
{
    [TestMethod]
    public void FullOnnxCheckerAcceptsTheEmbeddingGraph()
    {
        using var dir = new TempDir();
        string path = dir.File("embedding.onnx");
        ModelFile.Save(EmbeddingGraph.Build(new SphereNetConfig(4), new ParameterStore(1)), path);
        string output = Python.Run("""
            import sys, onnx
            m = onnx.load(sys.argv[1])
            onnx.checker.check_model(m, full_check=True)
            inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
            out = inferred.graph.output[0].type.tensor_type.shape.dim
            print(m.ir_version, m.opset_import[0].version, out[0].dim_param, out[1].dim_value)
            """, path);
        CollectionAssert.AreEqual(new[] { "8", "17", "N", "512" }, output.Split(' ', StringSplitOptions.TrimEntries));
    }

    [TestMethod]
    public void SameSeedGivesByteIdenticalModelsAndAnotherSeedDoesNot()
    {
        static byte[] Hash(ulong seed) => SHA256.HashData(Google.Protobuf.MessageExtensions.ToByteArray(
            EmbeddingGraph.Build(new SphereNetConfig(4), new ParameterStore(seed))));
        CollectionAssert.AreEqual(Hash(5), Hash(5));
        CollectionAssert.AreNotEqual(Hash(5), Hash(6));
    }

    [TestMethod]
    public void InputContractRoundTripsThroughMetadata()
    {
        var model = EmbeddingGraph.Build(new SphereNetConfig(4), new ParameterStore(1));
        var contract = InputContract.FromModel(model, "test");
        Assert.AreEqual(new InputContract(), contract);
        model.MetadataProps.Remove(model.MetadataProps.First(e => e.Key == "sphereface.input_width"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => InputContract.FromModel(model, "m.onnx"));
        StringAssert.Contains(e.Message, "sphereface.input_width");
    }

    [TestMethod]
    public void TruncatedModelFileGivesAClearError()
    {
        using var dir = new TempDir();
        string path = dir.File("embedding.onnx");
        ModelFile.Save(EmbeddingGraph.Build(new SphereNetConfig(4), new ParameterStore(1)), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(path));
        StringAssert.Contains(e.Message, path);
    }
}
