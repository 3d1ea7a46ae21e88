namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Identity: element-wise, same shape as its input.</summary>
public sealed class Identity : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Identity";
}
