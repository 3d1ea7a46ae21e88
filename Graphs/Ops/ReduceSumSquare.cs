namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceSumSquare over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceSumSquare : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceSumSquare";
}
