namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sin: same type and shape as its input.</summary>
public sealed class Sin : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sin";
}
