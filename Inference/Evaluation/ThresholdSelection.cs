namespace SphereFace.Inference.Evaluation;

/// <summary>
/// Chooses the verification threshold that maximises accuracy on labelled scores, with the decision rule of the
/// original SphereFace/LFW evaluation: a genuine pair is correct when its score is strictly above the threshold,
/// an impostor pair when strictly below.
/// </summary>
public static class ThresholdSelection
{
    /// <summary>
    /// The accuracy-maximising threshold. Candidates are one value below all scores, the midpoints between
    /// consecutive distinct scores, and one value above all scores — every distinct decision has one candidate, so
    /// the optimum is exact (no grid). When several candidates tie, the lowest is returned.
    /// Throws on empty input, mismatched lengths or a NaN score.
    /// </summary>
    public static (double Threshold, double Accuracy) Best(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same)
    {
        Check(scores, same);
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        int positives = 0;
        foreach (bool s in same) if (s) positives++;

        // Split before sorted index i: items [0, i) are called "different", [i, n) "same".
        int negativesBelow = 0, positivesBelow = 0;
        int bestCorrect = positives; // i = 0: everything above the threshold
        double bestThreshold = keys[0] - 1.0;
        for (int i = 1; i <= n; i++)
        {
            if (same[order[i - 1]]) positivesBelow++; else negativesBelow++;
            if (i < n && keys[i] == keys[i - 1]) continue; // no threshold separates equal scores
            int correct = negativesBelow + (positives - positivesBelow);
            if (correct > bestCorrect)
            {
                bestCorrect = correct;
                bestThreshold = i < n ? 0.5 * ((double)keys[i - 1] + keys[i]) : keys[n - 1] + 1.0;
            }
        }
        return (bestThreshold, (double)bestCorrect / n);
    }

    /// <summary>Accuracy at <paramref name="threshold"/>: genuine correct if score &gt; t, impostor correct if score &lt; t.</summary>
    public static double Accuracy(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same, double threshold)
    {
        Check(scores, same);
        int correct = 0;
        for (int i = 0; i < scores.Length; i++)
            if (same[i] ? scores[i] > threshold : scores[i] < threshold) correct++;
        return (double)correct / scores.Length;
    }

    private static void Check(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same)
    {
        if (scores.Length == 0) throw new ArgumentException("No scores to choose a threshold from.");
        if (scores.Length != same.Length) throw new ArgumentException($"{scores.Length} scores but {same.Length} labels.");
        for (int i = 0; i < scores.Length; i++)
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.");
    }
}
