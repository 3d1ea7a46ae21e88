namespace SphereFace.Graphs.Optimizers;

/// <summary>
/// Caffe's "multistep" learning-rate policy: <see cref="BaseLr"/> multiplied by <see cref="Gamma"/> at each
/// milestone; training stops at <see cref="MaxIterations"/>. Defaults are the SphereFace paper's (0.1, ÷10 at
/// 16K and 24K, stop at 28K).
/// </summary>
public sealed record MultiStepLr(double BaseLr = 0.1, double Gamma = 0.1, int[]? Milestones = null, int MaxIterations = 28_000)
{
    /// <summary>Iterations at which the rate is multiplied by <see cref="Gamma"/> (ascending).</summary>
    public int[] Steps { get; } = Validate(Milestones ?? [16_000, 24_000], BaseLr, MaxIterations);

    /// <summary>Learning rate of (0-based) iteration <paramref name="iteration"/>: base·γ^(milestones ≤ iteration).</summary>
    public double At(int iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), $"Iteration must be ≥ 0, got {iteration}.");
        int passed = Steps.Count(s => iteration >= s);
        return BaseLr * Math.Pow(Gamma, passed);
    }

    /// <summary>True when training should stop before running <paramref name="iteration"/>.</summary>
    public bool IsFinished(int iteration) => iteration >= MaxIterations;

    private static int[] Validate(int[] steps, double baseLr, int max)
    {
        if (!(baseLr > 0) || double.IsInfinity(baseLr)) throw new ArgumentException($"Base learning rate must be a positive number, got {baseLr}.");
        if (max < 1) throw new ArgumentException($"Maximum iterations must be ≥ 1, got {max}.");
        for (int i = 0; i < steps.Length; i++)
            if (steps[i] < 1 || (i > 0 && steps[i] <= steps[i - 1]))
                throw new ArgumentException($"Lr milestones must be positive and strictly increasing, got [{string.Join(",", steps)}].");
        return steps;
    }
}
