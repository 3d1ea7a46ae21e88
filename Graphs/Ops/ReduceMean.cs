namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceMean over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceMean : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceMean";
}
