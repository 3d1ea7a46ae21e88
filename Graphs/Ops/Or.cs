namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Or: element-wise with broadcasting, bool result.</summary>
public sealed class Or : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "Or";
}
