using SphereFace.Graphs.Specs;
using SphereFace.Models.Errors;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// Caffe SGD with momentum and the multi-step learning-rate schedule: the run spec's <c>solver</c> section, what the
/// training-step graph is built with (momentum, weight decay and the bias multipliers are constants of its update) and
/// the <c>solver</c> of a graph folder's manifest — one type, one default per field (docs/run-spec.md).
/// </summary>
public sealed record SolverSpec
{
    /// <summary>The fields of the learning-rate schedule, which the step reads as an input rather than baking in.</summary>
    public static readonly string[] ScheduleFields = ["iterations", "base_lr", "lr_steps", "lr_gamma"];

    /// <summary>This solver's update with <paramref name="schedule"/>'s <see cref="ScheduleFields"/> (what a graph folder's run trains).</summary>
    public SolverSpec WithScheduleOf(SolverSpec schedule) =>
        this with { Iterations = schedule.Iterations, BaseLr = schedule.BaseLr, LrSteps = schedule.LrSteps, LrGamma = schedule.LrGamma };

    /// <summary>Total steps.</summary>
    public int Iterations { get; init; } = 28000;
    /// <summary>
    /// Learning rate before the first step of the schedule. 0.01, which trains at the default batch of 32: the paper's
    /// 0.1 is for its batch of 128, and at batch 32 it drove SF-4 to a NaN loss within 40 iterations (docs/run-spec.md).
    /// </summary>
    public float BaseLr { get; init; } = 0.01f;
    /// <summary>Iterations at which the rate is multiplied by <see cref="LrGamma"/> (the paper's CASIA-WebFace run: 16K, 24K).</summary>
    public int[] LrSteps { get; init; } = [16000, 24000];
    /// <summary>Factor applied at each step.</summary>
    public float LrGamma { get; init; } = 0.1f;
    /// <summary>SGD momentum μ, in [0, 1).</summary>
    public float Momentum { get; init; } = 0.9f;
    /// <summary>Weight decay, ≥ 0.</summary>
    public float WeightDecay { get; init; } = 5e-4f;
    /// <summary>Learning-rate multiplier of parameters named …/bias.</summary>
    public float BiasLrMult { get; init; } = 2f;
    /// <summary>Weight-decay multiplier of parameters named …/bias.</summary>
    public float BiasDecayMult { get; init; }

    /// <summary>The (lr, decay) multipliers of <paramref name="p"/>: the bias ones for …/bias, else those stored with the parameter.</summary>
    public (float LrMult, float DecayMult) MultipliersFor(Parameters.Parameter p) =>
        p.Name.EndsWith("/bias", StringComparison.Ordinal) ? (BiasLrMult, BiasDecayMult) : (p.LrMult, p.DecayMult);

    /// <summary>Learning rate of (0-based) iteration <paramref name="iteration"/>: base_lr · lr_gamma^(steps ≤ iteration), in double.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iteration"/> is negative.</exception>
    public double LearningRateAt(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        int passed = LrSteps.Count(s => iteration >= s);
        return BaseLr * Math.Pow(LrGamma, passed);
    }

    /// <summary>Checks every field's range; returns this solver.</summary>
    /// <exception cref="RunSpecException">The first field out of range, named <c>solver.…</c>.</exception>
    public SolverSpec Validate()
    {
        if (Iterations < 1) throw new RunSpecException("solver.iterations", $"solver.iterations must be at least 1, got {Iterations}.");
        SpecJson.Positive("solver.base_lr", BaseLr);
        if (LrSteps.Any(x => x < 1) || LrSteps.Zip(LrSteps.Skip(1)).Any(p => p.Second <= p.First))
            throw new RunSpecException("solver.lr_steps", $"solver.lr_steps must be strictly increasing positive iterations, got {string.Join(",", LrSteps)}.");
        SpecJson.Positive("solver.lr_gamma", LrGamma);
        if (!(Momentum >= 0 && Momentum < 1)) throw new RunSpecException("solver.momentum", $"solver.momentum must be in [0, 1), got {Momentum}.");
        SpecJson.NonNegative("solver.weight_decay", WeightDecay);
        SpecJson.NonNegative("solver.bias_lr_mult", BiasLrMult);
        SpecJson.NonNegative("solver.bias_decay_mult", BiasDecayMult);
        return this;
    }

    /// <summary>Equal when every field is, the steps compared element by element.</summary>
    public bool Equals(SolverSpec? other) =>
        other is not null && Iterations == other.Iterations && BaseLr.Equals(other.BaseLr) && LrSteps.SequenceEqual(other.LrSteps) && LrGamma.Equals(other.LrGamma)
        && Momentum.Equals(other.Momentum) && WeightDecay.Equals(other.WeightDecay) && BiasLrMult.Equals(other.BiasLrMult) && BiasDecayMult.Equals(other.BiasDecayMult);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Iterations, BaseLr, LrSteps.Length, LrGamma, Momentum, WeightDecay, BiasLrMult, BiasDecayMult);
}
