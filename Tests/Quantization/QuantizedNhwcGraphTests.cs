using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.Quantization;
using SphereFace.Inference;
using SphereFace.Inference.GraphRewrites;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Quantization;

/// <summary>
/// The int8 Embedder's rewrite (<see cref="QuantizedNhwcGraph"/>): the plugin's uint8 PReLU against the formula and
/// against ONNX Runtime's own DequantizeLinear → Mul → Max → QuantizeLinear, and the rewritten SF-20 graph against the
/// QDQ graph as saved.
/// </summary>
[TestClass]
public sealed class QuantizedNhwcGraphTests
{
    private const int C = 48;

    /// <summary>
    /// Every byte equals clamp(round_half_even(max(t, s·t) / s_y) + z_y, 0, 255) with t = (q − z_x)·s_x in float32, and
    /// equals what ONNX Runtime's QDQ ops give on the same values in NCHW. Slopes span negative, [0, 1] and above 1;
    /// the output scale is small enough that both ends saturate.
    /// </summary>
    [TestMethod]
    public void QuantizedPReluEqualsTheFormulaAndOnnxRuntimesQdqOps()
    {
        const int n = 2, h = 5, w = 7;
        const float xs = 0.037f, ys = 0.021f;
        const byte xz = 131, yz = 97;
        var rng = new Random(17);
        var x = new byte[n * h * w * C];
        rng.NextBytes(x);
        var slope = Enumerable.Range(0, C).Select(_ => (float)(rng.NextDouble() * 2 - 0.5)).ToArray();

        var plugin = RunBytes(PReluModel(xs, xz, slope, ys, yz, nhwcKernel: true), x, [n, h, w, C], [n, h, w, C]);
        var nchw = ToNchw(x, n, h, w);
        var qdq = ToNhwc(RunBytes(PReluModel(xs, xz, slope, ys, yz, nhwcKernel: false), nchw, [n, C, h, w], [n, C, h, w]), n, h, w);
        int saturatedLow = 0, saturatedHigh = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float t = (x[i] - xz) * xs, s = slope[i % C] * t, u = t > s ? t : s;
            double q = Math.Round((double)(u / ys), MidpointRounding.ToEven) + yz;
            byte expected = (byte)Math.Clamp(q, 0, 255);
            if (q < 0) saturatedLow++;
            if (q > 255) saturatedHigh++;
            Assert.AreEqual(expected, plugin[i], $"element {i}: q = {x[i]}, slope {slope[i % C]:R}");
            Assert.AreEqual(qdq[i], plugin[i], $"element {i}: ONNX Runtime's QDQ ops");
        }
        Assert.IsGreaterThan(0, saturatedLow, "the low end saturates");
        Assert.IsGreaterThan(0, saturatedHigh, "the high end saturates");
    }

    /// <summary>
    /// A random-weight SF-20 quantized on random faces: the rewritten graph has no float op between the first and the
    /// last convolution, and its embeddings agree with the QDQ graph as ONNX Runtime runs it unchanged (cosine ≥ 0.9999
    /// for every face: the two differ only where QLinearConv/QLinearAdd round one level differently).
    /// </summary>
    [TestMethod]
    public void TheRewrittenSphere20AgreesWithTheQdqGraph()
    {
        var fp32 = EmbeddingGraph.Build(SphereNetConfig.Parse("sphere20"), new ParameterStore(5));
        var rng = new Random(9);
        var faces = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, 3 * 112 * 96).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToList();
        var observed = Calibration.Observe(fp32, faces[..8], CalibrationMethod.MinMax, batch: 8, threads: 2);
        var ranges = QdqQuantizer.CalibratedTensors(fp32).ToDictionary(t => t, t => observed.Range(t, CalibrationMethod.MinMax));
        var int8 = QdqQuantizer.Quantize(fp32, ranges, "test");

        var rewritten = int8.Clone();
        Assert.AreEqual(20, QuantizedNhwcGraph.Apply(rewritten));
        var ops = rewritten.Graph.Node.Select(n => n.OpType).ToList();
        Assert.AreEqual(20, ops.Count(o => o == "QLinearConv"));
        Assert.AreEqual(8, ops.Count(o => o == "QLinearAdd"));
        foreach (var op in new[] { "Conv", "Mul", "Max", "Add" }) CollectionAssert.DoesNotContain(ops, op);
        Assert.AreEqual(2, ops.Count(o => o == "Transpose"), "into NHWC after the input's QuantizeLinear, back before Flatten");

        using var dir = new TempDir();
        string path = dir.File("embedding.int8.onnx");
        ModelFile.Save(int8, path);
        using var nhwc = new Embedder(path, new EmbedderOptions { IntraOpThreads = 2 });
        using var saved = new Embedder(path, new EmbedderOptions { IntraOpThreads = 2, Kernels = Kernels.Standard });
        Assert.AreEqual("onnxruntime-int8-nhwc", nhwc.Kernels);
        Assert.AreEqual(20, nhwc.QuantizedPRelus);
        Assert.AreEqual("onnxruntime-int8", saved.Kernels);
        var held = faces[8..];
        var a = new float[held.Count * nhwc.Dimension];
        var b = new float[held.Count * saved.Dimension];
        var data = held.SelectMany(f => f).ToArray();
        nhwc.EmbedTensors(data, held.Count, a);
        saved.EmbedTensors(data, held.Count, b);
        double worst = 1;
        for (int i = 0; i < held.Count; i++)
            worst = Math.Min(worst, Embedder.Similarity(a.AsSpan(i * 512, 512), b.AsSpan(i * 512, 512)));
        Console.WriteLine($"rewritten vs as-saved int8 SF-20: minimum cosine {worst:F7} over {held.Count} faces");
        Assert.IsGreaterThanOrEqualTo(0.9999, worst);
    }

    /// <summary>One PReLU on uint8 values: the plugin's NHWC kernel, or ONNX Runtime's QDQ ops on NCHW.</summary>
    private static ModelProto PReluModel(float xs, byte xz, float[] slope, float ys, byte yz, bool nhwcKernel)
    {
        var g = new GraphProto { Name = "qprelu" };
        g.Input.Add(Bytes("x"));
        g.Output.Add(Bytes("y"));
        g.Initializer.Add(TensorProtos.Float("xs", [xs], []));
        g.Initializer.Add(TensorProtos.Float("ys", [ys], []));
        g.Initializer.Add(new TensorProto { Name = "xz", DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom(xz) });
        g.Initializer.Add(new TensorProto { Name = "yz", DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom(yz) });
        g.Initializer.Add(TensorProtos.Float("slope", slope, nhwcKernel ? [C] : [C, 1, 1]));
        var m = new ModelProto { IrVersion = GraphBuilder.IrVersion, Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = GraphBuilder.Opset });
        if (nhwcKernel)
        {
            g.Node.Add(new NodeProto { OpType = DnnlPlugin.QuantizedPReluOp, Domain = DnnlPlugin.Domain, Input = { "x", "xs", "xz", "slope", "ys", "yz" }, Output = { "y" } });
            m.OpsetImport.Add(new OperatorSetIdProto { Domain = DnnlPlugin.Domain, Version = 1 });
        }
        else
        {
            g.Node.Add(new NodeProto { OpType = "DequantizeLinear", Input = { "x", "xs", "xz" }, Output = { "t" } });
            g.Node.Add(new NodeProto { OpType = "Mul", Input = { "t", "slope" }, Output = { "st" } });
            g.Node.Add(new NodeProto { OpType = "Max", Input = { "t", "st" }, Output = { "u" } });
            g.Node.Add(new NodeProto { OpType = "QuantizeLinear", Input = { "u", "ys", "yz" }, Output = { "y" } });
        }
        return m;
    }

    private static ValueInfoProto Bytes(string name) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Uint8 } } };

    private static byte[] RunBytes(ModelProto model, byte[] x, long[] shape, long[] outputShape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        if (model.Graph.Node.Any(n => n.Domain == DnnlPlugin.Domain)) PluginLibrary.Dnnl.Register(options);
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var input = OrtValue.CreateTensorValueFromMemory(x, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [input], ["y"]);
        CollectionAssert.AreEqual(outputShape, results[0].GetTensorTypeAndShape().Shape);
        return results[0].GetTensorDataAsSpan<byte>().ToArray();
    }

    private static byte[] ToNchw(byte[] nhwc, int n, int h, int w)
    {
        var r = new byte[nhwc.Length];
        for (int b = 0; b < n; b++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < C; c++)
            r[((b * C + c) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * C + c];
        return r;
    }

    private static byte[] ToNhwc(byte[] nchw, int n, int h, int w)
    {
        var r = new byte[nchw.Length];
        for (int b = 0; b < n; b++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < C; c++)
            r[((b * h + y) * w + x) * C + c] = nchw[((b * C + c) * h + y) * w + x];
        return r;
    }
}
