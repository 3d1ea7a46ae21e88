namespace SphereFace.Training.Data;

/// <summary>
/// The part of every global batch one rank of a data-parallel run takes: of the global batch k (<see cref="Count"/> ×
/// the source's batch size consecutive positions of the seeded sample order), the <see cref="Index"/>-th slice. The K
/// shards of a batch together are exactly the one-process batch, in order.
/// </summary>
/// <param name="Index">This rank's slice, 0 … <see cref="Count"/> − 1.</param>
/// <param name="Count">Slices per global batch (the number of ranks).</param>
public sealed record BatchShard(int Index, int Count)
{
    /// <summary>The whole batch (one process).</summary>
    public static BatchShard Whole { get; } = new(0, 1);

    /// <summary>Position in the sample order of image <paramref name="i"/> of this shard of global batch <paramref name="batch"/>.</summary>
    public long Position(long start, long batch, int batchSize, int i) => start + (batch * Count + Index) * batchSize + i;
}
