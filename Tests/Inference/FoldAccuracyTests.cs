using SphereFace.Inference.Evaluation;

namespace SphereFace.Tests.Inference;

/// <summary>The one k-fold accuracy routine against a brute-force search with the strict decision rule.</summary>
[TestClass]
public sealed class FoldAccuracyTests
{
    [TestMethod]
    public void TenFoldAccuracyMatchesBruteForceWithTheStrictRule()
    {
        var rng = new Random(12);
        int n = 400;
        var same = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var scores = same.Select(s => (float)Math.Round(rng.NextDouble() * 0.6 + (s ? 0.3 : 0.0), 2)).ToArray(); // ties on purpose
        var folds = Enumerable.Range(0, n).Select(i => i / 2 % 10).ToArray();
        // Brute force in double precision: "same" when score > t, "different" when score < t, every candidate the
        // definition names (below all, the midpoint of each two neighbouring distinct training scores, above all) tried,
        // the lowest of the best kept.
        static double Correct(IEnumerable<(double Score, bool Same)> pairs, double t) =>
            pairs.Count(p => p.Same ? p.Score > t : p.Score < t);
        var accuracies = new List<double>();
        for (int f = 0; f < 10; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => folds[i] != f).Select(i => ((double)scores[i], same[i])).ToList();
            var test = Enumerable.Range(0, n).Where(i => folds[i] == f).Select(i => ((double)scores[i], same[i])).ToList();
            double bestT = double.NaN, best = -1;
            var distinct = train.Select(p => p.Item1).Distinct().Order().ToList();
            var candidates = new List<double> { distinct[0] - 1 };
            for (int k = 1; k < distinct.Count; k++) candidates.Add(0.5 * (distinct[k - 1] + distinct[k]));
            candidates.Add(distinct[^1] + 1);
            foreach (double t in candidates)
            {
                double c = Correct(train, t);
                if (c > best) (bestT, best) = (t, c);
            }
            accuracies.Add(Correct(test, bestT) / test.Count);
        }
        var result = FoldAccuracy.Of(scores, same, folds);
        var expected = MeanStd.Of(accuracies);
        Assert.AreEqual(expected.Mean, result.Mean, 1e-12);
        Assert.AreEqual(expected.Std, result.Std, 1e-12);
        Assert.IsGreaterThan(0.6, result.Mean);
    }

    [TestMethod]
    public void ASingleFoldChoosesItsThresholdOnItself()
    {
        float[] scores = [0.1f, 0.2f, 0.8f, 0.9f];
        bool[] same = [false, false, true, true];
        var (threshold, accuracy) = FoldAccuracy.OfFold(scores, same, [0, 0, 0, 0], 0);
        Assert.AreEqual(1.0, accuracy);
        Assert.IsTrue(threshold > 0.2 && threshold < 0.8, threshold.ToString());
    }
}
