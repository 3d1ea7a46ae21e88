using SphereFace.Graphs.Nets;
using SphereFace.Models.Errors;
using SphereFace.Models.Native;

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

    /// <summary>Checks the section; returns it.</summary>
    /// <exception cref="RunSpecException">An unknown net or a width out of range, named <c>net.…</c>.</exception>
    public NetSpec Validate()
    {
        if (EmbeddingSize is < 1 or > SphereNetConfig.MaxEmbeddingSize)
            throw new RunSpecException("net.embedding_size", $"net.embedding_size must be in 1…{SphereNetConfig.MaxEmbeddingSize}, got {EmbeddingSize}.");
        RunSpec.Wrap("net.name", () => _ = Config);
        return this;
    }
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

    /// <summary>Checks the section; returns it.</summary>
    /// <exception cref="RunSpecException">A field out of range, named <c>data.…</c>.</exception>
    public DataSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Source)) throw new RunSpecException("data.source", "data.source is empty (a dataset folder or random:N).");
        if (DataSourceSpec.IsRandom(Source)) RunSpec.Wrap("data.source", () => DataSourceSpec.Inspect(Source, null));
        if (Workers is < 1 or > ThreadCount.Max) throw new RunSpecException("data.workers", $"data.workers must be in 1…{ThreadCount.Max}, got {Workers}.");
        if (!(FlipProbability >= 0 && FlipProbability <= 1)) throw new RunSpecException("data.flip_probability", $"data.flip_probability must be in [0, 1], got {FlipProbability}.");
        return this;
    }
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

    /// <summary>The device this section names.</summary>
    /// <exception cref="RunSpecException">Neither cpu nor cuda.</exception>
    [System.Text.Json.Serialization.JsonIgnore]
    public ExecutionDevice ExecutionDevice => RunSpec.Wrap("machine.device", () => ExecutionDevices.Parse(Device));

    /// <summary>Checks the section; returns it.</summary>
    /// <exception cref="RunSpecException">A field out of range, named <c>machine.…</c>.</exception>
    public MachineSpec Validate()
    {
        _ = ExecutionDevice;
        if (Threads is < 0 or > ThreadCount.Max) throw new RunSpecException("machine.threads", $"machine.threads must be in 0…{ThreadCount.Max} (0 = one per core), got {Threads}.");
        if (Ranks < 1) throw new RunSpecException("machine.ranks", $"machine.ranks must be ≥ 1, got {Ranks}.");
        return this;
    }
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

    /// <summary>Checks the section; returns it.</summary>
    /// <exception cref="RunSpecException">An interval below 1, named <c>output.…</c>.</exception>
    public OutputSpec Validate()
    {
        if (LogEvery < 1) throw new RunSpecException("output.log_every", $"output.log_every must be at least 1, got {LogEvery}.");
        if (CheckpointEvery < 1) throw new RunSpecException("output.checkpoint_every", $"output.checkpoint_every must be at least 1, got {CheckpointEvery}.");
        return this;
    }
}
