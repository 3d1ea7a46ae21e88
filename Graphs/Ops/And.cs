namespace SphereFace.Graphs.Ops;

/// <summary>ONNX And: element-wise with broadcasting, bool result.</summary>
public sealed class And : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "And";
}
