namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Pow of two inputs with numpy broadcasting.</summary>
public sealed class Pow : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Pow";
}
