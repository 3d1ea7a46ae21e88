using SphereFace.Graphs.Parameters;

namespace SphereFace.Training.Data;

/// <summary>
/// A seeded, resumable order over N samples: epoch e is a Fisher–Yates shuffle drawn from a stream derived from
/// (seed, e) only, so any position of any epoch can be recomputed without replaying earlier epochs. Positions
/// form one continuous stream (epoch e covers global positions e·N … e·N + N − 1). Thread-safe.
/// </summary>
public sealed class SampleOrder
{
    private readonly object _gate = new();
    private int _cachedEpoch = -1;
    private int[] _cached = [];
    private int _previousEpoch = -1;
    private int[] _previous = [];

    /// <summary>An order over <paramref name="count"/> samples (≥ 1) drawn from <paramref name="seed"/>.</summary>
    public SampleOrder(int count, ulong seed)
    {
        if (count < 1) throw new ArgumentException($"a sample order needs at least one sample, got {count}.");
        Count = count;
        Seed = seed;
    }

    /// <summary>Samples per epoch.</summary>
    public int Count { get; }

    /// <summary>The seed every epoch's shuffle derives from.</summary>
    public ulong Seed { get; }

    /// <summary>The permutation of epoch <paramref name="epoch"/> (a fresh array).</summary>
    public int[] Permutation(int epoch) => (int[])Get(epoch).Clone();

    /// <summary>Sample index at global stream position <paramref name="position"/>.</summary>
    public int At(long position)
    {
        if (position < 0) throw new ArgumentOutOfRangeException(nameof(position), position, "position must be ≥ 0.");
        int epoch = checked((int)(position / Count));
        return Get(epoch)[(int)(position % Count)];
    }

    /// <summary>The state after <paramref name="position"/> samples have been consumed.</summary>
    public SampleOrderState StateAt(long position) => new(Seed, checked((int)(position / Count)), position % Count);

    /// <summary>Global position of <paramref name="state"/>; throws when it belongs to another seed or is out of range.</summary>
    public long PositionOf(SampleOrderState state)
    {
        if (state.Seed != Seed)
            throw new ArgumentException($"sample-order state has seed {state.Seed}, this order uses seed {Seed}.");
        if (state.Epoch < 0 || state.Position < 0 || state.Position >= Count)
            throw new ArgumentException($"sample-order state (epoch {state.Epoch}, position {state.Position}) is outside an epoch of {Count} samples; was it saved for another dataset?");
        return (long)state.Epoch * Count + state.Position;
    }

    private int[] Get(int epoch)
    {
        lock (_gate)
        {
            if (epoch == _cachedEpoch) return _cached;
            if (epoch == _previousEpoch) return _previous;
            var perm = new int[Count];
            for (int i = 0; i < Count; i++) perm[i] = i;
            SeededRandom.ForName(Seed, $"epoch {epoch}").Shuffle(perm.AsSpan());
            // Keep two epochs: batches straddling an epoch boundary and parallel workers need both.
            (_previousEpoch, _previous) = (_cachedEpoch, _cached);
            (_cachedEpoch, _cached) = (epoch, perm);
            return perm;
        }
    }
}
