using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Inference;

/// <summary>A random-weight SF-4 embedding model on disk, and a direct ONNX Runtime reference run.</summary>
internal static class EmbedderFixture
{
    private static readonly Lazy<string> Model = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sphereface-embedder-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "embedding.onnx");
        ModelFile.Save(EmbeddingGraph.Build(SphereNetConfig.Parse("sphere4"), new ParameterStore(21)), path);
        return path;
    });

    private static readonly Lazy<InferenceSession> Session = new(() => new InferenceSession(ModelPath));

    /// <summary>Path of the SF-4 model (built once per test run).</summary>
    public static string ModelPath => Model.Value;

    /// <summary>3 identities × <paramref name="imagesPerIdentity"/> random aligned 96×112 faces in <c>faces/p&lt;id&gt;/</c>.</summary>
    public static string AlignedFolder(Support.TempDir dir, int imagesPerIdentity)
    {
        string root = dir.File("faces");
        for (int id = 0; id < 3; id++)
        {
            Directory.CreateDirectory(Path.Combine(root, $"p{id}"));
            for (int k = 0; k < imagesPerIdentity; k++)
            {
                using var img = RandomImage(96, 112, 10 * id + k);
                Cv2.ImWrite(Path.Combine(root, $"p{id}", $"p{id}_{k + 1:D4}.png"), img);
            }
        }
        return root;
    }

    /// <summary>Raw (unnormalised) outputs of a plain ORT session on NCHW data, via the NamedOnnxValue API.</summary>
    public static float[] DirectRun(float[] nchw, int count)
    {
        var session = Session.Value;
        var tensor = new DenseTensor<float>(nchw, [count, 3, 112, 96]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", tensor)]);
        return results.First(r => r.Name == "embedding").AsEnumerable<float>().ToArray();
    }

    /// <summary>Double-precision L2 normalisation of a concatenation of parts.</summary>
    public static double[] Normalised(params IEnumerable<float>[] parts)
    {
        var v = parts.SelectMany(p => p).Select(x => (double)x).ToArray();
        double n = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }

    /// <summary>A reproducible random BGR image.</summary>
    public static Mat RandomImage(int width, int height, int seed)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3);
        var rng = new Random(seed);
        var bytes = new byte[width * height * 3];
        rng.NextBytes(bytes);
        for (int y = 0; y < height; y++)
            System.Runtime.InteropServices.Marshal.Copy(bytes, y * width * 3, mat.Ptr(y), width * 3);
        // Smooth so the face is not pure noise (closer to a photo's statistics).
        Cv2.GaussianBlur(mat, mat, new Size(5, 5), 1.5);
        return mat;
    }

    public static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        Assert.IsTrue(max < tolerance, $"{what}: max difference {max:E2} ≥ {tolerance:E0}");
    }
}
