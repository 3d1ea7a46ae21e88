using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Inference;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>The Embedder against a direct ONNX Runtime run of the same graph on the same preprocessed tensor.</summary>
[TestClass]
public sealed class EmbedderTests
{
    private const int Len = 3 * 112 * 96;

    [TestMethod]
    public void AlignedFaceEmbeddingEqualsDirectRun()
    {
        using var embedder = new Embedder(ModelPath);
        using var face = RandomImage(96, 112, 1);
        var tensor = new float[Len];
        FacePreprocess.ToTensor(face, tensor);
        var expected = Normalised(DirectRun(tensor, 1));
        var actual = embedder.EmbedAligned(face);
        Assert.AreEqual(512, embedder.Dimension);
        AssertClose(expected, actual, 1e-6, "aligned face");
        AssertClose(expected, embedder.EmbedTensor(tensor), 1e-6, "tensor");
    }

    [TestMethod]
    public void FlipConcatenationEqualsDirectRunsOfFaceAndMirror()
    {
        using var embedder = new Embedder(ModelPath, new EmbedderOptions { FlipConcatenation = true });
        using var face = RandomImage(96, 112, 2);
        var tensor = new float[Len];
        var mirrored = new float[Len];
        FacePreprocess.ToTensor(face, tensor);
        FacePreprocess.ToTensor(face, mirrored, flipHorizontal: true);
        var expected = Normalised(DirectRun(tensor, 1), DirectRun(mirrored, 1));
        var actual = embedder.EmbedAligned(face);
        Assert.AreEqual(1024, actual.Length);
        AssertClose(expected, actual, 1e-6, "flip concatenation");
    }

    [TestMethod]
    public void PhotoWithLandmarksEqualsDirectRunOnAlignedCrop()
    {
        using var embedder = new Embedder(ModelPath, new EmbedderOptions { MaxBatch = 2 });
        var photos = Enumerable.Range(0, 3).Select(i => RandomImage(250, 250, 10 + i)).ToArray();
        Point2f[][] landmarks =
        [
            [new(100, 110), new(150, 112), new(125, 140), new(105, 165), new(148, 166)],
            [new(90, 100), new(160, 105), new(126, 135), new(100, 170), new(150, 172)],
            [new(110, 120), new(140, 118), new(128, 138), new(112, 155), new(138, 154)],
        ];
        var aligner = new FaceAligner();
        var batch = new float[3 * Len];
        for (int i = 0; i < 3; i++)
        {
            using var aligned = aligner.Align(photos[i], landmarks[i]);
            FacePreprocess.ToTensor(aligned, batch.AsSpan(i * Len, Len));
        }
        var direct = DirectRun(batch, 3);
        var actual = embedder.Embed(photos, landmarks); // MaxBatch 2: split into runs of 2 and 1
        for (int i = 0; i < 3; i++)
            AssertClose(Normalised(direct.Skip(i * 512).Take(512)), actual[i], 1e-5, $"photo {i}");
        AssertClose(Normalised(direct.Take(512)), embedder.Embed(photos[0], landmarks[0]), 1e-5, "single photo");
        foreach (var p in photos) p.Dispose();
    }

    [TestMethod]
    public void SimilarityIsCosine()
    {
        float[] a = [1, 2, 3], b = [-2, 0.5f, 4];
        double expected = (1 * -2 + 2 * 0.5 + 3 * 4) / Math.Sqrt(14) / Math.Sqrt(4 + 0.25 + 16);
        Assert.AreEqual(expected, Embedder.Similarity(a, b), 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => Embedder.Similarity(a, [1f, 2f]));
    }

    [TestMethod]
    public void ConcurrentCallsGiveSequentialResults()
    {
        using var embedder = new Embedder(ModelPath, new EmbedderOptions { IntraOpThreads = 1 });
        const int faces = 12;
        var tensors = new float[faces * Len];
        for (int i = 0; i < faces; i++)
        {
            using var img = RandomImage(96, 112, 100 + i);
            FacePreprocess.ToTensor(img, tensors.AsSpan(i * Len, Len));
        }
        var sequential = new float[faces][];
        for (int i = 0; i < faces; i++) sequential[i] = embedder.EmbedTensor(tensors.AsSpan(i * Len, Len));

        const int threads = 8, callsPerThread = 100;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var rng = new Random(t);
            for (int c = 0; c < callsPerThread; c++)
            {
                // Mix single calls and 2-face batches (batches exercise other pooled buffer sizes).
                int first = rng.Next(faces - 1), count = 1 + rng.Next(2);
                var output = new float[count * 512];
                embedder.EmbedTensors(tensors.AsSpan(first * Len, count * Len), count, output);
                for (int k = 0; k < count; k++)
                    for (int j = 0; j < 512; j++)
                        if (Math.Abs(output[k * 512 + j] - sequential[first + k][j]) > 1e-6f)
                        {
                            failures.Add($"thread {t} call {c} face {first + k} element {j}: {output[k * 512 + j]} vs {sequential[first + k][j]}");
                            break;
                        }
            }
        });
        Assert.IsEmpty(failures, string.Join("\n", failures.Take(5)));
    }
}
