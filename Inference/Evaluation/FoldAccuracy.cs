namespace SphereFace.Inference.Evaluation;

/// <summary>
/// k-fold verification accuracy, the one routine of the project (LFW's protocol, <see cref="LfwVerification"/>, and the
/// data sets' difficulty probe): for each fold, the threshold of highest accuracy on the other folds' pairs
/// (<see cref="ThresholdSelection.Best"/>) and the accuracy of the fold's own pairs at it
/// (<see cref="ThresholdSelection.Accuracy"/>: a genuine pair is right when its score is strictly above the threshold,
/// an impostor pair when strictly below). With a single fold the threshold is chosen on that fold itself.
/// </summary>
public static class FoldAccuracy
{
    /// <summary>Threshold (from the other folds) and accuracy of fold <paramref name="fold"/>.</summary>
    /// <exception cref="ArgumentException">Lengths differ, the fold has no pairs, or a score is NaN.</exception>
    public static (double Threshold, double Accuracy) OfFold(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same, ReadOnlySpan<int> folds, int fold)
    {
        if (scores.Length != same.Length || scores.Length != folds.Length)
            throw new ArgumentException($"{scores.Length} scores, {same.Length} labels and {folds.Length} fold numbers.");
        var (trainScores, trainSame, testScores, testSame) = (new List<float>(), new List<bool>(), new List<float>(), new List<bool>());
        bool single = !folds.ContainsAnyExcept(fold);
        for (int i = 0; i < scores.Length; i++)
        {
            if (folds[i] != fold || single) { trainScores.Add(scores[i]); trainSame.Add(same[i]); }
            if (folds[i] == fold) { testScores.Add(scores[i]); testSame.Add(same[i]); }
        }
        if (testScores.Count == 0) throw new ArgumentException($"Fold {fold} has no pairs.");
        var (threshold, _) = ThresholdSelection.Best(trainScores.ToArray(), trainSame.ToArray());
        return (threshold, ThresholdSelection.Accuracy(testScores.ToArray(), testSame.ToArray(), threshold));
    }

    /// <summary>Mean ± sample std over folds 0 … max(<paramref name="folds"/>) of <see cref="OfFold"/>'s accuracy.</summary>
    /// <exception cref="ArgumentException">As <see cref="OfFold"/>, or no pairs.</exception>
    public static MeanStd Of(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same, ReadOnlySpan<int> folds)
    {
        if (folds.IsEmpty) throw new ArgumentException("No pairs.");
        int count = 0;
        foreach (int f in folds) count = Math.Max(count, f + 1);
        var accuracies = new double[count];
        for (int f = 0; f < count; f++) accuracies[f] = OfFold(scores, same, folds, f).Accuracy;
        return MeanStd.Of(accuracies);
    }
}
