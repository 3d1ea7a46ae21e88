namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Floor: same type and shape as its input.</summary>
public sealed class Floor : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Floor";
}
