namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Greater: element-wise with broadcasting, bool result.</summary>
public sealed class Greater : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "Greater";
}
