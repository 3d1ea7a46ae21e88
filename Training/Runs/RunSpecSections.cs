using SphereFace.Graphs.Nets;

namespace SphereFace.Training.Runs;

/// <summary>The net of a run (spec section <c>net</c>).</summary>
public sealed record NetSpec
{
    /// <summary>Creates the default net (SF-20, 512-d embedding).</summary>
    public NetSpec() { }

    /// <summary>Creates a net spec.</summary>
    public NetSpec(string name, bool lastRelu = false, int embeddingSize = 512) => (Name, LastRelu, EmbeddingSize) = (name, lastRelu, embeddingSize);

    /// <summary>sphere4, sphere10, sphere20, sphere36 or sphere64.</summary>
    public string Name { get; init; } = "sphere20";
    /// <summary>A ReLU after the embedding (the App. E ablation; the paper's nets have none).</summary>
    public bool LastRelu { get; init; }
    /// <summary>Width of the embedding (512 in the paper).</summary>
    public int EmbeddingSize { get; init; } = 512;

    /// <summary>The net configuration.</summary>
    /// <exception cref="ArgumentException">An unknown net or a width below 1.</exception>
    [System.Text.Json.Serialization.JsonIgnore]
    public SphereNetConfig Config => SphereNetConfig.Parse(Name, LastRelu, EmbeddingSize);
}

/// <summary>Caffe SGD with momentum and the multi-step learning-rate schedule (spec section <c>solver</c>).</summary>
public sealed record SolverSpec
{
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
}

/// <summary>A-Softmax's λ annealing λ = max(min, base·(1 + γ·iter)^(−power)) (spec section <c>lambda</c>; heads without λ ignore it).</summary>
public sealed record LambdaSpec
{
    /// <summary>base.</summary>
    public float Base { get; init; } = 1000f;
    /// <summary>γ.</summary>
    public float Gamma { get; init; } = 0.12f;
    /// <summary>power.</summary>
    public float Power { get; init; } = 1f;
    /// <summary>The floor λ_min.</summary>
    public float Min { get; init; } = 5f;
}

/// <summary>Where the images come from (spec section <c>data</c>).</summary>
public sealed record DataSpec
{
    /// <summary>A dataset folder root/&lt;identity&gt;/&lt;image&gt; (absolute once resolved), or <c>random:N</c>.</summary>
    public string Source { get; init; } = "random:64";
    /// <summary>The landmark list of a dataset folder; null when the images are already aligned.</summary>
    public string? Landmarks { get; init; }
    /// <summary>A file naming the identities to train on, one per line (null: every identity folder).</summary>
    public string? IdentityList { get; init; }
    /// <summary>
    /// Images the landmark list does not mention are left out rather than refused: set for a list the detector wrote,
    /// which has no entry for a photo without a face.
    /// </summary>
    public bool SkipUnlisted { get; init; }
    /// <summary>Decode and align threads, ≥ 1.</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Probability of a horizontal flip per image, in [0, 1].</summary>
    public double FlipProbability { get; init; } = 0.5;
}

/// <summary>Where the step runs (spec section <c>machine</c>; what a run computes depends on the thread count only).</summary>
public sealed record MachineSpec
{
    /// <summary>cpu or cuda.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; 0 means one per core.</summary>
    public int Threads { get; init; }
    /// <summary>
    /// Data-parallel processes the global batch is split over: the world size of <c>mpirun -np K</c>, recorded by the
    /// run (not a flag); 1 for one process.
    /// </summary>
    public int Ranks { get; init; } = 1;
}

/// <summary>What a run writes (spec section <c>output</c>).</summary>
public sealed record OutputSpec
{
    /// <summary>The run folder (absolute once resolved).</summary>
    public string? Folder { get; init; }
    /// <summary>Iterations per log line and metrics row.</summary>
    public int LogEvery { get; init; } = 20;
    /// <summary>Iterations per checkpoint.</summary>
    public int CheckpointEvery { get; init; } = 1000;
}
