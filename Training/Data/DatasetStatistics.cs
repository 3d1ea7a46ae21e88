using System.Text;

namespace SphereFace.Training.Data;

/// <summary>
/// Size and imbalance of a dataset: identities, images, images per identity (min, median, mean, max),
/// imbalance ratio max/min, and a histogram of per-identity counts in power-of-two buckets.
/// </summary>
public sealed record DatasetStatistics(
    int Identities, int Images, int MinPerIdentity, double MedianPerIdentity, double MeanPerIdentity, int MaxPerIdentity,
    IReadOnlyList<(int From, int To, int Identities)> Histogram)
{
    /// <summary>Largest over smallest per-identity count (1 for a balanced set).</summary>
    public double ImbalanceRatio => MinPerIdentity == 0 ? double.PositiveInfinity : (double)MaxPerIdentity / MinPerIdentity;

    /// <summary>Statistics of <paramref name="dataset"/>.</summary>
    public static DatasetStatistics Of(FaceDataset dataset)
    {
        var counts = new int[dataset.Identities.Count];
        foreach (var s in dataset.Samples) counts[s.Label]++;
        return FromCounts(counts);
    }

    /// <summary>Statistics of per-identity image counts (each ≥ 0); throws on an empty list.</summary>
    public static DatasetStatistics FromCounts(IReadOnlyList<int> counts)
    {
        if (counts.Count == 0) throw new ArgumentException("no identities.");
        var sorted = counts.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        var histogram = new List<(int, int, int)>();
        for (int lo = 1; lo <= Math.Max(1, sorted[^1]); lo *= 2)
        {
            int hi = lo * 2 - 1;
            int k = sorted.Count(c => c >= lo && c <= hi);
            histogram.Add((lo, hi, k));
        }
        return new DatasetStatistics(n, sorted.Sum(), sorted[0], median, sorted.Average(), sorted[^1], histogram);
    }

    /// <summary>A plain-text report with a bar per histogram bucket.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"identities: {Identities:N0}   images: {Images:N0}");
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"images per identity: min {MinPerIdentity}, median {MedianPerIdentity:0.#}, mean {MeanPerIdentity:0.##}, max {MaxPerIdentity} (imbalance max/min {ImbalanceRatio:0.##})");
        int widest = Math.Max(1, Histogram.Max(h => h.Identities));
        foreach (var (from, to, k) in Histogram)
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {(from == to ? from.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{from}–{to}"),9} images: {k,6} identities {new string('#', (int)Math.Ceiling(40.0 * k / widest))}");
        return sb.ToString();
    }
}
