namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sub: element-wise with numpy broadcasting.</summary>
public sealed class Sub : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sub";
}
