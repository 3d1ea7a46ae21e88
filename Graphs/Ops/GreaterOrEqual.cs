namespace SphereFace.Graphs.Ops;

/// <summary>ONNX GreaterOrEqual: element-wise with broadcasting, bool result.</summary>
public sealed class GreaterOrEqual : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "GreaterOrEqual";
}
