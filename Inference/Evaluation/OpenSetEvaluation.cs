using System.Numerics.Tensors;

namespace SphereFace.Inference.Evaluation;

/// <summary>
/// BLUFR-style benchmark (Liao et al. 2014) on a labelled test set:
/// <list type="bullet">
/// <item>verification rate at FAR = 0.1 % over all unordered pairs of the set (genuine: same label);</item>
/// <item>open-set identification: in each of <c>trials</c> random splits, a share of the identities is "known"
/// — one random image of each forms the gallery, their other images are genuine probes — and every image of the
/// other identities is an impostor probe. The detection-and-identification rate at FAR = 1 % (rank 1) is the share
/// of genuine probes whose best gallery match is their own identity with a score above the threshold that at
/// most 1 % of impostor probes' best scores exceed.</item>
/// </list>
/// Cosine similarity throughout. The splits are drawn with <see cref="Random"/> seeded by seed + trial, so they
/// repeat exactly.
/// </summary>
public static class OpenSetEvaluation
{
    /// <summary>Runs both parts. Needs ≥ 2 identities; NaN or zero features are rejected.</summary>
    public static OpenSetResult Evaluate(EmbeddingMatrix features, IReadOnlyList<int> labels, int trials = 10, int seed = 1, double knownShare = 0.5)
    {
        if (labels.Count != features.Count) throw new ArgumentException($"{features.Count} embeddings but {labels.Count} labels.");
        if (trials < 1) throw new ArgumentException($"Trials must be ≥ 1, got {trials}.");
        if (!(knownShare > 0 && knownShare < 1)) throw new ArgumentException($"Known-identity share must be in (0, 1), got {knownShare}.");
        var unit = features.Normalized();
        var byIdentity = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        if (byIdentity.Length < 2) throw new ArgumentException($"Open-set evaluation needs at least 2 identities, got {byIdentity.Length}.");

        // Verification over all pairs.
        long total = (long)features.Count * (features.Count - 1) / 2;
        long genuineCount = byIdentity.Sum(g => (long)g.Length * (g.Length - 1) / 2);
        long impostorCount = total - genuineCount;
        long k = RocCurve.AllowedFalseAccepts(1e-3, impostorCount);
        double vr = double.NaN;
        if (k >= 1 && genuineCount > 0)
        {
            var (genuine, tail) = PairScores.AllPairs(unit, labels, k);
            vr = RocCurve.ShareAbove(genuine, tail.Threshold);
        }

        // Open-set identification trials.
        var dir = new List<double>();
        var rank1 = new List<double>();
        for (int t = 0; t < trials; t++)
        {
            var rng = new Random(seed + t);
            var order = byIdentity.ToArray();
            rng.Shuffle(order);
            int known = Math.Clamp((int)Math.Round(knownShare * order.Length), 1, order.Length - 1);
            var gallery = new List<int>();
            var genuineProbes = new List<int>();
            var impostorProbes = new List<int>();
            for (int id = 0; id < order.Length; id++)
            {
                var images = order[id].ToArray();
                if (id < known)
                {
                    rng.Shuffle(images);
                    gallery.Add(images[0]);
                    genuineProbes.AddRange(images.Skip(1));
                }
                else impostorProbes.AddRange(images);
            }
            var impostorBest = impostorProbes.Select(p => BestMatch(unit, gallery, p).Score).OrderByDescending(s => s).ToArray();
            long kOpen = RocCurve.AllowedFalseAccepts(1e-2, impostorBest.Length);
            if (kOpen < 1 || genuineProbes.Count == 0) continue;
            float threshold = kOpen >= impostorBest.Length ? float.NegativeInfinity : impostorBest[kOpen];
            int detected = 0, correct = 0;
            foreach (int p in genuineProbes)
            {
                var (g, s) = BestMatch(unit, gallery, p);
                if (labels[g] != labels[p]) continue;
                correct++;
                if (s > threshold) detected++;
            }
            dir.Add((double)detected / genuineProbes.Count);
            rank1.Add((double)correct / genuineProbes.Count);
        }
        return new OpenSetResult(vr, MeanStd.Of(dir), MeanStd.Of(rank1), dir.Count, genuineCount, impostorCount, byIdentity.Length);
    }

    private static (int Index, float Score) BestMatch(EmbeddingMatrix unit, List<int> gallery, int probe)
    {
        var a = unit.Row(probe);
        int best = -1;
        float bestScore = float.NegativeInfinity;
        foreach (int g in gallery)
        {
            float s = TensorPrimitives.Dot(a, unit.Row(g));
            if (s > bestScore) { bestScore = s; best = g; }
        }
        return (best, bestScore);
    }
}

/// <summary>Outcome of <see cref="OpenSetEvaluation.Evaluate"/>.</summary>
/// <param name="VerificationRateAtFar1e3">VR@FAR=0.1 % over all pairs; NaN with fewer than 1000 impostor pairs.</param>
/// <param name="DirAtFar1e2">Open-set DIR@FAR=1 % (rank 1), mean ± std over the trials that could be measured.</param>
/// <param name="ClosedSetRank1">Rank-1 identification rate of the genuine probes without a threshold.</param>
/// <param name="Trials">Trials with enough impostor probes (≥ 100) and at least one genuine probe.</param>
/// <param name="GenuinePairs">Genuine pairs of the verification part.</param>
/// <param name="ImpostorPairs">Impostor pairs of the verification part.</param>
/// <param name="Identities">Identities in the set.</param>
public sealed record OpenSetResult(double VerificationRateAtFar1e3, MeanStd DirAtFar1e2, MeanStd ClosedSetRank1, int Trials,
    long GenuinePairs, long ImpostorPairs, int Identities)
{
    /// <summary>The metrics as a report.</summary>
    public EvaluationReport ToReport(string model) => new("blufr", model,
    [
        new("vr_at_far_1e-3", double.IsNaN(VerificationRateAtFar1e3) ? null : VerificationRateAtFar1e3, Note: $"{GenuinePairs} genuine / {ImpostorPairs} impostor pairs"),
        new("dir_at_far_1e-2_rank1", Trials == 0 ? null : DirAtFar1e2.Mean, Trials == 0 ? null : DirAtFar1e2.Std, $"{Trials} trials"),
        new("closed_set_rank1", Trials == 0 ? null : ClosedSetRank1.Mean, Trials == 0 ? null : ClosedSetRank1.Std),
        new("identities", Identities),
    ]);
}
