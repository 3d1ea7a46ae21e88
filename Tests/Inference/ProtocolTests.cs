using SphereFace.Inference.Evaluation;
using static SphereFace.Tests.Inference.ConstructedEmbeddings;

namespace SphereFace.Tests.Inference;

/// <summary>The evaluation protocols on constructed embeddings with known answers and brute-force references.</summary>
[TestClass]
public sealed class ProtocolTests
{
    private const int Dim = 32;

    /// <summary>10 folds × (perFold genuine + perFold impostor) pairs over clustered identities.</summary>
    private static (EmbeddingMatrix Features, List<VerificationPair> Pairs) LfwLike(double noise, int seed, int perFold = 30)
    {
        var labels = Labels(200, 4);
        var features = new EmbeddingMatrix(Clustered(labels, Dim, noise, seed), labels.Length, Dim);
        var rng = new Random(seed);
        var pairs = new List<VerificationPair>();
        for (int fold = 0; fold < 10; fold++)
            for (int k = 0; k < perFold; k++)
            {
                int id = rng.Next(200), a = id * 4 + rng.Next(4), b = id * 4 + (a % 4 + 1 + rng.Next(3)) % 4;
                pairs.Add(new VerificationPair(a, b, true, fold));
                int other = (id + 1 + rng.Next(199)) % 200;
                pairs.Add(new VerificationPair(id * 4 + rng.Next(4), other * 4 + rng.Next(4), false, fold));
            }
        return (features, pairs);
    }

    [TestMethod]
    public void LfwSeparatedIdentitiesGiveFullAccuracy()
    {
        var (features, pairs) = LfwLike(noise: 0.05, seed: 1);
        var r = LfwVerification.Evaluate(features, pairs);
        Assert.AreEqual(1.0, r.Accuracy.Mean, 1e-12);
        Assert.AreEqual(0.0, r.Accuracy.Std, 1e-12);
        Assert.AreEqual(1.0, r.Roc.Auc, 1e-12);
        Assert.AreEqual(10, r.FoldAccuracies.Length);
    }

    [TestMethod]
    public void LfwRandomFeaturesGiveChanceAccuracy()
    {
        // Pairs over unstructured features: labels carry no information.
        var features = new EmbeddingMatrix(ConstructedEmbeddings.Random(2000, Dim, 3), 2000, Dim);
        var rng = new Random(3);
        var pairs = Enumerable.Range(0, 6000).Select(i => new VerificationPair(rng.Next(2000), rng.Next(2000), i % 2 == 0, i / 600)).ToList();
        var r = LfwVerification.Evaluate(features, pairs);
        Assert.IsTrue(Math.Abs(r.Accuracy.Mean - 0.5) < 0.03, $"accuracy {r.Accuracy.Mean} should be ≈ 0.5");
        Assert.IsTrue(Math.Abs(r.Roc.Auc - 0.5) < 0.03, $"AUC {r.Roc.Auc} should be ≈ 0.5");
    }

    [TestMethod]
    public void LfwScoresAreCosinesOfFeaturesCentredByTheOtherFolds()
    {
        var (features, pairs) = LfwLike(noise: 1.5, seed: 2);
        var r = LfwVerification.Evaluate(features, pairs);
        Assert.IsTrue(r.Accuracy.Mean is > 0.6 and < 1.0, $"noisy data should be imperfect but learnable, got {r.Accuracy.Mean}");
        foreach (int fold in new[] { 0, 7 })
        {
            var mean = new double[Dim];
            int n = 0;
            foreach (var p in pairs.Where(p => p.Fold != fold))
            {
                for (int j = 0; j < Dim; j++) mean[j] += features.Row(p.Left)[j] + (double)features.Row(p.Right)[j];
                n += 2;
            }
            for (int i = 0; i < pairs.Count; i++)
            {
                if (pairs[i].Fold != fold) continue;
                var a = new float[Dim];
                var b = new float[Dim];
                for (int j = 0; j < Dim; j++) { a[j] = (float)(features.Row(pairs[i].Left)[j] - mean[j] / n); b[j] = (float)(features.Row(pairs[i].Right)[j] - mean[j] / n); }
                Assert.AreEqual(Cos(a, b), r.Scores[i], 1e-5, $"pair {i} of fold {fold}");
            }
            // The fold's accuracy follows from its threshold, which is optimal on the other folds.
            var train = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].Fold != fold).ToArray();
            var test = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].Fold == fold).ToArray();
            Assert.AreEqual(ThresholdSelection.Accuracy(test.Select(i => r.Scores[i]).ToArray(), test.Select(i => pairs[i].Same).ToArray(), r.FoldThresholds[fold]), r.FoldAccuracies[fold], 1e-12);
        }
        var std = Math.Sqrt(r.FoldAccuracies.Sum(a => (a - r.Accuracy.Mean) * (a - r.Accuracy.Mean)) / 9);
        Assert.AreEqual(std, r.Accuracy.Std, 1e-12);
    }

    [TestMethod]
    public void OpenSetSeparatedIdentitiesArePerfect()
    {
        var labels = Labels(60, 5);
        var features = new EmbeddingMatrix(Clustered(labels, Dim, 0.05, 4), labels.Length, Dim);
        var r = OpenSetEvaluation.Evaluate(features, labels, trials: 3);
        Assert.AreEqual(1.0, r.VerificationRateAtFar1e3, 1e-12);
        Assert.AreEqual(1.0, r.DirAtFar1e2.Mean, 1e-12);
        Assert.AreEqual(1.0, r.ClosedSetRank1.Mean, 1e-12);
        Assert.AreEqual(3, r.Trials);
    }

    [TestMethod]
    public void OpenSetVerificationRateMatchesSortedAllPairs()
    {
        var labels = Labels(80, 5);
        var features = new EmbeddingMatrix(Clustered(labels, Dim, 1.2, 5), labels.Length, Dim);
        var r = OpenSetEvaluation.Evaluate(features, labels, trials: 2);
        var genuine = new List<double>();
        var impostor = new List<double>();
        for (int i = 0; i < labels.Length; i++)
            for (int j = i + 1; j < labels.Length; j++)
                (labels[i] == labels[j] ? genuine : impostor).Add(Cos(features.Row(i), features.Row(j)));
        impostor.Sort((a, b) => b.CompareTo(a));
        int k = (int)Math.Floor(impostor.Count * 1e-3);
        double threshold = impostor[k];
        double expected = genuine.Count(g => g > threshold) / (double)genuine.Count;
        Assert.IsTrue(expected is > 0.05 and < 0.99, $"reference VR {expected} should be informative");
        Assert.AreEqual(expected, r.VerificationRateAtFar1e3, 2e-3, "VR@FAR=0.1% differs from the sorted brute-force reference");
        Assert.IsTrue(r.DirAtFar1e2.Mean <= r.ClosedSetRank1.Mean);
    }

    [TestMethod]
    public void OpenSetRandomFeaturesAreNearFloor()
    {
        var labels = Labels(60, 5);
        var features = new EmbeddingMatrix(ConstructedEmbeddings.Random(labels.Length, Dim, 6), labels.Length, Dim);
        var r = OpenSetEvaluation.Evaluate(features, labels, trials: 3);
        Assert.IsTrue(r.VerificationRateAtFar1e3 < 0.02, $"VR {r.VerificationRateAtFar1e3} should be ≈ FAR for random features");
        Assert.IsTrue(r.DirAtFar1e2.Mean < 0.1, $"DIR {r.DirAtFar1e2.Mean} should be near 0");
    }

    [TestMethod]
    public void DistractorRank1AndTarMatchBruteForce()
    {
        var labels = Labels(25, 4); // 100 probes
        const int distractorCount = 10_000; // 1e6 impostor pairs: TAR@FAR=1e-6 measurable
        var probes = new EmbeddingMatrix(Clustered(labels, 16, 0.9, 7), labels.Length, 16);
        var distractors = new EmbeddingMatrix(ConstructedEmbeddings.Random(distractorCount, 16, 8), distractorCount, 16);
        var r = DistractorIdentification.Evaluate(probes, labels, distractors);

        var maxD = new double[probes.Count];
        var impostor = new List<double>();
        for (int i = 0; i < probes.Count; i++)
        {
            maxD[i] = double.NegativeInfinity;
            for (int j = 0; j < distractorCount; j++)
            {
                double s = Cos(probes.Row(i), distractors.Row(j));
                maxD[i] = Math.Max(maxD[i], s);
                impostor.Add(s);
            }
        }
        int hits = 0, searches = 0;
        var genuine = new List<double>();
        for (int i = 0; i < probes.Count; i++)
            for (int j = 0; j < probes.Count; j++)
            {
                if (i == j || labels[i] != labels[j]) continue;
                double s = Cos(probes.Row(i), probes.Row(j));
                searches++;
                if (s > maxD[i]) hits++;
                if (i < j) genuine.Add(s);
            }
        double maxImpostor = impostor.Max(); // k = 1: threshold is the 2nd largest impostor score
        impostor.Remove(maxImpostor);
        double threshold = impostor.Max();
        double tar = genuine.Count(g => g > threshold) / (double)genuine.Count;
        Assert.AreEqual(searches, r.Searches);
        Assert.IsTrue(hits > 0 && hits < searches, "reference rank-1 should be informative");
        Assert.AreEqual(hits / (double)searches, r.Rank1, 0.5 / searches + 1e-12);
        Assert.AreEqual(tar, r.TarAtFar, 2.0 / genuine.Count);
    }

    [TestMethod]
    public void DistractorTarIsUnmeasuredWithFewImpostors()
    {
        var labels = Labels(5, 3);
        var probes = new EmbeddingMatrix(Clustered(labels, 8, 0.01, 9), labels.Length, 8);
        var distractors = new EmbeddingMatrix(ConstructedEmbeddings.Random(50, 8, 10), 50, 8);
        var r = DistractorIdentification.Evaluate(probes, labels, distractors);
        Assert.IsTrue(double.IsNaN(r.TarAtFar));
        Assert.AreEqual(1.0, r.Rank1);
    }

    [TestMethod]
    public void AngularFisherScoreMatchesDefinition()
    {
        var labels = Labels(12, 6);
        var data = Clustered(labels, Dim, 0.7, 11);
        var features = new EmbeddingMatrix(data, labels.Length, Dim);
        var r = AngularFisherScore.Compute(features, labels);

        var all = Mean(Enumerable.Range(0, labels.Length), features);
        double sw = 0, sb = 0;
        foreach (var g in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]))
        {
            var m = Mean(g, features);
            foreach (int i in g) sw += 1 - CosD(features.Row(i).ToArray().Select(v => (double)v).ToArray(), m);
            sb += g.Count() * (1 - CosD(m, all));
        }
        Assert.AreEqual(sw, r.WithinScatter, 1e-9 * sw);
        Assert.AreEqual(sb, r.BetweenScatter, 1e-9 * sb);
        Assert.AreEqual(sw / sb, r.Score, 1e-9 * (sw / sb));

        // More spread within classes → larger (worse) score; collapsed classes → 0.
        var wider = AngularFisherScore.Compute(new EmbeddingMatrix(Clustered(labels, Dim, 2.0, 11), labels.Length, Dim), labels);
        Assert.IsTrue(wider.Score > r.Score);
        var collapsed = AngularFisherScore.Compute(new EmbeddingMatrix(Clustered(labels, Dim, 0.0, 11), labels.Length, Dim), labels);
        Assert.AreEqual(0.0, collapsed.Score, 1e-6);
    }

    private static double[] Mean(IEnumerable<int> rows, EmbeddingMatrix f)
    {
        var m = new double[f.Dimension];
        int n = 0;
        foreach (int i in rows) { for (int j = 0; j < f.Dimension; j++) m[j] += f.Row(i)[j]; n++; }
        return m.Select(v => v / n).ToArray();
    }

    private static double CosD(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    [TestMethod]
    public void NonFiniteEmbeddingsAreRejected()
    {
        var data = Clustered(Labels(3, 2), 4, 0.1, 1);
        data[5] = float.NaN;
        var features = new EmbeddingMatrix(data, 6, 4);
        var e = Assert.ThrowsExactly<ArgumentException>(() => AngularFisherScore.Compute(features, Labels(3, 2)));
        StringAssert.Contains(e.Message, "Embedding 1");
        Assert.ThrowsExactly<ArgumentException>(() => OpenSetEvaluation.Evaluate(features, Labels(3, 2)));
    }
}
