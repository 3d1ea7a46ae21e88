using SphereFace.Graphs.Specs;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// The A-Softmax annealing weight of the original Caffe code, λ = max(min, base·(1 + γ·iter)^(−power)): λ starts large
/// (the target logit is almost the plain ‖x‖cos θ) and decays towards its floor, phasing in the margin. The run spec's
/// <c>lambda</c> section (heads without λ ignore it) and the loss manifest's <c>lambda_schedule</c>.
/// </summary>
public sealed record LambdaSchedule
{
    /// <summary>base.</summary>
    public float Base { get; init; } = 1000f;
    /// <summary>γ.</summary>
    public float Gamma { get; init; } = 0.12f;
    /// <summary>power.</summary>
    public float Power { get; init; } = 1f;
    /// <summary>The floor λ_min.</summary>
    public float Min { get; init; } = 5f;

    /// <summary>λ at iteration <paramref name="iteration"/> (≥ 0), computed in double and rounded once.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iteration"/> is negative.</exception>
    public float At(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        return (float)Math.Max(Min, Base * Math.Pow(1 + (double)Gamma * iteration, -Power));
    }

    /// <summary>Checks that every constant is a finite number ≥ 0; returns this schedule.</summary>
    /// <exception cref="Models.Errors.RunSpecException">The first constant that is not, named <c>lambda.…</c>.</exception>
    public LambdaSchedule Validate()
    {
        foreach (var (name, v) in new[] { ("base", Base), ("gamma", Gamma), ("power", Power), ("min", Min) })
            SpecJson.NonNegative($"lambda.{name}", v);
        return this;
    }
}
