namespace SphereFace.Inference.Evaluation;

/// <summary>
/// The ROC of labelled similarity scores (accept when score &gt; threshold): operating points, area under the curve,
/// and the true-accept rate at a fixed false-accept rate.
/// </summary>
public sealed class RocCurve
{
    private readonly float[] _positivesDescending;
    private readonly float[] _negativesDescending;

    private RocCurve(float[] positivesDescending, float[] negativesDescending, double[] far, double[] tar, double auc)
    {
        _positivesDescending = positivesDescending;
        _negativesDescending = negativesDescending;
        FalseAcceptRates = far;
        TrueAcceptRates = tar;
        Auc = auc;
    }

    /// <summary>Genuine pairs.</summary>
    public int Positives => _positivesDescending.Length;

    /// <summary>Impostor pairs.</summary>
    public int Negatives => _negativesDescending.Length;

    /// <summary>FAR of each operating point, from (0, 0) (threshold above all) to (1, 1); one point per distinct score.</summary>
    public IReadOnlyList<double> FalseAcceptRates { get; }

    /// <summary>TAR of each operating point (same order as <see cref="FalseAcceptRates"/>).</summary>
    public IReadOnlyList<double> TrueAcceptRates { get; }

    /// <summary>
    /// Area under the ROC: the probability that a random genuine pair scores above a random impostor pair, ties
    /// counting one half (the Mann–Whitney statistic; equal to the trapezoidal area under the points).
    /// </summary>
    public double Auc { get; }

    /// <summary>
    /// The operating point of <paramref name="threshold"/>: the shares of impostor and of genuine pairs scoring strictly
    /// above it (what <see cref="Embedder.Verify(ReadOnlySpan{float}, ReadOnlySpan{float}, double)"/> accepts).
    /// </summary>
    public (double FalseAcceptRate, double TrueAcceptRate) At(double threshold) =>
        (_negativesDescending.Count(s => s > threshold) / (double)Negatives, _positivesDescending.Count(s => s > threshold) / (double)Positives);

    /// <summary>
    /// Builds the curve. Needs at least one genuine and one impostor pair; NaN scores are rejected.
    /// </summary>
    public static RocCurve FromScores(ReadOnlySpan<float> scores, ReadOnlySpan<bool> same)
    {
        if (scores.Length != same.Length) throw new ArgumentException($"{scores.Length} scores but {same.Length} labels.");
        var pos = new List<float>();
        var neg = new List<float>();
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.");
            (same[i] ? pos : neg).Add(scores[i]);
        }
        if (pos.Count == 0 || neg.Count == 0)
            throw new ArgumentException($"A ROC needs genuine and impostor pairs; got {pos.Count} genuine and {neg.Count} impostor.");
        var p = pos.ToArray();
        var n = neg.ToArray();
        Array.Sort(p, (a, b) => b.CompareTo(a));
        Array.Sort(n, (a, b) => b.CompareTo(a));

        // Sweep thresholds from high to low; each distinct score value moves the operating point once.
        var far = new List<double> { 0 };
        var tar = new List<double> { 0 };
        int ip = 0, iN = 0;
        double auc = 0;
        while (ip < p.Length || iN < n.Length)
        {
            float next = Math.Max(ip < p.Length ? p[ip] : float.NegativeInfinity, iN < n.Length ? n[iN] : float.NegativeInfinity);
            while (ip < p.Length && p[ip] == next) ip++;
            while (iN < n.Length && n[iN] == next) iN++;
            double f = (double)iN / n.Length, t = (double)ip / p.Length;
            auc += (f - far[^1]) * (t + tar[^1]) / 2;
            far.Add(f);
            tar.Add(t);
        }
        return new RocCurve(p, n, far.ToArray(), tar.ToArray(), auc);
    }

    /// <summary>
    /// TAR at a false-accept rate: with M impostor scores and k = ⌊far·M⌋, the threshold is the (k+1)-th largest
    /// impostor score (so at most k impostors are accepted) and TAR is the share of genuine scores strictly above
    /// it. NaN when far·M &lt; 1, i.e. too few impostor pairs to measure that rate.
    /// </summary>
    public double TarAtFar(double far)
    {
        long k = AllowedFalseAccepts(far, Negatives);
        if (k < 1) return double.NaN;
        float threshold = k >= Negatives ? float.NegativeInfinity : _negativesDescending[k];
        return ShareAbove(_positivesDescending, threshold);
    }

    /// <summary>k = ⌊far·M⌋ (with a relative tolerance so 1e-3 × 3000 gives 3).</summary>
    public static long AllowedFalseAccepts(double far, long negatives)
    {
        if (!(far > 0 && far <= 1)) throw new ArgumentOutOfRangeException(nameof(far), far, "FAR must be in (0, 1].");
        return (long)Math.Floor(far * negatives * (1 + 1e-12));
    }

    /// <summary>Share of <paramref name="scores"/> strictly above <paramref name="threshold"/> (NaN for no scores).</summary>
    public static double ShareAbove(ReadOnlySpan<float> scores, float threshold)
    {
        if (scores.Length == 0) return double.NaN;
        int above = 0;
        foreach (float s in scores) if (s > threshold) above++;
        return (double)above / scores.Length;
    }
}
