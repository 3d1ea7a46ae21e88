using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SphereFace.Inference;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>
/// A model whose weights lie in a file beside it (ONNX external data): the <c>Embedder</c> rewrites models in memory
/// and hands them to ONNX Runtime as bytes, so it must read those weights from the model's folder — never from the
/// process's current folder, never from outside the model's folder.
/// </summary>
[TestClass]
public sealed class ExternalDataTests
{
    /// <summary>The fixture's model with every initializer of more than 1 KiB moved into <paramref name="location"/> (relative to <paramref name="folder"/>).</summary>
    private static string WithExternalWeights(string folder, string location)
    {
        var model = ModelFile.Load(ModelPath);
        Directory.CreateDirectory(folder);
        using var weights = new MemoryStream();
        foreach (var t in model.Graph.Initializer.Where(t => t.RawData.Length > 1024))
        {
            long offset = weights.Length;
            t.RawData.WriteTo(weights);
            t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = t.RawData.Length.ToString() });
            t.DataLocation = TensorProto.Types.DataLocation.External;
            t.RawData = ByteString.Empty;
        }
        File.WriteAllBytes(Path.GetFullPath(Path.Combine(folder, location)), weights.ToArray());
        string path = Path.Combine(folder, "embedding.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [TestMethod]
    public void WeightsBesideTheModelAreReadFromItsFolderOnEveryPath()
    {
        using var dir = new TempDir();
        string external = WithExternalWeights(dir.File("model"), "weights.bin");
        Assert.AreNotEqual(Path.GetDirectoryName(external), Environment.CurrentDirectory);

        // ONNX Runtime reads the file by path itself: the external-data file is in ONNX's format.
        var input = new DenseTensor<float>(Enumerable.Range(0, 3 * 112 * 96).Select(i => (float)Math.Sin(i)).ToArray(), [1, 3, 112, 96]);
        float[] Run(string path)
        {
            using var session = new InferenceSession(path);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", input)]);
            return results.First(r => r.Name == "embedding").AsEnumerable<float>().ToArray();
        }
        CollectionAssert.AreEqual(Run(ModelPath), Run(external));

        using var face = RandomImage(96, 112, 3);
        foreach (var kernels in new[] { Kernels.Auto, Kernels.Standard })
        {
            using var inline = new Embedder(ModelPath, new EmbedderOptions { Kernels = kernels });
            using var beside = new Embedder(external, new EmbedderOptions { Kernels = kernels });
            CollectionAssert.AreEqual(inline.EmbedAligned(face), beside.EmbedAligned(face), $"kernels {kernels}");
        }
    }

    [TestMethod]
    public void ALocationOutsideTheModelsFolderIsRefused()
    {
        using var dir = new TempDir();
        string escaping = WithExternalWeights(dir.File("model"), "../weights.bin");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Embedder(escaping));
        StringAssert.Contains(e.Message, "'../weights.bin' is outside the model's folder");
        StringAssert.Contains(e.Message, escaping);
    }
}
