using System.Numerics.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Quantization;
using SphereFace.Inference;
using SphereFace.Models.Onnx;
using SphereFace.Tests.Autodiff;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Quantization;

/// <summary>
/// int8 quantization: ONNX Runtime's QuantizeLinear/DequantizeLinear against the double-precision formula, a quantized
/// conv within the error its scales allow, and the quantized embedding of a trained SF-4 against the float32 one.
/// </summary>
[TestClass]
public sealed class QuantizationTests
{
    /// <summary>
    /// Q → DQ through ONNX Runtime: q = clamp(round_half_even(x / s) + z, 0, 255) with x / s a float32 division as the
    /// ONNX definition computes it, x̂ = (q − z)·s.
    /// </summary>
    [TestMethod]
    [DataRow(-1.5f, 2.5f)]
    [DataRow(0.25f, 6f)]
    [DataRow(-3f, -0.5f)]
    public void QuantizeLinearMatchesTheOnnxFormula(float min, float max)
    {
        var (scale, zero) = QuantizationMath.Uint8(min, max);
        double lo = Math.Min(min, 0), hi = Math.Max(max, 0);
        Assert.AreEqual((hi - lo) / 255, scale, 1e-7 * (hi - lo), "scale");
        Assert.AreEqual(Math.Round(-lo / ((hi - lo) / 255)), zero, 1, "zero point");
        // Values on the rounding midpoints (k + ½)·s, around 0 (must be exact), and far outside the range (saturation).
        var x = new List<float> { 0f, min, max, 10 * min - 5, 10 * max + 5 };
        for (int k = -40; k <= 40; k++) x.Add((float)((k + 0.5) * scale));
        var rng = new Random(3);
        for (int i = 0; i < 200; i++) x.Add((float)(lo + (hi - lo) * rng.NextDouble()));
        var model = QdqModel(scale, zero);
        using var ort = new OrtModel(model);
        var y = ort.Run(new Dictionary<string, (long[], Array)> { ["x"] = ([x.Count], x.ToArray()) }, ["y"])[0];
        for (int i = 0; i < x.Count; i++)
        {
            double q = Math.Clamp(Math.Round((double)(x[i] / scale), MidpointRounding.ToEven) + zero, 0, 255);
            double expected = (q - zero) * scale;
            Assert.AreEqual(expected, y[i], 1e-6 * Math.Max(1, Math.Abs(expected)), $"x = {x[i]:R}");
            Assert.AreEqual((byte)q, QuantizationMath.ToUint8(x[i], scale, zero), $"x = {x[i]:R}: the project's own rounding");
        }
        Assert.AreEqual(0f, y[0], "0 is exactly representable");
    }

    private static ModelProto QdqModel(float scale, byte zero)
    {
        var g = new GraphProto { Name = "qdq" };
        g.Input.Add(Value("x", ElementType.Float));
        g.Output.Add(Value("y", ElementType.Float));
        g.Initializer.Add(TensorProtos.Float("s", [scale], []));
        g.Initializer.Add(new TensorProto { Name = "z", DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom(zero) });
        g.Node.Add(new NodeProto { OpType = "QuantizeLinear", Input = { "x", "s", "z" }, Output = { "q" } });
        g.Node.Add(new NodeProto { OpType = "DequantizeLinear", Input = { "q", "s", "z" }, Output = { "y" } });
        var m = new ModelProto { IrVersion = GraphBuilder.IrVersion, Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = GraphBuilder.Opset });
        return m;
    }

    private static ValueInfoProto Value(string name, ElementType type) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "n" } } } } } };

    /// <summary>
    /// x → Conv(3×3, bias) → PRelu on random data, quantized with ranges observed on that data: every output is within
    /// Σₖ(|ŵₖ|·sₓ/2 + |xₖ|·s_w/2) + sₓ·s_w/2 + s_y/2 of the double-precision result (input, weight, bias and output
    /// rounding; PRelu with slopes in [0, 1] does not enlarge an error), and the error is not zero.
    /// </summary>
    [TestMethod]
    public void AQuantizedConvStaysWithinTheBoundItsScalesImply()
    {
        const int c = 8, m = 16, h = 9, w = 7;
        var rng = new Random(7);
        float R(double a) => (float)((rng.NextDouble() * 2 - 1) * a);
        var weights = Enumerable.Range(0, m * c * 9).Select(_ => R(0.3)).ToArray();
        var bias = Enumerable.Range(0, m).Select(_ => R(0.2)).ToArray();
        var slopes = Enumerable.Range(0, m).Select(i => (float)(0.1 + 0.05 * i)).ToArray();
        var x = Enumerable.Range(0, c * h * w).Select(_ => R(1.0) + 0.3f).ToArray();

        var g = new GraphBuilder("conv");
        string input = g.Input("x", ElementType.Float, 1, c, h, w);
        string conv = g.Node("Conv", [input, g.AddInitializer("w", weights, [m, c, 3, 3]), g.AddInitializer("b", bias, [m])],
            [Attr.Ints("kernel_shape", 3, 3), Attr.Ints("pads", 1, 1, 1, 1)], name: "conv");
        g.Output(g.Node("PRelu", [conv, g.AddInitializer("slope", slopes, [m, 1, 1])], name: "prelu"), "y");
        var fp32 = g.ToModel();

        // Ranges: the input's and the conv output's observed values (double-precision reference).
        var reference = new double[m * h * w];
        for (int o = 0; o < m; o++)
            for (int yy = 0; yy < h; yy++)
                for (int xx = 0; xx < w; xx++)
                {
                    double sum = bias[o];
                    for (int ci = 0; ci < c; ci++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = yy + ky - 1, ix = xx + kx - 1;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                sum += weights[((o * c + ci) * 3 + ky) * 3 + kx] * (double)x[(ci * h + iy) * w + ix];
                            }
                    reference[(o * h + yy) * w + xx] = sum;
                }
        string convOut = fp32.Graph.Node.First(n => n.OpType == "Conv").Output[0];
        var ranges = new Dictionary<string, (float, float)> { ["x"] = (x.Min(), x.Max()), [convOut] = ((float)reference.Min(), (float)reference.Max()) };
        var int8 = QdqQuantizer.Quantize(fp32, ranges, "test");
        Assert.IsTrue(int8.Graph.Node.Any(n => n.OpType == "QuantizeLinear"));

        using var ort = new OrtModel(int8);
        var y = ort.Run(new Dictionary<string, (long[], Array)> { ["x"] = ([1, c, h, w], x) }, ["y"])[0];
        var (sx, _) = QuantizationMath.Uint8(x.Min(), x.Max());
        var (sy, _) = QuantizationMath.Uint8((float)reference.Min(), (float)reference.Max());
        var (qw, sw) = QuantizationMath.Int8PerChannel(weights, [m, c, 3, 3]);
        double worstRatio = 0, maxError = 0;
        for (int o = 0; o < m; o++)
            for (int yy = 0; yy < h; yy++)
                for (int xx = 0; xx < w; xx++)
                {
                    double bound = sx * sw[o] / 2 + sy / 2;
                    for (int ci = 0; ci < c; ci++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = yy + ky - 1, ix = xx + kx - 1;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                int k = ((o * c + ci) * 3 + ky) * 3 + kx;
                                bound += Math.Abs(qw[k] * sw[o]) * sx / 2 + Math.Abs(x[(ci * h + iy) * w + ix]) * sw[o] / 2;
                            }
                    int at = (o * h + yy) * w + xx;
                    double pre = reference[at], expected = pre >= 0 ? pre : slopes[o] * pre;
                    double error = Math.Abs(y[at] - expected);
                    maxError = Math.Max(maxError, error);
                    worstRatio = Math.Max(worstRatio, error / (bound + 1e-6 * Math.Abs(expected)));
                }
        Console.WriteLine($"quantized conv: max |int8 − double| = {maxError:G3}; worst error / bound = {worstRatio:F3}");
        Assert.IsLessThanOrEqualTo(1.0, worstRatio);
        Assert.IsGreaterThan(1e-4, maxError, "int8 arithmetic was actually used");
    }

    /// <summary>A trained SF-4 (synthetic faces, 80 iterations), quantized on its training identities: held-out faces' int8 embeddings against float32.</summary>
    [TestMethod]
    public void TheInt8EmbedderAgreesWithFloat32OnATrainedModel()
    {
        using var dir = new TempDir();
        string faces = dir.File("faces");
        Assert.AreEqual(0, CliRun.Run("synth", "--out", faces, "--identities", "24", "--max-images", "8", "--min-images", "6", "--test-images", "6", "--pairs-per-fold", "2", "--folds", "2").Code);
        var (code, error) = CliRun.Run("train", "--data", Path.Combine(faces, "images"), "--landmarks", Path.Combine(faces, "landmarks.txt"),
            "--identity-list", Path.Combine(faces, "train_identities.txt"), "--net", "sphere4", "--loss", "softmax", "--batch", "16",
            "--iterations", "80", "--lr", "0.01", "--log-every", "40", "--checkpoint-every", "80", "--out", dir.File("run"));
        Assert.AreEqual(0, code, error);
        string fp32 = dir.File("run/embedding.onnx"), int8 = dir.File("run/embedding.int8.onnx");
        Assert.AreEqual(0, CliRun.Run("export", "--checkpoint", dir.File("run/checkpoint.safetensors"), "--out", fp32).Code);
        (code, error) = CliRun.Run("quantize", "--model", fp32, "--data", Path.Combine(faces, "images"), "--landmarks", Path.Combine(faces, "landmarks.txt"),
            "--identity-list", Path.Combine(faces, "train_identities.txt"), "--images", "64", "--out", int8);
        Assert.AreEqual(0, code, error);
        Python.Run("import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", int8);

        var marks = SphereFace.Alignment.Formats.LandmarkListFile.Read(Path.Combine(faces, "landmarks.txt"));
        var test = File.ReadAllLines(Path.Combine(faces, "test_identities.txt")).Where(l => l.Trim().Length > 0).ToHashSet();
        using var a = new Embedder(fp32);
        using var b = new Embedder(int8);
        Assert.AreEqual(a.Contract, b.Contract, "the int8 model keeps the input contract");
        Assert.AreEqual("onnxruntime-int8-nhwc", b.Kernels, "the Embedder runs the int8 model through its NHWC rewrite");
        var cosines = new List<double>();
        foreach (var e in marks.Where(e => test.Contains(e.RelativePath.Split('/')[0])))
        {
            string path = Path.Combine(faces, "images", e.RelativePath);
            cosines.Add(TensorPrimitives.CosineSimilarity(a.Embed(path, e.Points), b.Embed(path, e.Points)));
        }
        Console.WriteLine($"float32 vs int8 on {cosines.Count} held-out faces: cosine mean {cosines.Average():F5}, min {cosines.Min():F5}");
        Assert.IsGreaterThan(20, cosines.Count);
        Assert.IsGreaterThanOrEqualTo(0.99, cosines.Average());
        Assert.IsGreaterThanOrEqualTo(0.98, cosines.Min());
    }
}
