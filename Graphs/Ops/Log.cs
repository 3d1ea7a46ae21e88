namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Log: element-wise, same shape as its input.</summary>
public sealed class Log : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Log";
}
