namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sign: same type and shape as its input.</summary>
public sealed class Sign : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sign";
}
