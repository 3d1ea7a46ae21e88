using System.Numerics.Tensors;

namespace SphereFace.Inference.Evaluation;

/// <summary>
/// LFW-style 10-fold verification, following the original SphereFace evaluation code: for each test fold, the
/// mean feature of the other folds' pairs (left and right faces, each occurrence counted) is subtracted from
/// every feature, cosine similarity is taken on the centred features, the threshold that maximises accuracy on
/// the other folds is applied to the test fold.
/// </summary>
public static class LfwVerification
{
    /// <summary>
    /// Runs the protocol. <paramref name="pairs"/> index rows of <paramref name="features"/>; their folds must be
    /// 0 … F−1 with F ≥ 2 and each fold non-empty. AUC and TAR@FAR are computed on the pooled test-fold scores
    /// (each pair scored with its own fold's centring). Throws on NaN features, out-of-range rows or empty folds.
    /// </summary>
    public static LfwResult Evaluate(EmbeddingMatrix features, IReadOnlyList<VerificationPair> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("No verification pairs given.");
        int folds = pairs.Max(p => p.Fold) + 1;
        if (folds < 2) throw new ArgumentException("Verification needs at least 2 folds (LFW has 10).");
        var foldSizes = new int[folds];
        foreach (var p in pairs)
        {
            if (p.Fold < 0) throw new ArgumentException($"Pair ({p.Left}, {p.Right}) has a negative fold {p.Fold}.");
            if ((uint)p.Left >= (uint)features.Count || (uint)p.Right >= (uint)features.Count)
                throw new ArgumentException($"Pair ({p.Left}, {p.Right}) refers to a row outside the {features.Count} embeddings.");
            foldSizes[p.Fold]++;
        }
        for (int f = 0; f < folds; f++) if (foldSizes[f] == 0) throw new ArgumentException($"Fold {f} has no pairs.");
        for (int i = 0; i < features.Count; i++) EmbeddingMatrix.CheckFinite(features.Row(i), i);

        int d = features.Dimension;
        var same = pairs.Select(p => p.Same).ToArray();
        var foldOf = pairs.Select(p => p.Fold).ToArray();
        var testScores = new float[pairs.Count];
        var accuracies = new double[folds];
        var thresholds = new double[folds];
        var scores = new float[pairs.Count];
        var mean = new double[d];
        var meanF = new float[d];
        var a = new float[d];
        var b = new float[d];
        for (int fold = 0; fold < folds; fold++)
        {
            // Centre by the mean of the training folds' features (double accumulation).
            Array.Clear(mean);
            long n = 0;
            foreach (var p in pairs)
            {
                if (p.Fold == fold) continue;
                Accumulate(mean, features.Row(p.Left));
                Accumulate(mean, features.Row(p.Right));
                n += 2;
            }
            for (int j = 0; j < d; j++) meanF[j] = (float)(mean[j] / n);

            for (int i = 0; i < pairs.Count; i++)
            {
                TensorPrimitives.Subtract(features.Row(pairs[i].Left), meanF, a);
                TensorPrimitives.Subtract(features.Row(pairs[i].Right), meanF, b);
                scores[i] = TensorPrimitives.CosineSimilarity(a, b);
                if (float.IsNaN(scores[i])) scores[i] = 0f; // a feature equal to the mean has no direction
            }
            (thresholds[fold], accuracies[fold]) = FoldAccuracy.OfFold(scores, same, foldOf, fold);
            for (int i = 0; i < pairs.Count; i++) if (pairs[i].Fold == fold) testScores[i] = scores[i];
        }
        var roc = RocCurve.FromScores(testScores, same);
        return new LfwResult(accuracies, thresholds, MeanStd.Of(accuracies), roc, testScores, same);
    }

    private static void Accumulate(double[] sum, ReadOnlySpan<float> row)
    {
        for (int j = 0; j < row.Length; j++) sum[j] += row[j];
    }
}

/// <summary>Outcome of <see cref="LfwVerification.Evaluate"/>.</summary>
/// <param name="FoldAccuracies">Test accuracy of each fold.</param>
/// <param name="FoldThresholds">Cosine threshold chosen on the other folds for each fold.</param>
/// <param name="Accuracy">Mean ± sample std of the fold accuracies.</param>
/// <param name="Roc">ROC of the pooled test-fold scores.</param>
/// <param name="Scores">Each pair's cosine score on its fold's centred features.</param>
/// <param name="Same">Each pair's label.</param>
public sealed record LfwResult(double[] FoldAccuracies, double[] FoldThresholds, MeanStd Accuracy, RocCurve Roc, float[] Scores, bool[] Same)
{
    /// <summary>The metrics as a report.</summary>
    public EvaluationReport ToReport(string model) => new("lfw", model,
    [
        new("accuracy", Accuracy.Mean, Accuracy.Std, $"{FoldAccuracies.Length}-fold, threshold from the other folds"),
        new("auc", Roc.Auc),
        new("tar_at_far_1e-3", Nullable(Roc.TarAtFar(1e-3)), Note: TarNote(1e-3)),
        new("tar_at_far_1e-4", Nullable(Roc.TarAtFar(1e-4)), Note: TarNote(1e-4)),
        new("pairs", Scores.Length),
    ]);

    private string TarNote(double far) => RocCurve.AllowedFalseAccepts(far, Roc.Negatives) < 1
        ? $"needs ≥ {1 / far:0} impostor pairs, have {Roc.Negatives}"
        : $"{Roc.Negatives} impostor pairs";

    private static double? Nullable(double v) => double.IsNaN(v) ? null : v;
}
