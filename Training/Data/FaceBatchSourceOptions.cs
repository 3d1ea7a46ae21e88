using SphereFace.Alignment;

namespace SphereFace.Training.Data;

/// <summary>Settings of a <see cref="FaceBatchSource"/>.</summary>
public sealed record FaceBatchSourceOptions
{
    /// <summary>Images per batch (≥ 1).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Decode/align threads (≥ 1); each prepares whole batches.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Batches prepared ahead of the consumer (bounded queue length, ≥ 1).</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Seed of the epoch shuffles and of the flip decisions.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Where to resume (from a checkpoint); null starts at epoch 0, position 0.</summary>
    public SampleOrderState? Resume { get; init; }

    /// <summary>Probability of a horizontal flip per image (0 disables augmentation).</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Aligned crop layout; the batch holds 3·H·W floats per image.</summary>
    public FaceTemplateKind Template { get; init; } = FaceTemplateKind.Sphere112x96;

    /// <summary>
    /// Keep each aligned crop (8-bit, 3·H·W bytes per image) in memory after its first decode, so later epochs skip
    /// decoding and warping (alignment is deterministic; the flip is still drawn per position).
    /// </summary>
    public bool CacheAligned { get; init; }

    /// <summary>The slice of every global batch this source delivers (a data-parallel rank's); the whole batch by default.</summary>
    public BatchShard Shard { get; init; } = BatchShard.Whole;

    /// <summary>Disposed with the source: what its decode function reads from (e.g. an open RecordIO file).</summary>
    public IDisposable? Owned { get; init; }

    /// <summary>Receives one line per image skipped (unreadable, corrupt, degenerate landmarks, wrong size); null writes to stderr.</summary>
    public Action<string>? Warn { get; init; }
}
