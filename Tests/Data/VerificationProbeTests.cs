using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Tests.Data;

[TestClass]
public sealed class VerificationProbeTests
{
    [TestMethod]
    public void TenFoldAccuracyMatchesBruteForceThresholdSearch()
    {
        var rng = new Random(12);
        var pairs = Enumerable.Range(0, 400).Select(i =>
        {
            bool same = i % 2 == 0;
            double score = Math.Round(rng.NextDouble() * 0.6 + (same ? 0.3 : 0.0), 2); // ties on purpose
            return new VerificationProbe.ScoredPair(score, same, i / 2 % 10);
        }).ToList();
        var accuracies = new List<double>();
        for (int f = 0; f < 10; f++)
        {
            var train = pairs.Where(p => p.Fold != f).ToList();
            // Brute force: every observed score as threshold, "same" when score ≥ t; first best wins (lowest t).
            double bestT = double.NaN, bestA = -1;
            foreach (double t in train.Select(p => p.Score).Distinct().Order())
            {
                double a = train.Count(p => (p.Score >= t) == p.Same) / (double)train.Count;
                if (a > bestA) (bestT, bestA) = (t, a);
            }
            var test = pairs.Where(p => p.Fold == f).ToList();
            accuracies.Add(test.Count(p => (p.Score >= bestT) == p.Same) / (double)test.Count);
        }
        var (mean, std) = VerificationProbe.TenFoldAccuracy(pairs);
        Assert.AreEqual(accuracies.Average(), mean, 1e-12);
        double m = accuracies.Average();
        Assert.AreEqual(Math.Sqrt(accuracies.Sum(a => (a - m) * (a - m)) / 10), std, 1e-12);
        Assert.IsGreaterThan(0.6, mean);
    }
}
