using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Models.Native;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Inference;
using SphereFace.Inference.GraphRewrites;
using SphereFace.Tests.Support;
using static SphereFace.Tests.Inference.EmbedderFixture;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Inference;

/// <summary>
/// <see cref="FusedDnnlConvs"/>: the Embedder on fused oneDNN convolutions against ONNX Runtime's own kernels on the
/// unchanged graph, for SF-4 and SF-20 at several batch sizes, and the rewritten graph's structure.
/// </summary>
[TestClass]
public sealed class FusedDnnlConvsTests
{
    [TestMethod]
    [DataRow("sphere4")]
    [DataRow("sphere20")]
    public void FusedEmbedderAgreesWithOnnxRuntimeKernels(string net)
    {
        using var dir = new TempDir();
        string path = dir.File("embedding.onnx");
        ModelFile.Save(EmbeddingGraph.Build(SphereNetConfig.Parse(net), new ParameterStore(21)), path);
        int earlier = DnnlPlugin.Implementations().Count; // the records are process-wide: look only at this test's
        using var fused = new Embedder(path, new EmbedderOptions { IntraOpThreads = 2 });
        using var own = new Embedder(path, new EmbedderOptions { IntraOpThreads = 2, Kernels = Kernels.Standard });
        Assert.AreEqual($"onednn nChw{TestKernels.Block}c", fused.Kernels);
        Assert.AreEqual(net == "sphere4" ? 4 : 20, fused.FusedConvs);
        Assert.AreEqual("onnxruntime", own.Kernels);
        foreach (int batch in new[] { 1, 3 })
        {
            var rng = new Random(batch);
            var tensors = Enumerable.Range(0, batch * fused.TensorLength).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var a = new float[batch * fused.Dimension];
            var b = new float[batch * own.Dimension];
            fused.EmbedTensors(tensors, batch, a);
            own.EmbedTensors(tensors, batch, b);
            double worst = a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
            Assert.IsTrue(worst < 1e-5, $"{net}, batch {batch}: unit embeddings differ by {worst:G3}");
        }
        var slow = DnnlPlugin.Implementations().Skip(earlier).Where(i => i.Name.StartsWith("ref", StringComparison.Ordinal)).Select(i => $"{i.Op} {i.Node}").ToArray();
        Assert.AreEqual(0, slow.Length, $"oneDNN reference implementations ran: {string.Join(", ", slow)}");
    }

    [TestMethod]
    public void RewriteFusesEveryConvWithItsPReluAndResidual()
    {
        var model = EmbeddingGraph.Build(SphereNetConfig.Parse("sphere20"), new ParameterStore(3));
        int nodes = model.Graph.Node.Count;
        Assert.AreEqual(20, FusedDnnlConvs.Apply(model));
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        CollectionAssert.DoesNotContain(ops, "PRelu");
        CollectionAssert.DoesNotContain(ops, "Add");
        Assert.AreEqual(1, ops.Count(o => o == "Transpose"), "one conversion back to NCHW, before the embedding FC");
        var fused = model.Graph.Node.Where(n => n.Domain == DnnlPlugin.Domain).ToList();
        Assert.AreEqual(20, fused.Count(n => n.Input.Count >= 4 && n.Input[3].Length > 0), "every conv carries its PReLU slope");
        Assert.AreEqual(8, fused.Count(n => n.Input.Count == 5), "SF-20's eight residual adds are fused");
        Assert.IsTrue(model.Graph.Node.Count < nodes);
    }

    [TestMethod]
    public void GraphWithoutConvertibleConvsIsLeftAlone()
    {
        var model = ModelFile.Load(ModelPath);
        foreach (var n in model.Graph.Node.Where(n => n.OpType == "Conv")) n.Attribute.Add(Attr.Int("group", 1));
        foreach (var n in model.Graph.Node.Where(n => n.OpType == "Conv")) n.Attribute.Add(Attr.Ints("dilations", 2, 2));
        var before = model.ToString();
        Assert.AreEqual(0, FusedDnnlConvs.Apply(model));
        Assert.AreEqual(before, model.ToString());
    }
}
