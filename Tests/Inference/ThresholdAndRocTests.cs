using SphereFace.Inference.Evaluation;

namespace SphereFace.Tests.Inference;

/// <summary>Threshold selection, AUC and TAR@FAR against brute-force references.</summary>
[TestClass]
public sealed class ThresholdAndRocTests
{
    private static (float[] Scores, bool[] Same) Labelled(int n, int seed, int levels)
    {
        var rng = new Random(seed);
        var same = new bool[n];
        var scores = new float[n];
        for (int i = 0; i < n; i++)
        {
            same[i] = rng.Next(2) == 0;
            // Quantised scores so ties occur; genuine scores shifted up so the optimum is not trivial.
            double raw = rng.NextDouble() + (same[i] ? 0.3 : 0);
            scores[i] = (float)(Math.Round(raw * levels) / levels);
        }
        return (scores, same);
    }

    [TestMethod]
    [DataRow(1, 20)]
    [DataRow(2, 1000)]
    [DataRow(3, 7)]
    public void BestThresholdMatchesBruteForceSearch(int seed, int levels)
    {
        var (scores, same) = Labelled(400, seed, levels);
        var (threshold, accuracy) = ThresholdSelection.Best(scores, same);

        // Reference: try every score value, every value ± 1e-4 and a fine grid; accuracy counted directly.
        var candidates = scores.SelectMany(s => new[] { s, s - 1e-4, s + 1e-4 }).Concat(Enumerable.Range(-100, 1501).Select(i => i / 1000.0));
        double bruteBest = candidates.Max(t => Count(scores, same, t) / (double)scores.Length);

        Assert.AreEqual(bruteBest, accuracy, 1e-12, "reported optimum differs from the brute-force optimum");
        Assert.AreEqual(accuracy, Count(scores, same, threshold) / (double)scores.Length, 1e-12, "the returned threshold does not give the reported accuracy");
        Assert.IsTrue(accuracy > 0.6, "test data should be learnable");
    }

    private static int Count(float[] scores, bool[] same, double t)
    {
        int c = 0;
        for (int i = 0; i < scores.Length; i++) if (same[i] ? scores[i] > t : scores[i] < t) c++;
        return c;
    }

    [TestMethod]
    public void PerfectlySeparatedScoresGiveFullAccuracyAndUnitAuc()
    {
        float[] scores = [0.9f, 0.8f, 0.7f, 0.1f, 0.0f, -0.3f];
        bool[] same = [true, true, true, false, false, false];
        var (t, acc) = ThresholdSelection.Best(scores, same);
        Assert.AreEqual(1.0, acc);
        Assert.IsTrue(t > 0.1 && t < 0.7, $"threshold {t} should lie between the classes");
        Assert.AreEqual(1.0, RocCurve.FromScores(scores, same).Auc, 1e-12);
    }

    [TestMethod]
    [DataRow(5, 10)]
    [DataRow(6, 100000)]
    public void AucEqualsPairCounting(int seed, int levels)
    {
        var (scores, same) = Labelled(700, seed, levels);
        var roc = RocCurve.FromScores(scores, same);
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!same[i]) continue;
            for (int j = 0; j < scores.Length; j++)
            {
                if (same[j]) continue;
                pairs++;
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }
        }
        Assert.AreEqual(wins / pairs, roc.Auc, 1e-12);
    }

    [TestMethod]
    [DataRow(0.01)]
    [DataRow(0.05)]
    [DataRow(0.2)]
    public void TarAtFarMatchesSmallestAdmissibleThreshold(double far)
    {
        var (scores, same) = Labelled(2000, 9, 50);
        var roc = RocCurve.FromScores(scores, same);
        var neg = scores.Where((_, i) => !same[i]).ToArray();
        var pos = scores.Where((_, i) => same[i]).ToArray();
        // Reference: the lowest candidate threshold whose FAR (share of impostors strictly above) is ≤ far.
        var admissible = scores.Distinct().Where(t => neg.Count(s => s > t) <= far * neg.Length * (1 + 1e-12)).Min();
        double expected = pos.Count(s => s > admissible) / (double)pos.Length;
        Assert.AreEqual(expected, roc.TarAtFar(far), 1e-12);

        // The tail kept by ScoreTail gives the same threshold as the full sort.
        var tail = new ScoreTail(RocCurve.AllowedFalseAccepts(far, neg.Length));
        foreach (var s in neg) tail.Add(s);
        Assert.AreEqual(expected, RocCurve.ShareAbove(pos, tail.Threshold), 1e-12);
    }

    [TestMethod]
    public void TarAtFarIsNaNWithTooFewImpostors()
    {
        var (scores, same) = Labelled(200, 4, 100);
        Assert.IsTrue(double.IsNaN(RocCurve.FromScores(scores, same).TarAtFar(1e-4)));
    }

    [TestMethod]
    public void NaNScoresAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ThresholdSelection.Best([0.1f, float.NaN], [true, false]));
        Assert.ThrowsExactly<ArgumentException>(() => RocCurve.FromScores([0.1f, float.NaN], [true, false]));
    }
}
