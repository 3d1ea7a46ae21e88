namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Cos: same type and shape as its input.</summary>
public sealed class Cos : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Cos";
}
