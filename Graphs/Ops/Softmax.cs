namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Softmax: same type and shape as its input.</summary>
public sealed class Softmax : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Softmax";
}
