using SphereFace.Inference.Verification;

namespace SphereFace.Inference;

/// <summary>Verification entry points of <see cref="Embedder"/>: is a pair of embeddings the same person?</summary>
public sealed partial class Embedder
{
    /// <summary>
    /// The thresholds calibrated for this embedder's representation (plain or flip-concatenated) and stamped into the
    /// model (<c>sphereface eval --protocol lfw --stamp</c>); null when the model has none.
    /// </summary>
    public VerificationThresholds? Thresholds { get; }

    /// <summary>
    /// Compares two embeddings of this embedder with the model's best-accuracy threshold: same person when their
    /// cosine similarity is strictly above it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model carries no threshold for this representation; calibrate
    /// one with <c>eval --stamp</c> or pass a threshold.</exception>
    /// <exception cref="ArgumentException">The embeddings' lengths differ from each other or from <see cref="Dimension"/>.</exception>
    public VerificationResult Verify(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        return Verify(a, b, BestAccuracyThreshold());
    }

    private double BestAccuracyThreshold() => (Thresholds ?? throw new InvalidOperationException(
        $"{ModelPath}: the model has no verification threshold for {VerificationThresholds.RepresentationOf(FlipConcatenation)} embeddings; " +
        "calibrate one with `sphereface eval --protocol lfw ... --stamp`, or pass a threshold.")).ThresholdAtBestAccuracy;

    /// <summary>Compares two embeddings of this embedder with an explicit cosine threshold.</summary>
    /// <exception cref="ArgumentException">The embeddings' lengths differ from each other or from <see cref="Dimension"/>,
    /// or the threshold is not finite.</exception>
    public VerificationResult Verify(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double threshold)
    {
        if (!double.IsFinite(threshold)) throw new ArgumentException($"The threshold must be a finite number, got {threshold}.", nameof(threshold));
        if (a.Length != Dimension || b.Length != Dimension)
            throw new ArgumentException($"Embeddings of {a.Length} and {b.Length} values given; this embedder's have {Dimension}.");
        float score = Similarity(a, b);
        return new VerificationResult(score, threshold, score > threshold);
    }
}
