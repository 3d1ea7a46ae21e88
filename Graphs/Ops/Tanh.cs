namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Tanh: same type and shape as its input.</summary>
public sealed class Tanh : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Tanh";
}
