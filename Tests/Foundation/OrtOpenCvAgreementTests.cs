using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Inference.GraphRewrites;
using SphereFace.Tests.Support;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Foundation;

/// <summary>The frozen embedding graph (as exported, and as the Embedder rewrites it) gives the same outputs in ONNX Runtime and in OpenCV DNN.</summary>
[TestClass]
public sealed class OrtOpenCvAgreementTests
{
    [TestMethod]
    [DataRow(4, false)]
    [DataRow(20, false)]
    [DataRow(4, true)]
    public void OnnxRuntimeAndOpenCvDnnAgree(int depth, bool blockedLayoutPRelu)
    {
        using var dir = new TempDir();
        string path = dir.File("embedding.onnx");
        var model = EmbeddingGraph.Build(new SphereNetConfig(depth), new ParameterStore(11));
        // The Embedder's PRelu rewrite: BatchNormalization with ε = 0, an attribute OpenCV reads only when written.
        if (blockedLayoutPRelu) Assert.AreEqual(depth == 4 ? 4 : 20, PReluAsBlockedOps.Apply(model));
        ModelFile.Save(model, path);

        const int batch = 2;
        int[] dims = [batch, 3, SphereNetConfig.InputHeight, SphereNetConfig.InputWidth];
        var input = new float[dims.Aggregate(1, (a, d) => a * d)];
        var rng = new SeededRandom(99);
        for (int i = 0; i < input.Length; i++) input[i] = (float)rng.Uniform(-1, 1);

        float[] ort;
        using (var session = new InferenceSession(path))
        {
            var tensor = new DenseTensor<float>(input, dims);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", tensor)]);
            ort = results.First(r => r.Name == "embedding").AsEnumerable<float>().ToArray();
        }

        float[] cv;
        using (var net = CvDnn.ReadNetFromOnnx(path) ?? throw new AssertFailedException("OpenCV could not read the model"))
        using (var blob = new Mat(dims, MatType.CV_32FC1))
        {
            Marshal.Copy(input, 0, blob.Data, input.Length);
            net.SetInput(blob, "data");
            using var output = net.Forward("embedding");
            Assert.AreEqual(batch * 512, (int)output.Total());
            cv = new float[output.Total()];
            Marshal.Copy(output.Data, cv, 0, cv.Length);
        }

        Assert.AreEqual(batch * 512, ort.Length);
        double maxAbs = ort.Max(v => Math.Abs((double)v));
        double maxDiff = ort.Zip(cv, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.IsTrue(maxAbs > 1e-3, "embedding is (near) zero: the comparison would be vacuous");
        Assert.IsTrue(maxDiff / maxAbs < 1e-5, $"sphere{depth}: relative max difference {maxDiff / maxAbs:E2} ≥ 1e-5");
    }
}
