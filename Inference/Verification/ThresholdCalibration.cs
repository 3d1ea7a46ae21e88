using SphereFace.Inference.Evaluation;

namespace SphereFace.Inference.Verification;

/// <summary>
/// Calibrates <see cref="VerificationThresholds"/> on the raw cosine similarities of labelled pairs (the scores
/// <see cref="Embedder.Verify(ReadOnlySpan{float}, ReadOnlySpan{float})"/> computes; no mean-centring, unlike the
/// LFW protocol's per-fold thresholds).
/// </summary>
public static class ThresholdCalibration
{
    /// <summary>The false-accept rates calibrated by default.</summary>
    public static IReadOnlyList<double> DefaultFars { get; } = [1e-3, 1e-4];

    /// <summary>
    /// The best-accuracy threshold (exact, <see cref="ThresholdSelection.Best"/>) and, for each false-accept rate f,
    /// the lowest threshold t such that at most ⌊f·I⌋ of the I impostor scores are above t: the
    /// (⌊f·I⌋+1)-th highest impostor score, only when I ≥ <see cref="VerificationThresholds.ImpostorsNeeded"/>(f);
    /// otherwise f is listed in <see cref="VerificationThresholds.FarNotResolved"/> with the reason.
    /// </summary>
    /// <exception cref="ArgumentException">No scores, lengths differ, a NaN score, or no impostor or no genuine pair.</exception>
    public static VerificationThresholds Calibrate(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same, string representation, IReadOnlyList<double>? fars = null)
    {
        var (best, accuracy) = ThresholdSelection.Best(scores, same);
        var impostors = new List<float>();
        var genuine = new List<float>();
        for (int i = 0; i < scores.Length; i++) (same[i] ? genuine : impostors).Add(scores[i]);
        if (impostors.Count == 0 || genuine.Count == 0)
            throw new ArgumentException($"Calibration needs genuine and impostor pairs; got {genuine.Count} genuine and {impostors.Count} impostor.");
        impostors.Sort((a, b) => b.CompareTo(a));
        var result = new SortedDictionary<double, FarThreshold>();
        var unresolved = new SortedDictionary<double, string>();
        foreach (double far in fars ?? DefaultFars)
        {
            if (!(far > 0 && far < 1)) throw new ArgumentException($"A false-accept rate must be in (0, 1), got {far}.");
            int needed = VerificationThresholds.ImpostorsNeeded(far);
            if (impostors.Count < needed)
            {
                unresolved[far] = $"needs ≥ {needed} impostor pairs, has {impostors.Count}";
                continue;
            }
            int allowed = (int)Math.Floor(far * impostors.Count);
            double t = impostors[Math.Min(allowed, impostors.Count - 1)];
            result[far] = new FarThreshold(t, genuine.Count(g => g > t) / (double)genuine.Count);
        }
        return new VerificationThresholds(representation, best, accuracy, result, scores.Length, impostors.Count) { FarNotResolved = unresolved };
    }

    /// <summary>
    /// Calibrates on labelled pairs of embedding rows: the representation the rows are in (flip-concatenated or
    /// plain) and, for flip-concatenated rows, also the plain one, whose embedding is the first half of each row
    /// renormalised (the first half is the face's own embedding scaled by the row's normalisation).
    /// </summary>
    /// <exception cref="ArgumentException">A pair refers to a missing row, or no genuine or no impostor pair.</exception>
    public static IReadOnlyList<VerificationThresholds> FromPairs(EmbeddingMatrix rows, IReadOnlyList<VerificationPair> pairs, bool flipConcatenated)
    {
        var same = pairs.Select(p => p.Same).ToArray();
        var result = new List<VerificationThresholds>();
        if (flipConcatenated)
        {
            if (rows.Dimension % 2 != 0) throw new ArgumentException($"Flip-concatenated rows must have an even length, got {rows.Dimension}.");
            result.Add(Calibrate(Scores(rows, pairs, rows.Dimension), same, VerificationThresholds.FlipConcatenated));
        }
        result.Add(Calibrate(Scores(rows, pairs, flipConcatenated ? rows.Dimension / 2 : rows.Dimension), same, VerificationThresholds.Plain));
        return result;
    }

    /// <summary>
    /// The raw cosine similarity of each pair's rows over the first <paramref name="length"/> values of each row (all of
    /// them for the rows' own representation, half for the plain embedding inside flip-concatenated rows): the scores
    /// the stamped thresholds apply to.
    /// </summary>
    /// <exception cref="ArgumentException">A pair refers to a missing row.</exception>
    public static float[] Scores(EmbeddingMatrix rows, IReadOnlyList<VerificationPair> pairs, int length)
    {
        var scores = new float[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            var (l, r) = (pairs[i].Left, pairs[i].Right);
            if ((uint)l >= (uint)rows.Count || (uint)r >= (uint)rows.Count)
                throw new ArgumentException($"Pair ({l}, {r}) refers to a row outside the {rows.Count} embeddings.");
            scores[i] = Embedder.Similarity(rows.Row(l)[..length], rows.Row(r)[..length]);
        }
        return scores;
    }
}
