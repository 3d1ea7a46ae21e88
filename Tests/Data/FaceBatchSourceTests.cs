using SphereFace.Tests.Support;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class FaceBatchSourceTests
{
    private const int Floats = 3 * 112 * 96;

    /// <summary>An aligned dataset on disk: <paramref name="identities"/> folders of 96×112 PNGs with random content.</summary>
    private static FaceDataset AlignedFolder(string root, int identities, int perIdentity)
    {
        var rng = new Random(3);
        for (int i = 0; i < identities; i++)
            for (int n = 0; n < perIdentity; n++)
            {
                using var face = new Mat(new Size(96, 112), MatType.CV_8UC3);
                Cv2.Randu(face, Scalar.All(rng.Next(0, 100)), Scalar.All(rng.Next(150, 256)));
                Directory.CreateDirectory(Path.Combine(root, $"p{i}"));
                Cv2.ImWrite(Path.Combine(root, $"p{i}", $"{n}.png"), face);
            }
        return FaceDataset.Load(root);
    }

    private static float[] Reference(FaceSample sample, bool flip)
    {
        using var image = Cv2.ImRead(sample.Path, ImreadModes.Color);
        var t = new float[Floats];
        FacePreprocess.ToTensor(image, t, flip);
        return t;
    }

    private static List<(float[] Data, long[] Labels)> Take(IBatchSource source, int batches)
    {
        var list = new List<(float[], long[])>();
        for (int k = 0; k < batches; k++)
        {
            var data = new float[source.BatchSize * Floats];
            var labels = new long[source.BatchSize];
            source.Next(data, labels);
            list.Add((data, labels));
        }
        return list;
    }

    [TestMethod]
    public void DeliversEverySampleOncePerEpochInTheSeededOrder()
    {
        using var tmp = new TempDir();
        var dataset = AlignedFolder(tmp.Path, identities: 4, perIdentity: 3);
        var order = new SampleOrder(dataset.Samples.Count, 42);
        using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions { BatchSize = 4, Workers = 2, Prefetch = 2, Seed = 42, FlipProbability = 0 });
        var batches = Take(source, 6); // two epochs of 12
        for (int position = 0; position < 24; position++)
        {
            var sample = dataset.Samples[order.At(position)];
            var (data, labels) = batches[position / 4];
            CollectionAssert.AreEqual(Reference(sample, false), data.AsSpan((position % 4) * Floats, Floats).ToArray(), $"position {position}");
            Assert.AreEqual(sample.Label, labels[position % 4]);
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 12).ToList(), order.Permutation(0).ToList());
        CollectionAssert.AreNotEqual(order.Permutation(0), order.Permutation(1));
        Assert.AreEqual(new SampleOrderState(42, 2, 0), source.State);
        Assert.AreEqual(4, source.Classes);
    }

    [TestMethod]
    public void FlipMirrorsEachRow()
    {
        using var tmp = new TempDir();
        var dataset = AlignedFolder(tmp.Path, 2, 2);
        var order = new SampleOrder(4, 1);
        using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions { BatchSize = 4, Workers = 1, Seed = 1, FlipProbability = 1 });
        var (data, _) = Take(source, 1)[0];
        for (int i = 0; i < 4; i++)
        {
            var plain = Reference(dataset.Samples[order.At(i)], false);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 112; y++)
                    for (int x = 0; x < 96; x++)
                        Assert.AreEqual(plain[c * 112 * 96 + y * 96 + 95 - x], data[i * Floats + c * 112 * 96 + y * 96 + x]);
        }
    }

    [TestMethod]
    public void ResumedSourceContinuesWithIdenticalBatches()
    {
        using var tmp = new TempDir();
        var dataset = AlignedFolder(tmp.Path, 3, 3);
        var options = new FaceBatchSourceOptions { BatchSize = 4, Workers = 2, Prefetch = 3, Seed = 77, FlipProbability = 0.5 };
        List<(float[] Data, long[] Labels)> all;
        SampleOrderState saved;
        using (var first = new FaceBatchSource(dataset, options))
        {
            var head = Take(first, 3);
            saved = first.State;
            all = head.Concat(Take(first, 4)).ToList();
        }
        Assert.AreEqual(new SampleOrderState(77, 1, 3), saved); // 12 samples consumed of 9 per epoch
        using var resumed = new FaceBatchSource(dataset, options with { Workers = 1, Resume = saved });
        var tail = Take(resumed, 4);
        for (int k = 0; k < 4; k++)
        {
            CollectionAssert.AreEqual(all[3 + k].Data, tail[k].Data, $"batch {3 + k}");
            CollectionAssert.AreEqual(all[3 + k].Labels, tail[k].Labels);
        }
        Assert.ThrowsExactly<ArgumentException>(() => new FaceBatchSource(dataset, options with { Resume = saved with { Seed = 78 } }));
    }

    [TestMethod]
    public void CorruptAndMissingImagesAreSkippedWarnedAndCounted()
    {
        using var tmp = new TempDir();
        var dataset = AlignedFolder(tmp.Path, 3, 4);
        var corrupt = dataset.Samples[1].Path;
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5]);
        var truncated = dataset.Samples[6].Path;
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated).AsSpan(0, 60).ToArray());
        var gone = dataset.Samples[9].Path;
        File.Delete(gone);
        var warnings = new List<string>();
        using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions
        {
            BatchSize = 6, Workers = 2, Seed = 5, FlipProbability = 0, Warn = m => { lock (warnings) warnings.Add(m); },
        });
        var batches = Take(source, 4); // two epochs
        Assert.AreEqual(6, source.SkippedImages);
        CollectionAssert.AreEquivalent(new[] { corrupt, truncated, gone }, source.SkippedFiles.ToList());
        Assert.HasCount(3, warnings);
        Assert.IsTrue(warnings.Any(w => w.Contains(corrupt)) && warnings.Any(w => w.Contains(gone)));
        // Every slot holds a real image whose label matches it.
        var byTensor = dataset.Samples.Where(s => s.Path != corrupt && s.Path != truncated && s.Path != gone)
            .Select(s => (Tensor: Reference(s, false), s.Label)).ToList();
        foreach (var (data, labels) in batches)
            for (int i = 0; i < 6; i++)
            {
                var slot = data.AsSpan(i * Floats, Floats).ToArray();
                var match = byTensor.Where(r => r.Tensor.AsSpan().SequenceEqual(slot)).ToList();
                Assert.HasCount(1, match, $"slot {i} is one of the good images");
                Assert.AreEqual(match[0].Label, labels[i]);
            }
    }

    [TestMethod]
    public void AlignsPhotosWithLandmarks()
    {
        using var tmp = new TempDir();
        SyntheticFaceSet.Generate(tmp.Path, SyntheticFaceSetTests.Tiny());
        var dataset = FaceDataset.Load(tmp.File(SyntheticFaceSet.ImagesFolder), tmp.File(SyntheticFaceSet.LandmarksFile));
        Assert.IsTrue(dataset.HasLandmarks);
        var order = new SampleOrder(dataset.Samples.Count, 9);
        using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions { BatchSize = 5, Workers = 2, Seed = 9, FlipProbability = 0 });
        var (data, labels) = Take(source, 1)[0];
        var aligner = new FaceAligner();
        for (int i = 0; i < 5; i++)
        {
            var sample = dataset.Samples[order.At(i)];
            using var photo = Cv2.ImRead(sample.Path, ImreadModes.Color);
            using var aligned = aligner.Align(photo, sample.Landmarks);
            var expected = new float[Floats];
            FacePreprocess.ToTensor(aligned, expected);
            CollectionAssert.AreEqual(expected, data.AsSpan(i * Floats, Floats).ToArray());
            Assert.AreEqual(sample.Label, labels[i]);
        }
    }

    [TestMethod]
    public void CachedCropsGiveTheSameBatches()
    {
        using var tmp = new TempDir();
        SyntheticFaceSet.Generate(tmp.Path, SyntheticFaceSetTests.Tiny());
        var dataset = FaceDataset.Load(tmp.File(SyntheticFaceSet.ImagesFolder), tmp.File(SyntheticFaceSet.LandmarksFile));
        var options = new FaceBatchSourceOptions { BatchSize = 7, Workers = 2, Seed = 3 };
        int batches = 3 * dataset.Samples.Count / 7 + 1; // three epochs
        List<(float[] Data, long[] Labels)> plain, cached;
        using (var a = new FaceBatchSource(dataset, options)) plain = Take(a, batches);
        using (var b = new FaceBatchSource(dataset, options with { CacheAligned = true })) cached = Take(b, batches);
        for (int k = 0; k < batches; k++)
        {
            CollectionAssert.AreEqual(plain[k].Data, cached[k].Data, $"batch {k}");
            CollectionAssert.AreEqual(plain[k].Labels, cached[k].Labels);
        }
    }

    [TestMethod]
    public void WrongBufferSizesAreRejected()
    {
        using var tmp = new TempDir();
        var dataset = AlignedFolder(tmp.Path, 2, 1);
        using var source = new FaceBatchSource(dataset, new FaceBatchSourceOptions { BatchSize = 2, Workers = 1 });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => source.Next(new float[10], new long[2])).Message, "64512");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => source.Next(new float[2 * Floats], new long[3])).Message, "expected 2");
    }
}
