namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Div: element-wise with numpy broadcasting.</summary>
public sealed class Div : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Div";
}
