namespace SphereFace.Graphs.Losses;

/// <summary>
/// The A-Softmax annealing weight of the original Caffe code: λ = max(λ_min, base·(1 + γ·iter)^(−power)).
/// λ starts large (the target logit is almost the plain ‖x‖cos θ) and decays towards λ_min, phasing in the margin.
/// </summary>
public sealed record LambdaSchedule(double Base = 1000, double Gamma = 0.12, double Power = 1, double Min = 5)
{
    /// <summary>λ at iteration <paramref name="iteration"/> (≥ 0).</summary>
    public float At(long iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "The iteration must be ≥ 0.");
        return (float)Math.Max(Min, Base * Math.Pow(1 + Gamma * iteration, -Power));
    }

    /// <summary>Throws unless every constant is finite, base, λ_min ≥ 0 and γ, power ≥ 0.</summary>
    public LambdaSchedule Validate()
    {
        foreach (var (name, v) in new[] { ("base", Base), ("gamma", Gamma), ("power", Power), ("min", Min) })
            if (!double.IsFinite(v) || v < 0) throw new ArgumentException($"Lambda schedule {name} must be a finite number ≥ 0, got {v}.");
        return this;
    }
}
