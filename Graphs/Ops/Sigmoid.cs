namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sigmoid: same type and shape as its input.</summary>
public sealed class Sigmoid : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sigmoid";
}
