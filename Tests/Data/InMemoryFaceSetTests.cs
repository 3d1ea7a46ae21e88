using SphereFace.Tests.Support;
using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Training.Data;
using SphereFace.Training.Data.Formats;
using SphereFace.Training.Data.Synthetic;
using SphereFace.Alignment.Formats;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class InMemoryFaceSetTests
{
    [TestMethod]
    public void SyntheticInMemoryMatchesTheFilesOfTheSynthVerb()
    {
        using var tmp = new TempDir();
        var options = SyntheticFaceSetTests.Tiny() with { ImageSize = 160 };
        SyntheticFaceSet.Generate(tmp.Path, options);
        var marks = LandmarkListFile.Read(tmp.File(SyntheticFaceSet.LandmarksFile)).ToDictionary(e => e.RelativePath);
        var memory = InMemoryFaceSet.Synthetic(identities: 2, perIdentity: 2, seed: options.Seed);
        var aligner = new FaceAligner();
        for (int i = 0; i < 2; i++)
            for (int n = 1; n <= 2; n++)
            {
                string rel = FacePair.ImagePath(SyntheticFaceSet.IdentityName(i), n, ".png");
                using var photo = Cv2.ImRead(Path.Combine(tmp.File(SyntheticFaceSet.ImagesFolder), rel), ImreadModes.Color);
                using var aligned = aligner.Align(photo, marks[rel].Points);
                var sample = memory.Dataset.Samples[i * 2 + n - 1];
                Assert.AreEqual(i, sample.Label);
                using var stored = memory.Decode(sample);
                using var diff = new Mat();
                Cv2.Absdiff(aligned, stored, diff);
                Cv2.MinMaxLoc(diff.Reshape(1), out _, out double max);
                double mean = Cv2.Mean(diff.Reshape(1)).Val0;
                // PNG is lossless, but the landmark list keeps 3 decimals, so a sample position on a sharp edge may
                // fall into the neighbouring 1/32-px interpolation step: rare small differences only.
                Assert.IsLessThanOrEqualTo(12.0, max, rel);
                Assert.IsLessThan(0.05, mean, rel);
            }
    }

    [TestMethod]
    public void FeedsTheBatchSourceWithoutFiles()
    {
        var set = InMemoryFaceSet.Synthetic(3, 2, seed: 4);
        using var source = set.CreateSource(new FaceBatchSourceOptions { BatchSize = 6, Workers = 1, FlipProbability = 0, Seed = 2 });
        var data = new float[6 * 3 * 112 * 96];
        var labels = new long[6];
        source.Next(data, labels);
        var order = new SampleOrder(6, 2);
        for (int i = 0; i < 6; i++)
        {
            var sample = set.Dataset.Samples[order.At(i)];
            using var face = set.Decode(sample);
            var expected = new float[3 * 112 * 96];
            FacePreprocess.ToTensor(face, expected);
            CollectionAssert.AreEqual(expected, data.AsSpan(i * expected.Length, expected.Length).ToArray());
            Assert.AreEqual(sample.Label, labels[i]);
        }
        Assert.AreEqual(0, source.SkippedImages);
    }
}
