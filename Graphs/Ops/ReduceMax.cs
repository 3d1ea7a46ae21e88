namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceMax over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceMax : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceMax";
}
