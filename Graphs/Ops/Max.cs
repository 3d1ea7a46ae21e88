namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Max of two inputs with numpy broadcasting.</summary>
public sealed class Max : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Max";
}
