namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Reciprocal: same type and shape as its input.</summary>
public sealed class Reciprocal : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Reciprocal";
}
