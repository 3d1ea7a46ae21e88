namespace SphereFace.Graphs.Ops;

/// <summary>ONNX LogSoftmax: same type and shape as its input.</summary>
public sealed class LogSoftmax : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "LogSoftmax";
}
