namespace SphereFace.Graphs.Ops;

/// <summary>ONNX LessOrEqual: element-wise with broadcasting, bool result.</summary>
public sealed class LessOrEqual : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "LessOrEqual";
}
