namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Relu: element-wise, same shape as its input.</summary>
public sealed class Relu : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Relu";
}
