namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceL2 over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceL2 : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceL2";
}
