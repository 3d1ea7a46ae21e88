using System.Numerics.Tensors;

namespace SphereFace.Inference.Evaluation;

/// <summary>
/// MegaFace-style identification with distractors. Every ordered pair (probe p, gallery g) of two different
/// images of the same probe identity is one search: g is hidden among all distractors, and the search succeeds at
/// rank 1 when cos(p, g) is strictly above cos(p, d) for every distractor d. The verification part takes the
/// unordered same-identity probe pairs as genuine and all probe × distractor pairs as impostors and reports TAR at
/// FAR = 10⁻⁶, measurable once there are at least 10⁶ impostor pairs.
/// </summary>
public static class DistractorIdentification
{
    /// <summary>Runs the protocol. Probe identities with a single image contribute only impostor pairs.</summary>
    public static DistractorResult Evaluate(EmbeddingMatrix probes, IReadOnlyList<int> probeLabels, EmbeddingMatrix distractors, double far = 1e-6)
    {
        if (probeLabels.Count != probes.Count) throw new ArgumentException($"{probes.Count} probe embeddings but {probeLabels.Count} labels.");
        if (distractors.Count == 0) throw new ArgumentException("No distractors given.");
        if (distractors.Dimension != probes.Dimension)
            throw new ArgumentException($"Distractor embeddings have {distractors.Dimension} values, probes {probes.Dimension}.");
        var p = probes.Normalized();
        var d = distractors.Normalized();

        long impostorCount = (long)p.Count * d.Count;
        long k = RocCurve.AllowedFalseAccepts(far, impostorCount);
        var maxDistractor = new float[p.Count];
        var tail = new ScoreTail(Math.Max(k, 0));
        var gate = new object();
        Parallel.For(0, p.Count, () => new ScoreTail(Math.Max(k, 0)), (i, _, local) =>
        {
            var a = p.Row(i);
            float max = float.NegativeInfinity;
            for (int j = 0; j < d.Count; j++)
            {
                float s = TensorPrimitives.Dot(a, d.Row(j));
                if (s > max) max = s;
                if (k >= 1) local.Add(s);
            }
            maxDistractor[i] = max;
            return local;
        }, local => { lock (gate) tail.Merge(local); });

        long searches = 0, hits = 0;
        var genuine = new List<float>();
        for (int i = 0; i < p.Count; i++)
            for (int j = 0; j < p.Count; j++)
            {
                if (i == j || probeLabels[i] != probeLabels[j]) continue;
                float s = TensorPrimitives.Dot(p.Row(i), p.Row(j));
                searches++;
                if (s > maxDistractor[i]) hits++;
                if (i < j) genuine.Add(s);
            }
        if (searches == 0) throw new ArgumentException("No probe identity has two images; identification needs at least one same-identity pair.");
        double tar = k >= 1 ? RocCurve.ShareAbove(genuine.ToArray(), tail.Threshold) : double.NaN;
        return new DistractorResult((double)hits / searches, tar, far, searches, genuine.Count, impostorCount, d.Count);
    }
}

/// <summary>Outcome of <see cref="DistractorIdentification.Evaluate"/>.</summary>
/// <param name="Rank1">Share of searches won at rank 1.</param>
/// <param name="TarAtFar">TAR at <paramref name="Far"/>; NaN with fewer than 1/FAR impostor pairs.</param>
/// <param name="Far">The false-accept rate of <paramref name="TarAtFar"/>.</param>
/// <param name="Searches">Ordered (probe, gallery) same-identity pairs searched.</param>
/// <param name="GenuinePairs">Unordered genuine pairs.</param>
/// <param name="ImpostorPairs">Probe × distractor pairs.</param>
/// <param name="Distractors">Gallery distractors.</param>
public sealed record DistractorResult(double Rank1, double TarAtFar, double Far, long Searches, long GenuinePairs, long ImpostorPairs, int Distractors)
{
    /// <summary>The metrics as a report.</summary>
    public EvaluationReport ToReport(string model) => new("ident", model,
    [
        new("rank1", Rank1, Note: $"{Searches} searches, {Distractors} distractors"),
        new($"tar_at_far_{Far:0e0}", double.IsNaN(TarAtFar) ? null : TarAtFar,
            Note: double.IsNaN(TarAtFar) ? $"needs ≥ {1 / Far:0} impostor pairs, have {ImpostorPairs}" : $"{ImpostorPairs} impostor pairs"),
        new("distractors", Distractors),
    ]);
}
