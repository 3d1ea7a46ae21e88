namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceSum (opset 13+): axes as a constant int64 second input (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceSum : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceSum";

    /// <inheritdoc/>
    protected override bool AxesAsInput => true;
}
