namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Not: element-wise logical negation of a bool tensor.</summary>
public sealed class Not : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Not";
}
