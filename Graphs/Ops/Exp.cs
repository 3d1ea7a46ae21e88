namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Exp: element-wise, same shape as its input.</summary>
public sealed class Exp : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Exp";
}
