namespace SphereFace.Graphs.Quantization;

/// <summary>How calibration turns observed activations into a quantization range.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    MinMax,
    /// <summary>The 0.01 % and 99.99 % quantiles of the values seen (outliers clipped).</summary>
    Percentile,
}

/// <summary>
/// Collects the values of named activations over calibration batches and reports each one's range: exact min/max, and
/// quantiles from a 4096-bin histogram over the min/max range (the histogram is built in a second pass, once the range
/// is known; quantile error ≤ one bin).
/// </summary>
public sealed class ActivationRanges
{
    private const int Bins = 4096;
    private readonly Dictionary<string, (float Min, float Max)> _minMax = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _histograms = new(StringComparer.Ordinal);

    /// <summary>First pass: widens each tensor's [min, max] with <paramref name="values"/>.</summary>
    public void Observe(string tensor, ReadOnlySpan<float> values)
    {
        var (min, max) = _minMax.TryGetValue(tensor, out var r) ? r : (float.PositiveInfinity, float.NegativeInfinity);
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) throw new InvalidDataException($"Calibration: tensor '{tensor}' holds a non-finite value.");
            if (v < min) min = v;
            if (v > max) max = v;
        }
        _minMax[tensor] = (min, max);
    }

    /// <summary>Second pass (percentile only): counts <paramref name="values"/> into the tensor's histogram.</summary>
    public void Count(string tensor, ReadOnlySpan<float> values)
    {
        var (min, max) = _minMax[tensor];
        if (!_histograms.TryGetValue(tensor, out var h)) _histograms[tensor] = h = new long[Bins];
        double width = (max - min) / Bins;
        foreach (float v in values)
            h[width > 0 ? Math.Clamp((int)((v - min) / width), 0, Bins - 1) : 0]++;
    }

    /// <summary>Tensors observed.</summary>
    public IEnumerable<string> Tensors => _minMax.Keys;

    /// <summary>The tensor's range under <paramref name="method"/>.</summary>
    public (float Min, float Max) Range(string tensor, CalibrationMethod method, double tail = 1e-4)
    {
        var (min, max) = _minMax[tensor];
        if (method == CalibrationMethod.MinMax || !_histograms.TryGetValue(tensor, out var h)) return (min, max);
        long total = h.Sum();
        double width = (max - min) / (double)Bins;
        long cut = (long)Math.Floor(tail * total), seen = 0;
        int lo = 0, hi = Bins - 1;
        while (lo < Bins - 1 && seen + h[lo] <= cut) seen += h[lo++];
        seen = 0;
        while (hi > lo && seen + h[hi] <= cut) seen += h[hi--];
        return ((float)(min + lo * width), (float)(min + (hi + 1) * width));
    }
}
