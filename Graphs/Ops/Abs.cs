namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Abs: same type and shape as its input.</summary>
public sealed class Abs : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Abs";
}
