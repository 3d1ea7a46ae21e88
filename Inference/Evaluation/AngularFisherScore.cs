using System.Numerics.Tensors;

namespace SphereFace.Inference.Evaluation;

/// <summary>
/// The angular Fisher score of the SphereFace paper (Liu et al. 2017, App. E, Eq. 11):
/// <c>AFS = S_w / S_b</c> with the within-class angular scatter
/// <c>S_w = Σ_i Σ_{x ∈ X_i} (1 − cos⟨x, m_i⟩)</c> and the between-class angular scatter
/// <c>S_b = Σ_i n_i (1 − cos⟨m_i, m⟩)</c>, where X_i are the features of class i, n_i their number, m_i their
/// mean vector and m the mean vector of all features. Features are used as given (the embedder's are unit-norm).
/// Lower is more discriminative: 0 when every class collapses onto its mean direction.
/// </summary>
public static class AngularFisherScore
{
    /// <summary>
    /// Computes the score in double precision. Needs ≥ 2 classes; NaN features are rejected; a class (or global)
    /// mean of zero length makes its cosine undefined and is rejected; S_b = 0 (all class means along the global
    /// mean) gives +∞ (or NaN when S_w is 0 as well).
    /// </summary>
    public static FisherResult Compute(EmbeddingMatrix features, IReadOnlyList<int> labels)
    {
        if (labels.Count != features.Count) throw new ArgumentException($"{features.Count} embeddings but {labels.Count} labels.");
        for (int i = 0; i < features.Count; i++) EmbeddingMatrix.CheckFinite(features.Row(i), i);
        var classes = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).Select(g => g.ToArray()).ToArray();
        if (classes.Length < 2) throw new ArgumentException($"The angular Fisher score needs at least 2 classes, got {classes.Length}.");
        int d = features.Dimension;
        var global = new double[d];
        double within = 0, between = 0;
        var means = new List<(double[] Mean, int Count)>();
        foreach (var members in classes)
        {
            var mean = new double[d];
            foreach (int i in members) Add(mean, features.Row(i));
            foreach (int i in members) Add(global, features.Row(i));
            for (int j = 0; j < d; j++) mean[j] /= members.Length;
            foreach (int i in members) within += 1 - Cos(features.Row(i), mean, $"class of embedding {members[0]}");
            means.Add((mean, members.Length));
        }
        for (int j = 0; j < d; j++) global[j] /= features.Count;
        foreach (var (mean, count) in means)
            between += count * (1 - Cos(mean, global, "whole set"));
        double score = between == 0 ? (within == 0 ? double.NaN : double.PositiveInfinity) : within / between;
        return new FisherResult(score, within, between, classes.Length, features.Count);
    }

    private static void Add(double[] sum, ReadOnlySpan<float> row)
    {
        for (int j = 0; j < row.Length; j++) sum[j] += row[j];
    }

    private static double Cos(ReadOnlySpan<float> x, double[] mean, string what)
    {
        var xd = new double[x.Length];
        for (int j = 0; j < x.Length; j++) xd[j] = x[j];
        return Cos(xd, mean, what);
    }

    private static double Cos(double[] x, double[] mean, string what)
    {
        double dot = 0, nx = 0, nm = 0;
        for (int j = 0; j < x.Length; j++) { dot += x[j] * mean[j]; nx += (double)x[j] * x[j]; nm += mean[j] * mean[j]; }
        if (nm == 0) throw new ArgumentException($"The mean feature of the {what} is zero; its angle is undefined.");
        if (nx == 0) throw new ArgumentException("A feature (or class mean) is zero; its angle is undefined.");
        return Math.Clamp(dot / Math.Sqrt(nx * nm), -1, 1);
    }
}

/// <summary>Outcome of <see cref="AngularFisherScore.Compute"/>.</summary>
public sealed record FisherResult(double Score, double WithinScatter, double BetweenScatter, int Classes, int Samples)
{
    /// <summary>The metrics as a report.</summary>
    public EvaluationReport ToReport(string model) => new("fisher", model,
    [
        new("angular_fisher_score", Score, Note: "S_w / S_b, lower is more discriminative"),
        new("within_class_scatter", WithinScatter),
        new("between_class_scatter", BetweenScatter),
        new("classes", Classes),
        new("samples", Samples),
    ]);
}
