using SphereFace.Models.Onnx;
namespace SphereFace.Graphs.Building;

/// <summary>
/// Static type and shape of a graph value. A dimension of <see cref="Dynamic"/> (−1) is unknown at build
/// time (the batch axis of the embedding graph); every other dimension is exact.
/// </summary>
public sealed record TensorInfo(ElementType Type, long[] Shape)
{
    /// <summary>Marker for a dimension that is only known at run time.</summary>
    public const long Dynamic = -1;

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Length;

    /// <summary>Element count, or −1 when any dimension is dynamic.</summary>
    public long ElementCount => Shape.Any(d => d < 0) ? -1 : Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Same element type, another shape.</summary>
    public TensorInfo WithShape(params long[] shape) => this with { Shape = shape };

    /// <inheritdoc/>
    public override string ToString() => $"{Type}[{string.Join(",", Shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";

    /// <inheritdoc/>
    public bool Equals(TensorInfo? other) => other is not null && Type == other.Type && Shape.SequenceEqual(other.Shape);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Shape.Length);
}
