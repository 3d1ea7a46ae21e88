namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Less: element-wise with broadcasting, bool result.</summary>
public sealed class Less : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "Less";
}
