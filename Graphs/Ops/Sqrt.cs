namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sqrt: element-wise, same shape as its input.</summary>
public sealed class Sqrt : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sqrt";
}
