namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Min of two inputs with numpy broadcasting.</summary>
public sealed class Min : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Min";
}
