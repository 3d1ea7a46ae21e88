namespace SphereFace.Inference.Evaluation;

/// <summary>Mean and sample standard deviation (n − 1 denominator, as MATLAB's <c>std</c>) of repeated measurements.</summary>
public readonly record struct MeanStd(double Mean, double Std)
{
    /// <summary>Mean ± std of <paramref name="values"/>; Std is 0 for a single value, both NaN for none.</summary>
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new MeanStd(double.NaN, double.NaN);
        double mean = values.Average();
        if (values.Count == 1) return new MeanStd(mean, 0);
        double ss = values.Sum(v => (v - mean) * (v - mean));
        return new MeanStd(mean, Math.Sqrt(ss / (values.Count - 1)));
    }
}
