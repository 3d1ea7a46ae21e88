namespace SphereFace.Graphs.IO;

/// <summary>A float32 tensor with a name and shape (row-major values).</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Data)
{
    /// <summary>Number of values the shape calls for.</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);
}
