namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Acos: same type and shape as its input.</summary>
public sealed class Acos : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Acos";
}
