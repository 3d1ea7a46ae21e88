using System.Globalization;

namespace SphereFace.Inference.Verification;

/// <summary>
/// Cosine thresholds for deciding "same person" on one representation of a model's embeddings, calibrated on
/// labelled pairs (<see cref="ThresholdCalibration"/>) and stored in the model's metadata under
/// <c>sphereface.threshold.&lt;representation&gt;.*</c>. A pair is "same" when its cosine similarity is strictly above
/// the threshold.
/// </summary>
/// <param name="Representation"><see cref="Plain"/> (the model's embedding) or <see cref="FlipConcatenated"/>
/// (the embedding of the face and of its mirror, concatenated).</param>
/// <param name="ThresholdAtBestAccuracy">The threshold of highest accuracy on the calibration pairs.</param>
/// <param name="AccuracyAtBest">The calibration pairs' accuracy at <paramref name="ThresholdAtBestAccuracy"/>.</param>
/// <param name="FarThresholds">Thresholds at which at most the given fraction of impostor pairs is accepted, with the
/// true-accept rate reached there: keys are the false-accept rates (1e-3, 1e-4), only those the impostor count
/// supports (<see cref="ImpostorsNeeded"/>).</param>
/// <param name="Pairs">Number of calibration pairs.</param>
/// <param name="ImpostorPairs">Number of impostor pairs among them (a FAR below 1/ImpostorPairs is not resolved).</param>
public sealed record VerificationThresholds(
    string Representation,
    double ThresholdAtBestAccuracy,
    double AccuracyAtBest,
    IReadOnlyDictionary<double, FarThreshold> FarThresholds,
    int Pairs,
    int ImpostorPairs)
{
    /// <summary>The model's own embedding.</summary>
    public const string Plain = "plain";
    /// <summary>The embeddings of the face and its mirror, concatenated.</summary>
    public const string FlipConcatenated = "flip";
    /// <summary>Metadata key prefix.</summary>
    public const string Prefix = "sphereface.threshold.";

    /// <summary>
    /// Impostor pairs needed before a threshold at false-accept rate <paramref name="far"/> is reported or stamped:
    /// ⌈10/far⌉, so that at least 10 impostors lie above it (with fewer, the threshold is one or two extreme scores).
    /// </summary>
    public static int ImpostorsNeeded(double far) => (int)Math.Ceiling(10 / far - 1e-9);

    /// <summary>
    /// The false-accept rates asked for but not resolved by <see cref="ImpostorPairs"/>, each with the reason
    /// ("needs ≥ 100000 impostor pairs, has 1800"); in the evaluation JSON beside <see cref="FarThresholds"/>.
    /// </summary>
    public IReadOnlyDictionary<double, string> FarNotResolved { get; init; } = new SortedDictionary<double, string>();

    /// <summary>The line the tables print for <paramref name="far"/>: threshold and TAR, or "n/a" with the reason.</summary>
    public string DescribeFar(double far) =>
        FarThresholds.TryGetValue(far, out var f) ? string.Create(CultureInfo.InvariantCulture, $"{f.Threshold:F4} (TAR {f.TrueAcceptRate:F4})")
        : $"n/a ({(FarNotResolved.TryGetValue(far, out var why) ? why : "not calibrated")})";

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Representation}: threshold {ThresholdAtBestAccuracy:F4} at best accuracy {AccuracyAtBest:F4} on {Pairs} pairs ({ImpostorPairs} impostor)") +
        string.Concat(FarThresholds.Keys.Concat(FarNotResolved.Keys).Distinct().Order().Select(far => $"; FAR {FarName(far)}: {DescribeFar(far)}"));

    /// <summary>The representation name for an embedder's setting.</summary>
    public static string RepresentationOf(bool flipConcatenation) => flipConcatenation ? FlipConcatenated : Plain;

    /// <summary>The thresholds as model metadata entries.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        string p = Prefix + Representation + ".";
        yield return new(p + "threshold_at_best_accuracy", Format(ThresholdAtBestAccuracy));
        yield return new(p + "accuracy_at_best", Format(AccuracyAtBest));
        foreach (var (far, t) in FarThresholds)
        {
            yield return new(p + "far_" + FarName(far), Format(t.Threshold));
            yield return new(p + "tar_at_far_" + FarName(far), Format(t.TrueAcceptRate));
        }
        yield return new(p + "pairs", Pairs.ToString(CultureInfo.InvariantCulture));
        yield return new(p + "impostor_pairs", ImpostorPairs.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Reads the thresholds of <paramref name="representation"/> from model metadata; null when the model has none.
    /// </summary>
    /// <exception cref="InvalidDataException">A threshold entry exists but is malformed; the message names the key.</exception>
    public static VerificationThresholds? FromMetadata(IReadOnlyDictionary<string, string> meta, string representation, string source)
    {
        string p = Prefix + representation + ".";
        if (meta.ContainsKey(p + "best_accuracy"))
            throw new InvalidDataException($"{source}: its thresholds were stamped by version 0.3 or earlier (key '{p}best_accuracy'); " +
                "stamp them again with `sphereface eval --protocol lfw ... --stamp`.");
        if (!meta.ContainsKey(p + "threshold_at_best_accuracy")) return null;
        double Get(string key) => meta.TryGetValue(p + key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
            ? d : throw new InvalidDataException($"{source}: metadata '{p + key}' is missing or not a finite number.");
        var fars = new SortedDictionary<double, FarThreshold>();
        foreach (var key in meta.Keys.Where(k => k.StartsWith(p + "far_", StringComparison.Ordinal)))
        {
            string name = key[(p.Length + 4)..];
            if (!double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out double far))
                throw new InvalidDataException($"{source}: metadata key '{key}' does not end in a false-accept rate.");
            fars[far] = new FarThreshold(Get("far_" + name), Get("tar_at_far_" + name));
        }
        return new VerificationThresholds(representation, Get("threshold_at_best_accuracy"), Get("accuracy_at_best"), fars, (int)Get("pairs"), (int)Get("impostor_pairs"));
    }

    private static string FarName(double far) => far.ToString("0.#####e0", CultureInfo.InvariantCulture);
    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A threshold at a false-accept rate and the true-accept rate reached there on the calibration pairs.</summary>
public sealed record FarThreshold(double Threshold, double TrueAcceptRate);
