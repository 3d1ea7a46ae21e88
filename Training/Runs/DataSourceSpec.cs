using System.Globalization;
using SphereFace.Graphs.Nets;
using SphereFace.Training.Data;
using SphereFace.Training.Data;

namespace SphereFace.Training.Runs;

/// <summary>
/// Parses a run's <c>--data</c> value and opens the matching <see cref="IBatchSource"/>.
/// <list type="bullet">
/// <item><c>random:N</c> — N fixed random 112×96 images with labels i mod classes (in memory; development and memorisation runs).</item>
/// </list>
/// </summary>
public static class DataSourceSpec
{
    /// <summary>Floats per face image (3·112·96).</summary>
    public const int ImageLength = 3 * SphereNetConfig.InputHeight * SphereNetConfig.InputWidth;

    /// <summary>Checks <paramref name="spec"/> without opening anything; throws an <see cref="ArgumentException"/> naming it.</summary>
    public static void Validate(string spec) => ParseRandom(spec);

    /// <summary>
    /// Opens the source for a run; <paramref name="resumeFrom"/> continues a checkpoint's sample order.
    /// </summary>
    public static IBatchSource Open(string spec, int classes, int batchSize, ulong seed, SampleOrderState? resumeFrom)
    {
        int samples = ParseRandom(spec);
        return new RandomLabelBatchSource(samples, classes, batchSize, ImageLength, seed, resumeFrom);
    }

    private static int ParseRandom(string spec)
    {
        const string prefix = "random:";
        if (spec.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(spec.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1)
            return n;
        throw new ArgumentException($"--data '{spec}' is not a known data source; expected random:N (N ≥ 1 in-memory random-label images).");
    }
}
