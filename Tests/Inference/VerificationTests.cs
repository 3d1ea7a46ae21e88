using SphereFace.Alignment.Formats;
using SphereFace.Cli;
using SphereFace.Inference;
using SphereFace.Inference.Evaluation;
using SphereFace.Inference.Verification;
using SphereFace.Tests.Support;
using SphereFace.Training.Data.Formats;
using SphereFace.Training.Data.Synthetic;
using static SphereFace.Tests.Inference.EmbedderFixture;

namespace SphereFace.Tests.Inference;

/// <summary>Verification thresholds: calibration against brute force, metadata round trip, eval --stamp → Verify.</summary>
[TestClass]
public sealed class VerificationTests
{
    [TestMethod]
    public void FarThresholdsAcceptAtMostTheAllowedImpostorsAndAreTheLowestSuch()
    {
        var rng = new Random(3);
        int n = 20000; // 15,000 impostors: FAR 1e-3 is resolved (≥ 10,000 needed), 1e-4 is not (100,000)
        var scores = new float[n];
        var same = new bool[n];
        for (int i = 0; i < n; i++)
        {
            same[i] = i % 4 == 0;
            scores[i] = (float)(same[i] ? 0.5 + 0.2 * rng.NextDouble() : 0.6 * rng.NextDouble() - 0.1);
        }
        var t = ThresholdCalibration.Calibrate(scores, same, VerificationThresholds.Plain);
        var impostors = scores.Where((_, i) => !same[i]).Select(s => (double)s).ToArray();
        var genuine = scores.Where((_, i) => same[i]).Select(s => (double)s).ToArray();
        Assert.AreEqual(impostors.Length, t.ImpostorPairs);
        Assert.IsFalse(t.FarThresholds.ContainsKey(1e-4));
        Assert.AreEqual("needs ≥ 100000 impostor pairs, has 15000", t.FarNotResolved[1e-4]);
        StringAssert.Contains(t.ToString(), "FAR 1e-4: n/a (needs ≥ 100000 impostor pairs, has 15000)");
        foreach (double far in new[] { 1e-3 })
        {
            var f = t.FarThresholds[far];
            int allowed = (int)Math.Floor(far * impostors.Length);
            Assert.IsLessThanOrEqualTo(allowed, impostors.Count(s => s > f.Threshold), $"FAR {far}: too many impostors accepted");
            // Any lower impostor score as the threshold accepts too many.
            double lower = impostors.Where(s => s < f.Threshold).DefaultIfEmpty(double.NegativeInfinity).Max();
            if (!double.IsNegativeInfinity(lower)) Assert.IsGreaterThan(allowed, impostors.Count(s => s > lower), $"FAR {far}: not the lowest threshold");
            Assert.AreEqual(genuine.Count(g => g > f.Threshold) / (double)genuine.Length, f.TrueAcceptRate, 1e-12);
        }
        double bruteBest = Enumerable.Range(0, 2001).Select(k => -1 + k * 0.001)
            .Max(th => scores.Where((s, i) => same[i] ? s > th : s < th).Count() / (double)n);
        Assert.IsGreaterThanOrEqualTo(bruteBest, t.AccuracyAtBest, "exact optimum at least as good as a 0.001 grid");
        Assert.AreEqual(t.AccuracyAtBest, ThresholdSelection.Accuracy(scores, same, t.ThresholdAtBestAccuracy), 1e-12);
    }

    [TestMethod]
    public void ThresholdsRoundTripThroughMetadata()
    {
        var t = new VerificationThresholds(VerificationThresholds.FlipConcatenated, 0.4123456789, 0.95,
            new SortedDictionary<double, FarThreshold> { [1e-3] = new(0.61, 0.7), [1e-4] = new(0.66, 0.5) }, 6000, 3000);
        var meta = t.ToMetadata().ToDictionary(e => e.Key, e => e.Value);
        Assert.IsTrue(meta.ContainsKey("sphereface.threshold.flip.far_1e-3"), string.Join(", ", meta.Keys));
        var back = VerificationThresholds.FromMetadata(meta, VerificationThresholds.FlipConcatenated, "m")!;
        Assert.AreEqual(t.ThresholdAtBestAccuracy, back.ThresholdAtBestAccuracy);
        Assert.AreEqual(t.Pairs, back.Pairs);
        CollectionAssert.AreEqual(t.FarThresholds.ToList(), back.FarThresholds.ToList());
        Assert.IsNull(VerificationThresholds.FromMetadata(meta, VerificationThresholds.Plain, "m"));
        meta["sphereface.threshold.flip.accuracy_at_best"] = "x";
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => VerificationThresholds.FromMetadata(meta, "flip", "m.onnx")).Message, "accuracy_at_best");
        // A model stamped by an earlier version (key best_accuracy) is one clear error, not a silent miss.
        var old = new Dictionary<string, string> { ["sphereface.threshold.plain.best_accuracy"] = "0.5" };
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => VerificationThresholds.FromMetadata(old, "plain", "m.onnx")).Message, "stamp them again");
    }

    [TestMethod]
    public void VerifyWithTheStampedThresholdReproducesEvalsBestAccuracy()
    {
        using var dir = new TempDir();
        string set = dir.File("synth");
        SyntheticFaceSet.Generate(set, new SyntheticFaceSetOptions
        {
            Identities = 24, TestFraction = 0.84, MaxImagesPerIdentity = 4, MinImagesPerIdentity = 4, TestImagesPerIdentity = 3,
            ImageSize = 112, PairsPerFold = 3, Threads = 2,
        });
        string images = Path.Combine(set, "images"), pairsFile = Path.Combine(set, "pairs.txt"), marks = Path.Combine(set, "landmarks.txt");
        string model = dir.File("embedding.onnx");
        File.Copy(ModelPath, model);
        using (var plain = new Embedder(model))
            Assert.ThrowsExactly<InvalidOperationException>(() => plain.Verify(new float[512], new float[512]));

        string json = dir.File("lfw.json");
        var (code, error) = CliRun.Run("eval", "--model", model, "--protocol", "lfw", "--data", images, "--pairs", pairsFile,
            "--landmarks", marks, "--flip-concat", "--stamp", "--out", json);
        Assert.AreEqual(0, code, error);
        var report = EvaluationReport.Load(json);
        Assert.AreEqual(EvaluationReport.CurrentSchemaVersion, report.SchemaVersion);
        Assert.HasCount(2, report.Thresholds!);

        // Independent path: embed each pair's photos with the library (file overload), decide with Verify.
        var landmarks = LandmarkListFile.Read(marks).ToDictionary(e => e.RelativePath, e => e.Points);
        var folds = PairsFile.Read(pairsFile);
        foreach (bool flip in new[] { true, false })
        {
            using var embedder = new Embedder(model, new EmbedderOptions { FlipConcatenation = flip });
            var stamped = report.Thresholds!.Single(t => t.Representation == VerificationThresholds.RepresentationOf(flip));
            Assert.AreEqual(stamped.ThresholdAtBestAccuracy, embedder.Thresholds!.ThresholdAtBestAccuracy, $"flip {flip}: stamped threshold");
            var cache = new Dictionary<string, float[]>();
            float[] Embed(string name, int number)
            {
                string rel = $"{name}/{name}_{number:D4}.png";
                if (!cache.TryGetValue(rel, out var e)) cache[rel] = e = embedder.Embed(Path.Combine(images, rel), landmarks[rel]);
                return e;
            }
            int correct = 0, total = 0;
            foreach (var pair in folds.SelectMany(f => f.All))
            {
                var result = embedder.Verify(Embed(pair.Name1, pair.Number1), Embed(pair.Name2, pair.Number2));
                if (result.Same == pair.Same) correct++;
                total++;
            }
            Assert.AreEqual(stamped.Pairs, total);
            Assert.AreEqual(stamped.AccuracyAtBest, correct / (double)total, 1e-12, $"flip {flip}: Verify's accuracy on the calibration pairs");
        }
    }
}
