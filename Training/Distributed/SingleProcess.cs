namespace SphereFace.Training.Distributed;

/// <summary>The job of one process: rank 0 of 1, every collective a no-op.</summary>
public sealed class SingleProcess : ICollectives
{
    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void Sum(Span<float> values) { }

    /// <inheritdoc/>
    public void Sum(Span<double> values) { }

    /// <inheritdoc/>
    public bool AllEqual(ulong value) => true;
}
