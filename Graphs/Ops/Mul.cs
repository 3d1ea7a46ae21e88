namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Mul: element-wise with numpy broadcasting.</summary>
public sealed class Mul : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Mul";
}
