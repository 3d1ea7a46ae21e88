namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Add: element-wise with numpy broadcasting.</summary>
public sealed class Add : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Add";
}
